//! The health check behind `health`, the tray colour and the app's status page: each check is
//! ok, warning or error with a finding (a stable id and its parameters, which the app and the
//! tray word in the user's language), the command line's sentence and, when not ok, the fix.
//!
//! The check never creates, migrates or repairs anything in a database that is not intact: it
//! opens an existing file without the create flag and runs `PRAGMA quick_check` first. The MCP
//! handshake with the server binary needs an MCP client, which lives in crates/server: callers
//! pass it in through [`Handshake`]. Thresholds are options so that tests (and the CLI's hidden
//! flags) can inject faults such as a full disk.

use std::{
    future::Future,
    path::{Path, PathBuf},
};

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::{clients::Clients, paths::DataDir, timefmt};

mod cli_text;
mod clients_logs_server;
mod data;
mod examples;
mod finding;
mod keys_budgets;
mod live;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_findings;

use clients_logs_server::{clients_check, log_check, server_check};
pub use data::{backup_check, database_bytes, human_bytes};
use data::{database_checks, disk_check};
pub use examples::examples;
pub use finding::{BudgetNote, ClientFault, ClientProblem, DiskSpace, Finding, Fix, NamedClient, Step};
use keys_budgets::{budget_check, key_checks};
use live::{connections_check, paused_check};

/// How a check (or the whole report) came out. Ordered: the report takes its worst check.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    Warning,
    Error,
}

impl Level {
    /// The process exit code of `health`: 0 ok, 1 warning, 2 error.
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Ok => 0,
            Self::Warning => 1,
            Self::Error => 2,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// One check's outcome: what was found ([`Finding`], for front ends that word it themselves) and
/// the command line's English for it (`message`, `fix`).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Stable id (`database`, `schema`, `disk`, `backup`, `keychain`, `provider-key`, `budget`,
    /// `clients`, `connections`, `paused`, `logs`, `server`).
    pub id: &'static str,
    pub level: Level,
    /// One sentence saying what was found (the command line's words).
    pub message: String,
    /// What to do about it, with the commands to type; `None` when ok.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// What was found, by a stable id (`backup.old`) with its parameters.
    pub finding: Finding,
    /// What the app can do or lead to, or the steps only the user can take; empty when ok.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<Fix>,
}

impl Check {
    /// The check of a finding: its level, the command line's words and the fixes follow from it.
    pub fn found(finding: Finding) -> Self {
        Self {
            id: finding.check_id(),
            level: finding.level(),
            message: finding.cli_message(),
            fix: finding.cli_fix(),
            fixes: finding.fixes(),
            finding,
        }
    }

    /// A check worded by its sentence only ([`Finding::Other`]): front ends show `message` as it
    /// is. Prefer a [`Finding`] of its own, which the app and the tray can translate.
    pub fn ok(id: &'static str, message: impl Into<String>) -> Self {
        Self::worded(id, Level::Ok, message.into(), None)
    }

    /// A warning worded by its sentence only; see [`Check::ok`].
    pub fn warning(id: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::worded(id, Level::Warning, message.into(), Some(fix.into()))
    }

    /// An error worded by its sentence only; see [`Check::ok`].
    pub fn error(id: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::worded(id, Level::Error, message.into(), Some(fix.into()))
    }

    fn worded(id: &'static str, level: Level, message: String, fix: Option<String>) -> Self {
        Self {
            id,
            level,
            finding: Finding::Other {
                message: message.clone(),
                fix: fix.clone(),
            },
            message,
            fix,
            fixes: Vec::new(),
        }
    }
}

/// The whole report: the worst level and every check.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Health {
    pub level: Level,
    pub checks: Vec<Check>,
}

impl Health {
    /// A check by id.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }
}

/// Thresholds; the defaults are the product's, tests and hidden CLI flags change them.
#[derive(Debug, Clone)]
pub struct HealthOptions {
    /// Free disk space (percent of the disk) under which the disk check warns.
    pub free_warn_percent: f64,
    /// Free disk space (percent) under which it is an error.
    pub free_error_percent: f64,
    /// A last backup older than this is a warning.
    pub backup_max_age: Duration,
    /// Errors logged within this window are reported.
    pub log_window: Duration,
    /// The longest the server handshake may take.
    pub handshake_timeout: std::time::Duration,
    /// The server binary client entries should run (the CLI passes itself); an entry running
    /// another binary is then stale.
    pub expected_server: Option<PathBuf>,
}

impl Default for HealthOptions {
    fn default() -> Self {
        Self {
            free_warn_percent: 10.0,
            free_error_percent: 2.0,
            backup_max_age: Duration::days(2),
            log_window: Duration::hours(24),
            handshake_timeout: std::time::Duration::from_secs(20),
            expected_server: None,
        }
    }
}

/// What a handshake with the server binary measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandshakeReport {
    /// The version the server reported in `initialize`.
    pub server_version: String,
    /// How many tools `tools/list` returned.
    pub tools: usize,
    /// Spawn until `initialize` was answered, in milliseconds.
    pub initialize_ms: f64,
    /// The `tools/list` round trip, in milliseconds.
    pub tools_list_ms: f64,
}

/// Spawns the server binary, initializes an MCP session, lists the tools and times both.
/// Implemented in crates/server (it owns the MCP client); the error is a sentence.
pub trait Handshake {
    fn handshake(&self) -> impl Future<Output = Result<HandshakeReport, String>> + Send;
}

/// Runs every check. `last_backup`: `None` leaves the backup check out (a build without backups);
/// `Some(None)` means no backup was ever made.
pub async fn check(
    data_dir: &DataDir,
    clients: &Clients,
    handshake: Option<&impl Handshake>,
    last_backup: Option<Option<OffsetDateTime>>,
    options: &HealthOptions,
) -> Health {
    let now = timefmt::now();
    let mut checks = Vec::new();
    // The handshake first: a fresh install's server creates the database the checks below read.
    let server = match handshake {
        Some(h) => Some(server_check(h, options.handshake_timeout).await),
        None => None,
    };
    let store = database_checks(&data_dir.db_path(), &mut checks);
    checks.push(disk_check(data_dir, options));
    if let Some(last) = last_backup {
        checks.push(backup_check(last, now, options.backup_max_age));
    }
    if let Some(store) = &store {
        checks.extend(key_checks(store).await);
        checks.push(budget_check(store));
    }
    checks.push(clients_check(clients, options.expected_server.as_deref()));
    checks.extend(store.as_ref().and_then(connections_check));
    checks.push(paused_check(data_dir));
    checks.push(log_check(&data_dir.logs_dir(), now, options.log_window));
    checks.extend(server);
    Health {
        level: checks.iter().map(|c| c.level).max().unwrap_or(Level::Ok),
        checks,
    }
}

/// The check as every front end runs it (CLI, tray, Health screen): this user's client files,
/// the data dir's newest backup, and client entries expected to run `server`.
pub async fn check_installation(
    data_dir: &DataDir,
    server: Option<&Path>,
    handshake: Option<&impl Handshake>,
    options: HealthOptions,
) -> Health {
    let clients = Clients::from_env(data_dir.clone());
    // A backup folder that cannot be read counts as no backup: the check then says to make one.
    let last_backup = Some(crate::operations::backup::newest(data_dir).unwrap_or(None));
    let options = HealthOptions {
        expected_server: server.map(Path::to_path_buf),
        ..options
    };
    check(data_dir, &clients, handshake, last_backup, &options).await
}
