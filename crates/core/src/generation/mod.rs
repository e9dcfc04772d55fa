//! What a generation request is, independent of how it is served (MCP sampling or a direct
//! provider): typed messages and options, range checks, and the routing rule.

pub mod providers;
pub mod tokens;
pub mod usage;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{CoreError, Result};

/// Allowed ranges, shared by tools, personas and contexts.
pub mod ranges {
    use crate::{CoreError, Result};

    pub const TEMPERATURE_MAX: f64 = 2.0;
    pub const MAX_TOKENS_MAX: u32 = 200_000;
    pub const HISTORY_TOKENS_MIN: u32 = 256;
    pub const HISTORY_TOKENS_MAX: u32 = 2_000_000;
    pub const EXPIRY_DAYS_MAX: u32 = 3650;

    pub fn temperature(t: f64) -> Result<f64> {
        if t.is_finite() && (0.0..=TEMPERATURE_MAX).contains(&t) {
            Ok(t)
        } else {
            Err(CoreError::invalid(format!(
                "temperature must be between 0 and {TEMPERATURE_MAX} (0 = most deterministic); got {t}."
            )))
        }
    }

    pub fn max_tokens(m: u32) -> Result<u32> {
        if (1..=MAX_TOKENS_MAX).contains(&m) {
            Ok(m)
        } else {
            Err(CoreError::invalid(format!(
                "maxTokens must be between 1 and {MAX_TOKENS_MAX}; got {m}."
            )))
        }
    }

    pub fn max_history_tokens(h: u32) -> Result<u32> {
        if (HISTORY_TOKENS_MIN..=HISTORY_TOKENS_MAX).contains(&h) {
            Ok(h)
        } else {
            Err(CoreError::invalid(format!(
                "maxHistoryTokens must be between {HISTORY_TOKENS_MIN} and {HISTORY_TOKENS_MAX}; got {h}."
            )))
        }
    }

    pub fn expiry_days(d: u32) -> Result<u32> {
        if (1..=EXPIRY_DAYS_MAX).contains(&d) {
            Ok(d)
        } else {
            Err(CoreError::invalid(format!(
                "expiryDays must be between 1 and {EXPIRY_DAYS_MAX}; got {d}."
            )))
        }
    }

    pub fn priority(name: &str, p: f64) -> Result<f64> {
        if p.is_finite() && (0.0..=1.0).contains(&p) {
            Ok(p)
        } else {
            Err(CoreError::invalid(format!(
                "{name} must be between 0 and 1; got {p}."
            )))
        }
    }
}

/// Product defaults where neither the caller nor a persona says otherwise.
pub mod defaults {
    pub const MAX_TOKENS: u32 = 1000;
    pub const TEMPERATURE: f64 = 0.7;
    pub const MAX_HISTORY_TOKENS: u32 = 15_000;
    pub const EXPIRY_DAYS: u32 = 7;
}

/// Who said a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ChatRole {
    User,
    Assistant,
}

impl ChatRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Assistant => "assistant",
        }
    }
}

/// One text message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ChatMessage {
    pub role: ChatRole,
    /// The message text.
    pub content: String,
}

/// How much MCP context the client should add (sampling only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub enum IncludeContext {
    #[default]
    None,
    ThisServer,
    AllServers,
}

/// Sampling only: hints for the client's choice of model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelPreferences {
    /// Model names, most preferred first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
    /// 0 to 1: favour low cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_priority: Option<f64>,
    /// 0 to 1: favour speed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_priority: Option<f64>,
    /// 0 to 1: favour capability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intelligence_priority: Option<f64>,
}

impl ModelPreferences {
    fn validate(&self) -> Result<()> {
        for (name, value) in [
            ("costPriority", self.cost_priority),
            ("speedPriority", self.speed_priority),
            ("intelligencePriority", self.intelligence_priority),
        ] {
            if let Some(v) = value {
                ranges::priority(name, v)?;
            }
        }
        Ok(())
    }
}

/// Who generates the reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum ProviderChoice {
    /// The client's model (MCP sampling) if it offers one, else the default direct provider.
    #[default]
    Auto,
    /// Only the client's model.
    Sampling,
    /// Or a direct provider's name (provider-status lists them).
    #[serde(untagged)]
    Named(String),
}

/// A validated generation request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerationRequest {
    pub messages: Vec<ChatMessage>,
    pub system_prompt: Option<String>,
    pub max_tokens: u32,
    pub temperature: Option<f64>,
    pub stop_sequences: Vec<String>,
    pub include_context: IncludeContext,
    pub model_preferences: Option<ModelPreferences>,
}

impl GenerationRequest {
    /// Checks ranges and message order; everything a provider or client would reject later is
    /// refused here with a sentence that says what to change.
    pub fn validate(self) -> Result<Self> {
        if self.messages.is_empty() {
            return Err(CoreError::invalid(
                "messages is empty: give at least one user message.",
            ));
        }
        if self.messages[0].role != ChatRole::User {
            return Err(CoreError::invalid("The first message must have role 'user'."));
        }
        if self.messages.iter().any(|m| m.content.trim().is_empty()) {
            return Err(CoreError::invalid(
                "A message has empty content: remove it or add text.",
            ));
        }
        ranges::max_tokens(self.max_tokens)?;
        if let Some(t) = self.temperature {
            ranges::temperature(t)?;
        }
        if let Some(p) = &self.model_preferences {
            p.validate()?;
        }
        if self.stop_sequences.iter().any(String::is_empty) {
            return Err(CoreError::invalid(
                "stopSequences must not contain an empty string.",
            ));
        }
        Ok(self)
    }
}

/// The result of a generation, whatever served it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Generated {
    /// The generated text.
    pub text: String,
    /// The model that produced it, as reported.
    pub model: String,
    /// Why generation stopped (e.g. endTurn, maxTokens), when reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
    /// "sampling" or the provider's name.
    pub route: String,
    /// Tokens used, as a direct provider reported them (sampling clients report none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<TokenUsage>,
}

/// Tokens one call used, as the provider reported them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenUsage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// The route chosen for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Sampling,
    Provider(String),
}

/// Why no route could be chosen; each says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error(
        "Your MCP client did not declare the 'sampling' capability, so it cannot run the model for this server. Use a client that supports MCP sampling (for example VS Code with GitHub Copilot), or use a direct provider: store its API key with `mcp-llm-generator keys set anthropic` and call with provider 'auto' or 'anthropic' (see the README, 'Direct providers')."
    )]
    SamplingUnsupported,
    #[error(
        "Provider '{0}' is not configured. Use provider 'auto' or 'sampling', or a name from `mcp-llm-generator providers list` (add one with `mcp-llm-generator providers add`)."
    )]
    UnknownProvider(String),
    #[error(
        "Your MCP client did not declare the 'sampling' capability, so it cannot run the model for this server, and the default provider '{provider}' cannot be used: {why}"
    )]
    NoSamplingAndProviderUnusable { provider: String, why: String },
    #[error(
        "Sampling is turned off (setting prefer-sampling = false) and the default provider '{provider}' cannot be used: {why} Or turn sampling back on with `mcp-llm-generator settings set prefer-sampling true`."
    )]
    PreferSamplingOffAndProviderUnusable { provider: String, why: String },
    #[error(
        "No route for this request: the client cannot (or, with prefer-sampling off, may not) do MCP sampling and no default provider is set. Choose one with `mcp-llm-generator providers set NAME --default`, or turn sampling on with `mcp-llm-generator settings set prefer-sampling true`."
    )]
    NoRoute,
}

/// The default direct provider as routing sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultProvider {
    pub name: String,
    /// `Ok` when it can be called now (its key is present, or it needs none); else the fix.
    pub usable: Result<(), String>,
}

/// True when [`choose_route`] needs to know the default provider: checking it reads the
/// keychain, which is only done when the answer matters.
pub fn needs_default_provider(
    choice: &ProviderChoice,
    client_supports_sampling: bool,
    prefer_sampling: bool,
) -> bool {
    matches!(choice, ProviderChoice::Auto) && !(client_supports_sampling && prefer_sampling)
}

/// The routing rule of ARCHITECTURE.md. `auto`: MCP sampling when the client offers it and
/// prefer-sampling is on; else the default provider if it is usable; else an error that says
/// how to fix it. A named route is forced. `is_configured` tells whether a provider exists;
/// `default_provider` is only consulted when [`needs_default_provider`] says so.
pub fn choose_route(
    choice: &ProviderChoice,
    client_supports_sampling: bool,
    prefer_sampling: bool,
    is_configured: impl FnOnce(&str) -> bool,
    default_provider: Option<DefaultProvider>,
) -> Result<Route, RouteError> {
    match choice {
        ProviderChoice::Sampling if client_supports_sampling => Ok(Route::Sampling),
        ProviderChoice::Sampling => Err(RouteError::SamplingUnsupported),
        ProviderChoice::Named(name) if is_configured(name) => Ok(Route::Provider(name.clone())),
        ProviderChoice::Named(name) => Err(RouteError::UnknownProvider(name.clone())),
        ProviderChoice::Auto if client_supports_sampling && prefer_sampling => Ok(Route::Sampling),
        ProviderChoice::Auto => match default_provider {
            Some(DefaultProvider { name, usable: Ok(()) }) => Ok(Route::Provider(name)),
            Some(DefaultProvider {
                name,
                usable: Err(why),
            }) if !client_supports_sampling => {
                Err(RouteError::NoSamplingAndProviderUnusable { provider: name, why })
            }
            Some(DefaultProvider {
                name,
                usable: Err(why),
            }) => Err(RouteError::PreferSamplingOffAndProviderUnusable { provider: name, why }),
            None if !client_supports_sampling => Err(RouteError::SamplingUnsupported),
            None => Err(RouteError::NoRoute),
        },
    }
}

/// How `provider: auto` routes for a client, in words, decided by [`choose_route`] itself so the
/// description cannot drift from the rule. `default_provider` as for `choose_route` (only needed
/// when [`needs_default_provider`] says so for `Auto`).
pub fn describe_auto_route(
    client_supports_sampling: bool,
    prefer_sampling: bool,
    default_provider: Option<DefaultProvider>,
) -> String {
    let route = choose_route(
        &ProviderChoice::Auto,
        client_supports_sampling,
        prefer_sampling,
        // `auto` never asks whether a named provider exists.
        |_| false,
        default_provider,
    );
    match route {
        Ok(Route::Sampling) => "sampling (your client's model)".to_string(),
        Ok(Route::Provider(name)) => format!("provider '{name}'"),
        Err(why) => format!("none: {why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The description follows the routing rule in every case: sampling first when offered and
    /// preferred, then a usable default provider, else the reason with its fix.
    #[test]
    fn the_auto_route_description_follows_choose_route() {
        let usable = || {
            Some(DefaultProvider {
                name: "anthropic".into(),
                usable: Ok(()),
            })
        };
        let keyless = || {
            Some(DefaultProvider {
                name: "anthropic".into(),
                usable: Err("no API key.".into()),
            })
        };
        assert_eq!(
            describe_auto_route(true, true, None),
            "sampling (your client's model)"
        );
        assert_eq!(describe_auto_route(true, false, usable()), "provider 'anthropic'");
        assert_eq!(describe_auto_route(false, true, usable()), "provider 'anthropic'");
        let none = describe_auto_route(false, true, keyless());
        assert!(
            none.starts_with("none: ") && none.contains("no API key"),
            "{none}"
        );
        let none = describe_auto_route(false, true, None);
        assert!(
            none.contains("did not declare the 'sampling' capability"),
            "{none}"
        );
    }

    fn request(temperature: Option<f64>) -> GenerationRequest {
        GenerationRequest {
            messages: vec![ChatMessage {
                role: ChatRole::User,
                content: "hi".into(),
            }],
            system_prompt: None,
            max_tokens: 10,
            temperature,
            stop_sequences: vec![],
            include_context: IncludeContext::None,
            model_preferences: None,
        }
    }

    #[test]
    fn temperature_zero_is_kept_and_out_of_range_is_refused() {
        assert_eq!(
            request(Some(0.0)).validate().expect("valid").temperature,
            Some(0.0)
        );
        assert!(request(Some(2.5)).validate().is_err());
        assert!(request(Some(f64::NAN)).validate().is_err());
    }

    #[test]
    fn provider_choice_parses_keywords_and_names() {
        let auto: ProviderChoice = serde_json::from_str("\"auto\"").expect("auto");
        let named: ProviderChoice = serde_json::from_str("\"ollama\"").expect("named");
        assert_eq!(auto, ProviderChoice::Auto);
        assert_eq!(named, ProviderChoice::Named("ollama".into()));
    }

    fn default(usable: Result<(), String>) -> Option<DefaultProvider> {
        Some(DefaultProvider {
            name: "anthropic".into(),
            usable,
        })
    }

    #[test]
    fn routing_follows_the_client_capability_and_the_default_provider() {
        let yes = |_: &str| true;
        assert_eq!(
            choose_route(&ProviderChoice::Auto, true, true, yes, None),
            Ok(Route::Sampling)
        );
        // No sampling: the default provider when usable, else an error naming both fixes.
        assert_eq!(
            choose_route(&ProviderChoice::Auto, false, true, yes, default(Ok(()))),
            Ok(Route::Provider("anthropic".into()))
        );
        let err = choose_route(
            &ProviderChoice::Auto,
            false,
            true,
            yes,
            default(Err("no key.".into())),
        )
        .expect_err("unusable");
        assert!(
            err.to_string().contains("sampling") && err.to_string().contains("no key."),
            "{err}"
        );
        assert_eq!(
            choose_route(&ProviderChoice::Sampling, false, true, yes, None),
            Err(RouteError::SamplingUnsupported)
        );
        // prefer-sampling off: the provider even though the client could sample.
        assert_eq!(
            choose_route(&ProviderChoice::Auto, true, false, yes, default(Ok(()))),
            Ok(Route::Provider("anthropic".into()))
        );
        assert_eq!(
            choose_route(&ProviderChoice::Auto, true, false, yes, None),
            Err(RouteError::NoRoute)
        );
        assert!(!needs_default_provider(&ProviderChoice::Auto, true, true));
        assert!(needs_default_provider(&ProviderChoice::Auto, false, true));
    }

    #[test]
    fn a_named_provider_is_forced_only_when_configured() {
        let named = ProviderChoice::Named("ollama".into());
        assert_eq!(
            choose_route(&named, true, true, |n| n == "ollama", None),
            Ok(Route::Provider("ollama".into()))
        );
        assert_eq!(
            choose_route(&named, true, true, |_| false, None),
            Err(RouteError::UnknownProvider("ollama".into()))
        );
    }
}
