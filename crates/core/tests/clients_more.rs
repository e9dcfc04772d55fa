//! The clients beyond plain JSON (Zed's nested settings, Codex's TOML, Continue's block file,
//! Claude Code and its own command, Cline), project files (`--workspace`), and the lifecycle
//! actions: restore, repair, moving in from the TypeScript server, and the plain-key audit.
//! Everything runs in a temp HOME; the real user's files are never read.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs;

use llmgen_core::clients::{self, ClientState, ClientsError, audit};
use llmgen_core::secrets::Secret;

#[path = "support/client_home.rs"]
mod client_home;
use client_home::{fixture, home, home_with_path, put, read, set_mode, state, status};

#[test]
fn zed_settings_with_deep_nesting_and_an_old_style_server_keep_every_byte() {
    // Proves: configure adds only our entry under context_servers of a commented, nested JSONC
    // file, an older nested-command server is left alone, and remove restores the file exactly.
    let h = home();
    let path = h.home.join(".config/zed/settings.json");
    let original = fixture("zed_settings.json");
    put(&path, &original);
    assert_eq!(state(&h, "zed"), ClientState::NotConfigured);
    clients::configure(&h.clients, "zed", &h.exe, false).expect("configure");
    let written = read(&path);
    let exe = h.exe.display().to_string();
    assert_eq!(
        written,
        original.replace(
            "        \"env\": {},\n      },\n    },\n  },",
            &format!("        \"env\": {{}},\n      }},\n    }},\n    \"llm-generator\": {{\n      \"command\": \"{exe}\",\n      \"args\": [\"--client\", \"zed\"],\n    }},\n  }},")
        )
    );
    assert_eq!(state(&h, "zed"), ClientState::Configured { command: exe });
    clients::remove(&h.clients, "zed", false).expect("remove");
    assert_eq!(read(&path), original);
}

#[test]
fn codex_toml_gets_its_own_table_and_loses_only_it() {
    // Proves: the TOML writer keeps comments, inline tables and other tables; state and remove work.
    let h = home();
    let path = h.home.join(".codex/config.toml");
    let original = fixture("codex_config.toml");
    put(&path, &original);
    clients::configure(&h.clients, "codex", &h.exe, false).expect("configure");
    let written = read(&path);
    assert!(written.starts_with(&original[..original.find("[profiles.deep]").expect("anchor")]));
    assert!(
        written.contains(&format!(
            "[mcp_servers.llm-generator]\ncommand = \"{}\"\nargs = [\"--client\", \"codex\"]\n",
            h.exe.display()
        )),
        "{written}"
    );
    assert!(matches!(state(&h, "codex"), ClientState::Configured { .. }));
    assert!(
        !clients::configure(&h.clients, "codex", &h.exe, false)
            .expect("again")
            .changed
    );
    clients::remove(&h.clients, "codex", false).expect("remove");
    assert_eq!(read(&path), original);
}

#[test]
fn continue_gets_a_block_file_of_its_own_and_its_config_is_never_touched() {
    // Proves: Continue is configured by adding our own block file (creating mcpServers/ inside an
    // installed ~/.continue), its config.yaml stays byte-identical, and remove deletes our file.
    let h = home();
    assert_eq!(state(&h, "continue"), ClientState::NotInstalled);
    let config = h.home.join(".continue/config.yaml");
    let theirs = "name: My Assistant\nversion: 1.0.0\nmodels: []\n";
    put(&config, theirs);
    assert_eq!(state(&h, "continue"), ClientState::NotConfigured);
    let change = clients::configure(&h.clients, "continue", &h.exe, false).expect("configure");
    let block = h.home.join(".continue/mcpServers/llm-generator.yaml");
    assert_eq!(change.path, block);
    let doc: serde_json::Value = serde_yaml_ng::from_str(&read(&block)).expect("YAML");
    assert_eq!(doc["mcpServers"][0]["name"], "llm-generator");
    assert_eq!(doc["mcpServers"][0]["command"], h.exe.display().to_string());
    assert!(matches!(state(&h, "continue"), ClientState::Configured { .. }));
    clients::remove(&h.clients, "continue", false).expect("remove");
    assert!(!block.exists(), "remove deletes our block file");
    assert_eq!(read(&config), theirs);
}

#[test]
fn claude_code_file_is_edited_directly_when_its_command_is_not_installed() {
    // Proves: ~/.claude.json (strict JSON, other keys and a remote server) gets a typed stdio entry.
    let h = home();
    let path = h.home.join(".claude.json");
    let original = fixture("claude_code.json");
    put(&path, &original);
    clients::configure(&h.clients, "claude-code", &h.exe, false).expect("configure");
    let value: serde_json::Value = serde_json::from_str(&read(&path)).expect("strict JSON");
    assert_eq!(value["mcpServers"]["llm-generator"]["type"], "stdio");
    assert_eq!(value["mcpServers"]["github"]["type"], "http");
    assert_eq!(value["numStartups"], 42);
    clients::remove(&h.clients, "claude-code", false).expect("remove");
    assert_eq!(read(&path), original);
}

#[cfg(unix)]
#[test]
fn claude_code_is_configured_through_claude_mcp_add_json_when_claude_is_on_path() {
    // Proves: with `claude` on PATH we call `claude mcp add-json --scope user` (a stand-in script
    // that records its arguments and edits the file like Claude Code does), back up the file
    // first, and verify the result by reading the file back.
    let bin = tempfile::tempdir().expect("bin");
    let log = bin.path().join("calls.log");
    let script = format!(
        r#"#!/bin/sh
echo "$@" >> '{log}'
exec python3 - "$@" <<'PY'
import json, os, sys
args = sys.argv[1:]
path = os.path.join(os.environ["HOME"], ".claude.json")
doc = json.load(open(path)) if os.path.exists(path) else {{}}
servers = doc.setdefault("mcpServers", {{}})
if args[:2] == ["mcp", "add-json"]:
    servers[args[4]] = json.loads(args[5])
elif args[:2] == ["mcp", "remove"]:
    if args[4] not in servers:
        sys.exit(1)
    del servers[args[4]]
json.dump(doc, open(path, "w"), indent=2)
PY
"#,
        log = log.display()
    );
    let claude = bin.path().join("claude");
    fs::write(&claude, script).expect("script");
    set_mode(&claude, 0o755);
    // The stand-in comes first on the PATH; the rest of the PATH gives it python3.
    let mut dirs = vec![bin.path().to_path_buf()];
    dirs.extend(std::env::var_os("PATH").iter().flat_map(std::env::split_paths));
    let h = home_with_path(Some(std::env::join_paths(dirs).expect("PATH").into()));
    let path = h.home.join(".claude.json");
    put(&path, &fixture("claude_code.json"));
    // The command runs with the same HOME we resolved the file from, or it would edit another file.
    let change = clients::configure(&h.clients, "claude-code", &h.exe, false).expect("configure");
    assert!(change.changed && change.backup.is_some(), "{change:?}");
    let calls = read(&log);
    assert!(
        calls.contains("mcp add-json --scope user llm-generator"),
        "{calls}"
    );
    let value: serde_json::Value = serde_json::from_str(&read(&path)).expect("JSON");
    assert_eq!(
        value["mcpServers"]["llm-generator"]["command"],
        h.exe.display().to_string()
    );
    assert_eq!(
        value["mcpServers"]["github"]["type"], "http",
        "other servers kept"
    );
    clients::remove(&h.clients, "claude-code", false).expect("remove");
    assert!(read(&log).contains("mcp remove --scope user llm-generator"));
}

#[test]
fn cline_lives_in_vs_codes_global_storage() {
    let h = home();
    let dir = h
        .home
        .join(".config/Code/User/globalStorage/saoudrizwan.claude-dev/settings");
    fs::create_dir_all(&dir).expect("mkdir");
    clients::configure(&h.clients, "cline", &h.exe, false).expect("configure");
    let value: serde_json::Value =
        serde_json::from_str(&read(&dir.join("cline_mcp_settings.json"))).expect("strict JSON");
    assert_eq!(
        value["mcpServers"]["llm-generator"]["command"],
        h.exe.display().to_string()
    );
}

#[test]
fn workspace_files_are_project_level_and_refused_for_clients_without_one() {
    // Proves: --workspace writes DIR/.vscode/mcp.json (creating .vscode), lists only clients
    // with project files, and refuses Claude Desktop with a clear message.
    let h = home();
    let project = h.tmp.path().join("project");
    fs::create_dir_all(&project).expect("mkdir");
    let ws = h.clients.for_workspace(&project).expect("workspace");
    let change = clients::configure(&ws, "vscode", &h.exe, false).expect("configure");
    let project = fs::canonicalize(&project).expect("canonical");
    assert_eq!(change.path, project.join(".vscode/mcp.json"));
    let listed: Vec<&str> = clients::list(&ws, Some(&h.exe)).iter().map(|s| s.id).collect();
    assert!(
        listed.contains(&"cursor") && !listed.contains(&"claude-desktop"),
        "{listed:?}"
    );
    let err = clients::configure(&ws, "claude-desktop", &h.exe, false).expect_err("no project file");
    assert!(matches!(err, ClientsError::NoProjectFile { .. }), "{err:?}");
    assert!(
        clients::list(&h.clients, Some(&h.exe))
            .iter()
            .all(|s| s.state == ClientState::NotInstalled),
        "the user's own files were not touched"
    );
    let missing = h.clients.for_workspace(&h.tmp.path().join("nope"));
    assert!(matches!(missing, Err(ClientsError::NoWorkspace(_))));
}

#[test]
fn restore_puts_back_the_newest_backup_and_a_second_restore_undoes_it() {
    let h = home();
    let path = h.home.join(".cursor/mcp.json");
    let original = fixture("cursor_crlf.json");
    put(&path, &original);
    assert!(matches!(
        clients::restore(&h.clients, "cursor", false),
        Err(ClientsError::NoBackup { .. })
    ));
    clients::configure(&h.clients, "cursor", &h.exe, false).expect("configure");
    let configured = read(&path);
    clients::restore(&h.clients, "cursor", false).expect("restore");
    assert_eq!(read(&path), original, "the file before our change is back");
    clients::restore(&h.clients, "cursor", false).expect("restore again");
    assert_eq!(read(&path), configured, "the second restore undoes the first");
}

#[test]
fn repair_puts_back_wiped_entries_and_points_stale_ones_at_the_new_binary() {
    // Proves: repair acts only on files we configured: a client that wiped our entry gets it
    // back, an entry whose binary moved runs the new one, and unconfigured clients stay untouched.
    let h = home();
    let vscode = h.home.join(".config/Code/User/mcp.json");
    let cursor = h.home.join(".cursor/mcp.json");
    let gemini = h.home.join(".gemini/settings.json");
    put(&vscode, "{\n  \"servers\": {}\n}\n");
    put(&cursor, "{}\n");
    put(&gemini, "{}\n");
    clients::configure(&h.clients, "vscode", &h.exe, false).expect("vscode");
    clients::configure(&h.clients, "cursor", &h.exe, false).expect("cursor");
    // VS Code wipes our entry; the app moves to a new place.
    put(&vscode, "{\n  \"servers\": {}\n}\n");
    assert!(status(&h, "vscode").recorded);
    let moved = h.tmp.path().join("new-place/mcp-llm-generator");
    fs::create_dir_all(moved.parent().expect("parent")).expect("mkdir");
    fs::rename(&h.exe, &moved).expect("move the binary");
    assert!(matches!(state(&h, "cursor"), ClientState::Stale { .. }));

    let results = clients::repair(&h.clients, &moved, false).expect("repair");
    assert_eq!(results.len(), 2, "{results:?}");
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    for path in [&vscode, &cursor] {
        let value: serde_json::Value = serde_json::from_str(&read(path)).expect("JSON");
        let section = if path == &vscode { "servers" } else { "mcpServers" };
        assert_eq!(
            value[section]["llm-generator"]["command"],
            moved.display().to_string()
        );
    }
    assert_eq!(read(&gemini), "{}\n", "never configured, never repaired");
    assert!(
        clients::repair(&h.clients, &moved, false)
            .expect("again")
            .is_empty(),
        "nothing left to repair"
    );
}

#[test]
fn the_old_servers_entry_is_found_replaced_only_after_its_key_moved_and_others_are_kept() {
    // Proves: list names the TypeScript server's entry; migrate refuses while that entry holds a
    // plain key (it would be lost); audit --fix moves the key through the given keychain function
    // and takes it out of the file, never touching the other server's token; then migrate
    // replaces the old entry with ours and keeps every other entry and preference.
    let h = home();
    let path = h.home.join(".config/Claude/claude_desktop_config.json");
    put(&path, &fixture("claude_desktop_upstream.json"));
    assert_eq!(
        status(&h, "claude-desktop").upstream_entries,
        ["mcp-llm-generator"]
    );

    let findings = audit::audit(&h.clients);
    let mut fields: Vec<(String, bool)> = findings.iter().map(|f| (f.field.clone(), f.movable)).collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("env.ANTHROPIC_API_KEY".to_string(), true),
            ("env.GITHUB_TOKEN".to_string(), false)
        ]
    );
    let json = serde_json::to_string(&findings).expect("serialize");
    assert!(
        !json.contains("PLAINTEXT") && !json.contains("ghp_"),
        "a finding never carries the value: {json}"
    );

    let err = clients::migrate_upstream(&h.clients, "claude-desktop", &h.exe, false).expect_err("refused");
    assert!(matches!(err, ClientsError::KeysInOldEntry { .. }), "{err:?}");

    let keychain: RefCell<HashMap<String, Secret>> = RefCell::new(HashMap::new());
    let moved = audit::fix(
        &h.clients,
        |p| Ok(keychain.borrow().get(p).cloned()),
        |p, s| {
            keychain.borrow_mut().insert(p.to_string(), s.clone());
            Ok(())
        },
    );
    assert_eq!(moved.len(), 1);
    assert!(matches!(moved[0].outcome, audit::MoveOutcome::Moved { .. }));
    assert_eq!(
        keychain.borrow().get("anthropic").map(|s| s.expose().to_string()),
        Some("sk-ant-FAKE.PLAINTEXT.not-a-real-key".to_string())
    );
    let text = read(&path);
    assert!(!text.contains("PLAINTEXT"), "the key left the file");
    let backups = h.tmp.path().join("data/backups/clients/claude-desktop");
    let baks: Vec<_> = fs::read_dir(&backups)
        .expect("backups")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(!baks.is_empty(), "the move was backed up");
    for bak in baks {
        assert!(
            !read(&bak).contains("PLAINTEXT"),
            "{} still holds the key, and a restore would put it back",
            bak.display()
        );
    }
    assert!(
        text.contains("ghp_notreal"),
        "another server's token is reported, not moved"
    );

    clients::migrate_upstream(&h.clients, "claude-desktop", &h.exe, false).expect("migrate");
    let value: serde_json::Value = serde_json::from_str(&read(&path)).expect("strict JSON");
    let servers = value["mcpServers"].as_object().expect("servers");
    assert!(servers.get("mcp-llm-generator").is_none(), "old entry gone");
    assert_eq!(servers["llm-generator"]["command"], h.exe.display().to_string());
    assert!(servers.contains_key("filesystem"));
    assert_eq!(value["preferences"]["quickEntryShortcut"], "double-tap-option");
    assert!(status(&h, "claude-desktop").upstream_entries.is_empty());
}

#[test]
fn a_conflicting_key_in_the_keychain_leaves_the_file_as_it_is() {
    let h = home();
    let path = h.home.join(".config/Claude/claude_desktop_config.json");
    let original = fixture("claude_desktop_upstream.json");
    put(&path, &original);
    let moved = audit::fix(
        &h.clients,
        |_| Ok(Some(Secret::new("sk-ant-another-key-0000"))),
        |_, _| panic!("must not overwrite a different key"),
    );
    assert!(matches!(moved[0].outcome, audit::MoveOutcome::Conflict));
    assert_eq!(read(&path), original);
}

#[cfg(unix)]
#[test]
fn a_read_only_folder_is_refused_with_a_clear_error() {
    let h = home();
    let dir = h.home.join(".cursor");
    put(&dir.join("mcp.json"), "{}\n");
    set_mode(&dir, 0o555);
    let err = clients::configure(&h.clients, "cursor", &h.exe, false).expect_err("read-only folder");
    set_mode(&dir, 0o755);
    assert!(matches!(err, ClientsError::ReadOnlyFolder { .. }), "{err:?}");
    assert!(err.to_string().contains("chmod u+w"), "{err}");
    assert_eq!(read(&dir.join("mcp.json")), "{}\n");
}
