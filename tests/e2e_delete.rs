//! End to end: the real `certdel` binary deleting from the fake cloud, on every product.
//!
//! Each test starts its own fake on 127.0.0.1 and asserts the exit status, what certdel
//! printed, and what the fake's store and request log show afterwards.

mod common;

use common::*;

/// What certdel reports for an id the product says does not exist.
/// (The fake answers DeleteUserCertificate for an unknown id with 404 `NotFound`; the real
/// code is undocumented and certdel reads any code naming a missing certificate as not found.)
fn expected_not_found(_t: Target) -> &'static str {
    "not_found"
}

/// What certdel reports for a certificate still bound to a resource, as it maps each
/// vendor's answer: Huawei has no in-use code (the fake answers `SCM.0010`, wrong state →
/// `denied`); Volcengine answers `InvalidParam` (→ `failed`); CAS orders `OrderStateError`
/// (→ `denied`); CAS certificates an undocumented `CertificateInUse` (→ `failed`).
fn expected_in_use(t: Target) -> (&'static str, &'static str) {
    match (t.kind, t.cas) {
        (Kind::HuaweiScm, _) => ("denied", "SCM.0010"),
        (Kind::TencentSsl, _) => ("in_use", "FailedOperation.DeleteResourceFailed"),
        (Kind::VolcengineLive, _) => ("failed", "InvalidParam"),
        (Kind::AlibabaSlb, _) => ("in_use", "CertificateAndPrivateKeyIsRefered"),
        (_, Some(CasKind::Order)) => ("denied", "OrderStateError"),
        _ => ("failed", "CertificateInUse"),
    }
}

/// The code the vendor answers a bad signature with.
fn signature_code(t: Target) -> &'static str {
    match t.kind {
        Kind::HuaweiScm => "APIGW.0301",
        Kind::TencentSsl => "AuthFailure.SignatureFailure",
        _ => "SignatureDoesNotMatch",
    }
}

#[test]
fn delete_succeeds_on_every_product() {
    for t in TARGETS {
        let (a, b) = (t.id(1), t.id(2));
        let fake = start(t.seed([t.cert(&a), t.cert(&b)]));
        let out = delete(&fake, t, &[&a]).run();
        let l = t.label();
        assert_eq!(out.code, 0, "{l}: {out:?}");
        assert_eq!(out.outcome(&a), Some("deleted"), "{l}: {out:?}");
        let summary = out.stdout.lines().last().unwrap_or_default();
        assert!(
            summary.contains(t.kind.name()) && summary.contains("1 deleted"),
            "{l}: {out:?}"
        );
        assert!(!t.present(&fake, &a), "{l}: {a} still in the store");
        assert!(t.present(&fake, &b), "{l}: {b} was not asked for");
        assert_eq!(fake.delete_attempts(t.kind, &a), 1, "{l}");
        assert_eq!(fake.counters().deletes_applied, 1, "{l}");
        assert_eq!(fake.counters().auth_failures, 0, "{l}");
    }
}

#[test]
fn unknown_id_is_not_found() {
    for t in TARGETS {
        let (kept, missing) = (t.id(1), t.id(9));
        let fake = start(t.seed([t.cert(&kept)]));
        let out = delete(&fake, t, &[&missing]).run();
        let l = t.label();
        assert_eq!(out.code, 1, "{l}: {out:?}");
        assert_eq!(
            out.outcome(&missing),
            Some(expected_not_found(t)),
            "{l}: {out:?}"
        );
        assert!(t.present(&fake, &kept), "{l}");
        assert_eq!(
            fake.delete_attempts(t.kind, &missing),
            1,
            "{l}: not retried"
        );
    }
}

#[test]
fn certificate_in_use_is_kept() {
    for t in TARGETS {
        let id = t.id(3);
        let fake = start(t.seed([t.cert(&id).in_use()]));
        let out = delete(&fake, t, &[&id]).run();
        let (status, code) = expected_in_use(t);
        let l = t.label();
        assert_eq!(out.code, 1, "{l}: {out:?}");
        assert_eq!(out.outcome(&id), Some(status), "{l}: {out:?}");
        assert!(out.line_for(&id).unwrap().contains(code), "{l}: {out:?}");
        assert!(
            t.present(&fake, &id),
            "{l}: an in-use certificate was deleted"
        );
    }
}

#[test]
fn wrong_secret_stops_the_run_and_deletes_nothing() {
    for t in TARGETS {
        let ids = [t.id(1), t.id(2)];
        let fake = start(t.seed(ids.iter().map(|i| t.cert(i))));
        let (_, secret_var) = t.vars();
        let out = delete(&fake, t, &[&ids[0], &ids[1]])
            .env(secret_var, "not-the-demo-secret")
            .run();
        let l = t.label();
        assert_eq!(out.code, 2, "{l}: {out:?}");
        assert!(out.stderr.contains(signature_code(t)), "{l}: {out:?}");
        assert!(out.stderr.contains(t.kind.name()), "{l}: {out:?}");
        for id in &ids {
            assert!(
                t.present(&fake, id),
                "{l}: {id} deleted with a wrong secret"
            );
        }
        let c = fake.counters();
        assert!(c.auth_failures >= 1, "{l}: {c:?}");
        assert_eq!(c.deletes_applied, 0, "{l}");
    }
}

#[test]
fn unreadable_reply_is_failed_and_the_certificate_stays() {
    for t in TARGETS {
        let id = t.id(4);
        let fake = start(t.seed([t.cert(&id).fault(Fault::Malformed)]));
        let out = delete(&fake, t, &[&id]).run();
        let l = t.label();
        assert_eq!(out.code, 1, "{l}: {out:?}");
        assert_eq!(out.outcome(&id), Some("failed"), "{l}: {out:?}");
        assert!(t.present(&fake, &id), "{l}");
        // An unreadable reply may hide a deletion: certdel retries (--max-retries 1).
        assert_eq!(fake.delete_attempts(t.kind, &id), 2, "{l}: {out:?}");
    }
}

#[test]
fn ids_from_stdin_skip_blanks_comments_and_duplicates() {
    for t in TARGETS {
        let (a, b, missing) = (t.id(1), t.id(2), t.id(7));
        let fake = start(t.seed([t.cert(&a), t.cert(&b)]));
        let stdin = format!("# ids to delete\n\n{a}\n  {b}  \n{a}\n\n# done\n{missing}\n");
        let out = delete(&fake, t, &["-"]).stdin(&stdin).run();
        let l = t.label();
        assert_eq!(out.code, 1, "{l}: {out:?}");
        assert_eq!(out.outcome(&a), Some("deleted"), "{l}: {out:?}");
        assert_eq!(out.outcome(&b), Some("deleted"), "{l}: {out:?}");
        assert_eq!(
            out.outcome(&missing),
            Some(expected_not_found(t)),
            "{l}: {out:?}"
        );
        assert_eq!(
            out.stdout.lines().count(),
            4,
            "three ids and a summary: {out:?}"
        );
        assert!(!t.present(&fake, &a) && !t.present(&fake, &b), "{l}");
        assert_eq!(
            fake.delete_attempts(t.kind, &a),
            1,
            "{l}: duplicate sent twice"
        );
        assert!(
            fake.requests()
                .iter()
                .all(|r| !r.ids.iter().any(|i| i.starts_with('#'))),
            "{l}: a comment was sent as an id"
        );
    }
}

#[test]
fn json_output_is_one_object_per_id() {
    for t in TARGETS {
        let (a, missing) = (t.id(1), t.id(8));
        let fake = start(t.seed([t.cert(&a)]));
        let out = delete(&fake, t, &[&a, &missing])
            .args(["--output", "json"])
            .run();
        let l = t.label();
        assert_eq!(out.code, 1, "{l}: {out:?}");
        let lines = out.json_lines();
        assert_eq!(lines.len(), 2, "{l}: no summary line in NDJSON: {out:?}");
        for v in &lines {
            assert_eq!(v["provider"], t.kind.name(), "{l}: {v}");
        }
        let by_id = |id: &str| {
            lines
                .iter()
                .find(|v| v["id"] == id)
                .unwrap_or_else(|| panic!("{l}: no line for {id}: {out:?}"))
                .clone()
        };
        assert_eq!(by_id(&a)["outcome"], "deleted", "{l}");
        assert_eq!(by_id(&missing)["outcome"], expected_not_found(t), "{l}");
    }
}

/// Ids that break naive encoders, each with a decoy a wrong encoding would hit instead.
const AWKWARD: [(&str, &str); 10] = [
    ("sp ace", "sp+ace"),
    ("pl+us", "pl us"),
    ("uni证书", "uni%E8%AF%81%E4%B9%A6"),
    ("st*ar", "st%2Aar"),
    ("til~de", "til%7Ede"),
    ("sl/ash", "sl%2Fash"),
    ("per%20cent", "per cent"),
    ("eq=ual", "eq%3Dual"),
    ("amp&ersand", "amp"),
    ("mix a/b+c%2Fd=e&f*~证", "mix a/b c/d=e"),
];

#[test]
fn awkward_ids_arrive_byte_exact() {
    for t in [HUAWEI, TENCENT, VOLC, SLB] {
        let mut certs = vec![];
        for (id, decoy) in AWKWARD {
            certs.push(t.cert(id));
            certs.push(t.cert(decoy));
        }
        let fake = start(t.seed(certs));
        let ids: Vec<&str> = AWKWARD.iter().map(|(id, _)| *id).collect();
        let out = delete(&fake, t, &ids).run();
        let l = t.label();
        assert_eq!(out.code, 0, "{l}: {out:?}");
        for (id, decoy) in AWKWARD {
            assert!(!t.present(&fake, id), "{l}: {id:?} not deleted: {out:?}");
            assert!(
                t.present(&fake, decoy),
                "{l}: decoy {decoy:?} deleted instead of {id:?}"
            );
        }
        let mut seen: Vec<String> = fake.requests().iter().flat_map(|r| r.ids.clone()).collect();
        seen.sort();
        let mut want: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(seen, want, "{l}: the ids the fake decoded");
    }
}

#[test]
fn cas_integer_ids_beyond_double_precision_arrive_exact() {
    // 2^53 + 1 does not survive a round trip through a float.
    for t in [CAS_ORDERS, CAS_CERTS] {
        let (id, neighbour) = ("9007199254740993", "9007199254740992");
        let fake = start(t.seed([t.cert(id), t.cert(neighbour)]));
        let out = delete(&fake, t, &[id]).run();
        let l = t.label();
        assert_eq!(out.code, 0, "{l}: {out:?}");
        assert!(!t.present(&fake, id) && t.present(&fake, neighbour), "{l}");
    }
}

#[test]
fn secrets_and_tokens_never_appear_in_output() {
    const SECRET: &str = "s3cr3t-SENTINEL-7f1c";
    const TOKEN: &str = "sts-token-SENTINEL-99ab";
    for t in TARGETS {
        let (a, missing) = (t.id(1), t.id(9));
        let mut seed = t.seed([t.cert(&a)]);
        // Temporary credentials: the fake insists on this exact token.
        let kind = t.kind;
        let keys = match kind {
            Kind::HuaweiScm => seed.accounts.huawei.as_mut(),
            Kind::TencentSsl => seed.accounts.tencent.as_mut(),
            Kind::VolcengineLive => seed.accounts.volc.as_mut(),
            _ => seed.accounts.alibaba.as_mut(),
        }
        .unwrap();
        keys.secret_key = SECRET.into();
        keys.session_token = Some(TOKEN.into());
        let fake = start(seed);
        let (_, secret_var) = t.vars();
        let l = t.label();
        for format in ["text", "json"] {
            let ok = delete(&fake, t, &[&a, &missing])
                .env(secret_var, SECRET)
                .env(t.token_var(), TOKEN)
                .args(["--output", format])
                .run();
            let wrong = delete(&fake, t, &[&a])
                .env(secret_var, "wrong-SENTINEL-secret")
                .env(t.token_var(), TOKEN)
                .args(["--output", format])
                .run();
            let wrong_token = delete(&fake, t, &[&a])
                .env(secret_var, SECRET)
                .env(t.token_var(), "other-SENTINEL-token")
                .args(["--output", format])
                .run();
            for (run, out) in [
                ("ok", &ok),
                ("wrong secret", &wrong),
                ("wrong token", &wrong_token),
            ] {
                for s in [
                    SECRET,
                    TOKEN,
                    "wrong-SENTINEL-secret",
                    "other-SENTINEL-token",
                ] {
                    assert!(
                        !out.stdout.contains(s) && !out.stderr.contains(s),
                        "{l} {format} {run}: {s} printed: {out:?}"
                    );
                }
            }
            assert_ne!(wrong.code, 0, "{l}: {wrong:?}");
            assert_eq!(wrong_token.code, 2, "{l}: {wrong_token:?}");
        }
        // The token reached the fake (it refuses requests without it) and the delete worked.
        assert!(
            !t.present(&fake, &a),
            "{l}: not deleted with temporary credentials"
        );
    }
}

#[test]
fn missing_credentials_name_the_variables() {
    for t in TARGETS {
        let fake = start(t.seed([t.cert(&t.id(1))]));
        let (ak, sk) = t.vars();
        let out = delete(&fake, t, &[&t.id(1)])
            .without_env(ak)
            .without_env(sk)
            .run();
        let l = t.label();
        assert_eq!(out.code, 2, "{l}: {out:?}");
        assert!(
            out.stderr.contains(ak) && out.stderr.contains(sk),
            "{l}: {out:?}"
        );
        assert!(
            fake.requests().is_empty(),
            "{l}: sent a request without credentials"
        );
        // Only the secret missing: only it is named.
        let out = delete(&fake, t, &[&t.id(1)]).without_env(sk).run();
        assert_eq!(out.code, 2, "{l}: {out:?}");
        assert!(
            out.stderr.contains(sk) && !out.stderr.contains(ak),
            "{l}: {out:?}"
        );
    }
}

#[test]
fn without_yes_and_without_a_terminal_nothing_is_deleted() {
    for t in TARGETS {
        let id = t.id(1);
        let fake = start(t.seed([t.cert(&id)]));
        let mut cmd = delete(&fake, t, &[&id]);
        cmd.args.retain(|a| a != "--yes");
        let out = cmd.stdin("y\n").run();
        let l = t.label();
        assert_eq!(out.code, 2, "{l}: {out:?}");
        assert!(out.stderr.contains("--yes"), "{l}: {out:?}");
        assert!(t.present(&fake, &id), "{l}");
        assert!(fake.requests().is_empty(), "{l}: a request was sent");
    }
}

#[test]
fn huawei_discovers_the_domain_id_through_iam_when_unset() {
    let id = HUAWEI.id(1);
    let fake = start(HUAWEI.seed([HUAWEI.cert(&id)]));
    let out = delete(&fake, HUAWEI, &[&id])
        .without_env("HUAWEICLOUD_SDK_DOMAIN_ID")
        .run();
    assert_eq!(out.code, 0, "{out:?}");
    let actions: Vec<String> = fake.requests().iter().map(|r| r.action.clone()).collect();
    assert_eq!(actions, ["KeystoneListAuthDomains", "DeleteCertificate"]);
    assert!(!HUAWEI.present(&fake, &id));
}

/// The domain-id lookup is refused (wrong secret): the run cannot start, yet every id handed
/// in is reported, as skipped (not attempted), and nothing is deleted.
#[test]
fn huawei_failed_discovery_still_reports_every_id() {
    let (a, b) = (HUAWEI.id(1), HUAWEI.id(2));
    let fake = start(HUAWEI.seed([HUAWEI.cert(&a), HUAWEI.cert(&b)]));
    let out = delete(&fake, HUAWEI, &[&a, &b])
        .without_env("HUAWEICLOUD_SDK_DOMAIN_ID")
        .env("HUAWEICLOUD_SDK_SK", "not-the-secret")
        .run();
    assert_eq!(out.code, 2, "{out:?}");
    for id in [&a, &b] {
        assert_eq!(out.outcome(id), Some("skipped"), "{out:?}");
        assert!(
            out.line_for(id)
                .unwrap()
                .contains("not attempted: run stopped"),
            "{out:?}"
        );
        assert!(HUAWEI.present(&fake, id));
    }
    assert!(out.stderr.contains("HUAWEICLOUD_SDK_DOMAIN_ID"), "{out:?}");
    // Where to find the account id, so the lookup can be skipped.
    assert!(
        out.stderr
            .contains("Account ID on the console's My Credentials"),
        "{out:?}"
    );
    assert!(!out.stdout.contains("not-the-secret") && !out.stderr.contains("not-the-secret"));
}

#[test]
fn huawei_with_the_domain_id_set_skips_iam() {
    let id = HUAWEI.id(1);
    let fake = start(HUAWEI.seed([HUAWEI.cert(&id)]));
    let out = delete(&fake, HUAWEI, &[&id]).run();
    assert_eq!(out.code, 0, "{out:?}");
    let actions: Vec<String> = fake.requests().iter().map(|r| r.action.clone()).collect();
    assert_eq!(actions, ["DeleteCertificate"]);
}

#[test]
fn huawei_wrong_domain_id_is_rejected() {
    let id = HUAWEI.id(1);
    let fake = start(HUAWEI.seed([HUAWEI.cert(&id)]));
    let out = delete(&fake, HUAWEI, &[&id])
        .env("HUAWEICLOUD_SDK_DOMAIN_ID", "someone-elses-domain")
        .run();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("APIGW.0301"), "{out:?}");
    assert!(HUAWEI.present(&fake, &id));
}

#[test]
fn slb_certificate_in_another_region_is_not_found() {
    let id = SLB.id(1);
    let fake = start(SLB.seed([SLB.cert(&id).region("cn-shanghai")]));
    let out = delete(&fake, SLB, &[&id]).run();
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.outcome(&id), Some("not_found"), "{out:?}");
    assert!(SLB.present(&fake, &id));
}

#[test]
fn cas_ids_name_one_kind_only() {
    // The same number as an order and as a certificate: each target deletes its own kind.
    let id = "55555";
    let seed = CAS_ORDERS.seed([CAS_ORDERS.cert(id), CAS_CERTS.cert(id)]);
    let fake = start(seed);
    let out = delete(&fake, CAS_CERTS, &[id]).run();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!CAS_CERTS.present(&fake, id));
    assert!(CAS_ORDERS.present(&fake, id));
    let actions: Vec<String> = fake.requests().iter().map(|r| r.action.clone()).collect();
    assert_eq!(actions, ["DeleteUserCertificate"]);
}

#[test]
fn server_errors_and_dropped_connections_end_failed_after_retries() {
    for t in [HUAWEI, TENCENT, VOLC, SLB, CAS_CERTS] {
        for fault in [Fault::Http500, Fault::Drop] {
            let id = t.id(5);
            let fake = start(t.seed([t.cert(&id).fault(fault)]));
            let out = delete(&fake, t, &[&id]).run();
            let l = format!("{} {fault:?}", t.label());
            assert_eq!(out.code, 1, "{l}: {out:?}");
            assert_eq!(out.outcome(&id), Some("failed"), "{l}: {out:?}");
            assert_eq!(fake.delete_attempts(t.kind, &id), 2, "{l}: retried once");
            assert!(t.present(&fake, &id), "{l}");
        }
    }
}

#[test]
fn the_demo_seed_serves_every_product() {
    let fake = start(seed_file());
    let cases: [(Target, &str, &str); 6] = [
        (HUAWEI, "scs1554192131150", "deleted"),
        (TENCENT, "8zXq1Uuq", "deleted"),
        (VOLC, "be37f7c23b514c4987f4860000000001", "deleted"),
        (
            SLB,
            "1231579085529123_166f8204689_1714763408_709981430",
            "deleted",
        ),
        (CAS_ORDERS, "67890", "deleted"),
        (CAS_CERTS, "12345", "deleted"),
    ];
    for (t, id, want) in cases {
        let out = delete(&fake, t, &[id]).run();
        assert_eq!(out.outcome(id), Some(want), "{}: {out:?}", t.label());
        assert!(!t.present(&fake, id), "{}", t.label());
    }
}

/// A certificate id from `list --target certificates` deleted without `--target
/// certificates` is looked up as an order: not_found, and the message says which target was
/// used and how to pass the other. The certificate is untouched.
#[test]
fn cas_not_found_names_the_target_and_the_other_one() {
    let id = CAS_CERTS.id(1);
    let fake = start(CAS_CERTS.seed([CAS_CERTS.cert(&id)]));
    let out = delete(&fake, CAS_ORDERS, &[&id]).run();
    assert_eq!(out.code, 1, "{out:?}");
    let line = out.line_for(&id).unwrap_or_else(|| panic!("{out:?}"));
    assert!(line.starts_with("not_found"), "{line}");
    assert!(
        line.contains("not found as an order (--target orders); if this is a certificate id from `list --target certificates`, pass --target certificates"),
        "{line}"
    );
    assert!(CAS_CERTS.present(&fake, &id));
    // The same id with the right target is deleted.
    let out = delete(&fake, CAS_CERTS, &[&id]).run();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!CAS_CERTS.present(&fake, &id));
}

/// A server whose clock is 20 minutes behind refuses every signed time; the run stops, and
/// the error says the clocks differ and what to do, on every product.
#[test]
fn a_skewed_server_clock_is_named_with_the_fix() {
    for t in TARGETS {
        let id = t.id(1);
        let mut config = Config::new(t.seed([t.cert(&id)]));
        config.clock = Some(chrono::Utc::now() - chrono::TimeDelta::minutes(20));
        let fake = start_config(config);
        let out = delete(&fake, t, &[&id]).run();
        let l = t.label();
        assert_eq!(out.code, 2, "{l}: {out:?}");
        assert!(
            out.stderr.contains(
                "the server's clock differs from this machine's by 20 min 0 s (this machine is ahead): fix the local clock (NTP)"
            ) || out.stderr.contains("by 20 min 1 s (this machine is ahead)"),
            "{l}: {out:?}"
        );
        assert!(t.present(&fake, &id), "{l}");
    }
}
