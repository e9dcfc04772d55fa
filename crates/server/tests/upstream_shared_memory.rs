//! End-to-end: the TypeScript server's six `shared-memory-*` tools (1.4.1 argument shapes, from
//! its `src/tools/shared-memory-mcp-tools.ts`), called on the real binary with
//! `compat-tool-names` on, are served by our memory with the old rules: any persona id acts,
//! `public` notes are read-only for others, `edit` notes editable by anyone, only the owner
//! deletes, notifications tell a persona what others changed.

mod common;

use std::path::Path;

use common::*;
use serde_json::json;

fn cli_ok(data_dir: &Path, args: &[&str]) {
    CliRun::new(data_dir, data_dir).ok(args);
}

#[tokio::test]
async fn old_shared_memory_calls_work_on_our_memory() {
    let dir = temp_dir();
    cli_ok(dir.path(), &["settings", "set", "compat-tool-names", "true"]);
    let client = connect(dir.path(), TestClient::replying(Era::Legacy, "x")).await;
    let names: Vec<String> = tool_names(&client).await;
    for old in [
        "shared-memory-create",
        "shared-memory-search",
        "shared-memory-get",
        "shared-memory-update",
        "shared-memory-delete",
        "shared-memory-notifications",
    ] {
        assert!(names.iter().any(|n| n == old), "{old} missing from {names:?}");
    }

    let created = ok(call(
        &client,
        "shared-memory-create",
        json!({"title": "Test Memory", "content": "東京の会議は火曜日。Budget is 2000 EUR.", "permission_level": "public", "creator_persona_id": "test-user-1"}),
    )
    .await);
    let id = created["id"].as_i64().expect("an id");
    assert_eq!(created["owner"], "test-user-1");
    assert_eq!(
        created["permission"], "shared",
        "public is read-only for others: our shared"
    );

    // Another persona finds it by a word's beginning (the old search matched substrings) and by
    // a Japanese word inside a sentence; the id may come as a string, as the old ids were.
    for query in ["budg", "東京", "会議"] {
        let found = ok(call(
            &client,
            "shared-memory-search",
            json!({"query": query, "requester_persona_id": "test-user-2"}),
        )
        .await);
        assert_eq!(found["results"][0]["id"], id, "{query}: {found}");
    }
    let got = ok(call(
        &client,
        "shared-memory-get",
        json!({"id": id.to_string(), "requester_persona_id": "test-user-2"}),
    )
    .await);
    assert_eq!(got["title"], "Test Memory");

    // public: another persona may not change it; its owner may, and may open it up.
    let refused = err(call(
        &client,
        "shared-memory-update",
        json!({"id": id.to_string(), "content": "hijacked", "updater_persona_id": "test-user-2"}),
    )
    .await);
    assert!(refused.contains("may not change"), "{refused}");
    ok(call(
        &client,
        "shared-memory-update",
        json!({"id": id, "permission_level": "edit", "updater_persona_id": "test-user-1"}),
    )
    .await);
    let edited = ok(call(
        &client,
        "shared-memory-update",
        json!({"id": id, "content": "Budget is 2500 EUR.", "updater_persona_id": "test-user-2"}),
    )
    .await);
    assert_eq!(edited["content"], "Budget is 2500 EUR.");

    // test-user-1 is told what test-user-2 did, not what it did itself.
    let told = ok(call(
        &client,
        "shared-memory-notifications",
        json!({"persona_id": "test-user-1", "limit": 5}),
    )
    .await);
    let notes = told["notifications"].as_array().expect("notifications");
    assert_eq!(notes.len(), 1, "{told}");
    assert_eq!(notes[0]["actor"], "test-user-2");
    assert_eq!(notes[0]["action"], "updated");

    // Only the owner deletes.
    let refused = err(call(
        &client,
        "shared-memory-delete",
        json!({"id": id, "deleter_persona_id": "test-user-2"}),
    )
    .await);
    assert!(refused.contains("Only its owner"), "{refused}");
    ok(call(
        &client,
        "shared-memory-delete",
        json!({"id": id.to_string(), "deleter_persona_id": "test-user-1"}),
    )
    .await);
    let gone = err(call(
        &client,
        "shared-memory-get",
        json!({"id": "no-such-old-id", "requester_persona_id": "test-user-1"}),
    )
    .await);
    assert!(gone.contains("was not found"), "{gone}");
    client.cancel().await.expect("close");
}
