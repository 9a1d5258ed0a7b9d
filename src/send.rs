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
//! - Time is bounded three ways: each attempt by `--timeout` (the transport's); each
//!   exchange, with every retry, backoff and throttling pause, by `--retry-timeout`
//!   ([`RetryConfig::retry_timeout`], counted from the first attempt); the run by
//!   `--deadline`, which also cuts requests in flight. A request cut short may have been
//!   carried out: it is reported as such, never `deleted`.
//! - An interrupt ([`Interrupt`]) starts no new attempt: the loop checks it before each one
//!   and wakes from pacing and backoff waits on it (`End::Stopped("interrupted by SIGINT")`).
//!   A request already in flight is given until its timeout, unless a second interrupt comes:
//!   then it is abandoned, and may have been carried out.
//!
//! Every number the loop uses is in one [`RetryConfig`]; the backoff's jitter comes from a
//! [`Jitter`] the [`Sender`] holds (seeded from the operating system in a run, fixed in
//! tests). Requests go out through a [`Transport`]: the reqwest client in a run, a scripted
//! one in this module's tests.

use crate::diagnostics::Heard;
use crate::error::Error;
use crate::interrupt::Interrupt;
use crate::pace::{Backoff, Jitter, Pacer, SplitMix64};
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

/// Retries after a fault when no `--max-retries` is given (the flag's default).
pub const MAX_RETRIES: u32 = 8;

/// Most time one exchange may take when no `--retry-timeout` is given (the flag's default).
pub const RETRY_TIMEOUT: Duration = Duration::from_secs(45);

/// A server hint (`Retry-After`, `x-acs-retry-after`) is honoured up to this long; the
/// exchange's own budget (`--retry-timeout`) still bounds the total.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Attempts in a row without any reply, on a run whose server has answered nothing yet, after
/// which the run stops: the endpoint accepts connections but does not answer.
pub const SILENT_ATTEMPTS: u32 = 3;

/// The ambiguity of a request abandoned by a second interrupt: it may have been carried out.
pub const IN_FLIGHT: &str = "interrupted while in flight";

/// How the exchanges of a run retry: every limit and wait [`Sender::exchange`] uses. The
/// run's deadline, which bounds everything, stays on the [`Sender`]; the jitter source too
/// (it has state). `Default` is what a run without retry flags gets; [`RetryConfig::for_run`]
/// reads the run's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryConfig {
    /// Retries after a fault: a transient answer (5xx, an unreadable reply, CA busy) or a
    /// failed send. Default [`MAX_RETRIES`] (8); `--max-retries`.
    pub max_retries: u32,
    /// Retries after throttling answers, counted apart from the faults' retries: a request
    /// may be throttled `max(max_retries, throttle_retries)` times and still go on. Default
    /// [`THROTTLE_RETRIES`] (15); no flag.
    pub throttle_retries: u32,
    /// Most time one exchange may take, counted from its first attempt, with every retry,
    /// backoff and throttling pause; a request in flight when it runs out is cut. Default
    /// [`RETRY_TIMEOUT`] (45 s); `--retry-timeout`.
    pub retry_timeout: Duration,
    /// The longest server retry hint (`Retry-After`, `x-acs-retry-after`) honoured, by the
    /// waits and by the pacer. Default [`MAX_RETRY_AFTER`] (30 s), which is also the cap
    /// replies are read with ([`crate::provider::retry_after`]), so only a lower value changes
    /// anything; no flag.
    pub max_retry_after: Duration,
    /// Attempts in a row without a reply, on a run whose server has answered nothing yet,
    /// after which the run stops. Default [`SILENT_ATTEMPTS`] (3); no flag.
    pub silent_attempts: u32,
    /// The wait before each retry, before jitter. Default 250 ms doubling to 8 s
    /// ([`Backoff::default`]); no flag.
    pub backoff: Backoff,
    /// Retry at once: no backoff and no waiting out hints, and asynchronous tasks polled
    /// again after milliseconds instead of [`crate::execute::POLL_EVERY`] (pacing is
    /// unchanged). Default
    /// `false`; set by the test-only environment variable `CERTDEL_TEST_NO_RETRY_DELAY`
    /// ([`RunSettings::no_retry_delay`]).
    pub no_retry_delay: bool,
}

impl Default for RetryConfig {
    fn default() -> RetryConfig {
        RetryConfig {
            max_retries: MAX_RETRIES,
            throttle_retries: THROTTLE_RETRIES,
            retry_timeout: RETRY_TIMEOUT,
            max_retry_after: MAX_RETRY_AFTER,
            silent_attempts: SILENT_ATTEMPTS,
            backoff: Backoff::default(),
            no_retry_delay: false,
        }
    }
}

impl RetryConfig {
    /// The defaults with what the run's settings say (`--max-retries`, `--retry-timeout`,
    /// `CERTDEL_TEST_NO_RETRY_DELAY`).
    pub fn for_run(run: &RunSettings) -> RetryConfig {
        RetryConfig {
            max_retries: run.max_retries,
            retry_timeout: run.retry_timeout,
            no_retry_delay: run.no_retry_delay,
            ..RetryConfig::default()
        }
    }
}

/// Everything the attempts of one run share.
pub struct Sender {
    pub transport: Arc<dyn Transport>,
    pub pacer: Pacer,
    pub retry: RetryConfig,
    pub deadline: Option<Instant>,
    /// Draws the backoff jitter (one generator for the whole run).
    jitter: Mutex<Box<dyn Jitter>>,
    /// Set once when the run must stop; later requests are not sent.
    stop: Mutex<Option<Error>>,
    /// Some reply (any status) has come back in this run.
    answered: AtomicBool,
    /// Attempts in a row that ended without a reply.
    silent: AtomicU32,
    /// SIGINT / SIGTERM: no new attempts after the first, no more waiting after the second.
    interrupt: Interrupt,
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
    /// A sender whose jitter is seeded from the operating system ([`Sender::with_jitter`]
    /// replaces it).
    pub fn new(
        transport: Arc<dyn Transport>,
        pacer: Pacer,
        retry: RetryConfig,
        deadline: Option<Instant>,
    ) -> Sender {
        Sender {
            transport,
            pacer,
            retry,
            deadline,
            jitter: Mutex::new(Box::new(SplitMix64::from_entropy())),
            stop: Mutex::new(None),
            answered: AtomicBool::new(false),
            silent: AtomicU32::new(0),
            interrupt: Interrupt::new(),
        }
    }

    /// The sender for one run: `rate` requests per second, the run's retries and deadline
    /// (counted from now).
    pub fn for_run(transport: Arc<dyn Transport>, rate: f64, run: &RunSettings) -> Sender {
        Sender::new(
            transport,
            Pacer::new(rate),
            RetryConfig::for_run(run),
            run.deadline.map(|d| crate::pace::later(Instant::now(), d)),
        )
    }

    /// The same sender with this jitter source (tests: a fixed seed, so every wait is known).
    pub fn with_jitter(mut self, jitter: impl Jitter + 'static) -> Sender {
        self.jitter = Mutex::new(Box::new(jitter));
        self
    }

    /// The same sender listening to this interrupt state (a run: the one the signal handlers
    /// feed; without it, a sender nothing interrupts).
    pub fn with_interrupt(mut self, interrupt: Interrupt) -> Sender {
        self.interrupt = interrupt;
        self
    }

    /// The interrupt state this sender listens to.
    pub fn interrupt(&self) -> &Interrupt {
        &self.interrupt
    }

    /// Why no new request may start because of an interrupt (`interrupted by SIGTERM`).
    pub fn interrupted(&self) -> Option<String> {
        self.interrupt.reason()
    }

    /// The backoff before retry `n` (1-based), jittered.
    fn backoff(&self, n: u32) -> Duration {
        let jitter = self.jitter.lock().expect("jitter lock").unit();
        self.retry.backoff.delay(n, jitter)
    }

    /// Sleep before a retry, but never past `limit` (the exchange's budget or the deadline),
    /// and not past an interrupt.
    async fn pause(&self, wait: Duration, limit: Instant) {
        if self.retry.no_retry_delay {
            return;
        }
        let until = crate::pace::later(Instant::now(), wait).min(limit);
        tokio::select! {
            _ = self.interrupt.first() => {}
            () = tokio::time::sleep_until(until) => {}
        }
    }

    /// A reply came back: the server is there.
    fn heard(&self) {
        self.answered.store(true, Ordering::Relaxed);
        self.silent.store(0, Ordering::Relaxed);
    }

    /// An attempt got no reply; `true` when the run should stop because the server has
    /// answered nothing yet and [`RetryConfig::silent_attempts`] attempts in a row went
    /// unanswered.
    fn unheard(&self) -> bool {
        let n = self.silent.fetch_add(1, Ordering::Relaxed) + 1;
        !self.answered.load(Ordering::Relaxed) && n >= self.retry.silent_attempts
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
            if let Some(reason) = self.interrupted() {
                tried.end = End::Stopped(reason);
                return tried;
            }
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
            tokio::select! {
                _ = self.interrupt.first() => {}
                () = self.pacer.wait() => {}
            }
            if let Some(reason) = self.interrupted() {
                tried.end = End::Stopped(reason);
                return tried;
            }
            if let Some(reason) = self.stopped() {
                tried.end = End::Stopped(format!("run stopped: {reason}"));
                return tried;
            }
            let now = Instant::now();
            let budget_end = *limit.get_or_insert_with(|| {
                now.checked_add(self.retry.retry_timeout)
                    .unwrap_or(now + Duration::from_secs(86_400 * 365))
            });
            let cut = self.deadline.map_or(budget_end, |d| d.min(budget_end));
            if now >= cut {
                tried.end = End::Stopped(self.out_of_time(&tried));
                return tried;
            }
            let stamp = Stamp::now();
            let request = build(&stamp);
            tried.attempts += 1;
            // A throttled request was refused before it was carried out, so throttling has a
            // budget of its own: a run that starts above the quota slows down (the pacer)
            // without using up the retries meant for faults.
            let retries_left = tried.attempts - throttled <= self.retry.max_retries;

            // A first interrupt lets the request answer (within its timeout); a second one
            // abandons it. `biased`: an answer that is there is taken.
            let began = Instant::now();
            // `-v`: this attempt, once its end is known.
            let logged = |heard: Heard<'_>| {
                crate::diagnostics::attempt(&request, tried.attempts, began.elapsed(), heard)
            };
            let sent = tokio::select! {
                biased;
                sent = tokio::time::timeout_at(cut, self.transport.send(&request)) => sent,
                () = self.interrupt.second() => {
                    logged(Heard::Nothing("abandoned: interrupted again"));
                    tried.ambiguous = Some(IN_FLIGHT.into());
                    tried.end = End::Stopped(format!(
                        "{}, then again: stopped waiting for the reply",
                        self.interrupted().unwrap_or_else(|| "interrupted".into())
                    ));
                    return tried;
                }
            };
            let reply = match sent {
                // Cut short by the deadline or the exchange's budget: it may have been
                // carried out.
                Err(_elapsed) => {
                    logged(Heard::Nothing("no reply before time ran out"));
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
                    logged(Heard::Nothing(&message));
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
                        self.pause(self.backoff(tried.attempts), cut).await;
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
            let outcome = read(&reply);
            let unread = outcome.as_ref().err();
            logged(Heard::Reply {
                reply: &reply,
                code: unread.and_then(|a| a.code.as_deref()),
                request_id: unread.and_then(|a| a.request_id.as_deref()),
            });
            let mut answer = match outcome {
                Ok(value) => {
                    self.pacer.succeeded();
                    tried.end = End::Ok(value);
                    return tried;
                }
                Err(answer) => answer,
            };
            // A refused signature or request time, from a server whose clock is far from
            // the one the request was signed with: say so, it is the fix.
            if answer.class == Class::Abort && answer.clock {
                if let Some(note) = crate::provider::clock_skew(&reply, stamp.time) {
                    answer.message = Some(match answer.message.take() {
                        Some(m) if !m.trim().is_empty() => format!("{m}; {note}"),
                        _ => note,
                    });
                }
            }
            tried.last = Some(answer.clone());
            // Replies are read with MAX_RETRY_AFTER as the cap (`provider::retry_after`); the
            // configuration may hold a lower one.
            let hint = answer
                .retry_after
                .map(|h| h.min(self.retry.max_retry_after));
            match answer.class {
                Class::Done(_) => {
                    self.pacer.succeeded();
                    tried.end = End::Done(answer);
                    return tried;
                }
                Class::Throttled => {
                    self.pacer.throttled(hint);
                    throttled += 1;
                    if throttled <= self.retry.max_retries.max(self.retry.throttle_retries) {
                        // The pacer slows everyone; this request also backs off, so a quota
                        // that stays exhausted is not hammered.
                        let wait = self.backoff(throttled).max(hint.unwrap_or_default());
                        self.pause(wait, cut).await;
                        continue;
                    }
                    tried.end = End::Throttled(answer);
                    return tried;
                }
                Class::Transient => {
                    tried.ambiguous = Some(describe(&answer));
                    if retries_left {
                        let wait = self.backoff(tried.attempts).max(hint.unwrap_or_default());
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

    /// Stop the run: the server has answered nothing while
    /// [`RetryConfig::silent_attempts`] attempts in a row went unanswered (`last`: the
    /// transport's word on the latest).
    fn stop_silent(&self, provider: &'static str, action: &'static str, last: Option<&str>) {
        let last = last.map(|m| format!("; last: {m}")).unwrap_or_default();
        let n = self.retry.silent_attempts;
        self.stop_with(Error::Unreachable {
            provider,
            action,
            message: format!(
                "no reply to any request so far ({n} attempts in a row without one{last})"
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
                self.retry.retry_timeout.as_secs_f64()
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

/// An answer's message without its code, for text that sits beside the code (an outcome
/// records the code on its own, and the text output prints `CODE: message`): the message, or
/// the HTTP status when there is none.
pub fn describe_after_code(answer: &Answer) -> String {
    match &answer.message {
        Some(m) => m.clone(),
        None => format!("HTTP {}", answer.http_status),
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

#[cfg(test)]
mod tests {
    //! The retry loop against a scripted transport, in paused time: every wait is virtual, and
    //! with the jitter fixed at 1 each backoff is exactly 250 ms × 2^(n-1).
    use super::*;
    use crate::interrupt::Signal;
    use crate::outcome::Status;
    use crate::settings::Trust;
    use crate::transport::testing::{Scripted, Step};
    use std::cell::Cell;

    /// A pacer rate so high the slots are 0 apart: the waits measured are the loop's own.
    const NO_PACING: f64 = 1e300;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn retries(max_retries: u32) -> RetryConfig {
        RetryConfig {
            max_retries,
            ..RetryConfig::default()
        }
    }

    fn sender(
        steps: impl IntoIterator<Item = Step>,
        retry: RetryConfig,
    ) -> (Arc<Scripted>, Sender) {
        let transport = Arc::new(Scripted::new(steps));
        let sender =
            Sender::new(transport.clone(), Pacer::new(NO_PACING), retry, None).with_jitter(|| 1.0);
        (transport, sender)
    }

    fn build(stamp: &Stamp) -> Request {
        Request::new("POST", "http", "127.0.0.1:9", "/")
            .header("x-nonce", stamp.nonce.clone())
            .header("x-time", stamp.time.to_rfc3339())
    }

    /// 200 is a value; the other statuses are the classes the loop tells apart.
    fn read(reply: &Reply) -> Result<u16, Answer> {
        let class = match reply.status {
            200 => return Ok(200),
            429 => Class::Throttled,
            401 => Class::Abort,
            404 => Class::Done(Status::NotFound),
            _ => Class::Transient,
        };
        Err(Answer::new(class, reply))
    }

    /// One exchange, and how much (virtual) time it took.
    async fn exchange(sender: &Sender) -> (Tried<u16>, Duration) {
        let start = Instant::now();
        let tried = sender.exchange("test", "Call", None, build, read).await;
        (tried, start.elapsed())
    }

    fn repeat(step: Step, n: usize) -> Vec<Step> {
        std::iter::repeat_n(step, n).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn transient_answers_are_retried_up_to_max_retries() {
        let (t, s) = sender(repeat(Step::status(503), 5), retries(3));
        let (tried, took) = exchange(&s).await;
        assert!(matches!(tried.end, End::Transient(ref a) if a.http_status == 503));
        assert_eq!((tried.attempts, t.calls()), (4, 4));
        assert_eq!(tried.ambiguous.as_deref(), Some("HTTP 503"));
        assert_eq!(took, ms(250 + 500 + 1000));
        assert!(s.stopped().is_none());
        assert_eq!(
            tried.failure().as_deref(),
            Some("HTTP 503 (after 4 attempts)")
        );

        // A later success still reports that an earlier attempt may have been carried out.
        let (t, s) = sender(
            [Step::status(503), Step::status(503), Step::status(200)],
            retries(3),
        );
        let (tried, took) = exchange(&s).await;
        assert!(matches!(tried.end, End::Ok(200)));
        assert_eq!((tried.attempts, t.calls()), (3, 3));
        assert!(tried.ambiguous.is_some());
        assert_eq!(took, ms(250 + 500));
    }

    /// `-v`: one line per attempt, with the attempt's number, its end (status or why no
    /// reply) and how long it took (virtual time here, so exact); nothing at the default level.
    #[tokio::test(start_paused = true)]
    async fn every_attempt_is_logged_at_debug() {
        use crate::diagnostics::{subscriber, Buffer, Verbosity};
        let buf = Buffer::default();
        let guard =
            tracing::subscriber::set_default(subscriber(Verbosity::Attempts, false, buf.clone()));
        let (_, s) = sender(
            [
                Step::slow(ms(40), Step::status(503)),
                Step::fail("connection reset", true),
                Step::slow(ms(7), Step::status(200)),
            ],
            retries(3),
        );
        let (tried, _) = exchange(&s).await;
        drop(guard);
        assert!(matches!(tried.end, End::Ok(200)));
        let text = buf.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        for line in &lines {
            for field in ["method=\"POST\"", "host=\"127.0.0.1:9\"", "action=\"/\""] {
                assert!(line.contains(field), "{field}: {line}");
            }
        }
        assert!(
            lines[0].contains("status=503")
                && lines[0].contains("attempt=1")
                && lines[0].contains("took=40ms"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].contains("error=\"connection reset\"") && lines[1].contains("attempt=2"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].contains("status=200")
                && lines[2].contains("attempt=3")
                && lines[2].contains("took=7ms"),
            "{}",
            lines[2]
        );

        let quiet = Buffer::default();
        let guard =
            tracing::subscriber::set_default(subscriber(Verbosity::Normal, false, quiet.clone()));
        let (_, s) = sender([Step::status(503), Step::status(200)], retries(3));
        exchange(&s).await;
        drop(guard);
        assert_eq!(quiet.text(), "");
    }

    #[tokio::test(start_paused = true)]
    async fn a_final_answer_ends_the_exchange_at_once() {
        let (t, s) = sender([Step::status(404)], retries(3));
        let (tried, took) = exchange(&s).await;
        assert!(matches!(tried.end, End::Done(ref a) if a.class == Class::Done(Status::NotFound)));
        assert_eq!((tried.attempts, t.calls(), took), (1, 1, Duration::ZERO));
        assert!(tried.ambiguous.is_none());
        assert_eq!(tried.last.map(|a| a.http_status), Some(404));
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_has_its_own_budget_and_slows_the_pacer() {
        // Throttled answers do not use up the retries meant for faults: one fault retry
        // allowed, and still five attempts before the second fault ends it.
        let (t, s) = sender(
            [
                Step::status(429),
                Step::status(429),
                Step::status(503),
                Step::status(429),
                Step::status(503),
            ],
            retries(1),
        );
        let (tried, _) = exchange(&s).await;
        assert!(matches!(tried.end, End::Transient(_)), "{:?}", tried.end);
        assert_eq!((tried.attempts, t.calls()), (5, 5));

        // The throttling budget: max(max_retries, throttle_retries) retries, here 5.
        let retry = RetryConfig {
            max_retries: 2,
            throttle_retries: 5,
            ..RetryConfig::default()
        };
        let (t, s) = sender(repeat(Step::status(429), 10), retry);
        let s = Sender {
            pacer: Pacer::new(10.0),
            ..s
        };
        let (tried, took) = exchange(&s).await;
        assert!(matches!(tried.end, End::Throttled(_)), "{:?}", tried.end);
        assert_eq!((tried.attempts, t.calls()), (6, 6));
        // Refused before being carried out: nothing ambiguous.
        assert!(tried.ambiguous.is_none());
        assert_eq!(
            tried.failure().as_deref(),
            Some("throttled after 6 attempts")
        );
        // Each throttled attempt backed off (the pacer's pauses are shorter).
        assert_eq!(took, ms(250 + 500 + 1000 + 2000 + 4000));
        assert!(s.pacer.interval() > ms(100), "{:?}", s.pacer.interval());

        // A larger --max-retries raises the throttling budget too.
        let retry = RetryConfig {
            max_retries: 7,
            throttle_retries: 3,
            no_retry_delay: true,
            ..RetryConfig::default()
        };
        let (t, s) = sender(repeat(Step::status(429), 10), retry);
        let (tried, _) = exchange(&s).await;
        assert!(matches!(tried.end, End::Throttled(_)));
        assert_eq!((tried.attempts, t.calls()), (8, 8));
    }

    #[tokio::test(start_paused = true)]
    async fn a_send_that_may_have_arrived_is_ambiguous_one_that_never_left_is_not() {
        let (t, s) = sender([Step::fail("reset", true), Step::status(200)], retries(3));
        let (tried, took) = exchange(&s).await;
        assert!(matches!(tried.end, End::Ok(200)));
        assert_eq!(tried.ambiguous.as_deref(), Some("reset"));
        assert_eq!((tried.attempts, t.calls(), took), (2, 2, ms(250)));

        let (t, s) = sender(
            [Step::fail("refused", false), Step::status(200)],
            retries(3),
        );
        let (tried, _) = exchange(&s).await;
        assert!(matches!(tried.end, End::Ok(200)));
        assert_eq!(tried.ambiguous, None);
        assert_eq!(t.calls(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn never_reaching_the_server_stops_the_run() {
        // Many silent attempts allowed, so what stops the run is the rule under test.
        let retry = RetryConfig {
            max_retries: 2,
            silent_attempts: 100,
            ..RetryConfig::default()
        };
        let (t, s) = sender(repeat(Step::fail("refused", false), 3), retry.clone());
        let (tried, took) = exchange(&s).await;
        assert!(matches!(tried.end, End::NoReply(ref m) if m == "refused"));
        assert_eq!((tried.attempts, t.calls()), (3, 3));
        assert_eq!(took, ms(250 + 500));
        assert!(tried.ambiguous.is_none());
        let reason = s.stopped().expect("the run is stopped");
        assert!(reason.contains("refused"), "{reason}");
        // The next exchange is not sent.
        let (tried, _) = exchange(&s).await;
        assert!(matches!(tried.end, End::Stopped(ref r) if r.starts_with("run stopped: ")));
        assert_eq!((tried.attempts, t.calls()), (0, 3));

        // One attempt that may have arrived: it is not "down for everyone".
        let (t, s) = sender(
            [
                Step::fail("reset", true),
                Step::fail("refused", false),
                Step::fail("refused", false),
            ],
            retry,
        );
        let (tried, _) = exchange(&s).await;
        assert!(matches!(tried.end, End::NoReply(_)));
        assert_eq!(t.calls(), 3);
        assert_eq!(tried.ambiguous.as_deref(), Some("reset"));
        assert!(s.stopped().is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn a_server_that_never_answers_stops_the_run_after_the_silent_attempts() {
        let (t, s) = sender(repeat(Step::fail("reset", true), 10), retries(8));
        let (tried, _) = exchange(&s).await;
        assert!(matches!(tried.end, End::NoReply(_)));
        assert_eq!((tried.attempts, t.calls()), (SILENT_ATTEMPTS, 3));
        let reason = s.stopped().expect("the run is stopped");
        assert!(
            reason.contains(
                "no reply to any request so far (3 attempts in a row without one; last: reset)"
            ),
            "{reason}"
        );

        // Once the server has answered, silence is a fault like any other, retried.
        let mut steps = vec![Step::status(200)];
        steps.extend(repeat(Step::fail("reset", true), 5));
        let (t, s) = sender(steps, retries(4));
        assert!(matches!(exchange(&s).await.0.end, End::Ok(200)));
        let (tried, _) = exchange(&s).await;
        assert!(matches!(tried.end, End::NoReply(_)));
        assert_eq!((tried.attempts, t.calls()), (5, 6));
        assert!(s.stopped().is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn a_refused_server_certificate_stops_at_once() {
        let refused = Step::Fail(SendError {
            message: "invalid peer certificate: UnknownIssuer".into(),
            maybe_sent: false,
            permanent: true,
        });
        let (t, s) = sender(repeat(refused, 3), retries(8));
        let (tried, took) = exchange(&s).await;
        assert!(matches!(tried.end, End::NoReply(_)));
        assert_eq!((tried.attempts, t.calls(), took), (1, 1, Duration::ZERO));
        let reason = s.stopped().expect("the run is stopped");
        assert!(reason.contains("UnknownIssuer"), "{reason}");
    }

    #[tokio::test(start_paused = true)]
    async fn an_abort_answer_stops_the_run_and_later_exchanges_are_not_sent() {
        let (t, s) = sender([Step::status(401), Step::status(200)], retries(8));
        let (tried, _) = exchange(&s).await;
        assert!(matches!(tried.end, End::Aborted(ref a) if a.http_status == 401));
        assert_eq!(tried.attempts, 1);
        let reason = s.stopped().expect("the run is stopped");
        assert!(reason.contains("HTTP 401"), "{reason}");
        let (tried, _) = exchange(&s).await;
        assert!(matches!(tried.end, End::Stopped(ref r) if r.starts_with("run stopped: ")));
        assert_eq!((tried.attempts, t.calls(), t.left()), (0, 1, 1));
        assert!(matches!(s.take_stop(), Some(Error::Rejected { .. })));
    }

    /// A refused signature from a server whose `Date` is far from the signing time: the
    /// error that stops the run, and the answer recorded for the id, say the clock is off.
    #[tokio::test(start_paused = true)]
    async fn a_refused_signature_with_a_skewed_date_names_the_clock() {
        let tencent = crate::provider::build(&crate::provider::ProviderSettings::for_test(
            crate::provider::Kind::TencentSsl,
        ));
        let body = r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureExpire","Message":"签名过期"},"RequestId":"r"}}"#;
        // Stamps read the real clock: the server's is 5 min 12 s ahead of it.
        let server = chrono::Utc::now() + chrono::TimeDelta::milliseconds(312_500);
        let date = server.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        let skewed = Step::Reply(Reply {
            status: 200,
            headers: vec![("date".into(), date)],
            body: body.as_bytes().to_vec(),
        });
        let (_, s) = sender([skewed], retries(8));
        let tried = s
            .exchange("tencent-ssl", "DeleteCertificate", None, build, |r| {
                Err::<(), _>(tencent.delete_answer(r))
            })
            .await;
        let note = "the server's clock differs from this machine's by 5 min 12 s (this machine \
                    is behind): fix the local clock (NTP)";
        assert!(matches!(tried.end, End::Aborted(_)));
        assert_eq!(
            tried.last.as_ref().and_then(|a| a.message.as_deref()),
            Some(format!("签名过期; {note}").as_str())
        );
        let err = s.take_stop().expect("the run is stopped").to_string();
        assert_eq!(
            err,
            format!(
                "tencent-ssl: DeleteCertificate: AuthFailure.SignatureExpire: 签名过期; {note}"
            )
        );

        // The same refusal with the clocks in step says nothing about clocks.
        let date = chrono::Utc::now()
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let (_, s) = sender(
            [Step::Reply(Reply {
                status: 200,
                headers: vec![("date".into(), date)],
                body: body.as_bytes().to_vec(),
            })],
            retries(8),
        );
        s.exchange("tencent-ssl", "DeleteCertificate", None, build, |r| {
            Err::<(), _>(tencent.delete_answer(r))
        })
        .await;
        let err = s.take_stop().expect("the run is stopped").to_string();
        assert!(!err.contains("clock"), "{err}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_cuts_a_request_in_flight() {
        let (t, s) = sender([Step::Hang, Step::status(200)], retries(8));
        let s = Sender {
            deadline: Some(Instant::now() + Duration::from_secs(5)),
            ..s
        };
        let (tried, took) = exchange(&s).await;
        assert!(matches!(tried.end, End::Stopped(ref r) if r == "deadline reached"));
        assert_eq!(took, Duration::from_secs(5));
        assert_eq!((tried.attempts, t.calls()), (1, 1));
        assert!(tried.ambiguous.is_some(), "it may have been carried out");
        // Past the deadline nothing more is sent.
        let (tried, _) = exchange(&s).await;
        assert!(matches!(tried.end, End::Stopped(ref r) if r == "deadline reached"));
        assert_eq!((tried.attempts, t.calls()), (0, 1));
    }

    #[tokio::test(start_paused = true)]
    async fn the_retry_timeout_cuts_a_request_in_flight_and_bounds_the_backoff() {
        let retry = RetryConfig {
            retry_timeout: Duration::from_secs(2),
            ..retries(8)
        };
        let (t, s) = sender([Step::status(503), Step::Hang], retry.clone());
        let (tried, took) = exchange(&s).await;
        assert!(
            matches!(tried.end, End::Stopped(ref r)
                if r == "out of time: --retry-timeout 2 s used up; last answer HTTP 503"),
            "{:?}",
            tried.end
        );
        assert_eq!(took, Duration::from_secs(2));
        assert_eq!((tried.attempts, t.calls()), (2, 2));
        assert_eq!(
            tried.ambiguous.as_deref(),
            Some("a request still in flight when time ran out")
        );

        // A backoff that would end past the budget is cut at the budget: attempts at 0,
        // 250 ms and 750 ms, then 750 ms of the third, 1 s wait.
        let retry = RetryConfig {
            retry_timeout: Duration::from_millis(1500),
            ..retry
        };
        let (t, s) = sender(repeat(Step::status(503), 10), retry);
        let (tried, took) = exchange(&s).await;
        assert!(matches!(tried.end, End::Stopped(ref r) if r.starts_with("out of time")));
        assert_eq!((tried.attempts, t.calls()), (3, 3));
        assert_eq!(took, ms(1500));
    }

    #[tokio::test(start_paused = true)]
    async fn a_retry_after_hint_is_waited_out_up_to_the_cap() {
        // A hint longer than the backoff: it decides the wait.
        let (_, s) = sender(
            [
                Step::status_with(503, "retry-after", "3"),
                Step::status(200),
            ],
            retries(8),
        );
        let (tried, took) = exchange(&s).await;
        assert!(matches!(tried.end, End::Ok(200)));
        assert_eq!(took, Duration::from_secs(3));

        // Far longer than anyone should wait: the default cap, 30 s.
        let (_, s) = sender(
            [
                Step::status_with(429, "retry-after", "600"),
                Step::status(200),
            ],
            retries(8),
        );
        let (tried, took) = exchange(&s).await;
        assert!(matches!(tried.end, End::Ok(200)));
        assert_eq!(took, MAX_RETRY_AFTER);

        // A lower cap in the configuration holds for the wait and for the pacer alike.
        let retry = RetryConfig {
            max_retry_after: Duration::from_secs(5),
            ..retries(8)
        };
        let (_, s) = sender(
            [
                Step::status_with(429, "retry-after", "600"),
                Step::status(200),
            ],
            retry,
        );
        let (tried, took) = exchange(&s).await;
        assert!(matches!(tried.end, End::Ok(200)));
        assert_eq!(took, Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn every_attempt_is_signed_afresh() {
        let (t, s) = sender(
            [Step::status(503), Step::status(429), Step::status(200)],
            retries(8),
        );
        let built = Cell::new(0);
        let tried = s
            .exchange(
                "test",
                "Call",
                None,
                |stamp| {
                    built.set(built.get() + 1);
                    build(stamp)
                },
                read,
            )
            .await;
        assert!(matches!(tried.end, End::Ok(200)));
        assert_eq!((built.get(), tried.attempts, t.calls()), (3, 3, 3));
        let mut nonces: Vec<String> = t
            .requests()
            .iter()
            .map(|r| r.header_value("x-nonce").expect("signed").to_string())
            .collect();
        nonces.sort();
        nonces.dedup();
        assert_eq!(nonces.len(), 3, "one stamp per attempt: {nonces:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn seeded_jitter_gives_the_same_waits_twice() {
        async fn waited(seed: u64) -> Duration {
            let (_, s) = sender(repeat(Step::status(503), 5), retries(4));
            let s = s.with_jitter(SplitMix64::seeded(seed));
            let (tried, took) = exchange(&s).await;
            assert!(matches!(tried.end, End::Transient(_)));
            took
        }
        let first = waited(42).await;
        assert_eq!(waited(42).await, first);
        assert_ne!(waited(43).await, first);
        // Each wait is between half and all of its step (250 + 500 + 1000 + 2000 ms).
        assert!(first >= ms(1875) && first <= ms(3750), "{first:?}");
        assert_ne!(first, ms(3750), "jittered");
    }

    #[tokio::test(start_paused = true)]
    async fn no_retry_delay_retries_at_once() {
        let retry = RetryConfig {
            no_retry_delay: true,
            ..retries(8)
        };
        let mut steps = repeat(Step::status_with(503, "retry-after", "9"), 3);
        steps.push(Step::status(200));
        let (t, s) = sender(steps, retry);
        let (tried, took) = exchange(&s).await;
        assert!(matches!(tried.end, End::Ok(200)));
        assert_eq!((tried.attempts, t.calls(), took), (4, 4, Duration::ZERO));
    }

    /// One exchange while `raise` runs alongside it (same task, paused time).
    async fn exchange_while(
        sender: &Sender,
        raise: impl std::future::Future<Output = ()>,
    ) -> (Tried<u16>, Duration) {
        let (out, ()) = tokio::join!(exchange(sender), raise);
        out
    }

    /// Raise `signal` on `interrupt` after `after` (virtual time).
    async fn raise_after(interrupt: &Interrupt, after: Duration, signal: Signal) {
        tokio::time::sleep(after).await;
        interrupt.raise(signal);
    }

    fn armed() -> Interrupt {
        let i = Interrupt::new();
        i.arm();
        i
    }

    #[tokio::test(start_paused = true)]
    async fn an_interrupted_run_sends_nothing_more() {
        let i = armed();
        let (t, s) = sender([Step::status(200)], retries(3));
        let s = s.with_interrupt(i.clone());
        i.raise(Signal::Term);
        let (tried, took) = exchange(&s).await;
        assert!(
            matches!(tried.end, End::Stopped(ref r) if r == "interrupted by SIGTERM"),
            "{:?}",
            tried.end
        );
        assert_eq!((tried.attempts, t.calls(), took), (0, 0, Duration::ZERO));
        assert!(tried.ambiguous.is_none());
        assert_eq!(s.interrupted().as_deref(), Some("interrupted by SIGTERM"));
        // An interrupt is not a stop of the run: no error to report for it.
        assert!(s.stopped().is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn an_interrupt_wakes_a_backoff_and_no_retry_follows() {
        let i = armed();
        let (t, s) = sender([Step::status(503), Step::status(200)], retries(3));
        let s = s.with_interrupt(i.clone());
        // The backoff after the 503 would last 250 ms; the interrupt comes at 100 ms.
        let (tried, took) = exchange_while(&s, raise_after(&i, ms(100), Signal::Int)).await;
        assert!(matches!(tried.end, End::Stopped(ref r) if r == "interrupted by SIGINT"));
        assert_eq!((tried.attempts, t.calls(), t.left()), (1, 1, 1));
        assert_eq!(took, ms(100));
        // The 503 may have been carried out: that is still said.
        assert_eq!(tried.ambiguous.as_deref(), Some("HTTP 503"));
    }

    #[tokio::test(start_paused = true)]
    async fn an_interrupt_wakes_a_pacing_wait_and_nothing_is_sent() {
        let i = armed();
        let (t, s) = sender([Step::status(200), Step::status(200)], retries(3));
        // One request every 10 s: the second exchange waits for its slot.
        let s = Sender {
            pacer: Pacer::new(0.1),
            ..s
        }
        .with_interrupt(i.clone());
        assert!(matches!(exchange(&s).await.0.end, End::Ok(200)));
        let (tried, took) = exchange_while(&s, raise_after(&i, ms(1500), Signal::Term)).await;
        assert!(matches!(tried.end, End::Stopped(ref r) if r == "interrupted by SIGTERM"));
        assert_eq!((tried.attempts, t.calls(), took), (0, 1, ms(1500)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_in_flight_is_let_answer_after_the_first_interrupt() {
        let i = armed();
        let (t, s) = sender(
            [Step::slow(Duration::from_secs(2), Step::status(200))],
            retries(3),
        );
        let s = s.with_interrupt(i.clone());
        let (tried, took) = exchange_while(&s, raise_after(&i, ms(500), Signal::Int)).await;
        assert!(matches!(tried.end, End::Ok(200)), "{:?}", tried.end);
        assert_eq!(
            (tried.attempts, t.calls(), took),
            (1, 1, Duration::from_secs(2))
        );
        assert!(tried.ambiguous.is_none());

        // Its answer calls for a retry: none is made.
        let i = armed();
        let (t, s) = sender(
            [
                Step::slow(Duration::from_secs(2), Step::status(503)),
                Step::status(200),
            ],
            retries(3),
        );
        let s = s.with_interrupt(i.clone());
        let (tried, took) = exchange_while(&s, raise_after(&i, ms(500), Signal::Int)).await;
        assert!(matches!(tried.end, End::Stopped(ref r) if r == "interrupted by SIGINT"));
        assert_eq!(
            (tried.attempts, t.calls(), took),
            (1, 1, Duration::from_secs(2))
        );
        assert_eq!(tried.ambiguous.as_deref(), Some("HTTP 503"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_second_interrupt_abandons_the_request_in_flight() {
        let i = armed();
        let (t, s) = sender([Step::Hang], retries(3));
        let s = s.with_interrupt(i.clone());
        let twice = async {
            raise_after(&i, Duration::from_secs(1), Signal::Int).await;
            raise_after(&i, Duration::from_secs(2), Signal::Int).await;
        };
        let (tried, took) = exchange_while(&s, twice).await;
        assert!(
            matches!(tried.end, End::Stopped(ref r)
                if r == "interrupted by SIGINT, then again: stopped waiting for the reply"),
            "{:?}",
            tried.end
        );
        // The first interrupt did not cut it; the second did, at 3 s.
        assert_eq!(
            (tried.attempts, t.calls(), took),
            (1, 1, Duration::from_secs(3))
        );
        assert_eq!(tried.ambiguous.as_deref(), Some(IN_FLIGHT));
        assert!(s.stopped().is_none());
    }

    #[test]
    fn the_run_settings_fill_the_retry_config() {
        let run = RunSettings {
            rate: None,
            concurrency: None,
            max_retries: 2,
            timeout: Duration::from_secs(30),
            deadline: None,
            retry_timeout: Duration::from_secs(7),
            no_retry_delay: true,
            proxy: None,
            trust: Trust::default(),
        };
        let retry = RetryConfig::for_run(&run);
        assert_eq!(retry.max_retries, 2);
        assert_eq!(retry.retry_timeout, Duration::from_secs(7));
        assert!(retry.no_retry_delay);
        let defaults = RetryConfig::default();
        assert_eq!(
            (
                retry.throttle_retries,
                retry.max_retry_after,
                retry.silent_attempts,
                retry.backoff
            ),
            (
                THROTTLE_RETRIES,
                MAX_RETRY_AFTER,
                SILENT_ATTEMPTS,
                Backoff::default()
            )
        );
        assert_eq!(
            (
                defaults.max_retries,
                defaults.retry_timeout,
                defaults.no_retry_delay
            ),
            (8, Duration::from_secs(45), false)
        );
    }
}
