//! One serving process's record, `<data dir>/live/<pid>.json`: written whole to a temp file and
//! renamed over the old one (a reader never sees half a record), read back by [`list`], which
//! removes the records of processes that are gone.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};

use super::{LiveError, process};
use crate::paths::DataDir;

/// A serving process as the registry shows it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveServer {
    pub pid: u32,
    /// The process's start marker (Linux: start time in clock ticks since boot), so a later
    /// process that reuses the pid is not taken for this one; `None` where the system gives none.
    pub process_start: Option<u64>,
    /// When the process started serving (RFC 3339, UTC).
    pub started_at: String,
    /// The data folder it serves.
    pub data_dir: PathBuf,
    /// Our id of the AI app whose entry started it (`--client`); `None` for an entry written by an
    /// older version, or a start by hand.
    pub client_id: Option<String>,
    /// The name and version the client gave in its handshake; `None` until it connected.
    pub client_name: Option<String>,
    pub client_version: Option<String>,
    /// Whether the client offered MCP sampling (its own model); `None` until it connected.
    pub sampling: Option<bool>,
    /// The last tool call (RFC 3339, UTC), up to a few seconds late; `None` before the first.
    pub last_call_at: Option<String>,
    /// The server's version.
    pub version: String,
}

/// The folder of records in a data dir.
pub fn live_dir(data_dir: &DataDir) -> PathBuf {
    data_dir.root().join("live")
}

/// The record file of `pid`.
pub(super) fn path_of(data_dir: &DataDir, pid: u32) -> PathBuf {
    live_dir(data_dir).join(format!("{pid}.json"))
}

/// Writes `record` atomically (temp file in the same folder, then rename).
pub(super) fn write(path: &Path, record: &LiveServer) -> Result<(), LiveError> {
    write_json(path, record)
}

/// Writes `value` as JSON to `path` atomically, creating its folder private to the user: a
/// reader sees the old file or the new one, never half of one.
pub(super) fn write_json(path: &Path, value: &impl Serialize) -> Result<(), LiveError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::paths::create_private_dir(dir).map_err(|e| LiveError::io("create", dir, e))?;
    let text = serde_json::to_vec_pretty(value).map_err(|e| LiveError::io("encode", path, e.into()))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".live-")
        .tempfile_in(dir)
        .map_err(|e| LiveError::io("write", dir, e))?;
    temp.write_all(&text)
        .map_err(|e| LiveError::io("write", path, e))?;
    temp.persist(path)
        .map_err(|e| LiveError::io("write", path, e.error))?;
    Ok(())
}

/// The serving processes registered in `data_dir` that still run, oldest first. Records of
/// processes that are gone (killed, crashed, or their pid now belongs to another process) are
/// removed on the way. No folder means none.
pub fn list(data_dir: &DataDir) -> Result<Vec<LiveServer>, LiveError> {
    let dir = live_dir(data_dir);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(LiveError::io("read", &dir, e)),
    };
    let mut live = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(pid) = pid_of_name(&path) else {
            continue;
        };
        // A record that cannot be read is not a server we can vouch for: gone with its pid.
        let record = fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<LiveServer>(&bytes).ok())
            .filter(|r| r.pid == pid);
        match record {
            Some(r) if process::is_same(r.pid, r.process_start) => live.push(r),
            _ => {
                tracing::debug!(pid, "removing the record of a server that is gone");
                let _ = fs::remove_file(&path);
            }
        }
    }
    live.sort_by(|a, b| a.started_at.cmp(&b.started_at).then(a.pid.cmp(&b.pid)));
    Ok(live)
}

/// `<pid>.json` → pid; other names (temp files) are not records.
fn pid_of_name(path: &Path) -> Option<u32> {
    path.file_name()?.to_str()?.strip_suffix(".json")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(pid: u32, start: Option<u64>, data_dir: &DataDir) -> LiveServer {
        LiveServer {
            pid,
            process_start: start,
            started_at: "2026-12-07T10:00:00.000000Z".into(),
            data_dir: data_dir.root().to_path_buf(),
            client_id: Some("vscode".into()),
            client_name: None,
            client_version: None,
            sampling: None,
            last_call_at: None,
            version: crate::VERSION.into(),
        }
    }

    #[test]
    fn listing_keeps_live_servers_and_removes_records_of_dead_or_reused_pids() {
        // Proves: a record of this (live) process is listed; the record of a process that has
        // exited, and one whose pid now belongs to a process started at another time, are
        // removed from the folder when listed.
        let dir = tempfile::tempdir().expect("tempdir");
        let data_dir = DataDir::at(dir.path());
        let me = std::process::id();
        write(
            &path_of(&data_dir, me),
            &record(me, process::own_start(), &data_dir),
        )
        .expect("write");

        let mut child = std::process::Command::new("true").spawn().expect("spawn true");
        let dead = child.id();
        child.wait().expect("wait");
        write(&path_of(&data_dir, dead), &record(dead, Some(1), &data_dir)).expect("write");

        let listed = list(&data_dir).expect("list");
        assert_eq!(listed.iter().map(|r| r.pid).collect::<Vec<_>>(), [me]);
        assert!(
            !path_of(&data_dir, dead).exists(),
            "the dead process's record is gone"
        );
        assert!(path_of(&data_dir, me).exists());

        #[cfg(target_os = "linux")]
        {
            // The same pid, but a start time that is not this process's: a reused pid.
            let reused = record(me, process::own_start().map(|s| s + 7), &data_dir);
            write(&path_of(&data_dir, me), &reused).expect("write");
            assert!(list(&data_dir).expect("list").is_empty());
            assert!(!path_of(&data_dir, me).exists());
        }
    }

    #[test]
    fn no_folder_means_no_servers() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(
            list(&DataDir::at(dir.path().join("none")))
                .expect("list")
                .is_empty()
        );
    }
}
