//! IPC commands of the first-run guide: the AI apps found here (whether ours is in each, whether
//! each lends its model), the local model servers that answer, and its actions: add our entry
//! to the ticked apps, make a local server the default provider, test and store a key.

use llmgen_core::{
    clients::{
        self, ClientState, ClientStatus,
        sampling::{self, Sampling},
    },
    generation::providers::{
        self, KeyCheck, check_key,
        local::{self, LocalCandidate, LocalServer},
    },
    operations::live::{self, Connection},
    secrets::Secret,
};
use serde::Serialize;

use super::{
    AppState, IpcError, blocking,
    clients::{RepairOutcome, recheck_if_changed, required_server_binary, server_binary},
};
use crate::link::{Recheck, Trigger};

/// One AI app as the guide shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct GuideClient {
    pub id: String,
    pub name: String,
    /// Our entry is in its file and runs.
    pub has_our_entry: bool,
    /// Whether it lends its own model (MCP sampling): as it declared when it last connected,
    /// else as its documentation says.
    pub sampling: Sampling,
    /// What to restart after our entry was added (English, from the client registry).
    pub restart: String,
}

/// What the guide needs to draw its steps.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct GuideState {
    /// The AI apps installed here, in the registry's order.
    pub clients: Vec<GuideClient>,
    /// Every address probed for a local model server, in the probe's order.
    pub local_servers: Vec<LocalServer>,
    /// The default provider, when it can be called now (its key is there, or it needs none).
    pub usable_provider: Option<String>,
}

/// The installed clients of `list`, as the guide shows them. Whether each lends its model is
/// what it declared when it last connected (`connections`), else what its documentation says.
fn guide_clients(list: Vec<ClientStatus>, connections: &[Connection]) -> Vec<GuideClient> {
    list.into_iter()
        .filter(|c| !matches!(c.state, ClientState::NotInstalled))
        .map(|c| {
            let declared = connections
                .iter()
                .find(|k| k.client_id == c.id)
                .map(|k| k.sampling);
            GuideClient {
                id: c.id.to_string(),
                name: c.name.to_string(),
                has_our_entry: matches!(c.state, ClientState::Configured { .. }),
                sampling: sampling::combine(sampling::documented(c.id), declared),
                restart: c.restart.to_string(),
            }
        })
        .collect()
}

/// Every client's last connection; none when they cannot be read (a database from before the
/// record of connections): the guide then goes by the documentation alone.
async fn last_connections(state: &AppState) -> Vec<Connection> {
    let Ok(store) = state.store() else {
        return Vec::new();
    };
    blocking(move || Ok(live::connections::all(&store)?))
        .await
        .unwrap_or_default()
}

/// The default provider's name when it can be called now.
async fn usable_provider(state: &AppState) -> Result<Option<String>, IpcError> {
    let store = state.store()?;
    let default = state.direct().default_for_routing(&store).await?;
    Ok(default.filter(|d| d.usable.is_ok()).map(|d| d.name))
}

/// The guide's state: the clients (files read off the UI thread), the local servers (probed at
/// once, a second or two at most) and the usable provider.
#[tauri::command]
#[specta::specta]
pub async fn guide_state(state: tauri::State<'_, AppState>) -> Result<GuideState, IpcError> {
    let clients = state.clients()?;
    let list = blocking(move || Ok(clients::list(&clients, server_binary().as_deref()))).await?;
    let local_servers = local::detect(local::candidates_from_env()).await;
    let connections = last_connections(&state).await;
    Ok(GuideState {
        clients: guide_clients(list, &connections),
        local_servers,
        usable_provider: usable_provider(&state).await?,
    })
}

/// Whether the guide should open by itself: no client has our entry and no provider can be
/// called. Probes nothing, so the window can ask at every start.
#[tauri::command]
#[specta::specta]
pub async fn guide_needed(state: tauri::State<'_, AppState>) -> Result<bool, IpcError> {
    let clients = state.clients()?;
    let list = blocking(move || Ok(clients::list(&clients, server_binary().as_deref()))).await?;
    let configured = guide_clients(list, &[]).iter().any(|c| c.has_our_entry);
    Ok(!configured && usable_provider(&state).await?.is_none())
}

/// Adds our entry to each client of `ids` (`clients configure ID` for each); one outcome per id,
/// in order, so one file that cannot be changed does not stop the others.
#[tauri::command]
#[specta::specta]
pub async fn guide_add_clients(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
    ids: Vec<String>,
) -> Result<Vec<RepairOutcome>, IpcError> {
    let clients = state.clients()?;
    let exe = required_server_binary()?;
    let outcomes: Vec<RepairOutcome> = blocking(move || {
        Ok(ids
            .iter()
            .map(|id| RepairOutcome::from(clients::configure(&clients, id, &exe, false)))
            .collect())
    })
    .await?;
    recheck_if_changed(&recheck, &outcomes);
    Ok(outcomes)
}

/// Makes the local model server at `base_url` the default provider with `model` (default: its
/// first). It is asked again first, so what is stored is what answers now.
#[tauri::command]
#[specta::specta]
pub async fn guide_use_local_server(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
    base_url: String,
    model: Option<String>,
) -> Result<String, IpcError> {
    let store = state.store()?;
    let server = local::probe(LocalCandidate::from_url(&base_url)).await;
    let made = blocking(move || Ok(local::make_default(&store, &server, model.as_deref())?)).await?;
    // The default provider changed: the tray's provider check may read differently now.
    recheck.request(Trigger::KeyChanged);
    Ok(made.name)
}

/// Tests `key` for `provider` on the spot (its model list: no tokens spent); when it works, stores
/// it in the keychain and makes that provider the default. A key that does not work is not kept.
#[tauri::command]
#[specta::specta]
pub async fn guide_use_key(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
    provider: String,
    key: String,
) -> Result<KeyCheck, IpcError> {
    let store = state.store()?;
    let config = providers::get(&store, &provider)?;
    let secret = Secret::new(key.trim());
    let verdict = check_key(&config, &secret).await;
    if verdict == KeyCheck::Works {
        let direct = state.direct();
        blocking(move || Ok(direct.keep_working_key(&store, &provider, &secret)?)).await?;
        recheck.request(Trigger::KeyChanged);
    }
    Ok(verdict)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn status(id: &'static str, state: ClientState) -> ClientStatus {
        ClientStatus {
            id,
            name: "Name",
            path: Some(PathBuf::from("/x")),
            state,
            recorded: false,
            upstream_entries: Vec::new(),
            restart: "Restart it.",
        }
    }

    /// The guide lists only the apps installed here, says which already run ours, and tells
    /// VS Code (which lends its model) from Claude Desktop (which does not).
    #[test]
    fn installed_clients_with_our_entry_and_their_sampling() {
        let shown = guide_clients(
            vec![
                status("vscode", ClientState::NotConfigured),
                status("cursor", ClientState::NotInstalled),
                status(
                    "claude-desktop",
                    ClientState::Configured {
                        command: "/bin/x".into(),
                    },
                ),
            ],
            &[],
        );
        let summary: Vec<(&str, bool, Sampling)> = shown
            .iter()
            .map(|c| (c.id.as_str(), c.has_our_entry, c.sampling))
            .collect();
        assert_eq!(
            summary,
            [
                ("vscode", false, Sampling::Offered),
                ("claude-desktop", true, Sampling::NotOffered)
            ]
        );
        assert_eq!(shown[0].restart, "Restart it.");
    }

    fn connected(id: &str, sampling: bool) -> Connection {
        Connection {
            client_id: id.into(),
            last_connected_at: "2026-12-07T19:00:00Z".into(),
            client_name: "name".into(),
            client_version: "1".into(),
            sampling,
        }
    }

    /// What a client declared when it connected outweighs the documented table: a Claude
    /// Desktop that offered sampling lends its model, a VS Code that did not does not; a
    /// client that never connected keeps its documented fact.
    #[test]
    fn what_a_connected_client_declared_outweighs_its_documentation() {
        let shown = guide_clients(
            vec![
                status("vscode", ClientState::NotConfigured),
                status("claude-desktop", ClientState::NotConfigured),
                status("cursor", ClientState::NotConfigured),
            ],
            &[connected("vscode", false), connected("claude-desktop", true)],
        );
        let sampling: Vec<(&str, Sampling)> = shown.iter().map(|c| (c.id.as_str(), c.sampling)).collect();
        assert_eq!(
            sampling,
            [
                ("vscode", Sampling::NotOffered),
                ("claude-desktop", Sampling::Offered),
                ("cursor", Sampling::NotOffered)
            ]
        );
    }
}
