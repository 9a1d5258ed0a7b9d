//! The vendor time readers and `--expires-before` on arbitrary text and JSON.
#![no_main]

use certdel::time::{self, When};
use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let shown = |t: DateTime<Utc>| {
        time::rfc3339_utc(t);
        time::days_left(t, DateTime::<Utc>::MIN_UTC);
        time::days_left(t, DateTime::<Utc>::MAX_UTC);
    };
    for f in [
        time::parse_gmt8,
        time::parse_huawei,
        time::parse_rfc3339,
        time::parse_end_date,
    ] {
        if let Some(t) = f(s) {
            shown(t);
        }
    }
    let values = [
        Value::String(s.to_string()),
        serde_json::from_str::<Value>(s).unwrap_or(Value::Null),
    ];
    for v in &values {
        for f in [
            time::tencent,
            time::huawei,
            time::rfc3339,
            time::end_date,
            time::epoch_ms,
        ] {
            if let Some(t) = f(Some(v)).known() {
                shown(t);
            }
        }
        let (e, _) = time::slb_expiry(Some(v), Some(&values[0]));
        if let Some(t) = e.known() {
            shown(t);
        }
    }
    if let Ok(w) = When::parse(s) {
        for now in [
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
            DateTime::from_timestamp(1_740_787_200, 0).unwrap(),
        ] {
            w.resolve(now);
        }
    }
});
