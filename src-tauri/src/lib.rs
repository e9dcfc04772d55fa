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
            repair_clients_in_background();
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
        .invoke_handler(commands::specta_builder().invoke_handler())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!("the app stopped: {e}");
        std::process::exit(1);
    }
}

/// After an update or a move, entries we wrote may run a path that no longer exists: put them
/// right, off the main thread so the tray appears at once.
fn repair_clients_in_background() {
    let Some(exe) = commands::server_binary() else {
        tracing::warn!("the bundled server binary is missing; client entries were not checked");
        return;
    };
    std::thread::spawn(move || {
        let Ok(data_dir) = llmgen_core::paths::DataDir::resolve(None) else {
            return;
        };
        let clients = llmgen_core::clients::Clients::from_env(data_dir);
        match commands::repair(&clients, &exe) {
            Ok(outcomes) => {
                for o in outcomes {
                    tracing::info!(?o, "client entry repaired at start");
                }
            }
            Err(e) => tracing::warn!("could not check client entries: {e}"),
        }
    });
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
