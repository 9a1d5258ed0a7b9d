//! End to end under trouble: the fake's seeded faults and quotas against the real binary.
//!
//! Faults are drawn per request in arrival order from a seeded PRNG; each test searches for a
//! seed whose first draws are the sequence it wants (a pure computation), so what happens is
//! fixed, not a matter of luck or timing.

mod common;

use common::*;
use fake_cloud::chaos::{Chaos, Draw, Injected};
use fake_cloud::{Faults, Quota};
use std::collections::HashMap;

/// The first rng seed whose first draws under `faults` are `want`.
fn seed_for(faults: Faults, want: &[Draw]) -> u64 {
    (0..100_000)
        .find(|seed| {
            let mut c = Chaos::new(*seed, faults, &HashMap::new());
            want.iter().all(|w| c.draw() == *w)
        })
        .expect("a seed with the wanted draws")
}

const NONE: Draw = Draw {
    fault: None,
    after_apply: false,
};

fn fault(f: Injected, after_apply: bool) -> Draw {
    Draw {
        fault: Some(f),
        after_apply,
    }
}

fn faulty(t: Target, id: &str, first: Draw) -> Running {
    let faults = Faults {
        p_5xx: 0.3,
        p_drop: 0.3,
        after_apply: 0.5,
    };
    let mut config = Config::new(t.seed([t.cert(id)]));
    config.faults = faults;
    config.rng_seed = seed_for(faults, &[first, NONE]);
    start_config(config)
}

/// The retry after a lost answer finds the certificate gone: certdel must not call that
/// "not found". The ids come from the command line, so the run does not know they existed:
/// the outcome is `gone` (that attempt deleted it, or it never existed), a success.
#[test]
fn a_deletion_whose_answer_was_lost_is_reported_gone() {
    for t in TARGETS {
        for first in [
            fault(Injected::Drop, true),
            fault(Injected::ServerError, true),
        ] {
            let id = t.id(1);
            let fake = faulty(t, &id, first);
            let out = delete(&fake, t, &[&id]).run();
            let l = format!("{} {first:?}", t.label());
            assert!(!t.present(&fake, &id), "{l}");
            let c = fake.counters();
            assert_eq!((c.deletes_applied, c.faults_injected), (1, 1), "{l}");
            assert_eq!(fake.delete_attempts(t.kind, &id), 2, "{l}: {out:?}");
            assert_eq!(out.code, 0, "{l}: {out:?}");
            assert_eq!(out.outcome(&id), Some("gone"), "{l}: {out:?}");
            assert!(out.stdout.contains("earlier attempt"), "{l}: {out:?}");
        }
    }
}

/// A fault before the request was carried out: the retry does the deletion.
#[test]
fn a_request_lost_before_it_was_carried_out_is_retried() {
    for t in TARGETS {
        for first in [
            fault(Injected::Drop, false),
            fault(Injected::ServerError, false),
        ] {
            let id = t.id(1);
            let fake = faulty(t, &id, first);
            let out = delete(&fake, t, &[&id]).run();
            let l = format!("{} {first:?}", t.label());
            assert_eq!(out.code, 0, "{l}: {out:?}");
            assert_eq!(out.outcome(&id), Some("deleted"), "{l}: {out:?}");
            assert!(!t.present(&fake, &id), "{l}");
            let log = fake.requests();
            assert_eq!(log.len(), 2, "{l}");
            assert!(
                log[0].deleted.is_empty() && log[1].deleted == [id.clone()],
                "{l}"
            );
        }
    }
}

/// A quota that never refills: the first request passes, every later one is throttled with
/// the vendor's answer; throttling has its own retry budget (each retry after a backoff), and
/// the deadline ends the wait with the reason.
#[test]
fn throttled_requests_are_retried_until_the_deadline() {
    for t in TARGETS {
        let (a, b) = (t.id(1), t.id(2));
        let mut config = Config::new(t.seed([t.cert(&a), t.cert(&b)]));
        config.quotas.insert(
            t.kind,
            Quota {
                rate: 1e-9,
                burst: 1.0,
            },
        );
        let fake = start_config(config);
        let l = t.label();
        let first = delete(&fake, t, &[&a]).real_backoff().run();
        assert_eq!(first.outcome(&a), Some("deleted"), "{l}: {first:?}");
        let out = delete(&fake, t, &[&b])
            .real_backoff()
            .flag("--max-retries", "2")
            .flag("--deadline", "1.5")
            .run();
        assert_eq!(out.code, 1, "{l}: {out:?}");
        assert_eq!(out.outcome(&b), Some("failed"), "{l}: {out:?}");
        assert!(
            out.line_for(&b).unwrap().contains("deadline reached"),
            "{l}: {out:?}"
        );
        assert!(t.present(&fake, &b), "{l}");
        // Retried after backoffs (125 ms and up), so more than once and far fewer times than
        // an unpaced loop would manage in 1.5 s.
        let attempts = fake.delete_attempts(t.kind, &b);
        assert!((2..=8).contains(&attempts), "{l}: {attempts} attempts");
        assert_eq!(fake.counters().throttled, attempts as u64, "{l}");
    }
}

/// After an attempt whose result is unknown, a final refusal must say the certificate may
/// already be gone: the first attempt is dropped unanswered, the retry is refused (the
/// certificate is bound to a domain), and the outcome carries the warning.
#[test]
fn a_refusal_after_a_lost_answer_warns_that_it_may_be_deleted() {
    let t = VOLC;
    let id = t.id(1);
    let faults = Faults {
        p_5xx: 0.3,
        p_drop: 0.3,
        after_apply: 0.5,
    };
    let mut config = Config::new(t.seed([t.cert(&id).in_use()]));
    config.faults = faults;
    config.rng_seed = seed_for(faults, &[fault(Injected::Drop, false), NONE]);
    let fake = start_config(config);
    let out = delete(&fake, t, &[&id]).run();
    assert!(t.present(&fake, &id));
    assert_eq!(fake.delete_attempts(t.kind, &id), 2, "{out:?}");
    assert_eq!(out.outcome(&id), Some("failed"), "{out:?}");
    assert!(out.stdout.contains("may have deleted"), "{out:?}");
    assert_eq!(out.code, 1, "{out:?}");
}
