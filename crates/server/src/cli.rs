//! The command line besides `serve`: settings, providers, keys, usage, budgets, clients, health,
//! the daily report and logs. Each
//! subcommand is a thin adapter over one llmgen-core function; `--json` prints for scripts,
//! the default prints for people. Keys are read from stdin or a hidden prompt, never argv.
#![allow(clippy::print_stdout)] // this is the CLI's output; the serve path never prints

use std::io::{IsTerminal, Read};

use std::path::PathBuf;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use llmgen_core::{
    Store,
    clients::{self, Clients},
    health, logs,
    paths::DataDir,
    providers::{self, Direct, NewProvider, ProviderKind, ProviderPatch},
    report,
    secrets::Secret,
    settings,
    usage::{self, Budget, BudgetUnit, Month, Price},
};

#[derive(Subcommand)]
pub enum SettingsAction {
    /// Print every setting (add --json for scripts).
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Change a setting: prefer-sampling true|false, tool-groups generation,templates,personas,contexts|all,
    /// backup-schedule true|false, backup-interval-hours N, backup-keep-daily N, backup-keep-weekly N,
    /// conversation-retention-days N|off, log-level error|warn|info|debug|trace,
    /// language auto|en|ja (the desktop app's).
    /// update-check true|false (the desktop app's automatic update checks).
    Set { key: String, value: String },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    Anthropic,
    Openai,
    OpenaiCompatible,
}

impl From<KindArg> for ProviderKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Anthropic => Self::Anthropic,
            KindArg::Openai => Self::Openai,
            KindArg::OpenaiCompatible => Self::OpenaiCompatible,
        }
    }
}

#[derive(Subcommand)]
pub enum ProvidersAction {
    /// List the providers (the default one first).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a provider, e.g. `providers add ollama --kind openai-compatible --base-url http://localhost:11434/v1 --model llama3.2`.
    Add {
        name: String,
        #[arg(long, value_enum)]
        kind: KindArg,
        /// Base URL including the version path (default for anthropic/openai: the official API).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Model used when a call names none.
        #[arg(long, value_name = "MODEL")]
        model: String,
        /// Request timeout in seconds (default 120).
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<u32>,
        /// Extra attempts after a 429, a 5xx or a dropped connection (default 2).
        #[arg(long)]
        retries: Option<u32>,
        /// Make it the default provider (used by provider "auto" when sampling is not available).
        #[arg(long)]
        default: bool,
    },
    /// Change a provider.
    Set {
        name: String,
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        #[arg(long, value_name = "MODEL")]
        model: Option<String>,
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<u32>,
        #[arg(long)]
        retries: Option<u32>,
        #[arg(long)]
        default: bool,
    },
    /// Remove a provider you added (built-ins can only be changed).
    Remove { name: String },
}

#[derive(Subcommand)]
pub enum KeysAction {
    /// Store a provider's API key in the OS keychain (read from stdin, or a hidden prompt).
    Set { name: String },
    /// Show which providers have a key (never the key).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Delete a provider's key from the keychain.
    Delete { name: String },
    /// Send one minimal real request (a few tokens) with the stored key.
    Test {
        name: String,
        /// Model to test with (default: the provider's default model).
        #[arg(long)]
        model: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum UnitArg {
    Tokens,
    Currency,
}

#[derive(Subcommand)]
pub enum BudgetAction {
    /// Set a provider's monthly budget, e.g. `budget set anthropic 2000000 --unit tokens` or
    /// `budget set openai 20 --unit currency` (with prices from `budget price`).
    Set {
        provider: String,
        amount: f64,
        #[arg(long, value_enum, default_value = "tokens")]
        unit: UnitArg,
    },
    /// Remove a provider's budget (calls are no longer limited).
    Remove { provider: String },
    /// Set a model's price per million tokens, in your budget's currency.
    Price {
        provider: String,
        model: String,
        /// Price per million input tokens.
        #[arg(long, value_name = "PRICE")]
        input: f64,
        /// Price per million output tokens.
        #[arg(long, value_name = "PRICE")]
        output: f64,
    },
}

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
                clients::list(&all, Some(&exe))
                    .into_iter()
                    .filter(|s| !s.upstream_entries.is_empty())
                    .map(|s| s.id.to_string())
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
    let moved = clients::audit::fix(
        clients,
        |provider| llmgen_core::secrets::read(provider).map_err(|e| e.to_string()),
        |provider, secret| {
            direct
                .set_key(&store, provider, secret)
                .map_err(|e| e.to_string())
        },
    );
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

/// The absolute, resolved path of this very binary: GUI clients do not search PATH.
fn current_exe() -> anyhow::Result<std::path::PathBuf> {
    std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .context("finding the path of this program")
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

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

pub fn settings(store: &Store, action: Option<SettingsAction>) -> anyhow::Result<()> {
    match action.unwrap_or(SettingsAction::Show { json: false }) {
        SettingsAction::Show { json } => print_settings(&settings::load(store)?, json),
        SettingsAction::Set { key, value } => print_settings(&settings::set(store, &key, &value)?, false),
    }
}

fn print_settings(s: &settings::Settings, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(s)?);
    } else {
        println!("prefer-sampling = {}", s.prefer_sampling);
        let groups: Vec<&str> = s.tool_groups.iter().map(|g| g.as_str()).collect();
        println!("tool-groups     = {}", groups.join(","));
        println!("backup-schedule = {}", s.backup_schedule);
        println!("backup-interval-hours = {}", s.backup_interval_hours);
        println!("backup-keep-daily     = {}", s.backup_keep_daily);
        println!("backup-keep-weekly    = {}", s.backup_keep_weekly);
        println!(
            "conversation-retention-days = {}",
            s.conversation_retention_days
                .map_or_else(|| "off".to_string(), |d| d.to_string())
        );
        let level = s.log_level.map_or("info (default)", |l| l.as_str());
        println!("log-level       = {level}  (LLMGEN_LOG overrides it)");
        println!(
            "language        = {}  (the desktop app's; auto follows the system)",
            s.language.as_str()
        );
        println!("update-check    = {}  (the desktop app)", s.update_check);
        println!(
            "compat-tool-names = {}  (also offer the TypeScript server's tool names)",
            s.compat_tool_names
        );
    }
    Ok(())
}

pub fn providers(store: &Store, action: Option<ProvidersAction>) -> anyhow::Result<()> {
    match action.unwrap_or(ProvidersAction::List { json: false }) {
        ProvidersAction::List { json } => {
            let list = providers::list(store)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for p in list {
                    println!(
                        "{}{:<16} {:<18} model {:<24} {}  (timeout {} s, {} retries)",
                        if p.is_default { "* " } else { "  " },
                        p.name,
                        p.kind.as_str(),
                        p.model,
                        p.base_url,
                        p.timeout_secs,
                        p.retries
                    );
                }
                println!("(* = default; keys: `mcp-llm-generator keys list`)");
            }
        }
        ProvidersAction::Add {
            name,
            kind,
            base_url,
            model,
            timeout,
            retries,
            default,
        } => {
            let kind = ProviderKind::from(kind);
            let base_url = match (base_url, kind) {
                (Some(url), _) => url,
                (None, ProviderKind::Anthropic) => "https://api.anthropic.com/v1".into(),
                (None, ProviderKind::Openai) => "https://api.openai.com/v1".into(),
                (None, ProviderKind::OpenaiCompatible) => anyhow::bail!(
                    "an openai-compatible provider needs --base-url, e.g. http://localhost:11434/v1 for Ollama"
                ),
            };
            let p = providers::add(
                store,
                NewProvider {
                    name,
                    kind,
                    base_url,
                    model,
                    timeout_secs: timeout,
                    retries,
                    make_default: default,
                },
            )?;
            println!(
                "Added provider '{}' ({} at {}, model {}).",
                p.name,
                p.kind.as_str(),
                p.base_url,
                p.model
            );
            if p.kind.needs_key() {
                println!("Store its key with: mcp-llm-generator keys set {}", p.name);
            }
        }
        ProvidersAction::Set {
            name,
            base_url,
            model,
            timeout,
            retries,
            default,
        } => {
            let p = providers::set(
                store,
                &name,
                ProviderPatch {
                    base_url,
                    model,
                    timeout_secs: timeout,
                    retries,
                    make_default: default,
                },
            )?;
            println!(
                "Provider '{}': {} at {}, model {}, timeout {} s, {} retries{}.",
                p.name,
                p.kind.as_str(),
                p.base_url,
                p.model,
                p.timeout_secs,
                p.retries,
                if p.is_default { ", default" } else { "" }
            );
        }
        ProvidersAction::Remove { name } => {
            providers::remove(store, &name)?;
            println!(
                "Removed provider '{name}'. Its key, if any, is still in the keychain: `mcp-llm-generator keys delete {name}` removes it."
            );
        }
    }
    Ok(())
}

/// Reads a key without it ever being an argument: a hidden prompt at a terminal, else stdin.
fn read_key(name: &str) -> anyhow::Result<Secret> {
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("API key for {name} (input hidden): "))
            .context("reading the key from the terminal")?
    } else {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the key from stdin")?;
        text
    };
    Ok(Secret::new(text))
}

pub fn keys(store: &Store, action: KeysAction) -> anyhow::Result<()> {
    let direct = Direct::new();
    match action {
        KeysAction::Set { name } => {
            // Fail before asking for the key when the provider does not exist.
            providers::get(store, &name)?;
            let secret = read_key(&name)?;
            direct.set_key(store, &name, &secret)?;
            println!(
                "Stored the key for '{name}' in the OS keychain. Check it with: mcp-llm-generator keys test {name}"
            );
        }
        KeysAction::List { json } => {
            let keys = runtime()?.block_on(direct.keys(store))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&keys)?);
            } else {
                let mut problem = None;
                for k in keys {
                    let state = match (&k.source, k.needs_key) {
                        (Some(source), _) => format!("key present ({source})"),
                        (None, true) => "no key".to_string(),
                        (None, false) => "no key (none needed)".to_string(),
                    };
                    println!("{:<16} {state}", k.provider);
                    problem = problem.or(k.problem);
                }
                // The keychain's problem is the same for every provider: say it once.
                if let Some(problem) = problem {
                    println!("{problem}");
                }
            }
        }
        KeysAction::Delete { name } => {
            if direct.delete_key(&name)? {
                println!("Deleted the key for '{name}' from the OS keychain.");
            } else {
                println!("No key for '{name}' was stored.");
            }
        }
        KeysAction::Test { name, model } => {
            let reply = runtime()?.block_on(direct.test_key(store, &name, model.as_deref()))?;
            println!(
                "The key for '{name}' works: model {} answered ({} input / {} output tokens).",
                reply.model, reply.usage.input_tokens, reply.usage.output_tokens
            );
        }
    }
    Ok(())
}

pub fn usage(store: &Store, month: Option<String>, json: bool) -> anyhow::Result<()> {
    let month = match month {
        Some(text) => Month::parse(&text)?,
        None => Month::current(),
    };
    let rows = usage::month_usage(store, month)?;
    let mut budgets = Vec::new();
    for p in providers::list(store)? {
        if let Some(state) = usage::budget_state(store, &p.name, month)? {
            budgets.push((p.name, state));
        }
    }
    if json {
        let budgets: serde_json::Map<String, serde_json::Value> = budgets
            .iter()
            .map(|(name, state)| Ok((name.clone(), serde_json::to_value(state)?)))
            .collect::<serde_json::Result<_>>()?;
        let out = serde_json::json!({ "month": month.to_string(), "usage": rows, "budgets": budgets });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("Usage in {month} (UTC)");
    if rows.is_empty() {
        println!("  no direct provider calls");
    }
    for u in &rows {
        let cost = u.cost.map(|c| format!(", cost {c:.4}")).unwrap_or_default();
        println!(
            "  {:<16} {:<28} {} calls ({} failed), {} in / {} out tokens, {} ms mean{cost}",
            u.provider, u.model, u.calls, u.failed_calls, u.input_tokens, u.output_tokens, u.mean_latency_ms
        );
    }
    for (name, state) in &budgets {
        println!(
            "  budget {name}: {} of {} used ({:.0} %), {} left",
            state.amount(state.used),
            state.amount(state.monthly_limit),
            state.percent_used,
            state.amount(state.left)
        );
        if let Some(w) = state.warning(name) {
            println!("  {w}");
        }
    }
    Ok(())
}

pub fn budget(store: &Store, action: BudgetAction) -> anyhow::Result<()> {
    match action {
        BudgetAction::Set {
            provider,
            amount,
            unit,
        } => {
            let unit = match unit {
                UnitArg::Tokens => BudgetUnit::Tokens,
                UnitArg::Currency => BudgetUnit::Currency,
            };
            usage::set_budget(
                store,
                &provider,
                Budget {
                    unit,
                    monthly_limit: amount,
                },
            )?;
            println!("Monthly budget of '{provider}': {amount} {}.", unit.as_str());
        }
        BudgetAction::Remove { provider } => {
            if usage::remove_budget(store, &provider)? {
                println!("Removed the budget of '{provider}'.");
            } else {
                println!("'{provider}' had no budget.");
            }
        }
        BudgetAction::Price {
            provider,
            model,
            input,
            output,
        } => {
            usage::set_price(
                store,
                &provider,
                &model,
                Price {
                    input_per_mtok: input,
                    output_per_mtok: output,
                },
            )?;
            println!(
                "Price of {provider}/{model}: {input} per million input tokens, {output} per million output tokens."
            );
        }
    }
    Ok(())
}

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
        "  contexts {} ({:+}), messages {} ({:+}), templates {} ({:+}), personas {} ({:+})",
        c.contexts, g.contexts, c.messages, g.messages, c.templates, g.templates, c.personas, g.personas
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
    use llmgen_core::{diagnose as diag, health, logs, report};
    let exe = current_exe()?;
    let mut parts = Vec::new();
    let store = if data_dir.db_path().exists() {
        Some(Store::open(&data_dir)?)
    } else {
        None
    };
    parts.push(diag::Part::new(
        "versions.txt",
        format!(
            "mcp-llm-generator {}\nschema known by this build: {}\nschema of the database: {}\nos: {} {}\ndata folder: {}\nserver binary: {}\n",
            llmgen_core::VERSION,
            Store::known_schema_version(),
            store
                .as_ref()
                .and_then(|s| s.schema_version().ok())
                .map_or_else(|| "(no database)".to_string(), |v| v.to_string()),
            std::env::consts::OS,
            std::env::consts::ARCH,
            data_dir.root().display(),
            exe.display()
        ),
    ));
    // The handshake starts a server, which would create a database that is not there; an
    // archive describes the data dir as it is.
    let handshake = store
        .is_some()
        .then(|| llmgen_server::ChildHandshake::new(&exe, data_dir.root()));
    let checks = runtime()?.block_on(health::check_installation(
        &data_dir,
        Some(&exe),
        handshake.as_ref(),
        health::HealthOptions::default(),
    ));
    parts.push(diag::Part::new(
        "health.json",
        serde_json::to_string_pretty(&checks)?,
    ));
    let clients = Clients::from_env(data_dir.clone());
    parts.push(diag::Part::new(
        "clients.json",
        serde_json::to_string_pretty(&clients::list(&clients, Some(&exe)))?,
    ));
    let mut secrets_known = Vec::new();
    if let Some(store) = &store {
        parts.push(diag::Part::new(
            "report.json",
            serde_json::to_string_pretty(&report::daily(store, report::Day::today())?)?,
        ));
        parts.push(diag::Part::new(
            "settings.json",
            serde_json::to_string_pretty(&settings::load(store)?)?,
        ));
        let providers = providers::list(store)?;
        parts.push(diag::Part::new(
            "providers.json",
            serde_json::to_string_pretty(&providers)?,
        ));
        // Every key we could be holding is taken out wherever it might appear.
        for p in &providers {
            if let Ok(Some(key)) = llmgen_core::secrets::read(&p.name) {
                secrets_known.push(key);
            }
        }
    }
    if let Ok(Some(passphrase)) = llmgen_core::backup::stored_passphrase() {
        secrets_known.push(passphrase);
    }
    for var in [
        "ANTHROPIC_API_KEY",
        "OPENAI_API_KEY",
        llmgen_core::backup::PASSPHRASE_ENV,
    ] {
        if let Some(value) = std::env::var(var).ok().filter(|v| !v.is_empty()) {
            secrets_known.push(Secret::new(value));
        }
    }
    let query = logs::LogQuery::parse("info", Some("48h"))?;
    match logs::read(&data_dir.logs_dir(), &query) {
        Ok(entries) => {
            let start = entries.len().saturating_sub(2000);
            let text: String = entries
                .iter()
                .skip(start)
                .filter_map(|e| serde_json::to_string(e).ok())
                .map(|line| line + "\n")
                .collect();
            parts.push(diag::Part::new("logs.jsonl", text));
        }
        Err(e) => parts.push(diag::Part::new(
            "logs.jsonl",
            format!("(logs not readable: {e})\n"),
        )),
    }
    let redactions = diag::Redactions {
        secrets: secrets_known,
        home: std::env::var_os("HOME").map(std::path::PathBuf::from),
    };
    let names = diag::write_archive(out, &parts, &redactions)?;
    println!(
        "Wrote {} ({}). Keys, passphrases and your home folder were taken out; look inside before you share it.",
        out.display(),
        names.join(", ")
    );
    Ok(())
}
