//! The daily report's tool-call figures for the last days, day by day and over every tool at
//! once (calls, errors, p50/p95 latency): the series the app's small latency chart draws.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{Result, Store, operations::metrics::quantile_us, timefmt};

/// The most days one request may cover.
pub const MAX_DAYS: u16 = 366;

/// Every tool's calls on one day.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolCallsDay {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub calls: u64,
    pub errors: u64,
    /// From the latency histogram of all tools (within 25 % of the true value); `None` on a
    /// day without calls.
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
}

/// The last `days` UTC days (today included, at most [`MAX_DAYS`]), oldest first, days without
/// calls included (as zeros), as far as server processes have flushed their counts.
pub fn tool_days(store: &Store, days: u16) -> Result<Vec<ToolCallsDay>> {
    let days = timefmt::last_days(days.min(MAX_DAYS));
    let Some(first) = days.first() else {
        return Ok(Vec::new());
    };
    let (totals, buckets) = store.read(|conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT day, SUM(calls), SUM(errors) FROM tool_calls_daily WHERE day >= ?1 GROUP BY day",
        )?;
        let totals = stmt
            .query_map([first], |r| {
                Ok((r.get::<_, String>(0)?, (count(r.get(1)?), count(r.get(2)?))))
            })?
            .collect::<rusqlite::Result<BTreeMap<_, _>>>()?;
        let mut stmt = conn.prepare_cached(
            "SELECT day, bucket, SUM(calls) FROM tool_latency_daily WHERE day >= ?1 GROUP BY day, bucket",
        )?;
        let mut buckets: BTreeMap<String, Vec<(usize, u64)>> = BTreeMap::new();
        for row in stmt.query_map([first], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, count(r.get(2)?)))
        })? {
            let (day, bucket, calls) = row?;
            // A bucket number this build does not know is left out rather than misread.
            if let Ok(bucket) = usize::try_from(bucket) {
                buckets.entry(day).or_default().push((bucket, calls));
            }
        }
        Ok((totals, buckets))
    })?;
    let ms = |us: u64| us as f64 / 1000.0;
    Ok(days
        .into_iter()
        .map(|day| {
            let (calls, errors) = totals.get(&day).copied().unwrap_or_default();
            let histogram = buckets.get(&day).map(Vec::as_slice).unwrap_or_default();
            ToolCallsDay {
                p50_ms: quantile_us(histogram, 0.5).map(ms),
                p95_ms: quantile_us(histogram, 0.95).map(ms),
                day,
                calls,
                errors,
            }
        })
        .collect())
}

fn count(n: i64) -> u64 {
    n.max(0) as u64
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::{
        operations::metrics::{Metrics, bucket_of, bucket_upper_us},
        paths::DataDir,
    };

    #[test]
    fn every_day_of_the_range_has_its_calls_errors_and_percentiles_over_all_tools() {
        // Proves the tools of a day are added up (calls, errors and one merged histogram), days
        // without calls are zeros, and the percentiles come from the merged histogram.
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&DataDir::at(dir.path())).expect("store");
        let metrics = Metrics::new();
        for _ in 0..9 {
            metrics.record_tool("template-manage", Duration::from_micros(100), false);
        }
        metrics.record_tool("generate-text", Duration::from_millis(80), true);
        metrics.flush(&store).expect("flush");
        // Three days back, as that day's server flushed it.
        let back = &timefmt::last_days(4)[0];
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO tool_calls_daily (day, tool, calls, errors, latency_us) VALUES (?1, 'x', 2, 0, 400)",
                    [back],
                )?;
                tx.execute(
                    "INSERT INTO tool_latency_daily (day, tool, bucket, calls) VALUES (?1, 'x', ?2, 2)",
                    rusqlite::params![back, bucket_of(200) as i64],
                )?;
                Ok(())
            })
            .expect("seed");

        let days = tool_days(&store, 7).expect("tool days");
        assert_eq!(days.len(), 7);
        assert_eq!(
            days.iter().map(|d| d.day.clone()).collect::<Vec<_>>(),
            timefmt::last_days(7)
        );
        let today = &days[6];
        assert_eq!((today.calls, today.errors), (10, 1));
        assert_eq!(
            today.p50_ms,
            Some(bucket_upper_us(bucket_of(100)) as f64 / 1000.0)
        );
        assert_eq!(
            today.p95_ms,
            Some(bucket_upper_us(bucket_of(80_000)) as f64 / 1000.0)
        );
        let earlier = &days[3];
        assert_eq!(
            (earlier.day.as_str(), earlier.calls, earlier.errors),
            (back.as_str(), 2, 0)
        );
        assert_eq!(
            earlier.p95_ms,
            Some(bucket_upper_us(bucket_of(200)) as f64 / 1000.0)
        );
        let quiet = &days[5];
        assert_eq!((quiet.calls, quiet.errors, quiet.p50_ms), (0, 0, None));
    }

    #[test]
    fn no_days_asked_gives_none() {
        let store = Store::open_in_memory().expect("store");
        assert!(tool_days(&store, 0).expect("none").is_empty());
        assert_eq!(tool_days(&store, 2).expect("two").len(), 2);
    }
}
