//! The old server's `data/shared-memory.db`: kept aside, complete, in our data dir until this app
//! has a memory of its own.

use std::{fs, path::Path};

use rusqlite::Connection;

use super::{
    ImportError, ImportItem, ItemKind, KEPT_ASIDE_DIR, Outcome, SHARED_MEMORY_DB, old_contexts::open_old_db,
    skipped,
};
use crate::paths::DataDir;

/// Copies the old shared-memory database into our data dir (SQLite's backup API, so a copy taken
/// while the old server writes is still consistent), to be imported once this app has a memory.
pub(super) fn keep_aside(
    data_dir: &DataDir,
    dir: &Path,
    dry_run: bool,
) -> Result<Option<ImportItem>, ImportError> {
    const KIND: ItemKind = ItemKind::SharedMemory;
    let source = dir.join(SHARED_MEMORY_DB);
    if !source.is_file() {
        return Ok(None);
    }
    let label = source.display().to_string();
    let target_dir = data_dir.root().join(KEPT_ASIDE_DIR);
    let target = target_dir.join("shared-memory.db");
    if target.exists() {
        return Ok(Some(skipped(
            KIND,
            &label,
            format!("already kept aside at {}", target.display()),
        )));
    }
    let db_error = |e| ImportError::OldDatabase {
        path: source.clone(),
        source: e,
    };
    let from = open_old_db(&source).map_err(db_error)?;
    let notes: i64 = from
        .query_row("SELECT count(*) FROM shared_memories", [], |r| r.get(0))
        .or_else(|e| match e {
            // An empty file from a server that never stored a note has no table yet.
            rusqlite::Error::SqliteFailure(..) => Ok(0),
            e => Err(e),
        })
        .map_err(db_error)?;
    let note = format!(
        "{notes} shared note(s) kept aside at {} until this app has a memory of its own",
        target.display()
    );
    let kept_aside = |note: String| ImportItem {
        kind: KIND,
        source: label.clone(),
        name: Some(target.display().to_string()),
        outcome: Outcome::Imported,
        note: Some(note),
        messages: None,
    };
    if dry_run {
        return Ok(Some(kept_aside(note)));
    }
    let keep_aside_error = |reason: String| ImportError::KeepAside {
        path: target.clone(),
        reason,
    };
    fs::create_dir_all(&target_dir).map_err(|e| keep_aside_error(e.to_string()))?;
    let partial = target_dir.join(".shared-memory.db.partial");
    let _ = fs::remove_file(&partial);
    {
        let mut to = Connection::open(&partial).map_err(|e| keep_aside_error(e.to_string()))?;
        let backup =
            rusqlite::backup::Backup::new(&from, &mut to).map_err(|e| keep_aside_error(e.to_string()))?;
        backup
            .run_to_completion(256, std::time::Duration::from_millis(20), None)
            .map_err(|e| keep_aside_error(e.to_string()))?;
    }
    // Renamed only once complete: a crash leaves no half copy that the next run would skip.
    fs::rename(&partial, &target).map_err(|e| keep_aside_error(e.to_string()))?;
    Ok(Some(kept_aside(note)))
}
