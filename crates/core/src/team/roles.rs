//! What each role may do: delegate to whom, and which memory it may write. The memory's own
//! per-note permissions apply after these (`memory::access`).

use rusqlite::{Connection, OptionalExtension};

use super::{Actor, Role};
use crate::{CoreError, Result, Store, catalog::persona_tree};

impl Role {
    /// The role with its article, to end "it is …": "an assistant", "a lead".
    pub fn with_article(self) -> String {
        let article = if self.as_str().starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {}", self.as_str())
    }

    /// Whether a persona of this role may delegate at all.
    pub fn may_delegate(self) -> bool {
        matches!(self, Self::Lead | Self::Specialist)
    }

    /// Whether it may see and cancel the delegations made by the personas below it (a lead runs
    /// its team; a specialist manages only what it delegated itself).
    pub fn manages_subtree(self) -> bool {
        matches!(self, Self::Lead)
    }

    /// One sentence on what the role may do, for refusals and screens.
    pub fn summary(self) -> &'static str {
        match self {
            Self::Lead => {
                "a lead delegates to any persona below it and reads and writes memory as each note allows"
            }
            Self::Specialist => {
                "a specialist delegates to the personas below it and reads and writes memory as each note allows"
            }
            Self::Assistant => "an assistant does not delegate and writes only its own and editable notes",
            Self::Reviewer => {
                "a reviewer does not delegate, reads shared notes and writes only its own notes (its reviews)"
            }
            Self::Observer => "an observer only reads: it neither writes memory nor delegates",
        }
    }
}

/// The role of the persona `name`; `None` when there is no such persona (the old server's
/// shared-memory tools let any id act; such an id keeps the memory's plain rules).
pub fn role_of(store: &Store, name: &str) -> Result<Option<Role>> {
    store.read(|conn| role_in(conn, name))
}

/// [`role_of`] on the caller's connection.
pub(crate) fn role_in(conn: &Connection, name: &str) -> Result<Option<Role>> {
    let role: Option<String> = conn
        .query_row("SELECT role FROM personas WHERE name = ?1", [name], |r| r.get(0))
        .optional()?;
    Ok(role.map(|r| Role::parse(&r).unwrap_or_default()))
}

/// The role's limit on a memory write by `actor` to a note owned by `owner` (`None`: the user),
/// checked before the note's permission: an observer writes nothing, a reviewer only its own
/// notes. `what` completes "may not …" ("change memory 12", "create a note").
pub(crate) fn check_memory_write(
    conn: &Connection,
    actor: &Actor,
    what: &str,
    owner: Option<&str>,
) -> Result<()> {
    let Some(name) = actor.persona() else {
        return Ok(());
    };
    let refused = match role_in(conn, name)? {
        Some(Role::Observer) => Role::Observer,
        Some(Role::Reviewer) if owner != Some(name) => Role::Reviewer,
        _ => return Ok(()),
    };
    Err(CoreError::NotAllowed(format!(
        "Persona '{name}' may not {what}: it is {} ({}). Give it another role (persona-manage update, role), or act as the user (without asPersona).",
        refused.with_article(),
        refused.summary()
    )))
}

/// Refuses a persona whose role does not delegate.
pub(crate) fn check_may_delegate(conn: &Connection, name: &str) -> Result<()> {
    let role = role_in(conn, name)?.unwrap_or_default();
    if role.may_delegate() {
        return Ok(());
    }
    Err(CoreError::NotAllowed(format!(
        "Persona '{name}' may not delegate: it is {} ({}). Make it a lead or a specialist (persona-manage update, role), or delegate as the user (without asPersona).",
        role.with_article(),
        role.summary()
    )))
}

/// Refuses a delegation that `from` may not make to `to` (the user may delegate to anyone).
pub(crate) fn check_delegation(conn: &Connection, from: &Actor, to: &str) -> Result<()> {
    let Some(name) = from.persona() else {
        return Ok(());
    };
    check_may_delegate(conn, name)?;
    if to == name {
        return Err(CoreError::NotAllowed(format!(
            "Persona '{name}' cannot delegate a task to itself. Name a persona below it, or ask for the expertise needed."
        )));
    }
    if !persona_tree::ancestors(conn, to)?.iter().any(|a| a == name) {
        return Err(CoreError::NotAllowed(format!(
            "Persona '{name}' may delegate only to the personas below it in the team, and '{to}' is not one of them. Give '{to}' a parent under '{name}' (persona-manage update, parent), or delegate as the user (without asPersona)."
        )));
    }
    Ok(())
}
