//! The provider checks: the default provider's key in the keychain, and the monthly budgets.

use super::*;
use crate::{
    Store,
    generation::providers,
    generation::usage::{self, Month},
    secrets::{KeyCache, KeyLookup, KeySource},
};

/// The longest the keychain may take to answer the check's one lookup (an unanswered unlock
/// prompt must not hang the tray's check).
pub(super) const KEYCHAIN_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// `keychain` and `provider-key`, from one lookup of the default provider's key (never printed).
pub(super) async fn key_checks(store: &Store) -> Vec<Check> {
    let (default, all) = match (providers::default_provider(store), providers::list(store)) {
        (Ok(d), Ok(all)) => (d, all),
        (Err(e), _) | (_, Err(e)) => {
            return vec![Check::error(
                "provider-key",
                format!("The providers cannot be read: {e}"),
                RESTORE_FIX,
            )];
        }
    };
    // Without a default provider, any provider's lookup still tells whether the keychain answers.
    let Some(probe) = default.as_ref().or(all.first()).map(|p| p.name.clone()) else {
        return Vec::new();
    };
    let name = probe.clone();
    let lookup = tokio::time::timeout(
        KEYCHAIN_WAIT,
        tokio::task::spawn_blocking(move || KeyCache::default().lookup(&name)),
    )
    .await;
    let (present, source, problem) = match lookup {
        Ok(Ok(KeyLookup::Found { source, .. })) => (true, Some(source), None),
        Ok(Ok(KeyLookup::Missing { keychain })) => (false, None, keychain.err().map(|e| e.to_string())),
        Ok(Err(e)) => (false, None, Some(format!("The keychain lookup stopped: {e}."))),
        Err(_) => (
            false,
            None,
            Some(format!(
                "The OS keychain did not answer within {} s; it may be waiting for you to unlock it.",
                KEYCHAIN_WAIT.as_secs()
            )),
        ),
    };
    let keychain = match (&problem, source) {
        (Some(p), _) => Check::warning(
            "keychain",
            p.clone(),
            "Without a keychain, keys cannot be stored; generation through your client's model (MCP sampling) still works.",
        ),
        (None, Some(KeySource::Env(var))) => Check::warning(
            "keychain",
            format!(
                "The OS keychain is not reachable; the {probe} key comes from the environment variable {var}."
            ),
            "Start a Secret Service (GNOME Keyring or KWallet) in your session to keep keys in the keychain.",
        ),
        _ => Check::ok("keychain", "The OS keychain answers."),
    };
    let key = match default {
        None => Check::warning(
            "provider-key",
            "No default provider is set, so clients without MCP sampling cannot generate text.",
            "Choose one with `mcp-llm-generator providers set NAME --default`.",
        ),
        Some(d) if !d.kind.needs_key() => Check::ok(
            "provider-key",
            format!("The default provider '{}' needs no key.", d.name),
        ),
        Some(d) if present => Check::ok(
            "provider-key",
            format!(
                "The default provider '{}' has a key ({}).",
                d.name,
                source.map_or_else(|| "keychain".to_string(), KeySource::describe)
            ),
        ),
        Some(d) => Check::warning(
            "provider-key",
            format!(
                "The default provider '{}' has no key, so clients without MCP sampling cannot generate text.",
                d.name
            ),
            format!(
                "Store one with `mcp-llm-generator keys set {}` (or choose another default provider).",
                d.name
            ),
        ),
    };
    vec![keychain, key]
}

pub(super) fn budget_check(store: &Store) -> Check {
    let month = Month::current();
    let mut worst = Level::Ok;
    let mut notes = Vec::new();
    let providers = match providers::list(store) {
        Ok(p) => p,
        Err(e) => {
            return Check::error("budget", format!("The budgets cannot be read: {e}"), RESTORE_FIX);
        }
    };
    let mut budgets = 0;
    for p in providers {
        match usage::budget_state(store, &p.name, month) {
            Ok(Some(state)) => {
                budgets += 1;
                if state.exhausted() {
                    worst = worst.max(Level::Error);
                } else if state.warning(&p.name).is_some() {
                    worst = worst.max(Level::Warning);
                }
                notes.extend(state.warning(&p.name));
            }
            Ok(None) => {}
            Err(e) => {
                worst = worst.max(Level::Warning);
                notes.push(format!("The budget of '{}' cannot be read: {e}", p.name));
            }
        }
    }
    match worst {
        Level::Ok if budgets == 0 => Check::ok("budget", "No monthly budget is set."),
        Level::Ok => Check::ok(
            "budget",
            format!("{budgets} monthly budget(s), all under 80 % used."),
        ),
        level => Check {
            id: "budget",
            level,
            message: notes.join(" "),
            fix: Some(
                "Raise the budget with `mcp-llm-generator budget set PROVIDER AMOUNT`, or wait for next month.".into(),
            ),
        },
    }
}
