//! The old server's role engine in `context-memory.db` (`persona_roles`, `persona_capabilities`,
//! `persona_hierarchy`, `task_delegations`): designed there but never wired. Each old context
//! with a role or capabilities becomes (also) one of our personas, with its role mapped, its
//! expertise and restrictions (cut to our limits, with a note), and its parent; our copy of that
//! context speaks as it (so its rules and its ancestors' apply there). Its delegations become
//! delegation records (`old_delegations`).

use std::collections::BTreeMap;

use rusqlite::{Connection, Transaction, params};

use super::{
    ImportItem, ItemKind, free_name, imported, join_notes,
    old_contexts::{OldContext, has_table, readable_name},
    old_delegations::{self, OldDelegation},
    skipped,
};
use crate::{
    CoreError,
    catalog::{
        self, persona_tree,
        personas::{NewPersona, Persona},
    },
    limits,
    team::Role,
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
pub(super) fn string_list(text: Option<String>) -> Vec<String> {
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
        old_delegations::read_delegations(conn)?
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
            None if team.members.iter().any(|p| p.context_id == *parent_id) => format!(
                "its old parent (context {parent_id}) was skipped (see its item), so it stays a root here"
            ),
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
        items.push(old_delegations::import_delegation(tx, d, &names)?);
    }
    Ok(items)
}

/// One member as a persona: the item, our name for it (also when it was imported before), and
/// whether this run created it. Our copy of its context is linked to it either way.
fn import_member(
    tx: &Transaction<'_>,
    m: &OldMember,
    context: &OldContext,
) -> crate::Result<(ImportItem, Option<String>, bool)> {
    const KIND: ItemKind = ItemKind::Persona;
    let label = format!("{} ({}, team)", context.name, context.id);
    let (role, role_note) = map_role(m.role.as_deref());
    let mut notes: Vec<String> = role_note.into_iter().collect();
    let wanted = readable_name(&context.id, &context.name);
    let description = if m.role_description.trim().is_empty() {
        format!("From the old server's context '{}'.", context.name)
    } else {
        m.role_description.clone()
    };
    let (description, cut) = cut_chars(&description, limits::DESCRIPTION_CHARS);
    if cut {
        notes.push(format!(
            "description cut to {} characters",
            limits::DESCRIPTION_CHARS
        ));
    }
    // A persona needs a prompt; an old context could have an empty one.
    let system_prompt = if context.system_prompt.trim().is_empty() {
        let prompt = format!(
            "You are {}.",
            Some(context.name.trim())
                .filter(|n| !n.is_empty())
                .unwrap_or(&wanted)
        );
        notes.push(format!("its system prompt was empty: set to '{prompt}'"));
        prompt
    } else {
        context.system_prompt.clone()
    };
    let expertise = fit_list(
        &m.expertise,
        limits::EXPERTISE_ITEMS,
        limits::EXPERTISE_CHARS,
        "expertise entries",
    );
    let restrictions = fit_list(
        &m.restrictions,
        limits::RESTRICTIONS,
        limits::RESTRICTION_CHARS,
        "restrictions",
    );
    notes.extend(expertise.notes);
    notes.extend(restrictions.notes);
    let new = NewPersona {
        name: wanted.clone(),
        description,
        system_prompt,
        personality: context.personality.clone(),
        settings: context.settings.clone(),
        parent: None,
        role,
        expertise: expertise.kept,
        restrictions: restrictions.kept,
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
        // Imported before: by a version that left the context unlinked, or before the context
        // itself came in (it had expired then).
        let mut note = "already here: imported before".to_string();
        if let Some(name) = &found
            && link_context(tx, &context.id, name)?
        {
            note.push_str(&format!(
                "; context {} now speaks as it (its rules apply there)",
                context.id
            ));
        }
        return Ok((skipped(KIND, &label, note), found, false));
    };
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
        Ok(()) => {
            link_context(tx, &context.id, &name)?;
            Ok((imported(KIND, &label, &name, join_notes(notes)), Some(name), true))
        }
        Err(CoreError::Invalid(reason)) => Ok((skipped(KIND, &label, reason), None, false)),
        Err(e) => Err(e),
    }
}

/// Makes our copy of the old context `context_id` (same id) a context of `persona`, so a chat
/// there carries the persona's rules and its ancestors'. Only a context with no persona yet: one
/// the user linked otherwise keeps its link. Whether it changed.
fn link_context(tx: &Transaction<'_>, context_id: &str, persona: &str) -> crate::Result<bool> {
    let changed = tx.execute(
        "UPDATE contexts SET persona = ?2 WHERE id = ?1 AND persona IS NULL",
        params![context_id, persona],
    )?;
    Ok(changed > 0)
}

/// `text` at most `max` characters long (cut on a character boundary), and whether it was cut.
fn cut_chars(text: &str, max: usize) -> (String, bool) {
    match text.char_indices().nth(max) {
        Some((end, _)) => (text[..end].trim_end().to_string(), true),
        None => (text.to_string(), false),
    }
}

/// An old list cut to our limits, and what was cut, for the item's note.
struct Fitted {
    kept: Vec<String>,
    notes: Vec<String>,
}

/// The first `max_items` different entries of `list` (repeats, case aside, count once, as the
/// catalog keeps them), each cut to `max_chars` characters; `what` names them in the notes.
fn fit_list(list: &[String], max_items: usize, max_chars: usize, what: &str) -> Fitted {
    let mut kept: Vec<String> = Vec::new();
    let (mut cut, mut left_out) = (0, 0);
    for entry in list {
        let (entry, was_cut) = cut_chars(entry.trim(), max_chars);
        let lower = entry.to_lowercase();
        if entry.is_empty() || kept.iter().any(|k| k.to_lowercase() == lower) {
            continue;
        }
        if kept.len() == max_items {
            left_out += 1;
            continue;
        }
        cut += usize::from(was_cut);
        kept.push(entry);
    }
    let mut notes = Vec::new();
    if left_out > 0 {
        notes.push(format!(
            "kept the first {max_items} {what}, the limit here; {left_out} more left out"
        ));
    }
    if cut > 0 {
        notes.push(format!("{cut} of its {what} cut to {max_chars} characters"));
    }
    Fitted { kept, notes }
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

    /// Proves: a list over our limits keeps its first entries (repeats count once) and cuts long
    /// ones on a character boundary, saying so; a list within them passes unchanged and unnoted.
    #[test]
    fn old_lists_are_cut_to_our_limits_with_a_note() {
        let list: Vec<String> = ["a", "A", "b", "c", "ééééé"].map(String::from).into();
        let fitted = fit_list(&list, 3, 3, "rules");
        assert_eq!(fitted.kept, ["a", "b", "c"]);
        assert_eq!(
            fitted.notes,
            ["kept the first 3 rules, the limit here; 1 more left out"]
        );
        let fitted = fit_list(&list, 20, 3, "rules");
        assert_eq!(fitted.kept, ["a", "b", "c", "ééé"]);
        assert_eq!(fitted.notes, ["1 of its rules cut to 3 characters"]);
        let fitted = fit_list(&list, 20, 50, "rules");
        assert_eq!(fitted.kept, ["a", "b", "c", "ééééé"]);
        assert!(fitted.notes.is_empty());
        assert_eq!(cut_chars("日本語です", 3), ("日本語".to_string(), true));
        assert_eq!(cut_chars("abc", 3), ("abc".to_string(), false));
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
