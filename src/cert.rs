//! The one certificate record every provider's list reply becomes, and the filters applied
//! to it.
//!
//! `id` is exactly what `certdel <provider> delete` takes; `domains` holds the primary domain
//! first, then the other names without repeats; `not_after` is UTC; `status` is the vendor's
//! own value (as text); `in_use` is set only where the list API says.
//!
//! Filters are always applied here, on the client, even when part of them was also sent to
//! the server, so the result is exact whatever the server's matching rules are. The current
//! time is an argument (read once per run by the driver).

use crate::time::{self, Expiry, When};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cert {
    pub id: String,
    pub name: String,
    pub domains: Vec<String>,
    pub not_after: Expiry,
    /// The vendor's status value, as text (`None` when the API has no status field).
    pub status: Option<String>,
    /// A readable meaning for a numeric vendor status (tencent-ssl), for the table.
    pub status_label: Option<&'static str>,
    pub in_use: Option<bool>,
    /// alibaba-slb: the region the certificate lives in.
    pub region: Option<String>,
}

impl Cert {
    pub fn new(id: impl Into<String>) -> Cert {
        Cert {
            id: id.into(),
            name: String::new(),
            domains: Vec::new(),
            not_after: Expiry::Unknown { raw: None },
            status: None,
            status_label: None,
            in_use: None,
            region: None,
        }
    }

    pub fn primary_domain(&self) -> Option<&str> {
        self.domains.first().map(String::as_str)
    }

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.not_after.known().is_some_and(|t| t < now)
    }

    /// The NDJSON record (`--output json`), fields in a fixed order.
    pub fn record<'a>(&'a self, provider: &'a str) -> Record<'a> {
        let (not_after, not_after_raw) = match &self.not_after {
            Expiry::Known(t) => (Some(time::rfc3339_utc(*t)), None),
            Expiry::Unknown { raw } => (None, raw.as_deref()),
        };
        Record {
            provider,
            id: &self.id,
            name: &self.name,
            domains: &self.domains,
            not_after,
            not_after_raw,
            status: self.status.as_deref(),
            status_label: self.status_label,
            in_use: self.in_use,
            region: self.region.as_deref(),
        }
    }
}

/// One certificate as `--output json` prints it.
#[derive(Debug, Serialize)]
pub struct Record<'a> {
    pub provider: &'a str,
    pub id: &'a str,
    pub name: &'a str,
    pub domains: &'a [String],
    /// RFC 3339 UTC, or `null` when the vendor's value could not be read.
    pub not_after: Option<String>,
    /// The vendor's value when it could not be read (nothing is hidden).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_after_raw: Option<&'a str>,
    pub status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_label: Option<&'static str>,
    pub in_use: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<&'a str>,
}

/// Domains in order, without empty strings or repeats (case-insensitive).
pub fn domain_list<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        let n = n.trim();
        if !n.is_empty() && !out.iter().any(|d| d.eq_ignore_ascii_case(n)) {
            out.push(n.to_string());
        }
    }
    out
}

/// A shell-style pattern: `*` any run of characters, `?` exactly one; everything else
/// literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    pattern: Vec<char>,
    fold_case: bool,
}

impl Glob {
    pub fn new(pattern: &str, fold_case: bool) -> Glob {
        let pattern = if fold_case {
            pattern.to_lowercase()
        } else {
            pattern.to_string()
        };
        Glob {
            pattern: pattern.chars().collect(),
            fold_case,
        }
    }

    /// The pattern when it has no wildcard (so a server-side search may use it).
    pub fn literal(&self) -> Option<String> {
        (!self.pattern.iter().any(|c| matches!(c, '*' | '?')))
            .then(|| self.pattern.iter().collect())
    }

    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = if self.fold_case {
            text.to_lowercase().chars().collect()
        } else {
            text.chars().collect()
        };
        glob_match(&self.pattern, &text)
    }
}

/// Iterative wildcard matching with single-star backtracking: linear in practice, never
/// exponential.
fn glob_match(p: &[char], t: &[char]) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// What `list` was asked to keep, before the clock is read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilterSpec {
    pub expired: bool,
    pub expires_before: Option<When>,
    /// Matched case-insensitively against every domain of a certificate.
    pub domain: Option<String>,
    /// Matched case-sensitively against the name.
    pub name: Option<String>,
}

impl FilterSpec {
    pub fn resolve(&self, now: DateTime<Utc>) -> Filter {
        Filter {
            now,
            expired: self.expired,
            expires_before: self.expires_before.map(|w| w.resolve(now)),
            domain: self.domain.as_deref().map(|d| Glob::new(d, true)),
            name: self.name.as_deref().map(|n| Glob::new(n, false)),
        }
    }
}

/// The filters with the run's "now" fixed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    pub now: DateTime<Utc>,
    pub expired: bool,
    pub expires_before: Option<DateTime<Utc>>,
    pub domain: Option<Glob>,
    pub name: Option<Glob>,
}

impl Filter {
    /// Keep everything (a plain `list`).
    pub fn all(now: DateTime<Utc>) -> Filter {
        FilterSpec::default().resolve(now)
    }

    /// An unknown expiry never matches `--expired` or `--expires-before`.
    pub fn matches(&self, cert: &Cert) -> bool {
        let expiry = cert.not_after.known();
        // Known and strictly earlier: an unknown expiry is never "before" anything.
        let expires_before = |limit: DateTime<Utc>| expiry.is_some_and(|t| t < limit);
        if self.expired && !expires_before(self.now) {
            return false;
        }
        if let Some(limit) = self.expires_before {
            if !expires_before(limit) {
                return false;
            }
        }
        if let Some(g) = &self.domain {
            if !cert.domains.iter().any(|d| g.matches(d)) {
                return false;
            }
        }
        if let Some(g) = &self.name {
            if !g.matches(&cert.name) {
                return false;
            }
        }
        true
    }

    /// The domain pattern when it is a plain name (lowercased), for server-side search.
    pub fn literal_domain(&self) -> Option<String> {
        self.domain.as_ref().and_then(Glob::literal)
    }

    /// The name pattern when it has no wildcard, for server-side search.
    pub fn literal_name(&self) -> Option<String> {
        self.name.as_ref().and_then(Glob::literal)
    }

    /// Only expired certificates can match.
    pub fn wants_expired_only(&self) -> bool {
        self.expired || self.expires_before.is_some_and(|b| b <= self.now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn globs() {
        #[rustfmt::skip]
        let cases: &[(&str, bool, &str, bool)] = &[
            ("*.example.com", true, "www.example.com", true),
            ("*.example.com", true, "WWW.Example.COM", true),
            ("*.example.com", true, "example.com", false),
            ("*.example.com", true, "a.b.example.com", true),
            ("*.example.com", true, "www.example.com.evil", false),
            ("www.example.com", true, "www.example.com", true),
            ("www.example.com", true, "wwwXexample.com", false),
            ("?.example.com", true, "a.example.com", true),
            ("?.example.com", true, "ab.example.com", false),
            ("*", true, "", true),
            ("", true, "", true),
            ("", true, "x", false),
            ("a*b*c", false, "aXXbYYc", true),
            ("a*b*c", false, "aXXbYY", false),
            ("a**c", false, "ac", true),
            ("*证书*", false, "测试证书一", true),
            ("??", false, "证书", true),
            ("Prod*", false, "prod-1", false),
            ("Prod*", false, "Prod-1", true),
            ("*a*a*a*a*a*a*a*a*b", false, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
        ];
        for (p, fold, t, want) in cases {
            assert_eq!(Glob::new(p, *fold).matches(t), *want, "{p} ~ {t}");
        }
        assert_eq!(
            Glob::new("WWW.x.com", true).literal().as_deref(),
            Some("www.x.com")
        );
        assert_eq!(Glob::new("*.x.com", true).literal(), None);
        assert_eq!(Glob::new("a?", false).literal(), None);
    }

    fn cert(id: &str, not_after: Option<&str>, domains: &[&str], name: &str) -> Cert {
        let mut c = Cert::new(id);
        c.not_after = match not_after {
            Some(t) => Expiry::Known(utc(t)),
            None => Expiry::Unknown {
                raw: Some("--".into()),
            },
        };
        c.domains = domains.iter().map(|d| d.to_string()).collect();
        c.name = name.into();
        c
    }

    #[test]
    fn filters_with_a_fixed_now() {
        let now = utc("2025-03-01T00:00:00Z");
        let certs = [
            cert(
                "old",
                Some("2025-02-28T23:59:59Z"),
                &["a.example.com"],
                "old",
            ),
            cert(
                "edge",
                Some("2025-03-01T00:00:00Z"),
                &["b.example.com"],
                "edge",
            ),
            cert(
                "soon",
                Some("2025-03-20T00:00:00Z"),
                &["c.example.org", "api.example.com"],
                "soon-cert",
            ),
            cert(
                "later",
                Some("2026-01-01T00:00:00Z"),
                &["d.example.net"],
                "Later",
            ),
            cert("unknown", None, &["e.example.com"], "unknown"),
        ];
        let keep = |spec: FilterSpec| -> Vec<&str> {
            let f = spec.resolve(now);
            certs
                .iter()
                .filter(|c| f.matches(c))
                .map(|c| c.id.as_str())
                .collect()
        };
        assert_eq!(keep(FilterSpec::default()).len(), 5);
        // Expired means not_after < now; exactly now is not yet expired; unknown never.
        assert_eq!(
            keep(FilterSpec {
                expired: true,
                ..Default::default()
            }),
            vec!["old"]
        );
        assert_eq!(
            keep(FilterSpec {
                expires_before: Some(When::In(chrono::Duration::days(30))),
                ..Default::default()
            }),
            vec!["old", "edge", "soon"]
        );
        assert_eq!(
            keep(FilterSpec {
                expires_before: Some(When::parse("2025-03-01").unwrap()),
                ..Default::default()
            }),
            vec!["old"]
        );
        // A domain pattern matches any of the names, case-insensitively.
        assert_eq!(
            keep(FilterSpec {
                domain: Some("*.EXAMPLE.com".into()),
                ..Default::default()
            }),
            vec!["old", "edge", "soon", "unknown"]
        );
        assert_eq!(
            keep(FilterSpec {
                name: Some("later".into()),
                ..Default::default()
            }),
            Vec::<&str>::new()
        );
        assert_eq!(
            keep(FilterSpec {
                name: Some("*-cert".into()),
                expired: false,
                expires_before: Some(When::In(chrono::Duration::days(30))),
                domain: Some("api.example.com".into()),
            }),
            vec!["soon"]
        );
        let f = FilterSpec {
            expired: true,
            ..Default::default()
        }
        .resolve(now);
        assert!(f.wants_expired_only());
        assert!(!Filter::all(now).wants_expired_only());
    }

    #[test]
    fn record_shape() {
        let mut c = cert(
            "id-1",
            Some("2025-12-01T23:59:59Z"),
            &["a.com", "b.com"],
            "n",
        );
        c.status = Some("1".into());
        c.status_label = Some("issued");
        let line = serde_json::to_string(&c.record("tencent-ssl")).unwrap();
        assert!(
            line.starts_with(r#"{"provider":"tencent-ssl","id":"id-1","name":"n","#),
            "{line}"
        );
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(
            v,
            json!({"provider":"tencent-ssl","id":"id-1","name":"n","domains":["a.com","b.com"],
                   "not_after":"2025-12-01T23:59:59Z","status":"1","status_label":"issued","in_use":null})
        );
        let mut c = cert("id-2", None, &[], "");
        c.region = Some("cn-hangzhou".into());
        c.in_use = Some(true);
        let v = serde_json::to_value(c.record("alibaba-slb")).unwrap();
        assert_eq!(v["not_after"], Value::Null);
        assert_eq!(v["not_after_raw"], "--");
        assert_eq!(v["status"], Value::Null);
        assert_eq!(v["in_use"], true);
        assert_eq!(v["region"], "cn-hangzhou");
    }

    #[test]
    fn domain_lists_drop_blanks_and_repeats() {
        assert_eq!(
            domain_list(["a.com", " ", "B.com", "A.COM", "b.com", "c.com"]),
            vec!["a.com", "B.com", "c.com"]
        );
    }
}
