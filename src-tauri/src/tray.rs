//! The tray icon and its menu. Menu ids are a typed enum, never strings split apart.

use tauri::{
    AppHandle,
    image::Image,
    menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem},
    tray::TrayIconBuilder,
};
use tauri_plugin_autostart::ManagerExt;

/// Entries of the tray menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TrayItem {
    /// The one-line state of the product (disabled: information only).
    Status,
    Open,
    ConfigureClients,
    StartAtLogin,
    Quit,
}

impl TrayItem {
    const ALL: [TrayItem; 5] = [
        TrayItem::Status,
        TrayItem::Open,
        TrayItem::ConfigureClients,
        TrayItem::StartAtLogin,
        TrayItem::Quit,
    ];

    fn id(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Open => "open",
            Self::ConfigureClients => "configure-clients",
            Self::StartAtLogin => "start-at-login",
            Self::Quit => "quit",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Status => "MCP LLM Generator",
            Self::Open => "Open MCP LLM Generator",
            Self::ConfigureClients => "Configure clients…",
            Self::StartAtLogin => "Start at login",
            Self::Quit => "Quit",
        }
    }

    fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|item| item.id() == id)
    }
}

/// Tray icon: healthy until the health check drives its state.
const ICON_OK: &[u8] = include_bytes!("../../icons/tray-ok.png");

pub fn install(app: &AppHandle) -> tauri::Result<()> {
    let status = MenuItem::with_id(
        app,
        TrayItem::Status.id(),
        TrayItem::Status.label(),
        false,
        None::<&str>,
    )?;
    let open = MenuItem::with_id(
        app,
        TrayItem::Open.id(),
        TrayItem::Open.label(),
        true,
        None::<&str>,
    )?;
    let clients = MenuItem::with_id(
        app,
        TrayItem::ConfigureClients.id(),
        TrayItem::ConfigureClients.label(),
        true,
        None::<&str>,
    )?;
    let at_login = CheckMenuItem::with_id(
        app,
        TrayItem::StartAtLogin.id(),
        TrayItem::StartAtLogin.label(),
        true,
        app.autolaunch().is_enabled().unwrap_or(false),
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(
        app,
        TrayItem::Quit.id(),
        TrayItem::Quit.label(),
        true,
        None::<&str>,
    )?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&status, &separator, &open, &clients, &at_login, &quit])?;
    let toggle = at_login.clone();
    TrayIconBuilder::with_id("main")
        .icon(Image::from_bytes(ICON_OK)?)
        .tooltip("MCP LLM Generator")
        .menu(&menu)
        .on_menu_event(move |app, event| match TrayItem::from_id(event.id().as_ref()) {
            Some(TrayItem::Open | TrayItem::ConfigureClients) => crate::window::show(app),
            Some(TrayItem::StartAtLogin) => {
                // The menu toggles its check mark itself; make the real setting follow it, and
                // put the mark back if that fails.
                let wanted = toggle.is_checked().unwrap_or(false);
                match crate::commands::set_autostart(app, wanted) {
                    Ok(now) => {
                        let _ = toggle.set_checked(now);
                    }
                    Err(e) => {
                        tracing::warn!("start at login: {e}");
                        let _ = toggle.set_checked(!wanted);
                    }
                }
            }
            Some(TrayItem::Quit) => app.exit(0),
            Some(TrayItem::Status) | None => {}
        })
        .build(app)?;
    Ok(())
}
