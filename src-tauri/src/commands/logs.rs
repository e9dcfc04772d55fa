//! IPC commands of the Logs screen: the newest lines of the data dir's daily log files at a level
//! and above (llmgen-core's `logs`, as `mcp-llm-generator logs`), and opening their folder in the
//! system's file manager.

use std::path::Path;

use llmgen_core::{
    operations::logs::{self, LogEntry, LogLevel, LogQuery},
    paths::DataDir,
};
use serde::Serialize;

use super::{AppState, IpcError, blocking};

/// Most lines the screen asks for at once: enough for a bug report, little enough to render.
const MAX_LINES: u32 = 2000;

/// One log entry as the screen shows it.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    /// RFC 3339, UTC.
    time: String,
    level: LogLevel,
    /// The whole entry as written, with continuation lines.
    text: String,
}

impl From<LogEntry> for LogLine {
    fn from(e: LogEntry) -> Self {
        Self {
            time: e
                .time
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            level: e.level,
            text: e.text,
        }
    }
}

/// What the Logs screen shows.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LogsView {
    /// The folder of the daily files, shown so people can find it themselves.
    dir: String,
    /// The newest matching entries, oldest first.
    lines: Vec<LogLine>,
}

fn recent_in(data_dir: &DataDir, level: LogLevel, limit: u32) -> Result<LogsView, IpcError> {
    let dir = data_dir.logs_dir();
    let query = LogQuery {
        min_level: level,
        since: None,
    };
    let entries = logs::tail(&dir, &query, limit.clamp(1, MAX_LINES) as usize)?;
    Ok(LogsView {
        dir: dir.display().to_string(),
        lines: entries.into_iter().map(LogLine::from).collect(),
    })
}

/// Hands the folder to the system's opener (`opener` names a program instead, for tests).
/// Nothing but this one folder is ever opened, so the window needs no opener permission.
fn open_folder(dir: &Path, opener: Option<&str>) -> Result<String, IpcError> {
    if !dir.is_dir() {
        return Err(IpcError::not_found(format!(
            "There is no log folder yet at {}: the server creates it the first time an AI client starts it.",
            dir.display()
        )));
    }
    match opener {
        Some(program) => open::with_detached(dir, program),
        None => open::that_detached(dir),
    }
    .map_err(|e| {
        IpcError::failed(format!(
            "Could not open {} in a file manager ({e}). Copy the path and open it yourself.",
            dir.display()
        ))
    })?;
    Ok(dir.display().to_string())
}

/// The newest `limit` log entries at `level` and above.
#[tauri::command]
#[specta::specta]
pub async fn logs_recent(
    state: tauri::State<'_, AppState>,
    level: LogLevel,
    limit: u32,
) -> Result<LogsView, IpcError> {
    let data_dir = state.data_dir()?;
    blocking(move || recent_in(&data_dir, level, limit)).await
}

/// Opens the logs folder in the system's file manager; returns its path.
#[tauri::command]
#[specta::specta]
pub async fn logs_open_folder(state: tauri::State<'_, AppState>) -> Result<String, IpcError> {
    let dir = state.data_dir()?.logs_dir();
    blocking(move || open_folder(&dir, None)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINES: &str = "2026-11-22T08:00:00.000000Z  INFO llmgen_server: serving MCP on stdio\n\
2026-11-22T09:00:00.000000Z ERROR llmgen_server: usage not recorded: disk full\n  caused by: ENOSPC\n\
2026-11-22T10:00:00.000000Z DEBUG llmgen_server: detail\n";

    /// Proves: the screen gets the log folder's path and the newest entries at the chosen level
    /// and above, oldest first, with continuation lines; an empty folder is no error.
    #[test]
    fn recent_lines_follow_the_level_filter() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data_dir = DataDir::at(dir.path());
        let empty = recent_in(&data_dir, LogLevel::Info, 100).expect("no folder yet");
        assert!(empty.lines.is_empty());
        assert_eq!(Path::new(&empty.dir), data_dir.logs_dir());
        std::fs::create_dir_all(data_dir.logs_dir()).expect("mkdir");
        std::fs::write(data_dir.logs_dir().join("llmgen.2026-11-22.log"), LINES).expect("write");
        let errors = recent_in(&data_dir, LogLevel::Error, 100).expect("read");
        assert_eq!(errors.lines.len(), 1);
        assert_eq!(errors.lines[0].level, LogLevel::Error);
        assert_eq!(errors.lines[0].time, "2026-11-22T09:00:00Z");
        assert!(errors.lines[0].text.ends_with("caused by: ENOSPC"));
        let debug = recent_in(&data_dir, LogLevel::Debug, 2).expect("read");
        let levels: Vec<LogLevel> = debug.lines.iter().map(|l| l.level).collect();
        assert_eq!(levels, [LogLevel::Error, LogLevel::Debug]);
    }

    /// Proves: "Open logs folder" hands exactly the logs folder to the opener program (a real
    /// child process that records its argument), and a missing folder is a clear error.
    #[cfg(unix)]
    #[test]
    fn open_folder_runs_the_opener_on_the_logs_folder() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let logs = dir.path().join("logs");
        let err = open_folder(&logs, None).expect_err("missing").message;
        assert!(err.contains("no log folder yet"), "{err}");
        std::fs::create_dir(&logs).expect("mkdir");
        let record = dir.path().join("opened.txt");
        let opener = dir.path().join("fake-opener");
        std::fs::write(
            &opener,
            format!(
                "#!/bin/sh\nprintf '%s' \"$1\" > '{}.tmp' && mv '{0}.tmp' '{0}'\n",
                record.display()
            ),
        )
        .expect("write opener");
        std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let opened = open_folder(&logs, opener.to_str()).expect("open");
        assert_eq!(Path::new(&opened), logs);
        // The opener runs detached, as a file manager would: wait for its record to appear.
        let got = (0..600)
            .find_map(|_| {
                std::fs::read_to_string(&record).ok().or_else(|| {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    None
                })
            })
            .expect("the opener ran");
        assert_eq!(Path::new(&got), logs);
    }
}
