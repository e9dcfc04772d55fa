//! Database backups on real SQLite files in temp data dirs: a consistent copy while four other
//! processes write, encrypted round trips, refusal of damaged backups with nothing changed,
//! restore, retention and maintenance.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::{Child, Command},
    time::{Duration, Instant},
};

use llmgen_core::{
    Store,
    conversation::contexts::{self, NewContext},
    operations::backup::{self, BackupError, CreateOptions, Retention},
    operations::maintain::{self, Vacuum},
    paths::DataDir,
    progress::Silent,
    secrets::Secret,
};
use rusqlite::{Connection, OpenFlags};

fn new_context(store: &Store, name: &str) -> String {
    contexts::create(
        store,
        NewContext {
            name: name.into(),
            system_prompt: String::new(),
            personality: String::new(),
            settings: Default::default(),
        },
    )
    .expect("create context")
    .id
}

fn add_messages(store: &Store, context_id: &str, n: usize, text: &str) {
    store
        .write(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT INTO messages (context_id, role, content, token_estimate, created_at) VALUES (?1, 'user', ?2, 1, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
            )?;
            for _ in 0..n {
                insert.execute(rusqlite::params![context_id, text])?;
            }
            Ok(())
        })
        .expect("add messages");
}

/// Rows per table of a database file, opened read-only.
fn counts(path: &Path) -> BTreeMap<String, u64> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("names");
    names
        .into_iter()
        .map(|n| {
            let c: i64 = conn
                .query_row(&format!("SELECT COUNT(*) FROM \"{n}\""), [], |r| r.get(0))
                .expect("count");
            (n, c as u64)
        })
        .collect()
}

fn integrity(path: &Path) -> String {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check")
}

/// Context names in the live database: the "state" a restore must keep or replace whole.
fn names(store: &Store) -> Vec<String> {
    let mut names: Vec<String> = contexts::list(store, None, Some(100))
        .expect("list")
        .items
        .into_iter()
        .map(|c| c.name)
        .collect();
    names.sort();
    names
}

const WRITER_ENV: &str = "LLMGEN_TEST_WRITER_DATA_DIR";

/// Not a test on its own (ignored unless asked for): the body of each writer process of
/// `a_backup_taken_while_four_processes_write_is_consistent`, which runs this test binary again
/// with LLMGEN_TEST_WRITER_DATA_DIR set. Writes turns (a context row, then messages whose count
/// the triggers keep in the context) until the stop file appears.
#[test]
#[ignore = "helper process of a_backup_taken_while_four_processes_write_is_consistent"]
fn writer_process() {
    let Some(dir) = std::env::var_os(WRITER_ENV) else {
        return;
    };
    let data = DataDir::at(PathBuf::from(dir));
    let store = Store::open(&data).expect("writer opens the store");
    let stop = data.root().join("stop");
    let mut n = 0;
    while !stop.exists() {
        let id = new_context(&store, &format!("w{}-{n}", std::process::id()));
        add_messages(&store, &id, 20, &"x".repeat(200));
        n += 1;
    }
}

fn spawn_writer(data: &Path) -> Child {
    Command::new(std::env::current_exe().expect("test binary"))
        .args(["writer_process", "--exact", "--ignored", "--test-threads=1"])
        .env(WRITER_ENV, data)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawn writer")
}

/// Proves: backups taken while four other processes commit as fast as they can are consistent
/// snapshots — each copy passes SQLite's integrity check, its row counts are exactly the
/// manifest's, every context's trigger-kept message_count matches its messages (no half
/// transaction), and the writers never fail.
#[test]
fn a_backup_taken_while_four_processes_write_is_consistent() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = DataDir::at(dir.path());
    let store = Store::open(&data).expect("store");
    let mut writers: Vec<Child> = (0..4).map(|_| spawn_writer(dir.path())).collect();
    // Wait until all four are writing.
    let deadline = Instant::now() + Duration::from_secs(120);
    while names(&store).len() < 8 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut taken = Vec::new();
    for _ in 0..3 {
        taken.push(backup::create(&data, &CreateOptions::default(), &Silent).expect("backup while writing"));
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::write(dir.path().join("stop"), "").expect("stop file");
    for w in &mut writers {
        assert!(w.wait().expect("writer exits").success(), "a writer failed");
    }
    let final_counts = counts(&data.db_path());
    let mut message_counts = Vec::new();
    for (info, manifest) in &taken {
        assert_eq!(integrity(&info.path), "ok");
        let copy = counts(&info.path);
        assert_eq!(copy, manifest.tables, "the manifest's counts are the copy's");
        assert!(copy["messages"] <= final_counts["messages"]);
        let conn = Connection::open_with_flags(&info.path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
        let mismatched: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM contexts c WHERE c.message_count != (SELECT COUNT(*) FROM messages m WHERE m.context_id = c.id)",
                [],
                |r| r.get(0),
            )
            .expect("query");
        assert_eq!(mismatched, 0, "a copy holds no half-written turn");
        assert_eq!(copy["messages"] % 20, 0, "whole turns only");
        message_counts.push(copy["messages"]);
        backup::verify(&data, &info.path, None, &Silent).expect("verifies");
    }
    assert!(
        message_counts.windows(2).all(|w| w[0] <= w[1])
            && message_counts[0] > 0
            && message_counts[2] > message_counts[0]
            && final_counts["messages"] > message_counts[2],
        "copies were taken while data grew: {message_counts:?}"
    );
}

/// Proves: an encrypted backup is not readable as SQLite, verifies and restores with the right
/// passphrase, and is refused with a clear message without one or with a wrong one.
#[test]
fn an_encrypted_backup_round_trips_and_needs_its_passphrase() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = DataDir::at(dir.path());
    let store = Store::open(&data).expect("store");
    new_context(&store, "before");
    let pass = Secret::new("correct horse battery staple");
    let options = CreateOptions {
        passphrase: Some(pass.clone()),
        ..CreateOptions::default()
    };
    let (info, _) = backup::create(&data, &options, &Silent).expect("encrypted backup");
    assert!(info.encrypted && backup::is_encrypted(&info.path));
    let head = std::fs::read(&info.path).expect("read");
    assert!(head.starts_with(b"age-encryption.org/v1"), "an age file");
    assert!(!head.windows(6).any(|w| w == b"before"), "no plaintext inside");

    let err = backup::verify(&data, &info.path, None, &Silent).expect_err("needs a passphrase");
    assert!(matches!(err, BackupError::PassphraseNeeded(_)), "{err}");
    let err = backup::verify(&data, &info.path, Some(&Secret::new("wrong")), &Silent).expect_err("wrong");
    assert!(matches!(err, BackupError::WrongPassphrase(_)), "{err}");
    assert!(err.to_string().contains("passphrase"));
    let report = backup::verify(&data, &info.path, Some(&pass), &Silent).expect("verifies");
    assert!(report.encrypted);

    new_context(&store, "after");
    assert_eq!(names(&store), ["after", "before"]);
    let restored = backup::restore(&data, &info.path, Some(&pass), &Silent).expect("restore");
    assert_eq!(names(&store), ["before"], "the open store sees the restored data");
    let safety = restored.safety_backup.expect("a safety backup");
    assert_eq!(
        counts(&safety.path)["contexts"],
        2,
        "the safety backup holds the data before"
    );

    // On another computer: a fresh data dir with no database restores from the file alone.
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let moved = elsewhere.path().join("moved.db.age");
    std::fs::copy(&info.path, &moved).expect("copy the backup");
    std::fs::copy(
        format!("{}.json", info.path.display()),
        format!("{}.json", moved.display()),
    )
    .expect("copy its manifest");
    let fresh = DataDir::at(elsewhere.path().join("data"));
    let restored = backup::restore(&fresh, &moved, Some(&pass), &Silent).expect("restore elsewhere");
    assert!(restored.safety_backup.is_none(), "nothing to keep");
    assert_eq!(names(&Store::open(&fresh).expect("open")), ["before"]);
}

/// Proves: a live database that fails SQLite's integrity check can still be restored (the
/// health check tells people to do exactly that): the restore succeeds, the live data is the
/// backup's, and the damaged data is kept as a pre-restore safety copy named `-damaged` whose
/// manifest records the failed check.
#[test]
fn a_damaged_live_database_is_restored_and_its_data_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = DataDir::at(dir.path());
    let (good, expected_names) = {
        let store = Store::open(&data).expect("store");
        let id = new_context(&store, "good");
        add_messages(&store, &id, 300, &"z".repeat(400));
        let (good, _) = backup::create(&data, &CreateOptions::default(), &Silent).expect("backup");
        new_context(&store, "later");
        (good, names(&store))
    };
    assert_eq!(expected_names, ["good", "later"]);
    // Closing the store checkpointed the WAL; damage every page but the first and the last (as
    // health_cli's corrupt_copy does), so the file opens but fails the integrity check.
    let db = data.db_path();
    let mut bytes = std::fs::read(&db).expect("read database");
    assert!(bytes.len() > 8 * 4096, "database spans pages");
    let end = bytes.len() - 4096;
    for b in &mut bytes[4096 * 2..end] {
        *b = 0x5A;
    }
    std::fs::write(&db, &bytes).expect("corrupt the live database");
    let damaged = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|c| c.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0)));
    assert!(
        !matches!(damaged.as_deref(), Ok("ok")),
        "the live database is damaged"
    );

    let report = backup::restore(&data, &good.path, None, &Silent).expect("restore over a damaged database");
    assert_eq!(integrity(&db), "ok");
    assert_eq!(counts(&db), counts(&good.path), "the live data is the backup's");
    assert_eq!(names(&Store::open(&data).expect("open")), ["good"]);

    let safety = report.safety_backup.expect("a safety copy of the damaged data");
    assert!(safety.path.exists());
    let file_name = safety
        .path
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(file_name.ends_with("-pre-restore-damaged.db"), "{file_name}");
    assert_eq!(safety.reason, Some(backup::Reason::PreRestore));
    assert!(safety.integrity_failed);
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}.json", safety.path.display())).expect("manifest"),
    )
    .expect("json");
    assert!(manifest["integrityFailed"].is_string(), "{manifest}");
    assert_eq!(
        std::fs::read(&safety.path).expect("read safety copy").len(),
        bytes.len(),
        "the damaged data is kept whole"
    );
}

/// A [`Progress`] that, at every report, looks through one folder for a plain SQLite file
/// (by its "SQLite format 3" header) and remembers any it sees: it watches the folder while a
/// backup is being made, not only after it is done.
struct WatchForPlain {
    dir: PathBuf,
    seen: std::sync::Mutex<Vec<PathBuf>>,
}

impl WatchForPlain {
    fn look(&self) {
        for entry in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let head = std::fs::read(&path)
                .map(|b| b.starts_with(b"SQLite format 3"))
                .unwrap_or(false);
            let mut seen = self.seen.lock().expect("not poisoned");
            if head && !seen.contains(&path) {
                seen.push(path);
            }
        }
    }
}

impl llmgen_core::progress::Progress for WatchForPlain {
    fn stage(&self, _label: &str, _total: Option<u64>) {
        self.look();
    }
    fn advance(&self, _done: u64) {
        self.look();
    }
    fn finish(&self) {
        self.look();
    }
}

/// Proves: `create --encrypt --to DIR` never puts the unencrypted copy in DIR (a synced folder
/// or USB stick where a killed run would leave it): at no progress report during the backup is
/// there a plain SQLite file in DIR, and afterwards DIR holds exactly the encrypted backup and
/// its manifest.
#[test]
fn an_encrypted_backup_to_another_folder_never_writes_plain_data_there() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = DataDir::at(dir.path().join("data"));
    let store = Store::open(&data).expect("store");
    let id = new_context(&store, "secret");
    add_messages(&store, &id, 200, &"s".repeat(500));
    let to = dir.path().join("usb");
    std::fs::create_dir_all(&to).expect("mkdir");
    let watch = WatchForPlain {
        dir: to.clone(),
        seen: std::sync::Mutex::new(Vec::new()),
    };
    let options = CreateOptions {
        to: Some(to.clone()),
        passphrase: Some(Secret::new("pw")),
        ..CreateOptions::default()
    };
    let (info, _) = backup::create(&data, &options, &watch).expect("encrypted backup");
    assert_eq!(
        *watch.seen.lock().expect("not poisoned"),
        Vec::<PathBuf>::new(),
        "no plain database in the target folder at any time"
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&to)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            info.path.clone(),
            PathBuf::from(format!("{}.json", info.path.display()))
        ]
    );
    assert!(backup::is_encrypted(&info.path));
}

/// Proves: the decrypted scratch copy a killed verify or restore leaves behind (planted here as
/// another process's `.restore-<pid>` folder, and a killed create's plain temp copy) is removed
/// by the next verify and the next restore, not only by the next create.
#[test]
fn verify_and_restore_remove_a_killed_runs_decrypted_leftovers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = DataDir::at(dir.path());
    let store = Store::open(&data).expect("store");
    new_context(&store, "c");
    let pass = Secret::new("pw");
    let options = CreateOptions {
        passphrase: Some(pass.clone()),
        ..CreateOptions::default()
    };
    let (info, _) = backup::create(&data, &options, &Silent).expect("encrypted backup");
    let plant = || {
        let scratch = backup::backups_dir(&data).join(".restore-4000000");
        std::fs::create_dir_all(&scratch).expect("plant scratch");
        std::fs::write(scratch.join("restore.db"), b"SQLite format 3\0decrypted").expect("plant copy");
        let temp = backup::backups_dir(&data).join(".llmgen-20260101T000000.000000Z.db.copy.4000000.tmp");
        std::fs::write(&temp, b"SQLite format 3\0plain").expect("plant temp");
        (scratch, temp)
    };
    let (scratch, temp) = plant();
    backup::verify(&data, &info.path, Some(&pass), &Silent).expect("verify");
    assert!(!scratch.exists(), "verify removed the leftover decrypted copy");
    assert!(!temp.exists(), "verify removed the leftover plain temp copy");
    let (scratch, temp) = plant();
    backup::restore(&data, &info.path, Some(&pass), &Silent).expect("restore");
    assert!(!scratch.exists() && !temp.exists(), "restore removed them too");
}

fn assert_refused_and_unchanged(
    data: &DataDir,
    store: &Store,
    file: &Path,
    pass: Option<&Secret>,
) -> BackupError {
    let before_names = names(store);
    let before_backups = backup::list(data).expect("list").len();
    let err = backup::restore(data, file, pass, &Silent).expect_err("must refuse");
    assert_eq!(names(store), before_names, "the live data is unchanged");
    assert_eq!(
        backup::list(data).expect("list").len(),
        before_backups,
        "refused before any safety backup was taken"
    );
    err
}

/// Proves: a backup with a flipped byte or cut short is refused by verify and restore with a
/// message that says so, and a refused restore changes nothing — including an encrypted backup
/// whose manifest was rewritten to match the damage (age's authentication catches it).
#[test]
fn tampered_and_truncated_backups_are_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = DataDir::at(dir.path());
    let store = Store::open(&data).expect("store");
    let id = new_context(&store, "kept");
    add_messages(&store, &id, 200, &"y".repeat(500));
    let (plain, _) = backup::create(&data, &CreateOptions::default(), &Silent).expect("backup");
    new_context(&store, "live");

    let mut bytes = std::fs::read(&plain.path).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&plain.path, &bytes).expect("tamper");
    let err = assert_refused_and_unchanged(&data, &store, &plain.path, None);
    assert!(matches!(err, BackupError::Checksum { .. }), "{err}");
    assert!(err.to_string().contains("changed or damaged"), "{err}");

    bytes[middle] ^= 0xff;
    std::fs::write(&plain.path, &bytes[..bytes.len() - 4096]).expect("truncate");
    let err = assert_refused_and_unchanged(&data, &store, &plain.path, None);
    assert!(matches!(err, BackupError::SizeMismatch { .. }), "{err}");
    assert!(err.to_string().contains("truncated"), "{err}");
    let err = backup::verify(&data, &plain.path, None, &Silent).expect_err("verify refuses too");
    assert!(matches!(err, BackupError::SizeMismatch { .. }), "{err}");

    let pass = Secret::new("pw");
    let options = CreateOptions {
        passphrase: Some(pass.clone()),
        ..CreateOptions::default()
    };
    let (sealed, _) = backup::create(&data, &options, &Silent).expect("encrypted backup");
    let mut bytes = std::fs::read(&sealed.path).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&sealed.path, &bytes).expect("tamper");
    // Rewrite the manifest to match, as if both had been replaced: decryption must catch it.
    let manifest_path = PathBuf::from(format!("{}.json", sealed.path.display()));
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).expect("manifest")).expect("json");
    let sha = {
        use sha2::Digest;
        sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    manifest["sha256"] = sha.into();
    std::fs::write(&manifest_path, manifest.to_string()).expect("rewrite manifest");
    let err = assert_refused_and_unchanged(&data, &store, &sealed.path, Some(&pass));
    assert!(matches!(err, BackupError::Decrypt { .. }), "{err}");
    assert_eq!(integrity(&data.db_path()), "ok");
}

/// Proves: prune keeps the newest backup of each of the last N days and M weeks and deletes
/// the others with their manifests.
#[test]
fn prune_keeps_the_retention_and_deletes_the_rest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = DataDir::at(dir.path());
    Store::open(&data).expect("store");
    // Six backups, two per day over three days (manifests dated back by hand).
    let mut made = Vec::new();
    for i in 0..6 {
        let (info, _) = backup::create(&data, &CreateOptions::default(), &Silent).expect("backup");
        let manifest_path = PathBuf::from(format!("{}.json", info.path.display()));
        let mut m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&manifest_path).expect("read")).expect("json");
        let created = time::OffsetDateTime::now_utc() - time::Duration::hours(12 * i);
        m["created"] = created
            .format(&time::format_description::well_known::Rfc3339)
            .expect("format")
            .into();
        std::fs::write(&manifest_path, m.to_string()).expect("write");
        made.push(info.path);
    }
    let report = backup::prune(
        &data,
        Retention {
            keep_daily: 2,
            keep_weekly: 1,
        },
    )
    .expect("prune");
    // Days: the newest of today and of yesterday (2); the week's newest is today's.
    let days: std::collections::BTreeSet<_> = (0..6)
        .map(|i| (time::OffsetDateTime::now_utc() - time::Duration::hours(12 * i)).date())
        .collect();
    assert!(days.len() >= 3);
    assert_eq!(report.kept.len(), 2, "{report:?}");
    assert_eq!(report.removed.len(), 4);
    assert_eq!(report.kept[0], made[0], "the newest is kept");
    assert_eq!(backup::list(&data).expect("list").len(), 2);
    for removed in &report.removed {
        assert!(!removed.exists());
        assert!(!PathBuf::from(format!("{}.json", removed.display())).exists());
    }
    // A manifest left without its backup (deleted by hand) is cleaned up by the next backup.
    let orphan = backup::backups_dir(&data).join("llmgen-20200101T000000.000000Z.db.json");
    std::fs::write(&orphan, "{}").expect("orphan");
    backup::create(&data, &CreateOptions::default(), &Silent).expect("backup");
    assert!(!orphan.exists());
}

/// Proves: maintain purges expired contexts (and their messages), vacuums once the freed pages
/// pass the threshold, reports the space won truthfully, and leaves live contexts alone.
#[test]
fn maintain_purges_expired_contexts_and_reports_space_won() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = DataDir::at(dir.path());
    let store = Store::open(&data).expect("store");
    let live = new_context(&store, "live");
    add_messages(&store, &live, 10, "hello");
    for i in 0..3 {
        let id = new_context(&store, &format!("old{i}"));
        add_messages(&store, &id, 300, &"z".repeat(2000));
        store
            .write(|tx| {
                tx.execute(
                    "UPDATE contexts SET expires_at = '2000-01-01T00:00:00.000000Z' WHERE id = ?1",
                    [&id],
                )?;
                Ok(())
            })
            .expect("expire");
    }
    store
        .read(|c| Ok(c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?))
        .expect("checkpoint");
    let size_before = std::fs::metadata(data.db_path()).expect("meta").len();

    let report = maintain::maintain(&store, &Silent).expect("maintain");
    assert_eq!(report.expired_contexts_purged, 3);
    assert_eq!(report.vacuum, Vacuum::Full);
    assert_eq!(report.integrity, "ok");
    assert!(report.wal_checkpointed);
    let size_after = std::fs::metadata(data.db_path()).expect("meta").len();
    assert!(size_after < size_before / 2, "{size_before} -> {size_after}");
    assert_eq!(report.size_after, size_after, "the report measures the real file");
    assert!(report.space_won >= size_before - size_after, "{report:?}");
    assert_eq!(names(&store), ["live"]);
    let messages: i64 = store
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))?))
        .expect("count");
    assert_eq!(messages, 10, "the expired contexts' messages went with them");

    // A second run finds nothing to do.
    let again = maintain::maintain(&store, &Silent).expect("maintain again");
    assert_eq!(
        (again.expired_contexts_purged, again.vacuum),
        (0, Vacuum::Skipped)
    );
}

/// Proves: with a retention set, maintain deletes messages older than it and keeps newer ones.
#[test]
fn maintain_applies_the_conversation_retention() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = DataDir::at(dir.path());
    let store = Store::open(&data).expect("store");
    let id = new_context(&store, "c");
    add_messages(&store, &id, 5, "new");
    store
        .write(|tx| {
            tx.execute(
                "INSERT INTO messages (context_id, role, content, token_estimate, created_at) VALUES (?1, 'user', 'old', 1, '2020-01-01T00:00:00.000000Z')",
                [&id],
            )?;
            Ok(())
        })
        .expect("old message");
    let report = maintain::maintain(&store, &Silent).expect("maintain");
    assert_eq!(report.old_messages_purged, 0, "retention is off by default");
    llmgen_core::settings::set(&store, "conversation-retention-days", "90").expect("set");
    let report = maintain::maintain(&store, &Silent).expect("maintain");
    assert_eq!(report.old_messages_purged, 1);
    assert_eq!(contexts::get(&store, &id).expect("get").message_count, 5);
}

/// Proves: `settings set conversation-retention-days` refuses a value past 100 years with a
/// message giving the range, and the largest retention an older build could store (u32::MAX
/// days, written straight into the settings table; before the clock's range) makes maintain
/// keep every message instead of panicking.
#[test]
fn a_huge_conversation_retention_is_refused_or_keeps_everything() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = DataDir::at(dir.path());
    let store = Store::open(&data).expect("store");
    let id = new_context(&store, "c");
    add_messages(&store, &id, 3, "kept");
    let err = llmgen_core::settings::set(&store, "conversation-retention-days", "4000000")
        .expect_err("past the range");
    assert!(err.to_string().contains("1 to 36500"), "{err}");
    llmgen_core::settings::set(&store, "conversation-retention-days", "36500").expect("the maximum");
    store
        .write(|tx| {
            tx.execute(
                "UPDATE settings SET value = '4294967295' WHERE key = 'conversation-retention-days'",
                [],
            )?;
            Ok(())
        })
        .expect("store a huge retention as an older build could");
    assert_eq!(
        llmgen_core::settings::load(&store)
            .expect("load")
            .conversation_retention_days,
        Some(u32::MAX)
    );
    let report = maintain::maintain(&store, &Silent).expect("maintain does not fail or panic");
    assert_eq!(report.old_messages_purged, 0, "nothing is that old");
    assert_eq!(contexts::get(&store, &id).expect("get").message_count, 3);
}

/// Proves: a backup made by an older build (an older schema) verifies as "needs migration",
/// and restoring it migrates the copy first: the live database ends at this build's schema with
/// the backup's data and the later migrations' tables and rows.
#[test]
fn restoring_an_older_schema_migrates_it_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = DataDir::at(dir.path());
    let store = Store::open(&data).expect("store");
    new_context(&store, "from-an-old-build");
    let (made, _) = backup::create(&data, &CreateOptions::default(), &Silent).expect("backup");

    // Turn the copy into what the first schema looked like: later migrations only add tables
    // (and rows in them), so dropping every table the first migration did not create and
    // forgetting their records gives a first-schema database.
    let old = dir
        .path()
        .join("backups/database/llmgen-20200101T000000.000000Z.db");
    std::fs::copy(&made.path, &old).expect("copy");
    let first_version = {
        let conn = Connection::open(&old).expect("open");
        let first: i64 = conn
            .query_row("SELECT MIN(version) FROM schema_migrations", [], |r| r.get(0))
            .expect("first");
        let first_tables = [
            "settings",
            "builtin_seeds",
            "templates",
            "personas",
            "contexts",
            "messages",
            "schema_migrations",
        ];
        let later: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<Vec<String>>>()
            .expect("names")
            .into_iter()
            .filter(|t| !first_tables.contains(&t.as_str()))
            .collect();
        assert!(!later.is_empty(), "this build has migrations after the first");
        for t in &later {
            conn.execute_batch(&format!("DROP TABLE \"{t}\"")).expect("drop");
        }
        conn.execute("DELETE FROM schema_migrations WHERE version > ?1", [first])
            .expect("forget");
        conn.execute_batch("VACUUM").expect("vacuum");
        first
    };
    let bytes = std::fs::read(&old).expect("read");
    let manifest = backup::Manifest {
        format: 1,
        created: time::macros::datetime!(2020-01-01 00:00 UTC),
        app_version: "0.0.1".into(),
        schema_version: first_version,
        reason: backup::Reason::Manual,
        tables: counts(&old),
        encrypted: false,
        size_bytes: bytes.len() as u64,
        database_bytes: bytes.len() as u64,
        sha256: {
            use sha2::Digest;
            sha2::Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        },
        integrity_failed: None,
    };
    std::fs::write(
        format!("{}.json", old.display()),
        serde_json::to_string(&manifest).expect("json"),
    )
    .expect("manifest");

    let report = backup::verify(&data, &old, None, &Silent).expect("verifies");
    assert!(report.needs_migration);
    new_context(&store, "current");
    let restored = backup::restore(&data, &old, None, &Silent).expect("restore");
    assert!(restored.migrated);
    assert_eq!(restored.backup_schema_version, first_version);
    assert_eq!(names(&store), ["from-an-old-build"]);
    assert_eq!(
        store.schema_version().expect("version"),
        Store::known_schema_version()
    );
    let providers: i64 = store
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM providers", [], |r| r.get(0))?))
        .expect("the later migrations' tables exist again");
    assert!(providers >= 2, "built-in providers seeded by the migration");
}
