//! The data checks: the database (opens, integrity, schema), the disk it is on, and how old the
//! newest backup is.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use time::{Duration, OffsetDateTime};

use super::*;
use crate::{Store, paths::DataDir};

pub(super) const RESTORE_FIX: &str = "Restore the newest backup (`mcp-llm-generator backup list`, then `backup restore FILE`), or move the database file aside to start with an empty one.";

/// `database` and `schema`; returns an opened store when the database is intact and current.
pub(super) fn database_checks(path: &Path, checks: &mut Vec<Check>) -> Option<Store> {
    if !path.exists() {
        checks.push(Check::warning(
            "database",
            format!("There is no database at {} yet.", path.display()),
            "Start the server once (your MCP client does it when it starts), or run `mcp-llm-generator settings`.",
        ));
        return None;
    }
    // No create flag: a check must never replace a missing or unreadable file with an empty one.
    let conn = match Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE) {
        Ok(conn) => conn,
        Err(e) => {
            checks.push(Check::error(
                "database",
                format!("The database at {} cannot be opened: {e}.", path.display()),
                "Check that the file is readable and writable by you.",
            ));
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
        Ok(rows) if rows.len() == 1 && rows[0] == "ok" => checks.push(Check::ok(
            "database",
            format!(
                "The database at {} is reachable and intact (quick check passed).",
                path.display()
            ),
        )),
        Ok(rows) => {
            checks.push(Check::error(
                "database",
                format!(
                    "The database at {} is damaged: {}.",
                    path.display(),
                    rows.join("; ")
                ),
                RESTORE_FIX,
            ));
            return None;
        }
        Err(e) => {
            checks.push(Check::error(
                "database",
                format!("The database at {} cannot be read: {e}.", path.display()),
                RESTORE_FIX,
            ));
            return None;
        }
    }
    let found: rusqlite::Result<i64> = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    );
    let known = Store::known_schema_version();
    let current = match found {
        Ok(v) if v == known => {
            checks.push(Check::ok(
                "schema",
                format!("The schema is current (version {v})."),
            ));
            true
        }
        Ok(v) if v < known => {
            checks.push(Check::warning(
                "schema",
                format!("The schema is at version {v}; this build brings {known}."),
                "It is migrated when the server next starts; restart your MCP clients.",
            ));
            false
        }
        Ok(v) => {
            checks.push(Check::error(
                "schema",
                format!("The schema is at version {v}, newer than this build knows ({known})."),
                "Update MCP LLM Generator, or point --data-dir at another folder.",
            ));
            false
        }
        Err(e) => {
            checks.push(Check::error(
                "schema",
                format!("The schema version cannot be read: {e}."),
                RESTORE_FIX,
            ));
            false
        }
    };
    drop(conn);
    if !current {
        return None;
    }
    match Store::open_path(path) {
        Ok(store) => Some(store),
        Err(e) => {
            checks.push(Check::error(
                "database",
                format!("The database passed its check but cannot be opened for use: {e}"),
                RESTORE_FIX,
            ));
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
    let size = human_bytes(database_bytes(&data_dir.db_path()));
    let stats = match fs4::statvfs(at) {
        Ok(s) => s,
        Err(e) => {
            return Check::warning(
                "disk",
                format!(
                    "The free space of the disk holding {} cannot be measured: {e}; the database takes {size}.",
                    at.display()
                ),
                "Check the disk yourself (for example with `df -h`).",
            );
        }
    };
    disk_level(stats.available_space(), stats.total_space(), &size, at, options)
}

/// The pure rule of the disk check.
pub(super) fn disk_level(
    available: u64,
    total: u64,
    db_size: &str,
    at: &Path,
    options: &HealthOptions,
) -> Check {
    let percent = if total == 0 {
        0.0
    } else {
        available as f64 * 100.0 / total as f64
    };
    let message = format!(
        "{} free of {} ({percent:.1} %) on the disk holding {}; the database takes {db_size}.",
        human_bytes(available),
        human_bytes(total),
        at.display()
    );
    let fix = "Free disk space (empty the trash, delete files you no longer need), or move the data folder to a larger disk with --data-dir or LLMGEN_DATA_DIR.";
    if percent < options.free_error_percent {
        Check::error(
            "disk",
            format!(
                "{message} Under {}%, writes may fail.",
                options.free_error_percent
            ),
            fix,
        )
    } else if percent < options.free_warn_percent {
        Check::warning("disk", format!("{message} The disk is nearly full."), fix)
    } else {
        Check::ok("disk", message)
    }
}

/// The backup-age rule: no backup, or one older than `max_age`, is a warning.
pub fn backup_check(last: Option<OffsetDateTime>, now: OffsetDateTime, max_age: Duration) -> Check {
    let fix = "Run `mcp-llm-generator backup create` (scheduled backups take one daily while the app or a server runs).";
    match last {
        None => Check::warning("backup", "No backup has been made yet.", fix),
        Some(t) => {
            let age = now - t;
            let text = if age.whole_hours() >= 48 {
                format!("{} days", age.whole_days())
            } else {
                format!("{} hours", age.whole_hours().max(0))
            };
            if age > max_age {
                Check::warning("backup", format!("The last backup is {text} old."), fix)
            } else {
                Check::ok("backup", format!("The last backup is {text} old."))
            }
        }
    }
}
