//! "Remove everything": our entry from every client file (user and recorded workspace files),
//! our keychain items, and, when asked, our data folder. A package's removal script cannot reach
//! users' home folders, so the app and `mcp-llm-generator uninstall` run this one function.

use std::{
    fs,
    path::{Path, PathBuf},
};

use serde::Serialize;

use crate::{
    Store,
    backup::PASSPHRASE_ACCOUNT,
    clients::{self, ClientState, Clients, records},
    paths::DataDir,
    providers, secrets,
};

/// What the data folder holds that is ours; anything else found there is left alone and reported.
const OUR_DATA: &[&str] = &[
    "llmgen.db",
    "llmgen.db-wal",
    "llmgen.db-shm",
    "backups",
    "logs",
    "imported",
];

/// Providers whose keys may be in the keychain even when the database is gone.
const BUILTIN_PROVIDERS: &[&str] = &["anthropic", "openai"];

/// What the user chose.
#[derive(Debug, Clone, Copy, Default)]
pub struct UninstallOptions {
    /// Also delete the data folder: database, backups, logs.
    pub remove_data: bool,
    /// Report what would be removed and change nothing.
    pub dry_run: bool,
}

/// One thing removed, or that could not be.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Removal {
    /// A client id, a keychain account, or a path.
    pub what: String,
    /// Where: the client file, or the keychain service.
    pub place: String,
    /// `None` when it was removed (or would be, in a dry run); else what went wrong and what to do.
    pub error: Option<String>,
}

/// Everything `uninstall` did.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UninstallReport {
    pub dry_run: bool,
    pub client_entries: Vec<Removal>,
    pub keychain_items: Vec<Removal>,
    /// Files and folders of the data folder removed (empty unless asked).
    pub data: Vec<Removal>,
    /// Files in the data folder that are not ours, left in place.
    pub left_in_data_folder: Vec<PathBuf>,
}

impl UninstallReport {
    /// Whether everything asked for was removed.
    pub fn complete(&self) -> bool {
        [&self.client_entries, &self.keychain_items, &self.data]
            .iter()
            .all(|list| list.iter().all(|r| r.error.is_none()))
    }
}

/// Removes our traces. Never stops at the first failure: each item reports its own outcome, so a
/// locked keychain does not keep client entries in place (or the other way round).
pub fn uninstall(clients: &Clients, options: UninstallOptions) -> UninstallReport {
    let data_dir = clients.data_dir().clone();
    // Read what needs the database before anything is removed.
    let store = data_dir
        .db_path()
        .exists()
        .then(|| Store::open(&data_dir).ok())
        .flatten();
    let provider_names = provider_names(store.as_ref());
    let workspaces = store
        .as_ref()
        .and_then(|s| records::all(s).ok())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| r.workspace)
        .collect::<Vec<_>>();
    drop(store);

    let mut report = UninstallReport {
        dry_run: options.dry_run,
        client_entries: remove_client_entries(clients, &workspaces, options.dry_run),
        keychain_items: remove_keychain_items(&provider_names, options.dry_run),
        data: Vec::new(),
        left_in_data_folder: Vec::new(),
    };
    if options.remove_data {
        (report.data, report.left_in_data_folder) = remove_data(&data_dir, options.dry_run);
    }
    report
}

fn provider_names(store: Option<&Store>) -> Vec<String> {
    let mut names: Vec<String> = BUILTIN_PROVIDERS.iter().map(|s| s.to_string()).collect();
    if let Some(list) = store.and_then(|s| providers::list(s).ok()) {
        for p in list {
            if !names.contains(&p.name) {
                names.push(p.name);
            }
        }
    }
    names
}

fn has_our_entry(state: &ClientState) -> bool {
    matches!(state, ClientState::Configured { .. } | ClientState::Stale { .. })
}

/// Takes our entry out of every client file of `clients` (user files, or one workspace's).
fn remove_entries_in(clients: &Clients, dry_run: bool, out: &mut Vec<Removal>) {
    for status in clients::list(clients, None) {
        if !has_our_entry(&status.state) {
            continue;
        }
        let place = status
            .path
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let error = clients::remove(clients, status.id, dry_run)
            .err()
            .map(|e| e.to_string());
        out.push(Removal {
            what: status.id.to_string(),
            place,
            error,
        });
    }
}

fn remove_client_entries(clients: &Clients, workspaces: &[PathBuf], dry_run: bool) -> Vec<Removal> {
    let mut out = Vec::new();
    remove_entries_in(clients, dry_run, &mut out);
    let mut seen = Vec::new();
    for workspace in workspaces {
        if seen.contains(workspace) || !workspace.is_dir() {
            continue;
        }
        seen.push(workspace.clone());
        match clients.for_workspace(workspace) {
            Ok(in_workspace) => remove_entries_in(&in_workspace, dry_run, &mut out),
            Err(e) => out.push(Removal {
                what: "workspace".into(),
                place: workspace.display().to_string(),
                error: Some(e.to_string()),
            }),
        }
    }
    out
}

fn remove_keychain_items(providers: &[String], dry_run: bool) -> Vec<Removal> {
    let accounts = providers
        .iter()
        .map(|p| secrets::account(p))
        .chain(std::iter::once(PASSPHRASE_ACCOUNT.to_string()))
        .collect::<Vec<String>>();
    let mut out = Vec::new();
    for account in accounts {
        let result = if dry_run {
            secrets::read_account(&account).map(|s| s.is_some())
        } else {
            secrets::delete_account(&account)
        };
        match result {
            Ok(false) => {}
            Ok(true) => out.push(Removal {
                what: account,
                place: format!("keychain ({})", secrets::SERVICE),
                error: None,
            }),
            Err(e) => {
                // One unreachable keychain fails every account alike: say it once.
                out.push(Removal {
                    what: "keychain items".into(),
                    place: format!("keychain ({})", secrets::SERVICE),
                    error: Some(format!(
                        "{e}. Unlock or start your keychain and run this again to remove our API keys and backup passphrase."
                    )),
                });
                break;
            }
        }
    }
    out
}

fn remove_data(data_dir: &DataDir, dry_run: bool) -> (Vec<Removal>, Vec<PathBuf>) {
    let root = data_dir.root();
    let Ok(entries) = fs::read_dir(root) else {
        return (Vec::new(), Vec::new());
    };
    let mut removed = Vec::new();
    let mut left = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let ours = entry.file_name().to_str().is_some_and(|n| OUR_DATA.contains(&n));
        if !ours {
            left.push(path);
            continue;
        }
        let error = if dry_run { None } else { remove_path(&path).err() };
        removed.push(Removal {
            what: path.display().to_string(),
            place: root.display().to_string(),
            error: error.map(|e| format!("{e}. Close the app and your AI clients, then run this again.")),
        });
    }
    if !dry_run && left.is_empty() && removed.iter().all(|r| r.error.is_none()) {
        // Only an empty folder goes: a data folder that holds someone else's files stays.
        let _ = fs::remove_dir(root);
    }
    left.sort();
    (removed, left)
}

fn remove_path(path: &Path) -> std::io::Result<()> {
    if path.is_dir() && !path.is_symlink() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    }
}
