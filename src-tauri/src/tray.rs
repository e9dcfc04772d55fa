//! The tray icon and its menu. Menu ids are a typed enum, never strings split apart.

use tauri::{
    AppHandle, Manager,
    image::Image,
    menu::{Menu, MenuItem},
    tray::TrayIconBuilder,
};

/// Entries of the tray menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TrayItem {
    Open,
    Quit,
}

impl TrayItem {
    const ALL: [TrayItem; 2] = [TrayItem::Open, TrayItem::Quit];

    fn id(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Quit => "quit",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Open => "Open MCP LLM Generator",
            Self::Quit => "Quit",
        }
    }

    fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|item| item.id() == id)
    }
}

/// Tray icon: healthy until the health check (operations issue) drives its state.
const ICON_OK: &[u8] = include_bytes!("../../icons/tray-ok.png");

pub fn install(app: &AppHandle) -> tauri::Result<()> {
    let items = TrayItem::ALL
        .into_iter()
        .map(|item| MenuItem::with_id(app, item.id(), item.label(), true, None::<&str>))
        .collect::<tauri::Result<Vec<_>>>()?;
    let refs: Vec<&dyn tauri::menu::IsMenuItem<tauri::Wry>> = items.iter().map(|i| i as _).collect();
    let menu = Menu::with_items(app, &refs)?;
    TrayIconBuilder::with_id("main")
        .icon(Image::from_bytes(ICON_OK)?)
        .tooltip("MCP LLM Generator")
        .menu(&menu)
        .on_menu_event(|app, event| match TrayItem::from_id(event.id().as_ref()) {
            Some(TrayItem::Open) => show_main_window(app),
            Some(TrayItem::Quit) => app.exit(0),
            None => tracing::warn!("unknown tray menu id {:?}", event.id()),
        })
        .build(app)?;
    Ok(())
}

fn show_main_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main")
        && let Err(e) = window.show().and_then(|()| window.set_focus())
    {
        tracing::warn!("could not show the window: {e}");
    }
}
