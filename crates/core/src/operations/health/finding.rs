//! What a health check found, as data: a stable id with its parameters ([`Finding`]) and what can
//! be done about it ([`Fix`]). Front ends word it in their own language from these; the CLI's
//! English sentences (with its commands) come from `cli_text`.

use std::path::PathBuf;

use serde::Serialize;

use super::Level;
use crate::{clients::FileProblem, generation::usage::BudgetState};

/// One finding: `id` is stable (`backup.old`, `clients.broken`, …), `params` its figures.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "id", content = "params", rename_all_fields = "camelCase")]
pub enum Finding {
    #[serde(rename = "database.missing")]
    DatabaseMissing { path: PathBuf },
    #[serde(rename = "database.unopenable")]
    DatabaseUnopenable { path: PathBuf, error: String },
    #[serde(rename = "database.ok")]
    DatabaseOk { path: PathBuf },
    #[serde(rename = "database.damaged")]
    DatabaseDamaged { path: PathBuf, problems: Vec<String> },
    #[serde(rename = "database.unreadable")]
    DatabaseUnreadable { path: PathBuf, error: String },
    /// It passed its check but could not be opened for use.
    #[serde(rename = "database.unusable")]
    DatabaseUnusable { error: String },
    #[serde(rename = "schema.current")]
    SchemaCurrent { version: i64 },
    /// Older than this build; migrated when the server next starts.
    #[serde(rename = "schema.behind")]
    SchemaBehind { found: i64, known: i64 },
    /// Newer than this build knows.
    #[serde(rename = "schema.ahead")]
    SchemaAhead { found: i64, known: i64 },
    #[serde(rename = "schema.unreadable")]
    SchemaUnreadable { error: String },
    #[serde(rename = "disk.ok")]
    DiskOk { space: DiskSpace },
    /// Under the warning threshold.
    #[serde(rename = "disk.low")]
    DiskLow { space: DiskSpace },
    /// Under `thresholdPercent`: writes may fail.
    #[serde(rename = "disk.full")]
    DiskFull {
        space: DiskSpace,
        threshold_percent: f64,
    },
    #[serde(rename = "disk.unmeasured")]
    DiskUnmeasured {
        at: PathBuf,
        error: String,
        database_bytes: u64,
    },
    #[serde(rename = "backup.never")]
    BackupNever,
    #[serde(rename = "backup.recent")]
    BackupRecent { age_hours: i64 },
    #[serde(rename = "backup.old")]
    BackupOld { age_hours: i64 },
    #[serde(rename = "keychain.ok")]
    KeychainOk,
    /// The keychain answered with an error.
    #[serde(rename = "keychain.unreachable")]
    KeychainUnreachable { error: String },
    /// The lookup itself stopped (its thread failed).
    #[serde(rename = "keychain.stopped")]
    KeychainStopped { error: String },
    /// No answer in time: probably waiting to be unlocked.
    #[serde(rename = "keychain.timeout")]
    KeychainTimeout { seconds: u64 },
    /// No keychain, but the key comes from an environment variable.
    #[serde(rename = "keychain.env")]
    KeychainFromEnv { provider: String, variable: String },
    #[serde(rename = "provider-key.unreadable")]
    ProvidersUnreadable { error: String },
    #[serde(rename = "provider-key.no-default")]
    NoDefaultProvider,
    #[serde(rename = "provider-key.not-needed")]
    KeyNotNeeded { provider: String },
    /// `variable`: the environment variable it comes from; `None` for the keychain.
    #[serde(rename = "provider-key.present")]
    KeyPresent {
        provider: String,
        variable: Option<String>,
    },
    #[serde(rename = "provider-key.missing")]
    KeyMissing { provider: String },
    #[serde(rename = "budget.unreadable")]
    BudgetsUnreadable { error: String },
    #[serde(rename = "budget.none")]
    NoBudget,
    /// Every budget under 80 % used.
    #[serde(rename = "budget.fine")]
    BudgetsFine { count: usize },
    /// Some budget is nearly used up (or cannot be read).
    #[serde(rename = "budget.near")]
    BudgetsNear { budgets: Vec<BudgetNote> },
    /// Some budget is used up: its provider's calls are refused.
    #[serde(rename = "budget.exhausted")]
    BudgetsExhausted { budgets: Vec<BudgetNote> },
    #[serde(rename = "clients.none")]
    ClientsNone,
    #[serde(rename = "clients.ok")]
    ClientsOk { count: usize },
    #[serde(rename = "clients.broken")]
    ClientsBroken { problems: Vec<ClientProblem> },
    #[serde(rename = "logs.clean")]
    LogsClean { hours: i64 },
    /// `latest`: the newest error's first line (at most 240 characters).
    #[serde(rename = "logs.errors")]
    LogErrors {
        count: usize,
        hours: i64,
        latest: String,
    },
    #[serde(rename = "logs.not-a-folder")]
    LogsNotAFolder { path: PathBuf },
    #[serde(rename = "logs.unreadable")]
    LogsUnreadable { error: String },
    #[serde(rename = "server.ok")]
    ServerOk {
        version: String,
        tools: usize,
        initialize_ms: f64,
        tools_list_ms: f64,
    },
    #[serde(rename = "server.failed")]
    ServerFailed { error: String },
    #[serde(rename = "server.timeout")]
    ServerTimeout { seconds: u64 },
    /// Servers answer tool calls.
    #[serde(rename = "paused.off")]
    PausedOff,
    /// The user stopped every server (emergency stop): tool calls are refused until resumed.
    /// `since`: RFC 3339 (may be empty); `by`: `cli`, `tray` or `app`.
    #[serde(rename = "paused.on")]
    PausedOn { since: String, by: String },
    /// Every AI app set up here has started this server since it was set up.
    #[serde(rename = "connections.all")]
    ConnectionsAll,
    /// These AI apps were set up but have not started this server since.
    #[serde(rename = "connections.never")]
    ConnectionsNever { clients: Vec<NamedClient> },
    /// A check still worded by its sentence only (see `Check::warning`); front ends show
    /// `message` as it is.
    #[serde(rename = "other")]
    Other { message: String, fix: Option<String> },
}

/// The disk holding the data folder.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiskSpace {
    pub available_bytes: u64,
    pub total_bytes: u64,
    pub free_percent: f64,
    /// The folder measured: the data folder or, before it exists, its nearest existing parent.
    pub at: PathBuf,
    pub database_bytes: u64,
}

/// One provider's budget in a `budget.near` or `budget.exhausted` finding.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum BudgetNote {
    Used { provider: String, state: BudgetState },
    Unreadable { provider: String, error: String },
}

/// A client by our id and its name (`vscode`, "VS Code").
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedClient {
    pub id: String,
    pub name: String,
}

/// One client whose entry cannot start this server, or needs an update.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientProblem {
    pub client: String,
    pub problem: ClientFault,
}

/// What is wrong with a client's entry.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ClientFault {
    /// The entry's command is missing, not executable, or another copy of the server.
    Stale { reason: String },
    /// The file cannot be used as it is; `fixable` when repairing fixes it (our entry repeated).
    InvalidFile {
        problem: FileProblem,
        message: String,
        line: usize,
        column: usize,
        fixable: bool,
    },
    /// We configured this file and our entry is gone.
    EntryRemoved,
    /// The entry works, but does not tell the server which app it serves (written by an older
    /// version); repairing adds the client's name.
    NeedsUpdate,
}

impl ClientFault {
    /// Repairing the client's entries fixes it.
    pub fn repairable(&self) -> bool {
        !matches!(self, Self::InvalidFile { fixable: false, .. })
    }
}

/// What can be done about a finding: something the app does or leads to, or steps only the
/// user can take ([`Fix::Steps`]).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Fix {
    /// Take a backup now.
    BackUpNow,
    /// Write our entry again in these clients' files.
    RepairClientEntries { clients: Vec<String> },
    /// Show the clients, whose files need the user's hand.
    OpenClients { clients: Vec<String> },
    /// Show the API keys, to store one (for `provider`) or choose the default provider.
    OpenKeys { provider: Option<String> },
    /// Show the backups, to restore one.
    RestoreBackup,
    /// Show the recent log lines.
    OpenLogs,
    /// Only the user can do it.
    Steps { step: Step },
    /// End the pause after an emergency stop.
    Resume,
    /// Only the user can do it: restart this client (our id, and its name) so it reads its
    /// new settings and starts this server.
    RestartClient { client: String, name: String },
}

/// Steps only the user can take.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Step {
    /// Start an AI app once: it starts the server, which creates the database.
    StartClientOnce,
    CheckPermissions,
    RestartClients,
    UpdateApp,
    FreeDiskSpace,
    CheckDisk,
    StartKeychain,
    UnlockKeychain,
    RaiseBudgetOrWait,
    MoveLogsAside,
    ReinstallApp,
}

impl Finding {
    /// The check it belongs to (`database`, `schema`, …): the id before the dot.
    pub fn check_id(&self) -> &'static str {
        use Finding::*;
        match self {
            DatabaseMissing { .. }
            | DatabaseUnopenable { .. }
            | DatabaseOk { .. }
            | DatabaseDamaged { .. }
            | DatabaseUnreadable { .. }
            | DatabaseUnusable { .. } => "database",
            SchemaCurrent { .. } | SchemaBehind { .. } | SchemaAhead { .. } | SchemaUnreadable { .. } => {
                "schema"
            }
            DiskOk { .. } | DiskLow { .. } | DiskFull { .. } | DiskUnmeasured { .. } => "disk",
            BackupNever | BackupRecent { .. } | BackupOld { .. } => "backup",
            KeychainOk
            | KeychainUnreachable { .. }
            | KeychainStopped { .. }
            | KeychainTimeout { .. }
            | KeychainFromEnv { .. } => "keychain",
            ProvidersUnreadable { .. }
            | NoDefaultProvider
            | KeyNotNeeded { .. }
            | KeyPresent { .. }
            | KeyMissing { .. } => "provider-key",
            BudgetsUnreadable { .. }
            | NoBudget
            | BudgetsFine { .. }
            | BudgetsNear { .. }
            | BudgetsExhausted { .. } => "budget",
            ClientsNone | ClientsOk { .. } | ClientsBroken { .. } => "clients",
            LogsClean { .. } | LogErrors { .. } | LogsNotAFolder { .. } | LogsUnreadable { .. } => "logs",
            ServerOk { .. } | ServerFailed { .. } | ServerTimeout { .. } => "server",
            PausedOff | PausedOn { .. } => "paused",
            ConnectionsAll | ConnectionsNever { .. } => "connections",
            Other { .. } => "other",
        }
    }

    /// Its stable id, as serialized (`backup.old`).
    pub fn id(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("id").and_then(|id| id.as_str()).map(str::to_string))
            .unwrap_or_default()
    }

    pub fn level(&self) -> Level {
        use Finding::*;
        match self {
            DatabaseOk { .. }
            | SchemaCurrent { .. }
            | DiskOk { .. }
            | BackupRecent { .. }
            | KeychainOk
            | KeyNotNeeded { .. }
            | KeyPresent { .. }
            | NoBudget
            | BudgetsFine { .. }
            | ClientsNone
            | ClientsOk { .. }
            | LogsClean { .. }
            | ServerOk { .. }
            | PausedOff
            | ConnectionsAll => Level::Ok,
            DatabaseMissing { .. }
            | SchemaBehind { .. }
            | DiskLow { .. }
            | DiskUnmeasured { .. }
            | BackupNever
            | BackupOld { .. }
            | KeychainUnreachable { .. }
            | KeychainStopped { .. }
            | KeychainTimeout { .. }
            | KeychainFromEnv { .. }
            | NoDefaultProvider
            | KeyMissing { .. }
            | BudgetsNear { .. }
            | ClientsBroken { .. }
            | LogErrors { .. }
            | LogsNotAFolder { .. }
            | LogsUnreadable { .. }
            | PausedOn { .. }
            | ConnectionsNever { .. } => Level::Warning,
            DatabaseUnopenable { .. }
            | DatabaseDamaged { .. }
            | DatabaseUnreadable { .. }
            | DatabaseUnusable { .. }
            | SchemaAhead { .. }
            | SchemaUnreadable { .. }
            | DiskFull { .. }
            | ProvidersUnreadable { .. }
            | BudgetsUnreadable { .. }
            | BudgetsExhausted { .. }
            | ServerFailed { .. }
            | ServerTimeout { .. } => Level::Error,
            // Worded by its sentence only: the level comes with it (see `Check::warning`).
            Other { .. } => Level::Warning,
        }
    }

    /// What can be done about it; empty when it is fine.
    pub fn fixes(&self) -> Vec<Fix> {
        use Finding::*;
        let steps = |step| vec![Fix::Steps { step }];
        match self {
            DatabaseMissing { .. } => steps(Step::StartClientOnce),
            DatabaseUnopenable { .. } | LogsUnreadable { .. } => steps(Step::CheckPermissions),
            DatabaseDamaged { .. }
            | DatabaseUnreadable { .. }
            | DatabaseUnusable { .. }
            | SchemaUnreadable { .. }
            | ProvidersUnreadable { .. }
            | BudgetsUnreadable { .. } => vec![Fix::RestoreBackup],
            SchemaBehind { .. } => steps(Step::RestartClients),
            SchemaAhead { .. } => steps(Step::UpdateApp),
            DiskLow { .. } | DiskFull { .. } => steps(Step::FreeDiskSpace),
            DiskUnmeasured { .. } => steps(Step::CheckDisk),
            BackupNever | BackupOld { .. } => vec![Fix::BackUpNow],
            KeychainUnreachable { .. } | KeychainStopped { .. } | KeychainFromEnv { .. } => {
                steps(Step::StartKeychain)
            }
            KeychainTimeout { .. } => steps(Step::UnlockKeychain),
            NoDefaultProvider => vec![Fix::OpenKeys { provider: None }],
            KeyMissing { provider } => vec![Fix::OpenKeys {
                provider: Some(provider.clone()),
            }],
            BudgetsNear { .. } | BudgetsExhausted { .. } => steps(Step::RaiseBudgetOrWait),
            ClientsBroken { problems } => client_fixes(problems),
            LogErrors { .. } => vec![Fix::OpenLogs],
            LogsNotAFolder { .. } => steps(Step::MoveLogsAside),
            ServerFailed { .. } | ServerTimeout { .. } => vec![
                Fix::OpenLogs,
                Fix::Steps {
                    step: Step::ReinstallApp,
                },
            ],
            PausedOn { .. } => vec![Fix::Resume],
            ConnectionsNever { clients } => clients
                .iter()
                .map(|c| Fix::RestartClient {
                    client: c.id.clone(),
                    name: c.name.clone(),
                })
                .collect(),
            // What is fine needs nothing (a unit test holds every finding to this), and a check
            // worded by its sentence only has no typed fix.
            _ => Vec::new(),
        }
    }
}

/// Repair what repairing fixes; lead to the clients for files only the user can fix.
fn client_fixes(problems: &[ClientProblem]) -> Vec<Fix> {
    let clients = |repairable: bool| -> Vec<String> {
        problems
            .iter()
            .filter(|p| p.problem.repairable() == repairable)
            .map(|p| p.client.clone())
            .collect()
    };
    let (repair, by_hand) = (clients(true), clients(false));
    let mut fixes = Vec::new();
    if !repair.is_empty() {
        fixes.push(Fix::RepairClientEntries { clients: repair });
    }
    if !by_hand.is_empty() {
        fixes.push(Fix::OpenClients { clients: by_hand });
    }
    fixes
}
