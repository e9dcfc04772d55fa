//! IPC commands of the API keys card: every provider's status, and setting, deleting and testing
//! a provider's key in the OS keychain (the same actions as `keys set|delete|test`).

use llmgen_core::{generation::providers::StatusReport, secrets::Secret, without_commands::without_commands};
use serde::Serialize;

use super::{AppState, IpcError, blocking};
use crate::link::{Recheck, Trigger};

/// The API keys screen: every provider, whether a key is available (never the key), its default
/// model, this month's usage and budget (the same report as the `provider-status` tool).
#[tauri::command]
#[specta::specta]
pub async fn provider_status(state: tauri::State<'_, AppState>) -> Result<StatusReport, IpcError> {
    let store = state.store()?;
    let mut report = state.direct().status(&store, None, false).await?;
    // Warnings name command-line commands (`budget set`); the window shows them without.
    for p in &mut report.providers {
        for w in &mut p.warnings {
            *w = without_commands(w);
        }
    }
    Ok(report)
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
) -> Result<(), IpcError> {
    let store = state.store()?;
    let direct = state.direct();
    let secret = Secret::new(key);
    blocking(move || Ok(direct.set_key(&store, &provider, &secret)?)).await?;
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
) -> Result<bool, IpcError> {
    let direct = state.direct();
    let deleted = blocking(move || Ok(direct.delete_key(&provider)?)).await?;
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
) -> Result<KeyTest, IpcError> {
    let store = state.store()?;
    let reply = state.direct().test_key(&store, &provider, None).await?;
    Ok(KeyTest {
        model: reply.model,
        reply: reply.text,
    })
}
