//! The last connection of each AI app of ours (table `client_connections`): written once per
//! session, after the handshake of a server started by an entry that names its client, and read
//! by Health to tell a client that was set up but has never started us since.

use rusqlite::params;
use serde::Serialize;

use super::ClientHello;
use crate::{Result, Store, timefmt};

/// A client's last connection.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub client_id: String,
    /// RFC 3339, UTC.
    pub last_connected_at: String,
    pub client_name: String,
    pub client_version: String,
    /// Whether the client offered MCP sampling in that session.
    pub sampling: bool,
}

/// Records that `client_id` connected now, saying `hello`.
pub fn record(store: &Store, client_id: &str, hello: &ClientHello) -> Result<()> {
    store.write(|tx| {
        tx.execute(
            "INSERT INTO client_connections
                 (client_id, last_connected_at, client_name, client_version, sampling)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (client_id) DO UPDATE SET
                 last_connected_at = excluded.last_connected_at, client_name = excluded.client_name,
                 client_version = excluded.client_version, sampling = excluded.sampling",
            params![
                client_id,
                timefmt::now_string(),
                hello.name,
                hello.version,
                hello.sampling
            ],
        )?;
        Ok(())
    })
}

/// Every client's last connection, by client id.
pub fn all(store: &Store) -> Result<Vec<Connection>> {
    store.read(|conn| {
        let mut stmt = conn.prepare(
            "SELECT client_id, last_connected_at, client_name, client_version, sampling
             FROM client_connections ORDER BY client_id",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok(Connection {
                client_id: row.get(0)?,
                last_connected_at: row.get(1)?,
                client_name: row.get(2)?,
                client_version: row.get(3)?,
                sampling: row.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    })
}

/// One client's last connection.
pub fn of(store: &Store, client_id: &str) -> Result<Option<Connection>> {
    Ok(all(store)?.into_iter().find(|c| c.client_id == client_id))
}

/// The configured clients (by our record of the entries we wrote) that have not connected since
/// their entry was written: (client id, when it was configured).
pub fn never_connected_since_setup(store: &Store) -> Result<Vec<(String, String)>> {
    store.read(|conn| {
        let mut stmt = conn.prepare(
            "SELECT e.client_id, MAX(e.configured_at) FROM client_entries e
             LEFT JOIN client_connections c ON c.client_id = e.client_id
             GROUP BY e.client_id
             HAVING MAX(COALESCE(c.last_connected_at, '')) < MAX(e.configured_at)
             ORDER BY e.client_id",
        )?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    })
}
