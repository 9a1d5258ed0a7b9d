//! Property tests of the sweep's selection and guards (`certdel::sweep::select`) on random
//! listings and policies, against an oracle written here from the documented rules: a
//! certificate decided `Delete` matches every criterion, is never excluded (by id or by
//! domain), never in use, never the unexpired latest of its set of domains; every
//! certificate matching every criterion gets exactly one decision; a target is refused
//! exactly when its deletions exceed `max_deletions`. Case counts are bounded
//! (`PROPTEST_CASES` raises them).

use certdel::cert::Cert;
use certdel::sweep::policy::{Guards, Selection};
use certdel::sweep::select::{select, Decision};
use certdel::time::{Expiry, When};
use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use std::collections::HashMap;

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

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-03-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

const DOMAINS: [&str; 6] = [
    "a.example.com",
    "A.Example.COM",
    "b.example.com",
    "x.keep.example.com",
    "c.example.org",
    "example.com",
];
const NAMES: [&str; 4] = ["ci-1", "ci-2", "prod", "CI-3"];
const REGIONS: [Option<&str>; 3] = [None, Some("cn-hangzhou"), Some("cn-beijing")];
/// Only two shapes, so the oracle can match them without the glob matcher: `*.suffix` and
/// an exact name.
const DOMAIN_PATTERNS: [&str; 4] = [
    "*.example.com",
    "a.example.com",
    "*.org",
    "*.keep.example.com",
];
const NAME_PATTERNS: [&str; 3] = ["ci-*", "prod", "CI-*"];

fn cert() -> impl Strategy<Value = (Vec<usize>, usize, Option<i64>, Option<bool>, usize)> {
    (
        prop::collection::vec(0..DOMAINS.len(), 0..4),
        0..NAMES.len(),
        // Hours from now; expiries cluster so that ties happen.
        prop_oneof![3 => (-40i64..40).prop_map(|h| Some(h * 12)), 1 => Just(None)],
        prop_oneof![Just(None), Just(Some(false)), Just(Some(true))],
        0..REGIONS.len(),
    )
}

fn listing() -> impl Strategy<Value = Vec<Cert>> {
    prop::collection::vec(cert(), 0..14).prop_map(|specs| {
        specs
            .into_iter()
            .enumerate()
            .map(|(i, (domains, name, hours, in_use, region))| {
                let mut c = Cert::new(format!("id{i}"));
                c.domains = domains.iter().map(|d| DOMAINS[*d].to_string()).collect();
                c.name = NAMES[name].to_string();
                c.not_after = match hours {
                    Some(h) => Expiry::Known(now() + Duration::hours(h)),
                    None => Expiry::Unknown { raw: None },
                };
                c.in_use = in_use;
                c.region = REGIONS[region].map(String::from);
                c
            })
            .collect()
    })
}

fn pick(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    prop::sample::subsequence(pool.to_vec(), 0..=pool.len())
        .prop_map(|v| v.into_iter().map(String::from).collect())
}

fn selection() -> impl Strategy<Value = Selection> {
    (
        prop::option::of((0i64..300).prop_map(Duration::hours)),
        prop::option::of(prop_oneof![
            (-300i64..300).prop_map(|h| When::At(now() + Duration::hours(h))),
            (0i64..300).prop_map(|h| When::In(Duration::hours(h))),
        ]),
        pick(&DOMAIN_PATTERNS),
        pick(&NAME_PATTERNS),
        prop::collection::vec((0..16usize).prop_map(|i| format!("id{i}")), 0..5),
        pick(&DOMAIN_PATTERNS),
    )
        .prop_map(
            |(expired_for, expires_before, domain, name, exclude_ids, exclude_domains)| Selection {
                expired_for,
                expires_before,
                domain,
                name,
                exclude_ids,
                exclude_domains,
            },
        )
}

fn domain_matches(pattern: &str, domain: &str) -> bool {
    let d = domain.to_lowercase();
    match pattern.strip_prefix('*') {
        Some(suffix) => d.ends_with(suffix),
        None => d == pattern,
    }
}

fn name_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == pattern,
    }
}

/// Every criterion of the selection, as the documentation states them.
fn oracle_matches(s: &Selection, c: &Cert) -> bool {
    let t = c.not_after.known();
    let before = |limit: DateTime<Utc>| t.is_some_and(|t| t < limit);
    s.expired_for.is_none_or(|d| before(now() - d))
        && s.expires_before.is_none_or(|w| {
            before(match w {
                When::At(at) => at,
                When::In(d) => now() + d,
            })
        })
        && (s.domain.is_empty()
            || c.domains
                .iter()
                .any(|d| s.domain.iter().any(|p| domain_matches(p, d))))
        && (s.name.is_empty() || s.name.iter().any(|p| name_matches(p, &c.name)))
}

fn set_of(c: &Cert) -> (Option<String>, Vec<String>) {
    let mut d: Vec<String> = c.domains.iter().map(|d| d.to_lowercase()).collect();
    d.sort();
    d.dedup();
    (c.region.clone(), d)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn deletions_match_every_criterion_and_no_guard(
        certs in listing(),
        s in selection(),
        max in 0u64..12,
        keep_latest in any::<bool>(),
    ) {
        let g = Guards { max_deletions: max, keep_latest_per_domains: keep_latest };
        let out = select(&certs, &s, &g, now());

        // Exactly the certificates matching every criterion are decided, each once, in order.
        let decided: Vec<&str> = out.decisions.iter().map(|(c, _)| c.id.as_str()).collect();
        let matching: Vec<&str> = certs
            .iter()
            .filter(|c| oracle_matches(&s, c))
            .map(|c| c.id.as_str())
            .collect();
        prop_assert_eq!(decided, matching);

        let mut latest: HashMap<(Option<String>, Vec<String>), DateTime<Utc>> = HashMap::new();
        for c in &certs {
            if let Some(t) = c.not_after.known() {
                let e = latest.entry(set_of(c)).or_insert(t);
                *e = (*e).max(t);
            }
        }
        let deleted: Vec<&Cert> = out
            .decisions
            .iter()
            .filter(|(_, d)| *d == Decision::Delete)
            .map(|(c, _)| *c)
            .collect();
        for c in &deleted {
            prop_assert!(oracle_matches(&s, c), "{} matches not every criterion", c.id);
            prop_assert!(!s.exclude_ids.contains(&c.id), "{} is an excluded id", c.id);
            prop_assert!(
                !c.domains.iter().any(|d| s.exclude_domains.iter().any(|p| domain_matches(p, d))),
                "{} has an excluded domain", c.id
            );
            prop_assert!(c.in_use != Some(true), "{} is in use", c.id);
            if keep_latest {
                let t = c.not_after.known();
                prop_assert!(t.is_some(), "{}: unknown expiry deleted under keep_latest", c.id);
                let t = t.unwrap();
                let newest = latest[&set_of(c)];
                prop_assert!(
                    t < newest || t < now(),
                    "{} is the unexpired latest of its domains", c.id
                );
            }
        }

        // max_deletions: refused exactly above it, and then nothing is deleted.
        prop_assert_eq!(out.refusal.is_some(), deleted.len() as u64 > max);
        let to_delete: Vec<&str> = out.to_delete().iter().map(|c| c.id.as_str()).collect();
        if out.refusal.is_some() {
            prop_assert!(to_delete.is_empty());
            let r = out.refusal.unwrap();
            prop_assert_eq!((r.would_delete, r.max_deletions), (deleted.len(), max));
        } else {
            let want: Vec<&str> = deleted.iter().map(|c| c.id.as_str()).collect();
            prop_assert_eq!(to_delete, want);
        }
    }

    /// With no guard that could keep anything, every matching certificate is deleted: the
    /// guards above are what keeps, not a selection that silently drops.
    #[test]
    fn without_guards_everything_selected_is_deleted(certs in listing(), s in selection()) {
        let certs: Vec<Cert> = certs
            .into_iter()
            .map(|mut c| {
                c.in_use = None;
                c
            })
            .collect();
        let s = Selection { exclude_ids: vec![], exclude_domains: vec![], ..s };
        let g = Guards { max_deletions: u64::MAX, keep_latest_per_domains: false };
        let out = select(&certs, &s, &g, now());
        prop_assert!(out.decisions.iter().all(|(_, d)| *d == Decision::Delete));
        prop_assert_eq!(out.to_delete().len(), certs.iter().filter(|c| oracle_matches(&s, c)).count());
    }
}
