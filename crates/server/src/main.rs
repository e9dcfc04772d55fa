//! `mcp-llm-generator`: the stdio MCP server (no arguments, or `serve`) and the command line
//! (its subcommands live in cli/).

mod cli;
mod logging;
mod progress;

use std::{path::PathBuf, process::ExitCode};

use anyhow::Context;
use clap::{Parser, Subcommand};
use llmgen_core::{Store, paths::DataDir};

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
    /// The AI app that started this server (our client id, e.g. claude-desktop): written into
    /// its entry by `clients configure`, so `servers` and the app can tell who is connected.
    #[arg(long, value_name = "ID")]
    client: Option<String>,
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
        action: cli::backup::BackupAction,
    },
    /// Purge expired contexts and old conversations, vacuum, checkpoint, analyse, check integrity.
    Maintain {
        #[arg(long)]
        json: bool,
    },
    /// Check the database, disk, keychain, provider key, budgets, client entries, logged errors
    /// and the server's own MCP handshake. Exit code: 0 ok, 1 warning, 2 error.
    Health(cli::HealthArgs),
    /// The daily report: counts and growth, generations, tokens and cost, tool calls and latency.
    Report {
        /// The UTC day, as YYYY-MM-DD (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        day: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The servers running now for this data folder: the AI app each serves, whether it offered
    /// sampling, when it was last used; and whether serving is paused.
    Servers {
        #[arg(long)]
        json: bool,
    },
    /// Emergency stop: pause serving, stop every server of this data folder (SIGTERM, then
    /// SIGKILL after a few seconds), checkpoint the database and take an emergency backup.
    /// Servers that AI apps start again refuse every tool call until `resume`.
    Stop(cli::live::StopArgs),
    /// End the pause of an emergency stop: tool calls are answered again.
    Resume,
    /// Show the server's logs (daily files in the data folder's logs/).
    Logs(cli::LogsArgs),
    /// Write one archive for a bug report: health, report, versions, client states, settings,
    /// providers and recent logs, with keys, passphrases and your home folder taken out.
    Diagnose {
        /// The archive to write (a .tar file).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Move in from the TypeScript server (@mako10k/mcp-llm-generator): import its templates,
    /// personality presets, contexts, conversations, its role engine's team and delegations, and
    /// shared memory (into the memory) from the folder it ran in. Running it twice imports nothing twice; its files are only read.
    ImportUpstream(cli::import::ImportArgs),
    /// Search the memory's notes or export them (JSON or Markdown).
    Memory {
        #[command(subcommand)]
        action: cli::memory::MemoryAction,
    },
    /// The team of personas: `team tree` shows who is under whom, with roles, expertise and
    /// restrictions.
    Team {
        #[command(subcommand)]
        action: cli::team::TeamAction,
    },
    /// Delegated tasks: list them, show one, cancel one that is still running.
    Task {
        #[command(subcommand)]
        action: cli::team::TaskAction,
    },
    /// Remove everything this app put on this computer for you: our entry in every AI client's
    /// file, our keychain items (API keys, backup passphrase) and, with --remove-data, the data
    /// folder. Without --yes it only shows what it would remove.
    Uninstall(cli::uninstall::UninstallArgs),
    /// The desktop app's tray icon and menu (Linux). The app starts it; run
    /// mcp-llm-generator-app instead.
    #[cfg(target_os = "linux")]
    #[command(hide = true)]
    Tray {
        /// The app's program, which opens the window (default: mcp-llm-generator-app beside this).
        #[arg(long, value_name = "PATH")]
        app: Option<PathBuf>,
        /// Stay in the tray: do not open the window (a start at login).
        #[arg(long)]
        minimized: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mcp-llm-generator: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let command = cli.command.unwrap_or(Command::Serve);
    // Before the data folder: the tray shows a folder it cannot use on its status line, where
    // the user sees it, instead of ending before its icon appears.
    #[cfg(target_os = "linux")]
    if let Command::Tray { app, minimized } = command {
        return Ok(tray(app, minimized));
    }
    let data_dir = DataDir::resolve(cli.data_dir.as_deref())?;
    // Our files hold conversations: what an older version left readable to others is made private.
    data_dir.tighten();
    if let Command::Serve = command {
        return serve(data_dir, cli.client).map(|()| ExitCode::SUCCESS);
    }
    // Command-line tools log warnings to stderr only; their stdout is for the user.
    let _guard = logging::init(None, "warn");
    match command {
        // Client commands open the database only to record what they configured.
        Command::Clients { action } => return cli::clients(data_dir, action).map(|()| ExitCode::SUCCESS),
        // The health check must see the database as it is, never create or migrate it first.
        Command::Health(args) => return cli::health(data_dir, args).map(ExitCode::from),
        Command::Logs(args) => return cli::logs(&data_dir, args).map(|()| ExitCode::SUCCESS),
        // Like health: the archive describes the data dir as it is.
        Command::Diagnose { out } => return cli::diagnose(data_dir, &out).map(|()| ExitCode::SUCCESS),
        // Must not create the database it is about to remove.
        Command::Uninstall(args) => return cli::uninstall::uninstall(data_dir, &args),
        // The registry and the pause are files; the stop opens the database only to back it up.
        Command::Servers { json } => return cli::live::servers(&data_dir, json),
        Command::Stop(args) => return cli::live::stop(&data_dir, &args),
        Command::Resume => return cli::live::resume(&data_dir),
        _ => {}
    }
    if let Command::Backup { action } = command {
        // Backups open the database their own way (a restore must not migrate the live file
        // before it is replaced).
        return cli::backup::backup(&data_dir, action).map(|()| ExitCode::SUCCESS);
    }
    let store = Store::open(&data_dir)?;
    match command {
        Command::Serve
        | Command::Clients { .. }
        | Command::Backup { .. }
        | Command::Health(_)
        | Command::Logs(_)
        | Command::Diagnose { .. }
        | Command::Uninstall(_)
        | Command::Servers { .. }
        | Command::Stop(_)
        | Command::Resume => Ok(()),
        #[cfg(target_os = "linux")]
        Command::Tray { .. } => Ok(()),
        Command::ImportUpstream(args) => cli::import::import_upstream(&store, &data_dir, args),
        Command::Memory { action } => cli::memory::memory(&store, action),
        Command::Team { action } => cli::team::team(&store, action),
        Command::Task { action } => cli::team::task(&store, action),
        Command::Maintain { json } => cli::backup::maintain(&store, json),
        Command::Settings { action } => cli::settings(&store, action),
        Command::Providers { action } => cli::providers(&store, action),
        Command::Keys { action } => cli::keys(&store, action),
        Command::Usage { month, json } => cli::usage(&store, month, json),
        Command::Budget { action } => cli::budget(&store, action),
        Command::Report { day, json } => cli::report(&store, day, json),
    }
    .map(|()| ExitCode::SUCCESS)
}

/// Runs the desktop app's tray until Quit; the health check's handshake runs this very program,
/// which is the server client entries run (or, from an AppImage, its stable copy).
#[cfg(target_os = "linux")]
fn tray(app: Option<PathBuf>, minimized: bool) -> ExitCode {
    let check: llmgen_tray::health::Check = std::sync::Arc::new(|data_dir: &DataDir| {
        llmgen_server::check_installation_now(data_dir, llmgen_tray::health::server_binary().as_deref())
    });
    let code = llmgen_tray::standalone::run(app, minimized, check);
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

fn serve(data_dir: DataDir, client: Option<String>) -> anyhow::Result<()> {
    let logging = logging::init(Some(&data_dir), "info,rmcp=warn");
    // One thread is plenty for one client's session (tool calls are short; SQLite calls take
    // microseconds) and keeps start-up and memory small.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    // Only our own ids are kept: the value lands in files and the app's screens.
    let client = client.filter(|id| {
        let known = llmgen_core::clients::registry::find(id).is_some();
        if !known {
            tracing::warn!("--client {id:?} is not a client id of ours; ignored");
        }
        known
    });
    let result = runtime.block_on(llmgen_server::serve::stdio_session(
        data_dir,
        client,
        |settings| {
            logging.apply_setting(settings.log_level);
        },
    ));
    // Everything that must outlive the session (metrics, checkpoint) ran inside it. The thread
    // reading stdin sits in a read that cannot be interrupted: waiting for it would only delay
    // the exit, so the runtime is dropped without waiting.
    runtime.shutdown_background();
    Ok(result?)
}
