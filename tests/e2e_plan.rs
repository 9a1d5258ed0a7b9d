//! Plan files end to end: the real binary against the fake cloud (bound to 127.0.0.1).
//!
//! - On every provider, `list --expired --plan FILE` writes the expired certificates; a plan
//!   trimmed by hand (entries removed with serde_json) makes `delete --plan FILE` delete
//!   exactly what is left, while the certificates removed from the plan and those added to the
//!   store after it was made survive — asserted from the fake's store and its request log.
//! - A plan from another provider, access key, endpoint or CAS target, a stale plan and one
//!   from the future are each refused with exit 2, and the fake's log shows nothing sent.
//! - An alibaba-slb plan spanning regions is applied in one run, each certificate in its own
//!   region.
//! - An incomplete listing writes no plan (and leaves an existing file as it was); a plan's
//!   certificates are known to exist, so a lost reply followed by "not found" is `deleted`.
//!
//! No assertion depends on timing.

mod common;

use chrono::{Duration, Utc};
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A scratch directory for one test's plan files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("certdel-e2e-plan-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `certdel --endpoint <fake> <target args> <action…>` with the target's demo credentials.
fn run(fake: &Running, t: Target, action: &[&str]) -> Certdel {
    certdel()
        .args(["--endpoint", &fake.url()])
        .args(t.args())
        .args(action.iter().copied())
        .envs(t.env())
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", &fake.url())
        .env(NO_RETRY_DELAY, "1")
}

fn expired(t: Target, id: &str) -> Cert {
    t.cert(id).not_after(Utc::now() - Duration::days(10))
}

fn read_plan(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("the plan was written");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn write_plan(path: &Path, plan: &Value) {
    std::fs::write(path, serde_json::to_vec_pretty(plan).unwrap()).unwrap();
}

/// A plan entry's id as text: a string, or for alibaba-cas a JSON integer.
fn entry_id(entry: &Value) -> String {
    match &entry["id"] {
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_u64() => n.to_string(),
        other => panic!("an id is a string or, for alibaba-cas, an integer: {other}"),
    }
}

fn plan_ids(plan: &Value) -> BTreeSet<String> {
    plan["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(entry_id)
        .collect()
}

/// Ids named by this product's delete requests, in the log.
fn deletes_sent(fake: &Running, kind: Kind) -> BTreeSet<String> {
    fake.requests()
        .iter()
        .filter(|e| e.provider == Some(kind) && e.action.starts_with("Delete"))
        .flat_map(|e| e.ids.clone())
        .collect()
}

fn set(ids: &[&String]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_trimmed_plan_deletes_exactly_what_is_left_on_every_provider() {
    let dir = scratch("trimmed");
    for t in TARGETS {
        let l = t.label();
        let [a, b, c, live, late] = [1, 2, 3, 4, 5].map(|n| t.id(n));
        let fake = start(t.seed([
            expired(t, &a),
            expired(t, &b),
            expired(t, &c),
            t.cert(&live),
        ]));
        let path = dir.join(format!("{}.json", l.replace([' ', '(', ')'], "")));

        let listed = run(&fake, t, &["list", "--expired", "--output", "json"])
            .flag("--plan", path.to_str().unwrap())
            .run();
        assert_eq!(listed.code, 0, "{l}: {listed:?}");
        // The listing is printed as usual.
        let printed: BTreeSet<String> = listed
            .json_lines()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(printed, set(&[&a, &b, &c]), "{l}");

        let mut plan = read_plan(&path);
        assert_eq!(plan["certdel_plan"], 1, "{l}");
        assert_eq!(plan["provider"], t.kind.name(), "{l}");
        assert_eq!(plan["endpoint"], fake.url(), "{l}");
        let (ak_var, sk_var) = t.vars();
        let env = t.env();
        let value_of = |var: &str| env.iter().find(|(k, _)| k == var).unwrap().1.clone();
        assert_eq!(plan["access_key_id"], value_of(ak_var), "{l}");
        assert!(
            !std::fs::read_to_string(&path)
                .unwrap()
                .contains(&value_of(sk_var)),
            "{l}: the secret is in the plan"
        );
        assert_eq!(plan["filters"], "--expired", "{l}");
        assert_eq!(plan_ids(&plan), set(&[&a, &b, &c]), "{l}");
        let expected_target = match t.cas {
            Some(CasKind::Order) => json!("orders"),
            Some(CasKind::Certificate) => json!("certificates"),
            None => Value::Null,
        };
        assert_eq!(plan["cas_target"], expected_target, "{l}");
        if t.kind == Kind::HuaweiScm {
            assert_eq!(
                plan["account"],
                value_of("HUAWEICLOUD_SDK_DOMAIN_ID"),
                "{l}"
            );
        }
        if t.kind == Kind::AlibabaSlb {
            assert_eq!(plan["regions"], json!([REGION]), "{l}");
        }
        // alibaba-cas ids are JSON integers, every other id a string.
        for entry in plan["certificates"].as_array().unwrap() {
            let cas = t.kind == Kind::AlibabaCas;
            assert_eq!(entry["id"].is_u64(), cas, "{l}: {entry}");
            assert_eq!(entry["id"].is_string(), !cas, "{l}: {entry}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{l}");
        }

        // Reviewed: b stays. And a certificate expires after the plan was made.
        plan["certificates"]
            .as_array_mut()
            .unwrap()
            .retain(|e| entry_id(e) != b);
        write_plan(&path, &plan);
        fake.state().store().insert(t.kind, expired(t, &late));

        // Previewed: exactly what is left in the plan would be deleted, nothing is sent.
        let preview = run(&fake, t, &["delete", "--dry-run", "--output", "json"])
            .flag("--plan", path.to_str().unwrap())
            .run();
        assert_eq!(preview.code, 0, "{l}: {preview:?}");
        let would: BTreeSet<String> = preview
            .json_lines()
            .iter()
            .filter(|r| r["outcome"] == "would_delete")
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(would, set(&[&a, &c]), "{l}: {preview:?}");
        assert!(
            deletes_sent(&fake, t.kind).is_empty(),
            "{l}: a dry run sent a delete"
        );
        let before = fake.requests().len();

        let out = run(&fake, t, &["delete", "--yes", "--output", "json"])
            .flag("--plan", path.to_str().unwrap())
            .run();
        assert_eq!(out.code, 0, "{l}: {out:?}");
        let outcomes: Vec<(String, String)> = out
            .json_lines()
            .iter()
            .map(|r| {
                (
                    r["id"].as_str().unwrap().to_string(),
                    r["outcome"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let mut outcomes_sorted = outcomes.clone();
        outcomes_sorted.sort();
        let mut want = vec![
            (a.clone(), "deleted".to_string()),
            (c.clone(), "deleted".to_string()),
        ];
        want.sort();
        assert_eq!(outcomes_sorted, want, "{l}: {out:?}");
        for id in [&a, &c] {
            assert!(!t.present(&fake, id), "{l}: {id} still there");
        }
        for id in [&b, &live, &late] {
            assert!(t.present(&fake, id), "{l}: {id} was deleted");
        }
        // Only the plan's certificates were sent, and nothing was listed again.
        assert_eq!(deletes_sent(&fake, t.kind), set(&[&a, &c]), "{l}");
        let after: Vec<_> = fake.requests()[before..]
            .iter()
            .map(|e| e.action.clone())
            .collect();
        assert!(
            after.iter().all(|a| a.starts_with("Delete")),
            "{l}: {after:?}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The plan of `t`'s two expired certificates, made against `fake`.
fn made_plan(fake: &Running, t: Target, path: &Path) -> Value {
    let out = run(fake, t, &["list", "--expired", "--output", "ids"])
        .flag("--plan", path.to_str().unwrap())
        .run();
    assert_eq!(out.code, 0, "{out:?}");
    read_plan(path)
}

/// Apply the plan at `path` with `cmd`: refused with exit 2, nothing sent to `fake`, and
/// stderr containing `why`.
fn refused(fake: &Running, cmd: Certdel, path: &Path, why: &str) {
    refused_with(fake, cmd, &[], path, why)
}

/// [`refused`] with more delete flags.
fn refused_with(fake: &Running, cmd: Certdel, flags: &[&str], path: &Path, why: &str) {
    let before = fake.requests().len();
    let out = cmd
        .args(["delete", "--yes"])
        .args(flags.iter().copied())
        .flag("--plan", path.to_str().unwrap())
        .run();
    assert_eq!(out.code, 2, "{why}: {out:?}");
    assert!(out.stdout.is_empty(), "{why}: {out:?}");
    assert!(out.stderr.contains(why), "{why}: {out:?}");
    assert_eq!(fake.requests().len(), before, "{why}: something was sent");
}

#[test]
fn a_plan_for_another_run_is_refused_and_nothing_is_sent() {
    let dir = scratch("refused");
    let t = TENCENT;
    let (a, b) = (t.id(1), t.id(2));
    let fake = start(t.seed([expired(t, &a), expired(t, &b)]));
    let path = dir.join("plan.json");
    let plan = made_plan(&fake, t, &path);
    let with = |t: Target| {
        certdel()
            .args(["--endpoint", &fake.url()])
            .args(t.args())
            .envs(t.env())
            .env(NO_RETRY_DELAY, "1")
    };

    // Another provider.
    refused(
        &fake,
        with(VOLC),
        &path,
        "the plan was made for \"tencent-ssl\", this run is volcengine-live",
    );
    // Another access key (valid-looking, never sent).
    refused(
        &fake,
        with(t).env("TENCENTCLOUD_SECRET_ID", "AKIDotherkey"),
        &path,
        "access key id",
    );
    // Another endpoint: a second fake gets nothing either.
    let other = start(t.seed([expired(t, &a), expired(t, &b)]));
    let cmd = certdel()
        .args(["--endpoint", &other.url()])
        .args(t.args())
        .envs(t.env());
    refused(&fake, cmd, &path, &format!("made against {}", fake.url()));
    assert!(other.requests().is_empty());
    // Stale: created rewritten into the past, then a bound shorter than the plan's age.
    let mut stale = plan.clone();
    stale["created"] = json!(crate_time(Utc::now() - Duration::hours(25)));
    write_plan(&path, &stale);
    refused(&fake, with(t), &path, "older than --plan-max-age 1d;");
    let mut hour_old = plan.clone();
    hour_old["created"] = json!(crate_time(Utc::now() - Duration::hours(1)));
    write_plan(&path, &hour_old);
    refused_with(
        &fake,
        with(t),
        &["--plan-max-age", "30m"],
        &path,
        "older than --plan-max-age 30m",
    );
    // From the future: clock trouble.
    let mut future = plan.clone();
    future["created"] = json!(crate_time(Utc::now() + Duration::hours(1)));
    write_plan(&path, &future);
    refused(&fake, with(t), &path, "ahead of this machine's clock");
    // Not a plan, and an unknown format.
    std::fs::write(&path, "{\"certdel_plan\": 1,").unwrap();
    refused(&fake, with(t), &path, "not a plan file: EOF while parsing");
    let mut newer = plan.clone();
    newer["certdel_plan"] = json!(2);
    write_plan(&path, &newer);
    refused(&fake, with(t), &path, "plan format version 2 is unknown");

    // Still applicable as made: both deleted.
    write_plan(&path, &plan);
    let out = with(t)
        .args(["delete", "--yes"])
        .flag("--plan", path.to_str().unwrap())
        .run();
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(deletes_sent(&fake, t.kind), set(&[&a, &b]));

    // alibaba-cas: orders and certificates are different ids.
    let fake = start(CAS_ORDERS.seed([expired(CAS_ORDERS, &CAS_ORDERS.id(1))]));
    made_plan(&fake, CAS_ORDERS, &path);
    refused(
        &fake,
        run(&fake, CAS_CERTS, &[]),
        &path,
        "made with --target orders, this run has --target certificates",
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn crate_time(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[test]
fn an_alibaba_slb_plan_spanning_regions_is_applied_in_one_run() {
    let dir = scratch("slb");
    // Without --region, and with --region all (which without a plan lists every region first
    // to find each id): the plan's regions decide, nothing is listed again.
    for region_flags in [&[][..], &["--region", "all"]] {
        let t = SLB;
        let regions = ["cn-hangzhou", "cn-shanghai", "eu-central-1"];
        let certs: Vec<(String, &str)> = regions
            .iter()
            .enumerate()
            .flat_map(|(i, r)| [(t.id(10 * i as u32 + 1), *r), (t.id(10 * i as u32 + 2), *r)])
            .collect();
        let fake = start(t.seed(certs.iter().map(|(id, r)| expired(t, id).region(r))));
        let path = dir.join("slb.json");
        let listed = certdel()
            .args(["--endpoint", &fake.url()])
            .args(regions.iter().flat_map(|r| ["--region", r]))
            .args(["alibaba-slb", "list", "--expired", "--output", "ids"])
            .flag("--plan", path.to_str().unwrap())
            .envs(t.env())
            .run();
        assert_eq!(listed.code, 0, "{listed:?}");
        let plan = read_plan(&path);
        assert_eq!(plan["regions"], json!(regions));
        for entry in plan["certificates"].as_array().unwrap() {
            let (_, region) = certs.iter().find(|(id, _)| *id == entry["id"]).unwrap();
            assert_eq!(entry["region"], *region, "{entry}");
        }

        // Previewed first: every certificate would be deleted, in its own region, and no delete
        // of any kind is sent.
        let preview = certdel()
            .args(["--endpoint", &fake.url()])
            .args(region_flags.iter().copied())
            .args(["alibaba-slb", "delete", "--dry-run", "--output", "json"])
            .flag("--plan", path.to_str().unwrap())
            .envs(t.env())
            .run();
        assert_eq!(preview.code, 0, "{preview:?}");
        for (id, region) in &certs {
            let line = preview
                .json_lines()
                .into_iter()
                .find(|l| l["id"] == id.as_str())
                .unwrap_or_else(|| panic!("no outcome for {id}: {preview:?}"));
            assert_eq!(line["outcome"], "would_delete", "{line}");
            assert!(t.present(&fake, id), "{id} deleted by a dry run");
            assert!(line["message"].as_str().unwrap().contains(region), "{line}");
        }
        assert!(
            !fake
                .requests()
                .iter()
                .any(|e| e.action.starts_with("Delete")),
            "a dry run sent a delete"
        );

        // One run, no --region: each certificate deleted in its own region (the fake refuses an
        // id named with another region as not found).
        let listed_before = describes(&fake);
        let out = certdel()
            .args(["--endpoint", &fake.url()])
            .args(region_flags.iter().copied())
            .args(["alibaba-slb", "delete", "--yes"])
            .flag("--plan", path.to_str().unwrap())
            .envs(t.env())
            .env(NO_RETRY_DELAY, "1")
            .run();
        assert_eq!(out.code, 0, "{out:?}");
        for (id, _) in &certs {
            assert_eq!(out.outcome(id), Some("deleted"), "{out:?}");
            assert!(!t.present(&fake, id), "{id}");
        }
        // One request per certificate, each naming its region.
        let deletes: Vec<_> = fake
            .requests()
            .into_iter()
            .filter(|e| e.action == "DeleteServerCertificate")
            .collect();
        assert_eq!(deletes.len(), certs.len());
        for (id, region) in &certs {
            let sent = deletes
                .iter()
                .find(|e| e.id.as_deref() == Some(id))
                .unwrap();
            assert!(
                sent.target.contains(&format!("RegionId={region}")),
                "{sent:?}"
            );
        }
        assert_eq!(
            describes(&fake),
            listed_before,
            "{region_flags:?}: listed again"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn describes(fake: &Running) -> usize {
    fake.requests()
        .iter()
        .filter(|e| e.action == "DescribeServerCertificates")
        .count()
}

#[test]
fn an_incomplete_listing_writes_no_plan() {
    let dir = scratch("incomplete");
    let t = TENCENT;
    let fake = start(t.seed([expired(t, &t.id(1))]));
    let path = dir.join("plan.json");
    let out = run(&fake, t, &["list", "--expired"])
        .flag("--plan", path.to_str().unwrap())
        .env("TENCENTCLOUD_SECRET_KEY", "wrong-secret")
        .run();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(!path.exists());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "a file was left behind"
    );
    // An existing plan stays as it was.
    std::fs::write(&path, "reviewed yesterday").unwrap();
    let out = run(&fake, t, &["list", "--expired"])
        .flag("--plan", path.to_str().unwrap())
        .env("TENCENTCLOUD_SECRET_KEY", "wrong-secret")
        .run();
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "reviewed yesterday"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    // A plan that cannot be written: exit 2, nothing printed.
    let out = run(&fake, t, &["list", "--expired", "--output", "ids"])
        .flag("--plan", dir.join("missing/plan.json").to_str().unwrap())
        .run();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    assert!(out.stderr.contains("cannot write the plan"), "{out:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn plan_certificates_are_known_to_exist_so_a_lost_reply_then_not_found_is_deleted() {
    let dir = scratch("lost");
    let t = VOLC;
    let id = t.id(1);
    let mut config = Config::new(t.seed([expired(t, &id)]));
    config
        .scripts
        .insert((t.kind, id.clone()), vec![Step::ApplyThenDrop]);
    let fake = start_config(config);
    let path = dir.join("plan.json");
    made_plan(&fake, t, &path);
    let out = run(&fake, t, &["delete", "--yes"])
        .flag("--plan", path.to_str().unwrap())
        .run();
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.outcome(&id), Some("deleted"), "{out:?}");
    assert!(
        out.line_for(&id).unwrap().contains("reply was lost"),
        "{out:?}"
    );
    assert_eq!(fake.delete_attempts(t.kind, &id), 2);

    // The same id from the command line is not known to exist: gone.
    let mut config = Config::new(t.seed([expired(t, &id)]));
    config
        .scripts
        .insert((t.kind, id.clone()), vec![Step::ApplyThenDrop]);
    let fake = start_config(config);
    let out = delete(&fake, t, &[&id]).run();
    assert_eq!(out.outcome(&id), Some("gone"), "{out:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_empty_plan_is_nothing_to_do() {
    let dir = scratch("empty");
    let t = TENCENT;
    let fake = start(t.seed([t.cert(&t.id(1))]));
    let path = dir.join("plan.json");
    let plan = made_plan(&fake, t, &path);
    assert_eq!(plan["certificates"], json!([]));
    let before = fake.requests().len();
    let out = run(&fake, t, &["delete", "--yes"])
        .flag("--plan", path.to_str().unwrap())
        .run();
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(fake.requests().len(), before);
    assert!(t.present(&fake, &t.id(1)));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_huawei_plan_for_another_account_is_refused_once_the_account_is_discovered() {
    let dir = scratch("account");
    let t = HUAWEI;
    let id = t.id(1);
    let fake = start(t.seed([expired(t, &id)]));
    let path = dir.join("plan.json");
    let mut plan = made_plan(&fake, t, &path);
    // Known from the environment: refused before anything is sent.
    plan["account"] = json!("another-account");
    write_plan(&path, &plan);
    refused(
        &fake,
        run(&fake, t, &[]),
        &path,
        "account \"another-account\"",
    );
    // Discovered through IAM: refused after the lookup, before any delete.
    let out = run(&fake, t, &["delete", "--yes"])
        .flag("--plan", path.to_str().unwrap())
        .without_env("HUAWEICLOUD_SDK_DOMAIN_ID")
        .run();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("(found through IAM)"), "{out:?}");
    assert_eq!(out.outcome(&id), Some("skipped"), "{out:?}");
    assert_eq!(fake.delete_attempts(t.kind, &id), 0);
    assert!(t.present(&fake, &id));
    std::fs::remove_dir_all(&dir).unwrap();
}
