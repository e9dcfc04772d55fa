//! `clients list|configure|remove` through the real binary with a temp HOME (and no other
//! locating variables), so the user's own client files are never read or written.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{CliRun, server_bin};

const VSCODE_FILE: &str = "{\n\t// my servers\n\t\"servers\": {\n\t\t\"fetch\": { \"type\": \"stdio\", \"command\": \"uvx\", \"args\": [\"mcp-server-fetch\"] },\n\t},\n}\n";

fn cli_run(home: &Path) -> CliRun {
    CliRun::new(home, &home.join("data"))
}

fn run(home: &Path, args: &[&str]) -> Output {
    cli_run(home).run(args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn vscode_file(home: &Path) -> PathBuf {
    home.join(".config/Code/User/mcp.json")
}

#[test]
fn configure_list_and_remove_through_the_binary_keep_the_users_file_intact() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path();
    let file = vscode_file(home);
    fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    fs::write(&file, VSCODE_FILE).expect("write");

    let out = run(home, &["clients", "configure", "vscode"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("MCP: List Servers"),
        "says what to restart: {}",
        text(&out.stdout)
    );

    let exe = fs::canonicalize(server_bin())
        .expect("canonical binary path")
        .display()
        .to_string();
    let expected = VSCODE_FILE.replace(
        "\t},\n}\n",
        &format!("\t\t\"llm-generator\": {{\n\t\t\t\"type\": \"stdio\",\n\t\t\t\"command\": \"{exe}\",\n\t\t\t\"args\": [\"--client\", \"vscode\"],\n\t\t}},\n\t}},\n}}\n"),
    );
    assert_eq!(
        fs::read_to_string(&file).expect("read"),
        expected,
        "the entry runs this binary by absolute path"
    );

    let out = run(home, &["clients", "list", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON list");
    let vscode = list
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == "vscode"))
        .expect("vscode listed");
    assert_eq!(vscode["state"], "configured");
    assert_eq!(vscode["command"], exe);
    assert_eq!(vscode["recorded"], true, "configure records the file for repair");
    let cursor = list
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == "cursor"))
        .expect("cursor listed");
    assert_eq!(cursor["state"], "not-installed");

    let out = run(home, &["clients", "remove", "vscode"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("removed llm-generator from"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        fs::read_to_string(&file).expect("read"),
        VSCODE_FILE,
        "remove restores the file"
    );
    let out = run(home, &["clients", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON list");
    let vscode = list
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == "vscode"))
        .expect("vscode listed");
    assert_eq!(
        vscode["recorded"], false,
        "a removed entry is no longer ours to repair"
    );
}

#[test]
fn dry_run_prints_a_unified_diff_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path();
    let file = vscode_file(home);
    fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    fs::write(&file, VSCODE_FILE).expect("write");
    let out = run(home, &["clients", "configure", "vscode", "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("--- "), "{stdout}");
    assert!(stdout.contains("+\t\t\"llm-generator\": {"), "{stdout}");
    assert_eq!(fs::read_to_string(&file).expect("read"), VSCODE_FILE);
}

#[test]
fn a_broken_file_fails_with_line_and_column_and_other_clients_still_get_configured() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path();
    let broken = "{ \"mcpServers\": { \"x\": 1 ";
    let cursor = home.join(".cursor/mcp.json");
    fs::create_dir_all(cursor.parent().expect("parent")).expect("mkdir");
    fs::write(&cursor, broken).expect("write");
    fs::create_dir_all(home.join(".gemini")).expect("mkdir");

    let out = run(home, &["clients", "configure", "cursor", "gemini-cli"]);
    assert!(!out.status.success(), "a failed client makes the command fail");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("cursor:") && stderr.contains("line 1, column"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(&cursor).expect("read"),
        broken,
        "the broken file is untouched"
    );
    assert!(
        fs::read_to_string(home.join(".gemini/settings.json"))
            .expect("created")
            .contains("llm-generator"),
        "the other client is still configured"
    );
    let out = run(home, &["clients", "list"]);
    let stdout = text(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("cursor") && l.contains("invalid-file")),
        "{stdout}"
    );
}

#[test]
fn an_unknown_id_is_an_error_that_points_to_the_list() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = run(tmp.path(), &["clients", "configure", "notepad"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("clients list"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn several_processes_configuring_and_removing_at_once_leave_one_valid_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path();
    let file = vscode_file(home);
    fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    fs::write(&file, VSCODE_FILE).expect("write");
    let children: Vec<_> = (0..8)
        .map(|i| {
            let action = if i % 2 == 0 { "configure" } else { "remove" };
            cli_run(home)
                .command(&["clients", action, "vscode"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let after = fs::read_to_string(&file).expect("read");
    // Whichever process ran last, the file is either the original or the original plus our entry.
    let exe = fs::canonicalize(server_bin())
        .expect("canonical")
        .display()
        .to_string();
    let configured = VSCODE_FILE.replace(
        "\t},\n}\n",
        &format!("\t\t\"llm-generator\": {{\n\t\t\t\"type\": \"stdio\",\n\t\t\t\"command\": \"{exe}\",\n\t\t\t\"args\": [\"--client\", \"vscode\"],\n\t\t}},\n\t}},\n}}\n"),
    );
    assert!(
        after == VSCODE_FILE || after == configured,
        "unexpected content:\n{after}"
    );
    let leftovers: Vec<_> = fs::read_dir(file.parent().expect("parent"))
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name() != "mcp.json")
        .map(|e| e.file_name())
        .collect();
    assert!(leftovers.is_empty(), "no temp files may be left: {leftovers:?}");
}

fn list_json(home: &Path) -> Vec<serde_json::Value> {
    let out = run(home, &["clients", "list", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).expect("JSON list")
}

fn listed(home: &Path, id: &str) -> serde_json::Value {
    list_json(home)
        .into_iter()
        .find(|c| c["id"] == id)
        .expect("listed")
}

#[test]
fn a_moved_binary_makes_the_entry_stale_and_repair_points_it_at_the_running_one() {
    // Proves the whole stale cycle with real binaries: a copy of the server configures Cursor, the
    // copy moves away (as after an update), `clients list` reports stale, and `clients repair`
    // run by the current binary rewrites the entry to run it.
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path();
    fs::create_dir_all(home.join(".cursor")).expect("mkdir");
    let old = home.join("old/mcp-llm-generator");
    fs::create_dir_all(old.parent().expect("parent")).expect("mkdir");
    fs::copy(server_bin(), &old).expect("copy the binary");
    let out = cli_run(home)
        .binary(&old)
        .run(&["clients", "configure", "cursor"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    fs::rename(&old, home.join("old/moved-away")).expect("move the copy");

    let cursor = listed(home, "cursor");
    assert_eq!(cursor["state"], "stale", "{cursor}");
    let out = run(home, &["clients", "list"]);
    assert!(
        text(&out.stdout).contains("clients repair"),
        "{}",
        text(&out.stdout)
    );

    let out = run(home, &["clients", "repair"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let exe = fs::canonicalize(server_bin())
        .expect("canonical")
        .display()
        .to_string();
    let cursor = listed(home, "cursor");
    assert_eq!(cursor["state"], "configured", "{cursor}");
    assert_eq!(cursor["command"], exe);
    let out = run(home, &["clients", "repair"]);
    assert!(
        text(&out.stdout).contains("Nothing to repair"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn detected_workspace_and_restore_through_the_binary() {
    // Proves: --detected configures exactly the installed clients; --workspace writes the project
    // file; restore brings back the file as it was before our change.
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path();
    let file = vscode_file(home);
    fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    fs::write(&file, VSCODE_FILE).expect("write");
    fs::create_dir_all(home.join(".codex")).expect("codex installed");

    let out = run(home, &["clients", "configure", "--detected"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let configured: Vec<String> = list_json(home)
        .into_iter()
        .filter(|c| c["state"] == "configured")
        .map(|c| c["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(configured, ["vscode", "codex"]);

    let project = home.join("project");
    fs::create_dir_all(&project).expect("mkdir");
    let ws = project.display().to_string();
    let out = run(home, &["clients", "configure", "cursor", "--workspace", &ws]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(project.join(".cursor/mcp.json").is_file());
    let out = run(
        home,
        &["clients", "configure", "claude-desktop", "--workspace", &ws],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("no project-level file"),
        "{}",
        text(&out.stderr)
    );

    let out = run(home, &["clients", "restore", "vscode"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(fs::read_to_string(&file).expect("read"), VSCODE_FILE);
}

#[test]
fn migrate_and_audit_through_the_binary_never_print_a_key() {
    // Proves: the old server's entry is listed and replaced by `clients migrate`; `clients audit`
    // reports a plain key by place and length only, and fails so scripts notice.
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path();
    let file = home.join(".config/Claude/claude_desktop_config.json");
    fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    let old = "{\n  \"mcpServers\": {\n    \"sampler\": { \"command\": \"npx\", \"args\": [\"-y\", \"@mako10k/mcp-llm-generator\"] },\n    \"memory\": { \"command\": \"npx\", \"args\": [\"-y\", \"@modelcontextprotocol/server-memory\"], \"env\": { \"OPENAI_API_KEY\": \"sk-test-LEAKCANARY-0000000000\" } }\n  }\n}\n";
    fs::write(&file, old).expect("write");

    let out = run(home, &["clients", "audit"]);
    assert!(!out.status.success(), "plain keys make the audit fail");
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(all.contains("env.OPENAI_API_KEY"), "{all}");
    assert!(
        !all.contains("LEAKCANARY"),
        "the key itself is never printed: {all}"
    );

    assert_eq!(
        listed(home, "claude-desktop")["upstream_entries"],
        serde_json::json!(["sampler"])
    );
    let out = run(home, &["clients", "migrate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let value: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&file).expect("read")).expect("JSON");
    assert!(value["mcpServers"].get("sampler").is_none());
    assert!(value["mcpServers"]["llm-generator"]["command"].is_string());
    assert_eq!(
        value["mcpServers"]["memory"]["env"]["OPENAI_API_KEY"], "sk-test-LEAKCANARY-0000000000",
        "another server's key is reported, never moved or deleted"
    );
}
