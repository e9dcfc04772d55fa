//! End-to-end: resources, prompts, persistence across restarts and several server processes
//! sharing one database, all through the real binary.
#![allow(deprecated)]

mod common;

use common::*;
use rmcp::model::{GetPromptRequestParams, ReadResourceRequestParams, ResourceContents};
use serde_json::json;

fn resource_text(contents: &[ResourceContents]) -> String {
    match contents.first() {
        Some(ResourceContents::TextResourceContents { text, .. }) => text.clone(),
        other => panic!("expected text contents, got {other:?}"),
    }
}

/// Resources list the catalogues and status; each resource and template URI reads back; a
/// context's history is readable as Markdown; unknown URIs are a not-found error.
#[tokio::test]
async fn resources_expose_templates_personas_history_and_status() {
    for era in ERAS {
        let dir = temp_dir();
        let client = connect(dir.path(), TestClient::replying(era, "Fine.")).await;
        let resources = client.list_all_resources().await.expect("resources/list");
        let uris: Vec<&str> = resources.iter().map(|r| r.uri.as_str()).collect();
        for expected in [
            "llmgen://templates",
            "llmgen://personas",
            "llmgen://status",
            "llmgen://templates/explain-topic",
            "llmgen://personas/calm-counselor",
        ] {
            assert!(
                uris.contains(&expected),
                "{era:?}: {expected} missing from {uris:?}"
            );
        }
        let templates = client
            .list_all_resource_templates()
            .await
            .expect("templates/list");
        assert!(
            templates
                .iter()
                .any(|t| t.uri_template == "llmgen://contexts/{contextId}/history")
        );

        let read = |uri: &str| client.read_resource(ReadResourceRequestParams::new(uri));
        let one: serde_json::Value = serde_json::from_str(&resource_text(
            &read("llmgen://templates/translate-text")
                .await
                .expect("read")
                .contents,
        ))
        .expect("json");
        assert_eq!(one["name"], "translate-text");
        let status: serde_json::Value = serde_json::from_str(&resource_text(
            &read("llmgen://status").await.expect("read").contents,
        ))
        .expect("json");
        assert_eq!(status["counts"]["templates"], 4);
        assert_eq!(status["clientSupportsSampling"], true);
        assert_eq!(status["dataDir"], json!(dir.path()));

        let ctx = ok(call(
            &client,
            "context-manage",
            json!({"action": "create", "name": "Diary"}),
        )
        .await);
        let id = ctx["id"].as_str().expect("id");
        call(
            &client,
            "context-chat",
            json!({"contextId": id, "message": "Hello diary"}),
        )
        .await;
        let history = resource_text(
            &read(&format!("llmgen://contexts/{id}/history"))
                .await
                .expect("read")
                .contents,
        );
        assert!(
            history.contains("# Diary") && history.contains("Hello diary") && history.contains("Fine."),
            "{history}"
        );

        assert!(read("llmgen://nope").await.is_err());
        client.cancel().await.expect("close");
    }
}

/// Every template is a prompt with its parameters as arguments; the fixed prompts work; adding a
/// template makes a new prompt appear.
#[tokio::test]
async fn templates_are_prompts_and_fixed_prompts_work() {
    let dir = temp_dir();
    let client = connect(dir.path(), TestClient::replying(Era::Legacy, "x")).await;
    let prompts = client.list_all_prompts().await.expect("prompts/list");
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    for expected in [
        "explain-template",
        "review-template",
        "consultant-prompt",
        "explain-topic",
        "code-review",
        "translate-text",
        "summarize-content",
    ] {
        assert!(names.contains(&expected), "{expected} missing from {names:?}");
    }
    let code_review = prompts
        .iter()
        .find(|p| p.name == "code-review")
        .expect("code-review");
    let required: Vec<&str> = code_review
        .arguments
        .iter()
        .flatten()
        .filter(|a| a.required == Some(true))
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(
        required,
        ["language", "code"],
        "parameters with defaults are optional arguments"
    );

    let args = json!({"target_lang": "Japanese", "text": "Good morning"})
        .as_object()
        .cloned()
        .expect("object");
    let got = client
        .get_prompt(GetPromptRequestParams::new("translate-text").with_arguments(args))
        .await
        .expect("prompts/get");
    let body = got.messages[0]
        .content
        .as_text()
        .map(|t| t.text.clone())
        .unwrap_or_default();
    assert!(
        body.contains("to Japanese") && body.contains("Good morning"),
        "{body}"
    );

    let args = json!({"persona": "calm-counselor", "question": "I can't sleep"})
        .as_object()
        .cloned()
        .expect("object");
    let got = client
        .get_prompt(GetPromptRequestParams::new("consultant-prompt").with_arguments(args))
        .await
        .expect("consultant");
    let body = got.messages[0]
        .content
        .as_text()
        .map(|t| t.text.clone())
        .unwrap_or_default();
    assert!(
        body.contains("counselor") && body.contains("I can't sleep"),
        "{body}"
    );

    let args = json!({"name": "code-review"})
        .as_object()
        .cloned()
        .expect("object");
    let got = client
        .get_prompt(GetPromptRequestParams::new("explain-template").with_arguments(args))
        .await
        .expect("explain");
    assert!(
        got.messages[0]
            .content
            .as_text()
            .is_some_and(|t| t.text.contains("code-review"))
    );

    assert!(
        client
            .get_prompt(GetPromptRequestParams::new("translate-text"))
            .await
            .is_err(),
        "missing arguments are refused"
    );

    ok(call(&client, "template-manage", json!({"action": "add", "name": "haiku", "userMessage": "A haiku about {subject}", "parameters": [{"name": "subject"}]})).await);
    let prompts = client.list_all_prompts().await.expect("prompts/list");
    assert!(prompts.iter().any(|p| p.name == "haiku"));
    client.cancel().await.expect("close");
}

/// Adding a template tells the client that the prompt and resource lists changed: as
/// notifications on a legacy session, and through subscriptions/listen on 2026-07-28.
#[tokio::test]
async fn catalogue_changes_are_notified_on_both_eras() {
    use rmcp::model::{ServerNotification, SubscriptionFilter};
    let dir = temp_dir();
    let tc = TestClient::replying(Era::Legacy, "x");
    let client = connect(dir.path(), tc.clone()).await;
    ok(call(
        &client,
        "template-manage",
        json!({"action": "add", "name": "n1", "userMessage": "hi"}),
    )
    .await);
    let mut seen = Vec::new();
    for _ in 0..250 {
        seen = tc.list_changes.lock().expect("lock").clone();
        if seen.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        seen.contains(&"resources") && seen.contains(&"prompts"),
        "legacy notifications: {seen:?}"
    );
    client.cancel().await.expect("close");

    let client = connect(dir.path(), TestClient::replying(Era::Modern, "x")).await;
    let filter = SubscriptionFilter::builder()
        .prompts_list_changed()
        .resources_list_changed()
        .build();
    let mut subscription = client.listen(filter).await.expect("subscriptions/listen");
    ok(call(
        &client,
        "persona-manage",
        json!({"action": "add", "name": "p1", "systemPrompt": "s"}),
    )
    .await);
    let mut kinds = Vec::new();
    while kinds.len() < 2 {
        let next = tokio::time::timeout(std::time::Duration::from_secs(5), subscription.next()).await;
        match next {
            Ok(Ok(Some(ServerNotification::ResourceListChangedNotification(_)))) => kinds.push("resources"),
            Ok(Ok(Some(ServerNotification::PromptListChangedNotification(_)))) => kinds.push("prompts"),
            Ok(Ok(Some(_))) => {}
            other => panic!("no list_changed notification on 2026-07-28: {other:?}"),
        }
    }
    client.cancel().await.expect("close");
}

/// Data written by one server process is there after it exits and a new one starts; a deleted
/// built-in stays deleted across restarts.
#[tokio::test]
async fn data_survives_a_restart() {
    let dir = temp_dir();
    let client = connect(dir.path(), TestClient::replying(Era::Legacy, "Remembered.")).await;
    let ctx = ok(call(
        &client,
        "context-manage",
        json!({"action": "create", "name": "Long-lived"}),
    )
    .await);
    let id = ctx["id"].as_str().expect("id").to_string();
    call(
        &client,
        "context-chat",
        json!({"contextId": id, "message": "Remember the number 7."}),
    )
    .await;
    ok(call(
        &client,
        "template-manage",
        json!({"action": "delete", "name": "explain-topic"}),
    )
    .await);
    client.cancel().await.expect("close");

    let tc = TestClient::replying(Era::Modern, "It was 7.");
    let client = connect(dir.path(), tc.clone()).await;
    let history = ok(call(
        &client,
        "conversation-manage",
        json!({"action": "list", "contextId": id}),
    )
    .await);
    assert_eq!(history["total"], 2);
    call(
        &client,
        "context-chat",
        json!({"contextId": id, "message": "Which number?"}),
    )
    .await;
    let replayed = &tc.requests()[0].messages;
    assert_eq!(
        replayed.len(),
        3,
        "the earlier turn is replayed after the restart"
    );
    let list = ok(call(&client, "template-manage", json!({"action": "list"})).await);
    assert!(
        list["templates"]
            .as_array()
            .expect("array")
            .iter()
            .all(|t| t["name"] != "explain-topic")
    );
    client.cancel().await.expect("close");
}

/// Two server processes (two clients) writing to one database at once lose nothing.
#[tokio::test]
async fn two_processes_writing_at_once_lose_nothing() {
    let dir = temp_dir();
    // Leaked so the concurrent futures can borrow them; the test process ends right after.
    let a: &'static Client = Box::leak(Box::new(
        connect(dir.path(), TestClient::replying(Era::Legacy, "A")).await,
    ));
    let b: &'static Client = Box::leak(Box::new(
        connect(dir.path(), TestClient::replying(Era::Modern, "B")).await,
    ));
    let ctx = ok(call(a, "context-manage", json!({"action": "create", "name": "shared"})).await);
    let id = ctx["id"].as_str().expect("id").to_string();
    const TURNS: usize = 25;
    let chat = |client: &'static Client, who: &'static str| {
        let id = id.clone();
        async move {
            for i in 0..TURNS {
                let args = json!({"contextId": id, "message": format!("{who}{i}")})
                    .as_object()
                    .cloned()
                    .expect("object");
                let r = client
                    .call_tool(rmcp::model::CallToolRequestParams::new("context-chat").with_arguments(args))
                    .await
                    .expect("call");
                assert_ne!(r.is_error, Some(true), "{:?}", r.content);
            }
        }
    };
    let templates = |client: &'static Client, who: &'static str| async move {
        for i in 0..TURNS {
            let args = json!({"action": "add", "name": format!("{who}-t{i}"), "userMessage": "hi"})
                .as_object()
                .cloned()
                .expect("object");
            let r = client
                .call_tool(rmcp::model::CallToolRequestParams::new("template-manage").with_arguments(args))
                .await
                .expect("call");
            assert_ne!(r.is_error, Some(true), "{:?}", r.content);
        }
    };
    tokio::join!(chat(a, "a"), chat(b, "b"), templates(a, "a"), templates(b, "b"));
    let history = ok(call(
        a,
        "conversation-manage",
        json!({"action": "list", "contextId": id, "limit": 200}),
    )
    .await);
    assert_eq!(
        history["total"],
        (TURNS * 4) as u64,
        "every exchange of both processes is stored"
    );
    let items = history["items"].as_array().expect("items");
    for pair in items.chunks(2) {
        assert_eq!(
            (pair[0]["role"].as_str(), pair[1]["role"].as_str()),
            (Some("user"), Some("assistant")),
            "pairs stay together"
        );
    }
    let list = ok(call(b, "template-manage", json!({"action": "list"})).await);
    assert_eq!(list["templates"].as_array().map(Vec::len), Some(4 + 2 * TURNS));
}
