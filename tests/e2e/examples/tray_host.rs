//! A desktop's tray host for `cargo xtask bench-app`: owns `org.kde.StatusNotifierWatcher` on the
//! session bus (the same watcher the tests play, tests/support/tray.rs), runs the program it is
//! given, as a panel is there before the apps of a session start, and exits with its status.
//! Without a host the app would measure its fallback tray, not the one a desktop runs.

use std::process::{Command, ExitCode};

#[allow(dead_code)]
#[path = "../tests/support/tray.rs"]
mod tray;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(program) = args.next() else {
        eprintln!("usage: tray_host PROGRAM [ARGUMENTS...]");
        return ExitCode::from(2);
    };
    let _host = match tray::TrayHost::start() {
        Ok(host) => host,
        Err(e) => {
            eprintln!("tray_host: {e}");
            return ExitCode::from(2);
        }
    };
    match Command::new(&program).args(args).status() {
        Ok(status) => ExitCode::from(status.code().and_then(|c| u8::try_from(c).ok()).unwrap_or(1)),
        Err(e) => {
            eprintln!("tray_host: cannot start {}: {e}", program.to_string_lossy());
            ExitCode::from(2)
        }
    }
}
