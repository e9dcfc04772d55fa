//! The desktop app as a user drives it: the real app binary (built as shipped) in its real
//! webview, driven through WebDriver (tauri-driver in front of WebKitWebDriver), with the real
//! server binary next to it, a real Secret Service (gnome-keyring in the private D-Bus session
//! that xtask starts) and HOME in a temp dir; and its tray as a desktop panel sees it, over D-Bus
//! (the test owns the StatusNotifierWatcher and reads the menu through dbusmenu).
//! Skipped with a notice outside `cargo xtask test`.

mod support;

use std::{
    io::{BufRead, Write},
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use llmgen_core::{
    Store,
    conversation::contexts::{self, NewContext},
    generation::{
        TokenUsage,
        usage::{self, Outcome},
    },
    operations::metrics::Metrics,
    paths::DataDir,
};
use serde_json::{Value, json};
use support::{
    app,
    driver::{Driver, Setup},
    screens,
    tray::{Item, TrayHost},
    ui,
};

/// Shaped like an Anthropic key so the UI and the keychain treat it as one, but obviously fake.
const FAKE_KEY: &str = "sk-ant-FAKE.E2E.not-a-real-key";

/// A VS Code user file as people write them: JSONC with comments, trailing commas and another
/// server. Everything but our new entry must survive byte for byte where it is not touched.
const VSCODE_FILE: &str = r#"// VS Code user MCP servers, edited by hand: this comment must survive
{
	"servers": {
		// fetches web pages for the model
		"fetch": { "type": "stdio", "command": "uvx", "args": ["mcp-server-fetch"] }, // trailing comment
	},
	"inputs": [],
}
"#;

/// A Claude Desktop file with another server and other settings. Claude Desktop reads strict
/// JSON, so its file has no comments (we refuse to add any, and would report one as an error).
const CLAUDE_DESKTOP_FILE: &str = r#"{
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/alice/Desktop"]
    }
  },
  "preferences": { "quickEntryShortcut": "off", "menuBarEnabled": false }
}
"#;

const SEEDED_CONTEXT: &str = "Seeded by the WebDriver test";
const LATE_CONTEXT: &str = "Made after the backup";

/// The tray registers once the app has built its icon; a cold start of WebKit can be slow.
const APP_START: Duration = Duration::from_secs(90);
/// A health check spawns the server for an MCP handshake (its own limit is 20 s).
const HEALTH_WAIT: Duration = Duration::from_secs(60);

/// Proves, through what a user sees and what lands on disk, in the keychain and in the tray:
/// a key typed into the masked field is stored in the Secret Service (and nowhere in a file);
/// configuring VS Code and Claude Desktop adds our entry and keeps everything else in their
/// files; a backup restored after a confirmation brings back exactly the data it holds; the
/// tray's status line follows each step from a warning to "All good", and its "Run health check"
/// and "Quit" entries work when clicked over dbusmenu; every screen of the sidebar passes the
/// accessibility audit (axe-core: no serious or critical finding), in English and in Japanese,
/// light and dark.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_stores_a_key_connects_two_clients_and_restores_a_backup() {
    let Some(setup) = Setup::from_xtask() else {
        return;
    };
    let started = Instant::now();
    let home_dir = app::app_home();
    let home = home_dir.path();
    let data = app::data_dir(home);
    let store = Store::open(&data).expect("store");
    contexts::create(
        &store,
        NewContext {
            name: SEEDED_CONTEXT.into(),
            ..Default::default()
        },
    )
    .expect("seed a context");
    seed_usage(&store);
    let vscode_file = home.join(".config/Code/User/mcp.json");
    let claude_file = home.join(".config/Claude/claude_desktop_config.json");
    for (path, text) in [(&vscode_file, VSCODE_FILE), (&claude_file, CLAUDE_DESKTOP_FILE)] {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("client folder");
        std::fs::write(path, text).expect("client fixture");
    }
    let server = setup.server_bin();
    let shots = setup.screenshots.as_deref();

    // The tray host must be on the bus before the app looks for it.
    let tray = TrayHost::start().expect("tray host");
    let driver = Driver::start(&setup, home).expect("WebDriver server");
    let client = driver.session(&setup.app_bin).await.expect("session");
    let item = blocking(|| tray.wait_for_item(APP_START)).expect("the app's tray item");
    let _app = app::AppProcess(tray.pid(&item).ok());

    // --- The tray at start: a fresh install has things to fix, and the menu says what.
    let labels: Vec<String> = blocking(|| tray.menu(&item))
        .expect("tray menu")
        .into_iter()
        .filter(|e| !e.separator)
        .map(|e| e.label)
        .collect();
    for wanted in ["Run health check", "Back up now", "Configure clients…", "Quit"] {
        assert!(
            labels.iter().any(|l| l == wanted),
            "no '{wanted}' in the tray menu: {labels:?}"
        );
    }
    let first =
        blocking(|| tray.wait_for_status(&item, "a health result", HEALTH_WAIT, |l| l != "Checking…"))
            .expect("first status");
    // No backup and no key for the default provider: two warnings, the first named.
    assert!(
        first.label.ends_with("Open the app to fix it (and 1 more)."),
        "a fresh install must show what to fix and that there is more: {first:?} (a line about the disk means the disk holding {} is nearly full: free some space)",
        home.display()
    );
    assert!(
        first.enabled,
        "a status that needs fixing opens the app when clicked: {first:?}"
    );

    ui::find(&client, "[data-testid=overview-health]").await;
    ui::screenshot(&client, shots, "app-first-start").await;

    screens::open(&client, "keys").await;
    store_a_key(&client).await;
    // The tray re-checked after the key was stored: one problem is left.
    let after_key = blocking(|| {
        tray.wait_for_status(&item, "one problem (the backup)", HEALTH_WAIT, |l| {
            l.ends_with("Open the app to fix it.")
        })
    })
    .expect("status after the key");
    assert!(after_key.label.contains("backup"), "{after_key:?}");

    screens::open(&client, "clients").await;
    connect_clients(&client, &server).await;
    check_client_files(&vscode_file, &claude_file, &server, &data);
    // The user restarts both apps, as the AI apps screen tells them: until each has started the
    // server once, Health says it cannot use it yet (and the tray is not "All good").
    for (file, top) in [(&vscode_file, "servers"), (&claude_file, "mcpServers")] {
        start_as_the_client_does(&parse(file)[top]["llm-generator"], home, &store);
    }

    screens::open(&client, "backups").await;
    back_up_and_restore(&client, &store, &driver, &tray, &item).await;

    // --- The tray's "Run health check", clicked as a panel does: a check runs for it.
    let from = driver.log.len();
    blocking(|| tray.click(&item, "Run health check")).expect("click Run health check");
    let line = driver
        .log
        .wait_for(from, "a check for the tray menu", HEALTH_WAIT, |l| {
            l.contains("health: ") && l.contains("trigger=\"tray menu\"")
        })
        .expect("health check from the tray");
    assert!(line.contains("health: All good"), "{line}");
    let ok = blocking(|| tray.status_line(&item)).expect("status");
    assert_eq!(ok.label, "All good");
    assert!(
        !ok.enabled,
        "nothing to fix, so the status line is not a button: {ok:?}"
    );

    // --- The tray's "Configure clients…" opens the window's AI apps screen (its heading gets the
    // keyboard focus), from whatever screen it was on.
    screens::open(&client, "personas").await;
    blocking(|| tray.click(&item, "Configure clients…")).expect("click Configure clients…");
    let deadline = Instant::now() + ui::UI_WAIT;
    loop {
        let focused = client
            .execute(
                "return document.activeElement ? document.activeElement.id : null;",
                Vec::new(),
            )
            .await
            .expect("read the focused element");
        if focused.as_str() == Some("clients-title") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Configure clients… did not open the AI apps screen (focus on {focused})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ui::find(&client, "nav [data-screen=clients][aria-current=page]").await;

    screens::open(&client, "usage").await;
    check_usage_charts(&client).await;

    // Every screen, audited for accessibility (and photographed), in English and in Japanese.
    let mut names = Vec::new();
    screens::visit_every_screen(&client, shots, "", &mut names).await;

    // --- 日本語 chosen in Settings: the window and the tray's menu switch at once.
    screens::switch_to_japanese(&client).await;
    blocking(|| {
        tray.wait_for_status(&item, "\"問題ありません\" (All good)", WAIT_SWITCH, |l| {
            l == "問題ありません"
        })
    })
    .expect("the tray in Japanese");
    screens::visit_every_screen(&client, shots, "-ja", &mut names).await;
    // The same in the app's dark colours (as under a dark desktop theme).
    screens::force_dark_scheme(&client).await;
    screens::visit_every_screen(&client, shots, "-ja-dark", &mut names).await;

    // --- Quit from the tray (終了, in Japanese now) ends the app.
    blocking(|| tray.click(&item, "終了")).expect("click Quit");
    let deadline = Instant::now() + Duration::from_secs(30);
    while tray.is_alive(&item) {
        assert!(
            Instant::now() < deadline,
            "the app did not quit from its tray menu"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The browser of the session is gone; WebKitWebDriver may say so, which is expected.
    if let Err(e) = client.close().await {
        eprintln!("ending the WebDriver session after Quit: {e}");
    }

    // --- The key is in the keychain only: no file under the app's HOME (data dir, WebKit's
    // caches, client files) or the session's HOME holds it, and no log line.
    let session_home = PathBuf::from(std::env::var("HOME").expect("HOME"));
    for root in [home, session_home.as_path()] {
        let leaks = files_containing(root, FAKE_KEY.as_bytes());
        assert!(leaks.is_empty(), "the key was written to files: {leaks:?}");
    }
    assert!(!driver.log.text().contains(FAKE_KEY), "the key reached the log");
    eprintln!("the WebDriver walk-through took {:.1?}", started.elapsed());
}

/// Runs a blocking D-Bus call without stalling the runtime's other tasks.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

/// API keys screen: type the key into the masked field, save, see it stored; the Secret Service
/// holds it (read back with secret-tool, as another program would).
async fn store_a_key(client: &fantoccini::Client) {
    let row = "[data-testid=provider-anthropic]";
    let state = format!("{row} [data-testid=key-state]");
    ui::wait_for_text(client, &state, "\"No key\"", |t| t == "No key").await;
    let input = ui::find(client, &format!("{row} [data-testid=key-input]")).await;
    assert_eq!(
        input.attr("type").await.expect("type").as_deref(),
        Some("password"),
        "the key field must be masked"
    );
    input.send_keys(FAKE_KEY).await.expect("type the key");
    ui::click(client, &format!("{row} [data-testid=key-save]")).await;
    ui::wait_for_text(
        client,
        &format!("{row} [data-testid=key-result]"),
        "the saved notice",
        |t| t == "Key saved in your system keychain.",
    )
    .await;
    ui::wait_for_text(client, &state, "the stored state", |t| {
        t == "Key stored in the keychain"
    })
    .await;
    let input = ui::find(client, &format!("{row} [data-testid=key-input]")).await;
    assert_eq!(
        input.prop("value").await.expect("value").as_deref(),
        Some(""),
        "the field is emptied once the key is saved"
    );
    assert!(
        !client.source().await.expect("page source").contains(FAKE_KEY),
        "the key is still somewhere on the page"
    );
    let stored = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "dev.llmgen.desktop",
            "username",
            "provider:anthropic",
        ])
        .output()
        .expect("run secret-tool");
    assert_eq!(
        String::from_utf8_lossy(&stored.stdout).trim(),
        FAKE_KEY,
        "the Secret Service does not hold the key"
    );
}

/// Clients screen: Add… shows the change, Apply writes it, the row says Added.
async fn connect_clients(client: &fantoccini::Client, server: &Path) {
    for id in ["vscode", "claude-desktop"] {
        let row = format!("[data-testid=client-{id}]");
        let state = format!("[data-testid=client-state-{id}]");
        ui::wait_for_text(client, &state, "\"Not added\"", |t| t == "Not added").await;
        ui::click(client, &format!("{row} [data-testid=client-add]")).await;
        let diff = ui::wait_for_text(client, &format!("{row} pre.diff"), "the change", |t| {
            t.contains("llm-generator")
        })
        .await;
        assert!(
            diff.contains(&server.display().to_string()),
            "the preview must show the server it will run: {diff}"
        );
        ui::click(client, &format!("{row} [data-testid=client-apply]")).await;
        ui::wait_for_text(client, &state, "\"Added\"", |t| t == "Added").await;
        ui::wait_for_text(client, "[data-testid=clients-notice]", "the added notice", |t| {
            t.starts_with("Added.")
        })
        .await;
    }
}

fn parse(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    jsonc_parser::parse_to_serde_value(&text, &Default::default())
        .unwrap_or_else(|e| panic!("{} no longer parses: {e}\n{text}", path.display()))
}

/// The files on disk: our entry added with the bundled server's absolute path, every other
/// server, setting and comment as it was, and the original kept as a backup in the data dir.
fn check_client_files(vscode: &Path, claude: &Path, server: &Path, data: &DataDir) {
    let server = server.display().to_string();
    let vs = parse(vscode);
    let before: Value =
        jsonc_parser::parse_to_serde_value(VSCODE_FILE, &Default::default()).expect("fixture");
    assert_eq!(
        vs["servers"]["llm-generator"],
        json!({"type": "stdio", "command": server, "args": ["--client", "vscode"]})
    );
    assert_eq!(vs["servers"]["fetch"], before["servers"]["fetch"]);
    assert_eq!(vs["inputs"], before["inputs"]);
    let text = std::fs::read_to_string(vscode).expect("vscode file");
    for comment in VSCODE_FILE.lines().filter(|l| l.contains("//")) {
        assert!(
            text.contains(comment),
            "lost from the VS Code file: {comment}\n{text}"
        );
    }

    let cd = parse(claude);
    let before: Value = serde_json::from_str(CLAUDE_DESKTOP_FILE).expect("fixture");
    assert_eq!(
        cd["mcpServers"]["llm-generator"],
        json!({"command": server, "args": ["--client", "claude-desktop"]})
    );
    assert_eq!(cd["mcpServers"]["filesystem"], before["mcpServers"]["filesystem"]);
    assert_eq!(cd["preferences"], before["preferences"]);
    assert_eq!(
        cd.as_object().map(|o| o.len()),
        Some(2),
        "keys added at the top: {cd}"
    );

    // The entry runs: the command a client will spawn is the real server.
    let command = cd["mcpServers"]["llm-generator"]["command"]
        .as_str()
        .expect("command");
    let version = Command::new(command)
        .arg("--version")
        .output()
        .expect("run the entry's command");
    assert!(
        version.status.success()
            && String::from_utf8_lossy(&version.stdout).starts_with("mcp-llm-generator "),
        "the configured command is not the server: {version:?}"
    );

    for (id, original) in [("vscode", VSCODE_FILE), ("claude-desktop", CLAUDE_DESKTOP_FILE)] {
        let dir = data.backups_dir().join("clients").join(id);
        let kept = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("no backups of {id} in {}: {e}", dir.display()))
            .flatten()
            .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t == original));
        assert!(
            kept,
            "the original {id} file was not backed up in {}",
            dir.display()
        );
    }
}

/// Starts the server as an AI app does from its entry (the entry's command and arguments, the
/// user's HOME) and completes the MCP handshake, as a restarted client would; once the server has
/// recorded the connection of the client its entry names, the client goes and the server ends.
fn start_as_the_client_does(entry: &Value, home: &Path, store: &Store) {
    let mut server = app::entry_command(entry, home)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the entry's command");
    let mut stdin = server.stdin.take().expect("stdin");
    let hello = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "e2e-restarted-client", "version": "1.0"}}});
    writeln!(stdin, "{hello}").expect("send initialize");
    let mut answer = String::new();
    std::io::BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut answer)
        .expect("read the initialize answer");
    assert!(
        answer.contains("\"serverInfo\""),
        "no handshake from the entry {entry}: {answer}"
    );
    writeln!(
        stdin,
        "{}",
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
    )
    .expect("send initialized");
    let named = entry["args"]
        .as_array()
        .and_then(|args| args.last())
        .and_then(Value::as_str)
        .unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !llmgen_core::operations::live::connections::of(store, named).is_ok_and(|c| c.is_some()) {
        assert!(
            Instant::now() < deadline,
            "the server did not record the connection of {named}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(stdin);
    let status = server.wait().expect("the server ends when its client goes");
    assert!(status.success(), "the entry {entry} ended with {status}");
}

/// Backups screen: back up, change the data behind the app's back, restore (with its
/// confirmation) and see the data of the backup again; the tray turns "All good" on the way.
async fn back_up_and_restore(
    client: &fantoccini::Client,
    store: &Store,
    driver: &Driver,
    tray: &TrayHost,
    item: &Item,
) {
    let rows = "[data-testid=backup-row]";
    ui::wait_for_count(client, rows, 0).await;
    ui::click(client, "[data-testid=backup-now]").await;
    ui::wait_for_text(
        client,
        "[data-testid=backups-notice]",
        "the backed-up notice",
        |t| t.starts_with("Backed up to "),
    )
    .await;
    ui::wait_for_count(client, rows, 1).await;
    let all_good = blocking(|| tray.wait_for_status(item, "\"All good\"", HEALTH_WAIT, |l| l == "All good"));
    all_good.expect("status after the backup");

    contexts::create(
        store,
        NewContext {
            name: LATE_CONTEXT.into(),
            ..Default::default()
        },
    )
    .expect("a context after the backup");

    let from = driver.log.len();
    ui::click(client, "[data-testid=backup-restore]").await;
    ui::wait_for_text(client, rows, "the confirmation", |t| {
        t.contains("Replace the current data with this backup?")
    })
    .await;
    ui::click(client, "[data-testid=backup-restore-confirm]").await;
    ui::wait_for_text(
        client,
        "[data-testid=backups-notice]",
        "the restored notice",
        |t| t.starts_with("Restored."),
    )
    .await;
    // The data before the restore was kept as a backup of its own.
    ui::wait_for_count(client, rows, 2).await;
    let names: Vec<String> = contexts::list(store, None, None)
        .expect("contexts")
        .items
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(
        names,
        [SEEDED_CONTEXT],
        "the restored database is not the backup's"
    );

    // What the user sees after reopening the window: the backup's data (the overview's counts,
    // under its Details).
    client.refresh().await.expect("reload");
    ui::click(client, "main details > summary").await;
    ui::wait_for_text(client, "[data-testid=count-contexts]", "one context", |t| {
        t == "1"
    })
    .await;
    let line = driver
        .log
        .wait_for(from, "a check after the restore", HEALTH_WAIT, |l| {
            l.contains("health: ") && l.contains("trigger=\"restore\"")
        })
        .expect("health after the restore");
    assert!(line.contains("health: All good"), "{line}");
}

/// Today's direct calls and tool calls, as a server would have counted them, for the charts.
fn seed_usage(store: &Store) {
    let tokens = TokenUsage {
        input_tokens: 1200,
        output_tokens: 300,
    };
    usage::record(store, "anthropic", "claude-test", Outcome::Ok, tokens, 900).expect("usage");
    let metrics = Metrics::new();
    metrics.record_tool("generate-text", Duration::from_millis(900), false);
    metrics.record_tool("template-manage", Duration::from_millis(2), true);
    metrics.flush(store).expect("tool calls");
}

/// Usage screen: Chart.js drew the seeded day (it sized its canvas), and the summary a screen
/// reader reads says what the drawing shows.
async fn check_usage_charts(client: &fantoccini::Client) {
    ui::wait_for_text(
        client,
        "[data-testid=usage-chart-summary]",
        "the day's tokens",
        |t| t.starts_with("1,500 tokens in 30 days.") && t.contains("anthropic 1,500 tokens"),
    )
    .await;
    ui::wait_for_text(
        client,
        "[data-testid=tool-chart-summary]",
        "the tool calls",
        |t| t.starts_with("2 calls in 30 days, 1 with an error (50%)."),
    )
    .await;
    for chart in ["usage-chart", "tool-chart"] {
        let css = format!("[data-testid={chart}] canvas[style*=\"height\"]");
        ui::find(client, &css).await;
    }
}

/// How long the window and the tray may take to follow a change of language.
const WAIT_SWITCH: Duration = Duration::from_secs(30);

/// Regular files under `root` whose bytes contain `needle`.
fn files_containing(root: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                todo.push(path);
            } else if meta.is_file()
                && std::fs::read(&path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
            {
                found.push(path);
            }
        }
    }
    found
}
