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
    clients::{self, ClientState, Clients, records},
    generation::providers,
    operations::backup::PASSPHRASE_ACCOUNT,
    paths::DataDir,
    secrets,
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

/// The desktop's "start at login" entry that the app may have written. Core knows no desktop's
/// autostart mechanism, so each front end hands in the one it uses (the tray crate's, shared by
/// the CLI and the app), and every uninstall removes it.
pub trait LoginEntry {
    /// Where the entry lives, for the report (e.g. the autostart file or the system's list).
    fn place(&self) -> String;
    /// Whether the entry is there now.
    fn is_enabled(&self) -> Result<bool, String>;
    /// Removes it.
    fn disable(&self) -> Result<(), String>;
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
    /// The start-at-login entry (empty when there was none, or no front end could say).
    pub login_entry: Vec<Removal>,
    /// Files and folders of the data folder removed (empty unless asked).
    pub data: Vec<Removal>,
    /// Files in the data folder that are not ours, left in place.
    pub left_in_data_folder: Vec<PathBuf>,
}

impl UninstallReport {
    /// Whether everything asked for was removed.
    pub fn complete(&self) -> bool {
        [
            &self.client_entries,
            &self.keychain_items,
            &self.login_entry,
            &self.data,
        ]
        .iter()
        .all(|list| list.iter().all(|r| r.error.is_none()))
    }
}

/// The start-at-login entry, removed (or reported, in a dry run) when it is there.
fn remove_login_entry(login: &dyn LoginEntry, dry_run: bool) -> Vec<Removal> {
    let removal = |error| Removal {
        what: "start at login".into(),
        place: login.place(),
        error,
    };
    match login.is_enabled() {
        Ok(false) => Vec::new(),
        Ok(true) if dry_run => vec![removal(None)],
        Ok(true) => vec![removal(login.disable().err())],
        Err(e) => vec![removal(Some(e))],
    }
}

/// Removes our traces. Never stops at the first failure: each item reports its own outcome, so a
/// locked keychain does not keep client entries in place (or the other way round).
pub fn uninstall(
    clients: &Clients,
    options: UninstallOptions,
    login: Option<&dyn LoginEntry>,
) -> UninstallReport {
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
        login_entry: login
            .map(|l| remove_login_entry(l, options.dry_run))
            .unwrap_or_default(),
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

/// Whether a path inside the data folder is ours. Folders are matched by what we put in them, not
/// by name alone: a data folder set to a home folder (`--data-dir ~`) must not lose the user's own
/// `logs/` or `backups/`.
fn is_ours(root: &Path, path: &Path) -> bool {
    let Ok(relative) = path.strip_prefix(root) else {
        return false;
    };
    let parts: Vec<&str> = relative.iter().filter_map(|p| p.to_str()).collect();
    match parts.as_slice() {
        [file] => OUR_DATA.contains(file),
        ["logs", file] => file.starts_with("llmgen.") && file.contains(".log"),
        // Our two kinds of backups: of the database, and of client files before we edited them.
        ["backups", "database" | "clients"] => true,
        ["imported", "shared-memory.db" | ".shared-memory.db.partial"] => true,
        // The AppImage's stable copy of the server (server_copy.rs) and an interrupted copy.
        ["bin", file] => {
            *file == crate::server_copy::server_file_name() || file.starts_with(".mcp-llm-generator.")
        }
        _ => false,
    }
}

/// Our files in the data folder (whole folders only where every file in them is ours).
fn our_paths(root: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut ours = Vec::new();
    let mut others = Vec::new();
    let Ok(entries) = fs::read_dir(root) else {
        return (ours, others);
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let container = matches!(name.to_str(), Some("logs" | "backups" | "imported" | "bin"))
            && path.is_dir()
            && !path.is_symlink();
        if !container {
            if is_ours(root, &path) {
                ours.push(path)
            } else {
                others.push(path)
            }
            continue;
        }
        for inner in fs::read_dir(&path).into_iter().flatten().flatten() {
            let inner = inner.path();
            if is_ours(root, &inner) {
                ours.push(inner)
            } else {
                others.push(inner)
            }
        }
    }
    ours.sort();
    others.sort();
    (ours, others)
}

fn remove_data(data_dir: &DataDir, dry_run: bool) -> (Vec<Removal>, Vec<PathBuf>) {
    let root = data_dir.root();
    let (ours, left) = our_paths(root);
    let mut removed = Vec::new();
    for path in ours {
        let error = if dry_run { None } else { remove_path(&path).err() };
        removed.push(Removal {
            what: path.display().to_string(),
            place: root.display().to_string(),
            error: error.map(|e| format!("{e}. Close the app and your AI clients, then run this again.")),
        });
    }
    if !dry_run {
        // Emptied folders go, then the data folder itself if nothing else is in it; a folder
        // that still holds someone else's files stays (remove_dir refuses a non-empty one).
        for dir in ["logs", "backups", "imported", "bin"] {
            let _ = fs::remove_dir(root.join(dir));
        }
        let _ = fs::remove_dir(root);
    }
    (removed, left)
}

fn remove_path(path: &Path) -> std::io::Result<()> {
    if path.is_dir() && !path.is_symlink() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A login entry that is there until disabled, or fails to be read.
    struct FakeLogin {
        enabled: Cell<bool>,
        readable: bool,
    }

    impl LoginEntry for FakeLogin {
        fn place(&self) -> String {
            "autostart".into()
        }
        fn is_enabled(&self) -> Result<bool, String> {
            if self.readable {
                Ok(self.enabled.get())
            } else {
                Err("no session bus".into())
            }
        }
        fn disable(&self) -> Result<(), String> {
            self.enabled.set(false);
            Ok(())
        }
    }

    /// Proves: uninstall turns the start-at-login entry off (a dry run only reports it), says
    /// nothing when there is none, and reports one it cannot read as not removed.
    #[test]
    fn the_login_entry_goes_with_everything_else() {
        let login = FakeLogin {
            enabled: Cell::new(true),
            readable: true,
        };
        let dry = remove_login_entry(&login, true);
        assert_eq!(dry.len(), 1);
        assert!(login.enabled.get(), "a dry run changes nothing");
        let done = remove_login_entry(&login, false);
        assert_eq!((done.len(), done[0].error.as_deref()), (1, None));
        assert!(!login.enabled.get());
        assert!(
            remove_login_entry(&login, false).is_empty(),
            "none left: nothing to say"
        );
        let unreadable = FakeLogin {
            enabled: Cell::new(true),
            readable: false,
        };
        let failed = remove_login_entry(&unreadable, false);
        assert_eq!(failed[0].error.as_deref(), Some("no session bus"));
    }

    /// Proves: `--remove-data` takes only what we wrote, even when the data folder is a folder the
    /// user keeps other things in (their own `logs/` and `backups/` entries survive, and so do the
    /// folders that hold them), and a folder left empty is removed.
    #[test]
    fn removing_data_takes_our_files_only() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("data");
        for dir in [
            "logs",
            "backups/database",
            "backups/clients/vscode",
            "backups/photos",
            "imported",
            "bin",
        ] {
            fs::create_dir_all(root.join(dir)).expect("mkdir");
        }
        for file in [
            "llmgen.db",
            "llmgen.db-wal",
            "notes.txt",
            "logs/llmgen.2026-11-23.log",
            "logs/mine.txt",
            "backups/database/llmgen-20261123T000000Z.db",
            "backups/clients/vscode/mcp.json.bak",
            "backups/photos/cat.png",
            "imported/shared-memory.db",
            "bin/mcp-llm-generator",
            "bin/their-tool",
        ] {
            fs::write(root.join(file), "x").expect("write");
        }
        let data_dir = DataDir::at(&root);
        let (planned, _) = remove_data(&data_dir, true);
        assert!(root.join("llmgen.db").exists(), "a dry run removes nothing");
        let (removed, left) = remove_data(&data_dir, false);
        assert_eq!(planned, removed);
        assert!(removed.iter().all(|r| r.error.is_none()));
        let mut remaining: Vec<String> = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            for e in fs::read_dir(&dir).expect("read").flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    remaining.push(p.strip_prefix(&root).expect("inside").display().to_string());
                }
            }
        }
        remaining.sort();
        assert_eq!(
            remaining,
            [
                "backups/photos/cat.png",
                "bin/their-tool",
                "logs/mine.txt",
                "notes.txt"
            ]
        );
        assert!(!root.join("imported").exists(), "an emptied folder of ours goes");
        assert_eq!(left.len(), 4, "what was kept is reported: {left:?}");
    }
}
