//! The memory benchmark's corpus and query mix (crates/core/examples/memory_bench/, run at a
//! million notes by `cargo xtask bench --memory`) at a small scale, through the core's batch
//! create and search: the generator keeps its promises (deterministic, one note in five Japanese,
//! about 500 characters, tags and links), every query of the mix runs, and a word in more notes
//! than a search counts is still ranked (the title match first) and paged without repeats.

#[path = "../examples/memory_bench/corpus.rs"]
mod corpus;
#[path = "../examples/memory_bench/queries.rs"]
mod queries;

use std::collections::HashSet;

use llmgen_core::{
    Store,
    memory::{self, Actor, NewMemory, SearchQuery},
};

const NOTES: usize = 2_000;

fn is_japanese(text: &str) -> bool {
    text.chars().any(|c| ('\u{3040}'..='\u{9FFF}').contains(&c))
}

fn search(store: &Store, text: &str, related: bool, offset: u32) -> memory::SearchPage {
    memory::search(
        store,
        &Actor::User,
        &SearchQuery {
            text: text.to_owned(),
            include_related: related,
            offset: Some(offset),
            // The largest page: the paging test below reads 500 hits.
            limit: Some(50),
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("search {text:?}: {e}"))
}

/// Proves: the same seed gives the same notes; about one in five is Japanese; every note has
/// about 500 characters, one to four of the 200 tags, and links only to earlier notes.
#[test]
fn the_corpus_is_deterministic_and_shaped_as_promised() {
    let mut first = corpus::Corpus::new(7);
    let mut again = corpus::Corpus::new(7);
    let tags: HashSet<String> = corpus::tag_vocabulary().into_iter().collect();
    assert_eq!(tags.len(), 200);
    let mut japanese = 0;
    let mut links = 0;
    for i in 0..NOTES {
        let (a, b) = (first.note(), again.note());
        assert_eq!((&a.title, &a.content, &a.tags), (&b.title, &b.content, &b.tags));
        let chars = a.content.chars().count();
        assert!((490..700).contains(&chars), "note {i} has {chars} characters");
        assert!((1..=4).contains(&a.tags.len()) && a.tags.iter().all(|t| tags.contains(t)));
        assert!(a.links.iter().all(|&(to, _)| to < i), "links go to earlier notes");
        japanese += usize::from(is_japanese(&a.content));
        links += a.links.len();
    }
    assert!(
        (300..500).contains(&japanese),
        "{japanese} Japanese notes of {NOTES}"
    );
    assert!(links > 100, "{links} links");
}

/// Proves: the mix has its 20 / 20 / 10 / 10 queries; each runs with and without related notes;
/// the common, Japanese and most multi-word queries find notes in a small corpus (rare words are
/// rare: they may find none in 2,000 notes); and "the", in more notes than a search counts, is
/// ranked and paged through its newest 500 hits without repeating a note.
#[test]
fn the_query_mix_runs_over_stored_notes() {
    let store = Store::open_in_memory().expect("store");
    let mut generator = corpus::Corpus::new(20_261_208);
    let notes: Vec<corpus::Note> = (0..NOTES).map(|_| generator.note()).collect();
    let ids = memory::create_many(
        &store,
        &Actor::User,
        notes.iter().map(corpus::Note::new_memory).collect(),
    )
    .expect("batch");
    assert_eq!(ids.len(), NOTES);
    for (i, note) in notes.iter().enumerate() {
        for &(to, relation) in &note.links {
            memory::link(&store, &Actor::User, ids[i], ids[to], relation).expect("link");
        }
    }

    let mix = queries::mix();
    for kind in queries::Kind::ALL {
        let expected = if matches!(kind, queries::Kind::Common | queries::Kind::Rare) {
            20
        } else {
            10
        };
        assert_eq!(
            mix.iter().filter(|q| q.kind == kind).count(),
            expected,
            "{}",
            kind.name()
        );
    }
    let mut multi_found = 0;
    for query in &mix {
        let page = search(&store, &query.text, false, 0);
        let with_related = search(&store, &query.text, true, 0);
        assert!(with_related.results.len() >= page.results.len());
        match query.kind {
            queries::Kind::Common | queries::Kind::Japanese => {
                assert!(page.total > 0, "{:?} found nothing", query.text)
            }
            queries::Kind::MultiWord => multi_found += usize::from(page.total > 0),
            queries::Kind::Rare => {}
        }
    }
    assert!(
        multi_found >= 6,
        "{multi_found} of 10 multi-word queries found notes"
    );

    let first = search(&store, "the", false, 0);
    assert!(first.total_capped, "'the' is in more notes than a search counts");
    assert!(first.results.iter().all(|h| h.score.is_some_and(|s| s > 0.0)));
    assert!(
        first.results.windows(2).all(|w| w[0].score >= w[1].score),
        "best first"
    );
    let second = search(&store, "the", false, first.next_offset.expect("a second page"));
    let seen: HashSet<i64> = first.results.iter().map(|h| h.id).collect();
    assert!(
        second.results.iter().all(|h| !seen.contains(&h.id)),
        "pages do not repeat"
    );

    // Two new notes, the word in the title of one and in the content of the other: both are
    // among the newest, so both are ranked, and the title match scores higher (as in FTS5).
    let create = |title: &str, content: &str| {
        memory::create(
            &store,
            &Actor::User,
            NewMemory {
                title: title.into(),
                content: content.into(),
                ..Default::default()
            },
        )
        .expect("note")
        .id
    };
    let in_title = create("The plan", "Nothing else in here.");
    let in_content = create("A plan", "The rest is nothing.");
    let mut scores = std::collections::HashMap::new();
    let mut offset = Some(0);
    while let Some(at) = offset {
        let page = search(&store, "the", false, at);
        for hit in &page.results {
            assert!(
                scores.insert(hit.id, hit.score).is_none(),
                "note {} seen twice",
                hit.id
            );
        }
        offset = page.next_offset;
    }
    assert_eq!(
        scores.len(),
        500,
        "the pages go through the newest 500 hits, the ones ranked"
    );
    assert!(scores[&in_title] > scores[&in_content], "{scores:?}");
}
