//! Deletion under quotas and faults, judged by the fake's store, not by timing: a throttled run
//! still deletes every id, and injected 5xx answers and dropped connections (some after the
//! deletion was carried out) never produce an outcome that disagrees with the store.

mod common;

use common::*;
use fake_cloud::{Faults, Quota};

/// Every id has exactly one outcome, and `deleted` exactly when the store no longer has it.
fn assert_honest(fake: &Running, t: Target, ids: &[String], out: &Out) {
    let lines = out.json_lines();
    assert_eq!(
        lines.len(),
        ids.len(),
        "{}: one outcome per id: {out:?}",
        t.label()
    );
    for id in ids {
        let outcome = lines
            .iter()
            .find(|l| l["id"] == id.as_str())
            .and_then(|l| l["outcome"].as_str())
            .unwrap_or_else(|| panic!("{}: no outcome for {id}: {out:?}", t.label()));
        let gone = !t.present(fake, id);
        // `gone` (not there after a lost reply, existence not known beforehand) is a success
        // and is honest exactly when the store no longer has it, as `deleted` is.
        assert_eq!(
            outcome == "deleted" || outcome == "gone",
            gone,
            "{}: {id} reported {outcome} but the store {} it",
            t.label(),
            if gone { "no longer has" } else { "still has" }
        );
    }
}

fn many(t: Target, n: u32) -> Vec<String> {
    (1..=n).map(|i| t.id(i)).collect()
}

#[test]
fn a_run_above_the_quota_is_throttled_yet_deletes_every_id() {
    for t in TARGETS {
        let ids = many(t, 24);
        let mut config = Config::new(t.seed(ids.iter().map(|id| t.cert(id))));
        // Quota 20/s with a burst of 2, while certdel is told to send 200/s.
        config.quotas.insert(
            t.kind,
            Quota {
                rate: 20.0,
                burst: 2.0,
            },
        );
        config.retry_after = Some(1);
        let fake = start_config(config);
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut run = delete(&fake, t, &refs)
            .real_backoff()
            .flag("--rate", "200")
            .flag("--max-retries", "10")
            .flag("--output", "json");
        if t == TENCENT {
            run = run.arg("--no-batch");
        }
        let out = run.run();
        assert!(
            fake.counters().throttled > 0,
            "{}: the quota never bit",
            t.label()
        );
        assert_eq!(out.code, 0, "{}: {out:?}", t.label());
        assert_honest(&fake, t, &ids, &out);
        assert!(ids.iter().all(|id| !t.present(&fake, id)), "{}", t.label());
    }
}

#[test]
fn injected_faults_never_yield_a_wrong_outcome() {
    let faults = Faults {
        p_5xx: 0.2,
        p_drop: 0.05,
        after_apply: 0.5,
    };
    for t in TARGETS {
        let ids = many(t, 30);
        let mut config = Config::new(t.seed(ids.iter().map(|id| t.cert(id))));
        config.faults = faults;
        config.rng_seed = 11;
        let fake = start_config(config);
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        // One request at a time: the fake draws faults in arrival order, so the run is the
        // same every time.
        let mut run = delete(&fake, t, &refs)
            .flag("--concurrency", "1")
            .flag("--max-retries", "10")
            .flag("--output", "json");
        if t == TENCENT {
            run = run.arg("--no-batch");
        }
        let out = run.run();
        assert!(
            fake.counters().faults_injected > 0,
            "{}: no fault was injected",
            t.label()
        );
        assert_honest(&fake, t, &ids, &out);
        assert_eq!(out.code, 0, "{}: every id deleted: {out:?}", t.label());
    }
}

#[test]
fn the_deadline_ends_unfinished_ids_with_a_reason() {
    let t = VOLC;
    let ids = many(t, 3);
    let mut config = Config::new(t.seed(ids.iter().map(|id| t.cert(id))));
    // A quota that never refills: every request after the first is throttled.
    config.quotas.insert(
        t.kind,
        Quota {
            rate: 1e-9,
            burst: 1.0,
        },
    );
    let fake = start_config(config);
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let out = delete(&fake, t, &refs)
        .real_backoff()
        .flag("--deadline", "1")
        .flag("--concurrency", "1")
        .flag("--output", "json")
        .run();
    assert_eq!(out.code, 1, "{out:?}");
    assert_honest(&fake, t, &ids, &out);
    let lines = out.json_lines();
    // The second id was attempted (throttled) until the deadline: failed; the third was
    // never sent: skipped.
    let unfinished: Vec<_> = lines
        .iter()
        .filter(|l| l["outcome"] == "failed" || l["outcome"] == "skipped")
        .collect();
    assert_eq!(unfinished.len(), 2, "{out:?}");
    assert!(
        unfinished.iter().all(|l| l["message"]
            .as_str()
            .unwrap_or("")
            .contains("deadline reached")),
        "{out:?}"
    );
    let outcome_of = |id: &str| {
        lines
            .iter()
            .find(|l| l["id"] == id)
            .map(|l| l["outcome"].as_str().unwrap().to_string())
    };
    assert_eq!(outcome_of(&ids[1]).as_deref(), Some("failed"), "{out:?}");
    assert_eq!(outcome_of(&ids[2]).as_deref(), Some("skipped"), "{out:?}");
}
