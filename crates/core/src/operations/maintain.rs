//! `maintain`: the upstream manual's weekly chores, done safely while clients use the database —
//! purge expired contexts and (when the user chose a retention) old conversation messages, end
//! delegated tasks whose server stopped (see [`STALE_DELEGATION_AFTER`]), trim
//! the memory's change feed, optimise the memory's full-text index, VACUUM when free pages pass a
//! threshold, checkpoint the WAL, refresh the planner's statistics, and check integrity (the
//! full-text index included). Reports what it did and the space won.
//!
//! Memories themselves are never deleted here: a note lives until someone deletes it. Only the
//! feed of changes is trimmed (see [`MEMORY_FEED_KEEP_DAYS`] and [`MEMORY_FEED_KEEP_ROWS`]).

use std::path::Path;

use serde::Serialize;

use crate::{Result, Store, progress::Progress, settings, timefmt};

/// VACUUM when at least this share of the file's pages is free...
const VACUUM_FREE_SHARE: f64 = 0.10;
/// ...and at least this many pages are free (tiny databases are not worth rewriting).
const VACUUM_MIN_FREE_PAGES: i64 = 64;
/// Changes of the memory feed older than this many days are deleted...
pub const MEMORY_FEED_KEEP_DAYS: i64 = 90;
/// ...and so are all but the newest this many. The newest change always stays, so the feed's
/// cursor never goes backwards.
pub const MEMORY_FEED_KEEP_ROWS: i64 = 100_000;
/// How old a pending or running delegated task is when maintenance ends it (see there why).
pub const STALE_DELEGATION_AFTER: std::time::Duration = crate::team::delegation::STALE_AFTER;

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
    /// Delegated tasks still pending or running [`STALE_DELEGATION_AFTER`] after they began,
    /// ended as failed (the server process that ran them had stopped).
    pub stale_delegations_failed: u64,
    /// Changes of the memory feed deleted (older than 90 days, or beyond the newest 100,000).
    pub old_memory_changes_purged: u64,
    /// The memory's full-text index was merged into as few segments as possible (false when it
    /// is damaged: `integrity` then says so).
    pub memory_index_optimized: bool,
    pub free_pages_before: i64,
    pub vacuum: Vacuum,
    /// False when another process's open read kept part of the WAL from being checkpointed.
    pub wal_checkpointed: bool,
    pub analyzed: bool,
    /// `ok`, or the first problems SQLite's integrity check found (the memory's full-text index
    /// included), and whether that index holds every note.
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

    progress.stage("Ending delegated tasks whose server stopped", None);
    let stale_delegations_failed = crate::team::delegation::fail_stale(store, STALE_DELEGATION_AFTER)?;
    progress.finish();

    progress.stage("Trimming the memory's change feed", None);
    let old_memory_changes_purged = store.write(|tx| purge_memory_changes(tx, &timefmt::now()))?;
    progress.finish();
    progress.stage("Optimising the memory's search index", None);
    // Merges the index's segments: searches read fewer b-trees. Its own transaction, so the
    // purges above are committed whatever happens here. A damaged index refuses; the integrity
    // check below then says so, rather than the whole maintenance failing here.
    let memory_index_optimized = match store.write(|tx| {
        tx.execute("INSERT INTO memory_fts (memory_fts) VALUES ('optimize')", [])?;
        Ok(())
    }) {
        Ok(()) => true,
        Err(crate::CoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)))
            if e.code == rusqlite::ErrorCode::DatabaseCorrupt =>
        {
            false
        }
        Err(e) => return Err(e),
    };
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
        let mut problems: Vec<String> = lines.into_iter().filter(|l| l != "ok").take(5).collect();
        if let Some(problem) = memory_index_gap(conn)? {
            problems.push(problem);
        }
        Ok(if problems.is_empty() {
            "ok".to_string()
        } else {
            problems.join("; ")
        })
    })?;
    progress.finish();

    let size_after = size();
    Ok(MaintainReport {
        expired_contexts_purged,
        old_messages_purged,
        conversation_retention_days: settings.conversation_retention_days,
        stale_delegations_failed,
        old_memory_changes_purged,
        memory_index_optimized,
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

/// Deletes the memory feed's changes older than [`MEMORY_FEED_KEEP_DAYS`] and all but the newest
/// [`MEMORY_FEED_KEEP_ROWS`], always keeping the newest one.
fn purge_memory_changes(tx: &rusqlite::Transaction<'_>, now: &time::OffsetDateTime) -> Result<u64> {
    let cutoff = now
        .checked_sub(time::Duration::days(MEMORY_FEED_KEEP_DAYS))
        .map(timefmt::format)
        .unwrap_or_default();
    let purged = tx.execute(
        "DELETE FROM memory_changes
         WHERE seq < (SELECT MAX(seq) FROM memory_changes)
           AND (at < ?1 OR seq <= (SELECT MAX(seq) FROM memory_changes) - ?2)",
        rusqlite::params![cutoff, MEMORY_FEED_KEEP_ROWS],
    )?;
    Ok(purged as u64)
}

/// Notes the memory's full-text index does not hold, or holds without a note: SQLite's
/// integrity check verifies the index's own structure (FTS5 answers it since SQLite 3.44) but
/// cannot compare a contentless index with the notes. `None` when every note is indexed once.
fn memory_index_gap(conn: &rusqlite::Connection) -> Result<Option<String>> {
    let counted = conn.query_row(
        "SELECT (SELECT COUNT(*) FROM memories), (SELECT COUNT(*) FROM memory_fts)",
        [],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
    );
    Ok(match counted {
        Ok((notes, indexed)) => (notes != indexed).then(|| {
            format!(
                "the memory's search index holds {indexed} note(s) but there are {notes}: searches may miss notes"
            )
        }),
        // A damaged index: SQLite's own check has said how.
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DatabaseCorrupt => None,
        Err(e) => return Err(e.into()),
    })
}

/// The database file plus its WAL.
fn disk_size(db: &Path) -> u64 {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    crate::operations::backup::file_size(db) + crate::operations::backup::file_size(Path::new(&wal))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        memory::{self, Actor, NewMemory},
        paths::DataDir,
        progress::Silent,
    };

    fn store_with_notes(dir: &Path, titles: &[&str]) -> Store {
        let store = Store::open(&DataDir::at(dir)).expect("store");
        for title in titles {
            memory::create(
                &store,
                &Actor::User,
                NewMemory {
                    title: (*title).into(),
                    content: format!("about {title}"),
                    ..NewMemory::default()
                },
            )
            .expect("create");
        }
        store
    }

    fn changes(store: &Store) -> i64 {
        store
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM memory_changes", [], |r| r.get(0))?))
            .expect("count")
    }

    /// Proves: maintenance never deletes a note, however old, while the feed loses changes older
    /// than 90 days (its newest change always stays), and the notes are still found afterwards.
    #[test]
    fn old_notes_stay_and_old_feed_changes_go() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = store_with_notes(dir.path(), &["kyoto", "budget"]);
        store
            .write(|tx| {
                tx.execute_batch(
                    "UPDATE memories SET created_at = '2001-01-01T00:00:00.000000Z', updated_at = '2001-01-01T00:00:00.000000Z';
                     UPDATE memory_changes SET at = '2001-01-01T00:00:00.000000Z';",
                )?;
                Ok(())
            })
            .expect("age them");
        assert_eq!(changes(&store), 2);

        let report = maintain(&store, &Silent).expect("maintain");
        assert_eq!(report.old_memory_changes_purged, 1, "{report:?}");
        assert_eq!(
            changes(&store),
            1,
            "the newest change stays, so the cursor never goes back"
        );
        assert!(report.memory_index_optimized);
        assert_eq!(report.integrity, "ok");
        assert_eq!(memory::count(&store).expect("count"), 2);
        let found = memory::search(
            &store,
            &Actor::User,
            &memory::SearchQuery {
                text: "kyoto".into(),
                ..Default::default()
            },
        )
        .expect("search");
        assert_eq!(found.results.len(), 1);
    }

    /// Proves: recent changes beyond the newest 100,000 are trimmed too.
    #[test]
    fn the_feed_keeps_its_newest_hundred_thousand_changes() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = store_with_notes(dir.path(), &["one"]);
        let purged = store
            .write(|tx| {
                tx.execute(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
                     INSERT INTO memory_changes (memory_id, action, actor, owner, permission, title, at)
                     SELECT memory_id, 'updated', actor, owner, permission, title, at FROM memory_changes, n",
                    [MEMORY_FEED_KEEP_ROWS + 9],
                )?;
                purge_memory_changes(tx, &timefmt::now())
            })
            .expect("fill and purge");
        assert_eq!(purged, 10);
        assert_eq!(changes(&store), MEMORY_FEED_KEEP_ROWS);
        let oldest_kept: i64 = store
            .read(|c| Ok(c.query_row("SELECT MIN(seq) FROM memory_changes", [], |r| r.get(0))?))
            .expect("min");
        assert_eq!(oldest_kept, 11, "the oldest changes went first");
    }

    /// Proves: a damaged search index is reported by the integrity step (not an aborted run),
    /// and so is a note missing from the index.
    #[test]
    fn a_damaged_or_incomplete_search_index_is_reported() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = store_with_notes(dir.path(), &["first", "second"]);
        store
            .write(|tx| {
                tx.execute(
                    "DELETE FROM memory_fts WHERE rowid = (SELECT MIN(id) FROM memories)",
                    [],
                )?;
                Ok(())
            })
            .expect("unindex one note");
        let report = maintain(&store, &Silent).expect("maintain");
        assert!(
            report.integrity.contains("holds 1 note(s) but there are 2"),
            "{}",
            report.integrity
        );

        // A new note adds a segment, so the optimisation has segments to merge and meets the
        // damage too.
        memory::create(
            &store,
            &Actor::User,
            NewMemory {
                title: "third".into(),
                content: "more".into(),
                ..NewMemory::default()
            },
        )
        .expect("create");
        store
            .write(|tx| {
                tx.execute("UPDATE memory_fts_data SET block = X'00112233' WHERE id > 10", [])?;
                Ok(())
            })
            .expect("damage the index");
        let report = maintain(&store, &Silent).expect("maintain reports, it does not fail");
        assert!(!report.memory_index_optimized);
        assert!(report.integrity.contains("fts5"), "{}", report.integrity);
    }
}
