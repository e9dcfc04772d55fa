//! IPC commands of the main window: each one calls one llmgen-core function.

use std::path::PathBuf;

use llmgen_core::{Store, paths::DataDir, status};
use serde::Serialize;

/// The app's handle on the store, opened once at start. An error is kept and shown in the UI
/// instead of crashing the app.
pub struct AppState {
    data_dir: Result<DataDir, String>,
    store: Result<Store, String>,
}

impl AppState {
    pub fn open() -> Self {
        let data_dir = DataDir::resolve(None).map_err(|e| e.to_string());
        let store = match &data_dir {
            Ok(dir) => Store::open(dir).map_err(|e| e.to_string()),
            Err(e) => Err(e.clone()),
        };
        if let Err(e) = &store {
            tracing::error!("store unavailable: {e}");
        }
        Self { data_dir, store }
    }
}

/// What the status screen shows.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    version: &'static str,
    data_dir: PathBuf,
    server_binary: Option<PathBuf>,
    counts: status::Counts,
}

/// The bundled server binary: installed next to the app (Tauri's externalBin).
fn server_binary() -> Option<PathBuf> {
    let dir = std::env::current_exe().ok()?.parent()?.to_path_buf();
    let path = dir.join(format!("mcp-llm-generator{}", std::env::consts::EXE_SUFFIX));
    path.is_file().then_some(path)
}

#[tauri::command]
pub fn app_status(state: tauri::State<'_, AppState>) -> Result<AppStatus, String> {
    let data_dir = state.data_dir.as_ref().map_err(Clone::clone)?;
    let store = state.store.as_ref().map_err(Clone::clone)?;
    Ok(AppStatus {
        version: llmgen_core::VERSION,
        data_dir: data_dir.root().to_path_buf(),
        server_binary: server_binary(),
        counts: status::counts(store).map_err(|e| e.to_string())?,
    })
}

/// The UI reports what its first screen shows; logged so tests and support can see the UI came up.
#[tauri::command]
pub fn ui_ready(summary: String) {
    tracing::info!("ui ready: {summary}");
}
