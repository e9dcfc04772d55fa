//! IPC commands of the language setting (Settings: Automatic / English / 日本語). The choice is
//! core's `language` setting, so it persists with the user's data and the tray can read it at
//! start, before any window exists.

use llmgen_core::settings::{self, Language};

use crate::commands::AppState;

/// The stored choice (`auto` until the user picks one).
#[tauri::command]
#[specta::specta]
pub fn app_language(state: tauri::State<'_, AppState>) -> Result<Language, String> {
    let store = state.store()?;
    settings::load(&store)
        .map(|s| s.language)
        .map_err(|e| e.to_string())
}

/// Stores the choice (the same as `settings set language ...`) and has the tray re-label its
/// menu at once; the window switches its own words.
#[tauri::command]
#[specta::specta]
pub fn set_app_language(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    language: Language,
) -> Result<Language, String> {
    let store = state.store()?;
    let saved = settings::apply(&store, settings::Setting::Language(language)).map_err(|e| e.to_string())?;
    crate::link::tell_tray(&app, crate::link::ToTray::LanguageChanged);
    Ok(saved.language)
}
