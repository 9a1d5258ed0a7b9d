//! Bulk and asynchronous deletion (tencent-ssl `DeleteCertificates` and
//! `DescribeDeleteCertificatesTaskResult`), keeping the executor's rules: every id ends with
//! exactly one outcome, through the same outcome rules as a single delete
//! ([`crate::outcome::Outcome::settle`], [`crate::outcome::after_lost_reply`]).
//!
//! A batch request goes through the same retry loop as a single delete
//! ([`crate::send::Sender`]); a batch never sent is `skipped` id by id. Its per-id results are mapped by the provider ([`crate::provider::Batch::batch_answer`]); ids
//! the reply does not mention, and every id of a batch the provider refused as a whole (one
//! invalid id can make it reject all), are deleted one by one instead, carrying the batch's
//! ambiguity over, so each still gets a definite answer.
//!
//! Asynchronous tasks are polled every [`POLL_EVERY`] (through the run's pacer) until they
//! finish or the wait runs out, or an interrupt (SIGINT, SIGTERM) ends the waiting; tasks
//! still running are reported `pending` with their id (the outcome's `task_id`).

use super::{delete_one, Run};
use crate::outcome::{after_lost_reply, Outcome, Status};
use crate::provider::{Batch, Item, TaskState};
use crate::send::{describe, End};
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;

/// How often asynchronous deletion tasks are polled.
pub const POLL_EVERY: Duration = Duration::from_secs(2);

/// The wait between polls: [`POLL_EVERY`], or a few milliseconds when the run retries
/// without delay (the test-only `CERTDEL_TEST_NO_RETRY_DELAY`; polls are still paced).
fn poll_every(sender: &crate::send::Sender) -> Duration {
    if sender.retry.no_retry_delay {
        Duration::from_millis(20)
    } else {
        POLL_EVERY
    }
}

fn batch_of(provider: &dyn crate::provider::Provider) -> &dyn Batch {
    provider
        .batch()
        .expect("batches are formed only for providers with a bulk delete")
}

/// Delete `targets` (one region's, see [`crate::plan::Plan::new`]) with one bulk request
/// (retried as a whole), then settle each one.
pub(super) async fn delete_batch(run: &Run, targets: &[usize]) -> Vec<Outcome> {
    let Some(&first) = targets.first() else {
        return Vec::new();
    };
    let provider = run.provider_of(first);
    let name = provider.kind().name();
    let batch = batch_of(provider.as_ref());
    let ids: Vec<String> = targets
        .iter()
        .map(|&t| run.plan.targets[t].id.clone())
        .collect();
    let tried = run
        .session
        .sender()
        .exchange(
            name,
            "delete",
            None,
            |stamp| batch.batch_request(&ids, stamp),
            |reply| batch.batch_answer(&ids, reply),
        )
        .await;
    let attempts = tried.attempts;
    let ambiguous = tried.ambiguous.clone();
    let mut out = Vec::with_capacity(targets.len());
    match &tried.end {
        End::Ok(items) => {
            let mut items: HashMap<&str, &Item> =
                items.iter().map(|(id, item)| (id.as_str(), item)).collect();
            for &t in targets {
                let target = &run.plan.targets[t];
                let item = items
                    .remove(target.id.as_str())
                    .cloned()
                    .unwrap_or(Item::Unreported);
                out.push(settle(run, t, item, attempts, &ambiguous).await);
            }
        }
        // Refused as a whole (e.g. one invalid id): ask about each id on its own.
        End::Done(_) => {
            for &t in targets {
                out.push(delete_one(run, t, ambiguous.clone(), attempts).await);
            }
        }
        // No usable reply, or the run stopped: the same end for every id of the batch.
        End::Throttled(_)
        | End::Transient(_)
        | End::NoReply(_)
        | End::Aborted(_)
        | End::Stopped(_) => {
            for &t in targets {
                let target = &run.plan.targets[t];
                let o = Outcome::new(name, target.id.as_str(), Status::Failed);
                out.push(o.settle(&tried, target.known_to_exist));
            }
        }
    }
    out
}

/// One target's result from a bulk reply.
async fn settle(
    run: &Run,
    t: usize,
    item: Item,
    attempts: u32,
    ambiguous: &Option<String>,
) -> Outcome {
    let target = &run.plan.targets[t];
    let name = run.provider_of(t).kind().name();
    let mut o = Outcome::new(name, target.id.as_str(), Status::Failed);
    o.attempts = attempts;
    match item {
        Item::Done(status, message) => {
            o.message = message;
            after_lost_reply(o, status, ambiguous.as_deref(), target.known_to_exist)
        }
        Item::Task(task) => {
            o.outcome = Status::Pending;
            o.message = Some(format!("asynchronous deletion started, task {task}"));
            o.task_id = Some(task);
            o
        }
        Item::Unreported => delete_one(run, t, ambiguous.clone(), attempts).await,
    }
}

/// Poll the tasks of these pending outcomes until each finishes or `wait` runs out.
pub(super) async fn await_tasks(run: &Run, pending: Vec<Outcome>, wait: Duration) -> Vec<Outcome> {
    let provider = run.session.provider();
    let name = provider.kind().name();
    let batch = batch_of(provider);
    let sender = run.session.sender();
    // Each pending outcome with its task (the executor holds back only those with one).
    let mut pending: Vec<(Outcome, String)> = pending
        .into_iter()
        .filter_map(|o| o.task_id.clone().map(|task| (o, task)))
        .collect();
    let until = crate::pace::later(Instant::now(), wait);
    let mut done: Vec<Outcome> = Vec::with_capacity(pending.len());
    // Why the last poll failed, if it did: reported with the tasks still pending.
    let mut poll_trouble: Option<String> = None;
    'rounds: while !pending.is_empty() {
        if sender.interrupted().is_some() {
            break;
        }
        let task_ids: Vec<String> = pending.iter().map(|(_, t)| t.clone()).collect();
        let mut states: HashMap<String, TaskState> = HashMap::new();
        for chunk in task_ids.chunks(batch.task_limit().max(1)) {
            let tried = sender
                .exchange(
                    name,
                    "poll deletion tasks",
                    None,
                    |stamp| batch.task_request(chunk, stamp),
                    |reply| batch.task_answer(reply),
                )
                .await;
            let failure = tried.failure();
            match tried.end {
                End::Ok(reports) => {
                    poll_trouble = None;
                    for r in reports {
                        states.insert(r.task_id, r.state);
                    }
                }
                End::Stopped(_) if sender.interrupted().is_some() => break 'rounds,
                End::Aborted(_) | End::Stopped(_) => {
                    poll_trouble = failure;
                    break 'rounds;
                }
                End::Done(a) => {
                    // The poll itself was refused (e.g. no permission to query tasks): the
                    // deletions may still complete, so the ids stay pending.
                    poll_trouble = Some(describe(&a));
                    break 'rounds;
                }
                End::Throttled(_) | End::Transient(_) | End::NoReply(_) => {
                    poll_trouble = failure;
                }
            }
        }
        let mut still = Vec::with_capacity(pending.len());
        for (mut o, task) in pending {
            match states.remove(&task) {
                Some(TaskState::Finished {
                    status,
                    code,
                    message,
                }) => {
                    o.outcome = status;
                    o.code = code;
                    o.message = Some(match message {
                        Some(m) => format!("{m} (task {task})"),
                        None => format!("deleted by asynchronous task {task}"),
                    });
                    done.push(o);
                }
                Some(TaskState::Running) | None => still.push((o, task)),
            }
        }
        pending = still;
        let next_poll = crate::pace::later(Instant::now(), poll_every(sender));
        let deadline_passed = sender.deadline.is_some_and(|d| next_poll >= d);
        if pending.is_empty() || next_poll >= until || deadline_passed {
            break;
        }
        tokio::select! {
            _ = sender.interrupt().first() => break,
            () = tokio::time::sleep_until(next_poll) => {}
        }
    }
    let interrupted = sender.interrupted();
    for (mut o, task) in pending {
        o.outcome = Status::Pending;
        o.message = Some(match (&interrupted, &poll_trouble) {
            (Some(why), _) => format!(
                "asynchronous deletion task {task} not known to be finished: {why} while waiting for it"
            ),
            (None, Some(why)) => format!(
                "asynchronous deletion task {task} not known to be finished: polling failed ({why})"
            ),
            (None, None) => format!(
                "asynchronous deletion task {task} still running after {} s",
                wait.as_secs_f64().round()
            ),
        });
        done.push(o);
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pace::Pacer;
    use crate::send::{RetryConfig, Sender};
    use crate::transport::testing::Scripted;
    use std::sync::Arc;

    fn sender(no_retry_delay: bool) -> Sender {
        let retry = RetryConfig {
            no_retry_delay,
            ..RetryConfig::default()
        };
        Sender::new(Arc::new(Scripted::new([])), Pacer::new(10.0), retry, None)
    }

    #[test]
    fn tasks_are_polled_at_once_only_when_retries_do_not_wait() {
        assert_eq!(poll_every(&sender(false)), POLL_EVERY);
        assert!(poll_every(&sender(true)) < Duration::from_millis(100));
    }
}
