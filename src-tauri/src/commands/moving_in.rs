//! IPC commands of the "Moving in" screen (data and client entries of the TypeScript server we
//! replace) and of "Remove everything" (llmgen-core's `import_upstream`, `clients::migrate_upstream`
//! with `clients::audit::fix`, and `uninstall`: the same functions as the CLI).

use std::path::{Path, PathBuf};

use llmgen_core::{
    Store,
    clients::{self, Clients},
    generation::providers::Direct,
    import_upstream::{self, ImportOptions, ImportReport, MovingInScan},
    operations::uninstall::{self, UninstallOptions, UninstallReport},
};

use super::{
    AppState, IpcError, blocking,
    clients::{RepairOutcome, required_server_binary},
    settings::set_autostart,
};

/// Moving in with the app's keychain (the same core call as `clients migrate`), as outcomes for
/// the screen.
fn replace_entries(clients: &Clients, store: &Store, direct: &Direct, exe: &Path) -> Vec<RepairOutcome> {
    clients::audit::Keychain { store, direct }
        .replace_upstream_entries(clients, exe)
        .into_iter()
        .map(|(_, result)| RepairOutcome::from(result))
        .collect()
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .filter(|h| h.is_absolute())
}

/// What of the old server is on this computer: its data in the home folder, its client entries.
#[tauri::command]
#[specta::specta]
pub async fn moving_in_scan(state: tauri::State<'_, AppState>) -> Result<MovingInScan, IpcError> {
    let clients = state.clients()?;
    blocking(move || Ok(import_upstream::scan(&clients, home().as_deref()))).await
}

/// Imports (or, with `dryRun`, previews) the old server's data from `dir`.
#[tauri::command]
#[specta::specta]
pub async fn moving_in_import(
    state: tauri::State<'_, AppState>,
    dir: String,
    dry_run: bool,
    include_expired: bool,
) -> Result<ImportReport, IpcError> {
    let store = state.store()?;
    let data_dir = state.data_dir()?;
    let dir = PathBuf::from(dir.trim());
    if !dir.is_absolute() {
        return Err(IpcError::invalid(
            "Give the full path of the folder, e.g. /home/you/projects/notes.",
        ));
    }
    let options = ImportOptions {
        dry_run,
        include_expired,
    };
    blocking(move || {
        Ok(import_upstream::import_upstream(
            &store, &data_dir, &dir, options,
        )?)
    })
    .await
}

/// Replaces the old server's client entries with ours (keys in them move to the keychain first).
#[tauri::command]
#[specta::specta]
pub async fn moving_in_replace_entries(
    state: tauri::State<'_, AppState>,
) -> Result<Vec<RepairOutcome>, IpcError> {
    let clients = state.clients()?;
    let store = state.store()?;
    let direct = state.direct();
    let exe = required_server_binary()?;
    blocking(move || Ok(replace_entries(&clients, &store, &direct, &exe))).await
}

/// Removes our client entries, keychain items and start at login, and with `removeData` our
/// data folder (`mcp-llm-generator uninstall`). `dryRun` lists what would go.
#[tauri::command]
#[specta::specta]
pub async fn remove_everything(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    remove_data: bool,
    dry_run: bool,
) -> Result<UninstallReport, IpcError> {
    let clients = state.clients()?;
    let options = UninstallOptions { remove_data, dry_run };
    let login = AutostartPlugin(app);
    blocking(move || Ok(uninstall::uninstall(&clients, options, Some(&login)))).await
}

/// The start-at-login entry as the window's Settings manages it (tauri-plugin-autostart), for
/// uninstall to remove.
struct AutostartPlugin(tauri::AppHandle);

impl uninstall::LoginEntry for AutostartPlugin {
    fn place(&self) -> String {
        "start at login (Settings)".into()
    }

    fn is_enabled(&self) -> Result<bool, String> {
        use tauri_plugin_autostart::ManagerExt;
        self.0.autolaunch().is_enabled().map_err(|e| e.to_string())
    }

    fn disable(&self) -> Result<(), String> {
        set_autostart(&self.0, false).map(|_| ()).map_err(|e| e.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use llmgen_core::paths::{DataDir, Platform};

    fn clients_in(home: &Path, data: &Path) -> Clients {
        let home = home.to_path_buf();
        Clients::with_env(DataDir::at(data), Platform::Linux, move |var| {
            (var == "HOME").then(|| home.clone())
        })
    }

    /// Proves: the scan finds the old server's data in the home folder and its entries in client
    /// files; replacing them leaves our entry in place of the old one and the other server alone.
    /// (Moving a plain key out of an old entry needs a keychain: the CLI's keychain tests cover
    /// the audit's fix.)
    #[test]
    fn scan_then_replace_the_old_servers_entries() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (home, data) = (tmp.path().join("home"), tmp.path().join("data"));
        let cursor = home.join(".cursor/mcp.json");
        std::fs::create_dir_all(cursor.parent().expect("parent")).expect("mkdir");
        std::fs::write(
            &cursor,
            r#"{"mcpServers": {"sampler": {"command": "npx", "args": ["-y", "@mako10k/mcp-llm-generator"]}, "other": {"command": "/bin/true"}}}"#,
        )
        .expect("write");
        let clients = clients_in(&home, &data);
        let empty = import_upstream::scan(&clients, Some(&home));
        assert_eq!(empty.suggested_dir, None, "no old data in this home");
        assert_eq!(empty.clients.len(), 1);
        assert_eq!(empty.clients[0].entries, ["sampler"]);
        std::fs::create_dir_all(home.join("templates")).expect("mkdir");
        std::fs::write(home.join("templates/templates.json"), "[]").expect("write");
        assert_eq!(
            import_upstream::scan(&clients, Some(&home))
                .suggested_dir
                .as_deref(),
            home.to_str()
        );

        let store = Store::open(&DataDir::at(&data)).expect("store");
        let exe = std::env::current_exe().expect("exe");
        let outcomes = replace_entries(&clients, &store, &Direct::new(), &exe);
        assert_eq!(outcomes.len(), 1);
        assert_eq!(outcomes[0].error, None);
        let text = std::fs::read_to_string(&cursor).expect("read");
        assert!(
            !text.contains("mako10k") && text.contains("llm-generator") && text.contains("other"),
            "{text}"
        );
        assert!(
            import_upstream::scan(&clients, Some(&home)).clients.is_empty(),
            "nothing left to replace"
        );
    }
}
