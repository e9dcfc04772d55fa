//! The reachability check of `provider-status`: one `GET {base_url}/models` with the key, which
//! spends no tokens, reported as whether an HTTP answer came back and what it said.

use std::time::{Duration, Instant};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ProviderConfig, ProviderKind, anthropic, http, openai};
use crate::secrets::Secret;

/// Longest wait of a reachability check.
const REACH_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether a provider answers at its base URL (`GET {base_url}/models`; spends no tokens).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reachability {
    /// An HTTP answer came back (whatever its status).
    pub reachable: bool,
    /// What came back, e.g. "HTTP 200" or "key rejected (HTTP 401)" or the network error.
    pub detail: String,
    pub latency_ms: u64,
}

/// Checks whether `config` answers, sending `key` the way its kind does. Never fails: what went
/// wrong is the `detail` of an unreachable answer.
pub async fn check_reachability(config: &ProviderConfig, key: Option<&Secret>) -> Reachability {
    let started = Instant::now();
    let timeout = REACH_TIMEOUT.min(Duration::from_secs(u64::from(config.timeout_secs.max(1))));
    let result = get_models(&config.name, config.kind, &config.base_url, key, timeout).await;
    let latency_ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(response) => {
            let status = response.status().as_u16();
            let detail = match (http::redirect_of(&response, key), status) {
                // The client follows no redirect to another origin, so the key stayed here.
                (Some(redirect), _) => format!(
                    "reachable, but {} answers with a redirect to {} (not followed: the key is never sent to another address). Check the base URL",
                    redirect.from, redirect.to
                ),
                (None, 401 | 403) if key.is_some() => {
                    format!("reachable, but the key was rejected (HTTP {status})")
                }
                (None, 401 | 403) => format!("reachable, but it needs a key (HTTP {status})"),
                (None, _) => format!("HTTP {status}"),
            };
            Reachability {
                reachable: true,
                detail,
                latency_ms,
            }
        }
        Err(detail) => Reachability {
            reachable: false,
            detail,
            latency_ms,
        },
    }
}

/// `GET {base_url}/models` through the shared client (its redirect rule included), with `key`
/// sent the way `kind` sends it: the cheapest request every provider kind answers, used by the
/// reachability check, the key check and the search for local model servers. The error is a
/// line for people, with the key scrubbed from it.
pub(crate) async fn get_models(
    provider: &str,
    kind: ProviderKind,
    base_url: &str,
    key: Option<&Secret>,
    timeout: Duration,
) -> Result<reqwest::Response, String> {
    let headers = match kind {
        ProviderKind::Anthropic => anthropic::auth_headers(key),
        ProviderKind::Openai | ProviderKind::OpenaiCompatible => openai::auth_headers(key),
    };
    let client = http::client().map_err(|e| e.to_string())?;
    let mut builder = client.get(format!("{base_url}/models")).timeout(timeout);
    for (name, value) in headers {
        builder = builder.header(
            name,
            http::header_value(provider, name, &value).map_err(|e| e.to_string())?,
        );
    }
    builder.send().await.map_err(|e| http::scrub(&e.to_string(), key))
}
