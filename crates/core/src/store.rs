//! The SQLite store: connecting with the pragmas every process must agree on, embedded
//! migrations, and the read/write helpers (`BEGIN IMMEDIATE` for every write, so several server
//! processes sharing one file never hit lock upgrades).
//!
//! The public openers (`Store::open`, `open_path`, `open_in_memory`) live in `opening.rs`,
//! which also seeds the catalog's built-ins: the store knows SQL and migrations, not what the
//! rows mean.

use std::{
    path::{Path, PathBuf},
    sync::{Mutex, MutexGuard},
    time::Duration,
};

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

use crate::{CoreError, Result, timefmt};

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// How long a writer waits for another process's transaction before giving up. Long enough to
/// wait out a restore, which holds the write lock through its safety backup and its copy
/// (about 10 s per GB on the machine of BENCHMARKS.md): a write kept waiting by a restore then
/// commits on the restored data instead of failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// One connection to `llmgen.db`. Cheap to share behind an `Arc`; calls are serialised.
pub struct Store {
    conn: Mutex<Connection>,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Connects to the database file at `path`, creating it private to the user when missing
    /// (0600 on Unix; SQLite gives its -wal and -shm the same permissions), and migrates it.
    /// `Store::open_path` (in `opening.rs`) also seeds it.
    pub(crate) fn connect_path(path: &Path) -> Result<Self> {
        // Best effort: when the file cannot be created, SQLite's open below says why.
        let _ = crate::paths::create_private_file(path);
        let conn = Connection::open(path)?;
        Self::init(conn, Some(path.to_path_buf()))
    }

    /// A private in-memory database, migrated. `Store::open_in_memory` also seeds it.
    pub(crate) fn connect_in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory()?, None)
    }

    fn init(conn: Connection, path: Option<PathBuf>) -> Result<Self> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // journal_mode returns a row; WAL persists in the file once set.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")?;
        let store = Self {
            conn: Mutex::new(conn),
            path,
        };
        store.migrate()?;
        Ok(store)
    }

    /// The database file, or `None` for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic in another thread while holding the lock leaves the connection usable:
        // SQLite rolls back an unfinished transaction when the guard's Transaction drops.
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs read-only work on the connection.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.lock();
        f(&conn)
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction, committed only when `f` succeeds.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction that is always rolled back: a dry run that
    /// sees its own writes and leaves nothing behind.
    pub fn rehearse<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.rollback()?;
        Ok(value)
    }

    /// How long this connection waits for another process's lock from now on. A stopping server
    /// shortens it, so a long restore or vacuum elsewhere cannot hold its exit for the default
    /// minute.
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<()> {
        self.lock().busy_timeout(wait)?;
        Ok(())
    }

    /// Copies the WAL into the database file and truncates it (`wal_checkpoint(TRUNCATE)`),
    /// waiting at most `wait` for other processes' transactions. Returns false when another
    /// process kept it from completing (its data is safe in the WAL either way).
    pub fn checkpoint(&self, wait: Duration) -> Result<bool> {
        let conn = self.lock();
        conn.busy_timeout(wait)?;
        let result = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0));
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(result? == 0)
    }

    /// The newest migration applied to this database.
    pub fn schema_version(&self) -> Result<i64> {
        self.read(current_version)
    }

    /// The newest migration this build knows.
    pub fn known_schema_version() -> i64 {
        MIGRATIONS.last().map_or(0, |(version, _, _)| *version)
    }

    /// Applies pending migrations, one transaction each. Safe when several processes start at
    /// once: each migration is re-checked inside its own `BEGIN IMMEDIATE` transaction.
    fn migrate(&self) -> Result<()> {
        let mut conn = self.lock();
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY NOT NULL,
                name       TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )",
        )?;
        let found = current_version(&conn)?;
        let known = Self::known_schema_version();
        if found > known {
            return Err(CoreError::SchemaTooNew {
                path: self.path.clone().unwrap_or_else(|| PathBuf::from(":memory:")),
                found,
                known,
            });
        }
        for (version, name, sql) in MIGRATIONS {
            if *version <= found {
                continue;
            }
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let applied: Option<i64> = tx
                .query_row(
                    "SELECT version FROM schema_migrations WHERE version = ?1",
                    [version],
                    |row| row.get(0),
                )
                .optional()?;
            if applied.is_none() {
                tx.execute_batch(sql)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                    rusqlite::params![version, name, timefmt::now_string()],
                )?;
                tracing::info!(version, name, "applied migration");
            }
            tx.commit()?;
        }
        Ok(())
    }
}

fn current_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |row| row.get(0),
    )?)
}

/// True when a statement changed no row: turns "nothing to update/delete" into NotFound.
pub(crate) fn require_changed(
    changed: usize,
    kind: &'static str,
    name: &str,
    hint: &'static str,
) -> Result<()> {
    if changed == 0 {
        Err(CoreError::NotFound {
            kind,
            name: name.to_string(),
            hint,
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::DataDir;

    #[test]
    fn a_new_database_gets_every_migration_and_the_pragmas() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&DataDir::at(dir.path())).expect("open");
        assert_eq!(
            store.schema_version().expect("version"),
            Store::known_schema_version()
        );
        let (mode, fk): (String, i64) = store
            .read(|c| {
                Ok((
                    c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
                    c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?,
                ))
            })
            .expect("pragmas");
        assert_eq!(mode, "wal");
        assert_eq!(fk, 1);
    }

    #[test]
    fn reopening_applies_nothing_twice() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = DataDir::at(dir.path());
        drop(Store::open(&data).expect("first open"));
        let store = Store::open(&data).expect("second open");
        let rows: i64 = store
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))?))
            .expect("count");
        assert_eq!(rows as usize, MIGRATIONS.len());
    }

    #[test]
    fn a_database_from_a_newer_build_is_refused_with_a_clear_message() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = DataDir::at(dir.path());
        let store = Store::open(&data).expect("open");
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO schema_migrations VALUES (99999999999999, 'future', 'x')",
                    [],
                )?;
                Ok(())
            })
            .expect("insert future version");
        drop(store);
        let err = Store::open(&data).expect_err("must refuse");
        assert!(matches!(err, CoreError::SchemaTooNew { .. }), "{err}");
        assert!(err.to_string().contains("Update MCP LLM Generator"));
    }

    #[test]
    fn a_failed_write_commits_nothing() {
        let store = Store::open_in_memory().expect("open");
        let result: Result<()> = store.write(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value, updated_at) VALUES ('k', '1', 'now')",
                [],
            )?;
            Err(CoreError::invalid("boom"))
        });
        assert!(result.is_err());
        let n: i64 = store
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM settings", [], |r| r.get(0))?))
            .expect("count");
        assert_eq!(n, 0);
    }
}
