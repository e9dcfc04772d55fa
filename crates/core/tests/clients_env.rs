//! Clients whose files move with an environment variable: Claude Code (CLAUDE_CONFIG_DIR, and its
//! legacy `.config.json` that wins when it exists), Gemini CLI (GEMINI_CLI_HOME) and Continue
//! (CONTINUE_GLOBAL_DIR). We must read, write and verify the file the client really uses, also
//! when the client's own command (`claude mcp add-json`) does the writing. Everything runs in a
//! temp dir; `claude` is a stand-in that resolves its file by Claude Code's rule.

use std::fs;
use std::path::PathBuf;

use llmgen_core::clients::{self, ClientState, ClientsError};

#[path = "support/client_home.rs"]
mod client_home;
use client_home::{Home, home_with, put, read, set_mode, state, status};

/// A PATH whose first folder holds `claude` running `body` (a POSIX shell script body), and
/// then the test's own PATH (for python3).
fn claude_on_path(body: &str) -> (tempfile::TempDir, PathBuf) {
    let bin = tempfile::tempdir().expect("bin");
    let claude = bin.path().join("claude");
    fs::write(&claude, format!("#!/bin/sh\n{body}")).expect("script");
    set_mode(&claude, 0o755);
    let mut dirs = vec![bin.path().to_path_buf()];
    dirs.extend(std::env::var_os("PATH").iter().flat_map(std::env::split_paths));
    let path = std::env::join_paths(dirs).expect("PATH").into();
    (bin, path)
}

/// `claude mcp add-json|remove --scope user` editing the user file Claude Code 2.1.197 resolves:
/// `<CLAUDE_CONFIG_DIR or ~/.claude>/.config.json` if it exists, else
/// `<CLAUDE_CONFIG_DIR or HOME>/.claude.json` (see `registry::used_if_present`).
const CLAUDE_BY_ITS_RULE: &str = r#"exec python3 - "$@" <<'PY'
import json, os, sys
args = sys.argv[1:]
config_dir = os.environ.get("CLAUDE_CONFIG_DIR") or os.path.join(os.environ["HOME"], ".claude")
legacy = os.path.join(config_dir, ".config.json")
path = legacy if os.path.exists(legacy) else os.path.join(
    os.environ.get("CLAUDE_CONFIG_DIR") or os.environ["HOME"], ".claude.json")
doc = json.load(open(path)) if os.path.exists(path) else {}
servers = doc.setdefault("mcpServers", {})
if args[:2] == ["mcp", "add-json"]:
    servers[args[4]] = json.loads(args[5])
elif args[:2] == ["mcp", "remove"]:
    if args[4] not in servers:
        sys.exit(1)
    del servers[args[4]]
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
json.dump(doc, os.fdopen(fd, "w"), indent=2)
PY
"#;

fn dir(h: &Home, rel: &str) -> PathBuf {
    let dir = h.tmp.path().join(rel);
    fs::create_dir_all(&dir).expect("mkdir");
    dir
}

#[test]
fn claude_code_is_configured_in_claude_config_dir_when_the_variable_is_set() {
    // Proves: with CLAUDE_CONFIG_DIR set, the file listed, written and verified is
    // $CLAUDE_CONFIG_DIR/.claude.json and ~/.claude.json is left alone (before the fix we wrote
    // ~/.claude.json, which Claude Code then never read); the folder alone shows it installed.
    let h = home_with(None, &[("CLAUDE_CONFIG_DIR", "claude-config")]);
    let config_dir = dir(&h, "claude-config");
    let file = config_dir.join(".claude.json");
    assert_eq!(status(&h, "claude-code").path, Some(file.clone()));
    assert_eq!(state(&h, "claude-code"), ClientState::NotConfigured);

    let change = clients::configure(&h.clients, "claude-code", &h.exe, false).expect("configure");
    assert_eq!(change.path, file);
    let exe = h.exe.display().to_string();
    let doc: serde_json::Value = serde_json::from_str(&read(&file)).expect("JSON");
    assert_eq!(doc["mcpServers"]["llm-generator"]["command"], exe);
    assert!(
        !h.home.join(".claude.json").exists(),
        "HOME is not Claude's folder here"
    );
    assert_eq!(state(&h, "claude-code"), ClientState::Configured { command: exe });
}

#[test]
fn claude_codes_config_json_is_used_only_when_it_exists() {
    // Proves: Claude Code's `.config.json` in its config folder (~/.claude without the variable,
    // $CLAUDE_CONFIG_DIR with it) is the file we configure when it exists; when it does not, the
    // existing ~/.claude folder does not make us create one there.
    let h = home_with(None, &[]);
    fs::create_dir_all(h.home.join(".claude")).expect("installed");
    assert_eq!(status(&h, "claude-code").path, Some(h.home.join(".claude.json")));
    clients::configure(&h.clients, "claude-code", &h.exe, false).expect("configure");
    assert!(h.home.join(".claude.json").is_file());
    assert!(!h.home.join(".claude/.config.json").exists());

    let legacy = h.home.join(".claude/.config.json");
    put(&legacy, "{\n  \"numStartups\": 3\n}\n");
    assert_eq!(status(&h, "claude-code").path, Some(legacy.clone()));
    assert_eq!(state(&h, "claude-code"), ClientState::NotConfigured);
    clients::configure(&h.clients, "claude-code", &h.exe, false).expect("configure legacy");
    let doc: serde_json::Value = serde_json::from_str(&read(&legacy)).expect("JSON");
    assert_eq!(doc["numStartups"], 3);
    assert_eq!(doc["mcpServers"]["llm-generator"]["type"], "stdio");

    let h = home_with(None, &[("CLAUDE_CONFIG_DIR", "claude-config")]);
    let legacy = dir(&h, "claude-config").join(".config.json");
    put(&legacy, "{}\n");
    put(&h.home.join(".claude/.config.json"), "{}\n");
    assert_eq!(
        status(&h, "claude-code").path,
        Some(legacy),
        "with the variable, only its folder's .config.json counts"
    );
}

#[test]
fn claudes_own_command_and_our_check_use_the_file_in_claude_config_dir() {
    // Proves: with `claude` on PATH and CLAUDE_CONFIG_DIR set, configure goes through the
    // command (which gets our CLAUDE_CONFIG_DIR) and reads back the same file, so it succeeds;
    // before the fix the command wrote $CLAUDE_CONFIG_DIR/.claude.json and we checked
    // ~/.claude.json, reporting a change that was made as failed. Remove works the same way.
    let (_bin, path) = claude_on_path(CLAUDE_BY_ITS_RULE);
    let h = home_with(Some(path), &[("CLAUDE_CONFIG_DIR", "claude-config")]);
    let file = dir(&h, "claude-config").join(".claude.json");
    let change = clients::configure(&h.clients, "claude-code", &h.exe, false).expect("configure");
    assert_eq!(change.path, file);
    assert!(change.diff.contains("llm-generator"), "{}", change.diff);
    assert!(!h.home.join(".claude.json").exists());
    let exe = h.exe.display().to_string();
    assert_eq!(state(&h, "claude-code"), ClientState::Configured { command: exe });

    clients::remove(&h.clients, "claude-code", false).expect("remove");
    assert!(!read(&file).contains("llm-generator"), "{}", read(&file));
}

#[test]
fn an_unverified_write_of_a_new_file_says_there_is_no_backup_and_what_to_do() {
    // Proves: when the file did not exist and what we read back lacks our entry (here `claude`
    // reports success and writes nothing), the error says the file was new, so there is no
    // backup, and what to do; it no longer offers to "restore the backup at (none: ...)".
    let (_bin, path) = claude_on_path("exit 0\n");
    let h = home_with(Some(path), &[]);
    let err = clients::configure(&h.clients, "claude-code", &h.exe, false).expect_err("unverified");
    assert!(
        matches!(&err, ClientsError::VerifyFailed { backup: None, .. }),
        "{err:?}"
    );
    let shown = err.to_string();
    let file = h.home.join(".claude.json").display().to_string();
    assert!(
        shown.contains(&format!("{file} did not exist before"))
            && shown.contains("no backup")
            && shown.contains(&format!("delete {file}")),
        "{shown}"
    );
    assert!(!shown.contains("(none"), "{shown}");
}

#[test]
fn an_unverified_change_of_an_existing_file_names_the_restore_command_and_backup() {
    // Proves: when an existing file was backed up and changed but does not read back as
    // written, the error names the backup and the command that puts it back.
    let (_bin, path) = claude_on_path("exit 0\n");
    let h = home_with(Some(path), &[]);
    put(&h.home.join(".claude.json"), "{\"numStartups\": 1}\n");
    let err = clients::configure(&h.clients, "claude-code", &h.exe, false).expect_err("unverified");
    let ClientsError::VerifyFailed {
        backup: Some(backup), ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert!(backup.is_file());
    let shown = err.to_string();
    assert!(
        shown.contains("`mcp-llm-generator clients restore claude-code`")
            && shown.contains(&backup.display().to_string()),
        "{shown}"
    );
}

#[test]
fn gemini_cli_is_found_and_configured_in_gemini_cli_home() {
    // Proves: with GEMINI_CLI_HOME set, Gemini CLI's file is $GEMINI_CLI_HOME/.gemini/
    // settings.json: its folder there shows it installed (before the fix: "does not seem to be
    // installed: ~/.gemini does not exist"), configure writes that file and ~/.gemini stays
    // absent.
    let h = home_with(None, &[("GEMINI_CLI_HOME", "gemini-home")]);
    let gemini = dir(&h, "gemini-home/.gemini");
    let file = gemini.join("settings.json");
    assert_eq!(state(&h, "gemini-cli"), ClientState::NotConfigured);
    assert!(clients::detected(&h.clients).contains(&"gemini-cli"));
    let change = clients::configure(&h.clients, "gemini-cli", &h.exe, false).expect("configure");
    assert_eq!(change.path, file);
    assert!(read(&file).contains("llm-generator"));
    assert!(!h.home.join(".gemini").exists());
}

#[test]
fn continue_is_found_in_continue_global_dir() {
    // Proves: with CONTINUE_GLOBAL_DIR set, Continue counts as installed when that folder exists
    // (not ~/.continue) and our block file goes into its mcpServers folder.
    let h = home_with(None, &[("CONTINUE_GLOBAL_DIR", "continue-dir")]);
    assert_eq!(state(&h, "continue"), ClientState::NotInstalled);
    let global = dir(&h, "continue-dir");
    assert_eq!(state(&h, "continue"), ClientState::NotConfigured);
    let change = clients::configure(&h.clients, "continue", &h.exe, false).expect("configure");
    assert_eq!(change.path, global.join("mcpServers/llm-generator.yaml"));
    assert!(!h.home.join(".continue").exists());
}
