//! Usage of the last days per provider, day by day (calls, tokens, cost): the series the app's
//! usage chart draws, read from the same daily counters as the monthly figures.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{Result, Store, timefmt};

use super::prices;

/// The most days one request may cover (a year): the chart shows 30.
pub const MAX_DAYS: u16 = 366;

/// One provider's direct calls on one day (every model, every outcome).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DayUsage {
    pub calls: u64,
    /// Calls that failed (key rejected, rate limited, timeout, ...).
    pub failed_calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Cost of the day's priced models, in the budget's currency; `None` when none of the
    /// models used that day has a price (unpriced models count as free, as budgets do).
    pub cost: Option<f64>,
}

/// One provider's days, aligned with [`UsageDays::days`].
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderDays {
    pub provider: String,
    pub days: Vec<DayUsage>,
}

/// The last days' usage: every day of the range (days without calls included), and one series
/// per provider that was called in it, by name.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageDays {
    /// `YYYY-MM-DD` (UTC), oldest first, ending today.
    pub days: Vec<String>,
    pub providers: Vec<ProviderDays>,
}

/// Usage of the last `days` UTC days (today included, at most [`MAX_DAYS`]) per provider and day.
pub fn daily(store: &Store, days: u16) -> Result<UsageDays> {
    let days = timefmt::last_days(days.min(MAX_DAYS));
    let Some(first) = days.first() else {
        return Ok(UsageDays {
            days,
            providers: Vec::new(),
        });
    };
    let prices = prices(store)?;
    let rows = store.read(|conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT day, provider, model, SUM(calls), SUM(CASE WHEN outcome = 'ok' THEN 0 ELSE calls END),
                    SUM(input_tokens), SUM(output_tokens)
             FROM usage_daily WHERE day >= ?1 GROUP BY day, provider, model ORDER BY provider, day",
        )?;
        let rows = stmt.query_map([first], |r| {
            let count = |i| r.get::<_, i64>(i).map(|n| n.max(0) as u64);
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                [count(3)?, count(4)?, count(5)?, count(6)?],
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    })?;
    let index: BTreeMap<&str, usize> = days.iter().enumerate().map(|(i, d)| (d.as_str(), i)).collect();
    let mut series: BTreeMap<String, Vec<DayUsage>> = BTreeMap::new();
    for (day, provider, model, [calls, failed, input, output]) in rows {
        // A day after today (a clock set back) is outside the range.
        let Some(&at) = index.get(day.as_str()) else {
            continue;
        };
        let price = prices.get(&(provider.clone(), model));
        let slot = &mut series
            .entry(provider)
            .or_insert_with(|| vec![DayUsage::default(); days.len()])[at];
        slot.calls += calls;
        slot.failed_calls += failed;
        slot.input_tokens += input;
        slot.output_tokens += output;
        if let Some(price) = price {
            slot.cost = Some(slot.cost.unwrap_or(0.0) + price.cost(input, output));
        }
    }
    Ok(UsageDays {
        providers: series
            .into_iter()
            .map(|(provider, days)| ProviderDays { provider, days })
            .collect(),
        days,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        generation::{
            TokenUsage,
            usage::{Outcome, record, tests::set_cheap_price},
        },
        paths::DataDir,
    };

    /// A counter row of `days_ago` days back, as a server of that day would have written it.
    fn seed(store: &Store, days_ago: usize, provider: &str, model: &str, outcome: &str, counts: [i64; 3]) {
        let all = timefmt::last_days(40);
        let day = &all[all.len() - 1 - days_ago];
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO usage_daily (day, provider, model, outcome, calls, input_tokens, output_tokens, latency_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
                    rusqlite::params![day, provider, model, outcome, counts[0], counts[1], counts[2]],
                )?;
                Ok(())
            })
            .expect("seed a day");
    }

    #[test]
    fn each_provider_gets_one_entry_per_day_with_its_calls_tokens_and_cost() {
        // Proves the series are aligned with the days, sum models and outcomes per provider and
        // day, price only the priced models, and leave out what is older than the range.
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&DataDir::at(dir.path())).expect("store");
        set_cheap_price(&store);
        let usage = |i, o| TokenUsage {
            input_tokens: i,
            output_tokens: o,
        };
        record(
            &store,
            "openai",
            "cheap",
            Outcome::Ok,
            usage(1_000_000, 500_000),
            10,
        )
        .expect("record");
        record(&store, "openai", "free", Outcome::Timeout, usage(0, 0), 10).expect("record");
        seed(&store, 2, "anthropic", "m", "ok", [3, 30, 12]);
        seed(&store, 2, "anthropic", "m", "rate-limited", [1, 0, 0]);
        seed(&store, 35, "anthropic", "m", "ok", [9, 9, 9]);

        let got = daily(&store, 30).expect("daily");
        assert_eq!(got.days.len(), 30);
        assert_eq!(got.days, timefmt::last_days(30));
        let names: Vec<&str> = got.providers.iter().map(|p| p.provider.as_str()).collect();
        assert_eq!(names, ["anthropic", "openai"]);
        let anthropic = &got.providers[0].days;
        assert_eq!(anthropic.len(), 30);
        assert_eq!(
            anthropic[27],
            DayUsage {
                calls: 4,
                failed_calls: 1,
                input_tokens: 30,
                output_tokens: 12,
                cost: None
            }
        );
        assert_eq!(
            anthropic.iter().map(|d| d.calls).sum::<u64>(),
            4,
            "the day 35 days back is outside the range"
        );
        let today = &got.providers[1].days[29];
        assert_eq!((today.calls, today.failed_calls), (2, 1));
        assert_eq!((today.input_tokens, today.output_tokens), (1_000_000, 500_000));
        assert!(today.cost.is_some_and(|c| (c - 2.0).abs() < 1e-9), "{today:?}");
        assert_eq!(got.providers[1].days[28], DayUsage::default());
    }

    #[test]
    fn a_store_without_calls_has_days_but_no_series() {
        let store = Store::open_in_memory().expect("store");
        let got = daily(&store, 7).expect("daily");
        assert_eq!(got.days.len(), 7);
        assert!(got.providers.is_empty());
        assert!(daily(&store, 0).expect("no days").days.is_empty());
        assert_eq!(
            daily(&store, u16::MAX).expect("capped").days.len(),
            usize::from(MAX_DAYS)
        );
    }
}
