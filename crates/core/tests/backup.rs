//! Database backups on real SQLite files in temp data dirs: a consistent copy while four other
//! processes write, encrypted round trips, refusal of damaged backups with nothing changed,
//! restores, including one of an older schema (retention and maintenance: maintain.rs).

use std::{
    path::{Path, PathBuf},
    process::{Child, Command},
    time::{Duration, Instant},
};

use llmgen_core::{
    Store,
    operations::backup::{self, BackupError, CreateOptions},
    paths::DataDir,
    progress::Silent,
    secrets::Secret,
};
use rusqlite::{Connection, OpenFlags};

#[path = "support/data.rs"]
mod data;
use data::*;

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

    // Turn the copy into what the first schema looked like: later migrations add tables (and
    // rows in them) and the team's columns of personas, so dropping every table the first
    // migration did not create, those columns, and forgetting their records gives a
    // first-schema database.
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
            // IF EXISTS: dropping a full-text table drops its shadow tables with it.
            conn.execute_batch(&format!("DROP TABLE IF EXISTS \"{t}\""))
                .expect("drop");
        }
        conn.execute_batch(
            "DROP INDEX personas_parent;
             ALTER TABLE personas DROP COLUMN parent;
             ALTER TABLE personas DROP COLUMN role;
             ALTER TABLE personas DROP COLUMN expertise;
             ALTER TABLE personas DROP COLUMN restrictions;",
        )
        .expect("drop the team's columns");
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
