//! `import-upstream DIR` through the real binary, against a folder laid out as the TypeScript
//! server leaves it (its templates.json, its context-memory.db schema, its shared-memory.db):
//! what is imported renders, reads back and is found as before, what is skipped says why, a
//! second run imports nothing, a dry run writes nothing, an unreadable old database imports
//! nothing, and the old files are never changed.

mod common;

use std::{fs, path::Path};

use llmgen_core::{
    Store, catalog,
    catalog::{personas::Persona, templates, templates::Template},
    conversation::contexts,
    memory::{self, Actor, Permission, SearchQuery},
    paths::DataDir,
};
use rusqlite::{Connection, params};
use serde_json::Value;

fn run(home: &Path, data: &Path, args: &[&str]) -> std::process::Output {
    common::CliRun::new(home, data).run(args)
}

fn json_of(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

/// The old server's own schema for its context database (contexts, conversations, presets).
const OLD_SCHEMA: &str = "
CREATE TABLE contexts (id TEXT PRIMARY KEY, name TEXT NOT NULL, system_prompt TEXT NOT NULL, personality TEXT NOT NULL,
  temperature REAL NOT NULL DEFAULT 0.7, max_tokens INTEGER NOT NULL DEFAULT 1000, max_history_tokens INTEGER NOT NULL DEFAULT 15000,
  expiry_days INTEGER NOT NULL DEFAULT 7, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, expires_at TEXT NOT NULL,
  is_active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE conversations (id TEXT PRIMARY KEY, context_id TEXT NOT NULL, role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
  content TEXT NOT NULL, token_count INTEGER NOT NULL, created_at TEXT NOT NULL,
  FOREIGN KEY (context_id) REFERENCES contexts (id) ON DELETE CASCADE);
CREATE TABLE personality_presets (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL, system_prompt TEXT NOT NULL,
  default_personality TEXT NOT NULL, default_temperature REAL NOT NULL DEFAULT 0.7, default_max_tokens INTEGER NOT NULL DEFAULT 1000,
  default_max_history_tokens INTEGER NOT NULL DEFAULT 15000, default_expiry_days INTEGER NOT NULL DEFAULT 7,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, is_active INTEGER NOT NULL DEFAULT 1, metadata TEXT DEFAULT '{}');
";

/// A folder as the old server leaves it after some use.
fn old_server_folder(dir: &Path) {
    fs::create_dir_all(dir.join("templates")).expect("mkdir");
    fs::write(
        dir.join("templates/templates.json"),
        r#"[
  {"name": "explain-topic", "systemPrompt": "You are a knowledgeable assistant who explains complex topics clearly.",
   "userMessage": "Explain {topic} in {style} style. Make it {length} and suitable for {audience}.",
   "parameters": {"topic": "The topic", "style": "Style", "length": "Length", "audience": "Audience"}},
  {"name": "code-review", "systemPrompt": "You review {language} code harshly.",
   "userMessage": "Review: {code}", "parameters": {"language": "Language", "code": "Code"}},
  {"name": "meeting-notes", "systemPrompt": "Write notes as JSON like {\"date\": \"...\"}.",
   "userMessage": "Notes for {date}: {notes}", "parameters": {"notes": "Raw notes"}},
  {"name": "broken", "systemPrompt": "no user message here"}
]"#,
    )
    .expect("templates.json");

    let db = Connection::open(dir.join("context-memory.db")).expect("old db");
    db.execute_batch("PRAGMA journal_mode = WAL;").expect("wal");
    db.execute_batch(OLD_SCHEMA).expect("old schema");
    let preset = "INSERT INTO personality_presets (id, name, description, system_prompt, default_personality, default_temperature,
        default_max_tokens, default_max_history_tokens, default_expiry_days, created_at, updated_at, is_active)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1000, 15000, 7, '2025-08-01T10:00:00.000Z', '2025-08-01T10:00:00.000Z', ?7)";
    // The old built-in, unchanged: this app ships its own.
    db.execute(preset, params![
        "calm_counselor", "Calm Counselor", "Maintains calm",
        "You are a calm and objective counselor. Even when users become emotional, you maintain composure and provide rational, thoughtful dialogue. Focus on understanding without being swayed by emotional intensity.",
        "Professional counselor with calm demeanor and objective perspective", 0.6, 1,
    ]).expect("builtin preset");
    // A user's own preset with a generated id: named after its display name here.
    db.execute(
        preset,
        params![
            "preset-1754042400000-k3j9x",
            "Travel Planner",
            "Plans trips",
            "You plan trips.",
            "Upbeat",
            0.9,
            1,
        ],
    )
    .expect("user preset");
    // Out of range for us (temperature 5): skipped with our validation message.
    db.execute(preset, params!["wild", "Wild", "", "You are wild.", "", 5.0, 1])
        .expect("bad preset");

    let context = "INSERT INTO contexts (id, name, system_prompt, personality, temperature, max_tokens, max_history_tokens,
        expiry_days, created_at, updated_at, expires_at, is_active) VALUES (?1, ?2, 'You help.', 'Kind', 0.7, 1000, 15000, 7,
        '2025-08-01T10:00:00.000Z', '2025-08-02 09:30:00', ?3, ?4)";
    db.execute(
        context,
        params!["ctx-live", "Trip to Kyoto", "2999-01-01T00:00:00.000Z", 1],
    )
    .expect("live");
    db.execute(
        context,
        params!["ctx-old", "Old chat", "2020-01-01T00:00:00.000Z", 1],
    )
    .expect("expired");
    let message = "INSERT INTO conversations (id, context_id, role, content, token_count, created_at) VALUES (?1, ?2, ?3, ?4, 3, ?5)";
    // Inserted out of order: the import follows the timestamps.
    db.execute(
        message,
        params![
            "m2",
            "ctx-live",
            "assistant",
            "Go in autumn.",
            "2025-08-01T10:00:02.000Z"
        ],
    )
    .expect("m2");
    db.execute(
        message,
        params![
            "m1",
            "ctx-live",
            "user",
            "When should I go?",
            "2025-08-01T10:00:01.000Z"
        ],
    )
    .expect("m1");
    db.execute(
        message,
        params![
            "m0",
            "ctx-live",
            "system",
            "internal note",
            "2025-08-01T10:00:00.500Z"
        ],
    )
    .expect("m0");
    db.execute(
        message,
        params!["m3", "ctx-old", "user", "hello", "2020-01-01T00:00:00.000Z"],
    )
    .expect("m3");
    drop(db);

    fs::create_dir_all(dir.join("data")).expect("mkdir data");
    let shared = Connection::open(dir.join("data/shared-memory.db")).expect("shared db");
    // The old server's own schema; its notes name their owner by persona id (here an old
    // built-in's), and its times are SQLite's datetime('now') or JavaScript ISO strings.
    shared
        .execute_batch(
            "CREATE TABLE shared_memories (id TEXT PRIMARY KEY, title TEXT NOT NULL, content TEXT NOT NULL,
               owner_persona_id TEXT NOT NULL, permission_level TEXT NOT NULL DEFAULT 'edit',
               created_at TEXT NOT NULL DEFAULT (datetime('now')), updated_at TEXT NOT NULL DEFAULT (datetime('now')),
               last_updated_by TEXT NOT NULL);
             INSERT INTO shared_memories VALUES ('memory-1', 'Kyoto tips', 'Buy a bus pass at the station',
               'calm_counselor', 'public', '2025-08-01 10:00:00', '2025-08-02T09:30:00.000Z', 'search_key_advisor');
             INSERT INTO shared_memories (id, title, content, owner_persona_id, last_updated_by)
               VALUES ('memory-2', 'Budget', '2000 EUR for the trip', 'p', 'p');
             INSERT INTO shared_memories VALUES ('memory-3', '東京の宿', '東京駅の近くに泊まる', 'p', 'secret',
               '2025-08-03T12:00:00.000Z', '2025-08-03T12:00:00.000Z', 'p');",
        )
        .expect("shared memory");
}

/// The direct hits of a search as the user, by title.
fn found(store: &Store, text: &str) -> Vec<memory::SearchHit> {
    let query = SearchQuery {
        text: text.into(),
        ..SearchQuery::default()
    };
    memory::search(store, &Actor::User, &query)
        .expect("search")
        .results
}

fn item<'a>(report: &'a Value, kind: &str, source_prefix: &str) -> &'a Value {
    report["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["kind"] == kind && i["source"].as_str().is_some_and(|s| s.starts_with(source_prefix)))
        .unwrap_or_else(|| panic!("no {kind} item for {source_prefix} in {report:#}"))
}

/// Every file under `dir` with a digest of its bytes (enough to tell a changed file; a failure
/// prints names, not megabytes).
fn file_bytes(dir: &Path) -> Vec<(String, u64)> {
    use std::hash::{Hash, Hasher};
    let digest = |p: &Path| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        fs::read(p).expect("read").hash(&mut h);
        h.finish()
    };
    let mut files: Vec<_> = walk(dir)
        .into_iter()
        .map(|p| (p.display().to_string(), digest(&p)))
        .collect();
    files.sort();
    files
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    fs::read_dir(dir)
        .expect("read_dir")
        .flat_map(|e| {
            let p = e.expect("entry").path();
            if p.is_dir() { walk(&p) } else { vec![p] }
        })
        .collect()
}

#[test]
fn imports_each_kind_once_says_why_it_skips_and_leaves_the_old_files_alone() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (home, data, old) = (
        tmp.path().join("home"),
        tmp.path().join("data"),
        tmp.path().join("old"),
    );
    fs::create_dir_all(&home).expect("home");
    old_server_folder(&old);
    let before = file_bytes(&old);
    let old_arg = old.to_str().expect("utf-8 path");

    // A dry run reports the same plan and writes nothing to our store.
    let dry = json_of(&run(
        &home,
        &data,
        &["import-upstream", old_arg, "--dry-run", "--json"],
    ));
    assert_eq!(dry["dryRun"], true);
    assert_eq!(item(&dry, "template", "meeting-notes")["outcome"], "imported");
    let store = Store::open(&DataDir::at(&data)).expect("store");
    assert!(
        catalog::get::<Template>(&store, "meeting-notes").is_err(),
        "a dry run must not write"
    );
    let planned: Vec<_> = dry["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["kind"] == "shared-memory" && i["outcome"] == "imported")
        .collect();
    assert_eq!(planned.len(), 3, "{dry:#}");
    assert_eq!(
        memory::count(&store).expect("count"),
        0,
        "a dry run must not write notes"
    );
    drop(store);

    let report = json_of(&run(&home, &data, &["import-upstream", old_arg, "--json"]));

    // Templates: the old built-in is not imported over ours; an edited one with our name comes
    // in renamed; undeclared placeholders stay literal text, exactly as the old server rendered.
    assert_eq!(item(&report, "template", "explain-topic")["outcome"], "skipped");
    let review = item(&report, "template", "code-review");
    assert_eq!(
        (review["outcome"].as_str(), review["name"].as_str()),
        (Some("imported"), Some("code-review-upstream"))
    );
    assert_eq!(item(&report, "template", "broken")["outcome"], "skipped");
    let store = Store::open(&DataDir::at(&data)).expect("store");
    let notes = catalog::get::<Template>(&store, "meeting-notes").expect("imported template");
    let args = [("notes".to_string(), "we agreed".to_string())]
        .into_iter()
        .collect();
    let rendered = templates::render(&notes, &args).expect("renders");
    assert_eq!(rendered.user_message, "Notes for {date}: we agreed");
    assert_eq!(
        rendered.system_prompt,
        "Write notes as JSON like {\"date\": \"...\"}."
    );
    assert!(
        catalog::get::<Template>(&store, "explain-topic")
            .expect("ours")
            .builtin,
        "our built-in stays ours"
    );

    // Personas: the unchanged built-in is skipped, the user's own comes in under a readable
    // name with its settings, an out-of-range one is skipped with our validation message.
    assert_eq!(item(&report, "persona", "Calm Counselor")["outcome"], "skipped");
    let travel = catalog::get::<Persona>(&store, "travel-planner").expect("user preset imported");
    assert_eq!(
        (travel.system_prompt.as_str(), travel.personality.as_str()),
        ("You plan trips.", "Upbeat")
    );
    assert_eq!(travel.settings.temperature, Some(0.9));
    let wild = item(&report, "persona", "Wild");
    assert_eq!(wild["outcome"], "skipped");
    assert!(
        wild["note"].as_str().is_some_and(|n| n.contains("emperature")),
        "{wild}"
    );

    // Contexts: the live one keeps its id and its history in time order, without the old
    // system row; the expired one is skipped and says how to bring it back.
    let live = item(&report, "context", "Trip to Kyoto");
    assert_eq!(
        (live["outcome"].as_str(), live["messages"].as_u64()),
        (Some("imported"), Some(2))
    );
    let history = contexts::messages(&store, "ctx-live", None, None).expect("history");
    let texts: Vec<_> = history.items.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(texts, ["When should I go?", "Go in autumn."]);
    assert_eq!(
        contexts::get(&store, "ctx-live").expect("ctx").last_activity_at,
        "2025-08-02T09:30:00.000000Z"
    );
    let expired = item(&report, "context", "Old chat");
    assert_eq!(expired["outcome"], "skipped");
    assert!(
        expired["note"]
            .as_str()
            .is_some_and(|n| n.contains("--include-expired")),
        "{expired}"
    );

    // Shared notes come into the memory and are found by search: an old built-in's id names our
    // built-in, the permissions map, the times keep their moment, whoever last changed a note is
    // the feed's actor of its creation.
    assert_eq!(
        item(&report, "shared-memory", "Kyoto tips")["outcome"],
        "imported"
    );
    let kyoto = found(&store, "bus");
    assert_eq!(kyoto.len(), 1, "{kyoto:?}");
    let kyoto = memory::get(&store, &Actor::User, kyoto[0].id).expect("get");
    assert_eq!(kyoto.title, "Kyoto tips");
    assert_eq!(kyoto.owner.as_deref(), Some("calm-counselor"));
    assert_eq!(kyoto.permission, Permission::Shared);
    assert_eq!(
        (kyoto.created_at.as_str(), kyoto.updated_at.as_str()),
        ("2025-08-01T10:00:00.000000Z", "2025-08-02T09:30:00.000000Z")
    );
    let feed = memory::feed(&store, &Actor::User, 0, None).expect("feed");
    let created = feed
        .changes
        .iter()
        .find(|c| c.memory_id == kyoto.id)
        .expect("a change for the imported note");
    assert_eq!(created.actor.as_deref(), Some("search-key-advisor"));
    assert_eq!(
        memory::id_of_imported(&store, "memory-1").expect("old id"),
        Some(kyoto.id),
        "the note keeps the old server's id"
    );
    let budget = &found(&store, "EUR")[0];
    assert_eq!(
        (budget.owner.as_deref(), budget.permission),
        (Some("p"), Permission::Editable),
        "an owner id no import knows stays as it was"
    );
    let tokyo = found(&store, "東京");
    assert_eq!(tokyo.len(), 1, "a two-character Japanese word finds its note");
    assert_eq!(tokyo[0].permission, Permission::Private);
    let secret = item(&report, "shared-memory", "東京の宿");
    assert!(
        secret["note"]
            .as_str()
            .is_some_and(|n| n.contains("'secret'") && n.contains("private")),
        "{secret}"
    );
    assert!(!data.join("imported").exists(), "nothing is kept aside any more");
    drop(store);

    // Running it again imports nothing twice.
    let again = json_of(&run(&home, &data, &["import-upstream", old_arg, "--json"]));
    let imported_again: Vec<_> = again["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["outcome"] == "imported")
        .collect();
    assert!(
        imported_again.is_empty(),
        "second run imported {imported_again:#?}"
    );
    let store = Store::open(&DataDir::at(&data)).expect("store");
    assert_eq!(
        contexts::messages(&store, "ctx-live", None, None)
            .expect("history")
            .items
            .len(),
        2
    );
    let notes_again = item(&again, "shared-memory", "Kyoto tips");
    assert!(
        notes_again["note"]
            .as_str()
            .is_some_and(|n| n.contains("already here")),
        "{notes_again}"
    );
    assert_eq!(memory::count(&store).expect("count"), 3);
    drop(store);

    // --include-expired brings the expired context back, with a fresh expiry.
    let revived = json_of(&run(
        &home,
        &data,
        &["import-upstream", old_arg, "--include-expired", "--json"],
    ));
    assert_eq!(item(&revived, "context", "Old chat")["outcome"], "imported");
    let store = Store::open(&DataDir::at(&data)).expect("store");
    let old_chat = contexts::get(&store, "ctx-old").expect("revived context is live");
    assert!(old_chat.expires_at.as_str() > "2026", "{}", old_chat.expires_at);

    // The old server's files are byte for byte as they were (opened read-only throughout).
    assert_eq!(file_bytes(&old), before);
}

#[test]
fn a_folder_without_old_data_or_with_a_broken_template_file_is_refused_with_what_to_do() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (home, data, old) = (
        tmp.path().join("home"),
        tmp.path().join("data"),
        tmp.path().join("old"),
    );
    fs::create_dir_all(old.join("templates")).expect("mkdir");
    fs::create_dir_all(&home).expect("home");

    let out = run(&home, &data, &["import-upstream", old.to_str().expect("utf-8")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("No data of the TypeScript server") && err.contains("import-upstream FOLDER"),
        "{err}"
    );

    fs::write(old.join("templates/templates.json"), "[{\"name\": \"x\",").expect("broken file");
    let out = run(&home, &data, &["import-upstream", old.to_str().expect("utf-8")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 1") && err.contains("Nothing was imported"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing on stdout on failure");
}

/// Proves: a shared-memory.db that is not the old server's (not SQLite at all, or a
/// `shared_memories` table without its columns) stops the import with the file named and
/// nothing imported, not even the templates beside it; the file stays as it was.
#[test]
fn an_unreadable_shared_memory_file_imports_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (home, data, old) = (
        tmp.path().join("home"),
        tmp.path().join("data"),
        tmp.path().join("old"),
    );
    fs::create_dir_all(&home).expect("home");
    old_server_folder(&old);
    let shared = old.join("data/shared-memory.db");
    let old_arg = old.to_str().expect("utf-8");

    fs::write(&shared, "these are not the notes you are looking for").expect("not a database");
    let out = run(&home, &data, &["import-upstream", old_arg]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("shared-memory.db") && err.contains("Nothing was imported"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(&shared).expect("still there"),
        "these are not the notes you are looking for"
    );

    fs::remove_file(&shared).expect("rm");
    Connection::open(&shared)
        .expect("odd db")
        .execute_batch("CREATE TABLE shared_memories (id TEXT, body TEXT); INSERT INTO shared_memories VALUES ('x', 'y');")
        .expect("odd table");
    let out = run(&home, &data, &["import-upstream", old_arg]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no such column") && err.contains("Nothing was imported"),
        "{err}"
    );

    let store = Store::open(&DataDir::at(&data)).expect("store");
    assert!(catalog::get::<Template>(&store, "meeting-notes").is_err());
    assert!(catalog::get::<Persona>(&store, "travel-planner").is_err());
    assert_eq!(memory::count(&store).expect("count"), 0);
}
