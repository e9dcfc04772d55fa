//! Opening the product's database: the store connected and migrated, then the catalog's built-ins
//! seeded, so no caller can forget the seeding.
//!
//! These are `Store`'s public openers although they live outside `store.rs`: they need both the
//! store and the catalog, and standing above the two keeps either from importing the other.

use std::path::Path;

use crate::{Result, Store, catalog, paths::DataDir};

impl Store {
    /// Opens (creating when missing) the store of a data dir, migrates it and seeds built-ins.
    pub fn open(data_dir: &DataDir) -> Result<Self> {
        data_dir.ensure()?;
        Self::open_path(&data_dir.db_path())
    }

    /// Opens the database file at `path`, creating it private to the user when missing (0600
    /// on Unix; SQLite gives its -wal and -shm the same permissions); migrates it and seeds
    /// built-ins.
    pub fn open_path(path: &Path) -> Result<Self> {
        seeded(Self::connect_path(path)?)
    }

    /// A private in-memory store (unit tests, dry runs), migrated and seeded.
    pub fn open_in_memory() -> Result<Self> {
        seeded(Self::connect_in_memory()?)
    }
}

fn seeded(store: Store) -> Result<Store> {
    store.write(catalog::seed_builtins)?;
    Ok(store)
}
