//! alibaba-slb and alibaba-cas on the fake: RPC calls with `x-acs-action`, the product chosen
//! by `x-acs-version` (2014-05-15 SLB, 2020-04-07 CAS), parameters in the query (or a form
//! body).
//!
//! - Auth: `ACS3-HMAC-SHA256` ([`verify::acs3`]), `x-acs-date` within 15 minutes
//!   (`InvalidTimeStamp.Expired`), nonce never reused (`SignatureNonceUsed`), else 400
//!   `SignatureDoesNotMatch` (its message echoes the server's string to sign, as Alibaba's
//!   does), 404 `InvalidAccessKeyId.NotFound`, 400 `IncompleteSignature`. Error bodies:
//!   `{"RequestId","HostId","Code","Message","Recommend"}`.
//! - SLB `DeleteServerCertificate(RegionId, ServerCertificateId)`: `{"RequestId"}`; unknown id
//!   (or an id in another region) 400 `ServerCertificateId.NotFound`; in use 400
//!   `CertificateAndPrivateKeyIsRefered`. `DescribeServerCertificates(RegionId)`: everything in
//!   the region, no paging, wrapper objects, ISO 8601 UTC + epoch-ms twins.
//! - CAS `DeleteCertificateRequest(OrderId)`: `kind:"order"` entries only; unknown 404
//!   `NotFoundOrder`; in use, or a status other than `CHECKED_FAIL`/`NOTACTIVATED`/`PAYED`,
//!   403 `OrderStateError`. `DeleteUserCertificate(CertId)`: `kind:"certificate"` entries
//!   only; unknown 404 `NotFound` and in use 400 `CertificateInUse` — both codes UNCONFIRMED
//!   (the API page documents none). `ListUserCertificateOrder`: `OrderType`, `Status`,
//!   `Keyword`, `CurrentPage`/`ShowSize` (default 50), `TotalCount`.
//! - Throttling: 400 `Throttling.User`, with `x-acs-retry-after` when configured.

use super::store::{CasKind, Cert};
use super::verify::{self, AuthError};
use super::Quota;
use super::{beijing, Call, Handled, Incoming, Out, State};
use certdel::provider::Kind;
use chrono::{DateTime, Duration as Days, Utc};
use serde_json::{json, Value};
use std::time::Duration;

pub const SLB_VERSION: &str = "2014-05-15";
pub const CAS_VERSION: &str = "2020-04-07";
/// STS (`GetCallerIdentity`), served on the same port. The account is shared by SLB and CAS;
/// its calls are logged and metered as alibaba-slb's.
pub const STS_VERSION: &str = "2015-04-01";
const TOLERANCE: Duration = Duration::from_secs(15 * 60);
const CONTENT_TYPE: &str = "application/json;charset=utf-8";

/// Query parameters, plus form-body parameters when the body is a form.
fn params(inc: &Incoming) -> Vec<(String, String)> {
    let mut p = inc.query();
    let form = inc
        .header("content-type")
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if form && !inc.body.is_empty() {
        let body = String::from_utf8_lossy(&inc.body).replace('+', "%20");
        p.extend(certdel::wire::parse_target(&format!("/?{body}")).1);
    }
    p
}

fn param(p: &[(String, String)], key: &str) -> Option<String> {
    p.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

pub fn route(inc: &Incoming) -> Option<Call> {
    let action = inc.header("x-acs-action")?.to_string();
    let kind = match inc.header("x-acs-version")? {
        SLB_VERSION | STS_VERSION => Kind::AlibabaSlb,
        CAS_VERSION => Kind::AlibabaCas,
        _ => return None,
    };
    let id_param = match action.as_str() {
        "DeleteServerCertificate" => "ServerCertificateId",
        "DeleteCertificateRequest" => "OrderId",
        "DeleteUserCertificate" => "CertId",
        _ => "",
    };
    let id = param(&params(inc), id_param);
    Some(Call::new(kind, &action, id))
}

fn host_id(kind: Kind) -> &'static str {
    match kind {
        Kind::AlibabaCas => "cas.aliyuncs.com",
        _ => "slb.aliyuncs.com",
    }
}

fn error(kind: Kind, status: u16, rid: &str, code: &str, message: &str) -> Out {
    let product = if kind == Kind::AlibabaCas {
        "cas"
    } else {
        "Slb"
    };
    Out::json(
        status,
        CONTENT_TYPE,
        &json!({
            "RequestId": rid,
            "HostId": host_id(kind),
            "Code": code,
            "Message": message,
            "Recommend": format!("https://api.aliyun.com/troubleshoot?q={code}&product={product}&requestId={rid}"),
        }),
    )
    .header("x-acs-request-id", rid)
    .code(code)
}

fn ok(rid: &str, mut body: Value) -> Out {
    body["RequestId"] = json!(rid);
    Out::json(200, CONTENT_TYPE, &body).header("x-acs-request-id", rid)
}

pub fn auth(state: &State, inc: &Incoming, call: &Call, rid: &str) -> Result<(), Out> {
    let kind = call.kind;
    let keys = state.keys(kind);
    let verified = verify::acs3(inc, keys, state.now(), state.tolerance(TOLERANCE)).map_err(|e| match e {
        AuthError::Missing(m) if m.contains("x-acs-date") => error(
            kind,
            400,
            rid,
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        ),
        AuthError::Missing(m) => error(
            kind,
            400,
            rid,
            "IncompleteSignature",
            &format!("The request signature does not conform to Aliyun standards: {m}"),
        ),
        AuthError::UnknownKey(_) => error(kind, 404, rid, "InvalidAccessKeyId.NotFound", "Specified access key is not found."),
        AuthError::Stale { .. } => error(kind, 400, rid, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."),
        AuthError::Token => error(
            kind,
            400,
            rid,
            "InvalidSecurityToken.MismatchWithAccessKey",
            "Specified security token does not match the access key.",
        ),
        AuthError::BodyHash => error(
            kind,
            400,
            rid,
            "SignatureDoesNotMatch",
            "Specified signature does not match our calculation: x-acs-content-sha256 is not the body's hash.",
        ),
        AuthError::Mismatch { string_to_sign } => error(
            kind,
            400,
            rid,
            "SignatureDoesNotMatch",
            &format!(
                "Specified signature does not match our calculation. server string to sign is:{}",
                string_to_sign.replace('\n', "\\n")
            ),
        ),
    })?;
    if !state.fresh_nonce(&verified.nonce) {
        return Err(error(
            kind,
            400,
            rid,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ));
    }
    Ok(())
}

pub fn internal_error(kind: Kind, rid: &str) -> Out {
    error(
        kind,
        500,
        rid,
        "InternalError",
        "The request processing has failed due to some unknown error, exception or failure.",
    )
}

pub fn throttled(kind: Kind, rid: &str, retry_after: Option<u32>) -> Out {
    let out = error(
        kind,
        400,
        rid,
        "Throttling.User",
        "Request was denied due to user flow control.",
    );
    match retry_after {
        Some(s) => out.header("x-acs-retry-after", s.to_string()),
        None => out,
    }
}

pub fn handle(state: &State, inc: &Incoming, call: &Call, rid: &str) -> Handled {
    let p = params(inc);
    if inc.header("x-acs-version") == Some(STS_VERSION) {
        return match call.action.as_str() {
            "GetCallerIdentity" => caller_identity(state, rid).into(),
            _ => error(
                call.kind,
                404,
                rid,
                "InvalidAction.NotFound",
                "Specified api is not found, please check your url and method.",
            )
            .into(),
        };
    }
    match (call.kind, call.action.as_str()) {
        (Kind::AlibabaSlb, "DeleteServerCertificate") => slb_delete(state, &p, rid),
        (Kind::AlibabaSlb, "DescribeServerCertificates") => slb_list(state, &p, rid).into(),
        (Kind::AlibabaCas, "DeleteCertificateRequest") => {
            cas_delete(state, &p, rid, CasKind::Order)
        }
        (Kind::AlibabaCas, "DeleteUserCertificate") => {
            cas_delete(state, &p, rid, CasKind::Certificate)
        }
        (Kind::AlibabaCas, "ListUserCertificateOrder") => cas_list(state, &p, rid).into(),
        (kind, _) => error(
            kind,
            404,
            rid,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        )
        .into(),
    }
}

/// STS `GetCallerIdentity`: the account's key as the account itself (`IdentityType`
/// `Account`; the reference's example shows a `RAMUser`).
fn caller_identity(state: &State, rid: &str) -> Out {
    let account = state
        .keys(Kind::AlibabaSlb)
        .map(|k| k.account())
        .unwrap_or_default();
    ok(
        rid,
        json!({
            "AccountId": account,
            "UserId": account,
            "PrincipalId": account,
            "Arn": format!("acs:ram::{account}:root"),
            "IdentityType": "Account",
        }),
    )
}

fn missing(kind: Kind, rid: &str, name: &str) -> Out {
    error(
        kind,
        400,
        rid,
        &format!("Missing{name}"),
        &format!("{name} is mandatory for this action."),
    )
}

fn slb_delete(state: &State, p: &[(String, String)], rid: &str) -> Handled {
    let k = Kind::AlibabaSlb;
    let Some(region) = param(p, "RegionId") else {
        return missing(k, rid, "RegionId").into();
    };
    let Some(id) = param(p, "ServerCertificateId") else {
        return missing(k, rid, "ServerCertificateId").into();
    };
    let mut store = state.store();
    let in_region = |c: &Cert| c.id == id && c.region.as_deref() == Some(region.as_str());
    let Some(cert) = store.certs(k).iter().find(|c| in_region(c)) else {
        return error(
            k,
            400,
            rid,
            "ServerCertificateId.NotFound",
            "The specified ServerCertificateId does not exist.",
        )
        .into();
    };
    if let Some(out) = super::cert_fault(cert, || internal_error(k, rid)) {
        return out;
    }
    if cert.in_use {
        return error(
            k,
            400,
            rid,
            "CertificateAndPrivateKeyIsRefered",
            "The specified certificate is bound to listeners. You cannot delete it.",
        )
        .into();
    }
    store.remove_where(k, in_region);
    Handled::deleted(ok(rid, json!({})), vec![id])
}

fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A stable fake fingerprint (colon-separated hex) derived from the id.
fn fingerprint(id: &str) -> String {
    let h = certdel::sign::sha256_hex(id.as_bytes());
    h.as_bytes()[..40]
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(":")
}

fn slb_list(state: &State, p: &[(String, String)], rid: &str) -> Out {
    let k = Kind::AlibabaSlb;
    let Some(region) = param(p, "RegionId") else {
        return missing(k, rid, "RegionId");
    };
    let only: Option<Vec<String>> =
        param(p, "ServerCertificateId").map(|s| s.split(',').map(str::to_string).collect());
    let store = state.store();
    let items: Vec<Value> = store
        .certs(k)
        .iter()
        .filter(|c| c.region.as_deref() == Some(region.as_str()))
        .filter(|c| only.as_ref().is_none_or(|ids| ids.contains(&c.id)))
        .map(|c| {
            let mut v = json!({
                "ServerCertificateId": c.id,
                "ServerCertificateName": c.name,
                "CommonName": c.primary(),
                "SubjectAlternativeNames": {"SubjectAlternativeName": c.domains.iter().skip(1).collect::<Vec<_>>()},
                "ExpireTime": iso(c.not_after),
                "ExpireTimeStamp": c.not_after.timestamp_millis(),
                "CreateTime": iso(c.not_before),
                "CreateTimeStamp": c.not_before.timestamp_millis(),
                "Fingerprint": fingerprint(&c.id),
                "IsAliCloudCertificate": 0,
                "AliCloudCertificateId": "",
                "AliCloudCertificateName": "",
                "RegionId": region,
                "ResourceGroupId": "rg-acfmfake0000001",
                "Tags": {"Tag": []},
            });
            super::apply_overrides(&mut v, c);
            v
        })
        .collect();
    ok(
        rid,
        json!({"ServerCertificates": {"ServerCertificate": items}}),
    )
}

/// `ListUserCertificateOrder` statuses documented as valid with `OrderType` CPACK/BUY only.
const ORDER_ONLY_STATUSES: [&str; 5] = [
    "PAYED",
    "CHECKING",
    "CHECKED_FAIL",
    "NOTACTIVATED",
    "REVOKED",
];

/// Order statuses `DeleteCertificateRequest` accepts: review failed, or not yet applied for.
const DELETABLE_ORDER: [&str; 3] = ["CHECKED_FAIL", "NOTACTIVATED", "PAYED"];

fn cas_status(c: &Cert, now: DateTime<Utc>) -> String {
    match c.status_str() {
        Some(s) => s.to_string(),
        None if c.expired_at(now) => "EXPIRED".into(),
        None if c.not_after - now < Days::days(30) => "WILLEXPIRED".into(),
        None => "ISSUED".into(),
    }
}

fn cas_delete(state: &State, p: &[(String, String)], rid: &str, kind: CasKind) -> Handled {
    let k = Kind::AlibabaCas;
    let name = if kind == CasKind::Order {
        "OrderId"
    } else {
        "CertId"
    };
    let Some(id) = param(p, name) else {
        return missing(k, rid, name).into();
    };
    if id.parse::<i64>().is_err() {
        return error(
            k,
            400,
            rid,
            "InvalidParameter",
            &format!("The specified parameter {name} is not valid."),
        )
        .into();
    }
    let now = state.now();
    let mut store = state.store();
    let Some(cert) = store.get_cas(kind, &id) else {
        return match kind {
            CasKind::Order => error(k, 404, rid, "NotFoundOrder", "The order does not exist."),
            CasKind::Certificate => {
                error(k, 404, rid, "NotFound", "The certificate does not exist.")
            }
        }
        .into();
    };
    if let Some(out) = super::cert_fault(cert, || internal_error(k, rid)) {
        return out;
    }
    match kind {
        CasKind::Order
            if cert.in_use || !DELETABLE_ORDER.contains(&cas_status(cert, now).as_str()) =>
        {
            return error(
                k,
                403,
                rid,
                "OrderStateError",
                "The order state does not allow this operation.",
            )
            .into()
        }
        CasKind::Certificate if cert.in_use => {
            return error(
                k,
                400,
                rid,
                "CertificateInUse",
                "The certificate is deployed to cloud resources and cannot be deleted.",
            )
            .into()
        }
        _ => {}
    }
    store.remove_where(k, |c| c.id == id && c.kind == Some(kind));
    Handled::deleted(ok(rid, json!({})), vec![id])
}

fn cas_list(state: &State, p: &[(String, String)], rid: &str) -> Out {
    let k = Kind::AlibabaCas;
    let order_type = param(p, "OrderType").unwrap_or_else(|| "CPACK".into());
    if !["CPACK", "BUY", "UPLOAD", "CERT"].contains(&order_type.as_str()) {
        return error(
            k,
            400,
            rid,
            "InvalidParameter",
            "The specified parameter OrderType is not valid.",
        );
    }
    let page_param = |key: &str, default: usize| -> Result<usize, Out> {
        match param(p, key) {
            None => Ok(default),
            Some(v) => v.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                error(
                    k,
                    400,
                    rid,
                    "InvalidParameter",
                    &format!("The specified parameter {key} is not valid."),
                )
            }),
        }
    };
    let (page, size) = match (page_param("CurrentPage", 1), page_param("ShowSize", 50)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(o), _) | (_, Err(o)) => return o,
    };
    let status = param(p, "Status");
    let keyword = param(p, "Keyword").unwrap_or_default().to_lowercase();
    let certs_wanted = matches!(order_type.as_str(), "CERT" | "UPLOAD");
    // The reference: PAYED, CHECKING, CHECKED_FAIL, NOTACTIVATED and REVOKED are valid only
    // with OrderType CPACK or BUY. The real service's answer to them is not documented; the
    // fake refuses them, so a client sending one notices.
    if let Some(s) = status.as_deref().filter(|_| certs_wanted) {
        if ORDER_ONLY_STATUSES.contains(&s) {
            return error(
                k,
                400,
                rid,
                "InvalidParameter",
                &format!(
                    "The specified parameter Status {s} is not valid with OrderType {order_type}."
                ),
            );
        }
    }
    let now = state.now();
    let store = state.store();
    let items: Vec<Value> = store
        .certs(k)
        .iter()
        .filter(|c| (c.kind == Some(CasKind::Certificate)) == certs_wanted)
        .filter(|c| {
            keyword.is_empty()
                || c.id.contains(&keyword)
                || c.name.to_lowercase().contains(&keyword)
                || c.domains
                    .iter()
                    .any(|d| d.to_lowercase().contains(&keyword))
        })
        .filter(|c| {
            let s = cas_status(c, now);
            match &status {
                Some(want) => &s == want,
                // CERT/UPLOAD without Status: only valid certificates; orders: all.
                None if certs_wanted => s == "ISSUED" || s == "WILLEXPIRED",
                None => true,
            }
        })
        .map(|c| {
            if certs_wanted {
                cert_item(c, now)
            } else {
                order_item(c, now)
            }
        })
        .filter(|v| match order_type.as_str() {
            "UPLOAD" => v["Upload"] == json!(true),
            "CPACK" => v["SourceType"] == json!("cpack"),
            "BUY" => v["SourceType"] == json!("buy"),
            _ => true,
        })
        .collect();
    let total = items.len();
    let list: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * size)
        .take(size)
        .collect();
    ok(
        rid,
        json!({"TotalCount": total, "CurrentPage": page, "ShowSize": size, "CertificateOrderList": list}),
    )
}

fn int_id(id: &str) -> Value {
    id.parse::<i64>()
        .map(Value::from)
        .unwrap_or_else(|_| json!(id))
}

fn cert_item(c: &Cert, now: DateTime<Utc>) -> Value {
    let mut v = json!({
        "CertificateId": int_id(&c.id),
        "Name": c.name,
        "CommonName": c.primary(),
        "Sans": c.domains.join(","),
        "StartDate": beijing(c.not_before, "%Y-%m-%d"),
        "EndDate": beijing(c.not_after, "%Y-%m-%d"),
        "Expired": c.expired_at(now),
        "Upload": true,
        "Issuer": "DigiCert",
        "Fingerprint": fingerprint(&c.id).replace(':', ""),
        "Sha2": certdel::sign::sha256_hex(c.id.as_bytes()),
        "SerialNo": format!("0{}", &certdel::sign::sha256_hex(c.id.as_bytes())[..31]),
        "OrgName": "",
        "Country": "CN",
        "Province": "Zhejiang",
        "City": "Hangzhou",
        "ResourceGroupId": "rg-acfmfake0000001",
        "InstanceId": format!("cas-upload-{}", c.id),
    });
    super::apply_overrides(&mut v, c);
    v
}

fn order_item(c: &Cert, now: DateTime<Utc>) -> Value {
    let wild = c.domains.iter().filter(|d| d.starts_with("*.")).count();
    let mut v = json!({
        "OrderId": int_id(&c.id),
        "InstanceId": format!("cas-ivauto-{}", c.id),
        "Domain": c.primary(),
        "DomainCount": c.domains.len() - wild,
        "WildDomainCount": wild,
        "DomainType": if wild > 0 { "WILDCARD" } else { "ONE" },
        "CertType": "DV",
        "Status": cas_status(c, now),
        "CertStartTime": c.not_before.timestamp_millis(),
        "CertEndTime": c.not_after.timestamp_millis(),
        "BuyDate": c.not_before.timestamp_millis(),
        "ProductCode": "digicert-free-1-free",
        "ProductName": "DigiCert DV SSL",
        "RootBrand": "DigiCert",
        "Algorithm": "RSA",
        "SourceType": "cpack",
        "TrusteeStatus": "unTrustee",
        "AliyunOrderId": int_id(&c.id),
        "PartnerOrderId": "",
    });
    super::apply_overrides(&mut v, c);
    v
}

/// alibaba-slb and alibaba-cas as a [`crate::product::FakeProduct`].
pub struct Alibaba;

impl crate::product::FakeProduct for Alibaba {
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
        internal_error(call.kind, rid)
    }

    fn throttled(&self, state: &State, call: &Call, rid: &str, _quota: Quota) -> Out {
        throttled(call.kind, rid, state.config.retry_after)
    }
}
