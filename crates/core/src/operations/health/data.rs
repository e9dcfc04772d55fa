//! The data checks: the database (opens, integrity, schema), the disk it is on, and how old the
//! newest backup is.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use time::{Duration, OffsetDateTime};

use super::*;
use crate::{Store, paths::DataDir};

/// `database` and `schema`; returns an opened store when the database is intact and current.
pub(super) fn database_checks(path: &Path, checks: &mut Vec<Check>) -> Option<Store> {
    if !path.exists() {
        checks.push(Check::found(Finding::DatabaseMissing {
            path: path.to_path_buf(),
        }));
        return None;
    }
    // No create flag: a check must never replace a missing or unreadable file with an empty one.
    let conn = match Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE) {
        Ok(conn) => conn,
        Err(e) => {
            checks.push(Check::found(Finding::DatabaseUnopenable {
                path: path.to_path_buf(),
                error: e.to_string(),
            }));
            return None;
        }
    };
    if let Err(e) = conn.busy_timeout(std::time::Duration::from_secs(5)) {
        tracing::debug!("busy timeout not set: {e}");
    }
    let problems: rusqlite::Result<Vec<String>> = conn.prepare("PRAGMA quick_check(5)").and_then(|mut s| {
        let rows = s.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect()
    });
    match problems {
        Ok(rows) if rows.len() == 1 && rows[0] == "ok" => checks.push(Check::found(Finding::DatabaseOk {
            path: path.to_path_buf(),
        })),
        Ok(problems) => {
            checks.push(Check::found(Finding::DatabaseDamaged {
                path: path.to_path_buf(),
                problems,
            }));
            return None;
        }
        Err(e) => {
            checks.push(Check::found(Finding::DatabaseUnreadable {
                path: path.to_path_buf(),
                error: e.to_string(),
            }));
            return None;
        }
    }
    let found: rusqlite::Result<i64> = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    );
    let known = Store::known_schema_version();
    let schema = match found {
        Ok(version) if version == known => Finding::SchemaCurrent { version },
        Ok(found) if found < known => Finding::SchemaBehind { found, known },
        Ok(found) => Finding::SchemaAhead { found, known },
        Err(e) => Finding::SchemaUnreadable { error: e.to_string() },
    };
    let current = matches!(schema, Finding::SchemaCurrent { .. });
    checks.push(Check::found(schema));
    drop(conn);
    if !current {
        return None;
    }
    match Store::open_path(path) {
        Ok(store) => Some(store),
        Err(e) => {
            checks.push(Check::found(Finding::DatabaseUnusable { error: e.to_string() }));
            None
        }
    }
}

pub(super) fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// The database's size on disk: the file plus its WAL and shared-memory files.
pub fn database_bytes(db: &Path) -> u64 {
    let with = |suffix: &str| {
        let mut p = db.as_os_str().to_os_string();
        p.push(suffix);
        file_len(Path::new(&p))
    };
    file_len(db) + with("-wal") + with("-shm")
}

/// Bytes in a human unit.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

pub(super) fn disk_check(data_dir: &DataDir, options: &HealthOptions) -> Check {
    // The data folder may not exist yet: measure the disk of its nearest existing ancestor.
    let mut at = data_dir.root();
    while !at.exists() {
        match at.parent() {
            Some(p) => at = p,
            None => break,
        }
    }
    let size = database_bytes(&data_dir.db_path());
    let stats = match fs4::statvfs(at) {
        Ok(s) => s,
        Err(e) => {
            return Check::found(Finding::DiskUnmeasured {
                at: at.to_path_buf(),
                error: e.to_string(),
                database_bytes: size,
            });
        }
    };
    disk_level(stats.available_space(), stats.total_space(), size, at, options)
}

/// The pure rule of the disk check.
pub(super) fn disk_level(
    available: u64,
    total: u64,
    db_bytes: u64,
    at: &Path,
    options: &HealthOptions,
) -> Check {
    let percent = if total == 0 {
        0.0
    } else {
        available as f64 * 100.0 / total as f64
    };
    let space = DiskSpace {
        available_bytes: available,
        total_bytes: total,
        free_percent: percent,
        at: at.to_path_buf(),
        database_bytes: db_bytes,
    };
    Check::found(if percent < options.free_error_percent {
        Finding::DiskFull {
            space,
            threshold_percent: options.free_error_percent,
        }
    } else if percent < options.free_warn_percent {
        Finding::DiskLow { space }
    } else {
        Finding::DiskOk { space }
    })
}

/// The backup-age rule: no backup, or one older than `max_age`, is a warning.
pub fn backup_check(last: Option<OffsetDateTime>, now: OffsetDateTime, max_age: Duration) -> Check {
    Check::found(match last {
        None => Finding::BackupNever,
        Some(t) if now - t > max_age => Finding::BackupOld {
            age_hours: (now - t).whole_hours(),
        },
        Some(t) => Finding::BackupRecent {
            age_hours: (now - t).whole_hours(),
        },
    })
}
