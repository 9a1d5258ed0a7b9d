//! Plan files: `list --plan FILE` writes the certificates a listing found, with what the run
//! was made against; `delete --plan FILE` deletes exactly those, once the file has been checked
//! against the run that applies it.
//!
//! The format (version 1), a JSON object; one certificate a line, so that a plan can be
//! trimmed in an editor as well as with `jq`:
//!
//! ```text
//! {
//!   "certdel_plan": 1,
//!   "created": "2025-06-01T08:00:00Z",         the listing's time, RFC 3339 UTC
//!   "certdel": "0.1.0",                         the version that wrote it (for people)
//!   "provider": "alibaba-slb",
//!   "endpoint": "https://slb.aliyuncs.com",     where requests went; null: alibaba-slb
//!                                               without --endpoint (each region's own)
//!   "regions": ["cn-hangzhou", "cn-shanghai"],  what the listing covered ([] when none)
//!   "cas_target": null,                         alibaba-cas: "orders" or "certificates"
//!   "access_key_id": "LTAI…",                   the full access key id (never a secret)
//!   "account": null,                            the account id when known: huawei-scm's
//!                                               domain id, or the one --expect-account checked
//!   "filters": "--expired",                     the list filters, for review
//!   "certificates": [
//!     {"id":"123-cn-hangzhou","name":"old","domains":["a.example.com"],"not_after":"…","region":"cn-hangzhou"}
//!   ]
//! }
//! ```
//!
//! `id` is the id `list --output json` prints: a string, but for alibaba-cas a JSON integer
//! (its ids are numbers). Reading takes an alibaba-cas id as an integer or as a string of
//! digits, the same id either way.
//!
//! Reading ([`load`]) refuses, as a usage error before anything is sent: a file that is not
//! a plan (with serde's line and column), an unknown format version, a plan for another
//! provider, endpoint, CAS target, access key id or account, a plan older than
//! `--plan-max-age` or from more than [`FUTURE_SLACK`] ahead (clock trouble), duplicate ids
//! and ids the provider refuses ([`crate::ids::check`]). An empty `certificates` array is a
//! plan with nothing to do.
//!
//! Writing ([`write_atomically`]) goes through a temporary file in the same directory,
//! flushed to disk and renamed over the target, mode 0600: an interrupted `list --plan`
//! leaves the old file or the new one, never half of one.

use crate::cert::{Cert, Filter, FilterSpec};
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::provider::config::{CasTarget, ProviderSettings};
use crate::provider::{Kind, Provider};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// The plan format this certdel writes and reads.
pub const VERSION: u64 = 1;

/// How far ahead of this machine's clock a plan's `created` may be (another machine's clock
/// running a little fast); more is clock trouble, and the plan's age cannot be trusted.
pub const FUTURE_SLACK: Duration = Duration::from_secs(5 * 60);

/// What a plan is made against, and what a run applying it must match: the same provider,
/// endpoint, CAS target, access key id and (where known on both sides) account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    pub provider: Kind,
    /// Where requests go; `None` for alibaba-slb without `--endpoint`, whose certificates go
    /// each to its own region's endpoint.
    pub endpoint: Option<Endpoint>,
    /// What a listing covers (alibaba-slb: every region walked; others: the run's region).
    pub regions: Vec<String>,
    /// alibaba-cas only.
    pub cas_target: Option<CasTarget>,
    pub access_key_id: String,
    /// The account id, when known: huawei-scm's domain id; for a listing, the account the
    /// identity call checked (`--expect-account`).
    pub account: Option<String>,
}

impl Context {
    /// The context of a run with these settings.
    pub fn of(settings: &ProviderSettings) -> Context {
        let kind = settings.kind();
        let per_region = kind == Kind::AlibabaSlb && !settings.custom_endpoint;
        let regions = if kind == Kind::AlibabaSlb && !settings.regions().is_empty() {
            settings.regions().to_vec()
        } else {
            settings.region.iter().cloned().collect()
        };
        Context {
            provider: kind,
            endpoint: (!per_region).then(|| settings.endpoint.clone()),
            regions,
            cas_target: (kind == Kind::AlibabaCas).then_some(settings.cas_target()),
            access_key_id: settings.credentials.access_key.clone(),
            account: settings
                .domain_id()
                .map(str::to_string)
                .filter(|_| kind == Kind::HuaweiScm),
        }
    }
}

/// The base URL as a plan records it: `scheme://host[:port]`.
pub fn endpoint_url(e: &Endpoint) -> String {
    format!("{}://{}", e.scheme, e.host)
}

fn cas_target_name(t: CasTarget) -> &'static str {
    match t {
        CasTarget::Orders => "orders",
        CasTarget::Certificates => "certificates",
    }
}

/// The list filters as the command line would give them, for the person reviewing a plan.
/// A relative `--expires-before` is shown as the instant it meant.
pub fn describe_filters(spec: &FilterSpec, filter: &Filter) -> String {
    let mut parts: Vec<String> = Vec::new();
    if spec.expired {
        parts.push("--expired".into());
    }
    if let Some(t) = filter.expires_before {
        parts.push(format!("--expires-before {}", crate::time::rfc3339_utc(t)));
    }
    if let Some(d) = &spec.domain {
        parts.push(format!("--domain '{d}'"));
    }
    if let Some(n) = &spec.name {
        parts.push(format!("--name '{n}'"));
    }
    if parts.is_empty() {
        "none (every certificate)".into()
    } else {
        parts.join(" ")
    }
}

/// The plan file's text for a complete listing. Refused (nothing to write) when a listed id
/// is one `delete --plan` would refuse, naming it: a plan must be applicable as written.
pub fn render(
    ctx: &Context,
    filters: &str,
    certs: &[Cert],
    provider: &dyn Provider,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    let name = ctx.provider.name();
    let mut seen = HashSet::new();
    let mut lines = Vec::with_capacity(certs.len());
    for c in certs {
        crate::ids::check(&c.id, provider).map_err(|why| {
            Error::usage(format!(
                "{name}: list --plan: the listing holds an id delete refuses ({why}): {}; no plan written",
                crate::ids::printable(&c.id)
            ))
        })?;
        if !seen.insert(provider.id_key(&c.id)) {
            return Err(Error::usage(format!(
                "{name}: list --plan: the listing holds the id {} twice; no plan written",
                crate::ids::printable(&c.id)
            )));
        }
        // alibaba-cas ids are numbers (`OrderId`, `CertId`): a JSON integer, as the vendor's
        // own replies give them; every other id is a string.
        let id = match c.id.parse::<u64>() {
            Ok(n) if ctx.provider == Kind::AlibabaCas => json!(n),
            _ => json!(c.id),
        };
        let entry = json!({
            "id": id,
            "name": c.name,
            "domains": c.domains,
            "not_after": c.not_after.known().map(crate::time::rfc3339_utc),
            "region": c.region,
        });
        lines.push(format!("    {entry}"));
    }
    let header: [(&str, Value); 10] = [
        ("certdel_plan", json!(VERSION)),
        ("created", json!(crate::time::rfc3339_utc(now))),
        ("certdel", json!(env!("CARGO_PKG_VERSION"))),
        ("provider", json!(name)),
        ("endpoint", json!(ctx.endpoint.as_ref().map(endpoint_url))),
        ("regions", json!(ctx.regions)),
        ("cas_target", json!(ctx.cas_target.map(cas_target_name))),
        ("access_key_id", json!(ctx.access_key_id)),
        ("account", json!(ctx.account)),
        ("filters", json!(filters)),
    ];
    let mut out = String::from("{\n");
    for (k, v) in header {
        out.push_str(&format!("  {}: {v},\n", json!(k)));
    }
    if lines.is_empty() {
        out.push_str("  \"certificates\": []\n}\n");
    } else {
        out.push_str("  \"certificates\": [\n");
        out.push_str(&lines.join(",\n"));
        out.push_str("\n  ]\n}\n");
    }
    Ok(out)
}

/// Write `contents` to `path` so that `path` holds either what it held before or all of
/// `contents`: a temporary file beside it (mode 0600, created new), written, flushed to
/// disk, then renamed over `path`; the directory is flushed too where the platform allows.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let fail = |what: &str, e: std::io::Error| {
        Error::Io(format!(
            "cannot write the plan {}: {what}: {e}; check the directory exists and is writable",
            path.display()
        ))
    };
    let file_name = path.file_name().ok_or_else(|| {
        Error::usage(format!(
            "--plan {}: not a file name; give a path such as plan.json",
            path.display()
        ))
    })?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut nonce = [0u8; 6];
    getrandom::getrandom(&mut nonce)
        .map_err(|e| fail("random name", std::io::Error::other(e.to_string())))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(file_name);
    tmp_name.push(format!(".{}.tmp", hex::encode(nonce)));
    let tmp = dir.join(tmp_name);

    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&tmp)
        .map_err(|e| fail("creating a temporary file", e))?;
    let written = file
        .write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|e| fail("writing", e));
    drop(file);
    let renamed = written
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| fail("renaming into place", e)));
    if let Err(e) = renamed {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    // The rename itself reaches the disk when the directory does (Unix).
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// One certificate of a checked plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    pub id: String,
    /// alibaba-slb: the region it lives in (always set there); `None` elsewhere.
    pub region: Option<String>,
    pub name: Option<String>,
    pub domains: Vec<String>,
    pub not_after: Option<DateTime<Utc>>,
}

/// A checked plan: what it says about itself, for messages and the prompt, and its
/// certificates in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub created: DateTime<Utc>,
    pub filters: Option<String>,
    /// huawei-scm: the account the plan was made for, when known (checked again once the
    /// run has discovered its own, [`Checked::check_account`]).
    pub account: Option<String>,
    pub certificates: Vec<Planned>,
}

/// The file as written, before any check beyond its shape.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    certdel_plan: u64,
    created: String,
    #[serde(default)]
    #[allow(dead_code)]
    certdel: Option<String>,
    provider: String,
    endpoint: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    regions: Vec<String>,
    cas_target: Option<String>,
    access_key_id: String,
    account: Option<String>,
    filters: Option<String>,
    certificates: Vec<RawEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: Value,
    name: Option<String>,
    #[serde(default)]
    domains: Vec<String>,
    not_after: Option<String>,
    region: Option<String>,
}

/// Read and check the plan at `path` for a run with context `ctx` and provider `provider`
/// (for its id checks), at `now`, accepting plans up to `max_age` old.
pub fn load(
    path: &Path,
    ctx: &Context,
    provider: &dyn Provider,
    now: DateTime<Utc>,
    max_age: Duration,
) -> Result<Checked, Error> {
    let text = std::fs::read(path).map_err(|e| {
        Error::usage(format!(
            "--plan {}: cannot read it ({e}); give the file `list --plan` wrote",
            path.display()
        ))
    })?;
    let text = String::from_utf8(text).map_err(|_| {
        Error::usage(format!(
            "--plan {}: not a plan file (not UTF-8 text); give the file `list --plan` wrote",
            path.display()
        ))
    })?;
    check(&text, ctx, provider, now, max_age)
        .map_err(|why| Error::usage(format!("--plan {}: {why}", path.display())))
}

/// [`load`] without the file: the checks, with messages that do not name the file.
pub fn check(
    text: &str,
    ctx: &Context,
    provider: &dyn Provider,
    now: DateTime<Utc>,
    max_age: Duration,
) -> Result<Checked, String> {
    const REMAKE: &str = "make a new plan with `list --plan`";
    let name = ctx.provider.name();
    // The version first, so that a newer format is named as such rather than as a bad field.
    let value: Value = serde_json::from_str(text)
        .map_err(|e| format!("not a plan file: {e}; give the file `list --plan` wrote"))?;
    match value.get("certdel_plan") {
        Some(v) if v.as_u64() == Some(VERSION) => {}
        Some(v) => {
            return Err(format!(
                "plan format version {v} is unknown to certdel {} (it reads version {VERSION}); {REMAKE} of this certdel, or apply it with the certdel that made it",
                env!("CARGO_PKG_VERSION")
            ))
        }
        None => {
            return Err(
                "not a plan file (no \"certdel_plan\" field); give the file `list --plan` wrote"
                    .into(),
            )
        }
    }
    let raw: Raw = serde_json::from_str(text)
        .map_err(|e| format!("not a valid plan: {e}; fix the file or {REMAKE}"))?;
    debug_assert_eq!(raw.certdel_plan, VERSION);

    if raw.provider != name {
        return Err(format!(
            "the plan was made for {}, this run is {name}; apply it with `certdel {} delete --plan FILE`, or {REMAKE} on {name}",
            quoted(&raw.provider),
            quoted(&raw.provider)
        ));
    }
    let endpoint = raw
        .endpoint
        .as_deref()
        .map(|url| Endpoint::parse_as("endpoint", url))
        .transpose()
        .map_err(|e| format!("not a valid plan: {e}"))?;
    if endpoint != ctx.endpoint {
        let show = |e: &Option<Endpoint>| match e {
            Some(e) => endpoint_url(e),
            None => "each region's own endpoint".into(),
        };
        return Err(format!(
            "the plan was made against {}, this run sends to {}; give the --endpoint and --region the plan was made with, or {REMAKE}",
            show(&endpoint),
            show(&ctx.endpoint)
        ));
    }
    let wanted = ctx.cas_target.map(cas_target_name);
    if raw.cas_target.as_deref() != wanted {
        let show =
            |t: Option<&str>| t.map_or("no --target".to_string(), |t| format!("--target {t}"));
        return Err(format!(
            "the plan was made with {}, this run has {}; give the same --target, or {REMAKE}",
            show(raw.cas_target.as_deref()),
            show(wanted)
        ));
    }
    if raw.access_key_id != ctx.access_key_id {
        let (var, _, _) = crate::provider::vendor::credential_vars(ctx.provider);
        return Err(format!(
            "the plan was made with access key id {}, this run uses {} ({var}); run with the plan's credentials, or {REMAKE}",
            quoted(&raw.access_key_id),
            quoted(&ctx.access_key_id)
        ));
    }
    if let (Some(theirs), Some(ours)) = (&raw.account, &ctx.account) {
        if theirs != ours {
            return Err(format!(
                "the plan was made for account {}, this run is for account {} (HUAWEICLOUD_SDK_DOMAIN_ID); run against the plan's account, or {REMAKE}",
                quoted(theirs),
                quoted(ours)
            ));
        }
    }

    let created = crate::time::parse_rfc3339(&raw.created).ok_or_else(|| {
        format!(
            "not a valid plan: created {} is not an RFC 3339 time; {REMAKE}",
            quoted(&raw.created)
        )
    })?;
    let slack = chrono::Duration::from_std(FUTURE_SLACK).expect("five minutes");
    if created > now + slack {
        return Err(format!(
            "the plan was created at {}, {} ahead of this machine's clock ({}); check the clocks, then {REMAKE}",
            crate::time::rfc3339_utc(created),
            span(created - now),
            crate::time::rfc3339_utc(now)
        ));
    }
    let max = chrono::Duration::from_std(max_age).unwrap_or(chrono::Duration::MAX);
    if now - created > max {
        return Err(format!(
            "the plan is {} old (created {}), older than --plan-max-age {}; {REMAKE} and review it again, or pass a longer --plan-max-age",
            span(now - created),
            crate::time::rfc3339_utc(created),
            span(max)
        ));
    }

    let mut seen = HashSet::new();
    let mut certificates = Vec::with_capacity(raw.certificates.len());
    for (i, entry) in raw.certificates.into_iter().enumerate() {
        let at = format!("certificate {} of the plan", i + 1);
        let id = match entry.id {
            Value::String(s) => s,
            // Alibaba's own type for CAS ids; read as the decimal the id is.
            Value::Number(n) if ctx.provider == Kind::AlibabaCas && n.is_u64() => n.to_string(),
            other => {
                let want = if ctx.provider == Kind::AlibabaCas {
                    "a string or a positive integer"
                } else {
                    "a string"
                };
                return Err(format!("{at}: the id {other} is not {want}"));
            }
        };
        crate::ids::check(&id, provider).map_err(|why| {
            format!(
                "{at}: {why}: {}; remove it or {REMAKE}",
                crate::ids::printable(&id)
            )
        })?;
        // As the provider reads ids (alibaba-cas: `007` is certificate 7).
        if !seen.insert(provider.id_key(&id)) {
            return Err(format!(
                "{at}: the id {} is in the plan twice; remove one",
                crate::ids::printable(&id)
            ));
        }
        let region = match (ctx.provider, entry.region) {
            (Kind::AlibabaSlb, Some(r)) if crate::provider::config::region_syntax_ok(&r) => Some(r),
            (Kind::AlibabaSlb, Some(r)) => {
                return Err(format!(
                    "{at} ({}): region {} is not a region id (letters, digits, '-' and '_')",
                    crate::ids::printable(&id),
                    quoted(&r)
                ))
            }
            (Kind::AlibabaSlb, None) => {
                return Err(format!(
                    "{at} ({}): no region; an alibaba-slb certificate is deleted in its own region: {REMAKE}",
                    crate::ids::printable(&id)
                ))
            }
            (_, None) => None,
            (_, Some(r)) => {
                return Err(format!(
                    "{at} ({}): region {} given, but only alibaba-slb certificates have one; remove it",
                    crate::ids::printable(&id),
                    quoted(&r)
                ))
            }
        };
        let not_after = entry
            .not_after
            .map(|t| {
                crate::time::parse_rfc3339(&t).ok_or_else(|| {
                    format!(
                        "{at} ({}): not_after {} is not an RFC 3339 time",
                        crate::ids::printable(&id),
                        quoted(&t)
                    )
                })
            })
            .transpose()?;
        certificates.push(Planned {
            id,
            region,
            name: entry.name.filter(|n| !n.is_empty()),
            domains: entry.domains,
            not_after,
        });
    }
    Ok(Checked {
        created,
        filters: raw.filters,
        account: raw.account,
        certificates,
    })
}

impl Checked {
    /// huawei-scm without `HUAWEICLOUD_SDK_DOMAIN_ID`: the account id is known only once the
    /// run has discovered it (before any delete is sent); it must be the plan's, when the
    /// plan names one.
    pub fn check_account(&self, path: &Path, discovered: Option<&str>) -> Result<(), Error> {
        match (self.account.as_deref(), discovered) {
            (Some(theirs), Some(ours)) if theirs != ours => Err(Error::usage(format!(
                "--plan {}: the plan was made for account {}, these credentials are for account {} (found through IAM); run against the plan's account, or make a new plan with `list --plan`",
                path.display(),
                quoted(theirs),
                quoted(ours)
            ))),
            _ => Ok(()),
        }
    }
}

/// A value from the file, quoted with control characters escaped (safe on a terminal).
fn quoted(s: &str) -> String {
    format!("{s:?}")
}

/// A span of time as a person reads it, its two largest units: `3d 4h`, `1d`, `31m`, `5m 1s`.
fn span(d: chrono::Duration) -> String {
    let s = d.num_seconds().max(0);
    let units = [
        (s / 86_400, "d"),
        (s % 86_400 / 3_600, "h"),
        (s % 3_600 / 60, "m"),
        (s % 60, "s"),
    ];
    let first = units.iter().position(|(n, _)| *n > 0).unwrap_or(3);
    let mut out = format!("{}{}", units[first].0, units[first].1);
    if let Some((n, u)) = units.get(first + 1).filter(|(n, _)| *n > 0) {
        out.push_str(&format!(" {n}{u}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::build;
    use crate::time::Expiry;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const NOW: &str = "2025-06-01T08:00:00Z";
    const DAY: Duration = Duration::from_secs(86_400);

    fn settings(kind: Kind) -> ProviderSettings {
        let mut s = ProviderSettings::for_test(kind);
        match kind {
            Kind::AlibabaSlb => {
                s.region = Some("cn-hangzhou".into());
                s.set_regions(vec!["cn-hangzhou".into(), "cn-shanghai".into()], false);
            }
            Kind::AlibabaCas => s.set_cas_target(CasTarget::Certificates),
            _ => {}
        }
        s
    }

    fn cert(id: &str, region: Option<&str>) -> Cert {
        let mut c = Cert::new(id);
        c.name = format!("name {id}");
        c.domains = vec![format!("{id}.example.com")];
        c.not_after = Expiry::Known(utc("2025-05-01T00:00:00Z"));
        c.region = region.map(str::to_string);
        c
    }

    fn plan_text(kind: Kind, certs: &[Cert]) -> String {
        let s = settings(kind);
        render(
            &Context::of(&s),
            "--expired",
            certs,
            build(&s).as_ref(),
            utc(NOW),
        )
        .unwrap()
    }

    fn check_as(kind: Kind, text: &str, now: &str, max_age: Duration) -> Result<Checked, String> {
        let s = settings(kind);
        check(
            text,
            &Context::of(&s),
            build(&s).as_ref(),
            utc(now),
            max_age,
        )
    }

    fn edit(text: &str, f: impl FnOnce(&mut Value)) -> String {
        let mut v: Value = serde_json::from_str(text).unwrap();
        f(&mut v);
        serde_json::to_string(&v).unwrap()
    }

    #[test]
    fn a_written_plan_reads_back_as_its_certificates() {
        let certs = [cert("c-1", None), cert("c-2", None)];
        let text = plan_text(Kind::TencentSsl, &certs);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["certdel_plan"], 1);
        assert_eq!(v["created"], NOW);
        assert_eq!(v["certdel"], env!("CARGO_PKG_VERSION"));
        assert_eq!(v["provider"], "tencent-ssl");
        assert_eq!(v["endpoint"], "https://example.invalid");
        assert_eq!(v["regions"], json!([]));
        assert_eq!(v["cas_target"], Value::Null);
        assert_eq!(v["access_key_id"], "AKEXAMPLE");
        assert_eq!(v["account"], Value::Null);
        assert_eq!(v["filters"], "--expired");
        assert_eq!(
            v["certificates"][1],
            json!({"id":"c-2","name":"name c-2","domains":["c-2.example.com"],
                   "not_after":"2025-05-01T00:00:00Z","region":null})
        );
        // One certificate a line, for trimming in an editor.
        assert_eq!(text.lines().filter(|l| l.contains("\"id\"")).count(), 2);
        // Never a secret.
        assert!(!text.contains("SECRETEXAMPLE"), "{text}");

        let got = check_as(Kind::TencentSsl, &text, NOW, DAY).unwrap();
        assert_eq!(got.created, utc(NOW));
        assert_eq!(got.filters.as_deref(), Some("--expired"));
        assert_eq!(
            got.certificates,
            vec![
                Planned {
                    id: "c-1".into(),
                    region: None,
                    name: Some("name c-1".into()),
                    domains: vec!["c-1.example.com".into()],
                    not_after: Some(utc("2025-05-01T00:00:00Z")),
                },
                Planned {
                    id: "c-2".into(),
                    region: None,
                    name: Some("name c-2".into()),
                    domains: vec!["c-2.example.com".into()],
                    not_after: Some(utc("2025-05-01T00:00:00Z")),
                },
            ]
        );
    }

    #[test]
    fn huawei_plans_carry_the_account_and_are_refused_for_another() {
        let text = plan_text(Kind::HuaweiScm, &[cert("scs1", None)]);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["account"], "domainid123");
        assert!(check_as(Kind::HuaweiScm, &text, NOW, DAY).is_ok());
        let other = edit(&text, |v| v["account"] = json!("someoneelse"));
        let e = check_as(Kind::HuaweiScm, &other, NOW, DAY).unwrap_err();
        assert!(e.contains("account \"someoneelse\""), "{e}");
        // Unknown on the plan's side: the access key id decides.
        let unknown = edit(&text, |v| v["account"] = Value::Null);
        assert!(check_as(Kind::HuaweiScm, &unknown, NOW, DAY).is_ok());
    }

    #[test]
    fn alibaba_cas_ids_round_trip_and_integers_are_read_as_the_same_id() {
        let text = plan_text(Kind::AlibabaCas, &[cert("12345", None), cert("678", None)]);
        let v: Value = serde_json::from_str(&text).unwrap();
        // alibaba-cas ids are written as JSON integers.
        assert_eq!(v["certificates"][0]["id"], json!(12345));
        assert_eq!(v["cas_target"], "certificates");
        let ids = |t: &str| -> Vec<String> {
            check_as(Kind::AlibabaCas, t, NOW, DAY)
                .unwrap()
                .certificates
                .into_iter()
                .map(|c| c.id)
                .collect()
        };
        assert_eq!(ids(&text), ["12345", "678"]);
        assert!(text.contains("\"id\":12345"), "{text}");
        // Edited by hand into strings of digits: the same ids.
        let strings = edit(&text, |v| {
            v["certificates"][0]["id"] = json!("12345");
            v["certificates"][1]["id"] = json!("678");
        });
        assert_eq!(ids(&strings), ["12345", "678"]);
        // Not integers, or not ids: refused, naming the certificate.
        for bad in [json!(-5), json!(1.5), json!(0), json!("12a"), json!(null)] {
            let t = edit(&text, |v| v["certificates"][1]["id"] = bad.clone());
            let e = check_as(Kind::AlibabaCas, &t, NOW, DAY).unwrap_err();
            assert!(e.starts_with("certificate 2 of the plan"), "{bad}: {e}");
        }
        // An integer and the same id as a string are one id, and so are `012345` and 12345.
        for same in [json!(12345), json!("012345")] {
            let dup = edit(&text, |v| v["certificates"][1]["id"] = same.clone());
            let e = check_as(Kind::AlibabaCas, &dup, NOW, DAY).unwrap_err();
            assert!(e.contains("twice"), "{same}: {e}");
        }
        // Elsewhere an id is a string.
        let t = plan_text(Kind::TencentSsl, &[cert("1", None)]);
        let t = edit(&t, |v| v["certificates"][0]["id"] = json!(1));
        let e = check_as(Kind::TencentSsl, &t, NOW, DAY).unwrap_err();
        assert!(e.contains("is not a string"), "{e}");
    }

    #[test]
    fn not_a_plan_names_where() {
        for (text, want) in [
            ("", "not a plan file: EOF while parsing"),
            ("{\"certdel_plan\": 1,\n  \"created\": }", "line 2 column"),
            ("[1, 2]", "no \"certdel_plan\" field"),
            (
                "{\"certdel_plan\": 1}",
                "not a valid plan: missing field `created`",
            ),
        ] {
            let e = check_as(Kind::TencentSsl, text, NOW, DAY).unwrap_err();
            assert!(e.contains(want), "{text:?}: {e}");
        }
        let good = plan_text(Kind::TencentSsl, &[cert("a", None), cert("b", None)]);
        // A line removed by hand with the comma left behind: serde's location is given.
        let trimmed: Vec<&str> = good
            .lines()
            .filter(|l| !l.contains("\"id\":\"b\""))
            .collect();
        let e = check_as(Kind::TencentSsl, &trimmed.join("\n"), NOW, DAY).unwrap_err();
        assert!(
            e.contains("not a plan file: trailing comma at line 14"),
            "{e}"
        );
        // A misspelt field is not silently dropped.
        let typo = edit(&good, |v| {
            let c = v["certificates"][0].as_object_mut().unwrap();
            let r = c.remove("region").unwrap();
            c.insert("regoin".into(), r);
        });
        let e = check_as(Kind::TencentSsl, &typo, NOW, DAY).unwrap_err();
        assert!(e.contains("unknown field `regoin`"), "{e}");
        let bad_time = edit(&good, |v| v["certificates"][0]["not_after"] = json!("soon"));
        let e = check_as(Kind::TencentSsl, &bad_time, NOW, DAY).unwrap_err();
        assert!(e.contains("not_after \"soon\""), "{e}");
        let bad_created = edit(&good, |v| v["created"] = json!("yesterday"));
        let e = check_as(Kind::TencentSsl, &bad_created, NOW, DAY).unwrap_err();
        assert!(e.contains("created \"yesterday\""), "{e}");
    }

    #[test]
    fn an_unknown_version_is_named_as_such() {
        let good = plan_text(Kind::TencentSsl, &[cert("a", None)]);
        for v in [json!(2), json!(0), json!("1")] {
            let t = edit(&good, |p| p["certdel_plan"] = v.clone());
            let e = check_as(Kind::TencentSsl, &t, NOW, DAY).unwrap_err();
            assert!(
                e.starts_with(&format!("plan format version {v} is unknown")),
                "{e}"
            );
        }
        // A newer format with fields this one does not know: the version is what is named.
        let t = edit(&good, |p| {
            p["certdel_plan"] = json!(2);
            p["something_new"] = json!(true);
        });
        let e = check_as(Kind::TencentSsl, &t, NOW, DAY).unwrap_err();
        assert!(e.contains("version 2"), "{e}");
    }

    #[test]
    fn a_plan_for_another_run_is_refused_naming_what_differs() {
        let good = plan_text(Kind::TencentSsl, &[cert("a", None)]);
        let e = check_as(Kind::VolcengineLive, &good, NOW, DAY).unwrap_err();
        assert!(
            e.starts_with("the plan was made for \"tencent-ssl\", this run is volcengine-live"),
            "{e}"
        );
        let cases: [(&str, Value, &str); 4] = [
            (
                "endpoint",
                json!("http://127.0.0.1:9"),
                "made against http://127.0.0.1:9, this run sends to https://example.invalid",
            ),
            (
                "endpoint",
                Value::Null,
                "made against each region's own endpoint",
            ),
            (
                "access_key_id",
                json!("AKOTHER"),
                "access key id \"AKOTHER\", this run uses \"AKEXAMPLE\" (TENCENTCLOUD_SECRET_ID)",
            ),
            (
                "cas_target",
                json!("orders"),
                "made with --target orders, this run has no --target",
            ),
        ];
        for (field, value, want) in cases {
            let t = edit(&good, |v| v[field] = value.clone());
            let e = check_as(Kind::TencentSsl, &t, NOW, DAY).unwrap_err();
            assert!(e.contains(want), "{field}: {e}");
        }
        // The same endpoint written differently is the same endpoint.
        let t = edit(&good, |v| {
            v["endpoint"] = json!("HTTPS://Example.invalid:443/")
        });
        assert!(check_as(Kind::TencentSsl, &t, NOW, DAY).is_ok());
        let t = edit(&good, |v| v["endpoint"] = json!("ftp://x"));
        let e = check_as(Kind::TencentSsl, &t, NOW, DAY).unwrap_err();
        assert!(e.starts_with("not a valid plan: endpoint 'ftp://x'"), "{e}");

        let cas = plan_text(Kind::AlibabaCas, &[cert("1", None)]);
        let t = edit(&cas, |v| v["cas_target"] = json!("orders"));
        let e = check_as(Kind::AlibabaCas, &t, NOW, DAY).unwrap_err();
        assert!(
            e.contains("made with --target orders, this run has --target certificates"),
            "{e}"
        );
    }

    #[test]
    fn plans_older_than_the_bound_or_from_the_future_are_refused() {
        let good = plan_text(Kind::TencentSsl, &[cert("a", None)]);
        // Exactly at the bound is accepted; a second later is not.
        assert!(check_as(Kind::TencentSsl, &good, "2025-06-02T08:00:00Z", DAY).is_ok());
        let e = check_as(Kind::TencentSsl, &good, "2025-06-02T08:00:01Z", DAY).unwrap_err();
        assert_eq!(
            e,
            "the plan is 1d old (created 2025-06-01T08:00:00Z), older than --plan-max-age 1d; make a new plan with `list --plan` and review it again, or pass a longer --plan-max-age"
        );
        let e = check_as(
            Kind::TencentSsl,
            &good,
            "2025-06-01T08:31:00Z",
            Duration::from_secs(30 * 60),
        )
        .unwrap_err();
        assert!(e.starts_with("the plan is 31m old (created 2025-06-01T08:00:00Z), older than --plan-max-age 30m;"), "{e}");
        // Up to five minutes ahead: another machine's clock; more: clock trouble.
        assert!(check_as(Kind::TencentSsl, &good, "2025-06-01T07:55:00Z", DAY).is_ok());
        let e = check_as(Kind::TencentSsl, &good, "2025-06-01T07:54:59Z", DAY).unwrap_err();
        assert!(
            e.starts_with(
                "the plan was created at 2025-06-01T08:00:00Z, 5m 1s ahead of this machine's clock"
            ),
            "{e}"
        );
    }

    #[test]
    fn duplicate_and_refused_ids_are_named() {
        let good = plan_text(Kind::TencentSsl, &[cert("a", None), cert("b", None)]);
        let dup = edit(&good, |v| v["certificates"][1]["id"] = json!("a"));
        let e = check_as(Kind::TencentSsl, &dup, NOW, DAY).unwrap_err();
        assert_eq!(
            e,
            "certificate 2 of the plan: the id \"a\" is in the plan twice; remove one"
        );
        for (id, want) in [
            ("", "empty id"),
            ("a\u{7}", "control character"),
            ("a\u{202e}", "invisible formatting character"),
        ] {
            let t = edit(&good, |v| v["certificates"][0]["id"] = json!(id));
            let e = check_as(Kind::TencentSsl, &t, NOW, DAY).unwrap_err();
            assert!(
                e.starts_with("certificate 1 of the plan: ") && e.contains(want),
                "{e}"
            );
        }
        let hw = plan_text(Kind::HuaweiScm, &[cert("scs1", None)]);
        let t = edit(&hw, |v| v["certificates"][0]["id"] = json!(".."));
        let e = check_as(Kind::HuaweiScm, &t, NOW, DAY).unwrap_err();
        assert!(e.contains("dot segment"), "{e}");
        // Refused on writing too: a plan is applicable as written.
        let s = settings(Kind::HuaweiScm);
        let e = render(
            &Context::of(&s),
            "",
            &[cert("..", None)],
            build(&s).as_ref(),
            utc(NOW),
        )
        .unwrap_err();
        assert!(e.to_string().contains("no plan written"), "{e}");
    }

    #[test]
    fn an_empty_plan_is_valid() {
        let text = plan_text(Kind::VolcengineLive, &[]);
        assert!(text.contains("\"certificates\": []"), "{text}");
        let got = check_as(Kind::VolcengineLive, &text, NOW, DAY).unwrap();
        assert!(got.certificates.is_empty());
    }

    #[test]
    fn alibaba_slb_certificates_keep_their_regions() {
        let certs = [
            cert("1-cn-hangzhou", Some("cn-hangzhou")),
            cert("2-cn-shanghai", Some("cn-shanghai")),
        ];
        let text = plan_text(Kind::AlibabaSlb, &certs);
        let v: Value = serde_json::from_str(&text).unwrap();
        // Without --endpoint every region has its own endpoint.
        assert_eq!(v["endpoint"], Value::Null);
        assert_eq!(v["regions"], json!(["cn-hangzhou", "cn-shanghai"]));
        let got = check_as(Kind::AlibabaSlb, &text, NOW, DAY).unwrap();
        let regions: Vec<_> = got
            .certificates
            .iter()
            .map(|c| c.region.as_deref())
            .collect();
        assert_eq!(regions, [Some("cn-hangzhou"), Some("cn-shanghai")]);
        // A run applying it sends to one --endpoint: refused.
        let mut s = settings(Kind::AlibabaSlb);
        s.custom_endpoint = true;
        let e = check(&text, &Context::of(&s), build(&s).as_ref(), utc(NOW), DAY).unwrap_err();
        assert!(e.contains("made against each region's own endpoint, this run sends to https://example.invalid"), "{e}");
        for (region, want) in [
            (Value::Null, "no region"),
            (json!("cn hangzhou"), "not a region id"),
        ] {
            let t = edit(&text, |v| v["certificates"][1]["region"] = region.clone());
            let e = check_as(Kind::AlibabaSlb, &t, NOW, DAY).unwrap_err();
            assert!(
                e.starts_with("certificate 2 of the plan (\"2-cn-shanghai\")") && e.contains(want),
                "{e}"
            );
        }
        let t = plan_text(Kind::TencentSsl, &[cert("a", Some("ap-guangzhou"))]);
        let e = check_as(Kind::TencentSsl, &t, NOW, DAY).unwrap_err();
        assert!(e.contains("only alibaba-slb certificates have one"), "{e}");
    }

    #[test]
    fn filters_are_described_as_the_command_line_gives_them() {
        let now = utc(NOW);
        let spec = FilterSpec {
            expired: true,
            expires_before: Some(crate::time::When::In(chrono::Duration::days(30))),
            domain: Some("*.example.com".into()),
            name: Some("prod-*".into()),
        };
        assert_eq!(
            describe_filters(&spec, &spec.resolve(now)),
            "--expired --expires-before 2025-07-01T08:00:00Z --domain '*.example.com' --name 'prod-*'"
        );
        let none = FilterSpec::default();
        assert_eq!(
            describe_filters(&none, &none.resolve(now)),
            "none (every certificate)"
        );
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("certdel-planfile-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn plans_are_written_atomically_private_and_replaced_whole() {
        let dir = scratch("write");
        let path = dir.join("plan.json");
        write_atomically(&path, b"first").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        // No temporary file left behind.
        assert_eq!(entries(&dir), ["plan.json"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            // An existing file of another mode is replaced by a private one.
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        write_atomically(&path, b"second, longer").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second, longer");
        assert_eq!(entries(&dir), ["plan.json"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A target that cannot be replaced (a directory): an error naming it, the old
        // content intact, nothing left behind.
        std::fs::create_dir(dir.join("taken")).unwrap();
        let e = write_atomically(&dir.join("taken"), b"x").unwrap_err();
        assert!(e.to_string().contains("taken"), "{e}");
        assert_eq!(entries(&dir), ["plan.json", "taken"]);
        // A missing directory: an error naming the path.
        let e = write_atomically(&dir.join("missing/plan.json"), b"x").unwrap_err();
        assert!(e.to_string().contains("missing/plan.json"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn load_names_the_file() {
        let dir = scratch("load");
        let s = settings(Kind::TencentSsl);
        let (ctx, p) = (Context::of(&s), build(&s));
        let e = load(&dir.join("nope.json"), &ctx, p.as_ref(), utc(NOW), DAY).unwrap_err();
        assert!(matches!(e, Error::Usage(_)));
        assert!(
            e.to_string().starts_with("--plan ")
                && e.to_string().contains("nope.json: cannot read it"),
            "{e}"
        );
        let path = dir.join("plan.json");
        write_atomically(
            &path,
            plan_text(Kind::TencentSsl, &[cert("a", None)]).as_bytes(),
        )
        .unwrap();
        let got = load(&path, &ctx, p.as_ref(), utc(NOW), DAY).unwrap();
        assert_eq!(got.certificates.len(), 1);
        let e = load(&path, &ctx, p.as_ref(), utc("2025-06-03T00:00:00Z"), DAY).unwrap_err();
        assert!(matches!(e, Error::Usage(_)));
        assert!(e.to_string().contains("plan.json: the plan is"), "{e}");
        std::fs::write(&path, b"\xff\xfe").unwrap();
        let e = load(&path, &ctx, p.as_ref(), utc(NOW), DAY).unwrap_err();
        assert!(e.to_string().contains("not UTF-8"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
