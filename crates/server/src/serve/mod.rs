//! Serving one MCP session on stdio, as every AI client starts us: the store and settings, the
//! session behind the stdio guard, a due backup in the background, metrics flushed every minute,
//! and on the way out (end of input or a stop signal) a last flush and the WAL checkpoint.

mod shutdown;

use std::time::Duration;

use llmgen_core::{
    Store,
    paths::DataDir,
    settings::{self, Settings},
};
use rmcp::ServiceExt;

use crate::LlmGenServer;

/// Why a session could not be served.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Core(#[from] llmgen_core::CoreError),
    #[error("the MCP session did not start: {0}")]
    Start(String),
}

/// How often a serving process adds its buffered metrics to the database.
const METRICS_FLUSH_EVERY: Duration = Duration::from_secs(60);
/// Overrides that interval in seconds (tests, and anyone who wants fresher reports).
const METRICS_FLUSH_ENV: &str = "LLMGEN_METRICS_FLUSH_SECS";
/// How often a call kept in memory is written to this process's live record.
const LIVE_FLUSH_EVERY: Duration = llmgen_core::operations::live::TOUCH_WRITE_EVERY;
/// After a stop signal, how long the session loop may take to end; a guard against a stuck task.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(200);

/// One MCP session on stdio, until the client leaves (end of input) or a stop signal arrives;
/// either way the metrics are flushed and the WAL checkpointed before returning.
///
/// In-flight writes need no extra care: every write is one synchronous `BEGIN IMMEDIATE`
/// transaction inside a single poll of this one-thread runtime, so when the stop branch runs no
/// transaction is open; requests still awaiting a client or provider are dropped before writing.
///
/// `client_id` is our id of the AI app whose entry started this process (`--client`), recorded
/// with this process among the data dir's live servers.
pub async fn stdio_session(
    data_dir: DataDir,
    client_id: Option<String>,
    apply_settings: impl FnOnce(&Settings),
) -> Result<(), ServeError> {
    let mut stop = shutdown::StopSignals::install();
    let store = Store::open(&data_dir).inspect_err(|e| tracing::error!("{e}"))?;
    let settings = settings::load(&store)?;
    apply_settings(&settings);
    tracing::info!(version = llmgen_core::VERSION, data_dir = %data_dir.root().display(), "serving MCP on stdio");
    let server = LlmGenServer::new(store, settings, data_dir.clone());
    if let Some(live) = crate::mcp::Live::register(&data_dir, client_id) {
        server.attach_live(live);
    }
    let handle = server.clone();
    // Stray and malformed messages are answered or dropped before rmcp sees them (guarded_stdio).
    let supported = rmcp::ServerHandler::supported_protocol_versions(&server).into_owned();
    let service = tokio::select! {
        started = server.serve(crate::guarded_stdio::stdio(supported)) => match started {
            Ok(service) => service,
            // Input ended before any client spoke (Ctrl-D at a terminal, a probe): a clean exit.
            Err(rmcp::service::ServerInitializeError::ConnectionClosed(_)) => {
                tracing::info!("input closed before a client connected; exiting");
                handle.shutdown();
                return Ok(());
            }
            Err(e) => {
                tracing::error!("MCP session did not start: {e}");
                handle.shutdown();
                return Err(ServeError::Start(e.to_string()));
            }
        },
        signal = stop.recv() => {
            tracing::info!("{signal} before a client connected; exiting");
            handle.shutdown();
            return Ok(());
        }
    };
    // The session is up: a due scheduled backup runs in the background, never in its way.
    llmgen_core::operations::backup::spawn_due_backup(data_dir);
    let flusher = {
        let handle = handle.clone();
        tokio::spawn(async move {
            let period = std::env::var(METRICS_FLUSH_ENV)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .filter(|&secs| secs > 0)
                .map_or(METRICS_FLUSH_EVERY, Duration::from_secs);
            let mut every = tokio::time::interval(period);
            let mut live = tokio::time::interval(LIVE_FLUSH_EVERY);
            every.tick().await; // the first tick is immediate
            live.tick().await;
            loop {
                tokio::select! {
                    _ = every.tick() => handle.flush_metrics(),
                    _ = live.tick() => handle.flush_live(),
                }
            }
        })
    };
    let cancel = service.cancellation_token();
    let waiting = service.waiting();
    tokio::pin!(waiting);
    let ended = tokio::select! {
        ended = &mut waiting => Some(ended),
        signal = stop.recv() => {
            tracing::info!("{signal}: stopping");
            cancel.cancel();
            // The session loop ends at once once cancelled; the bound only guards a stuck task.
            tokio::time::timeout(SHUTDOWN_GRACE, &mut waiting).await.ok()
        }
    };
    flusher.abort();
    handle.shutdown();
    match ended {
        Some(Ok(reason)) => tracing::info!("session ended ({reason:?}); exiting"),
        Some(Err(e)) => tracing::warn!("session task failed: {e}"),
        None => tracing::warn!("session did not stop within {SHUTDOWN_GRACE:?}; exiting anyway"),
    }
    Ok(())
}
