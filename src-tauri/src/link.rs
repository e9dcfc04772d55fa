//! The window process's side of the line protocol with the tray (llmgen_tray::link has the
//! messages and why the window is a process of its own): messages to the tray on stdout, the
//! tray's on stdin, and the end of the window when the tray goes.

use std::io::{BufRead, Write};

use tauri::{AppHandle, Manager, Runtime};

pub use llmgen_tray::link::{Focus, ToTray, ToWindow, Trigger, WINDOW_ARG};

/// The window process's line to the tray: its stdout, which carries nothing else of ours.
#[derive(Debug, Default, Clone, Copy)]
pub struct TrayLink;

/// What an IPC command holds to ask the tray for a health check, so the icon follows a change.
pub type Recheck = TrayLink;

impl TrayLink {
    pub fn send(&self, message: ToTray) {
        let mut out = std::io::stdout().lock();
        if let Err(e) = writeln!(out, "{}", message.encode()).and_then(|()| out.flush()) {
            tracing::warn!("could not tell the tray {message:?}: {e}");
        }
    }

    /// Asks the tray's health thread to check again, saying why.
    pub fn request(&self, why: Trigger) {
        self.send(ToTray::Recheck(why));
    }
}

/// Tells the tray, when this is the window process.
pub fn tell_tray<R: Runtime>(app: &AppHandle<R>, message: ToTray) {
    if let Some(link) = app.try_state::<TrayLink>() {
        link.send(message);
    }
}

/// Restarts the app into a freshly installed version: the window process asks the tray, which
/// restarts itself (ending this process by closing its stdin); a process without a tray (the
/// updater's tests) restarts itself.
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
