//! What a sweep deletes in one target: the pure decision over a complete listing, a
//! target's effective [`Selection`] and [`Guards`], and the run's one `now`.
//!
//! The rules, in the order they are applied:
//!
//! 1. **Selected**: a certificate is selected when it matches every criterion of the
//!    selection ([`Criteria::matches`]). Certificates that are not selected are outside the
//!    sweep: they get no [`Decision`] and are not reported (a caller that wants their number
//!    has the listing). They still count for rule 2d.
//! 2. **Kept**: a selected certificate is kept, for the first of these reasons that applies:
//!    a. its id is in `exclude_ids` ([`Kept::ExcludedId`]);
//!    b. one of its domains matches a pattern of `exclude_domains` ([`Kept::ExcludedDomain`]);
//!    c. the listing says it is in use, `in_use == Some(true)` ([`Kept::InUse`]);
//!    d. with `keep_latest_per_domains`: it is the latest of its set of domains
//!    ([`Kept::LatestForDomains`], below).
//!
//!    Everything else selected is to be deleted ([`Decision::Delete`]).
//! 3. **max_deletions**: when more certificates are to be deleted than the target's
//!    `max_deletions`, the target is refused as a whole ([`Selected::refusal`]): nothing is
//!    deleted there. Exactly `max_deletions` is allowed.
//!
//! **The latest of a set of domains.** Certificates cover the *same set of domains* when
//! their `domains`, lowercased, sorted and without repeats, are equal, and (alibaba-slb) they
//! are in the same region: a listener can only use a certificate of its own region, so a
//! region's last certificate for a domain is kept even when another region has a newer one.
//! (Every other provider's listing has no region; there the domains alone decide.) The
//! latest is taken over the whole listing, selected or not. A selected certificate is kept
//! as the latest when
//! - its expiry is the latest known expiry of its set and it has not expired (`not_after` is
//!   not before `now`): with ties, every certificate sharing that expiry is kept; or
//! - its expiry is unknown: it cannot be shown not to be the latest. (Without `expired_for`
//!   and `expires_before` only, since an unknown expiry never matches those.)
//!
//! A latest certificate that has expired is no longer protected: every certificate of its
//! set has then expired too.

use super::policy::{Guards, Selection};
use crate::cert::{Cert, Glob};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::fmt;

/// A selection with the run's `now` fixed and its patterns compiled.
#[derive(Clone, Debug)]
pub struct Criteria {
    /// From `expired_for`: the expiry must be earlier than this.
    expired_before: Option<DateTime<Utc>>,
    /// From `expires_before`.
    expires_before: Option<DateTime<Utc>>,
    domain: Vec<Glob>,
    name: Vec<Glob>,
    exclude_ids: Vec<String>,
    /// (pattern as written, compiled)
    exclude_domains: Vec<(String, Glob)>,
}

impl Criteria {
    /// The selection as of `now`. Domains fold case and names do not, as in `list`.
    pub fn new(selection: &Selection, now: DateTime<Utc>) -> Criteria {
        Criteria {
            expired_before: selection.expired_for.map(|d| {
                now.checked_sub_signed(d)
                    .unwrap_or(DateTime::<Utc>::MIN_UTC)
            }),
            expires_before: selection.expires_before.map(|w| w.resolve(now)),
            domain: selection
                .domain
                .iter()
                .map(|p| Glob::new(p, true))
                .collect(),
            name: selection.name.iter().map(|p| Glob::new(p, false)).collect(),
            exclude_ids: selection.exclude_ids.clone(),
            exclude_domains: selection
                .exclude_domains
                .iter()
                .map(|p| (p.clone(), Glob::new(p, true)))
                .collect(),
        }
    }

    /// Whether `cert` matches every criterion (the exclusions aside: those keep what is
    /// selected). An unknown expiry matches no time criterion.
    pub fn matches(&self, cert: &Cert) -> bool {
        let expiry = cert.not_after.known();
        let before = |limit: Option<DateTime<Utc>>| {
            limit.is_none_or(|limit| expiry.is_some_and(|t| t < limit))
        };
        before(self.expired_before)
            && before(self.expires_before)
            && (self.domain.is_empty()
                || cert
                    .domains
                    .iter()
                    .any(|d| self.domain.iter().any(|g| g.matches(d))))
            && (self.name.is_empty() || self.name.iter().any(|g| g.matches(&cert.name)))
    }

    /// The exclusion that keeps `cert`, if any.
    fn excluded(&self, cert: &Cert) -> Option<Kept> {
        if self.exclude_ids.contains(&cert.id) {
            return Some(Kept::ExcludedId);
        }
        for d in &cert.domains {
            if let Some((pattern, _)) = self.exclude_domains.iter().find(|(_, g)| g.matches(d)) {
                return Some(Kept::ExcludedDomain {
                    domain: d.clone(),
                    pattern: pattern.clone(),
                });
            }
        }
        None
    }
}

/// Why a selected certificate is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kept {
    /// Its id is in `exclude_ids`.
    ExcludedId,
    /// `domain` matches `pattern` of `exclude_domains`.
    ExcludedDomain { domain: String, pattern: String },
    /// The listing says it is in use.
    InUse,
    /// The latest certificate for its set of domains (`keep_latest_per_domains`).
    LatestForDomains,
}

impl Kept {
    /// A stable name, for NDJSON and the audit log.
    pub fn code(&self) -> &'static str {
        match self {
            Kept::ExcludedId => "excluded_id",
            Kept::ExcludedDomain { .. } => "excluded_domain",
            Kept::InUse => "in_use",
            Kept::LatestForDomains => "keep_latest",
        }
    }
}

impl fmt::Display for Kept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kept::ExcludedId => f.write_str("excluded by id (exclude_ids)"),
            Kept::ExcludedDomain { domain, pattern } => {
                write!(
                    f,
                    "excluded by domain: {domain} matches {pattern} (exclude_domains)"
                )
            }
            Kept::InUse => f.write_str("in use"),
            Kept::LatestForDomains => {
                f.write_str("the latest for its domains (keep_latest_per_domains)")
            }
        }
    }
}

/// What happens to one selected certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Delete,
    Kept(Kept),
}

/// More certificates to delete than `max_deletions` allows: the target is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooMany {
    pub would_delete: usize,
    pub max_deletions: u64,
}

impl fmt::Display for TooMany {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} certificates would be deleted, more than max_deletions = {}: nothing is deleted in this target",
            self.would_delete, self.max_deletions
        )
    }
}

/// The decisions for one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selected<'a> {
    /// Every selected certificate, in listing order, with its decision.
    pub decisions: Vec<(&'a Cert, Decision)>,
    /// Set when the `Delete` decisions exceed `max_deletions`: then nothing is deleted.
    pub refusal: Option<TooMany>,
}

impl<'a> Selected<'a> {
    /// The certificates decided `Delete`, whether or not the target was refused.
    pub fn would_delete(&self) -> impl Iterator<Item = &'a Cert> + '_ {
        self.decisions
            .iter()
            .filter(|(_, d)| *d == Decision::Delete)
            .map(|(c, _)| *c)
    }

    /// What to delete: the `Delete` decisions, none when the target was refused.
    pub fn to_delete(&self) -> Vec<&'a Cert> {
        if self.refusal.is_some() {
            return Vec::new();
        }
        self.would_delete().collect()
    }

    /// The kept certificates with their reasons.
    pub fn kept(&self) -> impl Iterator<Item = (&'a Cert, &Kept)> + '_ {
        self.decisions.iter().filter_map(|(c, d)| match d {
            Decision::Kept(k) => Some((*c, k)),
            Decision::Delete => None,
        })
    }
}

/// The set of domains a certificate covers, for `keep_latest_per_domains`: its region (only
/// alibaba-slb has one) and its domains lowercased, sorted, without repeats.
pub fn domain_set(cert: &Cert) -> (Option<String>, Vec<String>) {
    let mut domains: Vec<String> = cert.domains.iter().map(|d| d.to_lowercase()).collect();
    domains.sort();
    domains.dedup();
    (cert.region.clone(), domains)
}

/// Decide every certificate of a target's complete listing (the rules at the top).
pub fn select<'a>(
    certs: &'a [Cert],
    selection: &Selection,
    guards: &Guards,
    now: DateTime<Utc>,
) -> Selected<'a> {
    let criteria = Criteria::new(selection, now);
    // The latest known expiry of each set of domains, over the whole listing.
    let mut latest: HashMap<(Option<String>, Vec<String>), DateTime<Utc>> = HashMap::new();
    if guards.keep_latest_per_domains {
        for c in certs {
            if let Some(t) = c.not_after.known() {
                latest
                    .entry(domain_set(c))
                    .and_modify(|l| *l = (*l).max(t))
                    .or_insert(t);
            }
        }
    }
    let is_latest = |c: &Cert| match c.not_after.known() {
        None => true,
        Some(t) => t >= now && latest.get(&domain_set(c)) == Some(&t),
    };
    let decisions: Vec<(&Cert, Decision)> = certs
        .iter()
        .filter(|c| criteria.matches(c))
        .map(|c| {
            let kept = criteria.excluded(c).or_else(|| {
                if c.in_use == Some(true) {
                    Some(Kept::InUse)
                } else if guards.keep_latest_per_domains && is_latest(c) {
                    Some(Kept::LatestForDomains)
                } else {
                    None
                }
            });
            (c, kept.map_or(Decision::Delete, Decision::Kept))
        })
        .collect();
    let would_delete = decisions
        .iter()
        .filter(|(_, d)| *d == Decision::Delete)
        .count();
    let refusal = (would_delete as u64 > guards.max_deletions).then_some(TooMany {
        would_delete,
        max_deletions: guards.max_deletions,
    });
    Selected { decisions, refusal }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{Expiry, When};
    use chrono::Duration;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const NOW: &str = "2025-03-01T00:00:00Z";

    /// A certificate expiring `days` days from NOW (negative: expired), or unknown.
    fn cert(id: &str, days: Option<i64>, domains: &[&str]) -> Cert {
        let mut c = Cert::new(id);
        c.not_after = match days {
            Some(d) => Expiry::Known(utc(NOW) + Duration::days(d)),
            None => Expiry::Unknown {
                raw: Some("--".into()),
            },
        };
        c.domains = domains.iter().map(|d| d.to_string()).collect();
        c.name = format!("name-{id}");
        c
    }

    fn expired_for(days: i64) -> Selection {
        Selection {
            expired_for: Some(Duration::days(days)),
            ..Default::default()
        }
    }

    fn guards(max: u64, keep_latest: bool) -> Guards {
        Guards {
            max_deletions: max,
            keep_latest_per_domains: keep_latest,
        }
    }

    /// (id, decision) for every selected certificate.
    fn decide<'a>(
        certs: &'a [Cert],
        s: &Selection,
        g: &Guards,
    ) -> (Vec<(&'a str, Decision)>, Option<TooMany>) {
        let out = select(certs, s, g, utc(NOW));
        (
            out.decisions
                .iter()
                .map(|(c, d)| (c.id.as_str(), d.clone()))
                .collect(),
            out.refusal,
        )
    }

    fn ids(certs: &[&Cert]) -> Vec<String> {
        certs.iter().map(|c| c.id.clone()).collect()
    }

    #[test]
    fn expired_for_means_expired_at_least_that_long_ago() {
        let now = utc(NOW);
        let mut edge = cert("edge", None, &["a.com"]);
        edge.not_after = Expiry::Known(now - Duration::days(7));
        let mut just = cert("just", None, &["a.com"]);
        just.not_after = Expiry::Known(now - Duration::days(7) - Duration::seconds(1));
        let certs = [
            cert("old", Some(-30), &["a.com"]),
            just,
            edge,
            cert("recent", Some(-1), &["a.com"]),
            cert("valid", Some(10), &["a.com"]),
            cert("unknown", None, &["a.com"]),
        ];
        let (got, _) = decide(&certs, &expired_for(7), &guards(100, false));
        assert_eq!(
            got,
            vec![("old", Decision::Delete), ("just", Decision::Delete)]
        );
        // 0s: expired at all, as `list --expired` (exactly now is not yet expired).
        let mut at_now = cert("at-now", None, &["b.com"]);
        at_now.not_after = Expiry::Known(now);
        let certs = [cert("x", Some(-1), &["a.com"]), at_now];
        let s = Selection {
            expired_for: Some(Duration::zero()),
            ..Default::default()
        };
        let (got, _) = decide(&certs, &s, &guards(100, false));
        assert_eq!(got, vec![("x", Decision::Delete)]);
    }

    #[test]
    fn every_criterion_must_hold() {
        let mut a = cert("a", Some(-10), &["www.example.com"]);
        a.name = "prod-a".into();
        let mut b = cert("b", Some(-10), &["www.example.org"]);
        b.name = "prod-b".into();
        let mut c = cert("c", Some(-10), &["api.example.com"]);
        c.name = "test-c".into();
        let mut d = cert("d", Some(20), &["x.example.com"]);
        d.name = "prod-d".into();
        let mut e = cert("e", Some(-10), &["e.example.net", "shop.EXAMPLE.com"]);
        e.name = "prod-e".into();
        let certs = [a, b, c, d, e];
        let s = Selection {
            expired_for: Some(Duration::days(1)),
            expires_before: Some(When::parse("2025-02-25").unwrap()),
            domain: vec!["*.example.com".into(), "nothing.invalid".into()],
            name: vec!["prod-*".into()],
            ..Default::default()
        };
        let (got, _) = decide(&certs, &s, &guards(100, false));
        // b: domain; c: name; d: not expired.
        assert_eq!(got, vec![("a", Decision::Delete), ("e", Decision::Delete)]);
        // expires_before alone reaches d; the name glob is case-sensitive.
        let s = Selection {
            expires_before: Some(When::In(Duration::days(30))),
            name: vec!["PROD-*".into(), "prod-d".into()],
            ..Default::default()
        };
        let (got, _) = decide(&certs, &s, &guards(100, false));
        assert_eq!(got, vec![("d", Decision::Delete)]);
    }

    #[test]
    fn exclusions_keep_what_is_selected() {
        let certs = [
            cert("id-1", Some(-10), &["a.example.com"]),
            cert("id-2", Some(-10), &["b.example.com", "x.KEEP.example.com"]),
            cert("id-3", Some(-10), &["keep.example.com"]),
            cert("ID-1", Some(-10), &["c.example.com"]),
            cert("id-4", Some(-10), &["d.example.com"]),
        ];
        let s = Selection {
            expired_for: Some(Duration::days(1)),
            exclude_ids: vec!["id-1".into(), "id-2".into()],
            exclude_domains: vec!["*.keep.example.com".into(), "keep.*".into()],
            ..Default::default()
        };
        let (got, _) = decide(&certs, &s, &guards(100, false));
        assert_eq!(
            got,
            vec![
                ("id-1", Decision::Kept(Kept::ExcludedId)),
                // The id comes first, then the domain.
                ("id-2", Decision::Kept(Kept::ExcludedId)),
                (
                    "id-3",
                    Decision::Kept(Kept::ExcludedDomain {
                        domain: "keep.example.com".into(),
                        pattern: "keep.*".into(),
                    })
                ),
                // Ids are exact.
                ("ID-1", Decision::Delete),
                ("id-4", Decision::Delete),
            ]
        );
        let s = Selection {
            exclude_ids: vec![],
            ..s
        };
        let (got, _) = decide(&certs, &s, &guards(100, false));
        assert_eq!(
            got[1],
            (
                "id-2",
                Decision::Kept(Kept::ExcludedDomain {
                    domain: "x.KEEP.example.com".into(),
                    pattern: "*.keep.example.com".into(),
                })
            )
        );
        assert_eq!(got[0], ("id-1", Decision::Delete));
    }

    #[test]
    fn in_use_is_kept_where_the_listing_says() {
        let mut used = cert("used", Some(-10), &["a.com"]);
        used.in_use = Some(true);
        let mut free = cert("free", Some(-10), &["b.com"]);
        free.in_use = Some(false);
        let certs = [used, free, cert("unsaid", Some(-10), &["c.com"])];
        let (got, _) = decide(&certs, &expired_for(1), &guards(100, true));
        assert_eq!(
            got,
            vec![
                ("used", Decision::Kept(Kept::InUse)),
                ("free", Decision::Delete),
                ("unsaid", Decision::Delete),
            ]
        );
    }

    #[test]
    fn keep_latest_over_the_same_set_of_domains() {
        let s = Selection {
            expires_before: Some(When::In(Duration::days(60))),
            ..Default::default()
        };
        let certs = [
            // One set, written in different orders and cases, with a repeat.
            cert("old", Some(-5), &["b.example.com", "a.example.com"]),
            cert("soon", Some(10), &["A.example.com", "b.example.com"]),
            cert(
                "latest",
                Some(40),
                &["B.EXAMPLE.com", "a.example.com", "a.example.com"],
            ),
            // A subset is another set: its own latest.
            cert("only-a", Some(20), &["a.example.com"]),
            // The newest of a set is not selected (beyond 60 days): nothing selected is it.
            cert("x-old", Some(30), &["x.example.com"]),
            cert("x-new", Some(90), &["x.example.com"]),
        ];
        let (got, _) = decide(&certs, &s, &guards(100, true));
        assert_eq!(
            got,
            vec![
                ("old", Decision::Delete),
                ("soon", Decision::Delete),
                ("latest", Decision::Kept(Kept::LatestForDomains)),
                ("only-a", Decision::Kept(Kept::LatestForDomains)),
                ("x-old", Decision::Delete),
            ]
        );
        // Off: every selected certificate is deleted.
        let (got, _) = decide(&certs, &s, &guards(100, false));
        assert!(got.iter().all(|(_, d)| *d == Decision::Delete), "{got:?}");
    }

    #[test]
    fn keep_latest_keeps_every_certificate_tied_for_latest() {
        let s = Selection {
            expires_before: Some(When::In(Duration::days(60))),
            ..Default::default()
        };
        let certs = [
            cert("t1", Some(30), &["a.com"]),
            cert("older", Some(5), &["a.com"]),
            cert("t2", Some(30), &["A.com"]),
        ];
        let (got, _) = decide(&certs, &s, &guards(100, true));
        assert_eq!(
            got,
            vec![
                ("t1", Decision::Kept(Kept::LatestForDomains)),
                ("older", Decision::Delete),
                ("t2", Decision::Kept(Kept::LatestForDomains)),
            ]
        );
    }

    #[test]
    fn an_expired_latest_is_not_protected() {
        let certs = [
            cert("older", Some(-30), &["a.com"]),
            cert("latest", Some(-10), &["a.com"]),
        ];
        let (got, _) = decide(&certs, &expired_for(7), &guards(100, true));
        assert_eq!(
            got,
            vec![("older", Decision::Delete), ("latest", Decision::Delete)]
        );
        // Expiring exactly now has not expired: still the latest.
        let mut at_now = cert("at-now", None, &["b.com"]);
        at_now.not_after = Expiry::Known(utc(NOW));
        let certs = [cert("b-old", Some(-3), &["b.com"]), at_now];
        let s = Selection {
            expires_before: Some(When::In(Duration::days(1))),
            ..Default::default()
        };
        let (got, _) = decide(&certs, &s, &guards(100, true));
        assert_eq!(
            got,
            vec![
                ("b-old", Decision::Delete),
                ("at-now", Decision::Kept(Kept::LatestForDomains)),
            ]
        );
    }

    #[test]
    fn keep_latest_with_unknown_expiries_and_regions() {
        // Selected by domain only, so an unknown expiry can be selected: it is kept.
        let s = Selection {
            domain: vec!["*.com".into()],
            ..Default::default()
        };
        let certs = [
            cert("unknown", None, &["a.com"]),
            cert("known-old", Some(-3), &["a.com"]),
            cert("known-new", Some(3), &["a.com"]),
        ];
        let (got, _) = decide(&certs, &s, &guards(100, true));
        assert_eq!(
            got,
            vec![
                ("unknown", Decision::Kept(Kept::LatestForDomains)),
                ("known-old", Decision::Delete),
                ("known-new", Decision::Kept(Kept::LatestForDomains)),
            ]
        );
        // alibaba-slb: each region keeps its own latest.
        let in_region = |id: &str, days: i64, region: &str| {
            let mut c = cert(id, Some(days), &["a.com"]);
            c.region = Some(region.into());
            c
        };
        let certs = [
            in_region("hz-old", 2, "cn-hangzhou"),
            in_region("hz-new", 5, "cn-hangzhou"),
            in_region("bj", 3, "cn-beijing"),
        ];
        let s = Selection {
            expires_before: Some(When::In(Duration::days(30))),
            ..Default::default()
        };
        let (got, _) = decide(&certs, &s, &guards(100, true));
        assert_eq!(
            got,
            vec![
                ("hz-old", Decision::Delete),
                ("hz-new", Decision::Kept(Kept::LatestForDomains)),
                ("bj", Decision::Kept(Kept::LatestForDomains)),
            ]
        );
    }

    #[test]
    fn the_first_reason_is_reported() {
        let mut c = cert("id-1", Some(10), &["keep.example.com"]);
        c.in_use = Some(true);
        let s = Selection {
            expires_before: Some(When::In(Duration::days(30))),
            exclude_ids: vec!["id-1".into()],
            exclude_domains: vec!["keep.*".into()],
            ..Default::default()
        };
        let certs = [c];
        let reason = |s: &Selection| decide(&certs, s, &guards(100, true)).0[0].1.clone();
        assert_eq!(reason(&s), Decision::Kept(Kept::ExcludedId));
        let s = Selection {
            exclude_ids: vec![],
            ..s
        };
        assert_eq!(reason(&s).clone(), {
            Decision::Kept(Kept::ExcludedDomain {
                domain: "keep.example.com".into(),
                pattern: "keep.*".into(),
            })
        });
        let s = Selection {
            exclude_domains: vec![],
            ..s
        };
        assert_eq!(reason(&s), Decision::Kept(Kept::InUse));
        let mut free = certs[0].clone();
        free.in_use = None;
        let free = [free];
        assert_eq!(
            decide(&free, &s, &guards(100, true)).0[0].1,
            Decision::Kept(Kept::LatestForDomains)
        );
    }

    #[test]
    fn max_deletions_refuses_the_whole_target_above_the_bound() {
        let certs: Vec<Cert> = (0..5)
            .map(|i| cert(&format!("c{i}"), Some(-10 - i), &[&format!("d{i}.com")]))
            .chain([cert("kept", Some(-10), &["keep.com"])])
            .collect();
        let s = Selection {
            expired_for: Some(Duration::days(1)),
            exclude_domains: vec!["keep.com".into()],
            ..Default::default()
        };
        // Exactly at the bound (the kept one does not count): allowed.
        let at = select(&certs, &s, &guards(5, true), utc(NOW));
        assert_eq!(at.refusal, None);
        assert_eq!(ids(&at.to_delete()), ["c0", "c1", "c2", "c3", "c4"]);
        assert_eq!(at.kept().count(), 1);
        // One above: refused, nothing to delete, both numbers named.
        let above = select(&certs, &s, &guards(4, true), utc(NOW));
        let refusal = above.refusal.expect("refused");
        assert_eq!(
            refusal,
            TooMany {
                would_delete: 5,
                max_deletions: 4
            }
        );
        assert!(above.to_delete().is_empty());
        assert_eq!(above.would_delete().count(), 5);
        let msg = refusal.to_string();
        assert!(
            msg.contains("5 certificates") && msg.contains("max_deletions = 4"),
            "{msg}"
        );
        // 0: report only.
        let zero = select(&certs, &s, &guards(0, true), utc(NOW));
        assert!(zero.refusal.is_some() && zero.to_delete().is_empty());
        // Nothing to delete is never refused.
        let none = select(&certs[5..], &s, &guards(0, true), utc(NOW));
        assert_eq!(none.refusal, None);
    }

    #[test]
    fn reasons_have_stable_codes_and_readable_text() {
        let d = Kept::ExcludedDomain {
            domain: "a.keep.com".into(),
            pattern: "*.keep.com".into(),
        };
        assert_eq!(
            [
                Kept::ExcludedId.code(),
                d.code(),
                Kept::InUse.code(),
                Kept::LatestForDomains.code()
            ],
            ["excluded_id", "excluded_domain", "in_use", "keep_latest"]
        );
        assert_eq!(
            d.to_string(),
            "excluded by domain: a.keep.com matches *.keep.com (exclude_domains)"
        );
    }

    #[test]
    fn domain_sets_ignore_order_case_and_repeats() {
        let a = cert("a", Some(1), &["B.com", "a.com", "b.com"]);
        let b = cert("b", Some(1), &["a.COM", "b.com"]);
        assert_eq!(domain_set(&a), domain_set(&b));
        assert_eq!(domain_set(&a).1, ["a.com", "b.com"]);
        assert_ne!(domain_set(&a), domain_set(&cert("c", Some(1), &["a.com"])));
    }
}
