//! What a killed `backup create` leaves in the backup folder (its dot-named temp copy and the
//! journal SQLite keeps beside it) is removed by the next cleanup — `backup prune` and the
//! server's start-up backup check, not only the next backup — and never while a running
//! backup still writes it (issue 18).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::{Child, Command},
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

use llmgen_core::{
    Store,
    conversation::contexts::{self, NewContext},
    operations::backup::{self, CreateOptions, Retention},
    paths::DataDir,
    progress::{Progress, Silent},
};

const CHILD_DATA_ENV: &str = "LLMGEN_TEST_KILLED_BACKUP_DATA_DIR";
/// The file the paused child creates once it is in the middle of its copy.
const PAUSED: &str = "paused";

/// Stops the process for good in the middle of the database copy (after its first step, with
/// more pages to go), once it has said so in a marker file, so that the parent can kill it
/// exactly there.
struct PauseMidCopy {
    marker: PathBuf,
    copying: AtomicBool,
}

impl Progress for PauseMidCopy {
    fn stage(&self, label: &str, _total: Option<u64>) {
        self.copying
            .store(label == "Copying the database", Ordering::SeqCst);
    }

    fn advance(&self, _done: u64) {
        if self.copying.load(Ordering::SeqCst) {
            std::fs::write(&self.marker, "").expect("write the marker");
            loop {
                std::thread::sleep(Duration::from_secs(60));
            }
        }
    }

    fn finish(&self) {}
}

/// Not a test on its own (ignored unless asked for): the body of the backup process the tests
/// kill, which runs this test binary again with the data dir in LLMGEN_TEST_KILLED_BACKUP_DATA_DIR.
#[test]
#[ignore = "helper process of the killed-backup tests"]
fn backup_to_kill_process() {
    let Some(dir) = std::env::var_os(CHILD_DATA_ENV) else {
        return;
    };
    let data = DataDir::at(PathBuf::from(dir));
    let pause = PauseMidCopy {
        marker: data.root().join(PAUSED),
        copying: AtomicBool::new(false),
    };
    let _ = backup::create(&data, &CreateOptions::default(), &pause);
    panic!("the backup should have paused in its copy");
}

/// A data dir whose database spans several copy steps (8 MB), with one finished backup.
fn data_dir_with_a_backup(root: &Path) -> (DataDir, PathBuf) {
    let data = DataDir::at(root);
    let store = Store::open(&data).expect("store");
    let id = contexts::create(
        &store,
        NewContext {
            name: "filler".into(),
            system_prompt: String::new(),
            personality: String::new(),
            settings: Default::default(),
        },
    )
    .expect("context")
    .id;
    store
        .write(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT INTO messages (context_id, role, content, token_estimate, created_at) VALUES (?1, 'user', ?2, 1, '2026-11-23T00:00:00.000000Z')",
            )?;
            for _ in 0..8000 {
                insert.execute(rusqlite::params![id, "x".repeat(1000)])?;
            }
            Ok(())
        })
        .expect("filler");
    drop(store);
    let (info, _) = backup::create(&data, &CreateOptions::default(), &Silent).expect("backup");
    (data, info.path)
}

/// Starts a `backup create` in another process and returns once it is in the middle of its
/// copy, holding the backup lock.
fn backup_paused_mid_copy(data: &DataDir) -> Child {
    let child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "backup_to_kill_process",
            "--exact",
            "--ignored",
            "--test-threads=1",
        ])
        .env(CHILD_DATA_ENV, data.root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn the backup process");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !data.root().join(PAUSED).exists() {
        assert!(
            Instant::now() < deadline,
            "the backup process never reached its copy"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// The dot-named temp files in the backup folder.
fn temp_files(data: &DataDir) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(backup::backups_dir(data))
        .expect("backup folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".llmgen-"))
        })
        .collect();
    found.sort();
    found
}

/// Every finished backup and manifest with its bytes: what a cleanup must not touch.
fn finished_files(data: &DataDir) -> BTreeMap<PathBuf, Vec<u8>> {
    std::fs::read_dir(backup::backups_dir(data))
        .expect("backup folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("llmgen-"))
        })
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read");
            (p, bytes)
        })
        .collect()
}

/// True when `files` hold a temp copy and the copy's rollback journal (the files issue 18 found
/// piling up).
fn has_copy_and_journal(files: &[PathBuf]) -> bool {
    let ends = |end: &str| files.iter().any(|p| p.to_string_lossy().ends_with(end));
    ends(".tmp") && ends(".tmp-journal")
}

/// Proves: `backup prune` run while another process's backup is in its copy waits for it and
/// leaves its temp files alone (the backup lock); once that process is killed (kill -9), the
/// prune removes every file it left — the temp copy and SQLite's `.tmp-journal` beside it — and
/// nothing else: the finished backup and its manifest keep their bytes.
#[test]
fn prune_removes_a_killed_backups_temp_files_but_never_a_running_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (data, _) = data_dir_with_a_backup(dir.path());
    let finished = finished_files(&data);
    let mut child = backup_paused_mid_copy(&data);
    let running = temp_files(&data);
    assert!(
        has_copy_and_journal(&running),
        "the running backup writes a copy and its journal: {running:?}"
    );
    let prune = {
        let data = data.clone();
        std::thread::spawn(move || {
            backup::prune(
                &data,
                Retention {
                    keep_daily: 7,
                    keep_weekly: 4,
                },
            )
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    assert!(!prune.is_finished(), "prune waits for the running backup");
    assert_eq!(
        temp_files(&data),
        running,
        "a running backup's files are left alone"
    );

    child.kill().expect("kill -9 the backup");
    child.wait().expect("reap it");
    let report = prune.join().expect("prune thread").expect("prune");
    assert!(report.removed.is_empty(), "nothing was due for pruning");
    assert_eq!(temp_files(&data), Vec::<PathBuf>::new(), "every leftover removed");
    assert_eq!(finished_files(&data), finished, "finished backups untouched");
}

/// Proves: the backup check a server runs at start removes a killed backup's temp copy and
/// journal (and the `-wal`/`-shm` SQLite may keep beside such a copy) even when no backup is
/// due — before, only the next backup did, so with scheduled backups off or far apart they
/// stayed — and leaves the finished backup alone.
#[test]
fn the_start_up_backup_check_removes_a_killed_backups_leftovers_when_none_is_due() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (data, newest) = data_dir_with_a_backup(dir.path());
    let finished = finished_files(&data);
    let mut child = backup_paused_mid_copy(&data);
    child.kill().expect("kill -9 the backup");
    child.wait().expect("reap it");
    let left = temp_files(&data);
    assert!(
        has_copy_and_journal(&left),
        "the killed backup left a copy and its journal: {left:?}"
    );
    let copy = left
        .iter()
        .find(|p| p.to_string_lossy().ends_with(".tmp"))
        .expect("the temp copy");
    for suffix in ["-wal", "-shm"] {
        std::fs::write(format!("{}{suffix}", copy.display()), b"left").expect("plant");
    }
    // The backup taken a moment ago makes the next one not due.
    assert_eq!(backup::run_if_due(&data).expect("backup check"), None);
    assert_eq!(temp_files(&data), Vec::<PathBuf>::new(), "every leftover removed");
    assert_eq!(finished_files(&data), finished, "finished backups untouched");
    assert_eq!(backup::list(&data).expect("list")[0].path, newest);
}
