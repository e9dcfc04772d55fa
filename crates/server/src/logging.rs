//! Logging: stderr (never stdout: it carries the MCP stream) and daily files in the data dir's
//! logs/ folder, 30 kept, private to the user. A log folder that cannot be used never stops the
//! server.
//!
//! The level comes from `LLMGEN_LOG` when set, else from the `log-level` setting, else the
//! default. The setting lives in the database, which is opened after logging starts (so that
//! its errors are logged): the filter is reloadable and [`Logging::apply_setting`] sets it then.

use std::{
    fs::{File, OpenOptions},
    io::{self, Write},
    path::PathBuf,
};

use llmgen_core::{
    operations::logs::{self, LogLevel},
    paths::{self, DataDir},
};
use time::{Date, OffsetDateTime};
use tracing_appender::non_blocking::WorkerGuard;
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
    let (file_layer, guard) = match data_dir.map(|d| DailyFiles::open(d.logs_dir())) {
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

/// The daily log files, `logs/llmgen.YYYY-MM-DD.log` by UTC day (the names `logs` reads):
/// created private to the user (0600 on Unix: entries name conversations, folders and
/// providers; tracing-appender's rolling files take the umask's 0644), a new one when the day
/// changes, the oldest removed beyond [`LOG_FILES_KEPT`]. Several server processes append to
/// the same file.
struct DailyFiles {
    dir: PathBuf,
    open: Option<(Date, File)>,
}

impl DailyFiles {
    /// Opens today's file now, so that a folder that cannot be used is reported at start.
    fn open(dir: PathBuf) -> Result<Self, String> {
        let shown = dir.display().to_string();
        let mut files = Self { dir, open: None };
        if let Err(e) = files.current() {
            return Err(format!("cannot write a log file in {shown}: {e}"));
        }
        Ok(files)
    }

    /// The file of the current UTC day, opened (and the oldest pruned) when the day changed.
    fn current(&mut self) -> io::Result<&mut File> {
        let today = OffsetDateTime::now_utc().date();
        if self.open.as_ref().map(|(day, _)| *day) != Some(today) {
            // Made again if someone removed it while the server ran.
            paths::create_private_dir(&self.dir)?;
            let path = logs::file_for(&self.dir, today);
            let mut options = OpenOptions::new();
            options.create(true).append(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let file = options.open(&path)?;
            // The mode above applies only to a new file; an older version's file is 0644.
            paths::make_private(&path);
            self.open = Some((today, file));
            self.prune();
        }
        self.open
            .as_mut()
            .map(|(_, file)| file)
            .ok_or_else(|| io::Error::other("no log file open"))
    }

    /// Removes the oldest daily files beyond the number kept.
    fn prune(&self) {
        let Ok(files) = logs::files(&self.dir) else {
            return;
        };
        for old in &files[..files.len().saturating_sub(LOG_FILES_KEPT)] {
            let _ = std::fs::remove_file(old);
        }
    }
}

impl Write for DailyFiles {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.current()?.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.open {
            Some((_, file)) => file.flush(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Proves: opening the log files writes today's file (private to the user on Unix, even
    /// under umask 022) and removes the oldest daily files beyond the 30 kept, leaving other
    /// files alone.
    #[test]
    fn todays_file_is_private_and_only_thirty_days_are_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let logs_dir = dir.path().join("logs");
        std::fs::create_dir_all(&logs_dir).expect("mkdir");
        let today = OffsetDateTime::now_utc().date();
        let old: Vec<PathBuf> = (1..=40)
            .map(|days| logs::file_for(&logs_dir, today - time::Duration::days(days)))
            .collect();
        for file in &old {
            std::fs::write(file, "x\n").expect("old log");
        }
        std::fs::write(logs_dir.join("notes.txt"), "mine").expect("other file");
        let mut files = DailyFiles::open(logs_dir.clone()).expect("open");
        files
            .write_all(b"2026-11-23T00:00:00Z  INFO hello\n")
            .expect("write");
        files.flush().expect("flush");
        let kept = logs::files(&logs_dir).expect("list");
        assert_eq!(kept.len(), LOG_FILES_KEPT);
        let todays = logs::file_for(&logs_dir, today);
        assert_eq!(kept.last(), Some(&todays));
        assert_eq!(
            kept.first(),
            Some(&old[LOG_FILES_KEPT - 2]),
            "the newest 29 old days stay"
        );
        assert!(std::fs::read_to_string(&todays).expect("read").contains("hello"));
        assert!(logs_dir.join("notes.txt").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&todays).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }
}
