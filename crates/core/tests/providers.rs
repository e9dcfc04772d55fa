//! Direct providers against local HTTP servers on 127.0.0.1 that speak each provider's real
//! request and response format: the exact request sent, replies and usage, error bodies,
//! 429 with retry-after, 5xx, slow answers, dropped connections, a closed port, and the
//! accounting and budget around every call.

#[path = "support/mock_http.rs"]
mod mock_http;

use std::time::{Duration, Instant};

use llmgen_core::{
    CoreError, Store,
    generation::providers::{self, Direct, NewProvider, ProviderConfig, ProviderError, ProviderKind},
    generation::usage::{self, Budget, BudgetUnit, Month},
    generation::{ChatMessage, ChatRole, GenerationRequest, IncludeContext},
    secrets::Secret,
};
use mock_http::{MockServer, Reply};
use serde_json::json;

const KEY: &str = "sk-test-KEY-0123456789";

fn config(kind: ProviderKind, origin: &str) -> ProviderConfig {
    ProviderConfig {
        name: "p".into(),
        kind,
        base_url: format!("{origin}/v1"),
        model: "default-model".into(),
        timeout_secs: 5,
        retries: 2,
        is_default: false,
        builtin: false,
    }
}

fn request() -> GenerationRequest {
    GenerationRequest {
        messages: vec![
            ChatMessage {
                role: ChatRole::User,
                content: "Hi".into(),
            },
            ChatMessage {
                role: ChatRole::Assistant,
                content: "Hello!".into(),
            },
            ChatMessage {
                role: ChatRole::User,
                content: "Why tides?".into(),
            },
        ],
        system_prompt: Some("Be brief.".into()),
        max_tokens: 50,
        temperature: Some(0.0),
        stop_sequences: vec!["END".into()],
        include_context: IncludeContext::None,
        model_preferences: None,
    }
}

fn anthropic_ok(text: &str) -> Reply {
    Reply::ok(json!({
        "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-test-1",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn", "stop_sequence": null,
        "usage": {"input_tokens": 12, "output_tokens": 7}
    }))
}

fn openai_ok(text: &str) -> Reply {
    Reply::ok(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-test-1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "length"}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25}
    }))
}

/// The Anthropic request carries the key in x-api-key with the pinned version, the system
/// prompt as a top-level field (not a message), temperature 0 as 0, max_tokens and
/// stop_sequences; the reply's text, model, stop reason and usage are read.
#[tokio::test]
async fn anthropic_request_and_reply_follow_the_messages_api() {
    let server = MockServer::start(vec![anthropic_ok("The Moon.")]).await;
    let c = config(ProviderKind::Anthropic, &server.origin);
    let reply = providers::call(&c, "claude-x", &request(), Some(&Secret::new(KEY)))
        .await
        .expect("reply");
    assert_eq!(reply.text, "The Moon.");
    assert_eq!(reply.model, "claude-test-1");
    assert_eq!(reply.stop_reason.as_deref(), Some("endTurn"));
    assert_eq!((reply.usage.input_tokens, reply.usage.output_tokens), (12, 7));
    let sent = &server.requests()[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/v1/messages")
    );
    assert_eq!(sent.header("x-api-key"), Some(KEY));
    assert_eq!(sent.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(sent.header("authorization"), None);
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(
        sent.body,
        json!({
            "model": "claude-x",
            "max_tokens": 50,
            "system": "Be brief.",
            "temperature": 0.0,
            "stop_sequences": ["END"],
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello!"},
                {"role": "user", "content": "Why tides?"}
            ]
        })
    );
}

/// OpenAI: bearer key, the system prompt as the first message, max_completion_tokens (OpenAI
/// deprecated max_tokens), `stop`; finish_reason and usage are read.
#[tokio::test]
async fn openai_request_and_reply_follow_chat_completions() {
    let server = MockServer::start(vec![openai_ok("Gravity.")]).await;
    let c = config(ProviderKind::Openai, &server.origin);
    let mut req = request();
    req.temperature = Some(1.5);
    let reply = providers::call(&c, "gpt-x", &req, Some(&Secret::new(KEY)))
        .await
        .expect("reply");
    assert_eq!(
        (reply.text.as_str(), reply.model.as_str()),
        ("Gravity.", "gpt-test-1")
    );
    assert_eq!(reply.stop_reason.as_deref(), Some("maxTokens"));
    assert_eq!((reply.usage.input_tokens, reply.usage.output_tokens), (20, 5));
    let sent = &server.requests()[0];
    assert_eq!(sent.path, "/v1/chat/completions");
    assert_eq!(
        sent.header("authorization").map(str::to_string),
        Some(format!("Bearer {KEY}"))
    );
    assert_eq!(
        sent.body,
        json!({
            "model": "gpt-x",
            "max_completion_tokens": 50,
            "temperature": 1.5,
            "stop": ["END"],
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello!"},
                {"role": "user", "content": "Why tides?"}
            ]
        })
    );
}

/// An OpenAI-compatible server without a key (a local Ollama): no Authorization header at all,
/// and max_tokens, which such servers understand.
#[tokio::test]
async fn an_openai_compatible_server_gets_max_tokens_and_no_key() {
    let server = MockServer::start(vec![openai_ok("ok")]).await;
    let c = config(ProviderKind::OpenaiCompatible, &server.origin);
    providers::call(&c, "llama3.2", &request(), None)
        .await
        .expect("reply");
    let sent = &server.requests()[0];
    assert_eq!(sent.header("authorization"), None);
    assert_eq!(sent.body["max_tokens"], 50);
    assert!(sent.body.get("max_completion_tokens").is_none());
}

/// Anthropic's temperature range is 0 to 1: a higher value is refused before anything is sent.
#[tokio::test]
async fn anthropic_temperature_above_one_is_refused_before_sending() {
    let server = MockServer::start(vec![anthropic_ok("x")]).await;
    let c = config(ProviderKind::Anthropic, &server.origin);
    let mut req = request();
    req.temperature = Some(1.5);
    let err = providers::call(&c, "m", &req, Some(&Secret::new(KEY)))
        .await
        .expect_err("refused");
    assert!(matches!(err, ProviderError::Unsupported { .. }), "{err}");
    assert!(server.requests().is_empty());
}

/// 401 with the provider's real error body: no retry, a message that says where to fix the
/// key, and the key itself (which OpenAI echoes in part) nowhere in it.
#[tokio::test]
async fn a_rejected_key_says_where_to_fix_it_and_is_not_retried() {
    let body = json!({"error": {"message": format!("Incorrect API key provided: {KEY}."), "type": "invalid_request_error", "code": "invalid_api_key"}});
    let server = MockServer::start(vec![Reply::status(401, body)]).await;
    let c = config(ProviderKind::Openai, &server.origin);
    let err = providers::call(&c, "m", &request(), Some(&Secret::new(KEY)))
        .await
        .expect_err("401");
    let text = err.to_string();
    assert!(
        text.contains("rejected the API key") && text.contains("mcp-llm-generator keys set p"),
        "{text}"
    );
    assert!(!text.contains(KEY) && !format!("{err:?}").contains(KEY));
    assert_eq!(server.requests().len(), 1);
}

/// 404 for an unknown model (Anthropic's error body) names the model and how to change it;
/// a 404 without "model" in it points at the base URL instead.
#[tokio::test]
async fn not_found_distinguishes_a_model_from_a_wrong_base_url() {
    let body =
        json!({"type": "error", "error": {"type": "not_found_error", "message": "model: claude-nope"}});
    let server = MockServer::start(vec![Reply::status(404, body)]).await;
    let c = config(ProviderKind::Anthropic, &server.origin);
    let err = providers::call(&c, "claude-nope", &request(), Some(&Secret::new(KEY)))
        .await
        .expect_err("404");
    assert!(matches!(err, ProviderError::ModelNotFound { .. }), "{err}");
    assert!(err.to_string().contains("'claude-nope'") && err.to_string().contains("--model"));

    let server = MockServer::start(vec![Reply::status(404, json!("404 page not found"))]).await;
    let c = config(ProviderKind::OpenaiCompatible, &server.origin);
    let err = providers::call(&c, "m", &request(), None).await.expect_err("404");
    assert!(matches!(err, ProviderError::EndpointNotFound { .. }), "{err}");
    assert!(err.to_string().contains("--base-url"));
}

/// 429 with retry-after: 1 is retried after (at least) that second, then succeeds.
#[tokio::test]
async fn a_429_is_retried_after_the_retry_after_delay() {
    let limited = Reply::status(
        429,
        json!({"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}),
    )
    .with_header("retry-after", "1");
    let server = MockServer::start(vec![limited, anthropic_ok("finally")]).await;
    let c = config(ProviderKind::Anthropic, &server.origin);
    let started = Instant::now();
    let reply = providers::call(&c, "m", &request(), Some(&Secret::new(KEY)))
        .await
        .expect("reply");
    assert_eq!(reply.text, "finally");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 2);
}

/// When every attempt is rate limited the error says so, with the provider's own wait.
#[tokio::test]
async fn a_429_that_persists_ends_in_a_rate_limit_error() {
    let limited = Reply::status(429, json!({"error": {"message": "Rate limit reached"}}))
        .with_header("retry-after", "0");
    let server = MockServer::start(vec![limited]).await;
    let mut c = config(ProviderKind::Openai, &server.origin);
    c.retries = 1;
    let err = providers::call(&c, "m", &request(), Some(&Secret::new(KEY)))
        .await
        .expect_err("429");
    assert!(
        matches!(err, ProviderError::RateLimited { attempts: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("Rate limit reached"));
    assert_eq!(server.requests().len(), 2);
}

/// A retry-after longer than a minute is not slept through: the call fails at once and says
/// how long to wait.
#[tokio::test]
async fn a_long_retry_after_fails_at_once() {
    let limited =
        Reply::status(429, json!({"error": {"message": "quota"}})).with_header("retry-after", "3600");
    let server = MockServer::start(vec![limited]).await;
    let c = config(ProviderKind::Openai, &server.origin);
    let started = Instant::now();
    let err = providers::call(&c, "m", &request(), Some(&Secret::new(KEY)))
        .await
        .expect_err("429");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(err.to_string().contains("wait 3600 s"), "{err}");
    assert_eq!(server.requests().len(), 1);
}

/// A 5xx (Anthropic's 529 "overloaded" included) is retried with backoff.
#[tokio::test]
async fn server_errors_are_retried() {
    let overloaded = Reply::status(
        529,
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
    );
    let server = MockServer::start(vec![
        overloaded,
        Reply::status(500, json!({})),
        anthropic_ok("up"),
    ])
    .await;
    let c = config(ProviderKind::Anthropic, &server.origin);
    let reply = providers::call(&c, "m", &request(), Some(&Secret::new(KEY)))
        .await
        .expect("reply");
    assert_eq!(reply.text, "up");
    assert_eq!(server.requests().len(), 3);
}

/// A response slower than the provider's timeout ends in a timeout error naming the setting.
#[tokio::test]
async fn a_slow_provider_times_out_with_a_clear_message() {
    let server = MockServer::start(vec![Reply::Slow(
        Duration::from_secs(5),
        Box::new(openai_ok("late")),
    )])
    .await;
    let mut c = config(ProviderKind::Openai, &server.origin);
    c.timeout_secs = 1;
    let started = Instant::now();
    let err = providers::call(&c, "m", &request(), Some(&Secret::new(KEY)))
        .await
        .expect_err("timeout");
    assert!(matches!(err, ProviderError::Timeout { secs: 1, .. }), "{err}");
    assert!(err.to_string().contains("--timeout"));
    assert!(started.elapsed() < Duration::from_secs(4));
}

/// A connection dropped before the answer is retried; when it keeps dropping, a network error
/// says what to check.
#[tokio::test]
async fn dropped_connections_are_retried_then_reported() {
    let server = MockServer::start(vec![Reply::Drop, openai_ok("second try")]).await;
    let c = config(ProviderKind::OpenaiCompatible, &server.origin);
    let reply = providers::call(&c, "m", &request(), None).await.expect("reply");
    assert_eq!(reply.text, "second try");
    assert_eq!(server.requests().len(), 2);

    let server = MockServer::start(vec![Reply::Drop]).await;
    let mut c = config(ProviderKind::OpenaiCompatible, &server.origin);
    c.retries = 1;
    let err = providers::call(&c, "m", &request(), None)
        .await
        .expect_err("dropped");
    assert!(matches!(err, ProviderError::Network { .. }), "{err}");
    assert_eq!(server.requests().len(), 2);
}

/// Nothing listening (network down, server stopped): a network error naming the URL and
/// the proxy variables.
#[tokio::test]
async fn a_closed_port_is_a_network_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let mut c = config(ProviderKind::OpenaiCompatible, &origin);
    c.retries = 0;
    let err = providers::call(&c, "m", &request(), None)
        .await
        .expect_err("refused");
    let text = err.to_string();
    assert!(matches!(err, ProviderError::Network { .. }), "{text}");
    assert!(text.contains(&origin) && text.contains("HTTPS_PROXY"), "{text}");
}

fn local_provider(store: &Store, origin: &str) {
    providers::add(
        store,
        NewProvider {
            name: "local".into(),
            kind: ProviderKind::OpenaiCompatible,
            base_url: format!("{origin}/v1"),
            model: "llama-test".into(),
            timeout_secs: Some(5),
            retries: Some(0),
            make_default: true,
        },
    )
    .expect("add provider");
}

/// A direct generation records provider, model, tokens and outcome; failed calls are counted
/// as failed; the route is the provider's name.
#[tokio::test]
async fn direct_generation_records_usage_per_model_and_outcome() {
    let server = MockServer::start(vec![
        openai_ok("one"),
        Reply::status(500, json!({"error": {"message": "boom"}})),
    ])
    .await;
    let store = Store::open_in_memory().expect("store");
    local_provider(&store, &server.origin);
    let direct = Direct::new();
    let (generated, notes) = direct
        .generate(&store, "local", None, &request())
        .await
        .expect("generate");
    assert_eq!(
        (generated.text.as_str(), generated.route.as_str()),
        ("one", "local")
    );
    assert!(notes.is_empty());
    assert_eq!(
        server.requests()[0].body["model"],
        "llama-test",
        "the provider's default model"
    );
    let err = direct
        .generate(&store, "local", Some("other"), &request())
        .await
        .expect_err("500");
    assert!(
        err.to_string().contains("HTTP 500") && err.to_string().contains("boom"),
        "{err}"
    );
    let usage = usage::month_usage(&store, Month::current()).expect("usage");
    // The mock answers as "gpt-test-1" (providers report dated names); usage is counted under
    // the model that was asked for, the name a user sets prices for.
    assert_eq!(
        generated.model, "gpt-test-1",
        "the reply shows the model that answered"
    );
    assert!(usage.iter().all(|u| u.model != "gpt-test-1"));
    let ok = usage
        .iter()
        .find(|u| u.model == "llama-test")
        .expect("requested model");
    assert_eq!(
        (ok.calls, ok.input_tokens, ok.output_tokens, ok.failed_calls),
        (1, 20, 5, 0)
    );
    let failed = usage
        .iter()
        .find(|u| u.model == "other")
        .expect("requested model");
    assert_eq!((failed.calls, failed.failed_calls), (1, 1));
}

/// At 80 % of a token budget the reply carries a warning; at 100 % the next call is refused
/// without reaching the provider, until the budget is raised.
#[tokio::test]
async fn a_used_up_budget_refuses_calls_until_raised() {
    let server = MockServer::start(vec![openai_ok("one")]).await;
    let store = Store::open_in_memory().expect("store");
    local_provider(&store, &server.origin);
    usage::set_budget(
        &store,
        "local",
        Budget {
            unit: BudgetUnit::Tokens,
            monthly_limit: 30.0,
        },
    )
    .expect("budget");
    let direct = Direct::new();
    let (_, notes) = direct
        .generate(&store, "local", None, &request())
        .await
        .expect("first call");
    assert!(notes.iter().any(|n| n.contains("83 %")), "{notes:?}");
    usage::set_budget(
        &store,
        "local",
        Budget {
            unit: BudgetUnit::Tokens,
            monthly_limit: 25.0,
        },
    )
    .expect("lower");
    let err = direct
        .generate(&store, "local", None, &request())
        .await
        .expect_err("refused");
    assert!(matches!(err, CoreError::BudgetExhausted(_)), "{err}");
    assert!(err.to_string().contains("budget set local"), "{err}");
    assert_eq!(
        server.requests().len(),
        1,
        "a refused call never reaches the provider"
    );
    usage::set_budget(
        &store,
        "local",
        Budget {
            unit: BudgetUnit::Tokens,
            monthly_limit: 1000.0,
        },
    )
    .expect("raise");
    direct
        .generate(&store, "local", None, &request())
        .await
        .expect("allowed again");
}

/// provider-status reports usage and the budget, and a reachability check sees the server
/// (and a stopped one as unreachable) without spending tokens.
#[tokio::test]
async fn status_shows_usage_budget_and_reachability() {
    let server = MockServer::start(vec![
        openai_ok("one"),
        Reply::ok(json!({"object": "list", "data": []})),
    ])
    .await;
    let store = Store::open_in_memory().expect("store");
    local_provider(&store, &server.origin);
    let direct = Direct::new();
    direct
        .generate(&store, "local", None, &request())
        .await
        .expect("generate");
    let report = direct.status(&store, Some("local"), true).await.expect("status");
    let local = &report.providers[0];
    assert_eq!(
        (
            local.usage.calls,
            local.usage.input_tokens,
            local.usage.output_tokens
        ),
        (1, 20, 5)
    );
    assert!(!local.needs_key && !local.key_present);
    let reach = local.reachability.as_ref().expect("checked");
    assert!(reach.reachable && reach.detail == "HTTP 200", "{reach:?}");
    let last = server.requests().pop().expect("request");
    assert_eq!((last.method.as_str(), last.path.as_str()), ("GET", "/v1/models"));
    drop(server);
}
