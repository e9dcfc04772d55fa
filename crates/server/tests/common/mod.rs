//! Test harness: the real `mcp-llm-generator` binary as a child process, driven by an rmcp
//! client whose sampling handler answers with canned text and records what it was asked; and
//! [`CliRun`], the one way the suites run it from the command line (in `cli_run.rs`).
#![allow(dead_code, deprecated)] // each test file uses part of the harness; sampling types are deprecated in rmcp

use std::{
    path::Path,
    sync::{Arc, Mutex},
    time::Duration,
};

use rmcp::{
    ClientHandler, ErrorData as McpError, RoleClient, ServiceExt,
    model::{
        CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, CreateMessageRequestParams,
        CreateMessageResult, Implementation, ProgressNotificationParam, ProtocolVersion, SamplingMessage,
    },
    service::{ClientLifecycleMode, ClientServiceExt, NotificationContext, RequestContext, RunningService},
    transport::TokioChildProcess,
};
use serde_json::{Value, json};

mod cli_run;
#[allow(unused_imports)] // each suite uses part of the harness
pub use cli_run::{CliRun, NO_KEYCHAIN_BUS, server_bin};

/// Which protocol era the client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// `initialize` handshake, 2025-11-25: the server sends sampling requests.
    Legacy,
    /// 2026-07-28 (`server/discover`): the server answers input_required.
    Modern,
}

pub const ERAS: [Era; 2] = [Era::Legacy, Era::Modern];

/// How the client's "model" behaves.
#[derive(Debug, Clone)]
pub enum Sampling {
    /// No sampling capability declared.
    Unsupported,
    /// Replies with this text (after an optional delay).
    Reply { text: String, delay: Duration },
    /// Refuses, as a user declining the request would.
    Decline,
    /// Waits until the request is cancelled, then records that it was.
    Hang,
}

#[derive(Clone)]
pub struct TestClient {
    pub sampling: Sampling,
    /// Every sampling request received, in order.
    pub requests: Arc<Mutex<Vec<CreateMessageRequestParams>>>,
    /// Set when a hanging sampling request saw its cancellation.
    pub cancelled: Arc<Mutex<bool>>,
    pub progress: Arc<Mutex<Vec<ProgressNotificationParam>>>,
    /// list_changed notifications received on a legacy session ("resources" / "prompts").
    pub list_changes: Arc<Mutex<Vec<&'static str>>>,
    /// URIs of resources/updated notifications received (legacy resources/subscribe).
    pub resource_updates: Arc<Mutex<Vec<String>>>,
    pub era: Era,
}

impl TestClient {
    pub fn new(era: Era, sampling: Sampling) -> Self {
        Self {
            sampling,
            requests: Default::default(),
            cancelled: Default::default(),
            progress: Default::default(),
            list_changes: Default::default(),
            resource_updates: Default::default(),
            era,
        }
    }

    pub fn replying(era: Era, text: &str) -> Self {
        Self::new(
            era,
            Sampling::Reply {
                text: text.into(),
                delay: Duration::ZERO,
            },
        )
    }

    pub fn requests(&self) -> Vec<CreateMessageRequestParams> {
        self.requests.lock().expect("lock").clone()
    }
}

impl ClientHandler for TestClient {
    fn get_info(&self) -> ClientConfig {
        let mut caps = ClientCapabilities::default();
        if !matches!(self.sampling, Sampling::Unsupported) {
            caps = ClientCapabilities::builder().enable_sampling().build();
        }
        let version = match self.era {
            Era::Legacy => ProtocolVersion::V_2025_11_25,
            Era::Modern => ProtocolVersion::V_2026_07_28,
        };
        ClientConfig::new(caps, Implementation::new("llmgen-test-client", "1.0"))
            .with_protocol_version(version)
    }

    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, McpError> {
        self.requests.lock().expect("lock").push(params);
        match &self.sampling {
            Sampling::Unsupported => Err(McpError::invalid_request("sampling not supported", None)),
            Sampling::Decline => Err(McpError::invalid_request(
                "User rejected the sampling request",
                None,
            )),
            Sampling::Reply { text, delay } => {
                tokio::time::sleep(*delay).await;
                Ok(CreateMessageResult::new(
                    SamplingMessage::assistant_text(text.clone()),
                    "canned-model-1".into(),
                ))
            }
            Sampling::Hang => {
                let _ = tokio::time::timeout(Duration::from_secs(30), context.ct.cancelled()).await;
                *self.cancelled.lock().expect("lock") = context.ct.is_cancelled();
                Err(McpError::internal_error("cancelled", None))
            }
        }
    }

    async fn on_resource_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.list_changes.lock().expect("lock").push("resources");
    }

    async fn on_prompt_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.list_changes.lock().expect("lock").push("prompts");
    }

    async fn on_resource_updated(
        &self,
        params: rmcp::model::ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.resource_updates.lock().expect("lock").push(params.uri);
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.progress.lock().expect("lock").push(params);
    }
}

pub type Client = RunningService<RoleClient, TestClient>;

/// Environment the tests remove: real keys, and proxies that would route the 127.0.0.1
/// provider stand-ins elsewhere.
pub const REMOVED_ENV: [&str; 8] = [
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
];

/// Removes what could reach a real keychain or a real provider account from a command.
pub fn isolate(cmd: &mut tokio::process::Command) {
    cmd.env("DBUS_SESSION_BUS_ADDRESS", NO_KEYCHAIN_BUS)
        .env_remove(llmgen_core::settings::TOOL_GROUPS_ENV);
    for var in REMOVED_ENV {
        cmd.env_remove(var);
    }
}

/// Starts the server binary on `data_dir` and connects `client` to it in its era.
pub async fn connect(data_dir: &Path, client: TestClient) -> Client {
    connect_with_env(data_dir, client, &[]).await
}

/// Like [`connect`], with extra environment variables for the server.
pub async fn connect_with_env(data_dir: &Path, client: TestClient, env: &[(&str, &str)]) -> Client {
    let mut cmd = tokio::process::Command::new(server_bin());
    cmd.arg("--data-dir").arg(data_dir);
    isolate(&mut cmd);
    for (k, v) in env {
        cmd.env(k, v);
    }
    connect_command(cmd, client).await
}

/// Connects `client` to a server started by `cmd` (already given its arguments).
pub async fn connect_command(mut cmd: tokio::process::Command, client: TestClient) -> Client {
    cmd.env("LLMGEN_LOG", "debug");
    let (transport, _stderr) = TokioChildProcess::builder(cmd)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn the server binary");
    start(client, transport).await.expect("MCP session starts")
}

/// The server's handler on the data dir `dir`, with no child process: served on one end of an
/// in-memory duplex, `client` on the other, in its era.
pub async fn connect_in_process(dir: &Path, client: TestClient) -> Client {
    let data_dir = llmgen_core::paths::DataDir::at(dir);
    let store = llmgen_core::Store::open(&data_dir).expect("store");
    let settings = llmgen_core::settings::load(&store).expect("settings");
    let server = llmgen_server::LlmGenServer::new(store, settings, data_dir);
    let (server_end, client_end) = tokio::io::duplex(1 << 16);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(tokio::io::split(server_end)).await {
            let _ = running.waiting().await;
        }
    });
    start(client, tokio::io::split(client_end))
        .await
        .expect("MCP session starts in process")
}

/// Starts `client`'s session over `transport` in the client's era (a 2026-07-28 client
/// discovers the server's versions instead of initializing).
async fn start<T, E, A>(
    client: TestClient,
    transport: T,
) -> Result<Client, rmcp::service::ClientInitializeError>
where
    T: rmcp::transport::IntoTransport<RoleClient, E, A>,
    E: std::error::Error + Send + Sync + 'static,
{
    match client.era {
        Era::Legacy => client.serve(transport).await,
        Era::Modern => {
            client
                .serve_with_lifecycle(
                    transport,
                    ClientLifecycleMode::Discover {
                        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
                    },
                )
                .await
        }
    }
}

/// Calls a tool and returns its result (auto-completing input_required rounds on 2026-07-28).
/// The names of the tools the server lists.
pub async fn tool_names(client: &Client) -> Vec<String> {
    client
        .list_all_tools()
        .await
        .expect("tools/list")
        .iter()
        .map(|t| t.name.to_string())
        .collect()
}

pub async fn call(client: &Client, tool: &str, args: Value) -> CallToolResult {
    let Value::Object(args) = args else {
        panic!("tool arguments must be an object")
    };
    client
        .call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(args))
        .await
        .unwrap_or_else(|e| panic!("{tool} failed at the protocol level: {e}"))
}

/// The text of a result's first content block.
pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .first()
        .and_then(|c| c.as_text())
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

/// A successful result's structured content; panics with the error text otherwise.
pub fn ok(result: CallToolResult) -> Value {
    assert_ne!(result.is_error, Some(true), "tool error: {}", text(&result));
    let fallback = json!({ "text": text(&result) });
    result.structured_content.unwrap_or(fallback)
}

/// A tool error's text; panics if the call succeeded.
pub fn err(result: CallToolResult) -> String {
    assert_eq!(
        result.is_error,
        Some(true),
        "expected a tool error, got: {}",
        text(&result)
    );
    text(&result)
}

pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// The `notes` of a result: what the server ignored or changed in the call, one sentence each.
pub fn notes(data: &Value) -> Vec<String> {
    data["notes"]
        .as_array()
        .map(|ns| ns.iter().filter_map(|n| n.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}
