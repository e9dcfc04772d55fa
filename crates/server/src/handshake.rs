//! The health check's MCP handshake: this crate owns the MCP client, so it implements core's
//! [`Handshake`] by running the server binary as a child process, initializing a session,
//! listing the tools and timing both. The CLI hands it to `health::check`; the app can too.

use std::{
    future::Future,
    path::PathBuf,
    process::Stdio,
    time::{Duration, Instant},
};

use llmgen_core::operations::health::{Handshake, HandshakeReport};
use rmcp::{ServiceExt, transport::TokioChildProcess};

/// Spawns `program --data-dir DIR serve` for each handshake.
#[derive(Debug, Clone)]
pub struct ChildHandshake {
    program: PathBuf,
    data_dir: PathBuf,
}

impl ChildHandshake {
    pub fn new(program: impl Into<PathBuf>, data_dir: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
            data_dir: data_dir.into(),
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

impl Handshake for ChildHandshake {
    fn handshake(&self) -> impl Future<Output = Result<HandshakeReport, String>> + Send {
        let program = self.program.clone();
        let data_dir = self.data_dir.clone();
        async move {
            let started = Instant::now();
            let mut cmd = tokio::process::Command::new(&program);
            cmd.arg("--data-dir").arg(&data_dir).arg("serve");
            // When the health check gives up on a hung handshake it drops this future: the child
            // is then killed at once (SIGKILL), not left running. rmcp's own cleanup kills it
            // from a spawned task, which never runs if the runtime is shutting down.
            cmd.kill_on_drop(true);
            // Its logs go to its own log files; stderr is not read here, so it must not fill a pipe.
            let (transport, _) = TokioChildProcess::builder(cmd)
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("{} could not be started: {e}.", program.display()))?;
            let client = ().serve(transport).await.map_err(|e| format!("initialize was not answered: {e}."))?;
            let initialize_ms = ms(started.elapsed());
            let server_version = client
                .peer_info()
                .and_then(|info| info.server_info.as_ref().map(|i| i.version.clone()))
                .unwrap_or_else(|| "unknown".into());
            let listed = Instant::now();
            let tools = client.list_all_tools().await;
            let tools_list_ms = ms(listed.elapsed());
            // Closing the session ends the child's input: it exits as it would for a client.
            if let Err(e) = client.cancel().await {
                tracing::debug!("handshake session did not close cleanly: {e}");
            }
            let tools = tools.map_err(|e| format!("tools/list failed: {e}."))?;
            Ok(HandshakeReport {
                server_version,
                tools: tools.len(),
                initialize_ms,
                tools_list_ms,
            })
        }
    }
}

/// The whole installation check of the desktop app (its Health card and its tray): core's
/// health check with the handshake of `server`, the program client entries run, with the default
/// thresholds. Blocks the calling thread: it spawns the server and waits for the keychain.
pub fn check_installation_now(
    data_dir: &llmgen_core::paths::DataDir,
    server: Option<&std::path::Path>,
) -> Result<llmgen_core::operations::health::Health, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let handshake = server.map(|s| ChildHandshake::new(s, data_dir.root()));
    Ok(
        runtime.block_on(llmgen_core::operations::health::check_installation(
            data_dir,
            server,
            handshake.as_ref(),
            llmgen_core::operations::health::HealthOptions::default(),
        )),
    )
}
