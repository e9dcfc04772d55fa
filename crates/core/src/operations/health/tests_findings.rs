//! Unit tests of the findings: their ids, parameters and fixes, and that the command line's
//! words still follow from them.

use std::collections::BTreeSet;

use super::{data::disk_level, *};

/// A distinct number per kind of finding; the match is exhaustive, so a new kind does not compile
/// here until it is counted (and then the test below asks for its example).
fn kind(f: &Finding) -> usize {
    use Finding::*;
    match f {
        DatabaseMissing { .. } => 0,
        DatabaseUnopenable { .. } => 1,
        DatabaseOk { .. } => 2,
        DatabaseDamaged { .. } => 3,
        DatabaseUnreadable { .. } => 4,
        DatabaseUnusable { .. } => 5,
        SchemaCurrent { .. } => 6,
        SchemaBehind { .. } => 7,
        SchemaAhead { .. } => 8,
        SchemaUnreadable { .. } => 9,
        DiskOk { .. } => 10,
        DiskLow { .. } => 11,
        DiskFull { .. } => 12,
        DiskUnmeasured { .. } => 13,
        BackupNever => 14,
        BackupRecent { .. } => 15,
        BackupOld { .. } => 16,
        KeychainOk => 17,
        KeychainUnreachable { .. } => 18,
        KeychainStopped { .. } => 19,
        KeychainTimeout { .. } => 20,
        KeychainFromEnv { .. } => 21,
        ProvidersUnreadable { .. } => 22,
        NoDefaultProvider => 23,
        KeyNotNeeded { .. } => 24,
        KeyPresent { .. } => 25,
        KeyMissing { .. } => 26,
        BudgetsUnreadable { .. } => 27,
        NoBudget => 28,
        BudgetsFine { .. } => 29,
        BudgetsNear { .. } => 30,
        BudgetsExhausted { .. } => 31,
        ClientsNone => 32,
        ClientsOk { .. } => 33,
        ClientsBroken { .. } => 34,
        LogsClean { .. } => 35,
        LogErrors { .. } => 36,
        LogsNotAFolder { .. } => 37,
        LogsUnreadable { .. } => 38,
        ServerOk { .. } => 39,
        ServerFailed { .. } => 40,
        ServerTimeout { .. } => 41,
        Other { .. } => 42,
        PausedOff => 43,
        PausedOn { .. } => 44,
        ConnectionsAll => 45,
        ConnectionsNever { .. } => 46,
    }
}

#[test]
fn the_examples_hold_every_kind_of_finding_once_with_distinct_ids() {
    // Proves the list front ends test against is complete and its ids are unique.
    let examples = examples();
    let kinds: BTreeSet<usize> = examples.iter().map(kind).collect();
    assert_eq!(kinds, (0..=46).collect(), "one example of each kind");
    let ids: BTreeSet<String> = examples.iter().map(Finding::id).collect();
    assert_eq!(ids.len(), examples.len(), "{ids:?}");
}

#[test]
fn every_finding_belongs_to_its_check_and_has_a_fix_exactly_when_not_ok() {
    for f in examples()
        .into_iter()
        .filter(|f| !matches!(f, Finding::Other { .. }))
    {
        let id = f.id();
        assert_eq!(id.split('.').next(), Some(f.check_id()), "{id}");
        let check = Check::found(f.clone());
        assert_eq!(check.id, f.check_id());
        assert_eq!(check.level, f.level());
        assert!(!check.message.is_empty(), "{id}");
        let ok = check.level == Level::Ok;
        assert_eq!(check.fixes.is_empty(), ok, "{id}: {:?}", check.fixes);
        assert_eq!(check.fix.is_none(), ok, "{id}: {:?}", check.fix);
    }
}

#[test]
fn a_check_serializes_its_old_fields_and_the_finding_with_its_parameters() {
    // Proves `health --json` keeps id, level, message and fix, and adds the finding and fixes.
    let json = serde_json::to_value(Check::found(Finding::BackupOld { age_hours: 80 })).expect("json");
    assert_eq!(
        json,
        serde_json::json!({
            "id": "backup",
            "level": "warning",
            "message": "The last backup is 3 days old.",
            "fix": "Run `mcp-llm-generator backup create` (scheduled backups take one daily while the app or a server runs).",
            "finding": {"id": "backup.old", "params": {"ageHours": 80}},
            "fixes": [{"kind": "backUpNow"}],
        })
    );
    let ok = serde_json::to_value(Check::found(Finding::KeychainOk)).expect("json");
    assert_eq!(ok["finding"], serde_json::json!({"id": "keychain.ok"}));
    assert!(ok.get("fix").is_none() && ok.get("fixes").is_none(), "{ok}");
}

#[test]
fn the_backup_rule_tells_never_old_and_recent_apart() {
    let now = time::macros::datetime!(2026-11-23 12:00 UTC);
    let max = Duration::days(2);
    let never = backup_check(None, now, max);
    assert_eq!(
        (never.finding, never.fixes),
        (Finding::BackupNever, vec![Fix::BackUpNow])
    );
    let recent = backup_check(Some(now - Duration::hours(30)), now, max);
    assert_eq!(recent.finding, Finding::BackupRecent { age_hours: 30 });
    assert!(recent.fixes.is_empty());
    let old = backup_check(Some(now - Duration::days(3)), now, max);
    assert_eq!(old.finding, Finding::BackupOld { age_hours: 72 });
    assert_eq!(old.fixes, vec![Fix::BackUpNow]);
}

#[test]
fn the_disk_rule_carries_the_figures_and_the_threshold() {
    let o = HealthOptions::default();
    let at = Path::new("/data");
    let full = disk_level(1, 100, 7, at, &o);
    let Finding::DiskFull {
        space,
        threshold_percent,
    } = &full.finding
    else {
        panic!("{:?}", full.finding)
    };
    assert_eq!(
        (space.available_bytes, space.total_bytes, space.database_bytes),
        (1, 100, 7)
    );
    assert_eq!((space.free_percent, *threshold_percent), (1.0, 2.0));
    assert_eq!(space.at, at);
    assert_eq!(
        full.fixes,
        vec![Fix::Steps {
            step: Step::FreeDiskSpace
        }]
    );
    assert!(matches!(
        disk_level(9, 100, 7, at, &o).finding,
        Finding::DiskLow { .. }
    ));
    assert!(matches!(
        disk_level(50, 100, 7, at, &o).finding,
        Finding::DiskOk { .. }
    ));
}

#[test]
fn broken_client_entries_are_repaired_by_the_app_except_files_only_the_user_can_fix() {
    let broken = examples()
        .into_iter()
        .find(|f| matches!(f, Finding::ClientsBroken { .. }))
        .expect("example");
    let strings = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        broken.fixes(),
        vec![
            Fix::RepairClientEntries {
                clients: strings(&["vscode", "cursor", "claude-desktop"])
            },
            Fix::OpenClients {
                clients: strings(&["windsurf"])
            },
        ]
    );
    // The command line still names a command per kind of trouble.
    let fix = broken.cli_fix().expect("fix");
    assert!(
        fix.contains("`mcp-llm-generator clients configure vscode claude-desktop` to point"),
        "{fix}"
    );
    assert!(
        fix.contains("`mcp-llm-generator clients configure cursor` to keep only"),
        "{fix}"
    );
    assert!(fix.contains("Fix the file of windsurf by hand"), "{fix}");
}

#[test]
fn the_app_is_led_to_keys_logs_and_backups_where_it_can_act() {
    // Proves the typed fixes the app acts on: a missing key opens the keys for that provider,
    // a failed server leads to the logs, damage to the backups, and a newer schema is the
    // user's step.
    let fixes = |f: Finding| f.fixes();
    assert_eq!(
        fixes(Finding::KeyMissing {
            provider: "openai".into()
        }),
        vec![Fix::OpenKeys {
            provider: Some("openai".into())
        }]
    );
    assert_eq!(
        fixes(Finding::NoDefaultProvider),
        vec![Fix::OpenKeys { provider: None }]
    );
    assert_eq!(
        fixes(Finding::ServerTimeout { seconds: 20 }),
        vec![
            Fix::OpenLogs,
            Fix::Steps {
                step: Step::ReinstallApp
            }
        ]
    );
    assert_eq!(
        fixes(Finding::DatabaseDamaged {
            path: "/d/llmgen.db".into(),
            problems: vec![]
        }),
        vec![Fix::RestoreBackup]
    );
    assert_eq!(
        fixes(Finding::SchemaAhead { found: 2, known: 1 }),
        vec![Fix::Steps {
            step: Step::UpdateApp
        }]
    );
}

#[test]
fn a_check_worded_by_its_sentence_keeps_it_as_a_finding_of_its_own() {
    // Proves the sentence-only constructors still work (checks not yet given a finding).
    let c = Check::warning("paused", "The servers are paused.", "Resume them.");
    assert_eq!((c.id, c.level), ("paused", Level::Warning));
    assert_eq!(c.message, "The servers are paused.");
    assert_eq!(c.fix.as_deref(), Some("Resume them."));
    assert_eq!(
        c.finding,
        Finding::Other {
            message: "The servers are paused.".into(),
            fix: Some("Resume them.".into())
        }
    );
    assert_eq!(Check::error("x", "m", "f").level, Level::Error);
    assert_eq!(Check::ok("x", "m").fix, None);
}

#[test]
fn an_entry_that_only_needs_an_update_is_said_to_work_and_is_repaired() {
    // Proves: an entry without `--client` is not called unable to start the server; the
    // command line says it works and needs an update, and the app repairs it.
    let outdated = Finding::ClientsBroken {
        problems: vec![ClientProblem {
            client: "vscode".into(),
            problem: ClientFault::NeedsUpdate,
        }],
    };
    let message = outdated.cli_message();
    assert_eq!(
        message,
        "Client entries that work but need an update: vscode: its entry does not tell the server which app it serves."
    );
    assert_eq!(
        outdated.fixes(),
        vec![Fix::RepairClientEntries {
            clients: vec!["vscode".into()]
        }]
    );
    let fix = outdated.cli_fix().expect("fix");
    assert!(
        fix.contains("`mcp-llm-generator clients configure vscode` to add the name"),
        "{fix}"
    );
    assert!(!fix.contains("point the entries"), "{fix}");
}

#[test]
fn a_pause_is_resumed_and_a_waiting_client_restarted_by_its_own_step() {
    let paused = Finding::PausedOn {
        since: "2026-12-07T19:30:00Z".into(),
        by: "app".into(),
    };
    assert_eq!(paused.fixes(), vec![Fix::Resume]);
    assert_eq!(paused.check_id(), "paused");
    let waiting = Finding::ConnectionsNever {
        clients: vec![NamedClient {
            id: "cursor".into(),
            name: "Cursor".into(),
        }],
    };
    assert_eq!(
        waiting.fixes(),
        vec![Fix::RestartClient {
            client: "cursor".into(),
            name: "Cursor".into()
        }]
    );
    assert!(
        waiting.cli_fix().is_some_and(|f| f.contains("Restart Cursor")),
        "{:?}",
        waiting.cli_fix()
    );
}
