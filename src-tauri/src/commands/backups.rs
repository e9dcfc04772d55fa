//! IPC commands of the Backups card: list the database's backups, back up now, verify a backup
//! and restore one (llmgen-core's `backup`, the same as `backup list|create|verify|restore`).

use std::path::Path;

use llmgen_core::{operations::backup, progress::Silent};
use serde::Serialize;

use super::{AppState, IpcError, blocking};
use crate::link::{Recheck, Trigger};

/// One backup of the database, as the Backups screen lists it.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BackupRow {
    pub path: String,
    /// RFC 3339, UTC.
    created: String,
    size_bytes: u64,
    encrypted: bool,
    /// manual, scheduled, pre-restore or emergency.
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
pub async fn backups_list(state: tauri::State<'_, AppState>) -> Result<Vec<BackupRow>, IpcError> {
    let data_dir = state.data_dir()?;
    blocking(move || {
        Ok(backup::list(&data_dir)?
            .into_iter()
            .map(BackupRow::from)
            .collect())
    })
    .await
}

/// Takes a backup now (`backup create`), then re-checks health so the tray follows.
#[tauri::command]
#[specta::specta]
pub async fn backup_now(
    state: tauri::State<'_, AppState>,
    recheck: tauri::State<'_, Recheck>,
) -> Result<BackupRow, IpcError> {
    let data_dir = state.data_dir()?;
    let row = blocking(move || Ok(BackupRow::from(backup::back_up_now(&data_dir)?))).await?;
    recheck.request(Trigger::Backup);
    Ok(row)
}

/// Checks a backup end to end (`backup verify FILE`); returns its schema version.
#[tauri::command]
#[specta::specta]
pub async fn backup_verify(state: tauri::State<'_, AppState>, path: String) -> Result<i64, IpcError> {
    let data_dir = state.data_dir()?;
    blocking(move || {
        let passphrase = backup::passphrase()?;
        let report = backup::verify(&data_dir, Path::new(&path), passphrase.as_ref(), &Silent)?;
        Ok(report.schema_version)
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
) -> Result<(), IpcError> {
    let data_dir = state.data_dir()?;
    blocking(move || {
        let passphrase = backup::passphrase()?;
        backup::restore(&data_dir, Path::new(&path), passphrase.as_ref(), &Silent)?;
        Ok(())
    })
    .await?;
    recheck.request(Trigger::Restore);
    Ok(())
}
