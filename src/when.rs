//! Times and durations as operators type them: dates (`2026-11-01`),
//! RFC 3339 instants (`2026-11-01T09:30:00Z`) and relative spans
//! (`30m`, `24h`, `7d`, `2w`).

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::error::{Error, Result};

const FORMS: &str =
    "use a date (2026-11-01), an RFC 3339 time (2026-11-01T09:30:00Z) or a span (30m, 24h, 7d, 2w)";

/// A span such as `90m`, `24h`, `7d` or `2w` (at most 100 years).
pub fn parse_duration(text: &str) -> Result<Duration> {
    let t = text.trim();
    let bad = || {
        Error::Usage(format!(
            "{} is not a span of time: use a number and m, h, d or w (e.g. 30d)",
            shown(text)
        ))
    };
    let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (n, unit) = t.split_at(split);
    let n: i64 = n.parse().map_err(|_| bad())?;
    if n == 0 || n > 36_500 * 24 * 60 {
        return Err(bad());
    }
    let d = match unit {
        "m" | "min" => Duration::try_minutes(n),
        "h" => Duration::try_hours(n),
        "d" => Duration::try_days(n),
        "w" => Duration::try_weeks(n),
        _ => None,
    }
    .ok_or_else(bad)?;
    if d > Duration::days(36_500) {
        return Err(bad());
    }
    Ok(d)
}

/// An instant in the past or future given as a date (its start, UTC), an
/// RFC 3339 time, or a span back from `now` (`7d` = seven days ago).
pub fn parse_instant(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc())
            .ok_or_else(|| Error::Usage(format!("{} is not a time: {FORMS}", shown(text))));
    }
    if t.starts_with(|c: char| c.is_ascii_digit()) {
        if let Ok(span) = parse_duration(t) {
            return Ok(now - span);
        }
    }
    Err(Error::Usage(format!(
        "{} is not a time: {FORMS}",
        shown(text)
    )))
}

/// An expiry: a date means the end of that day (UTC); an RFC 3339 time is
/// taken as it is. Must lie in the future.
pub fn parse_expiry(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let at = read_expiry(text)?;
    if at <= now {
        return Err(Error::Usage(format!(
            "expiry {} is in the past: give a future date",
            shown(text)
        )));
    }
    Ok(at)
}

/// The moment an expiry names, past or future: a date means the end of that day (UTC); an
/// RFC 3339 time is taken as it is.
pub fn read_expiry(text: &str) -> Result<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return d
            .succ_opt()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc())
            .ok_or_else(|| Error::Usage(format!("{} is not a usable date", shown(text))));
    }
    DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| {
            Error::Usage(format!(
                "{} is not an expiry: use a date (2027-03-31) or an RFC 3339 time",
                shown(text)
            ))
        })
}

fn shown(text: &str) -> String {
    crate::text::shorten(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_instants() {
        let now = DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(parse_duration("7d").unwrap(), Duration::days(7));
        assert_eq!(parse_duration("24h").unwrap(), Duration::hours(24));
        assert_eq!(parse_instant("7d", now).unwrap(), now - Duration::days(7));
        assert_eq!(
            parse_instant("2026-11-01", now).unwrap().to_rfc3339(),
            "2026-11-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_expiry("2026-12-31", now).unwrap().to_rfc3339(),
            "2027-01-01T00:00:00+00:00"
        );
        for bad in [
            "",
            "d",
            "0d",
            "-1d",
            "7y",
            "99999999999999999999d",
            "yesterday",
            "2026-13-01",
            "7 d",
        ] {
            assert!(parse_instant(bad, now).is_err(), "{bad:?}");
        }
        assert!(parse_expiry("2026-01-01", now).is_err());
        assert!(
            parse_expiry("2026-11-29", now).is_ok(),
            "today's date means the end of today"
        );
    }
}
