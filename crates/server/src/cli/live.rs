//! `servers`, `stop --all` and `resume`: the AI apps using this data folder now, the emergency
//! stop of every server they started, and the end of the pause that follows it.
#![allow(clippy::print_stdout)] // this is the CLI's output; the serve path never prints

use std::process::ExitCode;

use llmgen_core::{
    clients::registry,
    operations::live::{self, LiveServer, StopOutcome},
    paths::DataDir,
};
use serde::Serialize;

#[derive(clap::Args)]
pub struct StopArgs {
    /// Every server of this data folder (the only kind of stop there is; required so that a
    /// bare `stop` never ends anything by surprise).
    #[arg(long, required = true)]
    pub all: bool,
    #[arg(long)]
    pub json: bool,
}

/// What `servers --json` prints.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listing {
    servers: Vec<LiveServer>,
    paused: Option<live::Paused>,
}

/// `servers`: the serving processes of this data folder and the clients they serve.
pub fn servers(data_dir: &DataDir, json: bool) -> anyhow::Result<ExitCode> {
    let listing = Listing {
        servers: live::list(data_dir)?,
        paused: live::paused(data_dir),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&listing)?);
        return Ok(ExitCode::SUCCESS);
    }
    match listing.servers.len() {
        0 => println!("No server of {} is running.", data_dir.root().display()),
        n => println!("{n} server(s) of {} running:", data_dir.root().display()),
    }
    for s in &listing.servers {
        let sampling = match s.sampling {
            Some(true) => "offers sampling",
            Some(false) => "no sampling",
            None => "not connected yet",
        };
        println!(
            "  pid {:<7} {} ({sampling}); started {}; last call {}",
            s.pid,
            who(s),
            s.started_at,
            s.last_call_at.as_deref().unwrap_or("none yet")
        );
    }
    if let Some(p) = &listing.paused {
        println!(
            "Serving is paused since {} (by {}): tool calls get an error. Run `mcp-llm-generator resume` to resume.",
            p.since, p.by
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The app a server serves, in words: our name of its client and what its handshake said.
fn who(s: &LiveServer) -> String {
    let ours = s
        .client_id
        .as_deref()
        .map(|id| registry::find(id).map_or(id, |c| c.name));
    let said = s.client_name.as_ref().map(|n| {
        format!("{n} {}", s.client_version.as_deref().unwrap_or_default())
            .trim()
            .to_string()
    });
    match (ours, said) {
        (Some(ours), Some(said)) => format!("{ours} [{said}]"),
        (Some(ours), None) => ours.to_string(),
        (None, Some(said)) => said,
        (None, None) => "an unknown client".to_string(),
    }
}

/// `stop --all`: the emergency stop. Exit code 1 when a server could not be stopped or the
/// backup failed.
pub fn stop(data_dir: &DataDir, args: &StopArgs) -> anyhow::Result<ExitCode> {
    let report = live::stop_all(data_dir, "cli")?;
    let code = if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(code);
    }
    if report.servers.is_empty() {
        println!("No server of {} was running.", data_dir.root().display());
    }
    for s in &report.servers {
        let how = match s.outcome {
            StopOutcome::Stopped => "stopped",
            StopOutcome::Killed => "killed (it did not stop within the grace period)",
            StopOutcome::AlreadyGone => "had already ended",
            StopOutcome::Failed => "could NOT be stopped",
        };
        println!("  pid {:<7} {}: {how}", s.server.pid, who(&s.server));
    }
    match &report.backup {
        Some(path) => println!("Emergency backup: {}", path.display()),
        None if report.problems.is_empty() => println!("No database yet, so no backup was needed."),
        None => {}
    }
    for problem in &report.problems {
        println!("Problem: {problem}");
    }
    println!(
        "Serving is paused: servers that AI apps start again answer every tool call with an error. Run `mcp-llm-generator resume` when you want them back."
    );
    Ok(code)
}

/// `resume`: ends the pause.
pub fn resume(data_dir: &DataDir) -> anyhow::Result<ExitCode> {
    if live::resume(data_dir)? {
        println!(
            "Resumed: AI apps' tool calls are answered again (apps whose server was stopped start it again when you restart them or use a tool)."
        );
    } else {
        println!("Serving was not paused; nothing to resume.");
    }
    Ok(ExitCode::SUCCESS)
}
