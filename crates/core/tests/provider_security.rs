//! A provider's key goes to its provider and nowhere else, against real HTTP servers on
//! 127.0.0.1 (two listeners are two origins): no call or reachability check of any provider kind
//! follows a redirect to another origin (the error names who redirected and where to), redirects
//! within the origin still work, and a key a provider echoes back (JSON-escaped, URL-encoded or
//! in part) is scrubbed from the error it causes.

#[path = "support/mock_http.rs"]
mod mock_http;

use llmgen_core::{
    generation::providers::{self, ProviderConfig, ProviderError, ProviderKind},
    generation::{ChatMessage, ChatRole, GenerationRequest, IncludeContext},
    secrets::Secret,
};
use mock_http::{MockServer, Recorded, Reply};
use serde_json::json;

/// Random-looking, so that no 8 characters of it appear in any message by chance.
const KEY: &str = "sk-live-Q7fZ2kR9mX4pL8vN3tY6wB1c";
const KINDS: [ProviderKind; 3] = [
    ProviderKind::Anthropic,
    ProviderKind::Openai,
    ProviderKind::OpenaiCompatible,
];
const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];

fn key() -> Secret {
    Secret::new(KEY)
}

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
        messages: vec![ChatMessage {
            role: ChatRole::User,
            content: "Why tides?".into(),
        }],
        system_prompt: None,
        max_tokens: 50,
        temperature: None,
        stop_sequences: Vec::new(),
        include_context: IncludeContext::None,
        model_preferences: None,
    }
}

fn path(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Anthropic => "/v1/messages",
        ProviderKind::Openai | ProviderKind::OpenaiCompatible => "/v1/chat/completions",
    }
}

fn ok_reply(kind: ProviderKind) -> Reply {
    match kind {
        ProviderKind::Anthropic => Reply::ok(json!({
            "model": "claude-test-1", "content": [{"type": "text", "text": "The Moon."}],
            "stop_reason": "end_turn", "usage": {"input_tokens": 1, "output_tokens": 2}
        })),
        _ => Reply::ok(json!({
            "model": "gpt-test-1", "choices": [{"message": {"content": "The Moon."}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 2}
        })),
    }
}

fn redirect(status: u16, location: &str) -> Reply {
    Reply::status(status, json!({"moved": true})).with_header("location", location)
}

/// A body sent exactly as written (so it can hold JSON escapes of our choosing).
fn raw(status: u16, body: String) -> Reply {
    Reply::Status {
        status,
        headers: Vec::new(),
        body,
    }
}

/// Every run of 8 characters of the key, plain and as JSON `\u` escapes.
fn key_fragments() -> Vec<String> {
    let chars: Vec<char> = KEY.chars().collect();
    chars
        .windows(8)
        .flat_map(|w| {
            let plain: String = w.iter().collect();
            [plain.clone(), json_escaped(&plain)]
        })
        .collect()
}

fn json_escaped(text: &str) -> String {
    text.chars().map(|c| format!("\\u{:04x}", c as u32)).collect()
}

/// The fragment of the key found in `text`, if any.
fn leaked(text: &str) -> Option<String> {
    key_fragments().into_iter().find(|f| text.contains(f.as_str()))
}

/// Whether any header of `request` carries any part of the key.
fn carries_key(request: &Recorded) -> bool {
    request.headers.iter().any(|(_, v)| leaked(v).is_some())
}

/// The issue's case and its relatives: whatever the provider kind (Anthropic's x-api-key,
/// OpenAI's bearer token, a compatible server's optional key) and whatever the redirect status,
/// a provider whose base URL answers with a redirect to another origin gets no request sent
/// there: the other origin receives nothing (so no key, no prompt), the call is not retried, and
/// the error names the origin that redirected, the target, and the setting to check.
#[tokio::test]
async fn no_provider_kind_follows_a_redirect_to_another_origin() {
    for kind in KINDS {
        for status in REDIRECTS {
            let elsewhere = MockServer::start(vec![ok_reply(kind)]).await;
            let target = format!("{}{}", elsewhere.origin, path(kind));
            let provider = MockServer::start(vec![redirect(status, &target)]).await;
            let err = providers::call(&config(kind, &provider.origin), "m", &request(), Some(&key()))
                .await
                .expect_err("a redirect to another origin is an error");
            let text = err.to_string();
            assert!(
                matches!(err, ProviderError::Redirected { .. }),
                "{kind:?} {status}: {text}"
            );
            assert!(
                text.contains(&format!(
                    "at {} answered with a redirect to {target}",
                    provider.origin
                )) && text.contains("not sent there")
                    && text.contains("--base-url"),
                "{kind:?} {status}: {text}"
            );
            assert!(
                elsewhere.requests().is_empty(),
                "{kind:?} {status}: the other origin was called: {:?}",
                elsewhere.requests()
            );
            let sent = provider.requests();
            assert_eq!(sent.len(), 1, "{kind:?} {status}: not retried");
            // The key really was attached, so a leak would have been possible.
            assert!(carries_key(&sent[0]), "{kind:?}: {sent:?}");
            assert_eq!(leaked(&text), None);
        }
    }
}

/// The reachability check (`GET {base_url}/models` with the key) follows no redirect to another
/// origin either, for every kind, and says why the base URL needs checking.
#[tokio::test]
async fn reachability_checks_follow_no_redirect_to_another_origin() {
    for kind in KINDS {
        let elsewhere = MockServer::start(vec![Reply::ok(json!({"data": []}))]).await;
        let target = format!("{}/v1/models", elsewhere.origin);
        let provider = MockServer::start(vec![redirect(302, &target)]).await;
        let reach = providers::check_reachability(&config(kind, &provider.origin), Some(&key())).await;
        assert!(reach.reachable, "{kind:?}: {reach:?}");
        assert!(
            reach.detail.contains(&format!(
                "{} answers with a redirect to {target}",
                provider.origin
            )) && reach.detail.contains("Check the base URL"),
            "{kind:?}: {reach:?}"
        );
        assert!(
            elsewhere.requests().is_empty(),
            "{kind:?}: {:?}",
            elsewhere.requests()
        );
        let sent = provider.requests();
        assert_eq!((sent.len(), sent[0].path.as_str()), (1, "/v1/models"), "{kind:?}");
        assert!(carries_key(&sent[0]), "{kind:?}: {sent:?}");
    }
}

/// A redirect within the origin is followed with the key and the request intact (a 308 keeps
/// the POST and its body), so a provider that moved a path keeps working.
#[tokio::test]
async fn a_redirect_within_the_origin_is_followed_with_the_key() {
    for kind in KINDS {
        let provider = MockServer::start(vec![redirect(308, "/v2/moved"), ok_reply(kind)]).await;
        let reply = providers::call(&config(kind, &provider.origin), "m", &request(), Some(&key()))
            .await
            .expect("followed");
        assert_eq!(reply.text, "The Moon.", "{kind:?}");
        let sent = provider.requests();
        assert_eq!(sent.len(), 2, "{kind:?}");
        assert_eq!(
            (sent[1].method.as_str(), sent[1].path.as_str()),
            ("POST", "/v2/moved")
        );
        assert!(carries_key(&sent[1]), "{kind:?}: the key stays within the origin");
        assert_eq!(sent[1].body, sent[0].body, "{kind:?}");
    }
}

/// A chain that starts within the origin and then leaves it stops where it leaves: the error
/// names the provider's origin, and the other origin gets nothing.
#[tokio::test]
async fn a_redirect_chain_stops_where_it_leaves_the_origin() {
    let elsewhere = MockServer::start(vec![ok_reply(ProviderKind::Anthropic)]).await;
    let target = format!("{}/steal", elsewhere.origin);
    let provider = MockServer::start(vec![redirect(307, "/v1/step"), redirect(307, &target)]).await;
    let c = config(ProviderKind::Anthropic, &provider.origin);
    let err = providers::call(&c, "m", &request(), Some(&key()))
        .await
        .expect_err("stopped");
    assert!(
        err.to_string().contains(&format!(
            "at {} answered with a redirect to {target}",
            provider.origin
        )),
        "{err}"
    );
    assert_eq!(provider.requests().len(), 2);
    assert!(elsewhere.requests().is_empty(), "{:?}", elsewhere.requests());
}

/// A provider redirecting to itself forever ends in the redirect error after a few hops, not a
/// hang or an endless loop.
#[tokio::test]
async fn a_redirect_loop_within_the_origin_ends_in_a_clear_error() {
    let provider = MockServer::start(vec![redirect(307, "/v1/messages")]).await;
    let c = config(ProviderKind::Anthropic, &provider.origin);
    let err = providers::call(&c, "m", &request(), Some(&key()))
        .await
        .expect_err("loop");
    assert!(matches!(err, ProviderError::Redirected { .. }), "{err}");
    let count = provider.requests().len();
    assert!((2..=10).contains(&count), "{count} requests");
}

/// A redirect whose address echoes the key (`?key=...`) is reported without it.
#[tokio::test]
async fn a_redirect_address_that_echoes_the_key_is_scrubbed() {
    let target = format!(
        "http://elsewhere.invalid/login?key={}",
        json_escaped(KEY).replace('\\', "%5C")
    );
    let provider = MockServer::start(vec![
        redirect(302, &format!("http://elsewhere.invalid/login?key={KEY}")),
        redirect(302, &target),
    ])
    .await;
    let c = config(ProviderKind::Openai, &provider.origin);
    for _ in 0..2 {
        let err = providers::call(&c, "m", &request(), Some(&key()))
            .await
            .expect_err("redirect");
        let text = err.to_string();
        assert!(text.contains("http://elsewhere.invalid/login?key=***"), "{text}");
        assert_eq!(leaked(&text), None, "{text}");
    }
}

/// The second half of the issue: error bodies that echo the key JSON-escaped (every character
/// or one), URL-encoded, or in part (the first characters, the last four after a mask, a long
/// middle piece) leave no run of 8 of its characters (plain or escaped) in the error, while the
/// provider's words around it are still repeated. Before, the body was scrubbed only for the
/// plain key and then JSON-decoded, so `\u` escapes came out as the plain key.
#[tokio::test]
async fn a_key_echoed_escaped_or_in_part_never_reaches_the_error() {
    let last4 = &KEY[KEY.len() - 4..];
    let bodies = [
        format!(
            r#"{{"error":{{"message":"invalid key {} given"}}}}"#,
            json_escaped(KEY)
        ),
        format!(
            r#"{{"error":{{"message":"invalid key sk-\u006Cive-{} given"}}}}"#,
            &KEY[8..]
        ),
        format!(
            r#"{{"error":{{"message":"invalid key {}... given"}}}}"#,
            &KEY[..14]
        ),
        format!(r#"{{"error":{{"message":"invalid key sk-****{last4} given"}}}}"#),
        format!(
            r#"{{"error":{{"message":"invalid key (part {}) given"}}}}"#,
            &KEY[9..21]
        ),
        format!(
            r#"{{"error":"invalid key given, see https://x/?k={}"}}"#,
            KEY.replace('-', "%2D")
        ),
        format!(
            "invalid key given: {}",
            json_escaped(&json_escaped(KEY)).replace("\\u005c", "\\\\")
        ),
    ];
    for kind in KINDS {
        for body in &bodies {
            let provider = MockServer::start(vec![raw(400, body.clone())]).await;
            let err = providers::call(&config(kind, &provider.origin), "m", &request(), Some(&key()))
                .await
                .expect_err("400");
            let text = err.to_string();
            assert!(
                matches!(err, ProviderError::Refused { .. }) && text.contains("invalid key"),
                "{kind:?}: the provider's words are repeated: {text}"
            );
            assert_eq!(leaked(&text), None, "{kind:?}: {body} -> {text}");
            assert_eq!(leaked(&format!("{err:?}")), None, "{kind:?}: {err:?}");
            assert!(!text.contains(&format!("*{last4}")), "{kind:?}: {text}");
        }
    }
}

/// An answer that cannot be read, quoting the key in the parse error, and a server echoing the
/// key back as the reply: neither the error nor the reply holds it.
#[tokio::test]
async fn an_echoing_server_gets_no_key_into_replies_or_parse_errors() {
    let bad = raw(
        200,
        format!(r#"{{"model":"m","choices":"{}"}}"#, json_escaped(KEY)),
    );
    let provider = MockServer::start(vec![bad]).await;
    let c = config(ProviderKind::OpenaiCompatible, &provider.origin);
    let err = providers::call(&c, "m", &request(), Some(&key()))
        .await
        .expect_err("unreadable");
    assert!(matches!(err, ProviderError::BadResponse { .. }), "{err}");
    assert_eq!(leaked(&err.to_string()), None, "{err}");

    let echo = Reply::ok(json!({
        "model": KEY, "choices": [{"message": {"content": format!("You sent: Bearer {KEY}")}, "finish_reason": "stop"}]
    }));
    let provider = MockServer::start(vec![echo]).await;
    let c = config(ProviderKind::OpenaiCompatible, &provider.origin);
    let reply = providers::call(&c, "m", &request(), Some(&key()))
        .await
        .expect("reply");
    assert_eq!(reply.text, "You sent: Bearer ***");
    assert_eq!(reply.model, "***");
}
