//! `memory search` and `memory export` through the real binary, on notes stored through core:
//! text and JSON output, filters, related notes marked as such, a persona that sees only what it
//! may read, and an export written whole to a file or to standard output.

mod common;

use std::{fs, path::Path, process::Output};

use common::CliRun;
use llmgen_core::{
    Store,
    memory::{self, Actor, NewMemory, Permission},
    paths::DataDir,
};
use serde_json::Value;

fn cli(data: &Path, args: &[&str]) -> Output {
    CliRun::on(data).ok(args)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn note(title: &str, content: &str, tags: &[&str], owner: Option<&str>, permission: Permission) -> NewMemory {
    NewMemory {
        title: title.into(),
        content: content.into(),
        tags: tags.iter().map(|t| (*t).to_string()).collect(),
        owner: owner.map(str::to_string),
        permission: Some(permission),
    }
}

/// Four notes: two linked ones about Kyoto, a tagged Japanese one, and one private to a persona.
fn notes(data: &Path) -> [i64; 4] {
    let store = Store::open(&DataDir::at(data)).expect("store");
    let store_note = |n| memory::create(&store, &Actor::User, n).expect("create").id;
    let kyoto = store_note(note(
        "Kyoto tips",
        "Buy a bus pass at the station.",
        &["travel"],
        Some("calm-counselor"),
        Permission::Shared,
    ));
    let budget = store_note(note(
        "Budget",
        "2000 EUR for the whole trip.",
        &["money"],
        None,
        Permission::Shared,
    ));
    let tokyo = store_note(note(
        "東京の宿",
        "東京駅の近くに泊まる。",
        &["travel"],
        None,
        Permission::Shared,
    ));
    let diary = store_note(note(
        "Counselor's diary",
        "A private station note.",
        &[],
        Some("calm-counselor"),
        Permission::Private,
    ));
    memory::link(&store, &Actor::User, kyoto, budget, "costs").expect("link");
    [kyoto, budget, tokyo, diary]
}

/// Proves: a search prints id, title and snippet of each hit and how many there are; `--related`
/// adds linked and same-tag notes after the hits, marked with what relates them; `--tag`,
/// `--owner` and `--limit` filter; `--json` gives the core's page; a two-character Japanese word
/// finds its note.
#[test]
fn search_prints_hits_and_marks_related_notes() {
    let dir = common::temp_dir();
    let [kyoto, budget, tokyo, diary] = notes(dir.path());

    let text = stdout(&cli(dir.path(), &["memory", "search", "bus"]));
    assert!(text.contains(&format!("#{kyoto}  Kyoto tips")), "{text}");
    assert!(text.contains("**bus**"), "the snippet marks the match: {text}");
    assert!(text.contains("1 direct hit(s)"), "{text}");
    assert!(!text.contains("Budget"), "{text}");

    let text = stdout(&cli(dir.path(), &["memory", "search", "bus", "--related"]));
    assert!(
        text.contains(&format!(
            "#{budget}  Budget  [related to #{kyoto} by link \"costs\"]"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "#{tokyo}  東京の宿  [related to #{kyoto} by tags travel]"
        )),
        "{text}"
    );
    let kyoto_at = text.find("Kyoto tips").expect("hit");
    assert!(
        text.find("Budget").expect("related") > kyoto_at,
        "related notes come after the hits"
    );

    let page = json_of(&cli(dir.path(), &["memory", "search", "東京", "--json"]));
    assert_eq!(page["results"][0]["id"], tokyo);
    assert_eq!(page["total"], 1);

    let page = json_of(&cli(
        dir.path(),
        &[
            "memory",
            "search",
            "--tag",
            "travel",
            "--owner",
            "calm-counselor",
            "--json",
        ],
    ));
    let ids: Vec<_> = page["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|h| h["id"].clone())
        .collect();
    assert_eq!(ids, [Value::from(kyoto)]);

    let page = json_of(&cli(dir.path(), &["memory", "search", "--limit", "1", "--json"]));
    assert_eq!(page["results"].as_array().expect("results").len(), 1);
    assert!(page["nextOffset"].is_number(), "{page}");

    let text = stdout(&cli(dir.path(), &["memory", "search", "station"]));
    assert!(
        text.contains(&format!("#{diary}")),
        "the user sees every note: {text}"
    );
    let text = stdout(&cli(dir.path(), &["memory", "search", "nothing-like-this"]));
    assert_eq!(text.trim(), "No notes match.");
}

/// Proves: `--as-persona` searches and exports as that persona: another persona's private note
/// is not there; an unknown persona is refused instead of silently seeing less.
#[test]
fn a_persona_sees_only_what_it_may_read() {
    let dir = common::temp_dir();
    let [kyoto, _, _, diary] = notes(dir.path());
    let as_other = ["--as-persona", "rational-advisor", "--json"];

    let page = json_of(&cli(
        dir.path(),
        &[&["memory", "search", "station"][..], &as_other].concat(),
    ));
    let ids: Vec<_> = page["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|h| h["id"].clone())
        .collect();
    assert_eq!(
        ids,
        [Value::from(kyoto)],
        "the diary is private to calm-counselor"
    );
    let page = json_of(&cli(
        dir.path(),
        &[
            "memory",
            "search",
            "station",
            "--as-persona",
            "calm-counselor",
            "--json",
        ],
    ));
    assert_eq!(
        page["results"].as_array().expect("results").len(),
        2,
        "its owner sees it"
    );

    let export = json_of(&cli(
        dir.path(),
        &["memory", "export", "--as-persona", "rational-advisor"],
    ));
    let exported: Vec<_> = export["memories"]
        .as_array()
        .expect("memories")
        .iter()
        .map(|m| m["id"].clone())
        .collect();
    assert_eq!(exported.len(), 3);
    assert!(!exported.contains(&Value::from(diary)));

    let out = CliRun::on(dir.path()).run(&["memory", "search", "station", "--as-persona", "nobody"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nobody"));
}

/// Proves: `memory export` writes JSON (the default) or Markdown to standard output, or to a file
/// that replaces the old one whole, private, with no temporary file left beside it.
#[test]
fn export_writes_json_or_markdown_to_stdout_or_a_file() {
    let dir = common::temp_dir();
    notes(dir.path());

    let all = json_of(&cli(dir.path(), &["memory", "export"]));
    assert_eq!(all["memories"].as_array().expect("memories").len(), 4);
    let markdown = stdout(&cli(dir.path(), &["memory", "export", "--format", "markdown"]));
    assert!(
        markdown.contains("Kyoto tips") && markdown.contains("東京駅の近くに泊まる"),
        "{markdown}"
    );

    let out_dir = dir.path().join("exports");
    fs::create_dir(&out_dir).expect("mkdir");
    let file = out_dir.join("notes.md");
    fs::write(
        &file,
        "an older export that is much longer than anything a note would be ".repeat(500),
    )
    .expect("old file");
    let text = stdout(&cli(
        dir.path(),
        &[
            "memory",
            "export",
            "--format",
            "markdown",
            "--output",
            file.to_str().expect("utf-8"),
        ],
    ));
    assert!(text.contains("Exported to"), "{text}");
    // The same export as on stdout, whole (the header's export time differs).
    let notes_of = |text: &str| text.split_once("\n## ").map(|(_, notes)| notes.to_string());
    let written = fs::read_to_string(&file).expect("written");
    assert!(written.starts_with("# "), "{written}");
    assert_eq!(notes_of(&written), notes_of(&markdown));
    assert!(notes_of(&written).is_some());
    let names: Vec<_> = fs::read_dir(&out_dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["notes.md"], "no temporary file is left");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&file).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the notes may be private");
    }

    let out = CliRun::on(dir.path()).run(&["memory", "export", "--output", "/nonexistent-dir/x.json"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent-dir"));
}
