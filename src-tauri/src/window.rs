//! The main window: created on demand from its configuration and destroyed when closed, so the
//! tray-only app does not keep a webview (and its helper processes) in memory.

use tauri::{AppHandle, Manager, WebviewWindowBuilder};

const MAIN: &str = "main";

/// Shows and focuses the main window, creating it if it was closed (or never opened).
pub fn show(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN) {
        if let Err(e) = window
            .unminimize()
            .and_then(|()| window.show())
            .and_then(|()| window.set_focus())
        {
            tracing::warn!("could not show the window: {e}");
        }
        return;
    }
    let Some(config) = app.config().app.windows.iter().find(|w| w.label == MAIN) else {
        tracing::error!("the main window is missing from tauri.conf.json");
        return;
    };
    if let Err(e) = WebviewWindowBuilder::from_config(app, config).and_then(|b| b.build()) {
        tracing::error!("could not open the window: {e}");
    }
}
