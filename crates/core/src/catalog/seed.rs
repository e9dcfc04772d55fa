//! Seeding built-ins once: a built-in the user deleted does not come back on its own, and a new
//! built-in of a later version arrives in an existing database.

use rusqlite::{OptionalExtension, Transaction, params};

use crate::{Result, timefmt};

/// Something with a stable name that can be seeded.
pub(crate) trait Seeded {
    fn seed_name(&self) -> &str;
}

impl Seeded for super::templates::NewTemplate {
    fn seed_name(&self) -> &str {
        &self.name
    }
}

impl Seeded for super::personas::NewPersona {
    fn seed_name(&self) -> &str {
        &self.name
    }
}

/// Runs `insert` for each item never seeded into this database before, and records it, so a
/// built-in the user deleted does not come back on its own.
pub(crate) fn seed_once<T: Seeded>(
    tx: &Transaction<'_>,
    kind: &str,
    items: Vec<T>,
    insert: impl Fn(&Transaction<'_>, &T) -> Result<()>,
) -> Result<()> {
    for item in &items {
        let seeded: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM builtin_seeds WHERE kind = ?1 AND name = ?2",
                params![kind, item.seed_name()],
                |r| r.get(0),
            )
            .optional()?;
        if seeded.is_none() {
            insert(tx, item)?;
            tx.execute(
                "INSERT INTO builtin_seeds (kind, name, seeded_at) VALUES (?1, ?2, ?3)",
                params![kind, item.seed_name(), timefmt::now_string()],
            )?;
        }
    }
    Ok(())
}

/// Seeds every kind's built-ins never seeded into this database before.
pub(crate) fn seed_builtins(tx: &Transaction<'_>) -> Result<()> {
    super::templates::seed_builtins(tx)?;
    super::personas::seed_builtins(tx)
}
