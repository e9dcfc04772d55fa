//! `import-upstream DIR` through the real binary, for the old server's role engine (tables
//! `persona_roles`, `persona_capabilities`, `persona_hierarchy`, `task_delegations` in its
//! context-memory.db, designed there but never wired): the contexts with a role arrive as
//! personas with the mapped role, expertise, restrictions and parent; a parent that would close
//! a circle is left out with the reason; old delegations arrive as ended records; a dry run
//! writes nothing and a second run imports nothing twice.

mod common;

use std::{fs, path::Path};

use llmgen_core::{
    Store, catalog,
    catalog::personas::Persona,
    paths::DataDir,
    team::{
        self, Actor, Role,
        delegation::{self, DelegationFilter, Status},
    },
};
use rusqlite::Connection;
use serde_json::Value;

fn import(home: &Path, data: &Path, old: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["import-upstream", old.to_str().expect("utf-8 path"), "--json"];
    args.extend_from_slice(extra);
    let out = common::CliRun::new(home, data).run(&args);
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

/// The old contexts table, and the role engine's tables as version 1.4.1 declares them.
const OLD_SCHEMA: &str = "
CREATE TABLE contexts (id TEXT PRIMARY KEY, name TEXT NOT NULL, system_prompt TEXT NOT NULL, personality TEXT NOT NULL,
  temperature REAL NOT NULL DEFAULT 0.7, max_tokens INTEGER NOT NULL DEFAULT 1000, max_history_tokens INTEGER NOT NULL DEFAULT 15000,
  expiry_days INTEGER NOT NULL DEFAULT 7, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, expires_at TEXT NOT NULL,
  is_active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE persona_capabilities (context_id TEXT PRIMARY KEY, expertise TEXT NOT NULL DEFAULT '[]',
  tools TEXT NOT NULL DEFAULT '[]', restrictions TEXT NOT NULL DEFAULT '[]', performance_metrics TEXT,
  learning_capabilities TEXT, is_public BOOLEAN DEFAULT 0, created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE persona_roles (role_id TEXT PRIMARY KEY, context_id TEXT NOT NULL,
  role_type TEXT NOT NULL CHECK (role_type IN ('admin', 'specialist', 'assistant', 'observer', 'guest')),
  permissions TEXT NOT NULL DEFAULT '[]', role_description TEXT, parent_role_id TEXT, hierarchy_level INTEGER DEFAULT 0,
  is_active BOOLEAN DEFAULT 1, created_at DATETIME DEFAULT CURRENT_TIMESTAMP, updated_at DATETIME DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE persona_hierarchy (ancestor_id TEXT NOT NULL, descendant_id TEXT NOT NULL, depth INTEGER NOT NULL,
  is_direct BOOLEAN DEFAULT 0, created_at DATETIME DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (ancestor_id, descendant_id));
CREATE TABLE task_delegations (delegation_id TEXT PRIMARY KEY, from_context_id TEXT NOT NULL, to_context_id TEXT NOT NULL,
  task_description TEXT NOT NULL, required_capabilities TEXT DEFAULT '[]',
  priority_level TEXT DEFAULT 'medium' CHECK (priority_level IN ('low', 'medium', 'high', 'urgent')),
  status TEXT DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'in_progress', 'completed', 'failed', 'cancelled')),
  result_data TEXT, created_at DATETIME DEFAULT CURRENT_TIMESTAMP, started_at DATETIME, completed_at DATETIME);
";

/// A team in the old database: a lead (admin) over a specialist over an assistant (parent given
/// by the role's parent role), a guest, two contexts that name each other as parent, and a role
/// of a context that no longer exists.
fn old_team_folder(dir: &Path) {
    fs::create_dir_all(dir).expect("mkdir");
    let db = Connection::open(dir.join("context-memory.db")).expect("open");
    db.execute_batch(OLD_SCHEMA).expect("schema");
    let context = |id: &str, name: &str, prompt: &str| {
        db.execute(
            "INSERT INTO contexts VALUES (?1, ?2, ?3, 'Calm', 0.5, 800, 15000, 7, '2025-08-01T10:00:00.000Z',
               '2025-08-01T10:00:00.000Z', '2999-01-01T00:00:00.000Z', 1)",
            [id, name, prompt],
        )
        .expect("context");
    };
    context("ctx-1754042400000-a", "Team Lead", "You lead the team.");
    context("ctx-1754042400000-b", "Backend Dev", "You write backend code.");
    context("ctx-1754042400000-c", "Junior Dev", "You help with small tasks.");
    context("ctx-1754042400000-d", "Visitor", "You look around.");
    context("ctx-1754042400000-e", "Left Loop", "One side.");
    context("ctx-1754042400000-f", "Right Loop", "Other side.");
    db.execute_batch(
        "INSERT INTO persona_roles (role_id, context_id, role_type, role_description, parent_role_id, hierarchy_level) VALUES
           ('r-a', 'ctx-1754042400000-a', 'admin', 'Runs the team', NULL, 0),
           ('r-b', 'ctx-1754042400000-b', 'specialist', NULL, NULL, 1),
           ('r-c', 'ctx-1754042400000-c', 'assistant', NULL, 'r-b', 2),
           ('r-d', 'ctx-1754042400000-d', 'guest', NULL, NULL, 1),
           ('r-e', 'ctx-1754042400000-e', 'specialist', NULL, NULL, 1),
           ('r-f', 'ctx-1754042400000-f', 'specialist', NULL, NULL, 1),
           ('r-gone', 'ctx-deleted', 'assistant', NULL, NULL, 1);
         INSERT INTO persona_capabilities (context_id, expertise, restrictions) VALUES
           ('ctx-1754042400000-a', '[\"planning\"]', '[\"Never share customer data.\"]'),
           ('ctx-1754042400000-b', '[\"rust\", \"sql\"]', '[\"Cite the file you changed.\"]');
         INSERT INTO persona_hierarchy (ancestor_id, descendant_id, depth, is_direct) VALUES
           ('ctx-1754042400000-a', 'ctx-1754042400000-b', 1, 1),
           ('ctx-1754042400000-a', 'ctx-1754042400000-c', 2, 0),
           ('ctx-1754042400000-a', 'ctx-1754042400000-d', 1, 1),
           ('ctx-1754042400000-e', 'ctx-1754042400000-f', 1, 1),
           ('ctx-1754042400000-f', 'ctx-1754042400000-e', 1, 1);
         INSERT INTO task_delegations VALUES
           ('d-1', 'ctx-1754042400000-a', 'ctx-1754042400000-b', 'Add an index to orders', '[\"sql\"]', 'high',
            'completed', 'Index added.', '2025-08-02 09:00:00', '2025-08-02 09:00:01', '2025-08-02 09:05:00'),
           ('d-2', 'ctx-1754042400000-b', 'ctx-1754042400000-c', 'Rename a variable', '[]', 'medium',
            'in_progress', NULL, '2025-08-02 10:00:00', NULL, NULL),
           ('d-3', 'ctx-1754042400000-a', 'ctx-deleted', 'Lost task', '[]', 'low', 'pending', NULL,
            '2025-08-02 11:00:00', NULL, NULL);",
    )
    .expect("team");
}

fn items<'a>(report: &'a Value, kind: &str, outcome: &str) -> Vec<&'a Value> {
    report["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["kind"] == kind && i["outcome"] == outcome)
        .collect()
}

/// The note of the persona item whose source starts with `source_prefix`.
fn note_of<'a>(report: &'a Value, source_prefix: &str) -> &'a str {
    report["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| {
            i["kind"] == "persona" && i["source"].as_str().is_some_and(|s| s.starts_with(source_prefix))
        })
        .and_then(|i| i["note"].as_str())
        .unwrap_or_else(|| panic!("no note for {source_prefix} in {report:#}"))
}

/// Proves: the old team arrives with mapped roles, expertise, restrictions and parents (the
/// assistant's parent from its parent role, the others' from the closure table), a grandchild
/// inherits the lead's rule, a circle is cut with the reason, a role of a missing context and a
/// delegation to it are skipped, a completed delegation is done and an open one failed with
/// the reason; a dry run writes nothing; a second run imports nothing.
#[test]
fn the_old_team_arrives_once_with_roles_parents_and_delegations() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (home, data, old) = (
        tmp.path().join("home"),
        tmp.path().join("data"),
        tmp.path().join("old"),
    );
    fs::create_dir_all(&home).expect("home");
    old_team_folder(&old);

    let dry = import(&home, &data, &old, &["--dry-run"]);
    assert_eq!(items(&dry, "persona", "imported").len(), 6, "{dry:#}");
    let store = Store::open(&DataDir::at(&data)).expect("store");
    assert!(
        catalog::get::<Persona>(&store, "team-lead").is_err(),
        "a dry run must not write"
    );
    assert_eq!(delegation::count_by_status(&store).expect("counts"), vec![]);
    drop(store);

    let report = import(&home, &data, &old, &[]);
    let store = Store::open(&DataDir::at(&data)).expect("store");
    let persona = |name: &str| catalog::get::<Persona>(&store, name).expect(name);
    let lead = persona("team-lead");
    assert_eq!((lead.role, lead.parent.as_deref()), (Role::Lead, None));
    assert_eq!(lead.description, "Runs the team");
    assert_eq!(lead.system_prompt, "You lead the team.");
    assert_eq!(lead.restrictions, ["Never share customer data."]);
    let dev = persona("backend-dev");
    assert_eq!(
        (dev.role, dev.parent.as_deref()),
        (Role::Specialist, Some("team-lead"))
    );
    assert_eq!(dev.expertise, ["rust", "sql"]);
    let junior = persona("junior-dev");
    assert_eq!(
        (junior.role, junior.parent.as_deref()),
        (Role::Assistant, Some("backend-dev"))
    );
    let visitor = persona("visitor");
    assert_eq!(
        (visitor.role, visitor.parent.as_deref()),
        (Role::Observer, Some("team-lead"))
    );
    assert!(
        note_of(&report, "Team Lead").contains("admin → lead"),
        "{report:#}"
    );
    assert!(
        note_of(&report, "Visitor").contains("guest → observer"),
        "{report:#}"
    );

    // The grandchild follows its own (none) and both ancestors' rules.
    let view = team::view(&store, "junior-dev").expect("view");
    let rules: Vec<&str> = view
        .effective_restrictions
        .iter()
        .map(|r| r.rule.as_str())
        .collect();
    assert_eq!(
        rules,
        ["Cite the file you changed.", "Never share customer data."]
    );

    // One side of the circle got its parent, the other was left a root with the reason.
    let (left, right) = (persona("left-loop"), persona("right-loop"));
    assert_eq!(
        [left.parent.is_some(), right.parent.is_some()]
            .iter()
            .filter(|p| **p)
            .count(),
        1,
        "exactly one link of the circle is kept"
    );
    let cut = if left.parent.is_none() {
        "Left Loop"
    } else {
        "Right Loop"
    };
    assert!(note_of(&report, cut).contains("circle"), "{report:#}");

    let skipped = items(&report, "persona", "skipped");
    assert!(
        skipped.iter().any(|i| i["source"] == "ctx-deleted"
            && i["note"]
                .as_str()
                .is_some_and(|n| n.contains("not in the old database"))),
        "{report:#}"
    );

    let all = delegation::list(&store, &Actor::User, &DelegationFilter::default()).expect("list");
    assert_eq!(all.total, 2, "{report:#}");
    let done = all
        .items
        .iter()
        .find(|d| d.task == "Add an index to orders")
        .expect("d-1");
    assert_eq!(
        (done.status, done.from.as_deref(), done.to.as_str()),
        (Status::Done, Some("team-lead"), "backend-dev")
    );
    assert_eq!(done.result.as_deref(), Some("Index added."));
    assert_eq!(done.expertise, ["sql"]);
    let open = all
        .items
        .iter()
        .find(|d| d.task == "Rename a variable")
        .expect("d-2");
    assert_eq!(open.status, Status::Failed);
    assert!(
        open.error.as_deref().is_some_and(|e| e.contains("never ran")),
        "{open:?}"
    );
    assert!(open.result.is_none());
    assert_eq!(items(&report, "delegation", "skipped").len(), 1, "{report:#}");
    drop(store);

    let again = import(&home, &data, &old, &[]);
    assert!(items(&again, "persona", "imported").is_empty(), "{again:#}");
    assert!(items(&again, "delegation", "imported").is_empty(), "{again:#}");
    let store = Store::open(&DataDir::at(&data)).expect("store");
    assert_eq!(
        delegation::list(&store, &Actor::User, &DelegationFilter::default())
            .expect("list")
            .total,
        2
    );
    assert_eq!(
        catalog::get::<Persona>(&store, "junior-dev")
            .expect("junior")
            .parent
            .as_deref(),
        Some("backend-dev")
    );
}
