//! API keys in a REAL OS keychain: the Secret Service of gnome-keyring-daemon, unlocked, inside
//! its own `dbus-run-session` with a temporary HOME (never a developer's keychain).
//!
//! These tests run only when `LLMGEN_KEYCHAIN_TESTS=1` (xtask sets it after starting the
//! session); otherwise each fails under CI and skips with a notice elsewhere
//! (`secrets::keychain_tests_enabled`, the one guard of every keychain test). With the variable
//! set they refuse to run unless HOME is inside the temp dir, because the keychain names are fixed.

#[path = "support/mock_http.rs"]
mod mock_http;

use llmgen_core::{
    CoreError, Store,
    generation::providers::{self, Direct, NewProvider, ProviderError, ProviderKind},
    generation::{ChatMessage, ChatRole, GenerationRequest, IncludeContext},
    secrets::{self, Secret},
};
use mock_http::{MockServer, Reply};
use serde_json::json;

fn request() -> GenerationRequest {
    GenerationRequest {
        messages: vec![ChatMessage {
            role: ChatRole::User,
            content: "hi".into(),
        }],
        system_prompt: None,
        max_tokens: 10,
        temperature: None,
        stop_sequences: Vec::new(),
        include_context: IncludeContext::None,
        model_preferences: None,
    }
}

/// A key stored through our code is a real Secret Service item under service
/// dev.llmgen.desktop, account provider:<name> (read back with secret-tool, as another program
/// would), and it reads, replaces and deletes.
#[test]
fn a_key_round_trips_through_the_secret_service() {
    if !secrets::keychain_tests_enabled() {
        return;
    }
    let name = "kt-roundtrip";
    secrets::store(name, &Secret::new("sk-first")).expect("store");
    secrets::store(name, &Secret::new("sk-second")).expect("replace");
    assert_eq!(secrets::read(name).expect("read"), Some(Secret::new("sk-second")));
    let out = std::process::Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            secrets::SERVICE,
            "username",
            &secrets::account(name),
        ])
        .output()
        .expect("run secret-tool (package libsecret-tools)");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "sk-second");
    assert!(secrets::delete(name).expect("delete"));
    assert_eq!(secrets::read(name).expect("read after delete"), None);
    assert!(
        !secrets::delete(name).expect("delete again"),
        "nothing left to delete"
    );
}

/// `keys set` then a call: the key from the keychain is what the provider receives, it is
/// reported as present from the keychain, and after `keys delete` the call fails with the
/// fix-it error instead of using a stale copy.
#[tokio::test]
async fn the_keychain_key_is_sent_and_a_deleted_key_is_not_used() {
    if !secrets::keychain_tests_enabled() {
        return;
    }
    let server = MockServer::start(vec![Reply::ok(json!({
        "model": "gpt-test", "choices": [{"message": {"content": "hello"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1}
    }))])
    .await;
    let store = Store::open_in_memory().expect("store");
    providers::add(
        &store,
        NewProvider {
            name: "kt-gateway".into(),
            kind: ProviderKind::Openai,
            base_url: format!("{}/v1", server.origin),
            model: "gpt-test".into(),
            timeout_secs: Some(5),
            retries: Some(0),
            make_default: false,
        },
    )
    .expect("add provider");
    let direct = Direct::new();
    direct
        .set_key(&store, "kt-gateway", &Secret::new("sk-from-keychain\n"))
        .expect("keys set");
    let (generated, _) = direct
        .generate(&store, "kt-gateway", None, &request())
        .await
        .expect("generate");
    assert_eq!(generated.text, "hello");
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Bearer sk-from-keychain")
    );
    let keys = direct.keys(&store).await.expect("keys list");
    let info = keys.iter().find(|k| k.provider == "kt-gateway").expect("listed");
    assert!(
        info.present && info.source.as_deref() == Some("keychain"),
        "{info:?}"
    );

    assert!(direct.delete_key("kt-gateway").expect("keys delete"));
    let err = direct
        .generate(&store, "kt-gateway", None, &request())
        .await
        .expect_err("no key any more");
    assert!(
        matches!(
            err,
            CoreError::Provider(ProviderError::NoKey { keychain: None, .. })
        ),
        "{err}"
    );
    assert!(err.to_string().contains("keys set kt-gateway"), "{err}");
    assert_eq!(server.requests().len(), 1);
}

/// An OpenAI-compatible provider uses a key when one is stored and works without one.
#[tokio::test]
async fn a_keyless_provider_sends_a_key_only_when_one_is_stored() {
    if !secrets::keychain_tests_enabled() {
        return;
    }
    let server = MockServer::start(vec![Reply::ok(json!({
        "choices": [{"message": {"content": "hi"}, "finish_reason": "stop"}]
    }))])
    .await;
    let store = Store::open_in_memory().expect("store");
    providers::add(
        &store,
        NewProvider {
            name: "kt-ollama".into(),
            kind: ProviderKind::OpenaiCompatible,
            base_url: format!("{}/v1", server.origin),
            model: "llama".into(),
            timeout_secs: Some(5),
            retries: Some(0),
            make_default: false,
        },
    )
    .expect("add provider");
    let direct = Direct::new();
    direct
        .generate(&store, "kt-ollama", None, &request())
        .await
        .expect("without a key");
    direct
        .set_key(&store, "kt-ollama", &Secret::new("local-token"))
        .expect("keys set");
    direct
        .generate(&store, "kt-ollama", None, &request())
        .await
        .expect("with a key");
    let sent = server.requests();
    assert_eq!(sent[0].header("authorization"), None);
    assert_eq!(sent[1].header("authorization"), Some("Bearer local-token"));
    direct.delete_key("kt-ollama").expect("clean up");
}
