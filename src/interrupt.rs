//! Interrupts (SIGINT, SIGTERM): the state a run shares about them, and what each one means.
//!
//! - Before the run is [armed](Interrupt::arm) (reading ids, asking for confirmation: nothing
//!   has been sent) an interrupt ends certdel at once: [`Interrupt::raise`] answers
//!   [`Raised::Unarmed`] and the binary exits with the signal's status. A sweep, whose
//!   question comes after its read calls, [disarms](Interrupt::disarm) the run while it asks.
//! - The first interrupt of an armed run starts no new request: [`crate::send::Sender`] checks
//!   it before each attempt and wakes from pacing and backoff waits on it, while requests
//!   already in flight are given until their `--timeout` to answer. Every id is still reported.
//! - A second interrupt (either signal) stops waiting for requests in flight: they end
//!   unanswered, reported as possibly carried out.
//!
//! The exit status of an interrupted run is 130 (SIGINT) or 143 (SIGTERM), the shells'
//! 128 + signal number, even when every id happened to finish ([`Signal::exit`]).
//!
//! The state is a [`tokio::sync::watch`] channel, so it can be read at any time and awaited
//! by any number of tasks; the binary feeds it from its signal handlers, tests by calling
//! [`Interrupt::raise`].

use crate::outcome::Exit;
use std::sync::Arc;
use tokio::sync::watch;

/// The signals certdel treats as an interrupt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// Ctrl-C at a terminal.
    Int,
    /// A polite stop from a supervisor (`kill`, systemd, a CI runner's cancel).
    Term,
}

impl Signal {
    /// `SIGINT` or `SIGTERM`.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Int => "SIGINT",
            Signal::Term => "SIGTERM",
        }
    }

    /// The exit status of a run this signal interrupted: 130 or 143.
    pub fn exit(self) -> Exit {
        match self {
            Signal::Int => Exit::Interrupted,
            Signal::Term => Exit::Terminated,
        }
    }
}

/// What the run knows about interrupts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct State {
    /// The first interrupt of the run, if there was one: no new request is started.
    pub first: Option<Signal>,
    /// A second interrupt came: requests in flight are no longer waited for.
    pub second: bool,
    /// The run has started sending (or is about to): interrupts are handled, not fatal.
    pub armed: bool,
    /// Disarmed after read calls (a sweep's question): an interrupt now ends certdel with
    /// nothing deleted, though not with nothing sent.
    pub reads_sent: bool,
}

/// What one [`Interrupt::raise`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Raised {
    /// Nothing has been sent yet: exit at once with this signal's status.
    Unarmed(Signal),
    /// The run's first interrupt: no new requests.
    First(Signal),
    /// The second: stop waiting for requests in flight.
    Second,
    /// A third or later: nothing more to do.
    Again,
}

/// One signal applied to `s`.
fn step(s: &mut State, signal: Signal) -> Raised {
    match (s.first, s.second) {
        (None, _) => {
            s.first = Some(signal);
            if s.armed {
                Raised::First(signal)
            } else {
                Raised::Unarmed(signal)
            }
        }
        (Some(_), false) => {
            s.second = true;
            Raised::Second
        }
        (Some(_), true) => Raised::Again,
    }
}

/// The interrupt state one run shares; clones share it.
#[derive(Clone, Debug)]
pub struct Interrupt {
    state: Arc<watch::Sender<State>>,
}

impl Default for Interrupt {
    fn default() -> Interrupt {
        Interrupt::new()
    }
}

impl Interrupt {
    /// Nothing raised, not armed.
    pub fn new() -> Interrupt {
        Interrupt {
            state: Arc::new(watch::Sender::new(State::default())),
        }
    }

    /// Record a signal and say what it means. The first one is recorded even when unarmed, so
    /// that a run arming at that very moment sends nothing.
    pub fn raise(&self, signal: Signal) -> Raised {
        let mut raised = Raised::Again;
        self.state.send_if_modified(|s| {
            raised = step(s, signal);
            !matches!(raised, Raised::Again)
        });
        raised
    }

    /// What [`Interrupt::raise`] would do now, without doing it: lets the one caller that
    /// raises say so before the run can react (and perhaps exit).
    pub fn peek(&self, signal: Signal) -> Raised {
        step(&mut self.state(), signal)
    }

    /// The run is about to send its first request: from now on an interrupt is handled (every
    /// id reported) instead of ending certdel at once.
    pub fn arm(&self) {
        self.state.send_modify(|s| s.armed = true);
    }

    /// Nothing is in flight and nothing will be sent until the run arms again (a sweep's
    /// question, asked between its read calls and its deletes): an interrupt now ends
    /// certdel at once, as before the first request.
    pub fn disarm(&self) {
        self.state.send_modify(|s| {
            s.armed = false;
            s.reads_sent = true;
        });
    }

    /// What an interrupt that ends certdel at once (unarmed) leaves done, for its message:
    /// `nothing was sent`, or after a sweep's read calls `nothing was deleted`.
    pub fn nothing_done(&self) -> &'static str {
        if self.state.borrow().reads_sent {
            "nothing was deleted (only read calls were sent)"
        } else {
            "nothing was sent"
        }
    }

    pub fn state(&self) -> State {
        *self.state.borrow()
    }

    /// The run's first interrupt, if any.
    pub fn signal(&self) -> Option<Signal> {
        self.state.borrow().first
    }

    /// Why no new request is started: `interrupted by SIGINT`, or `None`.
    pub fn reason(&self) -> Option<String> {
        self.signal()
            .map(|s| format!("interrupted by {}", s.name()))
    }

    /// Whether a second interrupt came.
    pub fn is_second(&self) -> bool {
        self.state.borrow().second
    }

    /// Wait for the first interrupt (at once if it came already).
    pub async fn first(&self) -> Signal {
        let mut rx = self.state.subscribe();
        let state = rx.wait_for(|s| s.first.is_some()).await;
        // The sender lives in `self`, so the channel cannot close while we wait.
        state
            .ok()
            .and_then(|s| s.first)
            .expect("the state outlives its waiters")
    }

    /// Wait for the second interrupt (at once if it came already).
    pub async fn second(&self) {
        let mut rx = self.state.subscribe();
        let _ = rx.wait_for(|s| s.second).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn signals_name_themselves_and_give_the_shell_statuses() {
        assert_eq!(Signal::Int.name(), "SIGINT");
        assert_eq!(Signal::Term.name(), "SIGTERM");
        assert_eq!(Signal::Int.exit() as u8, 130);
        assert_eq!(Signal::Term.exit() as u8, 143);
    }

    #[test]
    fn unarmed_the_first_signal_is_fatal_armed_it_is_handled() {
        let i = Interrupt::new();
        assert_eq!(i.raise(Signal::Term), Raised::Unarmed(Signal::Term));
        // Recorded all the same: a run arming now sends nothing.
        assert_eq!(i.reason().as_deref(), Some("interrupted by SIGTERM"));

        let i = Interrupt::new();
        assert_eq!((i.signal(), i.reason()), (None, None));
        i.arm();
        assert_eq!(i.peek(Signal::Int), Raised::First(Signal::Int));
        assert_eq!(i.signal(), None, "peeking changes nothing");
        assert_eq!(i.raise(Signal::Int), Raised::First(Signal::Int));
        assert_eq!(i.peek(Signal::Term), Raised::Second);
        assert_eq!(i.raise(Signal::Term), Raised::Second);
        assert_eq!(i.raise(Signal::Int), Raised::Again);
        assert_eq!(
            i.state(),
            State {
                first: Some(Signal::Int),
                second: true,
                armed: true,
                reads_sent: false
            }
        );
        assert_eq!(i.reason().as_deref(), Some("interrupted by SIGINT"));
    }

    #[test]
    fn disarmed_between_requests_the_first_signal_is_fatal_again_until_rearmed() {
        let i = Interrupt::new();
        i.arm();
        assert_eq!(i.nothing_done(), "nothing was sent");
        i.disarm();
        assert_eq!(i.peek(Signal::Int), Raised::Unarmed(Signal::Int));
        // The sweep's question comes after its listings: what the early exit says.
        assert_eq!(
            i.nothing_done(),
            "nothing was deleted (only read calls were sent)"
        );
        i.arm();
        assert_eq!(i.raise(Signal::Int), Raised::First(Signal::Int));
    }

    #[tokio::test(start_paused = true)]
    async fn waiters_wake_on_the_signal_they_wait_for() {
        let i = Interrupt::new();
        i.arm();
        let clone = i.clone();
        let first = tokio::spawn(async move { clone.first().await });
        let clone = i.clone();
        let second = tokio::spawn(async move { clone.second().await });
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!first.is_finished() && !second.is_finished());
        i.raise(Signal::Term);
        assert_eq!(first.await.expect("joined"), Signal::Term);
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!second.is_finished(), "one signal is not two");
        i.raise(Signal::Int);
        second.await.expect("joined");
        // Once raised, waiting ends at once.
        assert_eq!(i.first().await, Signal::Term);
        i.second().await;
    }
}
