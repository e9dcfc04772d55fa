//! The old server's `task_delegations` (its role engine recorded them, never ran them): read, and
//! imported as ended delegation records, each at most once (keyed by its old id).

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{ImportItem, ItemKind, imported, old_contexts::convert_time, sha256_hex, skipped};
use crate::{
    team::{
        Choice, Role,
        delegation::{Kind, Priority, Status},
        role_in,
    },
    timefmt,
};

pub(super) struct OldDelegation {
    id: String,
    from: String,
    to: String,
    task: String,
    expertise: Vec<String>,
    priority: String,
    status: String,
    result: Option<String>,
    created_at: String,
    started_at: String,
    completed_at: String,
}

/// The field of an imported record's `choice` JSON that holds [`old_key`]: what makes a second
/// run find it (the record's times and texts may repeat, or be unreadable).
const OLD_KEY_FIELD: &str = "importedFrom";

pub(super) fn read_delegations(conn: &Connection) -> rusqlite::Result<Vec<OldDelegation>> {
    let mut stmt = conn.prepare(
        "SELECT delegation_id, from_context_id, to_context_id, task_description, required_capabilities,
                priority_level, status, result_data, created_at, started_at, completed_at
         FROM task_delegations ORDER BY created_at, rowid",
    )?;
    let text =
        |r: &rusqlite::Row<'_>, i: usize| r.get::<_, Option<String>>(i).ok().flatten().unwrap_or_default();
    stmt.query_map([], |r| {
        Ok(OldDelegation {
            id: text(r, 0),
            from: text(r, 1),
            to: text(r, 2),
            task: text(r, 3),
            expertise: super::old_team::string_list(r.get::<_, Option<String>>(4).ok().flatten()),
            priority: text(r, 5),
            status: text(r, 6),
            result: r.get::<_, Option<String>>(7).ok().flatten(),
            created_at: text(r, 8),
            started_at: text(r, 9),
            completed_at: text(r, 10),
        })
    })?
    .collect()
}

/// What identifies an old delegation across runs: its id, or for a row without one (the old
/// column allowed NULL) a digest of what it says, as the old server stored it.
fn old_key(d: &OldDelegation) -> String {
    if d.id.is_empty() {
        let what = [&d.from, &d.to, &d.created_at].map(String::as_str).join("\n");
        format!("content:{}", sha256_hex(&what, &d.task))
    } else {
        format!("id:{}", d.id)
    }
}

/// Our status for an old one, and why it changed. The old server never ran a delegation, so one
/// it left open ends as failed: nothing here will run it.
fn map_status(old: &str) -> (Status, Option<&'static str>) {
    match old {
        "completed" => (Status::Done, None),
        "failed" => (Status::Failed, None),
        "cancelled" => (Status::Cancelled, None),
        _ => (
            Status::Failed,
            Some("The old server recorded this task but never ran it; delegate it again with task-delegate."),
        ),
    }
}

/// Whether the old delegation is already here: a record carries its key.
fn already_imported(tx: &Transaction<'_>, key: &str) -> crate::Result<bool> {
    let found: Option<i64> = tx
        .query_row(
            &format!(
                "SELECT id FROM delegations
                 WHERE json_valid(choice) AND json_extract(choice, '$.{OLD_KEY_FIELD}') = ?1
                 LIMIT 1"
            ),
            [key],
            |r| r.get(0),
        )
        .optional()?;
    Ok(found.is_some())
}

/// One old delegation as an ended record; `names` maps old context ids to our personas.
pub(super) fn import_delegation(
    tx: &Transaction<'_>,
    d: &OldDelegation,
    names: &BTreeMap<&str, &str>,
) -> crate::Result<ImportItem> {
    const KIND: ItemKind = ItemKind::Delegation;
    let label = if d.id.is_empty() {
        d.task.chars().take(40).collect()
    } else {
        d.id.clone()
    };
    let (Some(to), Some(from)) = (names.get(d.to.as_str()), names.get(d.from.as_str())) else {
        return Ok(skipped(
            KIND,
            &label,
            "names a context that did not become a persona here (see the personas above)",
        ));
    };
    if d.task.trim().is_empty() {
        return Ok(skipped(KIND, &label, "has no task description"));
    }
    let key = old_key(d);
    if already_imported(tx, &key)? {
        let note = if d.id.is_empty() {
            "already here: imported before (or the same as another old delegation without an id)"
        } else {
            "already here: imported before"
        };
        return Ok(skipped(KIND, &label, note));
    }
    let now = timefmt::now_string();
    let created_at = convert_time(&d.created_at).unwrap_or_else(|| now.clone());
    let (status, why) = map_status(&d.status);
    // What a reviewer is given is a review, as when it is delegated here (delegation::start).
    let kind = match role_in(tx, to)? {
        Some(Role::Reviewer) => Kind::Review,
        _ => Kind::Task,
    };
    let mut choice = serde_json::to_value(Choice {
        persona: (*to).to_string(),
        reason: format!("Delegated in the old server (delegation {label}) and imported."),
        ties: Vec::new(),
        candidates: Vec::new(),
    })?;
    if let Some(fields) = choice.as_object_mut() {
        fields.insert(OLD_KEY_FIELD.to_string(), serde_json::Value::String(key));
    }
    let priority =
        serde_json::from_value::<Priority>(serde_json::Value::String(d.priority.clone())).unwrap_or_default();
    // Every imported record has ended: without an end time, it ended when it was recorded.
    let finished_at = convert_time(&d.completed_at).unwrap_or_else(|| created_at.clone());
    let result = (status == Status::Done).then(|| d.result.clone()).flatten();
    let error = why
        .map(str::to_string)
        .or_else(|| (status == Status::Failed).then(|| d.result.clone()).flatten());
    tx.execute(
        "INSERT INTO delegations (from_persona, to_persona, kind, task, expertise, priority, status, choice,
                                  result, error, created_at, started_at, finished_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            from,
            to,
            kind.as_str(),
            d.task,
            serde_json::to_string(&d.expertise)?,
            priority.as_str(),
            status.as_str(),
            choice.to_string(),
            result,
            error,
            created_at,
            convert_time(&d.started_at),
            finished_at,
        ],
    )?;
    let note = match why {
        Some(_) => format!("was {} there and never ran: recorded as failed", d.status),
        None => format!("{} → {}", d.status, status.as_str()),
    };
    Ok(imported(
        KIND,
        &label,
        &tx.last_insert_rowid().to_string(),
        Some(format!("{from} → {to}; {note}")),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import_upstream::Outcome;

    /// Proves: only completed tasks end done; open ones end failed with the reason.
    #[test]
    fn old_statuses_map_to_ours() {
        assert_eq!(map_status("completed"), (Status::Done, None));
        assert_eq!(map_status("cancelled"), (Status::Cancelled, None));
        for open in ["pending", "accepted", "in_progress"] {
            let (status, why) = map_status(open);
            assert_eq!(status, Status::Failed);
            assert!(why.is_some_and(|w| w.contains("never ran")), "{open}");
        }
    }

    /// Proves: a record is found again by its old id, while another id arrives once.
    #[test]
    fn a_delegation_imported_before_is_found_by_its_old_id() {
        let store = crate::Store::open_in_memory().expect("store");
        let names = BTreeMap::from([("ctx-a", "lead"), ("ctx-b", "dev")]);
        let old = |id: &str| OldDelegation {
            id: id.into(),
            from: "ctx-a".into(),
            to: "ctx-b".into(),
            task: "Same task".into(),
            expertise: Vec::new(),
            priority: "medium".into(),
            status: "completed".into(),
            result: None,
            created_at: "someday".into(),
            started_at: String::new(),
            completed_at: String::new(),
        };
        let outcomes = store
            .write(|tx| {
                ["d-1", "d-2", "d-2", "d-1"]
                    .into_iter()
                    .map(|id| import_delegation(tx, &old(id), &names).map(|item| item.outcome))
                    .collect::<crate::Result<Vec<_>>>()
            })
            .expect("import");
        assert_eq!(
            outcomes,
            [
                Outcome::Imported,
                Outcome::Imported,
                Outcome::Skipped,
                Outcome::Skipped
            ]
        );
    }

    /// Proves: the key is the old id when there is one (two rows alike in all else differ), and
    /// for a row without an id it depends on what the row says, not on when it is read.
    #[test]
    fn old_delegations_are_keyed_by_their_id() {
        let row = |id: &str, task: &str| OldDelegation {
            id: id.into(),
            from: "a".into(),
            to: "b".into(),
            task: task.into(),
            expertise: Vec::new(),
            priority: String::new(),
            status: String::new(),
            result: None,
            created_at: "not a time".into(),
            started_at: String::new(),
            completed_at: String::new(),
        };
        assert_eq!(old_key(&row("d-1", "x")), "id:d-1");
        assert_ne!(old_key(&row("d-1", "x")), old_key(&row("d-2", "x")));
        assert_eq!(old_key(&row("", "x")), old_key(&row("", "x")));
        assert_ne!(old_key(&row("", "x")), old_key(&row("", "y")));
        assert!(old_key(&row("", "x")).starts_with("content:"));
    }
}
