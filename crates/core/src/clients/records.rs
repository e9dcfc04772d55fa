//! The record of which client files we configured (table `client_entries`), so that an entry a
//! client wiped, or one left pointing at a moved binary, can be found and repaired.

use std::path::{Path, PathBuf};

use rusqlite::params;

use crate::{Result, Store, timefmt};

/// One client file we configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub client_id: String,
    pub path: PathBuf,
    pub workspace: Option<PathBuf>,
    pub command: String,
}

pub fn save(store: &Store, record: &Record) -> Result<()> {
    store.write(|tx| {
        tx.execute(
            "INSERT INTO client_entries (client_id, path, workspace, command, configured_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (client_id, path) DO UPDATE SET
                 workspace = excluded.workspace, command = excluded.command,
                 configured_at = excluded.configured_at",
            params![
                record.client_id,
                record.path.to_string_lossy(),
                record
                    .workspace
                    .as_ref()
                    .map(|w| w.to_string_lossy().into_owned()),
                record.command,
                timefmt::now_string()
            ],
        )?;
        Ok(())
    })
}

pub fn forget(store: &Store, client_id: &str, path: &Path) -> Result<()> {
    store.write(|tx| {
        tx.execute(
            "DELETE FROM client_entries WHERE client_id = ?1 AND path = ?2",
            params![client_id, path.to_string_lossy()],
        )?;
        Ok(())
    })
}

pub fn all(store: &Store) -> Result<Vec<Record>> {
    store.read(|conn| {
        let mut stmt = conn.prepare(
            "SELECT client_id, path, workspace, command FROM client_entries ORDER BY client_id, path",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok(Record {
                client_id: row.get(0)?,
                path: PathBuf::from(row.get::<_, String>(1)?),
                workspace: row.get::<_, Option<String>>(2)?.map(PathBuf::from),
                command: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    })
}
