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
    use crate::provider::{self, Kind};
    use crate::report::Collect;
    use crate::settings::ProviderSettings;

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
