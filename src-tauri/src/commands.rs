//! IPC commands of the main window: each one calls one llmgen-core function.

use std::{path::PathBuf, sync::Arc};

use llmgen_core::{
    Store,
    paths::DataDir,
    providers::{Direct, StatusReport},
    secrets::Secret,
    status,
};
use serde::Serialize;

/// The app's handle on the store, opened once at start. An error is kept and shown in the UI
/// instead of crashing the app.
pub struct AppState {
    data_dir: Result<DataDir, String>,
    store: Result<Arc<Store>, String>,
    /// Direct provider calls and the key cache of this process.
    direct: Direct,
}

impl AppState {
    pub fn open() -> Self {
        let data_dir = DataDir::resolve(None).map_err(|e| e.to_string());
        let store = match &data_dir {
            Ok(dir) => Store::open(dir).map(Arc::new).map_err(|e| e.to_string()),
            Err(e) => Err(e.clone()),
        };
        if let Err(e) = &store {
            tracing::error!("store unavailable: {e}");
        }
        Self {
            data_dir,
            store,
            direct: Direct::new(),
        }
    }

    fn store(&self) -> Result<Arc<Store>, String> {
        self.store.clone()
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
    let store = state.store()?;
    Ok(AppStatus {
        version: llmgen_core::VERSION,
        data_dir: data_dir.root().to_path_buf(),
        server_binary: server_binary(),
        counts: status::counts(&store).map_err(|e| e.to_string())?,
    })
}

/// The API keys screen: every provider, whether a key is available (never the key), its default
/// model, this month's usage and budget (the same report as the `provider-status` tool).
#[tauri::command]
pub async fn provider_status(state: tauri::State<'_, AppState>) -> Result<StatusReport, String> {
    let store = state.store()?;
    state
        .direct
        .status(&store, None, false)
        .await
        .map_err(|e| e.to_string())
}

/// Stores a provider's key in the OS keychain (the same action as `keys set`). The keychain is
/// a blocking call, kept off the UI thread.
#[tauri::command]
pub async fn set_provider_key(
    state: tauri::State<'_, AppState>,
    provider: String,
    key: String,
) -> Result<(), String> {
    let store = state.store()?;
    let direct = state.direct.clone();
    let secret = Secret::new(key);
    tauri::async_runtime::spawn_blocking(move || direct.set_key(&store, &provider, &secret))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

/// Removes a provider's key from the keychain (`keys delete`); false when none was stored.
#[tauri::command]
pub async fn delete_provider_key(
    state: tauri::State<'_, AppState>,
    provider: String,
) -> Result<bool, String> {
    let direct = state.direct.clone();
    tauri::async_runtime::spawn_blocking(move || direct.delete_key(&provider))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

/// The result of a key test, for the UI.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyTest {
    model: String,
    reply: String,
}

/// One minimal real request with the stored key (`keys test`).
#[tauri::command]
pub async fn test_provider_key(
    state: tauri::State<'_, AppState>,
    provider: String,
) -> Result<KeyTest, String> {
    let store = state.store()?;
    let reply = state
        .direct
        .test_key(&store, &provider, None)
        .await
        .map_err(|e| e.to_string())?;
    Ok(KeyTest {
        model: reply.model,
        reply: reply.text,
    })
}

/// The UI reports what its first screen shows; logged so tests and support can see the UI came up.
#[tauri::command]
pub fn ui_ready(summary: String) {
    tracing::info!("ui ready: {summary}");
}
