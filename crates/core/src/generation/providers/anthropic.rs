//! The Anthropic Messages API (`POST {base_url}/messages`): the system prompt is a top-level
//! field, not a message; the key goes in `x-api-key` with a pinned `anthropic-version`.

use serde::Deserialize;

use super::{ProviderConfig, ProviderError, ProviderReply, http::WireRequest};
use crate::{
    generation::{ChatRole, GenerationRequest, TokenUsage},
    secrets::Secret,
};

/// The API version this code speaks.
pub const API_VERSION: &str = "2023-06-01";
/// Anthropic accepts temperatures up to 1 (our range is 0 to 2, as OpenAI's).
const TEMPERATURE_MAX: f64 = 1.0;

pub(crate) fn build(
    config: &ProviderConfig,
    model: &str,
    request: &GenerationRequest,
    key: Option<&Secret>,
) -> Result<WireRequest, ProviderError> {
    let mut body = serde_json::json!({
        "model": model,
        "max_tokens": request.max_tokens,
        "messages": request.messages.iter().map(|m| serde_json::json!({
            "role": match m.role { ChatRole::User => "user", ChatRole::Assistant => "assistant" },
            "content": m.content,
        })).collect::<Vec<_>>(),
    });
    if let Some(system) = request.system_prompt.as_deref().filter(|s| !s.is_empty()) {
        body["system"] = system.into();
    }
    if let Some(t) = request.temperature {
        if t > TEMPERATURE_MAX {
            return Err(ProviderError::Unsupported {
                provider: config.name.clone(),
                detail: format!(
                    "Anthropic accepts temperature 0 to {TEMPERATURE_MAX}; got {t}. Use a lower temperature."
                ),
            });
        }
        body["temperature"] = t.into();
    }
    if !request.stop_sequences.is_empty() {
        body["stop_sequences"] = request.stop_sequences.clone().into();
    }
    let mut headers = vec![("anthropic-version", API_VERSION.to_string())];
    if let Some(key) = key {
        headers.push(("x-api-key", key.expose().to_string()));
    }
    Ok(WireRequest {
        url: format!("{}/messages", config.base_url),
        headers,
        body,
    })
}

/// The `GET {base_url}/models` request used to check reachability (spends no tokens).
pub(crate) fn auth_headers(key: Option<&Secret>) -> Vec<(&'static str, String)> {
    let mut headers = vec![("anthropic-version", API_VERSION.to_string())];
    if let Some(key) = key {
        headers.push(("x-api-key", key.expose().to_string()));
    }
    headers
}

#[derive(Deserialize)]
struct Response {
    model: String,
    content: Vec<Block>,
    stop_reason: Option<String>,
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Block {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
}

pub(crate) fn parse(config: &ProviderConfig, body: &[u8]) -> Result<ProviderReply, ProviderError> {
    let r: Response = serde_json::from_slice(body).map_err(|e| ProviderError::BadResponse {
        provider: config.name.clone(),
        detail: e.to_string(),
    })?;
    let text = r
        .content
        .iter()
        .filter(|b| b.kind == "text")
        .filter_map(|b| b.text.as_deref())
        .collect::<Vec<_>>()
        .join("");
    Ok(ProviderReply {
        text,
        model: r.model,
        stop_reason: r.stop_reason.map(|s| normalise_stop(&s)),
        usage: r
            .usage
            .map(|u| TokenUsage {
                input_tokens: u.input_tokens,
                output_tokens: u.output_tokens,
            })
            .unwrap_or_default(),
    })
}

/// Anthropic's stop reasons in the camelCase MCP uses, so every route reports alike.
fn normalise_stop(reason: &str) -> String {
    match reason {
        "end_turn" => "endTurn".into(),
        "max_tokens" => "maxTokens".into(),
        "stop_sequence" => "stopSequence".into(),
        other => other.into(),
    }
}
