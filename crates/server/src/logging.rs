//! Logging: stderr (never stdout: it carries the MCP stream) and daily files in the data dir's
//! logs/ folder, 30 kept. A log folder that cannot be used never stops the server.

use llmgen_core::paths::DataDir;
use tracing_appender::{non_blocking::WorkerGuard, rolling};
use tracing_subscriber::{EnvFilter, Layer, fmt, layer::SubscriberExt, util::SubscriberInitExt};

/// Environment variable with the log filter (tracing EnvFilter syntax).
pub const LOG_ENV: &str = "LLMGEN_LOG";
const LOG_FILES_KEPT: usize = 30;
const LOG_QUEUE_LINES: usize = 4096;

/// Installs the global subscriber. Keep the guard alive until exit so buffered lines are written.
pub fn init(data_dir: Option<&DataDir>, default_level: &str) -> Option<WorkerGuard> {
    let filter = || EnvFilter::try_from_env(LOG_ENV).unwrap_or_else(|_| EnvFilter::new(default_level));
    let stderr = fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .with_filter(filter());
    let mut problem = None;
    let (file_layer, guard) = match data_dir.map(open_file_appender) {
        Some(Ok(appender)) => {
            // The default queue of 128,000 lines is allocated up front (megabytes of RSS); a server
            // logs a few lines per request, and lines beyond the queue are dropped, never blocking.
            let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
                .buffered_lines_limit(LOG_QUEUE_LINES)
                .finish(appender);
            let layer = fmt::layer()
                .with_writer(writer)
                .with_ansi(false)
                .with_filter(filter());
            (Some(layer), Some(guard))
        }
        Some(Err(e)) => {
            problem = Some(e);
            (None, None)
        }
        None => (None, None),
    };
    // A second init (tests) is harmless: the first subscriber stays.
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file_layer)
        .try_init();
    if let Some(e) = problem {
        tracing::warn!("logging to stderr only: {e}");
    }
    guard
}

fn open_file_appender(data_dir: &DataDir) -> Result<rolling::RollingFileAppender, String> {
    let dir = data_dir.logs_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    rolling::Builder::new()
        .rotation(rolling::Rotation::DAILY)
        .filename_prefix("llmgen")
        .filename_suffix("log")
        .max_log_files(LOG_FILES_KEPT)
        .build(&dir)
        .map_err(|e| format!("cannot open a log file in {}: {e}", dir.display()))
}
