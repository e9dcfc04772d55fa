//! `cargo xtask bench --memory [MEMORIES]`: the associative memory's benchmark (issue 14), kept
//! apart from the default bench because filling a million notes takes several minutes and about
//! 2 GB of disk. Builds the release `memory_bench` example of llmgen-core
//! (crates/core/examples/memory_bench/), runs it on a new database in a temporary folder, which it
//! deletes afterwards, and passes its figures through: store rate, search p50 / p95 / worst over
//! the fixed mix of 60 queries with and without includeRelated, and the database's size.

use std::process::Command;

use anyhow::{Context, Result, bail};

/// What the issue asks for; a smaller figure (for a quick look) is an argument.
const MEMORIES: usize = 1_000_000;

pub fn bench_memory(args: &[String]) -> Result<()> {
    let memories = match args.first() {
        Some(n) => n
            .replace(['_', ','], "")
            .parse::<usize>()
            .with_context(|| format!("'{n}' is not a number of memories"))?,
        None => MEMORIES,
    };
    let bench = crate::bench::build_core_example("memory_bench", "the release memory benchmark")?;
    let scratch = crate::bench::scratch_dir("llmgen-memory-bench")?;
    println!("machine: {}", crate::bench::machine());
    let outcome = Command::new(&bench)
        .arg(&scratch)
        .arg(memories.to_string())
        .status()
        .context("running the memory benchmark");
    // The database is gigabytes: never leave it behind, whatever happened.
    let removed = std::fs::remove_dir_all(&scratch);
    let outcome = outcome?;
    if !outcome.success() {
        bail!("the memory benchmark failed ({outcome})");
    }
    removed.with_context(|| format!("removing {}", scratch.display()))
}
