//! Property tests of the readers of everything else certdel takes from outside: vendor time
//! formats, `--expires-before`, ids on stdin, `--endpoint`, and the numeric flags (alone and
//! through the whole command line). No reader panics; what it accepts is within the
//! documented range. Case counts are bounded (`PROPTEST_CASES` raises them).

use certdel::cli::{self, Cli};
use certdel::endpoint::Endpoint;
use certdel::provider::ProviderSettings;
use certdel::provider::{self, Kind};
use certdel::settings;
use certdel::time::{self, Expiry, When};
use chrono::{DateTime, Datelike, Utc};
use clap::Parser;
use proptest::prelude::*;
use serde_json::Value;
use std::time::Duration;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Vendor-looking times, mostly well formed, fields often out of range.
fn time_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3} [0-9]{1,3}:[0-9]{1,3}:[0-9]{1,3}(\\.[0-9]{0,12})?",
        "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,12})?(Z|[+-][0-9]{2}:[0-9]{2})",
        "[ 0-9:T.Z+-]{0,30}",
        any::<String>(),
    ]
}

fn json_time() -> impl Strategy<Value = Value> {
    prop_oneof![
        time_text().prop_map(Value::String),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[0-9]{1,25}".prop_map(Value::String),
        Just(Value::Null),
        Just(Value::Bool(true)),
    ]
}

/// A known expiry is one certdel can print and compare with any "now"; string formats with a
/// four-digit year stay within years 0–10000.
fn check_expiry(e: &Expiry, four_digit_year: bool) {
    if let Some(t) = e.known() {
        time::rfc3339_utc(t);
        time::days_left(t, DateTime::<Utc>::MIN_UTC);
        time::days_left(t, DateTime::<Utc>::MAX_UTC);
        if four_digit_year {
            assert!((0..=10_000).contains(&t.year()), "{t}");
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn vendor_times_are_known_in_range_or_unknown(s in time_text(), v in json_time(), w in json_time()) {
        for f in [time::parse_gmt8, time::parse_huawei, time::parse_end_date] {
            if let Some(t) = f(&s) {
                assert!((0..=10_000).contains(&t.year()), "{s} -> {t}");
            }
        }
        if let Some(t) = time::parse_rfc3339(&s) {
            assert!((-1..=10_000).contains(&t.year()), "{s} -> {t}");
        }
        for f in [time::tencent, time::huawei, time::rfc3339, time::end_date] {
            check_expiry(&f(Some(&v)), true);
        }
        let ms = time::epoch_ms(Some(&v));
        check_expiry(&ms, false);
        if let Some(t) = ms.known() {
            assert!(t.timestamp_millis() > 0, "{v} -> {t}");
        }
        let (e, warning) = time::slb_expiry(Some(&v), Some(&w));
        check_expiry(&e, false);
        if e.known().is_none() && warning.is_some() {
            assert!(matches!(e, Expiry::Unknown { raw: Some(_) }));
        }
        // An unknown expiry keeps the vendor's text.
        if let (Expiry::Unknown { raw }, Value::String(text)) = (time::tencent(Some(&v)), &v) {
            assert_eq!(raw.as_deref(), (!text.is_empty()).then_some(text.as_str()));
        }
    }

    #[test]
    fn expires_before_is_within_100_years_or_refused(
        s in prop_oneof![
            "[0-9]{1,12}[wdhms]",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})",
            any::<String>(),
        ],
        now_s in DateTime::<Utc>::MIN_UTC.timestamp()..=DateTime::<Utc>::MAX_UTC.timestamp(),
    ) {
        let now = DateTime::from_timestamp(now_s, 0).unwrap();
        match When::parse(&s) {
            Ok(When::In(d)) => {
                assert!(d >= chrono::TimeDelta::zero(), "{s}");
                assert!(d.num_seconds() <= time::MAX_AHEAD_SECONDS, "{s}");
                let t = When::In(d).resolve(now);
                assert!(t >= now, "{s}");
            }
            Ok(w @ When::At(_)) => {
                w.resolve(now);
            }
            Err(e) => assert!(e.starts_with("--expires-before"), "{s}: {e}"),
        }
    }

    #[test]
    fn stdin_ids_are_trimmed_unique_and_checked(
        lines in proptest::collection::vec(
            prop_oneof![
                "[ \t]*[a-zA-Z0-9-]{0,8}[ \t\r]*",
                "[0-9]{1,22}",
                Just("#".to_string()),
                Just("-".to_string()),
                any::<String>(),
            ],
            0..12,
        ),
        raw in proptest::collection::vec(any::<u8>(), 0..64),
        use_raw in any::<bool>(),
    ) {
        let input: Vec<u8> = if use_raw { raw } else { lines.join("\n").into_bytes() };
        let line_count = input.split(|b| *b == b'\n').count();
        for kind in Kind::ALL {
            let p = provider::build(&ProviderSettings::for_test(kind));
            match certdel::ids::collect(&["-".to_string()], &input[..], p.as_ref()) {
                Ok(ids) => {
                    assert!(ids.len() <= line_count);
                    let mut seen = std::collections::HashSet::new();
                    for id in &ids {
                        assert!(seen.insert(id), "duplicate {id:?}");
                        assert_eq!(id.trim(), id);
                        assert!(!id.is_empty() && !id.starts_with('#'));
                        assert!(p.check_id(id).is_ok(), "{id:?}");
                    }
                }
                Err(e) => {
                    let msg = e.to_string();
                    assert!(msg.contains("stdin line"), "{msg}");
                }
            }
            // The same strings as arguments.
            let args: Vec<String> = lines.clone();
            if !args.is_empty() {
                match certdel::ids::collect(&args, &b""[..], p.as_ref()) {
                    Ok(ids) => assert!(ids.iter().all(|id| p.check_id(id).is_ok())),
                    Err(e) => assert!(e.to_string().contains("argument"), "{e}"),
                }
            }
        }
    }

    #[test]
    fn endpoints_parse_into_what_they_say_or_are_refused(
        s in prop_oneof![
            "(https?|HTTP|ftp)://[a-z0-9.:\\[\\]-]{0,20}(:[0-9]{0,7})?/?",
            "https?://(127\\.0\\.0\\.1|localhost|\\[::1\\]|10\\.0\\.0\\.1)(:[0-9]{1,6})?",
            any::<String>(),
        ],
    ) {
        match Endpoint::parse(&s) {
            Ok(e) => {
                assert!(e.scheme == "https" || e.scheme == "http", "{s}");
                assert!(!e.host.is_empty());
                assert!(!e.host.contains(['/', '?', '#', '@', ' ']), "{s} -> {}", e.host);
                if e.scheme == "http" {
                    let h = e.host.rsplit_once(':').filter(|_| !e.host.ends_with(']')).map_or(e.host.as_str(), |(h, _)| h);
                    assert!(h == "localhost" || h == "[::1]" || h.starts_with("127."), "{s}");
                }
                // What was parsed parses again to the same endpoint.
                let again = Endpoint::parse(&format!("{}://{}", e.scheme, e.host)).unwrap();
                assert_eq!(again, e);
            }
            Err(msg) => assert!(msg.starts_with("--endpoint"), "{s}: {msg}"),
        }
    }

    #[test]
    fn numeric_flags_accept_only_their_range(
        s in prop_oneof![
            any::<f64>().prop_map(|f| f.to_string()),
            any::<f64>().prop_map(|f| format!("{f:e}")),
            any::<i64>().prop_map(|n| n.to_string()),
            "[0-9]{0,3}\\.?[0-9]{0,3}(e-?[0-9]{1,3})?",
            Just("NaN".to_string()), Just("inf".to_string()), Just("-inf".to_string()),
            any::<String>(),
        ],
    ) {
        let in_range = |v: f64, (lo, hi): (f64, f64)| v.is_finite() && lo <= v && v <= hi;
        if let Ok(v) = cli::rate(&s) { assert!(in_range(v, cli::RATE), "{s}"); }
        if let Ok(v) = cli::timeout(&s) { assert!(in_range(v, cli::TIMEOUT), "{s}"); }
        if let Ok(v) = cli::deadline(&s) { assert!(in_range(v, cli::DEADLINE), "{s}"); }
        if let Ok(v) = cli::wait_timeout(&s) { assert!(in_range(v, cli::WAIT_TIMEOUT), "{s}"); }
        if let Ok(v) = cli::concurrency(&s) { assert!((cli::CONCURRENCY.0..=cli::CONCURRENCY.1).contains(&v), "{s}"); }
        if let Ok(v) = cli::max_retries(&s) { assert!(v <= cli::MAX_RETRIES, "{s}"); }

        // Through the whole command line and settings: a usage error naming the flag, or
        // settings within the ranges, never a panic.
        let env = |k: &str| match k {
            "TENCENTCLOUD_SECRET_ID" => Some("AKID".to_string()),
            "TENCENTCLOUD_SECRET_KEY" => Some("sk".to_string()),
            // A delete run needs a place for its audit log (resolved only, never opened here).
            "HOME" => Some("/home/prop".to_string()),
            _ => None,
        };
        for flag in ["--rate", "--concurrency", "--max-retries", "--timeout", "--deadline", "--wait-timeout"] {
            let arg = format!("{flag}={s}");
            let argv = ["certdel", "tencent-ssl", "delete", "x", arg.as_str()];
            let Ok(parsed) = Cli::try_parse_from(argv) else { continue };
            let settings = settings::resolve(parsed, &env).unwrap_or_else(|e| panic!("{arg}: {e}"));
            let run = &settings.run;
            assert!(run.timeout >= Duration::from_millis(100) && run.timeout <= Duration::from_secs(600));
            assert!(run.deadline.is_none_or(|d| d <= Duration::from_secs(7 * 86_400)));
            assert!(run.rate.is_none_or(|r| in_range(r, cli::RATE)));
            assert!(run.max_retries <= cli::MAX_RETRIES);
            if let settings::Command::Delete { wait: Some(w), .. } = settings.command {
                assert!(w <= Duration::from_secs(86_400));
            }
        }
    }
}
