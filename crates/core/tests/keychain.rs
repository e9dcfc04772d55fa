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
    clients::{
        Clients,
        audit::{Keychain, MoveOutcome},
    },
    generation::providers::{self, Direct, NewProvider, ProviderError, ProviderKind},
    generation::{ChatMessage, ChatRole, GenerationRequest, IncludeContext},
    paths::{DataDir, Platform},
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

/// Moving keys into the keychain as every front end does it (`clients::audit::Keychain`): the
/// audit's fix takes a plain OpenAI key out of our own entry and stores it; moving in stores the
/// old server's Anthropic key before its entry is replaced by ours. Each key is read back from
/// the keychain and is gone from its file.
#[test]
fn plain_keys_in_client_files_move_into_the_keychain() {
    if !secrets::keychain_tests_enabled() {
        return;
    }
    const OURS: &str = "sk-kt-FAKE-audit-0000000000";
    const OLD: &str = "sk-ant-FAKE-TEST-ONLY-moving-in";
    let tmp = tempfile::tempdir().expect("tempdir");
    let (home, data) = (tmp.path().join("home"), DataDir::at(tmp.path().join("data")));
    let env_home = home.clone();
    let clients = Clients::with_env(data.clone(), Platform::Linux, move |var| {
        (var == "HOME").then(|| env_home.clone())
    });
    let store = Store::open(&data).expect("store");
    let direct = Direct::new();
    let keychain = Keychain {
        store: &store,
        direct: &direct,
    };
    let write = |path: &std::path::Path, text: String| {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };

    let cursor = home.join(".cursor/mcp.json");
    write(
        &cursor,
        format!(
            r#"{{"mcpServers": {{"llm-generator": {{"command": "/opt/llmgen/mcp-llm-generator", "env": {{"OPENAI_API_KEY": "{OURS}"}}}}}}}}"#
        ),
    );
    let moved = keychain.move_plain_keys(&clients);
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert!(matches!(moved[0].outcome, MoveOutcome::Moved { .. }), "{moved:?}");
    assert_eq!(secrets::read("openai").expect("read"), Some(Secret::new(OURS)));
    assert!(!std::fs::read_to_string(&cursor).expect("read").contains(OURS));

    let vscode = home.join(".config/Code/User/mcp.json");
    write(
        &vscode,
        format!(
            r#"{{"servers": {{"sampler": {{"command": "npx", "args": ["-y", "@mako10k/mcp-llm-generator"], "env": {{"ANTHROPIC_API_KEY": "{OLD}"}}}}}}}}"#
        ),
    );
    let exe = home.join("bin/mcp-llm-generator");
    let replaced = keychain.replace_upstream_entries(&clients, &exe);
    assert_eq!(replaced.len(), 1, "{replaced:?}");
    assert_eq!(replaced[0].0, "vscode");
    assert!(
        replaced[0].1.as_ref().is_ok_and(|change| change.changed),
        "{replaced:?}"
    );
    assert_eq!(secrets::read("anthropic").expect("read"), Some(Secret::new(OLD)));
    let after = std::fs::read_to_string(&vscode).expect("read");
    assert!(
        !after.contains(OLD) && !after.contains("sampler") && after.contains(&*exe.to_string_lossy()),
        "{after}"
    );

    for provider in ["openai", "anthropic"] {
        secrets::delete(provider).expect("clean up");
    }
}

/// Proves the set-up guide's "Test and use" keeps a working key where every front end finds it:
/// in the real keychain, with its provider made the default (the one `auto` routes to).
#[tokio::test]
async fn a_key_that_works_is_kept_and_its_provider_becomes_the_default() {
    if !secrets::keychain_tests_enabled() {
        return;
    }
    let store = Store::open_in_memory().expect("store");
    providers::add(
        &store,
        NewProvider {
            name: "kt-guide".into(),
            kind: ProviderKind::Openai,
            base_url: "http://127.0.0.1:9/v1".into(),
            model: "gpt-test".into(),
            timeout_secs: Some(5),
            retries: Some(0),
            make_default: false,
        },
    )
    .expect("add provider");
    let before = providers::default_provider(&store)
        .expect("default")
        .map(|p| p.name);
    assert_ne!(before.as_deref(), Some("kt-guide"));

    let direct = Direct::new();
    direct
        .keep_working_key(&store, "kt-guide", &Secret::new("sk-FAKE-TEST-ONLY-guide"))
        .expect("keep the key");
    let default = providers::default_provider(&store)
        .expect("default")
        .map(|p| p.name);
    assert_eq!(default.as_deref(), Some("kt-guide"));
    let keys = direct.keys(&store).await.expect("keys list");
    let info = keys.iter().find(|k| k.provider == "kt-guide").expect("listed");
    assert!(
        info.present && info.source.as_deref() == Some("keychain"),
        "{info:?}"
    );
    assert!(direct.delete_key("kt-guide").expect("clean up"));
}
