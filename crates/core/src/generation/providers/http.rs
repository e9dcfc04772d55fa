//! The one HTTP client of direct providers and the request loop they share: retries with
//! backoff on 429, 5xx and dropped connections (honouring `retry-after`), a per-provider
//! timeout, and the mapping of every failure to a [`ProviderError`] that says what to do.
//!
//! The client is built on first use, never on the start-up path: loading the OS certificate
//! store and setting up TLS would delay the MCP handshake. It follows redirects only within the
//! origin that answered: the key and the prompt never go to an address the user did not set.

use std::{
    sync::OnceLock,
    time::{Duration, Instant},
};

use reqwest::{StatusCode, header::HeaderMap, redirect};

pub(crate) use super::scrub::scrub;
use super::{ProviderConfig, ProviderError};
use crate::secrets::Secret;

/// Waits longer than this (from `retry-after`) are not slept through: the call fails at once
/// and says when to try again.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(60);
/// First backoff when the server gives no `retry-after`; doubled per attempt.
const BACKOFF_START: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(8);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest provider error text repeated in our messages.
const ERROR_TEXT_MAX: usize = 300;
/// Redirects within one origin followed in a row, at most.
const MAX_REDIRECTS: usize = 5;

static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();

/// The shared client: rustls (ring) trusting the OS certificate store; `HTTPS_PROXY`,
/// `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` are read from the environment by reqwest.
pub(crate) fn client() -> Result<&'static reqwest::Client, ProviderError> {
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .user_agent(concat!("mcp-llm-generator/", env!("CARGO_PKG_VERSION")))
                .connect_timeout(CONNECT_TIMEOUT)
                .redirect(redirect::Policy::custom(same_origin_only))
                .build()
                .map_err(|e| error_chain(&e))
        })
        .as_ref()
        .map_err(|detail| ProviderError::ClientSetup {
            detail: detail.clone(),
        })
}

/// The redirect rule of every provider call and reachability check, whatever the provider kind
/// and whichever header carries its key: a redirect is followed only to the same origin
/// (scheme, host and port) and only [`MAX_REDIRECTS`] times. reqwest's default policy would
/// follow a redirect to another origin carrying every header but `authorization` (so
/// Anthropic's `x-api-key` went along), and after a 307 or 308 the prompt too. A redirect not
/// followed comes back as the 3xx answer, which [`send`] and the reachability check report.
fn same_origin_only(attempt: redirect::Attempt<'_>) -> redirect::Action {
    // `previous` holds every URL asked so far; its last answered with this redirect. Checking
    // each hop against the last one keeps the whole chain on the first request's origin.
    let previous = attempt.previous();
    let same_origin = previous
        .last()
        .is_some_and(|answered| answered.origin() == attempt.url().origin());
    if same_origin && previous.len() <= MAX_REDIRECTS {
        attempt.follow()
    } else {
        attempt.stop()
    }
}

/// A redirect the client did not follow.
pub(crate) struct Redirect {
    /// The origin that answered with it, e.g. https://api.example.com.
    pub from: String,
    /// Where it pointed (scrubbed and shortened: the address may echo the key).
    pub to: String,
}

/// The redirect `response` is, if it is one (a 3xx with a `location`).
pub(crate) fn redirect_of(response: &reqwest::Response, secret: Option<&Secret>) -> Option<Redirect> {
    if !response.status().is_redirection() {
        return None;
    }
    let location =
        String::from_utf8_lossy(response.headers().get(reqwest::header::LOCATION)?.as_bytes()).into_owned();
    let answered = response.url();
    let to = answered.join(&location).map_or(location, |url| url.to_string());
    Some(Redirect {
        from: answered.origin().ascii_serialization(),
        to: shorten(&scrub(&to, secret)),
    })
}

/// One request as a provider kind builds it. Not `Debug`: its headers hold the key.
pub(crate) struct WireRequest {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: serde_json::Value,
}

/// A successful answer's raw body.
pub(crate) struct WireResponse {
    pub body: Vec<u8>,
}

/// Sends `wire` with the provider's timeout and retries. `secret` is only used to scrub it from
/// any text we repeat.
pub(crate) async fn send(
    config: &ProviderConfig,
    model: &str,
    wire: &WireRequest,
    secret: Option<&Secret>,
) -> Result<WireResponse, ProviderError> {
    let client = client()?;
    let timeout = Duration::from_secs(u64::from(config.timeout_secs.max(1)));
    let attempts = config.retries.saturating_add(1);
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let last = attempt >= attempts;
        let mut builder = client.post(&wire.url).timeout(timeout).json(&wire.body);
        for (name, value) in &wire.headers {
            builder = builder.header(*name, header_value(&config.name, name, value)?);
        }
        let started = Instant::now();
        let failure = match builder.send().await {
            Ok(response) => {
                if let Some(redirect) = redirect_of(&response, secret) {
                    // Not retried: the same request would get the same redirect.
                    return Err(ProviderError::Redirected {
                        provider: config.name.clone(),
                        from: redirect.from,
                        to: redirect.to,
                    });
                }
                let status = response.status();
                let headers = response.headers().clone();
                if status.is_success() {
                    match response.bytes().await {
                        Ok(body) => return Ok(WireResponse { body: body.to_vec() }),
                        Err(e) if e.is_timeout() => return Err(timeout_error(config, timeout)),
                        // The connection dropped while the body was arriving: retryable.
                        Err(e) => Failure::Dropped(error_chain(&e)),
                    }
                } else {
                    let text = response.text().await.unwrap_or_default();
                    Failure::Status {
                        status,
                        retry_after: retry_after(&headers),
                        text,
                    }
                }
            }
            Err(e) if e.is_timeout() => return Err(timeout_error(config, timeout)),
            Err(e) => Failure::Dropped(error_chain(&e)),
        };
        let wait = match &failure {
            Failure::Status {
                status, retry_after, ..
            } if retryable(*status) => retry_after.unwrap_or_else(|| backoff(attempt)),
            Failure::Dropped(_) => backoff(attempt),
            Failure::Status { .. } => return Err(failure.into_error(config, model, secret, attempt)),
        };
        if last || wait > MAX_RETRY_WAIT {
            return Err(failure.into_error(config, model, secret, attempt));
        }
        tracing::info!(
            provider = %config.name,
            attempt,
            wait_ms = wait.as_millis() as u64,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "provider call failed ({}); retrying",
            failure.short()
        );
        tokio::time::sleep(wait).await;
    }
}

/// A header value; the ones carrying a key are marked sensitive, so the HTTP stack never
/// prints them (not even in trace logs).
pub(crate) fn header_value(
    provider: &str,
    name: &str,
    value: &str,
) -> Result<reqwest::header::HeaderValue, ProviderError> {
    let mut v = reqwest::header::HeaderValue::from_str(value).map_err(|_| ProviderError::Unsupported {
        provider: provider.to_string(),
        detail: format!(
            "the {name} header has characters HTTP does not allow (a key with a line break or a non-ASCII character?). Store the key again with `mcp-llm-generator keys set {provider}`."
        ),
    })?;
    if matches!(name, "authorization" | "x-api-key") {
        v.set_sensitive(true);
    }
    Ok(v)
}

enum Failure {
    Status {
        status: StatusCode,
        retry_after: Option<Duration>,
        text: String,
    },
    /// No answer: refused, reset, or dropped mid-response.
    Dropped(String),
}

impl Failure {
    fn short(&self) -> String {
        match self {
            Self::Status { status, .. } => format!("HTTP {}", status.as_u16()),
            Self::Dropped(_) => "no answer".into(),
        }
    }

    fn into_error(
        self,
        config: &ProviderConfig,
        model: &str,
        secret: Option<&Secret>,
        attempts: u32,
    ) -> ProviderError {
        let provider = config.name.clone();
        match self {
            Self::Dropped(detail) => ProviderError::Network {
                provider,
                base_url: config.base_url.clone(),
                detail: scrub(&detail, secret),
            },
            Self::Status {
                status,
                retry_after,
                text,
            } => {
                // Scrub the whole body before shortening it: a key cut in half by the
                // shortening would no longer match and half of it would leak.
                let message = provider_message(&scrub(&text, secret), secret);
                match status.as_u16() {
                    401 | 403 => ProviderError::KeyRejected {
                        provider,
                        status: status.as_u16(),
                        key_sent: secret.is_some(),
                    },
                    404 if message.to_lowercase().contains("model") => ProviderError::ModelNotFound {
                        provider,
                        model: model.to_string(),
                        message,
                    },
                    404 => ProviderError::EndpointNotFound {
                        provider,
                        base_url: config.base_url.clone(),
                    },
                    429 => ProviderError::RateLimited {
                        provider,
                        attempts,
                        retry_after_secs: retry_after.map(|d| d.as_secs()),
                        message,
                    },
                    code if status.is_server_error() || code == 529 => ProviderError::ServerError {
                        provider,
                        status: code,
                        attempts,
                        message,
                    },
                    code => ProviderError::Refused {
                        provider,
                        status: code,
                        message,
                    },
                }
            }
        }
    }
}

fn timeout_error(config: &ProviderConfig, timeout: Duration) -> ProviderError {
    ProviderError::Timeout {
        provider: config.name.clone(),
        secs: timeout.as_secs(),
    }
}

/// 429, every 5xx and Anthropic's 529 "overloaded" are worth another try.
fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() || status.as_u16() == 529
}

fn backoff(attempt: u32) -> Duration {
    BACKOFF_START
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(10))
        .min(BACKOFF_MAX)
}

/// `retry-after` in seconds (the form providers send; an HTTP date is treated as absent), or
/// OpenAI's `retry-after-ms`.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ms) = text("retry-after-ms").and_then(|t| t.parse::<f64>().ok())
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(Duration::from_millis(ms as u64));
    }
    text("retry-after")
        .and_then(|t| t.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        // try_: a value like 1e20 overflows a Duration, which must not panic the server.
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
}

/// The human part of a provider's error body: `error.message` (Anthropic, OpenAI, Ollama),
/// else `error` or `message` as text, else the raw text, shortened. The message read from JSON
/// is scrubbed once more, as decoded by the JSON parser itself (the body was scrubbed before,
/// by our own reading of its escapes).
fn provider_message(text: &str, secret: Option<&Secret>) -> String {
    let from_json = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| {
            v.pointer("/error/message")
                .or_else(|| v.get("error").filter(|e| e.is_string()))
                .or_else(|| v.get("message"))
                .and_then(|m| m.as_str())
                .map(str::to_string)
        });
    match from_json {
        Some(message) => shorten(&scrub(&message, secret)),
        None => shorten(text.trim()),
    }
}

/// `text` cut to [`ERROR_TEXT_MAX`] characters.
fn shorten(text: &str) -> String {
    if text.chars().count() > ERROR_TEXT_MAX {
        let short: String = text.chars().take(ERROR_TEXT_MAX).collect();
        format!("{short}…")
    } else {
        text.to_string()
    }
}

/// An error and its causes in one line (reqwest's top-level message alone says little).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_in_seconds_and_milliseconds() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "2".parse().expect("header"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after-ms", "150".parse().expect("header"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(150)));
        let mut date = HeaderMap::new();
        date.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().expect("header"),
        );
        assert_eq!(retry_after(&date), None);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(500));
        assert_eq!(backoff(2), Duration::from_secs(1));
        assert_eq!(backoff(30), BACKOFF_MAX);
    }

    #[test]
    fn provider_messages_are_extracted_shortened_and_scrubbed() {
        assert_eq!(
            provider_message(
                r#"{"type":"error","error":{"type":"not_found_error","message":"model: x"}}"#,
                None
            ),
            "model: x"
        );
        assert_eq!(
            provider_message(r#"{"error":"model 'y' not found"}"#, None),
            "model 'y' not found"
        );
        assert!(provider_message(&"z".repeat(1000), None).chars().count() <= ERROR_TEXT_MAX + 1);
        let key = Secret::new("sk-abc123");
        assert_eq!(
            scrub("Incorrect API key provided: sk-abc123", Some(&key)),
            "Incorrect API key provided: ***"
        );
    }
}
