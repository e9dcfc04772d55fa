//! File modes of the data folder (Unix, issue 18): the real binary, under the usual umask 022,
//! keeps what holds conversations private to the user — the data folder 0700, the database with
//! its -wal and -shm, backups, their manifests and log files 0600 — and tightens an install an
//! older version left readable, without touching a folder the user chose or files not ours.
#![cfg(unix)]

mod common;

use std::{
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::{Command, Output},
};

use common::*;
use serde_json::json;

/// Permission bits of a file or folder (symlinks not followed).
fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// A temp HOME whose default data dir (`$XDG_DATA_HOME/dev.llmgen.desktop`) is ours.
struct Home {
    _dir: tempfile::TempDir,
    home: PathBuf,
    xdg: PathBuf,
}

impl Home {
    fn new() -> Self {
        let dir = temp_dir();
        let home = dir.path().join("home");
        let xdg = home.join(".local/share");
        std::fs::create_dir_all(&xdg).expect("mkdir");
        Self { _dir: dir, home, xdg }
    }

    fn data_dir(&self) -> PathBuf {
        self.xdg.join(llmgen_core::APP_ID)
    }

    /// The CLI started by `sh` under umask 022 (what most desktops give), on this HOME and no
    /// data dir override.
    fn cli_run(&self) -> CliRun {
        CliRun::in_home(&self.home)
            .env("XDG_DATA_HOME", &self.xdg)
            .umask(0o022)
    }

    fn command(&self, args: &[&str]) -> Command {
        self.cli_run().command(args)
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.cli_run().envs(env).ok(args)
    }
}

/// Files in `dir` whose names start with `prefix`.
fn files_in(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .collect();
    found.sort();
    found
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// Proves: on a fresh install, a server serving a tool call and `backup create` (plain and
/// encrypted) leave the data folder and every folder in it 0700, and the database, its -wal and
/// -shm (checked while the server has them open), the log file, the backups, their manifests
/// and the backup lock 0600 — under umask 022, where they were 0755/0644 before.
#[tokio::test]
async fn a_fresh_install_keeps_its_data_private() {
    let home = Home::new();
    let data = home.data_dir();
    let server = tokio::process::Command::from(home.command(&["serve"]));
    let client = connect_command(server, TestClient::new(Era::Legacy, Sampling::Decline)).await;
    ok(call(
        &client,
        "context-manage",
        json!({"action": "create-from-persona", "persona": "rational-advisor", "name": "private"}),
    )
    .await);
    let db = data.join(llmgen_core::paths::DB_FILE);
    let open_while_serving = [db.clone(), with_suffix(&db, "-wal"), with_suffix(&db, "-shm")];
    let modes: Vec<(PathBuf, u32)> = open_while_serving.iter().map(|p| (p.clone(), mode(p))).collect();
    client.cancel().await.expect("stop the session");

    home.run(&["backup", "create"], &[]);
    home.run(
        &["backup", "create", "--encrypt"],
        &[(llmgen_core::operations::backup::PASSPHRASE_ENV, "a passphrase")],
    );

    assert_eq!(mode(&data), 0o700, "the data folder");
    for (path, mode) in modes {
        assert_eq!(mode, 0o600, "{}", path.display());
    }
    let logs = data.join("logs");
    let backups = data.join("backups");
    for dir in [&logs, &backups, &backups.join("database")] {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
    }
    let log_files = files_in(&logs, "llmgen.");
    assert!(!log_files.is_empty(), "the server wrote a log file");
    let backup_files = files_in(&backups.join("database"), "llmgen-");
    assert_eq!(
        backup_files.len(),
        4,
        "two backups and their manifests: {backup_files:?}"
    );
    assert!(
        backup_files
            .iter()
            .any(|p| p.to_string_lossy().ends_with(".db.age"))
    );
    for file in log_files
        .iter()
        .chain(&backup_files)
        .chain([&db, &backups.join("database/.lock")])
    {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
}

/// Proves: an install an older version left readable (folders 0755, database with -wal/-shm,
/// log file, backup and manifest 0644) is tightened by the next start of any command (here
/// `backup list`, which opens no database) — while files that are not ours keep their modes:
/// a note the user put in the data folder and the stable server copy, which must stay
/// executable.
#[test]
fn an_existing_install_is_tightened_at_start() {
    let home = Home::new();
    let data = home.data_dir();
    home.run(&["settings", "show"], &[]);
    home.run(&["backup", "create"], &[]);
    let db = data.join(llmgen_core::paths::DB_FILE);
    // A connection kept open keeps the -wal and -shm in place.
    let conn = rusqlite::Connection::open(&db).expect("open");
    let _: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .expect("wal");
    conn.execute_batch("CREATE TABLE IF NOT EXISTS kept_open (x); INSERT INTO kept_open VALUES (1);")
        .expect("write");
    let logs = data.join("logs");
    std::fs::create_dir_all(&logs).expect("mkdir logs");
    let old_log = logs.join("llmgen.2026-01-01.log");
    std::fs::write(&old_log, "2026-01-01T00:00:00Z  INFO old entry\n").expect("log");
    let note = data.join("notes.txt");
    std::fs::write(&note, "mine").expect("note");
    let bin = data.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir bin");
    let server_copy = bin.join("mcp-llm-generator");
    std::fs::write(&server_copy, "#!/bin/sh\n").expect("copy");
    set_mode(&server_copy, 0o755);
    set_mode(&bin, 0o755);
    set_mode(&note, 0o644);

    let backups = data.join("backups");
    let backup_files = files_in(&backups.join("database"), "llmgen-");
    assert_eq!(backup_files.len(), 2, "a backup and its manifest");
    let ours_files: Vec<PathBuf> = [
        db.clone(),
        with_suffix(&db, "-wal"),
        with_suffix(&db, "-shm"),
        old_log,
    ]
    .into_iter()
    .chain(backup_files)
    .collect();
    let ours_dirs = [data.clone(), logs, backups.clone(), backups.join("database")];
    for file in &ours_files {
        set_mode(file, 0o644);
    }
    for dir in &ours_dirs {
        set_mode(dir, 0o755);
    }

    home.run(&["backup", "list"], &[]);
    for file in &ours_files {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    for dir in &ours_dirs {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
    }
    assert_eq!(mode(&note), 0o644, "a file of the user's is left as it is");
    assert_eq!(mode(&bin), 0o755, "the server copy's folder is left as it is");
    assert_eq!(mode(&server_copy), 0o755, "the server copy stays executable");
    drop(conn);
}

/// Proves: a data folder the user chose with --data-dir (maybe their home folder, or a folder
/// they share) keeps its own mode while our files in it are made private; a --data-dir that
/// does not exist yet is created private, as ours.
#[test]
fn a_data_folder_the_user_chose_keeps_its_mode_and_a_new_one_is_private() {
    let home = Home::new();
    let chosen = home.home.join("shared");
    std::fs::create_dir_all(&chosen).expect("mkdir");
    set_mode(&chosen, 0o755);
    let chosen_arg = chosen.to_string_lossy().into_owned();
    home.run(&["--data-dir", &chosen_arg, "settings", "show"], &[]);
    assert_eq!(mode(&chosen), 0o755, "the user's folder keeps its mode");
    assert_eq!(mode(&chosen.join(llmgen_core::paths::DB_FILE)), 0o600);

    let fresh = home.home.join("new/llmgen-data");
    let fresh_arg = fresh.to_string_lossy().into_owned();
    home.run(&["--data-dir", &fresh_arg, "settings", "show"], &[]);
    assert_eq!(mode(&fresh), 0o700, "a folder we create is ours");
    assert_eq!(mode(&fresh.join(llmgen_core::paths::DB_FILE)), 0o600);
}
