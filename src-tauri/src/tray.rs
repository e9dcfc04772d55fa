//! The tray icon and its menu. Menu ids are a typed enum, never strings split apart. The icon and
//! the status line show the health check's result (health.rs).

use tauri::{
    AppHandle, Listener, Manager, Wry,
    image::Image,
    menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem},
    tray::TrayIconBuilder,
};
use tauri_plugin_autostart::ManagerExt;

use llmgen_core::health::Level;

/// Entries of the tray menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TrayItem {
    /// The one-line state of the product; clickable (opens the app) when something needs fixing.
    Status,
    Open,
    RunHealthCheck,
    BackUpNow,
    ConfigureClients,
    /// Checks now and opens the window, where the result (and an offered update) is shown.
    CheckForUpdates,
    StartAtLogin,
    Quit,
}

impl TrayItem {
    const ALL: [TrayItem; 8] = [
        TrayItem::Status,
        TrayItem::Open,
        TrayItem::RunHealthCheck,
        TrayItem::BackUpNow,
        TrayItem::ConfigureClients,
        TrayItem::CheckForUpdates,
        TrayItem::StartAtLogin,
        TrayItem::Quit,
    ];

    fn id(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Open => "open",
            Self::RunHealthCheck => "run-health-check",
            Self::BackUpNow => "back-up-now",
            Self::ConfigureClients => "configure-clients",
            Self::CheckForUpdates => "check-for-updates",
            Self::StartAtLogin => "start-at-login",
            Self::Quit => "quit",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Status => "Checking…",
            Self::Open => "Open MCP LLM Generator",
            Self::RunHealthCheck => "Run health check",
            Self::BackUpNow => "Back up now",
            Self::ConfigureClients => "Configure clients…",
            Self::CheckForUpdates => "Check for updates",
            Self::StartAtLogin => "Start at login",
            Self::Quit => "Quit",
        }
    }

    fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|item| item.id() == id)
    }
}

const ICON_OK: &[u8] = include_bytes!("../../icons/tray-ok.png");
const ICON_WARNING: &[u8] = include_bytes!("../../icons/tray-warning.png");
const ICON_ERROR: &[u8] = include_bytes!("../../icons/tray-error.png");

/// The status line, kept so the health thread can change its text.
struct StatusLine(MenuItem<Wry>);

fn item(app: &AppHandle, which: TrayItem, enabled: bool) -> tauri::Result<MenuItem<Wry>> {
    MenuItem::with_id(app, which.id(), which.label(), enabled, None::<&str>)
}

pub fn install(app: &AppHandle) -> tauri::Result<()> {
    let status = item(app, TrayItem::Status, false)?;
    let open = item(app, TrayItem::Open, true)?;
    let check = item(app, TrayItem::RunHealthCheck, true)?;
    let backup = item(app, TrayItem::BackUpNow, true)?;
    let clients = item(app, TrayItem::ConfigureClients, true)?;
    let updates = item(app, TrayItem::CheckForUpdates, true)?;
    let at_login = CheckMenuItem::with_id(
        app,
        TrayItem::StartAtLogin.id(),
        TrayItem::StartAtLogin.label(),
        true,
        app.autolaunch().is_enabled().unwrap_or(false),
        None::<&str>,
    )?;
    let quit = item(app, TrayItem::Quit, true)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(
        app,
        &[
            &status, &separator, &open, &check, &backup, &clients, &updates, &at_login, &quit,
        ],
    )?;
    app.manage(StatusLine(status));
    follow_updates(app, updates);
    let toggle = at_login.clone();
    TrayIconBuilder::with_id("main")
        .icon(Image::from_bytes(ICON_WARNING)?)
        .tooltip("MCP LLM Generator")
        .menu(&menu)
        .on_menu_event(move |app, event| match TrayItem::from_id(event.id().as_ref()) {
            Some(TrayItem::Status | TrayItem::Open | TrayItem::ConfigureClients) => crate::window::show(app),
            Some(TrayItem::RunHealthCheck) => {
                let _ = app.state::<crate::health::Recheck>().0.send(());
            }
            Some(TrayItem::BackUpNow) => back_up_now(app),
            Some(TrayItem::CheckForUpdates) => {
                crate::window::show(app);
                let app = app.clone();
                // The outcome reaches the window (and this menu) as the update state.
                tauri::async_runtime::spawn(async move {
                    let _ = crate::updater::check(&app).await;
                });
            }
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
            None => {}
        })
        .build(app)?;
    Ok(())
}

/// Shows a health level as the icon and `line` as the status line (enabled when there is
/// something to fix, so a click opens the app).
pub fn show_state(app: &AppHandle, level: Level, line: &str) {
    let icon = match level {
        Level::Ok => ICON_OK,
        Level::Warning => ICON_WARNING,
        Level::Error => ICON_ERROR,
    };
    if let Some(tray) = app.tray_by_id("main")
        && let Err(e) = Image::from_bytes(icon).and_then(|i| tray.set_icon(Some(i)))
    {
        tracing::warn!("could not change the tray icon: {e}");
    }
    if let Some(status) = app.try_state::<StatusLine>() {
        let _ = status.0.set_text(line);
        let _ = status.0.set_enabled(level != Level::Ok);
    }
}

/// Names an offered update in the menu ("Update to 0.2.0…"), so it is seen without opening the
/// window; the item still checks again and opens the window, where the update is installed.
fn follow_updates(app: &AppHandle, item: MenuItem<Wry>) {
    let handle = app.clone();
    app.listen(crate::updater::STATE_EVENT, move |_| {
        let label = match crate::updater::state(&handle).offer {
            Some(offer) => format!("Update to {}…", offer.version),
            None => TrayItem::CheckForUpdates.label().to_string(),
        };
        if let Err(e) = item.set_text(label) {
            tracing::warn!("could not change the tray's update item: {e}");
        }
    });
}

/// Takes a backup off the UI thread, then re-checks so the tray follows.
fn back_up_now(app: &AppHandle) {
    let app = app.clone();
    std::thread::spawn(move || {
        let result = llmgen_core::paths::DataDir::resolve(None)
            .map_err(|e| e.to_string())
            .and_then(|d| crate::commands::backup_now_in(&d));
        match result {
            Ok(row) => tracing::info!("backed up to {}", row.path),
            Err(e) => show_state(&app, Level::Error, &format!("Backup failed: {e}")),
        }
        let _ = app.state::<crate::health::Recheck>().0.send(());
    });
}
