//! IPC commands of the Clients card: every AI client with the state of our entry, and adding,
//! removing, restoring and repairing that entry (the same core calls as `clients ...`).

use std::path::{Path, PathBuf};

use llmgen_core::clients::{self, Change, ClientStatus, Clients};
use serde::Serialize;

use super::{AppState, IpcError, blocking};
use crate::link::{Recheck, Trigger};

/// The bundled server binary: installed next to the app (Tauri's externalBin), by its resolved
/// absolute path, which is what client entries must run. Inside an AppImage, whose mount path
/// changes at every start, it is the stable per-user copy instead (made once per process).
pub(crate) use llmgen_tray::health::server_binary;

/// [`server_binary`], or the sentence that says what to do when it is missing.
pub(crate) fn required_server_binary() -> Result<PathBuf, IpcError> {
    server_binary().ok_or_else(|| {
        IpcError::unavailable("The server program that ships with the app (mcp-llm-generator) is missing next to the app. Reinstall MCP LLM Generator.")
    })
}

/// Every supported client with the state of our entry (`clients list`).
#[tauri::command]
#[specta::specta]
pub async fn clients_list(state: tauri::State<'_, AppState>) -> Result<Vec<ClientStatus>, IpcError> {
    let clients = state.clients()?;
    blocking(move || Ok(clients::list(&clients, server_binary().as_deref()))).await
}

/// The change configuring a client would make, as a diff; nothing is written (`--dry-run`).
#[tauri::command]
#[specta::specta]
pub async fn clients_preview(state: tauri::State<'_, AppState>, id: String) -> Result<Change, IpcError> {
    let clients = state.clients()?;
    let exe = required_server_binary()?;
    blocking(move || Ok(clients::configure(&clients, &id, &exe, true)?)).await
}

/// Adds or updates our entry in a client's file (`clients configure ID`).
#[tauri::command]
#[specta::specta]
pub async fn clients_configure(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
    id: String,
) -> Result<Change, IpcError> {
    let clients = state.clients()?;
    let exe = required_server_binary()?;
    change_file(&recheck, move || clients::configure(&clients, &id, &exe, false)).await
}

/// Takes our entry out of a client's file (`clients remove ID`).
#[tauri::command]
#[specta::specta]
pub async fn clients_remove(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
    id: String,
) -> Result<Change, IpcError> {
    let clients = state.clients()?;
    change_file(&recheck, move || clients::remove(&clients, &id, false)).await
}

/// Puts back the newest backup of a client's file (`clients restore ID`).
#[tauri::command]
#[specta::specta]
pub async fn clients_restore(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
    id: String,
) -> Result<Change, IpcError> {
    let clients = state.clients()?;
    change_file(&recheck, move || clients::restore(&clients, &id, false)).await
}

/// Runs one change of a client's file off the UI thread; after the file really changed, the tray
/// re-checks, so its status line follows.
async fn change_file(
    recheck: &Recheck,
    work: impl FnOnce() -> Result<Change, clients::ClientsError> + Send + 'static,
) -> Result<Change, IpcError> {
    let change = blocking(move || Ok(work()?)).await?;
    if change.changed {
        recheck.request(Trigger::ClientsChanged);
    }
    Ok(change)
}

/// One client's outcome of a repair.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RepairOutcome {
    pub(crate) change: Option<Change>,
    pub(crate) error: Option<String>,
}

impl From<Result<Change, clients::ClientsError>> for RepairOutcome {
    fn from(result: Result<Change, clients::ClientsError>) -> Self {
        match result {
            Ok(change) => Self {
                change: Some(change),
                error: None,
            },
            Err(e) => Self {
                change: None,
                error: Some(llmgen_core::without_commands::without_commands(&e.to_string())),
            },
        }
    }
}

/// Puts back wiped or stale entries of the clients we configured (`clients repair`).
#[tauri::command]
#[specta::specta]
pub async fn clients_repair(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
) -> Result<Vec<RepairOutcome>, IpcError> {
    let clients = state.clients()?;
    let exe = required_server_binary()?;
    let outcomes = blocking(move || repair(&clients, &exe)).await?;
    recheck_if_changed(&recheck, &outcomes);
    Ok(outcomes)
}

/// After a file of `outcomes` really changed, the tray re-checks, so its status line follows.
pub(crate) fn recheck_if_changed(recheck: &Recheck, outcomes: &[RepairOutcome]) {
    if outcomes
        .iter()
        .any(|o| o.change.as_ref().is_some_and(|c| c.changed))
    {
        recheck.request(Trigger::ClientsChanged);
    }
}

/// Core's repair of our client entries, as the Clients card shows its outcomes (the tray runs the
/// same core function at start, after an update or a move changed the binary's path).
fn repair(clients: &Clients, exe: &Path) -> Result<Vec<RepairOutcome>, IpcError> {
    let results = clients::repair(clients, exe, false)?;
    Ok(results.into_iter().map(RepairOutcome::from).collect())
}
