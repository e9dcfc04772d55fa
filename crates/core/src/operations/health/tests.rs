//! Unit tests of the health checks.

use super::{data::disk_level, *};
use crate::Store;

struct Fixed(Result<HandshakeReport, String>);

impl Handshake for Fixed {
    fn handshake(&self) -> impl Future<Output = Result<HandshakeReport, String>> + Send {
        let r = self.0.clone();
        async move { r }
    }
}

fn report() -> HandshakeReport {
    HandshakeReport {
        server_version: "0.1.0".into(),
        tools: 9,
        initialize_ms: 4.0,
        tools_list_ms: 0.2,
    }
}

fn env_home(home: &Path) -> impl Fn(&str) -> Option<PathBuf> + use<> {
    let home = home.to_path_buf();
    move |name| (name == "HOME").then(|| home.clone())
}

fn clients_at(data: &Path, home: &Path) -> Clients {
    Clients::with_env(DataDir::at(data), crate::paths::Platform::Linux, env_home(home))
}

#[test]
fn disk_thresholds_give_ok_warning_and_error() {
    // Proves the 10 % / 2 % rule on given figures.
    let o = HealthOptions::default();
    let at = Path::new("/");
    assert_eq!(disk_level(50, 100, 1, at, &o).level, Level::Ok);
    assert_eq!(disk_level(9, 100, 1, at, &o).level, Level::Warning);
    assert_eq!(disk_level(1, 100, 1, at, &o).level, Level::Error);
}

#[test]
fn backup_age_warns_after_two_days_and_when_there_is_none() {
    let now = time::macros::datetime!(2026-11-23 12:00 UTC);
    let max = Duration::days(2);
    assert_eq!(backup_check(None, now, max).level, Level::Warning);
    assert_eq!(
        backup_check(Some(now - Duration::hours(30)), now, max).level,
        Level::Ok
    );
    let old = backup_check(Some(now - Duration::days(3)), now, max);
    assert_eq!(old.level, Level::Warning);
    assert!(old.message.contains("3 days"), "{}", old.message);
}

#[tokio::test]
async fn a_corrupt_database_is_an_error_and_is_left_as_it_was() {
    // Proves garbage in the middle of a real database file is detected, and that the check
    // neither repairs nor replaces the file.
    let dir = tempfile::tempdir().expect("temp dir");
    let data = DataDir::at(dir.path().join("data"));
    let store = Store::open(&data).expect("store");
    store
        .write(|tx| {
            for i in 0..2000 {
                tx.execute(
                    "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, 'x')",
                    rusqlite::params![format!("k{i}"), "v".repeat(200)],
                )?;
            }
            Ok(())
        })
        .expect("fill");
    store
        .checkpoint(std::time::Duration::from_secs(1))
        .expect("checkpoint");
    drop(store);
    let db = data.db_path();
    let mut bytes = std::fs::read(&db).expect("read");
    assert!(bytes.len() > 64 * 4096, "the database spans many pages");
    for b in &mut bytes[8192..8192 + 4096 * 20] {
        *b = 0xA5;
    }
    std::fs::write(&db, &bytes).expect("corrupt");
    let home = dir.path().join("home");
    let health = check(
        &data,
        &clients_at(dir.path(), &home),
        Some(&Fixed(Ok(report()))),
        None,
        &HealthOptions::default(),
    )
    .await;
    assert_eq!(health.level, Level::Error);
    let db_check = health.check("database").expect("database check");
    assert_eq!(db_check.level, Level::Error, "{db_check:?}");
    assert!(db_check.fix.as_deref().is_some_and(|f| f.contains("backup")));
    assert!(
        matches!(&db_check.finding,
            Finding::DatabaseDamaged { path, .. } | Finding::DatabaseUnreadable { path, .. } if *path == data.db_path()),
        "{:?}",
        db_check.finding
    );
    assert_eq!(db_check.fixes, vec![Fix::RestoreBackup]);
    assert_eq!(std::fs::read(&db).expect("read again"), bytes, "left untouched");
}

#[tokio::test]
async fn a_missing_database_is_not_created_by_the_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = DataDir::at(dir.path().join("data"));
    let health = check(
        &data,
        &clients_at(dir.path(), dir.path()),
        None::<&Fixed>,
        Some(None),
        &HealthOptions::default(),
    )
    .await;
    assert_eq!(health.check("database").map(|c| c.level), Some(Level::Warning));
    assert_eq!(health.check("backup").map(|c| c.level), Some(Level::Warning));
    assert_eq!(
        health.check("database").map(|c| c.finding.clone()),
        Some(Finding::DatabaseMissing { path: data.db_path() })
    );
    assert_eq!(
        health.check("backup").map(|c| c.finding.clone()),
        Some(Finding::BackupNever)
    );
    assert!(!data.db_path().exists());
}

#[tokio::test]
async fn a_failed_handshake_and_a_full_disk_are_errors() {
    // Proves the injected faults reach the report: a free-space threshold above any real
    // free space, and a server that does not answer.
    let dir = tempfile::tempdir().expect("temp dir");
    let data = DataDir::at(dir.path());
    drop(Store::open(&data).expect("store"));
    let options = HealthOptions {
        free_error_percent: 100.1,
        ..HealthOptions::default()
    };
    let health = check(
        &data,
        &clients_at(dir.path(), dir.path()),
        Some(&Fixed(Err("connection closed".into()))),
        None,
        &options,
    )
    .await;
    assert_eq!(health.level.exit_code(), 2);
    assert_eq!(health.check("disk").map(|c| c.level), Some(Level::Error));
    let server = health.check("server").expect("server");
    assert_eq!(server.level, Level::Error);
    assert!(server.message.contains("connection closed"));
    assert_eq!(
        server.finding,
        Finding::ServerFailed {
            error: "connection closed".into()
        }
    );
    assert!(matches!(
        health.check("schema").map(|c| &c.finding),
        Some(Finding::SchemaCurrent { version }) if *version == Store::known_schema_version()
    ));
    assert_eq!(health.check("database").map(|c| c.level), Some(Level::Ok));
    assert_eq!(health.check("schema").map(|c| c.level), Some(Level::Ok));
}

#[test]
fn logged_errors_within_the_window_are_a_warning() {
    let dir = tempfile::tempdir().expect("temp dir");
    let now = time::macros::datetime!(2026-11-23 12:00 UTC);
    std::fs::write(
        dir.path().join("llmgen.2026-11-21.log"),
        "2026-11-21T10:00:00.000000Z ERROR llmgen_server: too old to count\n",
    )
    .expect("write");
    assert_eq!(log_check(dir.path(), now, Duration::hours(24)).level, Level::Ok);
    std::fs::write(
        dir.path().join("llmgen.2026-11-23.log"),
        "2026-11-23T11:00:00.000000Z ERROR llmgen_server: usage not recorded\n",
    )
    .expect("write");
    let c = log_check(dir.path(), now, Duration::hours(24));
    assert_eq!(c.level, Level::Warning);
    assert!(c.message.contains("usage not recorded"), "{}", c.message);
    assert!(
        matches!(&c.finding, Finding::LogErrors { count: 1, hours: 24, latest } if latest.contains("usage not recorded")),
        "{:?}",
        c.finding
    );
    assert_eq!(c.fixes, vec![Fix::OpenLogs]);
}
