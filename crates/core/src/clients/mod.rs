//! MCP client configuration: where each client keeps its servers, our entry in those files, and
//! the three actions on it (list, configure, remove).
//!
//! Every edit touches only our entry (`llm-generator`): `jsonc` edits the file's syntax tree,
//! `write` takes a lock, keeps a backup and replaces the file atomically, and the result is read
//! back and checked before we report success.

pub mod jsonc;
pub mod registry;
pub mod write;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use registry::{CLIENTS, Client, Shape};

use crate::paths::{DataDir, Platform};

/// Our entry's name in every client file.
pub const ENTRY_NAME: &str = "llm-generator";

/// Errors of client configuration; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ClientsError {
    #[error("Unknown client '{0}'. Run `mcp-llm-generator clients list` to see the supported ids.")]
    UnknownClient(String),

    #[error(
        "Cannot find the configuration file of {client}: no home folder is set. Set HOME (USERPROFILE on Windows)."
    )]
    NoPath { client: &'static str },

    #[error(
        "{client} does not seem to be installed: {folder} does not exist. Install it and start it once, then try again."
    )]
    NotInstalled { client: &'static str, folder: PathBuf },

    #[error(
        "{path} cannot be parsed: {message} at line {line}, column {column}. Nothing was changed; fix the file by hand (or move it aside) and try again."
    )]
    InvalidFile {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("{path}: {message} Nothing was changed.")]
    UnexpectedShape { path: PathBuf, message: String },

    #[error("Cannot {action} {path}: {source}. Check that the file and its folder are writable by you.")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "{path} is read-only, so it was left as it is. Make it writable (for example `chmod u+w`) if you want it changed, then try again."
    )]
    ReadOnly { path: PathBuf },

    #[error(
        "{path} was written but reading it back did not show the expected entry. Restore the backup at {backup} if the client misbehaves."
    )]
    VerifyFailed { path: PathBuf, backup: String },
}

impl ClientsError {
    pub(crate) fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    fn from_edit(path: &Path, e: jsonc::EditError) -> Self {
        match e {
            jsonc::EditError::Parse {
                line,
                column,
                message,
            } => Self::InvalidFile {
                path: path.to_path_buf(),
                line,
                column,
                message,
            },
            jsonc::EditError::Shape(message) => Self::UnexpectedShape {
                path: path.to_path_buf(),
                message,
            },
        }
    }
}

/// Where client files are looked for: the platform and a snapshot of the environment variables
/// that locate them, plus the data dir that holds locks and backups.
#[derive(Debug, Clone)]
pub struct Clients {
    platform: Platform,
    env: HashMap<String, PathBuf>,
    data_dir: DataDir,
}

const LOCATING_VARS: &[&str] = &[
    "HOME",
    "USERPROFILE",
    "XDG_CONFIG_HOME",
    "APPDATA",
    "LOCALAPPDATA",
];

impl Clients {
    /// From this process's environment.
    pub fn from_env(data_dir: DataDir) -> Self {
        Self::with_env(data_dir, Platform::current(), |name| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
    }

    /// With an explicit platform and environment (tests).
    pub fn with_env(data_dir: DataDir, platform: Platform, lookup: impl Fn(&str) -> Option<PathBuf>) -> Self {
        let env = LOCATING_VARS
            .iter()
            .filter_map(|name| lookup(name).map(|v| (name.to_string(), v)))
            .collect();
        Self {
            platform,
            env,
            data_dir,
        }
    }

    /// The file used for a client: the first candidate that exists, else the first whose folder
    /// exists (the client is installed but has no servers yet), else the first.
    pub fn config_path(&self, client: &Client) -> Option<PathBuf> {
        let candidates = registry::candidate_paths(client.id, self.platform, |n| self.env.get(n).cloned());
        candidates
            .iter()
            .find(|p| p.exists())
            .or_else(|| candidates.iter().find(|p| p.parent().is_some_and(Path::is_dir)))
            .or(candidates.first())
            .cloned()
    }

    fn backup_dir(&self, client: &Client) -> PathBuf {
        self.data_dir.backups_dir().join("clients").join(client.id)
    }
}

/// A client's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ClientState {
    /// Neither the file nor its folder exists.
    NotInstalled,
    /// The client is there but has no entry of ours.
    NotConfigured,
    /// Our entry runs an executable file.
    Configured { command: String },
    /// Our entry exists but cannot start.
    Stale { command: Option<String>, reason: String },
    /// The file cannot be parsed.
    InvalidFile {
        line: usize,
        column: usize,
        message: String,
    },
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

/// One line of `clients list`.
#[derive(Debug, Clone, Serialize)]
pub struct ClientStatus {
    pub id: &'static str,
    pub name: &'static str,
    pub path: Option<PathBuf>,
    #[serde(flatten)]
    pub state: ClientState,
    pub restart: &'static str,
}

/// The outcome of configure or remove.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub id: &'static str,
    pub path: PathBuf,
    /// False when the file already was as asked (nothing was written).
    pub changed: bool,
    /// Unified diff of the change (empty when unchanged).
    pub diff: String,
    /// The backup taken before writing, if the file existed and was written.
    pub backup: Option<PathBuf>,
    pub restart: &'static str,
}

fn client(id: &str) -> Result<&'static Client, ClientsError> {
    registry::find(id).ok_or_else(|| ClientsError::UnknownClient(id.to_string()))
}

/// The state of every known client. `expected` is the server binary entries should run (the CLI
/// passes itself); an entry that runs another existing binary is then `stale` too, because it
/// would start an old or moved copy.
pub fn list(clients: &Clients, expected: Option<&Path>) -> Vec<ClientStatus> {
    CLIENTS
        .iter()
        .map(|c| {
            let path = clients.config_path(c);
            let state = match &path {
                Some(p) => state_of(c, p, expected),
                None => ClientState::NotInstalled,
            };
            ClientStatus {
                id: c.id,
                name: c.name,
                path,
                state,
                restart: c.restart,
            }
        })
        .collect()
}

fn state_of(c: &Client, path: &Path, expected: Option<&Path>) -> ClientState {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) if path.parent().is_some_and(Path::is_dir) => return ClientState::NotConfigured,
        Err(_) => return ClientState::NotInstalled,
    };
    match jsonc::read_entry(&text, c.syntax, c.top_key, ENTRY_NAME) {
        Err(jsonc::EditError::Parse {
            line,
            column,
            message,
        }) => ClientState::InvalidFile {
            line,
            column,
            message,
        },
        Err(jsonc::EditError::Shape(message)) => ClientState::InvalidFile {
            line: 1,
            column: 1,
            message,
        },
        Ok(None) => ClientState::NotConfigured,
        Ok(Some(entry)) => entry_state(&entry, expected),
    }
}

fn entry_state(entry: &serde_json::Value, expected: Option<&Path>) -> ClientState {
    let Some(command) = entry.get("command").and_then(|c| c.as_str()) else {
        return ClientState::Stale {
            command: None,
            reason: "our entry has no command".into(),
        };
    };
    let command = command.to_string();
    match std::fs::metadata(&command) {
        Err(_) => ClientState::Stale {
            command: Some(command),
            reason: "the command does not exist (was the app moved or uninstalled?)".into(),
        },
        Ok(meta) if !meta.is_file() || !is_executable(&meta) => ClientState::Stale {
            command: Some(command),
            reason: "the command is not an executable file".into(),
        },
        Ok(_) if expected.is_some_and(|e| !same_file(Path::new(&command), e)) => ClientState::Stale {
            reason: format!(
                "it runs another copy of the server; configure again to use {}",
                expected.map(|e| e.display().to_string()).unwrap_or_default()
            ),
            command: Some(command),
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

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &std::fs::Metadata) -> bool {
    // Windows has no execute bit; an existing file is as executable as we can tell.
    true
}

/// Adds or updates our entry so it runs `command` (an absolute path). With `dry_run`, only the
/// diff is computed and nothing is written (no lock, no backup).
pub fn configure(clients: &Clients, id: &str, command: &Path, dry_run: bool) -> Result<Change, ClientsError> {
    let c = client(id)?;
    let command = command.to_string_lossy().into_owned();
    let fields = c.shape.fields(&command);
    edit(
        clients,
        c,
        dry_run,
        |text| jsonc::upsert_entry(text, c.syntax, c.top_key, ENTRY_NAME, &fields),
        |entry| entry.is_some_and(|e| fields.iter().all(|(k, v)| e.get(*k) == Some(v))),
    )
}

/// Takes out our entry and nothing else.
pub fn remove(clients: &Clients, id: &str, dry_run: bool) -> Result<Change, ClientsError> {
    let c = client(id)?;
    edit(
        clients,
        c,
        dry_run,
        |text| jsonc::remove_entry(text, c.syntax, c.top_key, ENTRY_NAME),
        |entry| entry.is_none(),
    )
}

/// The common path of every write: read under the lock, edit, diff, back up, replace, verify.
fn edit(
    clients: &Clients,
    c: &'static Client,
    dry_run: bool,
    apply: impl Fn(&str) -> Result<String, jsonc::EditError>,
    verify: impl Fn(Option<&serde_json::Value>) -> bool,
) -> Result<Change, ClientsError> {
    let path = clients
        .config_path(c)
        .ok_or(ClientsError::NoPath { client: c.name })?;
    let target = write::edit_target(&path)?;
    let key = write::path_key(&target);
    let dir = clients.backup_dir(c);
    // Dry runs take no lock: they write nothing, and must work even where the data dir cannot be created.
    let _lock = if dry_run {
        None
    } else {
        Some(write::Lock::acquire(&dir, &key)?)
    };
    let before = match std::fs::read(&target) {
        Ok(bytes) => Some(
            String::from_utf8(bytes).map_err(|_| ClientsError::UnexpectedShape {
                path: target.clone(),
                message: "The file is not UTF-8 text.".into(),
            })?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => return Err(ClientsError::io("read", &target, source)),
    };
    if before.is_none() {
        // Creating a file is fine once the client made its folder; creating the folder of a
        // client that was never installed would leave litter and a false "configured".
        let folder = target.parent().unwrap_or(Path::new("/"));
        if !folder.is_dir() {
            return Err(ClientsError::NotInstalled {
                client: c.name,
                folder: folder.to_path_buf(),
            });
        }
    }
    let old = before.as_deref().unwrap_or("");
    let new = apply(old).map_err(|e| ClientsError::from_edit(&target, e))?;
    let mut change = Change {
        id: c.id,
        path: target.clone(),
        changed: new != old,
        diff: String::new(),
        backup: None,
        restart: c.restart,
    };
    if !change.changed {
        return Ok(change);
    }
    let shown = target.to_string_lossy();
    change.diff = similar::TextDiff::from_lines(old, new.as_str())
        .unified_diff()
        .context_radius(3)
        .header(&format!("{shown} (before)"), &format!("{shown} (after)"))
        .to_string();
    if dry_run {
        return Ok(change);
    }
    // Replacing by rename would succeed even on a read-only file; a user who made it read-only
    // (or a client that protects it) did so on purpose, so respect that.
    if before.is_some() && std::fs::metadata(&target).is_ok_and(|m| m.permissions().readonly()) {
        return Err(ClientsError::ReadOnly { path: target });
    }
    if before.is_some() {
        change.backup = Some(write::backup(&target, &dir, &key)?);
    }
    write::replace(&target, &new)?;
    let written =
        std::fs::read_to_string(&target).map_err(|source| ClientsError::io("read back", &target, source))?;
    let entry = jsonc::read_entry(&written, c.syntax, c.top_key, ENTRY_NAME)
        .ok()
        .flatten();
    if written != new || !verify(entry.as_ref()) {
        return Err(ClientsError::VerifyFailed {
            path: target,
            backup: change
                .backup
                .as_ref()
                .map_or_else(|| "(none: the file was new)".into(), |b| b.display().to_string()),
        });
    }
    Ok(change)
}
