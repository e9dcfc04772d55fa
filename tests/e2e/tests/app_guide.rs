//! The first-run guide, walked by clicking in the app built as shipped (`custom-protocol`), in a
//! fresh HOME where VS Code and Claude Desktop are installed (their folders exist, no settings
//! file yet) and an OpenAI-compatible stand-in serves a model on a 127.0.0.1 port named in
//! LLMGEN_LOCAL_MODEL_URLS; afterwards an MCP client without sampling gets a generation through
//! it from the real server binary. Skipped with a notice outside `cargo xtask test`.

mod support;

#[path = "../../../crates/core/tests/support/mock_http.rs"]
mod mock_http;

use std::{path::Path, process::Stdio, time::Instant};

use llmgen_core::{
    Store,
    generation::providers::{self, ProviderKind, ProviderPatch, local::LOCAL_URLS_ENV},
};
use mock_http::{MockServer, Recorded, Reply};
use rmcp::{
    ClientHandler, ServiceExt,
    model::{CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation},
    transport::TokioChildProcess,
};
use serde_json::{Value, json};
use support::{
    app,
    driver::{Driver, Setup},
    guide, screens, ui,
};

/// The model the stand-in serves, and what it answers every chat with.
const MODEL: &str = "stand-in-7b";
const STAND_IN_TEXT: &str = "Hello from the stand-in model on 127.0.0.1.";
/// What the MCP client asks for.
const PROMPT: &str = "Say hello to the guide's test.";

/// The apps the guide finds here, in the registry's order.
const APPS: [&str; 2] = ["vscode", "claude-desktop"];

/// Proves, by walking the guide as a first-time user (in English, then in Japanese from a fresh
/// start again): both installed apps are pre-ticked and one click adds our entry to each (the
/// change shown under "Details" first); the stand-in is found and made the default provider in
/// one click; the last step names what to restart and a sentence to paste. On disk, each app's
/// file holds our entry running the bundled server with its `--client` argument; through
/// llmgen_core, the stand-in is the default provider (keyless, its model); and an MCP client that
/// declares no sampling, started as Claude Desktop would start our entry, gets its text from the
/// stand-in, which received the chat request. Each step passes the accessibility audit and is
/// photographed (`guide-<step>-<lang>.png`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_run_user_walks_the_guide_and_an_app_without_sampling_generates() {
    let Some(setup) = Setup::from_xtask() else {
        return;
    };
    let started = Instant::now();
    let stand_in = MockServer::routed(stand_in_answer).await;
    let local_url = format!("{}/v1", stand_in.origin);
    let home_dir = app::app_home();
    let home = home_dir.path();
    // Installed, never set up: the folders each app makes at its first start, nothing in them.
    let vscode_file = home.join(".config/Code/User/mcp.json");
    let claude_file = home.join(".config/Claude/claude_desktop_config.json");
    for file in [&vscode_file, &claude_file] {
        std::fs::create_dir_all(file.parent().expect("parent")).expect("the app's folder");
    }
    let data = app::data_dir(home);
    let server = setup.server_bin();
    let shots = setup.screenshots.as_deref();

    let driver =
        Driver::start_with_env(&setup, home, &[(LOCAL_URLS_ENV, &local_url)]).expect("WebDriver server");
    let client = driver.session(&setup.app_bin).await.expect("session");
    let _app = app::AppProcess(driver.app_pid(&setup.app_bin));

    // A first run: the guide heads the overview by itself.
    ui::find(&client, guide::GUIDE).await;
    let done = guide::walk(&client, &APPS, &server, (&local_url, MODEL), shots, "en").await;
    assert!(
        done.restart[0].starts_with("VS Code") && done.restart[1].starts_with("Claude Desktop"),
        "each app is named with what to restart: {:?}",
        done.restart
    );
    check_client_files(&vscode_file, &claude_file, &server);
    let store = Store::open(&data).expect("store");
    check_default_provider(&store, &local_url);
    let asked_before = stand_in.requests().len();
    generate_without_sampling(&claude_file, home, &stand_in, asked_before).await;

    // --- Again in Japanese, from a fresh start: no app set up, no usable provider.
    for file in [&vscode_file, &claude_file] {
        std::fs::remove_file(file).expect("remove the guide's file");
    }
    providers::set(
        &store,
        "anthropic",
        ProviderPatch {
            make_default: true,
            ..Default::default()
        },
    )
    .expect("anthropic back as the default");
    providers::remove(&store, "local").expect("remove the stand-in's provider");
    screens::switch_to_japanese(&client).await;
    screens::open(&client, "guide").await;
    let done = guide::walk(&client, &APPS, &server, (&local_url, MODEL), shots, "ja").await;
    assert!(
        !done.sentence.is_ascii() && done.restart.iter().all(|l| !l.is_ascii()),
        "the last step is in Japanese: {:?} {:?}",
        done.sentence,
        done.restart
    );
    check_client_files(&vscode_file, &claude_file, &server);
    check_default_provider(&store, &local_url);

    if let Err(e) = client.close().await {
        eprintln!("ending the WebDriver session: {e}");
    }
    eprintln!("the guide's walk-through took {:.1?}", started.elapsed());
}

/// An OpenAI-compatible server as local model servers are: its model list and chat answers.
fn stand_in_answer(request: &Recorded) -> Reply {
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/v1/models") => {
            Reply::ok(json!({"object": "list", "data": [{"id": MODEL, "object": "model"}]}))
        }
        ("POST", "/v1/chat/completions") => Reply::ok(json!({
            "model": MODEL,
            "choices": [{"message": {"role": "assistant", "content": STAND_IN_TEXT}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 9}
        })),
        _ => Reply::status(404, json!({"error": "not served here"})),
    }
}

fn parse(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    jsonc_parser::parse_to_serde_value(&text, &Default::default())
        .unwrap_or_else(|e| panic!("{} does not parse: {e}\n{text}", path.display()))
}

/// Both files were created by the guide with our entry: the bundled server, told which app
/// runs it.
fn check_client_files(vscode: &Path, claude: &Path, server: &Path) {
    let server = server.display().to_string();
    assert_eq!(
        parse(vscode)["servers"]["llm-generator"],
        json!({"type": "stdio", "command": server, "args": ["--client", "vscode"]})
    );
    assert_eq!(
        parse(claude)["mcpServers"]["llm-generator"],
        json!({"command": server, "args": ["--client", "claude-desktop"]})
    );
}

/// The stand-in is the default provider, as core reads it: OpenAI-compatible at its address,
/// with the model it serves.
fn check_default_provider(store: &Store, local_url: &str) {
    let default = providers::default_provider(store)
        .expect("read the providers")
        .expect("a default provider");
    assert_eq!(
        (default.kind, default.base_url.as_str(), default.model.as_str()),
        (ProviderKind::OpenaiCompatible, local_url, MODEL),
        "the stand-in is not the default: {default:?}"
    );
}

/// An MCP client that declares no sampling (as Claude Desktop does not lend its model).
#[derive(Clone)]
struct NoSampling;

impl ClientHandler for NoSampling {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("llmgen-e2e-no-sampling", "1.0"),
        )
    }
}

/// Starts our entry of `claude_file` as Claude Desktop would (its command and arguments, the
/// user's HOME), calls `llm-generate` from a client without sampling, and checks that the text
/// is the stand-in's and that the stand-in received the chat (its `asked_before` earlier
/// requests aside).
async fn generate_without_sampling(
    claude_file: &Path,
    home: &Path,
    stand_in: &MockServer,
    asked_before: usize,
) {
    let entry = &parse(claude_file)["mcpServers"]["llm-generator"];
    let mut cmd = app::entry_command(entry, home);
    cmd.env_remove("ANTHROPIC_API_KEY").env_remove("OPENAI_API_KEY");
    let (transport, _stderr) = TokioChildProcess::builder(tokio::process::Command::from(cmd))
        .stderr(Stdio::null())
        .spawn()
        .expect("start our entry's command");
    let session = NoSampling.serve(transport).await.expect("an MCP session");
    let args = json!({"messages": [{"role": "user", "content": PROMPT}]});
    let Value::Object(args) = args else {
        unreachable!("an object")
    };
    let result = session
        .call_tool(CallToolRequestParams::new("llm-generate").with_arguments(args))
        .await
        .expect("llm-generate answers");
    let text = result
        .content
        .first()
        .and_then(|c| c.as_text())
        .map(|t| t.text.clone())
        .unwrap_or_default();
    assert_ne!(result.is_error, Some(true), "llm-generate failed: {text}");
    let data = result.structured_content.unwrap_or(json!({ "text": text }));
    assert_eq!(
        data["text"], STAND_IN_TEXT,
        "the text is not the stand-in's: {data}"
    );
    let chats: Vec<Recorded> = stand_in
        .requests()
        .into_iter()
        .skip(asked_before)
        .filter(|r| r.path == "/v1/chat/completions")
        .collect();
    assert_eq!(chats.len(), 1, "the stand-in did not receive one chat request");
    assert_eq!(chats[0].body["model"], MODEL);
    assert!(
        chats[0].body.to_string().contains(PROMPT),
        "the prompt did not reach the stand-in: {}",
        chats[0].body
    );
    session.cancel().await.expect("close the MCP session");
}
