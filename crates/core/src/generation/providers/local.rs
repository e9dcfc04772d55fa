//! Local model servers on this computer (Ollama, LM Studio, llama.cpp, Jan, vLLM): the usual
//! addresses they listen on, a concurrent probe of each for an OpenAI-compatible
//! `GET /v1/models`, and making one that answers the default keyless provider.

use std::{future::Future, pin::Pin, task::Poll, time::Duration};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{NewProvider, ProviderConfig, ProviderKind, ProviderPatch, add, find, reach, set};
use crate::{CoreError, Result, Store};

/// Comma-separated base URLs that replace [`DEFAULT_LOCAL_URLS`] (tests, or a server on another
/// port or machine).
pub const LOCAL_URLS_ENV: &str = "LLMGEN_LOCAL_MODEL_URLS";

/// Longest wait for one local server: a server on this computer answers its model list at once;
/// a closed port is refused at once.
const PROBE_TIMEOUT: Duration = Duration::from_millis(1500);

/// The local model servers we know by their usual address.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LocalServerKind {
    Ollama,
    LmStudio,
    LlamaCpp,
    Jan,
    Vllm,
}

impl LocalServerKind {
    /// The name people know it by.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Ollama => "Ollama",
            Self::LmStudio => "LM Studio",
            Self::LlamaCpp => "llama.cpp server",
            Self::Jan => "Jan",
            Self::Vllm => "vLLM",
        }
    }

    /// The provider name a server of this kind gets when it is made the default.
    pub fn provider_name(self) -> &'static str {
        match self {
            Self::Ollama => "ollama",
            Self::LmStudio => "lm-studio",
            Self::LlamaCpp => "llama-cpp",
            Self::Jan => "jan",
            Self::Vllm => "vllm",
        }
    }
}

/// The provider name of a server whose kind is not known by its address.
pub const UNKNOWN_LOCAL_PROVIDER: &str = "local";

/// Where each server listens when started with its defaults (each project's documentation):
/// Ollama 11434, LM Studio's local server 1234, llama.cpp's `llama-server` 8080, Jan's local
/// API server 1337, vLLM's `vllm serve` 8000. All serve the OpenAI API under `/v1`.
pub const DEFAULT_LOCAL_URLS: &[(LocalServerKind, &str)] = &[
    (LocalServerKind::Ollama, "http://127.0.0.1:11434/v1"),
    (LocalServerKind::LmStudio, "http://127.0.0.1:1234/v1"),
    (LocalServerKind::LlamaCpp, "http://127.0.0.1:8080/v1"),
    (LocalServerKind::Jan, "http://127.0.0.1:1337/v1"),
    (LocalServerKind::Vllm, "http://127.0.0.1:8000/v1"),
];

/// An address to probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalCandidate {
    pub kind: Option<LocalServerKind>,
    pub base_url: String,
}

impl LocalCandidate {
    /// A base URL given by the user; its kind is taken from its port when that is one of the
    /// usual ports (11434 is Ollama's wherever it runs).
    pub fn from_url(url: &str) -> Self {
        let base_url = url.trim().trim_end_matches('/').to_string();
        Self {
            kind: kind_of(&base_url),
            base_url,
        }
    }
}

fn kind_of(base_url: &str) -> Option<LocalServerKind> {
    let port = reqwest::Url::parse(base_url).ok()?.port()?;
    DEFAULT_LOCAL_URLS.iter().find_map(|(kind, url)| {
        let usual = reqwest::Url::parse(url).ok()?;
        (usual.port() == Some(port)).then_some(*kind)
    })
}

/// The addresses to probe: those in `override_list` (the value of [`LOCAL_URLS_ENV`]) when it
/// names any, else [`DEFAULT_LOCAL_URLS`].
pub fn candidates(override_list: Option<&str>) -> Vec<LocalCandidate> {
    let given: Vec<LocalCandidate> = override_list
        .unwrap_or_default()
        .split(',')
        .filter(|url| !url.trim().is_empty())
        .map(LocalCandidate::from_url)
        .collect();
    if !given.is_empty() {
        return given;
    }
    DEFAULT_LOCAL_URLS
        .iter()
        .map(|(kind, url)| LocalCandidate {
            kind: Some(*kind),
            base_url: (*url).to_string(),
        })
        .collect()
}

/// The addresses to probe on this computer: [`candidates`] with the environment's override.
pub fn candidates_from_env() -> Vec<LocalCandidate> {
    candidates(std::env::var(LOCAL_URLS_ENV).ok().as_deref())
}

/// What one address answered.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum LocalAnswer {
    /// It serves these models.
    Ready { models: Vec<String> },
    /// It answers, but has no model to offer (none downloaded or loaded yet).
    NoModels,
    /// Nothing answered there (usually: that server is not running).
    NotRunning { detail: String },
    /// Something answered, but not an OpenAI-compatible model list.
    NotCompatible { detail: String },
}

/// One probed address.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LocalServer {
    /// Which server usually listens there, when the address says so.
    pub kind: Option<LocalServerKind>,
    pub base_url: String,
    pub answer: LocalAnswer,
}

impl LocalServer {
    /// Its models, when it is ready to serve.
    pub fn models(&self) -> Option<&[String]> {
        match &self.answer {
            LocalAnswer::Ready { models } => Some(models),
            _ => None,
        }
    }

    /// The name people know it by ("Local server" when its address does not say).
    pub fn label(&self) -> &'static str {
        self.kind.map_or("Local server", LocalServerKind::display_name)
    }

    /// The provider name it gets when it is made the default.
    pub fn provider_name(&self) -> &'static str {
        self.kind
            .map_or(UNKNOWN_LOCAL_PROVIDER, LocalServerKind::provider_name)
    }
}

/// Asks one address for its model list.
pub async fn probe(candidate: LocalCandidate) -> LocalServer {
    let answer = match reach::get_models(
        UNKNOWN_LOCAL_PROVIDER,
        ProviderKind::OpenaiCompatible,
        &candidate.base_url,
        None,
        PROBE_TIMEOUT,
    )
    .await
    {
        Err(detail) => LocalAnswer::NotRunning { detail },
        Ok(response) if !response.status().is_success() => LocalAnswer::NotCompatible {
            detail: format!("GET /models answered HTTP {}", response.status().as_u16()),
        },
        Ok(response) => match response.bytes().await {
            Err(e) => LocalAnswer::NotRunning {
                detail: e.to_string(),
            },
            Ok(body) => model_ids(&body),
        },
    };
    LocalServer {
        kind: candidate.kind,
        base_url: candidate.base_url,
        answer,
    }
}

/// The ids of an OpenAI model list, `{"data": [{"id": ...}, ...]}`.
fn model_ids(body: &[u8]) -> LocalAnswer {
    #[derive(Deserialize)]
    struct List {
        data: Vec<Model>,
    }
    #[derive(Deserialize)]
    struct Model {
        id: String,
    }
    match serde_json::from_slice::<List>(body) {
        Err(e) => LocalAnswer::NotCompatible {
            detail: format!("the model list is not in the OpenAI format ({e})"),
        },
        Ok(list) if list.data.is_empty() => LocalAnswer::NoModels,
        Ok(list) => LocalAnswer::Ready {
            models: list.data.into_iter().map(|m| m.id).collect(),
        },
    }
}

/// Probes every candidate at once; the answers come back in the candidates' order.
pub async fn detect(candidates: Vec<LocalCandidate>) -> Vec<LocalServer> {
    join_all(candidates.into_iter().map(probe).collect()).await
}

/// Polls every future in turn until all are done (core has no runtime to spawn on, and needs
/// no more than this).
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pending: Vec<Option<Pin<Box<F>>>> = futures.into_iter().map(|f| Some(Box::pin(f))).collect();
    let mut done: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        for (slot, out) in pending.iter_mut().zip(done.iter_mut()) {
            if let Some(future) = slot
                && let Poll::Ready(value) = future.as_mut().poll(cx)
            {
                *out = Some(value);
                *slot = None;
            }
        }
        if pending.iter().all(Option::is_none) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    done.into_iter().flatten().collect()
}

/// Makes `server` the default provider, keyless, with `model` (default: its first model): a new
/// `openai-compatible` provider named after the server's kind, or that provider changed to this
/// address and model when it exists.
pub fn make_default(store: &Store, server: &LocalServer, model: Option<&str>) -> Result<ProviderConfig> {
    let models = server.models().filter(|m| !m.is_empty()).ok_or_else(|| {
        CoreError::invalid(format!(
            "{} at {} has no model to serve: download or load one in it first.",
            server.label(),
            server.base_url
        ))
    })?;
    let model = match model {
        None => models[0].clone(),
        Some(wanted) if models.iter().any(|m| m == wanted) => wanted.to_string(),
        Some(wanted) => {
            return Err(CoreError::invalid(format!(
                "{} at {} has no model '{wanted}'; it has: {}.",
                server.label(),
                server.base_url,
                models.join(", ")
            )));
        }
    };
    let name = server.provider_name();
    match find(store, name)? {
        Some(existing) if existing.kind != ProviderKind::OpenaiCompatible => {
            Err(CoreError::invalid(format!(
                "A provider named '{name}' of kind {} exists already: rename or remove it first.",
                existing.kind.as_str()
            )))
        }
        Some(_) => set(
            store,
            name,
            ProviderPatch {
                base_url: Some(server.base_url.clone()),
                model: Some(model),
                make_default: true,
                ..Default::default()
            },
        ),
        None => add(
            store,
            NewProvider {
                name: name.to_string(),
                kind: ProviderKind::OpenaiCompatible,
                base_url: server.base_url.clone(),
                model,
                timeout_secs: None,
                retries: None,
                make_default: true,
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The usual addresses are the documented defaults of each server; changing one changes
    /// where every user's computer is searched, so it must be deliberate.
    #[test]
    fn the_default_addresses_are_pinned() {
        let urls: Vec<(&str, &str)> = DEFAULT_LOCAL_URLS
            .iter()
            .map(|(kind, url)| (kind.provider_name(), *url))
            .collect();
        assert_eq!(
            urls,
            [
                ("ollama", "http://127.0.0.1:11434/v1"),
                ("lm-studio", "http://127.0.0.1:1234/v1"),
                ("llama-cpp", "http://127.0.0.1:8080/v1"),
                ("jan", "http://127.0.0.1:1337/v1"),
                ("vllm", "http://127.0.0.1:8000/v1"),
            ]
        );
    }

    #[test]
    fn the_override_replaces_the_list_and_keeps_known_ports_named() {
        assert_eq!(candidates(None).len(), DEFAULT_LOCAL_URLS.len());
        assert_eq!(
            candidates(Some(" , ")).len(),
            DEFAULT_LOCAL_URLS.len(),
            "empty override"
        );
        let given = candidates(Some("http://10.0.0.5:11434/v1/, http://127.0.0.1:9999/v1"));
        assert_eq!(
            given,
            [
                LocalCandidate {
                    kind: Some(LocalServerKind::Ollama),
                    base_url: "http://10.0.0.5:11434/v1".into()
                },
                LocalCandidate {
                    kind: None,
                    base_url: "http://127.0.0.1:9999/v1".into()
                },
            ]
        );
    }

    #[test]
    fn model_lists_are_read_in_the_openai_format() {
        assert_eq!(
            model_ids(
                br#"{"object":"list","data":[{"id":"llama3.2:latest","object":"model"},{"id":"qwen3"}]}"#
            ),
            LocalAnswer::Ready {
                models: vec!["llama3.2:latest".into(), "qwen3".into()]
            }
        );
        assert_eq!(model_ids(br#"{"data":[]}"#), LocalAnswer::NoModels);
        assert!(matches!(model_ids(b"<html>"), LocalAnswer::NotCompatible { .. }));
    }

    fn ready(kind: Option<LocalServerKind>, models: &[&str]) -> LocalServer {
        LocalServer {
            kind,
            base_url: "http://127.0.0.1:11434/v1".into(),
            answer: LocalAnswer::Ready {
                models: models.iter().map(|m| m.to_string()).collect(),
            },
        }
    }

    #[test]
    fn a_found_server_becomes_the_keyless_default_and_can_be_chosen_again() {
        let store = Store::open_in_memory().expect("store");
        let ollama = ready(Some(LocalServerKind::Ollama), &["llama3.2", "qwen3"]);
        let made = make_default(&store, &ollama, None).expect("use");
        assert_eq!(
            (
                made.name.as_str(),
                made.kind,
                made.model.as_str(),
                made.is_default
            ),
            ("ollama", ProviderKind::OpenaiCompatible, "llama3.2", true)
        );
        let again = make_default(&store, &ollama, Some("qwen3")).expect("use again");
        assert_eq!((again.model.as_str(), again.is_default), ("qwen3", true));
        let unknown = make_default(&store, &ready(None, &["m"]), None).expect("use local");
        assert_eq!(unknown.name, "local");
        let defaults: Vec<String> = super::super::list(&store)
            .expect("list")
            .into_iter()
            .filter(|p| p.is_default)
            .map(|p| p.name)
            .collect();
        assert_eq!(defaults, ["local"]);
    }

    #[test]
    fn a_server_without_that_model_or_any_model_is_refused() {
        let store = Store::open_in_memory().expect("store");
        let err = make_default(&store, &ready(None, &["a", "b"]), Some("c")).expect_err("no such model");
        assert!(err.to_string().contains("it has: a, b"), "{err}");
        let empty = LocalServer {
            answer: LocalAnswer::NoModels,
            ..ready(None, &[])
        };
        assert!(make_default(&store, &empty, None).is_err());
        assert_eq!(
            super::super::default_provider(&store)
                .expect("default")
                .expect("set")
                .name,
            "anthropic",
            "nothing changed"
        );
    }
}
