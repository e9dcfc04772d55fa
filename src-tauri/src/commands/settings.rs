//! IPC commands of the Settings card: start at login (tauri-plugin-autostart, also switched from
//! the tray) and the language (Automatic / English / 日本語). The language is core's `language`
//! setting, so it persists with the user's data and the tray can read it at start, before any
//! window exists.

use llmgen_core::settings::{self, Language};
use tauri_plugin_autostart::ManagerExt;

use super::{AppState, IpcError};
use crate::link::{ToTray, tell_tray};

/// Whether the app starts (minimised to the tray) at login.
#[tauri::command]
#[specta::specta]
pub fn autostart_enabled(app: tauri::AppHandle) -> Result<bool, IpcError> {
    Ok(app.autolaunch().is_enabled()?)
}

/// Turns start at login on or off (also from the tray); returns the new state.
#[tauri::command]
#[specta::specta]
pub fn autostart_set(app: tauri::AppHandle, enabled: bool) -> Result<bool, IpcError> {
    let now = set_autostart(&app, enabled);
    tell_tray(&app, ToTray::AutostartChanged);
    now
}

/// The one action behind the tray's checkbox and the settings switch.
pub fn set_autostart(app: &tauri::AppHandle, enabled: bool) -> Result<bool, IpcError> {
    let manager = app.autolaunch();
    let result = if enabled {
        manager.enable()
    } else {
        manager.disable()
    };
    result.map_err(|e| IpcError::failed(format!("Could not change start at login: {e}")))?;
    Ok(manager.is_enabled()?)
}

/// The stored choice (`auto` until the user picks one).
#[tauri::command]
#[specta::specta]
pub fn app_language(state: tauri::State<'_, AppState>) -> Result<Language, IpcError> {
    let store = state.store()?;
    Ok(settings::load(&store)?.language)
}

/// Stores the choice (the same as `settings set language ...`) and has the tray re-label its
/// menu at once; the window switches its own words.
#[tauri::command]
#[specta::specta]
pub fn set_app_language(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    language: Language,
) -> Result<Language, IpcError> {
    let store = state.store()?;
    let saved = settings::apply(&store, settings::Setting::Language(language))?;
    tell_tray(&app, ToTray::LanguageChanged);
    Ok(saved.language)
}
