//! [`Direct`]: the direct calls of one process (the key read off the async thread and cached,
//! the budget check before and the usage record after every call), the `keys` commands and
//! `provider-status`.

use std::time::{Duration, Instant};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    ProviderConfig, ProviderError, ProviderKind, ProviderPatch, ProviderReply, Reachability, call,
    default_provider, get, list, reach,
};
use crate::{
    CoreError, Result, Store,
    generation::usage::{self, BudgetState, Month, Outcome},
    generation::{ChatMessage, ChatRole, DefaultProvider, Generated, GenerationRequest, TokenUsage},
    secrets::{self, KeyCache, KeyLookup, KeychainError, Secret},
};

/// Longest wait for the keychain during a tool call.
const KEYCHAIN_TIMEOUT: Duration = Duration::from_secs(60);

/// A provider as `provider-status` and `providers list` show it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderStatus {
    pub name: String,
    pub kind: ProviderKind,
    pub base_url: String,
    pub default_model: String,
    pub is_default: bool,
    pub needs_key: bool,
    /// Whether a key is available (never the key itself).
    pub key_present: bool,
    /// "keychain" or the environment variable used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_source: Option<String>,
    /// Calls, tokens and cost this month.
    pub usage: UsageSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetState>,
    pub warnings: Vec<String>,
    /// Only when a reachability check was requested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reachability: Option<Reachability>,
}

/// One provider's usage in a month.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsageSummary {
    pub calls: u64,
    pub failed_calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Cost of the priced models, in the budget's currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
}

/// Every provider's status in the current month.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusReport {
    /// The month the usage covers (YYYY-MM, UTC).
    pub month: String,
    pub providers: Vec<ProviderStatus>,
}

/// Where a provider's key stands, for `keys list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyInfo {
    pub provider: String,
    pub needs_key: bool,
    pub present: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Why the keychain could not be asked, if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Direct calls for one process: the key cache (keys are read on first use, then kept), the
/// budget check before and the usage record after every call.
#[derive(Debug, Clone, Default)]
pub struct Direct {
    keys: KeyCache,
}

impl Direct {
    pub fn new() -> Self {
        Self::default()
    }

    /// Looks a key up off the async thread (the keychain is a blocking D-Bus or platform call).
    async fn lookup(&self, provider: &str) -> KeyLookup {
        let keys = self.keys.clone();
        let name = provider.to_string();
        let failed = |detail: String| KeyLookup::Missing {
            keychain: Err(KeychainError::Failed { detail }),
        };
        // A keychain that never answers (a hung D-Bus peer, an unanswered unlock prompt) must
        // not hang the tool call forever.
        match tokio::time::timeout(
            KEYCHAIN_TIMEOUT,
            tokio::task::spawn_blocking(move || keys.lookup(&name)),
        )
        .await
        {
            Ok(Ok(lookup)) => lookup,
            Ok(Err(e)) => failed(format!("the keychain lookup stopped: {e}")),
            Err(_) => failed(format!(
                "it did not answer within {} s; is it waiting for you to unlock it?",
                KEYCHAIN_TIMEOUT.as_secs()
            )),
        }
    }

    /// The key to send: required for kinds that need one, optional for the others.
    async fn key_for(&self, config: &ProviderConfig) -> Result<Option<Secret>, ProviderError> {
        match self.lookup(&config.name).await {
            KeyLookup::Found { secret, .. } => Ok(Some(secret)),
            KeyLookup::Missing { .. } if !config.kind.needs_key() => Ok(None),
            KeyLookup::Missing { keychain } => Err(ProviderError::NoKey {
                provider: config.name.clone(),
                keychain: keychain.err(),
            }),
        }
    }

    /// The default provider and whether it can be called now, for routing.
    pub async fn default_for_routing(&self, store: &Store) -> Result<Option<DefaultProvider>> {
        let Some(config) = default_provider(store)? else {
            return Ok(None);
        };
        let usable = match self.key_for(&config).await {
            Ok(_) => Ok(()),
            Err(e) => Err(e.to_string()),
        };
        Ok(Some(DefaultProvider {
            name: config.name,
            usable,
        }))
    }

    /// Serves a generation with provider `name` (its default model unless `model` is given):
    /// refuses when the budget is used up, records usage, and returns notes (budget warnings).
    pub async fn generate(
        &self,
        store: &Store,
        name: &str,
        model: Option<&str>,
        request: &GenerationRequest,
    ) -> Result<(Generated, Vec<String>)> {
        let (reply, notes) = self.call_recorded(store, name, model, request).await?;
        if reply.text.trim().is_empty() {
            return Err(ProviderError::EmptyReply {
                provider: name.to_string(),
            }
            .into());
        }
        Ok((
            Generated {
                text: reply.text,
                model: reply.model,
                stop_reason: reply.stop_reason,
                route: name.to_string(),
                usage: Some(reply.usage),
            },
            notes,
        ))
    }

    async fn call_recorded(
        &self,
        store: &Store,
        name: &str,
        model: Option<&str>,
        request: &GenerationRequest,
    ) -> Result<(ProviderReply, Vec<String>)> {
        let config = get(store, name)?;
        let model = model
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .unwrap_or(&config.model)
            .to_string();
        usage::check_budget(store, &config.name)?;
        let key = self.key_for(&config).await?;
        let started = Instant::now();
        let result = call(&config, &model, request, key.as_ref()).await;
        let latency_ms = started.elapsed().as_millis() as u64;
        let recorded = match &result {
            // Counted under the model asked for, which is the name prices are set for: providers
            // answer with dated names (gpt-4o-mini-2024-07-18) that would match no price.
            Ok(reply) => Some((Outcome::Ok, reply.usage, model.as_str())),
            Err(e) => e.outcome().map(|o| (o, TokenUsage::default(), model.as_str())),
        };
        if let Some((outcome, tokens, used_model)) = recorded
            && let Err(e) = usage::record(store, &config.name, used_model, outcome, tokens, latency_ms)
        {
            // The reply is real and paid for; losing one count must not lose it.
            tracing::error!(provider = %config.name, "usage not recorded: {e}");
        }
        if let Err(ProviderError::KeyRejected { .. }) = &result {
            // A key fixed with `keys set` in another process must be read again.
            self.keys.forget(&config.name);
        }
        let reply = result?;
        tracing::info!(provider = %config.name, model = %reply.model, latency_ms,
            input_tokens = reply.usage.input_tokens, output_tokens = reply.usage.output_tokens, "provider call done");
        let notes = usage::check_budget(store, &config.name)
            .map(|w| w.into_iter().collect())
            .unwrap_or_else(|e| vec![e.to_string()]);
        Ok((reply, notes))
    }

    /// `keys test`: one minimal real request (a few tokens) with the stored key.
    pub async fn test_key(&self, store: &Store, name: &str, model: Option<&str>) -> Result<ProviderReply> {
        let request = GenerationRequest {
            messages: vec![ChatMessage {
                role: ChatRole::User,
                content: "Reply with the word: ok".into(),
            }],
            system_prompt: None,
            max_tokens: 16,
            temperature: None,
            stop_sequences: Vec::new(),
            include_context: Default::default(),
            model_preferences: None,
        };
        Ok(self.call_recorded(store, name, model, &request).await?.0)
    }

    /// `keys set`: stores a provider's key in the keychain. Blocking.
    pub fn set_key(&self, store: &Store, name: &str, secret: &Secret) -> Result<()> {
        get(store, name)?;
        if secret.is_empty() {
            return Err(CoreError::invalid(
                "The key is empty: paste the key and press Enter.",
            ));
        }
        secrets::store(name, secret).map_err(|e| keychain_for_write(name, e))?;
        self.keys.forget(name);
        Ok(())
    }

    /// The set-up guide's "Test and use", once [`check_key`](super::check_key) said the key
    /// works: stores it in the keychain and makes its provider the default. Blocking.
    pub fn keep_working_key(&self, store: &Store, name: &str, secret: &Secret) -> Result<()> {
        self.set_key(store, name, secret)?;
        let patch = ProviderPatch {
            make_default: true,
            ..Default::default()
        };
        super::set(store, name, patch)?;
        Ok(())
    }

    /// `keys delete`: removes a provider's key; `false` when none was stored. Blocking.
    pub fn delete_key(&self, name: &str) -> Result<bool> {
        let deleted = secrets::delete(name).map_err(|e| keychain_for_write(name, e))?;
        self.keys.forget(name);
        Ok(deleted)
    }

    /// `keys list`: for every provider, whether a key is available and from where.
    pub async fn keys(&self, store: &Store) -> Result<Vec<KeyInfo>> {
        let mut out = Vec::new();
        for config in list(store)? {
            let info = match self.lookup(&config.name).await {
                KeyLookup::Found { source, .. } => KeyInfo {
                    provider: config.name,
                    needs_key: config.kind.needs_key(),
                    present: true,
                    source: Some(source.describe()),
                    problem: None,
                },
                KeyLookup::Missing { keychain } => KeyInfo {
                    provider: config.name,
                    needs_key: config.kind.needs_key(),
                    present: false,
                    source: None,
                    problem: keychain.err().map(|e| e.to_string()),
                },
            };
            out.push(info);
        }
        Ok(out)
    }

    /// `provider-status`: every provider (or one), its key's presence, usage and budget this
    /// month, warnings, and reachability when asked.
    pub async fn status(
        &self,
        store: &Store,
        only: Option<&str>,
        check_reachability: bool,
    ) -> Result<StatusReport> {
        let month = Month::current();
        let usage = usage::month_usage(store, month)?;
        let configs = match only {
            Some(name) => vec![get(store, name)?],
            None => list(store)?,
        };
        let mut providers = Vec::with_capacity(configs.len());
        for config in configs {
            let mut warnings = Vec::new();
            let (key, key_source) = match self.lookup(&config.name).await {
                KeyLookup::Found { secret, source } => (Some(secret), Some(source.describe())),
                KeyLookup::Missing { keychain } => {
                    if config.kind.needs_key() {
                        warnings.push(
                            ProviderError::NoKey {
                                provider: config.name.clone(),
                                keychain: keychain.err(),
                            }
                            .to_string(),
                        );
                    }
                    (None, None)
                }
            };
            let mut summary = UsageSummary::default();
            for u in usage.iter().filter(|u| u.provider == config.name) {
                summary.calls += u.calls;
                summary.failed_calls += u.failed_calls;
                summary.input_tokens += u.input_tokens;
                summary.output_tokens += u.output_tokens;
                if let Some(c) = u.cost {
                    summary.cost = Some(summary.cost.unwrap_or(0.0) + c);
                }
            }
            let budget = usage::budget_state(store, &config.name, month)?;
            if let Some(b) = &budget {
                warnings.extend(b.warning(&config.name));
                if !b.unpriced_models.is_empty() {
                    warnings.push(format!(
                        "Models without a price count as free in the currency budget: {}. Set prices with `mcp-llm-generator budget price {} MODEL --input PRICE --output PRICE`.",
                        b.unpriced_models.join(", "),
                        config.name
                    ));
                }
            }
            let reachability = if check_reachability {
                Some(reach::check_reachability(&config, key.as_ref()).await)
            } else {
                None
            };
            providers.push(ProviderStatus {
                name: config.name.clone(),
                kind: config.kind,
                base_url: config.base_url,
                default_model: config.model,
                is_default: config.is_default,
                needs_key: config.kind.needs_key(),
                key_present: key.is_some(),
                key_source,
                usage: summary,
                budget,
                warnings,
                reachability,
            });
        }
        Ok(StatusReport {
            month: month.to_string(),
            providers,
        })
    }
}

/// A keychain that cannot take a key: say so, and where the server looks instead.
fn keychain_for_write(provider: &str, e: KeychainError) -> CoreError {
    match (&e, secrets::env_var_for(provider)) {
        (KeychainError::Unavailable { .. }, Some(var)) => CoreError::invalid(format!(
            "{e} Nothing was stored. Without a keychain, the server reads the {provider} key from the environment variable {var}."
        )),
        _ => CoreError::Keychain(e),
    }
}
