//! Start at login for the standalone tray: the XDG autostart entry
//! (`~/.config/autostart/MCP LLM Generator.desktop`), written by the same crate, with the same
//! name, program and argument as tauri-plugin-autostart writes it from the window's Settings, so
//! both see and change one entry.

use std::path::Path;

use auto_launch::{AutoLaunch, AutoLaunchBuilder};

/// The product name tauri-plugin-autostart names the entry after (tauri.conf.json).
const APP_NAME: &str = "MCP LLM Generator";

/// The login entry that starts `app` minimised to the tray; from an AppImage, the AppImage
/// itself (its mount path changes each run), as the plugin does.
pub fn entry(app: &Path) -> Result<AutoLaunch, String> {
    let program = std::env::var("APPIMAGE")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| app.display().to_string());
    AutoLaunchBuilder::new()
        .set_app_name(APP_NAME)
        .set_app_path(&program)
        .set_args(&[crate::link::MINIMIZED_ARG])
        .build()
        .map_err(|e| format!("Could not prepare start at login: {e}"))
}

/// The login entry as uninstall sees it: the same entry the tray and the window's Settings
/// write, so removing everything also stops the app from starting with the session.
pub struct LoginItem(AutoLaunch);

impl LoginItem {
    /// The entry for the app at `app` (the path only matters when enabling; any path names the
    /// same entry, by its name).
    pub fn for_app(app: &Path) -> Result<Self, String> {
        entry(app).map(Self)
    }
}

impl llmgen_core::operations::uninstall::LoginEntry for LoginItem {
    fn place(&self) -> String {
        if cfg!(target_os = "linux") {
            format!("~/.config/autostart/{APP_NAME}.desktop")
        } else {
            format!("the system's login items ({APP_NAME})")
        }
    }

    fn is_enabled(&self) -> Result<bool, String> {
        self.0
            .is_enabled()
            .map_err(|e| format!("Could not read start at login: {e}"))
    }

    fn disable(&self) -> Result<(), String> {
        self.0.disable().map_err(|e| {
            format!("Could not turn off start at login: {e}. Turn it off in the desktop's startup settings.")
        })
    }
}
