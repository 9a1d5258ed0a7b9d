//! `certdel sweep --policy FILE`, end to end: the real binary against one fake cloud holding
//! certificates of all five products, one policy naming a target for each (every target's
//! `endpoint` the fake; the identity calls there too through `CERTDEL_STS_ENDPOINT` and
//! `HUAWEICLOUD_SDK_IAM_ENDPOINT`). What a sweep did is proven on what the fake still holds
//! afterwards and on the requests it received; the accounts expected are the fake's own.

mod common;

use chrono::{Duration, Utc};
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One target per product: alibaba-cas sweeps its certificates (`target = "certificates"`).
const PRODUCTS: [Target; 5] = [HUAWEI, TENCENT, VOLC, SLB, CAS_CERTS];

/// The target's name in the policies below.
fn name(t: Target) -> &'static str {
    match t.kind {
        Kind::HuaweiScm => "huawei",
        Kind::TencentSsl => "tencent",
        Kind::VolcengineLive => "volc",
        Kind::AlibabaSlb => "slb",
        Kind::AlibabaCas => "cas",
    }
}

/// The account the fake answers for this product's demo keys.
fn account(t: Target) -> String {
    fake_cloud::store::demo_accounts()
        .for_kind(t.kind)
        .expect("demo keys")
        .account()
}

/// A certificate of `t` numbered `n`, expiring `days` from now (negative: expired), covering
/// `domains`.
fn cert(t: Target, n: u32, days: i64, domains: &[&str]) -> (String, Cert) {
    let id = t.id(n);
    let c = t
        .cert(&id)
        .domains(domains)
        .not_after(Utc::now() + Duration::days(days));
    (id, c)
}

/// A seed with these certificates of every product.
fn seed(certs: &[(Target, Cert)]) -> Seed {
    certs
        .iter()
        .fold(Seed::demo(), |s, (t, c)| s.with(t.kind, c.clone()))
}

/// A `[[targets]]` entry for `t` at the fake, expecting its own account; `extra` is appended
/// (more keys, or `[targets.*]` tables).
fn entry(fake: &Running, t: Target, extra: &str) -> String {
    let mut e = format!(
        "[[targets]]\nname = \"{}\"\nprovider = \"{}\"\nendpoint = \"{}\"\n",
        name(t),
        t.kind.name(),
        fake.url()
    );
    match (t.kind, t.cas) {
        (Kind::AlibabaSlb, _) => e.push_str(&format!("region = \"{REGION}\"\n")),
        (Kind::AlibabaCas, Some(CasKind::Certificate)) => e.push_str("target = \"certificates\"\n"),
        _ => {}
    }
    if !extra.contains("expect_account") {
        e.push_str(&format!("expect_account = \"{}\"\n", account(t)));
    }
    e.push_str(extra);
    e.push('\n');
    e
}

/// A policy file of its own for one test.
fn policy_file(test: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("certdel-e2e-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{test}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

/// `certdel sweep --policy FILE` with every product's demo credentials and every identity
/// call at the fake.
fn sweep(fake: &Running, policy: &Path) -> Certdel {
    PRODUCTS
        .iter()
        .fold(certdel(), |c, t| c.envs(t.env()))
        .args(["sweep", "--policy", &policy.to_string_lossy()])
        .env("CERTDEL_STS_ENDPOINT", &fake.url())
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", &fake.url())
        .env(NO_RETRY_DELAY, "1")
}

/// The NDJSON line of each certificate of `target`, by id.
fn certificate_lines<'a>(lines: &'a [Value], target: &str) -> Vec<&'a Value> {
    lines
        .iter()
        .filter(|v| v["type"] == "certificate" && v["target"] == target)
        .collect()
}

fn target_line<'a>(lines: &'a [Value], target: &str) -> &'a Value {
    lines
        .iter()
        .find(|v| v["type"] == "target" && v["target"] == target)
        .unwrap_or_else(|| panic!("no summary line for {target}: {lines:?}"))
}

/// Delete requests the fake received, of any product.
fn deletes(fake: &Running) -> Vec<String> {
    fake.requests()
        .into_iter()
        .filter(|e| e.action.starts_with("Delete"))
        .map(|e| format!("{:?} {}", e.provider, e.action))
        .collect()
}

/// The audit log's records.
fn audit_records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn audit_path(cmd: &Certdel) -> PathBuf {
    let (_, p) = cmd.env.iter().find(|(k, _)| k == AUDIT_LOG_VAR).unwrap();
    PathBuf::from(p)
}

#[test]
fn expired_for_and_the_exclusions_select_what_is_deleted_on_all_five_providers() {
    // Per product: one expired long enough (deleted), one expired too recently and one still
    // valid (not selected), one excluded by id and one by domain (kept).
    let mut certs = Vec::new();
    for t in PRODUCTS {
        certs.push((t, cert(t, 1, -30, &["stale.example.com"])));
        certs.push((t, cert(t, 2, -2, &["recent.example.com"])));
        certs.push((t, cert(t, 3, 60, &["valid.example.com"])));
        certs.push((t, cert(t, 4, -30, &["byid.example.com"])));
        certs.push((t, cert(t, 5, -30, &["www.keep.example.com"])));
    }
    let fake = start(seed(
        &certs
            .iter()
            .map(|(t, (_, c))| (*t, c.clone()))
            .collect::<Vec<_>>(),
    ));
    let mut text = String::from(
        "[selection]\nexpired_for = \"7d\"\nexclude_domains = [\"*.keep.example.com\"]\n\n[guards]\nmax_deletions = 10\n\n",
    );
    for t in PRODUCTS {
        text.push_str(&entry(
            &fake,
            t,
            &format!("[targets.selection]\nexclude_ids = [\"{}\"]\n", t.id(4)),
        ));
    }
    let policy = policy_file("selection", &text);
    let cmd = sweep(&fake, &policy).args(["--yes", "--output", "json"]);
    let out = cmd.run();
    assert_eq!(out.code, 0, "{out:?}");
    let lines = out.json_lines();
    for t in PRODUCTS {
        let l = t.label();
        assert!(!t.present(&fake, &t.id(1)), "{l}: the stale one is deleted");
        for n in [2, 3, 4, 5] {
            assert!(
                t.present(&fake, &t.id(n)),
                "{l}: {} is still there",
                t.id(n)
            );
        }
        let mine = certificate_lines(&lines, name(t));
        let outcome = |id: &str| {
            mine.iter()
                .find(|v| v["id"] == id)
                .map(|v| (v["outcome"].as_str().unwrap(), v["reason"].as_str()))
        };
        assert_eq!(outcome(&t.id(1)), Some(("deleted", None)), "{l}: {out:?}");
        assert_eq!(
            outcome(&t.id(4)),
            Some(("kept", Some("excluded_id"))),
            "{l}"
        );
        assert_eq!(
            outcome(&t.id(5)),
            Some(("kept", Some("excluded_domain"))),
            "{l}"
        );
        assert_eq!(outcome(&t.id(2)), None, "{l}: not selected, not reported");
        assert_eq!(mine.len(), 3, "{l}: {mine:?}");
        for v in &mine {
            assert_eq!(v["provider"], t.kind.name(), "{l}");
            assert_eq!(v["account"], account(t).as_str(), "{l}");
        }
        let summary = target_line(&lines, name(t));
        assert_eq!(summary["status"], "completed", "{l}: {summary}");
        assert_eq!(summary["selected"], 3, "{l}");
        assert_eq!(summary["deleted"], 1, "{l}");
        assert_eq!(summary["failed"], 0, "{l}");
        assert_eq!(summary["kept"]["excluded_id"], 1, "{l}");
        assert_eq!(summary["kept"]["excluded_domain"], 1, "{l}");
    }
    // Every delete is in the audit log, in its own target's context (beside the kept
    // decisions, proven in `every_kept_certificate_is_in_the_audit_log_with_its_rule`).
    let all_records = audit_records(&audit_path(&cmd));
    let records: Vec<&Value> = all_records
        .iter()
        .filter(|r| r["outcome"] != "kept")
        .collect();
    assert_eq!(records.len(), PRODUCTS.len(), "{records:?}");
    for t in PRODUCTS {
        let r = records
            .iter()
            .find(|r| r["provider"] == t.kind.name())
            .unwrap_or_else(|| panic!("{}: no record: {records:?}", t.label()));
        assert_eq!(r["id"], t.id(1).as_str());
        assert_eq!(r["outcome"], "deleted");
        assert_eq!(r["account"], account(t).as_str());
        assert_eq!(r["dry_run"], false);
    }
    let run_ids: std::collections::HashSet<&str> = all_records
        .iter()
        .map(|r| r["run_id"].as_str().unwrap())
        .collect();
    assert_eq!(run_ids.len(), 1, "one sweep, one run id: {records:?}");
}

#[test]
fn every_kept_certificate_is_in_the_audit_log_with_its_rule() {
    // Per product: two to delete (one expired, the older of a pair), the newer of the pair
    // (keep_latest), one excluded by domain and one by id. tencent allows one deletion only:
    // refused, its two are kept by max_deletions.
    let mut certs = Vec::new();
    for t in PRODUCTS {
        certs.push((t, cert(t, 1, -30, &["stale.example.com"])));
        certs.push((t, cert(t, 2, 5, &["pair.example.com"])));
        certs.push((t, cert(t, 3, 10, &["pair.example.com"])));
        certs.push((t, cert(t, 4, -30, &["www.keep.example.com"])));
        certs.push((t, cert(t, 5, -30, &["byid.example.com"])));
    }
    let fake = start(seed(
        &certs
            .iter()
            .map(|(t, (_, c))| (*t, c.clone()))
            .collect::<Vec<_>>(),
    ));
    let mut text = String::from(
        "[selection]\nexpires_before = \"30d\"\nexclude_domains = [\"*.keep.example.com\"]\n\n[guards]\nmax_deletions = 10\nkeep_latest_per_domains = true\n\n",
    );
    for t in PRODUCTS {
        let mut extra = format!("[targets.selection]\nexclude_ids = [\"{}\"]\n", t.id(5));
        if t == TENCENT {
            extra.push_str("[targets.guards]\nmax_deletions = 1\n");
        }
        text.push_str(&entry(&fake, t, &extra));
    }
    let policy = policy_file("kept-audit", &text);
    for dry_run in [true, false] {
        let mut cmd = sweep(&fake, &policy).args(["--output", "json"]);
        cmd = if dry_run {
            cmd.args(["--dry-run"])
        } else {
            cmd.args(["--yes"])
        };
        let out = cmd.run();
        assert_eq!(out.code, 1, "tencent is refused: {out:?}");
        let records = audit_records(&audit_path(&cmd));
        let run_ids: std::collections::HashSet<&str> = records
            .iter()
            .map(|r| r["run_id"].as_str().unwrap())
            .collect();
        assert_eq!(run_ids.len(), 1, "one sweep, one run id: {records:?}");
        let lines = out.json_lines();
        for t in PRODUCTS {
            let l = format!("{} (dry run {dry_run})", t.label());
            let mine: Vec<&Value> = records
                .iter()
                .filter(|r| r["provider"] == t.kind.name())
                .collect();
            let kept = |id: &str| -> Vec<&Value> {
                mine.iter()
                    .copied()
                    .filter(|r| r["id"] == id && r["outcome"] == "kept")
                    .collect()
            };
            let mut want = vec![
                (t.id(3), "keep_latest"),
                (t.id(4), "excluded_domain"),
                (t.id(5), "excluded_id"),
            ];
            if t == TENCENT {
                want.push((t.id(1), "max_deletions"));
                want.push((t.id(2), "max_deletions"));
            }
            for (id, reason) in &want {
                let k = kept(id);
                assert_eq!(k.len(), 1, "{l}: one kept record for {id}: {mine:?}");
                let r = k[0];
                assert_eq!(r["reason"], *reason, "{l}: {r}");
                assert_eq!(r["attempts"], 0, "{l}: {r}");
                assert!(r["code"].is_null() && r["request_id"].is_null(), "{l}: {r}");
                assert_eq!(r["dry_run"], dry_run, "{l}: {r}");
                assert_eq!(r["account"], account(t).as_str(), "{l}: {r}");
                assert_eq!(r["endpoint"], fake.url().trim_end_matches('/'), "{l}: {r}");
                let key = r["access_key_id"].as_str().unwrap();
                assert!(key.contains('*'), "{l}: masked: {r}");
                // The same decision on stdout.
                let line = certificate_lines(&lines, name(t))
                    .into_iter()
                    .find(|v| v["id"] == id.as_str())
                    .unwrap_or_else(|| panic!("{l}: {id} not on stdout"));
                assert_eq!(
                    (&line["outcome"], &line["reason"]),
                    (&"kept".into(), &(*reason).into())
                );
            }
            let kept_total = mine.iter().filter(|r| r["outcome"] == "kept").count();
            assert_eq!(
                kept_total,
                want.len(),
                "{l}: no other kept record: {mine:?}"
            );
            // Every other record is an outcome, with no reason.
            let others: Vec<&&Value> = mine.iter().filter(|r| r["outcome"] != "kept").collect();
            assert!(
                others.iter().all(|r| r["reason"].is_null()),
                "{l}: {others:?}"
            );
            let done = if dry_run { "would_delete" } else { "deleted" };
            if t == TENCENT {
                assert!(
                    others.is_empty(),
                    "{l}: refused, nothing attempted: {others:?}"
                );
            } else {
                let mut ids: Vec<&str> = others
                    .iter()
                    .map(|r| {
                        assert_eq!(r["outcome"], done, "{l}: {r}");
                        r["id"].as_str().unwrap()
                    })
                    .collect();
                ids.sort_unstable();
                assert_eq!(ids, [t.id(1), t.id(2)], "{l}");
            }
        }
    }
}

#[test]
fn keep_latest_keeps_the_newest_of_each_set_of_domains_on_all_five_providers() {
    // Expiring within 30 days: the older of two covering the same domains goes, the newer
    // stays, and a certificate alone for its domains stays too; one long expired goes even
    // though it is the latest of its set.
    let mut certs = Vec::new();
    for t in PRODUCTS {
        certs.push((
            t,
            cert(t, 1, 5, &["shared.example.com", "www.shared.example.com"]),
        ));
        certs.push((
            t,
            cert(t, 2, 10, &["www.shared.example.com", "SHARED.example.com"]),
        ));
        certs.push((t, cert(t, 3, 20, &["solo.example.com"])));
        certs.push((t, cert(t, 4, -40, &["gone.example.com"])));
    }
    let fake = start(seed(
        &certs
            .iter()
            .map(|(t, (_, c))| (*t, c.clone()))
            .collect::<Vec<_>>(),
    ));
    let mut text = String::from(
        "[selection]\nexpires_before = \"30d\"\n\n[guards]\nmax_deletions = 10\nkeep_latest_per_domains = true\n\n",
    );
    for t in PRODUCTS {
        text.push_str(&entry(&fake, t, ""));
    }
    let policy = policy_file("keep-latest", &text);
    let out = sweep(&fake, &policy).args(["--yes"]).run();
    assert_eq!(out.code, 0, "{out:?}");
    for t in PRODUCTS {
        let l = t.label();
        assert!(
            !t.present(&fake, &t.id(1)),
            "{l}: the older of the pair goes"
        );
        assert!(
            t.present(&fake, &t.id(2)),
            "{l}: the newer of the pair stays"
        );
        assert!(
            t.present(&fake, &t.id(3)),
            "{l}: alone for its domains: stays"
        );
        assert!(
            !t.present(&fake, &t.id(4)),
            "{l}: expired latest is not protected"
        );
        // The target's block: its heading, its certificates, its summary.
        let block: Vec<&str> = out
            .stdout
            .lines()
            .skip_while(|line| !line.starts_with(&format!("{} (", name(t))))
            .take_while(|line| {
                line.starts_with(&format!("{} (", name(t))) || line.starts_with("  ")
            })
            .collect();
        assert!(block[0].ends_with("completed"), "{l}: {block:?}");
        assert_eq!(
            block.last().copied(),
            Some("  selected 4: deleted 2, kept 2 (keep_latest 2), failed 0"),
            "{l}: {block:?}"
        );
        let kept: Vec<&&str> = block.iter().filter(|x| x.contains("kept")).collect();
        assert!(
            kept.iter()
                .any(|x| x.contains(&t.id(2)) && x.contains("keep_latest:")),
            "{l}: {block:?}"
        );
    }
    // The final table has one completed row per target.
    let rows: Vec<&str> = out
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("TARGET"))
        .collect();
    assert_eq!(rows.len(), 1 + PRODUCTS.len(), "{}", out.stdout);
    for t in PRODUCTS {
        let row = rows
            .iter()
            .find(|r| r.starts_with(&format!("{} ", name(t))))
            .unwrap_or_else(|| panic!("no row for {}: {}", name(t), out.stdout));
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(
            cells,
            [
                name(t),
                t.kind.name(),
                &account(t),
                "4",
                "2",
                "2",
                "0",
                "completed"
            ],
            "{row}"
        );
    }
}

#[test]
fn max_deletions_refuses_one_target_while_the_others_delete() {
    let mut certs = Vec::new();
    for t in PRODUCTS {
        certs.push((t, cert(t, 1, -30, &["a.example.com"])));
        certs.push((t, cert(t, 2, -30, &["b.example.com"])));
    }
    let fake = start(seed(
        &certs
            .iter()
            .map(|(t, (_, c))| (*t, c.clone()))
            .collect::<Vec<_>>(),
    ));
    let mut text =
        String::from("[selection]\nexpired_for = \"7d\"\n\n[guards]\nmax_deletions = 2\n\n");
    for t in PRODUCTS {
        let extra = if t == TENCENT {
            "[targets.guards]\nmax_deletions = 1\n"
        } else {
            ""
        };
        text.push_str(&entry(&fake, t, extra));
    }
    let policy = policy_file("max-deletions", &text);
    let out = sweep(&fake, &policy)
        .args(["--yes", "--output", "json"])
        .run();
    assert_eq!(out.code, 1, "a refused target fails the sweep: {out:?}");
    let lines = out.json_lines();
    for t in PRODUCTS {
        let l = t.label();
        let summary = target_line(&lines, name(t));
        if t == TENCENT {
            assert!(
                t.present(&fake, &t.id(1)) && t.present(&fake, &t.id(2)),
                "{l}: nothing deleted"
            );
            assert_eq!(summary["status"], "failed", "{summary}");
            let reason = summary["reason"].as_str().unwrap();
            assert!(
                reason.contains("2 certificates would be deleted"),
                "{reason}"
            );
            assert!(reason.contains("max_deletions = 1"), "{reason}");
            assert_eq!(summary["kept"]["max_deletions"], 2, "{summary}");
            assert_eq!(summary["deleted"], 0);
            for v in certificate_lines(&lines, name(t)) {
                assert_eq!(v["outcome"], "kept", "{v}");
                assert_eq!(v["reason"], "max_deletions", "{v}");
            }
        } else {
            assert!(
                !t.present(&fake, &t.id(1)) && !t.present(&fake, &t.id(2)),
                "{l}: {out:?}"
            );
            assert_eq!(summary["status"], "completed", "{l}: {summary}");
            assert_eq!(summary["deleted"], 2, "{l}");
        }
    }
    assert!(
        !fake
            .requests()
            .iter()
            .any(|e| e.provider == Some(Kind::TencentSsl) && e.action.starts_with("Delete")),
        "no delete request for the refused target"
    );
}

/// `/dev/full` opens, and every write to it fails: a target refused by `max_deletions`, which
/// only keeps, still says that its kept records were not written.
#[cfg(target_os = "linux")]
#[test]
fn kept_records_that_cannot_be_written_are_said_in_the_targets_reason() {
    let t = TENCENT;
    let certs = [
        (t, cert(t, 1, -30, &["a.example.com"])),
        (t, cert(t, 2, -30, &["b.example.com"])),
    ];
    let fake = start(seed(
        &certs
            .iter()
            .map(|(t, (_, c))| (*t, c.clone()))
            .collect::<Vec<_>>(),
    ));
    let text = format!(
        "[selection]\nexpired_for = \"7d\"\n\n[guards]\nmax_deletions = 1\n\n{}",
        entry(&fake, t, "")
    );
    let policy = policy_file("kept-full", &text);
    let out = sweep(&fake, &policy)
        .args(["--yes", "--output", "json", "--audit-log", "/dev/full"])
        .run();
    assert_eq!(out.code, 1, "{out:?}");
    let lines = out.json_lines();
    let summary = target_line(&lines, name(t));
    let reason = summary["reason"].as_str().unwrap();
    assert!(reason.contains("max_deletions = 1"), "{reason}");
    assert!(
        reason.contains("audit log /dev/full: cannot write the record of")
            && reason.contains("2 records of this run are missing"),
        "{reason}"
    );
    assert!(deletes(&fake).is_empty(), "{:?}", deletes(&fake));
}

/// A temporary HOME whose tccli profile `wrong` holds keys the fake does not know.
fn home_with_wrong_tencent_profile(test: &str) -> PathBuf {
    let home = std::env::temp_dir().join(format!(
        "certdel-e2e-sweep-home-{}-{test}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&home);
    let file = home.join(".tccli/wrong.credential");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        r#"{"secretId":"WRONG-AK-0000","secretKey":"wrong-secret-0000"}"#,
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    home
}

#[test]
fn a_target_with_rejected_credentials_fails_alone_and_the_others_complete() {
    let mut certs = Vec::new();
    for t in PRODUCTS {
        certs.push((t, cert(t, 1, -30, &["a.example.com"])));
    }
    let fake = start(seed(
        &certs
            .iter()
            .map(|(t, (_, c))| (*t, c.clone()))
            .collect::<Vec<_>>(),
    ));
    let home = home_with_wrong_tencent_profile("rejected");
    let mut text =
        String::from("[selection]\nexpired_for = \"7d\"\n\n[guards]\nmax_deletions = 5\n\n");
    for t in PRODUCTS {
        let extra = if t == TENCENT {
            "profile = \"wrong\"\n"
        } else {
            ""
        };
        text.push_str(&entry(&fake, t, extra));
    }
    let policy = policy_file("rejected", &text);
    let out = sweep(&fake, &policy)
        .args(["--yes", "--output", "json"])
        .env("HOME", &home.to_string_lossy())
        .run();
    assert_eq!(out.code, 1, "{out:?}");
    let lines = out.json_lines();
    for t in PRODUCTS {
        let l = t.label();
        let summary = target_line(&lines, name(t));
        if t == TENCENT {
            assert!(t.present(&fake, &t.id(1)), "{l}: nothing deleted");
            assert_eq!(summary["status"], "failed", "{summary}");
            let reason = summary["reason"].as_str().unwrap();
            assert!(reason.starts_with("tencent-ssl: "), "{reason}");
            assert!(certificate_lines(&lines, name(t)).is_empty(), "{lines:?}");
        } else {
            assert!(!t.present(&fake, &t.id(1)), "{l}: {out:?}");
            assert_eq!(summary["status"], "completed", "{l}: {summary}");
        }
    }
    // The wrong keys' secret shows nowhere.
    for shown in [&out.stdout, &out.stderr] {
        assert!(!shown.contains("wrong-secret-0000"), "{shown}");
    }
}

#[test]
fn a_target_of_another_account_is_refused_alone_naming_both_accounts() {
    let mut certs = Vec::new();
    for t in PRODUCTS {
        certs.push((t, cert(t, 1, -30, &["a.example.com"])));
    }
    let fake = start(seed(
        &certs
            .iter()
            .map(|(t, (_, c))| (*t, c.clone()))
            .collect::<Vec<_>>(),
    ));
    let mut text =
        String::from("[selection]\nexpired_for = \"7d\"\n\n[guards]\nmax_deletions = 5\n\n");
    for t in PRODUCTS {
        let extra = if t == VOLC {
            "expect_account = \"2999999999\"\n"
        } else {
            ""
        };
        text.push_str(&entry(&fake, t, extra));
    }
    let policy = policy_file("mismatch", &text);
    let out = sweep(&fake, &policy).args(["--yes"]).run();
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        VOLC.present(&fake, &VOLC.id(1)),
        "nothing deleted in the refused target"
    );
    for t in PRODUCTS.into_iter().filter(|t| *t != VOLC) {
        assert!(!t.present(&fake, &t.id(1)), "{}: {out:?}", t.label());
    }
    let row = out
        .stdout
        .lines()
        .find(|l| l.starts_with("volc "))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert!(
        row.contains("failed: volcengine-live: refusing to run"),
        "{row}"
    );
    assert!(row.contains(&account(VOLC)), "the actual account: {row}");
    assert!(row.contains("2999999999"), "the expected one: {row}");
    // Nothing but the identity call reached the refused target's product.
    let volc: Vec<String> = fake
        .requests()
        .into_iter()
        .filter(|e| e.provider == Some(Kind::VolcengineLive))
        .map(|e| e.action)
        .collect();
    assert_eq!(volc, ["GetCallerIdentity"], "{volc:?}");
}

#[test]
fn a_dry_run_sends_no_delete_request_and_says_what_would_be_deleted() {
    let mut certs = Vec::new();
    for t in PRODUCTS {
        certs.push((t, cert(t, 1, -30, &["a.example.com"])));
        certs.push((t, cert(t, 2, 60, &["b.example.com"])));
    }
    let fake = start(seed(
        &certs
            .iter()
            .map(|(t, (_, c))| (*t, c.clone()))
            .collect::<Vec<_>>(),
    ));
    let mut text =
        String::from("[selection]\nexpired_for = \"7d\"\n\n[guards]\nmax_deletions = 5\n\n");
    for t in PRODUCTS {
        text.push_str(&entry(&fake, t, ""));
    }
    let policy = policy_file("dry-run", &text);
    // No --yes and no terminal: a dry run asks nothing.
    let cmd = sweep(&fake, &policy).args(["--dry-run", "--output", "json"]);
    let out = cmd.run();
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        deletes(&fake),
        Vec::<String>::new(),
        "no delete request of any kind"
    );
    let lines = out.json_lines();
    for t in PRODUCTS {
        let l = t.label();
        assert!(
            t.present(&fake, &t.id(1)) && t.present(&fake, &t.id(2)),
            "{l}"
        );
        let mine = certificate_lines(&lines, name(t));
        assert_eq!(mine.len(), 1, "{l}: {mine:?}");
        assert_eq!(mine[0]["id"], t.id(1).as_str());
        assert_eq!(mine[0]["outcome"], "would_delete");
        let summary = target_line(&lines, name(t));
        assert_eq!(summary["dry_run"], true);
        assert_eq!(summary["deleted"], 1, "{summary}");
        assert_eq!(summary["status"], "completed");
    }
    let records = audit_records(&audit_path(&cmd));
    assert_eq!(records.len(), PRODUCTS.len(), "{records:?}");
    assert!(
        records
            .iter()
            .all(|r| r["dry_run"] == true && r["outcome"] == "would_delete"),
        "{records:?}"
    );

    let text = sweep(&fake, &policy).args(["--dry-run"]).run();
    assert_eq!(text.code, 0, "{text:?}");
    assert!(text.stdout.contains("WOULD_DELETE"), "{}", text.stdout);
    assert!(
        text.stdout.ends_with("dry run: nothing was deleted\n"),
        "{}",
        text.stdout
    );
    assert_eq!(deletes(&fake), Vec::<String>::new());
}

#[test]
fn a_bad_policy_exits_2_with_its_line_and_column_before_any_request() {
    let fake = start(Seed::demo());
    let policy = policy_file(
        "bad",
        "[selection]\nexpired_for = \"7d\"\n\n[guards]\nmax_deletions = 5\nmax_deleted = 3\n",
    );
    let out = sweep(&fake, &policy).args(["--yes"]).run();
    assert_eq!(out.code, 2, "{out:?}");
    let shown = policy.display().to_string();
    assert!(
        out.stderr.contains(&format!("{shown}:6:1")),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(fake.requests().is_empty(), "nothing sent");

    let out = sweep(&fake, Path::new("/nonexistent/sweep.toml")).run();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("--policy /nonexistent/sweep.toml: cannot read it"),
        "{}",
        out.stderr
    );

    let out = certdel().args(["sweep"]).run();
    assert_eq!(out.code, 2, "--policy is required: {out:?}");
    assert!(out.stderr.contains("--policy"), "{}", out.stderr);
    assert!(fake.requests().is_empty(), "nothing sent");
}

#[test]
fn without_yes_and_without_a_terminal_nothing_is_deleted() {
    let t = TENCENT;
    let (id, c) = cert(t, 1, -30, &["a.example.com"]);
    let fake = start(seed(&[(t, c)]));
    let text = format!(
        "[selection]\nexpired_for = \"7d\"\n\n[guards]\nmax_deletions = 5\n\n{}",
        entry(&fake, t, "")
    );
    let policy = policy_file("no-yes", &text);
    let out = sweep(&fake, &policy).run();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("refusing to delete 1 certificate without confirmation"),
        "{}",
        out.stderr
    );
    assert!(t.present(&fake, &id));
    assert_eq!(deletes(&fake), Vec::<String>::new());

    let out = sweep(&fake, &policy).args(["--output", "ids"]).run();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("give --output text or json"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_target_without_credentials_fails_alone() {
    let mut certs = Vec::new();
    for t in [TENCENT, VOLC] {
        certs.push((t, cert(t, 1, -30, &["a.example.com"])));
    }
    let fake = start(seed(
        &certs
            .iter()
            .map(|(t, (_, c))| (*t, c.clone()))
            .collect::<Vec<_>>(),
    ));
    let text = format!(
        "[selection]\nexpired_for = \"7d\"\n\n[guards]\nmax_deletions = 5\n\n{}{}",
        entry(&fake, TENCENT, ""),
        entry(&fake, VOLC, "")
    );
    let policy = policy_file("no-credentials", &text);
    let (ak, sk) = VOLC.vars();
    let out = sweep(&fake, &policy)
        .without_env(ak)
        .without_env(sk)
        .args(["--yes", "--output", "json"])
        .run();
    assert_eq!(out.code, 1, "{out:?}");
    let lines = out.json_lines();
    let volc = target_line(&lines, "volc");
    assert_eq!(volc["status"], "failed");
    assert!(
        volc["reason"]
            .as_str()
            .unwrap()
            .contains("volcengine-live: missing credentials"),
        "{volc}"
    );
    assert_eq!(target_line(&lines, "tencent")["status"], "completed");
    assert!(!TENCENT.present(&fake, &TENCENT.id(1)));
    assert!(VOLC.present(&fake, &VOLC.id(1)));
}

/// Seeds every product with two certificates the policy selects and one it does not, and
/// writes the policy.
fn plan_fixture(test: &str) -> (Running, PathBuf) {
    let mut certs = Vec::new();
    for t in PRODUCTS {
        certs.push((t, cert(t, 1, -30, &["a.example.com"])));
        certs.push((t, cert(t, 2, -20, &["b.example.com"])));
        certs.push((t, cert(t, 3, 60, &["c.example.com"])));
    }
    let fake = start(seed(
        &certs
            .iter()
            .map(|(t, (_, c))| (*t, c.clone()))
            .collect::<Vec<_>>(),
    ));
    let mut text =
        String::from("[selection]\nexpired_for = \"7d\"\n\n[guards]\nmax_deletions = 5\n\n");
    for t in PRODUCTS {
        text.push_str(&entry(&fake, t, ""));
    }
    (fake, policy_file(test, &text))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write_json(path: &Path, v: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(v).unwrap()).unwrap();
}

/// The plan entry of target `name`.
fn plan_of<'a>(plan: &'a mut Value, name: &str) -> &'a mut Value {
    plan["targets"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no target {name} in the plan"))
}

/// `certdel sweep --apply-plan FILE` with every product's demo credentials.
fn apply(fake: &Running, plan: &Path) -> Certdel {
    PRODUCTS
        .iter()
        .fold(certdel(), |c, t| c.envs(t.env()))
        .args(["sweep", "--apply-plan", &plan.to_string_lossy()])
        .env("CERTDEL_STS_ENDPOINT", &fake.url())
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", &fake.url())
        .env(NO_RETRY_DELAY, "1")
}

#[test]
fn a_sweep_plan_deletes_nothing_and_is_applied_exactly() {
    let (fake, policy) = plan_fixture("plan-exact");
    let out_path = policy.with_file_name("plan-exact.plan.json");
    let _ = std::fs::remove_file(&out_path);
    let out = sweep(&fake, &policy)
        .args(["--plan", &out_path.to_string_lossy(), "--output", "json"])
        .run();
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        deletes(&fake),
        Vec::<String>::new(),
        "--plan deletes nothing"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the plan is its owner's only");
    }
    let mut plan = read_json(&out_path);
    assert_eq!(plan["certdel_sweep_plan"], 1);
    assert_eq!(plan["targets"].as_array().unwrap().len(), PRODUCTS.len());
    for t in PRODUCTS {
        let entry = plan_of(&mut plan, name(t));
        assert_eq!(entry["provider"], t.kind.name());
        let p = &entry["plan"];
        assert_eq!(p["provider"], t.kind.name());
        assert_eq!(p["account"], account(t).as_str(), "{p}");
        assert_eq!(p["endpoint"], fake.url().as_str(), "{p}");
        let ids: Vec<String> = p["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| match &c["id"] {
                Value::String(s) => s.clone(),
                n => n.to_string(),
            })
            .collect();
        let mut want = vec![t.id(1), t.id(2)];
        want.sort();
        let mut got = ids.clone();
        got.sort();
        assert_eq!(got, want, "{}: {p}", t.label());
    }
    // Reviewed and trimmed: tencent's second certificate stays.
    let tencent = plan_of(&mut plan, name(TENCENT));
    tencent["plan"]["certificates"]
        .as_array_mut()
        .unwrap()
        .retain(|c| c["id"] != TENCENT.id(2).as_str());
    write_json(&out_path, &plan);
    // Selected by the policy now, but not in the plan: not deleted.
    for t in PRODUCTS {
        let (_, c) = cert(t, 4, -30, &["late.example.com"]);
        fake.state().store().insert(t.kind, c);
    }

    let out = apply(&fake, &out_path)
        .args(["--yes", "--output", "json"])
        .run();
    assert_eq!(out.code, 0, "{out:?}");
    let lines = out.json_lines();
    for t in PRODUCTS {
        let l = t.label();
        assert!(!t.present(&fake, &t.id(1)), "{l}: in the plan: deleted");
        assert_eq!(
            t.present(&fake, &t.id(2)),
            t == TENCENT,
            "{l}: deleted unless trimmed from the plan"
        );
        assert!(t.present(&fake, &t.id(3)), "{l}: never planned");
        assert!(t.present(&fake, &t.id(4)), "{l}: not in the plan");
        let summary = target_line(&lines, name(t));
        assert_eq!(summary["status"], "completed", "{l}: {summary}");
        let deleted = if t == TENCENT { 1 } else { 2 };
        assert_eq!(summary["deleted"], deleted, "{l}");
        assert_eq!(summary["account"], account(t).as_str(), "{l}");
    }
}

#[test]
fn applying_refuses_a_target_whose_key_account_or_age_no_longer_matches_and_applies_the_others() {
    let (fake, policy) = plan_fixture("plan-refused");
    let out_path = policy.with_file_name("plan-refused.plan.json");
    let out = sweep(&fake, &policy)
        .args(["--plan", &out_path.to_string_lossy()])
        .run();
    assert_eq!(out.code, 0, "{out:?}");
    let mut plan = read_json(&out_path);
    plan_of(&mut plan, name(VOLC))["plan"]["access_key_id"] = Value::from("AKLTother0000");
    plan_of(&mut plan, name(SLB))["plan"]["account"] = Value::from("1999999999999999");
    let two_days_ago = certdel::time::rfc3339_utc(Utc::now() - Duration::days(2));
    plan_of(&mut plan, name(HUAWEI))["plan"]["created"] = Value::from(two_days_ago);
    write_json(&out_path, &plan);

    let out = apply(&fake, &out_path)
        .args(["--yes", "--output", "json"])
        .run();
    assert_eq!(out.code, 1, "{out:?}");
    let lines = out.json_lines();
    let reason = |t: Target| {
        let s = target_line(&lines, name(t));
        assert_eq!(s["status"], "failed", "{s}");
        s["reason"].as_str().unwrap().to_string()
    };
    let volc = reason(VOLC);
    assert!(volc.contains("access key id"), "{volc}");
    let slb = reason(SLB);
    assert!(slb.contains("refusing to run"), "{slb}");
    assert!(
        slb.contains("1999999999999999") && slb.contains(&account(SLB)),
        "{slb}"
    );
    let huawei = reason(HUAWEI);
    assert!(huawei.contains("older than --plan-max-age"), "{huawei}");
    for t in [VOLC, SLB, HUAWEI] {
        assert!(
            t.present(&fake, &t.id(1)) && t.present(&fake, &t.id(2)),
            "{}: refused, nothing deleted",
            t.label()
        );
    }
    for t in [TENCENT, CAS_CERTS] {
        assert_eq!(target_line(&lines, name(t))["status"], "completed");
        assert!(!t.present(&fake, &t.id(1)) && !t.present(&fake, &t.id(2)));
    }
    // Nothing was sent for the targets refused before their session.
    assert!(!fake.requests().iter().any(|e| matches!(
        e.provider,
        Some(Kind::VolcengineLive | Kind::HuaweiScm)
    ) && e.action.starts_with("Delete")));

    // A longer --plan-max-age takes the old plan.
    let out = apply(&fake, &out_path)
        .args(["--yes", "--output", "json", "--plan-max-age", "3d"])
        .run();
    assert!(!HUAWEI.present(&fake, &HUAWEI.id(1)), "{out:?}");
}

#[test]
fn a_file_that_is_not_a_sweep_plan_exits_2_before_any_request() {
    let fake = start(Seed::demo());
    let path = policy_file("not-a-plan", "{\"certdel_plan\": 1}");
    let out = apply(&fake, &path).args(["--yes"]).run();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("not a sweep plan"), "{}", out.stderr);
    let out = apply(&fake, &path).args(["--policy", "x.toml"]).run();
    assert_eq!(out.code, 2, "one of --policy and --apply-plan: {out:?}");
    assert!(fake.requests().is_empty());
}

#[test]
fn the_targets_run_at_once_so_a_slow_target_holds_up_no_other() {
    // Every request is held a while, and the first target's delete takes four attempts (three
    // scripted 500s): run one after another, its report would come first and every other
    // target's first request after its last.
    let mut certs = Vec::new();
    for t in PRODUCTS {
        certs.push((t, cert(t, 1, -30, &["a.example.com"])));
    }
    let mut config = Config::new(seed(
        &certs
            .iter()
            .map(|(t, (_, c))| (*t, c.clone()))
            .collect::<Vec<_>>(),
    ));
    config.latency = std::time::Duration::from_millis(150);
    let busy = Step::json(500, r#"{"error_code":"SCM.0500","error_msg":"busy"}"#);
    config.scripts.insert(
        (Kind::HuaweiScm, HUAWEI.id(1)),
        vec![busy.clone(), busy.clone(), busy],
    );
    let fake = start_config(config);
    let mut text =
        String::from("[selection]\nexpired_for = \"7d\"\n\n[guards]\nmax_deletions = 5\n\n");
    for t in PRODUCTS {
        text.push_str(&entry(&fake, t, ""));
    }
    let policy = policy_file("at-once", &text);
    let out = sweep(&fake, &policy)
        .args(["--yes", "--output", "json"])
        .run();
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(fake.delete_attempts(Kind::HuaweiScm, &HUAWEI.id(1)), 4);
    // Every target's identity call arrived before any target's listing.
    let mut log = fake.requests();
    log.sort_by_key(|e| e.seq);
    let first: Vec<&str> = log.iter().take(5).map(|e| e.action.as_str()).collect();
    assert!(
        first
            .iter()
            .all(|a| *a == "GetCallerIdentity" || *a == "KeystoneListAuthDomains"),
        "{first:?}"
    );
    // The slow target's report comes last, the others' did not wait for it.
    let order: Vec<String> = out
        .json_lines()
        .iter()
        .filter(|v| v["type"] == "target")
        .map(|v| v["target"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(order.len(), PRODUCTS.len(), "{order:?}");
    assert_eq!(
        order.last().map(String::as_str),
        Some("huawei"),
        "{order:?}"
    );
    assert!(PRODUCTS.iter().all(|t| !t.present(&fake, &t.id(1))));
}

#[test]
fn the_readmes_policy_is_a_valid_policy() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = &readme[readme.find("## Sweep").expect("a sweep section")..];
    let start = section.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let block = &section[start..start + section[start..].find("```").unwrap()];
    let policy = certdel::sweep::policy::parse(block, "README.md").unwrap();
    let names: Vec<&str> = policy.targets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["tencent-prod", "slb-all"]);
    assert_eq!(policy.targets[1].guards.max_deletions, 20);
}
