//! Logging: stderr (never stdout: it carries the MCP stream) and daily files in the data dir's
//! logs/ folder, 30 kept. A log folder that cannot be used never stops the server.
//!
//! The level comes from `LLMGEN_LOG` when set, else from the `log-level` setting, else the
//! default. The setting lives in the database, which is opened after logging starts (so that
//! its errors are logged): the filter is reloadable and [`Logging::apply_setting`] sets it then.

use llmgen_core::{logs::LogLevel, paths::DataDir};
use tracing_appender::{non_blocking::WorkerGuard, rolling};
use tracing_subscriber::{EnvFilter, Registry, fmt, layer::SubscriberExt, reload, util::SubscriberInitExt};

/// Environment variable with the log filter (tracing EnvFilter syntax).
pub const LOG_ENV: &str = "LLMGEN_LOG";
const LOG_FILES_KEPT: usize = 30;
const LOG_QUEUE_LINES: usize = 4096;

/// Keep it alive until exit so buffered lines are written.
pub struct Logging {
    _guard: Option<WorkerGuard>,
    filter: Option<reload::Handle<EnvFilter, Registry>>,
    from_env: bool,
}

impl Logging {
    /// Applies the `log-level` setting, unless `LLMGEN_LOG` chose the filter.
    pub fn apply_setting(&self, level: Option<LogLevel>) {
        let (Some(level), Some(handle), false) = (level, &self.filter, self.from_env) else {
            return;
        };
        if let Err(e) = handle.reload(EnvFilter::new(directives(level))) {
            tracing::warn!("log level setting not applied: {e}");
        }
    }
}

/// The filter of a level: the SDK's own info lines are noise unless debugging.
fn directives(level: LogLevel) -> String {
    match level {
        LogLevel::Debug | LogLevel::Trace => level.as_str().to_string(),
        _ => format!("{},rmcp=warn", level.as_str()),
    }
}

/// Installs the global subscriber.
pub fn init(data_dir: Option<&DataDir>, default_level: &str) -> Logging {
    let env = EnvFilter::try_from_env(LOG_ENV).ok();
    let from_env = env.is_some();
    let (filter, handle) = reload::Layer::new(env.unwrap_or_else(|| EnvFilter::new(default_level)));
    let stderr = fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false);
    let mut problem = None;
    let (file_layer, guard) = match data_dir.map(open_file_appender) {
        Some(Ok(appender)) => {
            // The default queue of 128,000 lines is allocated up front (megabytes of RSS); a server
            // logs a few lines per request, and lines beyond the queue are dropped, never blocking.
            let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
                .buffered_lines_limit(LOG_QUEUE_LINES)
                .finish(appender);
            let layer = fmt::layer().with_writer(writer).with_ansi(false);
            (Some(layer), Some(guard))
        }
        Some(Err(e)) => {
            problem = Some(e);
            (None, None)
        }
        None => (None, None),
    };
    // A second init (tests) is harmless: the first subscriber stays.
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(stderr)
        .with(file_layer)
        .try_init()
        .is_ok();
    if let Some(e) = problem {
        tracing::warn!("logging to stderr only: {e}");
    }
    Logging {
        _guard: guard,
        filter: installed.then_some(handle),
        from_env,
    }
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
