//! `maintain`: the upstream manual's weekly chores, done safely while clients use the database —
//! purge expired contexts and (when the user chose a retention) old conversation messages,
//! VACUUM when free pages pass a threshold, checkpoint the WAL, refresh the planner's
//! statistics, and check integrity. Reports what it did and the space won.

use std::path::Path;

use serde::Serialize;

use crate::{Result, Store, progress::Progress, settings, timefmt};

/// VACUUM when at least this share of the file's pages is free...
const VACUUM_FREE_SHARE: f64 = 0.10;
/// ...and at least this many pages are free (tiny databases are not worth rewriting).
const VACUUM_MIN_FREE_PAGES: i64 = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Vacuum {
    /// Free pages were under the threshold.
    Skipped,
    /// `PRAGMA incremental_vacuum` (databases with auto_vacuum = incremental).
    Incremental,
    /// A full `VACUUM`.
    Full,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MaintainReport {
    pub expired_contexts_purged: u64,
    /// Messages older than the retention setting deleted; 0 when retention is off.
    pub old_messages_purged: u64,
    pub conversation_retention_days: Option<u32>,
    pub free_pages_before: i64,
    pub vacuum: Vacuum,
    /// False when another process's open read kept part of the WAL from being checkpointed.
    pub wal_checkpointed: bool,
    pub analyzed: bool,
    /// `ok`, or the first problems SQLite's integrity check found.
    pub integrity: String,
    /// Database plus WAL, before and after.
    pub size_before: u64,
    pub size_after: u64,
    pub space_won: u64,
}

/// Runs the maintenance on the store's database.
pub fn maintain(store: &Store, progress: &dyn Progress) -> Result<MaintainReport> {
    let settings = settings::load(store)?;
    let size = || store.path().map_or(0, disk_size);
    let size_before = size();

    progress.stage("Purging expired and old conversations", None);
    let now = timefmt::now_string();
    // A retention reaching back before the earliest time there is keeps every message: no
    // cutoff (such a value can only come from an older build, which did not bound it).
    let cutoff = settings.conversation_retention_days.and_then(|days| {
        timefmt::now()
            .checked_sub(time::Duration::days(i64::from(days)))
            .map(timefmt::format)
    });
    let (expired_contexts_purged, old_messages_purged) = store.write(|tx| {
        // Messages of a purged context go with it (ON DELETE CASCADE).
        let contexts = tx.execute("DELETE FROM contexts WHERE expires_at <= ?1", [&now])?;
        let messages = match &cutoff {
            Some(cutoff) => tx.execute("DELETE FROM messages WHERE created_at < ?1", [cutoff])?,
            None => 0,
        };
        Ok((contexts as u64, messages as u64))
    })?;
    progress.finish();

    // `read` hands out the connection; the statements below are not reads, but each is its own
    // implicit transaction, which is what VACUUM and checkpoints need (they refuse to run inside
    // an explicit one).
    let (free_pages_before, vacuum) = store.read(|conn| {
        let free: i64 = conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
        let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        let auto_vacuum: i64 = conn.query_row("PRAGMA auto_vacuum", [], |r| r.get(0))?;
        let worth_it = free >= VACUUM_MIN_FREE_PAGES && (free as f64) >= VACUUM_FREE_SHARE * pages as f64;
        let vacuum = if !worth_it {
            Vacuum::Skipped
        } else if auto_vacuum == 2 {
            progress.stage("Vacuuming (incremental)", None);
            conn.execute_batch("PRAGMA incremental_vacuum")?;
            progress.finish();
            Vacuum::Incremental
        } else {
            progress.stage("Vacuuming", None);
            conn.execute_batch("VACUUM")?;
            progress.finish();
            Vacuum::Full
        };
        Ok((free, vacuum))
    })?;

    progress.stage("Checkpointing and analysing", None);
    let (wal_checkpointed, analyzed) = store.read(|conn| {
        // Statistics first: ANALYZE writes sqlite_stat1, which the checkpoint then folds in.
        conn.execute_batch("PRAGMA analysis_limit = 1000; ANALYZE; PRAGMA optimize;")?;
        // TRUNCATE resets the WAL file to zero bytes when no reader still needs its frames.
        let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        Ok((busy == 0, true))
    })?;
    progress.finish();

    progress.stage("Checking integrity", None);
    let integrity = store.read(|conn| {
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        let lines: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(lines.into_iter().take(5).collect::<Vec<_>>().join("; "))
    })?;
    progress.finish();

    let size_after = size();
    Ok(MaintainReport {
        expired_contexts_purged,
        old_messages_purged,
        conversation_retention_days: settings.conversation_retention_days,
        free_pages_before,
        vacuum,
        wal_checkpointed,
        analyzed,
        integrity,
        size_before,
        size_after,
        space_won: size_before.saturating_sub(size_after),
    })
}

/// The database file plus its WAL.
fn disk_size(db: &Path) -> u64 {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    crate::operations::backup::file_size(db) + crate::operations::backup::file_size(Path::new(&wal))
}
