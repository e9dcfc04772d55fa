//! Why a direct call failed: [`ProviderError`], whose every message names the provider and what
//! to do (and none contains the key), and the usage outcome each failure is counted as.

use crate::{
    generation::usage::Outcome,
    secrets::{self, KeychainError},
};

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
    pub(super) fn outcome(&self) -> Option<Outcome> {
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
