//! Store benchmarks driven by `cargo xtask bench` (release build):
//! - `assemble DIR`: fills a context with 100,000 messages, then times `chat::prepare` (history
//!   assembly within the token budget), median of 20;
//! - `write DIR TAG TURNS`: one process recording TURNS exchanges into the shared context, as a
//!   server process does; xtask runs 8 of these at once and counts rows.
//!
//! - `metrics DIR`: the cost of recording one tool call in the in-memory metrics (median over 20
//!   rounds of 1,000,000 calls) and of one flush of those counters to SQLite.
//!
//! Prints one JSON object on stdout.

#![allow(clippy::print_stdout)] // its output is the measurement

use std::{path::PathBuf, time::Instant};

use llmgen_core::{
    Store,
    conversation::chat,
    conversation::contexts::{self, NewContext},
    generation::Generated,
    paths::DataDir,
};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("assemble") => assemble(PathBuf::from(&args[1])),
        Some("write") => write(PathBuf::from(&args[1]), &args[2], args[3].parse().unwrap_or(1000)),
        Some("context") => shared_context(PathBuf::from(&args[1])),
        Some("count") => count(PathBuf::from(&args[1])),
        Some("metrics") => metrics(PathBuf::from(&args[1])),
        _ => Err("usage: store_bench assemble DIR | context DIR | write DIR TAG TURNS | metrics DIR".into()),
    };
    if let Err(e) = result {
        eprintln!("store_bench: {e}");
        std::process::exit(1);
    }
}

type R = Result<(), Box<dyn std::error::Error>>;

fn reply(text: String) -> Generated {
    Generated {
        text,
        model: "bench".into(),
        stop_reason: None,
        route: "sampling".into(),
        usage: None,
    }
}

fn assemble(dir: PathBuf) -> R {
    let store = Store::open(&DataDir::at(&dir))?;
    let context = contexts::create(
        &store,
        NewContext {
            name: "big".into(),
            ..Default::default()
        },
    )?;
    let started = Instant::now();
    store.write(|tx| {
        let mut stmt = tx.prepare(
            "INSERT INTO messages (context_id, role, content, token_estimate, created_at) VALUES (?1, ?2, ?3, ?4, '2026-01-01T00:00:00Z')",
        )?;
        for i in 0..100_000u32 {
            let role = if i % 2 == 0 { "user" } else { "assistant" };
            let content = format!("message number {i}: {}", "lorem ipsum dolor sit amet ".repeat(4));
            stmt.execute(rusqlite::params![context.id, role, content, llmgen_core::generation::tokens::estimate(&content)])?;
        }
        Ok(())
    })?;
    let fill_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut times = Vec::new();
    let mut kept = 0;
    for _ in 0..20 {
        let t = Instant::now();
        let plan = chat::prepare(&store, &context.id, "the newest question")?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        kept = plan.request.messages.len();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{{\"messages\":100000,\"fill_ms\":{fill_ms:.0},\"assemble_median_ms\":{:.3},\"assemble_max_ms\":{:.3},\"messages_in_request\":{kept}}}",
        times[times.len() / 2],
        times[times.len() - 1]
    );
    Ok(())
}

fn shared_context(dir: PathBuf) -> R {
    let store = Store::open(&DataDir::at(&dir))?;
    let context = contexts::create(
        &store,
        NewContext {
            name: "shared".into(),
            ..Default::default()
        },
    )?;
    println!("{{\"context\":\"{}\"}}", context.id);
    Ok(())
}

fn count(dir: PathBuf) -> R {
    let store = Store::open(&DataDir::at(&dir))?;
    let n: i64 = store.read(|c| Ok(c.query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))?))?;
    println!("{{\"messages\":{n}}}");
    Ok(())
}

fn write(dir: PathBuf, tag: &str, turns: u32) -> R {
    let store = Store::open(&DataDir::at(&dir))?;
    let id = contexts::list(&store, None, Some(1))?
        .items
        .first()
        .map(|c| c.id.clone())
        .ok_or("no context")?;
    let started = Instant::now();
    let mut errors = 0u32;
    for i in 0..turns {
        if let Err(e) = chat::record_exchange(
            &store,
            &id,
            &format!("{tag} question {i}"),
            &reply(format!("{tag} answer {i}")),
        ) {
            errors += 1;
            eprintln!("store_bench: {e}");
        }
    }
    println!(
        "{{\"tag\":\"{tag}\",\"turns\":{turns},\"errors\":{errors},\"secs\":{:.3}}}",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The nine tools of a full tool list: the per-tool map holds as many entries as a real server.
const TOOLS: [&str; 9] = [
    "llm-generate",
    "provider-status",
    "template-execute",
    "template-to-params",
    "template-manage",
    "persona-manage",
    "context-manage",
    "context-chat",
    "conversation-manage",
];

fn metrics(dir: PathBuf) -> R {
    use std::time::Duration;
    const CALLS: u64 = 1_000_000;
    let store = Store::open(&DataDir::at(&dir))?;
    let m = llmgen_core::operations::metrics::Metrics::new();
    let mut record_ns = Vec::new();
    let mut flush_ms = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        for i in 0..CALLS {
            m.record_tool(
                TOOLS[(i % 9) as usize],
                Duration::from_micros(150 + i % 997),
                i % 50 == 0,
            );
        }
        record_ns.push(started.elapsed().as_nanos() as f64 / CALLS as f64);
        let started = Instant::now();
        m.flush(&store)?;
        flush_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "{{\"record_ns\":{:.1},\"flush_ms\":{:.3}}}",
        median(&mut record_ns),
        median(&mut flush_ms)
    );
    Ok(())
}
