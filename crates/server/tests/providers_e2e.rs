//! End-to-end: the real binary, a client WITHOUT sampling (and one with), and a direct provider
//! pointed at a 127.0.0.1 stand-in that speaks the provider's format. The key comes from the
//! environment-variable fallback (no keychain is reachable in these tests). Proves the routing
//! rule, usage in provider-status, the budget refusal, the CLI, and that the key never appears
//! in any file the product wrote or any byte it printed.
#![allow(deprecated)]

mod common;
#[path = "../../core/tests/support/mock_http.rs"]
mod mock_http;

use std::{
    io::{BufRead, BufReader, Write},
    path::Path,
    process::{Command, Output, Stdio},
};

use common::*;
use mock_http::{MockServer, Reply};
use serde_json::{Value, json};

/// A recognisable fake key: if it shows up anywhere it was not sent to, it leaked.
const KEY: &str = "sk-ant-FAKE.LEAKCANARY.not-a-real-key";
/// The distinctive middle of KEY: finding it means at least a part of the key leaked.
const KEY_MARK: &str = "LEAKCANARY";

fn anthropic_ok(text: &str) -> Reply {
    Reply::ok(json!({
        "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-test-1",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn", "usage": {"input_tokens": 12, "output_tokens": 7}
    }))
}

fn openai_ok(text: &str) -> Reply {
    Reply::ok(json!({
        "model": "local-model", "choices": [{"message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 5}
    }))
}

/// Runs the CLI on `data_dir`, isolated from any real keychain and key, with `stdin` piped in.
fn cli(data_dir: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(server_bin());
    cmd.arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("DBUS_SESSION_BUS_ADDRESS", NO_KEYCHAIN_BUS);
    for var in REMOVED_ENV {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run the CLI");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("write stdin");
    }
    drop(input);
    child.wait_with_output().expect("CLI output")
}

fn cli_ok(data_dir: &Path, args: &[&str]) -> String {
    let out = cli(data_dir, args, None, &[]);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn provider<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["providers"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("{name} missing from {status}"))
}

/// The issue's "done when": a client without sampling calls llm-generate and gets text from the
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

/// Corporate networks: the proxy from the environment carries provider calls (the stand-in
/// acts as the proxy and receives the absolute URL), and NO_PROXY sends a local server direct.
#[tokio::test]
async fn proxies_from_the_environment_are_honoured() {
    let proxy = MockServer::start(vec![openai_ok("via proxy")]).await;
    let dir = temp_dir();
    cli_ok(
        dir.path(),
        &[
            "providers",
            "add",
            "corp",
            "--kind",
            "openai-compatible",
            "--base-url",
            "http://llm.corp.invalid/v1",
            "--model",
            "m",
        ],
    );
    let client = connect_with_env(
        dir.path(),
        TestClient::new(Era::Legacy, Sampling::Unsupported),
        &[("HTTP_PROXY", proxy.origin.as_str())],
    )
    .await;
    let args = json!({"messages": [{"role": "user", "content": "hi"}], "provider": "corp"});
    assert_eq!(ok(call(&client, "llm-generate", args).await)["text"], "via proxy");
    assert_eq!(
        proxy.requests()[0].path,
        "http://llm.corp.invalid/v1/chat/completions"
    );
    client.cancel().await.expect("close");

    let local = MockServer::start(vec![openai_ok("direct")]).await;
    cli_ok(
        dir.path(),
        &[
            "providers",
            "add",
            "lan",
            "--kind",
            "openai-compatible",
            "--base-url",
            &format!("{}/v1", local.origin),
            "--model",
            "m",
        ],
    );
    let client = connect_with_env(
        dir.path(),
        TestClient::new(Era::Legacy, Sampling::Unsupported),
        &[("HTTP_PROXY", "http://127.0.0.1:9"), ("NO_PROXY", "127.0.0.1")],
    )
    .await;
    let args = json!({"messages": [{"role": "user", "content": "hi"}], "provider": "lan"});
    assert_eq!(ok(call(&client, "llm-generate", args).await)["text"], "direct");
    assert_eq!(local.requests()[0].path, "/v1/chat/completions");
    client.cancel().await.expect("close");
}

/// Start-up does nothing it can defer: with a D-Bus address whose socket accepts but never
/// answers (a hung keychain), the handshake, tools/list and a sampling generation still
/// complete quickly, because the keychain is only read when a direct provider is needed.
#[tokio::test]
async fn the_handshake_never_waits_for_the_keychain() {
    let dir = temp_dir();
    let socket = dir.path().join("hung-bus");
    let listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind");
    // Accept connections and hold them open without a word.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let bus = format!("unix:path={}", socket.display());
    let data = dir.path().join("data");
    let tc = TestClient::replying(Era::Legacy, "sampled");
    let session = async {
        let client = connect_with_env(&data, tc, &[("DBUS_SESSION_BUS_ADDRESS", bus.as_str())]).await;
        let tools = client.list_all_tools().await.expect("tools/list");
        assert!(tools.iter().any(|t| t.name == "provider-status"));
        let reply = ok(call(
            &client,
            "llm-generate",
            json!({"messages": [{"role": "user", "content": "hi"}]}),
        )
        .await);
        assert_eq!(reply["route"], "sampling");
        client.cancel().await.expect("close");
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), session)
        .await
        .expect("the session must not wait for D-Bus");
}

/// A slow provider call sends progress notifications when the caller asked for progress, as
/// sampling does, so clients that reset their timeout on progress keep waiting.
#[tokio::test]
async fn a_slow_provider_call_reports_progress() {
    use rmcp::model::{CallToolRequestParams, NumberOrString, ProgressToken, RequestMetaObject};
    let server = MockServer::start(vec![Reply::Slow(
        std::time::Duration::from_millis(2500),
        Box::new(openai_ok("slow but sure")),
    )])
    .await;
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
    let tc = TestClient::new(Era::Legacy, Sampling::Unsupported);
    let client = connect(dir.path(), tc.clone()).await;
    let mut meta = RequestMetaObject::default();
    meta.set_progress_token(ProgressToken(NumberOrString::Number(7)));
    let args = json!({"messages": [{"role": "user", "content": "slow"}], "provider": "local"});
    let mut params =
        CallToolRequestParams::new("llm-generate").with_arguments(args.as_object().cloned().expect("object"));
    params.meta = Some(meta);
    let result = client.call_tool(params).await.expect("call");
    assert_eq!(text(&result), "slow but sure");
    let progress = tc.progress.lock().expect("lock").clone();
    assert!(
        progress
            .first()
            .and_then(|p| p.message.as_deref())
            .is_some_and(|m| m.contains("provider 'local'")),
        "{progress:?}"
    );
    client.cancel().await.expect("close");
}

/// Sends one JSON-RPC request line and returns the answer line with that id.
fn request(
    stdin: &mut impl Write,
    stdout: &mut impl BufRead,
    printed: &mut String,
    id: u32,
    body: Value,
) -> Value {
    let mut msg = json!({"jsonrpc": "2.0", "id": id});
    if let (Some(m), Value::Object(b)) = (msg.as_object_mut(), body) {
        m.extend(b);
    }
    writeln!(stdin, "{msg}").expect("write");
    stdin.flush().expect("flush");
    loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).expect("read") > 0,
            "server closed stdout"
        );
        printed.push_str(&line);
        let v: Value = serde_json::from_str(&line).expect("stdout carries only JSON-RPC");
        if v["id"] == id {
            return v;
        }
    }
}

/// The secret-leak test: a recognisable key is planted (the environment fallback), used for a
/// successful call, a rejected call whose error body echoes it, a reachability check and every
/// key/provider/usage command, with trace logging on. The key must appear in no file under the
/// data dir (database, WAL, logs) and in no byte the server or the CLI printed.
#[test]
fn a_planted_key_never_leaks_into_files_or_output() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let echo = Reply::status(
        401,
        json!({"type": "error", "error": {"type": "authentication_error", "message": format!("invalid x-api-key {KEY}")}}),
    );
    // A provider error whose text repeats the key across the point where messages are shortened
    // (300 characters): the key's start, KEY_MARK included, lies before the cut and its end after
    // it, so only scrubbing before shortening keeps every part of it out.
    let long_echo = Reply::status(
        400,
        json!({"type": "error", "error": {"type": "invalid_request_error", "message": format!("{} {KEY}", "x".repeat(270))}}),
    );
    let server = rt.block_on(MockServer::start(vec![
        anthropic_ok("fine"),
        Reply::ok(json!({"data": []})),
        echo,
        long_echo,
    ]));
    let dir = temp_dir();
    let logs = temp_dir();
    let data = dir.path();
    let mut printed = String::new();
    let base = format!("{}/v1", server.origin);
    printed += &cli_ok(data, &["providers", "set", "anthropic", "--base-url", &base]);

    let stderr_path = logs.path().join("server-stderr.log");
    let mut cmd = Command::new(server_bin());
    for var in REMOVED_ENV {
        cmd.env_remove(var);
    }
    let mut child = cmd
        .arg("--data-dir")
        .arg(data)
        .env("LLMGEN_LOG", "trace")
        .env("DBUS_SESSION_BUS_ADDRESS", NO_KEYCHAIN_BUS)
        .env("ANTHROPIC_API_KEY", KEY)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path).expect("stderr file"))
        .spawn()
        .expect("spawn the server");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let init = json!({"method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}});
    request(&mut stdin, &mut stdout, &mut printed, 1, init);
    writeln!(
        stdin,
        r#"{{"jsonrpc":"2.0","method":"notifications/initialized"}}"#
    )
    .expect("write");
    let generate = |model: &str| json!({"method": "tools/call", "params": {"name": "llm-generate", "arguments": {"messages": [{"role": "user", "content": "hi"}], "model": model}}});
    let first = request(&mut stdin, &mut stdout, &mut printed, 2, generate("claude-a"));
    assert_eq!(first["result"]["structuredContent"]["text"], "fine", "{first}");
    let status = json!({"method": "tools/call", "params": {"name": "provider-status", "arguments": {"provider": "anthropic", "checkReachability": true}}});
    let status = request(&mut stdin, &mut stdout, &mut printed, 3, status);
    assert_eq!(
        status["result"]["structuredContent"]["providers"][0]["reachability"]["reachable"], true,
        "{status}"
    );
    let rejected = request(&mut stdin, &mut stdout, &mut printed, 4, generate("claude-b"));
    let message = rejected["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("rejected the API key"), "{rejected}");
    let echoed = request(&mut stdin, &mut stdout, &mut printed, 5, generate("claude-c"));
    assert_eq!(echoed["result"]["isError"], true, "{echoed}");
    let echoed_text = echoed["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(
        !echoed_text.contains(KEY_MARK),
        "part of the key reached the tool error: {echoed_text}"
    );
    drop(stdin);
    assert!(child.wait().expect("wait").success());
    let rest = std::io::read_to_string(stdout).expect("rest of stdout");
    printed += &rest;

    // The key really was loaded and sent: otherwise this test could not see a leak.
    let sent = server.requests();
    assert_eq!(sent.len(), 4);
    assert!(sent.iter().all(|r| r.header("x-api-key") == Some(KEY)));

    // CLI commands around keys, with the key available from the environment or stdin.
    let env = [("ANTHROPIC_API_KEY", KEY)];
    for (args, stdin) in [
        (vec!["keys", "set", "anthropic"], Some(KEY)),
        (vec!["keys", "list"], None),
        (vec!["keys", "list", "--json"], None),
        (vec!["providers", "list", "--json"], None),
        (vec!["usage", "--json"], None),
        (vec!["usage"], None),
    ] {
        let out = cli(data, &args, stdin, &env);
        printed += &String::from_utf8_lossy(&out.stdout);
        printed += &String::from_utf8_lossy(&out.stderr);
        if args.starts_with(&["keys", "set"]) {
            // No keychain here: refused clearly, nothing stored anywhere else.
            let e = String::from_utf8_lossy(&out.stderr);
            assert!(
                !out.status.success()
                    && e.contains("keychain is not reachable")
                    && e.contains("ANTHROPIC_API_KEY"),
                "{e}"
            );
        }
    }
    printed += &std::fs::read_to_string(&stderr_path).expect("server stderr");
    assert!(printed.contains("provider call done"), "trace logs were captured");
    assert!(
        !printed.contains(KEY_MARK),
        "the key (or a part of it) was printed"
    );

    let mut files = Vec::new();
    let mut stack = vec![data.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(files.iter().any(|f| f.ends_with("llmgen.db")), "{files:?}");
    assert!(
        files.iter().any(|f| f.to_string_lossy().contains("logs")),
        "{files:?}"
    );
    for file in files {
        let bytes = std::fs::read(&file).expect("read file");
        assert!(
            !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
            "the key leaked into {}",
            file.display()
        );
    }
}
