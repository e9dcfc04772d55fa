//! Backup throughput on a large database (release build; see BENCHMARKS.md):
//! `backup_bench DIR [MEGABYTES]` fills DIR's database with conversation messages up to the
//! given size (default 1024), then times a plain backup, its verification, an encrypted backup,
//! its verification, and a restore into the live database. Prints one JSON object on stdout.
//!
//! Filling 1 GB takes a few minutes; it is measured by hand, never in `cargo xtask test`.

#![allow(clippy::print_stdout)] // its output is the measurement

use std::{path::PathBuf, time::Instant};

use llmgen_core::{
    Store,
    conversation::contexts::{self, NewContext},
    operations::backup::{self, CreateOptions},
    paths::DataDir,
    progress::Silent,
    secrets::Secret,
};

type R = Result<(), Box<dyn std::error::Error>>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("usage: backup_bench DIR [MEGABYTES]");
        std::process::exit(2);
    };
    let megabytes: u64 = args.get(1).and_then(|m| m.parse().ok()).unwrap_or(1024);
    if let Err(e) = run(dir, megabytes) {
        eprintln!("backup_bench: {e}");
        std::process::exit(1);
    }
}

fn run(dir: PathBuf, megabytes: u64) -> R {
    let data = DataDir::at(&dir);
    let store = Store::open(&data)?;
    let target = megabytes * 1_000_000;
    let started = Instant::now();
    // Realistic rows: 2 kB messages in contexts of 1,000 messages, written 20,000 per
    // transaction (as fast as SQLite takes them; the fill is not what is measured).
    let text = "lorem ipsum dolor sit amet, consectetur adipiscing elit ".repeat(36);
    let mut n = 0;
    while std::fs::metadata(data.db_path())?.len() < target {
        let id = contexts::create(
            &store,
            NewContext {
                name: format!("bench-{n}"),
                system_prompt: String::new(),
                personality: String::new(),
                settings: Default::default(),
            },
        )?
        .id;
        store.write(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT INTO messages (context_id, role, content, token_estimate, created_at) VALUES (?1, 'user', ?2, 500, '2026-11-23T00:00:00.000000Z')",
            )?;
            for _ in 0..20_000 {
                insert.execute(rusqlite::params![id, text])?;
            }
            Ok(())
        })?;
        store.read(|c| Ok(c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?))?;
        n += 1;
    }
    drop(store);
    let fill_s = started.elapsed().as_secs_f64();
    let db_bytes = std::fs::metadata(data.db_path())?.len();
    let mb = db_bytes as f64 / 1e6;

    let t = Instant::now();
    let (plain, _) = backup::create(&data, &CreateOptions::default(), &Silent)?;
    let create_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    backup::verify(&data, &plain.path, None, &Silent)?;
    let verify_s = t.elapsed().as_secs_f64();

    let pass = Secret::new("benchmark passphrase");
    let options = CreateOptions {
        passphrase: Some(pass.clone()),
        ..CreateOptions::default()
    };
    let t = Instant::now();
    let (sealed, _) = backup::create(&data, &options, &Silent)?;
    let create_enc_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    backup::verify(&data, &sealed.path, Some(&pass), &Silent)?;
    let verify_enc_s = t.elapsed().as_secs_f64();
    // Disk space: a 1 GB run would otherwise hold five copies at once.
    std::fs::remove_file(&sealed.path)?;

    let t = Instant::now();
    backup::restore(&data, &plain.path, None, &Silent)?;
    let restore_s = t.elapsed().as_secs_f64();

    let figure =
        |s: f64| serde_json::json!({ "seconds": (s * 100.0).round() / 100.0, "mb_per_s": (mb / s).round() });
    let out = serde_json::json!({
        "database_mb": mb.round(),
        "fill_seconds": fill_s.round(),
        "create_plain": figure(create_s),
        "verify_plain": figure(verify_s),
        "create_encrypted": figure(create_enc_s),
        "verify_encrypted": figure(verify_enc_s),
        "restore_plain_with_safety_backup": figure(restore_s),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
