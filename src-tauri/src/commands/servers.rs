//! IPC commands of live servers: which AI apps use this data folder now and when each was last
//! used, the emergency stop and the end of the pause (llmgen-core's `live`, the same as
//! `servers`, `stop --all` and `resume`, and the tray's entries).

use llmgen_core::{
    clients::registry,
    operations::live::{self, Connection, LiveError, LiveServer, Paused, StopReport},
};
use serde::Serialize;

use super::{AppState, IpcError, blocking};
use crate::link::{Recheck, Trigger};

impl From<LiveError> for IpcError {
    fn from(e: LiveError) -> Self {
        Self::failed(e.to_string())
    }
}

/// A running server, with the name of the app it serves as the Clients screen shows it.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LiveServerRow {
    #[serde(flatten)]
    server: LiveServer,
    /// Our name of the client (`clientId`), e.g. "Claude Desktop"; `None` when unknown.
    app_name: Option<&'static str>,
}

/// One AI app's last connection, with its name.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionRow {
    #[serde(flatten)]
    connection: Connection,
    app_name: Option<&'static str>,
}

fn app_name(id: Option<&str>) -> Option<&'static str> {
    id.and_then(registry::find).map(|c| c.name)
}

/// The servers running now for this data folder, oldest first (`servers`).
#[tauri::command]
#[specta::specta]
pub async fn servers_list(state: tauri::State<'_, AppState>) -> Result<Vec<LiveServerRow>, IpcError> {
    let data_dir = state.data_dir()?;
    blocking(move || {
        Ok(live::list(&data_dir)?
            .into_iter()
            .map(|server| LiveServerRow {
                app_name: app_name(server.client_id.as_deref()),
                server,
            })
            .collect())
    })
    .await
}

/// When each AI app set up here last started a server, and whether it offered sampling.
#[tauri::command]
#[specta::specta]
pub async fn servers_connections(state: tauri::State<'_, AppState>) -> Result<Vec<ConnectionRow>, IpcError> {
    let store = state.store()?;
    blocking(move || {
        Ok(live::connections::all(&store)?
            .into_iter()
            .map(|connection| ConnectionRow {
                app_name: app_name(Some(&connection.client_id)),
                connection,
            })
            .collect())
    })
    .await
}

/// The emergency stop (`stop --all`): every server of this data folder ends, the database is
/// checkpointed and backed up, and serving stays paused until [`servers_resume`].
#[tauri::command]
#[specta::specta]
pub async fn servers_stop_all(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
) -> Result<StopReport, IpcError> {
    let data_dir = state.data_dir()?;
    let report = blocking(move || Ok(live::stop_all(&data_dir, "app")?)).await?;
    recheck.request(Trigger::ServersChanged);
    Ok(report)
}

/// Ends the pause (`resume`); returns whether serving was paused.
#[tauri::command]
#[specta::specta]
pub async fn servers_resume(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
) -> Result<bool, IpcError> {
    let data_dir = state.data_dir()?;
    let was_paused = blocking(move || Ok(live::resume(&data_dir)?)).await?;
    recheck.request(Trigger::ServersChanged);
    Ok(was_paused)
}

/// Whether serving is paused, since when and by whom; `None` when not.
#[tauri::command]
#[specta::specta]
pub fn servers_paused(state: tauri::State<'_, AppState>) -> Result<Option<Paused>, IpcError> {
    Ok(live::paused(&state.data_dir()?))
}
