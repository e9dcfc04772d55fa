//! Timestamps as stored: RFC 3339 in UTC, which sort as text.

use time::{Duration, OffsetDateTime, format_description::well_known::Rfc3339};

pub(crate) fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

pub(crate) fn format(t: OffsetDateTime) -> String {
    // Rfc3339 formatting of a UTC time cannot fail for years 0..=9999.
    t.format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

pub(crate) fn now_string() -> String {
    format(now())
}

pub(crate) fn days_from_now(days: u32) -> String {
    format(now() + Duration::days(i64::from(days)))
}
