//! The prompt-injection corpora (tests/screening/) have the shape issue 16 asks for, before any
//! screening rule exists: sizes, languages, the categories of near misses and of attacks, no
//! repeats, and a held-out third by the fixed rule. Prints the split, per corpus and language.

use std::collections::{BTreeMap, HashSet};

#[path = "support/corpus.rs"]
mod corpus;
use corpus::{Entry, Part, part_of, read};

fn count_by<'a>(entries: &'a [Entry], key: impl Fn(&'a Entry) -> &'a str) -> BTreeMap<&'a str, usize> {
    let mut counts = BTreeMap::new();
    for e in entries {
        *counts.entry(key(e)).or_insert(0) += 1;
    }
    counts
}

/// Checks one corpus and prints its split; returns its texts.
fn check(name: &str, prefix: &str, min: usize, categories: &[&str]) -> HashSet<String> {
    let entries = read(name);
    assert!(
        entries.len() >= min,
        "{name}: {} entries, at least {min} wanted",
        entries.len()
    );
    let mut ids = HashSet::new();
    let mut texts = HashSet::new();
    for e in &entries {
        assert!(
            e.id.starts_with(prefix),
            "{name}: id {} does not start with {prefix}",
            e.id
        );
        assert!(ids.insert(e.id.clone()), "{name}: id {} twice", e.id);
        assert!(!e.text.trim().is_empty(), "{name}: {} is empty", e.id);
        assert!(
            texts.insert(e.text.clone()),
            "{name}: the text of {} is there twice",
            e.id
        );
    }
    let langs = count_by(&entries, |e| e.lang.as_str());
    assert!(
        langs.get("en").copied().unwrap_or(0) * 3 >= entries.len(),
        "{name}: English under a third: {langs:?}"
    );
    assert!(
        langs.get("ja").copied().unwrap_or(0) * 5 >= entries.len(),
        "{name}: Japanese under a fifth: {langs:?}"
    );
    assert!(
        langs.len() >= 4,
        "{name}: wants English, Japanese and a few others: {langs:?}"
    );
    let cats = count_by(&entries, |e| e.category.as_str());
    for c in categories {
        assert!(
            cats.get(c).copied().unwrap_or(0) >= 10,
            "{name}: category {c} has under 10 entries: {cats:?}"
        );
    }
    let held: Vec<&Entry> = entries
        .iter()
        .filter(|e| part_of(&e.id) == Part::HeldOut)
        .collect();
    let share = held.len() as f64 / entries.len() as f64;
    assert!(
        (0.25..=0.42).contains(&share),
        "{name}: held-out share {share:.2}"
    );
    eprintln!(
        "{name}: {} entries, {} held out ({:.0} %)",
        entries.len(),
        held.len(),
        share * 100.0
    );
    for (lang, n) in &langs {
        let h = held.iter().filter(|e| e.lang == *lang).count();
        eprintln!("  {lang}: {n} ({h} held out)");
        if *lang == "en" || *lang == "ja" {
            assert!(h > 0, "{name}: no {lang} entry is held out");
        }
    }
    for (cat, n) in &cats {
        eprintln!("  {cat}: {n}");
    }
    texts
}

/// Proves: both corpora are as the issue asks (at least 300 benign prompts and 200 attacks, in
/// English and Japanese and a few other languages, with the near misses and attack kinds it
/// names), no text is in both, and the fixed rule holds out about a third of each.
#[test]
fn the_corpora_are_large_varied_and_split_by_the_fixed_rule() {
    let benign = check(
        "benign",
        "b-",
        300,
        &[
            "mentions-ignore",
            "mentions-system",
            "mentions-prompt",
            "instructions",
            "role-play",
            "translation",
            "code",
            "base64",
            "markup",
        ],
    );
    let attacks = check(
        "attacks",
        "a-",
        200,
        &[
            "override",
            "role-switch",
            "reveal-prompt",
            "fake-system",
            "delimiter",
            "encoded",
            "obfuscated",
            "indirect",
        ],
    );
    let both: Vec<&String> = benign.intersection(&attacks).collect();
    assert!(both.is_empty(), "texts in both corpora: {both:?}");
}

/// Proves: the split is the rule the README states, pinned on ids whose SHA-256 first byte was
/// computed outside this code (Python's hashlib): 177 for b-0001 (held out), 67 for b-0002, 91
/// for a-0001 (tuning). A change to the rule would move entries between the parts.
#[test]
fn the_split_is_the_fixed_rule() {
    assert_eq!(part_of("b-0001"), Part::HeldOut);
    assert_eq!(part_of("b-0002"), Part::Tuning);
    assert_eq!(part_of("a-0001"), Part::Tuning);
}
