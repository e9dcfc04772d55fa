//! End-to-end: calls written for the TypeScript server we replace, for its contexts,
//! conversations and the size limits (upstream_calls.rs has generation, templates and personas).
#![allow(deprecated)]

mod common;

use common::*;
use serde_json::json;

/// context-manage: top-level settings, `create_from_preset` with `presetId` and
/// `presetOverrides`, `page`/`pageSize`; the created contexts carry exactly those values.
#[tokio::test]
async fn context_manage_takes_the_old_shapes() {
    let dir = temp_dir();
    let client = connect(dir.path(), TestClient::replying(Era::Legacy, "x")).await;
    let c = ok(call(
        &client,
        "context-manage",
        json!({"action": "create", "name": "Trip", "systemPrompt": "Plan trips.", "personality": "Curious",
               "temperature": 0.4, "maxTokens": 600.0, "maxHistoryTokens": 9000, "expiryDays": 2}),
    )
    .await);
    assert_eq!(
        c["settings"],
        json!({"temperature": 0.4, "maxTokens": 600, "maxHistoryTokens": 9000, "expiryDays": 2})
    );
    assert_eq!(c["personality"], "Curious");

    let c = ok(call(
        &client,
        "context-manage",
        json!({"action": "create_from_preset", "presetId": "calm_counselor", "name": "Evening talk",
               "presetOverrides": {"temperature": 0.1, "expiryDays": 5}}),
    )
    .await);
    assert_eq!(c["persona"], "calm-counselor");
    assert_eq!(c["name"], "Evening talk");
    assert_eq!(c["settings"]["temperature"], 0.1);
    assert_eq!(c["settings"]["expiryDays"], 5);
    let id = c["id"].as_str().expect("id").to_string();
    ok(call(
        &client,
        "context-manage",
        json!({"action": "update", "contextId": id, "temperature": 0.9}),
    )
    .await);
    let got = ok(call(
        &client,
        "context-manage",
        json!({"action": "get", "contextId": id}),
    )
    .await);
    assert_eq!(got["settings"]["temperature"], 0.9);

    let page = ok(call(
        &client,
        "context-manage",
        json!({"action": "list", "page": 2, "pageSize": 1}),
    )
    .await);
    assert_eq!(page["total"], 2);
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    assert!(page.get("notes").is_none(), "{page}");
    let listed = ok(call(
        &client,
        "context-manage",
        json!({"action": "list", "includeExpired": true}),
    )
    .await);
    assert!(
        notes(&listed).iter().any(|n| n.contains("includeExpired")),
        "{listed}"
    );
    client.cancel().await.expect("close");
}

/// context-chat `maintainPersonality: false` sends the context's prompt without its personality;
/// conversation-manage lists newest first with `reverse`, pages with `page`/`pageSize`, deletes
/// by `conversationIds` (given as strings) and by `olderThan`.
#[tokio::test]
async fn chat_and_conversation_take_the_old_options() {
    let dir = temp_dir();
    let tc = TestClient::replying(Era::Legacy, "Noted.");
    let client = connect(dir.path(), tc.clone()).await;
    let c = ok(call(
        &client,
        "context-manage",
        json!({"action": "create", "name": "Notes", "systemPrompt": "Take notes.", "personality": "Terse"}),
    )
    .await);
    let id = c["id"].as_str().expect("id").to_string();
    ok(call(
        &client,
        "context-chat",
        json!({"contextId": id, "message": "first", "maintainPersonality": false}),
    )
    .await);
    ok(call(
        &client,
        "context-chat",
        json!({"contextId": id, "message": "second", "maintainPersonality": true}),
    )
    .await);
    let asked = tc.requests();
    assert_eq!(asked[0].system_prompt.as_deref(), Some("Take notes."));
    assert_eq!(
        asked[1].system_prompt.as_deref(),
        Some("Take notes.\n\nPersonality: Terse")
    );

    let newest = ok(call(
        &client,
        "conversation-manage",
        json!({"action": "list", "contextId": id, "reverse": true, "page": 1, "pageSize": 3}),
    )
    .await);
    let contents: Vec<&str> = newest["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|m| m["content"].as_str())
        .collect();
    assert_eq!(contents, ["Noted.", "second", "Noted."]);
    assert_eq!(newest["total"], 4);

    let oldest = ok(call(
        &client,
        "conversation-manage",
        json!({"action": "list", "contextId": id, "reverse": false}),
    )
    .await);
    let items = oldest["items"].as_array().expect("items").clone();
    assert_eq!(items[0]["content"], "first");
    let first_two: Vec<String> = items[..2].iter().map(|m| m["id"].to_string()).collect();
    let deleted = ok(call(
        &client,
        "conversation-manage",
        json!({"action": "delete", "contextId": id, "conversationIds": first_two}),
    )
    .await);
    assert_eq!(deleted["deletedCount"], 2);
    let m = err(call(
        &client,
        "conversation-manage",
        json!({"action": "delete", "contextId": id, "conversationIds": ["abc"]}),
    )
    .await);
    assert!(m.contains("message ids are numbers"), "{m}");

    let deleted = ok(call(
        &client,
        "conversation-manage",
        json!({"action": "delete", "contextId": id, "olderThan": "2999-01-01T00:00:00Z"}),
    )
    .await);
    assert_eq!(deleted["deletedCount"], 2);
    let left = ok(call(
        &client,
        "conversation-manage",
        json!({"action": "list", "contextId": id}),
    )
    .await);
    assert_eq!(left["total"], 0);
    client.cancel().await.expect("close");
}

/// Every stored text has a limit: an over-size template, persona, context or chat message is a
/// tool error that names the field and the limit, and nothing is stored.
#[tokio::test]
async fn oversize_texts_are_refused_with_the_limit() {
    let dir = temp_dir();
    let client = connect(dir.path(), TestClient::replying(Era::Legacy, "x")).await;
    let big = "x".repeat(llmgen_core::limits::PROMPT_CHARS + 1);
    let m = err(call(
        &client,
        "template-manage",
        json!({"action": "add", "name": "big", "userMessage": big}),
    )
    .await);
    assert!(m.contains("userMessage") && m.contains("100000"), "{m}");
    let m = err(call(
        &client,
        "persona-manage",
        json!({"action": "create", "name": "big", "systemPrompt": big}),
    )
    .await);
    assert!(m.contains("systemPrompt") && m.contains("100000"), "{m}");
    let c = ok(call(
        &client,
        "context-manage",
        json!({"action": "create", "name": "c"}),
    )
    .await);
    let id = c["id"].as_str().expect("id");
    let m = err(call(
        &client,
        "context-manage",
        json!({"action": "update", "contextId": id, "personality": big}),
    )
    .await);
    assert!(m.contains("personality"), "{m}");
    let m = err(call(&client, "context-chat", json!({"contextId": id, "message": big})).await);
    assert!(m.contains("message") && m.contains("100000"), "{m}");
    let list = ok(call(&client, "template-manage", json!({"action": "list"})).await);
    assert_eq!(
        list["templates"].as_array().map(Vec::len),
        Some(4),
        "nothing was stored"
    );
    client.cancel().await.expect("close");
}

/// Found by a review with the Python SDK: a presetId names a new persona (the display name
/// does not win); a name with no ASCII letters still makes a persona; an empty conversationIds
/// list means "not given", as the old server read it, so olderThan (in SQLite's date form) applies;
/// an old field that disagrees with ours is refused, not dropped.
#[tokio::test]
async fn review_findings_on_old_shapes() {
    let dir = temp_dir();
    let client = connect(dir.path(), TestClient::replying(Era::Legacy, "ok")).await;
    let p = ok(call(
        &client,
        "persona-manage",
        json!({"action": "create", "presetId": "coach", "name": "Café Coach", "systemPrompt": "s"}),
    )
    .await);
    assert_eq!(p["name"], "coach");
    let p = ok(call(
        &client,
        "persona-manage",
        json!({"action": "create", "name": "カウンセラー", "systemPrompt": "s"}),
    )
    .await);
    let made = p["name"].as_str().expect("name").to_string();
    assert!(made.starts_with("persona-"), "{made}");
    assert!(notes(&p).iter().any(|n| n.contains(&made)), "{p}");

    let c = ok(call(
        &client,
        "context-manage",
        json!({"action": "create", "name": "c"}),
    )
    .await);
    let id = c["id"].as_str().expect("id").to_string();
    ok(call(
        &client,
        "context-chat",
        json!({"contextId": id, "message": "hello"}),
    )
    .await);
    let deleted = ok(call(
        &client,
        "conversation-manage",
        json!({"action": "delete", "contextId": id, "conversationIds": [], "olderThan": "2999-01-01"}),
    )
    .await);
    assert_eq!(deleted["deletedCount"], 2);
    let m = err(call(
        &client,
        "conversation-manage",
        json!({"action": "delete", "contextId": id, "messageId": 1, "olderThan": "2999-01-01"}),
    )
    .await);
    assert!(m.contains("not several"), "{m}");

    let m = err(call(
        &client,
        "template-to-params",
        json!({"templateName": "explain-topic", "name": "code-review", "args": {}}),
    )
    .await);
    assert!(m.contains("'templateName'") && m.contains("give only one"), "{m}");
    client.cancel().await.expect("close");
}
