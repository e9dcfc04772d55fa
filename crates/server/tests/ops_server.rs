//! Operations of a serving process, through the real binary over pipes: clean shutdown on
//! SIGTERM, SIGINT and end of input (exit status 0, WAL checkpointed, tool-call metrics flushed
//! and visible in `report`), a log folder that cannot be used, and `logs` over the daily files.

mod common;

use std::{
    fs,
    io::{BufRead, BufReader, Write},
    path::{Path, PathBuf},
    process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Output, Stdio},
    time::{Duration, Instant},
};

use common::CliRun;
use serde_json::{Value, json};

/// Only a guard against a hang: no test asserts how fast anything is.
const HANG_GUARD: Duration = Duration::from_secs(30);

struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

/// The binary with `home` as HOME, on `data`.
fn cli_run(home: &Path, data: &Path) -> CliRun {
    CliRun::in_home(home).data_dir(data)
}

impl Server {
    /// Starts `serve`; `log` is LLMGEN_LOG (unset when `None`).
    fn start_with(home: &Path, data: &Path, log: Option<&str>) -> Self {
        Self::start_env(home, data, log, &[])
    }

    fn start_env(home: &Path, data: &Path, log: Option<&str>, env: &[(&str, &str)]) -> Self {
        let mut run = cli_run(home, data).envs(env);
        if let Some(log) = log {
            run = run.env("LLMGEN_LOG", log);
        }
        let mut child = run
            .command(&["serve"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the server");
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut server = Self { child, stdin, stdout };
        server.request(
            json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"ops-test","version":"1"}}}),
        );
        server.send(json!({"jsonrpc":"2.0","method":"notifications/initialized"}));
        server
    }

    fn start(home: &Path, data: &Path, log: &str) -> Self {
        Self::start_with(home, data, Some(log))
    }

    fn send(&mut self, message: Value) {
        let stdin = self.stdin.as_mut().expect("input still open");
        writeln!(stdin, "{message}").expect("write");
        stdin.flush().expect("flush");
    }

    /// Sends a request and reads until its answer.
    fn request(&mut self, message: Value) -> Value {
        let id = message["id"].clone();
        self.send(message);
        loop {
            let mut line = String::new();
            assert!(
                self.stdout.read_line(&mut line).expect("read") > 0,
                "the server closed its output before answering {id}"
            );
            let v: Value = serde_json::from_str(&line).expect("stdout carries JSON-RPC only");
            if v["id"] == id {
                return v;
            }
        }
    }

    fn call(&mut self, id: u64, tool: &str, args: Value) -> Value {
        self.request(
            json!({"jsonrpc":"2.0","id":id,"method":"tools/call","params":{"name":tool,"arguments":args}}),
        )
    }

    /// Waits for the process to end (killing it and failing if it hangs).
    fn wait(mut self) -> ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            if started.elapsed() > HANG_GUARD {
                let _ = self.child.kill();
                panic!("the server did not exit (hang guard of {HANG_GUARD:?})");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn wal(data: &Path) -> PathBuf {
    data.join("llmgen.db-wal")
}

fn cli(home: &Path, data: &Path, args: &[&str]) -> Output {
    cli_run(home, data).ok(args)
}

/// Three list calls, one invalid call (a tool error) and one write: four template-manage calls
/// with one error and one template-to-params call. Leaves the WAL non-empty.
fn some_traffic(server: &mut Server) {
    for id in 1..=3 {
        let r = server.call(id, "template-manage", json!({"action": "list"}));
        assert_ne!(r["result"]["isError"], true, "{r}");
    }
    let r = server.call(4, "template-manage", json!({"action": "get"}));
    assert_eq!(r["result"]["isError"], true, "{r}");
    let r = server.call(
        5,
        "template-to-params",
        json!({"name": "translate-text", "args": {"source_lang": "en", "target_lang": "fr", "text": "hi"}}),
    );
    assert!(r.get("result").is_some(), "{r}");
    let r = server.call(
        6,
        "persona-manage",
        json!({"action": "add", "name": "shutdown-probe", "systemPrompt": "Be brief."}),
    );
    assert!(r.get("result").is_some() && r["result"]["isError"] != true, "{r}");
}

fn report(home: &Path, data: &Path) -> Value {
    let out = cli(home, data, &["report", "--json"]);
    serde_json::from_slice(&out.stdout).expect("report --json")
}

fn tool<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["tools"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["tool"] == name))
        .unwrap_or_else(|| panic!("{name} not in {report:#}"))
}

fn assert_clean_stop(status: ExitStatus, home: &Path, data: &Path, how: &str) {
    assert!(status.success(), "{how}: exit status {status:?}");
    let wal_len = fs::metadata(wal(data)).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal_len, 0, "{how}: the WAL is checkpointed (absent or empty)");
    let r = report(home, data);
    let t = tool(&r, "template-manage");
    assert_eq!(
        (t["calls"].as_u64(), t["errors"].as_u64()),
        (Some(4), Some(1)),
        "{how}: {r:#}"
    );
    assert!(
        t["p50Ms"].as_f64().is_some() && t["p95Ms"].as_f64().is_some(),
        "{r:#}"
    );
    assert_eq!(tool(&r, "persona-manage")["calls"], 1);
    assert_eq!(
        r["counts"]["personas"], 7,
        "{how}: the write before the stop was committed"
    );
}

#[test]
fn a_stop_signal_flushes_metrics_checkpoints_the_wal_and_exits_zero() {
    // Proves SIGTERM and SIGINT are a clean stop: the process exits with status 0, leaves no WAL
    // content behind, and the tool calls it served are in the database (flushed at exit, since
    // the periodic flush is a minute away).
    for signal in ["TERM", "INT"] {
        let tmp = tempfile::tempdir().expect("temp dir");
        let (home, data) = (tmp.path().to_path_buf(), tmp.path().join("data"));
        let mut server = Server::start(&home, &data, "info");
        some_traffic(&mut server);
        assert!(
            fs::metadata(wal(&data)).map(|m| m.len()).unwrap_or(0) > 0,
            "the write left data in the WAL before the signal"
        );
        let pid = server.child.id().to_string();
        let kill = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .expect("run kill");
        assert!(kill.success());
        // Input stays open: the signal alone must end the session.
        let status = server.wait();
        assert_clean_stop(status, &home, &data, &format!("SIG{signal}"));
        let log = fs::read_dir(data.join("logs"))
            .expect("logs")
            .filter_map(|e| e.ok())
            .map(|e| fs::read_to_string(e.path()).unwrap_or_default())
            .collect::<String>();
        assert!(log.contains(&format!("SIG{signal}: stopping")), "{log}");
    }
}

#[test]
fn end_of_input_is_a_clean_stop_too() {
    // Proves the client closing our input is handled like a signal: status 0, WAL
    // checkpointed, metrics flushed.
    let tmp = tempfile::tempdir().expect("temp dir");
    let (home, data) = (tmp.path().to_path_buf(), tmp.path().join("data"));
    let mut server = Server::start(&home, &data, "info");
    some_traffic(&mut server);
    drop(server.stdin.take());
    let status = server.wait();
    assert_clean_stop(status, &home, &data, "end of input");
}

#[test]
fn a_log_folder_that_is_a_file_does_not_stop_the_server() {
    // Proves a broken log folder is not fatal: logs/ is a file, yet the server answers
    // initialize and tools/list and stops cleanly; `logs` explains what to do.
    let tmp = tempfile::tempdir().expect("temp dir");
    let (home, data) = (tmp.path().to_path_buf(), tmp.path().join("data"));
    fs::create_dir_all(&data).expect("data");
    fs::write(data.join("logs"), "not a folder").expect("write");
    let mut server = Server::start(&home, &data, "debug");
    let r = server.request(json!({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}));
    assert!(
        r["result"]["tools"].as_array().is_some_and(|t| !t.is_empty()),
        "{r}"
    );
    drop(server.stdin.take());
    assert!(server.wait().success());
    let out = cli_run(&home, &data).run(&["logs"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("is not a folder") && err.contains("Move that file aside"),
        "{err}"
    );
}

#[test]
fn logs_filters_the_daily_files_by_level_and_age_and_the_level_comes_from_settings_or_llmgen_log() {
    // Proves `logs` reads what the server wrote, `--level` and `--since` filter it, and the
    // server's level comes from LLMGEN_LOG, else the log-level setting.
    let tmp = tempfile::tempdir().expect("temp dir");
    let (home, data) = (tmp.path().to_path_buf(), tmp.path().join("data"));
    let mut server = Server::start(&home, &data, "info");
    drop(server.stdin.take());
    assert!(server.wait().success());
    let out = cli(&home, &data, &["logs", "--level", "info"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("serving MCP on stdio"), "{text}");
    let out = cli(&home, &data, &["logs", "--level", "error"]);
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));

    // An old error in an old file, a fresh one in today's file (named like the server's).
    let logs = data.join("logs");
    let today = fs::read_dir(&logs)
        .expect("logs")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "log"))
        .expect("today's file");
    fs::write(
        logs.join("llmgen.2020-01-01.log"),
        "2020-01-01T10:00:00.000000Z ERROR llmgen_server: ancient failure\n",
    )
    .expect("old file");
    let first_line = fs::read_to_string(&today).expect("read");
    let stamp = first_line
        .split_whitespace()
        .next()
        .expect("timestamp")
        .to_string();
    let mut f = fs::OpenOptions::new().append(true).open(&today).expect("open");
    writeln!(f, "{stamp} ERROR llmgen_server: fresh failure").expect("append");
    drop(f);
    let out = cli(&home, &data, &["logs", "--level", "error", "--since", "1h"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("fresh failure") && !text.contains("ancient failure"),
        "{text}"
    );
    let out = cli(&home, &data, &["logs", "--level", "error"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("fresh failure") && text.contains("ancient failure"),
        "{text}"
    );

    // LLMGEN_LOG=warn: a fresh data dir's file gets no info line.
    let data2 = tmp.path().join("data2");
    let mut server = Server::start(&home, &data2, "warn");
    drop(server.stdin.take());
    assert!(server.wait().success());
    let out = cli(&home, &data2, &["logs", "--level", "trace"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("serving MCP on stdio"), "{text}");

    // The log-level setting: warn keeps info lines out; LLMGEN_LOG overrides it.
    let data3 = tmp.path().join("data3");
    cli(&home, &data3, &["settings", "set", "log-level", "warn"]);
    let info_lines = |data: &Path| {
        let out = cli(&home, data, &["logs", "--level", "info"]);
        String::from_utf8_lossy(&out.stdout)
            .matches("serving MCP on stdio")
            .count()
    };
    let mut server = Server::start_with(&home, &data3, None);
    drop(server.stdin.take());
    assert!(server.wait().success());
    assert_eq!(info_lines(&data3), 0, "the setting (warn) hides info lines");
    let mut server = Server::start_with(&home, &data3, Some("info"));
    drop(server.stdin.take());
    assert!(server.wait().success());
    assert_eq!(info_lines(&data3), 1, "LLMGEN_LOG=info overrides the setting");
}

#[test]
fn a_running_server_flushes_its_metrics_periodically() {
    // Proves the periodic flush (interval shortened to 1 s): the calls of a server that is still
    // serving show up in `report` without it stopping. Polls with a hang guard; no timing asserted.
    let tmp = tempfile::tempdir().expect("temp dir");
    let (home, data) = (tmp.path().to_path_buf(), tmp.path().join("data"));
    let mut server = Server::start_env(&home, &data, Some("info"), &[("LLMGEN_METRICS_FLUSH_SECS", "1")]);
    some_traffic(&mut server);
    let started = Instant::now();
    loop {
        let r = report(&home, &data);
        let calls = r["tools"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["tool"] == "template-manage"))
            .and_then(|t| t["calls"].as_u64());
        if calls == Some(4) {
            break;
        }
        assert!(started.elapsed() < HANG_GUARD, "never flushed: {r:#}");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        server.child.try_wait().expect("status").is_none(),
        "still serving"
    );
    drop(server.stdin.take());
    assert!(server.wait().success());
    // The exit flush adds nothing twice.
    let r = report(&home, &data);
    assert_eq!(tool(&r, "template-manage")["calls"], 4, "{r:#}");
}

#[test]
fn logs_follow_prints_lines_as_they_are_written() {
    // Proves `logs --follow` keeps reading: a line appended after it started reaches its output.
    let tmp = tempfile::tempdir().expect("temp dir");
    let (home, data) = (tmp.path().to_path_buf(), tmp.path().join("data"));
    let mut server = Server::start(&home, &data, "info");
    drop(server.stdin.take());
    assert!(server.wait().success());
    let today = fs::read_dir(data.join("logs"))
        .expect("logs")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "log"))
        .expect("today's file");
    let stamp = fs::read_to_string(&today)
        .expect("read")
        .split_whitespace()
        .next()
        .expect("timestamp")
        .to_string();
    let mut follower = cli_run(&home, &data)
        .command(&["logs", "--follow", "--level", "warn"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("logs --follow");
    let mut out = BufReader::new(follower.stdout.take().expect("stdout"));
    // Appended until it shows up: the follower may start reading after the first append.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        while out.read_line(&mut line).unwrap_or(0) > 0 {
            if line.contains("followed warning") {
                let _ = tx.send(line.clone());
                return;
            }
            line.clear();
        }
    });
    let started = Instant::now();
    let line = loop {
        let mut f = fs::OpenOptions::new().append(true).open(&today).expect("open");
        writeln!(f, "{stamp}  INFO llmgen_server: followed info").expect("append");
        writeln!(f, "{stamp}  WARN llmgen_server: followed warning").expect("append");
        drop(f);
        if let Ok(line) = rx.recv_timeout(Duration::from_secs(1)) {
            break line;
        }
        assert!(started.elapsed() < HANG_GUARD, "logs --follow printed nothing");
    };
    assert!(line.contains("WARN"), "{line}");
    let _ = follower.kill();
    let _ = follower.wait();
}

/// Proves, through the real binary: out-of-range numbers typed on the command line never panic.
/// `logs --since` longer than the clock can reach back means every entry (the 2020 one shows);
/// `report --day 9999-12-31` and `settings set conversation-retention-days 4000000` fail
/// cleanly with a message giving the accepted range.
#[test]
fn huge_ages_days_and_retentions_are_handled_without_a_panic() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (home, data) = (tmp.path().to_path_buf(), tmp.path().join("data"));
    let logs = data.join("logs");
    fs::create_dir_all(&logs).expect("logs");
    fs::write(
        logs.join("llmgen.2020-01-01.log"),
        "2020-01-01T10:00:00.000000Z ERROR llmgen_server: ancient failure\n",
    )
    .expect("old file");
    for age in ["40000000d", "9223372036854775807h", "99999999999999999999999d"] {
        let out = cli(&home, &data, &["logs", "--level", "error", "--since", age]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("ancient failure"), "--since {age}: {text}");
    }

    let refused = |args: &[&str], says: &str| {
        let out = cli_run(&home, &data).run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} must fail");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    };
    refused(&["report", "--day", "9999-12-31"], "up to 9999-12-30");
    cli(&home, &data, &["report", "--day", "9999-12-30"]);
    refused(
        &["settings", "set", "conversation-retention-days", "4000000"],
        "1 to 36500",
    );
    cli(&home, &data, &["maintain"]);
}
