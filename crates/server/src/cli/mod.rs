//! The command line besides `serve`, one file per subcommand family. Each subcommand is a thin
//! adapter over llmgen-core; `--json` prints for scripts, the default prints for people.

pub mod backup;
pub mod clients;
mod detect;
pub mod import;
pub mod live;
pub mod memory;
pub mod operations;
pub mod providers;
pub mod settings;
pub mod team;
pub mod uninstall;

use anyhow::Context;

pub use clients::{ClientsAction, clients};
pub use operations::{HealthArgs, LogsArgs, diagnose, health, logs, report};
pub use providers::{BudgetAction, KeysAction, ProvidersAction, budget, keys, providers, usage};
pub use settings::{SettingsAction, settings};

/// The absolute, resolved path of this very binary: GUI clients do not search PATH.
fn current_exe() -> anyhow::Result<std::path::PathBuf> {
    std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .context("finding the path of this program")
}

/// A one-thread runtime for the subcommands that talk to a provider or spawn the server.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}
