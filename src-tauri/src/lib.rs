//! llmgen-app: the Tauri shell. Windows, tray and IPC commands here are thin adapters over
//! llmgen-core; nothing the product knows lives in this crate.

mod commands;
mod link;
mod tray;
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
    // `args_os`: an argument that is not UTF-8 (a path a launcher adds) must not stop the app.
    let has = |arg: &str| std::env::args_os().any(|a| a == arg);
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

/// On Linux the tray runs in the server's program, which does not link WebKit (llmgen_tray says
/// why): this process becomes `mcp-llm-generator tray`, keeping its process id. Returns only when
/// that program is missing or could not be started, or sent us back because the desktop has no
/// StatusNotifierItem host; then this process draws the tray itself.
#[cfg(target_os = "linux")]
fn become_standalone_tray() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os(llmgen_tray::IN_APP_ENV).is_some() {
        return;
    }
    let (Some(server), Ok(me)) = (
        llmgen_tray::beside_me(llmgen_tray::SERVER_PROGRAM),
        std::env::current_exe(),
    ) else {
        return;
    };
    if !server.is_file() {
        eprintln!(
            "mcp-llm-generator-app: {} is missing; the app draws its own tray",
            server.display()
        );
        return;
    }
    let mut command = std::process::Command::new(&server);
    command.arg(llmgen_tray::TRAY_COMMAND).arg("--app").arg(me);
    // Only the arguments the tray knows: a launcher may add others (a file, a URL).
    if std::env::args_os().any(|a| a == MINIMIZED_ARG) {
        command.arg(MINIMIZED_ARG);
    }
    let error = command.exec();
    // Logging is not set up yet; stderr is what there is.
    eprintln!(
        "mcp-llm-generator-app: could not start {} ({error}); the app draws its own tray",
        server.display()
    );
}

/// The tray drawn by Tauri (tray.rs): health, menu, scheduled update checks, start at login;
/// never a webview.
fn run_tray(minimized: bool) {
    let app = tauri::Builder::default()
        // First: a second launch hands over to the running app, which shows its window.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(tray) = app.try_state::<llmgen_tray::tray::Tray>() {
                // Off the UI thread (it may be this callback's): the tray may draw, which waits
                // for that thread.
                let tray = tray.inner().clone();
                std::thread::spawn(move || tray.open_window(None, None));
            }
        }))
        .plugin(tauri_plugin_autostart::Builder::new().arg(MINIMIZED_ARG).build())
        .setup(move |app| {
            // The window process has the Dock icon; the tray's process stays in the menu bar.
            #[cfg(target_os = "macos")]
            app.set_activation_policy(tauri::ActivationPolicy::Accessory);
            let me = std::env::current_exe()?;
            let check: llmgen_tray::health::Check =
                std::sync::Arc::new(|data_dir: &llmgen_core::paths::DataDir| {
                    llmgen_server::check_installation_now(data_dir, commands::server_binary().as_deref())
                });
            let tray = llmgen_tray::tray::Tray::new(me, tray::install(app.handle())?, check);
            app.manage(tray.clone());
            tray.redraw();
            tracing::info!("tray shown (Tauri)");
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
    // `setup` runs only when an event loop starts, and this process has none: the state the
    // check needs is managed on the built app.
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_updater::Builder::new().build())
        .build(tauri::generate_context!());
    let answer = match app {
        Err(e) => UpdateAnswer::Failed(format!("the app could not start: {e}")),
        Ok(app) => {
            let handle = app.handle().clone();
            manage_updates(&handle);
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
    drop(out);
    wait_for_threads_to_settle();
    std::process::exit(0);
}

/// Building the app starts threads of its own, among them tao's X11 device-event thread, which
/// opens its display connection a moment later. An exit while that thread is still setting up
/// runs libXext's destructors under it, and it crashed (SIGSEGV, seen under load in CI) after
/// the answer was out. Its set-up is a few round trips to the X server, so exit once every other
/// thread has stayed asleep for a quarter of a second (it then waits for X events that never
/// come to a process without a window), or after three seconds.
fn wait_for_threads_to_settle() {
    #[cfg(target_os = "linux")]
    {
        let me = std::fs::read_link("/proc/thread-self")
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_os_string()));
        let all_asleep = || -> bool {
            let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
                return true;
            };
            tasks.flatten().filter(|t| Some(t.file_name()) != me).all(|t| {
                // The state is the first field after the name, which is in parentheses.
                std::fs::read_to_string(t.path().join("stat")).is_ok_and(|stat| {
                    stat.rsplit_once(") ")
                        .is_some_and(|(_, rest)| rest.starts_with('S') || rest.starts_with('D'))
                })
            })
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
        let mut asleep_since = None;
        while std::time::Instant::now() < deadline {
            if !all_asleep() {
                asleep_since = None;
            } else if asleep_since.get_or_insert_with(std::time::Instant::now).elapsed()
                >= std::time::Duration::from_millis(250)
            {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
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
    let auto = commands::auto_check_enabled(app);
    let can_check = updater::is_configured(app);
    app.manage(updater::Updates::new(version, can_check, auto));
}
