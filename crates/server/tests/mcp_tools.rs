//! End-to-end: the real server binary, spoken to over stdio by an rmcp client, on both protocol
//! eras. Each test says what user-visible behaviour it proves.
#![allow(deprecated)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

const ALL_TOOLS: [&str; 13] = [
    "context-chat",
    "context-manage",
    "conversation-manage",
    "llm-generate",
    "memory-search",
    "memory-store",
    "persona-manage",
    "provider-status",
    "task-delegate",
    "task-manage",
    "template-execute",
    "template-manage",
    "template-to-params",
];

/// Every tool is listed with a schema and annotations, on both eras.
#[tokio::test]
async fn tools_are_listed_with_schemas_and_annotations() {
    for era in ERAS {
        let dir = temp_dir();
        let client = connect(dir.path(), TestClient::replying(era, "x")).await;
        let tools = client.list_all_tools().await.expect("tools/list");
        let mut names: Vec<String> = tools.iter().map(|t| t.name.to_string()).collect();
        names.sort();
        assert_eq!(names, ALL_TOOLS, "{era:?}");
        for tool in &tools {
            assert!(tool.annotations.is_some(), "{} has no annotations", tool.name);
            assert!(
                tool.input_schema.contains_key("properties"),
                "{} has no schema",
                tool.name
            );
        }
        client.cancel().await.expect("close");
    }
}

/// llm-generate goes to the client's model on both eras, and passes every option through
/// exactly: temperature 0 stays 0, the system prompt and stop sequences arrive.
#[tokio::test]
async fn llm_generate_samples_through_the_client_on_both_eras() {
    for era in ERAS {
        let dir = temp_dir();
        let tc = TestClient::replying(era, "Tides are caused by the Moon.");
        let client = connect(dir.path(), tc.clone()).await;
        let result = call(
            &client,
            "llm-generate",
            json!({
                "messages": [{"role": "user", "content": "Why tides?"}],
                "systemPrompt": "Be brief.",
                "maxTokens": 50,
                "temperature": 0,
                "stopSequences": ["END"],
                "modelPreferences": {"hints": ["claude"], "speedPriority": 0.9}
            }),
        )
        .await;
        assert_eq!(text(&result), "Tides are caused by the Moon.", "{era:?}");
        let data = ok(result);
        assert_eq!(data["route"], "sampling");
        assert_eq!(data["model"], "canned-model-1");
        let asked = tc.requests();
        assert_eq!(asked.len(), 1, "{era:?}: exactly one sampling request");
        let req = &asked[0];
        assert_eq!(req.temperature, Some(0.0));
        assert_eq!(req.max_tokens, 50);
        assert_eq!(req.system_prompt.as_deref(), Some("Be brief."));
        assert_eq!(req.stop_sequences.as_deref(), Some(&["END".to_string()][..]));
        assert!(
            req.include_context.is_none(),
            "includeContext must not be sent unasked"
        );
        client.cancel().await.expect("close");
    }
}

/// A client without the sampling capability gets a tool error that says how to fix it, and is
/// never sent a sampling request.
#[tokio::test]
async fn a_client_without_sampling_gets_the_fix_it_error() {
    for era in ERAS {
        let dir = temp_dir();
        let tc = TestClient::new(era, Sampling::Unsupported);
        let client = connect(dir.path(), tc.clone()).await;
        let message = err(call(
            &client,
            "llm-generate",
            json!({"messages": [{"role": "user", "content": "hi"}]}),
        )
        .await);
        assert!(
            message.contains("sampling") && message.contains("provider"),
            "{message}"
        );
        assert!(tc.requests().is_empty());
        client.cancel().await.expect("close");
    }
}

/// Bad arguments give a clear tool error and the server keeps serving.
#[tokio::test]
async fn bad_arguments_are_tool_errors_and_the_server_keeps_serving() {
    let dir = temp_dir();
    let client = connect(dir.path(), TestClient::replying(Era::Legacy, "ok")).await;
    let m = err(call(
        &client,
        "llm-generate",
        json!({"messages": [{"role": "user", "content": "hi"}], "temperature": 7}),
    )
    .await);
    assert!(m.contains("temperature must be between 0 and 2"), "{m}");
    let m = err(call(&client, "template-manage", json!({"action": "explode"})).await);
    assert!(
        m.contains("Invalid arguments for template-manage") && m.contains("explode"),
        "{m}"
    );
    let m = err(call(&client, "llm-generate", json!({"messages": "not a list"})).await);
    assert!(m.contains("Invalid arguments for llm-generate"), "{m}");
    let m = err(call(&client, "template-manage", json!({"action": "get"})).await);
    assert!(m.contains("needs 'name'"), "{m}");
    // Still serving:
    let data = ok(call(&client, "template-manage", json!({"action": "list"})).await);
    assert_eq!(data["templates"].as_array().map(Vec::len), Some(4));
    client.cancel().await.expect("close");
}

/// Templates: the four built-ins, add with validation, one-pass rendering, execute through
/// sampling, delete and reset.
#[tokio::test]
async fn templates_can_be_managed_rendered_and_executed() {
    let dir = temp_dir();
    let tc = TestClient::replying(Era::Legacy, "Bonjour");
    let client = connect(dir.path(), tc.clone()).await;

    let m = err(call(
        &client,
        "template-manage",
        json!({"action": "add", "name": "greet", "userMessage": "Hi {who}"}),
    )
    .await);
    assert!(m.contains("{who}") && m.contains("declares no parameter"), "{m}");

    let added = ok(call(
        &client,
        "template-manage",
        json!({
            "action": "add", "name": "greet", "description": "Greets",
            "systemPrompt": "Speak {lang}.", "userMessage": "Say hello to {who}.",
            "parameters": [{"name": "who"}, {"name": "lang", "default": "French"}]
        }),
    )
    .await);
    assert_eq!(added["builtin"], false);

    let rendered = ok(call(
        &client,
        "template-to-params",
        json!({"name": "greet", "args": {"who": "{lang} $1"}}),
    )
    .await);
    assert_eq!(rendered["systemPrompt"], "Speak French.");
    assert_eq!(
        rendered["messages"][0]["content"], "Say hello to {lang} $1.",
        "values are never substituted again"
    );

    let m = err(call(&client, "template-execute", json!({"name": "greet"})).await);
    assert!(m.contains("'who'"), "{m}");

    let result = call(
        &client,
        "template-execute",
        json!({"name": "greet", "args": {"who": "Ana"}, "temperature": 0.2}),
    )
    .await;
    assert_eq!(text(&result), "Bonjour");
    let asked = tc.requests();
    assert_eq!(asked[0].system_prompt.as_deref(), Some("Speak French."));
    assert_eq!(
        asked[0].messages[0]
            .content
            .first()
            .and_then(|c| c.as_text())
            .map(|t| t.text.as_str()),
        Some("Say hello to Ana.")
    );

    ok(call(
        &client,
        "template-manage",
        json!({"action": "delete", "name": "code-review"}),
    )
    .await);
    let m = err(call(
        &client,
        "template-manage",
        json!({"action": "get", "name": "code-review"}),
    )
    .await);
    assert!(m.contains("not found"), "{m}");
    let reset = ok(call(
        &client,
        "template-manage",
        json!({"action": "reset", "name": "code-review"}),
    )
    .await);
    assert_eq!(reset["builtin"], true);
    client.cancel().await.expect("close");
}

/// Personas: six built-ins; create, update and get return every field.
#[tokio::test]
async fn personas_can_be_managed_and_get_returns_every_field() {
    let dir = temp_dir();
    let client = connect(dir.path(), TestClient::replying(Era::Legacy, "x")).await;
    let list = ok(call(&client, "persona-manage", json!({"action": "list"})).await);
    assert_eq!(list["personas"].as_array().map(Vec::len), Some(6));
    ok(call(&client, "persona-manage", json!({
        "action": "create", "name": "pirate", "description": "Arr", "systemPrompt": "You are a pirate.",
        "personality": "Loud", "settings": {"temperature": 0, "maxTokens": 77, "maxHistoryTokens": 5000, "expiryDays": 3}
    })).await);
    ok(call(
        &client,
        "persona-manage",
        json!({"action": "update", "name": "pirate", "personality": "Louder"}),
    )
    .await);
    let p = ok(call(
        &client,
        "persona-manage",
        json!({"action": "get", "name": "pirate"}),
    )
    .await);
    assert_eq!(p["description"], "Arr");
    assert_eq!(p["systemPrompt"], "You are a pirate.");
    assert_eq!(p["personality"], "Louder");
    assert_eq!(
        p["settings"],
        json!({"temperature": 0.0, "maxTokens": 77, "maxHistoryTokens": 5000, "expiryDays": 3})
    );
    client.cancel().await.expect("close");
}

/// A context from a persona keeps its history: the second turn replays the first to the model,
/// and the conversation is stored as pairs, on both eras; conversation actions stay within
/// their context.
#[tokio::test]
async fn contexts_keep_history_and_conversation_actions_are_scoped() {
    for era in ERAS {
        let dir = temp_dir();
        let tc = TestClient::replying(era, "Noted.");
        let client = connect(dir.path(), tc.clone()).await;
        let ctx = ok(call(
            &client,
            "context-manage",
            json!({"action": "create-from-persona", "persona": "rational-advisor", "name": "Plans"}),
        )
        .await);
        let id = ctx["id"].as_str().expect("id").to_string();
        assert_eq!(ctx["settings"]["temperature"], 0.3);

        let first = call(
            &client,
            "context-chat",
            json!({"contextId": id, "message": "I want to move to Lisbon."}),
        )
        .await;
        assert_eq!(text(&first), "Noted.", "{era:?}");
        call(
            &client,
            "context-chat",
            json!({"contextId": id, "message": "What should I check first?"}),
        )
        .await;
        let asked = tc.requests();
        assert_eq!(asked.len(), 2, "{era:?}");
        let replayed: Vec<String> = asked[1]
            .messages
            .iter()
            .map(|m| {
                m.content
                    .first()
                    .and_then(|c| c.as_text())
                    .map(|t| t.text.clone())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(
            replayed,
            [
                "I want to move to Lisbon.",
                "Noted.",
                "What should I check first?"
            ],
            "{era:?}"
        );
        assert!(
            asked[1]
                .system_prompt
                .as_deref()
                .is_some_and(|s| s.contains("rational advisor"))
        );

        let history = ok(call(
            &client,
            "conversation-manage",
            json!({"action": "list", "contextId": id}),
        )
        .await);
        assert_eq!(history["total"], 4, "{era:?}: two pairs stored, once each");

        // A message id of this context cannot be deleted through another context.
        let other = ok(call(
            &client,
            "context-manage",
            json!({"action": "create", "name": "Other"}),
        )
        .await);
        let other_id = other["id"].as_str().expect("id");
        let msg_id = history["items"][0]["id"].as_i64().expect("message id");
        let m = err(call(
            &client,
            "conversation-manage",
            json!({"action": "delete", "contextId": other_id, "messageId": msg_id}),
        )
        .await);
        assert!(m.contains("not found"), "{m}");
        ok(call(
            &client,
            "conversation-manage",
            json!({"action": "delete", "contextId": id, "messageId": msg_id}),
        )
        .await);

        let export = call(
            &client,
            "conversation-manage",
            json!({"action": "export", "contextId": id}),
        )
        .await;
        assert!(text(&export).contains("What should I check first?"));
        let cleared = ok(call(
            &client,
            "conversation-manage",
            json!({"action": "clear", "contextId": id}),
        )
        .await);
        assert_eq!(cleared["cleared"], 3);

        let page = ok(call(&client, "context-manage", json!({"action": "list", "limit": 1})).await);
        assert_eq!(
            (page["total"].as_i64(), page["nextOffset"].as_i64()),
            (Some(2), Some(1))
        );
        // The list's query reaches core's name search: part of one name, in another case.
        let found = ok(call(
            &client,
            "context-manage",
            json!({"action": "list", "query": "PLAN"}),
        )
        .await);
        assert_eq!(found["total"], 1, "{found}");
        assert_eq!(found["items"][0]["name"], "Plans", "{found}");
        ok(call(
            &client,
            "context-manage",
            json!({"action": "delete", "contextId": id}),
        )
        .await);
        let m = err(call(
            &client,
            "context-chat",
            json!({"contextId": id, "message": "hello?"}),
        )
        .await);
        assert!(m.contains("not found"), "{m}");
        client.cancel().await.expect("close");
    }
}

/// A declined generation stores nothing and does not fall back to anything else.
#[tokio::test]
async fn a_declined_generation_stores_nothing() {
    for era in ERAS {
        let dir = temp_dir();
        let tc = TestClient::new(era, Sampling::Decline);
        let client = connect(dir.path(), tc.clone()).await;
        let ctx = ok(call(
            &client,
            "context-manage",
            json!({"action": "create", "name": "c"}),
        )
        .await);
        let id = ctx["id"].as_str().expect("id");
        let result = client
            .call_tool(
                rmcp::model::CallToolRequestParams::new("context-chat").with_arguments(
                    json!({"contextId": id, "message": "hi"})
                        .as_object()
                        .cloned()
                        .expect("object"),
                ),
            )
            .await;
        // Legacy: a tool error. 2026-07-28: the SDK client itself fails the retry it cannot fill;
        // either way, nothing may be stored.
        if let Ok(r) = result {
            let m = err(r);
            assert!(
                m.contains("Nothing was stored") || m.contains("nothing was stored"),
                "{m}"
            );
        }
        let history = ok(call(
            &client,
            "conversation-manage",
            json!({"action": "list", "contextId": id}),
        )
        .await);
        assert_eq!(history["total"], 0, "{era:?}: no dangling user message");
        client.cancel().await.expect("close");
    }
}

/// Cancelling a tool call stops the generation promptly: the client's pending sampling request
/// is cancelled too, nothing is stored, and the server keeps serving.
#[tokio::test]
async fn cancelling_a_generation_cancels_the_sampling_request() {
    use rmcp::model::{CallToolRequest, CallToolRequestParams, ClientRequest};
    use rmcp::service::PeerRequestOptions;

    let dir = temp_dir();
    let tc = TestClient::new(Era::Legacy, Sampling::Hang);
    let client = connect(dir.path(), tc.clone()).await;
    let ctx = ok(call(
        &client,
        "context-manage",
        json!({"action": "create", "name": "c"}),
    )
    .await);
    let id = ctx["id"].as_str().expect("id").to_string();
    let params = CallToolRequestParams::new("context-chat").with_arguments(
        json!({"contextId": id, "message": "long story"})
            .as_object()
            .cloned()
            .expect("object"),
    );
    let handle = client
        .peer()
        .send_cancellable_request(
            ClientRequest::CallToolRequest(CallToolRequest::new(params)),
            PeerRequestOptions::no_options(),
        )
        .await
        .expect("send");
    for _ in 0..100 {
        if !tc.requests().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(tc.requests().len(), 1, "the server asked the client's model");
    handle
        .cancel(Some("user pressed stop".into()))
        .await
        .expect("cancel");
    let mut forwarded = false;
    for _ in 0..100 {
        if *tc.cancelled.lock().expect("lock") {
            forwarded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        forwarded,
        "the server forwarded the cancellation to the sampling request"
    );
    let history = ok(call(
        &client,
        "conversation-manage",
        json!({"action": "list", "contextId": id}),
    )
    .await);
    assert_eq!(history["total"], 0);
    client.cancel().await.expect("close");
}

/// A slow generation sends progress notifications when the caller asked for progress.
#[tokio::test]
async fn a_slow_generation_reports_progress() {
    use rmcp::model::{CallToolRequestParams, NumberOrString, ProgressToken, RequestMetaObject};
    let dir = temp_dir();
    let tc = TestClient::new(
        Era::Legacy,
        Sampling::Reply {
            text: "done".into(),
            delay: Duration::from_millis(2500),
        },
    );
    let client = connect(dir.path(), tc.clone()).await;
    let mut meta = RequestMetaObject::default();
    meta.set_progress_token(ProgressToken(NumberOrString::Number(42)));
    let mut params = CallToolRequestParams::new("llm-generate").with_arguments(
        json!({"messages": [{"role": "user", "content": "slow"}]})
            .as_object()
            .cloned()
            .expect("object"),
    );
    params.meta = Some(meta);
    let result = client.call_tool(params).await.expect("call");
    assert_eq!(text(&result), "done");
    let progress = tc.progress.lock().expect("lock").clone();
    assert!(!progress.is_empty(), "no progress notification arrived");
    // rmcp's client assigns its own progress token to each request; the notifications must carry
    // the token of this request and count up.
    assert!(
        progress
            .iter()
            .all(|p| p.progress_token == progress[0].progress_token)
    );
    assert!(progress.windows(2).all(|w| w[1].progress >= w[0].progress));
    assert!(
        progress[0]
            .message
            .as_deref()
            .is_some_and(|m| m.contains("Waiting"))
    );
    client.cancel().await.expect("close");
}
