//! Seeding built-ins once: a built-in the user deleted does not come back on its own, and a new
//! built-in of a later version arrives in an existing database.

use rusqlite::{OptionalExtension, Transaction, params};

use super::{CatalogItem, get_in, insert, personas::Persona, templates::Template};
use crate::{Result, timefmt};

/// Seeds every kind's built-ins never seeded into this database before.
pub(crate) fn seed_builtins(tx: &Transaction<'_>) -> Result<()> {
    seed::<Template>(tx)?;
    seed::<Persona>(tx)
}

/// Adds each built-in of `T` never seeded into this database before, and records it, so a
/// built-in the user deleted does not come back on its own. A user item of the same name stays.
pub(super) fn seed<T: CatalogItem>(tx: &Transaction<'_>) -> Result<()> {
    for item in T::builtins() {
        let name = T::name_of(&item);
        let seeded: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM builtin_seeds WHERE kind = ?1 AND name = ?2",
                params![T::SEED_KIND, name],
                |r| r.get(0),
            )
            .optional()?;
        if seeded.is_none() {
            if get_in::<T>(tx, name)?.is_none() {
                insert::<T>(tx, &item, true)?;
            }
            tx.execute(
                "INSERT INTO builtin_seeds (kind, name, seeded_at) VALUES (?1, ?2, ?3)",
                params![T::SEED_KIND, name, timefmt::now_string()],
            )?;
        }
    }
    Ok(())
}
