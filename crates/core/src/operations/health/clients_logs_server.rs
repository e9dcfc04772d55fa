//! The checks of what surrounds the data: client entries, errors in the logs, and the server
//! answering its handshake.

use std::path::Path;

use time::{Duration, OffsetDateTime};

use super::*;
use crate::{
    clients::{self, ClientState, Clients},
    operations::logs::{self, LogLevel, LogQuery, LogsError},
};

pub(super) fn clients_check(clients: &Clients, expected: Option<&Path>) -> Check {
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
pub(super) fn invalid_file_words(
    problem: clients::FileProblem,
    message: &str,
    line: usize,
    column: usize,
) -> String {
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

pub(super) fn log_check(dir: &Path, now: OffsetDateTime, window: Duration) -> Check {
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

pub(super) async fn server_check(handshake: &impl Handshake, timeout: std::time::Duration) -> Check {
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
