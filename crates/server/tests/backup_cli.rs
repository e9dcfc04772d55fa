//! `backup ...` through the real binary with temp data dirs: a restore while a real MCP server
//! process is serving (it answers from the restored data afterwards), kill -9 in the middle of
//! a restore (old or new data, intact), and the scheduled backup taken by exactly one of several
//! server processes started at once.

mod common;

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Output, Stdio},
    time::{Duration, Instant},
};

use common::*;
use llmgen_core::{Store, operations::backup, paths::DataDir};
use serde_json::json;

fn cli(data: &Path, args: &[&str]) -> Output {
    CliRun::on(data).ok(args)
}

fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

async fn context_names(client: &Client) -> Vec<String> {
    let page = ok(call(client, "context-manage", json!({"action": "list", "limit": 100})).await);
    let mut names: Vec<String> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["name"].as_str().expect("name").to_string())
        .collect();
    names.sort();
    names
}

async fn create_context(client: &Client, name: &str) {
    ok(call(
        client,
        "context-manage",
        json!({"action": "create-from-persona", "persona": "rational-advisor", "name": name}),
    )
    .await);
}

/// Proves: `backup restore` while a server process keeps its connection open replaces the data
/// under it without a restart — the same MCP session lists the restored contexts, and writes
/// through it afterwards work — and the safety backup holds what was there before.
#[tokio::test]
async fn a_restore_is_seen_by_a_server_that_keeps_serving() {
    let dir = temp_dir();
    let client = connect(dir.path(), TestClient::replying(Era::Legacy, "ok")).await;
    create_context(&client, "in-the-backup").await;
    let made = json_of(&cli(dir.path(), &["backup", "create", "--json"]));
    let file = made["backup"]["path"].as_str().expect("path").to_string();
    create_context(&client, "after-the-backup").await;
    assert_eq!(
        context_names(&client).await,
        ["after-the-backup", "in-the-backup"]
    );

    let restored = json_of(&cli(dir.path(), &["backup", "restore", &file, "--json"]));
    assert_eq!(restored["tables"]["contexts"], 1);
    assert_eq!(
        context_names(&client).await,
        ["in-the-backup"],
        "the running server answers from the restored data"
    );
    create_context(&client, "written-after-restore").await;
    assert_eq!(
        context_names(&client).await,
        ["in-the-backup", "written-after-restore"]
    );
    client.cancel().await.expect("close the session");

    let safety = PathBuf::from(restored["safetyBackup"]["path"].as_str().expect("safety backup"));
    let verified = json_of(&cli(
        dir.path(),
        &["backup", "verify", safety.to_str().expect("utf-8"), "--json"],
    ));
    assert_eq!(
        verified["tables"]["contexts"], 2,
        "the data before the restore is kept"
    );
}

/// Builds a database whose only context is `name`, with enough messages to make copying it
/// take a moment.
fn fill(store: &Store, name: &str) {
    store
        .write(|tx| {
            tx.execute("DELETE FROM contexts", [])?;
            tx.execute(
                "INSERT INTO contexts (id, name, temperature, max_tokens, max_history_tokens, expiry_days, created_at, last_activity_at, expires_at)
                 VALUES (?1, ?1, 0.5, 100, 1000, 30, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', '9999-01-01T00:00:00.000000Z')",
                [name],
            )?;
            let mut insert = tx.prepare(
                "INSERT INTO messages (context_id, role, content, token_estimate, created_at) VALUES (?1, 'user', ?2, 1, '2026-01-01T00:00:00.000000Z')",
            )?;
            let text = format!("{name} ").repeat(400);
            for _ in 0..24_000 {
                insert.execute(rusqlite_params(name, &text))?;
            }
            Ok(())
        })
        .expect("fill");
}

fn rusqlite_params<'a>(a: &'a str, b: &'a str) -> [&'a str; 2] {
    [a, b]
}

/// The one context's name and (message_count, messages) of a database file, after checking its
/// integrity through a fresh connection (which also recovers the WAL a killed writer left).
fn state(db: &Path) -> (Vec<String>, i64, i64) {
    let conn = rusqlite::Connection::open(db).expect("open");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(check, "ok");
    let names: Vec<String> = conn
        .prepare("SELECT name FROM contexts ORDER BY name")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("names");
    let (count, rows): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT COALESCE(SUM(message_count), 0) FROM contexts), (SELECT COUNT(*) FROM messages)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("counts");
    (names, count, rows)
}

/// Proves: kill -9 of `backup restore` while it is copying pages into the live database leaves
/// either the old or the restored data, whole (integrity ok, counts consistent), never a mix;
/// and the next restore runs normally (the lock died with the process).
#[test]
fn kill_9_in_the_middle_of_a_restore_leaves_old_or_new_data_intact() {
    let dir = temp_dir();
    let data = DataDir::at(dir.path());
    let store = Store::open(&data).expect("store");
    fill(&store, "new");
    let (file, _) = backup::create(
        &data,
        &backup::CreateOptions::default(),
        &llmgen_core::progress::Silent,
    )
    .expect("backup of the new state");
    fill(&store, "old");
    drop(store);
    let old_state = state(&data.db_path());
    assert_eq!(old_state.0, ["old"]);
    let new_state = {
        // The state inside the backup, read from a copy (opening it must not touch the backup).
        let copy = dir.path().join("expected-new.db");
        std::fs::copy(&file.path, &copy).expect("copy");
        state(&copy)
    };
    assert_eq!(new_state.0, ["new"]);

    let mut child = CliRun::on(dir.path())
        .command(&["backup", "restore"])
        .arg(&file.path)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the restore");
    let stderr = child.stderr.take().expect("stderr");
    let mut caught_mid_copy = false;
    for line in BufReader::new(stderr).lines() {
        let line = line.expect("line");
        // Plain progress lines (stderr is a pipe): "Restoring: 10% of 100.0 MB".
        if line.starts_with("Restoring: ") && line.contains('%') {
            child.kill().expect("kill -9");
            caught_mid_copy = true;
            break;
        }
    }
    let status = child.wait().expect("wait");
    assert!(
        caught_mid_copy && !status.success(),
        "the restore ended before it could be interrupted; make the database larger"
    );

    let after = state(&data.db_path());
    assert!(
        after == old_state || after == new_state,
        "neither the old nor the new data: {after:?}"
    );

    // The lock died with the process: a new restore completes and gives the new data.
    cli(
        dir.path(),
        &["backup", "restore", file.path.to_str().expect("utf-8")],
    );
    assert_eq!(state(&data.db_path()), new_state);
}

/// Proves: with no backup yet, several server processes started at once take exactly one
/// scheduled backup between them, in the background, while their sessions work normally.
#[tokio::test]
async fn the_scheduled_backup_is_taken_once_by_one_of_several_servers() {
    let dir = temp_dir();
    drop(Store::open(&DataDir::at(dir.path())).expect("an existing database"));
    let mut clients = Vec::new();
    for _ in 0..3 {
        clients.push(connect(dir.path(), TestClient::replying(Era::Legacy, "ok")).await);
    }
    for c in &clients {
        assert!(context_names(c).await.is_empty(), "sessions answer at once");
    }
    let data = DataDir::at(dir.path());
    let deadline = Instant::now() + Duration::from_secs(120);
    // Each server logs its decision: one "scheduled backup taken", the others "no scheduled
    // backup due" (after seeing the backup or the lock).
    let decisions = || {
        let mut taken = 0;
        let mut skipped = 0;
        for entry in std::fs::read_dir(data.logs_dir()).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            taken += text.matches("scheduled backup taken").count();
            skipped += text.matches("no scheduled backup due").count();
        }
        (taken, skipped)
    };
    while decisions().0 + decisions().1 < 3 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(decisions(), (1, 2), "one server takes it, the others skip");
    let list = backup::list(&data).expect("list");
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].reason, Some(backup::Reason::Scheduled));
    for c in clients {
        c.cancel().await.expect("close");
    }
}

/// Proves: `maintain --json` reports what it did (expired contexts purged, vacuum, checkpoint,
/// integrity) and the space won, measured on the real file.
#[test]
fn maintain_reports_what_it_did() {
    let dir = temp_dir();
    let data = DataDir::at(dir.path());
    let store = Store::open(&data).expect("store");
    fill(&store, "expired");
    store
        .write(|tx| {
            tx.execute(
                "UPDATE contexts SET expires_at = '2000-01-01T00:00:00.000000Z'",
                [],
            )?;
            Ok(())
        })
        .expect("expire");
    drop(store);
    let report = json_of(&cli(dir.path(), &["maintain", "--json"]));
    assert_eq!(report["expiredContextsPurged"], 1);
    assert_eq!(report["vacuum"], "full");
    assert_eq!(report["integrity"], "ok");
    let after = std::fs::metadata(data.db_path()).expect("meta").len();
    assert_eq!(report["sizeAfter"].as_u64(), Some(after));
    assert!(
        report["spaceWon"].as_u64().expect("spaceWon") > 10_000_000,
        "{report}"
    );
}

/// Proves: with `backup-schedule` off, a server process takes no backup.
#[tokio::test]
async fn the_schedule_can_be_turned_off() {
    let dir = temp_dir();
    cli(dir.path(), &["settings", "set", "backup-schedule", "false"]);
    let client = connect(dir.path(), TestClient::replying(Era::Legacy, "ok")).await;
    let data = DataDir::at(dir.path());
    let deadline = Instant::now() + Duration::from_secs(120);
    let decided = || {
        std::fs::read_dir(data.logs_dir())
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                std::fs::read_to_string(e.path())
                    .unwrap_or_default()
                    .contains("no scheduled backup due")
            })
    };
    while !decided() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(decided(), "the server looked and decided");
    assert!(backup::list(&data).expect("list").is_empty());
    client.cancel().await.expect("close");
}

/// Proves, through the real binary with no reachable keychain (a container): the
/// LLMGEN_BACKUP_PASSPHRASE fallback makes and opens an encrypted backup, and a wrong value is
/// refused with a message that names the keychain first.
#[test]
fn without_a_keychain_the_passphrase_variable_is_the_fallback() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    cli(data, &["settings"]);
    let run = |args: &[&str], pass: &str| CliRun::on(data).env("LLMGEN_BACKUP_PASSPHRASE", pass).run(args);
    let made = run(&["backup", "create", "--encrypt", "--json"], "env-pass");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let made = json_of(&made);
    assert_eq!(made["backup"]["encrypted"], true);
    let file = made["backup"]["path"].as_str().expect("path").to_string();
    let verified = run(&["backup", "verify", &file], "env-pass");
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    let wrong = run(&["backup", "verify", &file], "not-it");
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(!wrong.status.success());
    assert!(
        stderr.contains("passphrase does not open") && stderr.contains("keychain"),
        "{stderr}"
    );
}

/// Proves: the memory travels with backups. `backup verify` counts its notes and its search
/// index; after `backup restore` a note stored before the backup is back and found by search
/// (through the CLI), a note stored after it is gone, the daily report counts it and `maintain`
/// keeps it; a damaged search index fails the integrity check of backups and maintain.
#[test]
fn memories_are_backed_up_verified_and_restored_searchable() {
    use llmgen_core::memory::{self, Actor, NewMemory};
    let dir = temp_dir();
    let store = Store::open(&DataDir::at(dir.path())).expect("store");
    let remember = |title: &str, content: &str| {
        memory::create(
            &store,
            &Actor::User,
            NewMemory {
                title: title.into(),
                content: content.into(),
                ..NewMemory::default()
            },
        )
        .expect("create")
        .id
    };
    let kept = remember("東京の宿", "東京駅の近くに泊まる");
    let made = json_of(&cli(dir.path(), &["backup", "create", "--json"]));
    let file = made["backup"]["path"].as_str().expect("path").to_string();
    assert_eq!(made["manifest"]["tables"]["memories"], 1, "{made}");
    remember("Later", "written after the backup");

    let verified = json_of(&cli(dir.path(), &["backup", "verify", &file, "--json"]));
    assert_eq!(verified["tables"]["memories"], 1);
    assert_eq!(
        verified["tables"]["memory_fts"], 1,
        "the search index is counted too"
    );

    let restored = json_of(&cli(dir.path(), &["backup", "restore", &file, "--json"]));
    assert_eq!(restored["tables"]["memories"], 1);
    let found = json_of(&cli(dir.path(), &["memory", "search", "東京", "--json"]));
    assert_eq!(found["results"][0]["id"], kept, "{found}");
    let later = json_of(&cli(dir.path(), &["memory", "search", "written", "--json"]));
    assert_eq!(later["total"], 0, "{later}");
    let report = json_of(&cli(dir.path(), &["report", "--json"]));
    assert_eq!(report["counts"]["memories"], 1, "{report}");
    let maintained = json_of(&cli(dir.path(), &["maintain", "--json"]));
    assert_eq!(
        (
            maintained["integrity"].as_str(),
            maintained["memoryIndexOptimized"].as_bool()
        ),
        (Some("ok"), Some(true)),
        "{maintained}"
    );
    let found = json_of(&cli(dir.path(), &["memory", "search", "東京", "--json"]));
    assert_eq!(found["total"], 1, "maintain keeps notes: {found}");

    // A damaged search index is found by the integrity check that every backup, verify,
    // restore and maintain runs: no backup is taken of it, and maintain says so.
    store
        .write(|tx| {
            tx.execute("UPDATE memory_fts_data SET block = X'00112233' WHERE id > 10", [])?;
            Ok(())
        })
        .expect("damage the index");
    drop(store);
    let out = CliRun::on(dir.path()).run(&["backup", "create"]);
    assert!(
        !out.status.success(),
        "a damaged index must not pass as a good backup"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("fts5"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = CliRun::on(dir.path()).run(&["maintain"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("fts5"));
    cli(dir.path(), &["backup", "verify", &file]);
}
