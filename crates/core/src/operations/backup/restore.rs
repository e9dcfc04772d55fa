//! `backup restore`: verify first, migrate an older copy, then, holding the live database's
//! write lock, take a safety backup of the current data and copy the backup in with SQLite's
//! backup API.
//!
//! Why the backup API into the live file (and not a file rename): server processes keep the
//! database open. A rename would leave them reading the old, unlinked file; the backup API
//! writes through SQLite's own locking as one write transaction, so every open connection sees
//! either the old or the restored data, and a crash (even kill -9) before the commit leaves the
//! old data: the uncommitted WAL frames are discarded when the database is next opened.
//!
//! Why the safety copy is taken under the restore's write lock: writes other processes commit
//! after the safety copy's snapshot and before the restore commits would be in neither (issue
//! 18 lost dozens per run). Holding the lock from before the safety copy to the commit, no
//! write can fall between the two: writers wait on their busy timeout (see `store.rs`) and then
//! commit on top of the restored data.

use std::{collections::BTreeMap, path::Path, path::PathBuf};

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::{BackupError, BackupInfo, CreateOptions, Lock, Reason, create, verify};
use crate::{Store, paths::DataDir, progress::Progress, secrets::Secret};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreReport {
    pub restored_from: PathBuf,
    /// The copy of the data as it was before the restore; `None` when there was no database.
    pub safety_backup: Option<BackupInfo>,
    /// Schema version of the backup as stored.
    pub backup_schema_version: i64,
    /// True when the backup was migrated to this build's schema before it was restored.
    pub migrated: bool,
    /// Rows per table now in the live database.
    pub tables: BTreeMap<String, u64>,
}

/// Restores `file` into the data dir's database. On any error before the final commit the
/// current data stays exactly as it was.
pub fn restore(
    data_dir: &DataDir,
    file: &Path,
    passphrase: Option<&Secret>,
    progress: &dyn Progress,
) -> Result<RestoreReport, BackupError> {
    let _lock = Lock::acquire(data_dir)?;
    // A verify or restore killed earlier may have left a decrypted copy: remove it now.
    super::remove_leftovers(&super::backups_dir(data_dir));
    let scratch = verify::Scratch::new(data_dir)?;
    let (report, copy) = verify::check(file, passphrase, &scratch, true, progress)?;
    let copy = copy.ok_or_else(|| BackupError::Integrity {
        path: file.to_path_buf(),
        detail: "no copy was made to restore from".into(),
    })?;
    if report.needs_migration {
        progress.stage("Migrating the backup to this version", None);
        // Opening through the store applies the missing migrations (and seeds new built-ins)
        // to the copy only; closing checkpoints its WAL back into the file.
        drop(Store::open_path(&copy)?);
        progress.finish();
    }

    let db = data_dir.db_path();
    let existed = db.exists();
    data_dir.ensure()?;
    let take_safety_backup = || -> Result<Option<BackupInfo>, BackupError> {
        if !existed {
            return Ok(None);
        }
        let options = CreateOptions {
            reason: Reason::PreRestore,
            // A damaged live database is exactly when people restore: keep its data as it is
            // (marked as damaged) rather than refusing the restore.
            keep_damaged: true,
            ..CreateOptions::default()
        };
        Ok(Some(create::create_locked(data_dir, &options, progress)?.0))
    };

    // Read-write: a migrated copy is in WAL mode, which a read-only connection may not open.
    let source = Connection::open_with_flags(&copy, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(BackupError::sqlite("opening the verified copy"))?;
    crate::paths::create_private_file(&db).map_err(|e| BackupError::io("create", &db, e))?;
    let mut live = Connection::open(&db).map_err(BackupError::sqlite("opening the database"))?;
    live.busy_timeout(create::BUSY_TIMEOUT)
        .map_err(BackupError::sqlite("opening the database"))?;
    // The live file stays in WAL mode (a new file gets it here), so other processes keep
    // reading while the restore writes, and the restore is one transaction in the WAL.
    // A damaged live database (the reason for many restores) may refuse even this pragma: its
    // schema cannot be read. The copy below replaces every page regardless; WAL mode is then
    // set on the restored data.
    let wal = |live: &Connection| {
        live.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            .map_err(BackupError::sqlite("opening the database"))
    };
    let wal_before = wal(&live);
    let safety_backup = match &wal_before {
        Ok(mode) if mode.eq_ignore_ascii_case("wal") => {
            create::copy_pages_holding(&source, &mut live, "Restoring", progress, take_safety_backup)?
        }
        // Not in WAL mode: a database whose schema cannot be read, which no server can write
        // to either (each sets WAL mode on opening). In rollback mode the restore's write lock
        // would also keep the safety copy from reading, so the copy comes first.
        _ => {
            let safety_backup = take_safety_backup()?;
            create::copy_pages(&source, &mut live, "Restoring", progress)?;
            safety_backup
        }
    };
    drop(source);
    if wal_before.is_err() {
        wal(&live)?;
    }

    progress.stage("Checking the restored database", None);
    create::integrity(&live, &db)?;
    let tables = create::row_counts(&live).map_err(BackupError::sqlite("counting rows"))?;
    progress.finish();
    tracing::info!(from = %file.display(), "database restored from a backup");
    Ok(RestoreReport {
        restored_from: file.to_path_buf(),
        safety_backup,
        backup_schema_version: report.schema_version,
        migrated: report.needs_migration,
        tables,
    })
}
