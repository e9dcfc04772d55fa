//! Direct LLM providers: their configuration in the store (the built-in `anthropic` and
//! `openai`, plus any the user adds), the typed errors of a call, and [`Direct`], which serves a
//! generation over HTTP with the key from the keychain, the budget check and usage accounting.
//!
//! Nothing here runs at start-up: the HTTP client is built and keys are read on first use.

mod anthropic;
mod http;
mod openai;
mod reach;
mod scrub;

use std::time::{Duration, Instant};

use rusqlite::{OptionalExtension, Row, params};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{
    CoreError, Result, Store,
    generation::{ChatMessage, ChatRole, DefaultProvider, Generated, GenerationRequest, TokenUsage},
    secrets::{self, KeyCache, KeyLookup, KeychainError, Secret},
    timefmt,
    usage::{self, BudgetState, Month, Outcome},
};

pub use anthropic::API_VERSION as ANTHROPIC_API_VERSION;
pub use reach::{Reachability, check_reachability};

/// Default request timeout of a new provider.
pub const DEFAULT_TIMEOUT_SECS: u32 = 120;
/// Default extra attempts of a new provider.
pub const DEFAULT_RETRIES: u32 = 2;
const TIMEOUT_MAX_SECS: u32 = 3600;
const RETRIES_MAX: u32 = 10;
/// Longest wait for the keychain during a tool call.
const KEYCHAIN_TIMEOUT: Duration = Duration::from_secs(60);

/// The wire protocol a provider speaks.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderKind {
    /// The Anthropic Messages API.
    Anthropic,
    /// OpenAI Chat Completions.
    Openai,
    /// Any server speaking OpenAI Chat Completions (Ollama, LM Studio, vLLM, ...); key optional.
    OpenaiCompatible,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Anthropic => "anthropic",
            Self::Openai => "openai",
            Self::OpenaiCompatible => "openai-compatible",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        match text.trim() {
            "anthropic" => Ok(Self::Anthropic),
            "openai" => Ok(Self::Openai),
            "openai-compatible" => Ok(Self::OpenaiCompatible),
            other => Err(CoreError::invalid(format!(
                "Provider kind '{other}' is unknown: use anthropic, openai or openai-compatible."
            ))),
        }
    }

    /// Whether calls need a key. A local OpenAI-compatible server (Ollama) usually takes none.
    pub fn needs_key(self) -> bool {
        !matches!(self, Self::OpenaiCompatible)
    }
}

/// A configured provider. Holds no key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderConfig {
    pub name: String,
    pub kind: ProviderKind,
    /// Base URL including the API version path, e.g. https://api.openai.com/v1.
    pub base_url: String,
    /// The model used when a call names none.
    pub model: String,
    pub timeout_secs: u32,
    /// Extra attempts after a 429, a 5xx or a dropped connection.
    pub retries: u32,
    /// Used by provider "auto" when sampling is not available.
    pub is_default: bool,
    /// anthropic and openai: can be changed, not removed.
    pub builtin: bool,
}

/// A provider to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProvider {
    pub name: String,
    pub kind: ProviderKind,
    pub base_url: String,
    pub model: String,
    pub timeout_secs: Option<u32>,
    pub retries: Option<u32>,
    pub make_default: bool,
}

/// Changes to a provider; `None` keeps a value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderPatch {
    pub base_url: Option<String>,
    pub model: Option<String>,
    pub timeout_secs: Option<u32>,
    pub retries: Option<u32>,
    pub make_default: bool,
}

const COLUMNS: &str = "name, kind, base_url, model, timeout_secs, retries, is_default, builtin";

fn from_row(row: &Row<'_>) -> rusqlite::Result<(ProviderConfig, String)> {
    let kind: String = row.get(1)?;
    Ok((
        ProviderConfig {
            name: row.get(0)?,
            kind: ProviderKind::Openai, // replaced by `decode`
            base_url: row.get(2)?,
            model: row.get(3)?,
            timeout_secs: row.get(4)?,
            retries: row.get(5)?,
            is_default: row.get(6)?,
            builtin: row.get(7)?,
        },
        kind,
    ))
}

fn decode((mut config, kind): (ProviderConfig, String)) -> Result<ProviderConfig> {
    config.kind = ProviderKind::parse(&kind)?;
    Ok(config)
}

/// Every provider, the default first, then by name.
pub fn list(store: &Store) -> Result<Vec<ProviderConfig>> {
    store.read(|conn| {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM providers ORDER BY is_default DESC, name"
        ))?;
        let rows = stmt.query_map([], from_row)?;
        rows.map(|r| decode(r?)).collect()
    })
}

/// One provider, or `None`.
pub fn find(store: &Store, name: &str) -> Result<Option<ProviderConfig>> {
    store.read(|conn| find_in(conn, name))
}

fn find_in(conn: &rusqlite::Connection, name: &str) -> Result<Option<ProviderConfig>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM providers WHERE name = ?1"),
        [name],
        from_row,
    )
    .optional()?
    .map(decode)
    .transpose()
}

fn not_found(name: &str) -> CoreError {
    CoreError::NotFound {
        kind: "Provider",
        name: name.to_string(),
        hint: "`mcp-llm-generator providers list` shows the configured providers; add one with `mcp-llm-generator providers add`.",
    }
}

/// One provider.
pub fn get(store: &Store, name: &str) -> Result<ProviderConfig> {
    find(store, name)?.ok_or_else(|| not_found(name))
}

/// The default provider, if one is set.
pub fn default_provider(store: &Store) -> Result<Option<ProviderConfig>> {
    Ok(list(store)?.into_iter().find(|p| p.is_default))
}

fn validate_base_url(url: &str) -> Result<String> {
    let trimmed = url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(trimmed).map_err(|e| {
        CoreError::invalid(format!(
            "'{url}' is not a valid base URL ({e}). Write it with http:// or https://, e.g. http://localhost:11434/v1."
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(CoreError::invalid(format!(
            "'{url}' is not a valid base URL: it must start with http:// or https:// and name a host."
        )));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        // A password in a URL would be stored in the database and shown by `providers list`.
        return Err(CoreError::invalid(
            "The base URL must not contain a user name or password: store the key with `mcp-llm-generator keys set NAME`.",
        ));
    }
    Ok(trimmed.to_string())
}

fn validate_numbers(timeout: Option<u32>, retries: Option<u32>) -> Result<()> {
    if let Some(t) = timeout
        && !(1..=TIMEOUT_MAX_SECS).contains(&t)
    {
        return Err(CoreError::invalid(format!(
            "The timeout must be 1 to {TIMEOUT_MAX_SECS} seconds; got {t}."
        )));
    }
    if let Some(r) = retries
        && r > RETRIES_MAX
    {
        return Err(CoreError::invalid(format!(
            "Retries must be 0 to {RETRIES_MAX}; got {r}."
        )));
    }
    Ok(())
}

fn validate_model(model: &str) -> Result<String> {
    let m = model.trim();
    if m.is_empty() {
        return Err(CoreError::invalid("Give a default model, e.g. --model llama3.2."));
    }
    Ok(m.to_string())
}

/// Adds a provider.
pub fn add(store: &Store, new: NewProvider) -> Result<ProviderConfig> {
    crate::templates::validate_name("Provider", &new.name)?;
    if matches!(new.name.as_str(), "auto" | "sampling") {
        return Err(CoreError::invalid(format!(
            "'{}' is a routing keyword and cannot name a provider.",
            new.name
        )));
    }
    let base_url = validate_base_url(&new.base_url)?;
    let model = validate_model(&new.model)?;
    validate_numbers(new.timeout_secs, new.retries)?;
    store.write(|tx| {
        let exists: Option<i64> = tx
            .query_row("SELECT 1 FROM providers WHERE name = ?1", [&new.name], |r| r.get(0))
            .optional()?;
        if exists.is_some() {
            return Err(CoreError::AlreadyExists {
                kind: "Provider",
                name: new.name.clone(),
            });
        }
        if new.make_default {
            tx.execute("UPDATE providers SET is_default = 0 WHERE is_default = 1", [])?;
        }
        let now = timefmt::now_string();
        tx.execute(
            "INSERT INTO providers (name, kind, base_url, model, timeout_secs, retries, is_default, builtin, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8, ?8)",
            params![
                new.name,
                new.kind.as_str(),
                base_url,
                model,
                new.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS),
                new.retries.unwrap_or(DEFAULT_RETRIES),
                new.make_default,
                now
            ],
        )?;
        Ok(())
    })?;
    get(store, &new.name)
}

/// Changes a provider.
pub fn set(store: &Store, name: &str, patch: ProviderPatch) -> Result<ProviderConfig> {
    let base_url = patch.base_url.as_deref().map(validate_base_url).transpose()?;
    let model = patch.model.as_deref().map(validate_model).transpose()?;
    validate_numbers(patch.timeout_secs, patch.retries)?;
    store.write(|tx| {
        // Read inside the write transaction, so two processes changing different fields at once
        // both keep their change.
        let current = find_in(tx, name)?.ok_or_else(|| not_found(name))?;
        if patch.make_default {
            tx.execute("UPDATE providers SET is_default = 0 WHERE is_default = 1", [])?;
        }
        tx.execute(
            "UPDATE providers SET base_url = ?2, model = ?3, timeout_secs = ?4, retries = ?5,
                is_default = ?6, updated_at = ?7 WHERE name = ?1",
            params![
                name,
                base_url.unwrap_or(current.base_url),
                model.unwrap_or(current.model),
                patch.timeout_secs.unwrap_or(current.timeout_secs),
                patch.retries.unwrap_or(current.retries),
                patch.make_default || current.is_default,
                timefmt::now_string()
            ],
        )?;
        Ok(())
    })?;
    get(store, name)
}

/// Removes a custom provider (its key stays in the keychain until `keys delete`; its usage
/// history stays). Removing the default makes `anthropic` the default again.
pub fn remove(store: &Store, name: &str) -> Result<()> {
    let config = get(store, name)?;
    if config.builtin {
        return Err(CoreError::invalid(format!(
            "'{name}' is built in and cannot be removed. Change it with `mcp-llm-generator providers set {name} ...`, or make another provider the default."
        )));
    }
    store.write(|tx| {
        tx.execute("DELETE FROM providers WHERE name = ?1", [name])?;
        tx.execute("DELETE FROM budgets WHERE provider = ?1", [name])?;
        if config.is_default {
            tx.execute("UPDATE providers SET is_default = 1 WHERE name = 'anthropic'", [])?;
        }
        Ok(())
    })
}

/// Why a direct call failed. Every message names the provider and what to do; none contains
/// the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("{}", no_key_message(.provider, .keychain))]
    NoKey {
        provider: String,
        keychain: Option<KeychainError>,
    },
    #[error("{}", key_rejected_message(.provider, *.status, *.key_sent))]
    KeyRejected {
        provider: String,
        status: u16,
        key_sent: bool,
    },
    #[error(
        "Provider '{provider}' does not know the model '{model}' (HTTP 404: {message}). Name another with the tool's 'model' argument, or change the default with `mcp-llm-generator providers set {provider} --model MODEL`."
    )]
    ModelNotFound {
        provider: String,
        model: String,
        message: String,
    },
    #[error(
        "Provider '{provider}' has no API at {base_url} (HTTP 404). Check the base URL (it usually ends in /v1) with `mcp-llm-generator providers set {provider} --base-url URL`."
    )]
    EndpointNotFound { provider: String, base_url: String },
    #[error("{}", rate_limited_message(.provider, *.attempts, *.retry_after_secs, .message))]
    RateLimited {
        provider: String,
        attempts: u32,
        retry_after_secs: Option<u64>,
        message: String,
    },
    #[error(
        "Provider '{provider}' did not answer within {secs} s. Try again, ask for fewer maxTokens, or raise its timeout with `mcp-llm-generator providers set {provider} --timeout SECONDS`."
    )]
    Timeout { provider: String, secs: u64 },
    #[error(
        "Cannot reach provider '{provider}' at {base_url}: {detail}. Check your network connection and the base URL; behind a proxy, set HTTPS_PROXY (and NO_PROXY for local servers)."
    )]
    Network {
        provider: String,
        base_url: String,
        detail: String,
    },
    #[error(
        "Provider '{provider}' failed with HTTP {status} after {attempts} attempt(s): {message}. This is on the provider's side; try again later."
    )]
    ServerError {
        provider: String,
        status: u16,
        attempts: u32,
        message: String,
    },
    #[error(
        "Provider '{provider}' at {from} answered with a redirect to {to}; the API key and the request were not sent there. Check the base URL with `mcp-llm-generator providers set {provider} --base-url URL` (set it to the new address only if you trust it)."
    )]
    Redirected {
        provider: String,
        from: String,
        to: String,
    },
    #[error("Provider '{provider}' refused the request (HTTP {status}): {message}")]
    Refused {
        provider: String,
        status: u16,
        message: String,
    },
    #[error("Provider '{provider}' cannot serve this request: {detail}")]
    Unsupported { provider: String, detail: String },
    #[error("Provider '{provider}' sent an answer this version cannot read ({detail}).")]
    BadResponse { provider: String, detail: String },
    #[error("Provider '{provider}' returned no text. Nothing was stored; try again or raise maxTokens.")]
    EmptyReply { provider: String },
    #[error("The HTTP client could not be set up ({detail}). Check the system's TLS certificates.")]
    ClientSetup { detail: String },
}

fn no_key_message(provider: &str, keychain: &Option<KeychainError>) -> String {
    match keychain {
        None => format!(
            "No API key is stored for provider '{provider}'. Run `mcp-llm-generator keys set {provider}` (the key goes to your OS keychain, never to a file)."
        ),
        Some(e) => {
            let fallback = match secrets::env_var_for(provider) {
                Some(var) => format!(
                    "Store the key once a keychain is available, or set {var} in the server's environment."
                ),
                None => "Custom providers read their key only from the keychain.".into(),
            };
            format!("No API key for provider '{provider}': {e} {fallback}")
        }
    }
}

fn key_rejected_message(provider: &str, status: u16, key_sent: bool) -> String {
    if key_sent {
        format!(
            "Provider '{provider}' rejected the API key (HTTP {status}). Store a valid key with `mcp-llm-generator keys set {provider}`."
        )
    } else {
        format!(
            "Provider '{provider}' needs an API key (HTTP {status}). Store one with `mcp-llm-generator keys set {provider}`."
        )
    }
}

fn rate_limited_message(provider: &str, attempts: u32, retry_after: Option<u64>, message: &str) -> String {
    let when = retry_after.map_or_else(
        || "Wait a little".to_string(),
        |s| format!("The provider asks to wait {s} s"),
    );
    format!(
        "Provider '{provider}' is rate limiting this key (HTTP 429, {attempts} attempt(s)): {message}. {when} and try again, or check the plan and limits of your account."
    )
}

impl ProviderError {
    fn outcome(&self) -> Option<Outcome> {
        Some(match self {
            Self::KeyRejected { .. } => Outcome::KeyRejected,
            Self::ModelNotFound { .. } => Outcome::ModelNotFound,
            Self::RateLimited { .. } => Outcome::RateLimited,
            Self::Timeout { .. } => Outcome::Timeout,
            Self::Network { .. } => Outcome::Network,
            Self::EndpointNotFound { .. }
            | Self::ServerError { .. }
            | Self::Refused { .. }
            | Self::Redirected { .. }
            | Self::BadResponse { .. }
            | Self::EmptyReply { .. } => Outcome::Error,
            // Nothing was sent.
            Self::NoKey { .. } | Self::Unsupported { .. } | Self::ClientSetup { .. } => return None,
        })
    }
}

/// What a provider answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderReply {
    pub text: String,
    pub model: String,
    pub stop_reason: Option<String>,
    pub usage: TokenUsage,
}

/// One call to a provider, without accounting: the protocol of its kind, the shared client and
/// the retry loop.
pub async fn call(
    config: &ProviderConfig,
    model: &str,
    request: &GenerationRequest,
    key: Option<&Secret>,
) -> Result<ProviderReply, ProviderError> {
    let wire = match config.kind {
        ProviderKind::Anthropic => anthropic::build(config, model, request, key)?,
        ProviderKind::Openai | ProviderKind::OpenaiCompatible => openai::build(config, model, request, key),
    };
    let response = http::send(config, model, &wire, key).await?;
    let parsed = match config.kind {
        ProviderKind::Anthropic => anthropic::parse(config, &response.body),
        ProviderKind::Openai | ProviderKind::OpenaiCompatible => openai::parse(config, model, &response.body),
    };
    // What the provider wrote reaches the user, the log and the database: a parse error can
    // quote the body, and a server echoing requests would echo the key.
    match parsed {
        Ok(reply) => Ok(ProviderReply {
            text: scrub::scrub_whole_key(&reply.text, key),
            model: http::scrub(&reply.model, key),
            stop_reason: reply.stop_reason.map(|s| http::scrub(&s, key)),
            usage: reply.usage,
        }),
        Err(ProviderError::BadResponse { provider, detail }) => Err(ProviderError::BadResponse {
            provider,
            detail: http::scrub(&detail, key),
        }),
        Err(e) => Err(e),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn ollama() -> NewProvider {
        NewProvider {
            name: "ollama".into(),
            kind: ProviderKind::OpenaiCompatible,
            base_url: "http://localhost:11434/v1/".into(),
            model: "llama3.2".into(),
            timeout_secs: None,
            retries: None,
            make_default: false,
        }
    }

    #[test]
    fn built_in_providers_exist_from_the_start_and_anthropic_is_the_default() {
        let store = Store::open_in_memory().expect("store");
        let names: Vec<String> = list(&store).expect("list").into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["anthropic", "openai"]);
        assert_eq!(
            default_provider(&store).expect("default").expect("set").name,
            "anthropic"
        );
        assert!(
            remove(&store, "openai")
                .expect_err("built in")
                .to_string()
                .contains("providers set openai")
        );
    }

    #[test]
    fn adding_setting_and_removing_a_provider_keeps_one_default() {
        let store = Store::open_in_memory().expect("store");
        let added = add(&store, ollama()).expect("add");
        assert_eq!(
            added.base_url, "http://localhost:11434/v1",
            "trailing slash dropped"
        );
        assert_eq!(
            (added.timeout_secs, added.retries),
            (DEFAULT_TIMEOUT_SECS, DEFAULT_RETRIES)
        );
        assert!(matches!(
            add(&store, ollama()),
            Err(CoreError::AlreadyExists { .. })
        ));
        let changed = set(
            &store,
            "ollama",
            ProviderPatch {
                model: Some("qwen3".into()),
                make_default: true,
                ..Default::default()
            },
        )
        .expect("set");
        assert!(changed.is_default);
        assert_eq!(changed.model, "qwen3");
        let defaults = list(&store)
            .expect("list")
            .iter()
            .filter(|p| p.is_default)
            .count();
        assert_eq!(defaults, 1);
        remove(&store, "ollama").expect("remove");
        assert_eq!(
            default_provider(&store).expect("default").expect("set").name,
            "anthropic"
        );
    }

    #[test]
    fn bad_provider_settings_are_refused_with_a_fix() {
        let store = Store::open_in_memory().expect("store");
        let mut p = ollama();
        p.base_url = "localhost:11434".into();
        assert!(add(&store, p).is_err());
        let mut p = ollama();
        p.base_url = "https://user:pw@example.com/v1".into();
        assert!(
            add(&store, p)
                .expect_err("password")
                .to_string()
                .contains("keys set")
        );
        let mut p = ollama();
        p.name = "auto".into();
        assert!(add(&store, p).is_err());
        let mut p = ollama();
        p.timeout_secs = Some(0);
        assert!(add(&store, p).is_err());
        assert!(ProviderKind::parse("gemini").is_err());
    }

    #[test]
    fn error_messages_say_where_to_fix_the_key() {
        let rejected = ProviderError::KeyRejected {
            provider: "openai".into(),
            status: 401,
            key_sent: true,
        };
        assert!(rejected.to_string().contains("mcp-llm-generator keys set openai"));
        let missing = ProviderError::NoKey {
            provider: "anthropic".into(),
            keychain: Some(KeychainError::Unavailable {
                detail: "no bus".into(),
            }),
        };
        let text = missing.to_string();
        assert!(
            text.contains("not reachable") && text.contains("ANTHROPIC_API_KEY"),
            "{text}"
        );
    }
}
