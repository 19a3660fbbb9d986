//! Date forms the tests write and read, computed with the `time` crate
//! (apart from `src/time.rs`): `x-oss-date` (`YYYYMMDDTHHMMSSZ`) and the
//! HTTP `Date` header.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `YYYYMMDDTHHMMSSZ`, the `x-oss-date` form of `t` (UTC, whole seconds).
pub fn iso_basic(t: SystemTime) -> String {
    let d = utc(t);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// `YYYY-MM-DDTHH:MM:SS.000Z`, the form OSS writes times in error bodies.
pub fn iso_extended(t: SystemTime) -> String {
    let d = utc(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// The RFC 1123 `Date` header form of `t`: `Mon, 15 Jan 2024 08:30:00 GMT`.
pub fn http_date(t: SystemTime) -> String {
    let d = utc(t);
    let weekday = &d.weekday().to_string()[..3];
    let month = &d.month().to_string()[..3];
    format!(
        "{weekday}, {:02} {month} {:04} {:02}:{:02}:{:02} GMT",
        d.day(),
        d.year(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// Parses the `x-oss-date` form.
pub fn parse_iso_basic(s: &str) -> Option<SystemTime> {
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    if s.len() != 16 || &s[8..9] != "T" || !s.ends_with('Z') {
        return None;
    }
    let month = time::Month::try_from(n(4..6)? as u8).ok()?;
    let date = time::Date::from_calendar_date(n(0..4)? as i32, month, n(6..8)? as u8).ok()?;
    let clock = time::Time::from_hms(n(9..11)? as u8, n(11..13)? as u8, n(13..15)? as u8).ok()?;
    let secs = time::PrimitiveDateTime::new(date, clock)
        .assume_utc()
        .unix_timestamp();
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?))
}

fn utc(t: SystemTime) -> time::OffsetDateTime {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .expect("a time after 1970")
        .as_secs();
    time::OffsetDateTime::from_unix_timestamp(secs as i64).expect("a representable time")
}
