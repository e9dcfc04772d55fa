//! The health check behind `health`, the tray colour and the app's status page: each check is
//! ok, warning or error with one sentence and, when not ok, the fix.
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

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::{
    Store,
    clients::{self, ClientState, Clients},
    generation::providers,
    generation::usage::{self, Month},
    operations::logs::{self, LogLevel, LogQuery, LogsError},
    paths::DataDir,
    secrets::{KeyCache, KeyLookup, KeySource},
    timefmt,
};

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

/// One check's outcome.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Stable id (`database`, `schema`, `disk`, `backup`, `keychain`, `provider-key`, `budget`,
    /// `clients`, `logs`, `server`).
    pub id: &'static str,
    pub level: Level,
    /// One sentence saying what was found.
    pub message: String,
    /// What to do about it; `None` when ok.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Check {
    fn ok(id: &'static str, message: impl Into<String>) -> Self {
        Self {
            id,
            level: Level::Ok,
            message: message.into(),
            fix: None,
        }
    }

    fn warning(id: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            id,
            level: Level::Warning,
            message: message.into(),
            fix: Some(fix.into()),
        }
    }

    fn error(id: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            id,
            level: Level::Error,
            message: message.into(),
            fix: Some(fix.into()),
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

const RESTORE_FIX: &str = "Restore the newest backup (`mcp-llm-generator backup list`, then `backup restore FILE`), or move the database file aside to start with an empty one.";

/// `database` and `schema`; returns an opened store when the database is intact and current.
fn database_checks(path: &Path, checks: &mut Vec<Check>) -> Option<Store> {
    if !path.exists() {
        checks.push(Check::warning(
            "database",
            format!("There is no database at {} yet.", path.display()),
            "Start the server once (your MCP client does it when it starts), or run `mcp-llm-generator settings`.",
        ));
        return None;
    }
    // No create flag: a check must never replace a missing or unreadable file with an empty one.
    let conn = match Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE) {
        Ok(conn) => conn,
        Err(e) => {
            checks.push(Check::error(
                "database",
                format!("The database at {} cannot be opened: {e}.", path.display()),
                "Check that the file is readable and writable by you.",
            ));
            return None;
        }
    };
    if let Err(e) = conn.busy_timeout(std::time::Duration::from_secs(5)) {
        tracing::debug!("busy timeout not set: {e}");
    }
    let problems: rusqlite::Result<Vec<String>> = conn.prepare("PRAGMA quick_check(5)").and_then(|mut s| {
        let rows = s.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect()
    });
    match problems {
        Ok(rows) if rows.len() == 1 && rows[0] == "ok" => checks.push(Check::ok(
            "database",
            format!(
                "The database at {} is reachable and intact (quick check passed).",
                path.display()
            ),
        )),
        Ok(rows) => {
            checks.push(Check::error(
                "database",
                format!(
                    "The database at {} is damaged: {}.",
                    path.display(),
                    rows.join("; ")
                ),
                RESTORE_FIX,
            ));
            return None;
        }
        Err(e) => {
            checks.push(Check::error(
                "database",
                format!("The database at {} cannot be read: {e}.", path.display()),
                RESTORE_FIX,
            ));
            return None;
        }
    }
    let found: rusqlite::Result<i64> = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    );
    let known = Store::known_schema_version();
    let current = match found {
        Ok(v) if v == known => {
            checks.push(Check::ok(
                "schema",
                format!("The schema is current (version {v})."),
            ));
            true
        }
        Ok(v) if v < known => {
            checks.push(Check::warning(
                "schema",
                format!("The schema is at version {v}; this build brings {known}."),
                "It is migrated when the server next starts; restart your MCP clients.",
            ));
            false
        }
        Ok(v) => {
            checks.push(Check::error(
                "schema",
                format!("The schema is at version {v}, newer than this build knows ({known})."),
                "Update MCP LLM Generator, or point --data-dir at another folder.",
            ));
            false
        }
        Err(e) => {
            checks.push(Check::error(
                "schema",
                format!("The schema version cannot be read: {e}."),
                RESTORE_FIX,
            ));
            false
        }
    };
    drop(conn);
    if !current {
        return None;
    }
    match Store::open_path(path) {
        Ok(store) => Some(store),
        Err(e) => {
            checks.push(Check::error(
                "database",
                format!("The database passed its check but cannot be opened for use: {e}"),
                RESTORE_FIX,
            ));
            None
        }
    }
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// The database's size on disk: the file plus its WAL and shared-memory files.
pub fn database_bytes(db: &Path) -> u64 {
    let with = |suffix: &str| {
        let mut p = db.as_os_str().to_os_string();
        p.push(suffix);
        file_len(Path::new(&p))
    };
    file_len(db) + with("-wal") + with("-shm")
}

/// Bytes in a human unit.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

fn disk_check(data_dir: &DataDir, options: &HealthOptions) -> Check {
    // The data folder may not exist yet: measure the disk of its nearest existing ancestor.
    let mut at = data_dir.root();
    while !at.exists() {
        match at.parent() {
            Some(p) => at = p,
            None => break,
        }
    }
    let size = human_bytes(database_bytes(&data_dir.db_path()));
    let stats = match fs4::statvfs(at) {
        Ok(s) => s,
        Err(e) => {
            return Check::warning(
                "disk",
                format!(
                    "The free space of the disk holding {} cannot be measured: {e}; the database takes {size}.",
                    at.display()
                ),
                "Check the disk yourself (for example with `df -h`).",
            );
        }
    };
    disk_level(stats.available_space(), stats.total_space(), &size, at, options)
}

/// The pure rule of the disk check.
fn disk_level(available: u64, total: u64, db_size: &str, at: &Path, options: &HealthOptions) -> Check {
    let percent = if total == 0 {
        0.0
    } else {
        available as f64 * 100.0 / total as f64
    };
    let message = format!(
        "{} free of {} ({percent:.1} %) on the disk holding {}; the database takes {db_size}.",
        human_bytes(available),
        human_bytes(total),
        at.display()
    );
    let fix = "Free disk space (empty the trash, delete files you no longer need), or move the data folder to a larger disk with --data-dir or LLMGEN_DATA_DIR.";
    if percent < options.free_error_percent {
        Check::error(
            "disk",
            format!(
                "{message} Under {}%, writes may fail.",
                options.free_error_percent
            ),
            fix,
        )
    } else if percent < options.free_warn_percent {
        Check::warning("disk", format!("{message} The disk is nearly full."), fix)
    } else {
        Check::ok("disk", message)
    }
}

/// The backup-age rule: no backup, or one older than `max_age`, is a warning.
pub fn backup_check(last: Option<OffsetDateTime>, now: OffsetDateTime, max_age: Duration) -> Check {
    let fix = "Run `mcp-llm-generator backup create` (scheduled backups take one daily while the app or a server runs).";
    match last {
        None => Check::warning("backup", "No backup has been made yet.", fix),
        Some(t) => {
            let age = now - t;
            let text = if age.whole_hours() >= 48 {
                format!("{} days", age.whole_days())
            } else {
                format!("{} hours", age.whole_hours().max(0))
            };
            if age > max_age {
                Check::warning("backup", format!("The last backup is {text} old."), fix)
            } else {
                Check::ok("backup", format!("The last backup is {text} old."))
            }
        }
    }
}

/// The longest the keychain may take to answer the check's one lookup (an unanswered unlock
/// prompt must not hang the tray's check).
const KEYCHAIN_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// `keychain` and `provider-key`, from one lookup of the default provider's key (never printed).
async fn key_checks(store: &Store) -> Vec<Check> {
    let (default, all) = match (providers::default_provider(store), providers::list(store)) {
        (Ok(d), Ok(all)) => (d, all),
        (Err(e), _) | (_, Err(e)) => {
            return vec![Check::error(
                "provider-key",
                format!("The providers cannot be read: {e}"),
                RESTORE_FIX,
            )];
        }
    };
    // Without a default provider, any provider's lookup still tells whether the keychain answers.
    let Some(probe) = default.as_ref().or(all.first()).map(|p| p.name.clone()) else {
        return Vec::new();
    };
    let name = probe.clone();
    let lookup = tokio::time::timeout(
        KEYCHAIN_WAIT,
        tokio::task::spawn_blocking(move || KeyCache::default().lookup(&name)),
    )
    .await;
    let (present, source, problem) = match lookup {
        Ok(Ok(KeyLookup::Found { source, .. })) => (true, Some(source), None),
        Ok(Ok(KeyLookup::Missing { keychain })) => (false, None, keychain.err().map(|e| e.to_string())),
        Ok(Err(e)) => (false, None, Some(format!("The keychain lookup stopped: {e}."))),
        Err(_) => (
            false,
            None,
            Some(format!(
                "The OS keychain did not answer within {} s; it may be waiting for you to unlock it.",
                KEYCHAIN_WAIT.as_secs()
            )),
        ),
    };
    let keychain = match (&problem, source) {
        (Some(p), _) => Check::warning(
            "keychain",
            p.clone(),
            "Without a keychain, keys cannot be stored; generation through your client's model (MCP sampling) still works.",
        ),
        (None, Some(KeySource::Env(var))) => Check::warning(
            "keychain",
            format!(
                "The OS keychain is not reachable; the {probe} key comes from the environment variable {var}."
            ),
            "Start a Secret Service (GNOME Keyring or KWallet) in your session to keep keys in the keychain.",
        ),
        _ => Check::ok("keychain", "The OS keychain answers."),
    };
    let key = match default {
        None => Check::warning(
            "provider-key",
            "No default provider is set, so clients without MCP sampling cannot generate text.",
            "Choose one with `mcp-llm-generator providers set NAME --default`.",
        ),
        Some(d) if !d.kind.needs_key() => Check::ok(
            "provider-key",
            format!("The default provider '{}' needs no key.", d.name),
        ),
        Some(d) if present => Check::ok(
            "provider-key",
            format!(
                "The default provider '{}' has a key ({}).",
                d.name,
                source.map_or_else(|| "keychain".to_string(), KeySource::describe)
            ),
        ),
        Some(d) => Check::warning(
            "provider-key",
            format!(
                "The default provider '{}' has no key, so clients without MCP sampling cannot generate text.",
                d.name
            ),
            format!(
                "Store one with `mcp-llm-generator keys set {}` (or choose another default provider).",
                d.name
            ),
        ),
    };
    vec![keychain, key]
}

fn budget_check(store: &Store) -> Check {
    let month = Month::current();
    let mut worst = Level::Ok;
    let mut notes = Vec::new();
    let providers = match providers::list(store) {
        Ok(p) => p,
        Err(e) => {
            return Check::error("budget", format!("The budgets cannot be read: {e}"), RESTORE_FIX);
        }
    };
    let mut budgets = 0;
    for p in providers {
        match usage::budget_state(store, &p.name, month) {
            Ok(Some(state)) => {
                budgets += 1;
                if state.exhausted() {
                    worst = worst.max(Level::Error);
                } else if state.warning(&p.name).is_some() {
                    worst = worst.max(Level::Warning);
                }
                notes.extend(state.warning(&p.name));
            }
            Ok(None) => {}
            Err(e) => {
                worst = worst.max(Level::Warning);
                notes.push(format!("The budget of '{}' cannot be read: {e}", p.name));
            }
        }
    }
    match worst {
        Level::Ok if budgets == 0 => Check::ok("budget", "No monthly budget is set."),
        Level::Ok => Check::ok(
            "budget",
            format!("{budgets} monthly budget(s), all under 80 % used."),
        ),
        level => Check {
            id: "budget",
            level,
            message: notes.join(" "),
            fix: Some(
                "Raise the budget with `mcp-llm-generator budget set PROVIDER AMOUNT`, or wait for next month.".into(),
            ),
        },
    }
}

fn clients_check(clients: &Clients, expected: Option<&Path>) -> Check {
    let list = clients::list(clients, expected);
    let mut problems = Vec::new();
    let mut stale = Vec::new();
    // Invalid files that configuring fixes (our entry repeated), and those only the user can fix.
    let mut repeated = Vec::new();
    let mut by_hand = Vec::new();
    let mut configured = 0;
    for c in &list {
        match &c.state {
            ClientState::Configured { .. } => configured += 1,
            ClientState::Stale { reason, .. } => {
                problems.push(format!("{}: {reason}", c.id));
                stale.push(c.id);
            }
            ClientState::InvalidFile {
                line,
                column,
                message,
                problem,
                fixable,
            } => {
                problems.push(format!(
                    "{}: {}",
                    c.id,
                    invalid_file_words(*problem, message, *line, *column)
                ));
                if *fixable {
                    repeated.push(c.id)
                } else {
                    by_hand.push(c.id)
                }
            }
            // We configured this file and the entry is gone: the client (or an installer) wiped it.
            ClientState::NotConfigured if c.recorded => {
                problems.push(format!("{}: our entry was removed from its file", c.id));
                stale.push(c.id);
            }
            ClientState::NotInstalled | ClientState::NotConfigured => {}
        }
    }
    if problems.is_empty() {
        return Check::ok(
            "clients",
            match configured {
                0 => "No MCP client is configured to run this server yet.".to_string(),
                n => format!("{n} MCP client(s) run this server and their entries work."),
            },
        );
    }
    let mut fixes = Vec::new();
    if !stale.is_empty() {
        fixes.push(format!(
            "Run `mcp-llm-generator clients configure {}` to point the entries at this installation.",
            stale.join(" ")
        ));
    }
    if !repeated.is_empty() {
        fixes.push(format!(
            "Run `mcp-llm-generator clients configure {}` to keep only the copy of our entry that the client uses.",
            repeated.join(" ")
        ));
    }
    if !by_hand.is_empty() {
        fixes.push(format!(
            "Fix the file of {} by hand (or move it aside), then run `mcp-llm-generator clients list`.",
            by_hand.join(", ")
        ));
    }
    let fix = fixes.join(" ");
    Check::warning(
        "clients",
        format!(
            "Client entries that cannot start this server: {}.",
            problems.join("; ")
        ),
        fix,
    )
}

/// What is wrong with a client's file, in the words of its [`clients::FileProblem`].
fn invalid_file_words(problem: clients::FileProblem, message: &str, line: usize, column: usize) -> String {
    use clients::FileProblem;
    match problem {
        FileProblem::Syntax => {
            format!("its file cannot be parsed ({message} at line {line}, column {column})")
        }
        FileProblem::Shape => format!("its file is not laid out the way the client reads it ({message})"),
        FileProblem::RepeatedSection => {
            format!("its file has its servers section more than once ({message})")
        }
        FileProblem::RepeatedEntry => format!("its file has our entry more than once ({message})"),
    }
}

fn log_check(dir: &Path, now: OffsetDateTime, window: Duration) -> Check {
    let query = LogQuery {
        min_level: LogLevel::Error,
        since: Some(now - window),
    };
    let hours = window.whole_hours();
    match logs::read(dir, &query) {
        Ok(errors) if errors.is_empty() => Check::ok(
            "logs",
            format!("No errors were logged in the last {hours} hours."),
        ),
        Ok(errors) => {
            let latest = errors.last().map(|e| e.text.lines().next().unwrap_or_default());
            let latest: String = latest.unwrap_or_default().chars().take(240).collect();
            Check::warning(
                "logs",
                format!(
                    "{} error(s) were logged in the last {hours} hours; the latest: {latest}",
                    errors.len()
                ),
                format!("See them with `mcp-llm-generator logs --level error --since {hours}h`."),
            )
        }
        Err(e @ LogsError::NotAFolder { .. }) => Check::warning(
            "logs",
            e.to_string(),
            format!("Move {} aside; the server recreates the folder.", dir.display()),
        ),
        Err(e) => Check::warning(
            "logs",
            format!("The logs cannot be read: {e}"),
            "Check the permissions of the logs folder in the data folder.",
        ),
    }
}

async fn server_check(handshake: &impl Handshake, timeout: std::time::Duration) -> Check {
    let fix = "See why with `mcp-llm-generator logs --level warn --since 1h`; if the program was moved or deleted, reinstall it.";
    match tokio::time::timeout(timeout, handshake.handshake()).await {
        Ok(Ok(r)) => Check::ok(
            "server",
            format!(
                "The server (version {}) answered initialize in {:.0} ms and listed {} tools in {:.1} ms.",
                r.server_version, r.initialize_ms, r.tools, r.tools_list_ms
            ),
        ),
        Ok(Err(e)) => Check::error(
            "server",
            format!("The server did not complete the MCP handshake: {e}"),
            fix,
        ),
        Err(_) => Check::error(
            "server",
            format!(
                "The server did not complete the MCP handshake within {} s.",
                timeout.as_secs()
            ),
            fix,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Result<HandshakeReport, String>);

    impl Handshake for Fixed {
        fn handshake(&self) -> impl Future<Output = Result<HandshakeReport, String>> + Send {
            let r = self.0.clone();
            async move { r }
        }
    }

    fn report() -> HandshakeReport {
        HandshakeReport {
            server_version: "0.1.0".into(),
            tools: 9,
            initialize_ms: 4.0,
            tools_list_ms: 0.2,
        }
    }

    fn env_home(home: &Path) -> impl Fn(&str) -> Option<PathBuf> + use<> {
        let home = home.to_path_buf();
        move |name| (name == "HOME").then(|| home.clone())
    }

    fn clients_at(data: &Path, home: &Path) -> Clients {
        Clients::with_env(DataDir::at(data), crate::paths::Platform::Linux, env_home(home))
    }

    #[test]
    fn disk_thresholds_give_ok_warning_and_error() {
        // Proves the 10 % / 2 % rule on given figures.
        let o = HealthOptions::default();
        let at = Path::new("/");
        assert_eq!(disk_level(50, 100, "1 B", at, &o).level, Level::Ok);
        assert_eq!(disk_level(9, 100, "1 B", at, &o).level, Level::Warning);
        assert_eq!(disk_level(1, 100, "1 B", at, &o).level, Level::Error);
    }

    #[test]
    fn backup_age_warns_after_two_days_and_when_there_is_none() {
        let now = time::macros::datetime!(2026-11-23 12:00 UTC);
        let max = Duration::days(2);
        assert_eq!(backup_check(None, now, max).level, Level::Warning);
        assert_eq!(
            backup_check(Some(now - Duration::hours(30)), now, max).level,
            Level::Ok
        );
        let old = backup_check(Some(now - Duration::days(3)), now, max);
        assert_eq!(old.level, Level::Warning);
        assert!(old.message.contains("3 days"), "{}", old.message);
    }

    #[tokio::test]
    async fn a_corrupt_database_is_an_error_and_is_left_as_it_was() {
        // Proves garbage in the middle of a real database file is detected, and that the check
        // neither repairs nor replaces the file.
        let dir = tempfile::tempdir().expect("temp dir");
        let data = DataDir::at(dir.path().join("data"));
        let store = Store::open(&data).expect("store");
        store
            .write(|tx| {
                for i in 0..2000 {
                    tx.execute(
                        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, 'x')",
                        rusqlite::params![format!("k{i}"), "v".repeat(200)],
                    )?;
                }
                Ok(())
            })
            .expect("fill");
        store
            .checkpoint(std::time::Duration::from_secs(1))
            .expect("checkpoint");
        drop(store);
        let db = data.db_path();
        let mut bytes = std::fs::read(&db).expect("read");
        assert!(bytes.len() > 64 * 4096, "the database spans many pages");
        for b in &mut bytes[8192..8192 + 4096 * 20] {
            *b = 0xA5;
        }
        std::fs::write(&db, &bytes).expect("corrupt");
        let home = dir.path().join("home");
        let health = check(
            &data,
            &clients_at(dir.path(), &home),
            Some(&Fixed(Ok(report()))),
            None,
            &HealthOptions::default(),
        )
        .await;
        assert_eq!(health.level, Level::Error);
        let db_check = health.check("database").expect("database check");
        assert_eq!(db_check.level, Level::Error, "{db_check:?}");
        assert!(db_check.fix.as_deref().is_some_and(|f| f.contains("backup")));
        assert_eq!(std::fs::read(&db).expect("read again"), bytes, "left untouched");
    }

    #[tokio::test]
    async fn a_missing_database_is_not_created_by_the_check() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = DataDir::at(dir.path().join("data"));
        let health = check(
            &data,
            &clients_at(dir.path(), dir.path()),
            None::<&Fixed>,
            Some(None),
            &HealthOptions::default(),
        )
        .await;
        assert_eq!(health.check("database").map(|c| c.level), Some(Level::Warning));
        assert_eq!(health.check("backup").map(|c| c.level), Some(Level::Warning));
        assert!(!data.db_path().exists());
    }

    #[tokio::test]
    async fn a_failed_handshake_and_a_full_disk_are_errors() {
        // Proves the injected faults reach the report: a free-space threshold above any real
        // free space, and a server that does not answer.
        let dir = tempfile::tempdir().expect("temp dir");
        let data = DataDir::at(dir.path());
        drop(Store::open(&data).expect("store"));
        let options = HealthOptions {
            free_error_percent: 100.1,
            ..HealthOptions::default()
        };
        let health = check(
            &data,
            &clients_at(dir.path(), dir.path()),
            Some(&Fixed(Err("connection closed".into()))),
            None,
            &options,
        )
        .await;
        assert_eq!(health.level.exit_code(), 2);
        assert_eq!(health.check("disk").map(|c| c.level), Some(Level::Error));
        let server = health.check("server").expect("server");
        assert_eq!(server.level, Level::Error);
        assert!(server.message.contains("connection closed"));
        assert_eq!(health.check("database").map(|c| c.level), Some(Level::Ok));
        assert_eq!(health.check("schema").map(|c| c.level), Some(Level::Ok));
    }

    #[test]
    fn logged_errors_within_the_window_are_a_warning() {
        let dir = tempfile::tempdir().expect("temp dir");
        let now = time::macros::datetime!(2026-11-23 12:00 UTC);
        std::fs::write(
            dir.path().join("llmgen.2026-11-21.log"),
            "2026-11-21T10:00:00.000000Z ERROR llmgen_server: too old to count\n",
        )
        .expect("write");
        assert_eq!(log_check(dir.path(), now, Duration::hours(24)).level, Level::Ok);
        std::fs::write(
            dir.path().join("llmgen.2026-11-23.log"),
            "2026-11-23T11:00:00.000000Z ERROR llmgen_server: usage not recorded\n",
        )
        .expect("write");
        let c = log_check(dir.path(), now, Duration::hours(24));
        assert_eq!(c.level, Level::Warning);
        assert!(c.message.contains("usage not recorded"), "{}", c.message);
    }
}
