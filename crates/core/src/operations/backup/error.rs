//! The typed errors of backups and restores. Each message names the file and says what to do.

use std::path::PathBuf;

use crate::{CoreError, secrets::KeychainError};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("Could not {action} {path}: {source}. Check that the folder exists and is writable.")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("There is no database at {0} yet, so there is nothing to back up.")]
    NoDatabase(PathBuf),

    #[error("Database error during {action}: {source}. If this repeats, run `mcp-llm-generator maintain`.")]
    Sqlite {
        action: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    #[error(
        "{path} failed SQLite's integrity check ({detail}). It cannot be used; choose another backup (`mcp-llm-generator backup list`)."
    )]
    Integrity { path: PathBuf, detail: String },

    #[error(
        "{path} has no manifest ({manifest} is missing). A backup is a pair of files: copy the .json manifest along with it."
    )]
    ManifestMissing { path: PathBuf, manifest: PathBuf },

    #[error("The manifest of {path} cannot be read ({detail}). Choose another backup.")]
    ManifestInvalid { path: PathBuf, detail: String },

    #[error(
        "{path} is {found} bytes but was {expected} bytes when it was made: it is truncated or was changed. Nothing was changed; choose another backup."
    )]
    SizeMismatch {
        path: PathBuf,
        expected: u64,
        found: u64,
    },

    #[error(
        "{path} was changed or damaged after it was made (its sha256 does not match the manifest). Nothing was changed; choose another backup."
    )]
    Checksum { path: PathBuf },

    #[error(
        "{0} is encrypted and no backup passphrase is available. Store it with `mcp-llm-generator backup passphrase set`, or set LLMGEN_BACKUP_PASSPHRASE for this command."
    )]
    PassphraseNeeded(PathBuf),

    #[error(
        "The backup passphrase does not open {0}. Use the passphrase it was made with: `backup passphrase set` stores it in the keychain; LLMGEN_BACKUP_PASSPHRASE is used only when the keychain holds none."
    )]
    WrongPassphrase(PathBuf),

    #[error(
        "{path} could not be decrypted ({detail}); it is damaged or not an age file. Choose another backup."
    )]
    Decrypt { path: PathBuf, detail: String },

    #[error("Encrypting the backup failed ({0}). Nothing was kept; try again.")]
    Encrypt(String),

    #[error(
        "{path} has schema version {found}, newer than this build knows ({known}). Update MCP LLM Generator to restore it."
    )]
    SchemaTooNew { path: PathBuf, found: i64, known: i64 },

    #[error(
        "{path}: table {table} has {found} rows but the manifest says {expected}. The backup is inconsistent; choose another."
    )]
    CountsDiffer {
        path: PathBuf,
        table: String,
        expected: u64,
        found: u64,
    },

    #[error("The database stayed busy for too long ({0}). Try again when fewer clients are writing.")]
    Busy(&'static str),

    #[error("The backup passphrase cannot be empty.")]
    EmptyPassphrase,

    #[error(transparent)]
    Keychain(#[from] KeychainError),

    #[error(transparent)]
    Core(#[from] CoreError),
}

impl BackupError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn sqlite(action: &'static str) -> impl FnOnce(rusqlite::Error) -> Self {
        move |source| Self::Sqlite { action, source }
    }
}
