//! End-to-end: the real binary and a direct provider on a 127.0.0.1 stand-in, around the call:
//! proxies from the environment, a start-up that never waits for the keychain, progress during a
//! slow call, and a planted key that never leaks into a file or a printed byte.
#![allow(deprecated)]

mod common;
#[path = "../../core/tests/support/mock_http.rs"]
mod mock_http;
#[path = "support/provider_cli.rs"]
mod provider_cli;

use std::{
    io::{BufRead, BufReader, Write},
    process::Stdio,
};

use common::*;
use mock_http::{MockServer, Reply};
use provider_cli::*;
use serde_json::{Value, json};

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
    let mut child = CliRun::on(data)
        .env("LLMGEN_LOG", "trace")
        .env("ANTHROPIC_API_KEY", KEY)
        .command(&[])
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
