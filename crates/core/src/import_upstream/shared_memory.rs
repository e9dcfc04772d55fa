//! The old server's `data/shared-memory.db`: its notes brought into our memory, each once, with
//! their owner, permission and times. The file is only read.
//!
//! | Old column | Here |
//! |---|---|
//! | `title`, `content` | title, content (checked against the memory's limits) |
//! | `owner_persona_id` | owner: our built-in for an old built-in's id, else the id as it was |
//! | `permission_level` | `public` → shared, `edit` → editable, anything else → private (noted) |
//! | `created_at`, `updated_at` | the same times in our format |
//! | `last_updated_by` | who the change feed says created the note (mapped like the owner) |
//! | `id` | kept with the note: a second import skips it, old calls find it |

use std::path::Path;

use rusqlite::Transaction;

use super::{
    ImportError, ImportItem, ItemKind, builtin_persona_for, imported, join_notes,
    old_contexts::{convert_time, has_table, open_old_db},
    skipped,
};
use crate::{
    CoreError,
    memory::{self, ImportedMemory, Permission},
    timefmt,
};

const KIND: ItemKind = ItemKind::SharedMemory;

/// One row of the old `shared_memories` table, as text (NULL reads as empty).
pub(super) struct OldNote {
    id: String,
    title: String,
    content: String,
    owner: String,
    permission: String,
    created_at: String,
    updated_at: String,
    last_updated_by: String,
}

/// Every note of the old shared memory at `path`, oldest first; `None` when there is no such
/// file. A file that is not the old server's database (not SQLite, or a `shared_memories` table
/// without its columns) is an error, so that nothing is imported from it.
pub(super) fn read_notes(path: &Path) -> Result<Option<Vec<OldNote>>, ImportError> {
    if !path.is_file() {
        return Ok(None);
    }
    let db_error = |source| ImportError::OldDatabase {
        path: path.to_path_buf(),
        source,
    };
    let conn = open_old_db(path).map_err(db_error)?;
    // A server that never stored a note may not have created the table.
    if !has_table(&conn, "shared_memories").map_err(db_error)? {
        return Ok(Some(Vec::new()));
    }
    let text = |row: &rusqlite::Row<'_>, i: usize| -> String { row.get::<_, String>(i).unwrap_or_default() };
    let mut stmt = conn
        .prepare(
            "SELECT id, title, content, owner_persona_id, permission_level, created_at, updated_at,
                    last_updated_by
             FROM shared_memories ORDER BY created_at, rowid",
        )
        .map_err(db_error)?;
    let notes = stmt
        .query_map([], |row| {
            Ok(OldNote {
                id: text(row, 0),
                title: text(row, 1),
                content: text(row, 2),
                owner: text(row, 3),
                permission: text(row, 4),
                created_at: text(row, 5),
                updated_at: text(row, 6),
                last_updated_by: text(row, 7),
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(db_error)?;
    Ok(Some(notes))
}

/// Stores each note that is not here yet, in the import's transaction.
pub(super) fn import_notes(tx: &Transaction<'_>, notes: &[OldNote]) -> crate::Result<Vec<ImportItem>> {
    let now = timefmt::now_string();
    notes.iter().map(|note| import_note(tx, note, &now)).collect()
}

/// Our persona name for an old persona id (empty: the user): the same rule as the old server's
/// shared-memory tools here, so a call written for it names the same owner.
fn persona(old_id: &str) -> Option<&str> {
    let old_id = old_id.trim();
    (!old_id.is_empty()).then(|| builtin_persona_for(old_id).unwrap_or(old_id))
}

fn import_note(tx: &Transaction<'_>, old: &OldNote, now: &str) -> crate::Result<ImportItem> {
    let label = format!("{} ({})", old.title, old.id);
    if old.id.trim().is_empty() {
        return Ok(skipped(KIND, &old.title, "has no id in the old database"));
    }
    if memory::imported_exists(tx, &old.id)? {
        return Ok(skipped(KIND, &label, "already here: imported before"));
    }
    let mut notes = Vec::new();
    let owner = persona(&old.owner);
    if let Some(ours) = owner.filter(|o| *o != old.owner.trim()) {
        notes.push(format!(
            "owner '{}' is the persona '{ours}' here",
            old.owner.trim()
        ));
    }
    let permission = match old.permission.trim().to_ascii_lowercase().as_str() {
        "public" => Permission::Shared,
        "edit" => Permission::Editable,
        other => {
            notes.push(format!(
                "permission '{other}' is not one the old server knew (public, edit): imported as private"
            ));
            Permission::Private
        }
    };
    let created_at = convert_time(&old.created_at).unwrap_or_else(|| {
        notes.push(format!(
            "creation time '{}' could not be read: set to the time of this import",
            old.created_at
        ));
        now.to_string()
    });
    let updated_at = convert_time(&old.updated_at).unwrap_or_else(|| created_at.clone());
    let note = ImportedMemory {
        title: &old.title,
        content: &old.content,
        tags: Vec::new(),
        owner,
        permission,
        created_at: &created_at,
        updated_at: &updated_at,
        actor: persona(&old.last_updated_by),
        old_id: &old.id,
    };
    match memory::insert_imported(tx, &note) {
        Ok(id) => Ok(imported(
            KIND,
            &label,
            &format!("memory #{id}"),
            join_notes(notes),
        )),
        Err(CoreError::Invalid(reason)) => Ok(skipped(KIND, &label, reason)),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::super::{ImportOptions, Outcome, import_upstream};
    use super::*;
    use crate::{Store, memory::Actor, paths::DataDir};

    fn old_shared_memory(path: &Path) {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        Connection::open(path)
            .expect("old db")
            .execute_batch(
                "CREATE TABLE shared_memories (id TEXT PRIMARY KEY, title TEXT NOT NULL, content TEXT NOT NULL,
                   owner_persona_id TEXT NOT NULL, permission_level TEXT NOT NULL DEFAULT 'edit',
                   created_at TEXT NOT NULL DEFAULT (datetime('now')), updated_at TEXT NOT NULL DEFAULT (datetime('now')),
                   last_updated_by TEXT NOT NULL);
                 INSERT INTO shared_memories VALUES ('m1', 'Packing list', 'Umbrella and a warm coat', 'search_key_advisor',
                   'edit', '2025-09-01 08:00:00', '2025-09-01 08:00:00', 'search_key_advisor');
                 INSERT INTO shared_memories VALUES ('m2', 'Undated', 'No time on this one', '', 'public', 'soon', 'later', '');",
            )
            .expect("notes");
    }

    /// Proves: the copy an earlier version kept aside in the data dir is imported when the old
    /// folder no longer holds the file; the notes are found by search; a built-in preset id names
    /// our built-in persona; a note without a readable time is still imported, once only.
    #[test]
    fn notes_kept_aside_by_an_earlier_version_come_in_once() {
        let tmp = tempfile::tempdir().expect("tmp");
        let (old, data) = (tmp.path().join("old"), DataDir::at(tmp.path().join("data")));
        std::fs::create_dir_all(old.join("templates")).expect("mkdir");
        std::fs::write(old.join("templates/templates.json"), "[]").expect("templates");
        old_shared_memory(&data.root().join(super::super::KEPT_ASIDE_DB));
        let store = Store::open(&data).expect("store");

        let report = import_upstream(&store, &data, &old, ImportOptions::default()).expect("import");
        assert_eq!(
            report.count(ItemKind::SharedMemory, Outcome::Imported),
            2,
            "{report:#?}"
        );
        let query = memory::SearchQuery {
            text: "umbrella".into(),
            ..Default::default()
        };
        let hits = memory::search(&store, &Actor::User, &query)
            .expect("search")
            .results;
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].owner.as_deref(), Some("search-key-advisor"));
        assert_eq!(hits[0].permission, Permission::Editable);
        let undated = report
            .items
            .iter()
            .find(|i| i.source.starts_with("Undated"))
            .expect("undated item");
        assert!(
            undated
                .note
                .as_deref()
                .is_some_and(|n| n.contains("'soon' could not be read")),
            "{undated:?}"
        );

        let again = import_upstream(&store, &data, &old, ImportOptions::default()).expect("again");
        assert_eq!(
            again.count(ItemKind::SharedMemory, Outcome::Skipped),
            2,
            "{again:#?}"
        );
        assert_eq!(memory::count(&store).expect("count"), 2);
    }
}
