//! The command line's words for each finding: one English sentence of what was found and, when
//! not ok, the fix with the commands to type. `health` (and its `--json` `message`/`fix`) prints
//! these; the app and the tray word findings themselves, without commands.

use super::data::human_bytes;
use super::finding::{BudgetNote, ClientFault, ClientProblem, DiskSpace, Finding, NamedClient};
use crate::clients::{FileProblem, registry};

const RESTORE_FIX: &str = "Restore the newest backup (`mcp-llm-generator backup list`, then `backup restore FILE`), or move the database file aside to start with an empty one.";
const DISK_FIX: &str = "Free disk space (empty the trash, delete files you no longer need), or move the data folder to a larger disk with --data-dir or LLMGEN_DATA_DIR.";
const BACKUP_FIX: &str = "Run `mcp-llm-generator backup create` (scheduled backups take one daily while the app or a server runs).";
const KEYCHAIN_FIX: &str = "Without a keychain, keys cannot be stored; generation through your client's model (MCP sampling) still works.";
const SERVER_FIX: &str = "See why with `mcp-llm-generator logs --level warn --since 1h`; if the program was moved or deleted, reinstall it.";

impl Finding {
    /// What was found, in one English sentence.
    pub fn cli_message(&self) -> String {
        use Finding::*;
        match self {
            DatabaseMissing { path } => format!("There is no database at {} yet.", path.display()),
            DatabaseUnopenable { path, error } => {
                format!("The database at {} cannot be opened: {error}.", path.display())
            }
            DatabaseOk { path } => format!(
                "The database at {} is reachable and intact (quick check passed).",
                path.display()
            ),
            DatabaseDamaged { path, problems } => format!(
                "The database at {} is damaged: {}.",
                path.display(),
                problems.join("; ")
            ),
            DatabaseUnreadable { path, error } => {
                format!("The database at {} cannot be read: {error}.", path.display())
            }
            DatabaseUnusable { error } => {
                format!("The database passed its check but cannot be opened for use: {error}")
            }
            SchemaCurrent { version } => format!("The schema is current (version {version})."),
            SchemaBehind { found, known } => {
                format!("The schema is at version {found}; this build brings {known}.")
            }
            SchemaAhead { found, known } => {
                format!("The schema is at version {found}, newer than this build knows ({known}).")
            }
            SchemaUnreadable { error } => format!("The schema version cannot be read: {error}."),
            DiskOk { space } => disk_words(space),
            DiskLow { space } => format!("{} The disk is nearly full.", disk_words(space)),
            DiskFull {
                space,
                threshold_percent,
            } => format!(
                "{} Under {threshold_percent}%, writes may fail.",
                disk_words(space)
            ),
            DiskUnmeasured {
                at,
                error,
                database_bytes,
            } => format!(
                "The free space of the disk holding {} cannot be measured: {error}; the database takes {}.",
                at.display(),
                human_bytes(*database_bytes)
            ),
            BackupNever => "No backup has been made yet.".into(),
            BackupRecent { age_hours } | BackupOld { age_hours } => {
                format!("The last backup is {} old.", age_words(*age_hours))
            }
            KeychainOk => "The OS keychain answers.".into(),
            KeychainUnreachable { error } => error.clone(),
            KeychainStopped { error } => format!("The keychain lookup stopped: {error}."),
            KeychainTimeout { seconds } => format!(
                "The OS keychain did not answer within {seconds} s; it may be waiting for you to unlock it."
            ),
            KeychainFromEnv { provider, variable } => format!(
                "The OS keychain is not reachable; the {provider} key comes from the environment variable {variable}."
            ),
            ProvidersUnreadable { error } => format!("The providers cannot be read: {error}"),
            NoDefaultProvider => {
                "No default provider is set, so clients without MCP sampling cannot generate text.".into()
            }
            KeyNotNeeded { provider } => format!("The default provider '{provider}' needs no key."),
            KeyPresent { provider, variable } => format!(
                "The default provider '{provider}' has a key ({}).",
                variable.as_ref().map_or_else(
                    || "keychain".to_string(),
                    |var| format!("environment variable {var} (no keychain reachable)")
                )
            ),
            KeyMissing { provider } => format!(
                "The default provider '{provider}' has no key, so clients without MCP sampling cannot generate text."
            ),
            BudgetsUnreadable { error } => format!("The budgets cannot be read: {error}"),
            NoBudget => "No monthly budget is set.".into(),
            BudgetsFine { count } => format!("{count} monthly budget(s), all under 80 % used."),
            BudgetsNear { budgets } | BudgetsExhausted { budgets } => {
                budgets.iter().map(budget_words).collect::<Vec<_>>().join(" ")
            }
            ClientsNone => "No MCP client is configured to run this server yet.".into(),
            ClientsOk { count } => format!("{count} MCP client(s) run this server and their entries work."),
            ClientsBroken { problems } => clients_message(problems),
            LogsClean { hours } => format!("No errors were logged in the last {hours} hours."),
            LogErrors { count, hours, latest } => {
                format!("{count} error(s) were logged in the last {hours} hours; the latest: {latest}")
            }
            LogsNotAFolder { path } => {
                crate::operations::logs::LogsError::NotAFolder { path: path.clone() }.to_string()
            }
            LogsUnreadable { error } => format!("The logs cannot be read: {error}"),
            ServerOk {
                version,
                tools,
                initialize_ms,
                tools_list_ms,
            } => format!(
                "The server (version {version}) answered initialize in {initialize_ms:.0} ms and listed {tools} tools in {tools_list_ms:.1} ms."
            ),
            ServerFailed { error } => format!("The server did not complete the MCP handshake: {error}"),
            ServerTimeout { seconds } => {
                format!("The server did not complete the MCP handshake within {seconds} s.")
            }
            PausedOff => "The servers answer tool calls (not paused).".into(),
            PausedOn { since, by } => format!(
                "The servers are paused (emergency stop by {by}{}): AI apps get an error for every tool call.",
                if since.is_empty() {
                    String::new()
                } else {
                    format!(" at {since}")
                }
            ),
            ConnectionsAll => "Every AI app set up here has started this server since it was set up.".into(),
            ConnectionsNever { clients } => format!(
                "{} has not started this server since it was set up, so it cannot use it yet.",
                clients
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Other { message, .. } => message.clone(),
        }
    }

    /// What to do about it, with the commands to type; `None` when it is fine.
    pub fn cli_fix(&self) -> Option<String> {
        use Finding::*;
        let text = match self {
            DatabaseMissing { .. } => {
                "Start the server once (your MCP client does it when it starts), or run `mcp-llm-generator settings`."
            }
            DatabaseUnopenable { .. } => "Check that the file is readable and writable by you.",
            DatabaseDamaged { .. }
            | DatabaseUnreadable { .. }
            | DatabaseUnusable { .. }
            | SchemaUnreadable { .. }
            | ProvidersUnreadable { .. }
            | BudgetsUnreadable { .. } => RESTORE_FIX,
            SchemaBehind { .. } => "It is migrated when the server next starts; restart your MCP clients.",
            SchemaAhead { .. } => "Update MCP LLM Generator, or point --data-dir at another folder.",
            DiskLow { .. } | DiskFull { .. } => DISK_FIX,
            DiskUnmeasured { .. } => "Check the disk yourself (for example with `df -h`).",
            BackupNever | BackupOld { .. } => BACKUP_FIX,
            KeychainUnreachable { .. } | KeychainStopped { .. } | KeychainTimeout { .. } => KEYCHAIN_FIX,
            KeychainFromEnv { .. } => {
                "Start a Secret Service (GNOME Keyring or KWallet) in your session to keep keys in the keychain."
            }
            NoDefaultProvider => "Choose one with `mcp-llm-generator providers set NAME --default`.",
            KeyMissing { provider } => {
                return Some(format!(
                    "Store one with `mcp-llm-generator keys set {provider}` (or choose another default provider)."
                ));
            }
            BudgetsNear { .. } | BudgetsExhausted { .. } => {
                "Raise the budget with `mcp-llm-generator budget set PROVIDER AMOUNT`, or wait for next month."
            }
            ClientsBroken { problems } => return Some(clients_fix(problems)),
            LogErrors { hours, .. } => {
                return Some(format!(
                    "See them with `mcp-llm-generator logs --level error --since {hours}h`."
                ));
            }
            LogsNotAFolder { path } => {
                return Some(format!(
                    "Move {} aside; the server recreates the folder.",
                    path.display()
                ));
            }
            LogsUnreadable { .. } => "Check the permissions of the logs folder in the data folder.",
            ServerFailed { .. } | ServerTimeout { .. } => SERVER_FIX,
            PausedOn { .. } => {
                "Resume with \"Resume servers\" in the tray menu, or run `mcp-llm-generator resume`."
            }
            ConnectionsNever { clients } => return Some(restart_fix(clients)),
            Other { fix, .. } => return fix.clone(),
            // What is fine needs no fix (a unit test holds every finding to this).
            _ => return None,
        };
        Some(text.to_string())
    }
}

fn disk_words(s: &DiskSpace) -> String {
    format!(
        "{} free of {} ({:.1} %) on the disk holding {}; the database takes {}.",
        human_bytes(s.available_bytes),
        human_bytes(s.total_bytes),
        s.free_percent,
        s.at.display(),
        human_bytes(s.database_bytes)
    )
}

/// A backup's age: hours under two days, whole days after.
fn age_words(hours: i64) -> String {
    if hours >= 48 {
        format!("{} days", hours / 24)
    } else {
        format!("{} hours", hours.max(0))
    }
}

fn budget_words(note: &BudgetNote) -> String {
    match note {
        BudgetNote::Used { provider, state } => state.warning(provider).unwrap_or_default(),
        BudgetNote::Unreadable { provider, error } => {
            format!("The budget of '{provider}' cannot be read: {error}")
        }
    }
}

/// Entries that cannot start this server, then entries that work but need an update.
fn clients_message(problems: &[ClientProblem]) -> String {
    let (outdated, broken): (Vec<&ClientProblem>, Vec<&ClientProblem>) = problems
        .iter()
        .partition(|p| p.problem == ClientFault::NeedsUpdate);
    let words = |ps: &[&ClientProblem]| ps.iter().map(|p| client_words(p)).collect::<Vec<_>>().join("; ");
    let mut sentences = Vec::new();
    if !broken.is_empty() {
        sentences.push(format!(
            "Client entries that cannot start this server: {}.",
            words(&broken)
        ));
    }
    if !outdated.is_empty() {
        sentences.push(format!(
            "Client entries that work but need an update: {}.",
            words(&outdated)
        ));
    }
    sentences.join(" ")
}

/// Each waiting client's restart step (from the registry; once per distinct step).
fn restart_fix(clients: &[NamedClient]) -> String {
    let mut restarts: Vec<&str> = Vec::new();
    for restart in clients
        .iter()
        .filter_map(|c| registry::find(&c.id).map(|c| c.restart))
    {
        if !restarts.contains(&restart) {
            restarts.push(restart);
        }
    }
    format!(
        "Restart it so it reads its new settings: {} Then use a tool of MCP LLM Generator from it once.",
        restarts.join(" ")
    )
}

fn client_words(p: &ClientProblem) -> String {
    let what = match &p.problem {
        ClientFault::Stale { reason } => reason.clone(),
        ClientFault::InvalidFile {
            problem,
            message,
            line,
            column,
            ..
        } => invalid_file_words(*problem, message, *line, *column),
        ClientFault::EntryRemoved => "our entry was removed from its file".into(),
        ClientFault::NeedsUpdate => "its entry does not tell the server which app it serves".into(),
    };
    format!("{}: {what}", p.client)
}

/// What is wrong with a client's file, in the words of its [`FileProblem`].
fn invalid_file_words(problem: FileProblem, message: &str, line: usize, column: usize) -> String {
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

/// One sentence per kind of trouble: entries to point here again, repeated entries to thin out,
/// and files only the user can fix.
fn clients_fix(problems: &[ClientProblem]) -> String {
    let ids = |keep: fn(&ClientFault) -> bool| -> Vec<&str> {
        problems
            .iter()
            .filter(|p| keep(&p.problem))
            .map(|p| p.client.as_str())
            .collect()
    };
    let stale = ids(|f| matches!(f, ClientFault::Stale { .. } | ClientFault::EntryRemoved));
    let repeated = ids(|f| matches!(f, ClientFault::InvalidFile { fixable: true, .. }));
    let by_hand = ids(|f| !f.repairable());
    let outdated = ids(|f| *f == ClientFault::NeedsUpdate);
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
    if !outdated.is_empty() {
        fixes.push(format!(
            "Run `mcp-llm-generator clients configure {}` to add the name of the app each entry serves.",
            outdated.join(" ")
        ));
    }
    if !by_hand.is_empty() {
        fixes.push(format!(
            "Fix the file of {} by hand (or move it aside), then run `mcp-llm-generator clients list`.",
            by_hand.join(", ")
        ));
    }
    fixes.join(" ")
}
