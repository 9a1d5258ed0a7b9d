//! End to end: `delete --dry-run` on every product, and alibaba-slb deleting across regions —
//! both resolve ids against a listing first. The fake's request log shows every call sent.

mod common;

use common::*;

/// What a dry run says when the list API cannot tell whether a certificate is in use.
const UNKNOWN: &str = "in-use state unknown until the delete request";

/// `certdel --endpoint <fake> … <target args> delete <ids> --dry-run`: no `--yes`, and stdin
/// is no terminal, so a real delete would refuse to run.
fn dry_run(fake: &Running, target: Target, ids: &[&str]) -> Certdel {
    certdel()
        .args(["--endpoint", &fake.url(), "--rate", "1000"])
        .args(["--max-retries", "1", "--timeout", "10"])
        .args(target.args())
        .arg("delete")
        .args(ids.iter().copied())
        .arg("--dry-run")
        .envs(target.env())
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", &fake.url())
        .env(NO_RETRY_DELAY, "1")
}

/// The actions the fake received, in order.
fn actions(fake: &Running) -> Vec<String> {
    fake.requests().into_iter().map(|e| e.action).collect()
}

/// Only read calls: every action lists or describes.
fn assert_read_only(fake: &Running, l: &str) {
    let actions = actions(fake);
    assert!(!actions.is_empty(), "{l}: nothing was listed");
    for a in &actions {
        assert!(
            a.starts_with("List") || a.starts_with("Describe"),
            "{l}: a dry run sent {a} ({actions:?})"
        );
    }
    assert_eq!(fake.counters().deletes_applied, 0, "{l}");
}

#[test]
fn a_dry_run_sends_no_delete_and_the_real_run_deletes_what_it_reported() {
    for t in TARGETS {
        let l = t.label();
        let (a, b, kept, missing) = (t.id(1), t.id(2), t.id(3), t.id(9));
        let fake = start(t.seed([t.cert(&a), t.cert(&b), t.cert(&kept)]));

        let out = dry_run(&fake, t, &[&a, &missing, &b])
            .flag("--output", "json")
            .run();
        assert_eq!(out.code, 1, "{l}: a missing id fails the dry run: {out:?}");
        let lines = out.json_lines();
        let got: Vec<(&str, &str)> = lines
            .iter()
            .map(|v| (v["id"].as_str().unwrap(), v["outcome"].as_str().unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                (a.as_str(), "would_delete"),
                (missing.as_str(), "not_found"),
                (b.as_str(), "would_delete")
            ],
            "{l}: {out:?}"
        );
        for v in &lines {
            assert_eq!(v["provider"], t.kind.name(), "{l}");
            assert_eq!(v["attempts"], 0, "{l}");
            if v["outcome"] == "would_delete" {
                let m = v["message"].as_str().unwrap_or_default();
                assert!(m.contains(UNKNOWN), "{l}: {m}");
            }
        }
        assert_read_only(&fake, &l);
        for id in [&a, &b, &kept] {
            assert!(t.present(&fake, id), "{l}: {id} gone after a dry run");
        }

        // Every id listed: exit 0. `--output ids` gives the ids it would delete.
        let out = dry_run(&fake, t, &[&b, &a]).run();
        assert_eq!(out.code, 0, "{l}: {out:?}");
        assert_eq!(out.outcome(&a), Some("would_delete"), "{l}: {out:?}");
        assert!(
            out.stdout.contains("(dry run: nothing was deleted)"),
            "{l}: {out:?}"
        );
        let ids = dry_run(&fake, t, &[&a, &missing, &b])
            .flag("--output", "ids")
            .run();
        assert_eq!(ids.code, 1, "{l}: {ids:?}");
        assert_eq!(ids.stdout, format!("{a}\n{b}\n"), "{l}");
        assert_read_only(&fake, &l);

        // The real run on the same store deletes exactly those.
        let out = delete(&fake, t, &["-"])
            .stdin(&ids.stdout)
            .flag("--output", "json")
            .run();
        assert_eq!(out.code, 0, "{l}: {out:?}");
        let deleted: Vec<(String, String)> = out
            .json_lines()
            .iter()
            .map(|v| {
                (
                    v["id"].as_str().unwrap().into(),
                    v["outcome"].as_str().unwrap().into(),
                )
            })
            .collect();
        let mut deleted_ids: Vec<&str> = deleted.iter().map(|(i, _)| i.as_str()).collect();
        deleted_ids.sort();
        let mut want = vec![a.as_str(), b.as_str()];
        want.sort();
        assert_eq!(deleted_ids, want, "{l}: {out:?}");
        assert!(deleted.iter().all(|(_, o)| o == "deleted"), "{l}: {out:?}");
        assert!(!t.present(&fake, &a) && !t.present(&fake, &b), "{l}");
        assert!(t.present(&fake, &kept), "{l}: {kept} was never asked for");
        assert_eq!(fake.counters().deletes_applied, 2, "{l}");
        assert_eq!(fake.delete_attempts(t.kind, &missing), 0, "{l}");
    }
}

#[test]
fn an_in_use_certificate_is_would_delete_only_with_the_unknown_note() {
    for t in TARGETS {
        let l = t.label();
        let id = t.id(4);
        let fake = start(t.seed([t.cert(&id).in_use()]));
        let out = dry_run(&fake, t, &[&id]).run();
        assert_eq!(out.code, 0, "{l}: {out:?}");
        assert_eq!(out.outcome(&id), Some("would_delete"), "{l}: {out:?}");
        let line = out.line_for(&id).unwrap();
        assert!(line.contains(UNKNOWN), "{l}: {line}");
        assert_read_only(&fake, &l);
        assert!(t.present(&fake, &id), "{l}");
    }
}

#[test]
fn an_incomplete_listing_fails_every_id_and_sends_no_delete() {
    let t = TENCENT;
    let (a, b) = (t.id(1), t.id(2));
    let fake = start(t.seed([t.cert(&a), t.cert(&b)]));
    let out = dry_run(&fake, t, &[&a, &b])
        .env("TENCENTCLOUD_SECRET_KEY", "not-the-demo-secret")
        .run();
    assert_eq!(out.code, 2, "{out:?}");
    for id in [&a, &b] {
        assert_eq!(out.outcome(id), Some("failed"), "{out:?}");
        let line = out.line_for(id).unwrap();
        assert!(
            line.contains("could not tell: listing incomplete ("),
            "{line}"
        );
    }
    assert!(out.stderr.contains("AuthFailure"), "{out:?}");
    assert!(!out.stderr.contains("not-the-demo-secret"));
    assert!(!out.stdout.contains("not-the-demo-secret"));
    assert_read_only(&fake, "tencent-ssl");
    assert!(t.present(&fake, &a) && t.present(&fake, &b));
}

#[test]
fn alibaba_cas_ids_are_matched_as_integers() {
    let t = CAS_CERTS;
    let id = t.id(1);
    let fake = start(t.seed([t.cert(&id)]));
    let padded = format!("00{id}");
    let out = dry_run(&fake, t, &[&padded]).run();
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.outcome(&padded), Some("would_delete"), "{out:?}");
}

/// The RegionId a logged request carried (its query string).
fn region_of(target: &str) -> Option<String> {
    let query = target.split_once('?')?.1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("RegionId="))
        .map(str::to_string)
}

#[test]
fn alibaba_slb_deletes_each_id_in_the_region_it_is_listed_in() {
    let regions = ["cn-hangzhou", "eu-central-1", "ap-northeast-1"];
    let certs: Vec<(String, &str)> = regions
        .iter()
        .enumerate()
        .map(|(i, r)| (SLB.id(i as u32 + 1), *r))
        .collect();
    let seed = certs.iter().fold(Seed::demo(), |s, (id, r)| {
        s.with(
            Kind::AlibabaSlb,
            Cert::new(id)
                .name("e2e")
                .domains(&["e2e.example.com"])
                .region(r),
        )
    });
    let fake = start(seed);
    let base = || {
        certdel()
            .args(["--endpoint", &fake.url(), "--rate", "1000"])
            .args(["--max-retries", "1", "--timeout", "10"])
            .args(["--region", "all", "alibaba-slb"])
            .envs(SLB.env())
            .env(NO_RETRY_DELAY, "1")
    };
    let listed = base().args(["list", "--output", "ids"]).run();
    assert_eq!(listed.code, 0, "{listed:?}");
    assert_eq!(listed.stdout.lines().count(), 3, "{listed:?}");
    let missing = SLB.id(9);
    let stdin = format!("{}{missing}\n", listed.stdout);

    // A dry run across regions names each id's region and sends nothing.
    let dry = base()
        .args(["delete", "-", "--dry-run"])
        .stdin(&stdin)
        .run();
    assert_eq!(dry.code, 1, "{dry:?}");
    for (id, r) in &certs {
        assert_eq!(dry.outcome(id), Some("would_delete"), "{dry:?}");
        assert!(
            dry.line_for(id)
                .unwrap()
                .contains(&format!("listed in {r}")),
            "{dry:?}"
        );
    }
    assert_eq!(dry.outcome(&missing), Some("not_found"), "{dry:?}");
    assert_read_only(&fake, "alibaba-slb");

    let before = fake.requests().len();
    let out = base()
        .args(["delete", "-", "--yes", "--output", "json"])
        .stdin(&stdin)
        .run();
    assert_eq!(out.code, 1, "the missing id: {out:?}");
    let lines = out.json_lines();
    for (id, _) in &certs {
        let v = lines.iter().find(|v| v["id"] == id.as_str()).unwrap();
        assert_eq!(v["outcome"], "deleted", "{out:?}");
        assert!(!fake.contains(Kind::AlibabaSlb, id));
    }
    let v = lines.iter().find(|v| v["id"] == missing.as_str()).unwrap();
    assert_eq!(v["outcome"], "not_found", "{out:?}");
    assert_eq!(v["attempts"], 0, "{out:?}");

    let sent: Vec<_> = fake.requests().into_iter().skip(before).collect();
    let deletes: Vec<_> = sent
        .iter()
        .filter(|e| e.action == "DeleteServerCertificate")
        .collect();
    assert_eq!(deletes.len(), 3, "{deletes:?}");
    for (id, r) in &certs {
        let e = deletes
            .iter()
            .find(|e| e.id.as_deref() == Some(id.as_str()))
            .unwrap_or_else(|| panic!("no delete for {id}: {deletes:?}"));
        assert_eq!(region_of(&e.target).as_deref(), Some(*r), "{e:?}");
        assert_eq!(e.status, Some(200), "{e:?}");
    }
    assert_eq!(fake.delete_attempts(Kind::AlibabaSlb, &missing), 0);
    // The listing went first: every region described before the first delete.
    let first_delete = sent
        .iter()
        .position(|e| e.action == "DeleteServerCertificate")
        .unwrap();
    let described = sent[..first_delete]
        .iter()
        .filter(|e| e.action == "DescribeServerCertificates")
        .count();
    assert_eq!(described, certdel::provider::alibaba_slb::ALL_REGIONS.len());
}

#[test]
fn alibaba_slb_with_one_region_deletes_without_listing() {
    let t = SLB;
    let id = t.id(1);
    let fake = start(t.seed([t.cert(&id)]));
    let out = delete(&fake, t, &[&id]).run();
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(actions(&fake), ["DeleteServerCertificate"]);
}
