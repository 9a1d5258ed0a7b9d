//! `certdel <provider> list` end to end: the real binary against the fake cloud
//! (`fake_cloud`, bound to 127.0.0.1), on every provider.
//!
//! - A store of 250 certificates lists exactly those 250 ids; `--expired` exactly the expired
//!   ones (the fake's generator expires every third).
//! - `list --expired --output ids | delete - --yes`, through a real pipe, deletes exactly the
//!   expired certificates that can be deleted and nothing else (every seventh certificate is
//!   bound to a resource and refused).
//! - tencent-ssl: bulk `DeleteCertificates`, the asynchronous path (`--check-resources`,
//!   waiting and `--no-wait`), and a lossy connection on the bulk call.
//!
//! No assertion depends on timing.

mod common;

use chrono::{DateTime, Utc};
use common::*;
use fake_cloud::{generate, Faults, Store};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};

const N: usize = 250;

/// The store's entries a target covers.
fn certs_of(store: &Store, t: Target) -> Vec<&Cert> {
    store
        .certs(t.kind)
        .iter()
        .filter(|c| t.cas.is_none() || c.kind == t.cas)
        .collect()
}

fn ids_of(store: &Store, t: Target, keep: impl Fn(&Cert) -> bool) -> BTreeSet<String> {
    certs_of(store, t)
        .into_iter()
        .filter(|c| keep(c))
        .map(|c| c.id.clone())
        .collect()
}

/// A fake holding the generator's `n` certificates per product (every third expired, every
/// seventh in use), and the time it was generated at.
fn generated(n: usize) -> (Running, DateTime<Utc>) {
    generated_with(n, |_| {})
}

fn generated_with(n: usize, tweak: impl FnOnce(&mut Config)) -> (Running, DateTime<Utc>) {
    let now = Utc::now();
    let mut seed = Seed::demo();
    seed.store = generate(n, now);
    let mut config = Config::new(seed);
    tweak(&mut config);
    (start_config(config), now)
}

/// A fake holding these tencent-ssl certificates (`true` = in use).
fn tencent_fake(ids: &[(&str, bool)], tweak: impl FnOnce(&mut Config)) -> Running {
    let seed = TENCENT.seed(ids.iter().map(|(id, in_use)| {
        let c = TENCENT.cert(id);
        if *in_use {
            c.in_use()
        } else {
            c
        }
    }));
    let mut config = Config::new(seed);
    tweak(&mut config);
    start_config(config)
}

/// `certdel --endpoint <fake> <target args> <action args…>` with the target's demo
/// credentials.
fn run(fake: &Running, t: Target, action: &[&str]) -> Certdel {
    certdel()
        .args(["--endpoint", &fake.url()])
        .args(t.args())
        .args(action.iter().copied())
        .envs(t.env())
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", &fake.url())
        .env(NO_RETRY_DELAY, "1")
}

fn list(fake: &Running, t: Target, extra: &[&str]) -> Out {
    let mut action = vec!["list"];
    action.extend(extra);
    run(fake, t, &action).run()
}

/// The same invocation as a `Command`, for a real pipe between two certdel processes.
fn command(c: &Certdel) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_certdel"));
    cmd.env_clear().args(&c.args);
    for (k, v) in &c.env {
        cmd.env(k, v);
    }
    cmd
}

fn lines(o: &Out) -> BTreeSet<String> {
    o.stdout.lines().map(str::to_string).collect()
}

fn expect_ok(o: &Out, what: &str) {
    assert_eq!(o.code, 0, "{what}: {o:?}");
}

#[test]
fn every_provider_lists_exactly_its_250_certificates() {
    let (fake, _) = generated(N);
    let store = fake.store();
    for t in TARGETS {
        let l = t.label();
        let want = ids_of(&store, t, |_| true);
        assert_eq!(want.len(), N, "{l}: the generator's count");

        let o = list(&fake, t, &["--output", "ids"]);
        expect_ok(&o, &l);
        assert_eq!(o.stdout.lines().count(), N, "{l}: one line per certificate");
        assert_eq!(lines(&o), want, "{l}");
        assert!(!o.stderr.contains("warning"), "{l}: {o:?}");

        // NDJSON: one record per certificate, every expiry read as a time.
        let o = list(&fake, t, &["--output", "json"]);
        expect_ok(&o, &l);
        let records = o.json_lines();
        assert_eq!(records.len(), N, "{l}");
        let by_id: BTreeMap<&str, &Cert> = certs_of(&store, t)
            .into_iter()
            .map(|c| (c.id.as_str(), c))
            .collect();
        for r in &records {
            assert_eq!(r["provider"], t.kind.name());
            let id = r["id"].as_str().unwrap();
            let cert = by_id[id];
            let not_after = r["not_after"]
                .as_str()
                .unwrap_or_else(|| panic!("{l}: {id}: expiry not read: {r}"));
            let not_after = DateTime::parse_from_rfc3339(not_after)
                .unwrap()
                .with_timezone(&Utc);
            // CAS certificates carry only a date (read as the end of that day in UTC+8).
            let slack = if t.cas == Some(CasKind::Certificate) {
                chrono::Duration::days(1)
            } else {
                chrono::Duration::seconds(1)
            };
            assert!(
                (not_after - cert.not_after).abs() < slack,
                "{l}: {id}: {not_after} vs {}",
                cert.not_after
            );
            assert_eq!(r["domains"][0], cert.domains[0], "{l}: {id}");
        }
    }
}

#[test]
fn expired_lists_exactly_the_expired_ones() {
    let (fake, now) = generated(N);
    let store = fake.store();
    for t in TARGETS {
        let l = t.label();
        let want = ids_of(&store, t, |c| c.not_after < now);
        assert_eq!(want.len(), N.div_ceil(3), "{l}");
        let o = list(&fake, t, &["--expired", "--output", "ids"]);
        expect_ok(&o, &l);
        assert_eq!(lines(&o), want, "{l}");
    }
}

#[test]
fn the_pipeline_deletes_exactly_the_expired_certificates() {
    let (fake, now) = generated(N);
    let before = fake.store();
    for t in TARGETS {
        let l = t.label();
        let expired = ids_of(&before, t, |c| c.not_after < now);
        let deletable = ids_of(&before, t, |c| c.not_after < now && !c.in_use);

        // certdel <p> list --expired --output ids | certdel <p> delete - --yes, through a pipe.
        let mut list = command(&run(&fake, t, &["list", "--expired", "--output", "ids"]))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("list runs");
        let pipe = list.stdout.take().expect("list stdout");
        let delete = command(&run(
            &fake,
            t,
            &["delete", "-", "--yes", "--output", "json", "--rate", "50"],
        ))
        .stdin(Stdio::from(pipe))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("delete runs");
        let listed = list.wait_with_output().expect("list finishes");
        assert_eq!(listed.status.code(), Some(0), "{l}: list: {listed:?}");
        let deleted = delete.wait_with_output().expect("delete finishes");
        let d = Out {
            code: deleted.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&deleted.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&deleted.stderr).into_owned(),
        };

        let after = fake.store();
        let remaining = ids_of(&after, t, |_| true);
        let gone: BTreeSet<String> = ids_of(&before, t, |_| true)
            .difference(&remaining)
            .cloned()
            .collect();
        assert!(
            gone.is_subset(&expired),
            "{l}: deleted something not expired: {:?}",
            gone.difference(&expired).collect::<Vec<_>>()
        );
        assert!(
            deletable.is_subset(&gone),
            "{l}: expired and deletable but still there: {:?}\n{d:?}",
            deletable.difference(&gone).collect::<Vec<_>>()
        );

        // Every expired id got exactly one outcome, and "deleted" exactly when it is gone.
        let mut seen = BTreeMap::new();
        for o in d.json_lines() {
            let id = o["id"].as_str().unwrap().to_string();
            let outcome = o["outcome"].as_str().unwrap().to_string();
            assert!(
                seen.insert(id.clone(), outcome).is_none(),
                "{l}: {id} reported twice"
            );
        }
        assert_eq!(
            seen.keys().cloned().collect::<BTreeSet<_>>(),
            expired,
            "{l}"
        );
        for (id, outcome) in &seen {
            assert_eq!(
                outcome == "deleted",
                gone.contains(id),
                "{l}: {id} reported {outcome}"
            );
        }
        let want_code = if gone == expired { 0 } else { 1 };
        assert_eq!(d.code, want_code, "{l}: {d:?}");
    }
}

#[test]
fn tencent_pipeline_uses_bulk_deletes() {
    let (fake, _) = generated(N);
    let o = list(&fake, TENCENT, &["--expired", "--output", "ids"]);
    expect_ok(&o, "list");
    let d = run(&fake, TENCENT, &["delete", "-", "--yes"])
        .stdin(&o.stdout)
        .run();
    let log = fake.requests();
    let bulk: Vec<_> = log
        .iter()
        .filter(|e| e.action == "DeleteCertificates")
        .collect();
    assert_eq!(bulk.len(), 1, "84 ids fit one DeleteCertificates call");
    assert_eq!(bulk[0].ids.len(), N.div_ceil(3));
    assert!(
        log.iter().all(|e| e.action != "DeleteCertificate"),
        "no single deletes needed"
    );
    // The in-use ones come back in `Fail` and are reported in_use.
    assert!(d.stdout.contains("in_use"), "{d:?}");
    assert_eq!(d.code, 1, "{d:?}");

    // --no-batch: one DeleteCertificate per id.
    let (fake, _) = generated(30);
    let o = list(&fake, TENCENT, &["--expired", "--output", "ids"]);
    let d = run(
        &fake,
        TENCENT,
        &["delete", "-", "--yes", "--no-batch", "--rate", "50"],
    )
    .stdin(&o.stdout)
    .run();
    assert_eq!(d.code, 1, "{d:?}");
    let log = fake.requests();
    assert!(log.iter().all(|e| e.action != "DeleteCertificates"));
    assert_eq!(
        log.iter()
            .filter(|e| e.action == "DeleteCertificate")
            .count(),
        10
    );
}

#[test]
fn tencent_asynchronous_deletes_are_awaited() {
    let fake = tencent_fake(&[("a1", false), ("a2", false), ("busy", true)], |c| {
        c.task_polls = 1
    });
    let d = run(
        &fake,
        TENCENT,
        &[
            "delete",
            "a1",
            "a2",
            "busy",
            "missing",
            "--yes",
            "--check-resources",
            "--output",
            "json",
        ],
    )
    .run();
    let outcomes: BTreeMap<String, Value> = d
        .json_lines()
        .into_iter()
        .map(|v| (v["id"].as_str().unwrap().to_string(), v))
        .collect();
    assert_eq!(outcomes.len(), 4, "{d:?}");
    assert_eq!(outcomes["a1"]["outcome"], "deleted");
    assert_eq!(outcomes["a2"]["outcome"], "deleted");
    assert_eq!(outcomes["busy"]["outcome"], "in_use");
    assert_eq!(outcomes["missing"]["outcome"], "not_found");
    assert_eq!(d.code, 1);
    assert!(!TENCENT.present(&fake, "a1"));
    assert!(TENCENT.present(&fake, "busy"));
    let log = fake.requests();
    let bulk = log
        .iter()
        .find(|e| e.action == "DeleteCertificates")
        .expect("a bulk call");
    assert_eq!(bulk.ids.len(), 4);
    assert!(
        log.iter()
            .filter(|e| e.action == "DescribeDeleteCertificatesTaskResult")
            .count()
            >= 2,
        "polled until finished"
    );

    // A single id takes DeleteCertificate with IsCheckResource, awaited the same way.
    let fake = tencent_fake(&[("solo", false)], |_| {});
    let d = run(
        &fake,
        TENCENT,
        &["delete", "solo", "--yes", "--check-resources"],
    )
    .run();
    expect_ok(&d, "single async delete");
    assert_eq!(d.outcome("solo"), Some("deleted"), "{d:?}");
}

#[test]
fn tencent_no_wait_reports_pending_with_the_task_id() {
    let fake = tencent_fake(&[("p1", false), ("p2", false)], |_| {});
    let d = run(
        &fake,
        TENCENT,
        &[
            "delete",
            "p1",
            "p2",
            "--yes",
            "--check-resources",
            "--no-wait",
            "--output",
            "json",
        ],
    )
    .run();
    assert_eq!(d.code, 1);
    let outcomes = d.json_lines();
    assert_eq!(outcomes.len(), 2);
    for v in outcomes {
        assert_eq!(v["outcome"], "pending", "{v}");
        assert!(v["message"].as_str().unwrap().contains("task "), "{v}");
    }
    assert!(fake
        .requests()
        .iter()
        .all(|e| e.action != "DescribeDeleteCertificatesTaskResult"));
}

/// `--output json`: a pending outcome names its asynchronous task in a `task_id` field (the
/// message names it too); an awaited one that finished keeps it.
#[test]
fn tencent_pending_outcomes_carry_the_task_id_in_json() {
    let fake = tencent_fake(&[("p1", false), ("p2", false)], |_| {});
    let d = run(
        &fake,
        TENCENT,
        &[
            "delete",
            "p1",
            "p2",
            "--yes",
            "--check-resources",
            "--no-wait",
            "--output",
            "json",
        ],
    )
    .run();
    assert_eq!(d.code, 1, "{d:?}");
    let outcomes = d.json_lines();
    assert_eq!(outcomes.len(), 2, "{d:?}");
    let mut tasks = Vec::new();
    for v in &outcomes {
        assert_eq!(v["outcome"], "pending", "{v}");
        let task = v["task_id"].as_str().expect("a task_id field");
        assert!(!task.is_empty(), "{v}");
        assert!(v["message"].as_str().unwrap().contains(task), "{v}");
        tasks.push(task.to_string());
    }
    tasks.dedup();
    assert_eq!(tasks.len(), 2, "one task per id: {d:?}");

    // Awaited to the end: deleted, still naming the task that did it.
    let fake = tencent_fake(&[("w1", false)], |_| {});
    let d = run(
        &fake,
        TENCENT,
        &[
            "delete",
            "w1",
            "--yes",
            "--check-resources",
            "--output",
            "json",
        ],
    )
    .run();
    expect_ok(&d, "awaited async delete");
    let v = &d.json_lines()[0];
    assert_eq!(v["outcome"], "deleted", "{v}");
    let task = v["task_id"].as_str().expect("a task_id field");
    assert!(v["message"].as_str().unwrap().contains(task), "{v}");
    // Without a task there is no such field.
    let fake = tencent_fake(&[("plain", false)], |_| {});
    let d = run(
        &fake,
        TENCENT,
        &["delete", "plain", "--yes", "--output", "json"],
    )
    .run();
    expect_ok(&d, "plain delete");
    assert!(d.json_lines()[0].get("task_id").is_none(), "{d:?}");
}

#[test]
fn tencent_bulk_delete_survives_lost_replies() {
    // Half the requests lose their reply, mostly after the deletion happened: a retried
    // batch then hears "does not exist" for ids the lost attempt deleted, which must be
    // reported deleted, and every id still ends with exactly one outcome.
    let ids: Vec<String> = (0..40).map(|i| format!("lossy{i:02}")).collect();
    let entries: Vec<(&str, bool)> = ids.iter().map(|i| (i.as_str(), false)).collect();
    let fake = tencent_fake(&entries, |c| {
        c.faults = Faults {
            p_5xx: 0.0,
            p_drop: 0.5,
            after_apply: 0.8,
        };
        c.rng_seed = 7;
    });
    let d = run(
        &fake,
        TENCENT,
        &[
            "delete",
            "-",
            "--yes",
            "--output",
            "json",
            "--max-retries",
            "30",
            "--timeout",
            "5",
        ],
    )
    .stdin(&ids.join("\n"))
    .run();
    let outcomes = d.json_lines();
    let reported: BTreeSet<&str> = outcomes.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(outcomes.len(), ids.len(), "{d:?}");
    assert_eq!(reported.len(), ids.len());
    for o in &outcomes {
        let id = o["id"].as_str().unwrap();
        // `gone`: not there after a lost reply (the ids came from stdin); as honest as
        // `deleted` exactly when the store no longer has it.
        assert_eq!(
            o["outcome"] == "deleted" || o["outcome"] == "gone",
            !TENCENT.present(&fake, id),
            "{o}"
        );
    }
    expect_ok(&d, "lossy bulk delete");
}

#[test]
fn the_table_and_the_count_line() {
    let (fake, _) = generated(30);
    let o = list(&fake, VOLC, &[]);
    expect_ok(&o, "table");
    let rows: Vec<&str> = o.stdout.lines().collect();
    assert!(rows[0].starts_with("ID "), "{o:?}");
    assert!(rows[0].contains("EXPIRES") && rows[0].contains("DAYS"));
    assert_eq!(rows.len(), 32, "header, 30 rows, count line");
    assert_eq!(rows[31], "volcengine-live: 30 certificates (10 expired)");
    // Soonest expiry first: the first row is expired (negative days left).
    let days = rows[0].find("DAYS").unwrap();
    let cell = rows[1][..days + 4].rsplit(' ').next().unwrap();
    assert!(
        cell.starts_with('-') && cell[1..].parse::<u32>().is_ok(),
        "{}",
        rows[1]
    );
}

#[test]
fn filters_by_domain_name_and_expiry() {
    let (fake, now) = generated(30);
    // A SAN pattern (the generator gives each certificate `*.genN.example.com`).
    let o = list(
        &fake,
        HUAWEI,
        &["--domain", "*.GEN7.example.com", "--output", "ids"],
    );
    expect_ok(&o, "domain");
    assert_eq!(lines(&o), ["scs1554192131157".to_string()].into());
    let o = list(&fake, HUAWEI, &["--name", "gen-0001?", "--output", "ids"]);
    assert_eq!(lines(&o).len(), 10, "gen-00010 .. gen-00019");
    let o = list(&fake, HUAWEI, &["--name", "gen-00003", "--output", "ids"]);
    assert_eq!(lines(&o), ["scs1554192131153".to_string()].into());
    // Everything expiring within 10 days: the expired ones plus the live ones due soon.
    let limit = now + chrono::Duration::days(10);
    let want = ids_of(&fake.store(), HUAWEI, |c| c.not_after < limit);
    let o = list(
        &fake,
        HUAWEI,
        &["--expires-before", "10d", "--output", "ids"],
    );
    assert_eq!(lines(&o), want);
}

#[test]
fn huawei_pages_by_offset_and_discovers_the_domain_id() {
    let (fake, _) = generated(N);
    let o = run(&fake, HUAWEI, &["list", "--output", "ids"])
        .without_env("HUAWEICLOUD_SDK_DOMAIN_ID")
        .run();
    expect_ok(&o, "huawei list with discovery");
    assert_eq!(o.stdout.lines().count(), N);
    let pages: Vec<String> = fake
        .requests()
        .iter()
        .filter(|e| {
            e.provider == Some(Kind::HuaweiScm) && e.target.starts_with("/v3/scm/certificates")
        })
        .map(|e| e.target.clone())
        .collect();
    // One request per page, plus the paging probe (page 0 again and offset=1), which finds
    // that this server reads offset as a record offset.
    assert_eq!(
        pages.len(),
        7,
        "one request per page and the probe: {pages:?}"
    );
    let mut want: BTreeSet<String> = (0..5)
        .map(|p| format!("/v3/scm/certificates?limit=50&offset={}", p * 50))
        .collect();
    want.insert("/v3/scm/certificates?limit=50&offset=1".into());
    assert_eq!(pages.into_iter().collect::<BTreeSet<_>>(), want);
}

/// The other reading of Huawei's `offset` (a page index, capped at 100 by the reference):
/// found out from the replies, and every certificate is listed exactly once.
#[test]
fn huawei_offset_read_as_a_page_index_is_detected() {
    let (fake, _) = generated_with(N, |c| c.huawei_offset_is_page = true);
    let o = run(&fake, HUAWEI, &["list", "--output", "ids"]).run();
    expect_ok(&o, "huawei list, offset as page index");
    let ids: BTreeSet<&str> = o.stdout.lines().collect();
    assert_eq!(o.stdout.lines().count(), N, "{o:?}");
    assert_eq!(ids.len(), N);
    let offsets: BTreeSet<String> = fake
        .requests()
        .iter()
        .filter(|e| e.action == "ListCertificates")
        .map(|e| e.target.clone())
        .collect();
    let want: BTreeSet<String> = (0..5)
        .map(|p| format!("/v3/scm/certificates?limit=50&offset={p}"))
        .collect();
    assert_eq!(offsets, want);
    // The record-offset walk against this server would have asked for offset=50 and beyond.
    assert!(!o.stderr.contains("warning"), "{o:?}");
}

#[test]
fn slb_all_regions() {
    let (fake, _) = generated(20);
    let o = certdel()
        .args(["--endpoint", &fake.url(), "--rate", "100"])
        .args(["alibaba-slb", "list", "--region", "all", "--output", "json"])
        .envs(SLB.env())
        .run();
    expect_ok(&o, "slb all regions");
    let records = o.json_lines();
    assert_eq!(records.len(), 20);
    assert!(records.iter().all(|r| r["region"] == REGION));
    let calls = fake
        .requests()
        .iter()
        .filter(|e| e.action == "DescribeServerCertificates")
        .count();
    assert_eq!(calls, certdel::provider::alibaba_slb::ALL_REGIONS.len());
}

#[test]
fn a_listing_that_cannot_complete_prints_nothing_and_exits_2() {
    let (fake, _) = generated(10);
    let o = run(&fake, TENCENT, &["list", "--output", "ids"])
        .env("TENCENTCLOUD_SECRET_KEY", "wrong-secret")
        .run();
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stdout.is_empty(), "{o:?}");
    assert!(o.stderr.contains("AuthFailure"), "{o:?}");
    assert!(!o.stderr.contains("wrong-secret"));

    // Every answer an internal error until retries run out: "listing incomplete", nothing on
    // stdout.
    let (fake, _) = generated_with(120, |c| {
        c.faults = Faults {
            p_5xx: 1.0,
            p_drop: 0.0,
            after_apply: 0.0,
        }
    });
    let o = run(
        &fake,
        HUAWEI,
        &["list", "--max-retries", "1", "--output", "ids"],
    )
    .run();
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stdout.is_empty());
    assert!(
        o.stderr
            .contains("listing incomplete: ListCertificates page 1"),
        "{o:?}"
    );
}
