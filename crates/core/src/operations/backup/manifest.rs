//! The manifest beside each backup: when and by which build it was taken, the schema version,
//! the row count of every table and the sha256 and size of the stored file, so that `verify`
//! can tell a damaged or truncated backup from a good one before anything is restored.

use std::{
    collections::BTreeMap,
    fs,
    io::{Read, Write},
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::BackupError;
use crate::progress::Progress;

/// Why a backup was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// `backup create` or the app's button.
    Manual,
    /// The daily schedule.
    Scheduled,
    /// The safety copy `backup restore` takes of the current data first.
    PreRestore,
    /// Taken by the emergency stop (`stop --all`, the tray's "Stop all servers"), after the
    /// servers ended and the WAL was checkpointed.
    Emergency,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Version of this manifest's layout.
    pub format: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    pub app_version: String,
    pub schema_version: i64,
    pub reason: Reason,
    /// Rows per table at the moment of the copy (one read snapshot with the copy itself).
    pub tables: BTreeMap<String, u64>,
    pub encrypted: bool,
    /// Size of the stored file (after encryption).
    pub size_bytes: u64,
    /// Size of the database inside.
    pub database_bytes: u64,
    /// sha256 of the stored file, lowercase hex.
    pub sha256: String,
    /// Set only on a pre-restore safety copy of a live database that failed SQLite's integrity
    /// check: what the check found. The copy keeps the damaged data as it was (for salvage with
    /// `sqlite3 .recover`); it does not verify and cannot be restored as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity_failed: Option<String>,
}

/// The manifest file of a backup: its name plus `.json`.
pub fn path_of(backup: &Path) -> PathBuf {
    let mut name = backup.as_os_str().to_owned();
    name.push(".json");
    PathBuf::from(name)
}

/// Reads a backup's manifest.
pub fn read(backup: &Path) -> Result<Manifest, BackupError> {
    let path = path_of(backup);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(BackupError::ManifestMissing {
                path: backup.to_path_buf(),
                manifest: path,
            });
        }
        Err(e) => return Err(BackupError::io("read", path, e)),
    };
    serde_json::from_str(&text).map_err(|e| BackupError::ManifestInvalid {
        path: backup.to_path_buf(),
        detail: e.to_string(),
    })
}

/// Writes a manifest through a temp file and a rename.
pub fn write(backup: &Path, manifest: &Manifest) -> Result<(), BackupError> {
    let path = path_of(backup);
    let temp = super::create::temp_path(&path);
    let result = (|| {
        let text = serde_json::to_string_pretty(manifest).map_err(|e| BackupError::ManifestInvalid {
            path: backup.to_path_buf(),
            detail: e.to_string(),
        })?;
        let mut file = super::create_private(&temp).map_err(|e| BackupError::io("create", &temp, e))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| BackupError::io("write", &temp, e))?;
        fs::rename(&temp, &path).map_err(|e| BackupError::io("rename", &path, e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// sha256 of a file, lowercase hex, reporting progress by bytes read.
pub fn sha256_file(path: &Path, progress: &dyn Progress) -> Result<String, BackupError> {
    let mut file = fs::File::open(path).map_err(|e| BackupError::io("open", path, e))?;
    let total = file.metadata().map(|m| m.len()).ok();
    progress.stage("Computing the checksum", total);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut done = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| BackupError::io("read", path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        done += n as u64;
        progress.advance(done);
    }
    progress.finish();
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}
