//! The driver: ids in, pace + send + retry, one outcome per id out.
//!
//! Every id handed in ends with exactly one reported outcome, including when the run stops
//! early (rejected credentials, unreachable endpoint, deadline): those ids are reported
//! `failed` with the reason.

use crate::error::Error;
use crate::ids;
use crate::outcome::{Exit, Outcome, Status};
use crate::output::Reporter;
use crate::pace::{backoff, Pacer};
use crate::provider::{self, huawei_scm, Answer, Class, Kind, Provider};
use crate::settings::{Command, Settings};
use crate::sign::Stamp;
use crate::transport::{SendError, Transport};
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How the run asks for confirmation: gets the question, answers yes or no, or `None` when
/// nobody can be asked (no terminal).
pub type Confirm<'a> = &'a mut dyn FnMut(&str) -> Option<bool>;

pub async fn run<W: Write>(
    settings: Settings,
    stdin: impl BufRead,
    reporter: &mut Reporter<W>,
    confirm: Confirm<'_>,
) -> Result<Exit, Error> {
    let Command::Delete { ids: args } = &settings.command;
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

    let transport = Transport::new(settings.run.timeout).map_err(Error::Io)?;
    if kind == Kind::HuaweiScm && provider_settings.domain_id.is_none() {
        provider_settings.domain_id =
            Some(discover_domain_id(&transport, &provider_settings).await?);
    }
    let provider = provider::build(&provider_settings);
    let rate = settings.run.rate.unwrap_or_else(|| provider.default_rate());
    let concurrency = settings
        .run
        .concurrency
        .unwrap_or_else(|| (rate.ceil() as usize).clamp(4, 256))
        .min(ids.len());

    let shared = Arc::new(Shared {
        provider,
        transport,
        pacer: Pacer::new(rate),
        max_retries: settings.run.max_retries,
        deadline: settings.run.deadline.map(|d| Instant::now() + d),
        stop: Mutex::new(None),
        next: AtomicUsize::new(0),
        ids,
    });

    let (tx, mut rx) = mpsc::channel::<Outcome>(1024);
    for _ in 0..concurrency {
        let shared = Arc::clone(&shared);
        let tx = tx.clone();
        tokio::spawn(async move {
            loop {
                let i = shared.next.fetch_add(1, Ordering::Relaxed);
                let Some(id) = shared.ids.get(i) else { break };
                let outcome = delete_one(&shared, id).await;
                if tx.send(outcome).await.is_err() {
                    break;
                }
            }
        });
    }
    drop(tx);
    while let Some(outcome) = rx.recv().await {
        reporter.outcome(&outcome);
    }
    let exit = reporter.finish(kind.name());
    let stop = shared.stop.lock().expect("stop lock").take();
    match stop {
        Some(err) => Err(err),
        None => Ok(exit),
    }
}

struct Shared {
    provider: Box<dyn Provider>,
    transport: Transport,
    pacer: Pacer,
    max_retries: u32,
    deadline: Option<Instant>,
    /// Set once when the run must stop; later ids are reported failed with this reason.
    stop: Mutex<Option<Error>>,
    next: AtomicUsize,
    ids: Vec<String>,
}

impl Shared {
    fn stopped(&self) -> Option<String> {
        self.stop
            .lock()
            .expect("stop lock")
            .as_ref()
            .map(|e| e.to_string())
    }

    fn stop_with(&self, err: Error) {
        let mut stop = self.stop.lock().expect("stop lock");
        if stop.is_none() {
            *stop = Some(err);
        }
    }
}

/// One id from first attempt to final outcome.
async fn delete_one(shared: &Shared, id: &str) -> Outcome {
    let name = shared.provider.kind().name();
    let mut outcome = Outcome::new(name, id, Status::Failed);
    // Set once an attempt may have been carried out without us seeing the answer.
    let mut ambiguous: Option<String> = None;
    loop {
        if let Some(reason) = shared.stopped() {
            return not_done(outcome, &format!("run stopped: {reason}"), &ambiguous);
        }
        if shared.deadline.is_some_and(|d| Instant::now() >= d) {
            return not_done(outcome, "deadline reached", &ambiguous);
        }
        shared.pacer.wait().await;
        if let Some(reason) = shared.stopped() {
            return not_done(outcome, &format!("run stopped: {reason}"), &ambiguous);
        }
        let stamp = Stamp::now();
        let request = shared.provider.delete_request(id, &stamp);
        outcome.attempts += 1;
        let retries_left = outcome.attempts <= shared.max_retries;

        let answer = match shared.transport.send(&request).await {
            Ok(reply) => shared.provider.delete_answer(&reply),
            Err(SendError {
                message,
                maybe_sent,
            }) => {
                if maybe_sent {
                    ambiguous = Some(message.clone());
                }
                if retries_left {
                    tokio::time::sleep(backoff(outcome.attempts)).await;
                    continue;
                }
                if !maybe_sent && ambiguous.is_none() {
                    // Never reached the server, on every attempt: the endpoint is down for all.
                    shared.stop_with(Error::Unreachable {
                        provider: name,
                        action: "delete",
                        message: message.clone(),
                    });
                }
                outcome.message = Some(format!("{message} (after {} attempts)", outcome.attempts));
                return with_ambiguity(outcome, &ambiguous);
            }
        };
        record(&mut outcome, &answer);

        match answer.class {
            Class::Done(Status::NotFound) if ambiguous.is_some() => {
                shared.pacer.succeeded();
                outcome.outcome = Status::Deleted;
                outcome.message = Some(format!(
                    "deleted by an earlier attempt whose reply was lost ({}); the retry found it gone",
                    ambiguous.unwrap_or_default()
                ));
                return outcome;
            }
            Class::Done(status) => {
                shared.pacer.succeeded();
                outcome.outcome = status;
                return outcome;
            }
            Class::Throttled => {
                shared.pacer.throttled(answer.retry_after);
                if retries_left {
                    continue;
                }
                outcome.message = Some(format!(
                    "throttled after {} attempts{}",
                    outcome.attempts,
                    answer.message.map(|m| format!(": {m}")).unwrap_or_default()
                ));
                return with_ambiguity(outcome, &ambiguous);
            }
            Class::Transient => {
                ambiguous = Some(describe(&answer));
                if retries_left {
                    let wait =
                        backoff(outcome.attempts).max(answer.retry_after.unwrap_or_default());
                    tokio::time::sleep(wait).await;
                    continue;
                }
                outcome.message = Some(format!(
                    "{} (after {} attempts)",
                    describe(&answer),
                    outcome.attempts
                ));
                return with_ambiguity(outcome, &ambiguous);
            }
            Class::Abort => {
                shared.stop_with(Error::Rejected {
                    provider: name,
                    action: "delete",
                    message: describe(&answer),
                });
                return with_ambiguity(outcome, &ambiguous);
            }
        }
    }
}

fn record(outcome: &mut Outcome, answer: &Answer) {
    outcome.code = answer.code.clone();
    outcome.message = answer.message.clone();
    outcome.request_id = answer.request_id.clone();
    outcome.http_status = Some(answer.http_status);
}

fn describe(answer: &Answer) -> String {
    match (&answer.code, &answer.message) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => format!("{c} (HTTP {})", answer.http_status),
        (None, Some(m)) => m.clone(),
        (None, None) => format!("HTTP {}", answer.http_status),
    }
}

/// A failed outcome for an id the run gave up on.
fn not_done(mut outcome: Outcome, reason: &str, ambiguous: &Option<String>) -> Outcome {
    outcome.outcome = Status::Failed;
    outcome.message = Some(if outcome.attempts == 0 {
        format!("not attempted: {reason}")
    } else {
        format!("gave up after {} attempts: {reason}", outcome.attempts)
    });
    with_ambiguity(outcome, ambiguous)
}

/// A failure after an attempt with an unknown result may hide a deletion: say so.
fn with_ambiguity(mut outcome: Outcome, ambiguous: &Option<String>) -> Outcome {
    if let Some(what) = ambiguous {
        let msg = outcome.message.take().unwrap_or_default();
        outcome.message = Some(format!(
            "{msg}{}an earlier attempt may have deleted it ({what}); list to check",
            if msg.is_empty() { "" } else { "; " }
        ));
    }
    outcome
}

async fn discover_domain_id(
    transport: &Transport,
    settings: &crate::settings::ProviderSettings,
) -> Result<String, Error> {
    const ACTION: &str =
        "discover account (domain) id via IAM; set HUAWEICLOUD_SDK_DOMAIN_ID to skip";
    let mut last = String::new();
    for attempt in 1..=3 {
        let req = huawei_scm::discover_request(
            &settings.iam_endpoint,
            &settings.credentials,
            &Stamp::now(),
        );
        match transport.send(&req).await {
            Ok(reply) => match huawei_scm::discover_answer(&reply) {
                Ok(id) => return Ok(id),
                Err(a) if matches!(a.class, Class::Throttled | Class::Transient) => {
                    last = describe(&a)
                }
                Err(a) => {
                    return Err(Error::Rejected {
                        provider: "huawei-scm",
                        action: ACTION,
                        message: describe(&a),
                    })
                }
            },
            Err(e) => last = e.message,
        }
        tokio::time::sleep(backoff(attempt)).await;
    }
    Err(Error::Unreachable {
        provider: "huawei-scm",
        action: ACTION,
        message: last,
    })
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
