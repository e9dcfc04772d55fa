//! `clients list|configure|remove` through the real binary with a temp HOME (and no other
//! locating variables), so the user's own client files are never read or written.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_mcp-llm-generator");

const VSCODE_FILE: &str = "{\n\t// my servers\n\t\"servers\": {\n\t\t\"fetch\": { \"type\": \"stdio\", \"command\": \"uvx\", \"args\": [\"mcp-server-fetch\"] },\n\t},\n}\n";

fn run(home: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("LLMGEN_DATA_DIR", home.join("data"))
        .current_dir(home)
        .output()
        .expect("run the binary")
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

    let exe = fs::canonicalize(BIN)
        .expect("canonical binary path")
        .display()
        .to_string();
    let expected = VSCODE_FILE.replace(
        "\t},\n}\n",
        &format!("\t\t\"llm-generator\": {{\n\t\t\t\"type\": \"stdio\",\n\t\t\t\"command\": \"{exe}\",\n\t\t\t\"args\": [],\n\t\t}},\n\t}},\n}}\n"),
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
            Command::new(BIN)
                .args(["clients", action, "vscode"])
                .env_clear()
                .env("HOME", home)
                .env("LLMGEN_DATA_DIR", home.join("data"))
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
    let exe = fs::canonicalize(BIN).expect("canonical").display().to_string();
    let configured = VSCODE_FILE.replace(
        "\t},\n}\n",
        &format!("\t\t\"llm-generator\": {{\n\t\t\t\"type\": \"stdio\",\n\t\t\t\"command\": \"{exe}\",\n\t\t\t\"args\": [],\n\t\t}},\n\t}},\n}}\n"),
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
