//! IPC commands of the main window: each one calls one llmgen-core function.

use std::{path::PathBuf, sync::Arc};

use llmgen_core::{
    Store,
    clients::{self, Change, ClientStatus, Clients},
    generation::providers::{Direct, StatusReport},
    operations::backup,
    operations::status,
    paths::DataDir,
    secrets::Secret,
};
use serde::Serialize;

use crate::link::{Recheck, Trigger};

/// The app's handle on the store, opened once at start. An error is kept and shown in the UI
/// instead of crashing the app.
pub struct AppState {
    data_dir: Result<DataDir, String>,
    store: Result<Arc<Store>, String>,
    /// Direct provider calls and the key cache of this process.
    direct: Direct,
}

impl AppState {
    pub fn open() -> Self {
        let data_dir = DataDir::resolve(None).map_err(|e| e.to_string());
        let store = match &data_dir {
            Ok(dir) => Store::open(dir).map(Arc::new).map_err(|e| e.to_string()),
            Err(e) => Err(e.clone()),
        };
        if let Err(e) = &store {
            tracing::error!("store unavailable: {e}");
        }
        Self {
            data_dir,
            store,
            direct: Direct::new(),
        }
    }

    pub(crate) fn store(&self) -> Result<Arc<Store>, String> {
        self.store.clone()
    }

    pub(crate) fn direct(&self) -> Direct {
        self.direct.clone()
    }

    pub(crate) fn data_dir(&self) -> Result<DataDir, String> {
        self.data_dir.clone()
    }

    /// Client files, found from this user's HOME and config dirs; locks, backups and the record of
    /// configured files live in the data dir.
    pub(crate) fn clients(&self) -> Result<Clients, String> {
        Ok(Clients::from_env(self.data_dir.clone()?))
    }
}

/// What the status screen shows.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    version: &'static str,
    data_dir: PathBuf,
    server_binary: Option<PathBuf>,
    counts: status::Counts,
}

/// The bundled server binary: installed next to the app (Tauri's externalBin), by its resolved
/// absolute path, which is what client entries must run. Inside an AppImage, whose mount path
/// changes at every start, it is the stable per-user copy instead (made once per process).
pub(crate) use llmgen_tray::health::server_binary;

/// [`server_binary`], or the sentence that says what to do when it is missing.
pub(crate) fn required_server_binary() -> Result<PathBuf, String> {
    server_binary().ok_or_else(|| {
        "The server program that ships with the app (mcp-llm-generator) is missing next to the app. Reinstall MCP LLM Generator.".to_string()
    })
}

#[tauri::command]
#[specta::specta]
pub fn app_status(state: tauri::State<'_, AppState>) -> Result<AppStatus, String> {
    let data_dir = state.data_dir.as_ref().map_err(Clone::clone)?;
    let store = state.store()?;
    Ok(AppStatus {
        version: llmgen_core::VERSION,
        data_dir: data_dir.root().to_path_buf(),
        server_binary: server_binary(),
        counts: status::counts(&store).map_err(|e| e.to_string())?,
    })
}

/// The API keys screen: every provider, whether a key is available (never the key), its default
/// model, this month's usage and budget (the same report as the `provider-status` tool).
#[tauri::command]
#[specta::specta]
pub async fn provider_status(state: tauri::State<'_, AppState>) -> Result<StatusReport, String> {
    let store = state.store()?;
    state
        .direct
        .status(&store, None, false)
        .await
        .map_err(|e| e.to_string())
}

/// Stores a provider's key in the OS keychain (the same action as `keys set`). The keychain is
/// a blocking call, kept off the UI thread.
#[tauri::command]
#[specta::specta]
pub async fn set_provider_key(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
    provider: String,
    key: String,
) -> Result<(), String> {
    let store = state.store()?;
    let direct = state.direct.clone();
    let secret = Secret::new(key);
    tauri::async_runtime::spawn_blocking(move || direct.set_key(&store, &provider, &secret))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    recheck.request(Trigger::KeyChanged);
    Ok(())
}

/// Removes a provider's key from the keychain (`keys delete`); false when none was stored.
#[tauri::command]
#[specta::specta]
pub async fn delete_provider_key(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
    provider: String,
) -> Result<bool, String> {
    let direct = state.direct.clone();
    let deleted = tauri::async_runtime::spawn_blocking(move || direct.delete_key(&provider))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    if deleted {
        recheck.request(Trigger::KeyChanged);
    }
    Ok(deleted)
}

/// The result of a key test, for the UI.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyTest {
    model: String,
    reply: String,
}

/// One minimal real request with the stored key (`keys test`).
#[tauri::command]
#[specta::specta]
pub async fn test_provider_key(
    state: tauri::State<'_, AppState>,
    provider: String,
) -> Result<KeyTest, String> {
    let store = state.store()?;
    let reply = state
        .direct
        .test_key(&store, &provider, None)
        .await
        .map_err(|e| e.to_string())?;
    Ok(KeyTest {
        model: reply.model,
        reply: reply.text,
    })
}

/// The UI reports what its first screen shows; logged so tests and support can see the UI came up.
#[tauri::command]
#[specta::specta]
pub fn ui_ready(summary: String) {
    tracing::info!("ui ready: {summary}");
}

/// Every supported client with the state of our entry (`clients list`).
#[tauri::command]
#[specta::specta]
pub async fn clients_list(state: tauri::State<'_, AppState>) -> Result<Vec<ClientStatus>, String> {
    let clients = state.clients()?;
    blocking(move || Ok(clients::list(&clients, server_binary().as_deref()))).await
}

/// The change configuring a client would make, as a diff; nothing is written (`--dry-run`).
#[tauri::command]
#[specta::specta]
pub async fn clients_preview(state: tauri::State<'_, AppState>, id: String) -> Result<Change, String> {
    let clients = state.clients()?;
    let exe = required_server_binary()?;
    blocking(move || clients::configure(&clients, &id, &exe, true).map_err(|e| e.to_string())).await
}

/// Adds or updates our entry in a client's file (`clients configure ID`).
#[tauri::command]
#[specta::specta]
pub async fn clients_configure(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
    id: String,
) -> Result<Change, String> {
    let clients = state.clients()?;
    let exe = required_server_binary()?;
    let change =
        blocking(move || clients::configure(&clients, &id, &exe, false).map_err(|e| e.to_string())).await?;
    Ok(clients_changed(&recheck, change))
}

/// Takes our entry out of a client's file (`clients remove ID`).
#[tauri::command]
#[specta::specta]
pub async fn clients_remove(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
    id: String,
) -> Result<Change, String> {
    let clients = state.clients()?;
    let change = blocking(move || clients::remove(&clients, &id, false).map_err(|e| e.to_string())).await?;
    Ok(clients_changed(&recheck, change))
}

/// Puts back the newest backup of a client's file (`clients restore ID`).
#[tauri::command]
#[specta::specta]
pub async fn clients_restore(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
    id: String,
) -> Result<Change, String> {
    let clients = state.clients()?;
    let change = blocking(move || clients::restore(&clients, &id, false).map_err(|e| e.to_string())).await?;
    Ok(clients_changed(&recheck, change))
}

/// The tray re-checks after a client file really changed, so its status line follows.
fn clients_changed(recheck: &Recheck, change: Change) -> Change {
    if change.changed {
        recheck.request(Trigger::ClientsChanged);
    }
    change
}

/// One client's outcome of a repair.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RepairOutcome {
    pub(crate) change: Option<Change>,
    pub(crate) error: Option<String>,
}

impl From<Result<Change, clients::ClientsError>> for RepairOutcome {
    fn from(result: Result<Change, clients::ClientsError>) -> Self {
        match result {
            Ok(change) => Self {
                change: Some(change),
                error: None,
            },
            Err(e) => Self {
                change: None,
                error: Some(e.to_string()),
            },
        }
    }
}

/// Puts back wiped or stale entries of the clients we configured (`clients repair`).
#[tauri::command]
#[specta::specta]
pub async fn clients_repair(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
) -> Result<Vec<RepairOutcome>, String> {
    let clients = state.clients()?;
    let exe = required_server_binary()?;
    let outcomes = blocking(move || repair(&clients, &exe)).await?;
    if outcomes
        .iter()
        .any(|o| o.change.as_ref().is_some_and(|c| c.changed))
    {
        recheck.request(Trigger::ClientsChanged);
    }
    Ok(outcomes)
}

/// Core's repair of our client entries, as the Clients card shows its outcomes (the tray runs the
/// same core function at start, after an update or a move changed the binary's path).
pub fn repair(clients: &Clients, exe: &std::path::Path) -> Result<Vec<RepairOutcome>, String> {
    let results = clients::repair(clients, exe, false).map_err(|e| e.to_string())?;
    Ok(results.into_iter().map(RepairOutcome::from).collect())
}

/// Whether the app starts (minimised to the tray) at login.
#[tauri::command]
#[specta::specta]
pub fn autostart_enabled(app: tauri::AppHandle) -> Result<bool, String> {
    use tauri_plugin_autostart::ManagerExt;
    app.autolaunch().is_enabled().map_err(|e| e.to_string())
}

/// Turns start at login on or off (also from the tray); returns the new state.
#[tauri::command]
#[specta::specta]
pub fn autostart_set(app: tauri::AppHandle, enabled: bool) -> Result<bool, String> {
    let now = set_autostart(&app, enabled);
    crate::link::tell_tray(&app, crate::link::ToTray::AutostartChanged);
    now
}

/// The one action behind the tray's checkbox and the settings switch.
pub fn set_autostart(app: &tauri::AppHandle, enabled: bool) -> Result<bool, String> {
    use tauri_plugin_autostart::ManagerExt;
    let manager = app.autolaunch();
    let result = if enabled {
        manager.enable()
    } else {
        manager.disable()
    };
    result.map_err(|e| format!("Could not change start at login: {e}"))?;
    manager.is_enabled().map_err(|e| e.to_string())
}

/// The health check (the tray's colour), run now; the tray checks again too, so it follows.
#[tauri::command]
#[specta::specta]
pub async fn health_check(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
) -> Result<llmgen_core::operations::health::Health, String> {
    let data_dir = state.data_dir.clone()?;
    let health =
        blocking(move || llmgen_server::check_installation_now(&data_dir, server_binary().as_deref()))
            .await?;
    recheck.request(Trigger::HealthScreen);
    Ok(health)
}

/// One backup of the database, as the Backups screen lists it.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BackupRow {
    pub path: String,
    /// RFC 3339, UTC.
    created: String,
    size_bytes: u64,
    encrypted: bool,
    /// manual, scheduled or pre-restore.
    reason: Option<String>,
}

impl From<backup::BackupInfo> for BackupRow {
    fn from(b: backup::BackupInfo) -> Self {
        Self {
            path: b.path.display().to_string(),
            created: b
                .created
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            size_bytes: b.size_bytes,
            encrypted: b.encrypted,
            reason: b
                .reason
                .and_then(|r| serde_json::to_value(r).ok())
                .and_then(|v| v.as_str().map(str::to_string)),
        }
    }
}

/// The database's backups, newest first (`backup list`).
#[tauri::command]
#[specta::specta]
pub async fn backups_list(state: tauri::State<'_, AppState>) -> Result<Vec<BackupRow>, String> {
    let data_dir = state.data_dir.clone()?;
    blocking(move || {
        backup::list(&data_dir)
            .map(|all| all.into_iter().map(BackupRow::from).collect())
            .map_err(|e| e.to_string())
    })
    .await
}

/// Takes a backup now (`backup create`), then re-checks health so the tray follows.
#[tauri::command]
#[specta::specta]
pub async fn backup_now(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
) -> Result<BackupRow, String> {
    let data_dir = state.data_dir.clone()?;
    let row = blocking(move || backup_now_in(&data_dir)).await?;
    recheck.request(Trigger::Backup);
    Ok(row)
}

/// The one "back up now" action of the tray and the screens.
pub fn backup_now_in(data_dir: &DataDir) -> Result<BackupRow, String> {
    backup::back_up_now(data_dir)
        .map(BackupRow::from)
        .map_err(|e| e.to_string())
}

/// Checks a backup end to end (`backup verify FILE`); returns its schema version.
#[tauri::command]
#[specta::specta]
pub async fn backup_verify(state: tauri::State<'_, AppState>, path: String) -> Result<i64, String> {
    let data_dir = state.data_dir.clone()?;
    blocking(move || {
        let passphrase = backup::passphrase().map_err(|e| e.to_string())?;
        backup::verify(
            &data_dir,
            std::path::Path::new(&path),
            passphrase.as_ref(),
            &llmgen_core::progress::Silent,
        )
        .map(|r| r.schema_version)
        .map_err(|e| e.to_string())
    })
    .await
}

/// Restores a backup into the live database (`backup restore FILE`), after verifying it and
/// backing up the current data.
#[tauri::command]
#[specta::specta]
pub async fn backup_restore(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
    path: String,
) -> Result<(), String> {
    let data_dir = state.data_dir.clone()?;
    blocking(move || {
        let passphrase = backup::passphrase().map_err(|e| e.to_string())?;
        backup::restore(
            &data_dir,
            std::path::Path::new(&path),
            passphrase.as_ref(),
            &llmgen_core::progress::Silent,
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
    })
    .await?;
    recheck.request(Trigger::Restore);
    Ok(())
}

/// Runs file and keychain work off the UI thread.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| e.to_string())?
}

/// The IPC surface, in one place: the handler the app installs and the TypeScript bindings the UI
/// imports are both made from this list, so they cannot drift apart.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            app_status,
            provider_status,
            set_provider_key,
            delete_provider_key,
            test_provider_key,
            ui_ready,
            crate::window::take_focus,
            clients_list,
            clients_preview,
            clients_configure,
            clients_remove,
            clients_restore,
            clients_repair,
            autostart_enabled,
            autostart_set,
            health_check,
            backups_list,
            backup_now,
            backup_verify,
            backup_restore,
            // Personas, templates, contexts and logs screens (their own modules).
            crate::commands_personas::personas_list,
            crate::commands_personas::persona_create,
            crate::commands_personas::persona_update,
            crate::commands_personas::persona_delete,
            crate::commands_personas::persona_reset,
            crate::commands_templates::templates_list,
            crate::commands_templates::template_add,
            crate::commands_templates::template_update,
            crate::commands_templates::template_delete,
            crate::commands_templates::template_reset,
            crate::commands_templates::template_render,
            crate::commands_contexts::contexts_list,
            crate::commands_contexts::contexts_search,
            crate::commands_contexts::context_messages,
            crate::commands_contexts::context_delete,
            crate::commands_contexts::context_export_path,
            crate::commands_contexts::context_export,
            crate::commands_logs::logs_recent,
            crate::commands_logs::logs_open_folder,
            // Moving in from the TypeScript server, and removing everything.
            crate::commands_moving::moving_in_scan,
            crate::commands_moving::moving_in_import,
            crate::commands_moving::moving_in_replace_entries,
            crate::commands_moving::remove_everything,
            // The language of the window and the tray.
            crate::commands_language::app_language,
            crate::commands_language::set_app_language,
            // Updates.
            crate::update_commands::update_state,
            crate::update_commands::update_check,
            crate::update_commands::update_install,
            crate::update_commands::update_auto_set,
        ])
        // Counts and token figures are far below 2^53; numbers are what the UI wants.
        .dangerously_cast_bigints_to_number()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the generated bindings live in the UI.
    const BINDINGS_PATH: &str = "../ui/src/lib/bindings.ts";

    /// Writes the TypeScript bindings of [`specta_builder`] to `path`.
    fn export_bindings(path: &std::path::Path) -> Result<(), String> {
        specta_builder()
            .export(
                specta_typescript::Typescript::default()
                    .header("// Generated from src-tauri/src/commands.rs by `cargo xtask bindings`; do not edit.\n// @ts-nocheck"),
                path,
            )
            .map_err(|e| e.to_string())
    }

    /// Proves the checked-in bindings match the Rust commands: regenerating them changes nothing.
    /// After changing a command, run `cargo xtask bindings` (or set LLMGEN_WRITE_BINDINGS=1).
    #[test]
    fn typescript_bindings_are_current() {
        let checked_in = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(BINDINGS_PATH);
        if std::env::var_os("LLMGEN_WRITE_BINDINGS").is_some() {
            export_bindings(&checked_in).expect("write the bindings");
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let fresh = dir.path().join("bindings.ts");
        export_bindings(&fresh).expect("export");
        let fresh = std::fs::read_to_string(&fresh).expect("read fresh");
        let current = std::fs::read_to_string(&checked_in).unwrap_or_default();
        assert!(
            fresh == current,
            "ui/src/lib/bindings.ts is out of date with the Rust commands: run `cargo xtask bindings`"
        );
    }
}
