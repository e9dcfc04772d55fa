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
            return vec![Check::found(Finding::ProvidersUnreadable {
                error: e.to_string(),
            })];
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
        Ok(Ok(KeyLookup::Missing { keychain })) => (
            false,
            None,
            keychain
                .err()
                .map(|e| Finding::KeychainUnreachable { error: e.to_string() }),
        ),
        Ok(Err(e)) => (
            false,
            None,
            Some(Finding::KeychainStopped { error: e.to_string() }),
        ),
        Err(_) => (
            false,
            None,
            Some(Finding::KeychainTimeout {
                seconds: KEYCHAIN_WAIT.as_secs(),
            }),
        ),
    };
    let keychain = match (problem, &source) {
        (Some(problem), _) => problem,
        (None, Some(KeySource::Env(var))) => Finding::KeychainFromEnv {
            provider: probe,
            variable: var.to_string(),
        },
        _ => Finding::KeychainOk,
    };
    let key = match default {
        None => Finding::NoDefaultProvider,
        Some(d) if !d.kind.needs_key() => Finding::KeyNotNeeded { provider: d.name },
        Some(d) if present => Finding::KeyPresent {
            provider: d.name,
            variable: match source {
                Some(KeySource::Env(var)) => Some(var.to_string()),
                _ => None,
            },
        },
        Some(d) => Finding::KeyMissing { provider: d.name },
    };
    vec![Check::found(keychain), Check::found(key)]
}

pub(super) fn budget_check(store: &Store) -> Check {
    let month = Month::current();
    let providers = match providers::list(store) {
        Ok(p) => p,
        Err(e) => return Check::found(Finding::BudgetsUnreadable { error: e.to_string() }),
    };
    let mut budgets = 0;
    let mut exhausted = false;
    let mut notes = Vec::new();
    for p in providers {
        match usage::budget_state(store, &p.name, month) {
            Ok(Some(state)) => {
                budgets += 1;
                exhausted |= state.exhausted();
                if state.warning(&p.name).is_some() {
                    notes.push(BudgetNote::Used {
                        provider: p.name,
                        state,
                    });
                }
            }
            Ok(None) => {}
            Err(e) => notes.push(BudgetNote::Unreadable {
                provider: p.name,
                error: e.to_string(),
            }),
        }
    }
    Check::found(match () {
        _ if exhausted => Finding::BudgetsExhausted { budgets: notes },
        _ if !notes.is_empty() => Finding::BudgetsNear { budgets: notes },
        _ if budgets == 0 => Finding::NoBudget,
        _ => Finding::BudgetsFine { count: budgets },
    })
}
