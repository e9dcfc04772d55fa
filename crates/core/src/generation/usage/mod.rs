//! Usage accounting and monthly budgets of direct providers.
//!
//! Every direct call adds to one counter row per UTC day, provider, model and outcome (no row
//! per call). A budget is per provider and month, in tokens (input + output) or in currency,
//! priced per model; at 80 % it warns, at 100 % calls are refused until the user raises it or
//! the month ends. [`daily`] gives the last days day by day, for charts.

mod daily;

pub use daily::{DayUsage, MAX_DAYS, ProviderDays, UsageDays, daily};

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{CoreError, Result, Store, generation::TokenUsage, timefmt};

/// Share of a budget at which a warning appears.
pub const WARN_AT: f64 = 0.8;

/// A calendar month (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Month {
    pub year: i32,
    pub month: u8,
}

impl Month {
    pub fn current() -> Self {
        Self::of(timefmt::now())
    }

    fn of(t: OffsetDateTime) -> Self {
        Self {
            year: t.year(),
            month: u8::from(t.month()),
        }
    }

    /// Parses `YYYY-MM`.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || {
            CoreError::invalid(format!(
                "'{text}' is not a month: write it as YYYY-MM, e.g. 2026-11."
            ))
        };
        let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        if y.len() != 4 || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Self { year, month })
    }

    /// The `LIKE` pattern matching this month's `day` values.
    fn day_pattern(self) -> String {
        format!("{self}-%")
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

fn today() -> String {
    let t = timefmt::now();
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// How a direct call ended, as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    KeyRejected,
    ModelNotFound,
    RateLimited,
    Timeout,
    Network,
    Error,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::KeyRejected => "key-rejected",
            Self::ModelNotFound => "model-not-found",
            Self::RateLimited => "rate-limited",
            Self::Timeout => "timeout",
            Self::Network => "network",
            Self::Error => "error",
        }
    }
}

/// Adds one call to today's counters.
pub fn record(
    store: &Store,
    provider: &str,
    model: &str,
    outcome: Outcome,
    usage: TokenUsage,
    latency_ms: u64,
) -> Result<()> {
    store.write(|tx| {
        tx.execute(
            "INSERT INTO usage_daily (day, provider, model, outcome, calls, input_tokens, output_tokens, latency_ms)
             VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7)
             ON CONFLICT (day, provider, model, outcome) DO UPDATE SET
                calls = calls + 1,
                input_tokens = input_tokens + excluded.input_tokens,
                output_tokens = output_tokens + excluded.output_tokens,
                latency_ms = latency_ms + excluded.latency_ms",
            params![
                today(),
                provider,
                model,
                outcome.as_str(),
                saturating_i64(usage.input_tokens),
                saturating_i64(usage.output_tokens),
                saturating_i64(latency_ms)
            ],
        )?;
        Ok(())
    })
}

fn saturating_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A month's usage of one provider and model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelUsage {
    pub provider: String,
    pub model: String,
    /// Every call, successful or not.
    pub calls: u64,
    /// Calls that failed (key rejected, rate limited, timeout, ...).
    pub failed_calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Mean latency of the calls, in milliseconds.
    pub mean_latency_ms: u64,
    /// Cost in the budget's currency, when this model has a price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
}

/// One month's usage, per provider and model.
pub fn month_usage(store: &Store, month: Month) -> Result<Vec<ModelUsage>> {
    let prices = prices(store)?;
    store.read(|conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT provider, model, SUM(calls), SUM(CASE WHEN outcome = 'ok' THEN 0 ELSE calls END),
                    SUM(input_tokens), SUM(output_tokens), SUM(latency_ms)
             FROM usage_daily WHERE day LIKE ?1 GROUP BY provider, model ORDER BY provider, model",
        )?;
        let rows = stmt.query_map([month.day_pattern()], |r| {
            let calls: i64 = r.get(2)?;
            let latency: i64 = r.get(6)?;
            Ok(ModelUsage {
                provider: r.get(0)?,
                model: r.get(1)?,
                calls: calls.max(0) as u64,
                failed_calls: r.get::<_, i64>(3)?.max(0) as u64,
                input_tokens: r.get::<_, i64>(4)?.max(0) as u64,
                output_tokens: r.get::<_, i64>(5)?.max(0) as u64,
                mean_latency_ms: if calls > 0 {
                    (latency / calls).max(0) as u64
                } else {
                    0
                },
                cost: None,
            })
        })?;
        let mut out: Vec<ModelUsage> = rows.collect::<rusqlite::Result<_>>()?;
        for u in &mut out {
            u.cost = prices
                .get(&(u.provider.clone(), u.model.clone()))
                .map(|p| p.cost(u.input_tokens, u.output_tokens));
        }
        Ok(out)
    })
}

/// The unit of a budget.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BudgetUnit {
    /// Input plus output tokens.
    Tokens,
    /// Money, in whatever currency the model prices are given in.
    Currency,
}

impl BudgetUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tokens => "tokens",
            Self::Currency => "currency",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        match text.trim() {
            "tokens" => Ok(Self::Tokens),
            "currency" => Ok(Self::Currency),
            other => Err(CoreError::invalid(format!(
                "Budget unit '{other}' is unknown: use tokens or currency."
            ))),
        }
    }
}

/// A model's price per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Price {
    pub input_per_mtok: f64,
    pub output_per_mtok: f64,
}

impl Price {
    pub fn cost(self, input_tokens: u64, output_tokens: u64) -> f64 {
        (input_tokens as f64 * self.input_per_mtok + output_tokens as f64 * self.output_per_mtok)
            / 1_000_000.0
    }
}

/// Every price, keyed by (provider, model).
pub fn prices(store: &Store) -> Result<BTreeMap<(String, String), Price>> {
    store.read(|conn| {
        let mut stmt =
            conn.prepare_cached("SELECT provider, model, input_per_mtok, output_per_mtok FROM model_prices")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                (r.get(0)?, r.get(1)?),
                Price {
                    input_per_mtok: r.get(2)?,
                    output_per_mtok: r.get(3)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })
}

/// Sets a model's price (per million input / output tokens).
pub fn set_price(store: &Store, provider: &str, model: &str, price: Price) -> Result<()> {
    for (what, v) in [("input", price.input_per_mtok), ("output", price.output_per_mtok)] {
        if !v.is_finite() || v < 0.0 {
            return Err(CoreError::invalid(format!(
                "The {what} price must be a number of at least 0 (per million tokens); got {v}."
            )));
        }
    }
    if model.trim().is_empty() {
        return Err(CoreError::invalid("Give the model the price is for."));
    }
    crate::generation::providers::get(store, provider)?;
    store.write(|tx| {
        tx.execute(
            "INSERT INTO model_prices (provider, model, input_per_mtok, output_per_mtok, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (provider, model) DO UPDATE SET input_per_mtok = excluded.input_per_mtok,
                output_per_mtok = excluded.output_per_mtok, updated_at = excluded.updated_at",
            params![
                provider,
                model.trim(),
                price.input_per_mtok,
                price.output_per_mtok,
                timefmt::now_string()
            ],
        )?;
        Ok(())
    })
}

/// A provider's monthly budget.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Budget {
    pub unit: BudgetUnit,
    pub monthly_limit: f64,
}

/// Sets (or replaces) a provider's monthly budget.
pub fn set_budget(store: &Store, provider: &str, budget: Budget) -> Result<()> {
    if !budget.monthly_limit.is_finite() || budget.monthly_limit <= 0.0 {
        return Err(CoreError::invalid(format!(
            "A budget must be more than 0; got {}. To have no budget, remove it (budget remove {provider}).",
            budget.monthly_limit
        )));
    }
    crate::generation::providers::get(store, provider)?;
    store.write(|tx| {
        tx.execute(
            "INSERT INTO budgets (provider, unit, monthly_limit, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (provider) DO UPDATE SET unit = excluded.unit, monthly_limit = excluded.monthly_limit,
                updated_at = excluded.updated_at",
            params![provider, budget.unit.as_str(), budget.monthly_limit, timefmt::now_string()],
        )?;
        Ok(())
    })
}

/// Removes a provider's budget; `false` when it had none.
pub fn remove_budget(store: &Store, provider: &str) -> Result<bool> {
    store.write(|tx| Ok(tx.execute("DELETE FROM budgets WHERE provider = ?1", [provider])? > 0))
}

pub fn budget(store: &Store, provider: &str) -> Result<Option<Budget>> {
    store.read(|conn| {
        let row: Option<(String, f64)> = conn
            .query_row(
                "SELECT unit, monthly_limit FROM budgets WHERE provider = ?1",
                [provider],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(unit, monthly_limit)| {
            Ok(Budget {
                unit: BudgetUnit::parse(&unit)?,
                monthly_limit,
            })
        })
        .transpose()
    })
}

/// Where a provider stands against its budget this month.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BudgetState {
    pub unit: BudgetUnit,
    pub monthly_limit: f64,
    pub used: f64,
    /// What is left, never below 0.
    pub left: f64,
    /// Used share in percent.
    pub percent_used: f64,
    /// Models used this month that have no price (currency budgets count them as free).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unpriced_models: Vec<String>,
}

impl BudgetState {
    pub fn exhausted(&self) -> bool {
        self.used >= self.monthly_limit
    }

    /// An amount in this budget's unit, as people read it.
    pub fn amount(&self, v: f64) -> String {
        match self.unit {
            BudgetUnit::Tokens => format!("{v:.0} tokens"),
            BudgetUnit::Currency => format!("{v:.2}"),
        }
    }

    /// The warning to show, if any.
    pub fn warning(&self, provider: &str) -> Option<String> {
        let amount = |v: f64| self.amount(v);
        if self.exhausted() {
            Some(format!(
                "Provider '{provider}' has used its whole monthly budget ({} of {}): calls are refused until next month or until you raise it with `mcp-llm-generator budget set {provider} AMOUNT --unit {}`.",
                amount(self.used),
                amount(self.monthly_limit),
                self.unit.as_str()
            ))
        } else if self.used >= self.monthly_limit * WARN_AT {
            Some(format!(
                "Provider '{provider}' has used {:.0} % of its monthly budget ({} of {}).",
                self.percent_used,
                amount(self.used),
                amount(self.monthly_limit)
            ))
        } else {
            None
        }
    }
}

/// A provider's budget state for `month`, or `None` without a budget.
pub fn budget_state(store: &Store, provider: &str, month: Month) -> Result<Option<BudgetState>> {
    let Some(b) = budget(store, provider)? else {
        return Ok(None);
    };
    let usage: Vec<ModelUsage> = month_usage(store, month)?
        .into_iter()
        .filter(|u| u.provider == provider)
        .collect();
    let mut unpriced_models = Vec::new();
    let used = match b.unit {
        // Folded from +0.0: an empty f64 `sum()` is -0.0, which prints as "-0".
        BudgetUnit::Tokens => usage
            .iter()
            .fold(0.0, |sum, u| sum + (u.input_tokens + u.output_tokens) as f64),
        BudgetUnit::Currency => usage.iter().fold(0.0, |sum, u| {
            if u.cost.is_none() && u.input_tokens + u.output_tokens > 0 {
                unpriced_models.push(u.model.clone());
            }
            sum + u.cost.unwrap_or(0.0)
        }),
    };
    Ok(Some(BudgetState {
        unit: b.unit,
        monthly_limit: b.monthly_limit,
        used,
        left: (b.monthly_limit - used).max(0.0),
        percent_used: used / b.monthly_limit * 100.0,
        unpriced_models,
    }))
}

/// Every provider's budget warning this month (80 % and over), for health reports. Reads no
/// keychain and sends nothing.
pub fn budget_warnings(store: &Store) -> Result<Vec<String>> {
    let month = Month::current();
    let mut warnings = Vec::new();
    for p in crate::generation::providers::list(store)? {
        if let Some(w) = budget_state(store, &p.name, month)?.and_then(|s| s.warning(&p.name)) {
            warnings.push(w);
        }
    }
    Ok(warnings)
}

/// Refuses a call when the provider's budget for this month is used up; otherwise returns the
/// 80 % warning, if any.
pub fn check_budget(store: &Store, provider: &str) -> Result<Option<String>> {
    match budget_state(store, provider, Month::current())? {
        Some(state) if state.exhausted() => Err(CoreError::BudgetExhausted(
            state.warning(provider).unwrap_or_default(),
        )),
        Some(state) => Ok(state.warning(provider)),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// openai's model "cheap": 1 per million input tokens, 2 per million output tokens.
    pub(super) fn set_cheap_price(store: &Store) {
        set_price(
            store,
            "openai",
            "cheap",
            Price {
                input_per_mtok: 1.0,
                output_per_mtok: 2.0,
            },
        )
        .expect("price");
    }

    fn tokens(i: u64, o: u64) -> TokenUsage {
        TokenUsage {
            input_tokens: i,
            output_tokens: o,
        }
    }

    #[test]
    fn calls_of_a_day_add_up_in_one_row_per_outcome() {
        let store = Store::open_in_memory().expect("store");
        record(&store, "openai", "m", Outcome::Ok, tokens(10, 5), 100).expect("record");
        record(&store, "openai", "m", Outcome::Ok, tokens(1, 2), 300).expect("record");
        record(&store, "openai", "m", Outcome::Timeout, TokenUsage::default(), 50).expect("record");
        let rows: i64 = store
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM usage_daily", [], |r| r.get(0))?))
            .expect("count");
        assert_eq!(rows, 2);
        let usage = month_usage(&store, Month::current()).expect("usage");
        assert_eq!(usage.len(), 1);
        assert_eq!((usage[0].calls, usage[0].failed_calls), (3, 1));
        assert_eq!((usage[0].input_tokens, usage[0].output_tokens), (11, 7));
        assert_eq!(usage[0].mean_latency_ms, 150);
        assert!(
            month_usage(&store, Month::parse("2001-01").expect("month"))
                .expect("usage")
                .is_empty()
        );
    }

    #[test]
    fn a_token_budget_warns_at_80_percent_and_refuses_at_100() {
        let store = Store::open_in_memory().expect("store");
        set_budget(
            &store,
            "anthropic",
            Budget {
                unit: BudgetUnit::Tokens,
                monthly_limit: 100.0,
            },
        )
        .expect("budget");
        assert_eq!(check_budget(&store, "anthropic").expect("fine"), None);
        let fresh = budget_state(&store, "anthropic", Month::current())
            .expect("state")
            .expect("budget");
        assert_eq!(
            fresh.amount(fresh.used),
            "0 tokens",
            "no negative zero before the first call"
        );
        record(&store, "anthropic", "m", Outcome::Ok, tokens(50, 30), 1).expect("record");
        let warning = check_budget(&store, "anthropic")
            .expect("still allowed")
            .expect("a warning");
        assert!(warning.contains("80 %"), "{warning}");
        record(&store, "anthropic", "m", Outcome::Ok, tokens(10, 10), 1).expect("record");
        let refused = check_budget(&store, "anthropic").expect_err("refused");
        assert!(refused.to_string().contains("budget set anthropic"), "{refused}");
        // Raising the budget lets calls through again.
        set_budget(
            &store,
            "anthropic",
            Budget {
                unit: BudgetUnit::Tokens,
                monthly_limit: 1000.0,
            },
        )
        .expect("raise");
        assert_eq!(check_budget(&store, "anthropic").expect("allowed"), None);
    }

    #[test]
    fn a_currency_budget_prices_each_model_and_names_unpriced_ones() {
        let store = Store::open_in_memory().expect("store");
        set_cheap_price(&store);
        set_budget(
            &store,
            "openai",
            Budget {
                unit: BudgetUnit::Currency,
                monthly_limit: 3.0,
            },
        )
        .expect("budget");
        record(
            &store,
            "openai",
            "cheap",
            Outcome::Ok,
            tokens(1_000_000, 500_000),
            1,
        )
        .expect("record");
        record(&store, "openai", "unknown", Outcome::Ok, tokens(5, 5), 1).expect("record");
        let state = budget_state(&store, "openai", Month::current())
            .expect("state")
            .expect("budget");
        assert!((state.used - 2.0).abs() < 1e-9, "{state:?}");
        assert_eq!(state.unpriced_models, ["unknown"]);
        assert!(state.warning("openai").is_none(), "67 % is below the warning");
    }

    #[test]
    fn bad_budget_input_is_refused_with_a_fix() {
        let store = Store::open_in_memory().expect("store");
        assert!(
            set_budget(
                &store,
                "openai",
                Budget {
                    unit: BudgetUnit::Tokens,
                    monthly_limit: 0.0
                }
            )
            .is_err()
        );
        assert!(matches!(
            set_budget(
                &store,
                "nope",
                Budget {
                    unit: BudgetUnit::Tokens,
                    monthly_limit: 1.0
                }
            ),
            Err(CoreError::NotFound { .. })
        ));
        assert!(Month::parse("2026-13").is_err());
        assert_eq!(Month::parse("2026-02").expect("month").to_string(), "2026-02");
    }
}
