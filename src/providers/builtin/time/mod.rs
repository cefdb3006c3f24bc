//! The `time` provider (registry.terraform.io/hashicorp/time), built in:
//! `time_sleep` (waits on create and destroy), `time_static` (a timestamp
//! kept in state) and `time_rotating` (a timestamp that is replaced once its
//! rotation time has passed: the read drops it from state, so the plan
//! creates it anew). Timestamps are RFC 3339 to the second, "Z" for UTC, as
//! Go's `time.RFC3339` writes them. Learned from the provider's
//! internal/provider/resource_time_*.go.

pub mod time_rotating;
pub mod time_sleep;
pub mod time_static;

use std::sync::Arc;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeDelta, Timelike};

use crate::lang::value::Value;
use crate::providers::Registry;

/// The hashicorp/time version whose schemas and behaviour herd follows.
pub const VERSION: &str = "0.14.0";

pub fn register(r: &mut Registry) {
    r.resources
        .insert("time_sleep", Arc::new(time_sleep::TimeSleep::new()));
    r.resources
        .insert("time_static", Arc::new(time_static::TimeStatic::new()));
    r.resources.insert(
        "time_rotating",
        Arc::new(time_rotating::TimeRotating::new()),
    );
}

pub type Time = DateTime<FixedOffset>;

/// Now, in UTC.
pub fn now() -> Time {
    chrono::Utc::now().fixed_offset()
}

/// Go's `time.Parse(time.RFC3339, s)`.
pub fn parse_rfc3339(s: &str) -> Result<Time, String> {
    DateTime::parse_from_rfc3339(s).map_err(|e| format!("parsing time {s:?} as RFC3339: {e}"))
}

/// Go's `t.Format(time.RFC3339)`: whole seconds, "Z" for a zero offset.
pub fn format_rfc3339(t: &Time) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Go's `t.AddDate(years, months, days)`: the date fields are added and the
/// result normalised (October 31 plus one month is December 1).
pub fn add_date(t: &Time, years: i64, months: i64, days: i64) -> Option<Time> {
    let total_months = t.year() as i64 * 12 + (t.month0() as i64) + years * 12 + months;
    let y = total_months.div_euclid(12);
    let m = total_months.rem_euclid(12) as u32 + 1;
    let first = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, 1)?;
    let date = first.checked_add_signed(TimeDelta::days(t.day() as i64 - 1 + days))?;
    let naive = date.and_time(t.time());
    naive.and_local_timezone(*t.offset()).single()
}

/// The `year`, `month`, `day`, `hour`, `minute`, `second` and `unix`
/// attributes of a timestamp.
pub fn fields(t: &Time) -> Vec<(&'static str, Value)> {
    vec![
        ("year", Value::int(t.year() as i64)),
        ("month", Value::int(t.month() as i64)),
        ("day", Value::int(t.day() as i64)),
        ("hour", Value::int(t.hour() as i64)),
        ("minute", Value::int(t.minute() as i64)),
        ("second", Value::int(t.second() as i64)),
        ("unix", Value::int(t.timestamp())),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_as_go_writes_it() {
        let t = parse_rfc3339("2024-02-29T10:11:12.345Z").unwrap();
        assert_eq!(format_rfc3339(&t), "2024-02-29T10:11:12Z");
        let t = parse_rfc3339("2024-02-29T10:11:12+02:00").unwrap();
        assert_eq!(format_rfc3339(&t), "2024-02-29T10:11:12+02:00");
        assert!(parse_rfc3339("yesterday").is_err());
    }

    #[test]
    fn add_date_normalises_like_go() {
        let t = parse_rfc3339("2023-10-31T00:00:00Z").unwrap();
        assert_eq!(
            format_rfc3339(&add_date(&t, 0, 1, 0).unwrap()),
            "2023-12-01T00:00:00Z"
        );
        let t = parse_rfc3339("2024-02-29T12:00:00Z").unwrap();
        assert_eq!(
            format_rfc3339(&add_date(&t, 1, 0, 0).unwrap()),
            "2025-03-01T12:00:00Z"
        );
        assert_eq!(
            format_rfc3339(&add_date(&t, 0, 0, 30).unwrap()),
            "2024-03-30T12:00:00Z"
        );
        assert_eq!(
            format_rfc3339(&add_date(&t, 0, -3, 0).unwrap()),
            "2023-11-29T12:00:00Z"
        );
    }
}
