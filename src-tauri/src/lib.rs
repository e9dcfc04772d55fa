//! llmgen-app: the Tauri shell. Windows, tray and IPC commands here are thin adapters over
//! llmgen-core; nothing the product knows lives in this crate.

mod commands;
mod tray;

use tauri::Manager;

/// Starts the desktop app.
pub fn run() {
    init_logging();
    let result = tauri::Builder::default()
        .setup(|app| {
            app.manage(commands::AppState::open());
            tray::install(app.handle())?;
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps the app running in the tray.
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                api.prevent_close();
                if let Err(e) = window.hide() {
                    tracing::warn!("could not hide the window: {e}");
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::provider_status,
            commands::set_provider_key,
            commands::delete_provider_key,
            commands::test_provider_key,
            commands::ui_ready
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!("the app stopped: {e}");
        std::process::exit(1);
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("LLMGEN_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
