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
    fn provider_of(&self, target: usize) -> &dyn Provider {
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
    use crate::pace::Pacer;
    use crate::provider::{self, Kind};
    use crate::report::Collect;
    use crate::send::{RetryConfig, Sender};
    use crate::settings::ProviderSettings;
    use crate::transport::testing::{Scripted, Step};
    use std::time::Duration;

    const DELETED: &str = r#"{"Response":{"DeleteResult":true,"RequestId":"r"}}"#;
    const STARTED: &str = r#"{"Response":{"DeleteResult":false,"TaskId":"77","RequestId":"r"}}"#;
    const RUNNING: &str = r#"{"Response":{"DeleteTaskResult":null,"RequestId":"r"}}"#;

    /// A tencent-ssl session over a scripted transport, `workers` at a time, listening to
    /// `interrupt` (armed); no pacing.
    fn session(
        steps: Vec<Step>,
        workers: usize,
        interrupt: &Interrupt,
    ) -> (Arc<Scripted>, Session) {
        let transport = Arc::new(Scripted::new(steps));
        let sender = Sender::new(
            transport.clone(),
            Pacer::new(1e300),
            RetryConfig::default(),
            None,
        )
        .with_jitter(|| 1.0)
        .with_interrupt(interrupt.clone());
        interrupt.arm();
        let tencent = provider::build(&ProviderSettings::for_test(Kind::TencentSsl));
        (transport, Session::from_parts(tencent, sender, workers))
    }

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("id-{i}")).collect()
    }

    fn statuses(kept: &Collect) -> Vec<(&str, Status)> {
        kept.0.iter().map(|o| (o.id.as_str(), o.outcome)).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn an_interrupt_lets_the_request_in_flight_finish_and_skips_the_rest() {
        let interrupt = Interrupt::new();
        let steps = vec![
            Step::slow(Duration::from_secs(2), Step::body(200, DELETED)),
            Step::body(200, DELETED),
            Step::body(200, DELETED),
        ];
        let (t, session) = session(steps, 1, &interrupt);
        let tencent = provider::build(&ProviderSettings::for_test(Kind::TencentSsl));
        let plan = Plan::from_ids(tencent.as_ref(), ids(3), false, None);
        let mut kept = Collect::default();
        let raise = async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            interrupt.raise(Signal::Term);
        };
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
        let (t, session) = session(vec![Step::Hang, Step::body(200, DELETED)], 1, &interrupt);
        let tencent = provider::build(&ProviderSettings::for_test(Kind::TencentSsl));
        let plan = Plan::from_ids(tencent.as_ref(), ids(2), false, None);
        let mut kept = Collect::default();
        let raise = async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            interrupt.raise(Signal::Int);
            tokio::time::sleep(Duration::from_secs(1)).await;
            interrupt.raise(Signal::Int);
        };
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
        let steps = vec![Step::body(200, STARTED), Step::body(200, RUNNING)];
        let (t, session) = session(steps, 1, &interrupt);
        let tencent = provider::build(&ProviderSettings::for_test(Kind::TencentSsl));
        let wait = Duration::from_secs(60);
        let plan = Plan::from_ids(tencent.as_ref(), ids(1), false, Some(wait));
        let mut kept = Collect::default();
        let start = tokio::time::Instant::now();
        let raise = async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            interrupt.raise(Signal::Int);
        };
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
