//! In-process MCP: the server's handler and an rmcp client joined by an in-memory duplex, with no
//! child process. The rung between core's unit tests and the real-binary suites: quick, and on
//! tokio's paused clock where the behaviour depends on time (progress every second while a
//! client's model takes minutes), so those tests take no wall time and cannot race a slow machine.
#![allow(deprecated)]

mod common;

use std::time::Duration;

use common::*;
use rmcp::model::{CallToolRequestParams, NumberOrString, ProgressToken, RequestMetaObject};
use serde_json::json;

/// The same thirteen tools on both eras, and a call that reaches the store, with no process spawned.
#[tokio::test]
async fn tools_and_a_catalog_call_work_in_process_on_both_eras() {
    for era in ERAS {
        let dir = temp_dir();
        let client = connect_in_process(dir.path(), TestClient::replying(era, "x")).await;
        let tools = client.list_all_tools().await.expect("tools/list");
        assert_eq!(tools.len(), 13, "{era:?}");
        let list = ok(call(&client, "template-manage", json!({"action": "list"})).await);
        assert_eq!(list["templates"].as_array().map(Vec::len), Some(4), "{era:?}");
        client.cancel().await.expect("close");
    }
}

/// Proves: template-to-params, which generates nothing, publishes no route fields, and a route
/// given anyway is not silently taken for used: the result says it was ignored.
#[tokio::test]
async fn template_to_params_says_a_route_it_was_given_is_ignored() {
    let dir = temp_dir();
    let client = connect_in_process(dir.path(), TestClient::replying(Era::Legacy, "unused")).await;
    let rendered = ok(call(
        &client,
        "template-to-params",
        json!({"name": "explain-topic", "args": {"topic": "tides"}, "provider": "anthropic"}),
    )
    .await);
    assert_eq!(rendered["messages"][0]["role"], "user");
    let notes = notes(&rendered);
    assert!(notes.iter().any(|n| n.contains("'provider'")), "{rendered}");
}

/// `null` for any optional field is taken as the field left out, whatever its Rust type, on
/// every tool kind (clients and models send it; our schemas list optional fields without a
/// `null` alternative): the call succeeds and the defaults apply.
#[tokio::test]
async fn null_for_an_optional_field_is_the_field_left_out() {
    let dir = temp_dir();
    let tc = TestClient::replying(Era::Legacy, "fine");
    let client = connect_in_process(dir.path(), tc.clone()).await;
    let result = call(
        &client,
        "llm-generate",
        json!({
            "messages": [{"role": "user", "content": "hi"}],
            "systemPrompt": null, "maxTokens": null, "temperature": null, "stopSequences": null,
            "includeContext": null, "modelPreferences": null, "provider": null, "model": null
        }),
    )
    .await;
    assert_eq!(text(&result), "fine");
    let asked = tc.requests();
    assert_eq!((asked[0].max_tokens, asked[0].temperature), (1000, None));

    let rendered = ok(call(
        &client,
        "template-to-params",
        json!({"name": "explain-topic", "args": {"topic": "tides"}, "provider": null,
               "modelPreferences": null, "maxTokens": null}),
    )
    .await);
    assert_eq!(rendered["maxTokens"], 1000);
    assert!(notes(&rendered).is_empty(), "{rendered}");

    let context = ok(call(
        &client,
        "context-manage",
        json!({"action": "create", "name": "c", "persona": null, "systemPrompt": null,
               "settings": {"temperature": null, "expiryDays": 3}, "limit": null}),
    )
    .await);
    let id = context["id"].as_str().expect("a context id").to_owned();
    let page = ok(call(
        &client,
        "conversation-manage",
        json!({"action": "list", "contextId": id, "format": null, "offset": null,
               "limit": null, "messageId": null}),
    )
    .await);
    assert_eq!(page["total"], 0);
    ok(call(
        &client,
        "provider-status",
        json!({"provider": null, "checkReachability": null}),
    )
    .await);
    client.cancel().await.expect("close");
}

/// A client's model that takes five minutes: on the paused clock the call still completes, and
/// the caller who asked for progress hears about it about once a second the whole time, with the
/// same token and a value that goes up with every notification, as the spec requires (it was the
/// wall clock's seconds, rounded: a late tick could repeat a value, and on this clock all were 0);
/// no wall time passes.
#[tokio::test(start_paused = true)]
async fn a_five_minute_sampling_reply_reports_progress_every_second() {
    let dir = temp_dir();
    let tc = TestClient::new(
        Era::Legacy,
        Sampling::Reply {
            text: "done".into(),
            delay: Duration::from_secs(300),
        },
    );
    let client = connect_in_process(dir.path(), tc.clone()).await;
    let mut meta = RequestMetaObject::default();
    meta.set_progress_token(ProgressToken(NumberOrString::Number(7)));
    let mut params = CallToolRequestParams::new("llm-generate").with_arguments(
        json!({"messages": [{"role": "user", "content": "take your time"}]})
            .as_object()
            .cloned()
            .expect("object"),
    );
    params.meta = Some(meta);
    let started = tokio::time::Instant::now();
    let result = client.call_tool(params).await.expect("call");
    assert_eq!(text(&result), "done");
    assert!(
        started.elapsed() >= Duration::from_secs(300),
        "the paused clock moved as the reply waited"
    );
    let progress = tc.progress.lock().expect("lock").clone();
    assert!(
        (250..=310).contains(&progress.len()),
        "about one notification a second over 300 s, got {}",
        progress.len()
    );
    assert!(
        progress
            .iter()
            .all(|p| p.progress_token == progress[0].progress_token)
    );
    let values: Vec<f64> = progress.iter().map(|p| p.progress).collect();
    assert!(
        progress.windows(2).all(|w| w[1].progress > w[0].progress),
        "{values:?}"
    );
    client.cancel().await.expect("close");
}

/// A client that never answers its sampling request: cancelling the tool call reaches the
/// client's model as a cancelled request (on the paused clock, after an hour of nothing).
#[tokio::test(start_paused = true)]
async fn a_cancelled_call_cancels_the_sampling_request() {
    let dir = temp_dir();
    let tc = TestClient::new(Era::Legacy, Sampling::Hang);
    let client = connect_in_process(dir.path(), tc.clone()).await;
    let params = CallToolRequestParams::new("llm-generate").with_arguments(
        json!({"messages": [{"role": "user", "content": "never mind"}]})
            .as_object()
            .cloned()
            .expect("object"),
    );
    let call = client.call_tool(params);
    // Give up on the call after a second; dropping the request future cancels it.
    let outcome = tokio::time::timeout(Duration::from_secs(1), call).await;
    assert!(outcome.is_err(), "the hanging call cannot have completed");
    // Let the cancellation travel to the client's model.
    for _ in 0..50 {
        if *tc.cancelled.lock().expect("lock") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        *tc.cancelled.lock().expect("lock"),
        "the sampling request saw no cancellation"
    );
    client.cancel().await.expect("close");
}
