//! Data for the backup and maintenance suites: contexts with messages in a real store, and
//! what a database file holds (rows per table, integrity, context names).
#![allow(dead_code)] // each suite uses part of it

use std::{collections::BTreeMap, path::Path};

use llmgen_core::{
    Store,
    conversation::contexts::{self, NewContext},
};
use rusqlite::{Connection, OpenFlags};

pub fn new_context(store: &Store, name: &str) -> String {
    contexts::create(
        store,
        NewContext {
            name: name.into(),
            system_prompt: String::new(),
            personality: String::new(),
            settings: Default::default(),
        },
    )
    .expect("create context")
    .id
}

pub fn add_messages(store: &Store, context_id: &str, n: usize, text: &str) {
    store
        .write(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT INTO messages (context_id, role, content, token_estimate, created_at) VALUES (?1, 'user', ?2, 1, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
            )?;
            for _ in 0..n {
                insert.execute(rusqlite::params![context_id, text])?;
            }
            Ok(())
        })
        .expect("add messages");
}

/// Rows per table of a database file, opened read-only.
pub fn counts(path: &Path) -> BTreeMap<String, u64> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("names");
    names
        .into_iter()
        .map(|n| {
            let c: i64 = conn
                .query_row(&format!("SELECT COUNT(*) FROM \"{n}\""), [], |r| r.get(0))
                .expect("count");
            (n, c as u64)
        })
        .collect()
}

pub fn integrity(path: &Path) -> String {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check")
}

/// Context names in the live database: the "state" a restore must keep or replace whole.
pub fn names(store: &Store) -> Vec<String> {
    let mut names: Vec<String> = contexts::list(store, None, Some(100))
        .expect("list")
        .items
        .into_iter()
        .map(|c| c.name)
        .collect();
    names.sort();
    names
}
