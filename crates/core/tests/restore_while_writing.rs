//! `backup restore` while other processes keep writing (issue 18): every write those processes
//! saw acknowledged must end up in the restored database or in the pre-restore safety copy, and
//! no writer may fail because a restore made it wait.

use std::{
    collections::BTreeSet,
    fs::OpenOptions,
    io::Write,
    path::{Path, PathBuf},
    process::{Child, Command},
    time::{Duration, Instant},
};

use llmgen_core::{
    Store,
    conversation::contexts::{self, NewContext},
    operations::backup::{self, CreateOptions},
    paths::DataDir,
    progress::Silent,
};
use rusqlite::{Connection, OpenFlags};

const WRITER_DATA_ENV: &str = "LLMGEN_TEST_RESTORE_WRITER_DATA_DIR";
const WRITER_ACKS_ENV: &str = "LLMGEN_TEST_RESTORE_WRITER_ACKS";

fn new_context(name: &str) -> NewContext {
    NewContext {
        name: name.into(),
        system_prompt: String::new(),
        personality: String::new(),
        settings: Default::default(),
    }
}

/// Not a test on its own (ignored unless asked for): the body of each writer process of
/// `every_write_acknowledged_during_a_restore_survives_it`, which runs this test binary again.
/// Creates contexts named `w<pid>-<n>` one transaction each, as a server does for a tool call,
/// until the stop file appears; after each one it appends `ok <name>` (or `failed <name>: <error>`)
/// to its acknowledgement file, so the parent knows exactly which writes were acknowledged.
#[test]
#[ignore = "helper process of every_write_acknowledged_during_a_restore_survives_it"]
fn restore_writer_process() {
    let (Some(dir), Some(acks)) = (
        std::env::var_os(WRITER_DATA_ENV),
        std::env::var_os(WRITER_ACKS_ENV),
    ) else {
        return;
    };
    let data = DataDir::at(PathBuf::from(dir));
    let store = Store::open(&data).expect("writer opens the store");
    let mut acks = OpenOptions::new()
        .create(true)
        .append(true)
        .open(PathBuf::from(acks))
        .expect("acknowledgement file");
    let stop = data.root().join("stop");
    let mut n = 0;
    while !stop.exists() {
        let name = format!("w{}-{n}", std::process::id());
        // One write call per line, unbuffered: the line is in the file before the next write.
        let line = match contexts::create(&store, new_context(&name)) {
            Ok(_) => format!("ok {name}\n"),
            Err(e) => format!("failed {name}: {e}\n"),
        };
        acks.write_all(line.as_bytes())
            .expect("record the acknowledgement");
        n += 1;
    }
}

fn spawn_writer(data: &Path, acks: &Path) -> Child {
    Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "restore_writer_process",
            "--exact",
            "--ignored",
            "--test-threads=1",
        ])
        .env(WRITER_DATA_ENV, data)
        .env(WRITER_ACKS_ENV, acks)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawn writer")
}

/// Every context name in a database file, opened read-only.
fn context_names(path: &Path) -> BTreeSet<String> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    let mut stmt = conn.prepare("SELECT name FROM contexts").expect("prepare");
    stmt.query_map([], |r| r.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("names")
}

/// The writers' acknowledgement files: names acknowledged, and failures.
fn read_acks(files: &[PathBuf]) -> (BTreeSet<String>, Vec<String>) {
    let mut acked = BTreeSet::new();
    let mut failed = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for line in text.lines() {
            if let Some(name) = line.strip_prefix("ok ") {
                acked.insert(name.to_string());
            } else if !line.is_empty() {
                failed.push(line.to_string());
            }
        }
    }
    (acked, failed)
}

/// Proves: while four other processes create contexts as fast as they can, three restores of
/// an older backup lose none of their acknowledged writes — each acknowledged name is in the
/// final database or in one of the restores' pre-restore safety copies — and no writer fails
/// (a writer kept waiting by a restore resumes on the restored data). Before the fix the safety
/// copy was taken before the restore took the write lock, and the writes committed in between
/// were in neither.
#[test]
fn every_write_acknowledged_during_a_restore_survives_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = DataDir::at(dir.path().join("data"));
    let store = Store::open(&data).expect("store");
    // A few megabytes of conversation, so each copy takes long enough for writers to commit
    // many times while it runs.
    let filler = contexts::create(&store, new_context("filler"))
        .expect("context")
        .id;
    store
        .write(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT INTO messages (context_id, role, content, token_estimate, created_at) VALUES (?1, 'user', ?2, 1, '2026-11-23T00:00:00.000000Z')",
            )?;
            for _ in 0..4000 {
                insert.execute(rusqlite::params![filler, "x".repeat(1000)])?;
            }
            Ok(())
        })
        .expect("filler");
    drop(store);
    let (older, _) = backup::create(&data, &CreateOptions::default(), &Silent).expect("backup to restore");

    let acks: Vec<PathBuf> = (0..4).map(|i| dir.path().join(format!("acks-{i}.txt"))).collect();
    let mut writers: Vec<Child> = acks.iter().map(|a| spawn_writer(data.root(), a)).collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    while acks
        .iter()
        .any(|a| std::fs::read_to_string(a).map_or(0, |t| t.lines().count()) < 20)
    {
        assert!(Instant::now() < deadline, "the writers did not start writing");
        std::thread::sleep(Duration::from_millis(20));
    }

    let mut safety_copies = Vec::new();
    for _ in 0..3 {
        let report = backup::restore(&data, &older.path, None, &Silent).expect("restore while writing");
        safety_copies.push(report.safety_backup.expect("a safety copy of the live data").path);
        std::thread::sleep(Duration::from_millis(200));
    }
    std::fs::write(data.root().join("stop"), "").expect("stop file");
    for w in &mut writers {
        assert!(
            w.wait().expect("writer exits").success(),
            "a writer process failed"
        );
    }

    let (acked, failed) = read_acks(&acks);
    assert!(failed.is_empty(), "writes failed during the restores: {failed:?}");
    let live = context_names(&data.db_path());
    let mut found = live.clone();
    for copy in &safety_copies {
        found.extend(context_names(copy));
    }
    let missing: Vec<&String> = acked.difference(&found).collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged writes are in neither the restored database nor a safety copy: {:?}",
        missing.len(),
        acked.len(),
        missing.iter().take(10).collect::<Vec<_>>()
    );
    // The restores really replaced data under the writers: writes acknowledged before the last
    // restore are only in a safety copy now.
    assert!(
        acked.iter().any(|name| !live.contains(name)),
        "no acknowledged write was replaced by a restore: the test did not restore under load"
    );
}
