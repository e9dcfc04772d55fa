//! The desktop app in a real window (Xvfb, started by `cargo xtask test`): the window opens, the
//! embedded UI loads, calls into Rust over IPC and shows what is really in the user's store.
//! Skipped with a notice when run outside xtask (no LLMGEN_APP_BIN or no DISPLAY).

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use llmgen_core::{
    Store,
    contexts::{self, NewContext},
    paths::DataDir,
};

fn app_bin() -> Option<PathBuf> {
    let bin = std::env::var_os("LLMGEN_APP_BIN")?;
    std::env::var_os("DISPLAY")?;
    Some(PathBuf::from(bin))
}

#[test]
fn the_window_shows_the_users_real_data() {
    let Some(bin) = app_bin() else {
        eprintln!("skipped: run through `cargo xtask test` (needs LLMGEN_APP_BIN and an X display)");
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

    let mut child = Command::new(&bin)
        .env("HOME", home.path())
        .env_remove("XDG_DATA_HOME")
        .env_remove("LLMGEN_DATA_DIR")
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
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

    let mut seen = Vec::new();
    let ready = loop {
        match rx.recv_timeout(Duration::from_secs(90)) {
            Ok(line) if line.contains("ui ready:") => break Some(line),
            Ok(line) => seen.push(line),
            Err(_) => break None,
        }
    };
    // The tray's health thread runs the core health check (with the MCP handshake of the bundled
    // server) and logs the state it put on the tray icon and status line.
    // It may come before or after the UI's report.
    let earlier = seen.iter().find(|l| l.contains("health: ")).cloned();
    let health = earlier.or_else(|| {
        loop {
            match rx.recv_timeout(Duration::from_secs(90)) {
                Ok(line) if line.contains("health: ") => break Some(line),
                Ok(line) => seen.push(line),
                Err(_) => break None,
            }
        }
    });
    if let Some(dir) = std::env::var_os("LLMGEN_SCREENSHOT_DIR") {
        // For people reviewing the run: what the window looked like.
        let _ = std::fs::create_dir_all(&dir);
        std::thread::sleep(Duration::from_secs(2));
        let _ = Command::new("import")
            .args(["-window", "root"])
            .arg(PathBuf::from(dir).join("app-main.png"))
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();

    let ready =
        ready.unwrap_or_else(|| panic!("the UI never reported ready; app stderr:\n{}", seen.join("\n")));
    assert!(
        ready.contains("templates=4 personas=6 contexts=1"),
        "the UI did not show the store's real counts: {ready}"
    );
    // The API keys screen asked the core for the providers over IPC and listed the built-ins.
    assert!(
        ready.contains("providers=anthropic,openai"),
        "the providers did not load: {ready}"
    );
    let health =
        health.unwrap_or_else(|| panic!("the tray never showed a health state:\n{}", seen.join("\n")));
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
