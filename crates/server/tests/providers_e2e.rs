//! End-to-end: the real binary, a client WITHOUT sampling (and one with), and a direct provider
//! pointed at a 127.0.0.1 stand-in that speaks the provider's format. The key comes from the
//! environment-variable fallback (no keychain is reachable in these tests). Proves the routing
//! rule, usage in provider-status, the budget refusal and the CLI (proxies, start-up, progress and leaks:
//! providers_network_e2e.rs).
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

/// The "done when": a client without sampling calls llm-generate and gets text from the
/// default provider (anthropic, its base URL set through the CLI), the exact Messages API
/// request is sent, provider-status shows the usage, and context-chat stores the exchange of a
/// provider reply — on both protocol eras.
#[tokio::test]
async fn a_client_without_sampling_gets_text_from_the_default_provider() {
    for era in ERAS {
        let server = MockServer::start(vec![anthropic_ok("Tides come from the Moon.")]).await;
        let dir = temp_dir();
        let base = format!("{}/v1", server.origin);
        cli_ok(
            dir.path(),
            &["providers", "set", "anthropic", "--base-url", &base],
        );
        let tc = TestClient::new(era, Sampling::Unsupported);
        let client = connect_with_env(dir.path(), tc.clone(), &[("ANTHROPIC_API_KEY", KEY)]).await;

        let result = call(
            &client,
            "llm-generate",
            json!({"messages": [{"role": "user", "content": "Why tides?"}], "systemPrompt": "Be brief.", "maxTokens": 64, "temperature": 0}),
        )
        .await;
        assert_eq!(text(&result), "Tides come from the Moon.", "{era:?}");
        let data = ok(result);
        assert_eq!(data["route"], "anthropic");
        assert_eq!(data["model"], "claude-test-1");
        assert_eq!(data["stopReason"], "endTurn");
        assert_eq!(data["usage"], json!({"inputTokens": 12, "outputTokens": 7}));
        let sent = &server.requests()[0];
        assert_eq!(sent.path, "/v1/messages");
        assert_eq!(sent.header("x-api-key"), Some(KEY));
        assert_eq!(
            sent.body,
            json!({"model": "claude-sonnet-4-5", "max_tokens": 64, "temperature": 0.0, "system": "Be brief.",
                   "messages": [{"role": "user", "content": "Why tides?"}]})
        );
        assert!(
            tc.requests().is_empty(),
            "no sampling request to a client without sampling"
        );

        // context-chat on the provider route, with a model override: the exchange is stored.
        let created = ok(call(
            &client,
            "context-manage",
            json!({"action": "create", "name": "t", "systemPrompt": "You explain."}),
        )
        .await);
        let id = created["id"].as_str().expect("context id").to_string();
        let reply = ok(call(
            &client,
            "context-chat",
            json!({"contextId": id, "message": "And waves?", "model": "claude-other"}),
        )
        .await);
        assert_eq!(reply["route"], "anthropic");
        let sent = server.requests().pop().expect("second request");
        assert_eq!(sent.body["model"], "claude-other");
        assert_eq!(sent.body["system"], "You explain.");
        let history = ok(call(
            &client,
            "conversation-manage",
            json!({"action": "list", "contextId": id}),
        )
        .await);
        assert_eq!(history["total"], 2, "{history}");

        let status = ok(call(&client, "provider-status", json!({})).await);
        assert_eq!(status["clientSupportsSampling"], false);
        assert_eq!(status["autoRoute"], "provider 'anthropic'");
        let anthropic = provider(&status, "anthropic");
        assert_eq!(anthropic["keyPresent"], true);
        assert!(
            anthropic["keySource"]
                .as_str()
                .is_some_and(|s| s.contains("ANTHROPIC_API_KEY"))
        );
        assert_eq!(anthropic["usage"]["calls"], 2);
        assert_eq!(anthropic["usage"]["inputTokens"], 24);
        assert_eq!(provider(&status, "openai")["keyPresent"], false);
        assert!(
            !status.to_string().contains(KEY),
            "provider-status must never show the key"
        );
        client.cancel().await.expect("close");
    }
}

/// Without sampling and without a key the tool error names both fixes (a sampling client, or
/// `keys set anthropic`) and says the keychain is not reachable; nothing is sent anywhere.
#[tokio::test]
async fn without_sampling_and_without_a_key_the_error_says_how_to_fix_it() {
    let server = MockServer::start(vec![anthropic_ok("never")]).await;
    let dir = temp_dir();
    cli_ok(
        dir.path(),
        &[
            "providers",
            "set",
            "anthropic",
            "--base-url",
            &format!("{}/v1", server.origin),
        ],
    );
    let client = connect(dir.path(), TestClient::new(Era::Legacy, Sampling::Unsupported)).await;
    let message = err(call(
        &client,
        "llm-generate",
        json!({"messages": [{"role": "user", "content": "hi"}]}),
    )
    .await);
    assert!(message.contains("'sampling' capability"), "{message}");
    assert!(
        message.contains("mcp-llm-generator keys set anthropic") || message.contains("ANTHROPIC_API_KEY"),
        "{message}"
    );
    assert!(message.contains("keychain is not reachable"), "{message}");
    assert!(server.requests().is_empty());
    client.cancel().await.expect("close");
}

/// An explicit provider (an OpenAI-compatible server without a key, added with the CLI) is used
/// even by a client that can sample, with the requested model; with prefer-sampling off,
/// `auto` goes to the default provider instead of sampling; an unknown provider is refused.
#[tokio::test]
async fn explicit_providers_and_prefer_sampling_off_route_to_the_provider() {
    let server = MockServer::start(vec![openai_ok("from local")]).await;
    let dir = temp_dir();
    let base = format!("{}/v1", server.origin);
    let out = cli_ok(
        dir.path(),
        &[
            "providers",
            "add",
            "local",
            "--kind",
            "openai-compatible",
            "--base-url",
            &base,
            "--model",
            "llama-test",
            "--default",
        ],
    );
    assert!(out.contains("Added provider 'local'"), "{out}");
    let listed: Value =
        serde_json::from_str(&cli_ok(dir.path(), &["providers", "list", "--json"])).expect("json");
    assert_eq!(listed[0]["name"], "local", "the default is listed first");

    let tc = TestClient::replying(Era::Legacy, "sampled");
    let client = connect(dir.path(), tc.clone()).await;
    let data = ok(call(
        &client,
        "llm-generate",
        json!({"messages": [{"role": "user", "content": "hi"}], "provider": "local", "model": "qwen-test"}),
    )
    .await);
    assert_eq!(data["route"], "local");
    assert_eq!(server.requests()[0].body["model"], "qwen-test");
    assert_eq!(
        server.requests()[0].header("authorization"),
        None,
        "no key, none sent"
    );
    // auto with a sampling client and prefer-sampling on: sampling.
    let data = ok(call(
        &client,
        "llm-generate",
        json!({"messages": [{"role": "user", "content": "hi"}]}),
    )
    .await);
    assert_eq!(data["route"], "sampling");
    // On the sampling route a requested model becomes the client's first model hint.
    let data = ok(call(
        &client,
        "llm-generate",
        json!({"messages": [{"role": "user", "content": "hi"}], "model": "hint-model"}),
    )
    .await);
    assert_eq!(data["route"], "sampling");
    let asked = tc.requests().pop().expect("sampling request");
    let hints = asked.model_preferences.and_then(|p| p.hints).unwrap_or_default();
    assert_eq!(hints.first().and_then(|h| h.name.as_deref()), Some("hint-model"));
    let m = err(call(
        &client,
        "llm-generate",
        json!({"messages": [{"role": "user", "content": "hi"}], "provider": "nope"}),
    )
    .await);
    assert!(m.contains("'nope' is not configured"), "{m}");
    client.cancel().await.expect("close");

    cli_ok(dir.path(), &["settings", "set", "prefer-sampling", "false"]);
    let tc = TestClient::replying(Era::Modern, "sampled");
    let client = connect(dir.path(), tc.clone()).await;
    let data = ok(call(
        &client,
        "llm-generate",
        json!({"messages": [{"role": "user", "content": "hi"}]}),
    )
    .await);
    assert_eq!(data["route"], "local");
    assert!(
        tc.requests().is_empty(),
        "prefer-sampling off: the client is not asked"
    );
    client.cancel().await.expect("close");
}

/// A used-up monthly budget (set with the CLI) refuses calls with a tool error that says how to
/// raise it, provider-status and the status resource warn, `usage --json` shows the month's
/// calls, and raising the budget lets calls through again.
#[tokio::test]
async fn a_used_up_budget_is_a_clear_tool_error() {
    let server = MockServer::start(vec![openai_ok("one")]).await;
    let dir = temp_dir();
    let base = format!("{}/v1", server.origin);
    cli_ok(
        dir.path(),
        &[
            "providers",
            "add",
            "local",
            "--kind",
            "openai-compatible",
            "--base-url",
            &base,
            "--model",
            "m",
        ],
    );
    cli_ok(dir.path(), &["budget", "set", "local", "20", "--unit", "tokens"]);
    let client = connect(dir.path(), TestClient::new(Era::Legacy, Sampling::Unsupported)).await;
    let args = json!({"messages": [{"role": "user", "content": "hi"}], "provider": "local"});
    ok(call(&client, "llm-generate", args.clone()).await);
    let m = err(call(&client, "llm-generate", args.clone()).await);
    assert!(
        m.contains("whole monthly budget") && m.contains("budget set local"),
        "{m}"
    );
    assert_eq!(
        server.requests().len(),
        1,
        "the refused call never reached the provider"
    );
    let status = ok(call(&client, "provider-status", json!({"provider": "local"})).await);
    let local = provider(&status, "local");
    assert_eq!(local["budget"]["left"], 0.0);
    assert!(
        local["warnings"][0]
            .as_str()
            .is_some_and(|w| w.contains("budget")),
        "{local}"
    );
    // The status resource (the health report's source) carries the same warning.
    let read = client
        .read_resource(rmcp::model::ReadResourceRequestParams::new("llmgen://status"))
        .await
        .expect("read status");
    let Some(rmcp::model::ResourceContents::TextResourceContents { text, .. }) = read.contents.first() else {
        panic!("status is text: {read:?}")
    };
    let status: Value = serde_json::from_str(text).expect("json");
    assert!(
        status["budgetWarnings"][0]
            .as_str()
            .is_some_and(|w| w.contains("'local'")),
        "{status}"
    );
    client.cancel().await.expect("close");

    let usage: Value = serde_json::from_str(&cli_ok(dir.path(), &["usage", "--json"])).expect("json");
    assert_eq!(usage["usage"][0]["calls"], 1, "{usage}");
    assert_eq!(usage["budgets"]["local"]["unit"], "tokens");
    cli_ok(dir.path(), &["budget", "set", "local", "1000"]);
    let client = connect(dir.path(), TestClient::new(Era::Legacy, Sampling::Unsupported)).await;
    ok(call(&client, "llm-generate", args).await);
    client.cancel().await.expect("close");
}

/// `keys test` sends one minimal real request with the key (here from the environment fallback)
/// and reports the model; a rejected key makes it fail with the fix-it message. (Multi-thread:
/// the blocking CLI call must not stop the stand-in server's runtime.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_test_sends_one_minimal_request() {
    let rejected = Reply::status(
        401,
        json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
    );
    let server = MockServer::start(vec![anthropic_ok("ok"), rejected]).await;
    let dir = temp_dir();
    cli_ok(
        dir.path(),
        &[
            "providers",
            "set",
            "anthropic",
            "--base-url",
            &format!("{}/v1", server.origin),
        ],
    );
    let env = [("ANTHROPIC_API_KEY", KEY)];
    let out = cli(dir.path(), &["keys", "test", "anthropic"], None, &env);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("works: model claude-test-1"),
        "{stdout}"
    );
    let sent = &server.requests()[0];
    assert_eq!(sent.body["max_tokens"], 16);
    assert_eq!(sent.body["messages"].as_array().map(Vec::len), Some(1));
    let out = cli(dir.path(), &["keys", "test", "anthropic"], None, &env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("keys set anthropic"),
        "{stderr}"
    );
}
