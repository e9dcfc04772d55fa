//! Live servers and the emergency stop, with real processes on temp data dirs: two servers of
//! one data dir started as AI apps start them (`--client ID`, then the MCP handshake), a server
//! of another data dir and an unrelated child process. `servers` lists the two with what their
//! clients said; `stop --all` ends exactly them, backs up and pauses; a server started while
//! paused refuses tool calls until `resume`.

mod common;

use std::{path::Path, process::Output, time::Duration};

use common::{CliRun, Client, Era, Sampling, TestClient, call, connect_command, isolate, server_bin, text};
use serde_json::{Value, json};

/// A server of `data` as the entry we write for `client` starts it.
async fn start_for(data: &Path, client: &str, test_client: TestClient) -> Client {
    let mut cmd = tokio::process::Command::new(server_bin());
    cmd.arg("--data-dir").arg(data).args(["--client", client]);
    isolate(&mut cmd);
    connect_command(cmd, test_client).await
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// `servers --json` on `data`, run off the async runtime's threads.
async fn servers(data: &Path) -> Value {
    let data = data.to_path_buf();
    tokio::task::spawn_blocking(move || json_of(&CliRun::on(&data).ok(&["servers", "--json"])))
        .await
        .expect("servers")
}

/// Whether `pid` runs (a zombie, ended but not yet collected, does not).
fn runs(pid: u64) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit(')')
                .next()
                .map(|rest| rest.split_whitespace().next() != Some("Z"))
        })
        .unwrap_or(false)
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_all_ends_the_servers_of_its_data_dir_only_and_a_paused_server_refuses_until_resume() {
    // Proves: the registry lists the two servers of this data dir with the client id from their
    // entry and the name and sampling offer from their handshake; `stop --all` stops both
    // (SIGTERM), leaves a server of another data dir and an unrelated process running, takes an
    // emergency backup that verifies, and pauses: a server started afterwards answers a tool
    // call with the paused error, and after `resume` the same server answers it.
    let data = tempfile::tempdir().expect("data");
    let other = tempfile::tempdir().expect("other");
    let vscode = start_for(
        data.path(),
        "vscode",
        TestClient::new(Era::Legacy, Sampling::Unsupported),
    )
    .await;
    let claude = start_for(
        data.path(),
        "claude-desktop",
        TestClient::replying(Era::Modern, "hi"),
    )
    .await;
    let elsewhere = start_for(
        other.path(),
        "cursor",
        TestClient::new(Era::Legacy, Sampling::Unsupported),
    )
    .await;
    let mut unrelated = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .expect("sleep");
    // A tool call on each, so both have said who they are and been used.
    for client in [&vscode, &claude] {
        let listed = call(client, "template-manage", json!({"action": "list"})).await;
        assert_ne!(listed.is_error, Some(true), "{}", text(&listed));
    }
    let listing = servers(data.path()).await;
    let list = listing["servers"].as_array().expect("servers");
    assert_eq!(list.len(), 2, "{listing:#}");
    let by_client = |id: &str| {
        list.iter()
            .find(|s| s["clientId"] == id)
            .unwrap_or_else(|| panic!("no server for {id}: {listing:#}"))
            .clone()
    };
    let (vs, cd) = (by_client("vscode"), by_client("claude-desktop"));
    assert_eq!(vs["clientName"], "llmgen-test-client");
    assert_eq!(vs["sampling"], false);
    assert_eq!(cd["sampling"], true, "the modern client offered sampling: {cd:#}");
    assert!(vs["lastCallAt"].is_string(), "{vs:#}");
    assert_eq!(listing["paused"], Value::Null);
    let pids: Vec<u64> = list.iter().filter_map(|s| s["pid"].as_u64()).collect();
    assert!(pids.iter().all(|&p| runs(p)));
    let other_pid = servers(other.path()).await["servers"][0]["pid"]
        .as_u64()
        .expect("other pid");

    let stop = {
        let data = data.path().to_path_buf();
        tokio::task::spawn_blocking(move || CliRun::on(&data).ok(&["stop", "--all", "--json"]))
            .await
            .expect("stop")
    };
    let report = json_of(&stop);
    let outcomes: Vec<&str> = report["servers"]
        .as_array()
        .expect("servers")
        .iter()
        .filter_map(|s| s["outcome"].as_str())
        .collect();
    assert_eq!(outcomes, ["stopped", "stopped"], "{report:#}");
    assert_eq!(report["problems"], json!([]));
    tokio::time::sleep(Duration::from_millis(200)).await;
    for pid in &pids {
        assert!(!runs(*pid), "server {pid} still runs");
    }
    assert!(runs(other_pid), "the other data dir's server was stopped");
    assert!(
        unrelated.try_wait().expect("sleep state").is_none(),
        "an unrelated process was stopped"
    );
    let still = call(&elsewhere, "template-manage", json!({"action": "list"})).await;
    assert_ne!(still.is_error, Some(true), "{}", text(&still));
    let backup = report["backup"].as_str().expect("a backup path");
    assert!(backup.contains("-emergency"), "{backup}");
    CliRun::on(data.path()).ok(&["backup", "verify", backup]);
    assert_eq!(
        servers(data.path()).await["servers"],
        json!([]),
        "records of stopped servers are gone"
    );

    // An AI app starts its server again while paused.
    let again = start_for(
        data.path(),
        "vscode",
        TestClient::new(Era::Legacy, Sampling::Unsupported),
    )
    .await;
    let refused = call(&again, "template-manage", json!({"action": "list"})).await;
    assert_eq!(refused.is_error, Some(true));
    assert!(
        text(&refused).contains("paused by the user"),
        "{}",
        text(&refused)
    );
    let resumed = CliRun::on(data.path()).ok(&["resume"]);
    assert!(String::from_utf8_lossy(&resumed.stdout).contains("Resumed"));
    let answered = call(&again, "template-manage", json!({"action": "list"})).await;
    assert_ne!(answered.is_error, Some(true), "{}", text(&answered));

    let _ = unrelated.kill();
    let _ = unrelated.wait();
    for client in [again, elsewhere] {
        let _ = client.cancel().await;
    }
    drop((vscode, claude));
}
