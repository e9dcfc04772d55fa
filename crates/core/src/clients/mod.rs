//! MCP client configuration: where each client keeps its servers, our entry in those files, and
//! the states of that entry. The actions on it live in `actions` (configure, remove, restore,
//! repair, move in from the TypeScript server) and `audit` (plain-text keys in client files).
//!
//! Every edit touches only what it must: `jsonc` and `tomlfile` edit the file's syntax tree,
//! `write` takes a lock, keeps a backup and replaces the file atomically, and the result is read
//! back and checked before we report success.

mod actions;
pub mod audit;
pub mod document;
pub mod duplicates;
pub mod jsonc;
mod overrides;
pub(crate) mod records;
pub mod registry;
pub mod sampling;
mod state;
mod tomlfile;
pub mod write;
mod yamlblock;

pub use actions::{
    Change, configure, migrate_upstream, migrate_upstream_everywhere, remove, repair, restore,
};

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use registry::{CLIENTS, Client, Format, Shape};
use state::state_of;
pub use state::{ClientState, FileProblem};

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
        "{client} does not seem to be installed: {folder} does not exist{}. Install it and start it once, then try again.",
        program.map(|p| format!(" and `{p}` is not on PATH")).unwrap_or_default()
    )]
    NotInstalled {
        client: &'static str,
        folder: PathBuf,
        /// The client's program, when finding it on PATH would have been enough.
        program: Option<&'static str>,
    },

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

    #[error(
        "{path}: \"{key}\" appears more than once (lines {first_line} and {line}); clients read only the last one and ignore the servers in the others. Nothing was changed; merge them into one by hand and try again."
    )]
    DuplicateKey {
        path: PathBuf,
        key: String,
        first_line: usize,
        line: usize,
    },

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
        "The folder {path} is read-only, so no file in it can be replaced safely. Make it writable (for example `chmod u+w`) and try again."
    )]
    ReadOnlyFolder { path: PathBuf },

    #[error("{}", unverified_message(path, client, id, backup.as_deref()))]
    VerifyFailed {
        path: PathBuf,
        client: &'static str,
        id: &'static str,
        /// The backup taken before the write; none when the file was new.
        backup: Option<PathBuf>,
    },

    #[error(
        "{client} has no project-level file, so --workspace cannot be used with it. Configure it without --workspace."
    )]
    NoProjectFile { client: &'static str },

    #[error("The project folder {0} does not exist. Pass an existing folder to --workspace.")]
    NoWorkspace(PathBuf),

    #[error("There is no backup of {path} to restore. Backups are taken each time we change the file.")]
    NoBackup { path: PathBuf },

    #[error(
        "`{command}` failed ({status}): {stderr} Nothing else was changed; run it yourself to see more, or try again."
    )]
    CommandFailed {
        command: String,
        status: String,
        stderr: String,
    },

    #[error(
        "{path}: the old server's entry holds an API key in plain text. Run `mcp-llm-generator clients audit --fix` first, so the key moves into the OS keychain instead of being deleted with the entry; then run this again."
    )]
    KeysInOldEntry { path: PathBuf },

    #[error("Cannot record the change in the database: {0}")]
    Store(#[source] Box<crate::CoreError>),
}

/// The sentence for a write whose result we could not read back: what happened to the file and
/// how to undo it, which depends on whether there was a file (and so a backup) before.
fn unverified_message(path: &Path, client: &str, id: &str, backup: Option<&Path>) -> String {
    let shown = path.display();
    match backup {
        Some(backup) => format!(
            "{shown} was changed, but reading it back did not show our entry as written. If {client} misbehaves, put the previous file back with `mcp-llm-generator clients restore {id}` (the backup is {}).",
            backup.display()
        ),
        None => format!(
            "{shown} did not exist before this change, so there is no backup of it, and reading it back afterwards did not show our entry as written. If {client} misbehaves, delete {shown} and configure {client} again."
        ),
    }
}

impl From<crate::CoreError> for ClientsError {
    fn from(e: crate::CoreError) -> Self {
        Self::Store(Box::new(e))
    }
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
            jsonc::EditError::Duplicate(d) => Self::DuplicateKey {
                path: path.to_path_buf(),
                key: d.key,
                first_line: d.first_line,
                line: d.line,
            },
        }
    }
}

/// Where client files are looked for: the platform and a snapshot of the environment variables
/// that locate them (and PATH, for clients' own commands), the data dir that holds locks, backups
/// and the record of what we configured, and an optional project folder (`--workspace`).
#[derive(Debug, Clone)]
pub struct Clients {
    platform: Platform,
    env: HashMap<String, PathBuf>,
    data_dir: DataDir,
    workspace: Option<PathBuf>,
}

/// The variables that decide where client files are (see `registry`), and PATH. A client's own
/// command gets exactly these from our snapshot (and none we left out), so it edits the file we
/// resolved and then read back.
const LOCATING_VARS: &[&str] = &[
    "HOME",
    "USERPROFILE",
    "XDG_CONFIG_HOME",
    "APPDATA",
    "LOCALAPPDATA",
    "CODEX_HOME",
    "CLAUDE_CONFIG_DIR",
    "CLAUDE_CODE_CUSTOM_OAUTH_URL",
    "GEMINI_CLI_HOME",
    "COPILOT_HOME",
    "CONTINUE_GLOBAL_DIR",
    "PATH",
];

/// Locating variables whose value is not a folder: kept even though not absolute paths.
const NON_PATH_VARS: &[&str] = &["PATH", "CLAUDE_CODE_CUSTOM_OAUTH_URL"];

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
        // A relative folder would mean different files to us and to a client started elsewhere;
        // it is dropped here, so neither we nor a client's command we run use it.
        let env = LOCATING_VARS
            .iter()
            .filter_map(|name| lookup(name).map(|v| (name.to_string(), v)))
            .filter(|(name, v)| v.is_absolute() || NON_PATH_VARS.contains(&name.as_str()))
            .collect();
        Self {
            platform,
            env,
            data_dir,
            workspace: None,
        }
    }

    /// The same, but for the project-level files of the folder `dir` (VS Code's `.vscode/mcp.json`,
    /// Cursor's `.cursor/mcp.json`, ...).
    pub fn for_workspace(&self, dir: &Path) -> Result<Self, ClientsError> {
        let dir = std::fs::canonicalize(dir).map_err(|_| ClientsError::NoWorkspace(dir.to_path_buf()))?;
        if !dir.is_dir() {
            return Err(ClientsError::NoWorkspace(dir));
        }
        Ok(Self {
            workspace: Some(dir),
            ..self.clone()
        })
    }

    pub fn workspace(&self) -> Option<&Path> {
        self.workspace.as_deref()
    }

    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
    }

    /// The file used for a client: in a workspace, its project file; otherwise a file the client
    /// prefers when it exists (Claude Code's `.config.json`), else the first candidate that
    /// exists, else the first whose folder exists (the client is installed but has no servers
    /// yet), else the first.
    pub fn config_path(&self, client: &Client) -> Option<PathBuf> {
        if let Some(dir) = &self.workspace {
            return client.project_file.map(|rel| dir.join(rel));
        }
        let env = |n: &str| self.env.get(n).cloned();
        if let Some(preferred) = overrides::used_if_present(client.id, self.platform, env)
            && preferred.exists()
        {
            return Some(preferred);
        }
        let candidates = registry::candidate_paths(client.id, self.platform, env);
        candidates
            .iter()
            .find(|p| p.exists())
            .or_else(|| candidates.iter().find(|p| p.parent().is_some_and(Path::is_dir)))
            .or(candidates.first())
            .cloned()
    }

    /// Whether the client is there to be configured at `path`: the file exists, one of the
    /// client's programs is on PATH, or the folder the client creates when installed does.
    fn is_installed(&self, client: &Client, path: &Path) -> bool {
        if path.exists() || self.workspace.is_some() {
            return true;
        }
        if client.programs.iter().any(|p| self.find_command(p).is_some()) {
            return true;
        }
        match self.installed_folder(client) {
            Some(folder) => folder.is_dir(),
            None => path.parent().is_some_and(Path::is_dir),
        }
    }

    /// The folder that shows the client is installed, where it has one (`installed_marker`).
    fn installed_folder(&self, client: &Client) -> Option<PathBuf> {
        overrides::installed_folder(client, self.platform, |n| self.env.get(n).cloned())
    }

    /// A program on the PATH snapshot (clients' own commands such as `claude`, and the programs
    /// that tell a client is installed).
    fn find_command(&self, name: &str) -> Option<PathBuf> {
        let path = self.env.get("PATH")?;
        let names: Vec<String> = if self.platform == Platform::Windows {
            vec![format!("{name}.exe"), format!("{name}.cmd"), name.to_string()]
        } else {
            vec![name.to_string()]
        };
        std::env::split_paths(path.as_os_str())
            .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
            .find(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file() && is_executable(&m)))
    }

    fn backup_dir(&self, client: &Client) -> PathBuf {
        self.data_dir.backups_dir().join("clients").join(client.id)
    }

    fn store(&self) -> Result<crate::Store, ClientsError> {
        Ok(crate::Store::open(&self.data_dir)?)
    }
}

/// One line of `clients list`.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct ClientStatus {
    pub id: &'static str,
    pub name: &'static str,
    pub path: Option<PathBuf>,
    #[serde(flatten)]
    pub state: ClientState,
    /// We configured this file before; `not-configured` then means the client wiped our entry.
    pub recorded: bool,
    /// Names of entries that run the TypeScript server we replace (`clients migrate` replaces them).
    pub upstream_entries: Vec<String>,
    pub restart: &'static str,
}

fn client(id: &str) -> Result<&'static Client, ClientsError> {
    registry::find(id).ok_or_else(|| ClientsError::UnknownClient(id.to_string()))
}

/// The state of every known client (in a workspace: of those with a project file). `expected` is
/// the server binary entries should run (the CLI passes itself); an entry that runs another
/// existing binary is then `stale` too, because it would start an old or moved copy.
pub fn list(clients: &Clients, expected: Option<&Path>) -> Vec<ClientStatus> {
    // The record is a hint for people; a database that cannot be opened must not hide the states.
    // Listing never creates a database; without one, nothing was configured through us yet.
    let recorded = clients
        .data_dir
        .db_path()
        .exists()
        .then(|| clients.store().ok())
        .flatten()
        .and_then(|s| records::all(&s).ok())
        .unwrap_or_default();
    CLIENTS
        .iter()
        .filter(|c| clients.workspace.is_none() || c.project_file.is_some())
        .map(|c| {
            let path = clients.config_path(c);
            let (state, upstream_entries) = match &path {
                Some(p) => state_of(clients, c, p, expected),
                None => (ClientState::NotInstalled, Vec::new()),
            };
            ClientStatus {
                id: c.id,
                name: c.name,
                // Records hold the file we edited: a symlink's target, as `configure` resolved it.
                recorded: path.as_ref().is_some_and(|p| {
                    let edited = write::edit_target(p).unwrap_or_else(|_| p.clone());
                    recorded.iter().any(|r| r.client_id == c.id && r.path == edited)
                }),
                path,
                state,
                upstream_entries,
                restart: c.restart,
            }
        })
        .collect()
}

/// The ids of clients that are installed here (what `configure --detected` configures).
pub fn detected(clients: &Clients) -> Vec<&'static str> {
    CLIENTS
        .iter()
        .filter(|c| {
            clients
                .config_path(c)
                .is_some_and(|p| clients.is_installed(c, &p))
        })
        .map(|c| c.id)
        .collect()
}

pub(super) fn read_text(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(unix)]
pub(super) fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
pub(super) fn is_executable(_meta: &std::fs::Metadata) -> bool {
    // Windows has no execute bit; an existing file is as executable as we can tell.
    true
}
