//! Runs a command's file, database and keychain work off the UI thread.

use super::IpcError;

/// `work` on Tauri's blocking pool; a panic in it is a failed call, not a crashed window.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(work).await?
}
