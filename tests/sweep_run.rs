//! `certdel::sweep::command::run` as a library against the fake cloud: what an interrupt at
//! the sweep's one question does. (The binary asks only at a terminal; here the question is
//! answered by a closure, which raises the signal as the handlers would.)

mod common;

use certdel::cli::{Cli, TopLevel};
use certdel::interrupt::{Interrupt, Raised, Signal};
use certdel::sweep::command;
use clap::Parser;
use common::*;
use std::collections::HashMap;

/// A sweep of one tencent-ssl target at the fake holding two expired certificates, its
/// policy at a file of its own; what `prepare` makes of it.
fn prepared(fake: &Running, test: &str) -> command::Prepared {
    let account = fake_cloud::store::demo_accounts()
        .for_kind(TENCENT.kind)
        .expect("demo keys")
        .account();
    let policy = format!(
        "[selection]\nexpired_for = \"7d\"\n\n[guards]\nmax_deletions = 5\n\n\
         [[targets]]\nname = \"tencent\"\nprovider = \"tencent-ssl\"\nendpoint = \"{}\"\n\
         expect_account = \"{account}\"\n",
        fake.url()
    );
    let path = std::env::temp_dir().join(format!(
        "certdel-sweep-run-{}-{test}.toml",
        std::process::id()
    ));
    std::fs::write(&path, policy).unwrap();
    let cli = Cli::try_parse_from([
        "certdel",
        "sweep",
        "--policy",
        &path.to_string_lossy(),
        "--output",
        "json",
    ])
    .expect("the arguments parse");
    let TopLevel::Sweep(args) = &cli.command else {
        panic!("not a sweep")
    };
    let mut env: HashMap<String, String> = TENCENT.env().into_iter().collect();
    env.insert("CERTDEL_STS_ENDPOINT".into(), fake.url());
    env.insert(NO_RETRY_DELAY.into(), "1".into());
    env.insert(
        AUDIT_LOG_VAR.into(),
        audit_log_path().to_string_lossy().into_owned(),
    );
    let globals = command::Globals::of(args, &cli.legacy).expect("the options resolve");
    command::prepare(args, &globals, &|k| env.get(k).cloned()).expect("the policy is read")
}

fn fake_with_two_expired() -> Running {
    let expired = chrono::Utc::now() - chrono::Duration::days(30);
    let seed = [TENCENT.id(1), TENCENT.id(2)]
        .iter()
        .fold(Seed::demo(), |s, id| {
            s.with(TENCENT.kind, TENCENT.cert(id).not_after(expired))
        });
    start(seed)
}

fn deletes(fake: &Running) -> usize {
    fake.requests()
        .iter()
        .filter(|e| e.action.starts_with("Delete"))
        .count()
}

#[test]
fn an_interrupt_at_the_question_ends_certdel_at_once_though_the_survey_sent_read_calls() {
    let fake = fake_with_two_expired();
    let prepared = prepared(&fake, "question");
    let interrupt = Interrupt::new();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut raised = Vec::new();
    let mut questions = Vec::new();
    let mut ctrl_c = |q: &str| {
        questions.push(q.to_string());
        raised.push(interrupt.raise(Signal::Int));
        // What a terminal's reader gets once its line is cut short.
        Some(String::new())
    };
    let result = runtime.block_on(command::run(prepared, Vec::new(), &mut ctrl_c, &interrupt));
    assert_eq!(questions.len(), 1, "{questions:?}");
    assert!(
        questions[0].contains("delete 2 certificates"),
        "{questions:?}"
    );
    // The signal handlers end certdel at once on `Unarmed`, as at delete's question.
    assert_eq!(raised, [Raised::Unarmed(Signal::Int)]);
    assert!(result.is_err(), "not confirmed: {result:?}");
    assert!(
        fake.requests()
            .iter()
            .any(|e| e.action == "GetCallerIdentity"),
        "the survey ran first"
    );
    assert_eq!(deletes(&fake), 0);
    assert!(TENCENT.present(&fake, &TENCENT.id(1)) && TENCENT.present(&fake, &TENCENT.id(2)));
}

#[test]
fn interrupted_during_the_survey_a_sweep_asks_nothing_and_reports_every_certificate_skipped() {
    let expired = chrono::Utc::now() - chrono::Duration::days(30);
    let mut config = Config::new(
        [TENCENT.id(1), TENCENT.id(2)]
            .iter()
            .fold(Seed::demo(), |s, id| {
                s.with(TENCENT.kind, TENCENT.cert(id).not_after(expired))
            }),
    );
    // Slow answers: the listing's request is held when the signal comes, and answered.
    config.latency = std::time::Duration::from_millis(300);
    let fake = start_config(config);
    let prepared = prepared(&fake, "surveyed");
    let interrupt = Interrupt::new();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut out = Vec::new();
    let exit = runtime.block_on(async {
        let mut ask = |q: &str| -> Option<String> { panic!("asked: {q}") };
        let sweep = command::run(prepared, &mut out, &mut ask, &interrupt);
        tokio::pin!(sweep);
        loop {
            tokio::select! {
                done = &mut sweep => break done,
                // The identity call and the listing's request have arrived: SIGTERM, as the
                // handlers would raise it.
                () = tokio::time::sleep(std::time::Duration::from_millis(5)),
                    if interrupt.signal().is_none() =>
                {
                    if fake.counters().arrived >= 2 {
                        assert_eq!(interrupt.raise(Signal::Term), Raised::First(Signal::Term));
                    }
                }
            }
        }
    });
    let exit = exit.expect("the sweep runs");
    assert_ne!(exit, certdel::outcome::Exit::Success, "nothing was deleted");
    assert_eq!(deletes(&fake), 0);
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for id in [TENCENT.id(1), TENCENT.id(2)] {
        let line = lines
            .iter()
            .find(|v| v["id"] == id.as_str())
            .unwrap_or_else(|| panic!("{id} not reported: {lines:?}"));
        assert_eq!(line["outcome"], "skipped", "{line}");
        assert_eq!(line["message"], "not attempted: interrupted by SIGTERM");
        assert!(TENCENT.present(&fake, &id));
    }
    let summary = lines
        .iter()
        .find(|v| v["type"] == "target")
        .unwrap_or_else(|| panic!("no summary: {lines:?}"));
    assert_eq!(summary["selected"], 2, "{summary}");
    assert_eq!(summary["failed"], 2, "{summary}");
}
