//! The old server's role engine in `context-memory.db` (`persona_roles`, `persona_capabilities`,
//! `persona_hierarchy`, `task_delegations`): designed there but never wired. Each old context
//! with a role or capabilities becomes (also) one of our personas, with its role mapped, its
//! expertise and restrictions, and its parent; its delegations become delegation records.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{
    ImportItem, ItemKind, free_name, imported, join_notes,
    old_contexts::{OldContext, convert_time, has_table, readable_name},
    skipped,
};
use crate::{
    CoreError,
    catalog::{
        self, persona_tree,
        personas::{NewPersona, Persona},
    },
    team::{
        Choice, Role,
        delegation::{Priority, Status},
    },
    timefmt,
};

/// One old context's place in the old team.
pub(super) struct OldMember {
    context_id: String,
    /// `role_type` of its active role (the first by hierarchy level), if any.
    role: Option<String>,
    role_description: String,
    /// Other role rows of the same context, left aside.
    other_roles: usize,
    expertise: Vec<String>,
    restrictions: Vec<String>,
    /// The parent context: `persona_hierarchy` depth 1, else the context of `parent_role_id`.
    parent: Option<String>,
}

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

pub(super) struct OldTeam {
    members: Vec<OldMember>,
    delegations: Vec<OldDelegation>,
    /// Why the tables could not be read: development versions of the old server wrote other
    /// shapes (such as `role_name` for `role_type`). The rest of the import goes on without them.
    unreadable: Option<String>,
}

/// Where the old role engine kept its data, for the report.
const TEAM_TABLES: &str = "persona_roles, persona_capabilities, persona_hierarchy, task_delegations";

/// A JSON array of strings as the old server stored it; anything else reads as empty.
fn string_list(text: Option<String>) -> Vec<String> {
    let values: Vec<serde_json::Value> = text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    values
        .into_iter()
        .filter_map(|v| v.as_str().map(str::trim).map(str::to_string))
        .filter(|v| !v.is_empty())
        .collect()
}

/// The member for `context_id`, added (in first-seen order) when new.
fn member<'a>(
    members: &'a mut BTreeMap<String, OldMember>,
    order: &mut Vec<String>,
    context_id: &str,
) -> &'a mut OldMember {
    members.entry(context_id.to_string()).or_insert_with(|| {
        order.push(context_id.to_string());
        OldMember {
            context_id: context_id.to_string(),
            role: None,
            role_description: String::new(),
            other_roles: 0,
            expertise: Vec::new(),
            restrictions: Vec::new(),
            parent: None,
        }
    })
}

/// The old team, when its tables exist and hold a role or capabilities row; tables of a shape
/// this import does not know are reported, not fatal.
pub(super) fn read_team(conn: &Connection) -> Option<OldTeam> {
    read_tables(conn).unwrap_or_else(|e| {
        Some(OldTeam {
            members: Vec::new(),
            delegations: Vec::new(),
            unreadable: Some(e.to_string()),
        })
    })
}

fn read_tables(conn: &Connection) -> rusqlite::Result<Option<OldTeam>> {
    let mut members: BTreeMap<String, OldMember> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut role_contexts: BTreeMap<String, String> = BTreeMap::new();
    let mut role_parents: Vec<(String, String)> = Vec::new();
    if has_table(conn, "persona_roles")? {
        let mut stmt = conn.prepare(
            "SELECT role_id, context_id, role_type, role_description, parent_role_id, COALESCE(is_active, 1)
             FROM persona_roles ORDER BY COALESCE(is_active, 1) DESC, hierarchy_level, created_at, rowid",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, i64>(5).unwrap_or(1) != 0,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (role_id, context_id, role, description, parent_role, active) in rows {
            if context_id.is_empty() {
                continue;
            }
            role_contexts.insert(role_id, context_id.clone());
            let m = member(&mut members, &mut order, &context_id);
            if m.role.is_none() && active {
                m.role = role;
                m.role_description = description.unwrap_or_default();
                if let Some(parent_role) = parent_role.filter(|p| !p.is_empty()) {
                    role_parents.push((context_id, parent_role));
                }
            } else {
                m.other_roles += 1;
            }
        }
    }
    if has_table(conn, "persona_capabilities")? {
        let mut stmt = conn
            .prepare("SELECT context_id, expertise, restrictions FROM persona_capabilities ORDER BY rowid")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    r.get::<_, Option<String>>(1).ok().flatten(),
                    r.get::<_, Option<String>>(2).ok().flatten(),
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (context_id, expertise, restrictions) in rows {
            if context_id.is_empty() {
                continue;
            }
            let m = member(&mut members, &mut order, &context_id);
            m.expertise = string_list(expertise);
            m.restrictions = string_list(restrictions);
        }
    }
    if members.is_empty() {
        return Ok(None);
    }
    // Parents: the role's parent role, replaced by the closure table's direct row where one exists.
    for (context_id, parent_role) in role_parents {
        let parent = role_contexts.get(&parent_role).cloned();
        if let Some(m) = members.get_mut(&context_id) {
            m.parent = parent;
        }
    }
    if has_table(conn, "persona_hierarchy")? {
        let mut stmt = conn.prepare(
            "SELECT ancestor_id, descendant_id FROM persona_hierarchy
             WHERE depth = 1 AND ancestor_id <> descendant_id ORDER BY rowid",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (ancestor, descendant) in rows {
            if let Some(m) = members.get_mut(&descendant) {
                m.parent = Some(ancestor);
            }
        }
    }
    let delegations = if has_table(conn, "task_delegations")? {
        read_delegations(conn)?
    } else {
        Vec::new()
    };
    let members = order.into_iter().filter_map(|id| members.remove(&id)).collect();
    Ok(Some(OldTeam {
        members,
        delegations,
        unreadable: None,
    }))
}

fn read_delegations(conn: &Connection) -> rusqlite::Result<Vec<OldDelegation>> {
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
            expertise: string_list(r.get::<_, Option<String>>(4).ok().flatten()),
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

/// Our role for an old `role_type`, and a note when it is not the same word.
fn map_role(old: Option<&str>) -> (Role, Option<String>) {
    match old {
        None => (Role::default(), None),
        Some("admin") => (Role::Lead, Some("role admin → lead".to_string())),
        Some("guest") => (Role::Observer, Some("role guest → observer".to_string())),
        Some(other) => match Role::parse(other) {
            Some(role) => (role, None),
            None => (
                Role::default(),
                Some(format!("unknown old role '{other}' → assistant")),
            ),
        },
    }
}

/// What became of one member: our persona's name, and whether this run created it (only then is
/// its parent set: a second run changes nothing).
struct Placed {
    name: String,
    created: bool,
    item: usize,
}

/// Imports the team: every member as a persona, then the parents, then the delegations.
pub(super) fn import_team(
    tx: &Transaction<'_>,
    team: &OldTeam,
    contexts: &[OldContext],
) -> crate::Result<Vec<ImportItem>> {
    if let Some(reason) = &team.unreadable {
        return Ok(vec![skipped(
            ItemKind::Persona,
            TEAM_TABLES,
            format!(
                "the old role engine's tables have a shape this import does not know ({reason}); everything else was imported"
            ),
        )]);
    }
    let mut items = Vec::new();
    let mut notes: Vec<Vec<String>> = Vec::new();
    let mut placed: BTreeMap<&str, Placed> = BTreeMap::new();
    for m in &team.members {
        let Some(context) = contexts.iter().find(|c| c.id == m.context_id) else {
            let item = skipped(
                ItemKind::Persona,
                &m.context_id,
                "has a role in the old server, but its context is not in the old database",
            );
            notes.push(item.note.iter().cloned().collect());
            items.push(item);
            continue;
        };
        let (item, name, created) = import_member(tx, m, context)?;
        if let Some(name) = name {
            placed.insert(
                &m.context_id,
                Placed {
                    name,
                    created,
                    item: items.len(),
                },
            );
        }
        notes.push(item.note.iter().cloned().collect());
        items.push(item);
    }
    // Parents once every persona exists; a parent that would make a cycle is left out.
    for m in &team.members {
        let (Some(child), Some(parent_id)) = (placed.get(m.context_id.as_str()), &m.parent) else {
            continue;
        };
        if !child.created {
            continue;
        }
        let note = match placed.get(parent_id.as_str()) {
            None => {
                format!("its old parent (context {parent_id}) had no role there, so it stays a root here")
            }
            Some(parent) => match persona_tree::check_parent(tx, &child.name, Some(&parent.name)) {
                Ok(()) => {
                    tx.execute(
                        "UPDATE personas SET parent = ?1, updated_at = ?2 WHERE name = ?3",
                        params![parent.name, timefmt::now_string(), child.name],
                    )?;
                    format!("parent: {}", parent.name)
                }
                Err(CoreError::Invalid(reason)) => format!("parent '{}' left out: {reason}", parent.name),
                Err(e) => return Err(e),
            },
        };
        notes[child.item].push(note);
    }
    for (item, note) in items.iter_mut().zip(notes) {
        item.note = join_notes(note);
    }
    let names: BTreeMap<&str, &str> = placed.iter().map(|(id, p)| (*id, p.name.as_str())).collect();
    for d in &team.delegations {
        items.push(import_delegation(tx, d, &names)?);
    }
    Ok(items)
}

/// One member as a persona: the item, our name for it (also when it was imported before), and
/// whether this run created it.
fn import_member(
    tx: &Transaction<'_>,
    m: &OldMember,
    context: &OldContext,
) -> crate::Result<(ImportItem, Option<String>, bool)> {
    const KIND: ItemKind = ItemKind::Persona;
    let label = format!("{} ({}, team)", context.name, context.id);
    let (role, role_note) = map_role(m.role.as_deref());
    let description = if m.role_description.trim().is_empty() {
        format!("From the old server's context '{}'.", context.name)
    } else {
        m.role_description.clone()
    };
    let wanted = readable_name(&context.id, &context.name);
    let new = NewPersona {
        name: wanted.clone(),
        description,
        system_prompt: context.system_prompt.clone(),
        personality: context.personality.clone(),
        settings: context.settings.clone(),
        parent: None,
        role,
        expertise: m.expertise.clone(),
        restrictions: m.restrictions.clone(),
    };
    let same = |p: &Persona| {
        p.system_prompt == new.system_prompt
            && p.personality == new.personality
            && p.description == new.description
    };
    let mut found = None;
    let Some(name) = free_name(&wanted, |n| {
        let same_here = catalog::get_in::<Persona>(tx, n)?.map(|p| same(&p));
        if same_here == Some(true) {
            found = Some(n.to_string());
        }
        Ok(same_here)
    })?
    else {
        let item = skipped(KIND, &label, "already here: imported before");
        return Ok((item, found, false));
    };
    let mut notes: Vec<String> = role_note.into_iter().collect();
    if name != wanted {
        notes.push(format!(
            "renamed: a different persona named '{wanted}' exists here"
        ));
    }
    if m.other_roles > 0 {
        notes.push(format!(
            "{} more role(s) of it in the old server left aside: a persona has one role here",
            m.other_roles
        ));
    }
    match catalog::add_in::<Persona>(
        tx,
        &NewPersona {
            name: name.clone(),
            ..new
        },
    ) {
        Ok(()) => Ok((imported(KIND, &label, &name, join_notes(notes)), Some(name), true)),
        Err(CoreError::Invalid(reason)) => Ok((skipped(KIND, &label, reason), None, false)),
        Err(e) => Err(e),
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

fn import_delegation(
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
    let now = timefmt::now_string();
    let created_at = convert_time(&d.created_at).unwrap_or_else(|| now.clone());
    let already: Option<i64> = tx
        .query_row(
            "SELECT id FROM delegations WHERE to_persona = ?1 AND task = ?2 AND created_at = ?3",
            params![to, d.task, created_at],
            |r| r.get(0),
        )
        .optional()?;
    if already.is_some() {
        return Ok(skipped(KIND, &label, "already here: imported before"));
    }
    let (status, why) = map_status(&d.status);
    let choice = Choice {
        persona: (*to).to_string(),
        reason: format!("Delegated in the old server (delegation {label}) and imported."),
        ties: Vec::new(),
        candidates: Vec::new(),
    };
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
         VALUES (?1, ?2, 'task', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            from,
            to,
            d.task,
            serde_json::to_string(&d.expertise)?,
            priority.as_str(),
            status.as_str(),
            serde_json::to_string(&choice)?,
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

    /// Proves: the old roles map as issue 15 says (admin → lead, guest → observer, the others by
    /// name) and only a changed word is noted.
    #[test]
    fn old_roles_map_to_ours() {
        assert_eq!(map_role(Some("admin")).0, Role::Lead);
        assert_eq!(map_role(Some("guest")).0, Role::Observer);
        assert_eq!(map_role(Some("specialist")), (Role::Specialist, None));
        assert_eq!(map_role(Some("assistant")), (Role::Assistant, None));
        assert_eq!(map_role(Some("observer")), (Role::Observer, None));
        assert_eq!(map_role(Some("chief")).0, Role::Assistant);
        assert_eq!(map_role(None), (Role::Assistant, None));
    }

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

    /// Proves: a development version's role table (other column names) is reported as
    /// unreadable instead of stopping the import; absent or empty tables mean no team.
    #[test]
    fn an_unknown_shape_is_reported_and_no_rows_mean_no_team() {
        let conn = Connection::open_in_memory().expect("db");
        assert!(read_team(&conn).is_none(), "no tables: no team");
        conn.execute_batch(
            "CREATE TABLE persona_roles (id TEXT PRIMARY KEY, persona_id TEXT NOT NULL, role_name TEXT NOT NULL);",
        )
        .expect("schema");
        let team = read_team(&conn).expect("reported");
        assert!(team.unreadable.is_some_and(|r| r.contains("context_id")));
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(
            "CREATE TABLE persona_roles (role_id TEXT PRIMARY KEY, context_id TEXT NOT NULL, role_type TEXT NOT NULL,
               role_description TEXT, parent_role_id TEXT, hierarchy_level INTEGER, is_active INTEGER, created_at TEXT);",
        )
        .expect("schema");
        assert!(read_team(&conn).is_none(), "empty tables: no team");
    }

    #[test]
    fn lists_keep_only_strings() {
        assert_eq!(
            string_list(Some(r#"["law", 3, " tax ", ""]"#.into())),
            ["law", "tax"]
        );
        assert!(string_list(Some("not json".into())).is_empty());
        assert!(string_list(None).is_empty());
    }
}
