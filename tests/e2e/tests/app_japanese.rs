//! The desktop app in Japanese, in a real window (Xvfb, started by `cargo xtask test`): with
//! 日本語 chosen in Settings (stored in core's settings), the window and the tray come up in
//! Japanese on an English system, and a screenshot of the overview is saved for review.
//! Skipped with a notice when run outside xtask (no LLMGEN_APP_BIN or no DISPLAY).

mod support;

use std::{path::PathBuf, process::Command, time::Duration};

use llmgen_core::{Store, paths::DataDir, settings};
use support::app::{self, App};

/// A cold start of WebKit under Xvfb can be slow on a busy 2-core machine.
const START: Duration = Duration::from_secs(90);

#[test]
fn the_language_chosen_in_settings_is_used_by_the_window_and_the_tray_at_start() {
    let (Some(bin), Some(_)) = (std::env::var_os("LLMGEN_APP_BIN"), std::env::var_os("DISPLAY")) else {
        support::missing_environment("LLMGEN_APP_BIN and an X display");
        return;
    };
    // A private HOME whose data already holds the user's choice, as after a restart.
    let home = tempfile::tempdir().expect("temp home");
    let data = home.path().join(".local/share/dev.llmgen.desktop");
    let store = Store::open(&DataDir::at(&data)).expect("store");
    settings::set(&store, "language", "ja").expect("choose Japanese");
    drop(store);

    let mut command = app::command(&PathBuf::from(bin), home.path());
    // An English system: only the stored choice can make the app speak Japanese.
    command
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANGUAGE");
    let app = App::start(command).expect("start the app");

    // The UI's report, the tray's language and its first health line, in any order.
    let wait = |what: &str, marker: &str| {
        app.log
            .wait_for(0, what, START, |l| l.contains(marker))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let ready = wait("the UI's report", "ui ready:");
    let tray = wait("the tray's language", "tray language:");
    let health = wait("a health state", "health: ");
    if let Some(dir) = std::env::var_os("LLMGEN_SCREENSHOT_DIR") {
        // For people reviewing the run (and the README): the overview in Japanese.
        let _ = std::fs::create_dir_all(&dir);
        std::thread::sleep(Duration::from_secs(2));
        let _ = Command::new("import")
            .args(["-window", "root"])
            .arg(PathBuf::from(dir).join("app-overview-ja.png"))
            .status();
    }
    drop(app);

    assert!(
        ready.contains("lang=ja"),
        "the window did not come up in the stored language: {ready}"
    );
    assert!(tray.ends_with("tray language: ja"), "{tray}");
    // A fresh data dir needs fixing (no backup, no key): the status line says so in Japanese,
    // around core's English sentence.
    assert!(
        health.contains("アプリを開いて対処してください"),
        "the tray's status line is not in Japanese: {health}"
    );
}
