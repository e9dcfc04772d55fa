//! `backup create`: a consistent copy of the live database with SQLite's online backup API while
//! other processes keep writing, checked with `PRAGMA integrity_check`, optionally encrypted,
//! then published with its manifest under a name that sorts by time.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use rusqlite::{Connection, OpenFlags, backup::StepResult};

use super::{BackupError, BackupInfo, Lock, Manifest, Reason, crypt, manifest};
use crate::{Store, paths::DataDir, progress::Progress, secrets::Secret};

/// Pages copied per step (4 MiB at the default page size): small enough for smooth progress,
/// large enough that the per-step overhead does not matter.
pub(crate) const PAGES_PER_STEP: i32 = 1024;
/// How long a copy waits for locks before giving up.
const BUSY_LIMIT: Duration = Duration::from_secs(60);
/// How long one connection waits for another process's transaction.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// What to make.
#[derive(Debug, Clone)]
pub struct CreateOptions {
    /// Folder to write to; the data dir's `backups/database/` when `None`.
    pub to: Option<PathBuf>,
    /// Encrypt with age to this passphrase.
    pub passphrase: Option<Secret>,
    pub reason: Reason,
    /// Keep the copy even when it fails SQLite's integrity check (the pre-restore safety copy
    /// of a damaged database: restoring is how a damaged database is repaired, so its data
    /// must be kept, not refused). The manifest then records the failure and the file name
    /// ends in `-damaged`.
    pub keep_damaged: bool,
}

impl Default for CreateOptions {
    fn default() -> Self {
        Self {
            to: None,
            passphrase: None,
            reason: Reason::Manual,
            keep_damaged: false,
        }
    }
}

/// Takes a backup of the data dir's database. Waits while another backup or restore runs.
pub fn create(
    data_dir: &DataDir,
    options: &CreateOptions,
    progress: &dyn Progress,
) -> Result<(BackupInfo, Manifest), BackupError> {
    let _lock = Lock::acquire(data_dir)?;
    create_locked(data_dir, options, progress)
}

/// "Back up now" from the tray and the app's screens: a manual backup in the data dir's backup
/// folder with the default options, no progress shown. One function, so both front ends take the
/// same backup.
pub fn back_up_now(data_dir: &DataDir) -> Result<BackupInfo, BackupError> {
    create(data_dir, &CreateOptions::default(), &crate::progress::Silent).map(|(info, _)| info)
}

/// [`create`] with the backup lock already held by the caller.
pub(crate) fn create_locked(
    data_dir: &DataDir,
    options: &CreateOptions,
    progress: &dyn Progress,
) -> Result<(BackupInfo, Manifest), BackupError> {
    let db = data_dir.db_path();
    if !db.exists() {
        return Err(BackupError::NoDatabase(db));
    }
    let default_dir = super::backups_dir(data_dir);
    let dir = options.to.clone().unwrap_or_else(|| default_dir.clone());
    fs::create_dir_all(&dir).map_err(|e| BackupError::io("create the backup folder", &dir, e))?;
    super::remove_leftovers(&default_dir);

    let created = crate::timefmt::now();
    let encrypted = options.passphrase.is_some();
    let name = super::file_name(created, options.reason, encrypted);
    // The plain copy of an encrypted backup never goes to `dir` (maybe a synced folder or a USB
    // stick, where a killed run would leave the data readable): it is made in the data dir's
    // own backup folder, whose leftovers the next backup, verify or restore removes.
    let plain_dir = if encrypted {
        super::create_private_dir(&default_dir)?;
        &default_dir
    } else {
        &dir
    };
    let plain_temp = temp_path(&plain_dir.join(&name).with_extension("copy"));
    let mut temps = Temps(vec![plain_temp.clone()]);

    let copy = copy_database(&db, &plain_temp, options.keep_damaged, progress)?;
    let name = match &copy.integrity_failed {
        Some(_) => super::damaged_name(&name),
        None => name,
    };
    let final_path = unique(dir.join(name));
    let sealed_temp = temp_path(&final_path);
    temps.0.push(sealed_temp.clone());
    let Copied {
        tables,
        schema_version,
        database_bytes,
        integrity_failed,
    } = copy;
    let stored = match &options.passphrase {
        Some(passphrase) => {
            crypt::encrypt_file(&plain_temp, &sealed_temp, passphrase, progress)?;
            let _ = fs::remove_file(&plain_temp);
            sealed_temp
        }
        None => {
            fs::rename(&plain_temp, &sealed_temp).map_err(|e| BackupError::io("rename", &plain_temp, e))?;
            sealed_temp
        }
    };
    let sha256 = manifest::sha256_file(&stored, progress)?;
    let size_bytes = super::file_size(&stored);
    let manifest = Manifest {
        format: 1,
        created,
        app_version: crate::VERSION.to_string(),
        schema_version,
        reason: options.reason,
        tables,
        encrypted,
        size_bytes,
        database_bytes,
        sha256,
        integrity_failed,
    };
    // The manifest first, then the backup under its final name: a backup that is listed is
    // complete and has its manifest. A manifest alone is harmless and never listed.
    manifest::write(&final_path, &manifest)?;
    fs::rename(&stored, &final_path).map_err(|e| BackupError::io("rename", &final_path, e))?;
    temps.0.clear();
    match &manifest.integrity_failed {
        Some(detail) => tracing::warn!(
            path = %final_path.display(), %detail,
            "database copied although it failed the integrity check (kept for salvage)"
        ),
        None => tracing::info!(path = %final_path.display(), size_bytes, encrypted, "database backup taken"),
    }
    Ok((
        BackupInfo {
            path: final_path,
            created,
            size_bytes,
            encrypted,
            schema_version: Some(schema_version),
            reason: Some(options.reason),
            integrity_failed: manifest.integrity_failed.is_some(),
        },
        manifest,
    ))
}

/// What [`copy_database`] copied.
struct Copied {
    tables: BTreeMap<String, u64>,
    schema_version: i64,
    database_bytes: u64,
    /// What the integrity check found, when it failed and `keep_damaged` kept the copy.
    integrity_failed: Option<String>,
}

/// Copies the live database at `db` into a new file `dest` in one read snapshot, then checks
/// the copy. Returns the row count of every table and the schema version, both read in the same
/// snapshot as the pages copied, and the copy's size. With `keep_damaged`, a copy that fails
/// the integrity check is kept (the failure is returned instead of an error), and tables that
/// cannot be counted are left out of the counts.
fn copy_database(
    db: &Path,
    dest: &Path,
    keep_damaged: bool,
    progress: &dyn Progress,
) -> Result<Copied, BackupError> {
    let source = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(BackupError::sqlite("opening the database"))?;
    source
        .busy_timeout(BUSY_TIMEOUT)
        .map_err(BackupError::sqlite("opening the database"))?;
    // An open read transaction pins one snapshot (WAL): every step of the copy and the counts
    // below read the same state, and other processes' commits neither block nor restart it.
    source
        .execute_batch("BEGIN DEFERRED")
        .map_err(BackupError::sqlite("starting the copy"))?;
    let snapshot = source.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0));
    // A damaged schema cannot be read; the page copy below does not need it.
    if !keep_damaged {
        snapshot.map_err(BackupError::sqlite("starting the copy"))?;
    }
    let (tables, schema_version) = if keep_damaged {
        (row_counts_lenient(&source), schema_version(&source).unwrap_or(0))
    } else {
        (
            row_counts(&source).map_err(BackupError::sqlite("counting rows"))?,
            schema_version(&source).map_err(BackupError::sqlite("reading the schema version"))?,
        )
    };
    let integrity_failed = {
        // Private from the start (the copy holds conversations, wherever it is written); SQLite
        // gives the copy's journal the same permissions.
        crate::paths::create_private_file(dest).map_err(|e| BackupError::io("create", dest, e))?;
        let mut copy = Connection::open(dest).map_err(BackupError::sqlite("creating the copy"))?;
        copy_pages(&source, &mut copy, "Copying the database", progress)?;
        // The copy is a single file: no -wal/-shm beside a backup.
        let single_file = copy
            .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get::<_, String>(0))
            .map_err(BackupError::sqlite("finishing the copy"));
        // A damaged schema can refuse even this; the check below then reports the damage.
        if !keep_damaged {
            single_file?;
        }
        progress.stage("Checking integrity", None);
        let checked = integrity(&copy, dest);
        progress.finish();
        match checked {
            Ok(()) => None,
            Err(BackupError::Integrity { detail, .. }) if keep_damaged => Some(detail),
            Err(e) => return Err(e),
        }
    };
    // Ends the read transaction only (nothing was written); closing the connection ends it too.
    let ended = source
        .execute_batch("COMMIT")
        .map_err(BackupError::sqlite("ending the copy"));
    if !keep_damaged {
        ended?;
    }
    Ok(Copied {
        tables,
        schema_version,
        database_bytes: super::file_size(dest),
        integrity_failed,
    })
}

/// Runs the online backup from `from` into `to` in steps, reporting bytes copied.
pub(crate) fn copy_pages(
    from: &Connection,
    to: &mut Connection,
    label: &str,
    progress: &dyn Progress,
) -> Result<(), BackupError> {
    copy_pages_holding(from, to, label, progress, || Ok(()))
}

/// [`copy_pages`], running `while_held` first, once `to`'s write lock is held and before any
/// page is written: between the two no other connection can commit to `to`, and everything it
/// committed before is visible to new readers. The lock is held until the last page is copied
/// and committed. An error from `while_held` leaves `to` untouched.
///
/// The backup API takes the destination's write transaction at its first step and keeps it
/// until the copy is done; a step of zero pages takes the locks and copies nothing. (A
/// connection in a write transaction cannot itself be a backup's destination or source, so
/// the lock must be the backup's own.)
pub(crate) fn copy_pages_holding<T>(
    from: &Connection,
    to: &mut Connection,
    label: &str,
    progress: &dyn Progress,
    while_held: impl FnOnce() -> Result<T, BackupError>,
) -> Result<T, BackupError> {
    let page_size: i64 = from
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .map_err(BackupError::sqlite("reading the page size"))?;
    let page_size = u64::try_from(page_size).unwrap_or(4096);
    let backup = rusqlite::backup::Backup::new(from, to).map_err(BackupError::sqlite("starting the copy"))?;
    let mut waiting = Waiting::default();
    // Done already here only for a source of no pages (an empty file): then the destination
    // was emptied in that same step, with nothing of the source to hold a lock for.
    let mut done = false;
    loop {
        match backup
            .step(0)
            .map_err(BackupError::sqlite("locking the database"))?
        {
            StepResult::More => break,
            StepResult::Done => {
                done = true;
                break;
            }
            _ => waiting.wait("locking the database")?,
        }
    }
    let held = while_held()?;
    let mut started = false;
    while !done {
        let step = backup
            .step(PAGES_PER_STEP)
            .map_err(BackupError::sqlite("copying pages"))?;
        let p = backup.progress();
        let total = u64::try_from(p.pagecount).unwrap_or(0) * page_size;
        let copied = u64::try_from(p.pagecount - p.remaining).unwrap_or(0) * page_size;
        if !started {
            progress.stage(label, Some(total));
            started = true;
        }
        match step {
            StepResult::Done => {
                progress.advance(total);
                done = true;
            }
            StepResult::More => {
                waiting = Waiting::default();
                progress.advance(copied);
            }
            // Another process holds a lock we need: wait a little, within a limit.
            _ => waiting.wait("copying pages")?,
        }
    }
    progress.finish();
    Ok(held)
}

/// How long a copy has been kept waiting for a lock.
#[derive(Default)]
struct Waiting(Option<Instant>);

impl Waiting {
    /// Sleeps a little, or fails once the wait exceeds [`BUSY_LIMIT`].
    fn wait(&mut self, action: &'static str) -> Result<(), BackupError> {
        let since = *self.0.get_or_insert_with(Instant::now);
        if since.elapsed() > BUSY_LIMIT {
            return Err(BackupError::Busy(action));
        }
        std::thread::sleep(Duration::from_millis(20));
        Ok(())
    }
}

/// `PRAGMA integrity_check` of a connection; an error naming `path` unless it says "ok".
pub(crate) fn integrity(conn: &Connection, path: &Path) -> Result<(), BackupError> {
    let mut stmt = conn.prepare("PRAGMA integrity_check").map_err(|e| match e {
        // A schema too damaged to read fails already here.
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error {
                code: rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase,
                ..
            },
            _,
        ) => BackupError::Integrity {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
        other => BackupError::Sqlite {
            action: "checking integrity",
            source: other,
        },
    })?;
    let lines: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| match e {
            // A file that is not a database at all fails here, not with a report.
            rusqlite::Error::SqliteFailure(_, _) => BackupError::Integrity {
                path: path.to_path_buf(),
                detail: e.to_string(),
            },
            other => BackupError::Sqlite {
                action: "checking integrity",
                source: other,
            },
        })?;
    if lines.len() == 1 && lines[0] == "ok" {
        Ok(())
    } else {
        Err(BackupError::Integrity {
            path: path.to_path_buf(),
            detail: lines.into_iter().take(3).collect::<Vec<_>>().join("; "),
        })
    }
}

/// Rows per table (SQLite's own tables excluded), in one statement per table.
pub(crate) fn row_counts(conn: &Connection) -> rusqlite::Result<BTreeMap<String, u64>> {
    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut counts = BTreeMap::new();
    for name in names {
        let quoted = name.replace('"', "\"\"");
        let n: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM \"{quoted}\""), [], |r| r.get(0))?;
        counts.insert(name, u64::try_from(n).unwrap_or(0));
    }
    Ok(counts)
}

/// [`row_counts`] of a possibly damaged database: the tables that can be counted (none when
/// even the table list cannot be read).
fn row_counts_lenient(conn: &Connection) -> BTreeMap<String, u64> {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_default();
    names
        .into_iter()
        .filter_map(|name| {
            let quoted = name.replace('"', "\"\"");
            let n: i64 = conn
                .query_row(&format!("SELECT COUNT(*) FROM \"{quoted}\""), [], |r| r.get(0))
                .ok()?;
            Some((name, u64::try_from(n).unwrap_or(0)))
        })
        .collect()
}

/// The newest migration applied in a database (0 when it has none).
pub(crate) fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    let has_table: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')",
        [],
        |r| r.get(0),
    )?;
    if !has_table {
        return Ok(0);
    }
    conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )
}

/// The newest schema this build knows.
pub(crate) fn known_schema() -> i64 {
    Store::known_schema_version()
}

/// A dot-named temp file beside `path`: never listed, removed on failure or by the next run.
pub(crate) fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// `path`, or `path` with `-1`, `-2`... before the extension when it exists (two backups in the
/// same microsecond, or a clock that went back).
fn unique(path: PathBuf) -> PathBuf {
    if !path.exists() {
        return path;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (stem, ext) = match name.find(".db") {
        Some(i) => name.split_at(i),
        None => (name.as_str(), ""),
    };
    (1..)
        .map(|n| path.with_file_name(format!("{stem}-{n}{ext}")))
        .find(|p| !p.exists())
        .unwrap_or(path)
}

/// Temp files removed when dropped unless cleared (the success path clears them).
struct Temps(Vec<PathBuf>);

impl Drop for Temps {
    fn drop(&mut self) {
        for path in &self.0 {
            let _ = fs::remove_file(path);
        }
    }
}
