//! Delegated tasks: the record of each one (who asked whom, what, how it went, what came back)
//! and its status machine, pending → running → done | failed | cancelled (or pending →
//! cancelled). `run` starts a task in a context of its own and stores its outcome; the
//! generation between the two is the front end's (the MCP server owns the sampling route).
//!
//! Cancellation is a status: `cancel` sets it from any process, the running call polls
//! [`is_cancelled`] and stops, and [`complete`] only finishes a record that is still running, in
//! the same transaction that stores the exchange, so a cancelled task never stores a result.

use rusqlite::{Connection, OptionalExtension, Row, params};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Actor, Choice, Role, role_in};
use crate::{CoreError, Result, Store, catalog::persona_tree, conversation::contexts::Page, limits, timefmt};

mod run;

pub use run::{STALE_AFTER, Started, complete, fail, fail_stale, mark_running, start};

/// How urgent a task is. Recorded and shown (lists sort by it on request); tasks run when
/// delegated, whatever their priority.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Priority {
    Low,
    /// The default. The old server's "medium" means this.
    #[default]
    #[serde(alias = "medium")]
    Normal,
    High,
    Urgent,
}

/// Where a delegated task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Status {
    /// Recorded; the model has not been asked yet (or the client is asked to sample).
    Pending,
    /// The model is working on it.
    Running,
    Done,
    Failed,
    Cancelled,
}

/// A task, or a review (what a reviewer is given is recorded as a review).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Kind {
    Task,
    Review,
}

macro_rules! text_enum {
    ($ty:ty { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
            /// The value stored as `text`; `None` for anything else.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}
text_enum!(Priority { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" });
text_enum!(Status { Pending => "pending", Running => "running", Done => "done", Failed => "failed", Cancelled => "cancelled" });
text_enum!(Kind { Task => "task", Review => "review" });

impl Status {
    /// Whether the task has ended (nothing changes it any more).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Done | Self::Failed | Self::Cancelled)
    }
}

/// One delegated task, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Delegation {
    pub id: i64,
    /// The delegating persona; `None`: the user.
    pub from: Option<String>,
    pub to: String,
    pub kind: Kind,
    pub task: String,
    /// The expertise asked for (empty when a persona was named).
    pub expertise: Vec<String>,
    pub priority: Priority,
    pub status: Status,
    pub choice: Choice,
    /// The context the task ran in (its conversation can be read and continued there).
    pub context_id: Option<String>,
    /// The reply, once done.
    pub result: Option<String>,
    /// Why it failed or was cancelled.
    pub error: Option<String>,
    /// "sampling" or the provider's name.
    pub route: Option<String>,
    pub model: Option<String>,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

/// What a user asks to delegate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DelegationRequest {
    pub task: String,
    pub target: super::Target,
    #[serde(default)]
    pub priority: Priority,
}

/// Which delegations a list shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DelegationFilter {
    pub status: Option<Status>,
    /// Delegations from or to this persona; "user" (`team::USER_WORD`): those the user gave.
    pub persona: Option<String>,
    pub offset: Option<u64>,
    pub limit: Option<u32>,
}

const COLUMNS: &str = "id, from_persona, to_persona, kind, task, expertise, priority, status, choice, context_id, result, error, route, model, input_tokens, output_tokens, created_at, started_at, finished_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Delegation> {
    let text = |i: usize| row.get::<_, String>(i);
    let list: Vec<String> = serde_json::from_str(&text(5)?).unwrap_or_default();
    let choice: Choice = serde_json::from_str(&text(8)?).unwrap_or_else(|_| Choice {
        persona: String::new(),
        reason: String::new(),
        ties: Vec::new(),
        candidates: Vec::new(),
    });
    Ok(Delegation {
        id: row.get(0)?,
        from: row.get(1)?,
        to: row.get(2)?,
        kind: Kind::parse(&text(3)?).unwrap_or(Kind::Task),
        task: row.get(4)?,
        expertise: list,
        priority: Priority::parse(&text(6)?).unwrap_or_default(),
        status: Status::parse(&text(7)?).unwrap_or(Status::Failed),
        choice,
        context_id: row.get(9)?,
        result: row.get(10)?,
        error: row.get(11)?,
        route: row.get(12)?,
        model: row.get(13)?,
        input_tokens: row.get(14)?,
        output_tokens: row.get(15)?,
        created_at: row.get(16)?,
        started_at: row.get(17)?,
        finished_at: row.get(18)?,
    })
}

pub(crate) fn not_found(id: i64) -> CoreError {
    CoreError::NotFound {
        kind: "Delegation",
        name: id.to_string(),
        hint: "List delegations with task-manage action 'list'.",
    }
}

pub(crate) fn get_in(conn: &Connection, id: i64) -> Result<Delegation> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM delegations WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or_else(|| not_found(id))
}

/// The personas whose delegations `actor` may see and cancel: `None` for the user (all); a
/// persona sees what it delegated or was given, and a lead also what its team did.
fn visible_in(conn: &Connection, actor: &Actor) -> Result<Option<Vec<String>>> {
    let Some(name) = actor.persona() else {
        return Ok(None);
    };
    let mut names = vec![name.to_string()];
    if role_in(conn, name)?.is_some_and(Role::manages_subtree) {
        names.extend(persona_tree::descendants(conn, name)?.into_iter().map(|(n, _)| n));
    }
    Ok(Some(names))
}

fn may_see(visible: &Option<Vec<String>>, d: &Delegation) -> bool {
    visible
        .as_ref()
        .is_none_or(|names| names.iter().any(|n| d.from.as_deref() == Some(n) || d.to == *n))
}

/// One delegation, as `actor` may see it (another persona's is "not found" to it).
pub fn get(store: &Store, actor: &Actor, id: i64) -> Result<Delegation> {
    store.read(|conn| {
        let d = get_in(conn, id)?;
        if !may_see(&visible_in(conn, actor)?, &d) {
            return Err(not_found(id));
        }
        Ok(d)
    })
}

/// Whether the delegation `id` was cancelled (the running call polls this).
pub fn is_cancelled(store: &Store, id: i64) -> Result<bool> {
    store.read(|conn| Ok(get_in(conn, id)?.status == Status::Cancelled))
}

/// Delegations newest first, filtered, one page, as `actor` may see them.
pub fn list(store: &Store, actor: &Actor, filter: &DelegationFilter) -> Result<Page<Delegation>> {
    let limit = filter.limit.unwrap_or(limits::DELEGATION_PAGE_DEFAULT);
    if limit == 0 || limit > limits::DELEGATION_PAGE_MAX {
        return Err(CoreError::invalid(format!(
            "limit must be between 1 and {}; got {limit}.",
            limits::DELEGATION_PAGE_MAX
        )));
    }
    // SQLite counts in i64: an offset past that is past every page.
    let offset = filter.offset.unwrap_or(0).min(i64::MAX as u64);
    store.read(|conn| {
        let visible = visible_in(conn, actor)?;
        let visible_json = visible.as_ref().map(serde_json::to_string).transpose()?;
        // NULL parameters match everything: one statement for every filter.
        let filter_sql = "(?1 IS NULL OR status = ?1)
             AND (?2 IS NULL OR from_persona = ?2 OR to_persona = ?2
                  OR (?2 = ?4 AND from_persona IS NULL))
             AND (?3 IS NULL OR from_persona IN (SELECT value FROM json_each(?3))
                             OR to_persona IN (SELECT value FROM json_each(?3)))";
        let status = filter.status.map(Status::as_str);
        let persona = filter.persona.as_deref().map(str::trim).filter(|p| !p.is_empty());
        let total: u64 = conn.query_row(
            &format!("SELECT COUNT(*) FROM delegations WHERE {filter_sql}"),
            params![status, persona, visible_json, super::USER_WORD],
            |r| r.get(0),
        )?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM delegations WHERE {filter_sql} ORDER BY id DESC LIMIT ?5 OFFSET ?6"
        ))?;
        let items = stmt
            .query_map(
                params![status, persona, visible_json, super::USER_WORD, limit, offset],
                from_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let next = offset + items.len() as u64;
        Ok(Page {
            next_offset: (next < total && !items.is_empty()).then_some(next),
            items,
            total,
        })
    })
}

/// Cancels a pending or running delegation. The running call notices within a moment and
/// stops; nothing it produces afterwards is stored. A finished one cannot be cancelled.
pub fn cancel(store: &Store, actor: &Actor, id: i64) -> Result<Delegation> {
    store.write(|tx| {
        let d = get_in(tx, id)?;
        if !may_see(&visible_in(tx, actor)?, &d) {
            return Err(not_found(id));
        }
        // Stopping a task is for whoever gave it (and a lead over them), not for the persona
        // doing it: an observer given a task stays read-only.
        if let Some(name) = actor.persona() {
            let gave_it = d.from.as_deref() == Some(name)
                || d.from.as_deref().is_some_and(|from| {
                    role_in(tx, name).ok().flatten().is_some_and(Role::manages_subtree)
                        && persona_tree::ancestors(tx, from).is_ok_and(|up| up.iter().any(|a| a == name))
                });
            if !gave_it {
                return Err(CoreError::NotAllowed(format!(
                    "Persona '{name}' may not cancel delegation {id}: only whoever delegated it ({}) or a lead above them may. Cancel it as the user (without asPersona).",
                    d.from.as_deref().map_or("the user".to_string(), |f| format!("persona '{f}'"))
                )));
            }
        }
        if d.status.is_final() {
            return Err(CoreError::invalid(format!(
                "Delegation {id} has already ended ({}); there is nothing to cancel.",
                d.status.as_str()
            )));
        }
        let by = match actor.persona() {
            Some(name) => format!("Cancelled by persona '{name}'."),
            None => "Cancelled by the user.".to_string(),
        };
        tx.execute(
            "UPDATE delegations SET status = 'cancelled', error = ?2, finished_at = ?3
             WHERE id = ?1 AND status IN ('pending', 'running')",
            params![id, by, timefmt::now_string()],
        )?;
        get_in(tx, id)
    })
}

/// How many delegations are in each status (for status, report and health).
pub fn count_by_status(store: &Store) -> Result<Vec<(Status, u64)>> {
    store.read(|conn| {
        let mut stmt = conn.prepare_cached("SELECT status, COUNT(*) FROM delegations GROUP BY status")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))?;
        let mut counts = Vec::new();
        for row in rows {
            let (status, n) = row?;
            if let Some(status) = Status::parse(&status) {
                counts.push((status, n));
            }
        }
        Ok(counts)
    })
}
