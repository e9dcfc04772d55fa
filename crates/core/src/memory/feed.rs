//! The change feed: every change to memory in order, read from a cursor (`since`), showing each
//! actor only the changes of notes it could read. Server processes poll [`latest_seq`] to notice
//! changes made by another process.

use rusqlite::{params_from_iter, types::Value};
use serde::{Deserialize, Serialize};

use super::Actor;
use crate::{CoreError, Result, Store, limits};

/// What happened to a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum ChangeAction {
    Created,
    Updated,
    Deleted,
    Linked,
    Unlinked,
}

impl ChangeAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Deleted => "deleted",
            Self::Linked => "linked",
            Self::Unlinked => "unlinked",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "created" => Self::Created,
            "deleted" => Self::Deleted,
            "linked" => Self::Linked,
            "unlinked" => Self::Unlinked,
            _ => Self::Updated,
        }
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// The cursor: pass the last one seen as `since` to read what came after.
    pub seq: i64,
    pub memory_id: i64,
    pub action: ChangeAction,
    /// The persona that made the change; `None` for the user.
    pub actor: Option<String>,
    /// The note's title after the change (before it, for a deletion).
    pub title: String,
    pub at: String,
}

/// A page of the feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FeedPage {
    pub changes: Vec<Change>,
    /// The `since` of the next read: past every change returned, and past changes this actor may
    /// not see, so a reader never scans them again.
    pub next_since: i64,
}

/// The newest change's cursor (0 when nothing was ever changed): one indexed read, cheap enough
/// to poll.
pub fn latest_seq(store: &Store) -> Result<i64> {
    store.read(|conn| {
        Ok(
            conn.query_row("SELECT coalesce(max(seq), 0) FROM memory_changes", [], |r| {
                r.get(0)
            })?,
        )
    })
}

/// The newest `limit` changes `actor` may read, newest first (for a "recent changes" list; a
/// reader that follows the feed uses [`feed`] and its cursor instead).
pub fn recent_changes(store: &Store, actor: &Actor, limit: Option<u32>) -> Result<Vec<Change>> {
    let limit = check_limit(limit)?;
    store.read(|conn| {
        let (visible, values) = visible_to(actor);
        let sql = format!(
            "SELECT seq, memory_id, action, actor, title, at FROM memory_changes
             WHERE {visible} ORDER BY seq DESC LIMIT {limit}"
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let changes = statement
            .query_map(params_from_iter(values), change_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(changes)
    })
}

fn check_limit(limit: Option<u32>) -> Result<u32> {
    let limit = limit.unwrap_or(limits::MEMORY_FEED_DEFAULT);
    if limit == 0 || limit > limits::MEMORY_FEED_MAX {
        return Err(CoreError::invalid(format!(
            "Memory feed: limit {limit} is out of range; use 1 to {}.",
            limits::MEMORY_FEED_MAX
        )));
    }
    Ok(limit)
}

/// The condition on `memory_changes` rows that `actor` may read, with its parameters (`?1`).
fn visible_to(actor: &Actor) -> (&'static str, Vec<Value>) {
    match actor.persona() {
        None => ("1", Vec::new()),
        Some(name) => (
            "(owner = ?1 OR permission != 'private')",
            vec![Value::Text(name.to_string())],
        ),
    }
}

fn change_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Change> {
    Ok(Change {
        seq: r.get(0)?,
        memory_id: r.get(1)?,
        action: ChangeAction::parse(&r.get::<_, String>(2)?),
        actor: r.get(3)?,
        title: r.get(4)?,
        at: r.get(5)?,
    })
}

/// The changes after `since` that `actor` may read, oldest first, at most `limit`
/// (default [`limits::MEMORY_FEED_DEFAULT`], at most [`limits::MEMORY_FEED_MAX`]).
pub fn feed(store: &Store, actor: &Actor, since: i64, limit: Option<u32>) -> Result<FeedPage> {
    let limit = check_limit(limit)?;
    let since = since.max(0);
    store.read(|conn| {
        // One snapshot for the page and the end of the feed: a change committed by another
        // process between the two reads would otherwise be skipped by `next_since`.
        let snapshot = conn.unchecked_transaction()?;
        let conn: &rusqlite::Connection = &snapshot;
        let (visible, mut values) = visible_to(actor);
        values.push(Value::Integer(since));
        let since_param = values.len();
        let sql = format!(
            "SELECT seq, memory_id, action, actor, title, at FROM memory_changes
             WHERE seq > ?{since_param} AND {visible} ORDER BY seq LIMIT {limit}"
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let changes = statement
            .query_map(params_from_iter(values), change_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let next_since = if changes.len() == limit as usize {
            changes.last().map_or(since, |c| c.seq)
        } else {
            // Everything visible up to now was returned: move past what this actor cannot see
            // (and back to the end after a restore to an older backup, where `since` is ahead).
            conn.query_row("SELECT coalesce(max(seq), 0) FROM memory_changes", [], |r| {
                r.get(0)
            })?
        };
        drop(statement);
        snapshot.commit()?;
        Ok(FeedPage { changes, next_since })
    })
}
