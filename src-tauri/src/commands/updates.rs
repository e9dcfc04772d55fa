//! IPC commands of the Updates card: each one calls one function of updater.rs and answers with
//! the new state (a failed check or installation is in its `error`, worded for the user).

use tauri::AppHandle;

use super::{AppState, IpcError};
use crate::updater::{self, UpdateState};

/// What the Updates card shows when it opens.
#[tauri::command]
#[specta::specta]
pub fn update_state(app: AppHandle) -> UpdateState {
    updater::state(&app)
}

/// Checks for a newer release now.
#[tauri::command]
#[specta::specta]
pub async fn update_check(app: AppHandle) -> UpdateState {
    // The outcome, failure included, is in the state.
    let _ = updater::check(&app).await;
    updater::state(&app)
}

/// Downloads, verifies and installs the offered release, then restarts the app; the user has
/// confirmed. Returns only when that failed (the state says why).
#[tauri::command]
#[specta::specta]
pub async fn update_install(app: AppHandle) -> UpdateState {
    if let Err(e) = updater::install(&app).await {
        // The window may have been hidden by a close during the installation: the failure is
        // for the user to see.
        crate::window::show(&app);
        // Refusals that did not change the state (nothing offered, already installing) still
        // reach the user.
        let mut state = updater::state(&app);
        state.error = Some(e.to_string());
        return state;
    }
    updater::state(&app)
}

/// Turns the automatic checks (at start and once a day) on or off; stored as the `update-check`
/// setting, shared with `mcp-llm-generator settings set update-check`.
#[tauri::command]
#[specta::specta]
pub fn update_auto_set(
    app: AppHandle,
    state: tauri::State<'_, AppState>,
    enabled: bool,
) -> Result<UpdateState, IpcError> {
    let store = state.store()?;
    llmgen_core::settings::apply(&store, llmgen_core::settings::Setting::UpdateCheck(enabled))
        .map_err(|e| IpcError::failed(format!("Could not save the setting: {e}")))?;
    Ok(updater::set_auto_check(&app, enabled))
}

/// The `update-check` setting, read fresh (the CLI may have changed it), by the tray's rule
/// (llmgen_tray::updates::checks_enabled).
pub fn auto_check_enabled(app: &AppHandle) -> bool {
    use tauri::Manager;
    let settings = app
        .try_state::<AppState>()
        .and_then(|s| s.store().ok())
        .and_then(|store| llmgen_core::settings::load(&store).ok());
    llmgen_tray::updates::checks_enabled(settings.as_ref())
}
