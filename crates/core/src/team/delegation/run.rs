//! Running a delegated task: [`start`] records it, opens a context of its own from the chosen
//! persona and prepares the request; the front end generates; [`complete`] stores the exchange
//! and the result together, or [`fail`] records why not.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{Delegation, DelegationRequest, Kind, Status, get_in};
use crate::{
    CoreError, Result, Store,
    conversation::{
        chat::{self, ChatPlan},
        contexts::{self, NewContext},
    },
    generation::Generated,
    limits,
    team::{
        Actor, Role, Target,
        choose::{asked_expertise, choose_in},
        role_in,
    },
    text, timefmt,
};

/// A task recorded (pending) with what to send to the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Started {
    pub delegation: Delegation,
    /// The request for the chosen persona's context: its effective prompt and the task.
    pub plan: ChatPlan,
}

/// Characters of the task shown in the name of its context.
const CONTEXT_NAME_TASK_CHARS: usize = 60;

/// Records a task `from` delegates, chooses its persona (see `team::choose`), opens a context
/// for it and prepares the request. The record is pending until [`mark_running`].
pub fn start(store: &Store, from: &Actor, request: &DelegationRequest) -> Result<Started> {
    let task = request.task.trim();
    if task.is_empty() {
        return Err(CoreError::invalid(
            "task is empty: say what the persona should do.",
        ));
    }
    limits::check("task-delegate", "task", task, limits::MESSAGE_CHARS)?;
    let id = store.write(|tx| {
        fail_stale_in(tx, STALE_AFTER)?;
        let choice = choose_in(tx, from, &request.target)?;
        let kind = match role_in(tx, &choice.persona)? {
            Some(Role::Reviewer) => Kind::Review,
            _ => Kind::Task,
        };
        let expertise = match &request.target {
            Target::Expertise(asked) => asked_expertise(asked)?,
            Target::Persona(_) => Vec::new(),
        };
        tx.execute(
            "INSERT INTO delegations (from_persona, to_persona, kind, task, expertise, priority, status, choice, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8)",
            params![
                from.persona(),
                choice.persona,
                kind.as_str(),
                task,
                serde_json::to_string(&expertise)?,
                request.priority.as_str(),
                serde_json::to_string(&choice)?,
                timefmt::now_string()
            ],
        )?;
        Ok(tx.last_insert_rowid())
    })?;
    match open_context(store, id, task) {
        Ok(plan) => Ok(Started {
            delegation: store.read(|conn| get_in(conn, id))?,
            plan,
        }),
        Err(e) => {
            fail(store, id, &e.to_string())?;
            Err(e)
        }
    }
}

/// The task's own context, created from its persona, and the request for it.
fn open_context(store: &Store, id: i64, task: &str) -> Result<ChatPlan> {
    let persona = store.read(|conn| get_in(conn, id))?.to;
    let context = contexts::create_from_persona(
        store,
        &persona,
        NewContext {
            name: format!("Task {id}: {}", text::one_line(task, CONTEXT_NAME_TASK_CHARS)),
            ..Default::default()
        },
    )?;
    store.write(|tx| {
        tx.execute(
            "UPDATE delegations SET context_id = ?2 WHERE id = ?1",
            params![id, context.id],
        )?;
        Ok(())
    })?;
    chat::prepare(store, &context.id, task)
}

fn cancelled(id: i64) -> CoreError {
    CoreError::invalid(format!(
        "Delegation {id} was cancelled; nothing it produced was stored."
    ))
}

/// pending → running, when the model is asked. A task already running, cancelled or ended
/// refuses.
pub fn mark_running(store: &Store, id: i64) -> Result<Delegation> {
    store.write(|tx| {
        let d = get_in(tx, id)?;
        match d.status {
            Status::Pending => {
                tx.execute(
                    "UPDATE delegations SET status = 'running', started_at = ?2 WHERE id = ?1",
                    params![id, timefmt::now_string()],
                )?;
                get_in(tx, id)
            }
            // Twice running would let two retries of one 2026-07-28 call both go ahead.
            Status::Running => Err(CoreError::invalid(format!(
                "Delegation {id} is already running: another retry of the same call is under way. Follow it with task-manage get."
            ))),
            Status::Cancelled => Err(cancelled(id)),
            Status::Done | Status::Failed => Err(CoreError::invalid(format!(
                "Delegation {id} has already ended ({}). Delegate the task again.",
                d.status.as_str()
            ))),
        }
    })
}

/// Stores the reply in the task's context and as its result, and ends it done: both in one
/// transaction, and only while the task is still running or pending (a cancelled task refuses,
/// storing nothing).
pub fn complete(store: &Store, id: i64, reply: &Generated) -> Result<Delegation> {
    store.write(|tx| {
        let d = get_in(tx, id)?;
        match d.status {
            Status::Pending | Status::Running => {}
            Status::Cancelled => return Err(cancelled(id)),
            Status::Done | Status::Failed => {
                return Err(CoreError::invalid(format!(
                    "Delegation {id} has already ended ({}).",
                    d.status.as_str()
                )));
            }
        }
        if let Some(context_id) = &d.context_id {
            chat::record_exchange_in(tx, context_id, &d.task, reply)?;
        }
        let now = timefmt::now_string();
        tx.execute(
            "UPDATE delegations SET status = 'done', result = ?2, route = ?3, model = ?4,
                 input_tokens = ?5, output_tokens = ?6, finished_at = ?7,
                 started_at = COALESCE(started_at, ?7)
             WHERE id = ?1",
            params![
                id,
                reply.text,
                reply.route,
                reply.model,
                reply.usage.map(|u| u.input_tokens),
                reply.usage.map(|u| u.output_tokens),
                now
            ],
        )?;
        get_in(tx, id)
    })
}

/// Ends a pending or running task as failed, with the reason. A task that already ended (a
/// cancelled one) keeps its status.
pub fn fail(store: &Store, id: i64, error: &str) -> Result<Delegation> {
    store.write(|tx| {
        tx.execute(
            "UPDATE delegations SET status = 'failed', error = ?2, finished_at = ?3
             WHERE id = ?1 AND status IN ('pending', 'running')",
            params![id, error, timefmt::now_string()],
        )?;
        get_in(tx, id)
    })
}

/// A task still pending or running this long after it was delegated is ended as failed: a task
/// runs within one tool call, and the longest a call may wait is a sampling request answered
/// later (protocol 2026-07-28), whose pending handle lives one hour (`PENDING_TTL` in the
/// server's mcp/generate.rs). Two hours leaves that hour and the generation itself untouched.
pub const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(2 * 60 * 60);

/// Ends as failed every task still pending or running that began more than `older_than` ago:
/// the process that ran it has stopped (a task runs within one tool call). Returns how many.
/// Maintenance calls it, and so does every new delegation (with [`STALE_AFTER`]), so a task
/// whose server stopped does not show as running for long.
pub fn fail_stale(store: &Store, older_than: std::time::Duration) -> Result<u64> {
    store.write(|tx| fail_stale_in(tx, older_than))
}

fn fail_stale_in(tx: &rusqlite::Transaction<'_>, older_than: std::time::Duration) -> Result<u64> {
    let age = time::Duration::try_from(older_than).unwrap_or(time::Duration::DAY);
    let before = timefmt::format(timefmt::now() - age);
    let changed = tx.execute(
        "UPDATE delegations SET status = 'failed', finished_at = ?2,
             error = 'The server process that ran it stopped before it finished. Delegate the task again.'
         WHERE status IN ('pending', 'running') AND created_at < ?1",
        params![before, timefmt::now_string()],
    )?;
    Ok(changed as u64)
}
