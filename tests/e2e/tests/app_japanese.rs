//! The desktop app in Japanese, in a real window (Xvfb, started by `cargo xtask test`): with
//! 日本語 chosen in Settings (stored in core's settings), the window and the tray come up in
//! Japanese on an English system, and a screenshot of the overview is saved for review.
//! Skipped with a notice when run outside xtask (no LLMGEN_APP_BIN or no DISPLAY).

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use llmgen_core::{Store, paths::DataDir, settings};

#[test]
fn the_language_chosen_in_settings_is_used_by_the_window_and_the_tray_at_start() {
    let (Some(bin), Some(_)) = (std::env::var_os("LLMGEN_APP_BIN"), std::env::var_os("DISPLAY")) else {
        eprintln!("skipped: run through `cargo xtask test` (needs LLMGEN_APP_BIN and an X display)");
        return;
    };
    // A private HOME whose data already holds the user's choice, as after a restart.
    let home = tempfile::tempdir().expect("temp home");
    let data = home.path().join(".local/share/dev.llmgen.desktop");
    let store = Store::open(&DataDir::at(&data)).expect("store");
    settings::set(&store, "language", "ja").expect("choose Japanese");
    drop(store);

    let mut child = Command::new(PathBuf::from(bin))
        .env("HOME", home.path())
        .env_remove("XDG_DATA_HOME")
        .env_remove("LLMGEN_DATA_DIR")
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        // An English system: only the stored choice can make the app speak Japanese.
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANGUAGE")
        .env("LLMGEN_LOG", "info")
        // WebKitGTK's DMA-BUF renderer needs a GPU; Xvfb has none.
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the app");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });

    // The UI's report, the tray's language and its first health line, in any order.
    let (mut ready, mut tray, mut health) = (None, None, None);
    let mut seen = Vec::new();
    while ready.is_none() || tray.is_none() || health.is_none() {
        let Ok(line) = rx.recv_timeout(Duration::from_secs(90)) else {
            break;
        };
        if line.contains("ui ready:") {
            ready = Some(line);
        } else if line.contains("tray language:") {
            tray = Some(line);
        } else if line.contains("health: ") {
            health = Some(line);
        } else {
            seen.push(line);
        }
    }
    if ready.is_some()
        && let Some(dir) = std::env::var_os("LLMGEN_SCREENSHOT_DIR")
    {
        // For people reviewing the run (and the README): the overview in Japanese.
        let _ = std::fs::create_dir_all(&dir);
        std::thread::sleep(Duration::from_secs(2));
        let _ = Command::new("import")
            .args(["-window", "root"])
            .arg(PathBuf::from(dir).join("app-overview-ja.png"))
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();

    let log = seen.join("\n");
    let ready = ready.unwrap_or_else(|| panic!("the UI never reported ready; app stderr:\n{log}"));
    assert!(
        ready.contains("lang=ja"),
        "the window did not come up in the stored language: {ready}"
    );
    let tray = tray.unwrap_or_else(|| panic!("the tray never said its language:\n{log}"));
    assert!(tray.ends_with("tray language: ja"), "{tray}");
    // A fresh data dir needs fixing (no backup, no key): the status line says so in Japanese,
    // around core's English sentence.
    let health = health.unwrap_or_else(|| panic!("the tray never showed a health state:\n{log}"));
    assert!(
        health.contains("アプリを開いて対処してください"),
        "the tray's status line is not in Japanese: {health}"
    );
}
