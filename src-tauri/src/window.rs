//! The main window of the window process (link.rs): created from its configuration when that
//! process starts, and brought to the front when the tray asks again. Closing it ends the
//! process, and WebKit's helper processes with it.

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
