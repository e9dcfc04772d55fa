//! The desktop app in a real window (Xvfb, started by `cargo xtask test`): the window opens, the
//! embedded UI loads, calls into Rust over IPC and shows what is really in the user's store.
//! Skipped with a notice when run outside xtask (no LLMGEN_APP_BIN or no DISPLAY).

mod support;

use std::{path::PathBuf, process::Command, time::Duration};

use llmgen_core::{
    Store,
    conversation::contexts::{self, NewContext},
    paths::DataDir,
};
use support::app::{self, App};

/// A cold start of WebKit under Xvfb can be slow on a busy 2-core machine.
const START: Duration = Duration::from_secs(90);

fn app_bin() -> Option<PathBuf> {
    let bin = std::env::var_os("LLMGEN_APP_BIN")?;
    std::env::var_os("DISPLAY")?;
    Some(PathBuf::from(bin))
}

#[test]
fn the_window_shows_the_users_real_data() {
    let Some(bin) = app_bin() else {
        support::missing_environment("LLMGEN_APP_BIN and an X display");
        return;
    };
    // A private HOME: the app must find its data there, and must never touch the real user's.
    let home = tempfile::tempdir().expect("temp home");
    let data = home.path().join(".local/share/dev.llmgen.desktop");
    let store = Store::open(&DataDir::at(&data)).expect("store");
    contexts::create(
        &store,
        NewContext {
            name: "Seeded by the test".into(),
            ..Default::default()
        },
    )
    .expect("context");
    drop(store);

    let app = App::start(app::command(&bin, home.path())).expect("start the app");
    let ready = app
        .log
        .wait_for(0, "the UI's report", START, |l| l.contains("ui ready:"))
        .unwrap_or_else(|e| panic!("the UI never reported ready: {e}"));
    // The tray's health thread runs the core health check (with the MCP handshake of the bundled
    // server) and logs the state it put on the tray icon and status line, before or after the
    // UI's report.
    let health = app
        .log
        .wait_for(0, "a health state", START, |l| l.contains("health: "))
        .unwrap_or_else(|e| panic!("the tray never showed a health state: {e}"));
    // No tray host runs in this test's session (app_tray.rs plays one): after waiting for one,
    // the standalone tray hands back to the app, which draws its own tray (the path of desktops
    // without StatusNotifierItem, and of other systems).
    app.log
        .wait_for(0, "the app's own tray", START, |l| {
            l.contains("tray shown (Tauri)")
        })
        .unwrap_or_else(|e| panic!("the app did not draw its own tray without a tray host: {e}"));
    if let Some(dir) = std::env::var_os("LLMGEN_SCREENSHOT_DIR") {
        // For people reviewing the run: what the window looked like.
        let _ = std::fs::create_dir_all(&dir);
        std::thread::sleep(Duration::from_secs(2));
        let _ = Command::new("import")
            .args(["-window", "root"])
            .arg(PathBuf::from(dir).join("app-main.png"))
            .status();
    }
    drop(app);

    assert!(
        ready.contains("templates=4 personas=6 contexts=1"),
        "the UI did not show the store's real counts: {ready}"
    );
    // The API keys screen asked the core for the providers over IPC and listed the built-ins.
    assert!(
        ready.contains("providers=anthropic,openai"),
        "the providers did not load: {ready}"
    );
    // A fresh data dir has never been backed up and has no key for the default provider, so the
    // tray cannot be green; which of the two (or a nearly full disk) comes first does not matter.
    assert!(
        health.contains("level=\"warning\"") || health.contains("level=\"error\""),
        "a fresh install must not look healthy: {health}"
    );
    assert!(
        !health.contains("All good"),
        "the status line must say what to fix: {health}"
    );
}
