//! What deleting a persona does to what names it, in the transaction that deletes it. Other parts
//! keep a persona's name as text (a context's persona, a note's owner, a task's sender and
//! receiver), so a later persona of the same name would otherwise inherit them; and a persona's
//! descendants and running tasks need it. So the deletion:
//! - is refused while the persona heads others (its rules would leave their prompts) or has a
//!   task pending or running (its result would land on a persona that is gone);
//! - writes the rules in force into its contexts' own prompts (`persona_rules`);
//! - gives its notes to the user, who may see every note anyway (a namesake must not read its
//!   private ones), in the notes and in their change feed;
//! - marks the task records that name it "NAME (deleted)", a name no persona can have (names
//!   have no spaces), so they stay readable history that no namesake sees as its own.

use rusqlite::Connection;

use super::{persona_rules, persona_tree};
use crate::{CoreError, Result};

pub(crate) fn before_delete(conn: &Connection, name: &str) -> Result<()> {
    persona_tree::check_no_children(conn, name)?;
    check_no_open_task(conn, name)?;
    persona_rules::bake_into_contexts(conn, name)?;
    conn.execute("UPDATE memories SET owner = NULL WHERE owner = ?1", [name])?;
    conn.execute("UPDATE memory_changes SET owner = NULL WHERE owner = ?1", [name])?;
    let gone = format!("{name} (deleted)");
    conn.execute(
        "UPDATE delegations SET from_persona = ?2 WHERE from_persona = ?1",
        [name, gone.as_str()],
    )?;
    conn.execute(
        "UPDATE delegations SET to_persona = ?2 WHERE to_persona = ?1",
        [name, gone.as_str()],
    )?;
    Ok(())
}

fn check_no_open_task(conn: &Connection, name: &str) -> Result<()> {
    let open: i64 = conn.query_row(
        "SELECT COUNT(*) FROM delegations
         WHERE status IN ('pending', 'running') AND (to_persona = ?1 OR from_persona = ?1)",
        [name],
        |r| r.get(0),
    )?;
    if open == 0 {
        return Ok(());
    }
    Err(CoreError::invalid(format!(
        "Persona '{name}' has {open} delegated task(s) pending or running: wait for them to end, or cancel them (task-manage cancel, or the app's Delegations screen), then delete it."
    )))
}
