//! The seam between certdel and each cloud: plain data in, plain data out.
//!
//! A provider builds a signed [`Request`] from an id and a [`Stamp`], and turns the [`Reply`]
//! into an [`Answer`]. It does no I/O, so each one is unit-tested without a server and the
//! driver can re-sign every retry with a fresh stamp. Adding a provider is one file, one
//! [`Kind`] variant and one arm in [`build`].
//!
//! Listing follows the same pattern, one method per concern: [`Provider::list_plan`] says
//! which server-side queries cover what was asked, [`Provider::list_request`] signs one page
//! of one query, [`Provider::list_answer`] reads it into a [`Page`] of [`Cert`]s. Providers
//! with a bulk or asynchronous delete also expose [`Batch`]. Whose key a run holds — the
//! account identity call, one per vendor — lives in [`identity`].

pub mod alibaba;
pub mod alibaba_cas;
pub mod alibaba_slb;
pub mod config;
pub mod huawei_scm;
pub mod identity;
pub mod tencent_ssl;
pub mod vendor;
pub mod volcengine_live;

use crate::cert::{Cert, Filter};
use crate::outcome::Status;
use crate::sign::Stamp;
use crate::wire::{Reply, Request};
pub use config::ProviderSettings;
use serde_json::Value;
use std::time::Duration;
pub use vendor::Vendor;

/// The five products, named by their CLI value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Kind {
    HuaweiScm,
    TencentSsl,
    VolcengineLive,
    AlibabaSlb,
    AlibabaCas,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::HuaweiScm,
        Kind::TencentSsl,
        Kind::VolcengineLive,
        Kind::AlibabaSlb,
        Kind::AlibabaCas,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::HuaweiScm => "huawei-scm",
            Kind::TencentSsl => "tencent-ssl",
            Kind::VolcengineLive => "volcengine-live",
            Kind::AlibabaSlb => "alibaba-slb",
            Kind::AlibabaCas => "alibaba-cas",
        }
    }
}

/// How certdel treats one vendor answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Final for this id, with this status.
    Done(Status),
    /// Throttled: retry later and slow the whole run down.
    Throttled,
    /// Result unknown or temporary server trouble (5xx, malformed reply, CA busy): retry; a
    /// later `not_found` then means this attempt deleted it.
    Transient,
    /// Affects every id (credentials rejected, clock skew, wrong endpoint): stop the run.
    Abort,
}

/// A provider's reading of one reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub class: Class,
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
    pub http_status: u16,
    /// Server hint for when to retry (`Retry-After`, `x-acs-retry-after`).
    pub retry_after: Option<Duration>,
    /// Asynchronous deletion task (Tencent), when the provider started one.
    pub task_id: Option<String>,
    /// The vendor refused the request's signature or its time (the provider's code table
    /// says which codes): a local clock far off the server's is a likely cause, and
    /// [`crate::send`] says so when the reply's `Date` shows it ([`clock_skew`]).
    pub clock: bool,
}

impl Answer {
    pub fn new(class: Class, reply: &Reply) -> Self {
        Answer {
            class,
            code: None,
            message: None,
            request_id: None,
            http_status: reply.status,
            retry_after: retry_after(reply),
            task_id: None,
            clock: false,
        }
    }

    /// A reply certdel cannot read: the attempt's effect is unknown, so it is retried.
    pub fn malformed(reply: &Reply) -> Self {
        let mut a = Answer::new(Class::Transient, reply);
        a.code = Some("MalformedReply".into());
        a.message = Some(format!(
            "unreadable reply (HTTP {}): {}",
            reply.status,
            reply.excerpt()
        ));
        a
    }
}

/// The usage error for a region a provider does not know: `unknown region cn-hangzhuo for
/// alibaba-slb (from --region or ALIBABA_CLOUD_REGION_ID); valid: cn-qingdao, …`. `origin`
/// says where the region came from, in the caller's words (the command line and variable, a
/// profile file, a policy key); `None` leaves it out.
/// The regions a provider accepts, for the checks made before any request; `None`: any
/// (volcengine-live signs every request for cn-north-1 and uses no region).
pub fn valid_regions(kind: Kind) -> Option<Vec<&'static str>> {
    match kind {
        Kind::HuaweiScm => Some(huawei_scm::REGIONS.to_vec()),
        Kind::TencentSsl => Some(tencent_ssl::REGIONS.to_vec()),
        Kind::AlibabaSlb => Some(alibaba_slb::valid_regions().collect()),
        Kind::AlibabaCas => Some(alibaba_cas::valid_regions().collect()),
        Kind::VolcengineLive => None,
    }
}

pub fn unknown_region(kind: Kind, region: &str, origin: Option<&str>, valid: &[&str]) -> String {
    let origin = origin.map(|o| format!(" ({o})")).unwrap_or_default();
    format!(
        "unknown region {region} for {}{origin}; valid: {}",
        kind.name(),
        valid.join(", ")
    )
}

/// Clock differences up to this much are latency and rounding, not a skewed clock.
pub const CLOCK_SKEW_NOTED: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// When a reply's `Date` header (RFC 7231 IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`) is
/// more than [`CLOCK_SKEW_NOTED`] away from `signed_at`, the time the request was signed
/// with: the sentence that says so and what to do. `None` without a readable `Date`, or when
/// the clocks agree.
pub fn clock_skew(reply: &Reply, signed_at: chrono::DateTime<chrono::Utc>) -> Option<String> {
    let date = reply.header("date")?;
    let server = chrono::DateTime::parse_from_rfc2822(date.trim()).ok()?;
    let off = server.with_timezone(&chrono::Utc) - signed_at;
    if off.abs() <= CLOCK_SKEW_NOTED {
        return None;
    }
    // To the nearest second: `Date` has whole seconds, the signing time does not.
    let secs = (off.num_milliseconds().unsigned_abs() + 500) / 1000;
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let by = match (d, h, m) {
        (0, 0, m) => format!("{m} min {s} s"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    };
    let which = if off > chrono::TimeDelta::zero() {
        "behind"
    } else {
        "ahead"
    };
    Some(format!(
        "the server's clock differs from this machine's by {by} (this machine is {which}): fix the local clock (NTP)"
    ))
}

/// `Retry-After: <seconds>` or Alibaba's `x-acs-retry-after: <seconds>`, honoured up to
/// [`crate::send::MAX_RETRY_AFTER`].
pub fn retry_after(reply: &Reply) -> Option<Duration> {
    ["retry-after", "x-acs-retry-after"]
        .iter()
        .filter_map(|h| reply.header(h))
        .filter_map(|v| v.trim().parse::<f64>().ok())
        .find(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(crate::send::MAX_RETRY_AFTER.as_secs_f64())))
}

/// One product's protocol: request building and reply reading, without I/O.
pub trait Provider: Send + Sync {
    fn kind(&self) -> Kind;

    /// Reject an id that cannot be valid for this provider (the reason, without the id).
    fn check_id(&self, id: &str) -> Result<(), String> {
        check_common(id)
    }

    /// The form in which two ids are compared — an id given to `delete` against the ids a
    /// listing reports ([`crate::resolve`]): the id itself, exactly, unless the provider reads
    /// ids as something else (alibaba-cas: integers, so `007` names certificate `7`).
    fn id_key(&self, id: &str) -> String {
        id.to_string()
    }

    /// What a `not_found` for this provider may really mean, when there is more to say than
    /// "no such certificate" (alibaba-cas: the id may belong to the other `--target`).
    fn not_found_hint(&self) -> Option<&'static str> {
        None
    }

    /// The signed delete request for `id`.
    fn delete_request(&self, id: &str, stamp: &Stamp) -> Request;

    /// What a reply to [`Provider::delete_request`] means.
    fn delete_answer(&self, reply: &Reply) -> Answer;

    /// The documented request quota for deletes, in requests per second.
    fn default_rate(&self) -> f64;

    /// The list API's action name, for messages.
    fn list_action(&self) -> &'static str;

    /// The server-side queries whose union holds every certificate `filter` can keep. Each
    /// query is walked to its last page. Parts of the filter may be sent to the server only
    /// where the server's match is certainly no narrower than certdel's (the driver filters
    /// again on the client).
    fn list_plan(&self, filter: &Filter) -> Vec<ListQuery>;

    /// Records per page, or `None` when one call returns everything (no paging).
    fn list_page_size(&self) -> Option<u32>;

    /// The signed request for page `page` (0-based) of `query`.
    fn list_request(&self, query: &ListQuery, page: u32, stamp: &Stamp) -> Request;

    /// One page of certificates, or the answer for an error reply.
    fn list_answer(&self, query: &ListQuery, reply: &Reply) -> Result<Page, Answer>;

    /// Whether the paging parameter's reading (record offset or page index) must be found out
    /// from the server's replies before walking ([`ListQuery::offset_is_page`]).
    fn list_paging_probe(&self) -> bool {
        false
    }

    /// The documented request quota for the list call.
    fn list_rate(&self) -> f64 {
        self.default_rate()
    }

    /// Bulk and asynchronous deletion, for providers that have it.
    fn batch(&self) -> Option<&dyn Batch> {
        None
    }
}

/// One server-side list query: fixed parameters on top of the paging ones.
#[derive(Clone, Debug, PartialEq)]
pub struct ListQuery {
    /// What it asks for, for messages (`OrderType=CERT Status=EXPIRED`).
    pub label: String,
    /// Parameters as JSON values; query-string APIs render them as text.
    pub params: Vec<(&'static str, Value)>,
    /// alibaba-slb: the region this query lists.
    pub region: Option<String>,
    /// `--region all`: a region the product or account does not have is skipped with a
    /// warning instead of failing the listing.
    pub optional: bool,
    /// The paging parameter is a page index rather than a record offset (huawei-scm's
    /// `offset`, whose reading the reference leaves open; see [`Provider::list_paging_probe`]).
    pub offset_is_page: bool,
}

impl ListQuery {
    pub fn new(label: impl Into<String>, params: Vec<(&'static str, Value)>) -> ListQuery {
        ListQuery {
            label: label.into(),
            params,
            region: None,
            optional: false,
            offset_is_page: false,
        }
    }
}

/// One page of a list reply.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    pub certs: Vec<Cert>,
    /// The number of records the whole query holds, when the API says.
    pub total: Option<u64>,
    /// Set when an optional query was skipped (why, for a warning).
    pub skipped: Option<String>,
    /// Things about the records to tell the operator on stderr (e.g. contradictory times).
    pub warnings: Vec<String>,
}

/// What a bulk delete said about one id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// Finished, with a message when the provider gave one.
    Done(Status, Option<String>),
    /// An asynchronous deletion task was started.
    Task(String),
    /// The reply does not mention the id: certdel asks again, one id at a time.
    Unreported,
}

/// One asynchronous deletion task's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskReport {
    pub task_id: String,
    pub cert_id: Option<String>,
    pub state: TaskState,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskState {
    Running,
    /// Final status with the provider's code and message, when given.
    Finished {
        status: Status,
        code: Option<String>,
        message: Option<String>,
    },
}

/// Bulk deletion (many ids per request) and polling of asynchronous deletion tasks.
pub trait Batch: Send + Sync {
    /// Most ids one bulk request takes.
    fn batch_limit(&self) -> usize;

    /// The signed bulk delete request for `ids` (at most [`Batch::batch_limit`]).
    fn batch_request(&self, ids: &[String], stamp: &Stamp) -> Request;

    /// Per-id results of a bulk delete, in the order of `ids`, or the answer for an error
    /// reply that concerns the whole request.
    fn batch_answer(&self, ids: &[String], reply: &Reply) -> Result<Vec<(String, Item)>, Answer>;

    /// Most task ids one poll takes.
    fn task_limit(&self) -> usize;

    /// The signed request asking how these tasks are doing.
    fn task_request(&self, task_ids: &[String], stamp: &Stamp) -> Request;

    /// The tasks' states, or the answer for an error reply.
    fn task_answer(&self, reply: &Reply) -> Result<Vec<TaskReport>, Answer>;
}

/// Rules every provider shares: non-empty, no control characters, not absurdly long.
pub fn check_common(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("empty id".into());
    }
    if let Some(c) = id.chars().find(|c| c.is_control()) {
        return Err(format!(
            "id contains a control character (U+{:04X})",
            c as u32
        ));
    }
    if id.len() > 512 {
        return Err(format!("id is {} bytes long (at most 512)", id.len()));
    }
    Ok(())
}

/// The settings of a provider for certificates in `region`, for products whose ids are
/// regional (alibaba-slb: the `RegionId` parameter and its endpoint); `None` for the others,
/// whose one provider serves every certificate of the run.
pub fn in_region(settings: &ProviderSettings, region: &str) -> Option<ProviderSettings> {
    match settings.kind() {
        Kind::AlibabaSlb => Some(alibaba_slb::in_region(settings, region)),
        _ => None,
    }
}

/// Build the provider the settings describe.
pub fn build(settings: &ProviderSettings) -> Box<dyn Provider> {
    match settings.kind() {
        Kind::HuaweiScm => Box::new(huawei_scm::HuaweiScm::new(settings)),
        Kind::TencentSsl => Box::new(tencent_ssl::TencentSsl::new(settings)),
        Kind::VolcengineLive => Box::new(volcengine_live::VolcengineLive::new(settings)),
        Kind::AlibabaSlb => Box::new(alibaba_slb::AlibabaSlb::new(settings)),
        Kind::AlibabaCas => Box::new(alibaba_cas::AlibabaCas::new(settings)),
    }
}

/// A string field of a JSON object, if present.
pub(crate) fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// A count that may come as a number or as digits in a string.
pub(crate) fn count_field(v: &Value, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An identifier that may come as a string or as an integer (printed as digits).
pub(crate) fn id_field(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        _ => None,
    }
}

/// A text field that may be a string or a number (a vendor status), as text.
pub(crate) fn text_field(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The strings of a JSON array field (other elements skipped).
pub(crate) fn str_array(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON parameter as query-string text (`true`, `50`, `EXPIRED`).
pub(crate) fn param_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A list reply whose shape certdel cannot read: treated like any malformed reply (retried,
/// then the listing fails).
pub(crate) fn malformed_list(reply: &Reply, what: &str) -> Answer {
    let mut a = Answer::malformed(reply);
    a.message = Some(format!("{what}: {}", reply.excerpt()));
    a
}

/// Reply fixtures (`fixtures/replies/<provider>/<file>`) for the providers' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::Reply;

    /// The fixture as a reply: status 200, or the `.<status>.json` suffix of its name.
    pub fn fixture(provider: &str, file: &str) -> Reply {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/replies")
            .join(provider)
            .join(file);
        let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let status = file
            .strip_suffix(".json")
            .and_then(|f| f.rsplit_once('.'))
            .and_then(|(_, s)| s.parse().ok())
            .unwrap_or(200);
        Reply {
            status,
            headers: vec![],
            body,
        }
    }

    pub fn utc(s: &str) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&chrono::Utc)
    }

    /// A body as JSON, for request assertions.
    pub fn body(req: &crate::wire::Request) -> serde_json::Value {
        serde_json::from_slice(&req.body).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_more_than_a_minute_off_is_a_skewed_clock() {
        let signed = testing::utc("2025-03-01T12:00:00Z");
        let dated = |date: &str| Reply {
            status: 401,
            headers: vec![("Date".into(), date.into())],
            body: Vec::new(),
        };
        assert_eq!(
            clock_skew(&dated("Sat, 01 Mar 2025 12:05:12 GMT"), signed).as_deref(),
            Some(
                "the server's clock differs from this machine's by 5 min 12 s (this machine is \
                 behind): fix the local clock (NTP)"
            )
        );
        assert_eq!(
            clock_skew(&dated("Sat, 01 Mar 2025 09:59:00 GMT"), signed).as_deref(),
            Some(
                "the server's clock differs from this machine's by 2 h 1 min (this machine is \
                 ahead): fix the local clock (NTP)"
            )
        );
        assert!(clock_skew(&dated("Mon, 03 Mar 2025 15:00:00 GMT"), signed)
            .unwrap()
            .contains("by 2 d 3 h"));
        // Within a minute, unreadable or absent: nothing to say.
        assert_eq!(
            clock_skew(&dated("Sat, 01 Mar 2025 12:01:00 GMT"), signed),
            None
        );
        assert_eq!(
            clock_skew(&dated("Sat, 01 Mar 2025 11:59:00 GMT"), signed),
            None
        );
        assert_eq!(clock_skew(&dated("yesterday"), signed), None);
        assert_eq!(clock_skew(&dated(""), signed), None);
        let undated = Reply {
            status: 401,
            ..Reply::default()
        };
        assert_eq!(clock_skew(&undated, signed), None);
    }

    /// Each vendor's refusal of a signature or its time is marked as one a skewed clock may
    /// cause; other run-stopping refusals are not.
    #[test]
    fn signature_and_time_refusals_are_marked_clock_related() {
        let reply = |status: u16, body: &str| Reply {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        };
        let huawei = |code: &str| {
            reply(
                401,
                &format!(
                    r#"{{"error_code":"{code}","error_msg":"Incorrect IAM authentication information: verify aksk signature fail","request_id":"r"}}"#
                ),
            )
        };
        let tencent = |code: &str| {
            reply(
                200,
                &format!(
                    r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"m"}},"RequestId":"r"}}}}"#
                ),
            )
        };
        let volc = |code: &str| {
            reply(
                401,
                &format!(
                    r#"{{"ResponseMetadata":{{"RequestId":"r","Action":"DeleteCert","Version":"2023-01-01","Service":"live","Region":"cn-north-1","Error":{{"CodeN":100010,"Code":"{code}","Message":"m"}}}}}}"#
                ),
            )
        };
        let ali = |code: &str| {
            reply(
                400,
                &format!(r#"{{"RequestId":"r","HostId":"h","Code":"{code}","Message":"m"}}"#),
            )
        };
        let cases: Vec<(Kind, Reply, bool)> = vec![
            (Kind::HuaweiScm, huawei("APIGW.0301"), true),
            (Kind::HuaweiScm, huawei("APIG.0301"), true),
            (Kind::HuaweiScm, huawei("APIGW.0303"), true),
            (Kind::HuaweiScm, huawei("APIGW.0302"), false),
            (
                Kind::TencentSsl,
                tencent("AuthFailure.SignatureExpire"),
                true,
            ),
            (
                Kind::TencentSsl,
                tencent("AuthFailure.SignatureFailure"),
                true,
            ),
            (
                Kind::TencentSsl,
                tencent("AuthFailure.SecretIdNotFound"),
                false,
            ),
            (Kind::VolcengineLive, volc("SignatureDoesNotMatch"), true),
            (Kind::VolcengineLive, volc("InvalidTimestamp"), true),
            (Kind::VolcengineLive, volc("InvalidAccessKey"), false),
            (Kind::AlibabaSlb, ali("SignatureDoesNotMatch"), true),
            (Kind::AlibabaSlb, ali("InvalidTimeStamp.Expired"), true),
            (Kind::AlibabaCas, ali("InvalidTimeStamp.Expired"), true),
            (Kind::AlibabaCas, ali("InvalidAccessKeyId.NotFound"), false),
        ];
        for (kind, reply, clock) in cases {
            let p = build(&ProviderSettings::for_test(kind));
            let a = p.delete_answer(&reply);
            assert_eq!(a.class, Class::Abort, "{kind:?} {:?}", a.code);
            assert_eq!(a.clock, clock, "{kind:?} {:?}", a.code);
        }
    }

    #[test]
    fn common_id_checks() {
        assert!(check_common("abc").is_ok());
        assert!(check_common("a b/证").is_ok());
        assert_eq!(check_common(""), Err("empty id".into()));
        assert!(check_common("a\tb").unwrap_err().contains("U+0009"));
        assert!(check_common(&"x".repeat(513)).is_err());
    }

    /// A success envelope without the listing's fields is no listing, never an empty one.
    #[test]
    fn an_envelope_without_the_listing_is_malformed() {
        let ok = |body: &str| Reply {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        };
        let cases: &[(Kind, &str)] = &[
            (Kind::HuaweiScm, r#"{"total_count":0}"#),
            (
                Kind::TencentSsl,
                r#"{"Response":{"RequestId":"r","TotalCount":0}}"#,
            ),
            (
                Kind::VolcengineLive,
                r#"{"ResponseMetadata":{"RequestId":"r"},"Result":{}}"#,
            ),
            (Kind::AlibabaSlb, r#"{"RequestId":"r"}"#),
            (Kind::AlibabaCas, r#"{"RequestId":"r"}"#),
            (Kind::AlibabaCas, r#"{"RequestId":"r","TotalCount":0}"#),
        ];
        for (kind, body) in cases {
            let mut settings = crate::provider::ProviderSettings::for_test(*kind);
            settings.region = Some("cn-hangzhou".into());
            let p = build(&settings);
            let plan = p.list_plan(&crate::cert::Filter::all(chrono::Utc::now()));
            let a = p.list_answer(&plan[0], &ok(body)).unwrap_err();
            assert_eq!(a.code.as_deref(), Some("MalformedReply"), "{kind:?} {body}");
            assert_eq!(a.class, Class::Transient, "{kind:?} {body}");
        }
        // The documented empty listings stay empty listings.
        let empty: &[(Kind, &str)] = &[
            (
                Kind::AlibabaSlb,
                r#"{"RequestId":"r","ServerCertificates":{"ServerCertificate":[]}}"#,
            ),
            (
                Kind::AlibabaCas,
                r#"{"RequestId":"r","TotalCount":0,"CertificateOrderList":[]}"#,
            ),
            (
                Kind::VolcengineLive,
                r#"{"ResponseMetadata":{"RequestId":"r"},"Result":{"Total":0}}"#,
            ),
        ];
        for (kind, body) in empty {
            let mut settings = crate::provider::ProviderSettings::for_test(*kind);
            settings.region = Some("cn-hangzhou".into());
            let p = build(&settings);
            let plan = p.list_plan(&crate::cert::Filter::all(chrono::Utc::now()));
            let page = p.list_answer(&plan[0], &ok(body)).unwrap();
            assert!(page.certs.is_empty(), "{kind:?}");
        }
    }

    #[test]
    fn retry_after_reads_both_headers() {
        let r = Reply {
            status: 429,
            headers: vec![("retry-after".into(), "2".into())],
            body: vec![],
        };
        assert_eq!(retry_after(&r), Some(Duration::from_secs(2)));
        let r = Reply {
            status: 400,
            headers: vec![("x-acs-retry-after".into(), "1.5".into())],
            body: vec![],
        };
        assert_eq!(retry_after(&r), Some(Duration::from_millis(1500)));
        let r = Reply {
            status: 400,
            headers: vec![("retry-after".into(), "soon".into())],
            body: vec![],
        };
        assert_eq!(retry_after(&r), None);
        // A hint is honoured up to 30 s: a server cannot park the run for minutes.
        let r = Reply {
            status: 429,
            headers: vec![("retry-after".into(), "600".into())],
            body: vec![],
        };
        assert_eq!(retry_after(&r), Some(Duration::from_secs(30)));
    }
}
