//! The backup passphrase: in the OS keychain (service `dev.llmgen.desktop`, account
//! `backup-passphrase`), or, where the keychain holds none or cannot be reached, from
//! `LLMGEN_BACKUP_PASSPHRASE` (a container or SSH session without a keychain, or opening a
//! backup on another machine). Never in a file.

use super::BackupError;
use crate::secrets::{self, KeychainError, Secret};

/// The keychain account of the backup passphrase.
pub const PASSPHRASE_ACCOUNT: &str = "backup-passphrase";
/// Environment variable that supplies the passphrase when the keychain has none (or cannot be
/// reached): the fallback for containers and CLI-only machines. A passphrase stored in the
/// keychain wins over it.
pub const PASSPHRASE_ENV: &str = "LLMGEN_BACKUP_PASSPHRASE";

/// The passphrase: the keychain's when one is stored there; else `LLMGEN_BACKUP_PASSPHRASE`
/// when set (also when the keychain cannot be reached); `None` when neither has one. The
/// keychain's error is returned only when the variable is not set either. Blocking (the
/// keychain is a D-Bus or platform call).
pub fn passphrase() -> Result<Option<Secret>, BackupError> {
    let env = std::env::var(PASSPHRASE_ENV)
        .ok()
        .map(Secret::new)
        .filter(|s| !s.is_empty());
    choose(secrets::read_account(PASSPHRASE_ACCOUNT), env)
}

/// [`passphrase`]'s rule, given what the keychain answered and the variable.
fn choose(
    keychain: Result<Option<Secret>, KeychainError>,
    env: Option<Secret>,
) -> Result<Option<Secret>, BackupError> {
    match keychain {
        Ok(Some(stored)) if !stored.is_empty() => Ok(Some(stored)),
        Ok(_) => Ok(env),
        Err(e) => match env {
            Some(env) => {
                tracing::debug!("keychain not usable ({e}); using {PASSPHRASE_ENV}");
                Ok(Some(env))
            }
            None => Err(e.into()),
        },
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn unreachable() -> Result<Option<Secret>, KeychainError> {
        Err(KeychainError::Unavailable {
            detail: "no Secret Service".into(),
        })
    }

    /// Proves the order: a stored keychain passphrase wins over the variable; the variable is
    /// used when the keychain has none (or an empty one) or cannot be reached; without the
    /// variable an unreachable keychain is an error and an empty one is "no passphrase".
    #[test]
    fn the_keychain_wins_and_the_variable_is_the_fallback() {
        let expose = |r: Result<Option<Secret>, BackupError>| {
            r.expect("a passphrase or none").map(|s| s.expose().to_string())
        };
        let env = || Some(Secret::new("from-env"));
        assert_eq!(
            expose(choose(Ok(Some(Secret::new("from-keychain"))), env())).as_deref(),
            Some("from-keychain")
        );
        assert_eq!(expose(choose(Ok(None), env())).as_deref(), Some("from-env"));
        assert_eq!(
            expose(choose(Ok(Some(Secret::new(""))), env())).as_deref(),
            Some("from-env")
        );
        assert_eq!(expose(choose(unreachable(), env())).as_deref(), Some("from-env"));
        assert_eq!(expose(choose(Ok(None), None)), None);
        let err = choose(unreachable(), None).expect_err("no passphrase anywhere");
        assert!(err.to_string().contains("not reachable"), "{err}");
    }
}
