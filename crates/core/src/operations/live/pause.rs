//! The paused state set by an emergency stop: the file `<data dir>/paused.json` while paused.
//!
//! A file rather than a setting: servers that clients start again check it on every tool call
//! (one `stat`, no database read), it takes effect in every process at once, and it survives a
//! damaged database, which is when an emergency stop is most likely.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::LiveError;
use crate::{paths::DataDir, timefmt};

/// Since when, and by which front end, serving is paused.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paused {
    /// RFC 3339, UTC.
    pub since: String,
    /// Who stopped the servers: `cli`, `tray` or `app`.
    pub by: String,
}

/// The tool error of a paused server: what happened and how to undo it, for the person reading
/// it in their AI app.
pub const PAUSED_TOOL_ERROR: &str = "MCP LLM Generator is paused by the user (emergency stop): no tool runs until it is resumed. Resume from the app's tray menu (Resume servers) or its Settings, or run `mcp-llm-generator resume`, then try again.";

fn path(data_dir: &DataDir) -> PathBuf {
    data_dir.root().join("paused.json")
}

/// Whether serving is paused: cheap enough for every tool call.
pub fn is_paused(data_dir: &DataDir) -> bool {
    path(data_dir).exists()
}

/// The paused state, if paused. A file that cannot be read still means paused.
pub fn paused(data_dir: &DataDir) -> Option<Paused> {
    let path = path(data_dir);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(_) => Vec::new(),
    };
    Some(serde_json::from_slice(&bytes).unwrap_or_else(|_| Paused {
        since: String::new(),
        by: "unknown".into(),
    }))
}

/// Pauses serving (the first step of an emergency stop); an earlier pause is kept as it was.
pub fn pause(data_dir: &DataDir, by: &str) -> Result<Paused, LiveError> {
    if let Some(existing) = paused(data_dir) {
        return Ok(existing);
    }
    let state = Paused {
        since: timefmt::now_string(),
        by: by.to_string(),
    };
    // Atomic: a server checking at this moment sees paused or not, never a torn file.
    super::record::write_json(&path(data_dir), &state)?;
    Ok(state)
}

/// Resumes serving: tool calls work again at once, in running servers too. Returns whether it
/// was paused.
pub fn resume(data_dir: &DataDir) -> Result<bool, LiveError> {
    let path = path(data_dir);
    match std::fs::remove_file(&path) {
        Ok(()) => {
            super::event::log(data_dir, "INFO", "servers resumed: tool calls are answered again");
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(LiveError::io("remove", &path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pause_is_kept_until_resume_and_the_first_pause_wins() {
        // Proves: pausing is visible to every reader, a second pause keeps the first one's time
        // and author, and resume says whether there was anything to resume.
        let dir = tempfile::tempdir().expect("tempdir");
        let data_dir = DataDir::at(dir.path());
        assert!(!is_paused(&data_dir));
        let first = pause(&data_dir, "tray").expect("pause");
        assert!(is_paused(&data_dir));
        assert_eq!(pause(&data_dir, "cli").expect("again"), first);
        assert_eq!(paused(&data_dir).map(|p| p.by), Some("tray".into()));
        assert!(resume(&data_dir).expect("resume"));
        assert!(!is_paused(&data_dir));
        assert!(!resume(&data_dir).expect("resume again"));
    }
}
