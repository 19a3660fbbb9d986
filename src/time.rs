//! Every date form this crate reads or writes, on the `time` crate: the
//! `x-oss-date` ISO basic form (`20240115T083000Z`), its scope date
//! (`20240115`), the RFC 1123 `Date` header (`Mon, 15 Jan 2024 08:30:00
//! GMT`), and the ISO 8601 expiry times credential services answer
//! (`2024-01-15T08:30:00Z`).
//!
//! The calendar arithmetic is `time`'s; this module only writes and reads
//! the fixed-width fields, without `time`'s formatting machinery (which
//! would add crates to the default tree).

use std::time::{Duration, SystemTime};

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, Weekday};

/// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years four digits hold.
const FIRST_SECOND: i64 = -62_167_219_200;
const LAST_SECOND: i64 = 253_402_300_799;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A time in the forms OSS uses, truncated to whole seconds (UTC).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timestamp {
    at: OffsetDateTime,
    iso: [u8; 16],
}

impl Timestamp {
    /// The UTC time `t`, truncated to whole seconds and clamped to the years
    /// 0 to 9999, all the date forms can hold.
    pub(crate) fn new(t: SystemTime) -> Self {
        let unix_seconds = match t.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
            Err(before) => {
                let before = before.duration();
                let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
                // Round towards the past: 0.5 s before the epoch is 23:59:59.
                -whole - i64::from(before.subsec_nanos() > 0)
            }
        }
        .clamp(FIRST_SECOND, LAST_SECOND);
        let at =
            OffsetDateTime::from_unix_timestamp(unix_seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let mut iso = [0u8; 16];
        iso[0..4].copy_from_slice(&digits::<4>(at.year() as u32));
        iso[4..6].copy_from_slice(&digits::<2>(u8::from(at.month()).into()));
        iso[6..8].copy_from_slice(&digits::<2>(at.day().into()));
        iso[8] = b'T';
        iso[9..11].copy_from_slice(&digits::<2>(at.hour().into()));
        iso[11..13].copy_from_slice(&digits::<2>(at.minute().into()));
        iso[13..15].copy_from_slice(&digits::<2>(at.second().into()));
        iso[15] = b'Z';
        Timestamp { at, iso }
    }

    /// `YYYYMMDDTHHMMSSZ`, the `x-oss-date` form.
    pub(crate) fn iso(&self) -> &str {
        std::str::from_utf8(&self.iso).unwrap_or("")
    }

    /// `YYYYMMDD`, the scope date.
    pub(crate) fn date(&self) -> &str {
        &self.iso()[..8]
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, ISO 8601 extended (STS timestamps; with
    /// `.000` before the `Z`, listings' `LastModified`).
    pub(crate) fn iso_extended(&self) -> String {
        let b = self.iso();
        format!(
            "{}-{}-{}T{}:{}:{}Z",
            &b[0..4],
            &b[4..6],
            &b[6..8],
            &b[9..11],
            &b[11..13],
            &b[13..15]
        )
    }

    /// RFC 1123, for the `Date` header: `Mon, 15 Jan 2024 08:30:00 GMT`.
    pub(crate) fn http_date(&self) -> String {
        let day = match self.at.weekday() {
            Weekday::Monday => "Mon",
            Weekday::Tuesday => "Tue",
            Weekday::Wednesday => "Wed",
            Weekday::Thursday => "Thu",
            Weekday::Friday => "Fri",
            Weekday::Saturday => "Sat",
            Weekday::Sunday => "Sun",
        };
        let iso = &self.iso;
        let mut s = String::with_capacity(29);
        let mut push = |ascii: &[u8]| s.extend(ascii.iter().map(|&b| char::from(b)));
        push(day.as_bytes());
        push(b", ");
        push(&iso[6..8]);
        push(b" ");
        push(MONTHS[usize::from(u8::from(self.at.month())) - 1].as_bytes());
        push(b" ");
        push(&iso[0..4]);
        push(b" ");
        push(&iso[9..11]);
        push(b":");
        push(&iso[11..13]);
        push(b":");
        push(&iso[13..15]);
        push(b" GMT");
        s
    }
}

/// `value` as exactly `N` decimal digits (`value < 10^N`).
fn digits<const N: usize>(mut value: u32) -> [u8; N] {
    let mut out = [b'0'; N];
    for digit in out.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
    out
}

/// The time these UTC fields name, if they name one: `time` checks the
/// day against its month and year.
fn from_fields(
    year: i32,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
) -> Option<SystemTime> {
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    let time = Time::from_hms(hour, minute, second).ok()?;
    let seconds = PrimitiveDateTime::new(date, time)
        .assume_utc()
        .unix_timestamp();
    let magnitude = Duration::from_secs(seconds.unsigned_abs());
    if seconds >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(magnitude)
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(magnitude)
    }
}

/// A field of exactly the digits in `range` of `s`.
fn field<T: std::str::FromStr>(s: &str, range: std::ops::Range<usize>) -> Option<T> {
    let part = s.get(range)?;
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

/// Parses an `x-oss-date` value (`YYYYMMDDTHHMMSSZ`).
#[cfg(any(test, feature = "emulator"))]
pub(crate) fn parse_iso(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    from_fields(
        field(s, 0..4)?,
        field(s, 4..6)?,
        field(s, 6..8)?,
        field(s, 9..11)?,
        field(s, 11..13)?,
        field(s, 13..15)?,
    )
}

/// Parses an ISO 8601 UTC time as credential services write it:
/// `2024-01-15T08:30:00Z`, optionally with fractional seconds
/// (`2024-01-15T08:30:00.123Z`, truncated).
pub(crate) fn parse_iso_extended(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if !s.is_ascii()
        || b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[b.len() - 1] != b'Z'
    {
        return None;
    }
    let fraction = &s[19..s.len() - 1];
    let fraction_ok = match fraction.strip_prefix('.') {
        Some(digits) => !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()),
        None => fraction.is_empty(),
    };
    if !fraction_ok {
        return None;
    }
    from_fields(
        field(s, 0..4)?,
        field(s, 5..7)?,
        field(s, 8..10)?,
        field(s, 11..13)?,
        field(s, 14..16)?,
        field(s, 17..19)?,
    )
}

/// Parses an RFC 1123 HTTP date (`Mon, 15 Jan 2024 08:30:00 GMT`).
pub(crate) fn parse_http_date(s: &str) -> Option<SystemTime> {
    let mut parts = s.split_ascii_whitespace();
    let _weekday = parts.next()?;
    let day = parts.next()?;
    let month_name = parts.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)?;
    let year = parts.next()?;
    let hms = parts.next()?;
    if parts.next()? != "GMT" || parts.next().is_some() {
        return None;
    }
    let hms_fields: Vec<&str> = hms.split(':').collect();
    let [h, m, sec] = hms_fields[..] else {
        return None;
    };
    let num = |text: &str| field::<u8>(text, 0..text.len());
    from_fields(
        field(year, 0..year.len())?,
        month as u8 + 1,
        num(day)?,
        num(h)?,
        num(m)?,
        num(sec)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `secs` after the epoch (before it when negative).
    fn at(secs: i64) -> SystemTime {
        let magnitude = Duration::from_secs(secs.unsigned_abs());
        if secs >= 0 {
            SystemTime::UNIX_EPOCH + magnitude
        } else {
            SystemTime::UNIX_EPOCH - magnitude
        }
    }

    #[test]
    fn forms_of_known_dates() {
        // From Python's datetime (proleptic Gregorian, UTC).
        let known = [
            (
                -62135596800,
                "00010101T000000Z",
                "Mon, 01 Jan 0001 00:00:00 GMT",
            ),
            (
                -11670955200,
                "16000229T120000Z",
                "Tue, 29 Feb 1600 12:00:00 GMT",
            ),
            (
                -2203891201,
                "19000228T235959Z",
                "Wed, 28 Feb 1900 23:59:59 GMT",
            ),
            (
                -2203891200,
                "19000301T000000Z",
                "Thu, 01 Mar 1900 00:00:00 GMT",
            ),
            (-1, "19691231T235959Z", "Wed, 31 Dec 1969 23:59:59 GMT"),
            (0, "19700101T000000Z", "Thu, 01 Jan 1970 00:00:00 GMT"),
            (
                951804428,
                "20000229T060708Z",
                "Tue, 29 Feb 2000 06:07:08 GMT",
            ),
            (
                1705307400,
                "20240115T083000Z",
                "Mon, 15 Jan 2024 08:30:00 GMT",
            ),
            (
                1735689599,
                "20241231T235959Z",
                "Tue, 31 Dec 2024 23:59:59 GMT",
            ),
            (
                4107542400,
                "21000301T000000Z",
                "Mon, 01 Mar 2100 00:00:00 GMT",
            ),
            (
                253402300799,
                "99991231T235959Z",
                "Fri, 31 Dec 9999 23:59:59 GMT",
            ),
        ];
        for (secs, iso, http) in known {
            let t = Timestamp::new(at(secs));
            assert_eq!((t.iso(), t.http_date().as_str()), (iso, http), "{secs}");
            assert_eq!(t.date(), &iso[..8]);
            assert_eq!(parse_iso(iso), Some(at(secs)), "{iso}");
            assert_eq!(parse_http_date(http), Some(at(secs)), "{http}");
        }
    }

    #[test]
    fn round_trips_across_the_range() {
        for secs in (FIRST_SECOND..=LAST_SECOND).step_by(7_654_321) {
            let t = Timestamp::new(at(secs));
            assert_eq!(parse_iso(t.iso()), Some(at(secs)), "{secs}");
            assert_eq!(parse_http_date(&t.http_date()), Some(at(secs)), "{secs}");
        }
    }

    #[test]
    fn fractions_round_down_and_far_times_clamp() {
        let half_before = SystemTime::UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(Timestamp::new(half_before).iso(), "19691231T235959Z");
        let far = at(LAST_SECOND) + Duration::from_secs(86_400 * 400);
        assert_eq!(Timestamp::new(far).iso(), "99991231T235959Z");
        let early = at(FIRST_SECOND) - Duration::from_secs(86_400 * 400);
        assert_eq!(Timestamp::new(early).iso(), "00000101T000000Z");
    }

    #[test]
    fn fields_that_name_no_time_are_refused() {
        for bad in [
            "19000229T000000Z",
            "20230229T000000Z",
            "20240431T000000Z",
            "20241301T000000Z",
            "20240100T000000Z",
            "20240101T240000Z",
            "20240101T006000Z",
            "20240101T000060Z",
            "2024-01-15T08:30:00Z",
            "2024011+T083000Z",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
        assert_eq!(parse_iso("20240229T000000Z"), Some(at(1709164800)));
        assert_eq!(
            parse_http_date("Thu, 29 Feb 2024 00:00:00 GMT"),
            Some(at(1709164800))
        );
        for bad in [
            "Thu, 29 Feb 2023 00:00:00 GMT",
            "Thu, 01 Jan 10000 00:00:00 GMT",
            "Mon, 15 Jan 2024 08:30:00 UTC",
            "Mon, 15 Jan 2024 08:30 GMT",
            "Mon, 15 Jan 2024 08:30:00:00 GMT",
            "Mon, +5 Jan 2024 08:30:00 GMT",
            "Mon, 15 Jan 2024 08:30:00 GMT extra",
            "yesterday",
            "",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn extended_iso_as_credential_services_write_it() {
        assert_eq!(
            parse_iso_extended("2024-01-15T08:30:00Z"),
            Some(at(1705307400))
        );
        assert_eq!(
            parse_iso_extended("2024-01-15T08:30:00.250Z"),
            Some(at(1705307400))
        );
        for bad in [
            "2024-01-15T08:30:00",
            "2024-01-15 08:30:00Z",
            "2024-01-15T08:30:00.Z",
            "2024-01-15T08:30:00+08:00",
            "2024-02-30T08:30:00Z",
            "20240115T083000Z",
        ] {
            assert_eq!(parse_iso_extended(bad), None, "{bad}");
        }
    }
}
