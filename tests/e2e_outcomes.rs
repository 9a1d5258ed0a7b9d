//! Outcomes are true: the real binary against the fake cloud answering with scripted vendor
//! codes and shapes the store alone cannot produce (a gateway's 404, `200 {}`, run-wide codes,
//! a lost reply followed by a vendor's "no such resource").

mod common;

use common::*;

/// Script `steps` for `id` of target `t` (one step per request naming it).
fn scripted(t: Target, ids: &[&str], id: &str, steps: Vec<Step>) -> Running {
    let mut config = Config::new(t.seed(ids.iter().map(|i| t.cert(i))));
    config.scripts.insert((t.kind, id.to_string()), steps);
    start_config(config)
}

/// Deletes the fake carried out.
fn applied(fake: &Running) -> usize {
    fake.requests().iter().map(|r| r.deleted.len()).sum()
}

/// A 2xx that is not the vendor's documented success envelope proves nothing: never
/// `deleted`, on any provider, and the certificate stays.
#[test]
fn a_2xx_without_the_success_envelope_is_never_deleted() {
    for t in TARGETS {
        let mut bodies = vec!["{}"];
        match t.kind {
            Kind::HuaweiScm => bodies.extend([
                "[]",
                "null",
                r#"{"error_code":"SCM.0010","error_msg":"not allowed"}"#,
            ]),
            Kind::VolcengineLive => bodies.extend([
                r#"{"ResponseMetadata":null}"#,
                r#"{"ResponseMetadata":{"Action":"DeleteCert"}}"#,
            ]),
            Kind::AlibabaSlb | Kind::AlibabaCas => bodies.extend([
                r#"{"RequestId":"R-1","Code":"Forbidden","Message":"denied"}"#,
                r#"{"Code":"Forbidden"}"#,
            ]),
            _ => {}
        }
        for body in bodies {
            let id = t.id(1);
            let steps = vec![Step::json(200, body); 2];
            let fake = scripted(t, &[&id], &id, steps);
            let out = delete(&fake, t, &[&id]).run();
            let l = format!("{} {body}", t.label());
            assert_eq!(out.outcome(&id), Some("failed"), "{l}: {out:?}");
            assert!(
                out.line_for(&id).unwrap().contains("unreadable reply"),
                "{l}: {out:?}"
            );
            assert_eq!(out.code, 1, "{l}: {out:?}");
            assert!(t.present(&fake, &id), "{l}");
            assert_eq!(applied(&fake), 0, "{l}");
        }
    }
}

const APIG_0101: &str = r#"{"error_code":"APIGW.0101","error_msg":"The API does not exist or has not been published in the environment","request_id":"r-1"}"#;
const APIG_0103: &str =
    r#"{"error_code":"APIG.0103","error_msg":"The backend does not exist","request_id":"r-2"}"#;

/// A 404 from Huawei's API gateway names a missing route, not a missing certificate: the run
/// stops (exit 2) and no id is reported not_found, gone or deleted — also after a lost reply.
#[test]
fn a_huawei_gateway_404_is_never_not_found() {
    let t = HUAWEI;
    let (a, b) = (t.id(1), t.id(2));
    for body in [APIG_0101, APIG_0103] {
        for lost_first in [false, true] {
            let mut steps = Vec::new();
            if lost_first {
                steps.push(Step::json(
                    502,
                    r#"{"error_code":"APIGW.0201","error_msg":"Backend unavailable"}"#,
                ));
            }
            steps.push(Step::json(404, body));
            let fake = scripted(t, &[&a, &b], &a, steps);
            let out = delete(&fake, t, &[&a, &b]).flag("--concurrency", "1").run();
            let l = format!("{body} lost_first={lost_first}");
            assert_eq!(out.code, 2, "{l}: {out:?}");
            // a was sent and failed; b, never sent, is skipped.
            for (id, want) in [(&a, "failed"), (&b, "skipped")] {
                assert_eq!(out.outcome(id), Some(want), "{l}: {out:?}");
                assert!(t.present(&fake, id), "{l}");
            }
            assert!(out.stderr.contains("does not exist"), "{l}: {out:?}");
            // b was never sent: the route is wrong for every id.
            let sent_b = fake.requests().iter().any(|r| r.id.as_deref() == Some(&b));
            assert!(!sent_b, "{l}: {out:?}");
        }
    }
}

/// A 404 with a JSON body but no SCM code (a proxy, a misrouted host) is no proof either.
#[test]
fn a_huawei_404_without_an_scm_code_is_failed_not_not_found() {
    let t = HUAWEI;
    let id = t.id(1);
    let fake = scripted(
        t,
        &[&id],
        &id,
        vec![Step::json(404, r#"{"message":"no route"}"#)],
    );
    let out = delete(&fake, t, &[&id]).run();
    assert_eq!(out.outcome(&id), Some("failed"), "{out:?}");
    assert_eq!(out.code, 1, "{out:?}");
    assert!(t.present(&fake, &id));
}

/// Seed 002: `RequestForbidden` means "no such resource under this account". After the
/// deletion's reply was lost, it is the retry finding the certificate gone: `gone`, exit 0.
#[test]
fn volcengine_request_forbidden_after_a_lost_reply_is_gone() {
    let t = VOLC;
    let id = t.id(1);
    for code in ["RequestForbidden", "RequestForbidden.AccountIDNotAllow"] {
        let forbidden = format!(
            r#"{{"ResponseMetadata":{{"RequestId":"r-9","Action":"DeleteCert","Version":"2023-01-01","Error":{{"Code":"{code}","Message":"this AccountID does not have permission to access the corresponding resource"}}}}}}"#
        );
        let steps = vec![Step::ApplyThenDrop, Step::json(403, &forbidden)];
        let fake = scripted(t, &[&id], &id, steps);
        let out = delete(&fake, t, &[&id]).run();
        assert_eq!(out.outcome(&id), Some("gone"), "{code}: {out:?}");
        assert!(
            out.line_for(&id).unwrap().contains("reply was lost"),
            "{out:?}"
        );
        assert_eq!(out.code, 0, "{code}: {out:?}");
        assert!(!t.present(&fake, &id));

        // Without a lost reply it is simply not found.
        let fake = scripted(t, &[], &id, vec![Step::json(403, &forbidden)]);
        let out = delete(&fake, t, &[&id]).run();
        assert_eq!(out.outcome(&id), Some("not_found"), "{code}: {out:?}");
        assert_eq!(out.code, 1, "{code}: {out:?}");
    }
}

/// Volcengine's gateway credential codes and an account without the service (or in arrears)
/// hold for every id: the run stops with exit 2 and no further request is sent.
#[test]
fn volcengine_run_wide_codes_stop_the_run() {
    let t = VOLC;
    let (a, b) = (t.id(1), t.id(2));
    for (status, code) in [
        (401, "InvalidSecretToken"),
        (401, "MissingAuthenticationToken"),
        (401, "MissingSignature"),
        (401, "InvalidAuthorization"),
        (401, "InvalidCredential"),
        (403, "RequestForbidden.BillingStatus"),
    ] {
        let body = format!(
            r#"{{"ResponseMetadata":{{"RequestId":"r-3","Error":{{"Code":"{code}","Message":"m"}}}}}}"#
        );
        let fake = scripted(t, &[&a, &b], &a, vec![Step::json(status, &body)]);
        let out = delete(&fake, t, &[&a, &b]).flag("--concurrency", "1").run();
        assert_eq!(out.code, 2, "{code}: {out:?}");
        assert!(out.stderr.contains(code), "{code}: {out:?}");
        assert_eq!(
            fake.requests().len(),
            1,
            "{code}: more requests after the stop"
        );
        // a was sent and refused; b, never sent, is skipped.
        for (id, want) in [(&a, "failed"), (&b, "skipped")] {
            assert_eq!(out.outcome(id), Some(want), "{code}: {out:?}");
            assert!(t.present(&fake, id));
        }
    }
}

fn tencent_error(code: &str) -> String {
    format!(r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"m"}},"RequestId":"r-4"}}}}"#)
}

/// Tencent's common `ResourceInUse` is in use; `ResourceNotFound.Manager` (a company manager)
/// is not a missing certificate; run-wide common codes stop the run.
#[test]
fn tencent_common_codes_are_read_as_documented() {
    let t = TENCENT;
    let id = t.id(1);
    for (code, want, exit) in [
        ("ResourceInUse", "in_use", 1),
        ("ResourceNotFound.Manager", "failed", 1),
        ("FailedOperation.CAMAuthorizedFail", "denied", 1),
        ("UnsupportedRegion", "failed", 2),
        ("IpNotInWhitelist", "failed", 2),
    ] {
        let fake = scripted(t, &[&id], &id, vec![Step::json(200, &tencent_error(code))]);
        let out = delete(&fake, t, &[&id]).run();
        assert_eq!(out.outcome(&id), Some(want), "{code}: {out:?}");
        assert_eq!(out.code, exit, "{code}: {out:?}");
        assert!(t.present(&fake, &id), "{code}");
    }
}

/// SLB `LocationServiceTimeout` ("try again later") is transient: the retry deletes.
#[test]
fn slb_location_service_timeout_is_retried() {
    let t = SLB;
    let id = t.id(1);
    let body = r#"{"RequestId":"R-5","HostId":"slb.aliyuncs.com","Code":"LocationServiceTimeout","Message":"Location service connection timeout. Please try again later."}"#;
    let fake = scripted(t, &[&id], &id, vec![Step::json(503, body)]);
    let out = delete(&fake, t, &[&id]).run();
    assert_eq!(out.outcome(&id), Some("deleted"), "{out:?}");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!t.present(&fake, &id));
}

/// SLB's `ExpireTimeStamp` unit is undocumented: when it disagrees with `ExpireTime` the
/// expiry is unknown (never "expired") and stderr says which certificate and why.
#[test]
fn slb_contradictory_expiry_fields_are_unknown_with_a_warning() {
    let t = SLB;
    let (good, odd) = (t.id(1), t.id(2));
    let past = chrono::Utc::now() - chrono::Duration::days(30);
    let seed = t.seed([
        t.cert(&good).not_after(past),
        // Seconds where milliseconds are expected.
        t.cert(&odd)
            .not_after(past)
            .raw_time("ExpireTimeStamp", past.timestamp()),
    ]);
    let fake = start(seed);
    let out = certdel()
        .args(["--endpoint", &fake.url()])
        .args(t.args())
        .args(["list", "--output", "json"])
        .envs(t.env())
        .run();
    assert_eq!(out.code, 0, "{out:?}");
    let lines = out.json_lines();
    let by_id = |id: &str| lines.iter().find(|l| l["id"] == id).unwrap().clone();
    assert!(by_id(&good)["not_after"].is_string(), "{out:?}");
    assert!(by_id(&odd)["not_after"].is_null(), "{out:?}");
    assert!(
        out.stderr.contains(&odd) && out.stderr.contains("disagree"),
        "{out:?}"
    );
    // Unknown is never expired.
    let expired = certdel()
        .args(["--endpoint", &fake.url()])
        .args(t.args())
        .args(["list", "--expired", "--output", "ids"])
        .envs(t.env())
        .run();
    assert_eq!(expired.stdout.trim(), good, "{expired:?}");
}

/// A region that cannot be reached makes the listing incomplete (exit 2), and stderr names
/// the region.
#[test]
fn an_unreachable_region_fails_the_listing_and_is_named() {
    // A port on loopback nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let out = certdel()
        .args(["--endpoint", &url, "--max-retries", "0"])
        .args(["alibaba-slb", "list", "--region", "eu-central-1"])
        .envs(SLB.env())
        .run();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    assert!(
        out.stderr.contains("listing incomplete")
            && out
                .stderr
                .contains("DescribeServerCertificates eu-central-1"),
        "{out:?}"
    );
}

/// Huawei ids `.` and `..` would name another path once any URL parser removed the dot
/// segment (`DELETE /v3/scm/certificates/..` → `DELETE /v3/scm/`): refused before any request.
#[test]
fn huawei_dot_segment_ids_are_refused_before_any_request() {
    let t = HUAWEI;
    let id = t.id(1);
    let fake = start(t.seed([t.cert(&id)]));
    for bad in [".", ".."] {
        let out = delete(&fake, t, &[&id, bad]).run();
        assert_eq!(out.code, 2, "{bad}: {out:?}");
        assert!(out.stderr.contains("dot segment"), "{bad}: {out:?}");
    }
    assert!(fake.requests().is_empty(), "a request was sent");
    assert!(t.present(&fake, &id));
}

/// The domain-id lookup goes through the run's sender: `--deadline` bounds it like any other
/// request, and every id is still reported.
#[test]
fn huawei_discovery_is_bounded_by_the_deadline() {
    // A listener on loopback that never answers: the kernel accepts, nobody reads.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let iam = format!("http://{}", silent.local_addr().unwrap());
    let t = HUAWEI;
    let id = t.id(1);
    let fake = start(t.seed([t.cert(&id)]));
    let out = delete(&fake, t, &[&id])
        .without_env("HUAWEICLOUD_SDK_DOMAIN_ID")
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", &iam)
        .flag("--timeout", "1")
        .flag("--max-retries", "8")
        .args(["--deadline", "1.5"])
        .run();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("HUAWEICLOUD_SDK_DOMAIN_ID") && out.stderr.contains("deadline reached"),
        "{out:?}"
    );
    assert_eq!(out.outcome(&id), Some("skipped"), "{out:?}");
    assert!(fake.requests().is_empty());
    drop(silent);
}
