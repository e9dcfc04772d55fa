//! The personas' tree as stored data: a parent must exist and must not be the persona itself or
//! one of its descendants, the tree is at most `limits::TEAM_DEPTH` deep, and a persona that heads
//! others cannot be deleted (its restrictions would silently leave its descendants' prompts).
//! What the tree means (inherited rules, who may delegate to whom) is `team`'s.

use rusqlite::{Connection, OptionalExtension};

use crate::{CoreError, Result, limits};

/// The parent of `name` (`None` for a root or an unknown persona).
pub(crate) fn parent_of(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT parent FROM personas WHERE name = ?1", [name], |r| {
            r.get::<_, Option<String>>(0)
        })
        .optional()?
        .flatten())
}

/// The names above `name`, nearest first. Stops at `limits::TEAM_DEPTH` (which the writes keep)
/// and at a repeat, so a damaged table cannot loop.
pub fn ancestors(conn: &Connection, name: &str) -> Result<Vec<String>> {
    let mut chain: Vec<String> = Vec::new();
    let mut current = name.to_string();
    while chain.len() < limits::TEAM_DEPTH {
        match parent_of(conn, &current)? {
            Some(parent) if parent != name && !chain.contains(&parent) => {
                chain.push(parent.clone());
                current = parent;
            }
            _ => break,
        }
    }
    Ok(chain)
}

/// The direct children of `name`, sorted.
pub fn children(conn: &Connection, name: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT name FROM personas WHERE parent = ?1 ORDER BY name")?;
    let rows = stmt.query_map([name], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Refuses a parent that does not exist, is the persona itself, lies below it (a cycle) or
/// would make the tree deeper than `limits::TEAM_DEPTH`.
pub(crate) fn check_parent(conn: &Connection, name: &str, parent: Option<&str>) -> Result<()> {
    let Some(parent) = parent.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    if parent == name {
        return Err(CoreError::invalid(format!(
            "Persona '{name}' cannot be its own parent. Choose another persona, or leave parent empty to make it a root."
        )));
    }
    let exists: bool = conn
        .query_row("SELECT 1 FROM personas WHERE name = ?1", [parent], |_| Ok(()))
        .optional()?
        .is_some();
    if !exists {
        return Err(CoreError::invalid(format!(
            "Persona '{name}': its parent '{parent}' does not exist. Create that persona first, or list personas with persona-manage action 'list'."
        )));
    }
    let above = ancestors(conn, parent)?;
    if let Some(at) = above.iter().position(|a| a == name) {
        let mut path: Vec<&str> = vec![name, parent];
        path.extend(above[..at].iter().map(String::as_str));
        path.push(name);
        return Err(CoreError::invalid(format!(
            "Persona '{name}' cannot have '{parent}' as its parent: '{parent}' is below '{name}', so the team would go round in a circle ({}). Choose a parent that is not below '{name}'.",
            path.join(" → ")
        )));
    }
    let depth_below = subtree_depth(conn, name)?;
    if above.len() + 1 + depth_below > limits::TEAM_DEPTH {
        return Err(CoreError::invalid(format!(
            "Persona '{name}' under '{parent}' would make the team {} levels deep; the limit is {}. Choose a parent higher up.",
            above.len() + 2 + depth_below,
            limits::TEAM_DEPTH + 1
        )));
    }
    Ok(())
}

/// How many levels lie below `name` (0 for a leaf).
fn subtree_depth(conn: &Connection, name: &str) -> Result<usize> {
    Ok(descendants(conn, name)?
        .iter()
        .map(|(_, depth)| *depth)
        .max()
        .unwrap_or(0))
}

/// Every persona below `name` at any depth (1: a child), sorted by name. The walk stops past
/// `limits::TEAM_DEPTH` levels, so a damaged table cannot loop.
pub fn descendants(conn: &Connection, name: &str) -> Result<Vec<(String, usize)>> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE below(name, depth) AS (
             SELECT name, 1 FROM personas WHERE parent = ?1
             UNION SELECT p.name, b.depth + 1 FROM personas p JOIN below b ON p.parent = b.name
             WHERE b.depth <= ?2
         )
         SELECT name, MIN(depth) FROM below WHERE name != ?1 GROUP BY name ORDER BY name",
    )?;
    let rows = stmt.query_map(rusqlite::params![name, limits::TEAM_DEPTH as i64], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })?;
    rows.map(|row| {
        let (name, depth) = row?;
        Ok((name, usize::try_from(depth).unwrap_or(usize::MAX)))
    })
    .collect()
}

/// Refuses to delete a persona that heads others.
pub(crate) fn check_no_children(conn: &Connection, name: &str) -> Result<()> {
    let below = children(conn, name)?;
    if below.is_empty() {
        return Ok(());
    }
    Err(CoreError::invalid(format!(
        "Persona '{name}' heads {} persona(s) ({}): give them another parent first (persona-manage update, parent), then delete it. Deleting it would silently drop its restrictions from their prompts.",
        below.len(),
        below.join(", ")
    )))
}
