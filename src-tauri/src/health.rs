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

/// Asks the health thread for a check now (tray item, Health screen).
pub struct Recheck(pub Sender<()>);

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
    Recheck(tx)
}

fn watch(app: &AppHandle, rx: &Receiver<()>) {
    let data_dir = match DataDir::resolve(None) {
        Ok(d) => d,
        Err(e) => {
            crate::tray::show_state(app, Level::Error, Status::Failed(e.to_string()));
            return;
        }
    };
    loop {
        match check_now(&data_dir) {
            Ok(health) => show(app, &health),
            Err(e) => {
                crate::tray::show_state(app, Level::Error, Status::Failed(e));
            }
        }
        match rx.recv_timeout(EVERY) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Puts a result on the tray: its icon and one line saying what, if anything, to do.
pub fn show(app: &AppHandle, health: &Health) {
    let status = match health
        .checks
        .iter()
        .filter(|c| c.level == health.level)
        .find(|c| c.level != Level::Ok)
    {
        None => Status::AllGood,
        Some(worst) => Status::NeedsFix(worst.message.clone()),
    };
    let line = crate::tray::show_state(app, health.level, status);
    tracing::info!(level = health.level.as_str(), "health: {line}");
}
