//! The memory suites' shared parts: a server process on a data dir with its own temp HOME,
//! personas to act as, memory-store / memory-search calls, and reading the feed resource.
#![allow(dead_code)] // each suite uses part of it

use std::{path::Path, time::Duration};

use rmcp::model::{ReadResourceRequestParams, ResourceContents};
use serde_json::{Value, json};

use super::common::*;

/// The feed resource's plain URI.
pub const FEED: &str = "llmgen://memory/feed";

/// A server process on `data`, with HOME (and the config dirs) at `home`: nothing of the real
/// user's is read or written.
pub async fn server(data: &Path, home: &Path, client: TestClient) -> Client {
    let home = home.to_str().expect("a UTF-8 temp path");
    connect_with_env(
        data,
        client,
        &[("HOME", home), ("XDG_CONFIG_HOME", home), ("XDG_DATA_HOME", home)],
    )
    .await
}

/// Creates the persona `name` (memory's owners and readers are personas).
pub async fn persona(client: &Client, name: &str) {
    ok(call(
        client,
        "persona-manage",
        json!({"action": "create", "name": name, "systemPrompt": format!("You are {name}.")}),
    )
    .await);
}

/// memory-store with `args`; its result (a note, or `{deleted}`), panicking on a tool error.
pub async fn store(client: &Client, args: Value) -> Value {
    ok(call(client, "memory-store", args).await)
}

/// Creates a note and returns its id.
pub async fn create(client: &Client, args: Value) -> i64 {
    let mut args = args;
    args["action"] = json!("create");
    let note = store(client, args).await;
    note["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("a note id in {note}"))
}

/// memory-search with `args`; its result, panicking on a tool error.
pub async fn search(client: &Client, args: Value) -> Value {
    ok(call(client, "memory-search", args).await)
}

/// The ids of a search page's results, in order.
pub fn ids(page: &Value) -> Vec<i64> {
    page["results"]
        .as_array()
        .unwrap_or_else(|| panic!("results in {page}"))
        .iter()
        .filter_map(|hit| hit["id"].as_i64())
        .collect()
}

/// Reads a resource as text, or the protocol error's message.
pub async fn read(client: &Client, uri: &str) -> Result<String, String> {
    match client.read_resource(ReadResourceRequestParams::new(uri)).await {
        Ok(result) => match result.contents.first() {
            Some(ResourceContents::TextResourceContents { text, .. }) => Ok(text.clone()),
            other => panic!("expected text contents, got {other:?}"),
        },
        Err(e) => Err(e.to_string()),
    }
}

/// Reads a feed URI as JSON (a FeedPage), panicking on an error.
pub async fn feed(client: &Client, uri: &str) -> Value {
    let text = read(client, uri).await.unwrap_or_else(|e| panic!("{uri}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{uri} is not JSON ({e}): {text}"))
}

/// The memory ids of a feed page's changes, in order.
pub fn changed_ids(page: &Value) -> Vec<i64> {
    page["changes"]
        .as_array()
        .unwrap_or_else(|| panic!("changes in {page}"))
        .iter()
        .filter_map(|c| c["memoryId"].as_i64())
        .collect()
}

/// Waits up to `within` for `client` to have received a resources/updated for `uri`.
pub async fn updated_within(client: &TestClient, uri: &str, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if client
            .resource_updates
            .lock()
            .expect("lock")
            .iter()
            .any(|u| u == uri)
        {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
