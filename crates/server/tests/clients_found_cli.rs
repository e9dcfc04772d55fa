//! `clients list|configure` through the real binary for what issue 18 fixed: a CLI client found
//! by its program on PATH (a stand-in `codex` that is only looked up, never run), the private
//! file created for it, and our entry written twice in a JSON file. HOME and PATH are temp
//! folders; nothing else of the environment is passed.

#![cfg(unix)]

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

fn run(home: &Path, path: &Path, args: &[&str]) -> Output {
    common::CliRun::new(home, &home.join("data"))
        .env("PATH", path)
        .run(args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The state column of a client's line in `clients list`.
fn state_in<'a>(list: &'a str, id: &str) -> &'a str {
    line_of(list, id).split_whitespace().nth(1).unwrap_or("")
}

fn line_of<'a>(list: &'a str, id: &str) -> &'a str {
    list.lines()
        .find(|l| l.split_whitespace().next() == Some(id))
        .unwrap_or_else(|| panic!("{id} not listed:\n{list}"))
}

#[test]
fn codex_on_path_is_listed_detected_and_configured_into_a_private_file() {
    // Proves: with only a `codex` program on PATH (no ~/.codex), `clients list` shows Codex as
    // not-configured, `configure --detected` configures it, and the config.toml it creates is
    // 0600 like the one Codex writes.
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path().join("home");
    let bin = tmp.path().join("bin");
    fs::create_dir_all(&home).expect("home");
    fs::create_dir_all(&bin).expect("bin");
    fs::write(bin.join("codex"), "#!/bin/sh\nexit 3\n").expect("stand-in");
    fs::set_permissions(bin.join("codex"), fs::Permissions::from_mode(0o755)).expect("chmod");

    let out = run(&home, &bin, &["clients", "list"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list = text(&out.stdout);
    assert_eq!(state_in(&list, "codex"), "not-configured", "{list}");

    let out = run(&home, &bin, &["clients", "configure", "--detected"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = home.join(".codex/config.toml");
    let mode = fs::metadata(&file).expect("created").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let list = text(&run(&home, &bin, &["clients", "list"]).stdout);
    assert_eq!(state_in(&list, "codex"), "configured", "{list}");
}

#[test]
fn an_entry_written_twice_is_listed_with_its_lines_and_configure_keeps_one() {
    // Proves: the list line names the repeated key, both lines and where the live copy is;
    // `clients configure cursor` then leaves one entry, running this binary.
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path();
    let cursor = home.join(".cursor/mcp.json");
    fs::create_dir_all(cursor.parent().expect("parent")).expect("mkdir");
    fs::write(
        &cursor,
        "{\n  \"mcpServers\": {\n    \"llm-generator\": {\"command\": \"/a\"},\n    \"llm-generator\": {\"command\": \"/b\"}\n  }\n}\n",
    )
    .expect("write");
    let empty = tmp.path().join("empty");
    fs::create_dir_all(&empty).expect("empty");

    let list = text(&run(home, &empty, &["clients", "list"]).stdout);
    let line = line_of(&list, "cursor");
    assert!(
        state_in(&list, "cursor") == "invalid-file"
            && line.contains("\"llm-generator\"")
            && line.contains("lines 3 and 4")
            && line.contains("at line 4, column 5"),
        "{line}"
    );

    let out = run(home, &empty, &["clients", "configure", "cursor"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = fs::read_to_string(&cursor).expect("read");
    assert_eq!(written.matches("\"llm-generator\"").count(), 1, "{written}");
    let list = text(&run(home, &empty, &["clients", "list"]).stdout);
    assert_eq!(state_in(&list, "cursor"), "configured", "{list}");
}
