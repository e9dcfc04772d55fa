//! Retention and maintenance on real SQLite files in temp data dirs: prune keeps what the
//! retention says, maintain purges expired contexts and applies the conversation retention.

use std::path::PathBuf;

use llmgen_core::{
    Store,
    conversation::contexts,
    operations::backup::{self, CreateOptions, Retention},
    operations::maintain::{self, Vacuum},
    paths::DataDir,
    progress::Silent,
};

#[path = "support/data.rs"]
mod data;
use data::*;

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
