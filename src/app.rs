//! The commands, thin: `delete` is ids → plan → confirm → session → execute (to the sinks) →
//! exit status; `list` is session → listing → printed.
//!
//! The steps live elsewhere: reading ids ([`crate::ids`]), planning ([`crate::plan`]), the
//! run setup ([`crate::session`]), sending ([`crate::execute`], [`crate::list`]), the outcome
//! rules and the exit fold ([`crate::outcome`]), and rendering ([`crate::output`], one
//! [`crate::report::Sink`] among others).

use crate::cert::FilterSpec;
use crate::error::Error;
use crate::execute::{execute, skip_all};
use crate::ids;
use crate::interrupt::Interrupt;
use crate::outcome::{Exit, Status, Tally};
use crate::output::Reporter;
use crate::plan::Plan;
use crate::provider;
use crate::report::{FanOut, Sink};
use crate::session::{Purpose, Session};
use crate::settings::{Command, Settings};
use std::io::{BufRead, Write};
use std::time::Duration;

/// How the run asks for confirmation: gets the question, answers yes or no, or `None` when
/// nobody can be asked (no terminal).
pub type Confirm<'a> = &'a mut dyn FnMut(&str) -> Option<bool>;

pub async fn run<W: Write>(
    settings: Settings,
    stdin: impl BufRead,
    reporter: &mut Reporter<W>,
    confirm: Confirm<'_>,
    interrupt: &Interrupt,
) -> Result<Exit, Error> {
    match &settings.command {
        Command::Delete {
            ids,
            batch,
            wait,
            accept,
        } => {
            let how = Delete {
                batch: *batch,
                wait: *wait,
                accept,
            };
            delete(&settings, ids, how, stdin, reporter, confirm, interrupt).await
        }
        Command::List { filter } => list(&settings, filter, reporter, interrupt).await,
    }
}

/// The delete options beyond the ids.
struct Delete<'a> {
    batch: bool,
    wait: Option<Duration>,
    accept: &'a [Status],
}

async fn delete<W: Write>(
    settings: &Settings,
    args: &[String],
    how: Delete<'_>,
    stdin: impl BufRead,
    reporter: &mut Reporter<W>,
    confirm: Confirm<'_>,
    interrupt: &Interrupt,
) -> Result<Exit, Error> {
    let name = settings.provider.kind.name();
    // Ids are checked and the plan drawn up with a provider built before any preflight:
    // neither depends on what it discovers.
    let planner = provider::build(&settings.provider);
    let ids = ids::collect(args, stdin, planner.as_ref())?;
    let plan = Plan::from_ids(planner.as_ref(), ids, how.batch, how.wait);
    if !plan.is_empty() && !settings.yes {
        confirmed(&plan, name, confirm)?;
    }

    // From here on every id gets an outcome, even when the run cannot start.
    let mut tally = Tally::accepting(how.accept);
    let mut sinks = FanOut::new(vec![reporter as &mut dyn Sink, &mut tally]);
    let executed = if plan.is_empty() {
        Ok(())
    } else {
        let started = Session::start(
            &settings.provider,
            &settings.run,
            Purpose::Delete,
            interrupt,
        )
        .await;
        match started {
            Ok(session) => execute(&session, &plan, &mut sinks).await,
            Err(e) => {
                skip_all(name, &plan, &e, &mut sinks);
                Err(e)
            }
        }
    };
    let delivered = sinks.finish(name);
    drop(sinks);
    executed?;
    match delivered {
        // stdout refused the results: the reporter has said so on stderr.
        Err(Error::Output(_)) => Ok(Exit::Fatal),
        Err(e) => Err(e),
        Ok(()) => Ok(tally.exit()),
    }
}

/// Ask before deleting; refuse when nobody can be asked.
fn confirmed(plan: &Plan, provider: &str, confirm: Confirm<'_>) -> Result<(), Error> {
    let n = plan.len();
    let s = if n == 1 { "" } else { "s" };
    match confirm(&format!("Delete {n} certificate{s} from {provider}? [y/N] ")) {
        Some(true) => Ok(()),
        Some(false) => Err(Error::usage("not confirmed: nothing was deleted")),
        None => Err(Error::usage(format!(
            "refusing to delete {n} certificate{s} without confirmation: no terminal to ask; pass --yes"
        ))),
    }
}

async fn list<W: Write>(
    settings: &Settings,
    spec: &FilterSpec,
    reporter: &mut Reporter<W>,
    interrupt: &Interrupt,
) -> Result<Exit, Error> {
    let session = Session::start(&settings.provider, &settings.run, Purpose::List, interrupt).await;
    let listing = match session {
        Ok(session) => crate::list::list(&session, spec)
            .await
            .map(|l| (session, l)),
        Err(e) => Err(e),
    };
    // Interrupted: nothing is printed, not even a listing that happened to complete.
    if let Some(reason) = interrupt.reason() {
        let name = settings.provider.kind.name();
        return Err(Error::Interrupted(format!(
            "{name}: list: {reason}: nothing printed"
        )));
    }
    let (session, listing) = listing?;
    for w in &listing.warnings {
        crate::output::warn(w);
    }
    reporter.list(session.provider(), &listing.certs, listing.now)
}
