//! Direct LLM providers: their configuration in the store (the built-in `anthropic` and
//! `openai`, plus any the user adds), the typed errors of a call, and [`Direct`], which serves a
//! generation over HTTP with the key from the keychain, the budget check and usage accounting.
//!
//! Nothing here runs at start-up: the HTTP client is built and keys are read on first use.

mod anthropic;
mod direct;
mod error;
mod http;
mod keycheck;
pub mod local;
mod openai;
mod reach;
mod scrub;

use rusqlite::{OptionalExtension, Row, params};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{
    CoreError, Result, Store,
    generation::{GenerationRequest, TokenUsage},
    secrets::Secret,
    timefmt,
};

pub use anthropic::API_VERSION as ANTHROPIC_API_VERSION;
pub use direct::{Direct, KeyInfo, ProviderStatus, StatusReport, UsageSummary};
pub use error::ProviderError;
pub use keycheck::{KeyCheck, check_key};
pub use reach::{Reachability, check_reachability};

/// Default request timeout of a new provider.
pub const DEFAULT_TIMEOUT_SECS: u32 = 120;
/// Default extra attempts of a new provider.
pub const DEFAULT_RETRIES: u32 = 2;
const TIMEOUT_MAX_SECS: u32 = 3600;
const RETRIES_MAX: u32 = 10;

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

    /// The public API's address, for kinds that have one (an OpenAI-compatible server is
    /// wherever the user runs it). The built-in providers were seeded with these.
    pub fn default_base_url(self) -> Option<&'static str> {
        match self {
            Self::Anthropic => Some("https://api.anthropic.com/v1"),
            Self::Openai => Some("https://api.openai.com/v1"),
            Self::OpenaiCompatible => None,
        }
    }

    /// The model the built-in provider of this kind was seeded with.
    pub fn default_model(self) -> Option<&'static str> {
        match self {
            Self::Anthropic => Some("claude-sonnet-4-5"),
            Self::Openai => Some("gpt-4o-mini"),
            Self::OpenaiCompatible => None,
        }
    }

    /// `given`, or this kind's public address; an OpenAI-compatible provider must be given one.
    pub fn base_url_or_default(self, given: Option<String>) -> Result<String> {
        match (given, self.default_base_url()) {
            (Some(url), _) => Ok(url),
            (None, Some(url)) => Ok(url.to_string()),
            (None, None) => Err(CoreError::invalid(
                "An openai-compatible provider needs a base URL, e.g. http://localhost:11434/v1 for Ollama, http://localhost:1234/v1 for LM Studio.",
            )),
        }
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
    crate::limits::check_name("Provider", &new.name)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::KeychainError;

    /// The landed migration seeded the built-in providers; their rows must say exactly what
    /// `ProviderKind` says are the defaults, so the CLI, the app and a fresh database agree.
    #[test]
    fn the_seeded_builtins_carry_the_kinds_defaults() {
        let store = Store::open_in_memory().expect("store");
        for name in ["anthropic", "openai"] {
            let p = find(&store, name).expect("read").expect("seeded");
            assert_eq!(Some(p.base_url.as_str()), p.kind.default_base_url(), "{name}");
            assert_eq!(Some(p.model.as_str()), p.kind.default_model(), "{name}");
        }
        assert!(ProviderKind::OpenaiCompatible.base_url_or_default(None).is_err());
        assert_eq!(
            ProviderKind::Openai.base_url_or_default(None).ok().as_deref(),
            Some("https://api.openai.com/v1")
        );
    }

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
