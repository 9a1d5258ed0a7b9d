//! What alibaba-slb and alibaba-cas share: the RPC request shape signed with
//! `ACS3-HMAC-SHA256`, the error envelope and the gateway's common error codes.
//!
//! - Docs: "Request syntax and signature method V3", API gateway common error codes.
//! - Request: `POST /?<params>` with an empty body; `x-acs-action`, `x-acs-version` and
//!   `accept: application/json` headers, all signed.
//! - Success: `{"RequestId": "…", …}` with 2xx. Error: `{"RequestId","HostId","Code","Message"}`
//!   with 4xx/5xx; throttling may carry `x-acs-retry-after`.

use super::{str_field, Answer, Class, Reply};
use crate::endpoint::Endpoint;
use crate::outcome::Status;
use crate::secret::Credentials;

/// The region variable the Alibaba SDKs and the aliyun CLI read.
pub const REGION_VAR: &str = "ALIBABA_CLOUD_REGION_ID";

/// The credential variables of the Alibaba Cloud SDKs and the aliyun CLI (one account serves
/// alibaba-slb and alibaba-cas).
pub const CREDENTIAL_VARS: super::vendor::CredentialVars = (
    "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_SECURITY_TOKEN",
);
use crate::sign::{acs3, Stamp};
use crate::wire::Request;
use serde_json::Value;

/// A signed RPC call: parameters in the query string, empty body.
pub fn rpc_request(
    endpoint: &Endpoint,
    creds: &Credentials,
    action: &str,
    version: &str,
    params: &[(&str, &str)],
    stamp: &Stamp,
) -> Request {
    let mut req = Request::new("POST", &endpoint.scheme, &endpoint.host, "/")
        .header("x-acs-action", action)
        .header("x-acs-version", version)
        .header("accept", "application/json");
    for (k, v) in params {
        req = req.query(k, *v);
    }
    acs3::sign(&req, creds, stamp).apply_to(&mut req);
    req
}

/// The JSON body of a 2xx reply, or the answer for an error. `specific` maps the product's
/// own codes first; the gateway's common codes are handled here.
///
/// Success is the documented envelope: HTTP 2xx, a JSON object with a non-empty `RequestId`
/// and no `Code` (DeleteServerCertificate, DeleteUserCertificate, DeleteCertificateRequest:
/// `{"RequestId": "…"}`). Anything else with 2xx — `{}`, a `Code` in the body, a proxy's
/// page — is malformed: its effect is unknown, so it is never taken for a deletion.
pub fn read_response(reply: &Reply, specific: fn(&str) -> Option<Class>) -> Result<Value, Answer> {
    let json = reply.json();
    if (200..300).contains(&reply.status) {
        return match json {
            Some(v) if is_success(&v) => Ok(v),
            _ => Err(Answer::malformed(reply)),
        };
    }
    let code = json.as_ref().and_then(|v| str_field(v, "Code"));
    if code.is_none() && !matches!(reply.status, 429 | 500..=599) {
        return Err(Answer::malformed(reply));
    }
    let class = code
        .as_deref()
        .and_then(specific)
        .unwrap_or_else(|| classify_common(code.as_deref().unwrap_or(""), reply.status));
    let mut a = Answer::new(class, reply);
    a.clock = code.as_deref().is_some_and(|c| CLOCK_CODES.contains(&c));
    a.code = code;
    a.message = json.as_ref().and_then(|v| str_field(v, "Message"));
    a.request_id = json.as_ref().and_then(|v| str_field(v, "RequestId"));
    Err(a)
}

/// The gateway's refusals of a signature or its time (common error codes):
/// `SignatureDoesNotMatch`, and `InvalidTimeStamp.Expired` for an `x-acs-date` more than 15
/// minutes off. A skewed local clock is a likely cause of either.
pub const CLOCK_CODES: [&str; 2] = ["SignatureDoesNotMatch", "InvalidTimeStamp.Expired"];

/// The success envelope: an object with a non-empty `RequestId` and no error `Code`.
fn is_success(v: &Value) -> bool {
    let has_request_id = v
        .get("RequestId")
        .and_then(Value::as_str)
        .is_some_and(|r| !r.trim().is_empty());
    v.is_object() && has_request_id && v.get("Code").is_none()
}

/// The API gateway's codes, shared by every Alibaba Cloud product.
pub fn classify_common(code: &str, http: u16) -> Class {
    match code {
        "Throttling" | "Throttling.User" | "Throttling.Api" | "ServiceUnavailable.Throttling" => {
            Class::Throttled
        }
        c if c.starts_with("Throttling.") => Class::Throttled,
        // A reused nonce only fails that attempt: re-signing gives a fresh one.
        "SignatureNonceUsed" => Class::Transient,
        "InternalError" | "ServiceUnavailable" | "UnknownError" => Class::Transient,
        "SignatureDoesNotMatch"
        | "IncompleteSignature"
        | "InvalidAccessKeyId"
        | "InvalidAccessKeyId.NotFound"
        | "InvalidAccessKeyId.Inactive"
        | "InvalidTimeStamp.Expired"
        | "InvalidTimeStamp.Format"
        | "InvalidSignatureMethod"
        | "UnsupportedHTTPMethod"
        | "InvalidSecurityToken"
        | "InvalidAction.NotFound" => Class::Abort,
        c if c.starts_with("InvalidSecurityToken.") => Class::Abort,
        "Forbidden" | "Forbidden.RAM" | "Forbidden.AccessDenied" => Class::Done(Status::Denied),
        c if c.starts_with("Forbidden.") => Class::Done(Status::Denied),
        _ => match http {
            429 => Class::Throttled,
            500..=599 => Class::Transient,
            _ => Class::Done(Status::Failed),
        },
    }
}

/// Region ids whose endpoint is the product's central host (`<product>.aliyuncs.com`);
/// every other region is `<product>.<region>.aliyuncs.com`.
pub fn regional_endpoint(product: &str, region: &str, central: &[&str]) -> Endpoint {
    if central.contains(&region) {
        Endpoint::https(format!("{product}.aliyuncs.com"))
    } else {
        Endpoint::https(format!("{product}.{region}.aliyuncs.com"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_codes() {
        use Status::*;
        let table: &[(&str, u16, Class)] = &[
            // The API gateway's common error codes ("Request syntax and signature method V3",
            // the gateway error table in providers.md §4.5): throttling, signature,
            // access key, timestamp, nonce, RAM.
            ("Throttling", 400, Class::Throttled),
            ("Throttling.User", 400, Class::Throttled),
            ("Throttling.Api", 400, Class::Throttled),
            ("SignatureNonceUsed", 400, Class::Transient),
            ("InternalError", 500, Class::Transient),
            ("ServiceUnavailable", 503, Class::Transient),
            ("SignatureDoesNotMatch", 400, Class::Abort),
            ("IncompleteSignature", 400, Class::Abort),
            ("InvalidAccessKeyId.NotFound", 404, Class::Abort),
            ("InvalidAccessKeyId.Inactive", 400, Class::Abort),
            ("InvalidTimeStamp.Expired", 400, Class::Abort),
            ("InvalidTimeStamp.Format", 400, Class::Abort),
            ("InvalidSignatureMethod", 400, Class::Abort),
            ("UnsupportedHTTPMethod", 400, Class::Abort),
            ("InvalidSecurityToken.Expired", 400, Class::Abort),
            ("Forbidden.RAM", 403, Class::Done(Denied)),
            ("Forbidden", 403, Class::Done(Denied)),
            ("InvalidParameter", 400, Class::Done(Failed)),
            ("MissingParameter", 400, Class::Done(Failed)),
            ("InvalidParameter.Format", 400, Class::Done(Failed)),
            ("Whatever", 503, Class::Transient),
        ];
        for (code, http, want) in table {
            assert_eq!(classify_common(code, *http), *want, "{code}");
        }
    }

    #[test]
    fn envelope() {
        let r = Reply {
            status: 400,
            headers: vec![("x-acs-retry-after".into(), "3".into())],
            body: br#"{"RequestId":"R","HostId":"slb-pop.aliyuncs.com","Code":"Throttling.User","Message":"flow control"}"#.to_vec(),
        };
        let a = read_response(&r, |_| None).unwrap_err();
        assert_eq!(a.class, Class::Throttled);
        assert_eq!(a.request_id.as_deref(), Some("R"));
        assert_eq!(a.retry_after, Some(std::time::Duration::from_secs(3)));
        let r = Reply {
            status: 200,
            headers: vec![],
            body: b"<xml/>".to_vec(),
        };
        assert_eq!(
            read_response(&r, |_| None).unwrap_err().code.as_deref(),
            Some("MalformedReply")
        );
    }

    #[test]
    fn only_the_documented_envelope_is_success() {
        let reply = |body: &str| Reply {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        };
        let ok = read_response(&reply(r#"{"RequestId":"CEF72CEB-54B6"}"#), |_| None).unwrap();
        assert_eq!(ok["RequestId"], "CEF72CEB-54B6");
        for body in [
            "{}",
            "[]",
            "null",
            r#"{"RequestId":""}"#,
            r#"{"RequestId":7}"#,
            r#"{"RequestId":"R","Code":"Forbidden","Message":"denied"}"#,
            r#"{"Code":"Forbidden"}"#,
            "",
        ] {
            let a = read_response(&reply(body), |_| None).unwrap_err();
            assert_eq!(a.class, Class::Transient, "{body}");
            assert_eq!(a.code.as_deref(), Some("MalformedReply"), "{body}");
        }
    }
}
