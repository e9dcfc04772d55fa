//! The team suites' shared parts: a small team of personas with roles, expertise and
//! restrictions, task-delegate / task-manage calls, and waiting for a delegation's state.
#![allow(dead_code)] // each suite uses part of it

use std::time::Duration;

use rmcp::model::CallToolResult;
use serde_json::{Value, json};

use super::common::*;

/// The lead's rule: inherited by every persona below it.
pub const LEAD_RULE: &str = "Never reveal customer names.";
/// The analyst's rule: inherited by the junior.
pub const ANALYST_RULE: &str = "Answer in English.";

/// Creates the persona `name` with its place in the team; panics on a tool error.
pub async fn member(
    client: &Client,
    name: &str,
    parent: &str,
    role: &str,
    expertise: &[&str],
    rules: &[&str],
) {
    ok(call(
        client,
        "persona-manage",
        json!({
            "action": "create", "name": name, "systemPrompt": format!("You are {name}."),
            "parent": parent, "role": role, "expertise": expertise, "restrictions": rules
        }),
    )
    .await);
}

/// The team the suites work with:
///
/// ```text
/// boss (lead, planning; LEAD_RULE)
/// ├── analyst (specialist, sql + reporting; ANALYST_RULE)
/// │   └── junior (assistant, sql + migrations)
/// ├── checker (reviewer, review)
/// └── watcher (observer, monitoring)
/// ```
pub async fn team(client: &Client) {
    member(client, "boss", "", "lead", &["planning"], &[LEAD_RULE]).await;
    member(
        client,
        "analyst",
        "boss",
        "specialist",
        &["sql", "reporting"],
        &[ANALYST_RULE],
    )
    .await;
    member(
        client,
        "junior",
        "analyst",
        "assistant",
        &["sql", "migrations"],
        &[],
    )
    .await;
    member(client, "checker", "boss", "reviewer", &["review"], &[]).await;
    member(client, "watcher", "boss", "observer", &["monitoring"], &[]).await;
}

/// task-delegate with `args`, as the client's high-level call makes it (2026-07-28:
/// input_required rounds answered by its sampling handler).
pub async fn delegate(client: &Client, args: Value) -> CallToolResult {
    call(client, "task-delegate", args).await
}

/// task-manage get of delegation `id` (as the user).
pub async fn record(client: &Client, id: i64) -> Value {
    ok(call(client, "task-manage", json!({"action": "get", "id": id})).await)
}

/// task-manage list with `args` added to the action.
pub async fn list(client: &Client, args: Value) -> Value {
    let mut args = args;
    args["action"] = json!("list");
    ok(call(client, "task-manage", args).await)
}

/// The ids of a list page's delegations, newest first.
pub fn listed_ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("items in {page}"))
        .iter()
        .filter_map(|d| d["id"].as_i64())
        .collect()
}

/// Waits (polling every 20 ms, at most `HANG_GUARD`) until `ready` holds; false if it never did.
pub async fn eventually(mut ready: impl AsyncFnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + HANG_GUARD;
    while tokio::time::Instant::now() < deadline {
        if ready().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

/// Only a guard against a hang: no test asserts how fast anything is.
pub const HANG_GUARD: Duration = Duration::from_secs(30);

/// The stored messages of context `id`.
pub async fn message_count(client: &Client, context_id: &str) -> u64 {
    let history = ok(call(
        client,
        "conversation-manage",
        json!({"action": "list", "contextId": context_id}),
    )
    .await);
    history["total"]
        .as_u64()
        .unwrap_or_else(|| panic!("total in {history}"))
}
