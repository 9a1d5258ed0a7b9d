//! The audit log of a delete run, end to end: the real binary against the fake cloud, the log
//! read back from the file it wrote.

mod common;

use certdel::secret::mask_key;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The fields every record has, in order.
const FIELDS: [&str; 15] = [
    "time",
    "run_id",
    "provider",
    "endpoint",
    "region",
    "access_key_id",
    "account",
    "id",
    "outcome",
    "reason",
    "code",
    "request_id",
    "attempts",
    "dry_run",
    "certdel",
];

/// The audit log a [`Certdel`] invocation was given (`CERTDEL_AUDIT_LOG`).
fn log_of(cmd: &Certdel) -> PathBuf {
    let (_, path) = cmd
        .env
        .iter()
        .find(|(k, _)| k == AUDIT_LOG_VAR)
        .expect("the harness sets the audit log");
    PathBuf::from(path)
}

fn records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// A fresh directory under the system temp dir.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("certdel-e2e-audit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn demo_access_key(t: Target) -> String {
    let (ak, _) = t.vars();
    t.env().into_iter().find(|(k, _)| k == ak).unwrap().1
}

#[test]
fn a_delete_run_writes_one_record_per_reported_outcome_on_every_product() {
    for t in TARGETS {
        let l = t.label();
        let (present, missing) = (t.id(1), t.id(2));
        let fake = start(t.seed([t.cert(&present)]));
        let cmd = delete(&fake, t, &[&present, &missing]).args(["--output", "json"]);
        let log = log_of(&cmd);
        let out = cmd.run();
        assert_eq!(out.code, 1, "{l}: one deleted, one not found: {out:?}");
        let reported = out.json_lines();
        let recorded = records(&log);
        assert_eq!(recorded.len(), reported.len(), "{l}: {recorded:?}");
        assert_eq!(recorded.len(), 2, "{l}");

        let run_id = recorded[0]["run_id"].as_str().unwrap().to_string();
        let (stamp, random) = run_id.split_once('-').unwrap();
        assert_eq!(stamp.len(), "20250630T120000Z".len(), "{l}: {run_id}");
        assert!(stamp.ends_with('Z') && random.len() == 16, "{l}: {run_id}");
        for (rec, rep) in recorded.iter().zip(&reported) {
            let keys: Vec<&str> = rec
                .as_object()
                .unwrap()
                .keys()
                .map(|k| k.as_str())
                .collect();
            let mut want = FIELDS.to_vec();
            want.sort_unstable();
            let mut keys = keys;
            keys.sort_unstable();
            assert_eq!(keys, want, "{l}: {rec}");
            assert!(
                rec["reason"].is_null(),
                "{l}: only a sweep's kept records: {rec}"
            );

            let time = rec["time"].as_str().unwrap();
            assert!(time.ends_with('Z'), "{l}: UTC: {time}");
            chrono::DateTime::parse_from_rfc3339(time)
                .unwrap_or_else(|e| panic!("{l}: not RFC 3339 ({e}): {time}"));
            assert_eq!(rec["run_id"], run_id.as_str(), "{l}: one run id per run");
            assert_eq!(rec["provider"], t.kind.name(), "{l}");
            assert_eq!(rec["endpoint"], fake.url(), "{l}");
            assert_eq!(
                rec["access_key_id"],
                mask_key(&demo_access_key(t)),
                "{l}: masked"
            );
            let account = match t.kind {
                Kind::HuaweiScm => Value::from("demo-domain-id-0001"),
                _ => Value::Null,
            };
            assert_eq!(rec["account"], account, "{l}");
            if t.kind == Kind::AlibabaSlb {
                assert_eq!(rec["region"], REGION, "{l}");
            }
            // What stdout said of the id, the log says too.
            for field in ["id", "outcome", "attempts"] {
                assert_eq!(rec[field], rep[field], "{l}: {field}");
            }
            for field in ["code", "request_id"] {
                let said = rep.get(field).cloned().unwrap_or(Value::Null);
                assert_eq!(rec[field], said, "{l}: {field}");
            }
            assert_eq!(rec["dry_run"], false, "{l}");
            assert_eq!(rec["certdel"], env!("CARGO_PKG_VERSION"), "{l}");
        }
        let by_id = |id: &str| {
            recorded
                .iter()
                .find(|r| r["id"] == id)
                .unwrap_or_else(|| panic!("{l}: no record of {id}"))
                .clone()
        };
        assert_eq!(by_id(&present)["outcome"], "deleted", "{l}");
        assert_eq!(by_id(&missing)["outcome"], "not_found", "{l}");

        // A second run appends, under its own run id.
        let again = delete(&fake, t, &[&missing]).env(AUDIT_LOG_VAR, &log.to_string_lossy());
        assert_eq!(again.run().code, 1, "{l}");
        let after = records(&log);
        assert_eq!(after.len(), 3, "{l}");
        assert_eq!(after[..2], recorded[..], "{l}: earlier records kept");
        assert_ne!(after[2]["run_id"], run_id.as_str(), "{l}");
    }
}

#[test]
fn huawei_records_carry_the_domain_id_the_session_discovered() {
    let id = HUAWEI.id(1);
    let fake = start(HUAWEI.seed([HUAWEI.cert(&id)]));
    let cmd = delete(&fake, HUAWEI, &[&id]).without_env("HUAWEICLOUD_SDK_DOMAIN_ID");
    let log = log_of(&cmd);
    let out = cmd.run();
    assert_eq!(out.code, 0, "{out:?}");
    let recs = records(&log);
    assert_eq!(recs.len(), 1, "{recs:?}");
    assert_eq!(recs[0]["account"], "demo-domain-id-0001", "{}", recs[0]);
    assert_eq!(recs[0]["outcome"], "deleted");
}

/// The run cannot start (the domain-id lookup is refused): every id is reported skipped, and
/// recorded skipped.
#[test]
fn ids_skipped_because_the_run_could_not_start_are_recorded() {
    let (a, b) = (HUAWEI.id(1), HUAWEI.id(2));
    let fake = start(HUAWEI.seed([HUAWEI.cert(&a), HUAWEI.cert(&b)]));
    let cmd = delete(&fake, HUAWEI, &[&a, &b])
        .without_env("HUAWEICLOUD_SDK_DOMAIN_ID")
        .env("HUAWEICLOUD_SDK_SK", "not-the-secret");
    let log = log_of(&cmd);
    let out = cmd.run();
    assert_eq!(out.code, 2, "{out:?}");
    let got: Vec<(Value, Value, Value)> = records(&log)
        .into_iter()
        .map(|r| (r["id"].clone(), r["outcome"].clone(), r["account"].clone()))
        .collect();
    assert_eq!(
        got,
        [
            (a.as_str().into(), "skipped".into(), Value::Null),
            (b.as_str().into(), "skipped".into(), Value::Null)
        ]
    );
}

#[test]
fn no_secret_token_or_authorization_reaches_the_log() {
    const SECRET: &str = "s3cr3t-SENTINEL-audit";
    const TOKEN: &str = "sts-token-SENTINEL-audit";
    for t in TARGETS {
        let l = t.label();
        let (a, missing) = (t.id(1), t.id(9));
        let mut seed = t.seed([t.cert(&a)]);
        let keys = match t.kind {
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
        let log = audit_log_path();
        let logged = |cmd: Certdel| cmd.env(AUDIT_LOG_VAR, &log.to_string_lossy()).run();
        // Accepted, refused secret, refused token: the refusals' messages may echo anything.
        let ok = logged(
            delete(&fake, t, &[&a, &missing])
                .env(secret_var, SECRET)
                .env(t.token_var(), TOKEN),
        );
        assert_eq!(ok.code, 1, "{l}: {ok:?}");
        logged(
            delete(&fake, t, &[&a])
                .env(secret_var, "wrong-SENTINEL-secret")
                .env(t.token_var(), TOKEN),
        );
        logged(
            delete(&fake, t, &[&a])
                .env(secret_var, SECRET)
                .env(t.token_var(), "other-SENTINEL-token"),
        );
        let text = std::fs::read_to_string(&log).unwrap();
        assert_eq!(text.lines().count(), 4, "{l}: {text}");
        for s in [
            SECRET,
            TOKEN,
            "wrong-SENTINEL-secret",
            "other-SENTINEL-token",
            "SENTINEL",
            "Authorization",
            "authorization",
            &demo_access_key(t),
        ] {
            assert!(!text.contains(s), "{l}: {s} in the audit log: {text}");
        }
    }
}

#[test]
fn a_log_that_cannot_be_opened_refuses_the_run_before_any_request() {
    let root = scratch("unopenable");
    std::fs::write(root.join("a-file"), "").unwrap();
    let mut paths = vec![root.join("a-file").join("audit.jsonl")];
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let ro = root.join("read-only");
        std::fs::create_dir(&ro).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o500)).unwrap();
        // Permissions do not stop root: the case only means something for other users.
        if std::fs::write(ro.join("probe"), "").is_err() {
            paths.push(ro.join("audit.jsonl"));
        }
    }
    for path in &paths {
        for t in TARGETS {
            let l = t.label();
            let id = t.id(1);
            let fake = start(t.seed([t.cert(&id)]));
            let shown = path.to_string_lossy();
            // huawei-scm without a domain id would look it up first: that is a request too.
            let out = delete(&fake, t, &[&id])
                .without_env("HUAWEICLOUD_SDK_DOMAIN_ID")
                .flag("--audit-log", &shown)
                .run();
            assert_eq!(out.code, 2, "{l} {shown}: {out:?}");
            assert!(
                out.stderr.contains(&format!("audit log {shown}: ")),
                "{l}: {out:?}"
            );
            for what in ["--audit-log PATH", "CERTDEL_AUDIT_LOG", "--no-audit-log"] {
                assert!(out.stderr.contains(what), "{l}: {what}: {out:?}");
            }
            assert!(
                fake.requests().is_empty(),
                "{l} {shown}: a request was sent"
            );
            assert!(t.present(&fake, &id), "{l}");
            assert_eq!(out.stdout, "", "{l}: no outcome without a record");
        }
    }
}

#[test]
fn no_audit_log_writes_nothing() {
    for t in TARGETS {
        let l = t.label();
        let id = t.id(1);
        let fake = start(t.seed([t.cert(&id)]));
        // Neither the file the variable names nor the default under HOME.
        let home = scratch(&format!("home-{}", l.replace([' ', '(', ')'], "")));
        let cmd = delete(&fake, t, &[&id])
            .env("HOME", &home.to_string_lossy())
            .arg("--no-audit-log");
        let log = log_of(&cmd);
        let out = cmd.run();
        assert_eq!(out.code, 0, "{l}: {out:?}");
        assert!(!t.present(&fake, &id), "{l}");
        assert!(!log.exists(), "{l}: {} written", log.display());
        let left: Vec<_> = std::fs::read_dir(&home).unwrap().collect();
        assert!(left.is_empty(), "{l}: {left:?} under HOME");
    }
}

#[test]
fn without_an_override_the_log_goes_under_home() {
    let id = TENCENT.id(1);
    let fake = start(TENCENT.seed([TENCENT.cert(&id)]));
    let home = scratch("home-default");
    let out = delete(&fake, TENCENT, &[&id])
        .without_env(AUDIT_LOG_VAR)
        .env("HOME", &home.to_string_lossy())
        .run();
    assert_eq!(out.code, 0, "{out:?}");
    let recs = records(&home.join(".local/state/certdel/audit.jsonl"));
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["id"], id.as_str());
}

/// `/dev/full` opens, and every write to it fails: every id is still deleted and reported,
/// then the run fails, naming the file.
#[cfg(target_os = "linux")]
#[test]
fn a_log_that_fails_mid_run_still_reports_every_id_then_exits_2() {
    let ids = [TENCENT.id(1), TENCENT.id(2), TENCENT.id(3)];
    let fake = start(TENCENT.seed(ids.iter().map(|id| TENCENT.cert(id))));
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let out = delete(&fake, TENCENT, &refs)
        .flag("--audit-log", "/dev/full")
        .args(["--no-batch"])
        .run();
    assert_eq!(out.code, 2, "{out:?}");
    for id in &ids {
        assert_eq!(out.outcome(id), Some("deleted"), "{out:?}");
        assert!(!TENCENT.present(&fake, id));
    }
    assert!(
        out.stderr
            .contains("audit log /dev/full: cannot write the record of"),
        "{out:?}"
    );
    assert!(
        out.stderr.contains("3 records of this run are missing"),
        "{out:?}"
    );
}

/// A dry run is recorded too, marked as one, with what a delete would have met.
#[test]
fn a_dry_run_is_recorded_as_one() {
    for t in TARGETS {
        let l = t.label();
        let (present, missing) = (t.id(1), t.id(2));
        let fake = start(t.seed([t.cert(&present)]));
        let cmd = delete(&fake, t, &[&present, &missing]).arg("--dry-run");
        let log = log_of(&cmd);
        let out = cmd.run();
        assert_eq!(out.code, 1, "{l}: {out:?}");
        assert!(t.present(&fake, &present), "{l}: a dry run deleted");
        let got: Vec<(Value, Value, Value)> = records(&log)
            .into_iter()
            .map(|r| (r["id"].clone(), r["outcome"].clone(), r["dry_run"].clone()))
            .collect();
        assert_eq!(
            got,
            [
                (present.as_str().into(), "would_delete".into(), true.into()),
                (missing.as_str().into(), "not_found".into(), true.into())
            ],
            "{l}"
        );
    }
}
