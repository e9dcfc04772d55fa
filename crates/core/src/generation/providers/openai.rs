//! OpenAI Chat Completions (`POST {base_url}/chat/completions`), for OpenAI itself and every
//! OpenAI-compatible server (Ollama, LM Studio, llama.cpp, vLLM, OpenRouter). The system prompt
//! is the first message; the key, when there is one, is a bearer token.

use serde::Deserialize;

use super::{ProviderConfig, ProviderError, ProviderKind, ProviderReply, http::WireRequest};
use crate::{
    generation::{ChatRole, GenerationRequest, TokenUsage},
    secrets::Secret,
};

pub(crate) fn build(
    config: &ProviderConfig,
    model: &str,
    request: &GenerationRequest,
    key: Option<&Secret>,
) -> WireRequest {
    let mut messages = Vec::with_capacity(request.messages.len() + 1);
    if let Some(system) = request.system_prompt.as_deref().filter(|s| !s.is_empty()) {
        messages.push(serde_json::json!({ "role": "system", "content": system }));
    }
    for m in &request.messages {
        messages.push(serde_json::json!({
            "role": match m.role { ChatRole::User => "user", ChatRole::Assistant => "assistant" },
            "content": m.content,
        }));
    }
    let mut body = serde_json::json!({ "model": model, "messages": messages });
    // OpenAI itself deprecated max_tokens (its reasoning models reject it); compatible servers
    // mostly know only max_tokens.
    let max_field = match config.kind {
        ProviderKind::Openai => "max_completion_tokens",
        _ => "max_tokens",
    };
    body[max_field] = request.max_tokens.into();
    if let Some(t) = request.temperature {
        body["temperature"] = t.into();
    }
    if !request.stop_sequences.is_empty() {
        body["stop"] = request.stop_sequences.clone().into();
    }
    WireRequest {
        url: format!("{}/chat/completions", config.base_url),
        headers: auth_headers(key),
        body,
    }
}

pub(crate) fn auth_headers(key: Option<&Secret>) -> Vec<(&'static str, String)> {
    key.map(|k| vec![("authorization", format!("Bearer {}", k.expose()))])
        .unwrap_or_default()
}

#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    model: Option<String>,
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

pub(crate) fn parse(
    config: &ProviderConfig,
    model: &str,
    body: &[u8],
) -> Result<ProviderReply, ProviderError> {
    let r: Response = serde_json::from_slice(body).map_err(|e| ProviderError::BadResponse {
        provider: config.name.clone(),
        detail: e.to_string(),
    })?;
    let choice = r
        .choices
        .into_iter()
        .next()
        .ok_or_else(|| ProviderError::BadResponse {
            provider: config.name.clone(),
            detail: "the answer has no choices".into(),
        })?;
    Ok(ProviderReply {
        text: choice.message.content.unwrap_or_default(),
        model: r.model.unwrap_or_else(|| model.to_string()),
        stop_reason: choice.finish_reason.map(|s| normalise_stop(&s)),
        usage: r
            .usage
            .map(|u| TokenUsage {
                input_tokens: u.prompt_tokens,
                output_tokens: u.completion_tokens,
            })
            .unwrap_or_default(),
    })
}

fn normalise_stop(reason: &str) -> String {
    match reason {
        "stop" => "endTurn".into(),
        "length" => "maxTokens".into(),
        other => other.into(),
    }
}
