//! The key commands and the server against a REAL Secret Service (gnome-keyring-daemon inside
//! its own `dbus-run-session`, temporary HOME). Runs only with `LLMGEN_KEYCHAIN_TESTS=1`;
//! otherwise each test fails under CI and skips with a notice elsewhere. Proves `keys set` (key on stdin, never
//! argv) → `keys list` → a client without sampling gets text with that key → `keys delete`.
#![allow(deprecated)]

mod common;
#[path = "../../core/tests/support/mock_http.rs"]
mod mock_http;

use std::{
    path::Path,
    process::{Command, Output},
};

use common::*;
use llmgen_core::secrets::keychain_tests_enabled;
use mock_http::{MockServer, Reply};
use serde_json::json;

const KEY: &str = "sk-ant-KEYCHAIN-e2e-42";

/// The tests of this file share one keychain and some of its accounts (`uninstall` deletes them
/// all), so they take turns.
static KEYCHAIN_ACCOUNTS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The CLI on `data` in this session's keychain (its D-Bus address passed on).
fn cli(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    CliRun::on(data).keychain_session().stdin(stdin).ok(args)
}

/// `cli` with client files looked up under `home` (the keychain is reached over D-Bus, not HOME).
fn cli_in(home: &Path, data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    CliRun::in_home(home)
        .data_dir(data)
        .keychain_session()
        .stdin(stdin)
        .ok(args)
}

/// (Multi-thread: the blocking CLI calls must not stop the stand-in server's runtime.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_set_from_stdin_serves_a_client_without_sampling_then_delete() {
    if !keychain_tests_enabled() {
        return;
    }
    let _accounts = KEYCHAIN_ACCOUNTS.lock().await;
    let server = MockServer::start(vec![Reply::ok(json!({
        "id": "m", "type": "message", "role": "assistant", "model": "claude-test",
        "content": [{"type": "text", "text": "from the keychain key"}],
        "stop_reason": "end_turn", "usage": {"input_tokens": 3, "output_tokens": 4}
    }))])
    .await;
    let dir = temp_dir();
    let data = dir.path();
    cli(
        data,
        &[
            "providers",
            "set",
            "anthropic",
            "--base-url",
            &format!("{}/v1", server.origin),
        ],
        None,
    );
    let out = cli(data, &["keys", "set", "anthropic"], Some(&format!("{KEY}\n")));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Stored the key for 'anthropic'"));
    let list = cli(data, &["keys", "list", "--json"], None);
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    assert_eq!(list[0]["provider"], "anthropic");
    assert_eq!(list[0]["source"], "keychain");

    // The server (no env key; the session's D-Bus) reads the key on first use.
    let cmd = tokio::process::Command::from(CliRun::on(data).keychain_session().command(&[]));
    let client = connect_command(cmd, TestClient::new(Era::Legacy, Sampling::Unsupported)).await;
    let data_out = ok(call(
        &client,
        "llm-generate",
        json!({"messages": [{"role": "user", "content": "hi"}]}),
    )
    .await);
    assert_eq!(data_out["text"], "from the keychain key");
    assert_eq!(server.requests()[0].header("x-api-key"), Some(KEY));
    client.cancel().await.expect("close");

    let out = cli(data, &["keys", "delete", "anthropic"], None);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Deleted the key"));
    let list = cli(data, &["keys", "list", "--json"], None);
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    assert_eq!(list[0]["present"], false);
}

/// Proves: `backup passphrase set` (stdin, never argv) stores the passphrase as a real Secret
/// Service item (account backup-passphrase, read back by secret-tool), `backup create
/// --encrypt` and `backup verify` use it from the keychain, the keychain's passphrase wins over
/// a wrong LLMGEN_BACKUP_PASSPHRASE (the variable is only the fallback), and `show` prints it
/// only with the warning that it cannot open backups elsewhere.
#[test]
fn the_backup_passphrase_lives_in_the_keychain_and_opens_encrypted_backups() {
    if !keychain_tests_enabled() {
        return;
    }
    let _accounts = KEYCHAIN_ACCOUNTS.blocking_lock();
    let dir = temp_dir();
    let data = dir.path();
    const PASS: &str = "kc-backup-passphrase-7";
    cli(data, &["settings"], None);
    let out = cli(data, &["backup", "passphrase", "set"], Some(&format!("{PASS}\n")));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Stored the backup passphrase"));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(PASS));
    let looked_up = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "dev.llmgen.desktop",
            "username",
            "backup-passphrase",
        ])
        .output()
        .expect("run secret-tool");
    assert_eq!(String::from_utf8_lossy(&looked_up.stdout).trim(), PASS);

    let made = cli(data, &["backup", "create", "--encrypt", "--json"], None);
    let made: serde_json::Value = serde_json::from_slice(&made.stdout).expect("json");
    assert_eq!(made["backup"]["encrypted"], true);
    let file = made["backup"]["path"].as_str().expect("path").to_string();
    let verified = cli(data, &["backup", "verify", &file], None);
    assert!(String::from_utf8_lossy(&verified.stdout).contains("is good"));

    let env_too = CliRun::on(data)
        .keychain_session()
        .env("LLMGEN_BACKUP_PASSPHRASE", "not-it")
        .run(&["backup", "verify", &file]);
    assert!(
        env_too.status.success() && String::from_utf8_lossy(&env_too.stdout).contains("is good"),
        "the keychain's passphrase is used, not the variable: {}",
        String::from_utf8_lossy(&env_too.stderr)
    );

    let shown = cli(data, &["backup", "passphrase", "show"], None);
    assert_eq!(String::from_utf8_lossy(&shown.stdout).trim(), PASS);
    assert!(String::from_utf8_lossy(&shown.stderr).contains("cannot open your backups anywhere else"));
}

/// Proves `clients audit --fix` against the real keychain: the old server's plain OpenAI key
/// moves into the keychain (read back with `keys list`), leaves the client file, and is never
/// printed; the file keeps everything else.
#[test]
fn audit_fix_moves_a_plain_key_from_a_client_file_into_the_keychain() {
    if !keychain_tests_enabled() {
        return;
    }
    let _accounts = KEYCHAIN_ACCOUNTS.blocking_lock();
    const PLAIN: &str = "sk-test-AUDIT-moved-0000000000";
    let tmp = tempfile::tempdir().expect("tempdir");
    // A HOME of its own for the client files; the keychain is reached over D-Bus, not HOME.
    let home = tmp.path().join("home");
    let data = tmp.path().join("data");
    let file = home.join(".cursor/mcp.json");
    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    let original = format!(
        "{{\n  // mine\n  \"mcpServers\": {{\n    \"old\": {{ \"command\": \"npx\", \"args\": [\"-y\", \"@mako10k/mcp-llm-generator\"], \"env\": {{ \"OPENAI_API_KEY\": \"{PLAIN}\", \"LOG\": \"1\" }} }}\n  }}\n}}\n"
    );
    std::fs::write(&file, &original).expect("write");
    let out = CliRun::in_home(&home)
        .data_dir(&data)
        .keychain_session()
        .run(&["clients", "audit", "--fix"]);
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{printed}");
    assert!(!printed.contains(PLAIN), "the key is never printed: {printed}");
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        original.replace(&format!("\"OPENAI_API_KEY\": \"{PLAIN}\", "), ""),
        "only the key left the file"
    );
    let keys = cli(&data, &["keys", "list", "--json"], None);
    let keys: serde_json::Value = serde_json::from_slice(&keys.stdout).expect("JSON");
    let openai = keys
        .as_array()
        .and_then(|a| a.iter().find(|k| k["provider"] == "openai"))
        .expect("openai listed");
    assert!(
        openai["source"].is_string(),
        "the key is in the keychain now: {openai}"
    );
    cli(&data, &["keys", "delete", "openai"], None);
}

/// Proves `uninstall` against the real keychain and real client files: without --yes nothing
/// changes; with it our entries leave VS Code's and Claude Desktop's files (which end up byte for
/// byte as before we configured them), our API key and backup passphrase leave the keychain,
/// and the data folder goes only with --remove-data, keeping a file that is not ours.
#[test]
fn uninstall_removes_our_entries_keychain_items_and_on_request_our_data_only() {
    if !keychain_tests_enabled() {
        return;
    }
    let _accounts = KEYCHAIN_ACCOUNTS.blocking_lock();
    const FAKE_KEY: &str = "sk-ant-FAKE.UNINSTALL.not-a-real-key";
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path().join("home");
    let data = tmp.path().join("data");
    let vscode = home.join(".config/Code/User/mcp.json");
    let claude = home.join(".config/Claude/claude_desktop_config.json");
    let vscode_text = "{\n  // my servers\n  \"servers\": {\n    \"other\": { \"command\": \"/usr/bin/other\" },\n  },\n}\n";
    let claude_text =
        "{\n  \"mcpServers\": {\n    \"other\": {\n      \"command\": \"/usr/bin/other\"\n    }\n  }\n}\n";
    for (path, text) in [(&vscode, vscode_text), (&claude, claude_text)] {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    let run = |args: &[&str], stdin: Option<&str>| cli_in(&home, &data, args, stdin);
    let lookup = |account: &str| {
        let out = Command::new("secret-tool")
            .args(["lookup", "service", "dev.llmgen.desktop", "username", account])
            .output()
            .expect("run secret-tool");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    run(&["clients", "configure", "vscode", "claude-desktop"], None);
    run(&["keys", "set", "anthropic"], Some(&format!("{FAKE_KEY}\n")));
    run(&["backup", "passphrase", "set"], Some("uninstall-pass-1\n"));
    run(&["backup", "create"], None);
    std::fs::write(data.join("notes.txt"), "mine, not the app's").expect("foreign file");
    let configured = (
        std::fs::read_to_string(&vscode).expect("read"),
        std::fs::read_to_string(&claude).expect("read"),
    );
    assert!(configured.0.contains("llm-generator") && configured.1.contains("llm-generator"));

    let preview = run(&["uninstall", "--remove-data"], None);
    assert!(String::from_utf8_lossy(&preview.stdout).contains("Nothing was changed"));
    assert_eq!(
        std::fs::read_to_string(&vscode).expect("read"),
        configured.0,
        "a preview changes nothing"
    );
    assert_eq!(lookup("provider:anthropic"), FAKE_KEY);
    assert!(data.join("llmgen.db").exists());

    let done = run(&["uninstall", "--yes", "--json"], None);
    let report: serde_json::Value = serde_json::from_slice(&done.stdout).expect("JSON");
    let removed = |list: &str| -> Vec<String> {
        report[list]
            .as_array()
            .expect("list")
            .iter()
            .map(|r| r["what"].as_str().expect("what").to_string())
            .collect()
    };
    assert_eq!(
        removed("clientEntries"),
        ["vscode", "claude-desktop"],
        "{report:#}"
    );
    assert_eq!(
        removed("keychainItems"),
        ["provider:anthropic", "backup-passphrase"],
        "{report:#}"
    );
    assert!(!String::from_utf8_lossy(&done.stdout).contains(FAKE_KEY));
    assert_eq!(std::fs::read_to_string(&vscode).expect("read"), vscode_text);
    assert_eq!(std::fs::read_to_string(&claude).expect("read"), claude_text);
    assert_eq!(lookup("provider:anthropic"), "");
    assert_eq!(lookup("backup-passphrase"), "");
    assert!(data.join("llmgen.db").exists(), "the data stays unless asked");

    run(&["uninstall", "--yes", "--remove-data"], None);
    let left: Vec<_> = std::fs::read_dir(&data)
        .expect("the folder stays: it holds a file that is not ours")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["notes.txt"]);
}
