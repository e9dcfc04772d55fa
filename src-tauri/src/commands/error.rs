//! The one error every IPC command returns: what kind of failure it is, for the UI to act on, and
//! the sentence the user sees (the library's own wording, without the command-line commands it
//! names: see `llmgen_core::without_commands`).

use llmgen_core::{
    CoreError, clients::ClientsError, import_upstream::ImportError, operations::backup::BackupError,
    operations::logs::LogsError, without_commands::without_commands,
};
use serde::Serialize;

/// What went wrong, in the few kinds a screen can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum IpcErrorKind {
    /// Something the action needs is missing here: the data folder, the store, the keychain, the
    /// bundled server program, a client that is not installed.
    Unavailable,
    /// What was asked is not acceptable (a value out of range, a name taken, an empty path, a
    /// note a persona may not change).
    Invalid,
    /// The named thing does not exist.
    NotFound,
    /// The action was tried and failed (a file, the database, a provider, the system).
    Failed,
}

/// A failed IPC call: its kind and the sentence to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct IpcError {
    pub kind: IpcErrorKind,
    /// The user-facing sentence: what happened and what to do (never a command to type).
    pub message: String,
}

impl IpcError {
    /// Core's sentences name command-line commands; the window shows them without.
    pub fn new(kind: IpcErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: without_commands(&message.into()),
        }
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(IpcErrorKind::Unavailable, message)
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(IpcErrorKind::Invalid, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(IpcErrorKind::NotFound, message)
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(IpcErrorKind::Failed, message)
    }
}

impl From<CoreError> for IpcError {
    fn from(e: CoreError) -> Self {
        let kind = match &e {
            CoreError::Invalid(_) | CoreError::AlreadyExists { .. } | CoreError::NotAllowed(_) => {
                IpcErrorKind::Invalid
            }
            CoreError::NotFound { .. } | CoreError::ContextExpired(_) => IpcErrorKind::NotFound,
            CoreError::DataDir { .. }
            | CoreError::NoDataDir
            | CoreError::SchemaTooNew { .. }
            | CoreError::Keychain(_) => IpcErrorKind::Unavailable,
            CoreError::Clients(clients) => clients_kind(clients),
            _ => IpcErrorKind::Failed,
        };
        Self::new(kind, e.to_string())
    }
}

fn clients_kind(e: &ClientsError) -> IpcErrorKind {
    match e {
        ClientsError::UnknownClient(_) => IpcErrorKind::NotFound,
        ClientsError::NoPath { .. } | ClientsError::NotInstalled { .. } => IpcErrorKind::Unavailable,
        _ => IpcErrorKind::Failed,
    }
}

impl From<ClientsError> for IpcError {
    fn from(e: ClientsError) -> Self {
        Self::new(clients_kind(&e), e.to_string())
    }
}

impl From<BackupError> for IpcError {
    fn from(e: BackupError) -> Self {
        let kind = match &e {
            BackupError::NoDatabase(_) => IpcErrorKind::NotFound,
            BackupError::PassphraseNeeded(_) => IpcErrorKind::Unavailable,
            _ => IpcErrorKind::Failed,
        };
        Self::new(kind, e.to_string())
    }
}

impl From<LogsError> for IpcError {
    fn from(e: LogsError) -> Self {
        let kind = match &e {
            LogsError::Invalid(_) => IpcErrorKind::Invalid,
            _ => IpcErrorKind::Failed,
        };
        Self::new(kind, e.to_string())
    }
}

impl From<ImportError> for IpcError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::NothingFound { .. } => Self::not_found(e.to_string()),
            ImportError::Store(core) => core.into(),
            other => Self::failed(other.to_string()),
        }
    }
}

/// Tauri failed, e.g. a blocking task panicked or was cancelled.
impl From<tauri::Error> for IpcError {
    fn from(e: tauri::Error) -> Self {
        Self::failed(e.to_string())
    }
}

/// The start-at-login plugin failed.
impl From<tauri_plugin_autostart::Error> for IpcError {
    fn from(e: tauri_plugin_autostart::Error) -> Self {
        Self::failed(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Proves: the UI receives `{kind, message}` with the kind in snake_case and the core's
    /// sentence unchanged, so what the screens show stays the same.
    #[test]
    fn serializes_the_kind_and_the_unchanged_sentence() {
        let core = CoreError::NotFound {
            kind: "Persona",
            name: "chef".into(),
            hint: "List personas with persona-manage action 'list'.",
        };
        let sentence = core.to_string();
        let e = IpcError::from(core);
        assert_eq!(
            serde_json::to_value(&e).expect("json"),
            serde_json::json!({"kind": "not_found", "message": sentence})
        );
        assert_eq!(e.to_string(), sentence);
    }

    /// Proves: each family of library errors lands in the kind a screen can act on.
    #[test]
    fn library_errors_map_to_their_kind() {
        let kind = |e: IpcError| e.kind;
        assert_eq!(
            kind(CoreError::Invalid("bad".into()).into()),
            IpcErrorKind::Invalid
        );
        assert_eq!(
            kind(
                CoreError::AlreadyExists {
                    kind: "Template",
                    name: "t".into()
                }
                .into()
            ),
            IpcErrorKind::Invalid
        );
        assert_eq!(
            kind(CoreError::NotAllowed("Only persona 'a' may delete it.".into()).into()),
            IpcErrorKind::Invalid
        );
        assert_eq!(kind(CoreError::NoDataDir.into()), IpcErrorKind::Unavailable);
        assert_eq!(
            kind(ClientsError::UnknownClient("x".into()).into()),
            IpcErrorKind::NotFound
        );
        assert_eq!(
            kind(CoreError::Clients(ClientsError::UnknownClient("x".into())).into()),
            IpcErrorKind::NotFound
        );
        assert_eq!(
            kind(BackupError::NoDatabase("/nowhere".into()).into()),
            IpcErrorKind::NotFound
        );
        assert_eq!(kind(LogsError::Invalid("x".into()).into()), IpcErrorKind::Invalid);
        assert_eq!(
            kind(ImportError::Store(CoreError::Invalid("x".into())).into()),
            IpcErrorKind::Invalid
        );
        assert_eq!(
            kind(CoreError::Json(serde_json::from_str::<u8>("x").expect_err("not json")).into()),
            IpcErrorKind::Failed
        );
    }

    /// Proves: core's sentences reach the window without the command-line commands they name
    /// (the command line keeps them), and a command the app has a screen for becomes its name.
    #[test]
    fn the_window_gets_no_command_of_ours() {
        let unknown = IpcError::from(ClientsError::UnknownClient("x".into()));
        assert_eq!(
            unknown.message,
            "Unknown client 'x'. Use the AI apps screen to see the supported ids."
        );
        let passphrase = BackupError::PassphraseNeeded("/b.db".into());
        assert!(
            passphrase
                .to_string()
                .contains("`mcp-llm-generator backup passphrase set`")
        );
        let shown = IpcError::from(passphrase).message;
        assert!(
            shown.starts_with("/b.db is encrypted")
                && !shown.contains("mcp-llm-generator")
                && !shown.contains('`'),
            "{shown}"
        );
    }
}
