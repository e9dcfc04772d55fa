//! `providers detect`: looks for local model servers (Ollama, LM Studio, llama.cpp, Jan, vLLM)
//! at their usual addresses, or those in LLMGEN_LOCAL_MODEL_URLS, says what it found, and with
//! `--use` makes the first that serves a model the default provider.
#![allow(clippy::print_stdout)] // this is the CLI's output; the serve path never prints

use llmgen_core::{
    Store,
    generation::providers::{
        ProviderConfig,
        local::{self, LocalAnswer, LocalServer},
    },
};
use serde::Serialize;

use super::runtime;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    servers: &'a [LocalServer],
    /// The provider `--use` made the default.
    used: Option<&'a ProviderConfig>,
}

/// `use_model`: `None` without `--use`; `Some(None)` for `--use` alone; `Some(Some(m))` for a model.
pub fn detect(store: &Store, json: bool, use_model: Option<Option<String>>) -> anyhow::Result<()> {
    let servers = runtime()?.block_on(local::detect(local::candidates_from_env()));
    let used = match &use_model {
        None => None,
        Some(model) => {
            let chosen = first_serving(&servers, model.as_deref()).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}",
                    match model {
                        Some(m) => format!("No local model server here offers the model '{m}'."),
                        None => "No local model server here is ready to serve a model.".to_string(),
                    } + " Start one (Ollama, LM Studio, llama.cpp, Jan or vLLM) with a model loaded, then run this again."
                )
            })?;
            Some(local::make_default(store, chosen, model.as_deref())?)
        }
    };
    if json {
        let report = Report {
            servers: &servers,
            used: used.as_ref(),
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!("Local model servers on this computer:");
    for server in &servers {
        println!(
            "  {:<18} {:<28} {}",
            server.label(),
            server.base_url,
            in_words(&server.answer)
        );
    }
    match (&used, first_serving(&servers, None)) {
        (Some(p), _) => println!(
            "'{}' is now the default provider: model {} at {}, no key needed.",
            p.name, p.model, p.base_url
        ),
        (None, Some(found)) => println!(
            "To generate with {} when your AI app cannot lend its model: mcp-llm-generator providers detect --use [MODEL]",
            found.label()
        ),
        (None, None) => println!(
            "None is ready. Install one (for example Ollama or LM Studio), download a model, and run this again; or store a key with `mcp-llm-generator keys set anthropic`."
        ),
    }
    Ok(())
}

/// The first server that serves `model`, or any model when none is named.
fn first_serving<'a>(servers: &'a [LocalServer], model: Option<&str>) -> Option<&'a LocalServer> {
    servers.iter().find(|s| {
        s.models()
            .is_some_and(|models| !models.is_empty() && model.is_none_or(|m| models.iter().any(|x| x == m)))
    })
}

fn in_words(answer: &LocalAnswer) -> String {
    match answer {
        LocalAnswer::Ready { models } => format!("ready: {}", models.join(", ")),
        LocalAnswer::NoModels => "running, but no model is downloaded or loaded".into(),
        LocalAnswer::NotRunning { .. } => "not running".into(),
        LocalAnswer::NotCompatible { detail } => format!("something else answers there ({detail})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(url: &str, answer: LocalAnswer) -> LocalServer {
        LocalServer {
            kind: None,
            base_url: url.into(),
            answer,
        }
    }

    /// `--use` skips servers that are not running or have no model, and with a model named,
    /// takes the first server that has it.
    #[test]
    fn use_takes_the_first_server_that_serves_the_model() {
        let ready = |models: &[&str]| LocalAnswer::Ready {
            models: models.iter().map(|m| m.to_string()).collect(),
        };
        let servers = [
            server(
                "a",
                LocalAnswer::NotRunning {
                    detail: "refused".into(),
                },
            ),
            server("b", LocalAnswer::NoModels),
            server("c", ready(&["small"])),
            server("d", ready(&["big", "small"])),
        ];
        let url = |model| first_serving(&servers, model).map(|s| s.base_url.as_str());
        assert_eq!(url(None), Some("c"));
        assert_eq!(url(Some("big")), Some("d"));
        assert_eq!(url(Some("huge")), None);
    }
}
