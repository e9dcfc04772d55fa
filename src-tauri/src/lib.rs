//! llmgen-app: the Tauri shell. Windows, tray and IPC commands here are thin adapters over
//! llmgen-core; nothing the product knows lives in this crate.

mod commands;
mod commands_contexts;
mod commands_language;
mod commands_logs;
mod commands_moving;
mod commands_personas;
mod commands_templates;
mod link;
mod tray;
mod update_commands;
mod updater;
mod window;

use llmgen_tray::{
    lean,
    link::{CHECK_UPDATES_ARG, MINIMIZED_ARG, UpdateAnswer},
};
use tauri::Manager;

/// Starts the desktop app: the tray, or with `--window` the window process it starts, or with
/// `--check-updates` the tray's update check (llmgen_tray::link says why they are apart).
pub fn run() {
    let has = |arg: &str| std::env::args().any(|a| a == arg);
    if has(link::WINDOW_ARG) {
        llmgen_tray::init_logging();
        run_window();
    } else if has(CHECK_UPDATES_ARG) {
        llmgen_tray::init_logging();
        check_updates();
    } else {
        #[cfg(target_os = "linux")]
        become_standalone_tray();
        lean::tray_without_gl();
        llmgen_tray::init_logging();
        run_tray(has(MINIMIZED_ARG));
    }
}

/// On Linux the tray is a program of its own that does not link WebKit (llmgen_tray says why):
/// this process becomes it, keeping its process id. Returns only when that program is missing
/// or could not be started; then this process draws the tray itself.
#[cfg(target_os = "linux")]
fn become_standalone_tray() {
    use std::os::unix::process::CommandExt;
    let (Some(tray), Ok(me)) = (
        llmgen_tray::beside_me(llmgen_tray::TRAY_PROGRAM),
        std::env::current_exe(),
    ) else {
        return;
    };
    if !tray.is_file() {
        eprintln!(
            "mcp-llm-generator-app: {} is missing; the app draws its own tray",
            tray.display()
        );
        return;
    }
    let error = std::process::Command::new(&tray)
        .arg("--app")
        .arg(me)
        .args(std::env::args_os().skip(1))
        .exec();
    // Logging is not set up yet; stderr is what there is.
    eprintln!(
        "mcp-llm-generator-app: could not start {} ({error}); the app draws its own tray",
        tray.display()
    );
}

/// The tray drawn by Tauri (tray.rs): health, menu, scheduled update checks, start at login;
/// never a webview.
fn run_tray(minimized: bool) {
    let app = tauri::Builder::default()
        // First: a second launch hands over to the running app, which shows its window.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(tray) = app.try_state::<llmgen_tray::tray::Tray>() {
                tray.open_window(None, None);
            }
        }))
        .plugin(tauri_plugin_autostart::Builder::new().arg(MINIMIZED_ARG).build())
        .setup(move |app| {
            // The window process has the Dock icon; the tray's process stays in the menu bar.
            #[cfg(target_os = "macos")]
            app.set_activation_policy(tauri::ActivationPolicy::Accessory);
            let me = std::env::current_exe()?;
            let tray = llmgen_tray::tray::Tray::new(me, tray::install(app.handle())?);
            app.manage(tray.clone());
            tray.redraw();
            tray.start(minimized);
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

/// The tray's scheduled update check (llmgen_tray::updates): the same check as the Updates
/// card's, answered as one line on stdout, without a window.
fn check_updates() {
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_updater::Builder::new().build())
        .setup(|app| {
            manage_updates(app.handle());
            Ok(())
        })
        .build(tauri::generate_context!());
    let answer = match app {
        Err(e) => UpdateAnswer::Failed(format!("the app could not start: {e}")),
        Ok(app) => {
            let handle = app.handle().clone();
            match tauri::async_runtime::block_on(updater::check(&handle)) {
                Ok(Some(offer)) => UpdateAnswer::Offered(offer.version),
                Ok(None) => UpdateAnswer::UpToDate,
                Err(updater::UpdateError::NotConfigured) => UpdateAnswer::NotConfigured,
                Err(e) => UpdateAnswer::Failed(e.to_string()),
            }
        }
    };
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", answer.encode()).and_then(|()| out.flush());
    std::process::exit(0);
}

/// The window: every screen, over IPC; ends when the window closes or the tray goes.
fn run_window() {
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_autostart::Builder::new().arg(MINIMIZED_ARG).build())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .setup(move |app| {
            app.manage(commands::AppState::open());
            manage_updates(app.handle());
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
