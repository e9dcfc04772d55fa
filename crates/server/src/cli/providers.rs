//! `providers`, `keys`, `usage` and `budget`: the direct LLM providers, their keys in the OS
//! keychain (read from stdin or a hidden prompt, never argv), what they cost and their limits.
#![allow(clippy::print_stdout)] // this is the CLI's output; the serve path never prints

use std::io::{IsTerminal, Read};

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use llmgen_core::{
    Store,
    generation::providers::{self, Direct, NewProvider, ProviderKind, ProviderPatch},
    generation::usage::{self, Budget, BudgetUnit, Month, Price},
    secrets::Secret,
};

use super::runtime;

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    Anthropic,
    Openai,
    OpenaiCompatible,
}

impl From<KindArg> for ProviderKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Anthropic => Self::Anthropic,
            KindArg::Openai => Self::Openai,
            KindArg::OpenaiCompatible => Self::OpenaiCompatible,
        }
    }
}

#[derive(Subcommand)]
pub enum ProvidersAction {
    /// List the providers (the default one first).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a provider, e.g. `providers add ollama --kind openai-compatible --base-url http://localhost:11434/v1 --model llama3.2`.
    Add {
        name: String,
        #[arg(long, value_enum)]
        kind: KindArg,
        /// Base URL including the version path (default for anthropic/openai: the official API).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Model used when a call names none.
        #[arg(long, value_name = "MODEL")]
        model: String,
        /// Request timeout in seconds (default 120).
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<u32>,
        /// Extra attempts after a 429, a 5xx or a dropped connection (default 2).
        #[arg(long)]
        retries: Option<u32>,
        /// Make it the default provider (used by provider "auto" when sampling is not available).
        #[arg(long)]
        default: bool,
    },
    /// Change a provider.
    Set {
        name: String,
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        #[arg(long, value_name = "MODEL")]
        model: Option<String>,
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<u32>,
        #[arg(long)]
        retries: Option<u32>,
        #[arg(long)]
        default: bool,
    },
    /// Remove a provider you added (built-ins can only be changed).
    Remove { name: String },
    /// Look for local model servers (Ollama, LM Studio, llama.cpp, Jan, vLLM) at their usual
    /// addresses (or those in LLMGEN_LOCAL_MODEL_URLS, comma-separated) and say what they serve.
    Detect {
        #[arg(long)]
        json: bool,
        /// Make the first server found the default provider, with MODEL (default: its first model).
        #[arg(long = "use", value_name = "MODEL", num_args = 0..=1)]
        use_model: Option<Option<String>>,
    },
}

#[derive(Subcommand)]
pub enum KeysAction {
    /// Store a provider's API key in the OS keychain (read from stdin, or a hidden prompt).
    Set { name: String },
    /// Show which providers have a key (never the key).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Delete a provider's key from the keychain.
    Delete { name: String },
    /// Send one minimal real request (a few tokens) with the stored key.
    Test {
        name: String,
        /// Model to test with (default: the provider's default model).
        #[arg(long)]
        model: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum UnitArg {
    Tokens,
    Currency,
}

#[derive(Subcommand)]
pub enum BudgetAction {
    /// Set a provider's monthly budget, e.g. `budget set anthropic 2000000 --unit tokens` or
    /// `budget set openai 20 --unit currency` (with prices from `budget price`).
    Set {
        provider: String,
        amount: f64,
        #[arg(long, value_enum, default_value = "tokens")]
        unit: UnitArg,
    },
    /// Remove a provider's budget (calls are no longer limited).
    Remove { provider: String },
    /// Set a model's price per million tokens, in your budget's currency.
    Price {
        provider: String,
        model: String,
        /// Price per million input tokens.
        #[arg(long, value_name = "PRICE")]
        input: f64,
        /// Price per million output tokens.
        #[arg(long, value_name = "PRICE")]
        output: f64,
    },
}

pub fn providers(store: &Store, action: Option<ProvidersAction>) -> anyhow::Result<()> {
    match action.unwrap_or(ProvidersAction::List { json: false }) {
        ProvidersAction::List { json } => {
            let list = providers::list(store)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for p in list {
                    println!(
                        "{}{:<16} {:<18} model {:<24} {}  (timeout {} s, {} retries)",
                        if p.is_default { "* " } else { "  " },
                        p.name,
                        p.kind.as_str(),
                        p.model,
                        p.base_url,
                        p.timeout_secs,
                        p.retries
                    );
                }
                println!("(* = default; keys: `mcp-llm-generator keys list`)");
            }
        }
        ProvidersAction::Add {
            name,
            kind,
            base_url,
            model,
            timeout,
            retries,
            default,
        } => {
            let kind = ProviderKind::from(kind);
            let base_url = kind.base_url_or_default(base_url)?;
            let p = providers::add(
                store,
                NewProvider {
                    name,
                    kind,
                    base_url,
                    model,
                    timeout_secs: timeout,
                    retries,
                    make_default: default,
                },
            )?;
            println!(
                "Added provider '{}' ({} at {}, model {}).",
                p.name,
                p.kind.as_str(),
                p.base_url,
                p.model
            );
            if p.kind.needs_key() {
                println!("Store its key with: mcp-llm-generator keys set {}", p.name);
            }
        }
        ProvidersAction::Set {
            name,
            base_url,
            model,
            timeout,
            retries,
            default,
        } => {
            let p = providers::set(
                store,
                &name,
                ProviderPatch {
                    base_url,
                    model,
                    timeout_secs: timeout,
                    retries,
                    make_default: default,
                },
            )?;
            println!(
                "Provider '{}': {} at {}, model {}, timeout {} s, {} retries{}.",
                p.name,
                p.kind.as_str(),
                p.base_url,
                p.model,
                p.timeout_secs,
                p.retries,
                if p.is_default { ", default" } else { "" }
            );
        }
        ProvidersAction::Detect { json, use_model } => super::detect::detect(store, json, use_model)?,
        ProvidersAction::Remove { name } => {
            providers::remove(store, &name)?;
            println!(
                "Removed provider '{name}'. Its key, if any, is still in the keychain: `mcp-llm-generator keys delete {name}` removes it."
            );
        }
    }
    Ok(())
}

/// Reads a key without it ever being an argument: a hidden prompt at a terminal, else stdin.
fn read_key(name: &str) -> anyhow::Result<Secret> {
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("API key for {name} (input hidden): "))
            .context("reading the key from the terminal")?
    } else {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the key from stdin")?;
        text
    };
    Ok(Secret::new(text))
}

pub fn keys(store: &Store, action: KeysAction) -> anyhow::Result<()> {
    let direct = Direct::new();
    match action {
        KeysAction::Set { name } => {
            // Fail before asking for the key when the provider does not exist.
            providers::get(store, &name)?;
            let secret = read_key(&name)?;
            direct.set_key(store, &name, &secret)?;
            println!(
                "Stored the key for '{name}' in the OS keychain. Check it with: mcp-llm-generator keys test {name}"
            );
        }
        KeysAction::List { json } => {
            let keys = runtime()?.block_on(direct.keys(store))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&keys)?);
            } else {
                let mut problem = None;
                for k in keys {
                    let state = match (&k.source, k.needs_key) {
                        (Some(source), _) => format!("key present ({source})"),
                        (None, true) => "no key".to_string(),
                        (None, false) => "no key (none needed)".to_string(),
                    };
                    println!("{:<16} {state}", k.provider);
                    problem = problem.or(k.problem);
                }
                // The keychain's problem is the same for every provider: say it once.
                if let Some(problem) = problem {
                    println!("{problem}");
                }
            }
        }
        KeysAction::Delete { name } => {
            if direct.delete_key(&name)? {
                println!("Deleted the key for '{name}' from the OS keychain.");
            } else {
                println!("No key for '{name}' was stored.");
            }
        }
        KeysAction::Test { name, model } => {
            let reply = runtime()?.block_on(direct.test_key(store, &name, model.as_deref()))?;
            println!(
                "The key for '{name}' works: model {} answered ({} input / {} output tokens).",
                reply.model, reply.usage.input_tokens, reply.usage.output_tokens
            );
        }
    }
    Ok(())
}

pub fn usage(store: &Store, month: Option<String>, json: bool) -> anyhow::Result<()> {
    let month = match month {
        Some(text) => Month::parse(&text)?,
        None => Month::current(),
    };
    let rows = usage::month_usage(store, month)?;
    let mut budgets = Vec::new();
    for p in providers::list(store)? {
        if let Some(state) = usage::budget_state(store, &p.name, month)? {
            budgets.push((p.name, state));
        }
    }
    if json {
        let budgets: serde_json::Map<String, serde_json::Value> = budgets
            .iter()
            .map(|(name, state)| Ok((name.clone(), serde_json::to_value(state)?)))
            .collect::<serde_json::Result<_>>()?;
        let out = serde_json::json!({ "month": month.to_string(), "usage": rows, "budgets": budgets });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("Usage in {month} (UTC)");
    if rows.is_empty() {
        println!("  no direct provider calls");
    }
    for u in &rows {
        let cost = u.cost.map(|c| format!(", cost {c:.4}")).unwrap_or_default();
        println!(
            "  {:<16} {:<28} {} calls ({} failed), {} in / {} out tokens, {} ms mean{cost}",
            u.provider, u.model, u.calls, u.failed_calls, u.input_tokens, u.output_tokens, u.mean_latency_ms
        );
    }
    for (name, state) in &budgets {
        println!(
            "  budget {name}: {} of {} used ({:.0} %), {} left",
            state.amount(state.used),
            state.amount(state.monthly_limit),
            state.percent_used,
            state.amount(state.left)
        );
        if let Some(w) = state.warning(name) {
            println!("  {w}");
        }
    }
    Ok(())
}

pub fn budget(store: &Store, action: BudgetAction) -> anyhow::Result<()> {
    match action {
        BudgetAction::Set {
            provider,
            amount,
            unit,
        } => {
            let unit = match unit {
                UnitArg::Tokens => BudgetUnit::Tokens,
                UnitArg::Currency => BudgetUnit::Currency,
            };
            usage::set_budget(
                store,
                &provider,
                Budget {
                    unit,
                    monthly_limit: amount,
                },
            )?;
            println!("Monthly budget of '{provider}': {amount} {}.", unit.as_str());
        }
        BudgetAction::Remove { provider } => {
            if usage::remove_budget(store, &provider)? {
                println!("Removed the budget of '{provider}'.");
            } else {
                println!("'{provider}' had no budget.");
            }
        }
        BudgetAction::Price {
            provider,
            model,
            input,
            output,
        } => {
            usage::set_price(
                store,
                &provider,
                &model,
                Price {
                    input_per_mtok: input,
                    output_per_mtok: output,
                },
            )?;
            println!(
                "Price of {provider}/{model}: {input} per million input tokens, {output} per million output tokens."
            );
        }
    }
    Ok(())
}
