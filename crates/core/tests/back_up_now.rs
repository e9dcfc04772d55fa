//! "Back up now", the one action behind the tray's menu entry and the app's Backups screen.

use llmgen_core::{
    Store,
    operations::backup::{self, Reason},
    paths::DataDir,
    progress::Silent,
};

/// It writes a plain manual backup in the data dir's backup folder that lists and verifies, with
/// the rows the database had.
#[test]
fn back_up_now_takes_a_manual_backup_that_verifies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = DataDir::at(dir.path().join("data"));
    drop(Store::open(&data_dir).expect("store"));
    let info = backup::back_up_now(&data_dir).expect("backed up");
    assert!(!info.encrypted);
    assert_eq!(info.reason, Some(Reason::Manual));
    let listed = backup::list(&data_dir).expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].path, info.path);
    let report = backup::verify(&data_dir, &info.path, None, &Silent).expect("verifies");
    assert!(
        report.tables.get("templates").is_some_and(|n| *n >= 4),
        "{:?}",
        report.tables
    );
}
