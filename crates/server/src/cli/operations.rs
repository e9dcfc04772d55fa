//! `health`, `report`, `logs` and `diagnose`: how the installation is doing, for people and scripts.
#![allow(clippy::print_stdout)] // this is the CLI's output; the serve path never prints

use anyhow::Context;
use llmgen_core::{Store, operations::health, operations::logs, operations::report, paths::DataDir};

use super::{current_exe, runtime};

#[derive(clap::Args)]
pub struct HealthArgs {
    #[arg(long)]
    pub json: bool,
    /// Leave out the server handshake (spawning this program once).
    #[arg(long)]
    pub no_handshake: bool,
    /// Fault injection for tests: free space (percent) under which the disk check warns.
    #[arg(long, hide = true, value_name = "PERCENT")]
    pub free_warn_percent: Option<f64>,
    /// Fault injection for tests: free space (percent) under which the disk check fails.
    #[arg(long, hide = true, value_name = "PERCENT")]
    pub free_error_percent: Option<f64>,
}

/// `health`: prints every check and returns the exit code (0 ok, 1 warning, 2 error).
pub fn health(data_dir: DataDir, args: HealthArgs) -> anyhow::Result<u8> {
    let exe = current_exe()?;
    let mut options = health::HealthOptions::default();
    if let Some(p) = args.free_warn_percent {
        options.free_warn_percent = p;
    }
    if let Some(p) = args.free_error_percent {
        options.free_error_percent = p;
    }
    // A data folder that does not exist (a mistyped --data-dir, or nothing has run yet) must not
    // be created by the check: the server's handshake then runs in a throwaway folder, and the
    // database check reports that there is no database here.
    let scratch = if data_dir.root().exists() {
        None
    } else {
        Some(tempfile::tempdir().context("cannot create a temporary folder for the server handshake")?)
    };
    let handshake_dir = scratch.as_ref().map_or(data_dir.root(), |t| t.path());
    let handshake = (!args.no_handshake).then(|| llmgen_server::ChildHandshake::new(&exe, handshake_dir));
    let report = runtime()?.block_on(health::check_installation(
        &data_dir,
        Some(&exe),
        handshake.as_ref(),
        options,
    ));
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("health: {}", report.level.as_str());
        for c in &report.checks {
            println!("  {:<8} {:<13} {}", c.level.as_str(), c.id, c.message);
            if let Some(fix) = &c.fix {
                println!("  {:<8} {:<13} fix: {fix}", "", "");
            }
        }
    }
    Ok(report.level.exit_code())
}

/// `report`: the daily report of a UTC day.
pub fn report(store: &Store, day: Option<String>, json: bool) -> anyhow::Result<()> {
    let day = match day {
        Some(text) => report::Day::parse(&text)?,
        None => report::Day::today(),
    };
    let r = report::daily(store, day)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    let (c, g) = (r.counts, r.growth);
    println!("Report for {} (UTC)", r.day);
    println!(
        "  contexts {} ({:+}), messages {} ({:+}), templates {} ({:+}), personas {} ({:+}), memories {} ({:+})",
        c.contexts,
        g.contexts,
        c.messages,
        g.messages,
        c.templates,
        g.templates,
        c.personas,
        g.personas,
        c.memories,
        g.memories
    );
    let d = r.delegations;
    println!(
        "  delegations: {} delegated, {} done, {} failed, {} cancelled that day; now {} pending, {} running, {} in all",
        d.delegated,
        d.done,
        d.failed,
        d.cancelled,
        d.by_status.pending,
        d.by_status.running,
        d.by_status.total()
    );
    println!(
        "  database {}, backups made {}",
        health::human_bytes(r.database_bytes),
        r.backups_made
    );
    let routes: Vec<String> = r
        .generations
        .iter()
        .map(|g| format!("{} {}", g.route, g.calls))
        .collect();
    println!(
        "  generations: {}",
        if routes.is_empty() {
            "none".to_string()
        } else {
            routes.join(", ")
        }
    );
    for p in &r.providers {
        let cost = p.cost.map(|c| format!(", cost {c:.4}")).unwrap_or_default();
        println!(
            "  {}/{}: {} calls ({} failed), {} in / {} out tokens{cost}",
            p.provider, p.model, p.calls, p.failed_calls, p.input_tokens, p.output_tokens
        );
    }
    let cost = r.cost.map(|c| format!(", cost {c:.4}")).unwrap_or_default();
    println!("  tokens: {} in / {} out{cost}", r.input_tokens, r.output_tokens);
    let rate = if r.tool_calls > 0 {
        r.tool_errors as f64 * 100.0 / r.tool_calls as f64
    } else {
        0.0
    };
    println!(
        "  tool calls: {}, {} errors ({rate:.1} %)",
        r.tool_calls, r.tool_errors
    );
    let ms = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.2} ms"));
    for t in &r.tools {
        println!(
            "    {:<20} {:>6} calls {:>5} errors ({:>5.1} %)  p50 {:>10}  p95 {:>10}",
            t.tool,
            t.calls,
            t.errors,
            t.error_rate * 100.0,
            ms(t.p50_ms),
            ms(t.p95_ms)
        );
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct LogsArgs {
    /// Keep printing new lines as the server writes them (Ctrl-C stops).
    #[arg(long)]
    pub follow: bool,
    /// The least severe level shown: error, warn, info, debug or trace.
    #[arg(long, default_value = "info")]
    pub level: String,
    /// Only lines newer than this age, e.g. 30m, 1h, 2d.
    #[arg(long, value_name = "AGE")]
    pub since: Option<String>,
}

/// `logs`: prints the matching lines of the daily log files, then follows them if asked.
pub fn logs(data_dir: &DataDir, args: LogsArgs) -> anyhow::Result<()> {
    use std::io::Write;
    let query = logs::LogQuery::parse(&args.level, args.since.as_deref())?;
    let dir = data_dir.logs_dir();
    let mut out = std::io::stdout().lock();
    let entries = logs::read(&dir, &query)?;
    if entries.is_empty() && !args.follow {
        eprintln!("No log lines match in {}.", dir.display());
    }
    for e in entries {
        // A closed pipe (`logs | head`) ends the output quietly.
        if writeln!(out, "{}", e.text).is_err() {
            return Ok(());
        }
    }
    if !args.follow {
        return Ok(());
    }
    let mut follower = logs::Follower::new(&dir, query)?;
    loop {
        for e in follower.poll()? {
            if writeln!(out, "{}", e.text).is_err() {
                return Ok(());
            }
        }
        if out.flush().is_err() {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}

/// `diagnose --out FILE`: everything a bug report needs, in one archive, with secrets and the
/// home folder taken out. Never creates a database: a missing one is reported as missing.
pub fn diagnose(data_dir: DataDir, out: &std::path::Path) -> anyhow::Result<()> {
    let exe = current_exe()?;
    let handshake = llmgen_server::ChildHandshake::new(&exe, data_dir.root());
    let names = runtime()?.block_on(llmgen_core::operations::diagnose::create(
        &data_dir,
        &exe,
        Some(&handshake),
        out,
    ))?;
    println!(
        "Wrote {} ({}). Keys, passphrases and your home folder were taken out; look inside before you share it.",
        out.display(),
        names.join(", ")
    );
    Ok(())
}
