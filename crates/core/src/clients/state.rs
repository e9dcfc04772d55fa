//! The states of our entry in a client's file (`clients list`, health, repair): read the file,
//! find our entry and tell whether it runs the expected binary, or why the file cannot be used.

use std::path::Path;

use serde::Serialize;

use super::{Client, Clients, ENTRY_NAME, actions, document, duplicates, is_executable, jsonc, read_text};

/// A client's state.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ClientState {
    /// Neither the file nor the client's folder exists.
    NotInstalled,
    /// The client is there but has no entry of ours.
    NotConfigured,
    /// Our entry runs an executable file.
    Configured { command: String },
    /// Our entry exists but cannot start, or starts another copy of the server; or, when
    /// `outdated`, it works but does not tell the server which app it serves (configuring again
    /// adds that).
    Stale {
        command: Option<String>,
        reason: String,
        outdated: bool,
    },
    /// The file cannot be used as it is: `problem` says why, and whether configuring fixes it.
    InvalidFile {
        line: usize,
        column: usize,
        message: String,
        problem: FileProblem,
        /// Configuring this client again (or `clients repair`) fixes the file: true only for
        /// our own entry written more than once.
        fixable: bool,
    },
}

/// Why a file is `invalid-file`.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileProblem {
    /// The text is not valid JSON, JSONC, TOML or YAML; only the user can fix it.
    Syntax,
    /// It parses, but not into what the client reads (say, the servers section is a list).
    Shape,
    /// The servers section appears more than once; only the user can merge the copies.
    RepeatedSection,
    /// Our entry appears more than once; configuring again keeps the last copy (the one clients
    /// use) and removes the others.
    RepeatedEntry,
}

impl ClientState {
    /// `invalid-file` for `problem`, with `fixable` derived from it so the two always agree.
    fn invalid(line: usize, column: usize, message: String, problem: FileProblem) -> Self {
        Self::InvalidFile {
            line,
            column,
            message,
            problem,
            fixable: problem == FileProblem::RepeatedEntry,
        }
    }
}

impl ClientState {
    /// The kebab-case name shown to people.
    pub fn name(&self) -> &'static str {
        match self {
            Self::NotInstalled => "not-installed",
            Self::NotConfigured => "not-configured",
            Self::Configured { .. } => "configured",
            Self::Stale { .. } => "stale",
            Self::InvalidFile { .. } => "invalid-file",
        }
    }
}

pub(super) fn state_of(
    clients: &Clients,
    c: &Client,
    path: &Path,
    expected: Option<&Path>,
) -> (ClientState, Vec<String>) {
    let Some(text) = read_text(path) else {
        let state = if clients.is_installed(c, path) {
            ClientState::NotConfigured
        } else {
            ClientState::NotInstalled
        };
        return (state, Vec::new());
    };
    let entries = match document::entries(c.format, &text) {
        Err(jsonc::EditError::Parse {
            line,
            column,
            message,
        }) => {
            return (
                ClientState::invalid(line, column, message, FileProblem::Syntax),
                Vec::new(),
            );
        }
        Err(jsonc::EditError::Shape(message)) => {
            return (
                ClientState::invalid(1, 1, message, FileProblem::Shape),
                Vec::new(),
            );
        }
        Err(jsonc::EditError::Duplicate(d)) => return (duplicate_state(&d), Vec::new()),
        Ok(entries) => entries,
    };
    let upstream = entries
        .iter()
        .filter(|(_, entry)| actions::is_upstream(entry))
        .map(|(name, _)| name.clone())
        .collect();
    // JSON allows a key twice and clients keep the last; a dead copy of our entry (or of the
    // servers section) is not `configured`, whatever either copy says.
    if let Some(d) = document::duplicate(c.format, &text, ENTRY_NAME) {
        return (duplicate_state(&d), upstream);
    }
    let state = match entries.iter().rfind(|(name, _)| name == ENTRY_NAME) {
        None => ClientState::NotConfigured,
        Some((_, entry)) => entry_state(entry, c.id, expected),
    };
    (state, upstream)
}

fn duplicate_state(d: &duplicates::Duplicate) -> ClientState {
    let problem = if d.is_entry() {
        FileProblem::RepeatedEntry
    } else {
        FileProblem::RepeatedSection
    };
    ClientState::invalid(d.line, d.column, d.message(), problem)
}

fn entry_state(entry: &serde_json::Value, client_id: &str, expected: Option<&Path>) -> ClientState {
    let Some(command) = document::command_of(entry) else {
        return ClientState::Stale {
            command: None,
            reason: "our entry has no command".into(),
            outdated: false,
        };
    };
    let command = command.to_string();
    match std::fs::metadata(&command) {
        Err(_) => ClientState::Stale {
            command: Some(command),
            reason: "the command does not exist (was the app moved or uninstalled?)".into(),
            outdated: false,
        },
        Ok(meta) if !meta.is_file() || !is_executable(&meta) => ClientState::Stale {
            command: Some(command),
            reason: "the command is not an executable file".into(),
            outdated: false,
        },
        Ok(_) if expected.is_some_and(|e| !same_file(Path::new(&command), e)) => ClientState::Stale {
            reason: format!(
                "it runs another copy of the server; configure again to use {}",
                expected.map(|e| e.display().to_string()).unwrap_or_default()
            ),
            command: Some(command),
            outdated: false,
        },
        // Written by a version before entries named their client: it works, but the server
        // cannot tell whom it serves; repair (one click) adds the argument.
        Ok(_) if document::args_of(entry) != super::registry::client_args(client_id) => ClientState::Stale {
            command: Some(command),
            reason: format!(
                "our entry needs an update: it does not tell the server which app it serves (configure again to add `--client {client_id}`)"
            ),
            outdated: true,
        },
        Ok(_) => ClientState::Configured { command },
    }
}

/// Compares resolved paths, so a symlink to the expected binary counts as the same binary.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ipc_shape_of_invalid_file_carries_its_problem_and_whether_it_is_fixable() {
        // Proves: what the app's Clients screen receives (serde, flattened into ClientStatus)
        // names the problem in kebab-case and sets `fixable` for our repeated entry only.
        let repeated = duplicates::Duplicate {
            key: ENTRY_NAME.into(),
            within: Some("mcpServers".into()),
            first_line: 3,
            line: 6,
            column: 5,
        };
        let value = serde_json::to_value(duplicate_state(&repeated)).expect("json");
        assert_eq!(value["state"], "invalid-file");
        assert_eq!(value["problem"], "repeated-entry");
        assert_eq!(value["fixable"], true);
        let section = duplicates::Duplicate {
            within: None,
            ..repeated
        };
        let value = serde_json::to_value(duplicate_state(&section)).expect("json");
        assert_eq!(
            (&value["problem"], &value["fixable"]),
            (&"repeated-section".into(), &false.into())
        );
        let syntax = ClientState::invalid(1, 2, "Expected a comma".into(), FileProblem::Syntax);
        assert_eq!(syntax.name(), "invalid-file");
        assert!(matches!(syntax, ClientState::InvalidFile { fixable: false, .. }));
    }
}
