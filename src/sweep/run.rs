//! The sweep engine: every target of a policy through identity → listing → selection →
//! guards → delete (or the dry run), all targets at once on the run's one thread, each with
//! its own [`Session`] and so paced at its own provider's quota.
//!
//! The run has two halves, so that one question can cover the whole sweep:
//!
//! 1. [`survey`]: for each target, the session (its preflight makes the identity call and,
//!    unless the target says `expect_account = "any"`, refuses another account), a complete
//!    listing, [`select::select`] and the `max_deletions` guard. Read calls only.
//! 2. [`finish`]: for each surveyed target, its kept certificates reported, then its `Delete`
//!    decisions as one [`Plan`] through the executor, at the provider's delete quota (with
//!    [`Mode::DryRun`]: [`resolve::dry_run`] against the listing, nothing sent); every kept
//!    decision and every outcome to the target's audit log and to the [`Events`]. Each target ends with a
//!    [`TargetReport`].
//!
//! One target failing — settings that cannot be built (no credentials), credentials
//! rejected, another account, a listing that could not be completed, a guard refusing it —
//! is that target's [`TargetStatus::Failed`] and never stops another.

use super::policy::{self, ExpectAccount, Region};
use super::select::{self, Decision, TooMany};
use crate::audit::AuditLog;
use crate::cert::{Cert, FilterSpec};
use crate::error::Error;
use crate::execute::{execute, skip_all};
use crate::interrupt::Interrupt;
use crate::outcome::{Exit, Outcome, Status, Tally};
use crate::plan::{Plan, Target as PlanTarget};
use crate::planfile::Checked;
use crate::provider::Kind;
use crate::report::Sink;
use crate::resolve;
use crate::session::{Purpose, Session};
use crate::settings::{self, ExpectedAccount, ProviderSettings, RunSettings};
use chrono::{DateTime, Utc};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::path::Path;

/// What the sweep does with what it selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Delete it.
    Delete,
    /// `--dry-run`: report what would be deleted; no delete request is sent.
    DryRun,
}

impl Mode {
    pub fn dry_run(self) -> bool {
        self == Mode::DryRun
    }
}

/// The reason code of a certificate kept because its target was refused by `max_deletions`.
pub const MAX_DELETIONS: &str = "max_deletions";

/// One target of the policy, with the settings its requests are made with (or why they could
/// not be built) and its audit log, opened before anything is sent.
pub struct Configured {
    pub target: policy::Target,
    pub settings: Result<ProviderSettings, Error>,
    pub audit: Option<AuditLog>,
}

/// What [`settings::provider_settings`] is asked for one target of the policy `file`.
pub fn choice(target: &policy::Target, file: &str, mode: Mode) -> settings::ProviderChoice {
    let regions = match &target.region {
        Region::Default => Vec::new(),
        Region::One(r) => vec![r.clone()],
        Region::Many(rs) => rs.clone(),
        Region::All => vec!["all".to_string()],
    };
    settings::ProviderChoice {
        kind: target.provider,
        endpoint: target.endpoint.clone(),
        regions,
        region_origin: Some(format!("{file}, target {}", target.name)),
        profile: target.profile.clone(),
        cas_target: target.cas_target,
        check_resources: false,
        expect_account: match &target.expect_account {
            ExpectAccount::Any => None,
            ExpectAccount::Id(id) => Some(ExpectedAccount {
                id: id.clone(),
                from: format!("{file}, target {}: expect_account", target.name),
            }),
        },
        purpose: match mode {
            Mode::Delete => settings::Purpose::Delete,
            Mode::DryRun => settings::Purpose::List,
        },
    }
}

/// Which target, of which provider, in which account (once known).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Where<'a> {
    pub target: &'a str,
    pub provider: &'static str,
    pub account: Option<&'a str>,
}

/// Where a sweep's results go, as they become known.
pub trait Events {
    /// A selected certificate that is not deleted: the rule's code (`keep_latest`,
    /// `excluded_id`, …, [`MAX_DELETIONS`]) and why, for a person.
    fn kept(&mut self, at: &Where<'_>, cert: &Cert, code: &'static str, why: &str);
    /// A delete's (or, in a dry run, a would-be delete's) outcome.
    fn outcome(&mut self, at: &Where<'_>, outcome: &Outcome);
    /// The target is over.
    fn target(&mut self, report: &TargetReport);
}

/// How a target ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetStatus {
    /// Identity checked, listed in full, not refused, and every certificate it set out to
    /// delete deleted (dry run: would be).
    Completed,
    /// Why not.
    Failed(String),
}

/// One target's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetReport {
    pub name: String,
    pub provider: &'static str,
    pub account: Option<String>,
    /// Certificates the selection matched.
    pub selected: usize,
    /// Deleted or gone (dry run: would be deleted).
    pub deleted: usize,
    /// Kept, by the rule's code.
    pub kept: BTreeMap<&'static str, usize>,
    /// Set out to delete but not deleted (not_found, in_use, denied, failed, skipped, …).
    pub failed: usize,
    pub status: TargetStatus,
    pub dry_run: bool,
}

impl TargetReport {
    fn new(name: &str, provider: Kind, dry_run: bool) -> TargetReport {
        TargetReport {
            name: name.to_string(),
            provider: provider.name(),
            account: None,
            selected: 0,
            deleted: 0,
            kept: BTreeMap::new(),
            failed: 0,
            status: TargetStatus::Completed,
            dry_run,
        }
    }

    pub fn kept_total(&self) -> usize {
        self.kept.values().sum()
    }

    pub fn completed(&self) -> bool {
        self.status == TargetStatus::Completed
    }
}

/// The sweep's exit status: 0 when every target completed, 1 otherwise (usage errors are
/// refused before any target runs, with 2).
pub fn exit(reports: &[TargetReport]) -> Exit {
    if reports.iter().all(TargetReport::completed) {
        Exit::Success
    } else {
        Exit::Partial
    }
}

/// A target after the survey: ready to delete what it decided, or over.
pub struct Surveyed {
    pub target: policy::Target,
    audit: Option<AuditLog>,
    pub account: Option<String>,
    pub state: Survey,
}

pub enum Survey {
    /// The target failed before anything could be deleted (the reason).
    Failed(String),
    Ready(Box<Ready>),
}

pub struct Ready {
    pub(super) session: Session,
    /// The complete listing.
    pub(super) certs: Vec<Cert>,
    /// The regions the listing covered (alibaba-slb; empty for the others).
    pub(super) regions: Vec<String>,
    /// Every selected certificate with its decision.
    pub decisions: Vec<(Cert, Decision)>,
    /// `max_deletions` refused the target: nothing is deleted there.
    pub refusal: Option<TooMany>,
}

impl Surveyed {
    /// How many certificates this target will delete (none when it failed or was refused).
    pub fn to_delete(&self) -> usize {
        match &self.state {
            Survey::Ready(r) if r.refusal.is_none() => r
                .decisions
                .iter()
                .filter(|(_, d)| *d == Decision::Delete)
                .count(),
            _ => 0,
        }
    }

    /// The settings the target's requests are made with, once surveyed.
    pub fn settings(&self) -> Option<&ProviderSettings> {
        match &self.state {
            Survey::Ready(r) => Some(r.session.settings()),
            Survey::Failed(_) => None,
        }
    }
}

/// Every target's identity, listing and decisions, all targets at once (read calls only).
/// `now` is the run's one reading of the clock the selection is judged by.
pub async fn survey(
    targets: Vec<Configured>,
    run: &RunSettings,
    now: DateTime<Utc>,
    interrupt: &Interrupt,
) -> Vec<Surveyed> {
    all(targets
        .into_iter()
        .map(|c| survey_one(c, run, now, interrupt)))
    .await
}

async fn survey_one(
    configured: Configured,
    run: &RunSettings,
    now: DateTime<Utc>,
    interrupt: &Interrupt,
) -> Surveyed {
    let Configured {
        target,
        settings,
        audit,
    } = configured;
    let failed = |target, audit, account, why: String| Surveyed {
        target,
        audit,
        account,
        state: Survey::Failed(why),
    };
    let settings = match settings {
        Ok(s) => s,
        Err(e) => return failed(target, audit, None, e.to_string()),
    };
    // The identity call always: the reports name the account, and unless the target says
    // "any" the preflight refuses another one before anything is listed.
    let session = match Session::start(&settings, run, Purpose::Identity, interrupt).await {
        Ok(s) => s,
        Err(e) => {
            let account = match &e {
                Error::WrongAccount { actual, .. } => Some(actual.clone()),
                _ => None,
            };
            return failed(target, audit, account, e.to_string());
        }
    };
    let account = session.account().map(str::to_owned);
    let listing = match crate::list::list(&session, &FilterSpec::default(), &|_| {}).await {
        Ok(l) => l,
        Err(e) => return failed(target, audit, account, e.to_string()),
    };
    for w in &listing.warnings {
        crate::output::warn(&format!("{}: {w}", target.name));
    }
    let regions = listing.regions;
    let certs = listing.certs;
    let selected = select::select(&certs, &target.selection, &target.guards, now);
    let decisions: Vec<(Cert, Decision)> = selected
        .decisions
        .iter()
        .map(|(c, d)| ((*c).clone(), d.clone()))
        .collect();
    let refusal = selected.refusal;
    Surveyed {
        target,
        audit,
        account,
        state: Survey::Ready(Box::new(Ready {
            session,
            certs,
            regions,
            decisions,
            refusal,
        })),
    }
}

/// Report every surveyed target's decisions and carry out its deletes (with [`Mode::DryRun`]:
/// the dry run), all targets at once; each target's report, in the policy's order.
pub async fn finish(
    surveyed: Vec<Surveyed>,
    mode: Mode,
    run: &RunSettings,
    interrupt: &Interrupt,
    events: &mut dyn Events,
) -> Vec<TargetReport> {
    let events = RefCell::new(events);
    all(surveyed
        .into_iter()
        .map(|s| finish_one(s, mode, run, interrupt, &events)))
    .await
}

async fn finish_one(
    surveyed: Surveyed,
    mode: Mode,
    run: &RunSettings,
    interrupt: &Interrupt,
    events: &RefCell<&mut dyn Events>,
) -> TargetReport {
    let Surveyed {
        target,
        mut audit,
        account,
        state,
    } = surveyed;
    let mut report = TargetReport::new(&target.name, target.provider, mode.dry_run());
    report.account = account;
    let end = |report: TargetReport| {
        events.borrow_mut().target(&report);
        report
    };
    let ready = match state {
        Survey::Failed(why) => {
            report.status = TargetStatus::Failed(why);
            return end(report);
        }
        Survey::Ready(r) => r,
    };
    let at = Where {
        target: &target.name,
        provider: report.provider,
        account: report.account.as_deref(),
    };
    report.selected = ready.decisions.len();
    if let Some(log) = audit.as_mut() {
        log.set_account(report.account.clone());
    }
    let mut targets: Vec<PlanTarget> = Vec::new();
    for (cert, decision) in &ready.decisions {
        let (code, why) = match (decision, &ready.refusal) {
            (Decision::Kept(k), _) => (k.code(), k.to_string()),
            (Decision::Delete, Some(too_many)) => (MAX_DELETIONS, too_many.to_string()),
            (Decision::Delete, None) => {
                targets.push(PlanTarget::listed(cert));
                continue;
            }
        };
        *report.kept.entry(code).or_default() += 1;
        // The record first, as for an outcome: it is written before the line on stdout.
        if let Some(log) = audit.as_mut() {
            log.kept(&cert.id, cert.region.as_deref(), code);
        }
        events.borrow_mut().kept(&at, cert, code, &why);
    }
    if let Some(too_many) = &ready.refusal {
        let mut why = too_many.to_string();
        if let Some(e) = audit
            .as_mut()
            .and_then(|log| log.finish(report.provider).err())
        {
            why = format!("{why}; {e}");
        }
        report.status = TargetStatus::Failed(why);
        return end(report);
    }
    let mut relay = Relay {
        at,
        events,
        audit: audit.as_mut(),
        tally: Tally::default(),
    };
    let stopped = if targets.is_empty() {
        None
    } else {
        match mode {
            Mode::DryRun => {
                let session = &ready.session;
                for o in resolve::dry_run(session.provider(), &targets, &ready.certs) {
                    relay.outcome(&o);
                }
                None
            }
            Mode::Delete => delete(&ready.session, targets, run, interrupt, &mut relay)
                .await
                .err(),
        }
    };
    let tally = relay.tally;
    settle(&mut report, &tally, stopped, audit.as_mut());
    end(report)
}

/// A target's counts from its outcomes, and its status: failed when some certificate it set
/// out to delete was not deleted, the run stopped, or its audit records could not be written.
fn settle(
    report: &mut TargetReport,
    tally: &Tally,
    stopped: Option<Error>,
    audit: Option<&mut AuditLog>,
) {
    let audit_failed = audit.and_then(|log| log.finish(report.provider).err());
    report.deleted =
        tally.count(Status::Deleted) + tally.count(Status::Gone) + tally.count(Status::WouldDelete);
    report.failed = tally.total() - report.deleted;
    let mut why: Vec<String> = Vec::new();
    if report.failed > 0 {
        let verb = if report.dry_run {
            "would not be deleted"
        } else {
            "not deleted"
        };
        why.push(format!(
            "{} of {} certificates {verb}",
            report.failed,
            tally.total()
        ));
    }
    if let Some(e) = stopped {
        why.push(format!("run stopped: {e}"));
    }
    if let Some(e) = audit_failed {
        why.push(e.to_string());
    }
    if !why.is_empty() {
        report.status = TargetStatus::Failed(why.join("; "));
    }
}

/// One target of a sweep plan file, ready to apply: its settings (the plan's account
/// expected) and its checked plan, or why it is refused.
pub struct Applying {
    pub name: String,
    pub provider: Kind,
    pub ready: Result<(ProviderSettings, Checked), String>,
    pub audit: Option<AuditLog>,
}

impl Applying {
    /// How many certificates this target will delete.
    pub fn to_delete(&self) -> usize {
        self.ready
            .as_ref()
            .map_or(0, |(_, checked)| checked.certificates.len())
    }
}

/// Apply a sweep plan (`--apply-plan FILE`, named `path` in messages): every target at once,
/// each exactly its plan's certificates, after its identity call; a target refused (its plan
/// failed a check, another account) is reported and the others applied.
pub async fn apply(
    targets: Vec<Applying>,
    path: &Path,
    run: &RunSettings,
    interrupt: &Interrupt,
    events: &mut dyn Events,
) -> Vec<TargetReport> {
    let events = RefCell::new(events);
    all(targets
        .into_iter()
        .map(|t| apply_one(t, path, run, interrupt, &events)))
    .await
}

async fn apply_one(
    applying: Applying,
    path: &Path,
    run: &RunSettings,
    interrupt: &Interrupt,
    events: &RefCell<&mut dyn Events>,
) -> TargetReport {
    let Applying {
        name,
        provider,
        ready,
        mut audit,
    } = applying;
    let mut report = TargetReport::new(&name, provider, false);
    let end = |report: TargetReport| {
        events.borrow_mut().target(&report);
        report
    };
    let (settings, checked) = match ready {
        Ok(r) => r,
        Err(why) => {
            report.status = TargetStatus::Failed(why);
            return end(report);
        }
    };
    report.selected = checked.certificates.len();
    report.account = checked.account.clone();
    if checked.certificates.is_empty() {
        return end(report);
    }
    let targets: Vec<PlanTarget> = checked
        .certificates
        .iter()
        .cloned()
        .map(PlanTarget::from)
        .collect();
    let planner = crate::provider::build(&settings);
    let plan = Plan::new(
        planner.as_ref(),
        targets,
        true,
        Some(settings::DEFAULT_WAIT),
    );
    // The identity call first: another account than the plan's refuses the target.
    let session = match Session::start(&settings, run, Purpose::Delete, interrupt).await {
        Ok(s) => s,
        Err(e) => {
            if let Error::WrongAccount { actual, .. } = &e {
                report.account = Some(actual.clone());
            }
            report.status = TargetStatus::Failed(e.to_string());
            return end(report);
        }
    };
    if let Some(account) = session.account() {
        report.account = Some(account.to_string());
    }
    // huawei-scm: the domain id the session found must be the plan's.
    if let Err(e) = checked.check_account(path, session.account()) {
        report.status = TargetStatus::Failed(e.to_string());
        return end(report);
    }
    let mut relay = Relay {
        at: Where {
            target: &name,
            provider: report.provider,
            account: report.account.as_deref(),
        },
        events,
        audit: audit.as_mut(),
        tally: Tally::default(),
    };
    if let Some(log) = relay.audit.as_deref_mut() {
        log.set_account(report.account.clone());
    }
    let stopped = execute(&session, &plan, &mut relay).await.err();
    let tally = relay.tally;
    settle(&mut report, &tally, stopped, audit.as_mut());
    end(report)
}

/// The target's deletes, through a session of their own at the provider's delete quota (its
/// identity already checked by the survey's session: no second identity call).
async fn delete(
    surveyed: &Session,
    targets: Vec<PlanTarget>,
    run: &RunSettings,
    interrupt: &Interrupt,
    sink: &mut dyn Sink,
) -> Result<(), Error> {
    let mut settings = surveyed.settings().clone();
    settings.expect_account = None;
    let planner = crate::provider::build(&settings);
    let plan = Plan::new(
        planner.as_ref(),
        targets,
        true,
        Some(settings::DEFAULT_WAIT),
    );
    let session = match Session::start(&settings, run, Purpose::Delete, interrupt).await {
        Ok(s) => s,
        Err(e) => {
            skip_all(settings.kind().name(), &plan, &e, sink);
            return Err(e);
        }
    };
    execute(&session, &plan, sink).await
}

/// One target's outcomes to its audit log, the events and its tally.
struct Relay<'a, 'e> {
    at: Where<'a>,
    events: &'a RefCell<&'e mut dyn Events>,
    audit: Option<&'a mut AuditLog>,
    tally: Tally,
}

impl Sink for Relay<'_, '_> {
    fn outcome(&mut self, outcome: &Outcome) {
        // The record first, as for delete: it is written before the line on stdout.
        if let Some(log) = self.audit.as_deref_mut() {
            log.outcome(outcome);
        }
        self.tally.add(outcome.outcome);
        self.events.borrow_mut().outcome(&self.at, outcome);
    }
}

/// Run every future to its end, concurrently on this thread; their outputs in order.
async fn all<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    futures_util::future::join_all(futures).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(status: TargetStatus) -> TargetReport {
        let mut r = TargetReport::new("t", Kind::TencentSsl, false);
        r.status = status;
        r
    }

    #[test]
    fn the_exit_status_is_success_only_when_every_target_completed() {
        assert_eq!(exit(&[]), Exit::Success);
        assert_eq!(exit(&[report(TargetStatus::Completed)]), Exit::Success);
        assert_eq!(
            exit(&[
                report(TargetStatus::Completed),
                report(TargetStatus::Failed("refused".into()))
            ]),
            Exit::Partial
        );
    }

    fn target(region: Region, expect: ExpectAccount) -> policy::Target {
        policy::Target {
            name: "slb-prod".into(),
            provider: Kind::AlibabaSlb,
            profile: Some("prod".into()),
            region,
            cas_target: settings::CasTarget::Orders,
            endpoint: None,
            expect_account: expect,
            selection: Default::default(),
            guards: policy::Guards {
                max_deletions: 1,
                keep_latest_per_domains: true,
            },
        }
    }

    #[test]
    fn a_targets_choice_carries_its_regions_profile_and_account() {
        let c = choice(
            &target(Region::All, ExpectAccount::Id("123".into())),
            "p.toml",
            Mode::Delete,
        );
        assert_eq!(c.kind, Kind::AlibabaSlb);
        assert_eq!(c.regions, ["all"]);
        assert_eq!(c.profile.as_deref(), Some("prod"));
        let expected = c.expect_account.expect("an account to expect");
        assert_eq!(expected.id, "123");
        assert!(expected.from.contains("p.toml"), "{}", expected.from);
        assert!(expected.from.contains("slb-prod"), "{}", expected.from);
        assert!(c.region_origin.unwrap().contains("slb-prod"));

        let c = choice(
            &target(
                Region::Many(vec!["cn-hangzhou".into(), "cn-beijing".into()]),
                ExpectAccount::Any,
            ),
            "p.toml",
            Mode::DryRun,
        );
        assert_eq!(c.regions, ["cn-hangzhou", "cn-beijing"]);
        assert!(c.expect_account.is_none(), "\"any\": no check");
        assert_eq!(
            choice(
                &target(Region::Default, ExpectAccount::Any),
                "p",
                Mode::DryRun
            )
            .regions,
            Vec::<String>::new()
        );
    }
}
