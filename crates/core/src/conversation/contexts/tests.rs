//! Unit tests of contexts and their messages.

use std::path::Path;

use super::{export::file_stem, *};

#[test]
fn a_context_from_a_persona_copies_and_overrides_its_settings() {
    let store = Store::open_in_memory().expect("store");
    let c = create_from_persona(
        &store,
        "rational-advisor",
        NewContext {
            settings: PersonaSettings {
                temperature: Some(0.0),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .expect("create");
    assert_eq!(c.persona.as_deref(), Some("rational-advisor"));
    assert_eq!(c.settings.temperature, 0.0);
    assert_eq!(c.settings.max_history_tokens, 15000);
    assert!(c.effective_system_prompt().contains("Personality:"));
}

#[test]
fn listing_pages_through_contexts() {
    let store = Store::open_in_memory().expect("store");
    for i in 0..5 {
        create(
            &store,
            NewContext {
                name: format!("c{i}"),
                ..Default::default()
            },
        )
        .expect("create");
    }
    let first = list(&store, None, Some(2)).expect("page 1");
    assert_eq!(
        (first.items.len(), first.total, first.next_offset),
        (2, 5, Some(2))
    );
    let last = list(&store, Some(4), Some(2)).expect("page 3");
    assert_eq!((last.items.len(), last.next_offset), (1, None));
}

#[test]
fn an_expired_context_is_hidden_and_reported_as_expired() {
    let store = Store::open_in_memory().expect("store");
    let c = create(
        &store,
        NewContext {
            name: "old".into(),
            ..Default::default()
        },
    )
    .expect("create");
    store
        .write(|tx| {
            Ok(tx.execute(
                "UPDATE contexts SET expires_at = '2000-01-01T00:00:00Z' WHERE id = ?1",
                [&c.id],
            )?)
        })
        .expect("age it");
    assert!(matches!(get(&store, &c.id), Err(CoreError::ContextExpired(_))));
    assert_eq!(list(&store, None, None).expect("list").total, 0);
}

fn named(store: &Store, name: &str) -> Context {
    create(
        store,
        NewContext {
            name: name.into(),
            ..Default::default()
        },
    )
    .expect("create")
}

/// Proves: search matches part of a name regardless of ASCII case, treats % and _ as plain
/// characters, pages like list, and an empty query is the whole list.
#[test]
fn search_finds_contexts_by_part_of_their_name() {
    let store = Store::open_in_memory().expect("store");
    for name in ["Trip planning", "trip budget", "Recipes", "100% done", "a_b"] {
        named(&store, name);
    }
    let names = |page: Page<Context>| page.items.into_iter().map(|c| c.name).collect::<Vec<_>>();
    let mut trips = names(search(&store, " TRIP ", None, None).expect("search"));
    trips.sort();
    assert_eq!(trips, ["Trip planning", "trip budget"]);
    assert_eq!(
        names(search(&store, "%", None, None).expect("search")),
        ["100% done"]
    );
    assert_eq!(names(search(&store, "_", None, None).expect("search")), ["a_b"]);
    assert_eq!(
        search(&store, "nothing like it", None, None)
            .expect("search")
            .total,
        0
    );
    let first = search(&store, "trip", None, Some(1)).expect("page");
    assert_eq!(
        (first.items.len(), first.total, first.next_offset),
        (1, 2, Some(1))
    );
    assert_eq!(search(&store, "  ", None, None).expect("all").total, 5);
}

/// Proves: an export lands in a new file with the exact text of `export`; the suggested path
/// is named after the context and never one that exists; an existing file is never replaced;
/// a relative path is refused.
#[test]
fn exporting_to_a_file_never_replaces_one() {
    let store = Store::open_in_memory().expect("store");
    let c = named(&store, "Trip: Kyoto / Osaka?");
    let dir = tempfile::tempdir().expect("dir");
    let first = export_path(&store, &c.id, ExportFormat::Markdown, dir.path()).expect("path");
    assert_eq!(first, dir.path().join("Trip-Kyoto-Osaka.md"));
    let written = export_to_file(&store, &c.id, ExportFormat::Markdown, &first).expect("write");
    assert_eq!(
        std::fs::read_to_string(&written).expect("read"),
        export(&store, &c.id, ExportFormat::Markdown).expect("export")
    );
    let second = export_path(&store, &c.id, ExportFormat::Markdown, dir.path()).expect("path");
    assert_eq!(second, dir.path().join("Trip-Kyoto-Osaka-2.md"));
    let json = export_path(&store, &c.id, ExportFormat::Json, dir.path()).expect("path");
    assert_eq!(json, dir.path().join("Trip-Kyoto-Osaka.json"));

    std::fs::write(&second, "mine").expect("plant");
    let err = export_to_file(&store, &c.id, ExportFormat::Markdown, &second).expect_err("exists");
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(std::fs::read_to_string(&second).expect("read"), "mine");

    let err =
        export_to_file(&store, &c.id, ExportFormat::Json, Path::new("chat.json")).expect_err("relative");
    assert!(err.to_string().contains("not a full path"), "{err}");
    let err = export_to_file(
        &store,
        &c.id,
        ExportFormat::Json,
        &dir.path().join("no/such/dir/x.json"),
    )
    .expect_err("missing folder");
    assert!(err.to_string().contains("Choose a folder that exists"), "{err}");
    assert_eq!(file_stem("???"), "conversation");
    assert_eq!(file_stem("日記 2026"), "日記-2026");
}
