//! llmgen-app: the Tauri shell. Windows, tray and IPC commands here are thin adapters over
//! llmgen-core; nothing the product knows lives in this crate.

mod commands;
mod commands_contexts;
mod commands_language;
mod commands_logs;
mod commands_moving;
mod commands_personas;
mod commands_templates;
mod health;
mod lang;
mod lean;
mod link;
mod tray;
mod update_commands;
mod updater;
mod window;

use tauri::Manager;

/// The argument autostart passes, so a start at login stays in the tray.
pub const MINIMIZED_ARG: &str = "--minimized";

/// Starts the desktop app: the tray process, or with `--window` the window process it starts
/// (link.rs says why they are two).
pub fn run() {
    if std::env::args().any(|a| a == link::WINDOW_ARG) {
        init_logging();
        run_window();
    } else {
        lean::tray_without_gl();
        init_logging();
        run_tray(std::env::args().any(|a| a == MINIMIZED_ARG));
    }
}

/// The tray: health, menu, scheduled update checks, start at login; never a webview.
fn run_tray(minimized: bool) {
    let app = tauri::Builder::default()
        // First: a second launch hands over to the running app, which shows its window.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            link::open_window(app, None, None);
        }))
        .plugin(tauri_plugin_autostart::Builder::new().arg(MINIMIZED_ARG).build())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .setup(move |app| {
            // The window process has the Dock icon; the tray's process stays in the menu bar.
            #[cfg(target_os = "macos")]
            app.set_activation_policy(tauri::ActivationPolicy::Accessory);
            let state = commands::AppState::open();
            let lang = commands_language::at_start(&state);
            app.manage(state);
            manage_updates(app.handle());
            app.manage(link::WindowProcess::default());
            tray::install(app.handle(), lang)?;
            app.manage(health::start(app.handle().clone()));
            if !minimized {
                link::open_window(app.handle(), None, None);
            }
            repair_clients_in_background();
            updater::start_schedule(app.handle().clone(), update_commands::auto_check_enabled);
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("the app could not start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|_app, event| {
        // The tray has no windows; it lives until Quit, which exits with an explicit code.
        if let tauri::RunEvent::ExitRequested { code: None, api, .. } = event {
            api.prevent_exit();
        }
    });
}

/// The window: every screen, over IPC; ends when the window closes or the tray goes.
fn run_window() {
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_autostart::Builder::new().arg(MINIMIZED_ARG).build())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .setup(move |app| {
            app.manage(commands::AppState::open());
            manage_updates(app.handle());
            app.manage(health::Recheck::InTray(link::TrayLink));
            app.manage(link::TrayLink);
            app.manage(window::PendingFocus::default());
            window::show(app.handle());
            link::follow_tray(app.handle().clone());
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window ends this process, and with it an update being installed:
            // until that is done, the window only hides (it comes back if the install fails).
            if let tauri::WindowEvent::CloseRequested { api, .. } = event
                && updater::state(window.app_handle()).busy == Some(updater::Busy::Installing)
            {
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .invoke_handler(commands::specta_builder().invoke_handler())
        .build(tauri::generate_context!());
    match app {
        // The default: the process ends with its last (only) window; the tray hears first, so
        // an Open meanwhile starts a new window instead of talking to this one.
        Ok(app) => app.run(|app, event| {
            if let tauri::RunEvent::ExitRequested { .. } = event {
                link::tell_tray(app, link::ToTray::Closing);
            }
        }),
        Err(e) => {
            tracing::error!("the window could not start: {e}");
            std::process::exit(1);
        }
    }
}

fn manage_updates(app: &tauri::AppHandle) {
    let version = app.package_info().version.to_string();
    let auto = update_commands::auto_check_enabled(app);
    let can_check = updater::is_configured(app);
    app.manage(updater::Updates::new(version, can_check, auto));
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
    // rmcp logs each health handshake (with the server's whole instructions) at info.
    let filter = EnvFilter::try_from_env("LLMGEN_LOG").unwrap_or_else(|_| EnvFilter::new("info,rmcp=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
