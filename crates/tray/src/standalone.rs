//! The tray as the Linux desktop runs it: `mcp-llm-generator tray --app PATH [--minimized]`,
//! which the app's binary becomes at start (lib.rs says why). One per session (single.rs); it
//! runs until Quit, or restarts into an installed update.

use std::{os::unix::process::CommandExt, path::PathBuf};

use crate::{health::Check, single, sni};

/// Runs the tray for the app program `app` (by default `mcp-llm-generator-app` beside this
/// program); returns the process's exit code, or does not return when restarting into an update.
pub fn run(app: Option<PathBuf>, minimized: bool, check: Check) -> i32 {
    crate::init_logging();
    let Some(app) = app.or_else(|| crate::beside_me(crate::APP_PROGRAM)) else {
        eprintln!("the app's program was not found; start MCP LLM Generator from its launcher");
        return 2;
    };
    let (events, incoming) = std::sync::mpsc::channel();
    // Held for as long as the tray runs: the connection owns the single-instance name.
    let _instance = match single::claim(events.clone()) {
        single::Instance::First(connection) => Some(connection),
        single::Instance::HandedOver => {
            tracing::info!("MCP LLM Generator is running already; its window was asked to open");
            return 0;
        }
        single::Instance::Alone(why) => {
            tracing::warn!("cannot tell whether the app runs already ({why}); starting anyway");
            None
        }
    };
    match sni::run(app.clone(), minimized, check, events, incoming) {
        sni::Ending::Quit => 0,
        sni::Ending::Restart => restart_into_update(&app),
        sni::Ending::Unsupported(why) => {
            tracing::warn!("{why}; the app draws its own tray");
            // The single-instance name goes with this image; the app claims it again.
            let mut command = std::process::Command::new(&app);
            command.env(crate::IN_APP_ENV, "1");
            if minimized {
                command.arg(crate::link::MINIMIZED_ARG);
            }
            let error = command.exec();
            tracing::error!("could not start {} ({error})", app.display());
            1
        }
    }
}

/// Starts the newly installed app in place of this process. An AppImage is started as a new
/// process instead (it mounts itself anew; this one's mount ends when this process does).
fn restart_into_update(app: &std::path::Path) -> i32 {
    if let Some(appimage) = std::env::var_os("APPIMAGE").filter(|p| !p.is_empty()) {
        return match std::process::Command::new(&appimage).spawn() {
            Ok(_) => 0,
            Err(e) => {
                tracing::error!("could not restart into the update ({e}); start the app again");
                1
            }
        };
    }
    // This process becomes the newly installed app; the D-Bus name goes with the old image (its
    // socket closes on exec).
    let error = std::process::Command::new(app).exec();
    tracing::error!("could not restart into the update ({error}); start the app again");
    1
}
