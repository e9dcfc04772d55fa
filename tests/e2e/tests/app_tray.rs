//! The app's life in the tray, as the desktop sees it (Xvfb and a private D-Bus session, started
//! by `cargo xtask test`): closing the window keeps the app in the tray and ends the webview's
//! helper processes; the tray opens the window again; a second launch hands over to the running
//! app instead of starting another; "Start at login" writes and removes the autostart entry;
//! "Stop all servers" stops the servers of its data folder and nothing else; Quit ends it. The test plays the window manager (over X11) and the tray host (over D-Bus).
//! Skipped with a notice outside `cargo xtask test`.

mod support;

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use support::{
    app::{self, App},
    tray::{Item, TrayHost},
    x11::Display,
};

const TITLE: &str = "MCP LLM Generator";
/// A cold start of WebKit under Xvfb can be slow on a busy 2-core machine.
const START: Duration = Duration::from_secs(90);
const WAIT: Duration = Duration::from_secs(30);

fn setup() -> Option<PathBuf> {
    let (Some(bin), Some(_)) = (std::env::var_os("LLMGEN_APP_BIN"), std::env::var_os("DISPLAY")) else {
        support::missing_environment("LLMGEN_APP_BIN and an X display");
        return None;
    };
    // The test takes the desktop's tray-host name on the session bus and the app reads the
    // keychain: only the private session and temp HOME that xtask sets up will do.
    let home = std::env::var("HOME").unwrap_or_default();
    assert!(
        Path::new(&home).starts_with(std::env::temp_dir()),
        "refusing to run: needs the private D-Bus session and temp HOME ({home}) that `cargo xtask test` sets up"
    );
    Some(PathBuf::from(bin))
}

/// Polls `done` until it holds or `timeout` passes; `what` names it in the failure.
fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn wait_for_window(x: &Display) -> u32 {
    let mut found = Vec::new();
    wait_until("the window showing", START, || {
        found = x.visible_windows(TITLE).unwrap_or_default();
        !found.is_empty()
    });
    assert_eq!(found.len(), 1, "one window, not {}", found.len());
    found[0]
}

/// Proves the tray keeps the app: close the window like a user (the window manager's close
/// message), and the window and its WebKit processes are gone while the app and its tray menu
/// stay; "Open" from the tray brings a new window with the UI loaded; a second launch of the
/// program does not start a second app but shows the running one; the tray's "Start at login"
/// checkbox writes the login entry (starting minimised) and removes it; "Stop all servers" ends
/// a server an AI app started for this data folder while the app, its tray and window, and a
/// process that is not ours stay, and "Resume servers" ends the pause; Quit ends the app.
#[test]
fn closing_the_window_keeps_the_app_in_the_tray() {
    let Some(bin) = setup() else {
        return;
    };
    let home = tempfile::tempdir().expect("temp home");
    let tray = TrayHost::start().expect("tray host");
    let x = Display::open().expect("X display");

    let mut app = App::start(app::command(&bin, home.path())).expect("app");
    let item = tray.wait_for_item(START).expect("the app's tray item");
    assert_eq!(
        tray.pid(&item).ok(),
        Some(app.pid()),
        "the tray item is the app's"
    );
    let window = wait_for_window(&x);
    app.log
        .wait_for(0, "the UI loading", START, |l| l.contains("ui ready:"))
        .expect("ui ready");
    // The window process and WebKit's web and network processes (the whole family goes).
    let helpers = app::descendants(app.pid());
    assert!(
        helpers.iter().any(|(_, comm)| comm.starts_with("WebKit")),
        "an open window runs its webview in WebKit processes"
    );

    // --- Close the window as a user does: it goes, its webview processes end, the app stays.
    x.close(window).expect("close the window");
    wait_until("the window closing", WAIT, || {
        x.visible_windows(TITLE).is_ok_and(|w| w.is_empty())
    });
    // By pid: a helper that outlived its window process would be re-parented, and no longer
    // count as the app's descendant.
    let left = wait_for_exit(&helpers);
    assert!(
        left.is_empty(),
        "the window closed but its processes stay (were {helpers:?}): {left:?}"
    );
    std::thread::sleep(Duration::from_secs(1));
    assert!(app.is_running(), "closing the window must not quit the app");
    // What stays all day is the tray alone, and it never loaded the webview's libraries (they
    // cost a process about 30 MB just by being linked; BENCHMARKS.md has the figures).
    let maps = std::fs::read_to_string(format!("/proc/{}/maps", app.pid())).expect("the tray's memory map");
    for library in ["libwebkit2gtk", "libjavascriptcoregtk", "libgtk-3"] {
        assert!(!maps.contains(library), "the tray process has {library} loaded");
    }
    assert!(tray.is_alive(&item), "the tray icon stays");
    let status = tray.status_line(&item).expect("the tray menu still answers");
    assert!(!status.label.is_empty());

    // --- The tray opens it again, with the UI loaded afresh.
    let from = app.log.len();
    open_from_tray(&tray, &item);
    wait_for_window(&x);
    app.log
        .wait_for(from, "the UI loading again", START, |l| l.contains("ui ready:"))
        .expect("ui ready again");

    // --- A second launch hands over to the running app and ends.
    x.close(wait_for_window(&x)).expect("close again");
    wait_until("the window closing again", WAIT, || {
        x.visible_windows(TITLE).is_ok_and(|w| w.is_empty())
    });
    let mut second = App::start(app::command(&bin, home.path())).expect("second launch");
    let mut exited = None;
    wait_until("the second launch ending", START, || {
        exited = second.exited();
        exited.is_some()
    });
    assert!(
        exited.is_some_and(|s| s.success()),
        "the second launch should hand over and exit cleanly: {exited:?}\n{}",
        second.log.text()
    );
    wait_for_window(&x);
    assert!(app.is_running(), "the first app is still the one running");

    // --- Start at login, from the tray: the login entry starts the app minimised to the tray.
    let entry = home.path().join(".config/autostart/MCP LLM Generator.desktop");
    assert!(!entry.exists(), "a fresh install does not start at login");
    tray.click(&item, "Start at login").expect("tick Start at login");
    // The autostart crate creates the file, then writes it: wait for the whole entry, not the
    // file alone (CI once read it in between, empty).
    let mut text = String::new();
    wait_until("the autostart entry written", WAIT, || {
        text = std::fs::read_to_string(&entry).unwrap_or_default();
        // Its last line, so the Exec line above it is whole.
        text.contains("Terminal=")
    });
    let exec = text
        .lines()
        .find(|l| l.starts_with("Exec="))
        .unwrap_or_else(|| panic!("no Exec line in the autostart entry:\n{text}"));
    assert!(
        exec.contains(&bin.display().to_string()) && exec.ends_with("--minimized"),
        "the login entry must start this app minimised: {exec}"
    );
    tray.click(&item, "Start at login")
        .expect("untick Start at login");
    wait_until("the autostart entry going", WAIT, || !entry.exists());

    // --- "Stop all servers" from the tray: a server an AI app started for this data folder is
    // stopped; the tray, its window and a process that is not ours stay; then Resume.
    let server_bin = bin.with_file_name("mcp-llm-generator");
    let mut server_cmd = std::process::Command::new(&server_bin);
    server_cmd.args(["--client", "vscode"]);
    let mut server = app::in_home(&mut server_cmd, home.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start a server as an AI app does");
    let mut other = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .expect("a process that is not ours");
    let data = app::data_dir(home.path());
    let live = data.root().join(format!("live/{}.json", server.id()));
    wait_until("the server registering", WAIT, || live.is_file());
    let from = app.log.len();
    tray.click(&item, "Stop all servers")
        .expect("click Stop all servers");
    app.log
        .wait_for(from, "the stop from the tray", WAIT, |l| {
            l.contains("stopped all servers from the tray")
        })
        .expect("stop all");
    let mut ended = None;
    wait_until("the server ending", WAIT, || {
        ended = server.try_wait().ok().flatten();
        ended.is_some()
    });
    assert!(app.is_running(), "Stop all servers must not stop the app itself");
    assert!(tray.is_alive(&item), "the tray stays after Stop all servers");
    assert!(
        other.try_wait().is_ok_and(|s| s.is_none()),
        "a process that is not ours was stopped"
    );
    let _ = other.kill();
    let _ = other.wait();
    wait_for_window(&x);
    // The menu offers Resume once the tray has seen the pause.
    wait_until("Resume servers in the menu", WAIT, || {
        tray.menu(&item)
            .is_ok_and(|m| m.iter().any(|e| e.label == "Resume servers"))
    });
    tray.click(&item, "Resume servers").expect("click Resume servers");
    let paused = data.root().join("paused.json");
    wait_until("the pause ending", WAIT, || !paused.exists());

    // --- Quit ends it, and the window process and WebKit's with it.
    let family = app::descendants(app.pid());
    assert!(
        family.iter().any(|(_, comm)| comm.starts_with("WebKit")),
        "the window is open: {family:?}"
    );
    tray.click(&item, "Quit").expect("click Quit");
    wait_until("the app quitting", WAIT, || !app.is_running());
    assert!(app.wait().is_ok_and(|s| s.success()), "Quit exits cleanly");
    let left = wait_for_exit(&family);
    assert!(left.is_empty(), "processes left after Quit: {left:?}");
}

/// Proves the tray's daily update check has an answer to read: the app's `--check-updates`
/// process starts without a window, prints one protocol line and exits 0. A test build carries
/// no release key, so the answer is that it cannot check (and the tray then stops asking).
#[test]
fn the_update_check_process_answers_in_one_line() {
    let Some(bin) = setup() else {
        return;
    };
    let home = tempfile::tempdir().expect("temp home");
    let out = app::command(&bin, home.path())
        .arg("--check-updates")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("run the update check");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<&str> = stdout.lines().filter(|l| l.contains("llmgen-link ")).collect();
    assert_eq!(answers, ["llmgen-link update-not-configured"], "{stdout}");
}

/// Waits until none of `processes` runs any more; returns those still running at the deadline.
fn wait_for_exit(processes: &[(u32, String)]) -> Vec<(u32, String)> {
    let deadline = Instant::now() + WAIT;
    loop {
        let left: Vec<(u32, String)> = processes
            .iter()
            .filter(|(pid, comm)| still_runs(*pid, comm))
            .cloned()
            .collect();
        if left.is_empty() || Instant::now() > deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Whether `pid` is still that process (not a zombie, and not a new process given the number).
fn still_runs(pid: u32, comm: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.contains(&format!("({comm})"))
            && stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_some_and(|state| state != "Z")
    })
}

fn open_from_tray(tray: &TrayHost, item: &Item) {
    let open = tray
        .menu(item)
        .expect("tray menu")
        .into_iter()
        .find(|e| e.label.starts_with("Open"))
        .map(|e| e.label)
        .expect("an Open entry in the tray menu");
    tray.click(item, &open).expect("click Open");
}
