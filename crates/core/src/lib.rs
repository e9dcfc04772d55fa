//! llmgen-core: everything MCP LLM Generator knows and does, with no dependency on a front end.
//!
//! Every user action is one public function here; the MCP server, the CLI, the desktop app and
//! the tray are thin adapters over these functions.
//!
//! The folders are the product's parts:
//! - `store` (one SQLite file shared by every process, its migrations), `paths` (the data dir),
//!   `settings`, `secrets` (the OS keychain) and `limits` (the size of every stored text, the
//!   shape of every name) and `text` (scripts without spaces, one-line previews) are what
//!   everything else stands on;
//! - `opening`: `Store::open` and its kin, the store migrated and the catalog's built-ins seeded;
//! - `catalog/`: the named things users keep: prompt templates and personas, with built-ins,
//!   managed by one set of functions over a trait for what differs;
//! - `conversation/`: contexts (a persona instance with its settings and expiry) and chat (the
//!   history replayed within a token budget, the exchange stored only on success);
//! - `generation/`: requests and the routing rule (sampling or a direct provider), the providers'
//!   HTTP clients, token estimates, usage and budgets;
//! - `clients/`: our entry in AI clients' configuration files (and `server_copy`: which binary those
//!   entries run);
//! - `operations/`: backups, health, the daily report, maintenance, logs, diagnose, status,
//!   metrics and uninstall;
//! - `memory/`: the associative memory personas share (notes, tags, links, full-text search
//!   with Japanese, a change feed);
//! - `team/`: personas as a team: roles and what each may do, a persona's effective values, and
//!   delegated tasks with their records (the tree and its inherited restrictions are stored with
//!   the personas, in `catalog`);
//! - `import_upstream/`: moving in from the TypeScript server we replace.
//!
//! Imports run from the parts to what they stand on, never back: `catalog` and `conversation` do
//! not know `operations`, `paths` and `secrets` name no part, and no two parts import each other
//! (but `error`, below). `team` stands on `catalog` (the tree and its rules are the personas' own
//! data, so a chat needs no `team`) and on `conversation` (a task runs in a context); `memory`
//! stands on `team` (a persona's role limits its writes). Two choices keep it so. Every opened
//! database must have the catalog's built-ins seeded (so no caller can forget to), yet the store
//! must not know the catalog, which stores through it: so `Store::open` is defined in `opening`,
//! above both, and `store.rs` only connects and migrates. The log level is a setting's type, so
//! `settings` owns `LogLevel` and `operations::logs` re-exports it. The exception is deliberate:
//! `error`, the crate's error type, wraps the typed errors of `clients`, `generation::providers`
//! and `secrets` (so `?` carries them up), and those parts return it in turn.

pub mod catalog;
pub mod clients;
pub mod conversation;
pub mod error;
pub mod generation;
pub mod import_upstream;
pub mod limits;
pub mod memory;
mod opening;
pub mod operations;
pub mod paths;
pub mod progress;
pub mod secrets;
pub mod server_copy;
pub mod settings;
pub mod store;
pub mod team;
pub mod text;
mod timefmt;
pub mod without_commands;

pub use error::{CoreError, Result};
pub use store::Store;

/// The app identifier: names the data dir and the keychain service.
pub const APP_ID: &str = "dev.llmgen.desktop";
/// The product's version, shared by every binary.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
