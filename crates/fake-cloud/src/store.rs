//! The fake cloud's state: the accounts it accepts and the certificates each product holds.
//!
//! A [`Seed`] is read from JSON (`fixtures/fake/seed.json`, format in `fixtures/fake/README.md`)
//! or built in code ([`Seed::demo_accounts`], [`generate`]). The [`Store`] keeps certificates
//! per product in insertion order (list calls page over that order) plus Tencent's
//! asynchronous deletion tasks.

use certdel::provider::Kind;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// What a certificate does to a delete request aimed at it (the certificate is never deleted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fault {
    /// HTTP 200 with a body that is not JSON.
    Malformed,
    /// The vendor's internal-error answer.
    Http500,
    /// Close the connection without answering.
    Drop,
}

/// alibaba-cas holds two kinds of things with separate id spaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CasKind {
    /// A certificate application order (`OrderId`, `DeleteCertificateRequest`).
    Order,
    /// An issued or uploaded certificate (`CertificateId`/`CertId`, `DeleteUserCertificate`).
    Certificate,
}

/// One certificate (or, for alibaba-cas, one order) as the fake holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct Cert {
    pub id: String,
    pub name: String,
    /// Primary domain first, then the SANs.
    pub domains: Vec<String>,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    /// The vendor's own status value (a string, or an integer for tencent-ssl); derived from
    /// `not_after` when absent.
    pub status: Option<Value>,
    /// Bound to a listener, domain or other resource: deletion is refused.
    pub in_use: bool,
    /// alibaba-slb: the region the certificate lives in.
    pub region: Option<String>,
    /// alibaba-cas: order or certificate.
    pub kind: Option<CasKind>,
    pub fault: Option<Fault>,
    /// Field values that replace the computed ones in list items (e.g. tencent-ssl
    /// `"CertEndTime": "2024-11-06 08:00:0"`), to serve the malformed times real APIs return.
    pub raw_times: BTreeMap<String, Value>,
}

impl Cert {
    /// A live certificate for `id.example.com`, valid for a year from 2025-01-01.
    pub fn new(id: impl Into<String>) -> Cert {
        let not_before = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        Cert {
            id: id.into(),
            name: String::new(),
            domains: vec!["www.example.com".into()],
            not_before,
            not_after: not_before + Duration::days(3650),
            status: None,
            in_use: false,
            region: None,
            kind: None,
            fault: None,
            raw_times: BTreeMap::new(),
        }
    }

    pub fn name(mut self, name: &str) -> Cert {
        self.name = name.into();
        self
    }

    pub fn domains(mut self, domains: &[&str]) -> Cert {
        self.domains = domains.iter().map(|d| d.to_string()).collect();
        self
    }

    pub fn not_after(mut self, t: DateTime<Utc>) -> Cert {
        self.not_after = t;
        if self.not_before >= t {
            self.not_before = t - Duration::days(365);
        }
        self
    }

    pub fn in_use(mut self) -> Cert {
        self.in_use = true;
        self
    }

    pub fn status(mut self, status: impl Into<Value>) -> Cert {
        self.status = Some(status.into());
        self
    }

    pub fn region(mut self, region: &str) -> Cert {
        self.region = Some(region.into());
        self
    }

    pub fn kind(mut self, kind: CasKind) -> Cert {
        self.kind = Some(kind);
        self
    }

    pub fn fault(mut self, fault: Fault) -> Cert {
        self.fault = Some(fault);
        self
    }

    pub fn raw_time(mut self, field: &str, value: impl Into<Value>) -> Cert {
        self.raw_times.insert(field.into(), value.into());
        self
    }

    pub fn expired_at(&self, now: DateTime<Utc>) -> bool {
        self.not_after <= now
    }

    /// The primary domain (`""` when none).
    pub fn primary(&self) -> &str {
        self.domains.first().map(String::as_str).unwrap_or("")
    }

    pub fn status_str(&self) -> Option<&str> {
        self.status.as_ref().and_then(Value::as_str)
    }
}

/// Tencent's asynchronous deletion (`IsCheckResource` / `IsSync`): answered "running" for a
/// configured number of polls, then finished (the certificate is removed at that moment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    pub task_id: String,
    pub cert_id: String,
    /// Polls still to be answered with status 0 (running).
    pub polls_left: u32,
    /// `None` while running; then 1 (deleted) or 4 (bound to cloud resources).
    pub status: Option<u8>,
    pub domains: Vec<String>,
}

/// Every product's certificates plus pending Tencent tasks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Store {
    certs: HashMap<Kind, Vec<Cert>>,
    pub tasks: Vec<Task>,
    pub next_task: u64,
}

impl Store {
    pub fn certs(&self, kind: Kind) -> &[Cert] {
        self.certs.get(&kind).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn insert(&mut self, kind: Kind, cert: Cert) {
        self.certs.entry(kind).or_default().push(cert);
    }

    /// The first certificate with this id (for alibaba-cas, of any kind).
    pub fn get(&self, kind: Kind, id: &str) -> Option<&Cert> {
        self.certs(kind).iter().find(|c| c.id == id)
    }

    /// The alibaba-cas entry of this kind with this id.
    pub fn get_cas(&self, kind: CasKind, id: &str) -> Option<&Cert> {
        self.certs(Kind::AlibabaCas)
            .iter()
            .find(|c| c.id == id && c.kind == Some(kind))
    }

    pub fn contains(&self, kind: Kind, id: &str) -> bool {
        self.get(kind, id).is_some()
    }

    /// Remove the first certificate of `kind` matching `pred`.
    pub fn remove_where(&mut self, kind: Kind, pred: impl Fn(&Cert) -> bool) -> Option<Cert> {
        let list = self.certs.get_mut(&kind)?;
        let i = list.iter().position(pred)?;
        Some(list.remove(i))
    }

    pub fn remove(&mut self, kind: Kind, id: &str) -> Option<Cert> {
        self.remove_where(kind, |c| c.id == id)
    }

    pub fn ids(&self, kind: Kind) -> Vec<String> {
        self.certs(kind).iter().map(|c| c.id.clone()).collect()
    }

    pub fn len(&self, kind: Kind) -> usize {
        self.certs(kind).len()
    }

    pub fn is_empty(&self) -> bool {
        self.certs.values().all(Vec::is_empty)
    }
}

/// One vendor account: the key pair the fake accepts, and what else it checks.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keys {
    pub access_key: String,
    pub secret_key: String,
    /// huawei-scm: the account id that `X-Domain-Id` must carry and IAM returns.
    #[serde(default)]
    pub domain_id: Option<String>,
    /// The account id the identity call (STS GetCallerIdentity) answers with: Tencent's uin,
    /// Volcengine's account id (digits: answered as an integer, as the API does), Alibaba's
    /// account id. huawei-scm's account is `domain_id`. Unset: [`Keys::account`]'s fallback.
    #[serde(default)]
    pub account_id: Option<String>,
    /// When set, every request must carry exactly this session token (temporary credentials);
    /// when unset, any token or none is accepted (the fake does not model STS further).
    #[serde(default)]
    pub session_token: Option<String>,
}

impl Keys {
    pub fn new(access_key: &str, secret_key: &str) -> Keys {
        Keys {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            domain_id: None,
            account_id: None,
            session_token: None,
        }
    }

    /// The account the identity call names: `account_id`, else `domain_id`, else a fixed
    /// placeholder.
    pub fn account(&self) -> String {
        self.account_id
            .clone()
            .or_else(|| self.domain_id.clone())
            .unwrap_or_else(|| "100000000000".into())
    }
}

/// The accounts per vendor (alibaba-slb and alibaba-cas share one Alibaba Cloud account).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accounts {
    #[serde(rename = "huawei-scm")]
    pub huawei: Option<Keys>,
    #[serde(rename = "tencent-ssl")]
    pub tencent: Option<Keys>,
    #[serde(rename = "volcengine-live")]
    pub volc: Option<Keys>,
    pub alibaba: Option<Keys>,
}

impl Accounts {
    /// The keys that sign requests for this product.
    pub fn for_kind(&self, kind: Kind) -> Option<&Keys> {
        match kind {
            Kind::HuaweiScm => self.huawei.as_ref(),
            Kind::TencentSsl => self.tencent.as_ref(),
            Kind::VolcengineLive => self.volc.as_ref(),
            Kind::AlibabaSlb | Kind::AlibabaCas => self.alibaba.as_ref(),
        }
    }
}

/// The demo account of every vendor, as in `fixtures/fake/seed.json`.
pub fn demo_accounts() -> Accounts {
    let mut huawei = Keys::new("DEMO-AK-HUAWEI", "demo-secret-huawei");
    huawei.domain_id = Some("demo-domain-id-0001".into());
    let with_account = |ak: &str, sk: &str, account: &str| {
        let mut k = Keys::new(ak, sk);
        k.account_id = Some(account.into());
        k
    };
    Accounts {
        huawei: Some(huawei),
        tencent: Some(with_account(
            "DEMO-AK-TENCENT",
            "demo-secret-tencent",
            "100000000001",
        )),
        volc: Some(with_account(
            "DEMO-AK-VOLCENGINE",
            "demo-secret-volcengine",
            "2100000001",
        )),
        // The account part of the seed's SLB certificate ids.
        alibaba: Some(with_account(
            "DEMO-AK-ALIBABA",
            "demo-secret-alibaba",
            "1231579085529123",
        )),
    }
}

/// What the fake starts with.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Seed {
    pub accounts: Accounts,
    pub store: Store,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    #[serde(default)]
    #[allow(dead_code)]
    comment: Option<Value>,
    #[serde(default)]
    credentials: Accounts,
    #[serde(default)]
    certificates: BTreeMap<String, Vec<SeedCert>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedCert {
    id: Value,
    #[serde(default)]
    name: String,
    #[serde(default)]
    domains: Vec<String>,
    not_after: String,
    #[serde(default)]
    not_before: Option<String>,
    #[serde(default)]
    status: Option<Value>,
    #[serde(default)]
    in_use: bool,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    kind: Option<CasKind>,
    #[serde(default)]
    fault: Option<Fault>,
    #[serde(default)]
    raw_times: BTreeMap<String, Value>,
    #[serde(default)]
    #[allow(dead_code)]
    comment: Option<Value>,
}

/// `RFC 3339`, or a bare `YYYY-MM-DD` (midnight UTC).
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists")));
    }
    Err(format!("'{s}' is not an RFC 3339 time"))
}

fn kind_by_name(name: &str) -> Option<Kind> {
    Kind::ALL.into_iter().find(|k| k.name() == name)
}

impl Seed {
    /// The demo accounts and an empty store.
    pub fn demo() -> Seed {
        Seed {
            accounts: demo_accounts(),
            store: Store::default(),
        }
    }

    pub fn with(mut self, kind: Kind, cert: Cert) -> Seed {
        self.store.insert(kind, cert);
        self
    }

    pub fn load(path: &Path) -> Result<Seed, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read seed {}: {e}", path.display()))?;
        Seed::from_json(&text).map_err(|e| format!("seed {}: {e}", path.display()))
    }

    pub fn from_json(text: &str) -> Result<Seed, String> {
        let file: SeedFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut store = Store::default();
        for (name, certs) in file.certificates {
            let kind = kind_by_name(&name).ok_or_else(|| {
                format!("certificates: unknown provider '{name}' (expected one of huawei-scm, tencent-ssl, volcengine-live, alibaba-slb, alibaba-cas)")
            })?;
            for (i, c) in certs.into_iter().enumerate() {
                let at = format!("certificates.{name}[{i}]");
                let cert = seed_cert(kind, c).map_err(|e| format!("{at}: {e}"))?;
                let dup = store
                    .certs(kind)
                    .iter()
                    .any(|o| o.id == cert.id && o.kind == cert.kind);
                if dup {
                    return Err(format!("{at}: duplicate id '{}'", cert.id));
                }
                store.insert(kind, cert);
            }
        }
        Ok(Seed {
            accounts: file.credentials,
            store,
        })
    }
}

fn seed_cert(kind: Kind, c: SeedCert) -> Result<Cert, String> {
    let id = match (&c.id, kind) {
        (Value::String(s), _) if !s.is_empty() => s.clone(),
        (Value::Number(n), Kind::AlibabaCas) => n.to_string(),
        _ => return Err("id must be a non-empty string (an integer for alibaba-cas)".into()),
    };
    if kind == Kind::AlibabaCas && !(id.bytes().all(|b| b.is_ascii_digit()) && id != "0") {
        return Err(format!("alibaba-cas id '{id}' must be a positive integer"));
    }
    let not_after = parse_time(&c.not_after).map_err(|e| format!("not_after: {e}"))?;
    let not_before = match &c.not_before {
        Some(s) => parse_time(s).map_err(|e| format!("not_before: {e}"))?,
        None => not_after - Duration::days(365),
    };
    let cas_kind = match (kind, c.kind) {
        (Kind::AlibabaCas, Some(k)) => Some(k),
        (Kind::AlibabaCas, None) => {
            return Err("alibaba-cas entries need \"kind\": \"order\" or \"certificate\"".into())
        }
        (_, Some(_)) => return Err("\"kind\" applies to alibaba-cas only".into()),
        (_, None) => None,
    };
    let region = match (kind, c.region) {
        (Kind::AlibabaSlb, r) => Some(r.unwrap_or_else(|| "cn-hangzhou".into())),
        (_, Some(_)) => return Err("\"region\" applies to alibaba-slb only".into()),
        (_, None) => None,
    };
    Ok(Cert {
        id,
        name: c.name,
        domains: c.domains,
        not_before,
        not_after,
        status: c.status,
        in_use: c.in_use,
        region,
        kind: cas_kind,
        fault: c.fault,
        raw_times: c.raw_times,
    })
}

/// A deterministic store of `n` certificates per product (for alibaba-cas: `n` certificates
/// and `n` orders): every third one (index 0, 3, 6, ...) expired relative to `now`, the rest
/// live; every seventh in use. Ids follow each vendor's real shape.
pub fn generate(n: usize, now: DateTime<Utc>) -> Store {
    let mut store = Store::default();
    for i in 0..n {
        let expired = i % 3 == 0;
        let days = (i % 90) as i64 + 1;
        let not_after = if expired {
            now - Duration::days(days)
        } else {
            now + Duration::days(days * 4)
        };
        let base = |id: String| {
            let mut c = Cert::new(id)
                .name(&format!("gen-{i:05}"))
                .domains(&[
                    &format!("gen{i}.example.com"),
                    &format!("*.gen{i}.example.com"),
                ])
                .not_after(not_after);
            c.not_before = not_after - Duration::days(365);
            c.in_use = i % 7 == 6;
            c
        };
        store.insert(
            Kind::HuaweiScm,
            base(format!("scs{:013}", 1_554_192_131_150u64 + i as u64)),
        );
        store.insert(Kind::TencentSsl, base(format!("gEn{i:05}")));
        store.insert(
            Kind::VolcengineLive,
            base(format!(
                "{:032x}",
                0xbe37_f7c2_3b51_4c49u128 * 1_000_003 + i as u128
            )),
        );
        store.insert(
            Kind::AlibabaSlb,
            base(format!(
                "1231579085529123_166f8204689_{}_{i}",
                1_714_763_408 + i
            ))
            .region("cn-hangzhou"),
        );
        store.insert(
            Kind::AlibabaCas,
            base(format!("{}", 10_000_000 + i)).kind(CasKind::Certificate),
        );
        let order = base(format!("{}", 20_000_000 + i)).kind(CasKind::Order);
        let order = if expired {
            order.status("CHECKED_FAIL")
        } else {
            order.status("ISSUED")
        };
        store.insert(Kind::AlibabaCas, order);
    }
    store
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_seed_file_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/fake/seed.json");
        let seed = Seed::load(&path).unwrap();
        assert_eq!(seed.accounts, demo_accounts());
        for kind in Kind::ALL {
            assert!(seed.store.len(kind) >= 5, "{}", kind.name());
        }
        // The CAS ids are integers and both kinds are present.
        let cas = seed.store.certs(Kind::AlibabaCas);
        assert!(cas.iter().any(|c| c.kind == Some(CasKind::Order)));
        assert!(cas.iter().any(|c| c.kind == Some(CasKind::Certificate)));
    }

    #[test]
    fn seed_errors_name_the_entry() {
        let e = Seed::from_json(r#"{"certificates":{"nope":[]}}"#).unwrap_err();
        assert!(e.contains("unknown provider 'nope'"), "{e}");
        let e = Seed::from_json(
            r#"{"certificates":{"alibaba-cas":[{"id":"x1","not_after":"2030-01-01T00:00:00Z","kind":"order"}]}}"#,
        )
        .unwrap_err();
        assert!(
            e.contains("certificates.alibaba-cas[0]") && e.contains("positive integer"),
            "{e}"
        );
        let e = Seed::from_json(
            r#"{"certificates":{"tencent-ssl":[{"id":"a","not_after":"2030-01-01T00:00:00Z"},{"id":"a","not_after":"2030-01-01T00:00:00Z"}]}}"#,
        )
        .unwrap_err();
        assert!(e.contains("duplicate id 'a'"), "{e}");
        let e =
            Seed::from_json(r#"{"certificates":{"tencent-ssl":[{"id":"a","not_after":"soon"}]}}"#)
                .unwrap_err();
        assert!(e.contains("not_after"), "{e}");
    }

    #[test]
    fn seed_defaults() {
        let s = Seed::from_json(
            r#"{"certificates":{"alibaba-slb":[{"id":"a b","not_after":"2030-01-01"}],
                "alibaba-cas":[{"id":42,"not_after":"2030-01-01T00:00:00+08:00","kind":"certificate"}]}}"#,
        )
        .unwrap();
        let slb = s.store.get(Kind::AlibabaSlb, "a b").unwrap();
        assert_eq!(slb.region.as_deref(), Some("cn-hangzhou"));
        assert_eq!(
            slb.not_after,
            Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap()
        );
        let cas = s.store.get_cas(CasKind::Certificate, "42").unwrap();
        assert_eq!(
            cas.not_after,
            Utc.with_ymd_and_hms(2029, 12, 31, 16, 0, 0).unwrap()
        );
        assert!(s.store.get_cas(CasKind::Order, "42").is_none());
    }

    #[test]
    fn generator_is_deterministic_and_mixed() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let a = generate(30, now);
        assert_eq!(a, generate(30, now));
        for kind in Kind::ALL {
            let certs = a.certs(kind);
            let expired = certs.iter().filter(|c| c.expired_at(now)).count();
            let want = if kind == Kind::AlibabaCas { 60 } else { 30 };
            assert_eq!(certs.len(), want, "{}", kind.name());
            assert_eq!(expired * 3, want, "{}", kind.name());
            let mut ids = a.ids(kind);
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), want, "ids unique for {}", kind.name());
        }
        assert_eq!(a.certs(Kind::HuaweiScm)[0].id.len(), 16);
    }
}
