//! The daily report behind `report`: what the store holds at the end of a UTC day and how much it
//! grew that day, generations by route, direct-provider calls with tokens and cost, tool calls
//! with error rates and p50/p95 latency, delegated tasks (delegated and ended that day, and all
//! by status), and the database's size.
//!
//! Tool and generation counts are what server processes have flushed (every minute and at
//! exit); a running server's last minute shows up at its next flush.

use rusqlite::{Connection, params};
use serde::Serialize;
use time::{Date, OffsetDateTime, Time};

use crate::{
    CoreError, Result, Store,
    generation::usage,
    operations::health::database_bytes,
    operations::metrics::{self, quantile_us},
    operations::status::DelegationCounts,
    timefmt,
};

/// A UTC calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(Date);

impl Day {
    pub fn today() -> Self {
        Self(timefmt::now().date())
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self> {
        Date::parse(
            text.trim(),
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map(Self)
        .map_err(|_| {
            CoreError::invalid(format!(
                "'{text}' is not a day: write it as YYYY-MM-DD, e.g. 2026-11-23."
            ))
        })
    }

    fn start(self) -> OffsetDateTime {
        self.0.with_time(Time::MIDNIGHT).assume_utc()
    }

    /// The end of the day (the next day's start); an error for the last day the calendar
    /// holds, whose end cannot be expressed.
    fn end(self) -> Result<OffsetDateTime> {
        self.0.next_day().map(|next| Self(next).start()).ok_or_else(|| {
            CoreError::invalid(format!(
                "There is no report for {self}: give a day up to {}.",
                Self(self.0.previous_day().unwrap_or(self.0))
            ))
        })
    }

    fn previous(self) -> Option<Self> {
        self.0.previous_day().map(Self)
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&metrics::day_of(self.start()))
    }
}

/// How many of each thing the store held at the end of a day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DayCounts {
    pub contexts: i64,
    pub messages: i64,
    pub templates: i64,
    pub personas: i64,
    /// Memory notes (every owner's).
    pub memories: i64,
}

impl DayCounts {
    fn minus(self, other: Self) -> Self {
        Self {
            contexts: self.contexts - other.contexts,
            messages: self.messages - other.messages,
            templates: self.templates - other.templates,
            personas: self.personas - other.personas,
            memories: self.memories - other.memories,
        }
    }
}

/// The day's delegated tasks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DelegationsDay {
    /// Delegated that day.
    pub delegated: u64,
    /// Ended that day, by how they ended.
    pub done: u64,
    pub failed: u64,
    pub cancelled: u64,
    /// Every delegation by status, now (a record keeps only its latest status).
    pub by_status: DelegationCounts,
}

fn delegations_of(conn: &Connection, start: OffsetDateTime, end: OffsetDateTime) -> Result<DelegationsDay> {
    let (start, end) = (timefmt::format(start), timefmt::format(end));
    let (delegated, done, failed, cancelled) = conn.query_row(
        "SELECT (SELECT COUNT(*) FROM delegations WHERE created_at >= ?1 AND created_at < ?2),
                COUNT(*) FILTER (WHERE status = 'done'), COUNT(*) FILTER (WHERE status = 'failed'),
                COUNT(*) FILTER (WHERE status = 'cancelled')
         FROM delegations WHERE finished_at >= ?1 AND finished_at < ?2",
        params![start, end],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    Ok(DelegationsDay {
        delegated,
        done,
        failed,
        cancelled,
        by_status: DelegationCounts::default(),
    })
}

/// Generations served by one route ("sampling" or a provider's name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteCalls {
    pub route: String,
    pub calls: u64,
}

/// One provider and model's direct calls in the day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderDay {
    pub provider: String,
    pub model: String,
    pub calls: u64,
    pub failed_calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
}

/// One tool's calls in the day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolDay {
    pub tool: String,
    pub calls: u64,
    pub errors: u64,
    /// errors / calls.
    pub error_rate: f64,
    pub mean_ms: f64,
    /// From the latency histogram: within 25 % of the true value.
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
}

/// The report of one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DailyReport {
    /// YYYY-MM-DD (UTC).
    pub day: String,
    /// At the end of the day (now, for today).
    pub counts: DayCounts,
    pub delegations: DelegationsDay,
    /// Since the end of the previous day (created minus removed, as far as rows show it).
    pub growth: DayCounts,
    pub generations: Vec<RouteCalls>,
    pub providers: Vec<ProviderDay>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Cost of the priced models, in the budget's currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    pub tools: Vec<ToolDay>,
    pub tool_calls: u64,
    pub tool_errors: u64,
    /// The database file with its WAL, now.
    pub database_bytes: u64,
    /// Backups of the database taken that day (in the data dir's backups/database/).
    pub backups_made: u64,
}

fn counts_at(conn: &Connection, end: OffsetDateTime) -> Result<DayCounts> {
    let end_text = timefmt::format(end);
    // A context counts while it had not expired by then (or by now, for today).
    let alive_at = timefmt::format(end.min(timefmt::now()));
    Ok(conn.query_row(
        "SELECT (SELECT COUNT(*) FROM contexts WHERE created_at < ?1 AND expires_at > ?2),
                (SELECT COUNT(*) FROM messages WHERE created_at < ?1),
                (SELECT COUNT(*) FROM templates WHERE created_at < ?1),
                (SELECT COUNT(*) FROM personas WHERE created_at < ?1),
                (SELECT COUNT(*) FROM memories WHERE created_at < ?1)",
        params![end_text, alive_at],
        |r| {
            Ok(DayCounts {
                contexts: r.get(0)?,
                messages: r.get(1)?,
                templates: r.get(2)?,
                personas: r.get(3)?,
                memories: r.get(4)?,
            })
        },
    )?)
}

fn non_negative(n: i64) -> u64 {
    n.max(0) as u64
}

/// The report of `day`.
pub fn daily(store: &Store, day: Day) -> Result<DailyReport> {
    let day_text = day.to_string();
    let prices = usage::prices(store)?;
    let end = day.end()?;
    let mut report = store.read(|conn| {
        let counts = counts_at(conn, end)?;
        let delegations = delegations_of(conn, day.start(), end)?;
        let before = match day.previous() {
            // The previous day ends where this one starts.
            Some(_) => counts_at(conn, day.start())?,
            None => DayCounts::default(),
        };
        let mut stmt =
            conn.prepare_cached("SELECT route, calls FROM generations_daily WHERE day = ?1 ORDER BY calls DESC, route")?;
        let generations = stmt
            .query_map([&day_text], |r| {
                Ok(RouteCalls {
                    route: r.get(0)?,
                    calls: non_negative(r.get(1)?),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = conn.prepare_cached(
            "SELECT provider, model, SUM(calls), SUM(CASE WHEN outcome = 'ok' THEN 0 ELSE calls END),
                    SUM(input_tokens), SUM(output_tokens)
             FROM usage_daily WHERE day = ?1 GROUP BY provider, model ORDER BY provider, model",
        )?;
        let providers = stmt
            .query_map([&day_text], |r| {
                Ok(ProviderDay {
                    provider: r.get(0)?,
                    model: r.get(1)?,
                    calls: non_negative(r.get(2)?),
                    failed_calls: non_negative(r.get(3)?),
                    input_tokens: non_negative(r.get(4)?),
                    output_tokens: non_negative(r.get(5)?),
                    cost: None,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = conn.prepare_cached(
            "SELECT tool, calls, errors, latency_us FROM tool_calls_daily WHERE day = ?1 ORDER BY calls DESC, tool",
        )?;
        let rows = stmt
            .query_map([&day_text], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    non_negative(r.get(1)?),
                    non_negative(r.get(2)?),
                    non_negative(r.get(3)?),
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut hist = conn.prepare_cached(
            "SELECT bucket, calls FROM tool_latency_daily WHERE day = ?1 AND tool = ?2",
        )?;
        let mut tools = Vec::with_capacity(rows.len());
        for (tool, calls, errors, latency_us) in rows {
            let histogram = hist
                .query_map(params![day_text, tool], |r| {
                    Ok((
                        usize::try_from(r.get::<_, i64>(0)?).unwrap_or(metrics::BUCKETS - 1),
                        non_negative(r.get(1)?),
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let ms = |us: u64| us as f64 / 1000.0;
            tools.push(ToolDay {
                error_rate: if calls > 0 {
                    errors as f64 / calls as f64
                } else {
                    0.0
                },
                mean_ms: if calls > 0 {
                    ms(latency_us) / calls as f64
                } else {
                    0.0
                },
                p50_ms: quantile_us(&histogram, 0.5).map(ms),
                p95_ms: quantile_us(&histogram, 0.95).map(ms),
                tool,
                calls,
                errors,
            });
        }
        Ok(DailyReport {
            day: day_text.clone(),
            counts,
            delegations,
            growth: counts.minus(before),
            generations,
            providers,
            input_tokens: 0,
            output_tokens: 0,
            cost: None,
            tool_calls: tools.iter().map(|t| t.calls).sum(),
            tool_errors: tools.iter().map(|t| t.errors).sum(),
            tools,
            database_bytes: 0,
            backups_made: 0,
        })
    })?;
    for p in &mut report.providers {
        p.cost = prices
            .get(&(p.provider.clone(), p.model.clone()))
            .map(|price| price.cost(p.input_tokens, p.output_tokens));
        report.input_tokens += p.input_tokens;
        report.output_tokens += p.output_tokens;
        if let Some(c) = p.cost {
            report.cost = Some(report.cost.unwrap_or(0.0) + c);
        }
    }
    report.delegations.by_status =
        DelegationCounts::from_pairs(&crate::team::delegation::count_by_status(store)?);
    report.database_bytes = store.path().map(database_bytes).unwrap_or(0);
    // The backups live beside the database, in its data dir; an unreadable folder counts none.
    let start = day.start();
    report.backups_made = store
        .path()
        .and_then(std::path::Path::parent)
        .and_then(|dir| crate::operations::backup::list(&crate::paths::DataDir::at(dir)).ok())
        .map_or(0, |all| {
            all.iter()
                .filter(|b| b.created >= start && b.created < end)
                .count() as u64
        });
    Ok(report)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::operations::metrics::Metrics;

    /// Proves: the last day of the calendar is refused with a message giving the last day a
    /// report can be made for (it panicked), and that day itself reports.
    #[test]
    fn the_last_calendar_day_is_refused_not_a_panic() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&crate::paths::DataDir::at(dir.path())).expect("store");
        let err = daily(&store, Day::parse("9999-12-31").expect("day")).expect_err("no end");
        assert!(err.to_string().contains("up to 9999-12-30"), "{err}");
        daily(&store, Day::parse("9999-12-30").expect("day")).expect("the day before reports");
    }

    #[test]
    fn a_day_reports_counts_growth_tools_and_usage() {
        // Proves the report reads what the other modules wrote: a message and a memory created
        // today count as growth, flushed tool metrics give calls, error rate and percentiles,
        // usage gives tokens and a priced cost.
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&crate::paths::DataDir::at(dir.path())).expect("store");
        let ctx = crate::conversation::contexts::create(
            &store,
            crate::conversation::contexts::NewContext {
                name: "c".into(),
                ..Default::default()
            },
        )
        .expect("context");
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO messages (context_id, role, content, token_estimate, created_at)
                     VALUES (?1, 'user', 'hi', 1, ?2), (?1, 'user', 'old', 1, '2020-01-01T00:00:00.000000Z')",
                    params![ctx.id, timefmt::now_string()],
                )?;
                Ok(())
            })
            .expect("messages");
        crate::memory::create(
            &store,
            &crate::memory::Actor::User,
            crate::memory::NewMemory {
                title: "note".into(),
                content: "today".into(),
                ..Default::default()
            },
        )
        .expect("memory");
        let m = Metrics::new();
        for _ in 0..19 {
            m.record_tool("template-manage", Duration::from_micros(200), false);
        }
        m.record_tool("template-manage", Duration::from_millis(40), true);
        m.record_generation("sampling");
        m.flush(&store).expect("flush");
        usage::record(
            &store,
            "openai",
            "gpt-4o-mini",
            usage::Outcome::Ok,
            crate::generation::TokenUsage {
                input_tokens: 1000,
                output_tokens: 500,
            },
            300,
        )
        .expect("usage");
        usage::set_price(
            &store,
            "openai",
            "gpt-4o-mini",
            usage::Price {
                input_per_mtok: 1.0,
                output_per_mtok: 2.0,
            },
        )
        .expect("price");

        let r = daily(&store, Day::today()).expect("report");
        assert_eq!(r.counts.messages, 2);
        assert_eq!(r.growth.messages, 1, "only today's message is growth");
        assert_eq!(r.counts.contexts, 1);
        assert_eq!(r.counts.templates, 4);
        assert_eq!((r.counts.memories, r.growth.memories), (1, 1));
        assert_eq!(
            r.generations,
            vec![RouteCalls {
                route: "sampling".into(),
                calls: 1
            }]
        );
        let t = &r.tools[0];
        assert_eq!((t.tool.as_str(), t.calls, t.errors), ("template-manage", 20, 1));
        assert!((t.error_rate - 0.05).abs() < 1e-9);
        let p50 = t.p50_ms.expect("p50");
        let p95 = t.p95_ms.expect("p95");
        assert!((0.2..0.25).contains(&p50), "p50 {p50}");
        assert!(p95 <= 0.25, "19 of 20 calls are fast: p95 {p95}");
        assert_eq!((r.input_tokens, r.output_tokens), (1000, 500));
        assert!(r.cost.is_some_and(|c| (c - 0.002).abs() < 1e-12), "{:?}", r.cost);
        assert!(r.database_bytes > 0);

        let before = daily(&store, Day::parse("2020-01-01").expect("day")).expect("old day");
        assert!(before.tools.is_empty() && before.generations.is_empty());
        assert_eq!(
            before.counts.messages, 1,
            "the 2020 message existed at the end of its day"
        );
        assert_eq!(before.growth.messages, 1, "and was new that day");
    }

    #[test]
    fn backups_taken_that_day_are_counted() {
        // Proves: "backups made" counts the data dir's backups of the reported day, and only those.
        let dir = tempfile::tempdir().expect("tempdir");
        let data = crate::paths::DataDir::at(dir.path());
        let store = Store::open(&data).expect("store");
        assert_eq!(daily(&store, Day::today()).expect("report").backups_made, 0);
        crate::operations::backup::create(&data, &Default::default(), &crate::progress::Silent)
            .expect("backup");
        assert_eq!(daily(&store, Day::today()).expect("report").backups_made, 1);
        let yesterday = Day::today().previous().expect("yesterday");
        assert_eq!(daily(&store, yesterday).expect("report").backups_made, 0);
    }

    #[test]
    fn days_parse_strictly() {
        assert_eq!(Day::parse("2026-11-23").expect("day").to_string(), "2026-11-23");
        assert!(
            Day::parse("23/11/2026")
                .expect_err("bad")
                .to_string()
                .contains("YYYY-MM-DD")
        );
    }
}
