//! `backup ...` and `maintain`: thin adapters over llmgen-core's backup and maintain functions,
//! with progress drawn on stderr and results on stdout (`--json` for scripts).
#![allow(clippy::print_stdout)] // this is the CLI's output; the serve path never prints

use std::{
    io::{IsTerminal, Read},
    path::{Path, PathBuf},
};

use anyhow::{Context, bail};
use clap::Subcommand;
use llmgen_core::{
    Store,
    operations::backup::{self, BackupInfo, CreateOptions, Retention},
    operations::maintain,
    paths::DataDir,
    secrets::Secret,
};

use crate::progress::{Renderer, human_bytes};

#[derive(Subcommand)]
pub enum BackupAction {
    /// Take a consistent backup of the database now (safe while clients are using it).
    Create {
        /// Encrypt it with age to the backup passphrase (see `backup passphrase set`).
        #[arg(long)]
        encrypt: bool,
        /// Folder to write to (default: the data dir's backups/database/).
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// List the backups in the data dir, newest first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Check a backup: checksum, decryption, SQLite integrity, schema version, row counts.
    Verify {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Replace the current data with a backup (verified first; a safety backup is taken).
    Restore {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Delete old backups, keeping the newest of each of the last backup-keep-daily days and
    /// backup-keep-weekly weeks (settings).
    Prune {
        #[arg(long)]
        json: bool,
    },
    /// Store or show the passphrase of encrypted backups (kept in the OS keychain).
    Passphrase {
        #[command(subcommand)]
        action: PassphraseAction,
    },
}

#[derive(Subcommand)]
pub enum PassphraseAction {
    /// Store the passphrase in the OS keychain (read from stdin, or a hidden prompt).
    Set,
    /// Print the stored passphrase (so you can keep a copy somewhere safe).
    Show,
}

const KEEP_A_COPY: &str = "A passphrase kept only in this computer's keychain cannot open your backups anywhere else (a new computer, a reinstall): keep a copy in a password manager.";

fn passphrase_for(file: &Path) -> anyhow::Result<Option<Secret>> {
    if backup::is_encrypted(file) {
        Ok(backup::passphrase()?)
    } else {
        Ok(None)
    }
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

pub fn backup(data_dir: &DataDir, action: BackupAction) -> anyhow::Result<()> {
    let progress = Renderer::stderr();
    match action {
        BackupAction::Create { encrypt, to, json } => {
            let passphrase = if encrypt {
                Some(backup::passphrase()?.context(
                    "no backup passphrase is stored: run `mcp-llm-generator backup passphrase set` first (or set LLMGEN_BACKUP_PASSPHRASE)",
                )?)
            } else {
                None
            };
            let options = CreateOptions {
                to,
                passphrase,
                ..CreateOptions::default()
            };
            let (info, manifest) = backup::create(data_dir, &options, &progress)?;
            if json {
                return print_json(&serde_json::json!({ "backup": info, "manifest": manifest }));
            }
            println!(
                "Backup written: {} ({}{}, schema {}, integrity ok).",
                info.path.display(),
                human_bytes(info.size_bytes),
                if info.encrypted { ", encrypted" } else { "" },
                manifest.schema_version
            );
        }
        BackupAction::List { json } => {
            let list = backup::list(data_dir)?;
            if json {
                return print_json(&list);
            }
            if list.is_empty() {
                println!(
                    "No backups yet in {}. Take one with: mcp-llm-generator backup create",
                    backup::backups_dir(data_dir).display()
                );
            }
            for b in &list {
                print_info(b);
            }
        }
        BackupAction::Verify { file, json } => {
            let passphrase = passphrase_for(&file)?;
            let report = backup::verify(data_dir, &file, passphrase.as_ref(), &progress)?;
            if json {
                return print_json(&report);
            }
            let rows: u64 = report.tables.values().sum();
            println!(
                "{} is good: checksum, {}integrity and row counts ({rows} rows in {} tables) check out; schema {}{}.",
                file.display(),
                if report.encrypted { "decryption, " } else { "" },
                report.tables.len(),
                report.schema_version,
                if report.needs_migration {
                    " (older than this build: a restore migrates it)"
                } else {
                    ""
                }
            );
        }
        BackupAction::Restore { file, json } => {
            let passphrase = passphrase_for(&file)?;
            let report = backup::restore(data_dir, &file, passphrase.as_ref(), &progress)?;
            if json {
                return print_json(&report);
            }
            println!("Restored {}.", file.display());
            if report.migrated {
                println!(
                    "It was made with schema {} and was migrated to this version.",
                    report.backup_schema_version
                );
            }
            if let Some(safety) = report.safety_backup.as_ref().filter(|s| s.integrity_failed) {
                println!(
                    "The current database failed SQLite's integrity check; its damaged data is kept as it was in {} (for salvage with `sqlite3 .recover`; it cannot be restored as is).",
                    safety.path.display()
                );
            } else if let Some(safety) = &report.safety_backup {
                println!(
                    "The data as it was before is kept in {} (restore it to undo).",
                    safety.path.display()
                );
            }
            println!("Running servers see the restored data at once; no restart is needed.");
        }
        BackupAction::Prune { json } => {
            let store = Store::open(data_dir)?;
            let report = backup::prune(data_dir, Retention::load(&store)?)?;
            if json {
                return print_json(&report);
            }
            println!(
                "Kept {} backups (newest of the last {} days and {} weeks); removed {}, freeing {}.",
                report.kept.len(),
                report.retention.keep_daily,
                report.retention.keep_weekly,
                report.removed.len(),
                human_bytes(report.bytes_freed)
            );
        }
        BackupAction::Passphrase { action } => match action {
            PassphraseAction::Set => {
                let secret = read_passphrase()?;
                backup::store_passphrase(&secret)?;
                println!("Stored the backup passphrase in the OS keychain.");
                eprintln!("{KEEP_A_COPY}");
            }
            PassphraseAction::Show => match backup::stored_passphrase()? {
                Some(secret) => {
                    eprintln!("{KEEP_A_COPY}");
                    println!("{}", secret.expose());
                }
                None => bail!(
                    "no backup passphrase is stored in the keychain; set one with `mcp-llm-generator backup passphrase set`"
                ),
            },
        },
    }
    Ok(())
}

fn print_info(b: &BackupInfo) {
    let age = age_text(time_since(b.created));
    println!(
        "{:<10} {:>9}  {:<9}  schema {:<16} {}",
        age,
        human_bytes(b.size_bytes),
        if b.encrypted { "encrypted" } else { "plain" },
        b.schema_version.map_or_else(|| "?".into(), |v| v.to_string()),
        b.path.display()
    );
}

fn time_since(t: time::OffsetDateTime) -> time::Duration {
    time::OffsetDateTime::now_utc() - t
}

/// "5 min ago", "3 h ago", "2 days ago".
fn age_text(age: time::Duration) -> String {
    let minutes = age.whole_minutes().max(0);
    if minutes < 60 {
        format!("{minutes} min ago")
    } else if minutes < 48 * 60 {
        format!("{} h ago", minutes / 60)
    } else {
        format!("{} days ago", minutes / (24 * 60))
    }
}

/// Reads the passphrase without it ever being an argument: a hidden prompt (twice) at a
/// terminal, else stdin.
fn read_passphrase() -> anyhow::Result<Secret> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Backup passphrase (input hidden): ")
            .context("reading the passphrase from the terminal")?;
        let again =
            rpassword::prompt_password("Once more: ").context("reading the passphrase from the terminal")?;
        if first != again {
            bail!("the two passphrases differ; nothing was stored");
        }
        Ok(Secret::new(first))
    } else {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the passphrase from stdin")?;
        Ok(Secret::new(text))
    }
}

pub fn maintain(store: &Store, json: bool) -> anyhow::Result<()> {
    let report = maintain::maintain(store, &Renderer::stderr())?;
    if json {
        return print_json(&report);
    }
    println!(
        "Purged {} expired contexts and {} old messages{}.",
        report.expired_contexts_purged,
        report.old_messages_purged,
        match report.conversation_retention_days {
            Some(days) => format!(" (older than {days} days)"),
            None =>
                " (conversation retention is off: `settings set conversation-retention-days 90` turns it on)"
                    .into(),
        }
    );
    println!(
        "Delegations: {} task(s) still pending or running {} hours after they began ended as failed (their server had stopped).",
        report.stale_delegations_failed,
        maintain::STALE_DELEGATION_AFTER.as_secs() / 3600
    );
    println!(
        "Memory: notes are kept; {} feed changes older than {} days (or beyond the newest {}) trimmed; search index {}.",
        report.old_memory_changes_purged,
        maintain::MEMORY_FEED_KEEP_DAYS,
        maintain::MEMORY_FEED_KEEP_ROWS,
        if report.memory_index_optimized {
            "optimised"
        } else {
            "not optimised (damaged: see integrity)"
        }
    );
    println!(
        "Vacuum: {}; WAL checkpoint: {}; statistics refreshed.",
        match report.vacuum {
            maintain::Vacuum::Skipped => format!("not needed ({} free pages)", report.free_pages_before),
            maintain::Vacuum::Incremental => "incremental".into(),
            maintain::Vacuum::Full => "full".into(),
        },
        if report.wal_checkpointed {
            "complete"
        } else {
            "partial (another process was reading)"
        }
    );
    println!(
        "Integrity: {}. Size {} → {} (won {}).",
        report.integrity,
        human_bytes(report.size_before),
        human_bytes(report.size_after),
        human_bytes(report.space_won)
    );
    if report.integrity != "ok" {
        bail!("the integrity check found problems: restore a backup (`mcp-llm-generator backup list`)");
    }
    Ok(())
}
