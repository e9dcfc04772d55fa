//! The log line of an emergency stop or a resume, appended to the day's file in the data dir's
//! `logs/` (where the Logs screen and `mcp-llm-generator logs` read), whichever front end acted:
//! the tray and the CLI log only to stderr, which nobody keeps.

use std::io::Write;

use crate::{operations::logs, paths::DataDir, timefmt};

/// Appends one line in the server's log format (`<time> <LEVEL> llmgen_core: <text>`), and
/// logs it through tracing too. Best effort: a log that cannot be written never fails the stop.
pub(super) fn log(data_dir: &DataDir, level: &str, text: &str) {
    // Info, not warn: the CLI prints what it did on stdout and shows warnings on stderr.
    tracing::info!("{text}");
    let dir = data_dir.logs_dir();
    let now = timefmt::now();
    let file = logs::file_for(&dir, now.date());
    let line = format!("{} {level:>5} llmgen_core::live: {text}\n", timefmt::format(now));
    let written = crate::paths::create_private_dir(&dir)
        .and_then(|()| crate::paths::create_private_file(&file))
        .and_then(|()| std::fs::OpenOptions::new().append(true).open(&file))
        .and_then(|mut f| f.write_all(line.as_bytes()));
    if let Err(e) = written {
        tracing::warn!("the event was not written to {}: {e}", file.display());
    }
}
