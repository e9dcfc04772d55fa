//! llmgen-core: everything MCP LLM Generator knows and does, with no dependency on a front end.
//!
//! Every user action is one public function here; the MCP server, the CLI and (later) the desktop
//! app are thin adapters over these functions.

pub mod backup;
pub mod chat;
pub mod clients;
pub mod contexts;
pub mod diagnose;
pub mod error;
pub mod generation;
pub mod health;
pub mod import_upstream;
pub mod limits;
pub mod logs;
pub mod maintain;
pub mod metrics;
pub mod paths;
pub mod personas;
pub mod progress;
pub mod providers;
pub mod report;
pub mod secrets;
pub mod server_copy;
pub mod settings;
pub mod status;
pub mod store;
pub mod templates;
mod timefmt;
pub mod tokens;
pub mod uninstall;
pub mod usage;

pub use error::{CoreError, Result};
pub use store::Store;

/// The app identifier: names the data dir and the keychain service.
pub const APP_ID: &str = "dev.llmgen.desktop";
/// The product's version, shared by every binary.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
