//! The team from the command line, through the real binary: `team tree`, `task list|get|cancel`
//! with their refusals, and the operations that carry delegations — `maintain` ends stale
//! ones, `report` counts them, and backups verify and restore them with the personas' tree.

mod common;

use std::path::Path;

use common::CliRun;
use llmgen_core::{
    Store, catalog,
    catalog::personas::{NewPersona, Persona},
    generation::Generated,
    paths::DataDir,
    team::{
        Actor, Role, Target,
        delegation::{self, DelegationRequest, Priority},
    },
};
use serde_json::Value;

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn ok_json(data: &Path, args: &[&str]) -> Value {
    json_of(&CliRun::on(data).ok(args))
}

fn text_of(data: &Path, args: &[&str]) -> String {
    String::from_utf8_lossy(&CliRun::on(data).ok(args).stdout).into_owned()
}

/// The refusal of a run that must fail: its stderr.
fn refusal(data: &Path, args: &[&str]) -> String {
    let out = CliRun::on(data).run(args);
    assert!(!out.status.success(), "{args:?} must fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn persona(store: &Store, name: &str, parent: Option<&str>, role: Role, expertise: &[&str], rules: &[&str]) {
    catalog::add::<Persona>(
        store,
        NewPersona {
            name: name.into(),
            system_prompt: format!("You are {name}."),
            parent: parent.map(Into::into),
            role,
            expertise: expertise.iter().map(|e| e.to_string()).collect(),
            restrictions: rules.iter().map(|r| r.to_string()).collect(),
            ..NewPersona::default()
        },
    )
    .expect(name);
}

/// lead (2 rules) → dev (specialist, sql; 1 rule) → junior (assistant, docs); one done task
/// (to dev, by expertise) and one pending (to junior, by name).
fn team(data: &Path) -> (Store, i64, i64) {
    let store = Store::open(&DataDir::at(data)).expect("store");
    persona(
        &store,
        "lead",
        None,
        Role::Lead,
        &[],
        &["Be brief.", "No secrets."],
    );
    persona(
        &store,
        "dev",
        Some("lead"),
        Role::Specialist,
        &["sql"],
        &["Cite files."],
    );
    persona(&store, "junior", Some("dev"), Role::Assistant, &["docs"], &[]);
    let start = |task: &str, target| {
        delegation::start(
            &store,
            &Actor::User,
            &DelegationRequest {
                task: task.into(),
                target,
                priority: Priority::High,
            },
        )
        .expect("start")
        .delegation
        .id
    };
    let done = start("Count the orders.", Target::Expertise(vec!["sql".into()]));
    delegation::mark_running(&store, done).expect("running");
    let reply = Generated {
        text: "42 orders.".into(),
        model: "stand-in".into(),
        stop_reason: None,
        route: "local".into(),
        usage: None,
    };
    delegation::complete(&store, done, &reply).expect("complete");
    let pending = start("Write the README.", Target::Persona("junior".into()));
    (store, done, pending)
}

/// Proves: `team tree` shows the tree in order with roles, expertise and own/inherited rule
/// counts, for people and (with the same facts) for scripts.
#[test]
fn team_tree_shows_roles_expertise_and_inherited_restrictions() {
    let dir = common::temp_dir();
    let (_store, _, _) = team(dir.path());
    let text = text_of(dir.path(), &["team", "tree"]);
    let lead = text
        .lines()
        .position(|l| l.starts_with("lead (lead)"))
        .expect(&text);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[lead + 1],
        "  dev (specialist) — expertise: sql — restrictions: 1 own, 2 inherited"
    );
    assert_eq!(
        lines[lead + 2],
        "    junior (assistant) — expertise: docs — restrictions: 0 own, 3 inherited"
    );

    let tree = ok_json(dir.path(), &["team", "tree", "--json"]);
    let junior = tree
        .as_array()
        .expect("array")
        .iter()
        .find(|m| m["name"] == "junior")
        .expect("junior");
    assert_eq!(
        (
            &junior["parent"],
            &junior["role"],
            &junior["depth"],
            &junior["effectiveRestrictions"]
        ),
        (
            &Value::from("dev"),
            &Value::from("assistant"),
            &Value::from(2),
            &Value::from(3)
        )
    );
}

/// Proves: `task list` filters by status and persona and pages; `task get` shows the choice
/// and the result; `task cancel` ends a pending task with no result and refuses a second
/// cancel; unknown statuses, limits, ids and personas are refused with what to do.
#[test]
fn tasks_are_listed_shown_and_cancelled() {
    let dir = common::temp_dir();
    let (_store, done, pending) = team(dir.path());
    let data = dir.path();

    let all = ok_json(data, &["task", "list", "--json"]);
    assert_eq!(all["total"], 2);
    assert_eq!(all["items"][0]["id"], pending, "newest first");
    let only_done = ok_json(data, &["task", "list", "--status", "done", "--json"]);
    assert_eq!(
        (only_done["total"].as_u64(), &only_done["items"][0]["id"]),
        (Some(1), &Value::from(done))
    );
    let junior = ok_json(data, &["task", "list", "--persona", "junior", "--json"]);
    assert_eq!(
        (junior["total"].as_u64(), &junior["items"][0]["id"]),
        (Some(1), &Value::from(pending))
    );
    let page = ok_json(data, &["task", "list", "--limit", "1", "--json"]);
    assert_eq!(page["nextOffset"], 1);
    let text = text_of(data, &["task", "list", "--limit", "1"]);
    assert!(
        text.contains(&format!("#{pending}  pending    you → junior  Write the README.")),
        "{text}"
    );
    assert!(text.contains("(more: --offset 1)"), "{text}");

    let got = ok_json(data, &["task", "get", &done.to_string(), "--json"]);
    assert_eq!(
        (&got["to"], &got["status"], &got["result"]),
        (
            &Value::from("dev"),
            &Value::from("done"),
            &Value::from("42 orders.")
        )
    );
    let text = text_of(data, &["task", "get", &done.to_string()]);
    assert!(
        text.contains("why dev:")
            && text.contains("route local, model stand-in")
            && text.contains("42 orders."),
        "{text}"
    );

    let text = text_of(data, &["task", "cancel", &pending.to_string()]);
    assert!(text.contains("cancelled"), "{text}");
    let got = ok_json(data, &["task", "get", &pending.to_string(), "--json"]);
    assert_eq!(
        (&got["status"], &got["result"]),
        (&Value::from("cancelled"), &Value::Null)
    );
    assert!(refusal(data, &["task", "cancel", &pending.to_string()]).contains("already ended (cancelled)"));

    assert!(
        refusal(data, &["task", "list", "--status", "finished"])
            .contains("use pending, running, done, failed or cancelled")
    );
    assert!(refusal(data, &["task", "list", "--limit", "0"]).contains("between 1 and 100"));
    assert!(
        refusal(data, &["task", "get", "999"])
            .contains("Task 999 was not found. List tasks with `mcp-llm-generator task list`")
    );
    assert!(refusal(data, &["task", "list", "--as-persona", "nobody"]).contains("nobody"));
    // A persona that is not a lead sees only the tasks it gave or was given: dev, not junior's.
    let as_dev = ok_json(data, &["task", "list", "--as-persona", "dev", "--json"]);
    assert_eq!(as_dev["total"], 1, "{as_dev}");
}

/// Proves: `maintain` ends a task left pending for more than two hours (its server stopped) and
/// keeps one pending for 90 minutes (a sampling retry may still come within the hour), and
/// says how many; `report` counts the day's delegated and ended tasks and all by status.
#[test]
fn maintain_ends_stale_tasks_and_report_counts_them() {
    let dir = common::temp_dir();
    let (store, _done, pending) = team(dir.path());
    let recent = delegation::start(
        &store,
        &Actor::User,
        &DelegationRequest {
            task: "Check the docs.".into(),
            target: Target::Persona("junior".into()),
            priority: Priority::Low,
        },
    )
    .expect("start")
    .delegation
    .id;
    let now = time::OffsetDateTime::now_utc();
    let age = |id: i64, minutes: i64| {
        let at = now - time::Duration::minutes(minutes);
        let text = at
            .format(&time::format_description::well_known::Rfc3339)
            .expect("format");
        // Our stored form is fixed-width with microseconds; compare-safe for these ages.
        let text = format!("{}.000000Z", &text[..19]);
        store
            .write(|tx| {
                tx.execute(
                    "UPDATE delegations SET created_at = ?1 WHERE id = ?2",
                    rusqlite::params![text, id],
                )?;
                Ok(())
            })
            .expect("age");
    };
    age(pending, 180);
    age(recent, 90);

    let maintained = ok_json(dir.path(), &["maintain", "--json"]);
    assert_eq!(maintained["staleDelegationsFailed"], 1, "{maintained}");
    assert_eq!(
        delegation::get(&store, &Actor::User, pending)
            .expect("get")
            .status,
        delegation::Status::Failed
    );
    assert_eq!(
        delegation::get(&store, &Actor::User, recent).expect("get").status,
        delegation::Status::Pending
    );
    assert!(text_of(dir.path(), &["maintain"]).contains("Delegations: 0 task(s)"));

    let report = ok_json(dir.path(), &["report", "--json"]);
    let d = &report["delegations"];
    // Delegated today: the done one, and each aged one whose date is still today (near
    // midnight UTC it is yesterday's); ended today: the done one and the stale one.
    let today = [0, 180, 90]
        .iter()
        .filter(|m| (now - time::Duration::minutes(**m)).date() == now.date())
        .count();
    assert_eq!(d["delegated"].as_u64(), Some(today as u64), "{d}");
    assert_eq!(
        (d["done"].as_u64(), d["failed"].as_u64(), d["cancelled"].as_u64()),
        (Some(1), Some(1), Some(0)),
        "{d}"
    );
    assert_eq!(
        d["byStatus"],
        serde_json::json!({"pending": 1, "running": 0, "done": 1, "failed": 1, "cancelled": 0})
    );
    let text = text_of(dir.path(), &["report"]);
    assert!(
        text.contains("delegations:") && text.contains("now 1 pending, 0 running, 3 in all"),
        "{text}"
    );
}

/// Proves: a backup counts the delegations table, `backup verify` checks it, and a restore
/// brings back the delegations and the personas' tree as they were at the backup.
#[test]
fn backups_carry_delegations_and_the_team() {
    let dir = common::temp_dir();
    let (store, _done, pending) = team(dir.path());
    let made = ok_json(dir.path(), &["backup", "create", "--json"]);
    assert_eq!(made["manifest"]["tables"]["delegations"], 2, "{made}");
    let file = made["backup"]["path"].as_str().expect("path").to_string();
    let verified = ok_json(dir.path(), &["backup", "verify", &file, "--json"]);
    assert_eq!(verified["tables"]["delegations"], 2);

    delegation::cancel(&store, &Actor::User, pending).expect("cancel");
    catalog::update::<Persona>(
        &store,
        "junior",
        llmgen_core::catalog::personas::PersonaPatch {
            parent: Some(String::new()),
            ..Default::default()
        },
    )
    .expect("make a root");
    drop(store);

    let restored = ok_json(dir.path(), &["backup", "restore", &file, "--json"]);
    assert_eq!(restored["tables"]["delegations"], 2);
    let got = ok_json(dir.path(), &["task", "get", &pending.to_string(), "--json"]);
    assert_eq!(
        got["status"], "pending",
        "the restore brings back the state at the backup"
    );
    let tree = ok_json(dir.path(), &["team", "tree", "--json"]);
    let junior = tree
        .as_array()
        .expect("array")
        .iter()
        .find(|m| m["name"] == "junior")
        .expect("junior");
    assert_eq!(
        (&junior["parent"], &junior["effectiveRestrictions"]),
        (&Value::from("dev"), &Value::from(3))
    );
}
