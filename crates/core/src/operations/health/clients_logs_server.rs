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
    let mut configured = 0;
    for c in &list {
        let fault = match &c.state {
            ClientState::Configured { .. } => {
                configured += 1;
                continue;
            }
            // It works; repairing only adds the name of the app it serves.
            ClientState::Stale { outdated: true, .. } => ClientFault::NeedsUpdate,
            ClientState::Stale { reason, .. } => ClientFault::Stale {
                reason: reason.clone(),
            },
            ClientState::InvalidFile {
                line,
                column,
                message,
                problem,
                fixable,
            } => ClientFault::InvalidFile {
                problem: *problem,
                message: message.clone(),
                line: *line,
                column: *column,
                fixable: *fixable,
            },
            // We configured this file and the entry is gone: the client (or an installer) wiped it.
            ClientState::NotConfigured if c.recorded => ClientFault::EntryRemoved,
            ClientState::NotInstalled | ClientState::NotConfigured => continue,
        };
        problems.push(ClientProblem {
            client: c.id.to_string(),
            problem: fault,
        });
    }
    Check::found(match configured {
        _ if !problems.is_empty() => Finding::ClientsBroken { problems },
        0 => Finding::ClientsNone,
        count => Finding::ClientsOk { count },
    })
}

pub(super) fn log_check(dir: &Path, now: OffsetDateTime, window: Duration) -> Check {
    let query = LogQuery {
        min_level: LogLevel::Error,
        since: Some(now - window),
    };
    let hours = window.whole_hours();
    Check::found(match logs::read(dir, &query) {
        Ok(errors) if errors.is_empty() => Finding::LogsClean { hours },
        Ok(errors) => {
            let latest = errors.last().map(|e| e.text.lines().next().unwrap_or_default());
            Finding::LogErrors {
                count: errors.len(),
                hours,
                latest: latest.unwrap_or_default().chars().take(240).collect(),
            }
        }
        Err(LogsError::NotAFolder { path }) => Finding::LogsNotAFolder { path },
        Err(e) => Finding::LogsUnreadable { error: e.to_string() },
    })
}

pub(super) async fn server_check(handshake: &impl Handshake, timeout: std::time::Duration) -> Check {
    Check::found(match tokio::time::timeout(timeout, handshake.handshake()).await {
        Ok(Ok(r)) => Finding::ServerOk {
            version: r.server_version,
            tools: r.tools,
            initialize_ms: r.initialize_ms,
            tools_list_ms: r.tools_list_ms,
        },
        Ok(Err(error)) => Finding::ServerFailed { error },
        Err(_) => Finding::ServerTimeout {
            seconds: timeout.as_secs(),
        },
    })
}
