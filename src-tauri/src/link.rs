//! The tray process and the window process, and the pipe between them. The tray lives for the
//! whole session and never makes a webview; the window runs in a child process of its own
//! (`--window`), started when the user opens it and gone, with WebKit's helper processes, when
//! the window closes. WebKitGTK keeps its network process for as long as the process that made a
//! webview lives, so only a process of its own gives that memory back.
//!
//! They talk in lines over the child's stdin (tray → window) and stdout (window → tray), one
//! message per line, prefixed so stray output of a library on stdout is never taken for one (and
//! a message is still found after a library's unfinished line).

use std::{
    io::{BufRead, BufReader, Write},
    process::{Child, ChildStdin, Command, Stdio},
    sync::Mutex,
};

use tauri::{AppHandle, Manager, Runtime};

use crate::health::Trigger;

/// The argument that starts the window process.
pub const WINDOW_ARG: &str = "--window";
/// Every message line starts with this.
const PREFIX: &str = "llmgen-link ";

/// From the tray to the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToWindow {
    /// Come to the front (the user picked Open again, or launched the app a second time), at
    /// the part of the overview the tray's entry is about, if any.
    Show(Option<Focus>),
    /// Check for updates now and show the result (the tray's "Check for updates").
    CheckForUpdates,
}

/// A part of the overview a tray entry opens the window at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Focus {
    /// The status line's problem: the Health card, with its fixes.
    Health,
    /// "Configure clients…": the AI clients card.
    Clients,
}

impl Focus {
    const ALL: [Focus; 2] = [Self::Health, Self::Clients];

    fn as_str(self) -> &'static str {
        match self {
            Self::Health => "health",
            Self::Clients => "clients",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text)
    }
}

/// From the window to the tray.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToTray {
    /// Something a health check looks at changed: check again so the icon follows.
    Recheck(Trigger),
    /// The language setting changed: re-label the menu.
    LanguageChanged,
    /// Start at login was switched in Settings: move the menu's check mark.
    AutostartChanged,
    /// An update was installed: restart the whole app into it.
    Restart,
    /// The window is closing and its process ending: the next Open starts a new one.
    Closing,
}

/// The message in a line: what follows the prefix, wherever it starts.
fn message_in(line: &str) -> Option<&str> {
    line.find(PREFIX).map(|at| line[at + PREFIX.len()..].trim())
}

impl ToWindow {
    fn encode(self) -> String {
        match self {
            Self::Show(None) => format!("{PREFIX}show"),
            Self::Show(Some(focus)) => format!("{PREFIX}show {}", focus.as_str()),
            Self::CheckForUpdates => format!("{PREFIX}check-for-updates"),
        }
    }

    fn decode(line: &str) -> Option<Self> {
        match message_in(line)? {
            "show" => Some(Self::Show(None)),
            "check-for-updates" => Some(Self::CheckForUpdates),
            other => Focus::parse(other.strip_prefix("show ")?).map(|f| Self::Show(Some(f))),
        }
    }
}

impl ToTray {
    fn encode(self) -> String {
        match self {
            Self::Recheck(why) => format!("{PREFIX}recheck {}", why.as_str()),
            Self::LanguageChanged => format!("{PREFIX}language-changed"),
            Self::AutostartChanged => format!("{PREFIX}autostart-changed"),
            Self::Restart => format!("{PREFIX}restart"),
            Self::Closing => format!("{PREFIX}closing"),
        }
    }

    fn decode(line: &str) -> Option<Self> {
        let message = message_in(line)?;
        match message {
            "closing" => Some(Self::Closing),
            "language-changed" => Some(Self::LanguageChanged),
            "autostart-changed" => Some(Self::AutostartChanged),
            "restart" => Some(Self::Restart),
            _ => Trigger::parse(message.strip_prefix("recheck ")?).map(Self::Recheck),
        }
    }
}

// ---------------------------------------------------------------- the tray's side

/// The window process as the tray holds it: at most one, started on demand.
#[derive(Default)]
pub struct WindowProcess {
    running: Mutex<Option<Running>>,
}

struct Running {
    child: Child,
    stdin: ChildStdin,
    /// The window said it is closing: its process is ending, and will not show again.
    closing: bool,
}

impl Running {
    fn usable(&mut self) -> bool {
        !self.closing && matches!(self.child.try_wait(), Ok(None))
    }

    fn send(&mut self, message: ToWindow) -> std::io::Result<()> {
        writeln!(self.stdin, "{}", message.encode())?;
        self.stdin.flush()
    }
}

impl WindowProcess {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Running>> {
        self.running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Waits for a window process that is done with, off the caller's thread (and off the lock).
/// With `report`, a failure (a crash, or a window that could not start) is shown on the tray,
/// since nothing else would tell the user why no window is there.
fn reap(mut old: Running, kill: bool, report: Option<AppHandle>) {
    std::thread::spawn(move || {
        if kill {
            let _ = old.child.kill();
        }
        let pid = old.child.id();
        match old.child.wait() {
            Ok(status) if status.success() => tracing::info!("window process {pid} ended ({status})"),
            Ok(status) => {
                tracing::error!("window process {pid} failed ({status})");
                // A failure of its own (an exit code), not a signal from outside (the session
                // ending, someone ending the process).
                if let (Some(app), Some(code)) = (report, status.code()) {
                    crate::tray::show_state(
                        &app,
                        llmgen_core::health::Level::Warning,
                        crate::tray::Status::WindowFailed(code),
                    );
                }
            }
            Err(e) => tracing::warn!("window process {pid}: {e}"),
        }
    });
}

/// Opens the window, at `focus` if given: brings the running one to the front, or starts the
/// window process. `then` is sent once it is there (e.g. check for updates).
pub fn open_window(app: &AppHandle, focus: Option<Focus>, then: Option<ToWindow>) {
    let Some(windows) = app.try_state::<WindowProcess>() else {
        // Only the tray process opens windows this way; elsewhere, show what there is.
        crate::window::show(app);
        if let Some(focus) = focus {
            crate::window::focus(app, focus);
        }
        return;
    };
    let mut running = windows.lock();
    if let Some(r) = running.as_mut()
        && r.usable()
    {
        let sent = [Some(ToWindow::Show(focus)), then]
            .into_iter()
            .flatten()
            .try_for_each(|m| r.send(m));
        match sent {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!("the window process did not answer ({e}); starting a new one");
                if let Some(deaf) = running.take() {
                    reap(deaf, true, None);
                }
            }
        }
    }
    // One that is closing ends on its own; its reader thread sees it go.
    if let Some(old) = running.take() {
        reap(old, false, None);
    }
    // An update the tray's own check found is shown in the new window straight away.
    let offered = app
        .try_state::<crate::updater::Updates>()
        .is_some_and(|_| crate::updater::state(app).offer.is_some());
    let then = then.or(offered.then_some(ToWindow::CheckForUpdates));
    match start_window_process(app) {
        Ok(mut started) => {
            // The new window shows itself; the focus (kept until its UI asks) and `then` follow.
            let first = focus.map(|f| ToWindow::Show(Some(f)));
            for message in [first, then].into_iter().flatten() {
                if let Err(e) = started.send(message) {
                    tracing::warn!("could not ask the new window to {message:?}: {e}");
                }
            }
            *running = Some(started);
        }
        Err(e) => {
            tracing::error!("could not open the window: {e}");
            crate::tray::show_state(
                app,
                llmgen_core::health::Level::Warning,
                crate::tray::Status::WindowNotStarted(e.to_string()),
            );
        }
    }
}

/// The program to start as the window: this very one. When a package upgrade has replaced the
/// file since, its path names "(deleted)" and no longer exists; on Linux the old program stays
/// reachable as /proc/self/exe, so tray and window still agree. (The path is preferred
/// otherwise: it gives the window process its name in process lists.)
fn own_program() -> std::io::Result<std::path::PathBuf> {
    let exe = std::env::current_exe()?;
    let proc_self = std::path::Path::new("/proc/self/exe");
    if !exe.is_file() && cfg!(target_os = "linux") && proc_self.exists() {
        return Ok(proc_self.to_path_buf());
    }
    Ok(exe)
}

fn start_window_process(app: &AppHandle) -> std::io::Result<Running> {
    let mut command = Command::new(own_program()?);
    command
        .arg(WINDOW_ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    crate::lean::restore_for_window(&mut command);
    let mut child = command.spawn()?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(std::io::Error::other("the window process has no pipes"));
    };
    let pid = child.id();
    tracing::info!("window process {pid} started");
    let app = app.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            match ToTray::decode(&line) {
                Some(ToTray::Closing) => mark_closing(&app, pid),
                Some(message) => handle_in_tray(&app, message),
                None if line.trim().is_empty() => {}
                // Not ours: a library printed to stdout. Keep it where people look.
                None => tracing::debug!("window process stdout: {line}"),
            }
        }
        // End of its stdout: the process has ended (or closed it). Reap it if it is still the
        // current one; one replaced meanwhile was handed to `reap` by `open_window`.
        let ended = app.try_state::<WindowProcess>().and_then(|windows| {
            let mut running = windows.lock();
            match running.as_ref() {
                Some(r) if r.child.id() == pid => running.take(),
                _ => None,
            }
        });
        if let Some(ended) = ended {
            reap(ended, false, Some(app.clone()));
        }
    });
    Ok(Running {
        child,
        stdin,
        closing: false,
    })
}

fn mark_closing(app: &AppHandle, pid: u32) {
    if let Some(windows) = app.try_state::<WindowProcess>()
        && let Some(r) = windows.lock().as_mut()
        && r.child.id() == pid
    {
        r.closing = true;
    }
}

fn handle_in_tray(app: &AppHandle, message: ToTray) {
    match message {
        ToTray::Recheck(why) => app.state::<crate::health::Recheck>().request(why),
        ToTray::LanguageChanged => {
            if let Some(state) = app.try_state::<crate::commands::AppState>() {
                crate::tray::set_lang(app, crate::commands_language::at_start(&state));
            }
        }
        ToTray::AutostartChanged => crate::tray::refresh_autostart(app),
        ToTray::Restart => {
            tracing::info!("restarting into the installed update");
            app.restart();
        }
        ToTray::Closing => {}
    }
}

// ---------------------------------------------------------------- the window's side

/// The window process's line to the tray: its stdout, which carries nothing else of ours.
#[derive(Debug, Default, Clone, Copy)]
pub struct TrayLink;

impl TrayLink {
    pub fn send(&self, message: ToTray) {
        let mut out = std::io::stdout().lock();
        if let Err(e) = writeln!(out, "{}", message.encode()).and_then(|()| out.flush()) {
            tracing::warn!("could not tell the tray {message:?}: {e}");
        }
    }
}

/// Tells the tray, when this is the window process (the tray itself has nothing to tell).
pub fn tell_tray<R: Runtime>(app: &AppHandle<R>, message: ToTray) {
    if let Some(link) = app.try_state::<TrayLink>() {
        link.send(message);
    }
}

/// Restarts the app into a freshly installed version: the window process asks the tray, which
/// restarts itself (ending this process by closing its stdin); a single process restarts itself.
pub fn restart_app<R: Runtime>(app: &AppHandle<R>) {
    if let Some(link) = app.try_state::<TrayLink>() {
        link.send(ToTray::Restart);
        app.exit(0);
    } else {
        app.restart();
    }
}

/// Follows the tray's messages on stdin; when the tray goes (end of input), the window goes too.
pub fn follow_tray(app: AppHandle) {
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        for line in stdin.lock().lines().map_while(Result::ok) {
            match ToWindow::decode(&line) {
                Some(ToWindow::Show(focus)) => {
                    crate::window::show(&app);
                    if let Some(focus) = focus {
                        crate::window::focus(&app, focus);
                    }
                }
                Some(ToWindow::CheckForUpdates) => {
                    let app = app.clone();
                    tauri::async_runtime::spawn(async move {
                        // The outcome, failure included, reaches the Updates card as its state.
                        let _ = crate::updater::check(&app).await;
                    });
                }
                None => {}
            }
        }
        tracing::info!("the tray has gone; closing the window");
        app.exit(0);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Proves every message survives the pipe's line format, and that other output on the
    /// window's stdout is not mistaken for a message.
    #[test]
    fn messages_round_trip_and_stray_lines_are_ignored() {
        for m in [
            ToWindow::Show(None),
            ToWindow::Show(Some(Focus::Health)),
            ToWindow::Show(Some(Focus::Clients)),
            ToWindow::CheckForUpdates,
        ] {
            assert_eq!(ToWindow::decode(&m.encode()), Some(m));
        }
        let mut to_tray = vec![
            ToTray::LanguageChanged,
            ToTray::AutostartChanged,
            ToTray::Restart,
            ToTray::Closing,
        ];
        to_tray.extend(Trigger::ALL.into_iter().map(ToTray::Recheck));
        for m in to_tray {
            assert_eq!(ToTray::decode(&m.encode()), Some(m), "{m:?}");
        }
        for stray in [
            "show",
            "",
            "recheck start",
            "llmgen-link recheck nonsense",
            "Gtk-Message: hi",
        ] {
            assert_eq!(ToTray::decode(stray), None, "{stray}");
            assert_eq!(ToWindow::decode(stray), None, "{stray}");
        }
    }
}
