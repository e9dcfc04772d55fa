//! End-to-end: `providers detect` finds an OpenAI-compatible stand-in on 127.0.0.1 named in
//! LLMGEN_LOCAL_MODEL_URLS, `--use` makes it the default provider, and then a client WITHOUT
//! sampling gets a generation through it with no key anywhere.
#![allow(deprecated)]

mod common;
#[path = "../../core/tests/support/mock_http.rs"]
mod mock_http;
#[path = "support/provider_cli.rs"]
mod provider_cli;

use common::*;
use mock_http::{MockServer, Reply};
use provider_cli::*;
use serde_json::{Value, json};

fn model_list() -> Reply {
    Reply::ok(json!({"object": "list", "data": [{"id": "stand-in-7b", "object": "model"}]}))
}

fn detect(dir: &std::path::Path, urls: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["providers", "detect"];
    all.extend_from_slice(args);
    cli(dir, &all, None, &[("LLMGEN_LOCAL_MODEL_URLS", urls)])
}

/// Multi-threaded: the stand-in must answer while the test waits for the CLI.
#[tokio::test(flavor = "multi_thread")]
async fn a_detected_local_server_serves_a_client_without_sampling() {
    // detect --json, detect (for people), detect --use: three model lists; then the chat.
    let server = MockServer::start(vec![
        model_list(),
        model_list(),
        model_list(),
        openai_ok("Hello from the local model."),
    ])
    .await;
    let dir = temp_dir();
    let urls = format!("{}/v1", server.origin);

    let out = detect(dir.path(), &urls, &["--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        report["servers"],
        json!([{"kind": null, "baseUrl": urls, "answer": {"state": "ready", "models": ["stand-in-7b"]}}])
    );
    assert_eq!(report["used"], Value::Null, "detect alone changes nothing");

    let out = detect(dir.path(), &urls, &[]);
    let words = String::from_utf8_lossy(&out.stdout);
    assert!(
        words.contains("ready: stand-in-7b") && words.contains("--use"),
        "{words}"
    );

    let out = detect(dir.path(), &urls, &["--use"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let words = String::from_utf8_lossy(&out.stdout);
    assert!(words.contains("'local' is now the default provider"), "{words}");
    let listed: Value =
        serde_json::from_str(&cli_ok(dir.path(), &["providers", "list", "--json"])).expect("json");
    assert_eq!(
        listed[0]["name"], "local",
        "the default is listed first: {listed}"
    );
    assert_eq!(listed[0]["isDefault"], true);
    assert_eq!(listed[0]["model"], "stand-in-7b");

    let tc = TestClient::new(Era::Legacy, Sampling::Unsupported);
    let client = connect_with_env(dir.path(), tc.clone(), &[]).await;
    let result = call(
        &client,
        "llm-generate",
        json!({"messages": [{"role": "user", "content": "Say hello."}]}),
    )
    .await;
    let data = ok(result);
    assert_eq!(data["text"], "Hello from the local model.");
    assert_eq!(data["route"], "local");
    let chat = server.requests().pop().expect("the chat request");
    assert_eq!(chat.path, "/v1/chat/completions");
    assert_eq!(chat.body["model"], "stand-in-7b");
    assert_eq!(
        chat.header("authorization"),
        None,
        "no key is sent to a local server"
    );
    assert!(tc.requests().is_empty(), "no sampling request");
    client.cancel().await.expect("close");
}

/// Multi-threaded: the stand-in must answer while the test waits for the CLI.
#[tokio::test(flavor = "multi_thread")]
async fn use_without_a_ready_server_fails_and_changes_nothing() {
    let empty = MockServer::start(vec![Reply::ok(json!({"data": []}))]).await;
    let dir = temp_dir();
    let out = detect(dir.path(), &format!("{}/v1", empty.origin), &["--use"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("No local model server here is ready"), "{err}");
    let listed: Value =
        serde_json::from_str(&cli_ok(dir.path(), &["providers", "list", "--json"])).expect("json");
    assert_eq!(listed[0]["name"], "anthropic", "the default stays: {listed}");
}
