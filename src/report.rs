//! Where outcomes go: a [`Sink`] receives each one as soon as it is final.
//!
//! The executor ([`crate::execute`]) knows nothing of stdout, exit statuses or logs; it hands
//! every outcome to one sink. The stdout renderer ([`crate::output::Reporter`]) is one sink,
//! the exit-status fold ([`crate::outcome::Tally`]) another, the audit log
//! ([`crate::audit::AuditLog`]) a third, the progress bar on a terminal
//! ([`crate::progress::DeleteProgress`]) a fourth, and [`FanOut`] passes each outcome to
//! several.

use crate::error::Error;
use crate::outcome::Outcome;

/// What kind of run the outcomes come from, told to every sink before the first one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunInfo {
    /// Whose run it is (`tencent-ssl`).
    pub provider: &'static str,
    /// `delete --dry-run`: no delete request is sent; the outcomes say what would happen
    /// (`would_delete`, `not_found`, `in_use`, `failed`).
    pub dry_run: bool,
}

/// A receiver of outcomes, one call per id, in the order they became final.
pub trait Sink {
    /// The run is about to report (before any outcome).
    fn begin(&mut self, run: &RunInfo) {
        let _ = run;
    }

    /// The account the run's session works in, once it has started: huawei-scm's domain id,
    /// given or discovered by the preflight; `None` for the other providers.
    fn account(&mut self, account: Option<&str>) {
        let _ = account;
    }

    fn outcome(&mut self, outcome: &Outcome);

    /// The run is over (`provider`: whose run it was): write whatever closes the output. An
    /// error says the results were not delivered as asked.
    fn finish(&mut self, provider: &'static str) -> Result<(), Error> {
        let _ = provider;
        Ok(())
    }
}

/// Every outcome to each of several sinks, in order.
#[derive(Default)]
pub struct FanOut<'a> {
    sinks: Vec<&'a mut dyn Sink>,
}

impl<'a> FanOut<'a> {
    pub fn new(sinks: Vec<&'a mut dyn Sink>) -> Self {
        FanOut { sinks }
    }

    pub fn push(&mut self, sink: &'a mut dyn Sink) {
        self.sinks.push(sink);
    }
}

impl Sink for FanOut<'_> {
    fn begin(&mut self, run: &RunInfo) {
        for sink in &mut self.sinks {
            sink.begin(run);
        }
    }

    fn account(&mut self, account: Option<&str>) {
        for sink in &mut self.sinks {
            sink.account(account);
        }
    }

    fn outcome(&mut self, outcome: &Outcome) {
        for sink in &mut self.sinks {
            sink.outcome(outcome);
        }
    }

    /// Every sink is finished, even after one fails; the first failure is returned.
    fn finish(&mut self, provider: &'static str) -> Result<(), Error> {
        let mut first = Ok(());
        for sink in &mut self.sinks {
            let done = sink.finish(provider);
            if first.is_ok() {
                first = done;
            }
        }
        first
    }
}

/// Outcomes kept in memory (tests, and callers that want them all at the end).
#[derive(Debug, Default)]
pub struct Collect(pub Vec<Outcome>);

impl Sink for Collect {
    fn outcome(&mut self, outcome: &Outcome) {
        self.0.push(outcome.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{Exit, Status, Tally};

    struct Failing(usize);
    impl Sink for Failing {
        fn begin(&mut self, run: &RunInfo) {
            assert!(run.dry_run);
            self.0 += 100;
        }
        fn outcome(&mut self, _: &Outcome) {
            self.0 += 1;
        }
        fn finish(&mut self, provider: &'static str) -> Result<(), Error> {
            Err(Error::Output(format!("{provider}: refused")))
        }
    }

    #[test]
    fn fan_out_gives_every_sink_every_outcome_and_finishes_all() {
        let mut tally = Tally::default();
        let mut kept = Collect::default();
        let mut failing = Failing(0);
        {
            let mut all = FanOut::new(vec![&mut failing, &mut tally]);
            all.push(&mut kept);
            all.begin(&RunInfo {
                provider: "x",
                dry_run: true,
            });
            all.outcome(&Outcome::new("x", "a", Status::Deleted));
            all.outcome(&Outcome::new("x", "b", Status::Skipped));
            let e = all.finish("x").unwrap_err();
            assert_eq!(e.to_string(), "x: refused");
        }
        assert_eq!(failing.0, 102, "begun once, then two outcomes");
        assert_eq!(tally.total(), 2);
        assert_eq!(tally.exit(), Exit::Partial);
        let ids: Vec<&str> = kept.0.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
    }
}
