//! When a client counts as installed (its program on PATH is enough), and the permissions of the
//! files and folders we create for it (the client's own: 0600 for Claude Code's ~/.claude.json
//! and Codex's config.toml). PATH is a temp folder of stand-in programs that are only looked up,
//! never run, except the `claude` stand-in of the last test; HOME is a temp folder.

#![cfg(unix)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use llmgen_core::clients::{self, ClientState};

#[path = "support/client_home.rs"]
mod client_home;
use client_home::{home, home_with_path, put, read, set_mode, state};

/// A folder holding executable stand-ins named `names`.
fn bin_with(names: &[&str]) -> tempfile::TempDir {
    let bin = tempfile::tempdir().expect("bin");
    for name in names {
        let program = bin.path().join(name);
        fs::write(&program, "#!/bin/sh\nexit 3\n").expect("stand-in");
        set_mode(&program, 0o755);
    }
    bin
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

/// The modes this process gives a new file and a new folder (0666 and 0777 minus the umask).
fn usual_modes(scratch: &Path) -> (u32, u32) {
    let file = scratch.join("usual-file");
    let folder = scratch.join("usual-folder");
    fs::write(&file, "").expect("file");
    fs::create_dir(&folder).expect("folder");
    (mode(&file), mode(&folder))
}

#[test]
fn cli_clients_count_as_installed_when_their_program_is_on_path() {
    // Proves: with no folder of theirs in HOME, Codex, Gemini CLI, Copilot CLI and Claude Code
    // are not-configured (not not-installed) once `codex`, `gemini`, `copilot`, `claude` are on
    // PATH, and `configure --detected` picks them; a non-executable file does not count.
    let ids = ["codex", "gemini-cli", "copilot-cli", "claude-code"];
    let empty = tempfile::tempdir().expect("empty");
    let h = home_with_path(Some(empty.path().to_path_buf()));
    for id in ids {
        assert_eq!(state(&h, id), ClientState::NotInstalled, "{id}");
    }
    let bin = bin_with(&["codex", "gemini", "copilot", "claude"]);
    let h = home_with_path(Some(bin.path().to_path_buf()));
    for id in ids {
        assert_eq!(state(&h, id), ClientState::NotConfigured, "{id}");
    }
    let detected = clients::detected(&h.clients);
    assert!(ids.iter().all(|id| detected.contains(id)), "{detected:?}");

    let plain = tempfile::tempdir().expect("plain");
    fs::write(plain.path().join("codex"), "").expect("file");
    set_mode(&plain.path().join("codex"), 0o644);
    let h = home_with_path(Some(plain.path().to_path_buf()));
    assert_eq!(state(&h, "codex"), ClientState::NotInstalled);
}

#[test]
fn codex_on_path_is_configured_into_a_new_private_config_toml() {
    // Proves: with `codex` on PATH and no ~/.codex, configure creates ~/.codex (with the usual
    // folder mode, as Codex's own create_dir_all does) and config.toml 0600, as Codex writes it;
    // without `codex` on PATH it refuses and creates nothing.
    let h = home();
    let err = clients::configure(&h.clients, "codex", &h.exe, false).expect_err("not installed");
    assert!(
        matches!(err, clients::ClientsError::NotInstalled { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("`codex` is not on PATH"),
        "says what would do: {err}"
    );
    assert!(!h.home.join(".codex").exists());

    let bin = bin_with(&["codex"]);
    let h = home_with_path(Some(bin.path().to_path_buf()));
    let change = clients::configure(&h.clients, "codex", &h.exe, false).expect("configure");
    let file = h.home.join(".codex/config.toml");
    assert_eq!(change.path, file);
    assert_eq!(
        read(&file),
        format!(
            "[mcp_servers.llm-generator]\ncommand = \"{}\"\nargs = [\"--client\", \"codex\"]\n",
            h.exe.display()
        )
    );
    let (_, usual_folder) = usual_modes(h.tmp.path());
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&h.home.join(".codex")), usual_folder);
    assert!(matches!(state(&h, "codex"), ClientState::Configured { .. }));
}

#[test]
fn claude_codes_new_user_file_is_private_but_its_project_file_and_others_are_not() {
    // Proves: a new ~/.claude.json is created 0600 like Claude Code creates it; its project
    // file (.mcp.json, shared in repositories) and a new Cursor file get the usual mode; an
    // existing ~/.claude.json keeps the mode it has.
    let h = home();
    let (usual_file, _) = usual_modes(h.tmp.path());
    fs::create_dir_all(h.home.join(".claude")).expect("installed");
    fs::create_dir_all(h.home.join(".cursor")).expect("installed");
    let user_file = h.home.join(".claude.json");
    clients::configure(&h.clients, "claude-code", &h.exe, false).expect("configure");
    assert_eq!(mode(&user_file), 0o600);

    clients::configure(&h.clients, "cursor", &h.exe, false).expect("cursor");
    assert_eq!(mode(&h.home.join(".cursor/mcp.json")), usual_file);

    let project = h.tmp.path().join("project");
    fs::create_dir_all(&project).expect("project");
    let ws = h.clients.for_workspace(&project).expect("workspace");
    clients::configure(&ws, "claude-code", &h.exe, false).expect("project file");
    assert_eq!(mode(&project.join(".mcp.json")), usual_file);

    clients::remove(&h.clients, "claude-code", false).expect("remove");
    set_mode(&user_file, 0o640);
    clients::configure(&h.clients, "claude-code", &h.exe, false).expect("again");
    assert_eq!(mode(&user_file), 0o640, "an existing file keeps its mode");
}

/// A PATH whose first folder holds a `claude` stand-in that edits ~/.claude.json the way
/// `claude mcp add-json|remove --scope user` does (the rest of PATH gives it python3).
fn claude_stand_in() -> (tempfile::TempDir, PathBuf) {
    let bin = tempfile::tempdir().expect("bin");
    let script = r#"#!/bin/sh
exec python3 - "$@" <<'PY'
import json, os, sys
args = sys.argv[1:]
path = os.path.join(os.environ["HOME"], ".claude.json")
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
    let claude = bin.path().join("claude");
    fs::write(&claude, script).expect("script");
    set_mode(&claude, 0o755);
    let mut dirs = vec![bin.path().to_path_buf()];
    dirs.extend(std::env::var_os("PATH").iter().flat_map(std::env::split_paths));
    let path = std::env::join_paths(dirs).expect("PATH").into();
    (bin, path)
}

#[test]
fn claude_on_path_alone_is_configured_through_its_command_and_a_repeat_is_cleaned() {
    // Proves: `claude` on PATH with nothing of Claude Code's in HOME is enough to configure it,
    // through `claude mcp add-json` (the stand-in creates the file); a repeated entry written
    // into ~/.claude.json later is reported and configure cleans it through the same command,
    // its result verified by reading the file back.
    let (_bin, path) = claude_stand_in();
    let h = home_with_path(Some(path));
    assert_eq!(state(&h, "claude-code"), ClientState::NotConfigured);
    let change = clients::configure(&h.clients, "claude-code", &h.exe, false).expect("configure");
    assert!(change.changed && change.backup.is_none(), "{change:?}");
    let file = h.home.join(".claude.json");
    let exe = h.exe.display().to_string();
    assert_eq!(
        state(&h, "claude-code"),
        ClientState::Configured { command: exe.clone() }
    );

    put(
        &file,
        &format!(
            "{{\"mcpServers\": {{\"llm-generator\": {{\"type\": \"stdio\", \"command\": \"{exe}\", \"args\": []}}, \"llm-generator\": {{\"command\": \"/old\"}}}}}}"
        ),
    );
    assert!(matches!(
        state(&h, "claude-code"),
        ClientState::InvalidFile { .. }
    ));
    let change = clients::configure(&h.clients, "claude-code", &h.exe, false).expect("clean");
    assert!(change.changed && change.backup.is_some(), "{change:?}");
    let text = read(&file);
    assert_eq!(text.matches("\"llm-generator\"").count(), 1, "{text}");
    assert_eq!(state(&h, "claude-code"), ClientState::Configured { command: exe });
}
