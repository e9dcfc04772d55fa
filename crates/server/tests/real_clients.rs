//! `clients configure` and `clients remove` against the real clients, installed from npm by
//! `cargo xtask test` (xtask/src/real_clients.rs): after configure, Claude Code and Gemini CLI start
//! our entry and report it connected and Codex lists it; after remove none of them has it, and the
//! files hold the user's content as before.
//!
//! Each test runs the clients in a temp HOME with every config folder they know of (XDG dirs,
//! CODEX_HOME, Gemini's system settings) inside it, with no API keys, updates and telemetry off,
//! and an HTTP(S) proxy on 127.0.0.1 that fails any request the clients would send out (the test
//! asserts that none was attempted). The installed commands' folder comes in
//! `LLMGEN_REAL_CLIENTS_BIN`; without it the tests fail when `CI` is set and skip otherwise.

use std::{fs, path::Path};

use serde_json::Value;

#[path = "support/real_sandbox.rs"]
mod real_sandbox;
use real_sandbox::{ENTRY, Sandbox, clients_bin, exe, line_of};

/// A user's other server: it does not exist, so the clients report it failed without any network.
const CLAUDE_JSON: &str = r#"{
  "numStartups": 12,
  "installMethod": "npm-global",
  "hasCompletedOnboarding": true,
  "mcpServers": {
    "weather": {
      "type": "stdio",
      "command": "/opt/weather-mcp/bin/weather-mcp",
      "args": ["--units", "metric"],
      "env": {}
    }
  }
}
"#;

const GEMINI_SETTINGS: &str = r#"{
  // My Gemini CLI settings.
  "ui": {
    "theme": "GitHub"
  },
  "mcpServers": {
    // Weather lookups for the team.
    "weather": {
      "command": "/opt/weather-mcp/bin/weather-mcp",
      "args": ["--units", "metric"]
    }
  }
}
"#;

const CODEX_CONFIG: &str = r#"# My Codex settings.
model = "gpt-5-codex"
approval_policy = "on-request"

[mcp_servers.weather]
# Weather lookups for the team.
command = "/opt/weather-mcp/bin/weather-mcp"
args = ["--units", "metric"]
"#;

/// Keys Claude Code 2.1.197 adds to `~/.claude.json` by itself (seen by comparing the file before
/// and after its first run); they are its own bookkeeping, not the user's content.
const CLAUDE_OWN_KEYS: &[&str] = &[
    "firstStartTime",
    "machineID",
    "userID",
    "migrationVersion",
    "opusProMigrationComplete",
    "sonnet1m45MigrationComplete",
    "seenNotifications",
];

/// `~/.claude.json` parsed, without Claude Code's own bookkeeping.
fn claude_user_content(path: &Path) -> Value {
    let mut doc: Value = serde_json::from_str(&fs::read_to_string(path).expect("read ~/.claude.json"))
        .expect("~/.claude.json is JSON");
    let top = doc.as_object_mut().expect("~/.claude.json is an object");
    for key in CLAUDE_OWN_KEYS {
        top.remove(*key);
    }
    doc
}

/// Claude Code's `mcp list`, which starts every server: ours must be connected, or absent.
fn claude_lists(sandbox: &mut Sandbox, ours_connected: bool) {
    let said = sandbox.client("claude", &["mcp", "list"]);
    assert!(said.ok, "claude mcp list failed:\n{}", said.both());
    let weather = line_of(&said.stdout, "weather")
        .unwrap_or_else(|| panic!("the user's server is listed:\n{}", said.both()));
    assert!(weather.contains("Failed to connect"), "{weather}");
    match line_of(&said.stdout, ENTRY) {
        Some(line) if ours_connected => assert!(
            line.contains(&exe()) && line.contains("✔ Connected"),
            "Claude Code started our server: {line}\n{}",
            said.both()
        ),
        None if !ours_connected => {}
        other => panic!("our entry in Claude Code's list: {other:?}\n{}", said.both()),
    }
}

/// Configure and remove for Claude Code; `through_claude` puts `claude` on our PATH, so configure
/// goes through `claude mcp add-json` (what users with Claude Code installed get), else we edit
/// the file ourselves and Claude Code must read what we wrote.
fn claude_code_round_trip(through_claude: bool) {
    let Some(clients) = clients_bin() else { return };
    let mut sandbox = Sandbox::new(clients);
    let file = sandbox.write(".claude.json", CLAUDE_JSON);
    // A user who has run Claude Code before: its first run adds its own keys to the file.
    claude_lists(&mut sandbox, false);
    let before = claude_user_content(&file);

    let said = sandbox.ours(&["clients", "configure", "claude-code"], through_claude);
    assert!(said.stdout.contains("claude-code: updated"), "{}", said.both());
    claude_lists(&mut sandbox, true);

    let said = sandbox.ours(&["clients", "remove", "claude-code"], through_claude);
    assert!(said.stdout.contains("removed llm-generator"), "{}", said.both());
    claude_lists(&mut sandbox, false);

    assert_eq!(
        claude_user_content(&file),
        before,
        "everything but Claude Code's own bookkeeping is as before configure"
    );
}

/// Proves: with `claude` on PATH, `clients configure claude-code` adds an entry that the real
/// Claude Code starts and reports connected, `clients remove` takes it out again, and the user's
/// content of `~/.claude.json` (their other server, their settings) is unchanged.
#[test]
fn claude_code_connects_to_the_entry_configured_through_its_own_command() {
    claude_code_round_trip(true);
}

/// Proves: without `claude` on PATH we write `~/.claude.json` ourselves, and the real Claude Code
/// reads that entry, starts our server and reports it connected; after remove it is gone and the
/// user's content is unchanged.
#[test]
fn claude_code_connects_to_the_entry_we_write_into_its_file() {
    claude_code_round_trip(false);
}

/// Proves: the real Gemini CLI starts the entry `clients configure gemini-cli` writes into its
/// commented settings.json and reports it connected; after `clients remove` it no longer lists it
/// and the file is byte-for-byte what the user had.
#[test]
fn gemini_cli_connects_to_our_entry_and_its_settings_come_back_byte_for_byte() {
    let Some(clients) = clients_bin() else { return };
    let mut sandbox = Sandbox::new(clients);
    let file = sandbox.write(".gemini/settings.json", GEMINI_SETTINGS);
    let gemini_lists = |sandbox: &mut Sandbox, ours_connected: bool| {
        let said = sandbox.client("gemini", &["mcp", "list"]);
        assert!(said.ok, "gemini mcp list failed:\n{}", said.both());
        let listing = said.both();
        assert!(
            !listing.contains("untrusted"),
            "GEMINI_CLI_TRUST_WORKSPACE loads the settings here:\n{listing}"
        );
        assert!(
            line_of(&listing, "weather").is_some(),
            "the user's server is listed:\n{listing}"
        );
        match line_of(&listing, ENTRY) {
            Some(line) if ours_connected => assert!(
                line.contains(&exe()) && line.ends_with("- Connected"),
                "Gemini CLI started our server: {line}\n{listing}"
            ),
            None if !ours_connected => {}
            other => panic!("our entry in Gemini CLI's list: {other:?}\n{listing}"),
        }
    };
    gemini_lists(&mut sandbox, false);
    assert_eq!(
        fs::read_to_string(&file).expect("read"),
        GEMINI_SETTINGS,
        "listing changes nothing"
    );

    sandbox.ours(&["clients", "configure", "gemini-cli"], true);
    gemini_lists(&mut sandbox, true);
    sandbox.ours(&["clients", "remove", "gemini-cli"], true);
    gemini_lists(&mut sandbox, false);

    assert_eq!(fs::read_to_string(&file).expect("read"), GEMINI_SETTINGS);
}

/// Proves: the real Codex lists the entry `clients configure codex` writes into its commented
/// config.toml (enabled, running our binary), no longer lists it after `clients remove`, and the
/// file is byte-for-byte what the user had. (`codex mcp list` reads the config; it starts no
/// server.)
#[test]
fn codex_lists_our_entry_and_its_config_comes_back_byte_for_byte() {
    let Some(clients) = clients_bin() else { return };
    let mut sandbox = Sandbox::new(clients);
    let file = sandbox.write(".codex/config.toml", CODEX_CONFIG);
    let codex_list = |sandbox: &mut Sandbox| -> Vec<Value> {
        let said = sandbox.client("codex", &["mcp", "list", "--json"]);
        assert!(said.ok, "codex mcp list failed:\n{}", said.both());
        let list: Value =
            serde_json::from_str(&said.stdout).unwrap_or_else(|e| panic!("{e}: {}", said.both()));
        let servers = list.as_array().cloned().expect("a JSON list");
        assert!(servers.iter().any(|s| s["name"] == "weather"), "{list}");
        servers
    };
    assert!(!codex_list(&mut sandbox).iter().any(|s| s["name"] == ENTRY));

    sandbox.ours(&["clients", "configure", "codex"], true);
    let listed = codex_list(&mut sandbox);
    let ours = listed
        .iter()
        .find(|s| s["name"] == ENTRY)
        .unwrap_or_else(|| panic!("Codex lists our entry: {listed:?}"));
    assert_eq!(ours["enabled"], true, "{ours}");
    assert_eq!(ours["transport"]["type"], "stdio", "{ours}");
    assert_eq!(ours["transport"]["command"], exe().as_str(), "{ours}");

    sandbox.ours(&["clients", "remove", "codex"], true);
    assert!(!codex_list(&mut sandbox).iter().any(|s| s["name"] == ENTRY));

    assert_eq!(fs::read_to_string(&file).expect("read"), CODEX_CONFIG);
}
