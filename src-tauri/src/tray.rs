//! The tray icon and its menu. Menu ids are a typed enum, never strings split apart. The icon and
//! the status line show the health check's result (health.rs). Labels follow the app's language
//! (lang.rs) and are re-labelled when the user switches it in Settings.

use std::sync::Mutex;

use tauri::{
    AppHandle, Listener, Manager, Wry,
    image::Image,
    menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem},
    tray::TrayIconBuilder,
};
use tauri_plugin_autostart::ManagerExt;

use llmgen_core::health::Level;

use crate::lang::Lang;

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

    /// The entry's words; the status line's start as "Checking…" and then come from [`Status`].
    fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Lang::En, Self::Status) => "Checking…",
            (Lang::En, Self::Open) => "Open MCP LLM Generator",
            (Lang::En, Self::RunHealthCheck) => "Run health check",
            (Lang::En, Self::BackUpNow) => "Back up now",
            (Lang::En, Self::ConfigureClients) => "Configure clients…",
            (Lang::En, Self::CheckForUpdates) => "Check for updates",
            (Lang::En, Self::StartAtLogin) => "Start at login",
            (Lang::En, Self::Quit) => "Quit",
            (Lang::Ja, Self::Status) => "確認しています…",
            (Lang::Ja, Self::Open) => "MCP LLM Generator を開く",
            (Lang::Ja, Self::RunHealthCheck) => "ヘルスチェックを実行",
            (Lang::Ja, Self::BackUpNow) => "今すぐバックアップ",
            (Lang::Ja, Self::ConfigureClients) => "クライアントを設定…",
            (Lang::Ja, Self::CheckForUpdates) => "アップデートを確認",
            (Lang::Ja, Self::StartAtLogin) => "ログイン時に起動",
            (Lang::Ja, Self::Quit) => "終了",
        }
    }

    fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|item| item.id() == id)
    }
}

/// What the status line says, kept as meaning rather than text so a change of language can
/// say it again. Sentences from llmgen-core (the health finding, an error) stay English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Checking,
    AllGood,
    /// The worst finding of the health check, and how many other problems there are.
    NeedsFix {
        finding: String,
        more: usize,
    },
    /// The check itself could not run.
    Failed(String),
    BackupFailed(String),
    /// The window's process could not be started (the system's reason).
    WindowNotStarted(String),
    /// The window's process ended with this exit code instead of closing normally.
    WindowFailed(i32),
}

impl Status {
    pub fn text(&self, lang: Lang) -> String {
        match (lang, self) {
            (_, Self::Checking) => TrayItem::Status.label(lang).to_string(),
            (Lang::En, Self::AllGood) => "All good".to_string(),
            (Lang::Ja, Self::AllGood) => "問題ありません".to_string(),
            (Lang::En, Self::NeedsFix { finding, more: 0 }) => format!("{finding} Open the app to fix it."),
            (Lang::En, Self::NeedsFix { finding, more }) => {
                format!("{finding} Open the app to fix it (and {more} more).")
            }
            (Lang::Ja, Self::NeedsFix { finding, more: 0 }) => {
                format!("{finding} アプリを開いて対処してください。")
            }
            (Lang::Ja, Self::NeedsFix { finding, more }) => {
                format!("{finding} アプリを開いて対処してください（ほかに {more} 件あります）。")
            }
            (_, Self::Failed(error)) => error.clone(),
            (Lang::En, Self::BackupFailed(error)) => format!("Backup failed: {error}"),
            (Lang::Ja, Self::BackupFailed(error)) => {
                format!("バックアップに失敗しました: {error}")
            }
            (Lang::En, Self::WindowNotStarted(error)) => format!(
                "The window could not be opened ({error}). Quit from this menu and start MCP LLM Generator again."
            ),
            (Lang::Ja, Self::WindowNotStarted(error)) => format!(
                "ウィンドウを開けませんでした ({error})。このメニューから終了し、MCP LLM Generator をもう一度起動してください。"
            ),
            (Lang::En, Self::WindowFailed(code)) => format!(
                "The window closed unexpectedly (exit code {code}). Open it again; if that fails too, see the newest lines of the log."
            ),
            (Lang::Ja, Self::WindowFailed(code)) => format!(
                "ウィンドウが予期せず閉じました (終了コード {code})。もう一度開いてください。再び失敗する場合はログの最新の行を確認してください。"
            ),
        }
    }
}
const ICON_OK: &[u8] = include_bytes!("../../icons/tray-ok.png");
const ICON_WARNING: &[u8] = include_bytes!("../../icons/tray-warning.png");
const ICON_ERROR: &[u8] = include_bytes!("../../icons/tray-error.png");

/// The menu's entries and what they say now, kept so the health thread can change the status
/// line and a change of language can re-label everything.
struct Tray {
    items: Vec<(TrayItem, MenuItem<Wry>)>,
    at_login: CheckMenuItem<Wry>,
    /// The language and the status line's meaning, changed together.
    shown: Mutex<(Lang, Status)>,
}

impl Tray {
    fn status_item(&self) -> Option<&MenuItem<Wry>> {
        self.items
            .iter()
            .find(|(which, _)| *which == TrayItem::Status)
            .map(|(_, item)| item)
    }
}

fn item(app: &AppHandle, which: TrayItem, lang: Lang, enabled: bool) -> tauri::Result<MenuItem<Wry>> {
    MenuItem::with_id(app, which.id(), which.label(lang), enabled, None::<&str>)
}

pub fn install(app: &AppHandle, lang: Lang) -> tauri::Result<()> {
    let status = item(app, TrayItem::Status, lang, false)?;
    let open = item(app, TrayItem::Open, lang, true)?;
    let check = item(app, TrayItem::RunHealthCheck, lang, true)?;
    let backup = item(app, TrayItem::BackUpNow, lang, true)?;
    let clients = item(app, TrayItem::ConfigureClients, lang, true)?;
    let updates = item(app, TrayItem::CheckForUpdates, lang, true)?;
    let at_login = CheckMenuItem::with_id(
        app,
        TrayItem::StartAtLogin.id(),
        TrayItem::StartAtLogin.label(lang),
        true,
        app.autolaunch().is_enabled().unwrap_or(false),
        None::<&str>,
    )?;
    let quit = item(app, TrayItem::Quit, lang, true)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(
        app,
        &[
            &status, &separator, &open, &check, &backup, &clients, &updates, &at_login, &quit,
        ],
    )?;
    app.manage(Tray {
        items: vec![
            (TrayItem::Status, status),
            (TrayItem::Open, open),
            (TrayItem::RunHealthCheck, check),
            (TrayItem::BackUpNow, backup),
            (TrayItem::ConfigureClients, clients),
            (TrayItem::CheckForUpdates, updates.clone()),
            (TrayItem::Quit, quit),
        ],
        at_login: at_login.clone(),
        shown: Mutex::new((lang, Status::Checking)),
    });
    follow_updates(app, updates);
    let toggle = at_login;
    TrayIconBuilder::with_id("main")
        .icon(Image::from_bytes(ICON_WARNING)?)
        .tooltip("MCP LLM Generator")
        .menu(&menu)
        .on_menu_event(move |app, event| match TrayItem::from_id(event.id().as_ref()) {
            Some(TrayItem::Open) => crate::link::open_window(app, None, None),
            Some(TrayItem::Status) => crate::link::open_window(app, Some(crate::link::Focus::Health), None),
            Some(TrayItem::ConfigureClients) => {
                crate::link::open_window(app, Some(crate::link::Focus::Clients), None)
            }
            Some(TrayItem::RunHealthCheck) => {
                app.state::<crate::health::Recheck>()
                    .request(crate::health::Trigger::TrayMenu);
            }
            Some(TrayItem::BackUpNow) => back_up_now(app),
            Some(TrayItem::CheckForUpdates) => {
                // The window checks and shows the outcome (and the offered update's notes).
                crate::link::open_window(app, None, Some(crate::link::ToWindow::CheckForUpdates))
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
    tracing::info!("tray language: {}", lang.as_str());
    Ok(())
}

/// Shows a health level as the icon and `status` as the status line (enabled when there is
/// something to fix, so a click opens the app). Returns the line as shown.
pub fn show_state(app: &AppHandle, level: Level, status: Status) -> String {
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
    let Some(tray) = app.try_state::<Tray>() else {
        return status.text(Lang::En);
    };
    let Ok(mut shown) = tray.shown.lock() else {
        return status.text(Lang::En);
    };
    let line = status.text(shown.0);
    if let Some(item) = tray.status_item() {
        let _ = item.set_text(&line);
        let _ = item.set_enabled(level != Level::Ok);
    }
    shown.1 = status;
    line
}

/// Re-labels every entry, and the status line, in `lang` (after a change in Settings).
pub fn set_lang(app: &AppHandle, lang: Lang) {
    let Some(tray) = app.try_state::<Tray>() else {
        return;
    };
    let Ok(mut shown) = tray.shown.lock() else {
        return;
    };
    shown.0 = lang;
    for (which, item) in &tray.items {
        let text = match which {
            TrayItem::Status => shown.1.text(lang),
            other => other.label(lang).to_string(),
        };
        if let Err(e) = item.set_text(text) {
            tracing::warn!("could not re-label the tray menu: {e}");
        }
    }
    let _ = tray.at_login.set_text(TrayItem::StartAtLogin.label(lang));
    tracing::info!("tray language: {}", lang.as_str());
}

/// Puts the "Start at login" check mark where the setting is (after Settings changed it).
pub fn refresh_autostart(app: &AppHandle) {
    let Some(tray) = app.try_state::<Tray>() else {
        return;
    };
    match app.autolaunch().is_enabled() {
        Ok(on) => {
            if let Err(e) = tray.at_login.set_checked(on) {
                tracing::warn!("could not update the tray's Start at login: {e}");
            }
        }
        Err(e) => tracing::warn!("start at login: {e}"),
    }
}

/// Names an offered update in the menu ("Update to 0.2.0…"), so it is seen without opening the
/// window; the item still checks again and opens the window, where the update is installed.
fn follow_updates(app: &AppHandle, item: MenuItem<Wry>) {
    let handle = app.clone();
    app.listen(crate::updater::STATE_EVENT, move |_| {
        let lang = handle
            .try_state::<Tray>()
            .and_then(|tray| tray.shown.lock().ok().map(|shown| shown.0))
            .unwrap_or(Lang::En);
        let label = match (crate::updater::state(&handle).offer, lang) {
            (Some(offer), Lang::En) => format!("Update to {}…", offer.version),
            (Some(offer), Lang::Ja) => format!("{} にアップデート…", offer.version),
            (None, lang) => TrayItem::CheckForUpdates.label(lang).to_string(),
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
            Err(e) => {
                show_state(&app, Level::Error, Status::BackupFailed(e));
            }
        }
        app.state::<crate::health::Recheck>()
            .request(crate::health::Trigger::Backup);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_and_status_line_has_words_in_both_languages() {
        // Proves: each menu entry is labelled in the chosen language (not English everywhere),
        // the English labels are the ones the README documents, and a core sentence is kept
        // as it is inside the Japanese status line.
        for item in TrayItem::ALL {
            let (en, ja) = (item.label(Lang::En), item.label(Lang::Ja));
            assert!(!en.is_empty() && !ja.is_empty(), "{item:?}");
            assert_ne!(en, ja, "{item:?} is not translated");
            assert!(
                ja.chars().any(|c| c > '\u{3000}') || ja.contains("MCP"),
                "{item:?}: {ja}"
            );
        }
        assert_eq!(TrayItem::BackUpNow.label(Lang::En), "Back up now");
        assert_eq!(TrayItem::Quit.label(Lang::Ja), "終了");
        assert_eq!(TrayItem::Open.label(Lang::Ja), "MCP LLM Generator を開く");

        let finding = Status::NeedsFix {
            finding: "No backup has been made yet.".into(),
            more: 0,
        };
        assert_eq!(
            finding.text(Lang::En),
            "No backup has been made yet. Open the app to fix it."
        );
        assert_eq!(
            finding.text(Lang::Ja),
            "No backup has been made yet. アプリを開いて対処してください。"
        );
        assert_eq!(Status::AllGood.text(Lang::Ja), "問題ありません");
        assert_eq!(Status::Checking.text(Lang::Ja), TrayItem::Status.label(Lang::Ja));
        assert_eq!(
            Status::BackupFailed("disk full".into()).text(Lang::Ja),
            "バックアップに失敗しました: disk full"
        );
        // A window that failed says so in the tray's language, with what to do.
        assert!(
            Status::WindowFailed(101)
                .text(Lang::En)
                .starts_with("The window closed unexpectedly (exit code 101). Open it again")
        );
        assert!(
            Status::WindowFailed(101)
                .text(Lang::Ja)
                .contains("終了コード 101")
        );
        assert!(
            Status::WindowNotStarted("No such file".into())
                .text(Lang::Ja)
                .contains("No such file")
        );
    }

    #[test]
    fn the_tray_language_follows_the_choice_in_settings_over_the_system() {
        // Proves: a choice in Settings decides the tray's words whatever the system's locale
        // (lang.rs tests how "Automatic" reads the locale).
        use llmgen_core::settings::Language;
        let label = |choice| TrayItem::RunHealthCheck.label(crate::lang::resolve(choice));
        assert_eq!(label(Language::Ja), "ヘルスチェックを実行");
        assert_eq!(label(Language::En), "Run health check");
    }
}
