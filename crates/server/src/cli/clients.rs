//! `clients`: our entry in AI clients' files (list, configure, remove, repair, restore, migrate,
//! audit), each change reported per client.
#![allow(clippy::print_stdout)] // this is the CLI's output; the serve path never prints

use std::path::PathBuf;

use clap::Subcommand;
use llmgen_core::{
    Store,
    clients::{self, Clients},
    generation::providers::Direct,
    paths::DataDir,
};

use super::current_exe;

#[derive(Subcommand)]
pub enum ClientsAction {
    /// Show every supported client, its file and whether our entry is there and works.
    List {
        #[arg(long)]
        json: bool,
        /// Show the project-level files of this folder instead of the user's files.
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
    /// Add our entry (this binary, by absolute path) to the clients' files; only our entry changes.
    Configure {
        /// Client ids, e.g. `vscode claude-desktop` (see `clients list`).
        #[arg(
            required_unless_present = "detected",
            conflicts_with = "detected",
            value_name = "ID"
        )]
        ids: Vec<String>,
        /// Configure every client that is installed here.
        #[arg(long)]
        detected: bool,
        /// Print the change as a unified diff and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the project-level file of this folder (e.g. DIR/.vscode/mcp.json).
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
    /// Take our entry out of the clients' files; everything else stays as it was.
    Remove {
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
        /// Print the change as a unified diff and write nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
    /// Put our entry back where we configured it before and it is now stale or wiped.
    Repair {
        #[arg(long)]
        dry_run: bool,
    },
    /// Put back the newest backup of a client's file (run it again to undo).
    Restore {
        #[arg(value_name = "ID")]
        id: String,
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
    /// Replace entries of the TypeScript server (npx @mako10k/mcp-llm-generator) with ours.
    Migrate {
        /// Client ids (default: every client whose file has such an entry).
        #[arg(value_name = "ID")]
        ids: Vec<String>,
        #[arg(long)]
        dry_run: bool,
    },
    /// Find API keys written in plain text in client files; `--fix` moves provider keys of our
    /// entries (and the old server's) into the OS keychain and out of the files.
    Audit {
        #[arg(long)]
        fix: bool,
        #[arg(long)]
        json: bool,
    },
}

pub fn clients(data_dir: DataDir, action: ClientsAction) -> anyhow::Result<()> {
    let all = Clients::from_env(data_dir.clone());
    let scoped = |workspace: &Option<PathBuf>| -> anyhow::Result<Clients> {
        Ok(match workspace {
            Some(dir) => all.for_workspace(dir)?,
            None => all.clone(),
        })
    };
    match action {
        ClientsAction::List { json, workspace } => list_clients(&scoped(&workspace)?, json)?,
        ClientsAction::Configure {
            ids,
            detected,
            dry_run,
            workspace,
        } => {
            let exe = current_exe()?;
            let clients = scoped(&workspace)?;
            let ids = if detected {
                let found: Vec<String> = clients::detected(&clients)
                    .into_iter()
                    .map(String::from)
                    .collect();
                if found.is_empty() {
                    println!("No supported client is installed here. See `mcp-llm-generator clients list`.");
                    return Ok(());
                }
                found
            } else {
                ids
            };
            each(&ids, dry_run, false, |id| {
                clients::configure(&clients, id, &exe, dry_run)
            })?;
        }
        ClientsAction::Remove {
            ids,
            dry_run,
            workspace,
        } => {
            let clients = scoped(&workspace)?;
            each(&ids, dry_run, true, |id| clients::remove(&clients, id, dry_run))?;
        }
        ClientsAction::Repair { dry_run } => {
            let results = clients::repair(&all, &current_exe()?, dry_run)?;
            if results.is_empty() {
                println!("Nothing to repair: every entry we configured is in place and runs this binary.");
            }
            report_repairs(results, dry_run, false)?;
        }
        ClientsAction::Restore {
            id,
            dry_run,
            workspace,
        } => {
            let clients = scoped(&workspace)?;
            let change = clients::restore(&clients, &id, dry_run)?;
            if dry_run {
                print!("{}", change.diff);
            } else if change.changed {
                println!(
                    "{id}: restored {} from its newest backup (the file before the restore was backed up too; run restore again to undo). {}",
                    change.path.display(),
                    change.restart
                );
            } else {
                println!(
                    "{id}: {} already equals its newest backup.",
                    change.path.display()
                );
            }
        }
        ClientsAction::Migrate { ids, dry_run } => {
            let exe = current_exe()?;
            let ids = if ids.is_empty() {
                llmgen_core::import_upstream::scan(&all, None)
                    .clients
                    .into_iter()
                    .map(|c| c.id)
                    .collect()
            } else {
                ids
            };
            if ids.is_empty() {
                println!(
                    "No client file runs the TypeScript server (@mako10k/mcp-llm-generator); nothing to move."
                );
                return Ok(());
            }
            each(&ids, dry_run, false, |id| {
                clients::migrate_upstream(&all, id, &exe, dry_run)
            })?;
        }
        ClientsAction::Audit { fix, json } => audit(&all, &data_dir, fix, json)?,
    }
    Ok(())
}

fn list_clients(clients: &Clients, json: bool) -> anyhow::Result<()> {
    let list = clients::list(clients, Some(&current_exe()?));
    if json {
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    for s in list {
        let path = s
            .path
            .as_ref()
            .map_or_else(|| "(no home folder)".into(), |p| p.display().to_string());
        let mut detail = match &s.state {
            clients::ClientState::Stale { reason, .. } => format!(" ({reason}; run `clients repair`)"),
            clients::ClientState::InvalidFile {
                line,
                column,
                message,
                ..
            } => {
                format!(" ({message} at line {line}, column {column})")
            }
            clients::ClientState::NotConfigured if s.recorded => {
                " (our entry was removed by someone else; run `clients repair`)".into()
            }
            _ => String::new(),
        };
        if !s.upstream_entries.is_empty() {
            detail.push_str(&format!(
                " [old TypeScript server: {}; run `clients migrate {}`]",
                s.upstream_entries.join(", "),
                s.id
            ));
        }
        println!("{:<16} {:<15} {path}{detail}", s.id, s.state.name());
    }
    Ok(())
}

fn audit(clients: &Clients, data_dir: &DataDir, fix: bool, json: bool) -> anyhow::Result<()> {
    let findings = clients::audit::audit(clients);
    if !fix {
        if json {
            println!("{}", serde_json::to_string_pretty(&findings)?);
            return Ok(());
        }
        if findings.is_empty() {
            println!("No API key or token is written in plain text in any client file.");
            return Ok(());
        }
        for f in &findings {
            let advice = if f.movable {
                "`clients audit --fix` moves it into the OS keychain"
            } else {
                "that server reads it from this file; prefer the client's secret input (VS Code: ${input:...})"
            };
            println!(
                "{}: {} → {} {} ({} characters): {advice}",
                f.client,
                f.path.display(),
                f.entry,
                f.field,
                f.length
            );
        }
        anyhow::bail!(
            "{} plain-text secret(s) found in client files (see above)",
            findings.len()
        );
    }
    let store = Store::open(data_dir)?;
    let direct = Direct::new();
    let keychain = clients::audit::Keychain {
        store: &store,
        direct: &direct,
    };
    let moved = keychain.move_plain_keys(clients);
    if json {
        println!("{}", serde_json::to_string_pretty(&moved)?);
        return Ok(());
    }
    if moved.is_empty() {
        println!("No provider key of ours is written in plain text in a client file; nothing to move.");
    }
    let mut failed = 0;
    for m in &moved {
        let f = &m.finding;
        let place = format!("{} {} in {}", f.entry, f.field, f.path.display());
        match &m.outcome {
            clients::audit::MoveOutcome::Moved { backup } => println!(
                "{}: moved {place} into the OS keychain{}.",
                f.client,
                backup
                    .as_ref()
                    .map(|b| format!(" (backup of the file: {})", b.display()))
                    .unwrap_or_default()
            ),
            clients::audit::MoveOutcome::Conflict => {
                failed += 1;
                eprintln!(
                    "{}: left {place}: the keychain already holds a different {} key. Check which one is right, set it with `mcp-llm-generator keys set {}`, then run `clients audit --fix` again.",
                    f.client,
                    f.provider.as_deref().unwrap_or("provider"),
                    f.provider.as_deref().unwrap_or("NAME")
                );
            }
            clients::audit::MoveOutcome::Failed { error } => {
                failed += 1;
                eprintln!("{}: left {place}: {error}", f.client);
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} key(s) could not be moved (see above); nothing was lost");
    }
    Ok(())
}

/// Runs one action per client, reporting each; every client is tried even if one fails.
fn each(
    ids: &[String],
    dry_run: bool,
    removing: bool,
    action: impl Fn(&str) -> Result<clients::Change, clients::ClientsError>,
) -> anyhow::Result<()> {
    let results = ids
        .iter()
        .map(|id| action(id).map_err(|e| (id.clone(), e)))
        .collect();
    report_named(results, dry_run, removing)
}

fn report_repairs(
    results: Vec<Result<clients::Change, clients::ClientsError>>,
    dry_run: bool,
    removing: bool,
) -> anyhow::Result<()> {
    report_named(
        results
            .into_iter()
            .map(|r| r.map_err(|e| (String::from("repair"), e)))
            .collect(),
        dry_run,
        removing,
    )
}

/// Prints what each action did; errors go to stderr and make the command fail at the end.
fn report_named(
    results: Vec<Result<clients::Change, (String, clients::ClientsError)>>,
    dry_run: bool,
    removing: bool,
) -> anyhow::Result<()> {
    let total = results.len();
    let mut failed = 0;
    for result in results {
        match result {
            Ok(change) if dry_run => {
                if change.changed {
                    print!("{}", change.diff);
                } else {
                    println!(
                        "{}: {} is already as asked; nothing would change.",
                        change.id,
                        change.path.display()
                    );
                }
            }
            Ok(change) if !change.changed => {
                println!(
                    "{}: {} is already as asked; nothing changed.",
                    change.id,
                    change.path.display()
                );
            }
            Ok(change) => {
                let id = change.id;
                let backup = change
                    .backup
                    .as_ref()
                    .map(|b| format!(" (backup: {})", b.display()))
                    .unwrap_or_default();
                if removing {
                    // The client's restart hint is about starting our server; after a removal the
                    // client just needs to read its file again.
                    println!(
                        "{id}: removed llm-generator from {}{backup}. Restart the client to drop it.",
                        change.path.display()
                    );
                } else {
                    println!(
                        "{id}: updated {}{backup}. {}",
                        change.path.display(),
                        change.restart
                    );
                }
            }
            Err((id, e)) => {
                eprintln!("{id}: {e}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {total} clients could not be changed (see above)");
    }
    Ok(())
}
