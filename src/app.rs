//! The commands, thin: `delete` is ids (or a checked plan file) → plan → audit log opened →
//! confirm → session → execute (to the sinks: audit log, stdout, exit tally) → exit status;
//! `list` is session → listing → plan file written (`--plan`) → printed; `whoami` is a
//! session (its preflight the identity call) → printed. With `--expect-account` the session's
//! preflight refuses a run whose credentials belong to another account, before any delete or
//! list request.
//!
//! Two deletes list first, with read calls only: a dry run (`--dry-run`: session → listing →
//! each id resolved against it → the sinks; no confirmation, no delete request), and
//! alibaba-slb across regions (session → listing of every region → each id given its region,
//! ids no region lists `not_found` → execute).
//!
//! The steps live elsewhere: reading ids ([`crate::ids`]), planning ([`crate::plan`]), the
//! run setup ([`crate::session`]), plan files ([`crate::planfile`]), sending ([`crate::execute`], [`crate::list`]), ids against
//! a listing ([`crate::resolve`]), the outcome rules and the exit fold ([`crate::outcome`]),
//! rendering ([`crate::output`]) and the record ([`crate::audit`]), each a
//! [`crate::report::Sink`]; the question ([`crate::confirm`]).

use crate::audit::{self, run_id, AuditLog};
use crate::cert::FilterSpec;
use crate::confirm::{self, Candidate};
use crate::error::Error;
use crate::execute::{execute, skip_all};
use crate::ids;
use crate::interrupt::Interrupt;
use crate::outcome::{Exit, Status, Tally};
use crate::output::Reporter;
use crate::plan::{Plan, Target};
use crate::planfile::{self, Checked};
use crate::progress::{DeleteProgress, ListProgress, Pages};
use crate::provider::{self, Kind};
use crate::report::{FanOut, RunInfo, Sink};
use crate::resolve;
use crate::session::{Purpose, Session};
use crate::settings::{AuditTarget, Command, PlanSource, Settings};
use crate::terminal::{Decor, Terminal};
use chrono::Utc;
use std::io::{BufRead, Write};
use std::path::Path;
use std::time::Duration;

/// How the run asks for confirmation: gets the question (several lines, the last one without
/// its newline) and hands back the answer line as typed, or `None` when nobody can be asked
/// (no terminal). Which answers confirm is decided here ([`confirm::accepts`]).
pub type Confirm<'a> = &'a mut dyn FnMut(&str) -> Option<String>;

/// Run the command of `settings`; `terminal` says which streams are terminals (what is drawn:
/// a progress bar on stderr, colour on stdout).
pub async fn run<W: Write>(
    settings: Settings,
    terminal: Terminal,
    stdin: impl BufRead,
    reporter: &mut Reporter<W>,
    confirm: Confirm<'_>,
    interrupt: &Interrupt,
) -> Result<Exit, Error> {
    let decor = terminal.decor(settings.output, quiet(&settings));
    reporter.set_color(decor.color);
    match &settings.command {
        Command::Delete {
            ids,
            batch,
            wait,
            accept,
            dry_run,
            plan,
        } => {
            let how = Delete {
                batch: *batch,
                wait: *wait,
                accept,
                dry_run: *dry_run,
                plan: plan.as_ref(),
                interrupt,
                decor,
            };
            delete(&settings, ids, how, stdin, reporter, confirm).await
        }
        Command::List { filter, plan } => {
            list(
                &settings,
                filter,
                plan.as_deref(),
                reporter,
                interrupt,
                &decor,
            )
            .await
        }
        Command::Whoami => whoami(&settings, reporter, interrupt).await,
    }
}

/// `-q`: no progress bar either.
fn quiet(settings: &Settings) -> bool {
    settings.verbosity == crate::diagnostics::Verbosity::Quiet
}

/// The delete options beyond the ids.
struct Delete<'a> {
    batch: bool,
    wait: Option<Duration>,
    accept: &'a [Status],
    dry_run: bool,
    /// `--plan FILE`: the targets come from there instead of the ids.
    plan: Option<&'a PlanSource>,
    interrupt: &'a Interrupt,
    /// Whether a progress bar is drawn.
    decor: Decor,
}

async fn delete<W: Write>(
    settings: &Settings,
    args: &[String],
    how: Delete<'_>,
    stdin: impl BufRead,
    reporter: &mut Reporter<W>,
    confirm: Confirm<'_>,
) -> Result<Exit, Error> {
    let name = settings.provider.kind().name();
    // Ids are checked and the plan drawn up with a provider built before any preflight:
    // neither depends on what it discovers.
    let planner = provider::build(&settings.provider);
    let (plan, from_file) = match how.plan {
        None => {
            let ids = ids::collect(args, stdin, planner.as_ref())?;
            let plan = Plan::from_ids(planner.as_ref(), ids, how.batch, how.wait);
            (plan, None)
        }
        Some(source) => {
            // The one reading of the clock a plan's age is judged by.
            let now = Utc::now();
            let ctx = planfile::Context::of(&settings.provider);
            let checked =
                planfile::load(&source.path, &ctx, planner.as_ref(), now, source.max_age)?;
            // Each certificate in its own region (alibaba-slb), known to exist.
            let targets: Vec<Target> = checked
                .certificates
                .iter()
                .cloned()
                .map(Target::from)
                .collect();
            let plan = Plan::new(planner.as_ref(), targets, how.batch, how.wait);
            (plan, Some((source.path.as_path(), checked)))
        }
    };
    let from_file = from_file.as_ref().map(|(path, checked)| (*path, checked));
    // A plan made for a known account is applied only in that account: the session checks it
    // with the identity call, as for --expect-account. (huawei-scm's plans are checked
    // against its domain id as before: when given, on reading the plan; when not, against the
    // one its lookup finds, [`Checked::check_account`].)
    let expecting;
    let plan_account = from_file.and_then(|(path, c)| Some((path, c.account.as_deref()?)));
    let settings = match plan_account {
        Some((path, account)) => {
            expecting = expect_plan_account(settings, path, account)?;
            &expecting
        }
        None => settings,
    };
    // The log opens before anything is asked or sent: a run that cannot be recorded does not
    // start. Nothing to delete, nothing to record.
    let mut audit = if plan.is_empty() {
        None
    } else {
        open_audit(settings, how.dry_run)?
    };
    // A dry run deletes nothing: nothing to confirm.
    if !plan.is_empty() && !settings.yes && !how.dry_run {
        confirmed(settings, &plan, from_file, confirm)?;
    }

    // From here on every id gets an outcome, even when the run cannot start.
    let mut tally = Tally::accepting(how.accept);
    // Ids done of the plan's, on stderr; the listing some runs start with shows on it too.
    // The audit log first: its record is written before the line on stdout, and its failure
    // is the one `finish` reports (the reporter says on stderr when stdout fails).
    let mut progress = (!plan.is_empty()).then(|| DeleteProgress::new(plan.len(), &how.decor));
    let listing = progress.as_ref().map(DeleteProgress::listing);
    let on_page = move |pages: Pages| {
        if let Some(tell) = &listing {
            tell(pages);
        }
    };
    let mut sinks = FanOut::default();
    // The progress bar first: it is off the screen before the summary line is printed.
    if let Some(bar) = progress.as_mut() {
        sinks.push(bar);
    }
    if let Some(log) = audit.as_mut() {
        sinks.push(log);
    }
    sinks.push(reporter);
    sinks.push(&mut tally);
    sinks.begin(&RunInfo {
        provider: name,
        dry_run: how.dry_run,
    });
    let executed = if plan.is_empty() {
        Ok(())
    } else if how.dry_run {
        dry_run(settings, &plan, how.interrupt, &mut sinks, &on_page).await
    } else {
        real_run(settings, plan, &how, from_file, &mut sinks, &on_page).await
    };
    let delivered = sinks.finish(name);
    drop(sinks);
    if let Err(e) = executed {
        // The stop is the error; a log that also failed is not kept quiet.
        if let Err(audit @ Error::Audit { .. }) = delivered {
            crate::output::warn(&audit.to_string());
        }
        return Err(e);
    }
    match delivered {
        // stdout refused the results: the reporter has said so on stderr.
        Err(Error::Output(_)) => Ok(Exit::Fatal),
        Err(e) => Err(e),
        Ok(()) => Ok(tally.exit()),
    }
}

/// The settings of a run applying a plan made for `account`: that account expected, unless
/// `--expect-account` names it already; naming another is refused before anything is sent.
fn expect_plan_account(settings: &Settings, path: &Path, account: &str) -> Result<Settings, Error> {
    let mut with = settings.clone();
    match &settings.provider.expect_account {
        // huawei-scm: checked against its domain id instead (see the caller).
        None if settings.provider.kind() == Kind::HuaweiScm => Ok(with),
        Some(e) if e.id != account => Err(Error::usage(format!(
            "--plan {}: the plan was made for account {account:?}, {} says {:?}; run against the plan's account, or make a new plan with `list --plan`",
            path.display(),
            e.from,
            e.id
        ))),
        Some(_) => Ok(with),
        None => {
            with.provider.expect_account = Some(crate::settings::ExpectedAccount {
                id: account.to_string(),
                from: format!("the plan {}", path.display()),
            });
            Ok(with)
        }
    }
}

/// The run's audit log, open for appending; `None` with `--no-audit-log`.
fn open_audit(settings: &Settings, dry_run: bool) -> Result<Option<AuditLog>, Error> {
    match &settings.audit {
        AuditTarget::Off => Ok(None),
        AuditTarget::Path(path) => {
            let context = audit::Context::for_run(&settings.provider, run_id(Utc::now()), dry_run);
            AuditLog::open(path, context).map(Some)
        }
    }
}

/// Whether a delete covers several regions whose ids it must find first (alibaba-slb with
/// `--region all` or more than one `--region`).
fn spans_regions(settings: &Settings) -> bool {
    let p = &settings.provider;
    p.all_regions() || p.regions().len() > 1
}

/// A session for `purpose`, its account told to the sinks; or every target `skipped`
/// (nothing was sent) and the reason.
async fn session_or_skip(
    settings: &Settings,
    plan: &Plan,
    purpose: Purpose,
    interrupt: &Interrupt,
    sinks: &mut dyn Sink,
) -> Result<Session, Error> {
    match Session::start(&settings.provider, &settings.run, purpose, interrupt).await {
        Ok(session) => {
            sinks.account(session.account());
            Ok(session)
        }
        Err(e) => {
            // The wrong account is known: its records say whose it was.
            if let Error::WrongAccount { actual, .. } = &e {
                sinks.account(Some(actual));
            }
            skip_all(settings.provider.kind().name(), plan, &e, sinks);
            Err(e)
        }
    }
}

/// The complete, unfiltered listing of everything the run covers (every region of an
/// alibaba-slb run), its warnings on stderr; `on_page`: how far it is.
async fn list_all(
    session: &Session,
    on_page: &(dyn Fn(Pages) + Sync),
) -> Result<crate::list::Listing, Error> {
    let listing = crate::list::list(session, &FilterSpec::default(), on_page).await?;
    for w in &listing.warnings {
        crate::output::warn(w);
    }
    Ok(listing)
}

/// Carry out the plan; across alibaba-slb regions, first find each id's region by listing
/// them (an id no region lists is `not_found`, and nothing is sent for it). A plan file's
/// certificates have their regions already: nothing is listed.
async fn real_run(
    settings: &Settings,
    plan: Plan,
    how: &Delete<'_>,
    from_file: Option<(&Path, &Checked)>,
    sinks: &mut dyn Sink,
    on_page: &(dyn Fn(Pages) + Sync),
) -> Result<(), Error> {
    let session = session_or_skip(settings, &plan, Purpose::Delete, how.interrupt, sinks).await?;
    if let Some((path, checked)) = from_file {
        // huawei-scm: the account id the preflight found must be the plan's.
        if let Err(e) = checked.check_account(path, session.account()) {
            skip_all(settings.provider.kind().name(), &plan, &e, sinks);
            return Err(e);
        }
    }
    let plan = if from_file.is_none() && spans_regions(settings) {
        let listing = match list_all(&session, on_page).await {
            Ok(listing) => listing,
            Err(e) => {
                // Without every region's listing no id can be sent to its region.
                skip_all(settings.provider.kind().name(), &plan, &e, sinks);
                return Err(e);
            }
        };
        let regions = settings
            .provider
            .regions()
            .len()
            .saturating_sub(listing.skipped.len());
        let (found, missing) =
            resolve::locate(session.provider(), plan.targets, &listing.certs, regions);
        for outcome in &missing {
            sinks.outcome(outcome);
        }
        Plan::new(session.provider(), found, how.batch, plan.wait)
    } else {
        plan
    };
    execute(&session, &plan, sinks).await
}

/// `--dry-run`: list everything the run covers (read calls only) and report what a delete of
/// each id would meet; no delete request of any kind is sent.
async fn dry_run(
    settings: &Settings,
    plan: &Plan,
    interrupt: &Interrupt,
    sinks: &mut dyn Sink,
    on_page: &(dyn Fn(Pages) + Sync),
) -> Result<(), Error> {
    // A plan's certificates carry their regions (alibaba-slb): the listing covers those.
    let mut regions: Vec<String> = Vec::new();
    for r in plan.targets.iter().filter_map(|t| t.region.clone()) {
        if !regions.contains(&r) {
            regions.push(r);
        }
    }
    let covered;
    let settings = if regions.is_empty() {
        settings
    } else {
        let mut s = settings.clone();
        s.provider.region = Some(regions[0].clone());
        s.provider.set_regions(regions, false);
        covered = s;
        &covered
    };
    let session = session_or_skip(settings, plan, Purpose::List, interrupt, sinks).await?;
    match list_all(&session, on_page).await {
        Ok(listing) => {
            for outcome in resolve::dry_run(session.provider(), &plan.targets, &listing.certs) {
                sinks.outcome(&outcome);
            }
            Ok(())
        }
        Err(e) => {
            let name = settings.provider.kind().name();
            for outcome in resolve::could_not_tell(name, &plan.targets, &e) {
                sinks.outcome(&outcome);
            }
            Err(e)
        }
    }
}

/// Ask before deleting: provider, host, masked access key, count and the first few
/// certificates ([`confirm::question`]), after where a plan file came from
/// ([`plan_header`]); the answer must satisfy [`confirm::accepts`] (`y` up to 10
/// certificates, the count above). Refused when nobody can be asked.
fn confirmed(
    settings: &Settings,
    plan: &Plan,
    file: Option<(&Path, &Checked)>,
    confirm: Confirm<'_>,
) -> Result<(), Error> {
    let target = confirm::Target {
        provider: settings.provider.kind().name(),
        host: &settings.provider.endpoint.host,
        access_key_id: &settings.provider.credentials.access_key,
    };
    let candidates: Vec<Candidate> = plan.targets.iter().map(Candidate::from).collect();
    let n = plan.len();
    let s = if n == 1 { "" } else { "s" };
    let header = file
        .map(|(path, checked)| plan_header(path, checked))
        .unwrap_or_default();
    match confirm(&format!("{header}{}", confirm::question(&target, &candidates))) {
        Some(answer) if confirm::accepts(&answer, n) => Ok(()),
        Some(_) => Err(Error::usage("not confirmed: nothing was deleted")),
        None => Err(Error::usage(format!(
            "refusing to delete {n} certificate{s} without confirmation: no terminal to ask; pass --yes"
        ))),
    }
}

/// The line a confirmation question starts with for a plan file: which file, when it was
/// made and with which filters, escaped (a plan file may have been edited by anyone).
fn plan_header(path: &Path, checked: &Checked) -> String {
    let line = format!(
        "Plan {} (created {}; filters: {}):",
        path.display(),
        crate::time::rfc3339_utc(checked.created),
        checked.filters.as_deref().unwrap_or("not given")
    );
    format!("{}\n", crate::output::escape(&line))
}

async fn list<W: Write>(
    settings: &Settings,
    spec: &FilterSpec,
    plan: Option<&Path>,
    reporter: &mut Reporter<W>,
    interrupt: &Interrupt,
    decor: &Decor,
) -> Result<Exit, Error> {
    let session = Session::start(&settings.provider, &settings.run, Purpose::List, interrupt).await;
    // Pages fetched, on stderr; off the screen before anything is printed.
    let progress = ListProgress::new(decor);
    let listing = match session {
        Ok(session) => crate::list::list(&session, spec, &|pages| progress.pages(pages))
            .await
            .map(|l| (session, l)),
        Err(e) => Err(e),
    };
    drop(progress);
    // Interrupted: nothing is printed, not even a listing that happened to complete.
    if let Some(reason) = interrupt.reason() {
        let name = settings.provider.kind().name();
        return Err(Error::Interrupted(format!(
            "{name}: list: {reason}: nothing printed"
        )));
    }
    let (session, listing) = listing?;
    for w in &listing.warnings {
        crate::output::warn(w);
    }
    // Only a complete, uninterrupted listing gets here; the plan is written before anything is
    // printed, so that a plan that cannot be written stops the run with nothing on stdout.
    if let Some(path) = plan {
        let mut ctx = planfile::Context::of(session.settings());
        // The account the identity call named (--expect-account), or huawei-scm's.
        ctx.account = session.account().map(str::to_owned);
        if ctx.provider == Kind::AlibabaSlb {
            ctx.regions = listing.regions.clone();
        }
        let filters = planfile::describe_filters(spec, &spec.resolve(listing.now));
        let text = planfile::render(
            &ctx,
            &filters,
            &listing.certs,
            session.provider(),
            listing.now,
        )?;
        planfile::write_atomically(path, text.as_bytes())?;
    }
    reporter.list(session.provider(), &listing.certs, listing.now)
}

/// `whoami`: the identity call (the session's preflight), then what it found.
async fn whoami<W: Write>(
    settings: &Settings,
    reporter: &mut Reporter<W>,
    interrupt: &Interrupt,
) -> Result<Exit, Error> {
    let session = Session::start(
        &settings.provider,
        &settings.run,
        Purpose::Identity,
        interrupt,
    )
    .await;
    if let Some(reason) = interrupt.reason() {
        let name = settings.provider.kind().name();
        return Err(Error::Interrupted(format!(
            "{name}: whoami: {reason}: nothing printed"
        )));
    }
    let session = session?;
    // A session for Purpose::Identity has made the identity call.
    let Some(identity) = session.identity() else {
        return Err(Error::Io(format!(
            "{}: whoami: no identity call was made",
            settings.provider.kind().name()
        )));
    };
    reporter.whoami(&crate::whoami::Whoami::new(session.settings(), identity))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planfile::Planned;
    use crate::settings::ProviderSettings;
    use chrono::{DateTime, Utc};

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn planned(i: usize) -> Planned {
        Planned {
            id: format!("id-{i}"),
            region: Some("cn-shanghai".into()),
            name: Some(format!("name-{i}")),
            domains: vec![format!("d{i}.example.com"), "other.example.com".into()],
            not_after: Some(utc("2025-05-01T00:00:00Z")),
        }
    }

    fn checked(certs: Vec<Planned>) -> Checked {
        Checked {
            created: utc("2025-06-01T08:00:00Z"),
            filters: Some("--expired".into()),
            account: None,
            certificates: certs,
        }
    }

    fn plan_of(checked: &Checked) -> Plan {
        let p = provider::build(&ProviderSettings::for_test(Kind::AlibabaSlb));
        let targets = checked
            .certificates
            .iter()
            .cloned()
            .map(Target::from)
            .collect();
        Plan::new(p.as_ref(), targets, true, None)
    }

    #[test]
    fn a_plan_files_question_says_where_it_came_from() {
        let c = checked(vec![planned(1), planned(2)]);
        let plan = plan_of(&c);
        assert!(plan.targets.iter().all(|t| t.known_to_exist));
        assert_eq!(
            plan_header(Path::new("p.json"), &c),
            "Plan p.json (created 2025-06-01T08:00:00Z; filters: --expired):\n"
        );
        // The certificates themselves come with name and expiry.
        let candidates: Vec<Candidate> = plan.targets.iter().map(Candidate::from).collect();
        assert_eq!(candidates[0].name.as_deref(), Some("name-1"));
        assert_eq!(candidates[0].not_after, Some(utc("2025-05-01T00:00:00Z")));
    }

    #[test]
    fn a_plan_files_header_is_escaped() {
        let mut c = checked(vec![planned(0)]);
        c.filters = Some("\u{1b}[2Jgotcha\nDelete 0 certificates".into());
        let h = plan_header(Path::new("p.json"), &c);
        assert!(!h.contains('\u{1b}'), "{h:?}");
        assert!(
            h.contains("\\u{1b}[2Jgotcha\\nDelete 0 certificates"),
            "{h:?}"
        );
        assert_eq!(h.lines().count(), 1, "{h:?}");
    }
}
