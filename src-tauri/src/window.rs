//! The main window of the window process (link.rs): created from its configuration when that
//! process starts, and brought to the front when the tray asks again, at the card a tray entry
//! is about (kept until the UI takes it). Closing it ends the process, and WebKit's helper
//! processes with it.

use std::sync::Mutex;

use tauri::{AppHandle, Emitter, Manager, WebviewWindowBuilder};

use crate::link::Focus;

/// The event that tells the UI a part of the overview was asked for; it then takes it with
/// [`take_focus`], the one consumer, so a request is applied once and never lost to a UI
/// that was not listening yet.
pub const FOCUS_REQUESTED_EVENT: &str = "focus-requested";

/// A focus the UI has not taken yet: a new window's UI may load after the tray's message came.
#[derive(Default)]
pub struct PendingFocus(Mutex<Option<Focus>>);

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

/// Asks the UI to bring `focus` into view: kept for [`take_focus`], and the UI told.
pub fn focus(app: &AppHandle, focus: Focus) {
    if let Some(pending) = app.try_state::<PendingFocus>()
        && let Ok(mut slot) = pending.0.lock()
    {
        *slot = Some(focus);
    }
    if let Err(e) = app.emit(FOCUS_REQUESTED_EVENT, ()) {
        tracing::warn!("could not send the window to {focus:?}: {e}");
    }
}

/// The part of the overview the tray opened the window for, once (the UI asks when it loads).
#[tauri::command]
#[specta::specta]
pub fn take_focus(pending: tauri::State<'_, PendingFocus>) -> Option<Focus> {
    pending.0.lock().ok().and_then(|mut slot| slot.take())
}
