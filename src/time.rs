//! Certificate expiry times as the five vendors write them, read into one UTC instant.
//!
//! | vendor field | format | zone |
//! |---|---|---|
//! | tencent-ssl `CertEndTime` | `YYYY-MM-DD HH:MM:SS` | GMT+8, not written (documented) |
//! | huawei-scm `expire_time` | `YYYY-MM-DD HH:MM:SS.f` | not documented: **assumed UTC+8** (below) |
//! | volcengine-live `NotAfter` | RFC 3339 (`…Z`, older docs `…+08:00`) | in the string |
//! | alibaba-slb `ExpireTimeStamp` / `ExpireTime` | epoch milliseconds / ISO 8601 UTC | UTC |
//! | alibaba-cas orders `CertEndTime` | epoch milliseconds | UTC |
//! | alibaba-cas certificates `EndDate` | `YYYY-MM-DD` | a China-site calendar date (UTC+8) |
//!
//! Anything that does not read as a real time — placeholders such as `--`,
//! `0000-00-00 00:00:00`, an empty string, `0`, or plain garbage — becomes
//! [`Expiry::Unknown`], keeping the raw text so that nothing is hidden. An unknown expiry is
//! never "expired" and never matches `--expires-before`; it never makes certdel fail.
//!
//! Decisions:
//! - **Huawei's zone is an assumption**: SCM's API reference gives `"2021-05-27 16:46:25.0"`
//!   without a zone. The service and its console are run from the Chinese mainland site and
//!   Huawei Cloud's other China-site APIs print Beijing time, so certdel reads it as UTC+8. If
//!   that is wrong the error is at most 8 hours, in the direction of calling a certificate
//!   expired up to 8 hours late (never early).
//! - Tencent's sample data contains `"2024-11-06 08:00:0"`; certdel accepts one- or
//!   two-digit month, day, hour, minute and second fields (the value is unambiguous) and
//!   still rejects anything out of range.
//! - A date-only `EndDate` (CAS certificates) means the certificate is good through that day:
//!   certdel takes the **last second of that day in UTC+8** (`YYYY-MM-DDT15:59:59Z`), so a
//!   certificate is never reported expired before its last calendar day is over in China.

use chrono::Datelike;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde_json::Value;

/// When a certificate stops being valid, as far as the vendor's answer tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expiry {
    Known(DateTime<Utc>),
    /// No usable time; `raw` is the vendor's text when there was any.
    Unknown {
        raw: Option<String>,
    },
}

impl Expiry {
    pub fn known(&self) -> Option<DateTime<Utc>> {
        match self {
            Expiry::Known(t) => Some(*t),
            Expiry::Unknown { .. } => None,
        }
    }

    pub fn unknown(raw: Option<&Value>) -> Expiry {
        let raw = raw.and_then(|v| match v {
            Value::Null => None,
            Value::String(s) if s.is_empty() => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        });
        Expiry::Unknown { raw }
    }

    /// From an optional parsed time, keeping the raw value when parsing failed.
    fn from_parsed(parsed: Option<DateTime<Utc>>, raw: Option<&Value>) -> Expiry {
        match parsed {
            Some(t) => Expiry::Known(t),
            None => Expiry::unknown(raw),
        }
    }
}

/// China Standard Time, UTC+8 (no daylight saving).
fn gmt8() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// Split `YYYY-MM-DD HH:MM:SS[.f]` leniently: 4-digit year, 1–2 digit other fields, optional
/// fraction of 1–9 digits. `None` on anything else.
fn naive_date_time(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    let (date, time) = s.split_once(' ')?;
    let date = naive_date(date)?;
    let (hms, frac) = match time.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (time, None),
    };
    let mut parts = hms.split(':');
    let h = small_number(parts.next()?)?;
    let m = small_number(parts.next()?)?;
    let sec = small_number(parts.next()?)?;
    if parts.next().is_some() {
        return None;
    }
    let nanos = match frac {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
            f.parse::<u32>().ok()? * 10u32.pow(9 - f.len() as u32)
        }
        Some(_) => return None,
    };
    let time = NaiveTime::from_hms_nano_opt(h, m, sec, nanos)?;
    Some(date.and_time(time))
}

/// `YYYY-MM-DD` with 1–2 digit month and day; year 0000 (a placeholder) is rejected.
fn naive_date(s: &str) -> Option<NaiveDate> {
    let mut parts = s.trim().split('-');
    let y = parts.next()?;
    let m = small_number(parts.next()?)?;
    let d = small_number(parts.next()?)?;
    if parts.next().is_some() || y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = y.parse().ok()?;
    if y == 0 {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

fn small_number(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn as_str(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str)
}

/// Tencent `YYYY-MM-DD HH:MM:SS`, GMT+8 without a zone.
pub fn parse_gmt8(s: &str) -> Option<DateTime<Utc>> {
    let naive = naive_date_time(s)?;
    gmt8()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// Huawei `YYYY-MM-DD HH:MM:SS.f`, read as UTC+8 (see the module doc: an assumption).
pub fn parse_huawei(s: &str) -> Option<DateTime<Utc>> {
    parse_gmt8(s)
}

/// RFC 3339 with any offset (`Z`, `+08:00`, …), normalised to UTC.
pub fn parse_rfc3339(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A CAS `EndDate` (`YYYY-MM-DD`): the last second of that day in UTC+8.
pub fn parse_end_date(s: &str) -> Option<DateTime<Utc>> {
    let date = naive_date(s)?;
    let naive = date.and_hms_opt(23, 59, 59)?;
    gmt8()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// Epoch milliseconds (a JSON number, or digits in a string). Zero and negative values are
/// placeholders, not 1970.
pub fn parse_epoch_ms(v: &Value) -> Option<DateTime<Utc>> {
    let ms = match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))?,
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()?
        }
        _ => return None,
    };
    if ms <= 0 {
        return None;
    }
    DateTime::from_timestamp_millis(ms)
}

/// Tencent `CertEndTime`.
pub fn tencent(v: Option<&Value>) -> Expiry {
    Expiry::from_parsed(as_str(v).and_then(parse_gmt8), v)
}

/// Huawei `expire_time`.
pub fn huawei(v: Option<&Value>) -> Expiry {
    Expiry::from_parsed(as_str(v).and_then(parse_huawei), v)
}

/// Volcengine `NotAfter`.
pub fn rfc3339(v: Option<&Value>) -> Expiry {
    Expiry::from_parsed(as_str(v).and_then(parse_rfc3339), v)
}

/// CAS certificate `EndDate`.
pub fn end_date(v: Option<&Value>) -> Expiry {
    Expiry::from_parsed(as_str(v).and_then(parse_end_date), v)
}

/// Epoch milliseconds (CAS order `CertEndTime`).
pub fn epoch_ms(v: Option<&Value>) -> Expiry {
    Expiry::from_parsed(v.and_then(parse_epoch_ms), v)
}

/// SLB's two expiry fields: `ExpireTime` (ISO 8601 UTC, documented) and its twin
/// `ExpireTimeStamp`, whose unit the reference does not state (its examples are epoch
/// milliseconds). Read as milliseconds and cross-checked against `ExpireTime`: when both are
/// there and disagree by a second or more, the expiry is unknown (never "expired") and the
/// second value is a warning for stderr. A lone `ExpireTimeStamp` is trusted only when, read
/// as milliseconds, it falls in 2000–2200.
pub fn slb_expiry(ms: Option<&Value>, iso: Option<&Value>) -> (Expiry, Option<String>) {
    let from_ms = ms.and_then(parse_epoch_ms);
    let from_iso = as_str(iso).and_then(parse_rfc3339);
    let plausible = |t: &DateTime<Utc>| (2000..=2200).contains(&t.year());
    match (from_ms, from_iso) {
        (Some(a), Some(b)) if (a - b).num_milliseconds().abs() < 1000 => (Expiry::Known(b), None),
        (Some(_), Some(_)) => {
            let shown = |v: Option<&Value>| v.map(Value::to_string).unwrap_or_default();
            let raw = format!("ExpireTime={} ExpireTimeStamp={}", shown(iso), shown(ms));
            let warning = format!("{raw} disagree; expiry unknown");
            (Expiry::Unknown { raw: Some(raw) }, Some(warning))
        }
        (None, Some(b)) => (Expiry::Known(b), None),
        (Some(a), None) if plausible(&a) => (Expiry::Known(a), None),
        (Some(_), None) => {
            let raw = ms.map(Value::to_string);
            let warning = format!(
                "ExpireTimeStamp={} is no plausible epoch-milliseconds time and ExpireTime is missing; expiry unknown",
                raw.clone().unwrap_or_default()
            );
            (Expiry::Unknown { raw }, Some(warning))
        }
        (None, None) => {
            // Keep whichever raw value was there.
            let raw = ms
                .filter(|v| !v.is_null() && v.as_str() != Some(""))
                .or(iso);
            (Expiry::unknown(raw), None)
        }
    }
}

/// Format a known time as RFC 3339 UTC (`2025-12-01T23:59:59Z`, fractions only when present).
pub fn rfc3339_utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Whole days from `now` until `t`, rounded down: negative once expired (−1 on the first day
/// after expiry).
pub fn days_left(t: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (t - now).num_seconds().div_euclid(86_400)
}

/// `--expires-before` as given: an instant, or a duration from the moment the run starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    At(DateTime<Utc>),
    In(chrono::Duration),
}

impl When {
    /// Parse an RFC 3339 date-time, a date `YYYY-MM-DD` (midnight UTC) or a duration `30d`,
    /// `12h`, `90m`, `45s`, `2w`, as `--expires-before` takes it.
    pub fn parse(s: &str) -> Result<When, String> {
        When::parse_as("--expires-before", s)
    }

    /// [`When::parse`] for a value given as `name` (a flag, or a key of a policy file), which
    /// the error names.
    pub fn parse_as(name: &str, s: &str) -> Result<When, String> {
        let s = s.trim();
        if let Some(t) = parse_rfc3339(s) {
            return Ok(When::At(t));
        }
        if s.len() == 10 {
            if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                let t = d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
                return Ok(When::At(t));
            }
        }
        match duration(name, s) {
            Some(Ok(d)) => Ok(When::In(d)),
            Some(Err(e)) => Err(e),
            None => Err(bad_when(name, s)),
        }
    }

    /// The instant this names, counted from `now`; a sum past chrono's last representable
    /// instant is that instant (nothing expires after it), never a panic.
    pub fn resolve(self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            When::At(t) => t,
            When::In(d) => now
                .checked_add_signed(d)
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        }
    }
}

/// A duration as `flag` takes it: a whole number and one unit, `w`, `d`, `h`, `m` or `s`
/// (`30d`, `12h`, `90m`, `45s`, `2w`), at most 100 years. `None` when `s` is not of that form
/// at all (so the caller can try others); an error, naming `flag`, when it is but too long.
pub fn duration(flag: &str, s: &str) -> Option<Result<chrono::Duration, String>> {
    let s = s.trim();
    let unit_at = s.len().checked_sub(1)?;
    let (n, unit) = (s.get(..unit_at)?, s.get(unit_at..)?);
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let unit_seconds = match unit {
        "w" => 7 * 86_400,
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        "s" => 1,
        _ => return None,
    };
    let too_far = || format!("{flag} '{s}': a duration can be at most 100 years (36525d, 5217w)");
    let secs = n
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(unit_seconds))
        .filter(|secs| *secs <= MAX_AHEAD_SECONDS);
    Some(
        secs.and_then(chrono::Duration::try_seconds)
            .ok_or_else(too_far),
    )
}

/// `--expires-before` durations: at most 100 years (of 365.25 days) from now.
pub const MAX_AHEAD_SECONDS: i64 = 36_525 * 86_400;

fn bad_when(name: &str, s: &str) -> String {
    format!(
        "{name} '{s}': give an RFC 3339 time (2025-06-30T00:00:00Z), a date (2025-06-30) or a duration from now (30d, 12h, 90m)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn raw(s: &str) -> Expiry {
        Expiry::Unknown {
            raw: Some(s.to_string()),
        }
    }

    /// Every vendor format, good and bad, in one table: (parser, input, expected).
    #[test]
    fn every_vendor_format() {
        type Parse = fn(Option<&Value>) -> Expiry;
        #[rustfmt::skip]
        let cases: &[(&str, Parse, Value, Expiry)] = &[
            // Tencent: GMT+8 without zone.
            ("tencent", tencent, json!("2025-12-02 07:59:59"), Expiry::Known(utc("2025-12-01T23:59:59Z"))),
            ("tencent", tencent, json!("2025-05-14 07:59:59"), Expiry::Known(utc("2025-05-13T23:59:59Z"))),
            ("tencent midnight crosses the date", tencent, json!("2024-01-01 00:00:00"), Expiry::Known(utc("2023-12-31T16:00:00Z"))),
            ("tencent one-digit seconds (doc sample)", tencent, json!("2024-11-06 08:00:0"), Expiry::Known(utc("2024-11-06T00:00:00Z"))),
            ("tencent placeholder --", tencent, json!("--"), raw("--")),
            ("tencent placeholder zeros", tencent, json!("0000-00-00 00:00:00"), raw("0000-00-00 00:00:00")),
            ("tencent empty", tencent, json!(""), Expiry::Unknown { raw: None }),
            ("tencent null", tencent, Value::Null, Expiry::Unknown { raw: None }),
            ("tencent out of range", tencent, json!("2024-13-01 00:00:00"), raw("2024-13-01 00:00:00")),
            ("tencent 25 o'clock", tencent, json!("2024-01-01 25:00:00"), raw("2024-01-01 25:00:00")),
            ("tencent Feb 30", tencent, json!("2024-02-30 00:00:00"), raw("2024-02-30 00:00:00")),
            ("tencent three-digit field", tencent, json!("2024-01-01 000:00:00"), raw("2024-01-01 000:00:00")),
            ("tencent date only", tencent, json!("2024-01-01"), raw("2024-01-01")),
            ("tencent garbage", tencent, json!("soon"), raw("soon")),
            ("tencent a number", tencent, json!(5), raw("5")),
            // Huawei: YYYY-MM-DD HH:MM:SS.f, assumed UTC+8.
            ("huawei doc example", huawei, json!("2021-05-27 16:46:25.0"), Expiry::Known(utc("2021-05-27T08:46:25Z"))),
            ("huawei millis", huawei, json!("2021-05-27 16:46:25.123"), Expiry::Known(utc("2021-05-27T08:46:25.123Z"))),
            ("huawei no fraction", huawei, json!("2021-05-27 16:46:25"), Expiry::Known(utc("2021-05-27T08:46:25Z"))),
            ("huawei bad fraction", huawei, json!("2021-05-27 16:46:25.x"), raw("2021-05-27 16:46:25.x")),
            ("huawei empty fraction", huawei, json!("2021-05-27 16:46:25."), raw("2021-05-27 16:46:25.")),
            ("huawei zeros", huawei, json!("0000-00-00 00:00:00.0"), raw("0000-00-00 00:00:00.0")),
            // Volcengine: RFC 3339, any offset.
            ("volc Z", rfc3339, json!("2024-08-18T07:19:00Z"), Expiry::Known(utc("2024-08-18T07:19:00Z"))),
            ("volc +08:00", rfc3339, json!("2024-08-18T15:19:00+08:00"), Expiry::Known(utc("2024-08-18T07:19:00Z"))),
            ("volc -05:00", rfc3339, json!("2024-08-18T02:19:00-05:00"), Expiry::Known(utc("2024-08-18T07:19:00Z"))),
            ("volc fraction", rfc3339, json!("2024-08-18T07:19:00.5Z"), Expiry::Known(utc("2024-08-18T07:19:00.5Z"))),
            ("volc no zone", rfc3339, json!("2024-08-18T07:19:00"), raw("2024-08-18T07:19:00")),
            ("volc placeholder", rfc3339, json!("--"), raw("--")),
            // CAS certificates: date only, end of that day in UTC+8.
            ("cas date", end_date, json!("2025-05-14"), Expiry::Known(utc("2025-05-14T15:59:59Z"))),
            ("cas date leap day", end_date, json!("2024-02-29"), Expiry::Known(utc("2024-02-29T15:59:59Z"))),
            ("cas bad date", end_date, json!("2023-02-29"), raw("2023-02-29")),
            ("cas zero date", end_date, json!("0000-00-00"), raw("0000-00-00")),
            ("cas empty", end_date, json!(""), Expiry::Unknown { raw: None }),
            // Epoch milliseconds: CAS orders, SLB.
            ("epoch ms", epoch_ms, json!(1_747_238_399_000_i64), Expiry::Known(utc("2025-05-14T15:59:59Z"))),
            ("epoch ms as string", epoch_ms, json!("1747238399000"), Expiry::Known(utc("2025-05-14T15:59:59Z"))),
            ("epoch ms with millis", epoch_ms, json!(1_504_147_745_123_i64), Expiry::Known(utc("2017-08-31T02:49:05.123Z"))),
            ("epoch zero placeholder", epoch_ms, json!(0), raw("0")),
            ("epoch negative", epoch_ms, json!(-5), raw("-5")),
            ("epoch fractional", epoch_ms, json!(1.5), raw("1.5")),
            ("epoch garbage", epoch_ms, json!("12ab"), raw("12ab")),
            ("epoch missing", epoch_ms, Value::Null, Expiry::Unknown { raw: None }),
        ];
        for (what, parse, input, want) in cases {
            let v = if input.is_null() { None } else { Some(input) };
            assert_eq!(parse(v), *want, "{what}: {input}");
        }
        assert_eq!(tencent(None), Expiry::Unknown { raw: None });
    }

    #[test]
    fn slb_cross_checks_the_timestamp_against_the_iso_twin() {
        let e = |ms: Option<&Value>, iso: Option<&Value>| slb_expiry(ms, iso).0;
        let ms = json!(1_674_777_599_000_i64);
        let iso = json!("2023-01-26T23:59:59Z");
        assert_eq!(
            e(Some(&ms), Some(&iso)),
            Expiry::Known(utc("2023-01-26T23:59:59Z"))
        );
        assert_eq!(
            e(None, Some(&iso)),
            Expiry::Known(utc("2023-01-26T23:59:59Z"))
        );
        assert_eq!(
            e(Some(&json!(0)), Some(&iso)),
            Expiry::Known(utc("2023-01-26T23:59:59Z"))
        );
        assert_eq!(e(Some(&json!("x")), Some(&json!("y"))), raw("x"));
        assert_eq!(e(None, Some(&json!("y"))), raw("y"));
        assert_eq!(e(None, None), Expiry::Unknown { raw: None });
        // Milliseconds within the second ExpireTime names.
        assert_eq!(
            e(Some(&json!(1_674_777_599_500_i64)), Some(&iso)),
            Expiry::Known(utc("2023-01-26T23:59:59Z"))
        );
        // Seconds where milliseconds were expected, or any other disagreement: unknown, with
        // a warning, never "expired".
        for bad in [json!(1_674_777_599_i64), json!(1_600_000_000_000_i64)] {
            let (expiry, warning) = slb_expiry(Some(&bad), Some(&iso));
            assert!(expiry.known().is_none(), "{bad}");
            assert!(warning.unwrap().contains("disagree"), "{bad}");
        }
        // A lone timestamp: trusted as milliseconds only when that is a plausible date.
        assert_eq!(
            e(Some(&ms), None),
            Expiry::Known(utc("2023-01-26T23:59:59Z"))
        );
        let (expiry, warning) = slb_expiry(Some(&json!(1_674_777_599_i64)), None);
        assert!(expiry.known().is_none());
        assert!(warning.unwrap().contains("ExpireTimeStamp=1674777599"));
    }

    #[test]
    fn days_left_rounds_down() {
        let now = utc("2025-01-10T12:00:00Z");
        assert_eq!(days_left(utc("2025-01-20T12:00:00Z"), now), 10);
        assert_eq!(days_left(utc("2025-01-20T11:59:59Z"), now), 9);
        assert_eq!(days_left(utc("2025-01-10T12:00:01Z"), now), 0);
        assert_eq!(days_left(utc("2025-01-10T11:59:59Z"), now), -1);
        assert_eq!(days_left(utc("2025-01-08T12:00:00Z"), now), -2);
    }

    #[test]
    fn formats_as_rfc3339_utc() {
        assert_eq!(
            rfc3339_utc(utc("2025-12-01T23:59:59Z")),
            "2025-12-01T23:59:59Z"
        );
        assert_eq!(
            rfc3339_utc(utc("2021-05-27T08:46:25.123Z")),
            "2021-05-27T08:46:25.123Z"
        );
    }

    #[test]
    fn expires_before_values() {
        let now = utc("2025-01-01T00:00:00Z");
        let at = |s: &str| When::parse(s).unwrap().resolve(now);
        assert_eq!(at("2025-06-30T00:00:00Z"), utc("2025-06-30T00:00:00Z"));
        assert_eq!(at("2025-06-30T08:00:00+08:00"), utc("2025-06-30T00:00:00Z"));
        assert_eq!(at("2025-06-30"), utc("2025-06-30T00:00:00Z"));
        assert_eq!(at("30d"), utc("2025-01-31T00:00:00Z"));
        assert_eq!(at("2w"), utc("2025-01-15T00:00:00Z"));
        assert_eq!(at("12h"), utc("2025-01-01T12:00:00Z"));
        assert_eq!(at("90m"), utc("2025-01-01T01:30:00Z"));
        assert_eq!(at("45s"), utc("2025-01-01T00:00:45Z"));
        assert_eq!(at("0d"), now);
        for bad in [
            "",
            "30",
            "d",
            "30x",
            "-3d",
            "3.5d",
            "2025-13-01",
            "tomorrow",
            "30 d",
        ] {
            let e = When::parse(bad).unwrap_err();
            assert!(e.contains("--expires-before"), "{bad}: {e}");
        }
    }

    #[test]
    fn errors_name_where_the_value_was_given() {
        for (bad, why) in [("soon", "give an RFC 3339 time"), ("36526d", "100 years")] {
            let e = When::parse_as("selection.expires_before", bad).unwrap_err();
            assert!(
                e.starts_with(&format!("selection.expires_before '{bad}': ")) && e.contains(why),
                "{e}"
            );
            assert!(!e.contains("--expires-before"), "{e}");
        }
        assert_eq!(
            When::parse_as("x", "30d").unwrap(),
            When::In(chrono::Duration::days(30))
        );
    }

    #[test]
    fn expires_before_durations_are_bounded_to_100_years() {
        let now = utc("2025-01-01T00:00:00Z");
        // 100 years of 365.25 days; 2025–2125 has 24 leap days (2100 is none).
        assert_eq!(
            When::parse("36525d").unwrap().resolve(now),
            utc("2125-01-02T00:00:00Z")
        );
        assert!(When::parse("5217w").is_ok());
        for big in [
            "36526d",
            "5218w",
            "99999999w",
            "999999999w",
            "876601h",
            "3155760001s",
        ] {
            let e = When::parse(big).unwrap_err();
            assert!(
                e.contains("--expires-before") && e.contains("100 years"),
                "{big}: {e}"
            );
        }
        // Dates keep chrono's whole range.
        assert_eq!(
            When::parse("9999-12-31").unwrap().resolve(now),
            utc("9999-12-31T00:00:00Z")
        );
    }

    #[test]
    fn resolving_a_huge_duration_saturates() {
        let now = utc("2025-01-01T00:00:00Z");
        assert_eq!(
            When::In(chrono::TimeDelta::MAX).resolve(now),
            DateTime::<Utc>::MAX_UTC
        );
        assert_eq!(
            When::In(chrono::TimeDelta::MAX).resolve(DateTime::<Utc>::MAX_UTC),
            DateTime::<Utc>::MAX_UTC
        );
    }
}
