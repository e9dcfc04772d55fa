//! The tray drawn by Tauri, for systems where the standalone tray (`mcp-llm-generator tray`) does
//! not run (macOS, Windows, or a Linux install that lacks the server's program): a [`Surface`] of
//! llmgen_tray's [`Tray`], which owns the behaviour; this only turns its views into Tauri's menu
//! and icon.

use tauri::{
    AppHandle, Manager, Wry,
    image::Image,
    menu::{CheckMenuItem, IsMenuItem, Menu, MenuItem, PredefinedMenuItem},
    tray::{TrayIcon, TrayIconBuilder},
};
use tauri_plugin_autostart::ManagerExt;

use llmgen_core::operations::health::Level;
use llmgen_tray::{
    menu::{Entry, TrayItem, View},
    tray::{Surface, Tray},
};

const ICON_OK: &[u8] = include_bytes!("../../icons/tray-ok.png");
const ICON_WARNING: &[u8] = include_bytes!("../../icons/tray-warning.png");
const ICON_ERROR: &[u8] = include_bytes!("../../icons/tray-error.png");

pub struct TauriSurface {
    app: AppHandle,
    icon: TrayIcon,
}

/// Makes the tray icon (its menu follows with the first [`Surface::draw`]); clicks go to the
/// [`Tray`] the app manages.
pub fn install(app: &AppHandle) -> tauri::Result<TauriSurface> {
    let icon = TrayIconBuilder::with_id("main")
        .icon(Image::from_bytes(ICON_WARNING)?)
        .tooltip("MCP LLM Generator")
        .on_menu_event(|app, event| {
            if let (Some(item), Some(tray)) =
                (TrayItem::from_id(event.id().as_ref()), app.try_state::<Tray>())
            {
                // Off the UI thread: an action may wait (a window starting, a file written).
                let tray = tray.inner().clone();
                std::thread::spawn(move || tray.activate(item));
            }
        })
        .build(app)?;
    Ok(TauriSurface {
        app: app.clone(),
        icon,
    })
}

fn menu(app: &AppHandle, view: &View) -> tauri::Result<Menu<Wry>> {
    let mut items: Vec<Box<dyn IsMenuItem<Wry>>> = Vec::new();
    for entry in &view.entries {
        match entry {
            Entry::Separator => items.push(Box::new(PredefinedMenuItem::separator(app)?)),
            Entry::Item {
                item,
                label,
                enabled,
                checked: Some(checked),
            } => items.push(Box::new(CheckMenuItem::with_id(
                app,
                item.id(),
                label,
                *enabled,
                *checked,
                None::<&str>,
            )?)),
            Entry::Item {
                item,
                label,
                enabled,
                checked: None,
            } => items.push(Box::new(MenuItem::with_id(
                app,
                item.id(),
                label,
                *enabled,
                None::<&str>,
            )?)),
        }
    }
    let refs: Vec<&dyn IsMenuItem<Wry>> = items.iter().map(|i| &**i).collect();
    Menu::with_items(app, &refs)
}

impl Surface for TauriSurface {
    fn draw(&self, view: &View) {
        let icon = match view.level {
            Level::Ok => ICON_OK,
            Level::Warning => ICON_WARNING,
            Level::Error => ICON_ERROR,
        };
        // The whole menu is made again: a check box Tauri toggled by itself is put back to the
        // real state, and no item is left with an old label.
        let drawn = Image::from_bytes(icon)
            .and_then(|i| self.icon.set_icon(Some(i)))
            .and_then(|()| self.icon.set_tooltip(Some(&view.tooltip)))
            .and_then(|()| menu(&self.app, view))
            .and_then(|m| self.icon.set_menu(Some(m)));
        if let Err(e) = drawn {
            tracing::warn!("could not draw the tray: {e}");
        }
    }

    fn quit(&self) {
        self.app.exit(0);
    }

    fn restart(&self) {
        self.app.restart();
    }

    fn starts_at_login(&self) -> Result<bool, String> {
        self.app.autolaunch().is_enabled().map_err(|e| e.to_string())
    }

    fn set_start_at_login(&self, on: bool) -> Result<bool, String> {
        crate::commands::set_autostart(&self.app, on).map_err(|e| e.message)
    }
}
