//! `mcp-llm-generator`: the stdio MCP server (no arguments, or `serve`) and the command line.

mod logging;

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
        action: Option<SettingsAction>,
    },
}

#[derive(Subcommand)]
enum SettingsAction {
    /// Print every setting (add --json for scripts).
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Change a setting: prefer-sampling true|false, tool-groups generation,templates,personas,contexts|all.
    Set { key: String, value: String },
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
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(data_dir),
        Command::Settings { action } => {
            let _guard = logging::init(None, "warn");
            let store = Store::open(&data_dir)?;
            match action.unwrap_or(SettingsAction::Show { json: false }) {
                SettingsAction::Show { json } => print_settings(&settings::load(&store)?, json),
                SettingsAction::Set { key, value } => {
                    print_settings(&settings::set(&store, &key, &value)?, false)
                }
            }
        }
    }
}

#[allow(clippy::print_stdout)] // CLI output, not the serve path
fn print_settings(s: &settings::Settings, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(s)?);
    } else {
        println!("prefer-sampling = {}", s.prefer_sampling);
        let groups: Vec<&str> = s.tool_groups.iter().map(|g| g.as_str()).collect();
        println!("tool-groups     = {}", groups.join(","));
    }
    Ok(())
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
        let server = LlmGenServer::new(store, settings, data_dir);
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
        service.waiting().await?;
        tracing::info!("client disconnected; exiting");
        anyhow::Ok(())
    })
}
