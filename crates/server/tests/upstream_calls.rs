//! End-to-end: calls written for the TypeScript server we replace (`@mako10k/mcp-llm-generator`
//! 1.4.1, argument shapes taken from its published `build/index.js`) work against the real
//! binary, and do what they say: each test checks the stored or sent value equals what was sent,
//! not only that no error came back.
#![allow(deprecated)]

mod common;

use std::path::Path;

use common::*;
use rmcp::model::CreateMessageRequestParams;
use serde_json::json;

/// The text of each message of a sampling request.
fn sent_texts(req: &CreateMessageRequestParams) -> Vec<String> {
    req.messages
        .iter()
        .map(|m| {
            m.content
                .first()
                .and_then(|c| c.as_text())
                .map(|t| t.text.clone())
                .unwrap_or_default()
        })
        .collect()
}

/// Runs the CLI on `data_dir` and requires success.
fn cli_ok(data_dir: &Path, args: &[&str]) {
    CliRun::new(data_dir, data_dir).ok(args);
}

/// llm-generate with the old shape: MCP content blocks, a `system` message, `stop`, `300.0` for
/// an integer. The client's model receives exactly that conversation; fields this server does not
/// use are reported in notes, and mapped fields are not.
#[tokio::test]
async fn llm_generate_accepts_the_old_message_shapes() {
    let dir = temp_dir();
    let tc = TestClient::replying(Era::Legacy, "Moon.");
    let client = connect(dir.path(), tc.clone()).await;
    let data = ok(call(
        &client,
        "llm-generate",
        json!({
            "messages": [
                {"role": "system", "content": "Answer in one word."},
                {"role": "user", "content": {"type": "text", "text": "What causes tides?"}},
                {"role": "assistant", "content": [{"type": "text", "text": "Gravity"}]},
                {"role": "user", "content": {"type": "text", "text": "Of what?"}}
            ],
            "systemPrompt": "Be brief.",
            "maxTokens": 300.0,
            "temperature": 0,
            "stop": ["END"],
            "includeContext": "none",
            "topP": 0.9,
            "madeUp": true
        }),
    )
    .await);
    assert_eq!(data["text"], "Moon.");
    let req = &tc.requests()[0];
    assert_eq!(sent_texts(req), ["What causes tides?", "Gravity", "Of what?"]);
    assert_eq!(
        req.system_prompt.as_deref(),
        Some("Be brief.\n\nAnswer in one word.")
    );
    assert_eq!(req.max_tokens, 300);
    assert_eq!(req.temperature, Some(0.0));
    assert_eq!(req.stop_sequences.as_deref(), Some(&["END".to_string()][..]));
    let notes = notes(&data);
    assert!(notes.iter().any(|n| n.contains("'topP'")), "{notes:?}");
    assert!(
        notes.iter().any(|n| n.contains("unknown field 'madeUp'")),
        "{notes:?}"
    );
    assert_eq!(notes.len(), 2, "only the two unused fields are noted: {notes:?}");
    // Content that is not text is refused clearly.
    let m = err(call(
        &client,
        "llm-generate",
        json!({"messages": [{"role": "user", "content": {"type": "image", "data": "AAAA", "mimeType": "image/png"}}]}),
    )
    .await);
    assert!(m.contains("must be text"), "{m}");
    client.cancel().await.expect("close");
}

/// template-execute and template-to-params with `templateName` and `includeContext`: the values
/// reach the rendered prompt, and to-params echoes includeContext as the old server did.
#[tokio::test]
async fn templates_run_by_template_name() {
    let dir = temp_dir();
    let tc = TestClient::replying(Era::Legacy, "Explained.");
    let client = connect(dir.path(), tc.clone()).await;
    let args = json!({"topic": "tides", "style": "casual", "length": "short", "audience": "children"});
    let rendered = ok(call(
        &client,
        "template-to-params",
        json!({"templateName": "explain-topic", "args": args, "maxTokens": 500, "temperature": 0.7, "includeContext": "none"}),
    )
    .await);
    let user = rendered["messages"][0]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(user.contains("tides"), "{rendered}");
    assert_eq!(rendered["includeContext"], "none");
    assert_eq!(rendered["maxTokens"], 500);
    assert!(
        rendered.get("notes").is_none(),
        "mapped fields give no notes: {rendered}"
    );

    ok(call(
        &client,
        "template-execute",
        json!({"templateName": "explain-topic", "args": args, "maxTokens": 500.0}),
    )
    .await);
    let req = &tc.requests()[0];
    assert_eq!(sent_texts(req), [user]);
    assert_eq!(req.max_tokens, 500);
    client.cancel().await.expect("close");
}

/// template-manage add and update with the old `template` object, whose parameters are a map of
/// name → description; the stored template equals what was sent.
#[tokio::test]
async fn template_manage_takes_the_old_template_object() {
    let dir = temp_dir();
    let client = connect(dir.path(), TestClient::replying(Era::Legacy, "x")).await;
    let template = json!({
        "name": "haiku",
        "systemPrompt": "You write haiku.",
        "userMessage": "A haiku about {subject} in {season}.",
        "parameters": {"subject": "What the haiku is about", "season": "A season"}
    });
    ok(call(
        &client,
        "template-manage",
        json!({"action": "add", "template": template}),
    )
    .await);
    let t = ok(call(
        &client,
        "template-manage",
        json!({"action": "get", "name": "haiku"}),
    )
    .await);
    assert_eq!(t["systemPrompt"], "You write haiku.");
    assert_eq!(t["userMessage"], "A haiku about {subject} in {season}.");
    let mut params: Vec<(String, String)> = t["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default().into(),
                p["description"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    params.sort();
    assert_eq!(
        params,
        [
            ("season".to_string(), "A season".to_string()),
            ("subject".to_string(), "What the haiku is about".to_string())
        ]
    );

    let mut changed = template.clone();
    changed["userMessage"] = json!("Three lines on {subject}, {season}.");
    ok(call(
        &client,
        "template-manage",
        json!({"action": "update", "name": "haiku", "template": changed}),
    )
    .await);
    let t = ok(call(
        &client,
        "template-manage",
        json!({"action": "get", "name": "haiku"}),
    )
    .await);
    assert_eq!(t["userMessage"], "Three lines on {subject}, {season}.");

    let renamed = json!({"name": "other", "systemPrompt": "s", "userMessage": "u", "parameters": {}});
    let m = err(call(
        &client,
        "template-manage",
        json!({"action": "update", "name": "haiku", "template": renamed}),
    )
    .await);
    assert!(m.contains("cannot be renamed"), "{m}");

    ok(call(
        &client,
        "template-manage",
        json!({"action": "delete", "name": "haiku"}),
    )
    .await);
    client.cancel().await.expect("close");
}

/// persona-manage with the preset tool's shapes: a display name, `defaultPersonality`,
/// `defaultSettings` (with `400.0`), `presetId` with the old built-in ids, paging.
#[tokio::test]
async fn persona_manage_takes_the_preset_shapes() {
    let dir = temp_dir();
    let client = connect(dir.path(), TestClient::replying(Era::Legacy, "x")).await;
    let created = ok(call(
        &client,
        "persona-manage",
        json!({
            "action": "create",
            "name": "My Coach",
            "description": "Keeps me going.",
            "systemPrompt": "You are a running coach.",
            "defaultPersonality": "Upbeat",
            "defaultSettings": {"temperature": 0.3, "maxTokens": 400.0, "maxHistoryTokens": 8000, "expiryDays": 3},
            "metadata": {"tag": "sport"}
        }),
    )
    .await);
    assert_eq!(created["name"], "my-coach");
    let notes = notes(&created);
    assert!(notes.iter().any(|n| n.contains("'my-coach'")), "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("'metadata'")), "{notes:?}");
    let p = ok(call(
        &client,
        "persona-manage",
        json!({"action": "get", "presetId": "my-coach"}),
    )
    .await);
    assert_eq!(p["personality"], "Upbeat");
    assert_eq!(
        p["settings"],
        json!({"temperature": 0.3, "maxTokens": 400, "maxHistoryTokens": 8000, "expiryDays": 3})
    );

    let calm = ok(call(
        &client,
        "persona-manage",
        json!({"action": "get", "presetId": "calm_counselor"}),
    )
    .await);
    assert_eq!(calm["name"], "calm-counselor");
    ok(call(
        &client,
        "persona-manage",
        json!({"action": "update", "presetId": "decision_making_supporter", "defaultPersonality": "Patient", "defaultSettings": {"temperature": 0.2}}),
    )
    .await);
    let d = ok(call(
        &client,
        "persona-manage",
        json!({"action": "get", "name": "decision-support"}),
    )
    .await);
    assert_eq!(d["personality"], "Patient");
    assert_eq!(d["settings"]["temperature"], 0.2);

    let page = ok(call(
        &client,
        "persona-manage",
        json!({"action": "list", "page": 2, "pageSize": 3, "includeInactive": true}),
    )
    .await);
    assert_eq!(page["total"], 7);
    assert_eq!(page["offset"], 3);
    assert_eq!(page["personas"].as_array().map(Vec::len), Some(3));
    assert!(page.get("notes").is_none(), "{page}");

    ok(call(
        &client,
        "persona-manage",
        json!({"action": "delete", "presetId": "my-coach"}),
    )
    .await);
    let m = err(call(
        &client,
        "persona-manage",
        json!({"action": "get", "name": "my-coach"}),
    )
    .await);
    assert!(m.contains("not found") || m.contains("No persona"), "{m}");
    client.cancel().await.expect("close");
}

/// With `compat-tool-names` on, the old tool names are listed and work as ours; off (the
/// default), they are not listed.
#[tokio::test]
async fn old_tool_names_are_offered_when_the_setting_is_on() {
    let dir = temp_dir();
    let client = connect(dir.path(), TestClient::replying(Era::Legacy, "x")).await;
    let names: Vec<String> = tool_names(&client).await;
    assert!(!names.iter().any(|n| n == "external-llm-generate"), "{names:?}");
    client.cancel().await.expect("close");

    cli_ok(dir.path(), &["settings", "set", "compat-tool-names", "true"]);
    let tc = TestClient::replying(Era::Legacy, "Hi there.");
    let client = connect(dir.path(), tc.clone()).await;
    let names: Vec<String> = tool_names(&client).await;
    for old in [
        "external-llm-generate",
        "external-llm-providers",
        "personality-preset-manage",
    ] {
        assert!(names.iter().any(|n| n == old), "{old} missing from {names:?}");
    }
    let data = ok(call(
        &client,
        "external-llm-generate",
        json!({"messages": [{"role": "user", "content": "Hello"}], "maxTokens": 1000, "temperature": 0.7, "stream": false}),
    )
    .await);
    assert_eq!(data["text"], "Hi there.");
    assert_eq!(sent_texts(&tc.requests()[0]), ["Hello"]);
    let status = ok(call(&client, "external-llm-providers", json!({"healthCheck": false})).await);
    assert!(status["providers"].is_array(), "{status}");
    let presets = ok(call(&client, "personality-preset-manage", json!({"action": "list"})).await);
    assert_eq!(presets["personas"].as_array().map(Vec::len), Some(6));
    client.cancel().await.expect("close");
}
