//! The driver: ids in, pace + send + retry, one outcome per id out; or, for `list`, hand
//! over to [`crate::list`].
//!
//! Every id handed in ends with exactly one reported outcome, including when the run stops
//! early (rejected credentials, unreachable endpoint, deadline): those ids are reported
//! `failed` with the reason. Providers with a bulk delete ([`crate::provider::Batch`]) get
//! their ids in batches ([`crate::batch`]); asynchronous deletions are awaited there too.

use crate::batch;
use crate::error::Error;
use crate::ids;
use crate::outcome::{after_lost_reply, may_have_deleted, Exit, Outcome, Status};
use crate::output::Reporter;
use crate::provider::{self, huawei_scm, Answer, Class, Kind, Provider};
use crate::send::{describe, End, Sender, Tried};
use crate::settings::{Command, ProviderSettings, Settings};
use crate::transport::HttpTransport;
use std::convert::Infallible;
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

/// How the run asks for confirmation: gets the question, answers yes or no, or `None` when
/// nobody can be asked (no terminal).
pub type Confirm<'a> = &'a mut dyn FnMut(&str) -> Option<bool>;

pub async fn run<W: Write>(
    settings: Settings,
    stdin: impl BufRead,
    reporter: &mut Reporter<W>,
    confirm: Confirm<'_>,
) -> Result<Exit, Error> {
    let (args, use_batch, wait) = match &settings.command {
        Command::Delete { ids, batch, wait } => (ids, *batch, *wait),
        Command::List { filter } => return crate::list::run(&settings, filter, reporter).await,
    };
    let mut provider_settings = settings.provider.clone();
    // Check ids with a provider built before discovery: checks never depend on it.
    let ids = ids::collect(args, stdin, provider::build(&provider_settings).as_ref())?;
    let kind = provider_settings.kind;
    if ids.is_empty() {
        return Ok(reporter.finish(kind.name()));
    }
    if !settings.yes {
        let question = format!(
            "Delete {} certificate{} from {}? [y/N] ",
            ids.len(),
            if ids.len() == 1 { "" } else { "s" },
            kind.name()
        );
        match confirm(&question) {
            Some(true) => {}
            Some(false) => return Err(Error::usage("not confirmed: nothing was deleted")),
            None => {
                return Err(Error::usage(format!(
                    "refusing to delete {} certificate{} without confirmation: no terminal to ask; pass --yes",
                    ids.len(),
                    if ids.len() == 1 { "" } else { "s" }
                )))
            }
        }
    }

    // From here on every id gets an outcome, even when the run cannot start.
    let pre = provider::build(&provider_settings);
    let rate = settings.run.rate.unwrap_or_else(|| pre.default_rate());
    let ready = match HttpTransport::new(&settings.run) {
        Ok(transport) => {
            let sender = Sender::for_run(transport, rate, &settings.run);
            resolve_domain_id(&sender, &mut provider_settings)
                .await
                .map(|()| sender)
        }
        Err(e) => Err(Error::Io(e)),
    };
    let sender = match ready {
        Ok(sender) => sender,
        Err(e) => {
            for id in &ids {
                reporter.outcome(&not_done(
                    Outcome::new(kind.name(), id.clone(), Status::Failed),
                    &format!("run stopped: {e}"),
                    &None,
                ));
            }
            reporter.finish(kind.name());
            return Err(e);
        }
    };
    let provider = provider::build(&provider_settings);
    // Two or more ids and a provider with a bulk delete: batches instead of single ids.
    let batch_size = provider
        .batch()
        .map(|b| b.batch_limit())
        .filter(|_| use_batch && ids.len() >= 2);
    let units: Vec<Vec<String>> = match batch_size {
        Some(n) => ids.chunks(n.max(1)).map(<[String]>::to_vec).collect(),
        None => ids.iter().map(|id| vec![id.clone()]).collect(),
    };
    let concurrency = settings
        .run
        .concurrency
        .unwrap_or_else(|| (rate.ceil() as usize).clamp(4, 256))
        .min(units.len());

    let shared = Arc::new(Shared {
        provider,
        sender,
        next: AtomicUsize::new(0),
        units,
        batched: batch_size.is_some(),
    });

    let (tx, mut rx) = mpsc::channel::<Finished>(1024);
    for _ in 0..concurrency {
        let shared = Arc::clone(&shared);
        let tx = tx.clone();
        tokio::spawn(async move {
            loop {
                let i = shared.next.fetch_add(1, Ordering::Relaxed);
                let Some(unit) = shared.units.get(i) else {
                    break;
                };
                let finished = if shared.batched {
                    batch::delete_batch(&shared, unit).await
                } else {
                    vec![delete_one(&shared, &unit[0], None, 0).await]
                };
                for f in finished {
                    if tx.send(f).await.is_err() {
                        return;
                    }
                }
            }
        });
    }
    drop(tx);
    // Asynchronous deletions are held back and awaited, unless --no-wait.
    let mut awaiting: Vec<(Outcome, String)> = Vec::new();
    while let Some((outcome, task)) = rx.recv().await {
        match (task, wait) {
            (Some(task), Some(_)) if shared.provider.batch().is_some() => {
                awaiting.push((outcome, task))
            }
            _ => reporter.outcome(&outcome),
        }
    }
    if let Some(wait) = wait.filter(|_| !awaiting.is_empty()) {
        for outcome in batch::await_tasks(&shared, awaiting, wait).await {
            reporter.outcome(&outcome);
        }
    }
    let exit = reporter.finish(kind.name());
    match shared.sender.take_stop() {
        Some(err) => Err(err),
        None => Ok(exit),
    }
}

/// An id's outcome plus the asynchronous deletion task it started, if any.
pub type Finished = (Outcome, Option<String>);

pub struct Shared {
    pub provider: Box<dyn Provider>,
    pub sender: Sender,
    next: AtomicUsize,
    /// Single ids, or batches of ids when `batched`.
    units: Vec<Vec<String>>,
    batched: bool,
}

/// One id from first attempt to final outcome. `ambiguous` and `prior_attempts` carry over
/// a batch request that already tried this id.
pub async fn delete_one(
    shared: &Shared,
    id: &str,
    ambiguous: Option<String>,
    prior_attempts: u32,
) -> Finished {
    let name = shared.provider.kind().name();
    let tried: Tried<Infallible> = shared
        .sender
        .exchange(
            name,
            "delete",
            ambiguous,
            |stamp| shared.provider.delete_request(id, stamp),
            |reply| Err(shared.provider.delete_answer(reply)),
        )
        .await;
    let mut outcome = Outcome::new(name, id, Status::Failed);
    outcome.attempts = prior_attempts + tried.attempts;
    if let Some(answer) = &tried.last {
        record(&mut outcome, answer);
    }
    let ambiguous = tried.ambiguous;
    let attempts = outcome.attempts;
    let outcome = match tried.end {
        End::Ok(never) => match never {},
        End::Done(answer) => return done(outcome, &answer, ambiguous),
        End::Throttled(answer) => {
            outcome.message = Some(format!(
                "throttled after {attempts} attempts{}",
                answer.message.map(|m| format!(": {m}")).unwrap_or_default()
            ));
            with_ambiguity(outcome, &ambiguous)
        }
        End::Transient(answer) => {
            outcome.message = Some(format!("{} (after {attempts} attempts)", describe(&answer)));
            with_ambiguity(outcome, &ambiguous)
        }
        End::NoReply(message) => {
            outcome.message = Some(format!("{message} (after {attempts} attempts)"));
            with_ambiguity(outcome, &ambiguous)
        }
        End::Aborted(_) => with_ambiguity(outcome, &ambiguous),
        End::Stopped(reason) => not_done(outcome, &reason, &ambiguous),
    };
    (outcome, None)
}

/// The outcome of a final answer, through the one lost-reply rule
/// ([`crate::outcome::after_lost_reply`]). Plain `delete` does not know whether an id
/// existed before its first attempt, so a lost reply followed by `not_found` is `gone`.
fn done(outcome: Outcome, answer: &Answer, ambiguous: Option<String>) -> Finished {
    let Class::Done(status) = answer.class else {
        return (outcome, None);
    };
    let outcome = after_lost_reply(outcome, status, ambiguous.as_deref(), KNOWN_TO_EXIST);
    let task = answer
        .task_id
        .clone()
        .filter(|_| outcome.outcome == Status::Pending);
    (outcome, task)
}

/// Whether the ids of a `delete` run are known to exist before their first attempt: they
/// come from arguments or stdin, not from a listing or plan of this run.
pub(crate) const KNOWN_TO_EXIST: bool = false;

pub(crate) fn record(outcome: &mut Outcome, answer: &Answer) {
    outcome.code = answer.code.clone();
    outcome.message = answer.message.clone();
    outcome.request_id = answer.request_id.clone();
    outcome.http_status = Some(answer.http_status);
}

/// A failed outcome for an id the run gave up on.
pub(crate) fn not_done(mut outcome: Outcome, reason: &str, ambiguous: &Option<String>) -> Outcome {
    outcome.outcome = Status::Failed;
    outcome.message = Some(if outcome.attempts == 0 {
        format!("not attempted: {reason}")
    } else {
        format!("gave up after {} attempts: {reason}", outcome.attempts)
    });
    with_ambiguity(outcome, ambiguous)
}

/// A failure after an attempt with an unknown result may hide a deletion: say so.
pub(crate) fn with_ambiguity(outcome: Outcome, ambiguous: &Option<String>) -> Outcome {
    may_have_deleted(outcome, ambiguous.as_deref())
}

/// huawei-scm: make sure the account (domain) id is known, discovering it when unset —
/// through the run's sender, so the lookup is paced, retried and bounded by `--deadline`
/// like every other request.
pub(crate) async fn resolve_domain_id(
    sender: &Sender,
    settings: &mut ProviderSettings,
) -> Result<(), Error> {
    if settings.kind == Kind::HuaweiScm && settings.domain_id.is_none() {
        settings.domain_id = Some(discover_domain_id(sender, settings).await?);
    }
    Ok(())
}

async fn discover_domain_id(
    sender: &Sender,
    settings: &crate::settings::ProviderSettings,
) -> Result<String, Error> {
    const ACTION: &str =
        "discover account (domain) id via IAM; set HUAWEICLOUD_SDK_DOMAIN_ID to skip";
    let tried = sender
        .exchange(
            "huawei-scm",
            ACTION,
            None,
            |stamp| {
                huawei_scm::discover_request(&settings.iam_endpoint, &settings.credentials, stamp)
            },
            huawei_scm::discover_answer,
        )
        .await;
    let failure = tried.failure().unwrap_or_default();
    match tried.end {
        End::Ok(id) => Ok(id),
        // Rejected credentials or an unreachable IAM: the sender recorded why.
        End::Aborted(_) | End::NoReply(_) if sender.stopped().is_some() => {
            Err(sender.take_stop().expect("a stopped sender has a reason"))
        }
        End::Done(_) | End::Aborted(_) => Err(Error::Rejected {
            provider: "huawei-scm",
            action: ACTION,
            message: failure,
        }),
        End::Throttled(_) | End::Transient(_) | End::NoReply(_) | End::Stopped(_) => {
            Err(Error::Unreachable {
                provider: "huawei-scm",
                action: ACTION,
                message: failure,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ambiguity_is_reported_on_failure() {
        let o = Outcome::new("x", "id", Status::Failed).message("HTTP 503 (after 6 attempts)");
        let o = with_ambiguity(o, &Some("timed out".into()));
        assert_eq!(
            o.message.as_deref(),
            Some("HTTP 503 (after 6 attempts); an earlier attempt may have deleted it (timed out); list to check")
        );
        let o = not_done(
            Outcome::new("x", "id", Status::Deleted),
            "deadline reached",
            &None,
        );
        assert_eq!(o.outcome, Status::Failed);
        assert_eq!(
            o.message.as_deref(),
            Some("not attempted: deadline reached")
        );
    }
}
