//! llmgen-core: everything MCP LLM Generator knows and does, with no dependency on a front end.
//!
//! Every user action is one public function here; the MCP server, the CLI, the desktop app and
//! the tray are thin adapters over these functions.
//!
//! The folders are the product's parts:
//! - `store` (one SQLite file shared by every process, its migrations), `paths` (the data dir),
//!   `settings`, `secrets` (the OS keychain) and `limits` (the size of every stored text) are
//!   what everything else stands on;
//! - `catalog/`: the named things users keep: prompt templates and personas, with built-ins;
//! - `conversation/`: contexts (a persona instance with its settings and expiry) and chat (the
//!   history replayed within a token budget, the exchange stored only on success);
//! - `generation/`: requests and the routing rule (sampling or a direct provider), the providers'
//!   HTTP clients, token estimates, usage and budgets;
//! - `clients/`: our entry in AI clients' configuration files (and `server_copy`: which binary those
//!   entries run);
//! - `operations/`: backups, health, the daily report, maintenance, logs, diagnose, status,
//!   metrics and uninstall;
//! - `import_upstream/`: moving in from the TypeScript server we replace.
//!
//! Imports run from the parts to what they stand on: `catalog` and `conversation` do not know
//! `operations`, `paths` and `secrets` name no part. Two still run back and are the next to go:
//! `store` seeds the catalog's built-ins each time it opens a database (so no caller can forget to),
//! and `settings` holds a log level typed by `operations::logs`.

pub mod catalog;
pub mod clients;
pub mod conversation;
pub mod error;
pub mod generation;
pub mod import_upstream;
pub mod limits;
pub mod operations;
pub mod paths;
pub mod progress;
pub mod secrets;
pub mod server_copy;
pub mod settings;
pub mod store;
mod timefmt;

pub use error::{CoreError, Result};
pub use store::Store;

/// The app identifier: names the data dir and the keychain service.
pub const APP_ID: &str = "dev.llmgen.desktop";
/// The product's version, shared by every binary.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
