//! Client configuration against real files in a temp HOME: exact bytes, backups, permissions,
//! symlinks, refusal of broken files and the states. Never touches the real user's files: every
//! path is resolved from the temp dirs given to `Clients::with_env`.

use std::fs;

use llmgen_core::clients::{self, ClientState, ClientsError, write::BACKUPS_KEPT};

#[path = "support/client_home.rs"]
mod client_home;
use client_home::{fixture, home, put, set_mode, state};

#[test]
fn configure_then_remove_on_a_real_looking_vscode_file_changes_only_our_entry() {
    let h = home();
    let path = h.home.join(".config/Code/User/mcp.json");
    let original = fixture("vscode_inputs.json");
    put(&path, &original);
    assert_eq!(state(&h, "vscode"), ClientState::NotConfigured);

    let change = clients::configure(&h.clients, "vscode", &h.exe, false).expect("configure");
    assert!(change.changed);
    let exe = h.exe.display().to_string();
    let expected = original.replace(
        "// trailing comment\n\t},",
        &format!("// trailing comment\n\t\t\"llm-generator\": {{\n\t\t\t\"type\": \"stdio\",\n\t\t\t\"command\": \"{exe}\",\n\t\t\t\"args\": [\"--client\", \"vscode\"],\n\t\t}},\n\t}},"),
    );
    assert_eq!(fs::read_to_string(&path).expect("read"), expected);
    assert_eq!(state(&h, "vscode"), ClientState::Configured { command: exe });

    let again = clients::configure(&h.clients, "vscode", &h.exe, false).expect("configure again");
    assert!(!again.changed, "the second configure must write nothing");
    assert_eq!(
        fs::read_to_string(&path).expect("read"),
        expected,
        "byte-identical after the second configure"
    );

    clients::remove(&h.clients, "vscode", false).expect("remove");
    assert_eq!(
        fs::read_to_string(&path).expect("read"),
        original,
        "remove restores the file byte for byte"
    );
    assert_eq!(state(&h, "vscode"), ClientState::NotConfigured);
}

#[test]
fn crlf_and_bom_files_keep_their_bytes_outside_our_entry() {
    let h = home();
    let cursor = h.home.join(".cursor/mcp.json");
    let gemini = h.home.join(".gemini/settings.json");
    let crlf = fixture("cursor_crlf.json");
    let bom = fixture("gemini_bom.json");
    put(&cursor, &crlf);
    put(&gemini, &bom);
    clients::configure(&h.clients, "cursor", &h.exe, false).expect("cursor");
    clients::configure(&h.clients, "gemini-cli", &h.exe, false).expect("gemini");
    let written = fs::read_to_string(&cursor).expect("read");
    assert!(
        !written.replace("\r\n", "").contains('\n'),
        "CRLF file must stay CRLF"
    );
    assert!(
        fs::read_to_string(&gemini).expect("read").starts_with('\u{feff}'),
        "BOM kept"
    );
    clients::remove(&h.clients, "cursor", false).expect("remove");
    assert_eq!(fs::read_to_string(&cursor).expect("read"), crlf);
}

#[test]
fn a_broken_file_is_refused_left_untouched_and_listed_as_invalid_with_its_position() {
    let h = home();
    let path = h.home.join(".cursor/mcp.json");
    let broken = fixture("broken.json");
    put(&path, &broken);
    let err = clients::configure(&h.clients, "cursor", &h.exe, false).expect_err("must be refused");
    assert!(
        matches!(
            err,
            ClientsError::InvalidFile {
                line: 1,
                column: 36,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("line 1, column 36"), "{err}");
    assert_eq!(
        fs::read_to_string(&path).expect("read"),
        broken,
        "the file must be untouched"
    );
    assert!(matches!(
        state(&h, "cursor"),
        ClientState::InvalidFile {
            line: 1,
            column: 36,
            ..
        }
    ));
    let backups = h.tmp.path().join("data/backups/clients/cursor");
    let baks = fs::read_dir(&backups).map(|d| {
        d.flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "bak"))
            .count()
    });
    assert_eq!(baks.unwrap_or(0), 0, "a refused change takes no backup");
}

#[test]
fn comments_in_claude_desktops_strict_file_are_reported_not_accepted() {
    let h = home();
    let path = h.home.join(".config/Claude/claude_desktop_config.json");
    let text = "{\n  // Claude Desktop fails on this\n  \"mcpServers\": {}\n}\n";
    put(&path, text);
    let err = clients::configure(&h.clients, "claude-desktop", &h.exe, false).expect_err("must be refused");
    assert!(
        matches!(err, ClientsError::InvalidFile { line: 2, .. }),
        "{err:?}"
    );
    assert_eq!(fs::read_to_string(&path).expect("read"), text);
}

#[test]
fn missing_file_is_created_when_the_client_is_installed_and_states_follow() {
    let h = home();
    assert_eq!(state(&h, "windsurf"), ClientState::NotInstalled);
    let err = clients::configure(&h.clients, "windsurf", &h.exe, false).expect_err("not installed");
    assert!(matches!(err, ClientsError::NotInstalled { .. }), "{err:?}");
    assert!(
        !h.home.join(".codeium").exists(),
        "no folder is created for a client that is not there"
    );
    fs::create_dir_all(h.home.join(".codeium/windsurf")).expect("mkdir");
    assert_eq!(state(&h, "windsurf"), ClientState::NotConfigured);
    let change = clients::configure(&h.clients, "windsurf", &h.exe, false).expect("configure");
    assert!(change.backup.is_none(), "nothing to back up for a new file");
    let text = fs::read_to_string(h.home.join(".codeium/windsurf/mcp_config.json")).expect("read");
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(
        value["mcpServers"]["llm-generator"]["command"],
        h.exe.display().to_string()
    );
    assert_eq!(
        value["mcpServers"]["llm-generator"]["args"],
        serde_json::json!(["--client", "windsurf"])
    );
}

#[cfg(unix)]
#[test]
fn stale_when_the_command_is_missing_or_not_executable() {
    let h = home();
    fs::create_dir_all(h.home.join(".copilot")).expect("mkdir");
    clients::configure(&h.clients, "copilot-cli", &h.exe, false).expect("configure");
    set_mode(&h.exe, 0o644);
    assert!(
        matches!(state(&h, "copilot-cli"), ClientState::Stale { .. }),
        "not executable"
    );
    fs::remove_file(&h.exe).expect("rm");
    assert!(
        matches!(state(&h, "copilot-cli"), ClientState::Stale { .. }),
        "missing"
    );
}

#[test]
fn dry_run_returns_a_diff_and_writes_nothing() {
    let h = home();
    let path = h.home.join(".lmstudio/mcp.json");
    let original = fixture("claude_desktop.json");
    put(&path, &original);
    let change = clients::configure(&h.clients, "lm-studio", &h.exe, true).expect("dry run");
    assert!(change.changed);
    assert!(
        change.diff.contains("+    \"llm-generator\": {"),
        "{}",
        change.diff
    );
    assert!(change.diff.starts_with("--- "), "{}", change.diff);
    assert_eq!(fs::read_to_string(&path).expect("read"), original);
    assert!(
        !h.tmp.path().join("data").exists(),
        "a dry run creates no lock or backup"
    );
}

#[test]
fn every_write_keeps_a_backup_and_only_the_last_ten_are_kept() {
    let h = home();
    let path = h.home.join(".cursor/mcp.json");
    let original = fixture("cursor_crlf.json");
    put(&path, &original);
    let first = clients::configure(&h.clients, "cursor", &h.exe, false).expect("configure");
    let backup = first.backup.expect("a backup of the existing file");
    assert_eq!(
        fs::read_to_string(&backup).expect("backup"),
        original,
        "the backup holds the old content"
    );
    for _ in 0..7 {
        clients::remove(&h.clients, "cursor", false).expect("remove");
        clients::configure(&h.clients, "cursor", &h.exe, false).expect("configure");
    }
    let dir = backup.parent().expect("dir");
    assert!(dir.ends_with("backups/clients/cursor"), "{}", dir.display());
    let baks: Vec<_> = fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "bak"))
        .collect();
    assert_eq!(baks.len(), BACKUPS_KEPT, "15 writes leave the newest 10 backups");
    assert!(!backup.exists(), "the oldest backup was pruned");
}

#[cfg(unix)]
#[test]
fn permissions_are_kept_and_symlinks_are_followed_to_their_target() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let h = home();
    let real = h.home.join("dotfiles/cursor-mcp.json");
    let original = fixture("cursor_crlf.json");
    put(&real, &original);
    set_mode(&real, 0o600);
    let link = h.home.join(".cursor/mcp.json");
    fs::create_dir_all(link.parent().expect("parent")).expect("mkdir");
    symlink(&real, &link).expect("symlink");

    let change = clients::configure(&h.clients, "cursor", &h.exe, false).expect("configure");
    assert_eq!(change.path, fs::canonicalize(&real).expect("canonical"));
    assert!(
        fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink(),
        "the link stays a link"
    );
    assert!(
        fs::read_to_string(&real).expect("read").contains("llm-generator"),
        "the target was edited"
    );
    assert_eq!(
        fs::metadata(&real).expect("meta").permissions().mode() & 0o777,
        0o600
    );
    assert!(
        client_home::status(&h, "cursor").recorded,
        "a file reached through a link is recorded, so repair can find it"
    );
}

#[cfg(unix)]
#[test]
fn a_read_only_file_is_refused_and_left_as_it_is() {
    let h = home();
    let path = h.home.join(".cursor/mcp.json");
    let original = fixture("cursor_crlf.json");
    put(&path, &original);
    set_mode(&path, 0o444);
    let err = clients::configure(&h.clients, "cursor", &h.exe, false).expect_err("read-only");
    assert!(matches!(err, ClientsError::ReadOnly { .. }), "{err:?}");
    assert!(err.to_string().contains("chmod u+w"), "{err}");
    assert_eq!(fs::read_to_string(&path).expect("read"), original);
    // A dry run still shows what would change: it writes nothing, so read-only is no obstacle.
    assert!(
        clients::configure(&h.clients, "cursor", &h.exe, true)
            .expect("dry run")
            .changed
    );
}

#[test]
fn unknown_ids_are_refused_with_a_hint() {
    let h = home();
    let err = clients::configure(&h.clients, "notepad", &h.exe, false).expect_err("must be refused");
    assert!(err.to_string().contains("clients list"), "{err}");
}

#[cfg(unix)]
#[test]
fn stale_when_the_entry_runs_another_copy_of_the_server_but_not_through_a_symlink() {
    let h = home();
    fs::create_dir_all(h.home.join(".cursor")).expect("mkdir");
    let old_copy = h.tmp.path().join("old/mcp-llm-generator");
    fs::create_dir_all(old_copy.parent().expect("parent")).expect("mkdir");
    fs::write(&old_copy, "#!/bin/sh\n").expect("write");
    set_mode(&old_copy, 0o755);
    clients::configure(&h.clients, "cursor", &old_copy, false).expect("configure");
    match state(&h, "cursor") {
        ClientState::Stale {
            command,
            reason,
            outdated,
        } => {
            assert_eq!(command, Some(old_copy.display().to_string()));
            assert!(reason.contains("another copy"), "{reason}");
            assert!(!outdated, "another copy is not a mere update");
        }
        other => panic!("expected stale, got {other:?}"),
    }
    let link = h.tmp.path().join("link-to-exe");
    std::os::unix::fs::symlink(&h.exe, &link).expect("symlink");
    clients::configure(&h.clients, "cursor", &link, false).expect("configure");
    assert!(
        matches!(state(&h, "cursor"), ClientState::Configured { .. }),
        "a link to the expected binary is the expected binary"
    );
}
