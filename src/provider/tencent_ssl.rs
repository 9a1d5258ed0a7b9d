//! tencent-ssl: Tencent Cloud SSL Certificates, API version 2019-12-05.
//!
//! - Docs: SSL "DeleteCertificate", "DeleteCertificates", "DescribeCertificates", "Common
//!   Error Codes", "Signature v3"; SDK `tencentcloud-sdk-python` (`ssl/v20191205`).
//! - Endpoint: `https://ssl.tencentcloudapi.com` (international: `ssl.intl.tencentcloudapi.com`,
//!   via `--endpoint`). JSON-RPC: `POST /`, action in `X-TC-Action`, version in `X-TC-Version`.
//! - Delete: `DeleteCertificate {"CertificateId"}` → `{"Response":{"DeleteResult":true}}`;
//!   with `IsCheckResource` the deletion becomes asynchronous (`DeleteResult:false` + `TaskId`,
//!   which is not a failure).
//! - Errors always come with HTTP 200, inside `Response.Error`.
//! - Quota: DeleteCertificate 10 requests/s.
//! - Signing: [`crate::sign::tc3`], service `ssl`.

use super::{str_field, Answer, Class, Kind, Provider, Reply};
use crate::outcome::Status;
use crate::secret::Credentials;
use crate::settings::{Endpoint, ProviderSettings};
use crate::sign::{tc3, Request, Stamp};
use serde_json::{json, Value};

pub const DEFAULT_HOST: &str = "ssl.tencentcloudapi.com";
pub const VERSION: &str = "2019-12-05";
pub const SERVICE: &str = "ssl";

pub fn default_endpoint() -> Endpoint {
    Endpoint::https(DEFAULT_HOST)
}

pub struct TencentSsl {
    endpoint: Endpoint,
    creds: Credentials,
    region: Option<String>,
    check_resources: bool,
}

impl TencentSsl {
    pub fn new(settings: &ProviderSettings) -> Self {
        TencentSsl {
            endpoint: settings.endpoint.clone(),
            creds: settings.credentials.clone(),
            region: settings.region.clone(),
            check_resources: settings.check_resources,
        }
    }

    /// A signed `POST /` for `action` with this JSON body.
    pub fn request(&self, action: &str, body: &Value, stamp: &Stamp) -> Request {
        let mut req = Request::new("POST", &self.endpoint.scheme, &self.endpoint.host, "/")
            .header("Content-Type", "application/json")
            .header("X-TC-Action", action)
            .header("X-TC-Version", VERSION)
            .body(serde_json::to_vec(body).expect("a JSON value always serializes"));
        if let Some(region) = &self.region {
            req = req.header("X-TC-Region", region.clone());
        }
        tc3::sign(&mut req, &self.creds, stamp, SERVICE);
        req
    }
}

impl Provider for TencentSsl {
    fn kind(&self) -> Kind {
        Kind::TencentSsl
    }

    fn delete_request(&self, id: &str, stamp: &Stamp) -> Request {
        let body = if self.check_resources {
            json!({"CertificateId": id, "IsCheckResource": true})
        } else {
            json!({"CertificateId": id})
        };
        self.request("DeleteCertificate", &body, stamp)
    }

    fn delete_answer(&self, reply: &Reply) -> Answer {
        let response = match read_response(reply) {
            Ok(r) => r,
            Err(a) => return a,
        };
        let mut a = Answer::new(Class::Done(Status::Deleted), reply);
        a.request_id = str_field(&response, "RequestId");
        match response.get("DeleteResult").and_then(Value::as_bool) {
            Some(true) => {}
            _ => match str_field(&response, "TaskId").filter(|t| !t.is_empty()) {
                Some(task) => {
                    a.class = Class::Done(Status::Pending);
                    a.message = Some(format!("asynchronous deletion started, task {task}"));
                    a.task_id = Some(task);
                }
                None => {
                    a.class = Class::Done(Status::Failed);
                    a.code = Some("DeleteResultFalse".into());
                    a.message =
                        Some("the provider answered DeleteResult=false without a task id".into());
                }
            },
        }
        a
    }

    fn default_rate(&self) -> f64 {
        10.0
    }
}

/// The `Response` object of a successful call, or the answer for an error reply.
pub fn read_response(reply: &Reply) -> Result<Value, Answer> {
    let Some(mut json) = reply.json() else {
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
    let Some(response) = json.get_mut("Response").map(Value::take) else {
        return Err(Answer::malformed(reply));
    };
    if let Some(error) = response.get("Error") {
        let code = str_field(error, "Code");
        let mut a = Answer::new(classify(code.as_deref().unwrap_or("")), reply);
        a.code = code;
        a.message = str_field(error, "Message");
        a.request_id = str_field(&response, "RequestId");
        return Err(a);
    }
    if reply.status != 200 {
        return Err(Answer::malformed(reply));
    }
    Ok(response)
}

/// Vendor code → how certdel treats it (SSL API codes and the common ones).
pub fn classify(code: &str) -> Class {
    match code {
        // Throttling: the SSL-specific code and the common family.
        "LimitExceeded.RateLimitExceeded" | "RequestLimitExceeded" => Class::Throttled,
        c if c.starts_with("RequestLimitExceeded.") => Class::Throttled,
        // "The CA system is busy. Try again later." / "Failed to get order information. Try again later."
        "FailedOperation.NetworkError" | "FailedOperation.CannotGetOrder" => Class::Transient,
        "InternalError" | "FailedOperation.SystemError" => Class::Transient,
        c if c.starts_with("InternalError.") => Class::Transient,
        "FailedOperation.CertificateNotFound" | "ResourceNotFound" => Class::Done(Status::NotFound),
        "InvalidParameter.ContainsInvalidCertificateId" => Class::Done(Status::NotFound),
        c if c.starts_with("ResourceNotFound.") => Class::Done(Status::NotFound),
        "FailedOperation.DeleteResourceFailed" | "FailedOperation.BoundResources" => {
            Class::Done(Status::InUse)
        }
        // The certificate's state forbids deletion.
        "FailedOperation.CannotBeDeletedIssued"
        | "FailedOperation.CannotBeDeletedWithinHour"
        | "FailedOperation.DeleteFailedTimeNotUp"
        | "FailedOperation.InvalidCertificateStatusCode"
        | "FailedOperation.RenewNotIssued"
        | "FailedOperation.OrderAlreadyReplaced"
        | "FailedOperation.CancelOrderFailed" => Class::Done(Status::Denied),
        // Valid credentials without permission for this certificate or project.
        "AuthFailure.UnauthorizedOperation"
        | "UnauthorizedOperation"
        | "FailedOperation.AuthError"
        | "FailedOperation.NoProjectPermission"
        | "FailedOperation.NoRealNameAuth"
        | "FailedOperation.RoleNotFoundAuthorization" => Class::Done(Status::Denied),
        c if c.starts_with("UnauthorizedOperation.") => Class::Done(Status::Denied),
        // Credentials or clock rejected: every request would fail the same way.
        "AuthFailure.SignatureFailure"
        | "AuthFailure.SignatureExpire"
        | "AuthFailure.SecretIdNotFound"
        | "AuthFailure.InvalidSecretId"
        | "AuthFailure.TokenFailure"
        | "AuthFailure.InvalidAuthorization"
        | "AuthFailure.MFAFailure"
        | "AuthFailure" => Class::Abort,
        _ => Class::Done(Status::Failed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(body: &str) -> Reply {
        Reply {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    fn error(code: &str) -> Reply {
        reply(&format!(
            r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"m"}},"RequestId":"r-1"}}}}"#
        ))
    }

    #[test]
    fn every_documented_code_is_mapped() {
        use Status::*;
        let table: &[(&str, Class)] = &[
            ("LimitExceeded.RateLimitExceeded", Class::Throttled),
            ("RequestLimitExceeded", Class::Throttled),
            ("RequestLimitExceeded.UinLimitExceeded", Class::Throttled),
            (
                "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
                Class::Throttled,
            ),
            ("FailedOperation.NetworkError", Class::Transient),
            ("FailedOperation.CannotGetOrder", Class::Transient),
            ("InternalError", Class::Transient),
            ("InternalError.BackendResponseEmpty", Class::Transient),
            ("InternalError.BackendResponseError", Class::Transient),
            ("FailedOperation.SystemError", Class::Transient),
            ("FailedOperation.CertificateNotFound", Class::Done(NotFound)),
            ("ResourceNotFound", Class::Done(NotFound)),
            (
                "InvalidParameter.ContainsInvalidCertificateId",
                Class::Done(NotFound),
            ),
            ("FailedOperation.DeleteResourceFailed", Class::Done(InUse)),
            ("FailedOperation.BoundResources", Class::Done(InUse)),
            ("FailedOperation.CannotBeDeletedIssued", Class::Done(Denied)),
            (
                "FailedOperation.CannotBeDeletedWithinHour",
                Class::Done(Denied),
            ),
            ("FailedOperation.DeleteFailedTimeNotUp", Class::Done(Denied)),
            (
                "FailedOperation.InvalidCertificateStatusCode",
                Class::Done(Denied),
            ),
            ("FailedOperation.RenewNotIssued", Class::Done(Denied)),
            ("FailedOperation.OrderAlreadyReplaced", Class::Done(Denied)),
            ("FailedOperation.CancelOrderFailed", Class::Done(Denied)),
            ("AuthFailure.UnauthorizedOperation", Class::Done(Denied)),
            ("UnauthorizedOperation", Class::Done(Denied)),
            ("FailedOperation.AuthError", Class::Done(Denied)),
            ("FailedOperation.NoProjectPermission", Class::Done(Denied)),
            ("FailedOperation.NoRealNameAuth", Class::Done(Denied)),
            (
                "FailedOperation.RoleNotFoundAuthorization",
                Class::Done(Denied),
            ),
            ("AuthFailure.SignatureFailure", Class::Abort),
            ("AuthFailure.SignatureExpire", Class::Abort),
            ("AuthFailure.SecretIdNotFound", Class::Abort),
            ("AuthFailure.InvalidSecretId", Class::Abort),
            ("AuthFailure.TokenFailure", Class::Abort),
            ("AuthFailure.InvalidAuthorization", Class::Abort),
            ("AuthFailure.MFAFailure", Class::Abort),
            ("AuthFailure", Class::Abort),
            ("FailedOperation.InvalidParam", Class::Done(Failed)),
            ("InvalidParameter", Class::Done(Failed)),
            ("InvalidParameterValue", Class::Done(Failed)),
            ("MissingParameter", Class::Done(Failed)),
            ("UnknownParameter", Class::Done(Failed)),
            (
                "InvalidParameter.CertificateIdNumberLimit",
                Class::Done(Failed),
            ),
            ("FailedOperation", Class::Done(Failed)),
            ("SomethingNew", Class::Done(Failed)),
        ];
        for (code, want) in table {
            assert_eq!(classify(code), *want, "{code}");
        }
    }

    fn provider() -> TencentSsl {
        TencentSsl::new(&ProviderSettings::for_test(Kind::TencentSsl))
    }

    #[test]
    fn errors_inside_http_200() {
        let a = provider().delete_answer(&error("FailedOperation.CertificateNotFound"));
        assert_eq!(a.class, Class::Done(Status::NotFound));
        assert_eq!(
            a.code.as_deref(),
            Some("FailedOperation.CertificateNotFound")
        );
        assert_eq!(a.request_id.as_deref(), Some("r-1"));
    }

    #[test]
    fn delete_results() {
        let p = provider();
        let a = p.delete_answer(&reply(
            r#"{"Response":{"DeleteResult":true,"RequestId":"r"}}"#,
        ));
        assert_eq!(a.class, Class::Done(Status::Deleted));
        let a = p.delete_answer(&reply(
            r#"{"Response":{"DeleteResult":false,"TaskId":"1251261","RequestId":"r"}}"#,
        ));
        assert_eq!(a.class, Class::Done(Status::Pending));
        assert_eq!(a.task_id.as_deref(), Some("1251261"));
        let a = p.delete_answer(&reply(
            r#"{"Response":{"DeleteResult":false,"RequestId":"r"}}"#,
        ));
        assert_eq!(a.class, Class::Done(Status::Failed));
        let a = p.delete_answer(&reply("not json"));
        assert_eq!(a.class, Class::Transient);
        let a = p.delete_answer(&reply(r#"{"Result":{}}"#));
        assert_eq!(a.code.as_deref(), Some("MalformedReply"));
        let mut r = reply("");
        r.status = 502;
        assert_eq!(p.delete_answer(&r).class, Class::Transient);
    }

    #[test]
    fn delete_request_shape() {
        let req = provider().delete_request("a\"b", &Stamp::now());
        assert_eq!(req.method, "POST");
        assert_eq!(req.target(), "/");
        assert_eq!(req.header_value("X-TC-Action"), Some("DeleteCertificate"));
        assert_eq!(req.header_value("X-TC-Version"), Some(VERSION));
        assert_eq!(req.body, br#"{"CertificateId":"a\"b"}"#);
    }
}
