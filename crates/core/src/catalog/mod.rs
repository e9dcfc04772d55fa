//! The catalog: the named things users keep and reuse, prompt templates and personas, each with
//! built-ins that can be changed, deleted and reset.
//!
//! Both kinds are stored and managed the same way, written once here over [`CatalogItem`]: a
//! kind says what differs (its table and columns, its row, its checks, how a patch applies, its
//! built-ins) and the generic functions below do the rest, for every front end:
//! `catalog::add::<Template>(store, new)`, `catalog::reset::<Persona>(store, name)`. The kinds'
//! own modules hold their types, their checks and what only they do (rendering a template).

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params_from_iter, types::Value};

use crate::{CoreError, Result, Store, limits, store::require_changed, timefmt};

mod persona_removal;
pub mod persona_rules;
pub mod persona_tree;
pub mod personas;
mod seed;
pub mod templates;

pub(crate) use seed::seed_builtins;

/// What one kind of catalog item says about itself; everything else is shared.
///
/// The kind's table has `name` as its key, then [`Self::CONTENT_COLUMNS`], then `builtin`,
/// `created_at` and `updated_at`.
pub trait CatalogItem: Sized {
    /// What a user gives to add one; built-ins are written in this shape too.
    type New;
    /// The fields an update changes; absent fields stay as they are (so the default patch
    /// changes nothing).
    type Patch: Default;

    /// The kind's name at the start of a message: "Template".
    const KIND: &'static str;
    /// The kind's key in `builtin_seeds`. Stored: never change it.
    const SEED_KIND: &'static str;
    /// Said after "was not found": where to see the names that exist.
    const NOT_FOUND_HINT: &'static str;
    const TABLE: &'static str;
    /// The columns an add writes and an update rewrites, in the order of [`Self::values`].
    const CONTENT_COLUMNS: &'static [&'static str];

    /// The name a new item is stored under.
    fn name_of(new: &Self::New) -> &str;
    /// Checks everything but the name (which [`check_name`](crate::limits::check_name) checks
    /// for every kind), on an item about to be added or the whole result of an update.
    fn validate(new: &Self::New) -> Result<()>;
    /// Checks what needs the other stored items (a persona's parent exists and makes no cycle),
    /// inside the transaction that writes `new`.
    fn check_in(_conn: &Connection, _new: &Self::New) -> Result<()> {
        Ok(())
    }
    /// Runs in the transaction that deletes the item `name`, before it: may refuse (a persona
    /// that heads others) or keep what others draw from it (a persona's rules, in its contexts).
    fn before_delete(_conn: &Connection, _name: &str) -> Result<()> {
        Ok(())
    }
    /// What of the `current` item a reset keeps over the `shipped` one (a persona keeps its
    /// place in the team); by default nothing.
    fn kept_on_reset(_current: &Self, _shipped: &mut Self::New) {}
    /// The values of [`Self::CONTENT_COLUMNS`] for `new`.
    fn values(new: &Self::New) -> Result<Vec<Value>>;
    /// The item in one row of its table (columns read by name).
    fn from_row(row: &Row<'_>) -> Result<Self>;
    /// `current` with `patch` laid over it: what an update stores, once validated.
    fn patched(current: Self, patch: Self::Patch) -> Self::New;
    /// The shipped items, which `reset` restores and seeding adds once.
    fn builtins() -> Vec<Self::New>;
}

/// The names of a kind's shipped items (a screen offers to restore a deleted one).
pub fn builtin_names<T: CatalogItem>() -> Vec<String> {
    T::builtins().iter().map(|b| T::name_of(b).to_string()).collect()
}

fn select_columns<T: CatalogItem>() -> String {
    format!(
        "name, {}, builtin, created_at, updated_at",
        T::CONTENT_COLUMNS.join(", ")
    )
}

fn not_found<T: CatalogItem>(name: &str) -> CoreError {
    CoreError::NotFound {
        kind: T::KIND,
        name: name.to_string(),
        hint: T::NOT_FOUND_HINT,
    }
}

fn validate<T: CatalogItem>(new: &T::New) -> Result<()> {
    limits::check_name(T::KIND, T::name_of(new))?;
    T::validate(new)
}

/// Every item of a kind, sorted by name.
pub fn list<T: CatalogItem>(store: &Store) -> Result<Vec<T>> {
    store.read(|conn| list_in(conn))
}

/// `list` on the caller's connection or transaction.
pub(crate) fn list_in<T: CatalogItem>(conn: &Connection) -> Result<Vec<T>> {
    let sql = format!("SELECT {} FROM {} ORDER BY name", select_columns::<T>(), T::TABLE);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], |row| Ok(T::from_row(row)))?;
    rows.map(|row| row?).collect()
}

/// One item by name.
pub fn get<T: CatalogItem>(store: &Store, name: &str) -> Result<T> {
    store.read(|conn| stored(conn, name))
}

/// `get` on the caller's connection or transaction; `None` when there is no such item.
pub(crate) fn get_in<T: CatalogItem>(conn: &Connection, name: &str) -> Result<Option<T>> {
    let sql = format!(
        "SELECT {} FROM {} WHERE name = ?1",
        select_columns::<T>(),
        T::TABLE
    );
    conn.query_row(&sql, [name], |row| Ok(T::from_row(row)))
        .optional()?
        .transpose()
}

fn stored<T: CatalogItem>(conn: &Connection, name: &str) -> Result<T> {
    get_in::<T>(conn, name)?.ok_or_else(|| not_found::<T>(name))
}

fn insert<T: CatalogItem>(tx: &Transaction<'_>, new: &T::New, builtin: bool) -> Result<()> {
    let now = timefmt::now_string();
    let mut values = vec![Value::from(T::name_of(new).to_string())];
    values.extend(T::values(new)?);
    // builtin, created_at, updated_at
    values.extend([Value::from(builtin), Value::from(now.clone()), Value::from(now)]);
    let placeholders: Vec<String> = (1..=values.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        T::TABLE,
        select_columns::<T>(),
        placeholders.join(", ")
    );
    tx.execute(&sql, params_from_iter(values))?;
    Ok(())
}

/// Adds a user item after validating it.
pub fn add<T: CatalogItem>(store: &Store, new: T::New) -> Result<T> {
    store.write(|tx| {
        add_in::<T>(tx, &new)?;
        stored(tx, T::name_of(&new))
    })
}

/// `add` inside the caller's transaction.
pub(crate) fn add_in<T: CatalogItem>(tx: &Transaction<'_>, new: &T::New) -> Result<()> {
    validate::<T>(new)?;
    let name = T::name_of(new);
    if get_in::<T>(tx, name)?.is_some() {
        return Err(CoreError::AlreadyExists {
            kind: T::KIND,
            name: name.to_string(),
        });
    }
    T::check_in(tx, new)?;
    insert::<T>(tx, new, false)
}

/// Changes the given fields of an item; the result is validated as a whole.
pub fn update<T: CatalogItem>(store: &Store, name: &str, patch: T::Patch) -> Result<T> {
    store.write(|tx| {
        let next = T::patched(stored(tx, name)?, patch);
        validate::<T>(&next)?;
        T::check_in(tx, &next)?;
        let assignments: Vec<String> = T::CONTENT_COLUMNS
            .iter()
            .chain(&["updated_at"])
            .enumerate()
            .map(|(i, column)| format!("{column} = ?{}", i + 1))
            .collect();
        let mut values = T::values(&next)?;
        values.extend([Value::from(timefmt::now_string()), Value::from(name.to_string())]);
        let sql = format!(
            "UPDATE {} SET {} WHERE name = ?{}",
            T::TABLE,
            assignments.join(", "),
            values.len()
        );
        tx.execute(&sql, params_from_iter(values))?;
        stored(tx, name)
    })
}

/// Deletes an item. A deleted built-in stays deleted until `reset`.
pub fn delete<T: CatalogItem>(store: &Store, name: &str) -> Result<()> {
    store.write(|tx| {
        if get_in::<T>(tx, name)?.is_some() {
            T::before_delete(tx, name)?;
        }
        let sql = format!("DELETE FROM {} WHERE name = ?1", T::TABLE);
        let changed = tx.execute(&sql, [name])?;
        require_changed(changed, T::KIND, name, T::NOT_FOUND_HINT)
    })
}

/// Restores a built-in to its shipped version, recreating it if it was deleted (a kind may keep
/// some of the current item: [`CatalogItem::kept_on_reset`]).
pub fn reset<T: CatalogItem>(store: &Store, name: &str) -> Result<T> {
    let builtins = T::builtins();
    let Some(builtin) = builtins.iter().position(|b| T::name_of(b) == name) else {
        let names: Vec<&str> = builtins.iter().map(T::name_of).collect();
        return Err(CoreError::invalid(format!(
            "'{name}' is not a built-in {}, so there is nothing to reset it to. Built-ins: {}.",
            T::KIND.to_lowercase(),
            names.join(", ")
        )));
    };
    let Some(mut builtin) = builtins.into_iter().nth(builtin) else {
        return Err(not_found::<T>(name));
    };
    store.write(|tx| {
        if let Some(current) = get_in::<T>(tx, name)? {
            T::kept_on_reset(&current, &mut builtin);
        }
        tx.execute(&format!("DELETE FROM {} WHERE name = ?1", T::TABLE), [name])?;
        insert::<T>(tx, &builtin, true)?;
        stored(tx, name)
    })
}

#[cfg(test)]
mod tests;
