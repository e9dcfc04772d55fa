//! `mcp-llm-generator`: the stdio MCP server (no arguments, or `serve`) and the command line
//! (its subcommands live in cli.rs).

mod cli;
mod cli_backup;
mod logging;
mod progress;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use llmgen_core::{Store, paths::DataDir, settings};
use llmgen_server::LlmGenServer;
use rmcp::ServiceExt;

#[derive(Parser)]
#[command(
    name = "mcp-llm-generator",
    version,
    about = "MCP LLM Generator: an MCP server for text generation, templates, personas and contexts"
)]
struct Cli {
    /// Data folder (default: the platform's data dir / dev.llmgen.desktop; or LLMGEN_DATA_DIR).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve MCP on stdin/stdout (the default when no command is given).
    Serve,
    /// Show or change settings.
    Settings {
        #[command(subcommand)]
        action: Option<cli::SettingsAction>,
    },
    /// List, add, change or remove direct LLM providers.
    Providers {
        #[command(subcommand)]
        action: Option<cli::ProvidersAction>,
    },
    /// Manage provider API keys in the OS keychain.
    Keys {
        #[command(subcommand)]
        action: cli::KeysAction,
    },
    /// Show direct provider usage of a month (default: this month).
    Usage {
        /// The month, as YYYY-MM.
        #[arg(long)]
        month: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Set monthly budgets and model prices.
    Budget {
        #[command(subcommand)]
        action: cli::BudgetAction,
    },
    /// Add, check or remove our entry in MCP clients' files (VS Code, Claude Desktop, Cursor, ...).
    Clients {
        #[command(subcommand)]
        action: cli::ClientsAction,
    },
    /// Back up, verify, list, prune and restore the database.
    Backup {
        #[command(subcommand)]
        action: cli_backup::BackupAction,
    },
    /// Purge expired contexts and old conversations, vacuum, checkpoint, analyse, check integrity.
    Maintain {
        #[arg(long)]
        json: bool,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mcp-llm-generator: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let data_dir = DataDir::resolve(cli.data_dir.as_deref())?;
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Serve = command {
        return serve(data_dir);
    }
    // Command-line tools log warnings to stderr only; their stdout is for the user.
    let _guard = logging::init(None, "warn");
    if let Command::Clients { action } = command {
        // Client commands open the database only to record what they configured.
        return cli::clients(data_dir, action);
    }
    if let Command::Backup { action } = command {
        // Backups open the database their own way (a restore must not migrate the live file
        // before it is replaced).
        return cli_backup::backup(&data_dir, action);
    }
    let store = Store::open(&data_dir)?;
    match command {
        Command::Serve | Command::Clients { .. } | Command::Backup { .. } => Ok(()),
        Command::Maintain { json } => cli_backup::maintain(&store, json),
        Command::Settings { action } => cli::settings(&store, action),
        Command::Providers { action } => cli::providers(&store, action),
        Command::Keys { action } => cli::keys(&store, action),
        Command::Usage { month, json } => cli::usage(&store, month, json),
        Command::Budget { action } => cli::budget(&store, action),
    }
}

fn serve(data_dir: DataDir) -> anyhow::Result<()> {
    let _guard = logging::init(Some(&data_dir), "info,rmcp=warn");
    // One thread is plenty for one client's session (tool calls are short; SQLite calls take
    // microseconds) and keeps start-up and memory small.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let store = Store::open(&data_dir).inspect_err(|e| tracing::error!("{e}"))?;
        let settings = settings::load(&store)?;
        tracing::info!(version = llmgen_core::VERSION, data_dir = %data_dir.root().display(), "serving MCP on stdio");
        let server = LlmGenServer::new(store, settings, data_dir.clone());
        let service = match server.serve(rmcp::transport::stdio()).await {
            Ok(service) => service,
            // Input ended before any client spoke (Ctrl-D at a terminal, a probe): a clean exit.
            Err(rmcp::service::ServerInitializeError::ConnectionClosed(_)) => {
                tracing::info!("input closed before a client connected; exiting");
                return Ok(());
            }
            Err(e) => {
                tracing::error!("MCP session did not start: {e}");
                return Err(e.into());
            }
        };
        // The session is up: a due scheduled backup runs in the background, never in its way.
        llmgen_core::backup::spawn_due_backup(data_dir);
        service.waiting().await?;
        tracing::info!("client disconnected; exiting");
        anyhow::Ok(())
    })
}
