//! The binary as a user's client runs it: raw JSON-RPC over pipes, a bare environment, an
//! arbitrary working directory. Proves stdout carries only protocol messages, data lands in the
//! user's data folder (never the current directory), and the tool-group setting works.

mod common;

use std::{
    io::{BufRead, BufReader, Read, Write},
    path::Path,
    process::{Command, Stdio},
};

use common::CliRun;

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#;

/// Runs a session: initialize, the given requests, then end of input. Returns stdout lines.
fn session(cmd: &mut Command, requests: &[&str]) -> Vec<String> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null()) // logs; never read here, so never allowed to fill a pipe
        .spawn()
        .expect("spawn the server");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{INIT}").expect("write");
    writeln!(
        stdin,
        r#"{{"jsonrpc":"2.0","method":"notifications/initialized"}}"#
    )
    .expect("write");
    for r in requests {
        writeln!(stdin, "{r}").expect("write");
    }
    stdin.flush().expect("flush");
    // Read until every request (initialize included) is answered, then end the session.
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut lines = Vec::new();
    let mut answered = 0;
    while answered < requests.len() + 1 {
        let mut line = String::new();
        if stdout.read_line(&mut line).expect("read stdout") == 0 {
            break;
        }
        if line.contains("\"id\":") {
            answered += 1;
        }
        lines.push(line.trim_end().to_string());
    }
    drop(stdin);
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("read the rest");
    lines.extend(rest.lines().map(str::to_string));
    let status = child.wait().expect("wait");
    assert!(status.success(), "exit {status:?}");
    lines
}

/// What a GUI-launched client may give: no PATH, no shell variables, only HOME (and the test
/// harness's address of no session bus, so no real keychain is ever reachable).
fn bare_run(home: &Path, cwd: &Path) -> CliRun {
    CliRun::in_home(home).current_dir(cwd)
}

fn tool_names(lines: &[String]) -> Vec<String> {
    let list = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["id"] == 2)
        .expect("tools/list answered");
    let mut names: Vec<String> = list["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|t| t["name"].as_str().unwrap_or("").to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn stdout_carries_only_json_rpc_and_data_goes_to_the_users_data_folder() {
    let home = tempfile::tempdir().expect("home");
    let cwd = tempfile::tempdir().expect("cwd");
    let lines = session(
        &mut bare_run(home.path(), cwd.path()).command(&[]),
        &[
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
            r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"template-manage","arguments":{"action":"list"}}}"#,
            r#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"template-manage","arguments":{"action":"nope"}}}"#,
        ],
    );
    assert!(lines.len() >= 4, "expected four answers, got {lines:?}");
    for line in &lines {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("non-JSON on stdout ({e}): {line}"));
        assert_eq!(v["jsonrpc"], "2.0", "not a JSON-RPC message: {line}");
    }
    let db = home.path().join(".local/share/dev.llmgen.desktop/llmgen.db");
    assert!(db.exists(), "database not in the user's data folder");
    assert!(
        home.path().join(".local/share/dev.llmgen.desktop/logs").is_dir(),
        "no log folder"
    );
    assert_eq!(
        std::fs::read_dir(cwd.path()).expect("cwd").count(),
        0,
        "the server wrote into its working directory"
    );
}

#[test]
fn tool_groups_limit_the_tool_list_from_settings_and_from_the_environment() {
    let home = tempfile::tempdir().expect("home");
    let data = home.path().join("data");
    let set =
        CliRun::in_home(home.path())
            .data_dir(&data)
            .run(&["settings", "set", "tool-groups", "templates"]);
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    assert!(String::from_utf8_lossy(&set.stdout).contains("tool-groups     = templates"));

    let mut cmd = bare_run(home.path(), home.path()).data_dir(&data).command(&[]);
    let lines = session(&mut cmd, &[r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#]);
    assert_eq!(
        tool_names(&lines),
        ["template-execute", "template-manage", "template-to-params"]
    );

    let mut cmd = bare_run(home.path(), home.path())
        .data_dir(&data)
        .env("LLMGEN_TOOL_GROUPS", "generation,contexts")
        .command(&[]);
    let lines = session(&mut cmd, &[r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#]);
    assert_eq!(
        tool_names(&lines),
        [
            "context-chat",
            "context-manage",
            "conversation-manage",
            "llm-generate",
            "provider-status"
        ]
    );

    let bad = CliRun::in_home(home.path())
        .data_dir(&data)
        .run(&["settings", "set", "tool-groups", "bogus"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Unknown tool group 'bogus'"));
}

#[test]
fn version_prints_the_version() {
    let home = tempfile::tempdir().expect("home");
    let out = CliRun::in_home(home.path()).run(&["--version"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("mcp-llm-generator {}", env!("CARGO_PKG_VERSION"))
    );
}
