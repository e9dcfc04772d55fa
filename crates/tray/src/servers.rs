//! The tray's "Stop all servers" and "Resume servers": the same core functions as
//! `mcp-llm-generator stop --all` and `resume`, run off the menu's thread, with the outcome on
//! the status line and a health re-check so the icon and the menu follow.

use llmgen_core::{
    clients::registry,
    operations::{health::Level, live},
    paths::DataDir,
};

use crate::{link::Trigger, menu::Status, tray::Tray};

/// Shows the data folder's paused state and the AI apps connected now in the menu (after each
/// health check; reading the live folder is cheap).
pub(crate) fn show_live(tray: &Tray) {
    if let Ok(data_dir) = DataDir::resolve(None) {
        tray.set_paused(live::is_paused(&data_dir));
        tray.set_connected(
            live::list(&data_dir)
                .map(|l| connected_names(&l))
                .unwrap_or_default(),
        );
    }
}

/// The apps the live servers serve, once each: our name of the client, else the name it gave in
/// its handshake; a server whose client is not known yet is left out.
fn connected_names(servers: &[live::LiveServer]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for s in servers {
        let name = s
            .client_id
            .as_deref()
            .and_then(registry::find)
            .map(|c| c.name.to_string())
            .or_else(|| s.client_name.clone());
        if let Some(name) = name.filter(|n| !names.contains(n)) {
            names.push(name);
        }
    }
    names
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

#[cfg(test)]
mod tests {
    use super::*;

    fn server(pid: u32, client_id: Option<&str>, client_name: Option<&str>) -> live::LiveServer {
        live::LiveServer {
            pid,
            process_start: None,
            started_at: "2026-12-07T19:00:00Z".into(),
            data_dir: "/d".into(),
            client_id: client_id.map(str::to_string),
            client_name: client_name.map(str::to_string),
            client_version: None,
            sampling: None,
            last_call_at: None,
            version: "0.1.0".into(),
        }
    }

    #[test]
    fn each_connected_app_is_named_once_by_our_name_or_its_own() {
        // Proves: two servers of VS Code make one name; a server started by hand names the
        // client from its handshake; one that has not heard from its client yet is left out.
        let names = connected_names(&[
            server(1, Some("vscode"), Some("Visual Studio Code")),
            server(2, Some("vscode"), None),
            server(3, None, Some("claude-ai")),
            server(4, None, None),
        ]);
        assert_eq!(names, ["VS Code", "claude-ai"]);
    }
}
