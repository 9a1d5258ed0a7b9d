//! Carrying out a [`Plan`]: send, retry, batch, await asynchronous tasks, and hand each
//! outcome to a [`Sink`] as soon as it is final. No stdin, no prompt, no printing.
//!
//! Every target of the plan ends with exactly one outcome, including when the run stops early
//! (rejected credentials, unreachable endpoint, deadline): ids never sent are `skipped`, ids
//! given up on after an attempt `failed`, with the reason ([`Outcome::settle`]). When the
//! session cannot even start, [`skip_all`] reports every target `skipped`.
//!
//! The plan's units run on up to [`Session::concurrency`] workers, all through the session's
//! one [`crate::send::Sender`]. Bulk requests and the polling of asynchronous deletions live
//! in `execute/batch.rs`.

mod batch;

use crate::error::Error;
use crate::outcome::{Outcome, Status};
use crate::plan::{Plan, Unit};
use crate::provider::Provider;
use crate::report::Sink;
use crate::session::Session;
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

pub use batch::POLL_EVERY;

/// Carry out `plan` in `session`, every outcome to `sink`. An error: the run was stopped (the
/// reason); every target still got its outcome first.
pub async fn execute(session: &Session, plan: &Plan, sink: &mut dyn Sink) -> Result<(), Error> {
    let run = Arc::new(Run {
        session: session.clone(),
        plan: plan.clone(),
        next: AtomicUsize::new(0),
    });
    let workers = session.concurrency().min(plan.units.len());
    let (tx, mut rx) = mpsc::channel::<Outcome>(1024);
    for _ in 0..workers {
        let run = Arc::clone(&run);
        let tx = tx.clone();
        tokio::spawn(async move {
            loop {
                let i = run.next.fetch_add(1, Ordering::Relaxed);
                let Some(unit) = run.plan.units.get(i) else {
                    break;
                };
                let finished = match unit {
                    Unit::One(t) => vec![delete_one(&run, *t, None, 0).await],
                    Unit::Batch(targets) => batch::delete_batch(&run, targets).await,
                };
                for outcome in finished {
                    if tx.send(outcome).await.is_err() {
                        return;
                    }
                }
            }
        });
    }
    drop(tx);
    // Asynchronous deletions are held back and awaited, unless the plan says not to wait.
    let mut awaiting: Vec<Outcome> = Vec::new();
    while let Some(outcome) = rx.recv().await {
        if plan.wait.is_some() && run.awaitable(&outcome) {
            awaiting.push(outcome);
        } else {
            sink.outcome(&outcome);
        }
    }
    if let Some(wait) = plan.wait.filter(|_| !awaiting.is_empty()) {
        for outcome in batch::await_tasks(&run, awaiting, wait).await {
            sink.outcome(&outcome);
        }
    }
    match session.sender().take_stop() {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

/// The session could not start (`why`): every target of `plan` is reported `skipped`, with
/// the reason, since nothing was sent.
pub fn skip_all(provider: &'static str, plan: &Plan, why: &Error, sink: &mut dyn Sink) {
    for target in &plan.targets {
        let outcome = Outcome::new(provider, target.id.clone(), Status::Failed)
            .not_done(&format!("run stopped: {why}"), None);
        sink.outcome(&outcome);
    }
}

/// What the workers of one execution share.
struct Run {
    session: Session,
    plan: Plan,
    /// The next unit to take.
    next: AtomicUsize,
}

impl Run {
    fn provider_of(&self, target: usize) -> Arc<dyn Provider> {
        self.session
            .provider_for(self.plan.targets[target].region.as_deref())
    }

    /// A pending outcome whose task this provider can poll.
    fn awaitable(&self, outcome: &Outcome) -> bool {
        outcome.outcome == Status::Pending
            && outcome.task_id.is_some()
            && self.session.provider().batch().is_some()
    }
}

/// One target from first attempt to final outcome. `ambiguous` and `prior_attempts` carry
/// over a bulk request that already tried it.
async fn delete_one(
    run: &Run,
    target: usize,
    ambiguous: Option<String>,
    prior_attempts: u32,
) -> Outcome {
    let provider = run.provider_of(target);
    let t = &run.plan.targets[target];
    let name = provider.kind().name();
    let id = t.id.as_str();
    let tried = run
        .session
        .sender()
        .exchange::<Infallible>(
            name,
            "delete",
            ambiguous,
            |stamp| provider.delete_request(id, stamp),
            |reply| Err(provider.delete_answer(reply)),
        )
        .await;
    let mut outcome = Outcome::new(name, id, Status::Failed);
    outcome.attempts = prior_attempts;
    outcome.settle(&tried, t.known_to_exist)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interrupt::{Interrupt, Signal};
    use crate::provider::{self, Kind};
    use crate::report::Collect;
    use crate::settings::{ProviderSettings, RunSettings, Trust};
    use crate::transport::testing::{Scripted, Step};
    use crate::wire::Reply;
    use serde_json::{json, Value};
    use std::time::Duration;

    fn run_settings() -> RunSettings {
        RunSettings {
            rate: Some(1000.0),
            // One worker: the script answers requests in the order they are sent.
            concurrency: Some(1),
            max_retries: 3,
            timeout: Duration::from_secs(30),
            deadline: None,
            retry_timeout: Duration::from_secs(45),
            no_retry_delay: false,
            proxy: None,
            trust: Trust::default(),
        }
    }

    /// A tencent-ssl `Response` envelope.
    fn tencent(response: Value) -> Step {
        let mut response = response;
        response["RequestId"] = json!("req-1");
        Step::Reply(Reply {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(&json!({ "Response": response })).unwrap(),
        })
    }

    /// Execute a tencent-ssl plan of `ids` (batched, awaiting tasks for `wait`) against
    /// `script`: the outcomes by id, and the actions sent in order.
    async fn run_tencent(
        ids: &[&str],
        wait: Option<Duration>,
        script: Vec<Step>,
    ) -> (Vec<(String, Status, Option<String>, u32)>, Vec<String>) {
        let settings = ProviderSettings::for_test(Kind::TencentSsl);
        let scripted = Arc::new(Scripted::new(script));
        let session = Session::with_transport(
            &settings,
            &run_settings(),
            crate::session::Purpose::Delete,
            scripted.clone(),
            &crate::interrupt::Interrupt::new(),
        )
        .await
        .expect("no preflight for tencent-ssl");
        let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        let plan = Plan::from_ids(session.provider(), ids, true, wait);
        let mut kept = Collect::default();
        execute(&session, &plan, &mut kept)
            .await
            .expect("not stopped");
        let mut got: Vec<_> = kept
            .0
            .iter()
            .map(|o| (o.id.clone(), o.outcome, o.task_id.clone(), o.attempts))
            .collect();
        got.sort_by(|x, y| x.0.cmp(&y.0));
        let actions = scripted
            .requests()
            .iter()
            .map(|r| r.header_value("X-TC-Action").unwrap_or("?").to_string())
            .collect();
        assert_eq!(scripted.left(), 0, "every scripted answer was asked for");
        (got, actions)
    }

    #[tokio::test(start_paused = true)]
    async fn a_batch_settles_each_id_and_asks_about_unreported_ones_alone() {
        let (got, actions) = run_tencent(
            &["a", "b", "c", "d"],
            None,
            vec![
                tencent(json!({
                    "Success": ["a"],
                    "Fail": [
                        {"CertId": "b", "Msg": "certificate is bound to cloud resources"},
                        {"CertId": "c", "Msg": "certificate does not exist"}
                    ]
                })),
                // d was not mentioned: deleted on its own.
                tencent(json!({"DeleteResult": true})),
            ],
        )
        .await;
        assert_eq!(
            got,
            [
                ("a".into(), Status::Deleted, None, 1),
                ("b".into(), Status::InUse, None, 1),
                ("c".into(), Status::NotFound, None, 1),
                ("d".into(), Status::Deleted, None, 2),
            ]
        );
        assert_eq!(actions, ["DeleteCertificates", "DeleteCertificate"]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_batch_whose_reply_was_lost_is_retried_and_told_honestly() {
        let (got, actions) = run_tencent(
            &["a", "b"],
            None,
            vec![
                Step::fail("connection reset after the request was written", true),
                tencent(json!({
                    "Success": ["a"],
                    "Fail": [{"CertId": "b", "Msg": "certificate does not exist"}]
                })),
            ],
        )
        .await;
        // b may have been deleted by the lost attempt: gone, not not_found.
        assert_eq!(
            got,
            [
                ("a".into(), Status::Deleted, None, 2),
                ("b".into(), Status::Gone, None, 2),
            ]
        );
        assert_eq!(actions, ["DeleteCertificates", "DeleteCertificates"]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_batch_refused_as_a_whole_is_sent_id_by_id() {
        let error = |code: &str| tencent(json!({"Error": {"Code": code, "Message": "m"}}));
        let (got, actions) = run_tencent(
            &["a", "b"],
            None,
            vec![
                error("InvalidParameter.CertificateIdNumberLimit"),
                tencent(json!({"DeleteResult": true})),
                error("ResourceNotFound"),
            ],
        )
        .await;
        assert_eq!(
            got,
            [
                ("a".into(), Status::Deleted, None, 2),
                ("b".into(), Status::NotFound, None, 2),
            ]
        );
        assert_eq!(
            actions,
            [
                "DeleteCertificates",
                "DeleteCertificate",
                "DeleteCertificate"
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn asynchronous_tasks_are_polled_until_done_or_the_wait_runs_out() {
        let started = tokio::time::Instant::now();
        let (got, actions) = run_tencent(
            &["a", "b"],
            Some(Duration::from_secs(5)),
            vec![
                tencent(json!({
                    "CertTaskIds": [
                        {"CertId": "a", "TaskId": "t-a"},
                        {"CertId": "b", "TaskId": "t-b"}
                    ]
                })),
                tencent(json!({"DeleteTaskResult": [
                    {"TaskId": "t-a", "CertId": "a", "Status": 0},
                    {"TaskId": "t-b", "CertId": "b", "Status": 0}
                ]})),
                tencent(json!({"DeleteTaskResult": [
                    {"TaskId": "t-a", "CertId": "a", "Status": 1},
                    {"TaskId": "t-b", "CertId": "b", "Status": 0}
                ]})),
                tencent(json!({"DeleteTaskResult": [
                    {"TaskId": "t-b", "CertId": "b", "Status": 0}
                ]})),
            ],
        )
        .await;
        assert_eq!(
            got,
            [
                // The task that deleted it stays on the outcome.
                ("a".into(), Status::Deleted, Some("t-a".into()), 1),
                ("b".into(), Status::Pending, Some("t-b".into()), 1),
            ]
        );
        assert_eq!(
            actions,
            [
                "DeleteCertificates",
                "DescribeDeleteCertificatesTaskResult",
                "DescribeDeleteCertificatesTaskResult",
                "DescribeDeleteCertificatesTaskResult"
            ]
        );
        // Polls every POLL_EVERY (2 s) within the 5 s wait: at 0, 2 and 4 s.
        let took = started.elapsed();
        assert!(
            took >= 2 * POLL_EVERY && took < 3 * POLL_EVERY,
            "polled for {took:?}"
        );
    }

    /// A tencent-ssl session (one worker) over this script, listening to `interrupt`.
    async fn interruptible(steps: Vec<Step>, interrupt: &Interrupt) -> (Arc<Scripted>, Session) {
        let scripted = Arc::new(Scripted::new(steps));
        let session = Session::with_transport(
            &ProviderSettings::for_test(Kind::TencentSsl),
            &run_settings(),
            crate::session::Purpose::Delete,
            scripted.clone(),
            interrupt,
        )
        .await
        .expect("no preflight for tencent-ssl");
        (scripted, session)
    }

    /// A plan of `n` ids one by one, polling asynchronous tasks for up to `wait`.
    fn singles(n: usize, wait: Option<Duration>) -> Plan {
        let tencent = provider::build(&ProviderSettings::for_test(Kind::TencentSsl));
        let ids = (0..n).map(|i| format!("id-{i}")).collect();
        Plan::from_ids(tencent.as_ref(), ids, false, wait)
    }

    fn statuses(kept: &Collect) -> Vec<(&str, Status)> {
        kept.0.iter().map(|o| (o.id.as_str(), o.outcome)).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn an_interrupt_lets_the_request_in_flight_finish_and_skips_the_rest() {
        let interrupt = Interrupt::new();
        let deleted = || tencent(json!({"DeleteResult": true}));
        let steps = vec![
            Step::slow(Duration::from_secs(2), deleted()),
            deleted(),
            deleted(),
        ];
        let (t, session) = interruptible(steps, &interrupt).await;
        let mut kept = Collect::default();
        let raise = async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            interrupt.raise(Signal::Term);
        };
        let plan = singles(3, None);
        let (done, ()) = tokio::join!(execute(&session, &plan, &mut kept), raise);
        assert!(
            done.is_ok(),
            "an interrupt is not a stop of the run: {done:?}"
        );
        assert_eq!(t.calls(), 1, "nothing sent after the interrupt");
        assert_eq!(
            statuses(&kept),
            [
                ("id-0", Status::Deleted),
                ("id-1", Status::Skipped),
                ("id-2", Status::Skipped)
            ]
        );
        for o in &kept.0[1..] {
            assert_eq!(
                o.message.as_deref(),
                Some("not attempted: interrupted by SIGTERM")
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_second_interrupt_ends_the_request_in_flight_failed_and_ambiguous() {
        let interrupt = Interrupt::new();
        let steps = vec![Step::Hang, tencent(json!({"DeleteResult": true}))];
        let (t, session) = interruptible(steps, &interrupt).await;
        let mut kept = Collect::default();
        let raise = async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            interrupt.raise(Signal::Int);
            tokio::time::sleep(Duration::from_secs(1)).await;
            interrupt.raise(Signal::Int);
        };
        let plan = singles(2, None);
        let (done, ()) = tokio::join!(execute(&session, &plan, &mut kept), raise);
        assert!(done.is_ok(), "{done:?}");
        assert_eq!(t.calls(), 1);
        assert_eq!(
            statuses(&kept),
            [("id-0", Status::Failed), ("id-1", Status::Skipped)]
        );
        let message = kept.0[0].message.as_deref().unwrap_or_default();
        assert!(
            message.contains(crate::send::IN_FLIGHT) && message.contains("may have deleted it"),
            "{message}"
        );
        assert_eq!(
            kept.0[1].message.as_deref(),
            Some("not attempted: interrupted by SIGINT")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_interrupt_stops_waiting_for_asynchronous_tasks_which_stay_pending() {
        let interrupt = Interrupt::new();
        // The deletion starts a task; the first poll finds it running; the next poll, 2 s
        // later, would need a third step.
        let steps = vec![
            tencent(json!({"DeleteResult": false, "TaskId": "77"})),
            tencent(json!({"DeleteTaskResult": null})),
        ];
        let (t, session) = interruptible(steps, &interrupt).await;
        let mut kept = Collect::default();
        let start = tokio::time::Instant::now();
        let raise = async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            interrupt.raise(Signal::Int);
        };
        let plan = singles(1, Some(Duration::from_secs(60)));
        let (done, ()) = tokio::join!(execute(&session, &plan, &mut kept), raise);
        assert!(done.is_ok(), "{done:?}");
        assert_eq!(
            start.elapsed(),
            Duration::from_millis(500),
            "the wait was cut"
        );
        assert_eq!((t.calls(), t.left()), (2, 0));
        assert_eq!(statuses(&kept), [("id-0", Status::Pending)]);
        assert_eq!(kept.0[0].task_id.as_deref(), Some("77"));
        assert_eq!(
            kept.0[0].message.as_deref(),
            Some("asynchronous deletion task 77 not known to be finished: interrupted by SIGINT while waiting for it")
        );
    }

    #[test]
    fn a_session_that_cannot_start_skips_every_target_once() {
        let tencent = provider::build(&ProviderSettings::for_test(Kind::TencentSsl));
        let ids = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let plan = Plan::from_ids(tencent.as_ref(), ids, true, None);
        let why = Error::Unreachable {
            provider: "tencent-ssl",
            action: "delete",
            message: "connection refused".into(),
        };
        let mut kept = Collect::default();
        skip_all("tencent-ssl", &plan, &why, &mut kept);
        let got: Vec<(&str, Status, u32)> = kept
            .0
            .iter()
            .map(|o| (o.id.as_str(), o.outcome, o.attempts))
            .collect();
        assert_eq!(
            got,
            [
                ("a", Status::Skipped, 0),
                ("b", Status::Skipped, 0),
                ("c", Status::Skipped, 0)
            ]
        );
        assert_eq!(
            kept.0[0].message.as_deref(),
            Some("not attempted: run stopped: tencent-ssl: delete: connection refused")
        );
    }
}
