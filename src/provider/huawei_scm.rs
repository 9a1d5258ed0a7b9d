//! huawei-scm: Huawei Cloud SSL Certificate Manager (SCM, part of CCM), API v3.
//!
//! - Docs: "SCM API Reference" (ListCertificates, DeleteCertificate, SCM error codes),
//!   "API Signing Guide"; SDK `huaweicloudsdkscm` (`ScmClient`, `ScmRegion`).
//! - Endpoint: `https://scm.<region>.myhuaweicloud.com`, regions `cn-north-4` (default),
//!   `ap-southeast-1`, `my-kualalumpur-1`. SCM is a global service: the region only picks the
//!   host, the path has no project id and every request carries `X-Domain-Id` (the account id).
//! - Delete: `DELETE /v3/scm/certificates/{certificate_id}`, no body, `204 No Content`.
//! - List: `GET /v3/scm/certificates?limit=50&offset=<n>` → `{"certificates":[…],
//!   "total_count":n}`. Whether `offset` is a record offset (offset += limit, as Huawei's own
//!   Terraform provider pages SCM: `data_source_huaweicloud_ccm_certificates.go` through
//!   `pagination.OffsetPageBase`) or a page index (the reference caps it at 100, which fits
//!   a page index better) is not settled by any vendor source, so the driver finds out from
//!   the replies ([`crate::list`]'s paging probe: `offset=1` shifts the first page by one
//!   record under the first reading and returns the second page under the other). If the
//!   server refuses an offset (`SCM.0005`), the listing fails loudly instead of returning a
//!   shortened list. `status` is left at its default `ALL`
//!   (filtering by `EXPIRED` would miss uploaded certificates, whose status stays `UPLOAD`);
//!   a plain `--name` is sent as the `content` keyword search.
//! - `expire_time` (`"2021-05-27 16:46:25.0"`) has no documented zone: read as UTC+8, see
//!   [`crate::time`].
//! - Domain id discovery (when `HUAWEICLOUD_SDK_DOMAIN_ID` is unset), as the SDK does it:
//!   signed `GET https://iam.<region>.myhuaweicloud.com/v3/auth/domains` ([`iam_endpoint`];
//!   `HUAWEICLOUD_SDK_IAM_ENDPOINT` overrides it, `--endpoint` does not), take
//!   `domains[0].id`; an empty list is an error naming `HUAWEICLOUD_SDK_DOMAIN_ID`.
//! - Signing: [`crate::sign::huawei`].

use super::config::{self, Location, ProviderChoice, Specific};
use super::vendor;
use super::{
    count_field, malformed_list, str_field, Answer, Class, Kind, ListQuery, Page, Provider, Reply,
};
use crate::cert::{domain_list, Cert, Filter};
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::outcome::Status;
use crate::profile::Profile;
use crate::provider::ProviderSettings;
use crate::secret::Credentials;
use crate::sign::{huawei, Stamp};
use crate::wire::{percent_encode, Request};

pub const REGIONS: [&str; 3] = ["cn-north-4", "ap-southeast-1", "my-kualalumpur-1"];
pub const DEFAULT_REGION: &str = "cn-north-4";

/// The credential variables the Huawei Cloud SDK reads from the environment.
pub const CREDENTIAL_VARS: super::vendor::CredentialVars = (
    "HUAWEICLOUD_SDK_AK",
    "HUAWEICLOUD_SDK_SK",
    "HUAWEICLOUD_SDK_SECURITY_TOKEN",
);
/// The SDK's IAM endpoint when the region has none of its own (`IamHelper.DEFAULT_ENDPOINT`).
pub const DEFAULT_IAM_ENDPOINT: &str = "iam.myhuaweicloud.com";
/// ListCertificates page size: the largest `limit` the reference allows (10, 20 or 50).
pub const PAGE_SIZE: u32 = 50;

/// What is wrong with a region SCM has no host for (the caller says what to do).
pub fn unknown_region(region: &str) -> String {
    format!(
        "unknown huawei-scm region '{region}' (known: {})",
        REGIONS.join(", ")
    )
}

pub fn default_endpoint(region: Option<&str>) -> Result<Endpoint, String> {
    let region = region.unwrap_or(DEFAULT_REGION);
    if !REGIONS.contains(&region) {
        return Err(format!(
            "{}; use --endpoint for any other",
            unknown_region(region)
        ));
    }
    Ok(Endpoint::https(format!("scm.{region}.myhuaweicloud.com")))
}

/// What only huawei-scm is configured with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The account (domain) id; discovered through IAM when unset.
    pub domain_id: Option<String>,
    /// Where to discover the domain id (and where the identity call goes).
    pub iam_endpoint: Endpoint,
}

/// huawei-scm's part of the settings: the one region picks the host (none: cn-north-4); the
/// SDK reads no region variable and the credentials file has no region. The credentials
/// file (`profile`) and the environment may give the domain id and the IAM endpoint.
pub fn locate(
    choice: &ProviderChoice,
    profile: Option<&Profile>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Location, Error> {
    let (region, _) = config::one_region(choice, None, "")?;
    let endpoint = match &choice.endpoint {
        Some(e) => e.clone(),
        None => default_endpoint(region.as_deref()).map_err(Error::Usage)?,
    };
    // Discovery goes to IAM as the SDK picks it (`IamHelper.get_iam_endpoint`):
    // HUAWEICLOUD_SDK_IAM_ENDPOINT, else the credentials file's `iam_endpoint`, else the
    // region's IAM endpoint. `--endpoint` redirects SCM only: IAM is another service, and an
    // SCM host cannot answer for it.
    let file_iam_endpoint = profile.and_then(|p| p.iam_endpoint.as_ref().map(|u| (u, &p.source)));
    let iam_endpoint = match (env("HUAWEICLOUD_SDK_IAM_ENDPOINT"), file_iam_endpoint) {
        (Some(url), _) => {
            Endpoint::parse_as("HUAWEICLOUD_SDK_IAM_ENDPOINT", &url).map_err(Error::Usage)?
        }
        (None, Some((url, source))) => {
            Endpoint::parse_as(&format!("{source}: iam_endpoint"), url).map_err(Error::Usage)?
        }
        (None, None) => iam_endpoint(region.as_deref()),
    };
    // HUAWEICLOUD_SDK_DOMAIN_ID, else the credentials file's `domain_id` (checked by its
    // reader), else discovered through IAM.
    let domain_id = match env("HUAWEICLOUD_SDK_DOMAIN_ID") {
        Some(id) => {
            vendor::header_value(Kind::HuaweiScm, "HUAWEICLOUD_SDK_DOMAIN_ID", &id)?;
            Some(id)
        }
        None => profile.and_then(|p| p.domain_id.clone()),
    };
    Ok(Location {
        region,
        endpoint,
        specific: Specific::Huawei(Config {
            domain_id,
            iam_endpoint,
        }),
    })
}

/// How to give the account (domain) id when discovery fails or finds none: where the console
/// shows it ("My Credentials" opens on the API Credentials page, which lists the Account ID
/// beside the IAM user's).
pub const DOMAIN_ID_HELP: &str = "set HUAWEICLOUD_SDK_DOMAIN_ID to the account id: the Account ID \
     on the console's My Credentials → API Credentials page";

/// The action named by every error of domain-id discovery: the lookup, and how to skip it.
pub const DISCOVER_ACTION: &str = "discover account (domain) id via IAM; to skip the lookup, \
     set HUAWEICLOUD_SDK_DOMAIN_ID to the account id: the Account ID on the console's My \
     Credentials → API Credentials page";

/// The IAM endpoint domain-id discovery uses for `region` (default `cn-north-4`), as
/// `huaweicloudsdkcore` 3.1.219 picks it: `auth/endpoint.py` `__IAM_ENDPOINT_DICT` maps each
/// of the three SCM regions to `https://iam.<region>.myhuaweicloud.com`; any other region
/// falls back to `IamHelper.DEFAULT_ENDPOINT`. (`HUAWEICLOUD_SDK_IAM_ENDPOINT` overrides
/// both; settings reads it.)
pub fn iam_endpoint(region: Option<&str>) -> Endpoint {
    let region = region.unwrap_or(DEFAULT_REGION);
    if REGIONS.contains(&region) {
        Endpoint::https(format!("iam.{region}.myhuaweicloud.com"))
    } else {
        Endpoint::https(DEFAULT_IAM_ENDPOINT)
    }
}

pub struct HuaweiScm {
    endpoint: Endpoint,
    creds: Credentials,
    domain_id: String,
}

impl HuaweiScm {
    pub fn new(settings: &ProviderSettings) -> Self {
        HuaweiScm {
            endpoint: settings.endpoint.clone(),
            creds: settings.credentials.clone(),
            domain_id: settings.domain_id().unwrap_or_default().to_string(),
        }
    }
}

impl Provider for HuaweiScm {
    fn kind(&self) -> Kind {
        Kind::HuaweiScm
    }

    fn check_id(&self, id: &str) -> Result<(), String> {
        super::check_common(id)?;
        // The id is a path segment. `.` and `..` are left as they are by percent-encoding (the
        // SDK's `quote(v, safe='')` too), and every URL parser on the way removes them as dot
        // segments: `DELETE /v3/scm/certificates/..` would reach `DELETE /v3/scm/`. No SCM id
        // looks like that (`scs` + digits), so they are refused before any request.
        if id == "." || id == ".." {
            return Err(format!(
                "'{id}' is a path dot segment, not a certificate id (SCM ids look like scs1554192131150)"
            ));
        }
        Ok(())
    }

    fn delete_request(&self, id: &str, stamp: &Stamp) -> Request {
        // The SDK percent-encodes path parameters with no safe characters.
        let path = format!("/v3/scm/certificates/{}", percent_encode(id));
        let mut req = Request::new("DELETE", &self.endpoint.scheme, &self.endpoint.host, path)
            .header("Content-Type", "application/json")
            .header("X-Domain-Id", self.domain_id.clone());
        huawei::sign(&req, &self.creds, stamp).apply_to(&mut req);
        req
    }

    fn delete_answer(&self, reply: &Reply) -> Answer {
        // Success is the documented status, 204 (DeleteCertificate lists 204, 401, 403, 404,
        // 500), with an empty body or a JSON object that is no error envelope (the seed doc
        // prints `{ }`). Any other 2xx — `200 {}` from a proxy or WAF, `[]`, `null`, an
        // `error_code` envelope, an HTML page — proves nothing about the certificate.
        if (200..300).contains(&reply.status) {
            let empty = reply.body.iter().all(u8::is_ascii_whitespace);
            let success_object = reply
                .json()
                .is_some_and(|v| v.is_object() && !is_error_envelope(&v));
            if reply.status != 204 || !(empty || success_object) {
                return Answer::malformed(reply);
            }
            let mut a = Answer::new(Class::Done(Status::Deleted), reply);
            a.request_id = request_id(reply);
            return a;
        }
        error_answer(reply)
    }

    fn default_rate(&self) -> f64 {
        // No documented SCM quota; the API gateway answers 429 when exceeded, which the
        // driver reacts to. 10/s matches the other vendors' per-user delete quotas.
        10.0
    }

    fn list_action(&self) -> &'static str {
        "ListCertificates"
    }

    fn list_plan(&self, filter: &Filter) -> Vec<ListQuery> {
        // `content` is a keyword search over name and domain: an exact name is always among
        // its hits. Domains are not sent: whether it searches the SANs is not documented.
        let params = match filter.literal_name() {
            Some(name) if !name.is_empty() => vec![("content", serde_json::Value::from(name))],
            _ => Vec::new(),
        };
        vec![ListQuery::new("ListCertificates", params)]
    }

    fn list_page_size(&self) -> Option<u32> {
        Some(PAGE_SIZE)
    }

    fn list_paging_probe(&self) -> bool {
        true
    }

    fn list_request(&self, query: &ListQuery, page: u32, stamp: &Stamp) -> Request {
        let offset = if query.offset_is_page {
            u64::from(page)
        } else {
            u64::from(page) * u64::from(PAGE_SIZE)
        };
        let mut req = Request::new(
            "GET",
            &self.endpoint.scheme,
            &self.endpoint.host,
            "/v3/scm/certificates",
        )
        .query("limit", PAGE_SIZE.to_string())
        .query("offset", offset.to_string())
        .header("Content-Type", "application/json")
        .header("X-Domain-Id", self.domain_id.clone());
        for (k, v) in &query.params {
            req = req.query(k, super::param_text(v));
        }
        huawei::sign(&req, &self.creds, stamp).apply_to(&mut req);
        req
    }

    fn list_answer(&self, _query: &ListQuery, reply: &Reply) -> Result<Page, Answer> {
        if !(200..300).contains(&reply.status) {
            return Err(error_answer(reply));
        }
        let json = reply
            .json()
            .ok_or_else(|| malformed_list(reply, "not JSON"))?;
        let items = json
            .get("certificates")
            .and_then(|v| v.as_array())
            .ok_or_else(|| malformed_list(reply, "no certificates array"))?;
        let mut certs = Vec::with_capacity(items.len());
        for item in items {
            let id = str_field(item, "id")
                .filter(|s| !s.is_empty())
                .ok_or_else(|| malformed_list(reply, "a certificate without id"))?;
            let mut c = Cert::new(id);
            c.name = str_field(item, "name").unwrap_or_default();
            let primary = str_field(item, "domain").unwrap_or_default();
            let sans = str_field(item, "sans").unwrap_or_default();
            // The separator of `sans` is not documented: accept commas, semicolons, spaces.
            c.domains = domain_list(
                std::iter::once(primary.as_str())
                    .chain(sans.split(|ch: char| ch == ',' || ch == ';' || ch.is_whitespace())),
            );
            c.not_after = crate::time::huawei(item.get("expire_time"));
            c.status = str_field(item, "status");
            certs.push(c);
        }
        Ok(Page {
            certs,
            total: count_field(&json, "total_count"),
            skipped: None,
            warnings: Vec::new(),
        })
    }
}

/// An object shaped like one of the error bodies the SDK reads (`error_code`/`error_msg`,
/// `errorCode`/`errorMsg`, `code`/`message`, or one nested level such as `{"error":{…}}`).
fn is_error_envelope(v: &serde_json::Value) -> bool {
    let direct = |o: &serde_json::Value| {
        ["error_code", "errorCode", "error_msg", "errorMsg", "code"]
            .iter()
            .any(|k| o.get(k).is_some())
    };
    direct(v)
        || v.as_object()
            .is_some_and(|o| o.values().any(|x| x.is_object() && direct(x)))
}

fn request_id(reply: &Reply) -> Option<String> {
    reply.header("x-request-id").map(str::to_string)
}

/// Read an error reply: `{"error_code","error_msg"}` (also `errorCode`/`errorMsg`,
/// `code`/`message`, and one nested level such as `{"error":{...}}`, as the SDK accepts).
pub fn error_answer(reply: &Reply) -> Answer {
    let json = reply.json();
    let (code, message, body_request_id) = match &json {
        Some(v) => {
            let level = if v.get("error_code").is_some()
                || v.get("errorCode").is_some()
                || v.get("code").is_some()
            {
                v
            } else {
                v.as_object()
                    .and_then(|o| o.values().find(|x| x.is_object()))
                    .unwrap_or(v)
            };
            let code = str_field(level, "error_code")
                .or_else(|| str_field(level, "errorCode"))
                .or_else(|| str_field(level, "code"));
            let message = str_field(level, "error_msg")
                .or_else(|| str_field(level, "errorMsg"))
                .or_else(|| str_field(level, "message"));
            (code, message, str_field(v, "request_id"))
        }
        None => (None, None, None),
    };
    if json.is_none() && reply.status < 500 && reply.status != 429 {
        return Answer::malformed(reply);
    }
    let mut a = Answer::new(classify(code.as_deref(), reply.status), reply);
    a.clock = code.as_deref().is_some_and(|c| CLOCK_CODES.contains(&c));
    a.code = code;
    a.message = message.or_else(|| (!reply.body.is_empty()).then(|| reply.excerpt()));
    a.request_id = request_id(reply).or(body_request_id);
    a
}

/// The gateway's refusals of a signature or its `X-Sdk-Date` (providers.md §1.8): `0301`
/// "verify aksk signature fail" (also "signature expired"), and `0303`, reported for an
/// `X-Sdk-Date` more than 15 minutes off. A skewed local clock is a likely cause of either.
pub const CLOCK_CODES: [&str; 4] = ["APIG.0301", "APIGW.0301", "APIG.0303", "APIGW.0303"];

/// Vendor code (or, without one, the HTTP status) → how certdel treats it.
///
/// Sources: the SCM reference's error-code table ("SSL证书管理错误码" / "SCM Error Codes") for
/// `SCM.*`; the API Signing Guide's "Error Codes" table for `APIGW.*` (the APIG user guide
/// writes the same numbers as `APIG.*`); Huawei's Terraform provider
/// (`resource_huaweicloud_scm_certificate.go`, `common.CheckDeletedDiag`) for a 404 from SCM
/// itself meaning the certificate is gone.
///
/// Only an answer from SCM about the certificate is `not_found`: a 404 carrying an `SCM.*`
/// code, or `SCM.0008` "Abnormal certificate ID" / `SCM.0020` "Incorrect certificate ID."
/// (**assumption**: the reference documents no not-found code; these two name a bad id). A
/// 404 from the gateway (`APIGW.0101` "The API does not exist or has not been published in
/// the environment", `APIGW.0103` "The backend does not exist") means the route is wrong for
/// every id and stops the run; a 404 with no SCM code proves nothing about the certificate.
/// No in-use code is documented: a certificate still deployed is expected to come back as
/// `SCM.0010` (wrong type or status), reported `denied` with the vendor's message.
pub fn classify(code: Option<&str>, http: u16) -> Class {
    let gateway = code.and_then(|c| c.strip_prefix("APIGW.").or_else(|| c.strip_prefix("APIG.")));
    if let Some(n) = gateway {
        return match n {
            // "The throttling threshold has been reached."
            "0308" => Class::Throttled,
            // Backend unavailable or timed out; gateway internal errors (06xx, 0705).
            "0201" => Class::Transient,
            n if n.starts_with("06") || n == "0705" => Class::Transient,
            // The rest hold for every request: API, backend, plug-in or configuration
            // missing, orchestration error, service unavailable in the region (0101, 0103-0106,
            // 0801); authentication (0301, 0303, 0305, 0307, 0311); IAM user, app, API, project
            // or region access denied (0302, 0304, 0306, 0310, 0802); client IP refused (0401,
            // 0402, 0404); app quota used up or frozen (0501, 0502).
            _ => Class::Abort,
        };
    }
    match code {
        Some("SCM.0003") => Class::Done(Status::Denied),
        // Wrong certificate type or status for deletion.
        Some("SCM.0010") => Class::Done(Status::Denied),
        // "Abnormal certificate ID" / "Incorrect certificate ID." (assumption, see above).
        Some("SCM.0008" | "SCM.0020") => Class::Done(Status::NotFound),
        Some("SCM.0005") => Class::Done(Status::Failed),
        // SCM itself answered 404 for this certificate's path.
        Some(c) if http == 404 && c.starts_with("SCM.") => Class::Done(Status::NotFound),
        _ => match http {
            429 => Class::Throttled,
            401 => Class::Abort,
            403 => Class::Done(Status::Denied),
            500..=599 => Class::Transient,
            // Any other code or status, a 404 without an SCM code included: unknown effect on
            // this certificate, reported with the vendor's words.
            _ => Class::Done(Status::Failed),
        },
    }
}

/// The signed IAM request that discovers the account (domain) id.
pub fn discover_request(iam: &Endpoint, creds: &Credentials, stamp: &Stamp) -> Request {
    let mut req = Request::new("GET", &iam.scheme, &iam.host, "/v3/auth/domains")
        .header("Content-Type", "application/json");
    huawei::sign(&req, creds, stamp).apply_to(&mut req);
    req
}

/// `domains[0].id` from the IAM reply, or the error answer. An empty `domains` list is a
/// final answer (the key sees no account): retrying would not change it.
///
/// Both messages say how to do without the lookup ([`DOMAIN_ID_HELP`]).
pub fn discover_answer(reply: &Reply) -> Result<String, Answer> {
    if !(200..300).contains(&reply.status) {
        return Err(error_answer(reply));
    }
    let json = reply.json();
    let Some(domains) = json
        .as_ref()
        .and_then(|v| v.get("domains"))
        .and_then(|d| d.as_array())
    else {
        return Err(Answer::malformed(reply));
    };
    if domains.is_empty() {
        let mut a = Answer::new(Class::Done(Status::Failed), reply);
        a.code = Some("NoDomain".into());
        a.message = Some(format!(
            "IAM listed no account (domain) for this key; {DOMAIN_ID_HELP}"
        ));
        return Err(a);
    }
    domains[0]
        .get("id")
        .and_then(|id| id.as_str())
        // It goes into the X-Domain-Id header of every request.
        .filter(|id| crate::wire::header_safe(id))
        .map(str::to_string)
        .ok_or_else(|| Answer::malformed(reply))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("x-request-id".into(), "rid-1".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn every_documented_code_is_mapped() {
        let table: &[(Option<&str>, u16, Class)] = &[
            // SCM.*: the SCM error-code table; APIG(W).*: the API Signing Guide's "Error
            // Codes" (APIGW) and the APIG user guide (APIG); a 404 from SCM itself: Huawei's
            // Terraform provider (`common.CheckDeletedDiag`).
            (Some("APIG.0308"), 429, Class::Throttled),
            (Some("APIGW.0308"), 429, Class::Throttled),
            (Some("APIG.0301"), 401, Class::Abort),
            (Some("APIGW.0301"), 401, Class::Abort),
            (Some("APIGW.0303"), 401, Class::Abort),
            (Some("SCM.0003"), 400, Class::Done(Status::Denied)),
            (Some("SCM.0005"), 400, Class::Done(Status::Failed)),
            (Some("SCM.0008"), 400, Class::Done(Status::NotFound)),
            (Some("SCM.0020"), 400, Class::Done(Status::NotFound)),
            (Some("SCM.0010"), 400, Class::Done(Status::Denied)),
            (None, 429, Class::Throttled),
            (None, 401, Class::Abort),
            (None, 403, Class::Done(Status::Denied)),
            // A 404 without an SCM code names no missing certificate.
            (None, 404, Class::Done(Status::Failed)),
            (None, 500, Class::Transient),
            (None, 503, Class::Transient),
            (Some("SCM.9999"), 400, Class::Done(Status::Failed)),
            // SCM itself answering 404 for the certificate (Terraform's CheckDeletedDiag).
            (Some("SCM.9999"), 404, Class::Done(Status::NotFound)),
            // Neither SCM nor the gateway: no proof.
            (Some("Whatever"), 404, Class::Done(Status::Failed)),
            // API Gateway: the API or its backend does not exist — wrong route, every id.
            (Some("APIG.0101"), 404, Class::Abort),
            (Some("APIGW.0101"), 404, Class::Abort),
            (Some("APIG.0103"), 404, Class::Abort),
            (Some("APIGW.0103"), 404, Class::Abort),
            (Some("APIG.0103"), 500, Class::Abort),
            (Some("APIGW.0104"), 400, Class::Abort),
            (Some("APIGW.0105"), 400, Class::Abort),
            (Some("APIGW.0106"), 400, Class::Abort),
            (Some("APIGW.0801"), 403, Class::Abort),
            (Some("APIGW.0302"), 403, Class::Abort),
            (Some("APIGW.0304"), 403, Class::Abort),
            (Some("APIGW.0305"), 401, Class::Abort),
            (Some("APIGW.0306"), 403, Class::Abort),
            (Some("APIGW.0307"), 401, Class::Abort),
            (Some("APIGW.0310"), 403, Class::Abort),
            (Some("APIGW.0311"), 401, Class::Abort),
            (Some("APIGW.0401"), 403, Class::Abort),
            (Some("APIGW.0402"), 403, Class::Abort),
            (Some("APIGW.0404"), 403, Class::Abort),
            (Some("APIGW.0501"), 405, Class::Abort),
            (Some("APIGW.0502"), 405, Class::Abort),
            (Some("APIGW.0802"), 403, Class::Abort),
            (Some("APIGW.0201"), 502, Class::Transient),
            (Some("APIGW.0201"), 504, Class::Transient),
            (Some("APIGW.0601"), 500, Class::Transient),
            (Some("APIGW.0610"), 502, Class::Transient),
            (Some("APIGW.0613"), 503, Class::Transient),
            (Some("APIGW.0705"), 500, Class::Transient),
        ];
        for (code, http, want) in table {
            assert_eq!(classify(*code, *http), *want, "{code:?} {http}");
        }
    }

    #[test]
    fn reads_error_shapes() {
        let a = error_answer(&reply(
            400,
            r#"{"error_code":"SCM.0010","error_msg":"not allowed"}"#,
        ));
        assert_eq!(a.class, Class::Done(Status::Denied));
        assert_eq!(a.code.as_deref(), Some("SCM.0010"));
        assert_eq!(a.message.as_deref(), Some("not allowed"));
        assert_eq!(a.request_id.as_deref(), Some("rid-1"));

        let a = error_answer(&reply(
            400,
            r#"{"error":{"code":"SCM.0003","message":"no privilege"}}"#,
        ));
        assert_eq!(a.class, Class::Done(Status::Denied));
        assert_eq!(a.code.as_deref(), Some("SCM.0003"));

        let a = error_answer(&reply(
            401,
            r#"{"errorCode":"APIGW.0301","errorMsg":"verify aksk signature fail"}"#,
        ));
        assert_eq!(a.class, Class::Abort);

        let a = error_answer(&reply(400, "<html>oops</html>"));
        assert_eq!(a.class, Class::Transient);
        assert_eq!(a.code.as_deref(), Some("MalformedReply"));
    }

    #[test]
    fn delete_is_204_and_request_is_signed_with_domain_id() {
        let settings = ProviderSettings::for_test(Kind::HuaweiScm);
        let p = HuaweiScm::new(&settings);
        let stamp = Stamp {
            time: chrono::DateTime::parse_from_rfc3339("2023-11-14T22:13:20Z")
                .unwrap()
                .into(),
            nonce: "n".into(),
        };
        let req = p.delete_request("a b/c", &stamp);
        assert_eq!(req.method, "DELETE");
        assert_eq!(req.target(), "/v3/scm/certificates/a%20b%2Fc");
        assert!(req.body.is_empty());
        assert!(req
            .header_value("Authorization")
            .unwrap()
            .contains("x-domain-id"));
        let a = p.delete_answer(&reply(204, ""));
        assert_eq!(a.class, Class::Done(Status::Deleted));
        assert_eq!(a.request_id.as_deref(), Some("rid-1"));
        assert_eq!(
            p.delete_answer(&reply(204, "{ }")).class,
            Class::Done(Status::Deleted)
        );
        // Only the documented 204 is success: `200 {}` (a proxy, a WAF) proves nothing.
        for (status, body) in [(200, "{ }"), (200, ""), (202, "")] {
            let a = p.delete_answer(&reply(status, body));
            assert_eq!(a.code.as_deref(), Some("MalformedReply"), "{status} {body}");
        }
        let a = p.delete_answer(&reply(200, "<html>proxy</html>"));
        assert_eq!(a.class, Class::Transient);
        assert_eq!(a.code.as_deref(), Some("MalformedReply"));
        for body in [
            "[]",
            "null",
            "\"ok\"",
            r#"{"error_code":"SCM.0010","error_msg":"x"}"#,
            r#"{"errorCode":"APIGW.0101","errorMsg":"x"}"#,
            r#"{"error":{"code":"SCM.0003","message":"x"}}"#,
        ] {
            let a = p.delete_answer(&reply(200, body));
            assert_eq!(a.code.as_deref(), Some("MalformedReply"), "{body}");
            assert_eq!(a.class, Class::Transient, "{body}");
        }
        assert_eq!(
            p.delete_answer(&reply(204, "  \n")).class,
            Class::Done(Status::Deleted)
        );
    }

    #[test]
    fn dot_segments_are_refused_before_any_request() {
        let p = HuaweiScm::new(&ProviderSettings::for_test(Kind::HuaweiScm));
        for id in [".", ".."] {
            let e = p.check_id(id).unwrap_err();
            assert!(e.contains("dot segment"), "{e}");
        }
        // Dots inside an id are fine and go on the wire as they are, in the last segment.
        for id in ["...", "a..b", ".x"] {
            assert_eq!(p.check_id(id), Ok(()), "{id}");
            let req = p.delete_request(id, &Stamp::now());
            assert_eq!(req.target(), format!("/v3/scm/certificates/{id}"));
        }
    }

    #[test]
    fn discovery_takes_first_domain() {
        assert_eq!(
            discover_answer(&reply(200, r#"{"domains":[{"id":"d-1","name":"acme"}]}"#)),
            Ok("d-1".to_string())
        );
        let empty = discover_answer(&reply(200, r#"{"domains":[]}"#)).unwrap_err();
        assert_eq!(empty.class, Class::Done(Status::Failed));
        let message = empty.message.unwrap();
        assert!(message.contains("set HUAWEICLOUD_SDK_DOMAIN_ID"));
        // And where the console shows the account id.
        assert!(
            message.contains("Account ID on the console's My Credentials → API Credentials page"),
            "{message}"
        );
        assert!(DISCOVER_ACTION.contains(DOMAIN_ID_HELP.trim_start_matches("set ")));
        let odd = discover_answer(&reply(200, r#"{"domains":[{"name":"x"}]}"#)).unwrap_err();
        assert_eq!(odd.code.as_deref(), Some("MalformedReply"));
        // An id that cannot go into the X-Domain-Id header is no answer either.
        for id in ["d\r\nX-Injected: 1", "d 1", "域"] {
            let body = serde_json::json!({"domains": [{"id": id}]}).to_string();
            let odd = discover_answer(&reply(200, &body)).unwrap_err();
            assert_eq!(odd.code.as_deref(), Some("MalformedReply"), "{id:?}");
        }
        let creds = Credentials {
            access_key: "AK".into(),
            secret_key: Secret::new("SK"),
            token: None,
            origin: "test".into(),
        };
        let req = discover_request(
            &Endpoint::https("iam.myhuaweicloud.com"),
            &creds,
            &Stamp::now(),
        );
        assert_eq!(req.target(), "/v3/auth/domains");
        assert!(req.header_value("X-Domain-Id").is_none());
    }

    #[test]
    fn region_picks_host() {
        assert_eq!(
            default_endpoint(None).unwrap().host,
            "scm.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(
            default_endpoint(Some("ap-southeast-1")).unwrap().host,
            "scm.ap-southeast-1.myhuaweicloud.com"
        );
        assert!(default_endpoint(Some("mars-1"))
            .unwrap_err()
            .contains("--endpoint"));
    }

    mod list {
        use super::*;
        use crate::cert::FilterSpec;
        use crate::provider::testing::{fixture, utc};
        use crate::time::Expiry;

        fn provider() -> HuaweiScm {
            HuaweiScm::new(&ProviderSettings::for_test(Kind::HuaweiScm))
        }

        #[test]
        fn pages_by_record_offset_in_the_query() {
            let p = provider();
            let plan = p.list_plan(&Filter::all(utc("2025-01-01T00:00:00Z")));
            assert_eq!(plan.len(), 1);
            let req = p.list_request(&plan[0], 0, &Stamp::now());
            assert_eq!(req.method, "GET");
            assert_eq!(req.target(), "/v3/scm/certificates?limit=50&offset=0");
            assert!(req.body.is_empty());
            assert_eq!(req.header_value("X-Domain-Id"), Some("domainid123"));
            let req = p.list_request(&plan[0], 4, &Stamp::now());
            assert_eq!(req.target(), "/v3/scm/certificates?limit=50&offset=200");
            // The other reading, once the probe found it: offset is the page index.
            let mut as_page = plan[0].clone();
            as_page.offset_is_page = true;
            let req = p.list_request(&as_page, 4, &Stamp::now());
            assert_eq!(req.target(), "/v3/scm/certificates?limit=50&offset=4");
            assert!(p.list_paging_probe());
        }

        #[test]
        fn list_request_matches_the_sdk_vector() {
            // providers.md §7.8: the official SDK signs `GET /v3/scm/certificates?limit=50&offset=0`
            // with these inputs to this signature.
            let mut s = ProviderSettings::for_test(Kind::HuaweiScm);
            s.endpoint = Endpoint::https("scm.cn-north-4.myhuaweicloud.com");
            s.credentials.access_key = "AKEXAMPLE".into();
            s.credentials.secret_key = crate::secret::Secret::new("SKEXAMPLE");
            let p = HuaweiScm::new(&s);
            let stamp = Stamp {
                time: utc("2023-11-14T22:13:20Z"),
                nonce: "n".into(),
            };
            let plan = p.list_plan(&Filter::all(stamp.time));
            let req = p.list_request(&plan[0], 0, &stamp);
            assert!(req.header_value("Authorization").unwrap().ends_with(
                "Signature=3a434010501e092487c19c813df17ded58460bb6fd5c4f462030a2fd499b6d1a"
            ));
        }

        #[test]
        fn plain_name_goes_to_content_patterns_do_not() {
            let now = utc("2025-01-01T00:00:00Z");
            let p = provider();
            let spec = |name: &str, domain: Option<&str>| FilterSpec {
                name: Some(name.into()),
                domain: domain.map(str::to_string),
                ..Default::default()
            };
            let plan = p.list_plan(&spec("prod cert", Some("x.com")).resolve(now));
            let req = p.list_request(&plan[0], 0, &Stamp::now());
            assert_eq!(
                req.target(),
                "/v3/scm/certificates?content=prod%20cert&limit=50&offset=0"
            );
            let plan = p.list_plan(&spec("prod*", None).resolve(now));
            assert!(plan[0].params.is_empty());
        }

        #[test]
        fn reads_the_doc_example_shape() {
            let p = provider();
            let q = &p.list_plan(&Filter::all(utc("2025-01-01T00:00:00Z")))[0];
            let page = p
                .list_answer(q, &fixture("huawei-scm", "list.json"))
                .unwrap();
            assert_eq!(page.total, Some(120));
            assert_eq!(page.certs.len(), 2);
            let c = &page.certs[0];
            assert_eq!(c.id, "scs1554192131150");
            assert_eq!(c.name, "test");
            assert_eq!(c.domains, vec!["www.zx.com", "zx.com", "api.zx.com"]);
            // "2021-05-27 16:46:25.0" read as UTC+8.
            assert_eq!(c.not_after, Expiry::Known(utc("2021-05-27T08:46:25Z")));
            assert_eq!(c.status.as_deref(), Some("ISSUED"));
            assert_eq!(c.in_use, None);
            let c = &page.certs[1];
            assert_eq!(c.domains, vec!["*.example.cn"]);
            assert_eq!(
                c.not_after,
                Expiry::Unknown {
                    raw: Some("0000-00-00 00:00:00.0".into())
                }
            );
        }

        #[test]
        fn a_refused_offset_is_an_error_not_an_empty_page() {
            let p = provider();
            let q = &p.list_plan(&Filter::all(utc("2025-01-01T00:00:00Z")))[0];
            let a = p
                .list_answer(q, &fixture("huawei-scm", "list_bad_offset.400.json"))
                .unwrap_err();
            assert_eq!(a.code.as_deref(), Some("SCM.0005"));
            assert_eq!(a.class, Class::Done(Status::Failed));
            let a = p
                .list_answer(q, &reply(200, r#"{"total_count":3}"#))
                .unwrap_err();
            assert_eq!(a.code.as_deref(), Some("MalformedReply"));
            let a = p.list_answer(q, &reply(429, "")).unwrap_err();
            assert_eq!(a.class, Class::Throttled);
        }
    }
}
