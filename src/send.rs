//! One request from first attempt to final answer: pace, sign afresh, send, classify, retry.
//! Shared by every driver (delete one id, delete a batch, poll tasks, list a page), so they
//! all treat throttling, 5xx answers, dropped connections, rejected credentials and the
//! deadline the same way.
//!
//! - [`Class::Throttled`] slows the whole run down ([`Pacer::throttled`]) and retries.
//! - [`Class::Transient`] and a failed send retry with backoff; either may have been carried
//!   out by the server, which is recorded as `ambiguous` for the caller's reporting.
//! - [`Class::Abort`] stops the run for everyone ([`Sender::stop_with`]).
//! - Never reaching the server on any attempt (connection refused, DNS) stops the run too.

use crate::error::Error;
use crate::pace::{backoff, Pacer};
use crate::provider::{Answer, Class, Reply};
use crate::settings::RunSettings;
use crate::sign::{Request, Stamp};
use crate::transport::{SendError, Transport};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Retries of throttled attempts per request (at least `--max-retries`), each after a backoff
/// (250 ms doubling to 8 s): enough for the pacer to come down from a rate far above the quota,
/// at most about 80 s for one request whose quota stays exhausted.
pub const THROTTLE_RETRIES: u32 = 15;

/// Everything the attempts of one run share.
pub struct Sender {
    pub transport: Transport,
    pub pacer: Pacer,
    pub max_retries: u32,
    pub deadline: Option<Instant>,
    /// Set once when the run must stop; later requests are not sent.
    stop: Mutex<Option<Error>>,
}

/// How one exchange ended.
#[derive(Debug)]
pub enum End<T> {
    /// The provider's reply was read successfully.
    Ok(T),
    /// A final answer from the provider (class [`Class::Done`]).
    Done(Answer),
    /// Still throttled after every retry.
    Throttled(Answer),
    /// Still a temporary failure after every retry.
    Transient(Answer),
    /// No reply after every retry (the transport's message).
    NoReply(String),
    /// The provider refused in a way that stops the run (already recorded with `stop_with`).
    Aborted(Answer),
    /// Not attempted (again): the run was stopped or the deadline passed. The reason.
    Stopped(String),
}

/// The end of an exchange plus what the caller reports alongside it.
#[derive(Debug)]
pub struct Tried<T> {
    pub end: End<T>,
    pub attempts: u32,
    /// Set when an attempt may have been carried out without certdel seeing the answer.
    pub ambiguous: Option<String>,
    /// The last answer the provider gave (code, message, request id to report).
    pub last: Option<Answer>,
}

impl Sender {
    pub fn new(
        transport: Transport,
        pacer: Pacer,
        max_retries: u32,
        deadline: Option<Instant>,
    ) -> Sender {
        Sender {
            transport,
            pacer,
            max_retries,
            deadline,
            stop: Mutex::new(None),
        }
    }

    /// The sender for one run: `rate` requests per second, the run's retries and deadline
    /// (counted from now).
    pub fn for_run(transport: Transport, rate: f64, run: &RunSettings) -> Sender {
        Sender::new(
            transport,
            Pacer::new(rate),
            run.max_retries,
            run.deadline.map(|d| crate::pace::later(Instant::now(), d)),
        )
    }

    /// Sleep before a retry, but never past the run's deadline.
    async fn pause(&self, wait: Duration) {
        let until = crate::pace::later(Instant::now(), wait);
        let until = self.deadline.map_or(until, |d| until.min(d));
        tokio::time::sleep_until(until).await;
    }

    /// The reason the run was stopped, if it was.
    pub fn stopped(&self) -> Option<String> {
        self.stop
            .lock()
            .expect("stop lock")
            .as_ref()
            .map(|e| e.to_string())
    }

    /// Stop the run (the first reason wins).
    pub fn stop_with(&self, err: Error) {
        let mut stop = self.stop.lock().expect("stop lock");
        if stop.is_none() {
            *stop = Some(err);
        }
    }

    /// The error that stopped the run, taken out (once).
    pub fn take_stop(&self) -> Option<Error> {
        self.stop.lock().expect("stop lock").take()
    }

    /// Run one exchange to its end. `build` signs a request with a fresh stamp per attempt;
    /// `read` turns a reply into a value or an [`Answer`] whose class decides what happens
    /// next. `ambiguous` carries over an earlier exchange whose result is unknown (a batch
    /// attempt before a per-id retry). `provider` and `action` name the run-stopping errors.
    pub async fn exchange<T>(
        &self,
        provider: &'static str,
        action: &'static str,
        ambiguous: Option<String>,
        build: impl Fn(&Stamp) -> Request,
        read: impl Fn(&Reply) -> Result<T, Answer>,
    ) -> Tried<T> {
        let mut tried = Tried {
            end: End::Stopped(String::new()),
            attempts: 0,
            ambiguous,
            last: None,
        };
        let mut throttled = 0u32;
        loop {
            if let Some(reason) = self.stopped() {
                tried.end = End::Stopped(format!("run stopped: {reason}"));
                return tried;
            }
            if self.deadline.is_some_and(|d| Instant::now() >= d) {
                tried.end = End::Stopped("deadline reached".into());
                return tried;
            }
            self.pacer.wait().await;
            if let Some(reason) = self.stopped() {
                tried.end = End::Stopped(format!("run stopped: {reason}"));
                return tried;
            }
            let request = build(&Stamp::now());
            tried.attempts += 1;
            // A throttled request was refused before it was carried out, so throttling has a
            // budget of its own: a run that starts above the quota slows down (the pacer)
            // without using up the retries meant for faults.
            let retries_left = tried.attempts - throttled <= self.max_retries;

            let reply = match self.transport.send(&request).await {
                Ok(reply) => reply,
                Err(SendError {
                    message,
                    maybe_sent,
                    permanent,
                }) => {
                    if maybe_sent {
                        tried.ambiguous = Some(message.clone());
                    }
                    if permanent {
                        // A refused server certificate: no retry can change it.
                        self.stop_with(Error::Unreachable {
                            provider,
                            action,
                            message: message.clone(),
                        });
                        tried.end = End::NoReply(message);
                        return tried;
                    }
                    if retries_left {
                        self.pause(backoff(tried.attempts)).await;
                        continue;
                    }
                    if !maybe_sent && tried.ambiguous.is_none() {
                        // Never reached the server, on every attempt: down for everyone.
                        self.stop_with(Error::Unreachable {
                            provider,
                            action,
                            message: message.clone(),
                        });
                    }
                    tried.end = End::NoReply(message);
                    return tried;
                }
            };
            let answer = match read(&reply) {
                Ok(value) => {
                    self.pacer.succeeded();
                    tried.end = End::Ok(value);
                    return tried;
                }
                Err(answer) => answer,
            };
            tried.last = Some(answer.clone());
            match answer.class {
                Class::Done(_) => {
                    self.pacer.succeeded();
                    tried.end = End::Done(answer);
                    return tried;
                }
                Class::Throttled => {
                    self.pacer.throttled(answer.retry_after);
                    throttled += 1;
                    if throttled <= self.max_retries.max(THROTTLE_RETRIES) {
                        // The pacer slows everyone; this request also backs off, so a quota
                        // that stays exhausted is not hammered.
                        self.pause(backoff(throttled).max(answer.retry_after.unwrap_or_default()))
                            .await;
                        continue;
                    }
                    tried.end = End::Throttled(answer);
                    return tried;
                }
                Class::Transient => {
                    tried.ambiguous = Some(describe(&answer));
                    if retries_left {
                        let wait =
                            backoff(tried.attempts).max(answer.retry_after.unwrap_or_default());
                        self.pause(wait).await;
                        continue;
                    }
                    tried.end = End::Transient(answer);
                    return tried;
                }
                Class::Abort => {
                    self.stop_with(Error::Rejected {
                        provider,
                        action,
                        message: describe(&answer),
                    });
                    tried.end = End::Aborted(answer);
                    return tried;
                }
            }
        }
    }
}

impl<T> Tried<T> {
    /// Why the exchange did not produce a value, in one line (`None` for [`End::Ok`]).
    pub fn failure(&self) -> Option<String> {
        Some(match &self.end {
            End::Ok(_) => return None,
            End::Done(a) | End::Aborted(a) => describe(a),
            End::Throttled(a) => format!(
                "throttled after {} attempts{}",
                self.attempts,
                a.message
                    .as_ref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ),
            End::Transient(a) => format!("{} (after {} attempts)", describe(a), self.attempts),
            End::NoReply(m) => format!("{m} (after {} attempts)", self.attempts),
            End::Stopped(reason) => reason.clone(),
        })
    }
}

/// An answer in one line: `CODE: message`, or what there is of it.
pub fn describe(answer: &Answer) -> String {
    match (&answer.code, &answer.message) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => format!("{c} (HTTP {})", answer.http_status),
        (None, Some(m)) => m.clone(),
        (None, None) => format!("HTTP {}", answer.http_status),
    }
}
