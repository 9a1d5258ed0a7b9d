//! End to end: what a delete run reports and how it folds into the exit status — ids never
//! sent are `skipped` (the run stopped, the deadline passed), ids sent and given up on are
//! `failed`, and `--accept` lets chosen outcomes count as success.

mod common;

use common::*;
use serde_json::Value;

fn by_id<'a>(lines: &'a [Value], id: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| l["id"] == id)
        .unwrap_or_else(|| panic!("no outcome for {id}: {lines:?}"))
}

/// Rejected credentials stop the run on the first answer: that id was sent and is `failed`
/// with the vendor's code; the ids after it were never sent and are `skipped`, with the
/// reason. Nothing is deleted, exit 2.
#[test]
fn ids_after_rejected_credentials_are_skipped() {
    for t in TARGETS {
        let ids = [t.id(1), t.id(2), t.id(3)];
        let fake = start(t.seed(ids.iter().map(|i| t.cert(i))));
        let (_, secret_var) = t.vars();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut run = delete(&fake, t, &refs)
            .env(secret_var, "not-the-demo-secret")
            .flag("--concurrency", "1")
            .flag("--output", "json");
        if t.kind == Kind::TencentSsl {
            run = run.arg("--no-batch");
        }
        let out = run.run();
        let l = t.label();
        assert_eq!(out.code, 2, "{l}: {out:?}");
        let lines = out.json_lines();
        assert_eq!(lines.len(), 3, "{l}: one outcome per id: {out:?}");
        let first = by_id(&lines, &ids[0]);
        assert_eq!(first["outcome"], "failed", "{l}: {out:?}");
        assert_eq!(first["attempts"], 1, "{l}: {out:?}");
        assert!(first["code"].is_string(), "{l}: {out:?}");
        for id in &ids[1..] {
            let o = by_id(&lines, id);
            assert_eq!(o["outcome"], "skipped", "{l}: {out:?}");
            assert_eq!(o["attempts"], 0, "{l}: {out:?}");
            let message = o["message"].as_str().unwrap();
            assert!(
                message.starts_with("not attempted: run stopped: "),
                "{l}: {message}"
            );
        }
        for id in &ids {
            assert!(t.present(&fake, id), "{l}: {id}");
        }
        let sent: Vec<_> = fake
            .requests()
            .into_iter()
            .filter(|r| r.id.is_some())
            .collect();
        assert_eq!(sent.len(), 1, "{l}: only the first id was sent");
        assert!(!out.stdout.contains("not-the-demo-secret"));
        assert!(!out.stderr.contains("not-the-demo-secret"));
    }
}

/// A bulk request carries every id of its batch: when it is refused by rejected
/// credentials, each of those ids was sent, so each is `failed`, not `skipped`.
#[test]
fn ids_of_a_sent_batch_are_failed_not_skipped() {
    let ids = [TENCENT.id(1), TENCENT.id(2)];
    let fake = start(TENCENT.seed(ids.iter().map(|i| TENCENT.cert(i))));
    let (_, secret_var) = TENCENT.vars();
    let out = delete(&fake, TENCENT, &[&ids[0], &ids[1]])
        .env(secret_var, "not-the-demo-secret")
        .flag("--output", "json")
        .run();
    assert_eq!(out.code, 2, "{out:?}");
    let lines = out.json_lines();
    assert_eq!(lines.len(), 2, "{out:?}");
    for id in &ids {
        let o = by_id(&lines, id);
        assert_eq!(o["outcome"], "failed", "{out:?}");
        assert_eq!(o["attempts"], 1, "{out:?}");
    }
}

/// `--deadline` passing before an id's first attempt: that id is `skipped` ("deadline
/// reached"), and the run exits 1 (the run itself finished).
#[test]
fn ids_not_sent_before_the_deadline_are_skipped() {
    let t = VOLC;
    let ids = [t.id(1), t.id(2), t.id(3)];
    let fake = start(t.seed(ids.iter().map(|i| t.cert(i))));
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    // One request every 4 s: the second slot comes after the 2 s deadline.
    let out = delete(&fake, t, &refs)
        .flag("--rate", "0.25")
        .flag("--concurrency", "1")
        .flag("--deadline", "2")
        .flag("--output", "json")
        .run();
    assert_eq!(out.code, 1, "{out:?}");
    let lines = out.json_lines();
    assert_eq!(lines.len(), 3, "{out:?}");
    assert_eq!(by_id(&lines, &ids[0])["outcome"], "deleted", "{out:?}");
    for id in &ids[1..] {
        let o = by_id(&lines, id);
        assert_eq!(o["outcome"], "skipped", "{out:?}");
        assert_eq!(o["attempts"], 0, "{out:?}");
        assert_eq!(o["message"], "not attempted: deadline reached", "{out:?}");
        assert!(t.present(&fake, id));
    }
    assert_eq!(fake.delete_attempts(t.kind, &ids[1]), 0);
    assert_eq!(fake.delete_attempts(t.kind, &ids[2]), 0);
    // The text summary counts them apart from failures.
    let fake = start(t.seed(ids.iter().map(|i| t.cert(i))));
    let out = delete(&fake, t, &refs)
        .flag("--rate", "0.25")
        .flag("--concurrency", "1")
        .flag("--deadline", "2")
        .run();
    assert_eq!(out.code, 1, "{out:?}");
    let summary = out.stdout.lines().last().unwrap_or_default();
    assert_eq!(
        summary, "volcengine-live: 3 ids: 1 deleted, 2 skipped",
        "{out:?}"
    );
}

/// `--accept`: the named outcomes are still reported as they are, but no longer make the
/// exit status 1; anything not named still does.
#[test]
fn accept_counts_the_named_outcomes_as_success() {
    let t = TENCENT;
    let (busy, missing) = (t.id(1), t.id(2));
    let cases: [(&[&str], i32); 6] = [
        (&[], 1),
        (&["--accept", "not_found"], 1),
        (&["--accept", "in_use"], 1),
        (&["--accept", "not_found,in_use"], 0),
        (&["--accept", "in_use", "--accept", "not_found"], 0),
        (&["--accept", "in_use,in_use"], 1),
    ];
    for (flags, code) in cases {
        let fake = start(t.seed([t.cert(&busy).in_use()]));
        let out = delete(&fake, t, &[&busy, &missing])
            .args(flags.iter().copied())
            .run();
        assert_eq!(out.code, code, "{flags:?}: {out:?}");
        assert_eq!(out.outcome(&busy), Some("in_use"), "{flags:?}: {out:?}");
        assert_eq!(
            out.outcome(&missing),
            Some("not_found"),
            "{flags:?}: {out:?}"
        );
        assert!(t.present(&fake, &busy));
    }
    // An outcome that is not named still fails the run: Volcengine reports a certificate in
    // use as failed.
    let v = VOLC;
    let id = v.id(1);
    let fake = start(v.seed([v.cert(&id).in_use()]));
    let out = delete(&fake, v, &[&id])
        .args(["--accept", "not_found,in_use"])
        .run();
    assert_eq!(out.outcome(&id), Some("failed"), "{out:?}");
    assert_eq!(out.code, 1, "{out:?}");
}

/// `--accept` takes only the outcomes it documents: anything else is a usage error naming
/// the choices, before anything is sent.
#[test]
fn accept_refuses_other_outcomes() {
    let t = TENCENT;
    let id = t.id(1);
    let fake = start(t.seed([t.cert(&id)]));
    for value in ["failed", "skipped", "deleted", "not-found", ""] {
        let out = delete(&fake, t, &[&id]).args(["--accept", value]).run();
        assert_eq!(out.code, 2, "{value:?}: {out:?}");
        assert!(out.stderr.contains("--accept"), "{value:?}: {out:?}");
        assert!(
            out.stderr.contains("not_found") && out.stderr.contains("in_use"),
            "{value:?}: {out:?}"
        );
    }
    assert!(fake.requests().is_empty(), "a request was sent");
    assert!(t.present(&fake, &id));
}
