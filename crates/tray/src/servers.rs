//! The tray's "Stop all servers" and "Resume servers": the same core functions as
//! `mcp-llm-generator stop --all` and `resume`, run off the menu's thread, with the outcome on
//! the status line and a health re-check so the icon and the menu follow.

use llmgen_core::{
    operations::{health::Level, live},
    paths::DataDir,
};

use crate::{link::Trigger, menu::Status, tray::Tray};

/// Shows the data folder's paused state in the menu (after each health check).
pub(crate) fn show_paused(tray: &Tray) {
    if let Ok(data_dir) = DataDir::resolve(None) {
        tray.set_paused(live::is_paused(&data_dir));
    }
}

/// The emergency stop, as the tray's user asked.
pub(crate) fn stop_all(tray: Tray) {
    std::thread::spawn(move || {
        let result = DataDir::resolve(None)
            .map_err(|e| e.to_string())
            .and_then(|d| live::stop_all(&d, "tray").map_err(|e| e.to_string()));
        match result {
            Ok(report) => {
                tracing::info!(
                    servers = report.servers.len(),
                    backup = ?report.backup,
                    problems = ?report.problems,
                    "stopped all servers from the tray"
                );
                tray.set_paused(true);
                let level = if report.problems.is_empty() {
                    Level::Warning
                } else {
                    Level::Error
                };
                tray.show_state(level, Status::ServersStopped(report.servers.len()));
            }
            Err(e) => {
                tray.show_state(Level::Error, Status::StopFailed(e));
            }
        }
        tray.recheck(Trigger::ServersChanged);
    });
}

/// Ends the pause.
pub(crate) fn resume(tray: Tray) {
    std::thread::spawn(move || {
        let result = DataDir::resolve(None)
            .map_err(|e| e.to_string())
            .and_then(|d| live::resume(&d).map_err(|e| e.to_string()));
        match result {
            Ok(_) => tray.set_paused(false),
            Err(e) => {
                tray.show_state(Level::Error, Status::StopFailed(e));
            }
        }
        tray.recheck(Trigger::ServersChanged);
    });
}
