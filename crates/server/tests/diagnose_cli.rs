//! `diagnose --out FILE` through the real binary: the archive holds what a bug report needs and
//! none of the user's secrets or home path, and a missing database is reported, not created.

mod common;

use std::fs;
use std::io::Read;
use std::path::Path;

/// Planted where a careless archive would pick it up: the environment and a client file.
const CANARY: &str = "sk-ant-DIAG.CANARY.not-a-real-key-000";

fn run(home: &Path, data: &Path, args: &[&str]) -> std::process::Output {
    // No session bus (the keychain is unreachable, as on a headless machine), and a key in the
    // environment that the archive must not carry.
    common::CliRun::new(home, data)
        .env("ANTHROPIC_API_KEY", CANARY)
        .run(args)
}

fn archive(path: &Path) -> Vec<(String, String)> {
    let mut archive = tar::Archive::new(fs::File::open(path).expect("open archive"));
    archive
        .entries()
        .expect("entries")
        .map(|e| {
            let mut e = e.expect("entry");
            let name = e.path().expect("path").display().to_string();
            let mut text = String::new();
            e.read_to_string(&mut text).expect("text");
            (name, text)
        })
        .collect()
}

#[test]
fn the_archive_has_every_part_and_no_secret_or_home_path() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path().join("home");
    let data = tmp.path().join("data");
    let vscode = home.join(".config/Code/User/mcp.json");
    fs::create_dir_all(vscode.parent().expect("parent")).expect("mkdir");
    fs::write(
        &vscode,
        format!("{{\"servers\": {{\"x\": {{\"command\": \"npx\", \"env\": {{\"ANTHROPIC_API_KEY\": \"{CANARY}\"}}}}}}}}"),
    )
    .expect("client file");
    let out = run(&home, &data, &["settings", "show"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // A log line that quotes the key and the home path, as a careless provider error might:
    // the archive takes the last two days of logs, so both must be redacted there.
    let now = time::OffsetDateTime::now_utc();
    let stamp = now
        .format(&time::format_description::well_known::Rfc3339)
        .expect("timestamp");
    fs::create_dir_all(data.join("logs")).expect("logs dir");
    fs::write(
        data.join("logs").join(format!("llmgen.{}.log", now.date())),
        format!(
            "{stamp}  WARN llmgen_server: provider refused key {CANARY} read from {}\n",
            home.display()
        ),
    )
    .expect("log file");

    let file = tmp.path().join("diag.tar");
    let out = run(&home, &data, &["diagnose", "--out", &file.display().to_string()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let parts = archive(&file);
    let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "versions.txt",
        "health.json",
        "clients.json",
        "report.json",
        "settings.json",
        "providers.json",
        "logs.jsonl",
    ] {
        assert!(names.contains(&expected), "{expected} missing from {names:?}");
    }
    let home_text = home.display().to_string();
    for (name, text) in &parts {
        assert!(!text.contains("DIAG.CANARY"), "{name} holds the key:\n{text}");
        assert!(!text.contains(&home_text), "{name} holds the home path:\n{text}");
    }
    let clients = &parts
        .iter()
        .find(|(n, _)| n == "clients.json")
        .expect("clients")
        .1;
    assert!(clients.contains("~/.config/Code/User/mcp.json"), "{clients}");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!printed.contains("DIAG.CANARY"), "{printed}");
}

#[test]
fn a_missing_database_is_described_not_created() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let file = tmp.path().join("diag.tar");
    fs::create_dir_all(&data).expect("data dir");
    let out = run(
        tmp.path(),
        &data,
        &["diagnose", "--out", &file.display().to_string()],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let parts = archive(&file);
    let versions = &parts
        .iter()
        .find(|(n, _)| n == "versions.txt")
        .expect("versions")
        .1;
    assert!(
        versions.contains("schema of the database: (no database)"),
        "{versions}"
    );
    assert!(
        !data.join("llmgen.db").exists(),
        "diagnose must not create the database it describes"
    );
}
