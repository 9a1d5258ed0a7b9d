//! One request from first attempt to final answer: pace, sign afresh, send, classify, retry.
//! Shared by every driver (delete one id, delete a batch, poll tasks, list a page), so they
//! all treat throttling, 5xx answers, dropped connections, rejected credentials and the
//! deadline the same way.
//!
//! - [`Class::Throttled`] slows the whole run down ([`Pacer::throttled`]) and retries.
//! - [`Class::Transient`] and a failed send retry with backoff; either may have been carried
//!   out by the server, which is recorded as `ambiguous` for the caller's reporting.
//! - [`Class::Abort`] stops the run for everyone ([`Sender::stop_with`]).
//! - Never reaching the server on any attempt (connection refused, DNS) stops the run too, and
//!   so does a server that has not answered a single request of the run while
//!   [`SILENT_ATTEMPTS`] attempts in a row got no reply (it accepts and stalls, or never reads).
//! - Time is bounded three ways: each attempt by `--timeout`; each exchange, with every retry,
//!   backoff and throttling pause, by `--retry-timeout` ([`Sender::retry_timeout`], counted
//!   from the first attempt); the run by `--deadline`, which also cuts requests in flight. A
//!   request cut short may have been carried out: it is reported as such, never `deleted`.

use crate::error::Error;
use crate::pace::{backoff, Pacer};
use crate::provider::{Answer, Class};
use crate::settings::RunSettings;
use crate::sign::Stamp;
use crate::transport::{SendError, Transport};
use crate::wire::{Reply, Request};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Retries of throttled attempts per request (at least `--max-retries`), each after a backoff
/// (250 ms doubling to 8 s): enough for the pacer to come down from a rate far above the quota,
/// at most about 80 s for one request whose quota stays exhausted.
pub const THROTTLE_RETRIES: u32 = 15;

/// A server hint (`Retry-After`, `x-acs-retry-after`) is honoured up to this long; the
/// exchange's own budget (`--retry-timeout`) still bounds the total.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Attempts in a row without any reply, on a run whose server has answered nothing yet, after
/// which the run stops: the endpoint accepts connections but does not answer.
pub const SILENT_ATTEMPTS: u32 = 3;

/// Everything the attempts of one run share.
pub struct Sender {
    pub transport: Arc<dyn Transport>,
    pub pacer: Pacer,
    pub max_retries: u32,
    pub deadline: Option<Instant>,
    /// Most time one exchange may take, from its first attempt.
    pub retry_timeout: Duration,
    /// Retry at once instead of backing off (tests; `CERTDEL_TEST_NO_RETRY_DELAY`).
    pub no_retry_delay: bool,
    /// Set once when the run must stop; later requests are not sent.
    stop: Mutex<Option<Error>>,
    /// Some reply (any status) has come back in this run.
    answered: AtomicBool,
    /// Attempts in a row that ended without a reply.
    silent: AtomicU32,
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
        transport: Arc<dyn Transport>,
        pacer: Pacer,
        max_retries: u32,
        deadline: Option<Instant>,
    ) -> Sender {
        Sender {
            transport,
            pacer,
            max_retries,
            deadline,
            retry_timeout: Duration::from_secs(45),
            no_retry_delay: false,
            stop: Mutex::new(None),
            answered: AtomicBool::new(false),
            silent: AtomicU32::new(0),
        }
    }

    /// The sender for one run: `rate` requests per second, the run's retries and deadline
    /// (counted from now).
    pub fn for_run(transport: impl Transport, rate: f64, run: &RunSettings) -> Sender {
        let mut sender = Sender::new(
            Arc::new(transport),
            Pacer::new(rate),
            run.max_retries,
            run.deadline.map(|d| crate::pace::later(Instant::now(), d)),
        );
        sender.retry_timeout = run.retry_timeout;
        sender.no_retry_delay = run.no_retry_delay;
        sender
    }

    /// Sleep before a retry, but never past `limit` (the exchange's budget or the deadline).
    async fn pause(&self, wait: Duration, limit: Instant) {
        if self.no_retry_delay {
            return;
        }
        let until = crate::pace::later(Instant::now(), wait).min(limit);
        tokio::time::sleep_until(until).await;
    }

    /// A reply came back: the server is there.
    fn heard(&self) {
        self.answered.store(true, Ordering::Relaxed);
        self.silent.store(0, Ordering::Relaxed);
    }

    /// An attempt got no reply; `true` when the run should stop because the server has
    /// answered nothing yet and [`SILENT_ATTEMPTS`] attempts in a row went unanswered.
    fn unheard(&self) -> bool {
        let n = self.silent.fetch_add(1, Ordering::Relaxed) + 1;
        !self.answered.load(Ordering::Relaxed) && n >= SILENT_ATTEMPTS
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
        // The exchange's budget runs from its first attempt; the deadline bounds it too.
        let mut limit: Option<Instant> = None;
        loop {
            if let Some(reason) = self.stopped() {
                tried.end = End::Stopped(format!("run stopped: {reason}"));
                return tried;
            }
            if self.deadline.is_some_and(|d| Instant::now() >= d) {
                tried.end = End::Stopped("deadline reached".into());
                return tried;
            }
            if limit.is_some_and(|l| Instant::now() >= l) {
                tried.end = End::Stopped(self.out_of_time(&tried));
                return tried;
            }
            self.pacer.wait().await;
            if let Some(reason) = self.stopped() {
                tried.end = End::Stopped(format!("run stopped: {reason}"));
                return tried;
            }
            let now = Instant::now();
            let budget_end = *limit.get_or_insert_with(|| {
                now.checked_add(self.retry_timeout)
                    .unwrap_or(now + Duration::from_secs(86_400 * 365))
            });
            let cut = self.deadline.map_or(budget_end, |d| d.min(budget_end));
            if now >= cut {
                tried.end = End::Stopped(self.out_of_time(&tried));
                return tried;
            }
            let request = build(&Stamp::now());
            tried.attempts += 1;
            // A throttled request was refused before it was carried out, so throttling has a
            // budget of its own: a run that starts above the quota slows down (the pacer)
            // without using up the retries meant for faults.
            let retries_left = tried.attempts - throttled <= self.max_retries;

            let sent = tokio::time::timeout_at(cut, self.transport.send(&request)).await;
            let reply = match sent {
                // Cut short by the deadline or the exchange's budget: it may have been
                // carried out.
                Err(_elapsed) => {
                    tried.ambiguous = Some("a request still in flight when time ran out".into());
                    if self.unheard() {
                        self.stop_silent(provider, action, None);
                    }
                    tried.end = End::Stopped(self.out_of_time(&tried));
                    return tried;
                }
                Ok(Ok(reply)) => {
                    self.heard();
                    reply
                }
                Ok(Err(SendError {
                    message,
                    maybe_sent,
                    permanent,
                })) => {
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
                    if self.unheard() {
                        self.stop_silent(provider, action, Some(&message));
                        tried.end = End::NoReply(message);
                        return tried;
                    }
                    if retries_left {
                        self.pause(backoff(tried.attempts), cut).await;
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
            // Already capped at MAX_RETRY_AFTER where it is read (`provider::retry_after`).
            let hint = answer.retry_after;
            match answer.class {
                Class::Done(_) => {
                    self.pacer.succeeded();
                    tried.end = End::Done(answer);
                    return tried;
                }
                Class::Throttled => {
                    self.pacer.throttled(hint);
                    throttled += 1;
                    if throttled <= self.max_retries.max(THROTTLE_RETRIES) {
                        // The pacer slows everyone; this request also backs off, so a quota
                        // that stays exhausted is not hammered.
                        self.pause(backoff(throttled).max(hint.unwrap_or_default()), cut)
                            .await;
                        continue;
                    }
                    tried.end = End::Throttled(answer);
                    return tried;
                }
                Class::Transient => {
                    tried.ambiguous = Some(describe(&answer));
                    if retries_left {
                        let wait = backoff(tried.attempts).max(hint.unwrap_or_default());
                        self.pause(wait, cut).await;
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

    /// Stop the run: the server has answered nothing while [`SILENT_ATTEMPTS`] attempts in a
    /// row went unanswered (`last`: the transport's word on the latest).
    fn stop_silent(&self, provider: &'static str, action: &'static str, last: Option<&str>) {
        let last = last.map(|m| format!("; last: {m}")).unwrap_or_default();
        self.stop_with(Error::Unreachable {
            provider,
            action,
            message: format!(
                "no reply to any request so far ({SILENT_ATTEMPTS} attempts in a row without one{last})"
            ),
        });
    }

    /// Why an exchange ran out of time: the run's deadline, or its own budget.
    fn out_of_time<T>(&self, tried: &Tried<T>) -> String {
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            "deadline reached".into()
        } else {
            let last = tried
                .last
                .as_ref()
                .map(|a| format!("; last answer {}", describe(a)))
                .unwrap_or_default();
            format!(
                "out of time: --retry-timeout {} s used up{last}",
                self.retry_timeout.as_secs_f64()
            )
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
