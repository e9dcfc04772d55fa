//! Timestamps as stored: RFC 3339 in UTC with a fixed-width fraction (microseconds), so that
//! comparing them as text compares them in time ("…:05.000000Z" < "…:05.300000Z"; a variable
//! fraction would sort "…:05Z" after "…:05.3Z").

use time::{Duration, OffsetDateTime, format_description::FormatItem, macros::format_description};

const FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

pub(crate) fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

pub(crate) fn format(t: OffsetDateTime) -> String {
    // Formatting a UTC time with this description cannot fail for years 0..=9999; a time whose
    // UTC year is outside them (9999-12-31T23:30-01:00) has no UTC form at all (`to_offset`
    // would panic), and callers that take times from users check [`in_range`] first.
    t.checked_to_offset(time::UtcOffset::UTC)
        .and_then(|utc| utc.format(FORMAT).ok())
        .unwrap_or_else(|| t.unix_timestamp().to_string())
}

/// Whether `t` can be stored: its UTC form falls in the years 0 to 9999.
pub(crate) fn in_range(t: OffsetDateTime) -> bool {
    t.checked_to_offset(time::UtcOffset::UTC)
        .is_some_and(|utc| (0..=9999).contains(&utc.year()))
}

pub(crate) fn now_string() -> String {
    format(now())
}

pub(crate) fn days_from_now(days: u32) -> String {
    format(now() + Duration::days(i64::from(days)))
}

/// The last `count` UTC days up to and including today, oldest first, as `YYYY-MM-DD` (the
/// `day` column of the daily counters).
pub(crate) fn last_days(count: u16) -> Vec<String> {
    let mut days = Vec::with_capacity(usize::from(count));
    let mut day = Some(now().date());
    for _ in 0..count {
        let Some(d) = day else { break };
        days.push(format!(
            "{:04}-{:02}-{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        ));
        day = d.previous_day();
    }
    days.reverse();
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_days_end_today_oldest_first() {
        let days = last_days(3);
        assert_eq!(days.len(), 3);
        assert_eq!(days[2], format(now())[..10]);
        assert!(days[0] < days[1] && days[1] < days[2], "{days:?}");
        assert!(last_days(0).is_empty());
    }

    #[test]
    fn timestamps_sort_as_text_in_time_order() {
        let base = time::macros::datetime!(2026-11-23 10:00:05 UTC);
        let whole = format(base);
        let later = format(base + Duration::milliseconds(300));
        assert_eq!(whole, "2026-11-23T10:00:05.000000Z");
        assert!(whole < later, "{whole} must sort before {later}");
        // Still RFC 3339: parseable by the standard parser.
        let parsed =
            OffsetDateTime::parse(&later, &time::format_description::well_known::Rfc3339).expect("rfc3339");
        assert_eq!(parsed, base + Duration::milliseconds(300));
    }
}
