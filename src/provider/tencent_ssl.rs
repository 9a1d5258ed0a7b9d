//! tencent-ssl: Tencent Cloud SSL Certificates, API version 2019-12-05.
//!
//! - Docs: SSL "DeleteCertificate", "DeleteCertificates", "DescribeCertificates", "Common
//!   Error Codes", "Signature v3"; SDK `tencentcloud-sdk-python` (`ssl/v20191205`).
//! - Endpoint: `https://ssl.tencentcloudapi.com` (international: `ssl.intl.tencentcloudapi.com`,
//!   via `--endpoint`). JSON-RPC: `POST /`, action in `X-TC-Action`, version in `X-TC-Version`.
//! - Delete: `DeleteCertificate {"CertificateId"}` → `{"Response":{"DeleteResult":true}}`;
//!   with `IsCheckResource` the deletion becomes asynchronous (`DeleteResult:false` + `TaskId`,
//!   which is not a failure).
//! - Bulk: `DeleteCertificates {"CertificateIds":[≤100]}` (+ `"IsSync":true` with
//!   `--check-resources`) → `Success` (ids), `Fail` (`[{CertId, Msg}]`), `CertTaskIds`
//!   (`[{CertId, TaskId}]`). Asynchronous tasks are polled with
//!   `DescribeDeleteCertificatesTaskResult {"TaskIds":[≤100]}` → `DeleteTaskResult[]` with
//!   `Status` 0 running, 1 deleted, 2 failed, 3 service role missing, 4 still bound to cloud
//!   resources, 5 timed out checking resources.
//! - List: `DescribeCertificates {"Offset","Limit":1000}` → `TotalCount`, `Certificates[]`.
//!   Times are GMT+8 strings without zone ([`crate::time::parse_gmt8`]). `SearchKey` is a
//!   fuzzy search over id, alias and domain: certdel sends only a plain `--name` (an exact
//!   alias is always among its hits); domains are matched on the client only, since whether
//!   the search covers SANs is not documented.
//! - Errors always come with HTTP 200, inside `Response.Error`.
//! - Quota: DeleteCertificate, DeleteCertificates 10 requests/s; DescribeCertificates 20/s in
//!   the 2023 doc, 10/s in the 2025 table (certdel uses 10).
//! - Signing: [`crate::sign::tc3`], service `ssl`.

use super::config::{self, Location, ProviderChoice, RegionDefault, Specific};
use super::{
    count_field, id_field, malformed_list, str_array, str_field, text_field, Answer, Batch, Class,
    Item, Kind, ListQuery, Page, Provider, Reply, TaskReport, TaskState,
};
use crate::cert::{domain_list, Cert, Filter};
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::outcome::Status;
use crate::provider::ProviderSettings;
use crate::secret::Credentials;
use crate::sign::{tc3, Stamp};
use crate::wire::Request;
use serde_json::{json, Value};

pub const DEFAULT_HOST: &str = "ssl.tencentcloudapi.com";
pub const VERSION: &str = "2019-12-05";
pub const SERVICE: &str = "ssl";
/// DescribeCertificates `Limit`: the documented maximum (larger values are clamped).
pub const PAGE_SIZE: u32 = 1000;
/// DeleteCertificates and DescribeDeleteCertificatesTaskResult take at most 100 ids.
pub const BATCH_LIMIT: usize = 100;
/// The service-linked role asynchronous deletion needs.
pub const ASYNC_ROLE: &str = "SSL_QCSLinkedRoleInReplaceLoadCertificate";

pub fn default_endpoint() -> Endpoint {
    Endpoint::https(DEFAULT_HOST)
}

/// The regions of Tencent Cloud's SSL Certificates "Request Structure" page
/// (tencentcloud.com/document/api/1007/36573: the hosted regions `ssl.<region>.
/// tencentcloudapi.com`) and of the region list the other products' request-structure pages
/// share (Mumbai, Virginia, Toronto, São Paulo, Jakarta, Nanjing), plus the financial zones
/// of Tencent's common region list (ap-shanghai-fsi, ap-shenzhen-fsi). **Assumption:** the
/// SSL page as stored was cut after Singapore, so the rest follows the shared list; SSL
/// documents `Region` as not required, so a region it lacks would be ignored rather than
/// refused by the server — certdel refuses unknown ones so that a typo is caught.
pub const REGIONS: [&str; 20] = [
    "ap-guangzhou",
    "ap-shanghai",
    "ap-nanjing",
    "ap-beijing",
    "ap-chengdu",
    "ap-chongqing",
    "ap-hongkong",
    "ap-singapore",
    "ap-bangkok",
    "ap-jakarta",
    "ap-mumbai",
    "ap-seoul",
    "ap-tokyo",
    "na-ashburn",
    "na-siliconvalley",
    "na-toronto",
    "sa-saopaulo",
    "eu-frankfurt",
    "ap-shanghai-fsi",
    "ap-shenzhen-fsi",
];

/// An unknown region is refused before any request (it is sent as `X-TC-Region`, with
/// `--endpoint` too), naming the valid ones.
pub fn check_region(region: &str, origin: Option<&str>) -> Result<(), String> {
    if REGIONS.contains(&region) {
        return Ok(());
    }
    Err(super::unknown_region(
        Kind::TencentSsl,
        region,
        origin,
        &REGIONS,
    ))
}

/// tencent-ssl's part of the settings: one host; the region (given, else
/// `TENCENTCLOUD_REGION`, else the tccli profile's) travels as `X-TC-Region` and must be one
/// of [`REGIONS`].
pub fn locate(choice: &ProviderChoice, default: Option<&RegionDefault>) -> Result<Location, Error> {
    let (region, origin) = config::one_region(choice, default, REGION_VAR)?;
    if let Some(r) = &region {
        check_region(r, origin.as_deref()).map_err(Error::Usage)?;
    }
    let endpoint = choice.endpoint.clone().unwrap_or_else(default_endpoint);
    Ok(Location {
        region,
        endpoint,
        specific: Specific::Tencent(Config {
            check_resources: choice.check_resources,
        }),
    })
}

/// What only tencent-ssl is configured with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// `--check-resources`: ask the service to refuse certificates still bound to resources.
    pub check_resources: bool,
}

/// The region variable the Tencent SDKs read.
pub const REGION_VAR: &str = "TENCENTCLOUD_REGION";

/// The credential variables of the Tencent Cloud SDK and tccli (the token variable is tccli's).
pub const CREDENTIAL_VARS: super::vendor::CredentialVars = (
    "TENCENTCLOUD_SECRET_ID",
    "TENCENTCLOUD_SECRET_KEY",
    "TENCENTCLOUD_TOKEN",
);

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
            check_resources: settings.check_resources(),
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
        tc3::sign(&req, &self.creds, stamp, SERVICE).apply_to(&mut req);
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

    fn list_action(&self) -> &'static str {
        "DescribeCertificates"
    }

    fn list_plan(&self, filter: &Filter) -> Vec<ListQuery> {
        let params = match filter.literal_name() {
            Some(name) if !name.is_empty() => vec![("SearchKey", Value::from(name))],
            _ => Vec::new(),
        };
        vec![ListQuery::new("DescribeCertificates", params)]
    }

    fn list_page_size(&self) -> Option<u32> {
        Some(PAGE_SIZE)
    }

    fn list_request(&self, query: &ListQuery, page: u32, stamp: &Stamp) -> Request {
        let mut body = serde_json::Map::new();
        body.insert(
            "Offset".into(),
            json!(u64::from(page) * u64::from(PAGE_SIZE)),
        );
        body.insert("Limit".into(), json!(PAGE_SIZE));
        for (k, v) in &query.params {
            body.insert((*k).into(), v.clone());
        }
        self.request("DescribeCertificates", &Value::Object(body), stamp)
    }

    fn list_answer(&self, _query: &ListQuery, reply: &Reply) -> Result<Page, Answer> {
        let response = read_response(reply)?;
        let items = response
            .get("Certificates")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed_list(reply, "no Certificates array"))?;
        let mut certs = Vec::with_capacity(items.len());
        for item in items {
            certs.push(
                cert_from(item)
                    .ok_or_else(|| malformed_list(reply, "a certificate without CertificateId"))?,
            );
        }
        Ok(Page {
            certs,
            total: count_field(&response, "TotalCount"),
            skipped: None,
            warnings: Vec::new(),
        })
    }

    fn batch(&self) -> Option<&dyn Batch> {
        Some(self)
    }
}

/// One `Certificates[]` item as a record.
fn cert_from(item: &Value) -> Option<Cert> {
    let mut c = Cert::new(id_field(item, "CertificateId")?);
    c.name = str_field(item, "Alias").unwrap_or_default();
    let primary = str_field(item, "Domain").unwrap_or_default();
    let sans = str_array(item, "SubjectAltName");
    let cert_sans = str_array(item, "CertSANs");
    c.domains = domain_list(
        std::iter::once(primary.as_str())
            .chain(sans.iter().map(String::as_str))
            .chain(cert_sans.iter().map(String::as_str)),
    );
    c.not_after = crate::time::tencent(item.get("CertEndTime"));
    c.status = text_field(item, "Status");
    c.status_label = item
        .get("Status")
        .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
        .and_then(status_label);
    Some(c)
}

/// The documented meanings of DescribeCertificates `Status`.
pub fn status_label(code: u64) -> Option<&'static str> {
    Some(match code {
        0 => "reviewing",
        1 => "issued",
        2 => "review failed",
        3 => "expired",
        4 => "dns record added",
        5 => "pending submission",
        6 => "cancelling",
        7 => "cancelled",
        8 => "awaiting letter",
        9 => "revoking",
        10 => "revoked",
        11 => "reissuing",
        12 => "awaiting revocation letter",
        13 => "awaiting info",
        14 => "refunded",
        15 => "migrating",
        _ => return None,
    })
}

impl Batch for TencentSsl {
    fn batch_limit(&self) -> usize {
        BATCH_LIMIT
    }

    fn batch_request(&self, ids: &[String], stamp: &Stamp) -> Request {
        let body = if self.check_resources {
            json!({"CertificateIds": ids, "IsSync": true})
        } else {
            json!({ "CertificateIds": ids })
        };
        self.request("DeleteCertificates", &body, stamp)
    }

    fn batch_answer(&self, ids: &[String], reply: &Reply) -> Result<Vec<(String, Item)>, Answer> {
        let response = read_response(reply)?;
        Ok(map_batch(ids, &response))
    }

    fn task_limit(&self) -> usize {
        BATCH_LIMIT
    }

    fn task_request(&self, task_ids: &[String], stamp: &Stamp) -> Request {
        self.request(
            "DescribeDeleteCertificatesTaskResult",
            &json!({ "TaskIds": task_ids }),
            stamp,
        )
    }

    fn task_answer(&self, reply: &Reply) -> Result<Vec<TaskReport>, Answer> {
        let response = read_response(reply)?;
        let items = match response.get("DeleteTaskResult") {
            Some(Value::Array(a)) => a.as_slice(),
            // "may return null": nothing known yet.
            Some(Value::Null) | None => &[],
            Some(_) => return Err(malformed_list(reply, "DeleteTaskResult is not an array")),
        };
        Ok(items
            .iter()
            .filter_map(|t| {
                Some(TaskReport {
                    task_id: id_field(t, "TaskId")?,
                    cert_id: id_field(t, "CertId"),
                    state: task_state(
                        t.get("Status").and_then(Value::as_i64),
                        str_field(t, "Error").filter(|e| !e.is_empty()),
                        &str_array(t, "Domains"),
                    ),
                })
            })
            .collect())
    }
}

/// A DeleteCertificates `Response` → one item per requested id, in request order.
///
/// `Success` → deleted; `CertTaskIds` → an asynchronous task; `Fail` → the message mapped
/// by [`fail_message_status`]; an id in none of them → [`Item::Unreported`] (the driver then
/// asks about it on its own).
pub fn map_batch(ids: &[String], response: &Value) -> Vec<(String, Item)> {
    let success = str_array(response, "Success");
    let objects = |key: &str| -> Vec<Value> {
        response
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let fails = objects("Fail");
    let tasks = objects("CertTaskIds");
    ids.iter()
        .map(|id| {
            let item = if let Some(t) = tasks
                .iter()
                .find(|t| id_field(t, "CertId").as_deref() == Some(id))
                .and_then(|t| id_field(t, "TaskId"))
            {
                Item::Task(t)
            } else if success.iter().any(|s| s == id) {
                Item::Done(Status::Deleted, None)
            } else if let Some(f) = fails
                .iter()
                .find(|f| id_field(f, "CertId").as_deref() == Some(id))
            {
                let msg = str_field(f, "Msg").filter(|m| !m.is_empty());
                let status = fail_message_status(msg.as_deref().unwrap_or(""));
                Item::Done(status, msg)
            } else {
                Item::Unreported
            };
            (id.clone(), item)
        })
        .collect()
}

/// A `Fail[].Msg` is free text, not a code: map only unmistakable wordings, everything else
/// is `failed` with the message.
pub fn fail_message_status(msg: &str) -> Status {
    let m = msg.to_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| m.contains(w));
    if any(&[
        "not exist",
        "not found",
        "does not exist",
        "不存在",
        "certificatenotfound",
    ]) {
        Status::NotFound
    } else if any(&[
        "bound",
        "associated with",
        "关联",
        "绑定",
        "deleteresourcefailed",
    ]) {
        Status::InUse
    } else {
        Status::Failed
    }
}

/// A DescribeDeleteCertificatesTaskResult `Status` → task state.
pub fn task_state(status: Option<i64>, error: Option<String>, domains: &[String]) -> TaskState {
    let finished = |status: Status, code: &str, default: String| TaskState::Finished {
        status,
        code: Some(code.to_string()),
        message: Some(match &error {
            Some(e) => format!("{default}: {e}"),
            None => default,
        }),
    };
    match status {
        Some(0) => TaskState::Running,
        Some(1) => TaskState::Finished {
            status: Status::Deleted,
            code: None,
            message: None,
        },
        Some(2) => finished(Status::Failed, "TaskFailed", "deletion task failed".into()),
        Some(3) => finished(
            Status::Denied,
            "TaskRoleNotAuthorized",
            format!(
                "the service-linked role {ASYNC_ROLE} is not authorised; grant it or delete without --check-resources"
            ),
        ),
        Some(4) => finished(
            Status::InUse,
            "TaskResourcesBound",
            if domains.is_empty() {
                "still bound to cloud resources".to_string()
            } else {
                format!("still bound to cloud resources ({})", domains.join(", "))
            },
        ),
        Some(5) => finished(
            Status::Failed,
            "TaskTimedOut",
            "the provider timed out checking associated resources".into(),
        ),
        other => finished(
            Status::Failed,
            "TaskStatusUnknown",
            format!(
                "unknown task status {}",
                other.map_or("(none)".to_string(), |s| s.to_string())
            ),
        ),
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
        a.clock = code.as_deref().is_some_and(|c| CLOCK_CODES.contains(&c));
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

/// Refusals of the signature or its timestamp ("Common Error Codes"): `SignatureExpire`, an
/// `X-TC-Timestamp` more than 5 minutes off the server's clock, and `SignatureFailure`. A
/// skewed local clock is a likely cause of either.
pub const CLOCK_CODES: [&str; 2] = [
    "AuthFailure.SignatureExpire",
    "AuthFailure.SignatureFailure",
];

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
        // "The certificate does not exist." (seed 001); common "ResourceNotFound" (资源不存在).
        // No `ResourceNotFound.*` prefix rule: the one SSL sub-code, `ResourceNotFound.Manager`
        // ("公司管理人不存在", SDK `ssl/v20191205/errorcodes.py`), is not about certificates.
        "FailedOperation.CertificateNotFound" | "ResourceNotFound" => Class::Done(Status::NotFound),
        "InvalidParameter.ContainsInvalidCertificateId" => Class::Done(Status::NotFound),
        // Seed 001: "associated with a Tencent Cloud resource", "unbound cloud resources";
        // common "ResourceInUse" (资源被占用).
        "FailedOperation.DeleteResourceFailed"
        | "FailedOperation.BoundResources"
        | "ResourceInUse" => Class::Done(Status::InUse),
        // Common error codes that hold for every request of the run: the action or version is
        // gone or unknown, the region unsupported, the caller's IP refused.
        "ActionOffline" | "InvalidAction" | "NoSuchVersion" | "UnsupportedRegion"
        | "IpInBlacklist" | "IpNotInWhitelist" => Class::Abort,
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
        | "FailedOperation.RoleNotFoundAuthorization"
        // "CAM鉴权出现错误" (SDK `ssl/v20191205/errorcodes.py`).
        | "FailedOperation.CAMAuthorizedFail" => Class::Done(Status::Denied),
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
            // Sources: seed 001 (DeleteCertificate's error table: FailedOperation.*,
            // InternalError, LimitExceeded.RateLimitExceeded); Tencent "Common Error Codes"
            // (AuthFailure*, RequestLimitExceeded*, ResourceNotFound, ResourceInUse,
            // UnauthorizedOperation, InvalidParameter*, MissingParameter, UnknownParameter,
            // ActionOffline, InvalidAction, NoSuchVersion, UnsupportedRegion, IpInBlacklist,
            // IpNotInWhitelist); tencentcloud-sdk-python-ssl 3.1.145 `ssl/v20191205/
            // errorcodes.py` (CAMAuthorizedFail, ResourceNotFound.Manager, SystemError,
            // ContainsInvalidCertificateId, CertificateIdNumberLimit).
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
            // Common error codes ("公共错误码"): 资源被占用.
            ("ResourceInUse", Class::Done(InUse)),
            // SDK errorcodes.py: "公司管理人不存在" — not a certificate: never not_found.
            ("ResourceNotFound.Manager", Class::Done(Failed)),
            // SDK errorcodes.py: "CAM鉴权出现错误".
            ("FailedOperation.CAMAuthorizedFail", Class::Done(Denied)),
            // Common error codes that hold for every request: stop the run.
            ("ActionOffline", Class::Abort),
            ("InvalidAction", Class::Abort),
            ("NoSuchVersion", Class::Abort),
            ("UnsupportedRegion", Class::Abort),
            ("IpInBlacklist", Class::Abort),
            ("IpNotInWhitelist", Class::Abort),
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

    mod list_and_batch {
        use super::*;
        use crate::cert::FilterSpec;
        use crate::provider::testing::{body, fixture, utc};
        use crate::time::Expiry;

        fn provider(check_resources: bool) -> TencentSsl {
            let mut s = ProviderSettings::for_test(Kind::TencentSsl);
            s.set_check_resources(check_resources);
            TencentSsl::new(&s)
        }

        #[test]
        fn list_request_pages_by_offset_with_limit_1000() {
            let p = provider(false);
            let now = utc("2025-01-01T00:00:00Z");
            let plan = p.list_plan(&Filter::all(now));
            assert_eq!(plan.len(), 1);
            let req = p.list_request(&plan[0], 0, &Stamp::now());
            assert_eq!(
                req.header_value("X-TC-Action"),
                Some("DescribeCertificates")
            );
            assert_eq!(body(&req), json!({"Offset": 0, "Limit": 1000}));
            let req = p.list_request(&plan[0], 2, &Stamp::now());
            assert_eq!(body(&req), json!({"Offset": 2000, "Limit": 1000}));
            // A plain name is sent as SearchKey; a domain or a pattern is not.
            let spec = FilterSpec {
                name: Some("upload cert".into()),
                domain: Some("www.example.com".into()),
                ..Default::default()
            };
            let plan = p.list_plan(&spec.resolve(now));
            let req = p.list_request(&plan[0], 0, &Stamp::now());
            assert_eq!(
                body(&req),
                json!({"Offset": 0, "Limit": 1000, "SearchKey": "upload cert"})
            );
            let spec = FilterSpec {
                name: Some("upload*".into()),
                ..Default::default()
            };
            assert!(p.list_plan(&spec.resolve(now))[0].params.is_empty());
        }

        #[test]
        fn reads_the_tccli_example_shape() {
            let p = provider(false);
            let q = &p.list_plan(&Filter::all(utc("2025-01-01T00:00:00Z")))[0];
            let page = p
                .list_answer(q, &fixture("tencent-ssl", "list.json"))
                .unwrap();
            assert_eq!(page.total, Some(3));
            let [a, b, c] = page.certs.as_slice() else {
                panic!("{:?}", page.certs)
            };
            assert_eq!(a.id, "hdhdAbCd");
            assert_eq!(a.name, "upload cert");
            assert_eq!(
                a.domains,
                vec!["www.example.com", "example.com", "api.example.com"]
            );
            // "2025-12-02 07:59:59" GMT+8.
            assert_eq!(a.not_after, Expiry::Known(utc("2025-12-01T23:59:59Z")));
            assert_eq!(a.status.as_deref(), Some("1"));
            assert_eq!(a.status_label, Some("issued"));
            assert_eq!(a.in_use, None);
            assert_eq!(b.id, "LtIaSxlb");
            assert_eq!(b.name, "");
            assert_eq!(b.domains, vec!["old.example.net", "www.old.example.net"]);
            assert_eq!(b.not_after, Expiry::Known(utc("2024-05-13T23:59:59Z")));
            assert_eq!(b.status_label, Some("expired"));
            assert_eq!(c.domains, vec!["pending.example.org"]);
            assert_eq!(
                c.not_after,
                Expiry::Unknown {
                    raw: Some("--".into())
                }
            );
        }

        #[test]
        fn list_errors_keep_the_delete_classification() {
            let p = provider(false);
            let q = &p.list_plan(&Filter::all(utc("2025-01-01T00:00:00Z")))[0];
            let a = p
                .list_answer(q, &error("LimitExceeded.RateLimitExceeded"))
                .unwrap_err();
            assert_eq!(a.class, Class::Throttled);
            let a = p
                .list_answer(q, &error("AuthFailure.SignatureFailure"))
                .unwrap_err();
            assert_eq!(a.class, Class::Abort);
            let a = p
                .list_answer(
                    q,
                    &reply(r#"{"Response":{"TotalCount":1,"RequestId":"r"}}"#),
                )
                .unwrap_err();
            assert_eq!(a.code.as_deref(), Some("MalformedReply"));
        }

        #[test]
        fn batch_requests() {
            let ids: Vec<String> = vec!["a".into(), "b".into()];
            let req = provider(false).batch_request(&ids, &Stamp::now());
            assert_eq!(req.header_value("X-TC-Action"), Some("DeleteCertificates"));
            assert_eq!(body(&req), json!({"CertificateIds": ["a", "b"]}));
            let req = provider(true).batch_request(&ids, &Stamp::now());
            assert_eq!(
                body(&req),
                json!({"CertificateIds": ["a", "b"], "IsSync": true})
            );
            let req = provider(true).task_request(&["1".into(), "2".into()], &Stamp::now());
            assert_eq!(
                req.header_value("X-TC-Action"),
                Some("DescribeDeleteCertificatesTaskResult")
            );
            assert_eq!(body(&req), json!({"TaskIds": ["1", "2"]}));
            assert_eq!(provider(false).batch_limit(), 100);
        }

        #[test]
        fn batch_results_map_back_to_each_id() {
            let ids: Vec<String> = ["okA", "gone", "bound", "odd", "async1", "silent", "okB"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            let items = provider(false)
                .batch_answer(&ids, &fixture("tencent-ssl", "delete_certificates.json"))
                .unwrap();
            let got: Vec<(&str, Item)> = items
                .iter()
                .map(|(i, it)| (i.as_str(), it.clone()))
                .collect();
            assert_eq!(
                got,
                vec![
                    ("okA", Item::Done(Status::Deleted, None)),
                    ("gone", Item::Done(Status::NotFound, Some("证书不存在".into()))),
                    (
                        "bound",
                        Item::Done(
                            Status::InUse,
                            Some("The certificate is associated with a Tencent Cloud resource and cannot be deleted.".into())
                        )
                    ),
                    (
                        "odd",
                        Item::Done(
                            Status::Failed,
                            Some("Free certificates cannot be deleted within 1 hour after being applied for.".into())
                        )
                    ),
                    ("async1", Item::Task("1251261".into())),
                    ("silent", Item::Unreported),
                    ("okB", Item::Done(Status::Deleted, None)),
                ]
            );
            // A whole-request error is an answer for the driver (retry, fall back, stop).
            let a = provider(false)
                .batch_answer(
                    &ids,
                    &error("InvalidParameter.ContainsInvalidCertificateId"),
                )
                .unwrap_err();
            assert_eq!(a.class, Class::Done(Status::NotFound));
        }

        #[test]
        fn fail_messages_are_mapped_conservatively() {
            let table: &[(&str, Status)] = &[
                ("证书不存在", Status::NotFound),
                ("The certificate does not exist.", Status::NotFound),
                ("FailedOperation.CertificateNotFound", Status::NotFound),
                ("certificate not found", Status::NotFound),
                ("证书已关联云资源", Status::InUse),
                (
                    "Cannot be deleted when there are unbound cloud resources.",
                    Status::InUse,
                ),
                (
                    "The certificate is associated with a Tencent Cloud resource",
                    Status::InUse,
                ),
                ("The CA system is busy. Try again later.", Status::Failed),
                ("", Status::Failed),
                ("unexpected", Status::Failed),
            ];
            for (msg, want) in table {
                assert_eq!(fail_message_status(msg), *want, "{msg}");
            }
        }

        #[test]
        fn task_statuses() {
            let reports = provider(true)
                .task_answer(&fixture("tencent-ssl", "task_result.json"))
                .unwrap();
            let states: Vec<(String, TaskState)> =
                reports.into_iter().map(|r| (r.task_id, r.state)).collect();
            let finished = |s: Status, code: &str, msg: &str| TaskState::Finished {
                status: s,
                code: Some(code.into()),
                message: Some(msg.into()),
            };
            assert_eq!(
                states,
                vec![
                    ("t0".into(), TaskState::Running),
                    (
                        "t1".into(),
                        TaskState::Finished {
                            status: Status::Deleted,
                            code: None,
                            message: None
                        }
                    ),
                    (
                        "t2".into(),
                        finished(Status::Failed, "TaskFailed", "deletion task failed: internal failure")
                    ),
                    (
                        "t3".into(),
                        finished(
                            Status::Denied,
                            "TaskRoleNotAuthorized",
                            "the service-linked role SSL_QCSLinkedRoleInReplaceLoadCertificate is not authorised; grant it or delete without --check-resources"
                        )
                    ),
                    (
                        "t4".into(),
                        finished(
                            Status::InUse,
                            "TaskResourcesBound",
                            "still bound to cloud resources (cdn.example.com, clb.example.com)"
                        )
                    ),
                    (
                        "t5".into(),
                        finished(
                            Status::Failed,
                            "TaskTimedOut",
                            "the provider timed out checking associated resources"
                        )
                    ),
                ]
            );
            assert!(matches!(
                task_state(Some(9), None, &[]),
                TaskState::Finished {
                    status: Status::Failed,
                    ..
                }
            ));
            let empty = provider(true)
                .task_answer(&reply(
                    r#"{"Response":{"DeleteTaskResult":null,"RequestId":"r"}}"#,
                ))
                .unwrap();
            assert!(empty.is_empty());
        }
    }
}
