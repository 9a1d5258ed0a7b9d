//! volcengine-live: Volcengine Live (视频直播) certificates, API version 2023-01-01.
//!
//! - Docs: Live "DeleteCert", "ListCertV2", "公共错误码", "返回结构", "签名方法"; SDK
//!   `volcengine` (`volcengine.live.v20230101`).
//! - Endpoint: `https://live.volcengineapi.com`; the signature scope is always region
//!   `cn-north-1`, service `live`.
//! - Delete: `POST /?Action=DeleteCert&Version=2023-01-01` with `{"ChainID": "<id>"}` — the
//!   certificate *chain* id, not `CertID`. Success has no `Result`.
//! - List: `POST /?Action=ListCertV2&Version=2023-01-01` with `{"Available","Expiring",
//!   "PageNum","PageSize"}` → `Result.CertList[]`, `Result.Total`. The defaults
//!   (`Available: true`, `Expiring: false`) return only enabled, unexpired certificates, so a
//!   plain call would hide exactly the ones worth deleting. **Strategy:** a plain `list`
//!   runs all four `Available` × `Expiring` combinations and merges them by `ChainID`;
//!   `--expired` (or an `--expires-before` already past) runs only the two `Expiring: true`
//!   ones. Each combination is paged (`PageSize` 100). The client-side filter still decides,
//!   so a certificate that expired a moment ago is judged by its `NotAfter`. A plain `--name`
//!   is sent as `CertName` (a keyword search) and a plain `--domain` as `Domain` (exact,
//!   lowercased).
//! - `CertDomainList` is, per the SDK model, "与证书绑定的域名列表" (the domains bound to the
//!   certificate). Whether that means the Live domains using it or the names it covers is
//!   not pinned down, so it gives the record's `domains` but no `in_use` (left unknown
//!   rather than guessed). `NotAfter` is RFC 3339 (UTC in current docs, `+08:00` in older
//!   ones).
//! - Errors in `ResponseMetadata.Error`, usually with 4xx/5xx but `CommonErr` comes with 200;
//!   the request id is spelled `RequestID` or `RequestId`.
//! - Quota: 10 requests/s per user.
//! - Signing: [`crate::sign::volc`].

use super::config::{self, Location, ProviderChoice, Specific};
use super::{
    count_field, id_field, malformed_list, str_array, str_field, text_field, Answer, Class, Kind,
    ListQuery, Page, Provider, Reply,
};
use crate::cert::{domain_list, Cert, Filter};
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::outcome::Status;
use crate::provider::ProviderSettings;
use crate::secret::Credentials;
use crate::sign::{volc, Stamp};
use crate::wire::Request;
use serde_json::{json, Value};

pub const DEFAULT_HOST: &str = "live.volcengineapi.com";
pub const VERSION: &str = "2023-01-01";
pub const SIGNING_REGION: &str = "cn-north-1";
pub const SERVICE: &str = "live";
/// ListCertV2 `PageSize`.
pub const PAGE_SIZE: u32 = 100;

pub fn default_endpoint() -> Endpoint {
    Endpoint::https(DEFAULT_HOST)
}

/// The credential variables of the Volcengine SDKs.
pub const CREDENTIAL_VARS: super::vendor::CredentialVars = (
    "VOLCENGINE_ACCESS_KEY",
    "VOLCENGINE_SECRET_KEY",
    "VOLCENGINE_SESSION_TOKEN",
);

/// volcengine-live's part of the settings: one host, and every request signed for
/// cn-north-1 (a region given is kept but changes nothing; the profiles' region is unused).
pub fn locate(choice: &ProviderChoice) -> Result<Location, Error> {
    let (region, _) = config::one_region(choice, None, "")?;
    let endpoint = choice.endpoint.clone().unwrap_or_else(default_endpoint);
    Ok(Location {
        region,
        endpoint,
        specific: Specific::Volcengine,
    })
}

pub struct VolcengineLive {
    endpoint: Endpoint,
    creds: Credentials,
}

impl VolcengineLive {
    pub fn new(settings: &ProviderSettings) -> Self {
        VolcengineLive {
            endpoint: settings.endpoint.clone(),
            creds: settings.credentials.clone(),
        }
    }

    /// A signed `POST /?Action=…&Version=2023-01-01` with this JSON body.
    pub fn request(&self, action: &str, body: &Value, stamp: &Stamp) -> Request {
        let mut req = Request::new("POST", &self.endpoint.scheme, &self.endpoint.host, "/")
            .query("Action", action)
            .query("Version", VERSION)
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(body).expect("a JSON value always serializes"));
        volc::sign(&req, &self.creds, stamp, SIGNING_REGION, SERVICE).apply_to(&mut req);
        req
    }
}

impl Provider for VolcengineLive {
    fn kind(&self) -> Kind {
        Kind::VolcengineLive
    }

    fn delete_request(&self, id: &str, stamp: &Stamp) -> Request {
        self.request("DeleteCert", &json!({ "ChainID": id }), stamp)
    }

    fn delete_answer(&self, reply: &Reply) -> Answer {
        match read_response(reply) {
            Ok((_, request_id)) => {
                let mut a = Answer::new(Class::Done(Status::Deleted), reply);
                a.request_id = request_id;
                a
            }
            Err(a) => a,
        }
    }

    fn default_rate(&self) -> f64 {
        10.0
    }

    fn list_action(&self) -> &'static str {
        "ListCertV2"
    }

    fn list_plan(&self, filter: &Filter) -> Vec<ListQuery> {
        let expiring: &[bool] = if filter.wants_expired_only() {
            &[true]
        } else {
            &[false, true]
        };
        let mut extra: Vec<(&'static str, Value)> = Vec::new();
        if let Some(name) = filter.literal_name().filter(|n| !n.is_empty()) {
            extra.push(("CertName", Value::from(name)));
        }
        if let Some(domain) = filter.literal_domain().filter(|d| !d.is_empty()) {
            extra.push(("Domain", Value::from(domain)));
        }
        let mut plan = Vec::new();
        for available in [true, false] {
            for &exp in expiring {
                let mut params = vec![
                    ("Available", Value::from(available)),
                    ("Expiring", Value::from(exp)),
                ];
                params.extend(extra.iter().cloned());
                plan.push(ListQuery::new(
                    format!("ListCertV2 Available={available} Expiring={exp}"),
                    params,
                ));
            }
        }
        plan
    }

    fn list_page_size(&self) -> Option<u32> {
        Some(PAGE_SIZE)
    }

    fn list_request(&self, query: &ListQuery, page: u32, stamp: &Stamp) -> Request {
        let mut body = serde_json::Map::new();
        for (k, v) in &query.params {
            body.insert((*k).into(), v.clone());
        }
        body.insert("PageNum".into(), json!(page + 1));
        body.insert("PageSize".into(), json!(PAGE_SIZE));
        self.request("ListCertV2", &Value::Object(body), stamp)
    }

    fn list_answer(&self, _query: &ListQuery, reply: &Reply) -> Result<Page, Answer> {
        let (json, _) = read_response(reply)?;
        let result = json
            .get("Result")
            .ok_or_else(|| malformed_list(reply, "no Result"))?;
        let items = match result.get("CertList") {
            Some(Value::Array(a)) => a.as_slice(),
            // An empty result may come without the list, but then with its total.
            Some(Value::Null) | None if count_field(result, "Total") == Some(0) => &[],
            Some(Value::Null) | None => return Err(malformed_list(reply, "no CertList")),
            Some(_) => return Err(malformed_list(reply, "CertList is not an array")),
        };
        let mut certs = Vec::with_capacity(items.len());
        for item in items {
            let id = id_field(item, "ChainID")
                .ok_or_else(|| malformed_list(reply, "a certificate without ChainID"))?;
            let mut c = Cert::new(id);
            c.name = str_field(item, "CertName").unwrap_or_default();
            let bound = str_array(item, "CertDomainList");
            c.domains = domain_list(bound.iter().map(String::as_str));
            c.not_after = crate::time::rfc3339(item.get("NotAfter"));
            c.status = text_field(item, "Status");
            certs.push(c);
        }
        Ok(Page {
            certs,
            total: count_field(result, "Total"),
            skipped: None,
            warnings: Vec::new(),
        })
    }
}

/// The whole JSON reply and its request id on success, or the answer for an error.
pub fn read_response(reply: &Reply) -> Result<(Value, Option<String>), Answer> {
    let Some(json) = reply.json() else {
        return Err(match reply.status {
            429 => Answer::new(Class::Throttled, reply),
            500..=599 => {
                let mut a = Answer::new(Class::Transient, reply);
                a.message = Some(format!("HTTP {}", reply.status));
                a
            }
            _ => Answer::malformed(reply),
        });
    };
    let Some(meta) = json.get("ResponseMetadata").filter(|m| m.is_object()) else {
        return Err(Answer::malformed(reply));
    };
    let request_id = str_field(meta, "RequestID")
        .or_else(|| str_field(meta, "RequestId"))
        .filter(|r| !r.trim().is_empty());
    match meta.get("Error") {
        Some(error) if error.is_object() => {
            let code = str_field(error, "Code");
            let mut a = Answer::new(classify(code.as_deref(), reply.status), reply);
            a.clock = code.as_deref().is_some_and(|c| CLOCK_CODES.contains(&c));
            a.code = code;
            a.message = str_field(error, "Message");
            a.request_id = request_id;
            return Err(a);
        }
        None | Some(Value::Null) => {}
        Some(_) => return Err(Answer::malformed(reply)),
    }
    // Success is the documented envelope: 2xx and `ResponseMetadata` with a request id and
    // no `Error` (DeleteCert's example). `{"ResponseMetadata":null}`, `{}` or metadata without
    // a request id prove nothing.
    if !(200..300).contains(&reply.status) || request_id.is_none() {
        return Err(Answer::malformed(reply));
    }
    Ok((json, request_id))
}

/// Refusals of the signature or its `X-Date` (common error codes): `SignatureDoesNotMatch`
/// (100010) and `InvalidTimestamp` (100006). A skewed local clock is a likely cause.
pub const CLOCK_CODES: [&str; 2] = ["SignatureDoesNotMatch", "InvalidTimestamp"];

/// Vendor code (and HTTP status) → how certdel treats it.
///
/// Sources: seed 002 (Live "DeleteCert" error table, 2024-03-29) for `CommonErr`,
/// `InvalidParam*`, `RequestForbidden*`, `ResourceNotFound`, `InternalError*`,
/// `InternalServiceError*`, `InternalServiceTimeout`; Volcengine "公共错误码" (common error
/// codes) for the gateway's credential, signature, permission and throttling codes.
pub fn classify(code: Option<&str>, http: u16) -> Class {
    match code.unwrap_or("") {
        // "未找到资源(…证书)" — seed 002.
        "ResourceNotFound" => Class::Done(Status::NotFound),
        // Seed 002 gives both the same meaning: "请求被拒绝,当前账号下无请求的资源(域名空间、
        // 域名、应用、配置模版、证书)" — no such resource under this account.
        "RequestForbidden" | "RequestForbidden.AccountIDNotAllow" => Class::Done(Status::NotFound),
        // "未开通视频直播服务或账号欠费" — service not enabled or account in arrears (seed 002):
        // every request would fail the same way.
        "RequestForbidden.BillingStatus" => Class::Abort,
        // Valid credentials without the policy for this action or project (common codes).
        "AccessDenied" | "LackPolicy" | "LackProjectPolicy" => Class::Done(Status::Denied),
        // Credentials, signature, clock or endpoint rejected: every request would fail the
        // same way (common codes).
        "InvalidAccessKey"
        | "InvalidSecretToken"
        | "MissingAuthenticationToken"
        | "MissingSignature"
        | "InvalidAuthorization"
        | "InvalidCredential"
        | "SignatureDoesNotMatch"
        | "InvalidTimestamp"
        | "InvalidActionOrVersion"
        | "ServiceNotFound" => Class::Abort,
        "FlowLimitExceeded" | "AccountFlowLimitExceeded" => Class::Throttled,
        "InternalError"
        | "InternalError.DB"
        | "InternalServiceError"
        | "InternalServiceError.BadResponse"
        | "InternalServiceTimeout" => Class::Transient,
        // "未分类错误。建议重试" — unclassified, the vendor advises retrying (seed 002).
        "CommonErr" => Class::Transient,
        // No in-use code is documented for DeleteCert (seed 002's table has none, and no
        // message pattern is published for `InvalidParam`): a certificate still bound to a
        // domain is reported `failed` with the vendor's message, never a guessed `in_use`.
        "InvalidParam" | "InvalidParam.BindError" | "MissingParameter" | "MissingRequestInfo" => {
            Class::Done(Status::Failed)
        }
        _ => match http {
            429 => Class::Throttled,
            500..=599 => Class::Transient,
            _ => Class::Done(Status::Failed),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn every_documented_code_is_mapped() {
        use Status::*;
        let table: &[(&str, u16, Class)] = &[
            ("CommonErr", 200, Class::Transient),
            ("InvalidParam", 400, Class::Done(Failed)),
            ("InvalidParam.BindError", 400, Class::Done(Failed)),
            ("MissingParameter", 400, Class::Done(Failed)),
            ("MissingRequestInfo", 400, Class::Done(Failed)),
            // Seed 002: "当前账号下无请求的资源" — no such resource under this account.
            ("RequestForbidden", 403, Class::Done(NotFound)),
            (
                "RequestForbidden.AccountIDNotAllow",
                403,
                Class::Done(NotFound),
            ),
            // Seed 002: service not enabled or account in arrears — stops the run.
            ("RequestForbidden.BillingStatus", 403, Class::Abort),
            // Common error codes.
            ("AccessDenied", 403, Class::Done(Denied)),
            ("LackPolicy", 403, Class::Done(Denied)),
            ("LackProjectPolicy", 403, Class::Done(Denied)),
            ("InvalidSecretToken", 401, Class::Abort),
            ("MissingAuthenticationToken", 401, Class::Abort),
            ("MissingSignature", 401, Class::Abort),
            ("InvalidAuthorization", 401, Class::Abort),
            ("InvalidCredential", 401, Class::Abort),
            ("ResourceNotFound", 404, Class::Done(NotFound)),
            ("InvalidAccessKey", 401, Class::Abort),
            ("SignatureDoesNotMatch", 401, Class::Abort),
            ("InvalidTimestamp", 400, Class::Abort),
            ("InvalidActionOrVersion", 404, Class::Abort),
            ("ServiceNotFound", 404, Class::Abort),
            ("FlowLimitExceeded", 429, Class::Throttled),
            ("AccountFlowLimitExceeded", 429, Class::Throttled),
            ("InternalError", 500, Class::Transient),
            ("InternalError.DB", 500, Class::Transient),
            ("InternalServiceError", 502, Class::Transient),
            ("InternalServiceError.BadResponse", 502, Class::Transient),
            ("InternalServiceTimeout", 504, Class::Transient),
            ("Unknown", 429, Class::Throttled),
            ("Unknown", 503, Class::Transient),
            ("Unknown", 400, Class::Done(Failed)),
        ];
        for (code, http, want) in table {
            assert_eq!(classify(Some(code), *http), *want, "{code}");
        }
    }

    #[test]
    fn success_and_errors() {
        let p = VolcengineLive::new(&ProviderSettings::for_test(Kind::VolcengineLive));
        let ok = r#"{"ResponseMetadata":{"RequestID":"2020","Action":"DeleteCert","Version":"2023-01-01","Service":"live","Region":"cn-north-1"}}"#;
        let a = p.delete_answer(&reply(200, ok));
        assert_eq!(a.class, Class::Done(Status::Deleted));
        assert_eq!(a.request_id.as_deref(), Some("2020"));

        let err = r#"{"ResponseMetadata":{"RequestId":"r2","Error":{"Code":"ResourceNotFound","Message":"not found"}}}"#;
        let a = p.delete_answer(&reply(404, err));
        assert_eq!(a.class, Class::Done(Status::NotFound));
        assert_eq!(a.request_id.as_deref(), Some("r2"));

        let common =
            r#"{"ResponseMetadata":{"RequestId":"r3","Error":{"Code":"CommonErr","Message":"x"}}}"#;
        assert_eq!(p.delete_answer(&reply(200, common)).class, Class::Transient);
        assert_eq!(
            p.delete_answer(&reply(200, "{}")).code.as_deref(),
            Some("MalformedReply")
        );
        assert_eq!(p.delete_answer(&reply(429, "")).class, Class::Throttled);
        // Only the documented envelope is success: metadata with a request id, no Error.
        for body in [
            r#"{"ResponseMetadata":null}"#,
            r#"{"ResponseMetadata":{}}"#,
            r#"{"ResponseMetadata":{"RequestId":""}}"#,
            r#"{"ResponseMetadata":{"RequestId":"r","Error":"x"}}"#,
            r#"{"ResponseMetadata":[]}"#,
            "[]",
        ] {
            let a = p.delete_answer(&reply(200, body));
            assert_eq!(a.class, Class::Transient, "{body}");
            assert_eq!(a.code.as_deref(), Some("MalformedReply"), "{body}");
        }
        let with_null_error = r#"{"ResponseMetadata":{"RequestId":"r4","Error":null}}"#;
        assert_eq!(
            p.delete_answer(&reply(200, with_null_error)).class,
            Class::Done(Status::Deleted)
        );
    }

    #[test]
    fn delete_request_shape() {
        let p = VolcengineLive::new(&ProviderSettings::for_test(Kind::VolcengineLive));
        let req = p.delete_request("chain/1", &Stamp::now());
        assert_eq!(req.target(), "/?Action=DeleteCert&Version=2023-01-01");
        assert_eq!(req.body, br#"{"ChainID":"chain/1"}"#);
        assert!(req.header_value("X-Content-Sha256").is_some());
    }

    mod list {
        use super::*;
        use crate::cert::FilterSpec;
        use crate::provider::testing::{body, fixture, utc};
        use crate::time::Expiry;

        fn provider() -> VolcengineLive {
            VolcengineLive::new(&ProviderSettings::for_test(Kind::VolcengineLive))
        }

        #[test]
        fn plain_list_asks_every_available_expiring_combination() {
            let now = utc("2025-01-01T00:00:00Z");
            let p = provider();
            let plan = p.list_plan(&Filter::all(now));
            let bodies: Vec<serde_json::Value> = plan
                .iter()
                .map(|q| body(&p.list_request(q, 0, &Stamp::now())))
                .collect();
            assert_eq!(
                bodies,
                vec![
                    json!({"Available": true, "Expiring": false, "PageNum": 1, "PageSize": 100}),
                    json!({"Available": true, "Expiring": true, "PageNum": 1, "PageSize": 100}),
                    json!({"Available": false, "Expiring": false, "PageNum": 1, "PageSize": 100}),
                    json!({"Available": false, "Expiring": true, "PageNum": 1, "PageSize": 100}),
                ]
            );
            let req = p.list_request(&plan[0], 2, &Stamp::now());
            assert_eq!(req.target(), "/?Action=ListCertV2&Version=2023-01-01");
            assert_eq!(body(&req)["PageNum"], 3);
        }

        #[test]
        fn expired_asks_only_for_expiring_and_pushes_plain_names() {
            let now = utc("2025-01-01T00:00:00Z");
            let p = provider();
            let spec = FilterSpec {
                expired: true,
                name: Some("live-cert".into()),
                domain: Some("Play.Example.com".into()),
                ..Default::default()
            };
            let plan = p.list_plan(&spec.resolve(now));
            let bodies: Vec<serde_json::Value> = plan
                .iter()
                .map(|q| body(&p.list_request(q, 0, &Stamp::now())))
                .collect();
            assert_eq!(
                bodies,
                vec![
                    json!({"Available": true, "Expiring": true, "CertName": "live-cert",
                           "Domain": "play.example.com", "PageNum": 1, "PageSize": 100}),
                    json!({"Available": false, "Expiring": true, "CertName": "live-cert",
                           "Domain": "play.example.com", "PageNum": 1, "PageSize": 100}),
                ]
            );
            // An --expires-before in the past also means "expired only"; in the future, not.
            let past = FilterSpec {
                expires_before: Some(crate::time::When::parse("2024-06-01").unwrap()),
                ..Default::default()
            };
            assert_eq!(p.list_plan(&past.resolve(now)).len(), 2);
            let future = FilterSpec {
                expires_before: Some(crate::time::When::parse("30d").unwrap()),
                ..Default::default()
            };
            assert_eq!(p.list_plan(&future.resolve(now)).len(), 4);
        }

        #[test]
        fn reads_cert_list() {
            let p = provider();
            let q = &p.list_plan(&Filter::all(utc("2025-01-01T00:00:00Z")))[0];
            let page = p
                .list_answer(q, &fixture("volcengine-live", "list.json"))
                .unwrap();
            assert_eq!(page.total, Some(2));
            let [a, b] = page.certs.as_slice() else {
                panic!("{:?}", page.certs)
            };
            assert_eq!(a.id, "be37f7c23b514c4987f4860000001f");
            assert_eq!(a.name, "live-cert");
            assert_eq!(a.domains, vec!["push.example.com", "play.example.com"]);
            assert_eq!(a.in_use, None);
            assert_eq!(a.not_after, Expiry::Known(utc("2024-08-18T07:19:00Z")));
            assert_eq!(a.status.as_deref(), Some("Expire"));
            assert_eq!(b.not_after, Expiry::Known(utc("2026-01-01T00:00:00Z")));
            let empty = p
                .list_answer(
                    q,
                    &reply(
                        200,
                        r#"{"ResponseMetadata":{"RequestId":"r"},"Result":{"Total":0}}"#,
                    ),
                )
                .unwrap();
            assert!(empty.certs.is_empty());
            let err = p
                .list_answer(
                    q,
                    &reply(
                        401,
                        r#"{"ResponseMetadata":{"RequestId":"r","Error":{"Code":"SignatureDoesNotMatch","Message":"x"}}}"#,
                    ),
                )
                .unwrap_err();
            assert_eq!(err.class, Class::Abort);
        }
    }
}
