//! volcengine-live: Volcengine Live (视频直播) certificates, API version 2023-01-01.
//!
//! - Docs: Live "DeleteCert", "ListCertV2", "公共错误码", "返回结构", "签名方法"; SDK
//!   `volcengine` (`volcengine.live.v20230101`).
//! - Endpoint: `https://live.volcengineapi.com`; the signature scope is always region
//!   `cn-north-1`, service `live`.
//! - Delete: `POST /?Action=DeleteCert&Version=2023-01-01` with `{"ChainID": "<id>"}` — the
//!   certificate *chain* id, not `CertID`. Success has no `Result`.
//! - Errors in `ResponseMetadata.Error`, usually with 4xx/5xx but `CommonErr` comes with 200;
//!   the request id is spelled `RequestID` or `RequestId`.
//! - Quota: 10 requests/s per user.
//! - Signing: [`crate::sign::volc`].

use super::{str_field, Answer, Class, Kind, Provider, Reply};
use crate::outcome::Status;
use crate::secret::Credentials;
use crate::settings::{Endpoint, ProviderSettings};
use crate::sign::{volc, Request, Stamp};
use serde_json::{json, Value};

pub const DEFAULT_HOST: &str = "live.volcengineapi.com";
pub const VERSION: &str = "2023-01-01";
pub const SIGNING_REGION: &str = "cn-north-1";
pub const SERVICE: &str = "live";

pub fn default_endpoint() -> Endpoint {
    Endpoint::https(DEFAULT_HOST)
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
        volc::sign(&mut req, &self.creds, stamp, SIGNING_REGION, SERVICE);
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
    let Some(meta) = json.get("ResponseMetadata") else {
        return Err(Answer::malformed(reply));
    };
    let request_id = str_field(meta, "RequestID").or_else(|| str_field(meta, "RequestId"));
    if let Some(error) = meta.get("Error") {
        let code = str_field(error, "Code");
        let mut a = Answer::new(classify(code.as_deref(), reply.status), reply);
        a.code = code;
        a.message = str_field(error, "Message");
        a.request_id = request_id;
        return Err(a);
    }
    if !(200..300).contains(&reply.status) {
        return Err(Answer::malformed(reply));
    }
    Ok((json, request_id))
}

/// Vendor code (and HTTP status) → how certdel treats it.
pub fn classify(code: Option<&str>, http: u16) -> Class {
    match code.unwrap_or("") {
        "ResourceNotFound" => Class::Done(Status::NotFound),
        "RequestForbidden"
        | "RequestForbidden.AccountIDNotAllow"
        | "RequestForbidden.BillingStatus"
        | "AccessDenied" => Class::Done(Status::Denied),
        // Credentials, clock or endpoint rejected: every request would fail the same way.
        "InvalidAccessKey"
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
        // "未分类错误。建议重试" — unclassified, the vendor advises retrying.
        "CommonErr" => Class::Transient,
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
            ("RequestForbidden", 403, Class::Done(Denied)),
            (
                "RequestForbidden.AccountIDNotAllow",
                403,
                Class::Done(Denied),
            ),
            ("RequestForbidden.BillingStatus", 403, Class::Done(Denied)),
            ("AccessDenied", 403, Class::Done(Denied)),
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
    }

    #[test]
    fn delete_request_shape() {
        let p = VolcengineLive::new(&ProviderSettings::for_test(Kind::VolcengineLive));
        let req = p.delete_request("chain/1", &Stamp::now());
        assert_eq!(req.target(), "/?Action=DeleteCert&Version=2023-01-01");
        assert_eq!(req.body, br#"{"ChainID":"chain/1"}"#);
        assert!(req.header_value("X-Content-Sha256").is_some());
    }
}
