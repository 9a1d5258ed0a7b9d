//! volcengine-live on the fake: `POST /?Action=…&Version=2023-01-01`, JSON body.
//!
//! - Auth: Volcengine `HMAC-SHA256` ([`verify::volc`]) with scope `cn-north-1/live`;
//!   `X-Content-Sha256` must equal the body's hash. `X-Date` must be within 15 minutes of the
//!   server clock: the real allowance is UNCONFIRMED. Failures: 401 `SignatureDoesNotMatch`
//!   (100010), 401 `InvalidAccessKey` (100009), 400 `InvalidTimestamp` (100006), 400
//!   `MissingRequestInfo` (100004), in `ResponseMetadata.Error` with `CodeN`.
//! - The request id is spelled `RequestID` in the product's own answers (as the Live doc's
//!   DeleteCert example) and `RequestId` in the gateway's (auth, throttling, unknown action),
//!   as the common docs spell it: clients must accept both.
//! - `DeleteCert {"ChainID"}`: 200 with `ResponseMetadata` only; unknown id 404
//!   `ResourceNotFound`; in use: no documented code — the fake answers 400 `InvalidParam`
//!   saying the certificate is bound to a domain (UNCONFIRMED).
//! - `ListCertV2`: `Available` (default true) and `Expiring` (default false) filter exactly as
//!   documented: with the defaults only valid (non-expired) certificates come back, so a client
//!   that does not send `Expiring:true` never sees expired ones. Every certificate here is
//!   "available", so `Available:false` returns none. `PageNum`/`PageSize`: all data when both
//!   are omitted, else page `PageNum` (default 1) of `PageSize` (default 10). Times RFC 3339
//!   UTC; `Status` `OK`/`30days`/`15days`/`7days`/`1days`/`Expire`.

use super::store::Cert;
use super::verify::{self, AuthError};
use super::Quota;
use super::{Call, Handled, Incoming, Out, State};
use certdel::provider::Kind;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use std::time::Duration;

pub const VERSION: &str = "2023-01-01";
/// STS, whose `GetCallerIdentity` the fake serves on the same port (scope `cn-north-1/sts`).
pub const STS_VERSION: &str = "2018-01-01";
pub const STS_IDENTITY: &str = "GetCallerIdentity";
const TOLERANCE: Duration = Duration::from_secs(15 * 60);
const CONTENT_TYPE: &str = "application/json; charset=utf-8";

pub fn route(inc: &Incoming) -> Option<Call> {
    let q = inc.query();
    let get = |k: &str| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let action = get("Action")?;
    if action == STS_IDENTITY && get("Version").as_deref() == Some(STS_VERSION) {
        return Some(Call::new(Kind::VolcengineLive, STS_IDENTITY, None));
    }
    if get("Version").as_deref() != Some(VERSION) {
        return None;
    }
    let id = match action.as_str() {
        "DeleteCert" => serde_json::from_slice::<Value>(&inc.body)
            .ok()
            .and_then(|v| v.get("ChainID")?.as_str().map(str::to_string)),
        _ => None,
    };
    Some(Call::new(Kind::VolcengineLive, &action, id))
}

fn metadata(rid: &str, id_key: &str, action: &str) -> Value {
    json!({
        id_key: rid,
        "Action": action,
        "Version": VERSION,
        "Service": "live",
        "Region": "cn-north-1",
    })
}

/// An error answer; `gateway` errors spell `RequestId`, product errors `RequestID`.
fn error(
    status: u16,
    rid: &str,
    action: &str,
    code: &str,
    code_n: Option<u32>,
    message: &str,
    gateway: bool,
) -> Out {
    let mut meta = metadata(rid, if gateway { "RequestId" } else { "RequestID" }, action);
    let mut err = json!({"Code": code, "Message": message});
    if let Some(n) = code_n {
        err["CodeN"] = json!(n);
    }
    meta["Error"] = err;
    Out::json(status, CONTENT_TYPE, &json!({ "ResponseMetadata": meta })).code(code)
}

pub fn auth(state: &State, inc: &Incoming, call: &Call, rid: &str) -> Result<(), Out> {
    let keys = state.keys(Kind::VolcengineLive);
    let a = call.action.as_str();
    let service = if a == STS_IDENTITY { "sts" } else { "live" };
    verify::volc_for(inc, keys, state.now(), state.tolerance(TOLERANCE), service)
        .map(|_| ())
        .map_err(|e| match e {
            AuthError::Missing(m) => {
                error(400, rid, a, "MissingRequestInfo", Some(100004), &m, true)
            }
            AuthError::UnknownKey(_) => error(
                401,
                rid,
                a,
                "InvalidAccessKey",
                Some(100009),
                "The request AccessKey is invalid.",
                true,
            ),
            AuthError::Stale { .. } => error(
                400,
                rid,
                a,
                "InvalidTimestamp",
                Some(100006),
                "The request timestamp is invalid: expired or from the future.",
                true,
            ),
            AuthError::BodyHash => error(
                401,
                rid,
                a,
                "SignatureDoesNotMatch",
                Some(100010),
                "X-Content-Sha256 does not match the request body.",
                true,
            ),
            // No documented code for a bad session token: the temporary key pair is
            // unusable, so the fake answers as for an invalid key (UNCONFIRMED).
            AuthError::Token => error(
                401,
                rid,
                a,
                "InvalidAccessKey",
                Some(100009),
                "The request AccessKey is invalid: the security token does not match.",
                true,
            ),
            AuthError::Mismatch { .. } => error(
                401,
                rid,
                a,
                "SignatureDoesNotMatch",
                Some(100010),
                "The request signature we calculated does not match the signature you provided.",
                true,
            ),
        })
}

pub fn internal_error(rid: &str, action: &str) -> Out {
    error(
        500,
        rid,
        action,
        "InternalError",
        None,
        "Internal error.",
        false,
    )
}

pub fn throttled(rid: &str, action: &str) -> Out {
    // The code string is UNCONFIRMED (third-party code only); HTTP 429 is documented.
    error(
        429,
        rid,
        action,
        "FlowLimitExceeded",
        Some(100018),
        "Flow limit exceeded, please try again later.",
        true,
    )
}

pub fn handle(state: &State, inc: &Incoming, call: &Call, rid: &str) -> Handled {
    let a = call.action.as_str();
    let body: Value = if inc.body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&inc.body) {
            Ok(v @ Value::Object(_)) => v,
            _ => {
                return error(
                    400,
                    rid,
                    a,
                    "InvalidParam.BindError",
                    None,
                    "The request body is not a JSON object.",
                    false,
                )
                .into()
            }
        }
    };
    match a {
        STS_IDENTITY => caller_identity(state, rid).into(),
        "DeleteCert" => delete(state, &body, rid),
        "ListCertV2" => list(state, &body, rid).into(),
        _ => error(
            404,
            rid,
            a,
            "InvalidActionOrVersion",
            Some(100008),
            &format!("Could not find operation {a} for version {VERSION}"),
            true,
        )
        .into(),
    }
}

/// STS `GetCallerIdentity`: the account's key as the account itself (`AccountId` an integer,
/// as the reference's example and the SDK model have it, when the id is digits).
fn caller_identity(state: &State, rid: &str) -> Out {
    let account = state
        .keys(Kind::VolcengineLive)
        .map(|k| k.account())
        .unwrap_or_default();
    let id = account
        .parse::<u64>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::from(account.clone()));
    let mut meta = metadata(rid, "RequestId", STS_IDENTITY);
    meta["Version"] = json!(STS_VERSION);
    meta["Service"] = json!("sts");
    Out::json(
        200,
        CONTENT_TYPE,
        &json!({
            "ResponseMetadata": meta,
            "Result": {
                "AccountId": id,
                "Trn": format!("trn:iam::{account}:root"),
                "IdentityType": "Account",
                "IdentityId": account,
            },
        }),
    )
}

fn delete(state: &State, body: &Value, rid: &str) -> Handled {
    const A: &str = "DeleteCert";
    let Some(id) = body
        .get("ChainID")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        return error(
            400,
            rid,
            A,
            "InvalidParam",
            None,
            "ChainID is required.",
            false,
        )
        .into();
    };
    let mut store = state.store();
    let Some(cert) = store.get(Kind::VolcengineLive, id) else {
        return error(
            404,
            rid,
            A,
            "ResourceNotFound",
            None,
            "The certificate does not exist.",
            false,
        )
        .into();
    };
    if let Some(out) = super::cert_fault(cert, || internal_error(rid, A)) {
        return out;
    }
    if cert.in_use {
        return error(
            400,
            rid,
            A,
            "InvalidParam",
            None,
            "The certificate is bound to a domain; unbind it before deleting it.",
            false,
        )
        .into();
    }
    store.remove(Kind::VolcengineLive, id);
    Handled::deleted(
        Out::json(
            200,
            CONTENT_TYPE,
            &json!({ "ResponseMetadata": metadata(rid, "RequestID", A) }),
        ),
        vec![id.to_string()],
    )
}

pub fn status(cert: &Cert, now: DateTime<Utc>) -> String {
    if let Some(s) = cert.status_str() {
        return s.to_string();
    }
    let left = (cert.not_after - now).num_seconds();
    let day = 86_400;
    match left {
        l if l <= 0 => "Expire",
        l if l <= day => "1days",
        l if l <= 7 * day => "7days",
        l if l <= 15 * day => "15days",
        l if l <= 30 * day => "30days",
        _ => "OK",
    }
    .to_string()
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn item(cert: &Cert, now: DateTime<Utc>) -> Value {
    let mut v = json!({
        "ChainID": cert.id,
        "CertID": format!("cert-{}", &certdel::sign::sha256_hex(cert.id.as_bytes())[..24]),
        "ChainIDVolc": "",
        "CertName": cert.name,
        "CertDomainList": cert.domains,
        "NotBefore": rfc3339(cert.not_before),
        "NotAfter": rfc3339(cert.not_after),
        "CreateTime": rfc3339(cert.not_before),
        "Status": status(cert, now),
        "ProjectName": "default",
    });
    super::apply_overrides(&mut v, cert);
    v
}

fn list(state: &State, body: &Value, rid: &str) -> Out {
    const A: &str = "ListCertV2";
    let boolean = |key: &str, default: bool| -> Result<bool, Out> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(error(
                400,
                rid,
                A,
                "InvalidParam",
                None,
                &format!("{key} must be a boolean."),
                false,
            )),
        }
    };
    let int = |key: &str| -> Result<Option<usize>, Out> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .filter(|n| *n >= 1)
                .map(|n| Some(n as usize))
                .ok_or_else(|| {
                    error(
                        400,
                        rid,
                        A,
                        "InvalidParam",
                        None,
                        &format!("{key} must be a positive integer."),
                        false,
                    )
                }),
        }
    };
    let (available, expiring) = match (boolean("Available", true), boolean("Expiring", false)) {
        (Ok(a), Ok(e)) => (a, e),
        (Err(o), _) | (_, Err(o)) => return o,
    };
    let (page_num, page_size) = match (int("PageNum"), int("PageSize")) {
        (Ok(n), Ok(s)) => (n, s),
        (Err(o), _) | (_, Err(o)) => return o,
    };
    let domain = body.get("Domain").and_then(Value::as_str).unwrap_or("");
    let name = body
        .get("CertName")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase();
    let now = state.now();
    let store = state.store();
    let certs: Vec<&Cert> = store
        .certs(Kind::VolcengineLive)
        .iter()
        // Every fake certificate is "available" (enabled).
        .filter(|_| available)
        .filter(|c| c.expired_at(now) == expiring)
        .filter(|c| domain.is_empty() || c.domains.iter().any(|d| d == domain))
        .filter(|c| name.is_empty() || c.name.to_lowercase().contains(&name))
        .collect();
    let total = certs.len();
    let page: Vec<Value> = match (page_num, page_size) {
        (None, None) => certs.iter().map(|c| item(c, now)).collect(),
        (n, s) => {
            let (n, s) = (n.unwrap_or(1), s.unwrap_or(10));
            certs
                .iter()
                .skip((n - 1) * s)
                .take(s)
                .map(|c| item(c, now))
                .collect()
        }
    };
    Out::json(
        200,
        CONTENT_TYPE,
        &json!({
            "ResponseMetadata": metadata(rid, "RequestID", A),
            "Result": {"CertList": page, "Total": total, "ExpirationInfo": {}},
        }),
    )
}

/// volcengine-live as a [`crate::product::FakeProduct`].
pub struct Volcengine;

impl crate::product::FakeProduct for Volcengine {
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

    fn internal_error(&self, _state: &State, call: &Call, rid: &str) -> Out {
        internal_error(rid, &call.action)
    }

    fn throttled(&self, _state: &State, call: &Call, rid: &str, _quota: Quota) -> Out {
        throttled(rid, &call.action)
    }
}
