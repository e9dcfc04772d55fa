//! A key tested on the spot, before it is stored: one `GET {base_url}/models` with it (the
//! cheapest real call: no tokens spent), answered with whether the provider accepts it.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ProviderConfig, http, reach};
use crate::secrets::Secret;

/// Longest wait for the answer.
const CHECK_TIMEOUT: Duration = Duration::from_secs(15);

/// What the provider said of a key.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", tag = "verdict")]
pub enum KeyCheck {
    /// The provider accepted it.
    Works,
    /// The provider refused it (HTTP 401 or 403): a wrong, revoked or mistyped key.
    Rejected { status: u16 },
    /// No answer came back (offline, a proxy, a wrong address).
    NotReachable { detail: String },
    /// An answer that says neither (a redirect, a 5xx, a 404 from a wrong base URL).
    Unclear { detail: String },
}

/// Tests `key` against `config`'s base URL the way its kind sends keys. The key is not stored.
pub async fn check_key(config: &ProviderConfig, key: &Secret) -> KeyCheck {
    let timeout = CHECK_TIMEOUT.min(Duration::from_secs(u64::from(config.timeout_secs.max(1))));
    let response =
        match reach::get_models(&config.name, config.kind, &config.base_url, Some(key), timeout).await {
            Ok(response) => response,
            Err(detail) => return KeyCheck::NotReachable { detail },
        };
    if let Some(redirect) = http::redirect_of(&response, Some(key)) {
        return KeyCheck::Unclear {
            detail: format!(
                "{} answers with a redirect to {} (not followed, so the key went nowhere else): check the base URL",
                redirect.from, redirect.to
            ),
        };
    }
    match response.status().as_u16() {
        200..=299 => KeyCheck::Works,
        status @ (401 | 403) => KeyCheck::Rejected { status },
        status => KeyCheck::Unclear {
            detail: format!("GET {}/models answered HTTP {status}", config.base_url),
        },
    }
}
