//! The typed errors of llmgen-core. Every message is a sentence a user can act on.

use std::path::PathBuf;

/// Result with [`CoreError`].
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// A request was well-formed JSON but a value is out of range or inconsistent.
    #[error("{0}")]
    Invalid(String),

    /// The named thing does not exist.
    #[error("{kind} '{name}' was not found. {hint}")]
    NotFound {
        kind: &'static str,
        name: String,
        hint: &'static str,
    },

    /// The name is taken.
    #[error("{kind} '{name}' already exists. Choose another name, or use the update action to change it.")]
    AlreadyExists { kind: &'static str, name: String },

    /// A context's expiry passed; it is hidden and will be purged.
    #[error(
        "Context '{0}' expired after a period of inactivity. Create a new context (context-manage create) or raise expiryDays when you create one."
    )]
    ContextExpired(String),

    /// A persona acting on memory lacks the permission; the text says who may.
    #[error("{0}")]
    NotAllowed(String),

    /// The database file was written by a newer build.
    #[error(
        "The database at {path} has schema version {found}, newer than this build knows ({known}). Update MCP LLM Generator, or point --data-dir at another folder."
    )]
    SchemaTooNew { path: PathBuf, found: i64, known: i64 },

    /// The data dir could not be created or opened.
    #[error(
        "Cannot use the data folder {path}: {source}. Check that it is writable, or choose another with --data-dir or LLMGEN_DATA_DIR."
    )]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// No data dir could be derived from the environment.
    #[error("Cannot find a home or data folder for this user. Set LLMGEN_DATA_DIR or pass --data-dir.")]
    NoDataDir,

    /// SQLite failed.
    #[error("Database error: {0}. If this repeats, run the health check.")]
    Sqlite(#[from] rusqlite::Error),

    /// A direct provider's monthly budget is used up; the text says how to raise it.
    #[error("{0}")]
    BudgetExhausted(String),

    /// A direct provider call failed; the text names the provider and the fix.
    #[error(transparent)]
    Provider(#[from] crate::generation::providers::ProviderError),

    /// The OS keychain could not be used.
    #[error(transparent)]
    Keychain(#[from] crate::secrets::KeychainError),

    /// A client's configuration file could not be read or changed.
    #[error(transparent)]
    Clients(#[from] crate::clients::ClientsError),

    /// A file the user asked for (an export) could not be written.
    #[error("Could not write {path}: {source}. Choose a folder that exists and that you can write to.")]
    WriteFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A JSON column could not be read or written.
    #[error("Stored data could not be decoded: {0}")]
    Json(#[from] serde_json::Error),
}

impl CoreError {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }
}
