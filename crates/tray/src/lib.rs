//! llmgen-tray: the desktop app's tray, and what its processes say to each other. The tray shows
//! the health check's state and a menu, starts the window (the app's `--window` process) on
//! demand, keeps the login entry and checks daily for updates; it never makes a webview.
//!
//! On Linux it runs in the server's program, as `mcp-llm-generator tray` (standalone.rs), which
//! the app's binary becomes (`exec`, the same process) at start: linking WebKitGTK alone costs a
//! process about 30 MB, and a tray that sits in the panel all day should not pay it. The server's
//! program has everything else the tray needs already (core, the handshake's MCP client), so the
//! installers grow by the tray's own code only. Elsewhere (and on Linux when that program cannot
//! be started) the app's Tauri binary draws the same [`tray::Tray`] with Tauri's tray.

pub mod findings;
pub mod health;
pub mod lang;
pub mod lean;
pub mod link;
pub mod menu;
mod servers;
pub mod tray;
pub mod updates;
mod windows;

#[cfg(target_os = "linux")]
pub mod login;
#[cfg(target_os = "linux")]
pub mod single;
#[cfg(target_os = "linux")]
pub mod sni;
#[cfg(target_os = "linux")]
pub mod standalone;

/// The server's program name, which runs the standalone tray (beside the app's, in the same
/// folder), and its subcommand that does.
pub const SERVER_PROGRAM: &str = "mcp-llm-generator";
pub const TRAY_COMMAND: &str = "tray";
/// Set by the standalone tray when the desktop has no StatusNotifierItem host: the app then draws
/// its own tray instead of starting the standalone one again.
pub const IN_APP_ENV: &str = "LLMGEN_TRAY_IN_APP";
/// The app's program name.
pub const APP_PROGRAM: &str = "mcp-llm-generator-app";

/// Logs to stderr, filtered by `LLMGEN_LOG` (default `info`); the same in every process of the
/// app, so one terminal (or the session's journal) shows them together.
pub fn init_logging() {
    use tracing_subscriber::EnvFilter;
    // rmcp logs each health handshake (with the server's whole instructions) at info.
    let filter = EnvFilter::try_from_env("LLMGEN_LOG").unwrap_or_else(|_| EnvFilter::new("info,rmcp=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

/// The folder of the running program (the app and the server are installed together).
pub fn my_folder() -> Option<std::path::PathBuf> {
    Some(std::env::current_exe().ok()?.parent()?.to_path_buf())
}

/// The program `name` in [`my_folder`].
pub fn beside_me(name: &str) -> Option<std::path::PathBuf> {
    Some(my_folder()?.join(format!("{name}{}", std::env::consts::EXE_SUFFIX)))
}

/// The user's stored settings, read afresh (the CLI or the window may have changed them), so
/// the tray holds no database open; `None` when the store cannot be read.
pub fn stored_settings() -> Option<llmgen_core::settings::Settings> {
    let dir = llmgen_core::paths::DataDir::resolve(None).ok()?;
    let store = llmgen_core::store::Store::open(&dir).ok()?;
    llmgen_core::settings::load(&store).ok()
}
