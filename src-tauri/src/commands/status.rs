//! IPC commands of the overview's status and health cards: what the app holds, the health check
//! (the tray's colour), and the UI's "I am up" line.

use std::path::PathBuf;

use llmgen_core::operations::{health::Health, status};
use serde::Serialize;

use super::{AppState, IpcError, blocking, clients::server_binary};
use crate::link::{Recheck, Trigger};

/// What the status screen shows.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    version: &'static str,
    data_dir: PathBuf,
    server_binary: Option<PathBuf>,
    counts: status::Counts,
}

#[tauri::command]
#[specta::specta]
pub fn app_status(state: tauri::State<'_, AppState>) -> Result<AppStatus, IpcError> {
    let data_dir = state.data_dir()?;
    let store = state.store()?;
    Ok(AppStatus {
        version: llmgen_core::VERSION,
        data_dir: data_dir.root().to_path_buf(),
        server_binary: server_binary(),
        counts: status::counts(&store)?,
    })
}

/// The UI reports what its first screen shows; logged so tests and support can see the UI came up.
#[tauri::command]
#[specta::specta]
pub fn ui_ready(summary: String) {
    tracing::info!("ui ready: {summary}");
}

/// The health check (the tray's colour), run now; the tray checks again too, so it follows.
#[tauri::command]
#[specta::specta]
pub async fn health_check(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
) -> Result<Health, IpcError> {
    let data_dir = state.data_dir()?;
    let health = blocking(move || {
        llmgen_server::check_installation_now(&data_dir, server_binary().as_deref()).map_err(IpcError::failed)
    })
    .await?;
    recheck.request(Trigger::HealthScreen);
    Ok(health)
}
