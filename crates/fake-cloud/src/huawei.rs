//! huawei-scm on the fake: SCM v3 (`DELETE`/`GET /v3/scm/certificates…`) and the IAM call the
//! SDK uses to find the account id (`GET /v3/auth/domains`).
//!
//! - Auth: `SDK-HMAC-SHA256` ([`verify::huawei`]), `X-Sdk-Date` within 15 minutes. SCM is a
//!   global service, so SCM calls must carry `X-Domain-Id` equal to the account's domain id;
//!   IAM discovery needs none. Failures: HTTP 401
//!   `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: …","request_id":…}`.
//!   The exact message for a missing or wrong `X-Domain-Id` is UNCONFIRMED.
//! - Delete: 204 with an empty body. Unknown id: 404 `SCM.0020` ("Incorrect certificate ID.").
//!   In use: Huawei documents no in-use code; the fake answers 400 `SCM.0010` ("not allowed by
//!   the current certificate type or status").
//! - List: `limit` ∈ {10, 20, 50} (default 10), `offset` a record offset (default 0; the doc's
//!   maximum of 100 is not enforced: whether it is a record or a page offset is UNCONFIRMED;
//!   [`super::Config::huawei_offset_is_page`] makes it a page index),
//!   `sort_dir`, `sort_key`, `status`, `content`. `expire_time` is written
//!   `YYYY-MM-DD HH:MM:SS.0` in Beijing time (UTC+8): the doc's zone is UNCONFIRMED and the
//!   console shows GMT+08:00, so a client must not assume UTC.
//! - Every answer carries `X-Request-Id`.

use super::store::Cert;
use super::verify::{self, AuthError};
use super::{Call, Handled, Incoming, Out, Quota, State};
use certdel::provider::Kind;
use certdel::wire::percent_decode;
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{json, Map, Value};
use std::time::Duration;

const LIST: &str = "ListCertificates";
const DELETE: &str = "DeleteCertificate";
const IAM: &str = "KeystoneListAuthDomains";
const TOLERANCE: Duration = Duration::from_secs(15 * 60);

pub fn route(inc: &Incoming) -> Option<Call> {
    let path = inc.path();
    let call = |action: &str, id: Option<String>| Some(Call::new(Kind::HuaweiScm, action, id));
    if path == "/v3/auth/domains" {
        return call(if inc.method == "GET" { IAM } else { "Unknown" }, None);
    }
    let rest = path.strip_prefix("/v3/scm/certificates")?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    match (inc.method.as_str(), rest) {
        ("GET", "" | "/") => call(LIST, None),
        ("DELETE", r) if r.len() > 1 && !r[1..].contains('/') => {
            call(DELETE, Some(percent_decode(&r[1..])))
        }
        _ => call("Unknown", None),
    }
}

fn error(status: u16, rid: &str, code: &str, msg: &str, gateway: bool) -> Out {
    let mut body = json!({"error_code": code, "error_msg": msg});
    if gateway {
        body["request_id"] = json!(rid);
    }
    Out::json(status, "application/json", &body)
        .header("X-Request-Id", rid)
        .code(code)
}

fn auth_failed(rid: &str, why: &str) -> Out {
    error(
        401,
        rid,
        "APIGW.0301",
        &format!("Incorrect IAM authentication information: {why}"),
        true,
    )
}

pub fn auth(state: &State, inc: &Incoming, call: &Call, rid: &str) -> Result<(), Out> {
    let keys = state.keys(Kind::HuaweiScm);
    if let Err(e) = verify::huawei(inc, keys, state.now(), state.tolerance(TOLERANCE)) {
        return Err(match e {
            AuthError::UnknownKey(_) => auth_failed(rid, "Get secretKey failed"),
            AuthError::Stale { .. } => {
                auth_failed(rid, "calc ak sk signature fail:signature expired")
            }
            AuthError::Missing(m) => auth_failed(rid, &format!("verify aksk signature fail: {m}")),
            _ => auth_failed(rid, "verify aksk signature fail"),
        });
    }
    if call.action == IAM {
        return Ok(());
    }
    if let Some(want) = keys.and_then(|k| k.domain_id.as_deref()) {
        match inc.header("x-domain-id") {
            None | Some("") => {
                return Err(auth_failed(
                    rid,
                    "X-Domain-Id is required for a global service with AK/SK authentication",
                ))
            }
            Some(got) if got != want => {
                return Err(auth_failed(rid, "the AK does not belong to X-Domain-Id"))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

pub fn internal_error(rid: &str) -> Out {
    // The code is UNCONFIRMED: SCM documents 500 without naming its code.
    error(500, rid, "SCM.0001", "System error.", false)
}

pub fn throttled(rid: &str, quota: Quota) -> Out {
    error(
        429,
        rid,
        "APIG.0308",
        &format!(
            "The throttling threshold has been reached: policy user over ratelimit,limit:{},time:1 second",
            quota.rate
        ),
        true,
    )
}

pub fn handle(state: &State, inc: &Incoming, call: &Call, rid: &str) -> Handled {
    match call.action.as_str() {
        IAM => {
            let id = state
                .keys(Kind::HuaweiScm)
                .and_then(|k| k.domain_id.clone())
                .unwrap_or_else(|| "fake-domain-id".into());
            let body = json!({"domains": [{"id": id, "name": "demo", "enabled": true, "description": ""}]});
            Out::json(200, "application/json", &body)
                .header("X-Request-Id", rid)
                .into()
        }
        DELETE => delete(state, call.id.as_deref().unwrap_or_default(), rid),
        LIST => list(state, inc, rid).into(),
        _ => error(
            404,
            rid,
            "APIGW.0101",
            "The API does not exist or has not been published in the environment",
            true,
        )
        .into(),
    }
}

fn delete(state: &State, id: &str, rid: &str) -> Handled {
    let mut store = state.store();
    let Some(cert) = store.get(Kind::HuaweiScm, id) else {
        return error(404, rid, "SCM.0020", "Incorrect certificate ID.", false).into();
    };
    if let Some(out) = super::cert_fault(cert, || internal_error(rid)) {
        return out;
    }
    if cert.in_use {
        return error(
            400,
            rid,
            "SCM.0010",
            "This operation is not allowed by the current certificate type or status.",
            false,
        )
        .into();
    }
    store.remove(Kind::HuaweiScm, id);
    Handled::deleted(
        Out::empty(204).header("X-Request-Id", rid),
        vec![id.to_string()],
    )
}

pub const STATUSES: [&str; 13] = [
    "PAID",
    "ISSUED",
    "CHECKING",
    "CANCELCHECKING",
    "UNPASSED",
    "EXPIRED",
    "REVOKING",
    "REVOKED",
    "UPLOAD",
    "CHECKING_ORG",
    "ISSUING",
    "SUPPLEMENTCHECKING",
    "CANCLEREVOKING",
];

fn status(cert: &Cert, now: DateTime<Utc>) -> String {
    match cert.status_str() {
        Some(s) => s.to_string(),
        None if cert.expired_at(now) => "EXPIRED".into(),
        None => "ISSUED".into(),
    }
}

/// `2021-05-27 16:46:25.0`, Beijing time.
pub fn expire_time(t: DateTime<Utc>) -> String {
    let beijing = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    t.with_timezone(&beijing)
        .format("%Y-%m-%d %H:%M:%S.0")
        .to_string()
}

fn item(cert: &Cert, now: DateTime<Utc>, domain_id: &str) -> Value {
    let wildcards = cert.domains.iter().filter(|d| d.starts_with("*.")).count();
    let domain_type = match (cert.domains.len(), wildcards) {
        (n, _) if n > 1 => "MULTI_DOMAIN",
        (_, 1) => "WILDCARD",
        _ => "SINGLE_DOMAIN",
    };
    let mut v = json!({
        "id": cert.id,
        "name": cert.name,
        "domain": cert.primary(),
        "sans": cert.domains.iter().skip(1).cloned().collect::<Vec<_>>().join(","),
        "signature_algorithm": "SHA256WITHRSA",
        "deploy_support": true,
        "type": "DV_SSL_CERT",
        "brand": "GEOTRUST",
        "expire_time": expire_time(cert.not_after),
        "domain_type": domain_type,
        "validity_period": 12,
        "status": status(cert, now),
        "domain_count": cert.domains.len(),
        "wildcard_count": wildcards,
        "description": Value::Null,
        "domain_id": domain_id,
        "enterprise_project_id": "0",
    });
    super::apply_overrides(&mut v, cert);
    v
}

fn bad_param(rid: &str, what: &str) -> Out {
    error(
        400,
        rid,
        "SCM.0005",
        &format!("Incorrect request parameter: {what}"),
        false,
    )
}

fn list(state: &State, inc: &Incoming, rid: &str) -> Out {
    let q = inc.query();
    let get = |k: &str| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let limit = match get("limit").unwrap_or("10").parse::<usize>() {
        Ok(n @ (10 | 20 | 50)) => n,
        _ => return bad_param(rid, "limit must be 10, 20 or 50"),
    };
    // A record offset; the documented maximum of 100 is not enforced (see the module doc).
    let Ok(offset) = get("offset").unwrap_or("0").parse::<usize>() else {
        return bad_param(rid, "offset must be a non-negative integer");
    };
    let desc = match get("sort_dir").unwrap_or("DESC") {
        "DESC" => true,
        "ASC" => false,
        _ => return bad_param(rid, "sort_dir must be ASC or DESC"),
    };
    let sort_key = get("sort_key").unwrap_or("certUpdateTime");
    if !["certExpiredTime", "certStatus", "certUpdateTime"].contains(&sort_key) {
        return bad_param(rid, "sort_key");
    }
    let want_status = get("status").unwrap_or("ALL");
    if want_status != "ALL" && !STATUSES.contains(&want_status) {
        return bad_param(rid, "status");
    }
    let content = get("content").unwrap_or("").to_lowercase();
    let now = state.now();
    let domain_id = state
        .keys(Kind::HuaweiScm)
        .and_then(|k| k.domain_id.clone())
        .unwrap_or_default();

    let store = state.store();
    // (insertion index, cert): the index stands in for the update time and breaks ties, so
    // every order is total and paging is stable.
    let mut certs: Vec<(usize, &Cert)> = store
        .certs(Kind::HuaweiScm)
        .iter()
        .enumerate()
        .filter(|(_, c)| want_status == "ALL" || status(c, now) == want_status)
        .filter(|(_, c)| {
            content.is_empty()
                || c.name.to_lowercase().contains(&content)
                || c.domains
                    .iter()
                    .any(|d| d.to_lowercase().contains(&content))
        })
        .collect();
    certs.sort_by(|(ia, a), (ib, b)| {
        let ord = match sort_key {
            "certExpiredTime" => a.not_after.cmp(&b.not_after),
            "certStatus" => status(a, now).cmp(&status(b, now)),
            _ => std::cmp::Ordering::Equal,
        }
        .then(ia.cmp(ib));
        if desc {
            ord.reverse()
        } else {
            ord
        }
    });
    let total = certs.len();
    let skip = if state.config.huawei_offset_is_page {
        offset.saturating_mul(limit)
    } else {
        offset
    };
    let page: Vec<Value> = certs
        .iter()
        .skip(skip)
        .take(limit)
        .map(|(_, c)| item(c, now, &domain_id))
        .collect();
    let mut body = Map::new();
    body.insert("certificates".into(), Value::Array(page));
    body.insert("total_count".into(), json!(total));
    Out::json(200, "application/json", &Value::Object(body)).header("X-Request-Id", rid)
}

/// huawei-scm as a [`crate::product::FakeProduct`].
pub struct Huawei;

impl crate::product::FakeProduct for Huawei {
    fn route(&self, inc: &Incoming) -> Option<Call> {
        route(inc)
    }

    fn authenticate(
        &self,
        state: &State,
        inc: &Incoming,
        call: &Call,
        rid: &str,
    ) -> Result<(), Out> {
        auth(state, inc, call, rid)
    }

    fn handle(&self, state: &State, inc: &Incoming, call: &Call, rid: &str) -> Handled {
        handle(state, inc, call, rid)
    }

    fn internal_error(&self, _state: &State, _call: &Call, rid: &str) -> Out {
        internal_error(rid)
    }

    fn throttled(&self, _state: &State, _call: &Call, rid: &str, quota: Quota) -> Out {
        throttled(rid, quota)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn routes() {
        let inc = |method: &str, target: &str| Incoming {
            method: method.into(),
            target: target.into(),
            host: String::new(),
            headers: vec![],
            body: vec![],
        };
        let r = route(&inc("DELETE", "/v3/scm/certificates/a%20b%2Fc")).unwrap();
        assert_eq!(
            (r.action.as_str(), r.id.as_deref()),
            (DELETE, Some("a b/c"))
        );
        assert_eq!(
            route(&inc("GET", "/v3/scm/certificates?limit=10"))
                .unwrap()
                .action,
            LIST
        );
        assert_eq!(route(&inc("GET", "/v3/auth/domains")).unwrap().action, IAM);
        assert_eq!(
            route(&inc("DELETE", "/v3/scm/certificates/a/b"))
                .unwrap()
                .action,
            "Unknown"
        );
        assert!(route(&inc("GET", "/v3/scm/certificatesX")).is_none());
        assert!(route(&inc("GET", "/")).is_none());
    }

    #[test]
    fn expire_time_is_beijing_wall_time() {
        let t = Utc.with_ymd_and_hms(2021, 5, 27, 8, 46, 25).unwrap();
        assert_eq!(expire_time(t), "2021-05-27 16:46:25.0");
    }
}
