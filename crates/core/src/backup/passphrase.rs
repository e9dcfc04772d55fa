//! The backup passphrase: in the OS keychain (service `dev.llmgen.desktop`, account
//! `backup-passphrase`), or for one command from `LLMGEN_BACKUP_PASSPHRASE` (opening a backup on
//! another machine, or in a container without a keychain). Never in a file.

use super::BackupError;
use crate::secrets::{self, Secret};

/// The keychain account of the backup passphrase.
pub const PASSPHRASE_ACCOUNT: &str = "backup-passphrase";
/// Environment variable that supplies the passphrase for one command, before the keychain.
pub const PASSPHRASE_ENV: &str = "LLMGEN_BACKUP_PASSPHRASE";

/// The passphrase: the environment variable when set, else the keychain; `None` when neither
/// has one. Blocking (the keychain is a D-Bus or platform call).
pub fn passphrase() -> Result<Option<Secret>, BackupError> {
    if let Some(secret) = std::env::var(PASSPHRASE_ENV)
        .ok()
        .map(Secret::new)
        .filter(|s| !s.is_empty())
    {
        return Ok(Some(secret));
    }
    Ok(secrets::read_account(PASSPHRASE_ACCOUNT)?.filter(|s| !s.is_empty()))
}

/// Stores (or replaces) the passphrase in the keychain. Backups made before keep the passphrase
/// they were made with.
pub fn store_passphrase(secret: &Secret) -> Result<(), BackupError> {
    if secret.is_empty() {
        return Err(BackupError::EmptyPassphrase);
    }
    Ok(secrets::store_account(PASSPHRASE_ACCOUNT, secret)?)
}

/// The passphrase as stored in the keychain only (for `backup passphrase show`).
pub fn stored_passphrase() -> Result<Option<Secret>, BackupError> {
    Ok(secrets::read_account(PASSPHRASE_ACCOUNT)?)
}
