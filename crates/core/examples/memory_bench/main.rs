//! The memory benchmark driven by `cargo xtask bench --memory` (release build):
//! `memory_bench DIR [MEMORIES] [RUNS]` fills a new store in DIR with MEMORIES generated notes
//! (default 1,000,000; corpus.rs) through the core's batch create, in batches of 1,000, adds their
//! links through `memory::link`, then runs the fixed mix of 60 queries (queries.rs) RUNS times each
//! (default 5), with and without `includeRelated` (one hop), as a persona, and a sample with a
//! tag filter, and prints the figures for
//! BENCHMARKS.md: store rate, search p50 / p95 / worst overall and per kind of query, the slowest
//! queries, and the database's size. A DIR that already holds notes is searched as it is.

#![allow(clippy::print_stdout)] // its output is the measurement

mod corpus;
mod queries;

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use llmgen_core::{
    Store,
    memory::{self, Actor, NewMemory, SearchQuery},
    paths::DataDir,
};

type R<T> = Result<T, Box<dyn std::error::Error>>;

/// How a mode of the benchmark turns a query's text into a search.
type QueryFor<'a> = dyn Fn(&str) -> SearchQuery + 'a;

const SEED: u64 = 20_261_208;
const BATCH: usize = 1_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("usage: memory_bench DIR [MEMORIES] [RUNS]");
        std::process::exit(2);
    };
    let memories = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let runs = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(5);
    if let Err(e) = run(&dir, memories, runs) {
        eprintln!("memory_bench: {e}");
        std::process::exit(1);
    }
}

fn run(dir: &Path, memories: usize, runs: usize) -> R<()> {
    let store = Store::open(&DataDir::at(dir))?;
    let stored = memory::count(&store)?;
    if stored > 0 {
        // A second look at the searches without filling again (the store rate is not measured).
        println!(
            "memory store: reusing the {stored} memories already in {}",
            dir.display()
        );
    } else {
        let filled = fill(&store, memories)?;
        println!(
            "memory store: {memories} memories in batches of {BATCH}: {:.3} ms per memory ({:.1} s; generating the text excluded), {} links: {:.3} ms per link",
            ms(filled.create) / memories as f64,
            filled.create.as_secs_f64(),
            filled.links,
            ms(filled.link) / filled.links.max(1) as f64,
        );
    }
    store.checkpoint(Duration::from_secs(60))?;
    println!(
        "memory database: {:.0} MB (after a WAL checkpoint)",
        database_bytes(&DataDir::at(dir).db_path()) as f64 / 1e6
    );
    let mix = queries::mix();
    let plain = |text: &str| SearchQuery {
        text: text.to_owned(),
        ..Default::default()
    };
    let related = |text: &str| SearchQuery {
        include_related: true,
        hops: Some(1),
        ..plain(text)
    };
    let user = Actor::User;
    let persona = Actor::Persona(corpus::PERSONAS[0].to_owned());
    let modes: [(&str, &Actor, &QueryFor<'_>); 3] = [
        ("without includeRelated", &user, &plain),
        ("with includeRelated (1 hop)", &user, &related),
        (
            "as a persona (its own and others' shared notes), without includeRelated (no target)",
            &persona,
            &plain,
        ),
    ];
    println!(
        "memory search targets (issue 14): p95 <= 10 ms, worst <= 50 ms, with and without includeRelated"
    );
    for (label, actor, query) in modes {
        let timed = time_mix(&store, actor, &mix, runs, query)?;
        report(label, &mix, &timed);
    }
    // A filter that keeps few notes under a common word: the newest-hits scan checks the filter
    // along the word's whole list. Not a target of the issue; measured to know its cost.
    let rare_tag = corpus::tag_vocabulary().pop().unwrap_or_default();
    let tagged = |text: &str| SearchQuery {
        tags: vec![rare_tag.clone()],
        ..plain(text)
    };
    let sample: Vec<queries::Query> = mix
        .iter()
        .filter(|q| matches!(q.kind, queries::Kind::Common | queries::Kind::Japanese))
        .step_by(5)
        .map(|q| queries::Query {
            kind: q.kind,
            text: q.text.clone(),
        })
        .collect();
    let timed = time_mix(&store, &user, &sample, 2, &tagged)?;
    report(
        &format!("with the tag filter '{rare_tag}' (the rarest tag; no target)"),
        &sample,
        &timed,
    );
    Ok(())
}

struct Filled {
    create: Duration,
    link: Duration,
    links: usize,
}

fn fill(store: &Store, memories: usize) -> R<Filled> {
    let mut corpus = corpus::Corpus::new(SEED);
    let mut ids: Vec<i64> = Vec::with_capacity(memories);
    let mut filled = Filled {
        create: Duration::ZERO,
        link: Duration::ZERO,
        links: 0,
    };
    let mut done = 0;
    while done < memories {
        let size = BATCH.min(memories - done);
        let notes: Vec<corpus::Note> = (0..size).map(|_| corpus.note()).collect();
        let batch: Vec<NewMemory> = notes.iter().map(corpus::Note::new_memory).collect();
        let started = Instant::now();
        ids.extend(memory::create_many(store, &Actor::User, batch)?);
        filled.create += started.elapsed();
        let started = Instant::now();
        for (offset, note) in notes.iter().enumerate() {
            for &(to, relation) in &note.links {
                memory::link(store, &Actor::User, ids[done + offset], ids[to], relation)?;
                filled.links += 1;
            }
        }
        filled.link += started.elapsed();
        done += size;
        if done % 100_000 == 0 {
            eprintln!("memory_bench: {done} memories stored");
        }
    }
    Ok(filled)
}

/// Each query's run times and its total of direct hits.
struct Timed {
    times: Vec<Vec<Duration>>,
    totals: Vec<u64>,
}

fn time_mix(store: &Store, actor: &Actor, mix: &[queries::Query], runs: usize, query: &QueryFor) -> R<Timed> {
    let search = |text: &str| -> R<(Duration, u64)> {
        let query = query(text);
        let started = Instant::now();
        let page = memory::search(store, actor, &query)?;
        Ok((started.elapsed(), u64::from(page.total)))
    };
    let mut timed = Timed {
        times: vec![Vec::with_capacity(runs); mix.len()],
        totals: vec![0; mix.len()],
    };
    // One untimed pass (the first search of a word reads its pages from disk), then the mix in
    // order, `runs` times: the same query is never run twice in a row.
    for query in mix {
        search(&query.text)?;
    }
    for _ in 0..runs {
        for (i, query) in mix.iter().enumerate() {
            let (elapsed, total) = search(&query.text)?;
            timed.times[i].push(elapsed);
            timed.totals[i] = total;
        }
    }
    Ok(timed)
}

fn report(label: &str, mix: &[queries::Query], timed: &Timed) {
    let mut all: Vec<Duration> = timed.times.iter().flatten().copied().collect();
    let (p50, p95, worst) = percentiles(&mut all);
    println!(
        "memory search {label}, {} searches: p50 {:.2} ms, p95 {:.2} ms, worst {:.2} ms",
        all.len(),
        ms(p50),
        ms(p95),
        ms(worst)
    );
    for kind in queries::Kind::ALL {
        let mut times: Vec<Duration> = mix
            .iter()
            .zip(&timed.times)
            .filter(|(q, _)| q.kind == kind)
            .flat_map(|(_, t)| t.iter().copied())
            .collect();
        let hits: Vec<u64> = mix
            .iter()
            .zip(&timed.totals)
            .filter(|(q, _)| q.kind == kind)
            .map(|(_, &t)| t)
            .collect();
        if times.is_empty() {
            continue;
        }
        let (p50, p95, worst) = percentiles(&mut times);
        println!(
            "  {:<12} p50 {:.2} ms, p95 {:.2} ms, worst {:.2} ms; direct hits per query {}..{}",
            kind.name(),
            ms(p50),
            ms(p95),
            ms(worst),
            hits.iter().min().unwrap_or(&0),
            hits.iter().max().unwrap_or(&0),
        );
    }
    let mut slowest: Vec<(Duration, usize)> = timed
        .times
        .iter()
        .enumerate()
        .map(|(i, t)| (t.iter().copied().max().unwrap_or_default(), i))
        .collect();
    slowest.sort_by_key(|&(time, _)| std::cmp::Reverse(time));
    let names: Vec<String> = slowest
        .iter()
        .take(5)
        .map(|&(t, i)| format!("{:?} {:.2} ms ({} hits)", mix[i].text, ms(t), timed.totals[i]))
        .collect();
    println!("  slowest: {}", names.join(", "));
}

/// p50, p95 and the worst of `times` (sorted in place).
fn percentiles(times: &mut [Duration]) -> (Duration, Duration, Duration) {
    if times.is_empty() {
        return (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    }
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
    (at(0.50), at(0.95), times[times.len() - 1])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The database file and its write-ahead log, in bytes.
fn database_bytes(db: &Path) -> u64 {
    let wal = db.with_extension("db-wal");
    [db.to_path_buf(), wal]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}
