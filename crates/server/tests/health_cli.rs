//! `health` through the real binary: each injected fault gives its check's level and the exit
//! code (0 ok, 1 warning, 2 error): a simulated full disk, a missing key for the default
//! provider, a corrupt copy of the database, a stale client entry, errors in the logs.
//!
//! Without a keychain (the plain test run) the keychain check is itself a warning, so these tests
//! assert each fault's own check plus the exit code where the fault decides it; with
//! `LLMGEN_KEYCHAIN_TESTS=1` (xtask runs this file inside a private Secret Service) the full
//! ladder runs from a healthy baseline of exit code 0.

mod common;

use std::{
    fs,
    path::{Path, PathBuf},
    process::Output,
};

use common::CliRun;
use serde_json::Value;

struct Env {
    _tmp: tempfile::TempDir,
    home: PathBuf,
    data: PathBuf,
    keychain: bool,
}

impl Env {
    fn new(keychain: bool) -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        let home = tmp.path().join("home");
        let data = tmp.path().join("data");
        fs::create_dir_all(&home).expect("home");
        Self {
            _tmp: tmp,
            home,
            data,
            keychain,
        }
    }

    /// The CLI with a temp HOME on `data`. In keychain mode it gets the private session's
    /// keychain; otherwise no keychain is reachable.
    fn cli_run(&self, data: &Path) -> CliRun {
        let run = CliRun::in_home(&self.home).data_dir(data);
        if self.keychain {
            run.keychain_session()
        } else {
            run
        }
    }

    fn cli(&self, args: &[&str], stdin: Option<&str>) -> Output {
        self.cli_run(&self.data).stdin(stdin).ok(args)
    }

    /// Runs `health --json` on `data`. The disk thresholds are 0 % unless a test injects one:
    /// the test machine's own disk may be nearly full, and only injected faults may decide.
    fn health_at(&self, data: &Path, extra: &[&str]) -> (i32, Value) {
        let mut args = vec!["health", "--json"];
        if !extra.contains(&"--free-warn-percent") {
            args.extend(["--free-warn-percent", "0"]);
        }
        if !extra.contains(&"--free-error-percent") {
            args.extend(["--free-error-percent", "0"]);
        }
        args.extend(extra);
        let out = self.cli_run(data).run(&args);
        let code = out.status.code().expect("exit code, not a signal");
        let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "health --json printed no JSON ({e}): {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        assert_eq!(
            code,
            match json["level"].as_str() {
                Some("ok") => 0,
                Some("warning") => 1,
                Some("error") => 2,
                other => panic!("level {other:?}"),
            },
            "the exit code is the report's level: {json:#}"
        );
        (code, json)
    }

    fn health(&self, extra: &[&str]) -> (i32, Value) {
        self.health_at(&self.data, extra)
    }
}

fn level<'a>(report: &'a Value, id: &str) -> &'a str {
    report["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == id))
        .and_then(|c| c["level"].as_str())
        .unwrap_or_else(|| panic!("no {id} check in {report:#}"))
}

fn message(report: &Value, id: &str) -> String {
    report["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == id))
        .map(|c| format!("{} {}", c["message"], c["fix"]))
        .unwrap_or_default()
}

/// The levels of every check but the keychain's, which depends on the machine.
fn levels_besides_keychain(report: &Value) -> Vec<(String, String)> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["id"] != "keychain")
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_string(),
                c["level"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// A fresh backup, so the backup check is ok (a data dir never backed up is a warning).
fn backed_up(env: &Env) {
    env.cli(&["backup", "create"], None);
}

/// A default provider that needs no key, so the provider-key check passes without a keychain;
/// and a fresh backup.
fn keyless_default(env: &Env) {
    env.cli(
        &[
            "providers",
            "add",
            "local",
            "--kind",
            "openai-compatible",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--model",
            "m",
            "--default",
        ],
        None,
    );
    backed_up(env);
}

fn all_ok_but_keychain(report: &Value) {
    for (id, lvl) in levels_besides_keychain(report) {
        assert_eq!(lvl, "ok", "{id}: {}", message(report, &id));
    }
}

/// Writes a VS Code file under HOME whose `llm-generator` entry runs a program that is gone.
fn stale_vscode_entry(home: &Path) {
    let file = home.join(".config/Code/User/mcp.json");
    fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    fs::write(
        &file,
        r#"{ "servers": { "llm-generator": { "type": "stdio", "command": "/nonexistent/old-install/mcp-llm-generator", "args": [] } } }"#,
    )
    .expect("write client file");
}

/// Copies the database of `from` into a new data dir and overwrites 20 pages in the middle with
/// garbage; the original is untouched.
fn corrupt_copy(from: &Path, to: &Path) -> Vec<u8> {
    fs::create_dir_all(to).expect("mkdir");
    let mut bytes = fs::read(from.join("llmgen.db")).expect("read database");
    assert!(bytes.len() > 8 * 4096, "database spans pages");
    let end = bytes.len() - 4096;
    for b in &mut bytes[4096 * 2..end] {
        *b = 0x5A;
    }
    fs::write(to.join("llmgen.db"), &bytes).expect("write corrupt copy");
    bytes
}

#[test]
fn a_healthy_data_dir_passes_every_check_but_the_missing_keychain() {
    // Proves the baseline: a served database, a default provider needing no key, no clients,
    // no logged errors, a server that answers the handshake: everything ok; without a keychain
    // the only warning is the keychain's, so the exit code is 1.
    let env = Env::new(false);
    keyless_default(&env);
    let (code, report) = env.health(&[]);
    all_ok_but_keychain(&report);
    assert_eq!(level(&report, "keychain"), "warning");
    assert_eq!(code, 1);
    assert!(message(&report, "server").contains("tools"), "{report:#}");
}

#[test]
fn a_data_folder_that_does_not_exist_is_reported_and_not_created() {
    // Proves a mistyped --data-dir is not quietly turned into a new, empty install: the server's
    // own handshake still runs (in a throwaway folder), the database check says there is none,
    // and the folder is still absent afterwards.
    let env = Env::new(false);
    let typo = env.data.with_file_name("no-such-data-folder");
    let (_, report) = env.health_at(&typo, &[]);
    assert_eq!(level(&report, "database"), "warning", "{report:#}");
    assert!(message(&report, "database").contains("no database"), "{report:#}");
    assert_eq!(level(&report, "server"), "ok", "{report:#}");
    assert!(!typo.exists(), "health created {}", typo.display());
}

#[test]
fn a_simulated_full_disk_is_an_error_and_a_nearly_full_one_a_warning() {
    // Proves the thresholds reach the disk check: an error threshold above any real free space
    // gives exit code 2; a warning threshold above it gives a warning.
    let env = Env::new(false);
    keyless_default(&env);
    let (code, report) = env.health(&["--free-error-percent", "101"]);
    assert_eq!(code, 2);
    assert_eq!(level(&report, "disk"), "error");
    assert!(message(&report, "disk").contains("Free disk space"));
    let (_, report) = env.health(&["--free-warn-percent", "101"]);
    assert_eq!(level(&report, "disk"), "warning");
}

#[test]
fn a_missing_key_for_the_default_provider_is_a_warning_that_says_how_to_add_it() {
    // Proves the built-in default (anthropic) without a key is reported with the command that
    // fixes it, and that it decides exit code 1 (no error anywhere).
    let env = Env::new(false);
    env.cli(&["settings"], None); // creates the database with the built-in providers
    let (code, report) = env.health(&[]);
    assert_eq!(level(&report, "provider-key"), "warning");
    assert!(message(&report, "provider-key").contains("keys set anthropic"));
    assert_eq!(code, 1);
}

#[test]
fn a_corrupt_copy_of_the_database_is_an_error_and_stays_as_it_was() {
    // Proves a database with garbage pages gives exit code 2 with a fix that names backups, and
    // that the check neither repairs nor replaces the file.
    let env = Env::new(false);
    keyless_default(&env);
    let copy = env.data.parent().expect("parent").join("corrupt");
    let bytes = corrupt_copy(&env.data, &copy);
    let (code, report) = env.health_at(&copy, &["--no-handshake"]);
    assert_eq!(code, 2);
    assert_eq!(level(&report, "database"), "error");
    assert!(message(&report, "database").contains("backup"), "{report:#}");
    assert_eq!(fs::read(copy.join("llmgen.db")).expect("read"), bytes);
    // The original next to it is still healthy.
    let (_, report) = env.health(&["--no-handshake"]);
    assert_eq!(level(&report, "database"), "ok");
}

#[test]
fn a_stale_client_entry_is_a_warning_naming_the_client_and_the_fix() {
    // Proves a client file under HOME whose entry runs a missing program makes the clients check
    // a warning (exit code 1, nothing else wrong) that names the command to repair it.
    let env = Env::new(false);
    keyless_default(&env);
    stale_vscode_entry(&env.home);
    let (code, report) = env.health(&[]);
    assert_eq!(level(&report, "clients"), "warning");
    let text = message(&report, "clients");
    assert!(
        text.contains("vscode") && text.contains("clients configure vscode"),
        "{text}"
    );
    assert_eq!(code, 1);
}

#[test]
fn errors_logged_in_the_last_day_are_a_warning() {
    // Proves the log check reads the daily files: an error line from an hour ago is reported.
    let env = Env::new(false);
    keyless_default(&env);
    let logs = env.data.join("logs");
    fs::create_dir_all(&logs).expect("logs");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock");
    // Today's file name and a timestamp from the report of the health check itself.
    let (_, report) = env.health(&["--no-handshake"]);
    assert_eq!(level(&report, "logs"), "ok");
    let secs = now.as_secs() as i64 - 3600;
    let (day, stamp) = utc(secs);
    fs::write(
        logs.join(format!("llmgen.{day}.log")),
        format!("{stamp} ERROR llmgen_server: usage not recorded: disk I/O error\n"),
    )
    .expect("write log");
    let (_, report) = env.health(&["--no-handshake"]);
    assert_eq!(level(&report, "logs"), "warning");
    assert!(message(&report, "logs").contains("usage not recorded"));
}

/// (YYYY-MM-DD, RFC 3339 timestamp) of a Unix time, without a date library.
fn utc(secs: i64) -> (String, String) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let day = format!("{y:04}-{m:02}-{d:02}");
    let stamp = format!(
        "{day}T{:02}:{:02}:{:02}.000000Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    (day, stamp)
}

#[test]
fn with_a_keychain_each_fault_moves_a_healthy_baseline_to_its_exit_code() {
    // Proves the exit-code ladder from a real baseline of 0 (key stored in a private Secret
    // Service): missing key 1, stale client 1, full disk 2, corrupt database copy 2.
    if !llmgen_core::secrets::keychain_tests_enabled() {
        return;
    }
    let env = Env::new(true);
    env.cli(&["keys", "set", "anthropic"], Some("sk-ant-HEALTH-test-1\n"));
    let (code, report) = env.health(&[]);
    assert_eq!(
        (code, level(&report, "backup")),
        (1, "warning"),
        "never backed up: {report:#}"
    );
    backed_up(&env);
    let (code, report) = env.health(&[]);
    assert_eq!(code, 0, "healthy baseline: {report:#}");
    assert!(
        !report.to_string().contains("HEALTH-test"),
        "the key never appears in the output"
    );

    let (code, report) = env.health(&["--free-error-percent", "101"]);
    assert_eq!((code, level(&report, "disk")), (2, "error"));

    stale_vscode_entry(&env.home);
    let (code, report) = env.health(&[]);
    assert_eq!((code, level(&report, "clients")), (1, "warning"));
    fs::remove_file(env.home.join(".config/Code/User/mcp.json")).expect("remove client file");

    env.cli(&["keys", "delete", "anthropic"], None);
    let (code, report) = env.health(&[]);
    assert_eq!((code, level(&report, "provider-key")), (1, "warning"));
    assert_eq!(level(&report, "keychain"), "ok");

    let copy = env.data.parent().expect("parent").join("corrupt");
    corrupt_copy(&env.data, &copy);
    let (code, report) = env.health_at(&copy, &[]);
    assert_eq!((code, level(&report, "database")), (2, "error"));
}
