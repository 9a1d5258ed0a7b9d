//! Property tests of every reader of server replies: each provider's delete, list, bulk and
//! task answers (and Huawei's IAM discovery), fed arbitrary bytes and near-valid vendor
//! envelopes whose fields hold random types and values.
//!
//! Properties: no reader panics; a reply is read as `deleted` only when it is the vendor's
//! documented success envelope (checked by the small independent predicates below, not by
//! certdel's own code); a page never holds more records than the reply's list has entries.
//! The case counts are bounded so the suite stays quick; `PROPTEST_CASES` raises them.

use certdel::cert::Filter;
use certdel::outcome::Status;
use certdel::provider::config::{CasTarget, ProviderSettings};
use certdel::provider::{self, huawei_scm, Answer, Class, Item, Kind, Provider, TaskState};
use certdel::wire::Reply;
use chrono::{DateTime, Utc};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------
// Generators

/// Field names the five products use, so that random objects hit the readers' paths.
const KEYS: &[&str] = &[
    "Response",
    "Error",
    "Code",
    "Message",
    "RequestId",
    "RequestID",
    "ResponseMetadata",
    "Result",
    "CertList",
    "ChainID",
    "CertName",
    "CertDomainList",
    "NotAfter",
    "Status",
    "Total",
    "Certificates",
    "CertificateId",
    "Alias",
    "Domain",
    "SubjectAltName",
    "CertSANs",
    "CertEndTime",
    "TotalCount",
    "DeleteResult",
    "TaskId",
    "Success",
    "Fail",
    "CertId",
    "Msg",
    "CertTaskIds",
    "DeleteTaskResult",
    "Domains",
    "certificates",
    "id",
    "name",
    "domain",
    "sans",
    "expire_time",
    "status",
    "total_count",
    "error_code",
    "error_msg",
    "errorCode",
    "errorMsg",
    "code",
    "message",
    "error",
    "request_id",
    "domains",
    "ServerCertificates",
    "ServerCertificate",
    "ServerCertificateId",
    "ServerCertificateName",
    "CommonName",
    "SubjectAlternativeNames",
    "SubjectAlternativeName",
    "ExpireTimeStamp",
    "ExpireTime",
    "RegionId",
    "CertificateOrderList",
    "OrderId",
    "InstanceId",
    "EndDate",
    "Name",
    "Sans",
];

/// Strings a vendor might put anywhere: ids, codes, times, placeholders, junk.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        Just(String::new()),
        Just("--".to_string()),
        Just("0000-00-00 00:00:00".to_string()),
        Just("ResourceNotFound".to_string()),
        Just("LimitExceeded".to_string()),
        Just("Throttling".to_string()),
        Just("FailedOperation.CertificateNotFound".to_string()),
        Just("SCM.0002".to_string()),
        Just("APIGW.0101".to_string()),
        Just("InvalidRegionId".to_string()),
        Just("req-1".to_string()),
        Just("a".to_string()),
        Just("1".to_string()),
        "[0-9]{1,20}",
        "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}( [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\\.[0-9]{1,10})?)?",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})",
        "\\PC{0,12}",
        any::<String>(),
    ]
    .boxed()
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop_oneof![Just(0i64), Just(1), Just(-1), Just(4), Just(50), Just(100)]
            .prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(Value::from),
        Just(json!(1_747_238_399_000_i64)),
        Just(json!(1e300)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        text().prop_map(Value::String),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => proptest::sample::select(KEYS).prop_map(str::to_string),
        1 => "\\PC{0,6}",
    ]
}

/// Arbitrary JSON whose object keys are mostly the vendors' field names.
fn junk() -> BoxedStrategy<Value> {
    leaf()
        .prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec((key(), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
            ]
        })
        .boxed()
}

/// A field that is usually there with a plausible value, sometimes junk, sometimes absent.
fn field(plausible: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        8 => plausible.prop_map(Some),
        1 => junk().prop_map(Some),
        1 => Just(None),
    ]
    .boxed()
}

fn object(fields: Vec<(&'static str, Option<Value>)>) -> Value {
    Value::Object(
        fields
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_string(), v?)))
            .collect(),
    )
}

fn id_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        "[a-zA-Z0-9-]{1,12}".prop_map(Value::String),
        (1u64..100_000).prop_map(Value::from),
    ]
}

fn string_list() -> impl Strategy<Value = Value> {
    proptest::collection::vec(text().prop_map(Value::String), 0..4).prop_map(Value::Array)
}

/// One certificate record with each product's field names, values random but plausible.
fn record() -> BoxedStrategy<Value> {
    (
        (field(id_value()), field(id_value()), field(id_value())),
        (field(id_value()), field(id_value()), field(id_value())),
        (field(text().prop_map(Value::String)), field(string_list())),
        field(number()),
        proptest::option::of(junk()),
    )
        .prop_map(|((a, b, c), (d, e, f), (t, l), n, extra)| {
            let mut o = object(vec![
                ("CertificateId", a),
                ("ChainID", b),
                ("id", c),
                ("ServerCertificateId", d),
                ("OrderId", e.clone()),
                ("CertId", f),
                ("TaskId", e),
                ("NotAfter", t.clone()),
                ("CertEndTime", t.clone().or(n.clone())),
                ("expire_time", t.clone()),
                ("EndDate", t.clone()),
                ("ExpireTime", t),
                ("ExpireTimeStamp", n.clone()),
                ("Status", n),
                ("SubjectAltName", l.clone()),
                ("CertDomainList", l.clone()),
                ("Domains", l),
            ]);
            if let (Some(Value::Object(extra)), Value::Object(o)) = (extra, &mut o) {
                o.extend(extra);
            }
            o
        })
        .boxed()
}

fn records() -> BoxedStrategy<Value> {
    prop_oneof![
        8 => proptest::collection::vec(record(), 0..5).prop_map(Value::Array),
        2 => junk(),
    ]
    .boxed()
}

fn error_object() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        5 => Just(None),
        1 => Just(Some(Value::Null)),
        2 => (field(text().prop_map(Value::String)), field(text().prop_map(Value::String)))
            .prop_map(|(c, m)| Some(object(vec![("Code", c), ("Message", m)]))),
        1 => junk().prop_map(Some),
    ]
}

/// Near-valid envelopes of every product: the documented shapes, fields randomised.
fn envelope() -> BoxedStrategy<Value> {
    let rid = || field(text().prop_map(Value::String));
    prop_oneof![
        // Tencent: {"Response": {...}}
        (
            rid(),
            error_object(),
            field(any::<bool>().prop_map(Value::Bool)),
            field(text().prop_map(Value::String)),
            field(records()),
            field(number()),
            field(string_list()),
            field(records()),
            field(records())
        )
            .prop_map(
                |(r, e, d, t, c, n, s, f, ct)| json!({"Response": object(vec![
                    ("RequestId", r), ("Error", e), ("DeleteResult", d), ("TaskId", t),
                    ("Certificates", c.clone()), ("TotalCount", n), ("Success", s),
                    ("Fail", f), ("CertTaskIds", ct), ("DeleteTaskResult", c),
                ])})
            ),
        // Volcengine: {"ResponseMetadata": {...}, "Result": {...}}
        (
            rid(),
            rid(),
            error_object(),
            field(records()),
            field(number())
        )
            .prop_map(|(r, r2, e, c, n)| object(vec![
                (
                    "ResponseMetadata",
                    Some(object(vec![
                        ("RequestId", r),
                        ("RequestID", r2),
                        ("Error", e)
                    ]))
                ),
                ("Result", Some(object(vec![("CertList", c), ("Total", n)]))),
            ])),
        // Alibaba: {"RequestId", "Code"?, "ServerCertificates"|"CertificateOrderList", ...}
        (
            rid(),
            prop_oneof![3 => Just(None), 1 => field(text().prop_map(Value::String))],
            field(records()),
            field(records()),
            field(number())
        )
            .prop_map(|(r, c, list, orders, n)| object(vec![
                ("RequestId", r),
                ("Code", c),
                (
                    "ServerCertificates",
                    list.map(|l| json!({"ServerCertificate": l}))
                ),
                ("CertificateOrderList", orders),
                ("TotalCount", n),
            ])),
        // Huawei: {"certificates": [...], "total_count"} or an error body, or IAM domains.
        (
            field(records()),
            field(number()),
            field(text().prop_map(Value::String)),
            field(records())
        )
            .prop_map(|(c, n, code, d)| object(vec![
                ("certificates", c),
                ("total_count", n),
                ("error_code", code),
                ("domains", d),
            ])),
        junk(),
    ]
    .boxed()
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        5 => Just(200u16),
        1 => Just(204u16),
        3 => proptest::sample::select(&[201u16, 400, 401, 403, 404, 409, 429, 500, 502, 503][..]),
        1 => any::<u16>(),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(
        (
            prop_oneof![
                Just("retry-after".to_string()),
                Just("x-acs-retry-after".to_string()),
                Just("x-request-id".to_string()),
                "[a-z-]{1,8}",
            ],
            prop_oneof![
                "[0-9]{1,30}(\\.[0-9]{1,5})?",
                Just("1e308".to_string()),
                Just("inf".to_string()),
                Just("NaN".to_string()),
                Just("-1".to_string()),
                "\\PC{0,10}",
            ],
        ),
        0..3,
    )
}

/// A reply: arbitrary bytes, or a near-valid envelope serialised (sometimes cut short).
fn reply() -> impl Strategy<Value = Reply> {
    let body = prop_oneof![
        2 => proptest::collection::vec(any::<u8>(), 0..200),
        1 => prop_oneof![Just(b"".to_vec()), Just(b" \n".to_vec()), Just(b"{}".to_vec()), Just(b"null".to_vec()), Just(b"[]".to_vec())],
        7 => (envelope(), any::<u16>(), proptest::bool::weighted(0.15)).prop_map(|(v, cut, truncate)| {
            let mut b = serde_json::to_vec(&v).expect("a Value serialises");
            if truncate && !b.is_empty() {
                b.truncate(cut as usize % b.len());
            }
            b
        }),
    ];
    (status(), headers(), body).prop_map(|(status, headers, body)| Reply {
        status,
        headers,
        body,
    })
}

// ---------------------------------------------------------------------------------------
// The providers and the independent success predicates

fn providers() -> Vec<Box<dyn Provider>> {
    let mut all: Vec<Box<dyn Provider>> = Vec::new();
    for kind in Kind::ALL {
        let mut s = ProviderSettings::for_test(kind);
        s.region = Some("cn-hangzhou".into());
        if kind == Kind::AlibabaCas {
            let mut certs = s.clone();
            certs.set_cas_target(CasTarget::Certificates);
            all.push(provider::build(&certs));
        }
        if kind == Kind::TencentSsl {
            let mut checked = s.clone();
            checked.set_check_resources(true);
            all.push(provider::build(&checked));
        }
        all.push(provider::build(&s));
    }
    all
}

fn json_of(reply: &Reply) -> Option<Value> {
    serde_json::from_slice(&reply.body).ok()
}

fn non_blank_str(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty())
}

/// The vendor's documented success envelope for a delete: the only replies that may read as
/// `deleted`.
fn is_success_envelope(kind: Kind, reply: &Reply) -> bool {
    let ok2xx = (200..300).contains(&reply.status);
    let json = json_of(reply);
    match kind {
        // DeleteCertificate: 204, empty body or an object that is no error body.
        Kind::HuaweiScm => {
            let empty = reply.body.iter().all(u8::is_ascii_whitespace);
            let clean_object = json.as_ref().is_some_and(|v| {
                v.as_object().is_some_and(|o| {
                    ["error_code", "errorCode", "error_msg", "errorMsg", "code"]
                        .iter()
                        .all(|k| !o.contains_key(*k))
                })
            });
            reply.status == 204 && (empty || clean_object)
        }
        // {"Response": {"DeleteResult": true, "RequestId": …}} with 200 and no Error.
        Kind::TencentSsl => {
            let response = json.as_ref().and_then(|v| v.get("Response"));
            reply.status == 200
                && response.is_some_and(|r| {
                    r.get("Error").is_none() && r.get("DeleteResult") == Some(&Value::Bool(true))
                })
        }
        // 2xx, ResponseMetadata with a request id and no Error.
        Kind::VolcengineLive => {
            let meta = json.as_ref().and_then(|v| v.get("ResponseMetadata"));
            ok2xx
                && meta.is_some_and(|m| {
                    m.is_object()
                        && (non_blank_str(m.get("RequestId")) || non_blank_str(m.get("RequestID")))
                        && m.get("Error").is_none_or(Value::is_null)
                })
        }
        // 2xx, an object with a RequestId and no Code.
        Kind::AlibabaSlb | Kind::AlibabaCas => {
            ok2xx
                && json.as_ref().is_some_and(|v| {
                    v.is_object() && non_blank_str(v.get("RequestId")) && v.get("Code").is_none()
                })
        }
    }
}

/// How many records the reply's list holds, at the path each product documents.
fn listed_entries(kind: Kind, reply: &Reply) -> usize {
    let Some(v) = json_of(reply) else { return 0 };
    let list = match kind {
        Kind::HuaweiScm => v.get("certificates"),
        Kind::TencentSsl => v.get("Response").and_then(|r| r.get("Certificates")),
        Kind::VolcengineLive => v.get("Result").and_then(|r| r.get("CertList")),
        Kind::AlibabaSlb => v
            .get("ServerCertificates")
            .and_then(|s| s.get("ServerCertificate")),
        Kind::AlibabaCas => v.get("CertificateOrderList"),
    };
    list.and_then(Value::as_array).map_or(0, Vec::len)
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-03-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn check_answer(a: &Answer, reply: &Reply) {
    assert_eq!(a.http_status, reply.status);
    if let Some(d) = a.retry_after {
        assert!(d <= std::time::Duration::from_secs(300), "{d:?}");
    }
}

fn read_everything(reply: &Reply) {
    let filter = Filter::all(now());
    for p in providers() {
        let kind = p.kind();
        let a = p.delete_answer(reply);
        check_answer(&a, reply);
        if a.class == Class::Done(Status::Deleted) {
            assert!(
                is_success_envelope(kind, reply),
                "{}: read as deleted: {} {:?}",
                kind.name(),
                reply.status,
                String::from_utf8_lossy(&reply.body)
            );
        }
        for query in p.list_plan(&filter) {
            match p.list_answer(&query, reply) {
                Ok(page) => {
                    assert!(
                        page.certs.len() <= listed_entries(kind, reply),
                        "{}: {} records from {:?}",
                        kind.name(),
                        page.certs.len(),
                        String::from_utf8_lossy(&reply.body)
                    );
                    for c in &page.certs {
                        assert!(!c.id.is_empty(), "{}: a record without id", kind.name());
                        // Every known time can be shown and compared.
                        if let Some(t) = c.not_after.known() {
                            certdel::time::rfc3339_utc(t);
                            certdel::time::days_left(t, now());
                        }
                        filter.matches(c);
                    }
                }
                Err(a) => check_answer(&a, reply),
            }
        }
        if let Some(batch) = p.batch() {
            let ids: Vec<String> = ["1", "a", "req-1", "okA"].map(String::from).to_vec();
            match batch.batch_answer(&ids, reply) {
                Ok(items) => {
                    assert_eq!(items.len(), ids.len());
                    let success = json_of(reply)
                        .and_then(|v| v.get("Response")?.get("Success").cloned())
                        .and_then(|s| s.as_array().cloned())
                        .unwrap_or_default();
                    for ((id, item), asked) in items.iter().zip(&ids) {
                        assert_eq!(id, asked);
                        if *item == Item::Done(Status::Deleted, None) {
                            assert_eq!(reply.status, 200);
                            assert!(success.contains(&Value::String(id.clone())), "{id}");
                        }
                    }
                }
                Err(a) => check_answer(&a, reply),
            }
            match batch.task_answer(reply) {
                Ok(tasks) => {
                    let listed = json_of(reply)
                        .and_then(|v| v.get("Response")?.get("DeleteTaskResult").cloned())
                        .and_then(|s| s.as_array().map(Vec::len))
                        .unwrap_or(0);
                    assert!(tasks.len() <= listed);
                    for t in &tasks {
                        assert!(!t.task_id.is_empty());
                        if let TaskState::Finished {
                            status: Status::Deleted,
                            ..
                        } = t.state
                        {
                            assert_eq!(reply.status, 200);
                        }
                    }
                }
                Err(a) => check_answer(&a, reply),
            }
        }
    }
    match huawei_scm::discover_answer(reply) {
        Ok(id) => assert!(!id.is_empty() && (200..300).contains(&reply.status)),
        Err(a) => check_answer(&a, reply),
    }
    check_answer(&huawei_scm::error_answer(reply), reply);
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn replies_never_panic_and_never_overclaim(reply in reply()) {
        read_everything(&reply);
    }
}

/// The success predicates above accept the documented envelopes (so the property is not
/// vacuous) and certdel reads exactly those as deleted.
#[test]
fn the_documented_envelopes_read_as_deleted() {
    let reply = |status: u16, body: &str| Reply {
        status,
        headers: vec![],
        body: body.as_bytes().to_vec(),
    };
    let cases = [
        (Kind::HuaweiScm, reply(204, "")),
        (Kind::HuaweiScm, reply(204, "{ }")),
        (
            Kind::TencentSsl,
            reply(200, r#"{"Response":{"DeleteResult":true,"RequestId":"r"}}"#),
        ),
        (
            Kind::VolcengineLive,
            reply(200, r#"{"ResponseMetadata":{"RequestId":"r"}}"#),
        ),
        (Kind::AlibabaSlb, reply(200, r#"{"RequestId":"r"}"#)),
        (Kind::AlibabaCas, reply(200, r#"{"RequestId":"r"}"#)),
    ];
    let all = providers();
    for (kind, reply) in cases {
        assert!(is_success_envelope(kind, &reply), "{kind:?}");
        let p = all.iter().find(|p| p.kind() == kind).unwrap();
        assert_eq!(p.delete_answer(&reply).class, Class::Done(Status::Deleted));
    }
    // And the near-misses do not.
    for (kind, body) in [
        (Kind::HuaweiScm, "[]"),
        (Kind::TencentSsl, r#"{"Response":{"DeleteResult":"true"}}"#),
        (
            Kind::VolcengineLive,
            r#"{"ResponseMetadata":{"RequestId":" "}}"#,
        ),
        (Kind::AlibabaSlb, r#"{"RequestId":"r","Code":"x"}"#),
    ] {
        let status = if kind == Kind::HuaweiScm { 204 } else { 200 };
        let r = reply(status, body);
        assert!(!is_success_envelope(kind, &r), "{kind:?} {body}");
        let p = all.iter().find(|p| p.kind() == kind).unwrap();
        assert_ne!(p.delete_answer(&r).class, Class::Done(Status::Deleted));
    }
}
