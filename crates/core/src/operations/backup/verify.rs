//! `backup verify`: everything that must hold before a backup may be restored — the manifest,
//! size and sha256 of the stored file, decryption, SQLite's integrity check, a schema no newer
//! than this build, and the row counts of the manifest.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use time::OffsetDateTime;

use super::{BackupError, Lock, create, crypt, manifest};
use crate::{paths::DataDir, progress::Progress, secrets::Secret};

/// What a verified backup holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    pub path: PathBuf,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    pub app_version: String,
    pub encrypted: bool,
    pub size_bytes: u64,
    pub schema_version: i64,
    /// True when the backup's schema is older than this build's: a restore migrates it.
    pub needs_migration: bool,
    pub tables: BTreeMap<String, u64>,
}

/// Verifies a backup file. Nothing is changed; an encrypted backup is decrypted into a scratch
/// folder in the data dir's backup folder, removed afterwards.
pub fn verify(
    data_dir: &DataDir,
    file: &Path,
    passphrase: Option<&Secret>,
    progress: &dyn Progress,
) -> Result<VerifyReport, BackupError> {
    let _lock = Lock::acquire(data_dir)?;
    // A verify or restore killed earlier may have left a decrypted copy: remove it now.
    super::remove_leftovers(&super::backups_dir(data_dir));
    let scratch = Scratch::new(data_dir)?;
    let (report, _copy) = check(file, passphrase, &scratch, false, progress)?;
    Ok(report)
}

/// Checks a backup. With `want_copy` (or when encrypted) the checks run on a plain copy in
/// `scratch`, whose path is returned: exactly the bytes that were checked are what a restore
/// then uses.
pub(crate) fn check(
    file: &Path,
    passphrase: Option<&Secret>,
    scratch: &Scratch,
    want_copy: bool,
    progress: &dyn Progress,
) -> Result<(VerifyReport, Option<PathBuf>), BackupError> {
    let manifest = manifest::read(file)?;
    let found = fs::metadata(file)
        .map_err(|e| BackupError::io("read", file, e))?
        .len();
    if found != manifest.size_bytes {
        return Err(BackupError::SizeMismatch {
            path: file.to_path_buf(),
            expected: manifest.size_bytes,
            found,
        });
    }
    if manifest::sha256_file(file, progress)? != manifest.sha256 {
        return Err(BackupError::Checksum {
            path: file.to_path_buf(),
        });
    }
    let encrypted = manifest.encrypted || super::is_encrypted(file);
    let copy = scratch.0.join("restore.db");
    let checked = if encrypted {
        let passphrase = passphrase.ok_or_else(|| BackupError::PassphraseNeeded(file.to_path_buf()))?;
        crypt::decrypt_file(file, &copy, passphrase, progress)?;
        Some(copy)
    } else if want_copy {
        progress.stage("Copying the backup", None);
        fs::copy(file, &copy).map_err(|e| BackupError::io("copy", file, e))?;
        progress.finish();
        Some(copy)
    } else {
        None
    };
    let db = checked.as_deref().unwrap_or(file);
    let (schema_version, tables) = {
        let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| {
            BackupError::Integrity {
                path: file.to_path_buf(),
                detail: e.to_string(),
            }
        })?;
        progress.stage("Checking integrity", None);
        create::integrity(&conn, file)?;
        progress.finish();
        let not_a_store = |e: rusqlite::Error| BackupError::Integrity {
            path: file.to_path_buf(),
            detail: format!("not an MCP LLM Generator database: {e}"),
        };
        (
            create::schema_version(&conn).map_err(not_a_store)?,
            create::row_counts(&conn).map_err(not_a_store)?,
        )
    };
    let known = create::known_schema();
    if schema_version > known {
        return Err(BackupError::SchemaTooNew {
            path: file.to_path_buf(),
            found: schema_version,
            known,
        });
    }
    for (table, expected) in &manifest.tables {
        let found = tables.get(table).copied().unwrap_or(0);
        if found != *expected {
            return Err(BackupError::CountsDiffer {
                path: file.to_path_buf(),
                table: table.clone(),
                expected: *expected,
                found,
            });
        }
    }
    Ok((
        VerifyReport {
            path: file.to_path_buf(),
            created: manifest.created,
            app_version: manifest.app_version,
            encrypted,
            size_bytes: found,
            schema_version,
            needs_migration: schema_version < known,
            tables,
        },
        checked,
    ))
}

/// A private folder in the backup folder for decrypted and migrated copies (same file system
/// as the data, never the shared temp dir). Removed when dropped; a killed process's folder is
/// removed by the next backup, verify or restore.
pub(crate) struct Scratch(pub(crate) PathBuf);

impl Scratch {
    pub(crate) fn new(data_dir: &DataDir) -> Result<Self, BackupError> {
        let dir = super::backups_dir(data_dir).join(format!(".restore-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        crate::paths::create_private_dir(&dir).map_err(|e| BackupError::io("create", &dir, e))?;
        Ok(Self(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}
