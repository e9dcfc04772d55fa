//! The real Claude Code and Gemini CLI with the variables that move their files: CLAUDE_CONFIG_DIR
//! and GEMINI_CLI_HOME, set for the clients and for us alike (as in a user's shell). `clients
//! configure` must edit (directly or through `claude mcp add-json`) and verify the file the client
//! really reads, so the client then starts our entry; nothing is written into HOME's usual files.
//! Runs in the sandbox of support/real_sandbox.rs (temp HOME, no network).

use std::{fs, path::PathBuf};

#[path = "support/real_sandbox.rs"]
mod real_sandbox;
use real_sandbox::{ENTRY, Sandbox, clients_bin, exe, line_of};

/// A user's other server in a client file: it does not exist, so it fails without any network.
const WEATHER: &str = r#"{
  "hasCompletedOnboarding": true,
  "mcpServers": {
    "weather": { "command": "/opt/weather-mcp/bin/weather-mcp", "args": [] }
  }
}
"#;

/// Our entry's line in `<client> mcp list` (which starts every server), after checking that the
/// user's server is listed too, so the client did read the file we mean.
fn our_line(sandbox: &mut Sandbox, client: &str) -> Option<String> {
    let said = sandbox.client(client, &["mcp", "list"]);
    assert!(said.ok, "{client} mcp list failed:\n{}", said.both());
    let listing = said.both();
    assert!(
        line_of(&listing, "weather").is_some(),
        "{client} lists the user's server from the moved file:\n{listing}"
    );
    line_of(&listing, ENTRY).map(str::to_string)
}

/// Configure and remove Claude Code with CLAUDE_CONFIG_DIR set; `through_claude` puts `claude`
/// on our PATH (configure runs `claude mcp add-json`), else we write the file ourselves.
fn claude_code_in_its_config_dir(through_claude: bool) {
    let Some(clients) = clients_bin() else { return };
    let mut sandbox = Sandbox::new(clients);
    let config_dir: PathBuf = sandbox.home.join("claude-config");
    sandbox.set_env("CLAUDE_CONFIG_DIR", config_dir.clone());
    let file = sandbox.write("claude-config/.claude.json", WEATHER);
    assert_eq!(our_line(&mut sandbox, "claude"), None);

    let said = sandbox.ours(&["clients", "configure", "claude-code"], through_claude);
    assert!(
        said.stdout.contains("claude-code: updated") && said.stdout.contains(&file.display().to_string()),
        "{}",
        said.both()
    );
    let line = our_line(&mut sandbox, "claude").expect("Claude Code lists our entry");
    assert!(
        line.contains(&exe()) && line.contains("✔ Connected"),
        "Claude Code started our server: {line}"
    );
    assert!(
        !sandbox.home.join(".claude.json").exists(),
        "nothing was written to ~/.claude.json, which Claude Code does not read here"
    );

    let said = sandbox.ours(&["clients", "remove", "claude-code"], through_claude);
    assert!(said.stdout.contains("removed llm-generator"), "{}", said.both());
    assert_eq!(our_line(&mut sandbox, "claude"), None);
    let text = fs::read_to_string(&file).expect("read");
    assert!(text.contains("weather") && !text.contains(ENTRY), "{text}");
}

/// Proves: with CLAUDE_CONFIG_DIR set and `claude` on PATH, configure goes through `claude mcp
/// add-json`, verifies $CLAUDE_CONFIG_DIR/.claude.json and succeeds; the real Claude Code then
/// starts our server. Before the fix the entry was added but we exited 1 ("was written but
/// reading it back did not show the expected entry"), having checked ~/.claude.json.
#[test]
fn claude_code_with_claude_config_dir_is_configured_through_its_own_command() {
    claude_code_in_its_config_dir(true);
}

/// Proves: with CLAUDE_CONFIG_DIR set and no `claude` on PATH, we write
/// $CLAUDE_CONFIG_DIR/.claude.json ourselves and the real Claude Code starts that entry.
#[test]
fn claude_code_with_claude_config_dir_reads_the_entry_we_write() {
    claude_code_in_its_config_dir(false);
}

/// Proves: with GEMINI_CLI_HOME set (and no ~/.gemini), `clients configure gemini-cli` finds
/// Gemini CLI installed and writes $GEMINI_CLI_HOME/.gemini/settings.json, whose entry the real
/// Gemini CLI starts; before the fix it said Gemini CLI did not seem to be installed.
#[test]
fn gemini_cli_with_gemini_cli_home_is_configured_where_it_reads() {
    let Some(clients) = clients_bin() else { return };
    let mut sandbox = Sandbox::new(clients);
    sandbox.set_env("GEMINI_CLI_HOME", sandbox.home.join("gemini-home"));
    let file = sandbox.write("gemini-home/.gemini/settings.json", WEATHER);
    assert_eq!(our_line(&mut sandbox, "gemini"), None);

    let said = sandbox.ours(&["clients", "configure", "gemini-cli"], true);
    assert!(
        said.stdout.contains(&file.display().to_string()),
        "{}",
        said.both()
    );
    let line = our_line(&mut sandbox, "gemini").expect("Gemini CLI lists our entry");
    assert!(
        line.contains(&exe()) && line.ends_with("- Connected"),
        "Gemini CLI started our server: {line}"
    );

    sandbox.ours(&["clients", "remove", "gemini-cli"], true);
    assert_eq!(our_line(&mut sandbox, "gemini"), None);
    assert_eq!(fs::read_to_string(&file).expect("read"), WEATHER);
}
