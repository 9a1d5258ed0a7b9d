//! The fake's endpoints exercised in-process through [`dispatch`] with requests signed by the
//! crate's signers: list paging and filters, Tencent's batch and asynchronous deletes, auth
//! failures, nonce reuse, quotas and injected faults.

use super::*;
use certdel::provider::Kind;
use certdel::secret::{Credentials, Secret};
use certdel::sign::{acs3, huawei as hw, tc3, volc as vs, Stamp};
use certdel::wire::Request;
use chrono::TimeZone;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering;
use std::time::Duration;

const N: usize = 137;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

fn state_with(store: Store, tweak: impl FnOnce(&mut Config)) -> State {
    let mut config = Config::new(Seed {
        accounts: store::demo_accounts(),
        store,
    });
    config.clock = Some(now());
    tweak(&mut config);
    State::new(config).unwrap()
}

fn state(store: Store) -> State {
    state_with(store, |_| {})
}

fn creds(kind: Kind) -> Credentials {
    let k = store::demo_accounts().for_kind(kind).unwrap().clone();
    Credentials {
        access_key: k.access_key,
        secret_key: Secret::new(k.secret_key),
        token: None,
        origin: "test".into(),
    }
}

static NONCE: AtomicU32 = AtomicU32::new(0);

fn stamp_at(time: DateTime<Utc>) -> Stamp {
    Stamp {
        time,
        nonce: format!("nonce-{}", NONCE.fetch_add(1, Ordering::Relaxed)),
    }
}

/// What the server receives for a signed request.
fn incoming(req: &Request) -> Incoming {
    Incoming::from(req)
}

const HOST: &str = "127.0.0.1:9";

fn huawei_at(
    method: &'static str,
    path: &str,
    query: &[(&str, &str)],
    t: DateTime<Utc>,
) -> Incoming {
    let mut req = Request::new(method, "http", HOST, path)
        .header("Content-Type", "application/json")
        .header("X-Domain-Id", "demo-domain-id-0001");
    for (k, v) in query {
        req = req.query(k, *v);
    }
    hw::sign(&req, &creds(Kind::HuaweiScm), &stamp_at(t)).apply_to(&mut req);
    incoming(&req)
}

fn huawei_list(query: &[(&str, &str)]) -> Incoming {
    huawei_at("GET", "/v3/scm/certificates", query, now())
}

fn tencent_at(action: &str, body: Value, t: DateTime<Utc>) -> Incoming {
    let mut req = Request::new("POST", "http", HOST, "/")
        .header("Content-Type", "application/json")
        .header("X-TC-Action", action)
        .header("X-TC-Version", "2019-12-05")
        .body(serde_json::to_vec(&body).unwrap());
    tc3::sign(&req, &creds(Kind::TencentSsl), &stamp_at(t), "ssl").apply_to(&mut req);
    incoming(&req)
}

fn tencent(action: &str, body: Value) -> Incoming {
    tencent_at(action, body, now())
}

fn volc_at(action: &str, body: Value, t: DateTime<Utc>) -> Incoming {
    let mut req = Request::new("POST", "http", HOST, "/")
        .query("Action", action)
        .query("Version", "2023-01-01")
        .header("Content-Type", "application/json")
        .body(serde_json::to_vec(&body).unwrap());
    vs::sign(
        &req,
        &creds(Kind::VolcengineLive),
        &stamp_at(t),
        "cn-north-1",
        "live",
    )
    .apply_to(&mut req);
    incoming(&req)
}

fn volc(action: &str, body: Value) -> Incoming {
    volc_at(action, body, now())
}

fn acs_at(kind: Kind, action: &str, params: &[(&str, &str)], t: DateTime<Utc>) -> Incoming {
    let version = if kind == Kind::AlibabaCas {
        "2020-04-07"
    } else {
        "2014-05-15"
    };
    let mut req = Request::new("POST", "http", HOST, "/")
        .header("x-acs-action", action)
        .header("x-acs-version", version)
        .header("accept", "application/json");
    for (k, v) in params {
        req = req.query(k, *v);
    }
    acs3::sign(&req, &creds(kind), &stamp_at(t)).apply_to(&mut req);
    incoming(&req)
}

fn acs(kind: Kind, action: &str, params: &[(&str, &str)]) -> Incoming {
    acs_at(kind, action, params, now())
}

async fn call(state: &State, inc: Incoming) -> (u16, Value) {
    let out = dispatch(state, inc).await;
    assert!(!out.drop, "dropped");
    let body = if out.reply.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&out.reply.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&out.reply.body).into()))
    };
    (out.reply.status, body)
}

/// Page through a list with `fetch(page index)` until `done`; every id must come exactly once.
fn assert_each_once(pages: Vec<Vec<String>>, want: &[String], what: &str) {
    let all: Vec<String> = pages.into_iter().flatten().collect();
    let set: BTreeSet<&String> = all.iter().collect();
    assert_eq!(set.len(), all.len(), "{what}: an id came twice");
    let want: BTreeSet<&String> = want.iter().collect();
    assert_eq!(set, want, "{what}: not every id exactly once");
}

fn ids(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| match &c[field] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

#[tokio::test]
async fn huawei_list_pages_by_record_offset() {
    let s = state(generate(N, now()));
    let all = s.store().ids(Kind::HuaweiScm);
    for limit in ["10", "20", "50"] {
        let mut pages = vec![];
        let mut offset = 0;
        loop {
            let o = offset.to_string();
            let (status, body) = call(&s, huawei_list(&[("limit", limit), ("offset", &o)])).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["total_count"], N);
            let page = ids(&body["certificates"], "id");
            if page.is_empty() {
                break;
            }
            offset += page.len();
            pages.push(page);
        }
        assert_each_once(pages, &all, &format!("huawei limit {limit}"));
    }
    // The documented limits only.
    let (status, body) = call(&s, huawei_list(&[("limit", "30")])).await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (400, Some("SCM.0005"))
    );
    // Default: 10, newest (last inserted) first.
    let (_, body) = call(&s, huawei_list(&[])).await;
    let page = ids(&body["certificates"], "id");
    assert_eq!(page.len(), 10);
    assert_eq!(page[0], all[N - 1]);
}

#[tokio::test]
async fn huawei_list_filters_sorts_and_formats() {
    let s = state(generate(N, now()));
    let expired: Vec<String> = s
        .store()
        .certs(Kind::HuaweiScm)
        .iter()
        .filter(|c| c.expired_at(now()))
        .map(|c| c.id.clone())
        .collect();
    let (_, body) = call(&s, huawei_list(&[("status", "EXPIRED"), ("limit", "50")])).await;
    assert_eq!(body["total_count"], expired.len());
    let (_, body) = call(
        &s,
        huawei_list(&[
            ("sort_key", "certExpiredTime"),
            ("sort_dir", "ASC"),
            ("limit", "50"),
        ]),
    )
    .await;
    let times: Vec<String> = body["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["expire_time"].as_str().unwrap().to_string())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    let t = &times[0];
    assert_eq!(t.len(), "2021-05-27 16:46:25.0".len(), "{t}");
    assert!(t.ends_with(".0") && t.as_bytes()[10] == b' ', "{t}");
    let (_, body) = call(&s, huawei_list(&[("content", "GEN7.example")])).await;
    let found = ids(&body["certificates"], "id");
    assert!(found.contains(&"scs1554192131157".to_string()), "{found:?}");
    let c = &body["certificates"][0];
    for field in [
        "id",
        "name",
        "domain",
        "sans",
        "expire_time",
        "status",
        "domain_count",
    ] {
        assert!(c.get(field).is_some(), "{field} missing: {c}");
    }
}

#[tokio::test]
async fn tencent_list_pages_and_formats_gmt8() {
    let s = state(generate(N, now()));
    let all = s.store().ids(Kind::TencentSsl);
    let mut pages = vec![];
    for offset in (0..N + 40).step_by(40) {
        let (_, body) = call(
            &s,
            tencent(
                "DescribeCertificates",
                json!({"Offset": offset, "Limit": 40}),
            ),
        )
        .await;
        assert_eq!(body["Response"]["TotalCount"], N);
        pages.push(ids(&body["Response"]["Certificates"], "CertificateId"));
    }
    assert!(pages.last().unwrap().is_empty());
    assert_each_once(pages, &all, "tencent");

    // Default limit 10; GMT+8 wall time; integer status.
    let (_, body) = call(&s, tencent("DescribeCertificates", json!({}))).await;
    let certs = body["Response"]["Certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 10);
    let first = s.store().certs(Kind::TencentSsl)[0].clone();
    assert_eq!(
        certs[0]["CertEndTime"],
        (first.not_after + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    );
    assert_eq!(certs[0]["Status"], 3, "index 0 is expired");
    assert_eq!(certs[1]["Status"], 1);

    // Filters: status, search, expiration sort.
    let (_, body) = call(
        &s,
        tencent(
            "DescribeCertificates",
            json!({"CertificateStatus": [3], "Limit": 1000}),
        ),
    )
    .await;
    assert_eq!(body["Response"]["TotalCount"], N.div_ceil(3));
    let (_, body) = call(
        &s,
        tencent("DescribeCertificates", json!({"SearchKey": "gEn00042"})),
    )
    .await;
    assert_eq!(
        ids(&body["Response"]["Certificates"], "CertificateId"),
        ["gEn00042"]
    );
    let (_, body) = call(
        &s,
        tencent(
            "DescribeCertificates",
            json!({"ExpirationSort": "ASC", "Limit": 1000}),
        ),
    )
    .await;
    let ends: Vec<String> = body["Response"]["Certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["CertEndTime"].as_str().unwrap().to_string())
        .collect();
    assert!(ends.windows(2).all(|w| w[0] <= w[1]));
}

#[tokio::test]
async fn tencent_raw_times_override_list_fields() {
    let store = Seed::demo()
        .with(
            Kind::TencentSsl,
            Cert::new("odd")
                .raw_time("CertEndTime", "2024-11-06 08:00:0")
                .raw_time("CertBeginTime", "--")
                .raw_time("InsertTime", "0000-00-00 00:00:00"),
        )
        .store;
    let s = state(store);
    let (_, body) = call(&s, tencent("DescribeCertificates", json!({}))).await;
    let c = &body["Response"]["Certificates"][0];
    assert_eq!(c["CertEndTime"], "2024-11-06 08:00:0");
    assert_eq!(c["CertBeginTime"], "--");
    assert_eq!(c["InsertTime"], "0000-00-00 00:00:00");
}

#[tokio::test]
async fn volcengine_list_hides_expired_by_default() {
    let s = state(generate(N, now()));
    let store = s.store().clone();
    let (expired, live): (Vec<&Cert>, Vec<&Cert>) = store
        .certs(Kind::VolcengineLive)
        .iter()
        .partition(|c| c.expired_at(now()));
    let ids_of = |v: &[&Cert]| v.iter().map(|c| c.id.clone()).collect::<Vec<_>>();

    // No paging, no filter: every valid certificate, none expired.
    let (status, body) = call(&s, volc("ListCertV2", json!({}))).await;
    assert_eq!(status, 200);
    assert_eq!(body["Result"]["Total"], live.len());
    assert_each_once(
        vec![ids(&body["Result"]["CertList"], "ChainID")],
        &ids_of(&live),
        "default",
    );
    assert!(body["ResponseMetadata"]["RequestID"].is_string());

    // Expiring:true gives exactly the expired ones, paged.
    let mut pages = vec![];
    for page in 1..=6 {
        let (_, body) = call(
            &s,
            volc(
                "ListCertV2",
                json!({"Available": true, "Expiring": true, "PageNum": page, "PageSize": 10}),
            ),
        )
        .await;
        assert_eq!(body["Result"]["Total"], expired.len());
        pages.push(ids(&body["Result"]["CertList"], "ChainID"));
    }
    assert!(pages.last().unwrap().is_empty());
    assert_each_once(pages, &ids_of(&expired), "expiring");

    let (_, body) = call(&s, volc("ListCertV2", json!({"Available": false}))).await;
    assert_eq!(body["Result"]["Total"], 0);
    let (_, body) = call(
        &s,
        volc("ListCertV2", json!({"Expiring": true, "PageSize": 3})),
    )
    .await;
    let list = body["Result"]["CertList"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[0]["Status"], "Expire");
    let not_after = list[0]["NotAfter"].as_str().unwrap();
    assert!(not_after.ends_with('Z') && DateTime::parse_from_rfc3339(not_after).is_ok());
}

#[tokio::test]
async fn slb_list_is_one_region_without_paging() {
    let s = state(generate(N, now()));
    let (status, body) = call(
        &s,
        acs(
            Kind::AlibabaSlb,
            "DescribeServerCertificates",
            &[("RegionId", "cn-hangzhou")],
        ),
    )
    .await;
    assert_eq!(status, 200);
    let list = &body["ServerCertificates"]["ServerCertificate"];
    assert_each_once(
        vec![ids(list, "ServerCertificateId")],
        &s.store().ids(Kind::AlibabaSlb),
        "slb",
    );
    let c = &list[0];
    let iso = c["ExpireTime"].as_str().unwrap();
    let ms = DateTime::parse_from_rfc3339(iso)
        .unwrap()
        .timestamp_millis();
    assert_eq!(c["ExpireTimeStamp"], ms);
    assert!(c["SubjectAlternativeNames"]["SubjectAlternativeName"].is_array());
    let (_, body) = call(
        &s,
        acs(
            Kind::AlibabaSlb,
            "DescribeServerCertificates",
            &[("RegionId", "cn-beijing")],
        ),
    )
    .await;
    assert_eq!(body["ServerCertificates"]["ServerCertificate"], json!([]));
    let (status, body) = call(&s, acs(Kind::AlibabaSlb, "DescribeServerCertificates", &[])).await;
    assert_eq!(
        (status, body["Code"].as_str()),
        (400, Some("MissingRegionId"))
    );
}

#[tokio::test]
async fn cas_list_pages_by_order_type_and_status() {
    let s = state(generate(N, now()));
    let store = s.store().clone();
    let of = |kind: CasKind, pred: &dyn Fn(&Cert) -> bool| -> Vec<String> {
        store
            .certs(Kind::AlibabaCas)
            .iter()
            .filter(|c| c.kind == Some(kind) && pred(c))
            .map(|c| c.id.clone())
            .collect()
    };
    let list = |order_type: &str, status: Option<&str>, page: usize| {
        let p = page.to_string();
        let mut params = vec![
            ("OrderType", order_type),
            ("ShowSize", "7"),
            ("CurrentPage", p.as_str()),
        ];
        if let Some(st) = status {
            params.push(("Status", st));
        }
        acs(Kind::AlibabaCas, "ListUserCertificateOrder", &params)
    };
    // CERT without Status: only valid certificates (issued or about to expire).
    let valid = of(CasKind::Certificate, &|c| !c.expired_at(now()));
    let expired = of(CasKind::Certificate, &|c| c.expired_at(now()));
    let orders = of(CasKind::Order, &|_| true);
    for (order_type, status, want) in [
        ("CERT", None, &valid),
        ("CERT", Some("EXPIRED"), &expired),
        ("CPACK", None, &orders),
    ] {
        let mut pages = vec![];
        for page in 1..=30 {
            let (_, body) = call(&s, list(order_type, status, page)).await;
            assert_eq!(body["TotalCount"], want.len(), "{order_type} {status:?}");
            assert_eq!(body["ShowSize"], 7);
            let field = if order_type == "CERT" {
                "CertificateId"
            } else {
                "OrderId"
            };
            let page = ids(&body["CertificateOrderList"], field);
            if page.is_empty() {
                break;
            }
            pages.push(page);
        }
        assert_each_once(pages, want, &format!("cas {order_type} {status:?}"));
    }
    let (_, body) = call(&s, list("CERT", Some("EXPIRED"), 1)).await;
    let c = &body["CertificateOrderList"][0];
    assert!(c["CertificateId"].is_i64(), "{c}");
    assert_eq!(c["EndDate"].as_str().unwrap().len(), "2024-06-30".len());
    let (_, body) = call(&s, list("CPACK", None, 1)).await;
    let o = &body["CertificateOrderList"][0];
    assert!(o["OrderId"].is_i64() && o["CertEndTime"].is_i64(), "{o}");
    let (_, body) = call(&s, list("BUY", None, 1)).await;
    assert_eq!(body["TotalCount"], 0, "generated orders are all cpack");
}

#[tokio::test]
async fn tencent_batch_delete_reports_each_id() {
    let store = Seed::demo()
        .with(Kind::TencentSsl, Cert::new("a"))
        .with(Kind::TencentSsl, Cert::new("b").in_use())
        .store;
    let s = state(store);
    let (_, body) = call(
        &s,
        tencent(
            "DeleteCertificates",
            json!({"CertificateIds": ["a", "b", "zz"]}),
        ),
    )
    .await;
    let r = &body["Response"];
    assert_eq!(r["Success"], json!(["a"]));
    let fails: Vec<&str> = r["Fail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["CertId"].as_str().unwrap())
        .collect();
    assert_eq!(fails, ["b", "zz"]);
    assert!(!s.store().contains(Kind::TencentSsl, "a"));
    assert!(s.store().contains(Kind::TencentSsl, "b"));
    let many: Vec<String> = (0..101).map(|i| format!("x{i}")).collect();
    let (_, body) = call(
        &s,
        tencent("DeleteCertificates", json!({ "CertificateIds": many })),
    )
    .await;
    assert_eq!(
        body["Response"]["Error"]["Code"],
        "InvalidParameter.CertificateIdNumberLimit"
    );
    let log = s.log();
    assert_eq!(log[0].ids, ["a", "b", "zz"]);
    assert_eq!(log[0].deleted, ["a"]);
}

#[tokio::test]
async fn tencent_async_deletion_finishes_after_the_configured_polls() {
    let store = Seed::demo()
        .with(Kind::TencentSsl, Cert::new("free"))
        .with(Kind::TencentSsl, Cert::new("bound").in_use())
        .store;
    let s = state_with(store, |c| c.task_polls = 2);
    let (_, body) = call(
        &s,
        tencent(
            "DeleteCertificate",
            json!({"CertificateId": "free", "IsCheckResource": true}),
        ),
    )
    .await;
    assert_eq!(body["Response"]["DeleteResult"], false);
    let free_task = body["Response"]["TaskId"].as_str().unwrap().to_string();
    let (_, body) = call(
        &s,
        tencent(
            "DeleteCertificates",
            json!({"CertificateIds": ["bound"], "IsSync": true}),
        ),
    )
    .await;
    assert_eq!(body["Response"]["Success"], json!([]));
    let bound_task = body["Response"]["CertTaskIds"][0]["TaskId"]
        .as_str()
        .unwrap()
        .to_string();
    let poll = || {
        tencent(
            "DescribeDeleteCertificatesTaskResult",
            json!({"TaskIds": [free_task, bound_task]}),
        )
    };
    for _ in 0..2 {
        let (_, body) = call(&s, poll()).await;
        let statuses: Vec<i64> = body["Response"]["DeleteTaskResult"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["Status"].as_i64().unwrap())
            .collect();
        assert_eq!(statuses, [0, 0], "running");
        assert!(s.store().contains(Kind::TencentSsl, "free"));
    }
    let (_, body) = call(&s, poll()).await;
    let tasks = body["Response"]["DeleteTaskResult"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        (tasks[0]["CertId"].as_str(), tasks[0]["Status"].as_i64()),
        (Some("free"), Some(1))
    );
    assert_eq!(
        (tasks[1]["CertId"].as_str(), tasks[1]["Status"].as_i64()),
        (Some("bound"), Some(4))
    );
    assert!(!s.store().contains(Kind::TencentSsl, "free"));
    assert!(s.store().contains(Kind::TencentSsl, "bound"));
    // Finished tasks keep their result.
    let (_, again) = call(&s, poll()).await;
    assert_eq!(again["Response"]["DeleteTaskResult"][0]["Status"], 1);
    assert_eq!(s.counters().deletes_applied, 1);
}

#[tokio::test]
async fn stale_requests_get_each_vendors_answer() {
    let s = state(Store::default());
    let late = now() - chrono::Duration::minutes(16);
    let cases = [
        (
            huawei_at("GET", "/v3/scm/certificates", &[], late),
            401,
            "APIGW.0301",
        ),
        (
            tencent_at(
                "DescribeCertificates",
                json!({}),
                now() - chrono::Duration::minutes(6),
            ),
            200,
            "AuthFailure.SignatureExpire",
        ),
        (
            volc_at("ListCertV2", json!({}), late),
            400,
            "InvalidTimestamp",
        ),
        (
            acs_at(
                Kind::AlibabaSlb,
                "DescribeServerCertificates",
                &[("RegionId", "x")],
                late,
            ),
            400,
            "InvalidTimeStamp.Expired",
        ),
    ];
    for (inc, status, code) in cases {
        let out = dispatch(&s, inc).await;
        assert_eq!(
            (out.reply.status, out.code.as_deref()),
            (status, Some(code))
        );
    }
    // Within the window they pass.
    let fine = now() - chrono::Duration::minutes(4);
    let (status, _) = call(&s, tencent_at("DescribeCertificates", json!({}), fine)).await;
    assert_eq!(status, 200);
    assert_eq!(s.counters().auth_failures, 4);
}

#[tokio::test]
async fn auth_failures_have_the_vendor_shapes() {
    let s = state(Store::default());
    let mut h = huawei_list(&[]);
    h.headers.retain(|(n, _)| n != "x-domain-id");
    let (status, body) = call(&s, h).await;
    assert_eq!(status, 401);
    assert_eq!(body["error_code"], "APIGW.0301");
    assert!(body["request_id"].is_string());

    let mut t = tencent("DescribeCertificates", json!({}));
    t.body = br#"{"Limit":1}"#.to_vec();
    let (status, body) = call(&s, t).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["Response"]["Error"]["Code"],
        "AuthFailure.SignatureFailure"
    );
    assert!(body["Response"]["RequestId"].is_string());

    let mut v = volc("ListCertV2", json!({}));
    v.target = v.target.replace("ListCertV2", "DeleteCert");
    let (status, body) = call(&s, v).await;
    assert_eq!(status, 401);
    let e = &body["ResponseMetadata"]["Error"];
    assert_eq!(
        (e["Code"].as_str(), e["CodeN"].as_i64()),
        (Some("SignatureDoesNotMatch"), Some(100010))
    );

    let a = acs(Kind::AlibabaCas, "ListUserCertificateOrder", &[]);
    let (status, _) = call(&s, a.clone()).await;
    assert_eq!(status, 200);
    let (status, body) = call(&s, a).await;
    assert_eq!(
        (status, body["Code"].as_str()),
        (400, Some("SignatureNonceUsed"))
    );
    for field in ["RequestId", "HostId", "Message", "Recommend"] {
        assert!(body[field].is_string(), "{field}: {body}");
    }
    let mut a = acs(
        Kind::AlibabaSlb,
        "DescribeServerCertificates",
        &[("RegionId", "r")],
    );
    a.target = a.target.replace("RegionId=r", "RegionId=s");
    let (status, body) = call(&s, a).await;
    assert_eq!(
        (status, body["Code"].as_str()),
        (400, Some("SignatureDoesNotMatch"))
    );
    assert!(body["Message"]
        .as_str()
        .unwrap()
        .contains("ACS3-HMAC-SHA256"));
}

#[tokio::test]
async fn unroutable_requests_get_a_plain_404() {
    let s = state(Store::default());
    let inc = Incoming {
        method: "GET".into(),
        target: "/favicon.ico".into(),
        host: HOST.into(),
        headers: vec![],
        body: vec![],
    };
    let out = dispatch(&s, inc).await;
    assert_eq!(out.reply.status, 404);
    assert_eq!(s.log()[0].provider, None);
    assert_eq!(s.counters().requests, 0);
}

fn delete_volc(id: &str) -> Incoming {
    volc("DeleteCert", json!({ "ChainID": id }))
}

#[tokio::test]
async fn quotas_throttle_with_each_vendors_answer() {
    let quota = Quota {
        rate: 1e-9,
        burst: 1.0,
    };
    let s = state_with(Store::default(), |c| {
        for k in Kind::ALL {
            c.quotas.insert(k, quota);
        }
        c.retry_after = Some(3);
    });
    type Make = Box<dyn Fn() -> Incoming>;
    let cases: [(Make, u16, &str); 5] = [
        (Box::new(|| huawei_list(&[])), 429, "APIG.0308"),
        (
            Box::new(|| tencent("DescribeCertificates", json!({}))),
            200,
            "LimitExceeded.RateLimitExceeded",
        ),
        (
            Box::new(|| volc("ListCertV2", json!({}))),
            429,
            "FlowLimitExceeded",
        ),
        (
            Box::new(|| {
                acs(
                    Kind::AlibabaSlb,
                    "DescribeServerCertificates",
                    &[("RegionId", "r")],
                )
            }),
            400,
            "Throttling.User",
        ),
        (
            Box::new(|| acs(Kind::AlibabaCas, "ListUserCertificateOrder", &[])),
            400,
            "Throttling.User",
        ),
    ];
    for (make, status, code) in cases {
        let first = dispatch(&s, make()).await;
        assert_eq!(first.code, None, "first request within the burst");
        let second = dispatch(&s, make()).await;
        assert_eq!(
            (second.reply.status, second.code.as_deref()),
            (status, Some(code))
        );
        if code == "Throttling.User" {
            assert!(second
                .reply
                .headers
                .contains(&("x-acs-retry-after".into(), "3".into())));
        }
    }
    assert_eq!(s.counters().throttled, 5);
    assert_eq!(s.counters().requests, 10);
}

#[tokio::test]
async fn faults_before_and_after_apply() {
    let store = || {
        (0..4)
            .fold(Seed::demo(), |s, i| {
                s.with(Kind::VolcengineLive, Cert::new(format!("c{i}")))
            })
            .store
    };
    // Every request faulted, none applied.
    let s = state_with(store(), |c| {
        c.faults = Faults {
            p_5xx: 1.0,
            p_drop: 0.0,
            after_apply: 0.0,
        };
    });
    let (status, body) = call(&s, delete_volc("c0")).await;
    assert_eq!(status, 500);
    assert_eq!(body["ResponseMetadata"]["Error"]["Code"], "InternalError");
    assert!(s.store().contains(Kind::VolcengineLive, "c0"));
    assert_eq!(s.log()[0].injected.as_deref(), Some("5xx"));

    // Every request dropped after it was carried out: gone, yet the client saw nothing.
    let s = state_with(store(), |c| {
        c.faults = Faults {
            p_5xx: 0.0,
            p_drop: 1.0,
            after_apply: 1.0,
        };
    });
    let out = dispatch(&s, delete_volc("c1")).await;
    assert!(out.drop);
    assert!(!s.store().contains(Kind::VolcengineLive, "c1"));
    let c = s.counters();
    assert_eq!((c.faults_injected, c.deletes_applied), (1, 1));
    assert_eq!(s.log()[0].injected.as_deref(), Some("drop-after-apply"));
    assert_eq!(s.log()[0].status, None);
}

#[tokio::test]
async fn faults_are_the_same_for_the_same_seed_and_order() {
    let run = |seed: u64| async move {
        let store = (0..60)
            .fold(Seed::demo(), |s, i| {
                s.with(Kind::VolcengineLive, Cert::new(format!("c{i}")))
            })
            .store;
        let s = state_with(store, |c| {
            c.rng_seed = seed;
            c.faults = Faults {
                p_5xx: 0.2,
                p_drop: 0.2,
                after_apply: 0.5,
            };
        });
        for i in 0..60 {
            let _ = dispatch(&s, delete_volc(&format!("c{i}"))).await;
        }
        let log: Vec<(Option<String>, Vec<String>)> = s
            .log()
            .into_iter()
            .map(|e| (e.injected, e.deleted))
            .collect();
        let left = s.store().ids(Kind::VolcengineLive);
        (log, left)
    };
    let (a, left_a) = run(42).await;
    let (b, left_b) = run(42).await;
    assert_eq!(a, b);
    assert_eq!(left_a, left_b);
    let (c, _) = run(43).await;
    assert_ne!(a, c);
    let kinds: BTreeSet<&str> = a.iter().filter_map(|(i, _)| i.as_deref()).collect();
    assert_eq!(
        kinds,
        ["5xx", "5xx-after-apply", "drop", "drop-after-apply"]
            .into_iter()
            .collect(),
        "all four kinds occur in 60 requests"
    );
    // After-apply faults deleted; before-apply ones did not.
    for (injected, deleted) in &a {
        match injected.as_deref() {
            Some("5xx" | "drop") => assert!(deleted.is_empty()),
            _ => assert_eq!(deleted.len(), 1),
        }
    }
}

#[tokio::test]
async fn seeded_certificate_faults_answer_and_keep_the_certificate() {
    let store = Seed::demo()
        .with(Kind::VolcengineLive, Cert::new("m").fault(Fault::Malformed))
        .with(Kind::VolcengineLive, Cert::new("h").fault(Fault::Http500))
        .with(Kind::VolcengineLive, Cert::new("d").fault(Fault::Drop))
        .store;
    let s = state(store);
    let m = dispatch(&s, delete_volc("m")).await;
    assert_eq!(m.reply.status, 200);
    assert!(serde_json::from_slice::<Value>(&m.reply.body).is_err());
    let h = dispatch(&s, delete_volc("h")).await;
    assert_eq!(
        (h.reply.status, h.code.as_deref()),
        (500, Some("InternalError"))
    );
    assert!(dispatch(&s, delete_volc("d")).await.drop);
    for id in ["m", "h", "d"] {
        assert!(s.store().contains(Kind::VolcengineLive, id));
    }
    let injected: Vec<Option<String>> = s.log().into_iter().map(|e| e.injected).collect();
    assert_eq!(
        injected,
        [
            Some("cert:malformed".to_string()),
            Some("cert:http500".to_string()),
            Some("cert:drop".to_string())
        ]
    );
    // Only random faults count as injected.
    assert_eq!(s.counters().faults_injected, 0);
}

#[tokio::test(start_paused = true)]
async fn latency_delays_every_answer() {
    let s = state_with(Store::default(), |c| c.latency = Duration::from_secs(5));
    let t0 = tokio::time::Instant::now();
    let (status, _) = call(&s, volc("ListCertV2", json!({}))).await;
    assert_eq!(status, 200);
    // Virtual time: the paused clock advances exactly by the sleeps taken.
    assert!(t0.elapsed() >= Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn a_request_held_by_the_latency_is_counted_on_arrival_and_logged_once_answered() {
    let s = state_with(Store::default(), |c| c.latency = Duration::from_secs(5));
    let held = call(&s, volc("ListCertV2", json!({})));
    let check = async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        (s.counters().arrived, s.log().len())
    };
    let ((status, _), during) = tokio::join!(held, check);
    assert_eq!(status, 200);
    assert_eq!(during, (1, 0), "arrived, not answered yet");
    assert_eq!((s.counters().arrived, s.log().len()), (1, 1));
}

/// A certdel provider's own delete request, received by the fake and its reply read back by
/// the same provider: the fake speaks certdel's wire types in both directions.
#[tokio::test]
async fn certdel_reads_the_fakes_answer_to_its_own_delete_request() {
    use certdel::endpoint::Endpoint;
    use certdel::outcome::Status;
    use certdel::provider::ProviderSettings;
    use certdel::provider::{self, Class};
    for kind in Kind::ALL {
        let id = match kind {
            Kind::AlibabaCas => "7001",
            _ => "round-trip",
        };
        let cert = match kind {
            Kind::AlibabaSlb => Cert::new(id).region("cn-hangzhou"),
            Kind::AlibabaCas => Cert::new(id).kind(CasKind::Order).status("CHECKED_FAIL"),
            _ => Cert::new(id),
        };
        let s = state(Seed::demo().with(kind, cert).store);
        let mut settings = ProviderSettings::for_test(kind);
        settings.endpoint = Endpoint::parse(&format!("http://{HOST}")).unwrap();
        settings.credentials = creds(kind);
        settings.region = Some("cn-hangzhou".into());
        let domain_id = store::demo_accounts()
            .for_kind(kind)
            .and_then(|k| k.domain_id.clone())
            .or(settings.domain_id().map(str::to_string));
        settings.set_domain_id(domain_id);
        let p = provider::build(&settings);
        let out = dispatch(&s, Incoming::from(&p.delete_request(id, &stamp_at(now())))).await;
        let answer = p.delete_answer(&out.reply);
        assert_eq!(
            answer.class,
            Class::Done(Status::Deleted),
            "{}: {answer:?}",
            kind.name()
        );
        assert!(!s.store().contains(kind, id), "{}", kind.name());
    }
}

/// certdel's own identity request for every product, answered by the fake with the demo
/// account and read back with certdel's `identity_answer`.
#[tokio::test]
async fn certdel_reads_the_fakes_answer_to_its_identity_request() {
    use certdel::endpoint::Endpoint;
    use certdel::provider::identity::{self, Vendor};
    use certdel::provider::ProviderSettings;
    let s = state(Store::default());
    for kind in Kind::ALL {
        let mut settings = ProviderSettings::for_test(kind);
        settings.identity_endpoint = Endpoint::parse(&format!("http://{HOST}")).unwrap();
        settings.credentials = creds(kind);
        settings.region = Some("cn-hangzhou".into());
        let req = identity::identity_request(&settings, &stamp_at(now()));
        let out = dispatch(&s, Incoming::from(&req)).await;
        let got = identity::identity_answer(Vendor::of(kind), &out.reply)
            .unwrap_or_else(|a| panic!("{}: {a:?}", kind.name()));
        let want = match kind {
            Kind::HuaweiScm => "demo-domain-id-0001",
            Kind::TencentSsl => "100000000001",
            Kind::VolcengineLive => "2100000001",
            Kind::AlibabaSlb | Kind::AlibabaCas => "1231579085529123",
        };
        assert_eq!(got.account_id, want, "{}", kind.name());
        if kind != Kind::HuaweiScm {
            assert!(
                got.principal.as_deref().is_some_and(|p| p.contains(want)),
                "{}: {got:?}",
                kind.name()
            );
            assert!(got.kind.is_some(), "{}: {got:?}", kind.name());
            assert!(got.request_id.is_some(), "{}: {got:?}", kind.name());
        }
    }
    // Volcengine answers the account id as an integer, as its API does.
    let mut settings = ProviderSettings::for_test(Kind::VolcengineLive);
    settings.identity_endpoint = Endpoint::parse(&format!("http://{HOST}")).unwrap();
    settings.credentials = creds(Kind::VolcengineLive);
    let out = dispatch(
        &s,
        Incoming::from(&identity::identity_request(&settings, &stamp_at(now()))),
    )
    .await;
    let body: Value = serde_json::from_slice(&out.reply.body).unwrap();
    assert_eq!(body["Result"]["AccountId"], json!(2100000001u64));
    let log = s.log();
    assert!(log
        .iter()
        .all(|e| e.action == "GetCallerIdentity" || e.action == "KeystoneListAuthDomains"));
    assert!(log.iter().all(|e| !e.auth_failed && e.status == Some(200)));
}

/// The identity calls are authenticated like every other call: an unknown key, a signature
/// with the product's service instead of STS's, are refused, and certdel reads the refusal as
/// stopping the run.
#[tokio::test]
async fn the_identity_call_checks_its_signature() {
    use certdel::endpoint::Endpoint;
    use certdel::provider::identity::{self, Vendor};
    use certdel::provider::Class;
    let s = state(Store::default());
    let ep = Endpoint::parse(&format!("http://{HOST}")).unwrap();
    for kind in [
        Kind::HuaweiScm,
        Kind::TencentSsl,
        Kind::VolcengineLive,
        Kind::AlibabaCas,
    ] {
        let mut wrong = creds(kind);
        wrong.access_key = "NOT-A-DEMO-KEY".into();
        let v = Vendor::of(kind);
        let req = identity::request(v, &ep, &wrong, None, &stamp_at(now()));
        let out = dispatch(&s, Incoming::from(&req)).await;
        let a = identity::identity_answer(v, &out.reply).unwrap_err();
        assert_eq!(a.class, Class::Abort, "{}: {a:?}", kind.name());
        // Right key, wrong secret.
        let mut wrong = creds(kind);
        wrong.secret_key = Secret::new("not-the-secret");
        let req = identity::request(v, &ep, &wrong, None, &stamp_at(now()));
        let out = dispatch(&s, Incoming::from(&req)).await;
        let a = identity::identity_answer(v, &out.reply).unwrap_err();
        assert_eq!(a.class, Class::Abort, "{}: {a:?}", kind.name());
    }
    // Signed for the product's service (ssl, live), not sts: refused.
    let mut t = identity::request(
        Vendor::Tencent,
        &ep,
        &creds(Kind::TencentSsl),
        None,
        &stamp_at(now()),
    );
    t.headers
        .retain(|(k, _)| k != "Authorization" && k != "X-TC-Timestamp");
    tc3::sign(&t, &creds(Kind::TencentSsl), &stamp_at(now()), "ssl").apply_to(&mut t);
    let out = dispatch(&s, Incoming::from(&t)).await;
    let a = identity::identity_answer(Vendor::Tencent, &out.reply).unwrap_err();
    assert_eq!(a.code.as_deref(), Some("AuthFailure.SignatureFailure"));
    let mut v = identity::request(
        Vendor::Volcengine,
        &ep,
        &creds(Kind::VolcengineLive),
        None,
        &stamp_at(now()),
    );
    v.headers
        .retain(|(k, _)| !matches!(k.as_str(), "Authorization" | "X-Date" | "X-Content-Sha256"));
    vs::sign(
        &v,
        &creds(Kind::VolcengineLive),
        &stamp_at(now()),
        "cn-north-1",
        "live",
    )
    .apply_to(&mut v);
    let out = dispatch(&s, Incoming::from(&v)).await;
    let a = identity::identity_answer(Vendor::Volcengine, &out.reply).unwrap_err();
    assert_eq!(a.code.as_deref(), Some("SignatureDoesNotMatch"));
}
