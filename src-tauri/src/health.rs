//! The tray's health: core's health check (the same one as `mcp-llm-generator health`) runs at
//! start, every few minutes and on demand, on a thread of its own; its level picks the tray icon
//! and its worst finding becomes the menu's status line.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use llmgen_core::{
    health::{self, Health, HealthOptions, Level},
    paths::DataDir,
};
use tauri::AppHandle;

use crate::tray::Status;

/// How often the tray re-checks on its own.
const EVERY: Duration = Duration::from_secs(5 * 60);

/// Why a check ran, logged with its result so a log (or a test) can tell the checks apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Start,
    Timer,
    TrayMenu,
    HealthScreen,
    Backup,
    Restore,
    /// An API key was stored or deleted: the provider-key check may have changed.
    KeyChanged,
    /// A client file was changed by us: the clients check may have changed.
    ClientsChanged,
}

impl Trigger {
    pub const ALL: [Trigger; 8] = [
        Self::Start,
        Self::Timer,
        Self::TrayMenu,
        Self::HealthScreen,
        Self::Backup,
        Self::Restore,
        Self::KeyChanged,
        Self::ClientsChanged,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Timer => "timer",
            Self::TrayMenu => "tray menu",
            Self::HealthScreen => "health screen",
            Self::Backup => "backup",
            Self::Restore => "restore",
            Self::KeyChanged => "key changed",
            Self::ClientsChanged => "clients changed",
        }
    }
}

/// Asks the tray's health thread for a check now (tray item, after an action that changes a
/// check): directly in the tray process, over the pipe from the window process (link.rs).
pub enum Recheck {
    Here(Sender<Trigger>),
    InTray(crate::link::TrayLink),
}

impl Recheck {
    pub fn request(&self, why: Trigger) {
        match self {
            Self::Here(thread) => {
                if thread.send(why).is_err() {
                    tracing::warn!(
                        "the tray's health thread has stopped; {} did not re-check",
                        why.as_str()
                    );
                }
            }
            Self::InTray(link) => link.send(crate::link::ToTray::Recheck(why)),
        }
    }
}

/// Runs the whole check once, blocking this thread (the check spawns the server and waits for
/// the keychain; it must never run on the UI thread).
pub fn check_now(data_dir: &DataDir) -> Result<Health, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let server = crate::commands::server_binary();
    let handshake = server
        .as_ref()
        .map(|s| llmgen_server::ChildHandshake::new(s, data_dir.root()));
    Ok(runtime.block_on(health::check_installation(
        data_dir,
        server.as_deref(),
        handshake.as_ref(),
        HealthOptions::default(),
    )))
}

/// Starts the thread that keeps the tray's state current; returns the handle that asks for a
/// check at once.
pub fn start(app: AppHandle) -> Recheck {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || watch(&app, &rx));
    Recheck::Here(tx)
}

fn watch(app: &AppHandle, rx: &Receiver<Trigger>) {
    let data_dir = match DataDir::resolve(None) {
        Ok(d) => d,
        Err(e) => {
            crate::tray::show_state(app, Level::Error, Status::Failed(e.to_string()));
            return;
        }
    };
    let mut why = Trigger::Start;
    loop {
        match check_now(&data_dir) {
            Ok(health) => show(app, &health, why),
            Err(e) => {
                crate::tray::show_state(app, Level::Error, Status::Failed(e));
            }
        }
        why = match rx.recv_timeout(EVERY) {
            Ok(why) => why,
            Err(RecvTimeoutError::Timeout) => Trigger::Timer,
            Err(RecvTimeoutError::Disconnected) => return,
        };
    }
}

/// Puts a result on the tray: its icon and one line saying what, if anything, to do.
pub fn show(app: &AppHandle, health: &Health, why: Trigger) {
    let line = crate::tray::show_state(app, health.level, status_of(health));
    tracing::info!(
        level = health.level.as_str(),
        trigger = why.as_str(),
        "health: {line}"
    );
}

/// The tray's status: the first of the worst findings, and how many more there are, since the
/// tray has room for one sentence only (and fixing the first should visibly change it).
pub fn status_of(health: &Health) -> Status {
    let problems = health.checks.iter().filter(|c| c.level != Level::Ok);
    match problems.clone().find(|c| c.level == health.level) {
        None => Status::AllGood,
        Some(worst) => Status::NeedsFix {
            finding: worst.message.clone(),
            more: problems.count() - 1,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use llmgen_core::health::Check;

    fn check(id: &'static str, level: Level, message: &str) -> Check {
        Check {
            id,
            level,
            message: message.into(),
            fix: None,
        }
    }

    fn health(checks: Vec<Check>) -> Health {
        Health {
            level: checks.iter().map(|c| c.level).max().unwrap_or(Level::Ok),
            checks,
        }
    }

    /// The line names the worst finding first (an error before an earlier warning) and counts
    /// the others, so fixing one of two problems changes the line; all ok reads "All good".
    #[test]
    fn the_status_line_names_the_worst_problem_and_counts_the_rest() {
        let two = health(vec![
            check("disk", Level::Ok, "Plenty of space."),
            check("backup", Level::Warning, "No backup has been made yet."),
            check("server", Level::Error, "The server did not start."),
        ]);
        assert_eq!(
            status_of(&two).text(Lang::En),
            "The server did not start. Open the app to fix it (and 1 more)."
        );
        let one = health(vec![
            check("disk", Level::Ok, "Plenty of space."),
            check("backup", Level::Warning, "No backup has been made yet."),
        ]);
        assert_eq!(
            status_of(&one).text(Lang::En),
            "No backup has been made yet. Open the app to fix it."
        );
        assert_eq!(
            status_of(&health(vec![check("disk", Level::Ok, "Plenty of space.")])).text(Lang::En),
            "All good"
        );
    }
}
