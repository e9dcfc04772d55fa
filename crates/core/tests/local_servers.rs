//! Local model servers and keys tested on the spot, against HTTP stand-ins on 127.0.0.1: what
//! the probe asks, how each kind of answer is reported, that the probes run at once, and what a
//! key check sends and concludes.

#[path = "support/mock_http.rs"]
mod mock_http;

use std::time::{Duration, Instant};

use llmgen_core::{
    Store,
    generation::providers::{
        self, KeyCheck, ProviderConfig, ProviderKind, check_key,
        local::{self, LocalAnswer, LocalCandidate},
    },
    secrets::Secret,
};
use mock_http::{MockServer, Reply};
use serde_json::json;

fn models(ids: &[&str]) -> Reply {
    let data: Vec<_> = ids
        .iter()
        .map(|id| json!({"id": id, "object": "model"}))
        .collect();
    Reply::ok(json!({"object": "list", "data": data}))
}

fn candidate(origin: &str) -> LocalCandidate {
    LocalCandidate::from_url(&format!("{origin}/v1"))
}

/// A port nothing listens on: bound, then released.
fn closed_port_origin() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    origin
}

#[tokio::test]
async fn each_kind_of_answer_is_reported_in_the_candidates_order() {
    let ready = MockServer::start(vec![models(&["llama3.2:latest", "qwen3"])]).await;
    let empty = MockServer::start(vec![models(&[])]).await;
    let html = MockServer::start(vec![Reply::Status {
        status: 200,
        headers: Vec::new(),
        body: "<html>hello</html>".into(),
    }])
    .await;
    let missing = MockServer::start(vec![Reply::status(404, json!({"error": "no"}))]).await;
    let closed = closed_port_origin();
    let found = local::detect(vec![
        candidate(&ready.origin),
        candidate(&empty.origin),
        candidate(&html.origin),
        candidate(&missing.origin),
        candidate(&closed),
    ])
    .await;
    let answers: Vec<&LocalAnswer> = found.iter().map(|s| &s.answer).collect();
    assert_eq!(
        answers[0],
        &LocalAnswer::Ready {
            models: vec!["llama3.2:latest".into(), "qwen3".into()]
        }
    );
    assert_eq!(answers[1], &LocalAnswer::NoModels);
    assert!(
        matches!(answers[2], LocalAnswer::NotCompatible { .. }),
        "{:?}",
        answers[2]
    );
    assert!(
        matches!(answers[3], LocalAnswer::NotCompatible { detail } if detail.contains("404")),
        "{:?}",
        answers[3]
    );
    assert!(
        matches!(answers[4], LocalAnswer::NotRunning { .. }),
        "{:?}",
        answers[4]
    );
    assert_eq!(found[0].base_url, format!("{}/v1", ready.origin));
    let asked = &ready.requests()[0];
    assert_eq!(
        (asked.method.as_str(), asked.path.as_str()),
        ("GET", "/v1/models")
    );
    assert_eq!(asked.header("authorization"), None, "a local probe sends no key");
}

/// Five addresses that each hang must not take five timeouts: the probes run at once, and a
/// server that never answers is given up on after a short wait.
#[tokio::test]
async fn probes_run_at_once_with_a_short_timeout() {
    let mut hung = Vec::new();
    for _ in 0..5 {
        hung.push(
            MockServer::start(vec![Reply::Slow(
                Duration::from_secs(30),
                Box::new(models(&["m"])),
            )])
            .await,
        );
    }
    let started = Instant::now();
    let found = local::detect(hung.iter().map(|s| candidate(&s.origin)).collect()).await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(4), "took {took:?}");
    assert!(
        found
            .iter()
            .all(|s| matches!(s.answer, LocalAnswer::NotRunning { .. }))
    );
}

#[tokio::test]
async fn a_found_stand_in_becomes_the_default_provider() {
    let server = MockServer::start(vec![models(&["tiny", "big"])]).await;
    let found = local::probe(candidate(&server.origin)).await;
    let store = Store::open_in_memory().expect("store");
    let made = local::make_default(&store, &found, Some("big")).expect("use");
    let default = providers::default_provider(&store).expect("read").expect("set");
    assert_eq!(default, made);
    assert_eq!(
        (
            default.name.as_str(),
            default.base_url,
            default.model.as_str(),
            default.kind.needs_key()
        ),
        ("local", format!("{}/v1", server.origin), "big", false)
    );
}

fn config(kind: ProviderKind, origin: &str) -> ProviderConfig {
    ProviderConfig {
        name: "p".into(),
        kind,
        base_url: format!("{origin}/v1"),
        model: "m".into(),
        timeout_secs: 5,
        retries: 0,
        is_default: false,
        builtin: false,
    }
}

#[tokio::test]
async fn a_key_check_lists_models_with_the_key_and_spends_nothing() {
    let openai = MockServer::start(vec![models(&["gpt"])]).await;
    let key = Secret::new("sk-test-CHECK-0123");
    assert_eq!(
        check_key(&config(ProviderKind::Openai, &openai.origin), &key).await,
        KeyCheck::Works
    );
    let asked = &openai.requests()[0];
    assert_eq!(
        (asked.method.as_str(), asked.path.as_str()),
        ("GET", "/v1/models")
    );
    assert_eq!(asked.header("authorization"), Some("Bearer sk-test-CHECK-0123"));

    let anthropic = MockServer::start(vec![models(&["claude"])]).await;
    check_key(&config(ProviderKind::Anthropic, &anthropic.origin), &key).await;
    let asked = &anthropic.requests()[0];
    assert_eq!(asked.header("x-api-key"), Some("sk-test-CHECK-0123"));
    assert!(asked.header("anthropic-version").is_some());
}

#[tokio::test]
async fn a_key_check_tells_a_rejected_key_from_a_wrong_address() {
    let key = Secret::new("sk-test-CHECK-0123");
    let rejecting =
        MockServer::start(vec![Reply::status(401, json!({"error": {"message": "bad key"}}))]).await;
    assert_eq!(
        check_key(&config(ProviderKind::Openai, &rejecting.origin), &key).await,
        KeyCheck::Rejected { status: 401 }
    );
    let wrong = MockServer::start(vec![Reply::status(404, json!({}))]).await;
    assert!(matches!(
        check_key(&config(ProviderKind::Openai, &wrong.origin), &key).await,
        KeyCheck::Unclear { detail } if detail.contains("404")
    ));
    assert!(matches!(
        check_key(&config(ProviderKind::Openai, &closed_port_origin()), &key).await,
        KeyCheck::NotReachable { .. }
    ));
}
