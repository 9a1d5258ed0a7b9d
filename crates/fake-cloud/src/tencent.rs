//! tencent-ssl on the fake: API 3.0 JSON-RPC, `POST /` with `X-TC-Action`, version 2019-12-05.
//!
//! - Every answer is HTTP 200; errors sit in `Response.Error` — also the internal errors the
//!   `http500` fault and injected 5xx produce (`InternalError` in an HTTP 200, as the API
//!   itself answers them).
//! - Auth: `TC3-HMAC-SHA256` ([`verify::tc3`]), `X-TC-Timestamp` within 5 minutes
//!   (`AuthFailure.SignatureExpire`), else `AuthFailure.SignatureFailure`,
//!   `AuthFailure.SecretIdNotFound`, `AuthFailure.InvalidAuthorization`, `AuthFailure.TokenFailure`.
//! - `DeleteCertificate`: `DeleteResult:true`; unknown id `FailedOperation.CertificateNotFound`;
//!   in use `FailedOperation.DeleteResourceFailed`. With `IsCheckResource:true` the deletion is
//!   asynchronous: `DeleteResult:false` + `TaskId`, finished by polling.
//! - `DeleteCertificates` (≤100 ids): `Success`, `Fail` (`{CertId, Msg}`: unknown ids and, when
//!   synchronous, ids in use), and with `IsSync:true` `CertTaskIds` (`{CertId, TaskId}`). How
//!   the real API reports unknown ids in a batch is UNCONFIRMED (it may answer
//!   `InvalidParameter.ContainsInvalidCertificateId` for the whole call instead).
//! - `DescribeDeleteCertificatesTaskResult`: a task answers status 0 (running) to
//!   [`super::Config::task_polls`] polls, then 1 (deleted: the certificate is removed at that
//!   moment) or 4 (still bound to cloud resources; the certificate stays).
//! - `DescribeCertificates`: `Offset`/`Limit` (default 10, clamped to 1000), `SearchKey`,
//!   `ExpirationSort`, `CertificateStatus`, `CertIds`, `FilterExpiring` (1 = expiring within
//!   30 days); times `YYYY-MM-DD HH:MM:SS` in GMT+8; `Status` 1 issued / 3 expired unless the
//!   seed says otherwise.

use super::store::{Cert, Task};
use super::verify::{self, AuthError};
use super::Quota;
use super::{beijing, Call, Handled, Incoming, Out, State};
use certdel::provider::Kind;
use chrono::{DateTime, Duration as Days, Utc};
use serde_json::{json, Value};
use std::time::Duration;

pub const VERSION: &str = "2019-12-05";
/// STS, whose `GetCallerIdentity` the fake serves on the same port (service `sts`).
pub const STS_VERSION: &str = "2018-08-13";
pub const STS_IDENTITY: &str = "GetCallerIdentity";
const TOLERANCE: Duration = Duration::from_secs(5 * 60);
const TIME: &str = "%Y-%m-%d %H:%M:%S";

pub fn route(inc: &Incoming) -> Option<Call> {
    let action = inc.header("x-tc-action")?;
    if inc.method != "POST" || inc.path() != "/" {
        return None;
    }
    let body = serde_json::from_slice::<Value>(&inc.body).unwrap_or_default();
    let mut call = match action {
        "DeleteCertificate" => Call::new(
            Kind::TencentSsl,
            action,
            body.get("CertificateId")
                .and_then(Value::as_str)
                .map(str::to_string),
        ),
        _ => Call::new(Kind::TencentSsl, action, None),
    };
    if action == "DeleteCertificates" {
        call.ids = string_array(&body, "CertificateIds")
            .ok()
            .flatten()
            .unwrap_or_default();
    }
    Some(call)
}

fn ok(rid: &str, mut fields: Value) -> Out {
    fields["RequestId"] = json!(rid);
    Out::json(200, "application/json", &json!({ "Response": fields }))
}

fn error(rid: &str, code: &str, message: &str) -> Out {
    Out::json(
        200,
        "application/json",
        &json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": rid}}),
    )
    .code(code)
}

pub fn auth(state: &State, inc: &Incoming, rid: &str) -> Result<(), Out> {
    let keys = state.keys(Kind::TencentSsl);
    let tolerance = state.tolerance(TOLERANCE);
    let service = if inc.header("x-tc-action") == Some(STS_IDENTITY) {
        "sts"
    } else {
        "ssl"
    };
    verify::tc3_for(inc, keys, state.now(), tolerance, service)
        .map(|_| ())
        .map_err(|e| match e {
            AuthError::Missing(m) => error(
                rid,
                "AuthFailure.InvalidAuthorization",
                &format!("Authorization is invalid: {m}"),
            ),
            AuthError::UnknownKey(_) => error(
                rid,
                "AuthFailure.SecretIdNotFound",
                "The SecretId is not found, please ensure that your SecretId is correct.",
            ),
            AuthError::Stale { .. } => error(
                rid,
                "AuthFailure.SignatureExpire",
                &format!(
                    "Signature expired. Timestamp {} is more than {} seconds away from server time.",
                    inc.header("x-tc-timestamp").unwrap_or_default(),
                    tolerance.as_secs()
                ),
            ),
            AuthError::Token => error(rid, "AuthFailure.TokenFailure", "Token is invalid."),
            AuthError::Mismatch { .. } | AuthError::BodyHash => error(
                rid,
                "AuthFailure.SignatureFailure",
                "The provided credentials could not be validated. Please check your signature is correct.",
            ),
        })
}

pub fn internal_error(rid: &str) -> Out {
    error(rid, "InternalError", "An internal error occurred.")
}

pub fn throttled(rid: &str) -> Out {
    error(
        rid,
        "LimitExceeded.RateLimitExceeded",
        "The request frequency exceeds the limit. Please try again later.",
    )
}

pub fn handle(state: &State, inc: &Incoming, call: &Call, rid: &str) -> Handled {
    if call.action == STS_IDENTITY && inc.header("x-tc-version") == Some(STS_VERSION) {
        return caller_identity(state, rid).into();
    }
    if inc.header("x-tc-version") != Some(VERSION) {
        return error(
            rid,
            "NoSuchVersion",
            "The requested API version does not exist.",
        )
        .into();
    }
    let body: Value = if inc.body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&inc.body) {
            Ok(v @ Value::Object(_)) => v,
            _ => {
                return error(
                    rid,
                    "InvalidParameter",
                    "The request body is not a JSON object.",
                )
                .into()
            }
        }
    };
    match call.action.as_str() {
        "DeleteCertificate" => delete_one(state, &body, rid),
        "DeleteCertificates" => delete_many(state, &body, rid),
        "DescribeDeleteCertificatesTaskResult" => poll(state, &body, rid),
        "DescribeCertificates" => list(state, &body, rid).into(),
        _ => error(rid, "InvalidAction", "The requested action does not exist.").into(),
    }
}

/// STS `GetCallerIdentity`: the account's key, answered as a CAM user of that account (the
/// fake holds one key per account; `Type`/`Arn` values as the reference's examples spell them).
fn caller_identity(state: &State, rid: &str) -> Out {
    let account = state
        .keys(Kind::TencentSsl)
        .map(|k| k.account())
        .unwrap_or_default();
    ok(
        rid,
        json!({
            "Arn": format!("qcs::cam::uin/{account}:uin/{account}"),
            "AccountId": account,
            "UserId": account,
            "PrincipalId": account,
            "Type": "CAMUser",
        }),
    )
}

fn new_task(state: &State, cert: &Cert) -> String {
    let mut store = state.store();
    store.next_task += 1;
    let task_id = format!("{}", 1_251_260 + store.next_task);
    store.tasks.push(Task {
        task_id: task_id.clone(),
        cert_id: cert.id.clone(),
        polls_left: state.config.task_polls,
        status: None,
        domains: cert.domains.clone(),
    });
    task_id
}

fn delete_one(state: &State, body: &Value, rid: &str) -> Handled {
    let id = match body.get("CertificateId") {
        Some(Value::String(s)) => s.clone(),
        Some(_) => return error(rid, "InvalidParameter", "CertificateId must be a string.").into(),
        None => {
            return error(
                rid,
                "MissingParameter",
                "The parameter `CertificateId` is missing.",
            )
            .into()
        }
    };
    let check = body
        .get("IsCheckResource")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let cert = match state.store().get(Kind::TencentSsl, &id) {
        Some(c) => c.clone(),
        None => {
            return error(
                rid,
                "FailedOperation.CertificateNotFound",
                "The certificate does not exist.",
            )
            .into()
        }
    };
    if let Some(out) = super::cert_fault(&cert, || internal_error(rid)) {
        return out;
    }
    if check {
        let task = new_task(state, &cert);
        return ok(rid, json!({"DeleteResult": false, "TaskId": task})).into();
    }
    if cert.in_use {
        return error(
            rid,
            "FailedOperation.DeleteResourceFailed",
            "The certificate is associated with a Tencent Cloud resource and cannot be deleted.",
        )
        .into();
    }
    state.store().remove(Kind::TencentSsl, &id);
    Handled::deleted(ok(rid, json!({"DeleteResult": true})), vec![id])
}

fn string_array(body: &Value, key: &str) -> Result<Option<Vec<String>>, String> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("{key} must be an array of strings."))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(format!("{key} must be an array of strings.")),
    }
}

fn delete_many(state: &State, body: &Value, rid: &str) -> Handled {
    let ids = match string_array(body, "CertificateIds") {
        Ok(Some(ids)) if !ids.is_empty() => ids,
        Ok(_) => {
            return error(
                rid,
                "MissingParameter",
                "The parameter `CertificateIds` is missing.",
            )
            .into()
        }
        Err(m) => return error(rid, "InvalidParameter", &m).into(),
    };
    if ids.len() > 100 {
        return error(
            rid,
            "InvalidParameter.CertificateIdNumberLimit",
            "At most 100 certificate ids per call.",
        )
        .into();
    }
    let is_async = body.get("IsSync").and_then(Value::as_bool).unwrap_or(false);
    let (mut success, mut fail, mut tasks, mut deleted) = (vec![], vec![], vec![], vec![]);
    for id in ids {
        let cert = state.store().get(Kind::TencentSsl, &id).cloned();
        match cert {
            None => fail.push(json!({"CertId": id, "Msg": "The certificate does not exist."})),
            Some(cert) if is_async => {
                let task = new_task(state, &cert);
                tasks.push(json!({"CertId": id, "TaskId": task}));
            }
            Some(cert) if cert.in_use => fail.push(json!({
                "CertId": id,
                "Msg": "The certificate is associated with a Tencent Cloud resource and cannot be deleted."
            })),
            Some(_) => {
                state.store().remove(Kind::TencentSsl, &id);
                success.push(json!(id));
                deleted.push(id);
            }
        }
    }
    Handled::deleted(
        ok(
            rid,
            json!({"Success": success, "Fail": fail, "CertTaskIds": tasks}),
        ),
        deleted,
    )
}

fn poll(state: &State, body: &Value, rid: &str) -> Handled {
    let ids = match string_array(body, "TaskIds") {
        Ok(Some(ids)) if !ids.is_empty() => ids,
        Ok(_) => {
            return error(
                rid,
                "MissingParameter",
                "The parameter `TaskIds` is missing.",
            )
            .into()
        }
        Err(m) => return error(rid, "InvalidParameter", &m).into(),
    };
    if ids.len() > 100 {
        return error(rid, "InvalidParameter", "At most 100 task ids per call.").into();
    }
    let mut deleted = vec![];
    let now = state.now();
    let mut store = state.store();
    let mut results = vec![];
    for id in ids {
        let Some(i) = store.tasks.iter().position(|t| t.task_id == id) else {
            continue;
        };
        if store.tasks[i].status.is_none() {
            if store.tasks[i].polls_left > 0 {
                store.tasks[i].polls_left -= 1;
            } else {
                let cert_id = store.tasks[i].cert_id.clone();
                let in_use = store
                    .get(Kind::TencentSsl, &cert_id)
                    .is_some_and(|c| c.in_use);
                let status = if in_use {
                    4
                } else {
                    if store.remove(Kind::TencentSsl, &cert_id).is_some() {
                        deleted.push(cert_id);
                    }
                    1
                };
                store.tasks[i].status = Some(status);
            }
        }
        let t = &store.tasks[i];
        let status = t.status.unwrap_or(0);
        results.push(json!({
            "TaskId": t.task_id,
            "CertId": t.cert_id,
            "Status": status,
            "Error": if status == 4 { json!("The certificate is still bound to cloud resources.") } else { Value::Null },
            "CacheTime": beijing(now, TIME),
            "Domains": if status == 4 { json!(t.domains) } else { json!([]) },
        }));
    }
    Handled::deleted(ok(rid, json!({ "DeleteTaskResult": results })), deleted)
}

/// Tencent's integer status: the seed's, else 1 (issued) or 3 (expired).
pub fn status(cert: &Cert, now: DateTime<Utc>) -> i64 {
    match cert.status.as_ref().and_then(Value::as_i64) {
        Some(s) => s,
        None if cert.expired_at(now) => 3,
        None => 1,
    }
}

fn status_name(status: i64) -> &'static str {
    match status {
        0 => "Reviewing",
        1 => "Issued",
        2 => "Review failed",
        3 => "Expired",
        4 => "DNS record added",
        7 => "Cancelled",
        10 => "Revoked",
        _ => "Other",
    }
}

fn item(cert: &Cert, now: DateTime<Utc>) -> Value {
    let status = status(cert, now);
    let expiring = !cert.expired_at(now) && cert.not_after - now < Days::days(30);
    let mut v = json!({
        "CertificateId": cert.id,
        "Alias": cert.name,
        "Domain": cert.primary(),
        "SubjectAltName": cert.domains,
        "CertSANs": cert.domains,
        "CertBeginTime": beijing(cert.not_before, TIME),
        "CertEndTime": beijing(cert.not_after, TIME),
        "InsertTime": beijing(cert.not_before, TIME),
        "Status": status,
        "StatusName": status_name(status),
        "StatusMsg": Value::Null,
        "From": "upload",
        "CertificateType": "SVR",
        "ProductZhName": "",
        "ProjectId": "0",
        "OwnerUin": "100000000001",
        "IsExpiring": expiring,
        "IsWildcard": cert.domains.iter().any(|d| d.starts_with("*.")),
        "Deployable": true,
        "ValidityPeriod": "12",
        "Tags": [],
    });
    super::apply_overrides(&mut v, cert);
    v
}

fn list(state: &State, body: &Value, rid: &str) -> Out {
    let int = |key: &str, default: i64| -> Result<i64, Out> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(v) => v.as_i64().filter(|n| *n >= 0).ok_or_else(|| {
                error(
                    rid,
                    "InvalidParameter",
                    &format!("{key} must be a non-negative integer."),
                )
            }),
        }
    };
    let offset = match int("Offset", 0) {
        Ok(n) => n as usize,
        Err(out) => return out,
    };
    let limit = match int("Limit", 10) {
        Ok(n) => n.min(1000) as usize,
        Err(out) => return out,
    };
    let search = body
        .get("SearchKey")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase();
    let statuses: Option<Vec<i64>> = body
        .get("CertificateStatus")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_i64).collect());
    let cert_ids = match string_array(body, "CertIds") {
        Ok(ids) => ids,
        Err(m) => return error(rid, "InvalidParameter", &m),
    };
    let expiring_only = body.get("FilterExpiring").and_then(Value::as_i64) == Some(1);
    let sort = match body.get("ExpirationSort").and_then(Value::as_str) {
        None => None,
        Some("ASC") => Some(false),
        Some("DESC") => Some(true),
        Some(_) => {
            return error(
                rid,
                "InvalidParameter",
                "ExpirationSort must be ASC or DESC.",
            )
        }
    };
    let now = state.now();
    let store = state.store();
    let mut certs: Vec<&Cert> = store
        .certs(Kind::TencentSsl)
        .iter()
        .filter(|c| {
            search.is_empty()
                || c.id.to_lowercase().contains(&search)
                || c.name.to_lowercase().contains(&search)
                || c.domains.iter().any(|d| d.to_lowercase().contains(&search))
        })
        .filter(|c| {
            statuses
                .as_ref()
                .is_none_or(|s| s.is_empty() || s.contains(&status(c, now)))
        })
        .filter(|c| cert_ids.as_ref().is_none_or(|ids| ids.contains(&c.id)))
        .filter(|c| !expiring_only || (!c.expired_at(now) && c.not_after - now < Days::days(30)))
        .collect();
    if let Some(desc) = sort {
        // Stable: ties keep insertion order.
        certs.sort_by(|a, b| {
            let o = a.not_after.cmp(&b.not_after);
            if desc {
                o.reverse()
            } else {
                o
            }
        });
    }
    let total = certs.len();
    let page: Vec<Value> = certs
        .iter()
        .skip(offset)
        .take(limit)
        .map(|c| item(c, now))
        .collect();
    ok(rid, json!({"TotalCount": total, "Certificates": page}))
}

/// tencent-ssl as a [`crate::product::FakeProduct`].
pub struct Tencent;

impl crate::product::FakeProduct for Tencent {
    fn route(&self, inc: &Incoming) -> Option<Call> {
        route(inc)
    }

    fn authenticate(
        &self,
        state: &State,
        inc: &Incoming,
        _call: &Call,
        rid: &str,
    ) -> Result<(), Out> {
        auth(state, inc, rid)
    }

    fn handle(&self, state: &State, inc: &Incoming, call: &Call, rid: &str) -> Handled {
        handle(state, inc, call, rid)
    }

    fn internal_error(&self, _state: &State, _call: &Call, rid: &str) -> Out {
        internal_error(rid)
    }

    fn throttled(&self, _state: &State, _call: &Call, rid: &str, _quota: Quota) -> Out {
        throttled(rid)
    }
}
