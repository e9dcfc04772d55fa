//! The tray's behaviour, whatever draws it: what each menu entry does, the state the menu shows,
//! and the messages of the window process. A [`Surface`] (StatusNotifierItem on Linux, Tauri's
//! tray elsewhere) only draws [`View`]s and hands clicks to [`Tray::activate`].

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex, MutexGuard, OnceLock, mpsc::Sender},
};

use llmgen_core::{operations::health::Level, paths::DataDir};

use crate::{
    health,
    lang::Lang,
    link::{Focus, ToTray, ToWindow, Trigger},
    menu::{Shown, Status, TrayItem, View},
    windows::WindowProcess,
};

/// What the desktop provides the tray: drawing it, ending or restarting the app, and the login
/// entry (each platform keeps its own kind).
pub trait Surface: Send + Sync + 'static {
    /// Shows `view`: the icon of its level, its tooltip and its menu.
    fn draw(&self, view: &View);
    /// Ends the app (Quit); the window process follows when its pipe closes.
    fn quit(&self);
    /// Starts the app anew, into a freshly installed version.
    fn restart(&self);
    /// Whether the app starts (minimised to the tray) at login.
    fn starts_at_login(&self) -> Result<bool, String>;
    /// Turns start at login on or off; returns the new state.
    fn set_start_at_login(&self, on: bool) -> Result<bool, String>;
}

/// The tray, shared by the surface, the health thread, the update schedule and the window
/// process's reader.
#[derive(Clone)]
pub struct Tray(Arc<Inner>);

struct Inner {
    /// The app's program (`mcp-llm-generator-app`): the window and the update check run it.
    app: PathBuf,
    shown: Mutex<Shown>,
    /// The view last drawn; held while a view is made and drawn, so two changes at once are
    /// drawn in the order they were made (taken before `shown`, never the other way round).
    drawn: Mutex<Option<View>>,
    surface: Box<dyn Surface>,
    windows: WindowProcess,
    recheck: OnceLock<Sender<Trigger>>,
    check: health::Check,
}

impl Tray {
    /// A tray that starts windows (and update checks) with the program `app`, drawn on
    /// `surface`, that runs `check` for its state; it shows "Checking…" until [`Tray::start`]
    /// has run the first check.
    pub fn new(app: PathBuf, surface: impl Surface, check: health::Check) -> Self {
        let at_login = surface.starts_at_login().unwrap_or_else(|e| {
            tracing::warn!("start at login: {e}");
            false
        });
        let lang = language();
        tracing::info!("tray language: {}", lang.as_str());
        Self(Arc::new(Inner {
            app,
            shown: Mutex::new(Shown::new(lang, at_login)),
            drawn: Mutex::new(None),
            surface: Box::new(surface),
            windows: WindowProcess::default(),
            recheck: OnceLock::new(),
            check,
        }))
    }

    pub(crate) fn windows(&self) -> &WindowProcess {
        &self.0.windows
    }

    /// The app's program, as the tray starts it.
    pub fn app_program(&self) -> &Path {
        &self.0.app
    }

    /// Starts the tray's work: the health thread, the daily update check, the repair of client
    /// entries after an update or a move, and the window unless the app starts `minimized`.
    pub fn start(&self, minimized: bool) {
        let (tx, rx) = std::sync::mpsc::channel();
        let _ = self.0.recheck.set(tx);
        let tray = self.clone();
        std::thread::spawn(move || {
            health::watch(&tray.0.check, &rx, |level, status, why| {
                crate::servers::show_live(&tray);
                let line = tray.show_state(level, status);
                tracing::info!(level = level.as_str(), trigger = why.as_str(), "health: {line}");
            });
        });
        crate::updates::schedule(self.clone());
        repair_clients_in_background();
        if !minimized {
            self.open_window(None, None);
        }
    }

    fn shown(&self) -> MutexGuard<'_, Shown> {
        // Plain data: a panic elsewhere while holding the lock leaves it usable.
        self.0.shown.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn surface(&self) -> &dyn Surface {
        &*self.0.surface
    }

    /// What the surface shows now.
    pub fn view(&self) -> View {
        self.shown().view()
    }

    /// Changes what the tray knows, then draws it, unless it looks the same as drawn already
    /// (`force`: draw anyway, when the surface changed itself, as a toggled check box does).
    fn change_and_draw(&self, force: bool, edit: impl FnOnce(&mut Shown)) -> View {
        let mut drawn = self.0.drawn.lock().unwrap_or_else(|p| p.into_inner());
        let view = {
            let mut shown = self.shown();
            edit(&mut shown);
            shown.view()
        };
        if force || drawn.as_ref() != Some(&view) {
            self.surface().draw(&view);
            *drawn = Some(view.clone());
        }
        view
    }

    fn change(&self, edit: impl FnOnce(&mut Shown)) -> View {
        self.change_and_draw(false, edit)
    }

    /// Draws the current view again (a surface that draws nothing until asked, at start).
    pub fn redraw(&self) {
        self.change_and_draw(true, |_| {});
    }

    /// Shows a health level as the icon and `status` as the status line; returns the line.
    pub fn show_state(&self, level: Level, status: Status) -> String {
        let lang = self.shown().lang;
        let line = status.text(lang);
        self.change(|s| {
            s.level = level;
            s.status = status;
        });
        line
    }

    /// Asks the health thread for a check now.
    pub fn recheck(&self, why: Trigger) {
        match self.0.recheck.get() {
            Some(thread) if thread.send(why).is_ok() => {}
            _ => tracing::warn!(
                "the tray's health thread is not running; {} did not re-check",
                why.as_str()
            ),
        }
    }

    /// Does what a click on `item` asks.
    pub fn activate(&self, item: TrayItem) {
        match item {
            TrayItem::Open => self.open_window(None, None),
            TrayItem::Status => self.open_window(Some(Focus::Health), None),
            TrayItem::ConfigureClients => self.open_window(Some(Focus::Clients), None),
            TrayItem::SetUp => self.open_window(Some(Focus::Guide), None),
            TrayItem::RunHealthCheck => self.recheck(Trigger::TrayMenu),
            TrayItem::BackUpNow => self.back_up_now(),
            TrayItem::StopAllServers => crate::servers::stop_all(self.clone()),
            TrayItem::ResumeServers => crate::servers::resume(self.clone()),
            // A line, disabled in the menu; a surface that lets it be clicked shows the apps.
            TrayItem::Connected => self.open_window(Some(Focus::Clients), None),
            // The window checks and shows the outcome (and the offered update's notes).
            TrayItem::CheckForUpdates => self.open_window(None, Some(ToWindow::CheckForUpdates)),
            TrayItem::StartAtLogin => {
                let wanted = !self.shown().at_login;
                match self.surface().set_start_at_login(wanted) {
                    Ok(now) => {
                        self.change_and_draw(true, |s| s.at_login = now);
                    }
                    Err(e) => {
                        tracing::warn!("start at login: {e}");
                        // A menu that ticked its box by itself shows the real setting again.
                        self.redraw();
                    }
                }
            }
            TrayItem::Quit => {
                tracing::info!("quit from the tray");
                self.surface().quit();
            }
        }
    }

    /// Opens the window, at `focus` if given; `then` is sent once it is there.
    pub fn open_window(&self, focus: Option<Focus>, then: Option<ToWindow>) {
        // An update the tray's own check found is shown in a new window straight away.
        let offered = self.shown().offer.is_some();
        crate::windows::open(self, focus, then, offered);
    }

    /// Ends the window process before this one goes away for good (a restart): its stdin is
    /// closed, which ends it, and it is waited for so it is not left a zombie.
    pub fn close_window(&self, within: std::time::Duration) {
        crate::windows::close(self, within);
    }

    /// Acts on a message of the window process.
    pub fn handle(&self, message: ToTray) {
        match message {
            ToTray::Recheck(why) => self.recheck(why),
            ToTray::LanguageChanged => {
                let lang = language();
                tracing::info!("tray language: {}", lang.as_str());
                self.change(|s| s.lang = lang);
            }
            ToTray::AutostartChanged => match self.surface().starts_at_login() {
                Ok(on) => {
                    self.change(|s| s.at_login = on);
                }
                Err(e) => tracing::warn!("start at login: {e}"),
            },
            ToTray::Restart => {
                tracing::info!("restarting into the installed update");
                self.surface().restart();
            }
            ToTray::Closing => {}
        }
    }

    /// Shows whether serving is paused (the menu then offers Resume servers).
    pub fn set_paused(&self, paused: bool) {
        self.change(|s| s.paused = paused);
    }

    /// Names the AI apps connected now in the menu.
    pub fn set_connected(&self, names: Vec<String>) {
        self.change(|s| s.connected = names);
    }

    /// Names an offered update in the menu ("Update to 0.2.0…"), or takes it away.
    pub fn set_offer(&self, version: Option<String>) {
        self.change(|s| s.offer = version);
    }

    /// Takes a backup off the caller's thread, then re-checks so the tray follows.
    fn back_up_now(&self) {
        let tray = self.clone();
        std::thread::spawn(move || {
            let result = DataDir::resolve(None)
                .map_err(|e| e.to_string())
                .and_then(|d| llmgen_core::operations::backup::back_up_now(&d).map_err(|e| e.to_string()));
            match result {
                Ok(info) => tracing::info!("backed up to {}", info.path.display()),
                Err(e) => {
                    tray.show_state(
                        Level::Error,
                        Status::BackupFailed(llmgen_core::without_commands::without_commands(&e)),
                    );
                }
            }
            tray.recheck(Trigger::Backup);
        });
    }
}

/// The language the tray speaks: the choice stored in Settings, or the system's when there is
/// none or the store cannot be read (the window says why in that case). Read afresh each time,
/// so the tray holds no database open.
pub fn language() -> Lang {
    let choice = crate::stored_settings().map_or(llmgen_core::settings::Language::Auto, |s| s.language);
    crate::lang::resolve(choice)
}

/// After an update or a move, entries we wrote may run a path that no longer exists: put them
/// right, off the start-up path so the tray appears at once.
fn repair_clients_in_background() {
    let Some(exe) = health::server_binary() else {
        tracing::warn!("the bundled server binary is missing; client entries were not checked");
        return;
    };
    std::thread::spawn(move || {
        let Ok(data_dir) = DataDir::resolve(None) else {
            return;
        };
        let clients = llmgen_core::clients::Clients::from_env(data_dir);
        match llmgen_core::clients::repair(&clients, &exe, false) {
            Ok(outcomes) => {
                for o in outcomes {
                    tracing::info!(?o, "client entry repaired at start");
                }
            }
            Err(e) => tracing::warn!("could not check client entries: {e}"),
        }
    });
}
