//! Tool-call and generation metrics of one server process: counted in memory (one short mutex
//! hold per call, no allocation after a tool's first call), then added to the day's counters in
//! SQLite by [`Metrics::flush`], periodically and at exit. Never a row per call on the hot path.
//!
//! Latency goes into a log-linear histogram (exact below 8 µs, then 4 buckets per doubling, so a
//! percentile read from it is within 25 % of the true value). Bucket numbers are stored in
//! `tool_latency_daily` and must never change meaning.
//!
//! Counts land on the UTC day of the flush, so calls in the last minute before midnight may count
//! for the next day. On 2026-07-28 sessions a tool call that needs client input (sampling) is
//! two requests, the `input_required` round and its retry, and is counted as two calls.

use std::{collections::HashMap, sync::Mutex, time::Duration};

use rusqlite::params;
use serde::Serialize;

use crate::{Result, Store, timefmt};

/// Buckets below this value hold exactly one microsecond value each.
const LINEAR: u64 = 8;
/// Doublings covered after the linear part: up to 2^40 µs (12 days), far beyond any call.
const DOUBLINGS: usize = 38;
/// Number of histogram buckets.
pub const BUCKETS: usize = LINEAR as usize + DOUBLINGS * 4;

/// The bucket of a latency in microseconds.
pub fn bucket_of(us: u64) -> usize {
    if us < LINEAR {
        return us as usize;
    }
    let exponent = 63 - us.leading_zeros() as usize; // >= 3
    let sub = ((us >> (exponent - 2)) & 3) as usize;
    (LINEAR as usize + (exponent - 3) * 4 + sub).min(BUCKETS - 1)
}

/// The largest latency (µs) a bucket holds (the last bucket holds everything beyond): what a percentile read from it reports.
pub fn bucket_upper_us(bucket: usize) -> u64 {
    if bucket < LINEAR as usize {
        return bucket as u64;
    }
    if bucket >= BUCKETS - 1 {
        return u64::MAX; // the overflow bucket
    }
    let exponent = (bucket - LINEAR as usize) / 4 + 3;
    let sub = ((bucket - LINEAR as usize) % 4) as u64;
    ((5 + sub) << (exponent - 2)) - 1
}

/// The `q` quantile (0..=1) of a histogram given as (bucket, calls) pairs, in microseconds.
pub fn quantile_us(histogram: &[(usize, u64)], q: f64) -> Option<u64> {
    let total: u64 = histogram.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let mut sorted = histogram.to_vec();
    sorted.sort_unstable();
    // The smallest bucket whose cumulative count reaches q of all calls (nearest-rank).
    let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
    let mut seen = 0;
    for (bucket, n) in sorted {
        seen += n;
        if seen >= rank {
            return Some(bucket_upper_us(bucket));
        }
    }
    None
}

#[derive(Debug, Clone)]
struct ToolStats {
    calls: u64,
    errors: u64,
    latency_us: u64,
    histogram: Box<[u64; BUCKETS]>,
}

impl Default for ToolStats {
    fn default() -> Self {
        Self {
            calls: 0,
            errors: 0,
            latency_us: 0,
            histogram: Box::new([0; BUCKETS]),
        }
    }
}

impl ToolStats {
    fn merge(&mut self, other: &ToolStats) {
        self.calls += other.calls;
        self.errors += other.errors;
        self.latency_us = self.latency_us.saturating_add(other.latency_us);
        for (a, b) in self.histogram.iter_mut().zip(other.histogram.iter()) {
            *a += b;
        }
    }
}

#[derive(Debug, Default)]
struct Buffer {
    tools: HashMap<String, ToolStats>,
    routes: HashMap<String, u64>,
}

impl Buffer {
    fn is_empty(&self) -> bool {
        self.tools.is_empty() && self.routes.is_empty()
    }

    fn merge(&mut self, other: Buffer) {
        for (tool, stats) in other.tools {
            self.tools.entry(tool).or_default().merge(&stats);
        }
        for (route, n) in other.routes {
            *self.routes.entry(route).or_default() += n;
        }
    }
}

/// What one flush wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Flushed {
    pub tool_calls: u64,
    pub generations: u64,
}

/// The in-memory counters of one process. Share it behind an `Arc`.
#[derive(Debug, Default)]
pub struct Metrics {
    buffer: Mutex<Buffer>,
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    fn buffer(&self) -> std::sync::MutexGuard<'_, Buffer> {
        // Counters stay consistent even if a holder panicked: each update is a few additions.
        self.buffer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts one tool call. Allocates only on a tool's first call.
    pub fn record_tool(&self, tool: &str, latency: Duration, is_error: bool) {
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        let mut buffer = self.buffer();
        let stats = match buffer.tools.get_mut(tool) {
            Some(stats) => stats,
            None => buffer.tools.entry(tool.to_string()).or_default(),
        };
        stats.calls += 1;
        stats.errors += u64::from(is_error);
        stats.latency_us = stats.latency_us.saturating_add(us);
        stats.histogram[bucket_of(us)] += 1;
    }

    /// Counts one generation served by `route` ("sampling" or a provider's name).
    pub fn record_generation(&self, route: &str) {
        let mut buffer = self.buffer();
        match buffer.routes.get_mut(route) {
            Some(n) => *n += 1,
            None => {
                buffer.routes.insert(route.to_string(), 1);
            }
        }
    }

    /// True when nothing is waiting to be flushed.
    pub fn is_empty(&self) -> bool {
        self.buffer().is_empty()
    }

    /// Adds the buffered counts to today's rows (UTC) in one transaction and empties the buffer.
    /// On failure the counts go back into the buffer for the next flush: nothing is lost.
    pub fn flush(&self, store: &Store) -> Result<Flushed> {
        let taken = std::mem::take(&mut *self.buffer());
        if taken.is_empty() {
            return Ok(Flushed::default());
        }
        let day = day_of(timefmt::now());
        match write(store, &day, &taken) {
            Ok(flushed) => Ok(flushed),
            Err(e) => {
                self.buffer().merge(taken);
                Err(e)
            }
        }
    }
}

/// `YYYY-MM-DD` of a UTC time.
pub(crate) fn day_of(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn write(store: &Store, day: &str, buffer: &Buffer) -> Result<Flushed> {
    store.write(|tx| {
        let mut flushed = Flushed::default();
        let mut calls = tx.prepare_cached(
            "INSERT INTO tool_calls_daily (day, tool, calls, errors, latency_us) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (day, tool) DO UPDATE SET calls = calls + excluded.calls,
                errors = errors + excluded.errors, latency_us = latency_us + excluded.latency_us",
        )?;
        let mut buckets = tx.prepare_cached(
            "INSERT INTO tool_latency_daily (day, tool, bucket, calls) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (day, tool, bucket) DO UPDATE SET calls = calls + excluded.calls",
        )?;
        for (tool, stats) in &buffer.tools {
            calls.execute(params![
                day,
                tool,
                to_i64(stats.calls),
                to_i64(stats.errors),
                to_i64(stats.latency_us)
            ])?;
            for (bucket, n) in stats.histogram.iter().enumerate().filter(|(_, n)| **n > 0) {
                buckets.execute(params![day, tool, bucket as i64, to_i64(*n)])?;
            }
            flushed.tool_calls += stats.calls;
        }
        let mut routes = tx.prepare_cached(
            "INSERT INTO generations_daily (day, route, calls) VALUES (?1, ?2, ?3)
             ON CONFLICT (day, route) DO UPDATE SET calls = calls + excluded.calls",
        )?;
        for (route, n) in &buffer.routes {
            routes.execute(params![day, route, to_i64(*n)])?;
            flushed.generations += n;
        }
        Ok(flushed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotonic_and_contain_their_values() {
        // Proves every latency falls in a bucket whose upper bound is >= it and within 25 %.
        let mut last = 0;
        for us in (0..5000u64).chain([65_536, 1_000_000, 59_000_000, u64::MAX / 2]) {
            let b = bucket_of(us);
            assert!(b >= last, "bucket order at {us}");
            last = b;
            let upper = bucket_upper_us(b);
            assert!(upper >= us, "{us} µs in bucket {b} with upper bound {upper}");
            if us >= LINEAR && b < BUCKETS - 1 {
                assert!(
                    upper as f64 <= us as f64 * 1.25 + 1.0,
                    "{us} -> {upper} too coarse"
                );
            }
        }
    }

    #[test]
    fn quantiles_come_from_the_histogram() {
        // 90 fast calls and 10 slow ones: p50 is fast, p95 slow.
        let fast = bucket_of(100);
        let slow = bucket_of(50_000);
        let h = [(slow, 10), (fast, 90)];
        assert_eq!(quantile_us(&h, 0.5), Some(bucket_upper_us(fast)));
        assert_eq!(quantile_us(&h, 0.95), Some(bucket_upper_us(slow)));
        assert_eq!(quantile_us(&[], 0.5), None);
    }

    #[test]
    fn flush_adds_to_the_days_counters_and_empties_the_buffer() {
        // Two flushes of the same tool add up in one row; the buffer is empty after each.
        let store = Store::open_in_memory().expect("store");
        let m = Metrics::new();
        m.record_tool("template-manage", Duration::from_micros(120), false);
        m.record_tool("template-manage", Duration::from_micros(130), true);
        m.record_generation("sampling");
        assert_eq!(
            m.flush(&store).expect("flush"),
            Flushed {
                tool_calls: 2,
                generations: 1
            }
        );
        assert!(m.is_empty());
        m.record_tool("template-manage", Duration::from_micros(140), false);
        m.flush(&store).expect("second flush");
        let (calls, errors, latency, buckets): (i64, i64, i64, i64) = store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT calls, errors, latency_us,
                        (SELECT SUM(calls) FROM tool_latency_daily WHERE tool = 'template-manage')
                     FROM tool_calls_daily WHERE tool = 'template-manage'",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?)
            })
            .expect("row");
        assert_eq!((calls, errors, latency, buckets), (3, 1, 390, 3));
        assert_eq!(m.flush(&store).expect("empty flush"), Flushed::default());
    }

    #[test]
    fn a_failed_flush_keeps_the_counts_for_the_next_one() {
        // The table is missing during the first flush (simulating a failing write): the counts
        // survive it and land with the second flush.
        let store = Store::open_in_memory().expect("store");
        store
            .write(|tx| Ok(tx.execute_batch("ALTER TABLE tool_calls_daily RENAME TO moved")?))
            .expect("rename");
        let m = Metrics::new();
        m.record_tool("persona-manage", Duration::from_micros(10), false);
        assert!(m.flush(&store).is_err());
        assert!(!m.is_empty());
        store
            .write(|tx| Ok(tx.execute_batch("ALTER TABLE moved RENAME TO tool_calls_daily")?))
            .expect("rename back");
        m.record_tool("persona-manage", Duration::from_micros(10), false);
        assert_eq!(m.flush(&store).expect("flush").tool_calls, 2);
    }
}
