//! Changing memory: create, update, delete, link and unlink, each in one transaction that also
//! rewrites the note's full-text row and records the change in the feed.

use rusqlite::{OptionalExtension, Transaction, params};

use super::{
    Actor, Memory, MemoryPatch, NewMemory, Permission, access::not_allowed, cjk, feed::ChangeAction,
    not_found, search,
};
use crate::{CoreError, Result, Store, catalog, catalog::personas::Persona, limits, team, timefmt};

/// The stored facts of a note that the permission rules need.
pub(crate) struct Head {
    pub owner: Option<String>,
    pub permission: Permission,
    pub title: String,
}

/// The note `id` as `actor` may see it: a note it may not read is "not found", so a persona
/// learns nothing of another's private notes, not even that they exist.
pub(crate) fn head(conn: &rusqlite::Connection, actor: &Actor, id: i64) -> Result<Head> {
    let row = conn
        .query_row(
            "SELECT owner, permission, title FROM memories WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )
        .optional()?;
    let Some((owner, permission, title)) = row else {
        return Err(not_found(id));
    };
    let permission = Permission::parse(&permission).unwrap_or(Permission::Private);
    if !actor.can_read(owner.as_deref(), permission) {
        return Err(not_found(id));
    }
    Ok(Head {
        owner,
        permission,
        title,
    })
}

/// Trimmed, without empties and case-insensitive repeats, checked against the limits.
pub(super) fn clean_tags(tags: &[String]) -> Result<Vec<String>> {
    limits::clean_list(
        "Memory",
        ("a tag", "tags"),
        tags,
        limits::MEMORY_TAGS,
        limits::MEMORY_TAG_CHARS,
        "Keep the tags that you will search by.",
    )
}

pub(super) fn check_texts(title: &str, content: &str) -> Result<()> {
    if title.trim().is_empty() {
        return Err(CoreError::invalid(
            "Memory: the title is empty. Give the note a short title (it is what lists and searches show first).",
        ));
    }
    limits::check("Memory", "title", title, limits::MEMORY_TITLE_CHARS)?;
    limits::check("Memory", "content", content, limits::MEMORY_CONTENT_CHARS)
}

/// Rewrites the note's full-text row (contentless: the text is given again on every change).
fn index(tx: &Transaction<'_>, id: i64, title: &str, content: &str, tags: &[String]) -> Result<()> {
    tx.execute("DELETE FROM memory_fts WHERE rowid = ?1", [id])?;
    let tag_text = tags.join(" ");
    let cjk_text = cjk::index_text(&format!("{title}\n{content}\n{tag_text}"));
    tx.execute(
        "INSERT INTO memory_fts (rowid, title, content, tags, cjk) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            id,
            cjk::without_cjk(title),
            cjk::without_cjk(content),
            cjk::without_cjk(&tag_text),
            cjk_text
        ],
    )?;
    Ok(())
}

fn store_tags(tx: &Transaction<'_>, id: i64, tags: &[String]) -> Result<()> {
    tx.execute("DELETE FROM memory_tags WHERE memory_id = ?1", [id])?;
    let mut insert =
        tx.prepare_cached("INSERT OR IGNORE INTO memory_tags (tag, memory_id) VALUES (?1, ?2)")?;
    for tag in tags {
        insert.execute(params![tag, id])?;
    }
    Ok(())
}

/// Records a change in the feed, with the owner and permission that decide who may read it.
fn record(
    tx: &Transaction<'_>,
    id: i64,
    action: ChangeAction,
    actor: Option<&str>,
    head: &Head,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO memory_changes (memory_id, action, actor, owner, permission, title, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        id,
        action.as_str(),
        actor,
        head.owner,
        head.permission.as_str(),
        head.title,
        timefmt::now_string()
    ])?;
    Ok(())
}

/// The owner a new note gets: a persona owns what it creates; the user may give any persona.
pub(super) fn owner_for(store: &Store, actor: &Actor, asked: Option<&str>) -> Result<Option<String>> {
    let asked = asked.map(str::trim).filter(|name| !name.is_empty());
    // A persona creates notes it owns: its role decides whether it may write at all.
    store.read(|conn| team::check_memory_write(conn, actor, "create a note", actor.persona()))?;
    match (actor, asked) {
        (Actor::User, None) => Ok(None),
        (Actor::User, Some(name)) => {
            catalog::get::<Persona>(store, name)?;
            Ok(Some(name.to_string()))
        }
        (Actor::Persona(me), None) => Ok(Some(me.clone())),
        (Actor::Persona(me), Some(name)) if name == me => Ok(Some(me.clone())),
        (Actor::Persona(me), Some(name)) => Err(CoreError::NotAllowed(format!(
            "Persona '{me}' may not create a note owned by persona '{name}'. Leave owner out (the note is then owned by '{me}'), or act as '{name}'."
        ))),
    }
}

/// Stores a new note, owned by `new.owner`, the acting persona, or the user.
pub fn create(store: &Store, actor: &Actor, new: NewMemory) -> Result<Memory> {
    check_texts(&new.title, &new.content)?;
    let tags = clean_tags(&new.tags)?;
    let owner = owner_for(store, actor, new.owner.as_deref())?;
    let permission = new.permission.unwrap_or(Permission::Shared);
    let id = store.write(|tx| {
        let now = timefmt::now_string();
        insert(
            tx,
            &Row {
                title: new.title.trim(),
                content: &new.content,
                tags: &tags,
                owner: owner.as_deref(),
                permission,
                created_at: &now,
                updated_at: &now,
            },
            actor.persona(),
        )
    })?;
    search::get(store, actor, id)
}

pub(super) struct Row<'a> {
    pub title: &'a str,
    pub content: &'a str,
    pub tags: &'a [String],
    pub owner: Option<&'a str>,
    pub permission: Permission,
    pub created_at: &'a str,
    pub updated_at: &'a str,
}

pub(super) fn insert(tx: &Transaction<'_>, row: &Row<'_>, actor: Option<&str>) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO memories (title, content, tags, owner, permission, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        row.title,
        row.content,
        serde_json::to_string(row.tags)?,
        row.owner,
        row.permission.as_str(),
        row.created_at,
        row.updated_at
    ])?;
    let id = tx.last_insert_rowid();
    store_tags(tx, id, row.tags)?;
    index(tx, id, row.title, row.content, row.tags)?;
    let head = Head {
        owner: row.owner.map(str::to_string),
        permission: row.permission,
        title: row.title.to_string(),
    };
    record(tx, id, ChangeAction::Created, actor, &head)?;
    Ok(id)
}

/// A note brought over from the TypeScript server's shared memory, with its own times and the
/// persona that last changed it as the feed's actor.
pub(crate) struct ImportedMemory<'a> {
    pub title: &'a str,
    pub content: &'a str,
    pub tags: Vec<String>,
    pub owner: Option<&'a str>,
    pub permission: Permission,
    pub created_at: &'a str,
    pub updated_at: &'a str,
    pub actor: Option<&'a str>,
    /// The note's id in the old server, kept so calls written for it still find the note.
    pub old_id: &'a str,
}

/// Stores an imported note in the import's transaction (checked against the same limits as a new
/// one; the caller reports a refused note). Returns the new id. Import each old note once: a
/// second note with the same `old_id` is refused by the database (see [`imported_exists`]).
pub(crate) fn insert_imported(tx: &Transaction<'_>, note: &ImportedMemory<'_>) -> Result<i64> {
    check_texts(note.title, note.content)?;
    let tags = clean_tags(&note.tags)?;
    let id = insert(
        tx,
        &Row {
            title: note.title.trim(),
            content: note.content,
            tags: &tags,
            owner: note.owner,
            permission: note.permission,
            created_at: note.created_at,
            updated_at: note.updated_at,
        },
        note.actor,
    )?;
    tx.execute(
        "UPDATE memories SET imported_id = ?2 WHERE id = ?1",
        params![id, note.old_id],
    )?;
    Ok(id)
}

/// Whether the old server's note `old_id` was imported already (an import run twice skips it).
pub(crate) fn imported_exists(tx: &Transaction<'_>, old_id: &str) -> Result<bool> {
    Ok(tx
        .query_row("SELECT 1 FROM memories WHERE imported_id = ?1", [old_id], |_| {
            Ok(())
        })
        .optional()?
        .is_some())
}

/// Our id of the note that had id `old_id` in the TypeScript server's shared memory, if it was
/// imported (calls written for that server name notes by their old ids).
pub fn id_of_imported(store: &Store, old_id: &str) -> Result<Option<i64>> {
    store.read(|conn| {
        Ok(conn
            .query_row("SELECT id FROM memories WHERE imported_id = ?1", [old_id], |r| {
                r.get(0)
            })
            .optional()?)
    })
}

/// Changes a note's title, content, tags or permission (the permission only by its owner).
pub fn update(store: &Store, actor: &Actor, id: i64, patch: MemoryPatch) -> Result<Memory> {
    if patch == MemoryPatch::default() {
        return Err(CoreError::invalid(
            "Memory: nothing to update. Give at least one of title, content, tags or permission.",
        ));
    }
    let tags = patch.tags.as_deref().map(clean_tags).transpose()?;
    store.write(|tx| {
        let head = head(tx, actor, id)?;
        team::check_memory_write(tx, actor, &format!("change memory {id}"), head.owner.as_deref())?;
        if !actor.can_write(head.owner.as_deref(), head.permission) {
            return Err(not_allowed(actor, "change", id, head.owner.as_deref(), false));
        }
        if patch.permission.is_some_and(|p| p != head.permission) && !actor.can_manage(head.owner.as_deref()) {
            return Err(not_allowed(
                actor,
                "change who may use",
                id,
                head.owner.as_deref(),
                true,
            ));
        }
        let (title, content, old_tags): (String, String, String) = tx.query_row(
            "SELECT title, content, tags FROM memories WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let title = patch.title.as_deref().map(str::trim).map_or(title, str::to_string);
        let content = patch.content.clone().unwrap_or(content);
        check_texts(&title, &content)?;
        let tags = match &tags {
            Some(tags) => tags.clone(),
            None => serde_json::from_str(&old_tags)?,
        };
        let permission = patch.permission.unwrap_or(head.permission);
        tx.execute(
            "UPDATE memories SET title = ?2, content = ?3, tags = ?4, permission = ?5, updated_at = ?6 WHERE id = ?1",
            params![
                id,
                title,
                content,
                serde_json::to_string(&tags)?,
                permission.as_str(),
                timefmt::now_string()
            ],
        )?;
        store_tags(tx, id, &tags)?;
        index(tx, id, &title, &content, &tags)?;
        let after = Head {
            owner: head.owner,
            permission,
            title,
        };
        record(tx, id, ChangeAction::Updated, actor.persona(), &after)
    })?;
    search::get(store, actor, id)
}

/// Deletes a note with its tags and links (only its owner, or the user).
pub fn delete(store: &Store, actor: &Actor, id: i64) -> Result<()> {
    store.write(|tx| {
        let head = head(tx, actor, id)?;
        team::check_memory_write(tx, actor, &format!("delete memory {id}"), head.owner.as_deref())?;
        if !actor.can_manage(head.owner.as_deref()) {
            return Err(not_allowed(actor, "delete", id, head.owner.as_deref(), true));
        }
        tx.execute("DELETE FROM memory_fts WHERE rowid = ?1", [id])?;
        tx.execute("DELETE FROM memories WHERE id = ?1", [id])?;
        record(tx, id, ChangeAction::Deleted, actor.persona(), &head)
    })
}

fn check_relation(relation: &str) -> Result<&str> {
    let relation = relation.trim();
    if relation.is_empty() {
        return Err(CoreError::invalid(
            "Memory: the link's relation is empty. Say how the notes relate, for example 'see also' or 'supports'.",
        ));
    }
    limits::check("Memory link", "relation", relation, limits::MEMORY_RELATION_CHARS)?;
    Ok(relation)
}

/// Links note `from` to note `to` with a relation label. The actor must be able to change `from`
/// and read `to`. Linking twice with the same relation changes nothing. Returns `from`.
pub fn link(store: &Store, actor: &Actor, from: i64, to: i64, relation: &str) -> Result<Memory> {
    let relation = check_relation(relation)?;
    if from == to {
        return Err(CoreError::invalid(
            "Memory: a note cannot be linked to itself. Give two different ids (id and to).",
        ));
    }
    store.write(|tx| {
        let head = head(tx, actor, from)?;
        team::check_memory_write(tx, actor, &format!("link from memory {from}"), head.owner.as_deref())?;
        if !actor.can_write(head.owner.as_deref(), head.permission) {
            return Err(not_allowed(actor, "link from", from, head.owner.as_deref(), false));
        }
        self::head(tx, actor, to)?;
        let links: i64 = tx.query_row("SELECT count(*) FROM memory_links WHERE from_id = ?1", [from], |r| {
            r.get(0)
        })?;
        if links >= limits::MEMORY_LINKS as i64 {
            return Err(CoreError::invalid(format!(
                "Memory {from} already has {links} links; the limit is {}. Unlink some first.",
                limits::MEMORY_LINKS
            )));
        }
        let added = tx.execute(
            "INSERT OR IGNORE INTO memory_links (from_id, to_id, relation, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![from, to, relation, timefmt::now_string()],
        )?;
        if added > 0 {
            record(tx, from, ChangeAction::Linked, actor.persona(), &head)?;
        }
        Ok(())
    })?;
    search::get(store, actor, from)
}

/// Removes the links from `from` to `to` (only those with `relation`, when given). Returns `from`.
pub fn unlink(store: &Store, actor: &Actor, from: i64, to: i64, relation: Option<&str>) -> Result<Memory> {
    let relation = relation.map(check_relation).transpose()?;
    store.write(|tx| {
        let head = head(tx, actor, from)?;
        team::check_memory_write(
            tx,
            actor,
            &format!("unlink from memory {from}"),
            head.owner.as_deref(),
        )?;
        if !actor.can_write(head.owner.as_deref(), head.permission) {
            return Err(not_allowed(
                actor,
                "unlink from",
                from,
                head.owner.as_deref(),
                false,
            ));
        }
        // A link to a note the actor cannot read is not its to remove, nor to learn of.
        self::head(tx, actor, to)?;
        let removed = tx.execute(
            "DELETE FROM memory_links WHERE from_id = ?1 AND to_id = ?2 AND (?3 IS NULL OR relation = ?3)",
            params![from, to, relation],
        )?;
        if removed == 0 {
            let which = relation
                .map(|r| format!(" with relation '{r}'"))
                .unwrap_or_default();
            return Err(CoreError::invalid(format!(
                "Memory {from} has no link to {to}{which}. memory-search get shows its links."
            )));
        }
        record(tx, from, ChangeAction::Unlinked, actor.persona(), &head)
    })?;
    search::get(store, actor, from)
}
