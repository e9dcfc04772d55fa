//! Database backups: consistent copies of the live database taken with SQLite's online backup
//! API while other processes keep writing, optionally encrypted with age, each with a manifest;
//! listing, verification, verified restore into the live database, retention and the schedule.
//!
//! Files live in the data dir's `backups/database/` (client-file backups have their own
//! `backups/clients/`): `llmgen-<UTC stamp>[-<reason>].db[.age]` beside `<that name>.json`, the
//! manifest. Names sort by time. A backup only ever appears under its final name complete: it
//! is written to a dot-named temp file and renamed, after its manifest.

mod create;
mod crypt;
mod error;
mod manifest;
mod passphrase;
mod restore;
mod retention;
mod schedule;
mod verify;

use std::{
    fs::{self, File, OpenOptions},
    path::{Path, PathBuf},
};

use serde::Serialize;
use time::OffsetDateTime;

pub use create::{CreateOptions, back_up_now, create};
pub use error::BackupError;
pub use manifest::{Manifest, Reason};
pub use passphrase::{PASSPHRASE_ACCOUNT, PASSPHRASE_ENV, passphrase, store_passphrase, stored_passphrase};
pub use restore::{RestoreReport, restore};
pub use retention::{PruneReport, Retention, prune};
pub use schedule::{is_due, last_backup_age, newest, run_if_due, spawn_due_backup};
pub use verify::{VerifyReport, verify};

use crate::paths::DataDir;

/// File name prefix of every database backup.
const PREFIX: &str = "llmgen-";
/// Extension of a plain backup (a SQLite database file).
const PLAIN_EXT: &str = ".db";
/// Extension of an encrypted backup (the database, encrypted with age to a passphrase).
const AGE_EXT: &str = ".db.age";

/// One backup file, as `backup list` shows it and the health check and daily report read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupInfo {
    pub path: PathBuf,
    /// When it was taken (from its manifest; from its name when the manifest is missing).
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// Size of the stored file (encrypted size for an encrypted backup).
    pub size_bytes: u64,
    pub encrypted: bool,
    /// Schema version of the database inside; `None` without a manifest.
    pub schema_version: Option<i64>,
    /// Why it was taken; `None` without a manifest.
    pub reason: Option<Reason>,
    /// True for a pre-restore safety copy of a live database that failed SQLite's integrity
    /// check (kept for salvage; it cannot be restored as is).
    pub integrity_failed: bool,
}

/// The folder of database backups inside a data dir.
pub fn backups_dir(data_dir: &DataDir) -> PathBuf {
    data_dir.backups_dir().join("database")
}

/// The backups in the data dir's backup folder, newest first. A missing folder is no backups.
pub fn list(data_dir: &DataDir) -> Result<Vec<BackupInfo>, BackupError> {
    list_in(&backups_dir(data_dir))
}

/// The backups in one folder, newest first.
pub fn list_in(dir: &Path) -> Result<Vec<BackupInfo>, BackupError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(BackupError::io("read the backup folder", dir, e)),
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !is_backup_name(name) {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        let manifest = manifest::read(&path).ok();
        let created = manifest
            .as_ref()
            .map(|m| m.created)
            .or_else(|| stamp_of(name))
            .or_else(|| meta.modified().ok().map(OffsetDateTime::from))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        found.push(BackupInfo {
            created,
            size_bytes: meta.len(),
            encrypted: name.ends_with(AGE_EXT),
            schema_version: manifest.as_ref().map(|m| m.schema_version),
            reason: manifest.as_ref().map(|m| m.reason),
            integrity_failed: manifest.as_ref().is_some_and(|m| m.integrity_failed.is_some()),
            path,
        });
    }
    found.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| b.path.cmp(&a.path)));
    Ok(found)
}

/// True for the file name of a finished backup (never a temp file, never a manifest).
fn is_backup_name(name: &str) -> bool {
    name.starts_with(PREFIX) && (name.ends_with(PLAIN_EXT) || name.ends_with(AGE_EXT))
}

/// True when `path` names an encrypted backup (by its extension, as `create` names them).
pub fn is_encrypted(path: &Path) -> bool {
    path.to_string_lossy().ends_with(AGE_EXT)
}

/// The file name of a backup taken at `at`: a fixed-width UTC stamp, so names sort by time.
fn file_name(at: OffsetDateTime, reason: Reason, encrypted: bool) -> String {
    let stamp = crate::timefmt::format(at).replace([':', '-'], "");
    let suffix = match reason {
        Reason::Manual => "",
        Reason::Scheduled => "-scheduled",
        Reason::PreRestore => "-pre-restore",
        Reason::Emergency => "-emergency",
    };
    let ext = if encrypted { AGE_EXT } else { PLAIN_EXT };
    format!("{PREFIX}{stamp}{suffix}{ext}")
}

/// The name of a copy that failed its integrity check: `-damaged` before the extension, so a
/// listing shows it at a glance (`llmgen-<stamp>-pre-restore-damaged.db`).
fn damaged_name(name: &str) -> String {
    match name.find(PLAIN_EXT) {
        Some(i) => {
            let (stem, ext) = name.split_at(i);
            format!("{stem}-damaged{ext}")
        }
        None => format!("{name}-damaged"),
    }
}

/// The time in a backup's name (`llmgen-20261123T101500.000000Z...`).
fn stamp_of(name: &str) -> Option<OffsetDateTime> {
    let stamp = name.strip_prefix(PREFIX)?.get(..23)?;
    let format =
        time::macros::format_description!("[year][month][day]T[hour][minute][second].[subsecond digits:6]Z");
    time::PrimitiveDateTime::parse(stamp, &format)
        .ok()
        .map(|t| t.assume_utc())
}

/// An exclusive lock over the backup folder: one backup or restore at a time among every
/// process on this data dir. Released when dropped (and by the OS if the process dies).
pub(crate) struct Lock {
    file: File,
}

impl Lock {
    fn open(data_dir: &DataDir) -> Result<File, BackupError> {
        let dir = backups_dir(data_dir);
        create_private_dir(&data_dir.backups_dir())?;
        create_private_dir(&dir)?;
        let path = dir.join(".lock");
        let mut options = OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&path)
            .map_err(|e| BackupError::io("create the lock file", &path, e))
    }

    /// Waits for the lock.
    pub(crate) fn acquire(data_dir: &DataDir) -> Result<Self, BackupError> {
        let file = Self::open(data_dir)?;
        // fs4's trait method, named in full: std's own File::lock is newer than our minimum Rust.
        fs4::FileExt::lock(&file)
            .map_err(|e| BackupError::io("lock", backups_dir(data_dir).join(".lock"), e))?;
        Ok(Self { file })
    }

    /// Takes the lock only if no other process holds it.
    pub(crate) fn try_acquire(data_dir: &DataDir) -> Result<Option<Self>, BackupError> {
        let file = Self::open(data_dir)?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => Ok(Some(Self { file })),
            Err(_) => Ok(None),
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Closing the file releases the lock as well; unlocking first just makes it prompt.
        let _ = fs4::FileExt::unlock(&self.file);
    }
}

/// Endings of a temp file of ours: the temp file itself (a copy, an encrypted copy, a
/// manifest), and the journal, WAL and shared-memory files SQLite keeps beside a temp copy
/// while it writes it (a copy killed mid-way leaves its `-journal`).
const TEMP_ENDINGS: [&str; 4] = [".tmp", ".tmp-journal", ".tmp-wal", ".tmp-shm"];

/// True for the name of a temp file a backup, verify or restore writes (see [`create::temp_path`]).
fn is_temp_name(name: &str) -> bool {
    name.starts_with(".llmgen-") && TEMP_ENDINGS.iter().any(|end| name.ends_with(end))
}

/// Removes what a killed backup, verify or restore left behind (dot-named temp files, among
/// them the plain copy of an encrypted backup and SQLite's journal beside a copy, and scratch
/// folders holding decrypted copies). Called by each of them, by `prune` and by the server's
/// start-up backup check, always with the [`Lock`] held: whoever writes these files holds it,
/// so none of them is being written.
fn remove_leftovers(dir: &Path) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if is_temp_name(&name) {
            let _ = fs::remove_file(&path);
        } else if name.starts_with(".restore-") && name != format!(".restore-{}", std::process::id()) {
            let _ = fs::remove_dir_all(&path);
        } else if let Some(backup) = name.strip_suffix(".json").filter(|b| is_backup_name(b)) {
            // A manifest whose backup is gone (deleted by hand, or a create killed between
            // writing the manifest and publishing the file).
            if !dir.join(backup).exists() {
                let _ = fs::remove_file(&path);
            }
        }
    }
}

/// Creates `dir` private to the user (0700 on Unix) when missing: our own backup folders.
fn create_private_dir(dir: &Path) -> Result<(), BackupError> {
    crate::paths::create_private_dir(dir).map_err(|e| BackupError::io("create the backup folder", dir, e))
}

/// Creates (or truncates) a file only the user can read and write (0600 on Unix): backups,
/// their manifests and decrypted copies hold conversations, wherever they are written.
pub(crate) fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    // The mode above applies only to a new file.
    crate::paths::make_private(path);
    Ok(file)
}

/// Sums a file's size, 0 when it does not exist (a WAL that was checkpointed away).
pub(crate) fn file_size(path: &Path) -> u64 {
    fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_by_time_and_carry_their_time() {
        let a = time::macros::datetime!(2026-11-23 09:59:59.5 UTC);
        let b = time::macros::datetime!(2026-11-23 10:00:00 UTC);
        let na = file_name(a, Reason::Scheduled, false);
        let nb = file_name(b, Reason::Manual, true);
        assert!(na < nb, "{na} < {nb}");
        assert_eq!(stamp_of(&na), Some(a));
        assert_eq!(stamp_of(&nb), Some(b));
        assert!(is_backup_name(&na) && is_backup_name(&nb));
        assert!(!is_backup_name(&format!("{na}.json")));
        assert!(!is_backup_name(&format!(".{na}.tmp")));
        let temp = create::temp_path(&backups_dir(&DataDir::at("/d")).join(&na).with_extension("copy"));
        let temp = temp
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for end in ["", "-journal", "-wal", "-shm"] {
            assert!(is_temp_name(&format!("{temp}{end}")), "{temp}{end}");
        }
        assert!(!is_temp_name(&na) && !is_temp_name(&format!("{na}.json")));
        let damaged = damaged_name(&file_name(b, Reason::PreRestore, false));
        assert!(damaged.ends_with("-pre-restore-damaged.db"), "{damaged}");
        assert!(is_backup_name(&damaged));
        assert_eq!(stamp_of(&damaged), Some(b));
    }
}
