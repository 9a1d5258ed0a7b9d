//! Sweep plan files: `sweep --policy FILE --plan OUT` writes what every target would delete,
//! each target with its own context; `sweep --apply-plan OUT` deletes exactly that, target by
//! target, after the same checks as `delete --plan` ([`crate::planfile`]).
//!
//! The format (version 1), a JSON object:
//!
//! ```text
//! {
//!   "certdel_sweep_plan": 1,
//!   "created": "2025-06-01T08:00:00Z",    the sweep's time, RFC 3339 UTC
//!   "certdel": "0.1.0",                    the version that wrote it (for people)
//!   "policy": "sweep.toml",                the policy it was made from (for people)
//!   "targets": [
//!     {"name": "tencent-prod", "provider": "tencent-ssl", "profile": "prod",
//!      "plan": { …a `list --plan` file: provider, endpoint, regions, cas_target,
//!                access_key_id, account, filters, certificates… },
//!      "kept": [{"id": "…", "reason": "keep_latest"}]},       for review; not applied
//!     {"name": "slb-all", "provider": "alibaba-slb", "profile": null,
//!      "failed": "…"}                                         could not be planned
//!   ]
//! }
//! ```
//!
//! Each target's `plan` is exactly a [`crate::planfile`] plan (its `account` the one the
//! sweep's identity call found), and applying checks it exactly as `delete --plan` does:
//! provider, endpoint, CAS target and access key id as the target's credentials now give
//! them, its age against `--plan-max-age`, its ids. A target that fails a check is refused
//! and reported; the others are applied. The account is checked by the identity call before
//! anything is deleted there (another account refuses the target). A target the sweep could
//! not plan (`failed`) is reported failed again.

use super::run::{Survey, Surveyed};
use super::select::Decision;
use crate::cert::Cert;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::provider::config::CasTarget;
use crate::provider::Kind;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::path::Path;

/// The format this certdel writes and reads.
pub const VERSION: u64 = 1;

/// The plan file's text for a surveyed sweep (nothing deleted yet).
pub fn render(policy: &str, surveyed: &[Surveyed], now: DateTime<Utc>) -> Result<String, Error> {
    let mut targets = Vec::with_capacity(surveyed.len());
    for s in surveyed {
        let mut entry = Map::new();
        entry.insert("name".into(), json!(s.target.name));
        entry.insert("provider".into(), json!(s.target.provider.name()));
        entry.insert("profile".into(), json!(s.target.profile));
        let ready = match &s.state {
            Survey::Failed(why) => {
                entry.insert("failed".into(), json!(why));
                targets.push(Value::Object(entry));
                continue;
            }
            Survey::Ready(r) => r,
        };
        if let Some(too_many) = &ready.refusal {
            entry.insert("failed".into(), json!(too_many.to_string()));
            targets.push(Value::Object(entry));
            continue;
        }
        let session = &ready.session;
        let mut ctx = crate::planfile::Context::of(session.settings());
        ctx.account = session.account().map(str::to_owned);
        if ctx.provider == Kind::AlibabaSlb {
            ctx.regions = ready.regions.clone();
        }
        let certs: Vec<Cert> = ready
            .decisions
            .iter()
            .filter(|(_, d)| *d == Decision::Delete)
            .map(|(c, _)| c.clone())
            .collect();
        let filters = format!("sweep policy {policy}, target {}", s.target.name);
        let text = crate::planfile::render(&ctx, &filters, &certs, session.provider(), now)?;
        let plan: Value = serde_json::from_str(&text)
            .map_err(|e| Error::Io(format!("sweep --plan: a target's plan is not JSON ({e})")))?;
        entry.insert("plan".into(), plan);
        let kept: Vec<Value> = ready
            .decisions
            .iter()
            .filter_map(|(c, d)| match d {
                Decision::Kept(k) => Some(json!({"id": c.id, "reason": k.code()})),
                Decision::Delete => None,
            })
            .collect();
        entry.insert("kept".into(), Value::Array(kept));
        targets.push(Value::Object(entry));
    }
    let file = json!({
        "certdel_sweep_plan": VERSION,
        "created": crate::time::rfc3339_utc(now),
        "certdel": env!("CARGO_PKG_VERSION"),
        "policy": policy,
        "targets": targets,
    });
    let mut text = serde_json::to_string_pretty(&file)
        .map_err(|e| Error::Io(format!("sweep --plan: cannot render the plan ({e})")))?;
    text.push('\n');
    Ok(text)
}

/// One target of a sweep plan, as read (not yet checked against its credentials).
#[derive(Clone, Debug)]
pub struct PlannedTarget {
    pub name: String,
    pub provider: Kind,
    pub profile: Option<String>,
    /// What to apply, or why the sweep could not plan this target.
    pub plan: Result<TargetPlan, String>,
}

/// A target's `plan`: what its settings are rebuilt from, and its text for
/// [`crate::planfile::check`].
#[derive(Clone, Debug)]
pub struct TargetPlan {
    pub endpoint: Option<Endpoint>,
    pub regions: Vec<String>,
    pub cas_target: CasTarget,
    pub account: Option<String>,
    pub text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    certdel_sweep_plan: u64,
    #[allow(dead_code)]
    created: String,
    #[serde(default)]
    #[allow(dead_code)]
    certdel: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    policy: Option<String>,
    targets: Vec<RawTarget>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    name: String,
    provider: String,
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    failed: Option<String>,
    #[serde(default)]
    plan: Option<Value>,
    #[serde(default)]
    #[allow(dead_code)]
    kept: Vec<Value>,
}

/// Read the sweep plan at `path`: its targets in file order. The file's shape is checked here
/// (a usage error naming the file: exit 2 before anything is sent); each target's own plan is
/// checked by the caller against the target's settings.
pub fn load(path: &Path) -> Result<Vec<PlannedTarget>, Error> {
    let shown = path.display();
    let remake = "make a new one with `sweep --policy FILE --plan OUT`";
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::usage(format!(
            "--apply-plan {shown}: cannot read it ({e}); give the file `sweep --plan` wrote"
        ))
    })?;
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        Error::usage(format!(
            "--apply-plan {shown}: not a sweep plan: {e}; give the file `sweep --plan` wrote"
        ))
    })?;
    match value.get("certdel_sweep_plan") {
        Some(v) if v.as_u64() == Some(VERSION) => {}
        Some(v) => {
            return Err(Error::usage(format!(
                "--apply-plan {shown}: sweep plan format version {v} is unknown to certdel {} (it reads version {VERSION}); {remake}",
                env!("CARGO_PKG_VERSION")
            )))
        }
        None => {
            return Err(Error::usage(format!(
                "--apply-plan {shown}: not a sweep plan (no \"certdel_sweep_plan\" field); give the file `sweep --plan` wrote"
            )))
        }
    }
    let raw: Raw = serde_json::from_value(value).map_err(|e| {
        Error::usage(format!(
            "--apply-plan {shown}: not a valid sweep plan: {e}; fix the file or {remake}"
        ))
    })?;
    debug_assert_eq!(raw.certdel_sweep_plan, VERSION);
    let mut names = std::collections::HashSet::new();
    let mut targets = Vec::with_capacity(raw.targets.len());
    for t in raw.targets {
        let provider = Kind::ALL
            .into_iter()
            .find(|k| k.name() == t.provider)
            .ok_or_else(|| {
                Error::usage(format!(
                    "--apply-plan {shown}: target {:?}: unknown provider {:?}",
                    t.name, t.provider
                ))
            })?;
        if !names.insert(t.name.clone()) {
            return Err(Error::usage(format!(
                "--apply-plan {shown}: target {:?} is in the plan twice; remove one",
                t.name
            )));
        }
        let plan = match (t.failed, t.plan) {
            (Some(why), None) => Err(format!("could not be planned: {why}")),
            (None, Some(plan)) => Ok(target_plan(plan).map_err(|why| {
                Error::usage(format!(
                    "--apply-plan {shown}: target {:?}: {why}; {remake}",
                    t.name
                ))
            })?),
            _ => {
                return Err(Error::usage(format!(
                "--apply-plan {shown}: target {:?}: give either \"plan\" or \"failed\"; {remake}",
                t.name
            )))
            }
        };
        targets.push(PlannedTarget {
            name: t.name,
            provider,
            profile: t.profile,
            plan,
        });
    }
    Ok(targets)
}

/// What a target's settings are rebuilt from, read off its `plan`.
fn target_plan(plan: Value) -> Result<TargetPlan, String> {
    let text = plan.to_string();
    let string = |key: &str| -> Result<Option<String>, String> {
        match plan.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("plan {key} {other} is not a string")),
        }
    };
    let endpoint = string("endpoint")?
        .map(|url| Endpoint::parse_as("endpoint", &url))
        .transpose()?;
    let regions = match plan.get("regions") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|r| {
                r.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("plan regions: {r} is not a string"))
            })
            .collect::<Result<_, _>>()?,
        Some(other) => return Err(format!("plan regions {other} is not a list")),
    };
    let cas_target = match string("cas_target")?.as_deref() {
        None | Some("orders") => CasTarget::Orders,
        Some("certificates") => CasTarget::Certificates,
        Some(other) => {
            return Err(format!(
                "plan cas_target {other:?} is not orders or certificates"
            ))
        }
    };
    Ok(TargetPlan {
        endpoint,
        regions,
        cas_target,
        account: string("account")?,
        text,
    })
}
