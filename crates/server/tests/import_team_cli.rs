//! `import-upstream DIR` through the real binary, for the old server's role engine (tables
//! `persona_roles`, `persona_capabilities`, `persona_hierarchy`, `task_delegations` in its
//! context-memory.db, designed there but never wired): the contexts with a role arrive as
//! personas with the mapped role, expertise, restrictions and parent; a parent that would close
//! a circle is left out with the reason; the moved-in conversation speaks as its persona (its
//! rules and its ancestors' apply there); a member is not dropped over a detail our limits refuse
//! (an empty prompt, too many or too long entries); old delegations arrive as ended records, each
//! once by its old id, a reviewer's as a review; a dry run writes nothing and a second run
//! imports nothing twice.

mod common;

use std::{fs, path::Path};

use llmgen_core::{
    Store, catalog,
    catalog::personas::{Persona, PersonaPatch},
    conversation::chat,
    paths::DataDir,
    team::{
        self, Actor, Role,
        delegation::{self, Delegation, DelegationFilter, Kind, Status},
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
    // And so does the moved-in conversation: our copy of the old context speaks as the persona
    // made from it, so a chat there carries the ancestors' rules after its own prompt.
    let plan = chat::prepare(&store, "ctx-1754042400000-c", "Hello").expect("prepare");
    assert_eq!(plan.context.persona.as_deref(), Some("junior-dev"));
    let prompt = plan.request.system_prompt.expect("a system prompt");
    assert!(
        prompt.starts_with("You help with small tasks.")
            && prompt.contains("Never share customer data.")
            && prompt.contains("Cite the file you changed."),
        "{prompt}"
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

    // A conversation an earlier version left unlinked is linked by the next run.
    Connection::open(DataDir::at(&data).db_path())
        .expect("our db")
        .execute(
            "UPDATE contexts SET persona = NULL WHERE id = 'ctx-1754042400000-c'",
            [],
        )
        .expect("unlink");
    let again = import(&home, &data, &old, &[]);
    assert!(items(&again, "persona", "imported").is_empty(), "{again:#}");
    assert!(
        note_of(&again, "Junior Dev").contains("now speaks as it"),
        "{again:#}"
    );
    assert!(
        !note_of(&again, "Backend Dev").contains("now speaks as it"),
        "a linked context is left as it is: {again:#}"
    );
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
    let context = chat::prepare(&store, "ctx-1754042400000-c", "Hello")
        .expect("prepare")
        .context;
    assert_eq!(context.persona.as_deref(), Some("junior-dev"));
}

/// More of the old team, each row a detail our limits or keys once tripped over: a member with
/// an empty prompt (over the lead), one below it with 25 rules, one with a 60-character
/// expertise entry in Japanese, one whose parent is the role of a missing context; two
/// delegations alike but for their ids, and one with a time that cannot be read.
fn more_old_team(dir: &Path) {
    let db = Connection::open(dir.join("context-memory.db")).expect("open");
    let context = |id: &str, name: &str, prompt: &str| {
        db.execute(
            "INSERT INTO contexts VALUES (?1, ?2, ?3, '', 0.5, 800, 15000, 7, '2025-08-01T10:00:00.000Z',
               '2025-08-01T10:00:00.000Z', '2999-01-01T00:00:00.000Z', 1)",
            [id, name, prompt],
        )
        .expect("context");
    };
    context("ctx-1754042400000-g", "Blank Prompt", "  ");
    context("ctx-1754042400000-h", "Rule Keeper", "You keep rules.");
    context("ctx-1754042400000-j", "Expert", "You know Japanese.");
    context("ctx-1754042400000-k", "Orphan", "You lost your lead.");
    let rules: Vec<String> = (1..=25).map(|n| format!("Rule {n}.")).collect();
    let long_expertise = "日本語".repeat(20);
    db.execute_batch(
        "INSERT INTO persona_roles (role_id, context_id, role_type, role_description, parent_role_id, hierarchy_level) VALUES
           ('r-g', 'ctx-1754042400000-g', 'specialist', NULL, 'r-a', 1),
           ('r-h', 'ctx-1754042400000-h', 'assistant', NULL, 'r-g', 2),
           ('r-j', 'ctx-1754042400000-j', 'specialist', NULL, NULL, 1),
           ('r-k', 'ctx-1754042400000-k', 'assistant', NULL, 'r-gone', 2);
         INSERT INTO task_delegations (delegation_id, from_context_id, to_context_id, task_description, status, created_at) VALUES
           ('d-4', 'ctx-1754042400000-a', 'ctx-1754042400000-j', 'Translate the notice', 'completed', '2025-08-03 09:00:00'),
           ('d-5', 'ctx-1754042400000-a', 'ctx-1754042400000-j', 'Translate the notice', 'completed', '2025-08-03 09:00:00'),
           ('d-6', 'ctx-1754042400000-a', 'ctx-1754042400000-h', 'Check the rules', 'pending', 'someday');",
    )
    .expect("roles");
    db.execute(
        "INSERT INTO persona_capabilities (context_id, expertise, restrictions) VALUES
           ('ctx-1754042400000-h', '[]', ?1), ('ctx-1754042400000-j', ?2, '[]')",
        [
            serde_json::to_string(&rules).expect("json"),
            serde_json::to_string(&[long_expertise, "kanji".to_string()]).expect("json"),
        ],
    )
    .expect("capabilities");
}

fn delegations(store: &Store) -> Vec<Delegation> {
    delegation::list(store, &Actor::User, &DelegationFilter::default())
        .expect("list")
        .items
}

/// Proves: an empty prompt, 25 rules and an over-long expertise entry no longer drop a member
/// (the prompt falls back to "You are NAME.", the first 20 rules are kept, the entry is cut to
/// 50 characters, each said in the note), so its child keeps its parent and its delegations
/// arrive; a child whose old parent was skipped says so; two old delegations alike but for
/// their ids both arrive, and a second run imports none of them again, even the one whose time
/// cannot be read; a delegation to a persona that is now a reviewer arrives as a review.
#[test]
fn details_drop_no_member_and_delegations_arrive_once_by_their_old_id() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (home, data, old) = (
        tmp.path().join("home"),
        tmp.path().join("data"),
        tmp.path().join("old"),
    );
    fs::create_dir_all(&home).expect("home");
    old_team_folder(&old);
    more_old_team(&old);

    let report = import(&home, &data, &old, &[]);
    let store = Store::open(&DataDir::at(&data)).expect("store");
    let persona = |name: &str| catalog::get::<Persona>(&store, name).expect(name);
    let blank = persona("blank-prompt");
    assert_eq!(blank.system_prompt, "You are Blank Prompt.");
    assert_eq!(blank.parent.as_deref(), Some("team-lead"));
    assert!(
        note_of(&report, "Blank Prompt").contains("system prompt was empty"),
        "{report:#}"
    );
    let keeper = persona("rule-keeper");
    assert_eq!(keeper.restrictions.len(), 20);
    assert_eq!(
        (keeper.restrictions[0].as_str(), keeper.restrictions[19].as_str()),
        ("Rule 1.", "Rule 20.")
    );
    assert_eq!(keeper.parent.as_deref(), Some("blank-prompt"));
    assert!(
        note_of(&report, "Rule Keeper").contains("kept the first 20 restrictions"),
        "{report:#}"
    );
    let expert = persona("expert");
    assert_eq!(
        expert.expertise,
        ["日本語".repeat(16) + "日本", "kanji".to_string()]
    );
    assert_eq!(expert.expertise[0].chars().count(), 50);
    assert!(
        note_of(&report, "Expert").contains("cut to 50 characters"),
        "{report:#}"
    );
    let orphan = note_of(&report, "Orphan");
    assert!(
        orphan.contains("ctx-deleted") && orphan.contains("was skipped") && !orphan.contains("no role"),
        "{report:#}"
    );

    let all = delegations(&store);
    let translations = all.iter().filter(|d| d.task == "Translate the notice").count();
    assert_eq!(translations, 2, "two old rows, two records: {report:#}");
    let check = all
        .iter()
        .find(|d| d.task == "Check the rules")
        .expect("d-6, whose time cannot be read");
    assert_eq!((check.to.as_str(), check.kind), ("rule-keeper", Kind::Task));
    let total = all.len();
    assert_eq!(total, 5, "{report:#}");

    // The user makes the rule keeper a reviewer; the old server (still running) recorded one
    // more task for it. The next run brings that one only, as a review.
    catalog::update::<Persona>(
        &store,
        "rule-keeper",
        PersonaPatch {
            role: Some(Role::Reviewer),
            ..Default::default()
        },
    )
    .expect("reviewer");
    drop(store);
    Connection::open(old.join("context-memory.db"))
        .expect("open")
        .execute(
            "INSERT INTO task_delegations (delegation_id, from_context_id, to_context_id, task_description, status, created_at)
             VALUES ('d-8', 'ctx-1754042400000-a', 'ctx-1754042400000-h', 'Review the rules', 'completed', 'someday')",
            [],
        )
        .expect("d-8");
    let again = import(&home, &data, &old, &[]);
    let imported = items(&again, "delegation", "imported");
    assert_eq!(imported.len(), 1, "only d-8 is new: {again:#}");
    assert_eq!(imported[0]["source"], "d-8");
    let store = Store::open(&DataDir::at(&data)).expect("store");
    let all = delegations(&store);
    assert_eq!(all.len(), total + 1);
    let review = all.iter().find(|d| d.task == "Review the rules").expect("d-8");
    assert_eq!((review.to.as_str(), review.kind), ("rule-keeper", Kind::Review));
}
