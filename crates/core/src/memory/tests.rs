//! Memory against a real (in-memory) SQLite store: the permission rules, Japanese search,
//! related notes, the feed's visibility and cursor, and the limits.

use super::*;
use crate::{
    CoreError, Store, catalog,
    catalog::personas::{NewPersona, Persona},
};

fn store_with_personas() -> Store {
    let store = Store::open_in_memory().expect("store");
    for name in ["alice", "bob"] {
        catalog::add::<Persona>(
            &store,
            NewPersona {
                name: name.to_string(),
                description: format!("{name} persona"),
                system_prompt: "You help.".to_string(),
                ..Default::default()
            },
        )
        .expect("persona");
    }
    store
}

fn note(title: &str, content: &str, tags: &[&str]) -> NewMemory {
    NewMemory {
        title: title.to_string(),
        content: content.to_string(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        ..Default::default()
    }
}

/// `new`, private to its owner.
fn private(new: NewMemory) -> NewMemory {
    NewMemory {
        permission: Some(Permission::Private),
        ..new
    }
}

fn with_tags(tags: Vec<String>, new: NewMemory) -> NewMemory {
    NewMemory { tags, ..new }
}

fn text(query: &str) -> SearchQuery {
    SearchQuery {
        text: query.to_string(),
        ..Default::default()
    }
}

fn ids(page: &SearchPage) -> Vec<i64> {
    page.results.iter().map(|h| h.id).collect()
}

fn alice() -> Actor {
    Actor::Persona("alice".into())
}
fn bob() -> Actor {
    Actor::Persona("bob".into())
}

/// A persona's private note is invisible to another persona (search, get, feed, links), visible
/// to the user; a shared note is readable but not writable by others; an editable one is
/// writable by others but only its owner deletes it.
#[test]
fn permissions_hold_between_personas() {
    let store = store_with_personas();
    let secret = create(
        &store,
        &alice(),
        private(note("Alice's secret", "the launch date is moved", &[])),
    )
    .expect("create");
    assert_eq!(secret.owner.as_deref(), Some("alice"));
    let shared = create(&store, &alice(), note("Launch plan", "launch in March", &[])).expect("shared");
    assert_eq!(shared.permission, Permission::Shared, "shared is the default");

    assert_eq!(
        ids(&search(&store, &bob(), &text("launch")).expect("search")),
        vec![shared.id]
    );
    assert_eq!(
        search(&store, &Actor::User, &text("launch")).expect("user").total,
        2
    );
    assert!(matches!(
        get(&store, &bob(), secret.id),
        Err(CoreError::NotFound { .. })
    ));
    assert!(matches!(
        update(
            &store,
            &bob(),
            shared.id,
            MemoryPatch {
                content: Some("x".into()),
                ..Default::default()
            }
        ),
        Err(CoreError::NotAllowed(_))
    ));
    assert!(matches!(
        delete(&store, &bob(), secret.id),
        Err(CoreError::NotFound { .. })
    ));
    assert!(matches!(
        link(&store, &alice(), shared.id, 999, "see also"),
        Err(CoreError::NotFound { .. })
    ));

    let editable = update(
        &store,
        &alice(),
        shared.id,
        MemoryPatch {
            permission: Some(Permission::Editable),
            ..Default::default()
        },
    )
    .expect("alice opens it");
    let edited = update(
        &store,
        &bob(),
        editable.id,
        MemoryPatch {
            content: Some("launch in April".into()),
            ..Default::default()
        },
    )
    .expect("bob edits an editable note");
    assert_eq!(edited.content, "launch in April");
    let err = delete(&store, &bob(), editable.id).expect_err("only the owner deletes");
    assert!(err.to_string().contains("Only its owner"), "{err}");
    assert!(matches!(
        update(
            &store,
            &bob(),
            editable.id,
            MemoryPatch {
                permission: Some(Permission::Private),
                ..Default::default()
            }
        ),
        Err(CoreError::NotAllowed(_))
    ));
    let err = create(
        &store,
        &bob(),
        NewMemory {
            owner: Some("alice".into()),
            ..note("t", "c", &[])
        },
    )
    .expect_err("bob cannot create alice's notes");
    assert!(err.to_string().contains("may not create"), "{err}");

    // The link from alice's shared note to her secret is hidden from bob's view of the note.
    link(&store, &alice(), editable.id, secret.id, "details").expect("link");
    assert_eq!(get(&store, &alice(), editable.id).expect("get").links.len(), 1);
    assert!(get(&store, &bob(), editable.id).expect("get").links.is_empty());

    let bob_feed = feed(&store, &bob(), 0, None).expect("feed");
    assert!(
        bob_feed.changes.iter().all(|c| c.memory_id != secret.id),
        "{bob_feed:?}"
    );
    let all = feed(&store, &Actor::User, 0, None).expect("feed");
    assert!(all.changes.iter().any(|c| c.memory_id == secret.id));
    assert_eq!(
        bob_feed.next_since, all.next_since,
        "bob's cursor moves past what he cannot see"
    );
}

/// A two-character Japanese word is found inside a sentence without spaces, a longer run must
/// occur as written, a single character is found, and the snippet marks the match.
#[test]
fn japanese_is_searchable_without_spaces() {
    let store = store_with_personas();
    let tokyo = create(
        &store,
        &Actor::User,
        note("旅行メモ", "昨日は東京タワーに行った。夜景がきれい。", &["旅行"]),
    )
    .expect("jp");
    let kyoto = create(&store, &Actor::User, note("京都", "京都の東山を歩いた", &[])).expect("kyoto");
    create(&store, &Actor::User, note("English", "Tokyo tower at night", &[])).expect("en");

    let page = search(&store, &Actor::User, &text("東京")).expect("search");
    assert_eq!(ids(&page), vec![tokyo.id]);
    assert_eq!(
        page.results[0].snippet,
        "昨日は**東京**タワーに行った。夜景がきれい。"
    );
    assert_eq!(
        ids(&search(&store, &Actor::User, &text("東京タワー")).expect("run")),
        vec![tokyo.id]
    );
    assert!(
        search(&store, &Actor::User, &text("東京京都"))
            .expect("absent run")
            .results
            .is_empty()
    );
    let mut east = ids(&search(&store, &Actor::User, &text("東")).expect("one char"));
    east.sort_unstable();
    assert_eq!(east, vec![tokyo.id, kyoto.id]);
    assert_eq!(
        ids(&search(&store, &Actor::User, &text("旅行")).expect("title and tag")),
        vec![tokyo.id]
    );
    assert_eq!(
        ids(&search(&store, &Actor::User, &text("tokyo 夜景")).expect("mixed")),
        Vec::<i64>::new()
    );
}

/// Words are ANDed, ranked by bm25 (a title match first), FTS syntax is searched for rather than
/// obeyed, filters and paging apply, and an empty text lists the newest notes.
#[test]
fn search_ranks_filters_and_pages() {
    let store = store_with_personas();
    let body = create(
        &store,
        &Actor::User,
        note("Notes", "the budget for Kyoto is 2000 EUR", &["travel"]),
    )
    .expect("a");
    let title = create(
        &store,
        &alice(),
        note("Kyoto budget", "hotel and trains", &["travel", "money"]),
    )
    .expect("b");
    create(
        &store,
        &Actor::User,
        note("Other", "nothing to see (AND OR NEAR \"", &[]),
    )
    .expect("c");

    let page = search(&store, &Actor::User, &text("kyoto BUDGET")).expect("search");
    assert_eq!(ids(&page), vec![title.id, body.id], "the title match ranks first");
    assert!(page.results[0].score.expect("score") > page.results[1].score.expect("score"));
    assert!(
        search(&store, &Actor::User, &text("NEAR(\"x\" AND")).is_ok(),
        "FTS syntax is quoted"
    );
    let err = search(&store, &Actor::User, &text("((( ***")).expect_err("no words");
    assert!(err.to_string().contains("no letters or digits"), "{err}");

    let tagged = SearchQuery {
        tags: vec!["MONEY".into()],
        ..text("kyoto")
    };
    assert_eq!(
        ids(&search(&store, &Actor::User, &tagged).expect("tag")),
        vec![title.id]
    );
    let by_owner = SearchQuery {
        owner: Some(OwnerFilter::User),
        ..text("kyoto")
    };
    assert_eq!(
        ids(&search(&store, &Actor::User, &by_owner).expect("owner")),
        vec![body.id]
    );
    let future = SearchQuery {
        updated_after: Some("2999-01-01".into()),
        ..text("kyoto")
    };
    assert!(
        search(&store, &Actor::User, &future)
            .expect("time")
            .results
            .is_empty()
    );
    let bad_time = SearchQuery {
        updated_before: Some("yesterday".into()),
        ..Default::default()
    };
    assert!(search(&store, &Actor::User, &bad_time).is_err());

    let first = search(
        &store,
        &Actor::User,
        &SearchQuery {
            limit: Some(2),
            ..Default::default()
        },
    )
    .expect("list");
    assert_eq!(first.total, 3);
    assert_eq!(first.next_offset, Some(2));
    let second = search(
        &store,
        &Actor::User,
        &SearchQuery {
            limit: Some(2),
            offset: first.next_offset,
            ..Default::default()
        },
    )
    .expect("page 2");
    assert_eq!(ids(&second), vec![body.id], "newest first, so the oldest is last");
    assert_eq!(second.next_offset, None);
    assert!(
        search(
            &store,
            &Actor::User,
            &SearchQuery {
                limit: Some(51),
                ..Default::default()
            }
        )
        .is_err()
    );
}

/// Related notes come after the hits, marked with how they were reached: links (either way)
/// before shared tags, two hops only when asked, never a note the persona cannot read.
#[test]
fn related_notes_follow_links_and_tags() {
    let store = store_with_personas();
    let hit = create(&store, &Actor::User, note("Kyoto trip", "temples", &["japan"])).expect("hit");
    let linked = create(&store, &Actor::User, note("Rail pass", "JR pass prices", &[])).expect("linked");
    let tagged = create(&store, &Actor::User, note("Osaka food", "takoyaki", &["japan"])).expect("tagged");
    let far = create(
        &store,
        &Actor::User,
        note("Pass refunds", "how refunds work", &[]),
    )
    .expect("far");
    let private = create(
        &store,
        &alice(),
        private(note("Alice Japan", "private", &["japan"])),
    )
    .expect("private");
    link(&store, &Actor::User, linked.id, hit.id, "needed for").expect("link in");
    link(&store, &Actor::User, linked.id, far.id, "see also").expect("link far");

    let query = SearchQuery {
        include_related: true,
        ..text("temples")
    };
    let page = search(&store, &bob(), &query).expect("related");
    assert_eq!(ids(&page), vec![hit.id, linked.id, tagged.id]);
    assert!(page.results[0].related.is_none());
    let via = page.results[1].related.as_ref().expect("related");
    assert_eq!(
        (via.from, via.hops, via.link.as_deref()),
        (hit.id, 1, Some("needed for"))
    );
    assert_eq!(
        page.results[2].related.as_ref().expect("tag").shared_tags,
        vec!["japan".to_string()]
    );
    assert_eq!(page.total, 1, "related notes are not counted as hits");

    let two = search(
        &store,
        &bob(),
        &SearchQuery {
            hops: Some(2),
            ..query.clone()
        },
    )
    .expect("2 hops");
    assert_eq!(ids(&two), vec![hit.id, linked.id, tagged.id, far.id]);
    assert_eq!(two.results[3].related.as_ref().expect("far").hops, 2);
    let beside: Vec<i64> = related(&store, &bob(), hit.id, 1)
        .expect("a note's related")
        .iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(
        beside,
        vec![linked.id, tagged.id],
        "a note's own related notes, as its view shows them"
    );
    assert!(
        related(&store, &bob(), private.id, 1).is_err(),
        "not for a note bob cannot read"
    );
    let as_alice = search(&store, &alice(), &query).expect("alice");
    assert!(
        ids(&as_alice).contains(&private.id),
        "alice sees her own note as related"
    );
}

/// The feed lists changes in order from a cursor, with the actor; deleting and unlinking are
/// recorded; `latest_seq` moves with every change.
#[test]
fn feed_reads_from_a_cursor() {
    let store = store_with_personas();
    assert_eq!(latest_seq(&store).expect("seq"), 0);
    let a = create(&store, &alice(), note("A", "a", &[])).expect("a");
    let b = create(&store, &Actor::User, note("B", "b", &[])).expect("b");
    link(&store, &alice(), a.id, b.id, "see also").expect("link");
    unlink(&store, &alice(), a.id, b.id, None).expect("unlink");
    delete(&store, &Actor::User, b.id).expect("delete");
    let page = feed(&store, &bob(), 0, Some(2)).expect("feed");
    assert_eq!(page.changes.len(), 2);
    assert_eq!(page.changes[0].actor.as_deref(), Some("alice"));
    let rest = feed(&store, &bob(), page.next_since, None).expect("rest");
    let actions: Vec<ChangeAction> = rest.changes.iter().map(|c| c.action).collect();
    assert_eq!(
        actions,
        [
            ChangeAction::Linked,
            ChangeAction::Unlinked,
            ChangeAction::Deleted
        ]
    );
    assert_eq!(rest.next_since, latest_seq(&store).expect("seq"));
    assert!(
        feed(&store, &bob(), rest.next_since, None)
            .expect("empty")
            .changes
            .is_empty()
    );
    assert!(
        unlink(&store, &alice(), a.id, b.id, None).is_err(),
        "nothing left to unlink"
    );
}

/// Over-size and empty input is refused with the field and the limit named, and nothing is stored.
#[test]
fn limits_are_checked_and_nothing_is_stored() {
    let store = store_with_personas();
    let long = "あ".repeat(crate::limits::MEMORY_CONTENT_CHARS + 1);
    let err = create(&store, &Actor::User, note("t", &long, &[])).expect_err("too long");
    assert!(
        err.to_string().contains("content is 20001 characters long"),
        "{err}"
    );
    let tags: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
    let err = create(&store, &Actor::User, with_tags(tags, note("t", "c", &[]))).expect_err("tags");
    assert!(err.to_string().contains("the limit is 20"), "{err}");
    assert!(create(&store, &Actor::User, note("  ", "c", &[])).is_err());
    assert!(Actor::from_as_persona(&store, Some("nobody")).is_err());
    assert_eq!(count(&store).expect("count"), 0);
    assert_eq!(latest_seq(&store).expect("seq"), 0);
}

/// An export holds every readable note with tags and links, in JSON and Markdown.
#[test]
fn export_holds_what_the_actor_may_read() {
    let store = store_with_personas();
    let a = create(&store, &Actor::User, note("Kyoto", "東京から京都へ", &["japan"])).expect("a");
    let b = create(&store, &alice(), private(note("Secret", "s", &[]))).expect("b");
    link(&store, &Actor::User, a.id, b.id, "see also").expect("link");
    let json: serde_json::Value =
        serde_json::from_str(&export(&store, &Actor::User, ExportFormat::Json).expect("json"))
            .expect("parse");
    assert_eq!(json["memories"].as_array().expect("array").len(), 2);
    assert_eq!(json["memories"][0]["links"][0]["relation"], "see also");
    let markdown = export(&store, &bob(), ExportFormat::Markdown).expect("md");
    assert!(
        markdown.contains("## Kyoto (#1)") && markdown.contains("東京から京都へ"),
        "{markdown}"
    );
    assert!(!markdown.contains("Secret"), "{markdown}");
}

/// An imported note keeps its times and the old server's id, by which calls written for that
/// server still find it; the same old id cannot be imported twice.
#[test]
fn imported_notes_keep_their_old_id() {
    let store = store_with_personas();
    let old = write::ImportedMemory {
        title: "Kyoto tips",
        content: "Buy a bus pass",
        tags: Vec::new(),
        owner: Some("p"),
        permission: Permission::Editable,
        created_at: "2025-08-01T10:00:00.000000Z",
        updated_at: "2025-08-02T10:00:00.000000Z",
        actor: Some("p"),
        old_id: "4f1c-old",
    };
    let id = store.write(|tx| insert_imported(tx, &old)).expect("import");
    assert!(store.write(|tx| imported_exists(tx, "4f1c-old")).expect("exists"));
    assert_eq!(id_of_imported(&store, "4f1c-old").expect("lookup"), Some(id));
    assert_eq!(id_of_imported(&store, "other").expect("lookup"), None);
    let note = get(&store, &Actor::User, id).expect("get");
    assert_eq!(
        (note.created_at.as_str(), note.owner.as_deref()),
        ("2025-08-01T10:00:00.000000Z", Some("p"))
    );
    assert!(
        store.write(|tx| insert_imported(tx, &old)).is_err(),
        "the same old note twice"
    );
    assert_eq!(
        ids(&search(&store, &Actor::User, &text("bus")).expect("search")),
        vec![id]
    );
}

/// A note that many others link to lists the first incoming links and says how many it left
/// out, so one answer stays bounded.
#[test]
fn incoming_links_are_bounded_and_counted() {
    let store = store_with_personas();
    let hub = create(&store, &Actor::User, note("Hub", "cited a lot", &[])).expect("hub");
    for i in 0..=crate::limits::MEMORY_LINKS {
        let citing = create(&store, &Actor::User, note(&format!("Citing {i}"), "c", &[])).expect("note");
        link(&store, &Actor::User, citing.id, hub.id, "cites").expect("link");
    }
    let hub = get(&store, &Actor::User, hub.id).expect("get");
    assert_eq!(hub.links.len(), crate::limits::MEMORY_LINKS);
    assert_eq!(hub.links_left_out, 1);
}

/// Hostile searches and lists get clear errors, not a crash or a stall: a time whose UTC form
/// leaves the year 9999, a query of many different words, a million tags; a word given twice is
/// one term; a persona cannot remove (or learn of) a link to a note it cannot read.
#[test]
fn hostile_input_is_refused_clearly() {
    let store = store_with_personas();
    let late = SearchQuery {
        updated_after: Some("9999-12-31T23:30:00-01:00".into()),
        ..Default::default()
    };
    let err = search(&store, &Actor::User, &late).expect_err("out of range");
    assert!(err.to_string().contains("is not a time"), "{err}");
    let many: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
    let err = search(&store, &Actor::User, &text(&many.join(" "))).expect_err("40 words");
    assert!(err.to_string().contains("the limit is 32"), "{err}");
    let repeated = vec!["budget"; 60].join(" ");
    assert!(
        search(&store, &Actor::User, &text(&repeated)).is_ok(),
        "one word 60 times is one term"
    );
    let tags: Vec<String> = (0..1_000_000).map(|i| format!("t{i}")).collect();
    let err = create(&store, &Actor::User, with_tags(tags, note("t", "c", &[]))).expect_err("tags");
    assert!(err.to_string().contains("1000000 in the list"), "{err}");

    let bobs = create(&store, &bob(), note("Bob's", "b", &[])).expect("bob");
    let secret = create(&store, &alice(), private(note("Secret", "s", &[]))).expect("secret");
    link(&store, &Actor::User, bobs.id, secret.id, "see also").expect("the user links them");
    assert!(matches!(
        unlink(&store, &bob(), bobs.id, secret.id, None),
        Err(CoreError::NotFound { .. })
    ));
    assert_eq!(
        get(&store, &Actor::User, bobs.id).expect("get").links.len(),
        1,
        "the link stays"
    );
    // Ids are never reused: the next note after a deletion gets a new one.
    delete(&store, &Actor::User, secret.id).expect("delete");
    let next = create(&store, &Actor::User, note("Next", "n", &[])).expect("next");
    assert!(next.id > secret.id);
}
