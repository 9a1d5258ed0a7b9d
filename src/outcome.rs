//! What happened to each id, the rules that decide it, and how a whole run folds into an exit
//! status.
//!
//! The outcome rules live here, once, for the single and the batch paths alike: how a final
//! answer is recorded ([`Outcome::record`]), the lost-reply rule ([`after_lost_reply`],
//! [`may_have_deleted`]), and what an id the run gave up on becomes ([`Outcome::not_done`]:
//! `skipped` when it was never sent, `failed` when it was). The exit status is folded from the
//! outcomes by [`Tally`], apart from any rendering of them.

use crate::provider::{Answer, Class};
use crate::send::{describe_after_code, End, Tried};
use serde::Serialize;
use std::process::ExitCode;

/// The end state of one id. Serialized in `snake_case` (`--output json` field `outcome`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The provider confirmed the deletion, or a retry found it gone after an attempt whose
    /// reply was lost while this run knew the certificate existed (the message says so).
    Deleted,
    /// Not there after an attempt whose reply was lost, for an id this run did not know to
    /// exist: that attempt deleted it, or it never existed. Counts as success.
    Gone,
    /// The provider says no such certificate exists.
    NotFound,
    /// The certificate is still bound to a resource (listener, domain, CDN, ...).
    InUse,
    /// The credentials are valid but may not delete this certificate (permission, state).
    Denied,
    /// Accepted but not finished: an asynchronous deletion still running (task id in message).
    Pending,
    /// Anything else: a vendor error, or given up on after at least one attempt.
    Failed,
    /// Never sent: the run stopped (rejected credentials, unreachable endpoint) or the
    /// deadline passed before its first attempt (the reason in the message).
    Skipped,
    /// Dry run (`delete --dry-run`): the provider's listing has the certificate and does not
    /// say it is in use, so a delete would be sent for it. Nothing was sent; where the list
    /// API cannot tell whether it is in use, the message says so. Counts as success.
    WouldDelete,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Deleted => "deleted",
            Status::Gone => "gone",
            Status::NotFound => "not_found",
            Status::InUse => "in_use",
            Status::Denied => "denied",
            Status::Pending => "pending",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::WouldDelete => "would_delete",
        }
    }

    pub const ALL: [Status; 9] = [
        Status::Deleted,
        Status::Gone,
        Status::NotFound,
        Status::InUse,
        Status::Denied,
        Status::Pending,
        Status::Failed,
        Status::Skipped,
        Status::WouldDelete,
    ];
}

/// One id's reported result: the record every output format renders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub provider: &'static str,
    pub id: String,
    pub outcome: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    pub attempts: u32,
    /// The asynchronous deletion task this id's deletion started (tencent-ssl with
    /// `--check-resources`), kept whether or not the task has finished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
}

impl Outcome {
    pub fn new(provider: &'static str, id: impl Into<String>, status: Status) -> Self {
        Outcome {
            provider,
            id: id.into(),
            outcome: status,
            code: None,
            message: None,
            request_id: None,
            http_status: None,
            attempts: 0,
            task_id: None,
        }
    }

    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Take over what the provider said in `answer`: code, message, request id, HTTP status.
    pub fn record(&mut self, answer: &Answer) {
        self.code = answer.code.clone();
        self.message = answer.message.clone();
        self.request_id = answer.request_id.clone();
        self.http_status = Some(answer.http_status);
    }

    /// What one exchange for this id means for it: its attempts are added, the provider's
    /// last answer recorded, and its end mapped through the outcome rules —
    ///
    /// - a final answer: its status, through the lost-reply rule ([`after_lost_reply`];
    ///   `known_to_exist` says whether this run knew the certificate existed), with the
    ///   asynchronous task it started when it is `pending`;
    /// - throttled, temporary failures, no reply after every retry, or an answer that stopped
    ///   the run: `failed`, saying why and whether an earlier attempt may have deleted it;
    /// - not sent (again) because the run stopped or time ran out: [`Outcome::not_done`].
    ///
    /// [`End::Ok`] (a value the caller reads itself, such as a bulk reply) leaves the outcome
    /// as it is.
    pub fn settle<T>(mut self, tried: &Tried<T>, known_to_exist: bool) -> Outcome {
        self.attempts += tried.attempts;
        if let Some(answer) = &tried.last {
            self.record(answer);
        }
        let ambiguous = tried.ambiguous.as_deref();
        let attempts = self.attempts;
        match &tried.end {
            End::Ok(_) => self,
            End::Done(answer) => {
                let Class::Done(status) = answer.class else {
                    return self;
                };
                let mut o = after_lost_reply(self, status, ambiguous, known_to_exist);
                if o.outcome == Status::Pending {
                    o.task_id = answer.task_id.clone();
                }
                o
            }
            End::Throttled(answer) => {
                self.outcome = Status::Failed;
                self.message = Some(format!(
                    "throttled after {attempts} attempts{}",
                    answer
                        .message
                        .as_ref()
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default()
                ));
                may_have_deleted(self, ambiguous)
            }
            End::Transient(answer) => {
                // The answer's code is recorded on the outcome (from `tried.last`): the
                // message does not repeat it.
                self.outcome = Status::Failed;
                self.message = Some(format!(
                    "{} (after {attempts} attempts)",
                    describe_after_code(answer)
                ));
                may_have_deleted(self, ambiguous)
            }
            End::NoReply(message) => {
                self.outcome = Status::Failed;
                self.message = Some(format!("{message} (after {attempts} attempts)"));
                may_have_deleted(self, ambiguous)
            }
            // The answer that stopped the run is recorded: its code and message say why.
            End::Aborted(_) => {
                self.outcome = Status::Failed;
                may_have_deleted(self, ambiguous)
            }
            End::Stopped(reason) => self.not_done(reason, ambiguous),
        }
    }

    /// An id the run gave up on (`reason`: the run stopped, the deadline passed): `skipped`
    /// when no attempt was ever sent for it, `failed` once one was — with the lost-reply
    /// warning when an attempt's result is unknown.
    pub fn not_done(mut self, reason: &str, ambiguous: Option<&str>) -> Outcome {
        if self.attempts == 0 {
            self.outcome = Status::Skipped;
            self.message = Some(format!("not attempted: {reason}"));
        } else {
            self.outcome = Status::Failed;
            self.message = Some(format!(
                "gave up after {} attempts: {reason}",
                self.attempts
            ));
        }
        may_have_deleted(self, ambiguous)
    }

    /// Whether this outcome ends the id as certdel was asked: deleted, or gone.
    pub fn is_success(&self) -> bool {
        matches!(self.outcome, Status::Deleted | Status::Gone)
    }
}

/// What a final answer means for an id after an attempt whose reply was lost (`ambiguous`
/// names that attempt): the one place the lost-reply rule lives.
///
/// - `not_found` after a lost reply: that attempt deleted it — reported `deleted` when this
///   run knew the certificate existed (`known_to_exist`: it came from a plan or a listing of
///   this run), otherwise `gone`, since a typo'd id behind one dropped reply also ends here.
/// - Any other refusal after a lost reply: the status stands, and the message says an earlier
///   attempt may have deleted it.
/// - Without a lost reply the status stands as the provider gave it.
pub fn after_lost_reply(
    mut outcome: Outcome,
    status: Status,
    ambiguous: Option<&str>,
    known_to_exist: bool,
) -> Outcome {
    match (status, ambiguous) {
        (Status::NotFound, Some(what)) => {
            outcome.outcome = if known_to_exist {
                Status::Deleted
            } else {
                Status::Gone
            };
            outcome.message = Some(if known_to_exist {
                format!(
                    "deleted by an earlier attempt whose reply was lost ({what}); the retry found it gone"
                )
            } else {
                format!(
                    "not there after an earlier attempt whose reply was lost ({what}): that attempt deleted it, or it never existed"
                )
            });
            outcome
        }
        (status @ (Status::Deleted | Status::Pending | Status::Gone), _) => {
            outcome.outcome = status;
            outcome
        }
        (status, ambiguous) => {
            outcome.outcome = status;
            may_have_deleted(outcome, ambiguous)
        }
    }
}

/// A failure after an attempt whose reply was lost may hide a deletion: say so. What that
/// attempt met is named unless the message already says it (the same dropped connection or
/// 5xx on every attempt), so one error is printed once.
pub fn may_have_deleted(mut outcome: Outcome, ambiguous: Option<&str>) -> Outcome {
    if let Some(what) = ambiguous {
        let msg = outcome.message.take().unwrap_or_default();
        let sep = if msg.is_empty() { "" } else { "; " };
        outcome.message = Some(if !what.is_empty() && msg.contains(what) {
            format!("{msg}{sep}an earlier attempt may have deleted it; list to check")
        } else {
            format!("{msg}{sep}an earlier attempt may have deleted it ({what}); list to check")
        });
    }
    outcome
}

/// Documented exit statuses (see `certdel --help` and the README).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Every id was deleted (or, for `list`, the listing completed).
    Success = 0,
    /// The run finished but at least one id was not deleted.
    Partial = 1,
    /// certdel could not run: usage error, missing or rejected credentials, unreachable endpoint.
    Fatal = 2,
    /// Interrupted by SIGINT (Ctrl-C): 128 + 2, as shells report it.
    Interrupted = 130,
    /// Interrupted by SIGTERM: 128 + 15.
    Terminated = 143,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// Counts per status, for a summary line and the exit status; the fold that turns a run's
/// outcomes into [`Exit`] (a [`crate::report::Sink`] of its own, apart from rendering).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    counts: [usize; Status::ALL.len()],
    /// Statuses that count as success besides deleted and gone (`--accept`).
    accepted: Vec<Status>,
}

/// The statuses `--accept` may name: answers that say the certificate is not deleted but that
/// a caller may choose not to count against the run.
pub const ACCEPTABLE: [Status; 2] = [Status::NotFound, Status::InUse];

impl Tally {
    /// A tally whose exit status also counts `accepted` statuses as success (`--accept`).
    pub fn accepting(accepted: &[Status]) -> Tally {
        let mut kept: Vec<Status> = Vec::new();
        for s in accepted.iter().filter(|s| ACCEPTABLE.contains(s)) {
            if !kept.contains(s) {
                kept.push(*s);
            }
        }
        Tally {
            accepted: kept,
            ..Tally::default()
        }
    }

    pub fn add(&mut self, status: Status) {
        self.counts[status as usize] += 1;
    }

    pub fn count(&self, status: Status) -> usize {
        self.counts[status as usize]
    }

    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// 0 only when every id was deleted (or is gone, or, in a dry run, would be deleted, or
    /// has an accepted status); an empty run is a success. `skipped` is never a success.
    pub fn exit(&self) -> Exit {
        let accepted: usize = self.accepted.iter().map(|s| self.count(*s)).sum();
        let done = self.count(Status::Deleted)
            + self.count(Status::Gone)
            + self.count(Status::WouldDelete);
        if done + accepted == self.total() {
            Exit::Success
        } else {
            Exit::Partial
        }
    }

    /// `3 deleted, 1 not_found` (statuses with a zero count are left out).
    pub fn summary(&self) -> String {
        let parts: Vec<String> = Status::ALL
            .iter()
            .filter(|s| self.count(**s) > 0)
            .map(|s| format!("{} {}", self.count(*s), s.as_str()))
            .collect();
        if parts.is_empty() {
            "nothing to do".to_string()
        } else {
            parts.join(", ")
        }
    }
}

impl crate::report::Sink for Tally {
    fn outcome(&mut self, outcome: &Outcome) {
        self.add(outcome.outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_reply_then_not_found_is_deleted_only_when_known_to_exist() {
        let base = || Outcome::new("x", "id", Status::Failed);
        let o = after_lost_reply(base(), Status::NotFound, Some("timed out"), true);
        assert_eq!(o.outcome, Status::Deleted);
        assert!(o.message.unwrap().contains("deleted by an earlier attempt"));
        let o = after_lost_reply(base(), Status::NotFound, Some("timed out"), false);
        assert_eq!(o.outcome, Status::Gone);
        assert!(o.message.unwrap().contains("or it never existed"));
        // No lost reply: not_found stands, whatever was known.
        let o = after_lost_reply(base(), Status::NotFound, None, true);
        assert_eq!(o.outcome, Status::NotFound);
        assert_eq!(o.message, None);
        // A refusal after a lost reply keeps its status and warns.
        let o = after_lost_reply(
            base().message("in use"),
            Status::InUse,
            Some("HTTP 502"),
            false,
        );
        assert_eq!(o.outcome, Status::InUse);
        assert_eq!(
            o.message.as_deref(),
            Some("in use; an earlier attempt may have deleted it (HTTP 502); list to check")
        );
        let o = after_lost_reply(base(), Status::Deleted, Some("HTTP 502"), false);
        assert_eq!((o.outcome, o.message), (Status::Deleted, None));
    }

    #[test]
    fn exit_is_success_only_when_all_deleted() {
        let mut t = Tally::default();
        assert_eq!(t.exit(), Exit::Success);
        t.add(Status::Deleted);
        assert_eq!(t.exit(), Exit::Success);
        t.add(Status::Gone);
        assert_eq!(t.exit(), Exit::Success, "gone counts as success");
        for s in [
            Status::NotFound,
            Status::InUse,
            Status::Denied,
            Status::Pending,
            Status::Failed,
            Status::Skipped,
        ] {
            let mut t2 = t.clone();
            t2.add(s);
            assert_eq!(t2.exit(), Exit::Partial, "{s:?}");
        }
    }

    #[test]
    fn a_dry_run_succeeds_only_when_every_id_would_be_deleted() {
        let mut t = Tally::default();
        t.add(Status::WouldDelete);
        t.add(Status::WouldDelete);
        assert_eq!(t.exit(), Exit::Success);
        assert_eq!(t.summary(), "2 would_delete");
        for s in [Status::NotFound, Status::InUse, Status::Failed] {
            let mut t2 = t.clone();
            t2.add(s);
            assert_eq!(t2.exit(), Exit::Partial, "{s:?}");
        }
        // --accept applies to a dry run as to a real one.
        let mut t = Tally::accepting(&[Status::NotFound]);
        t.add(Status::WouldDelete);
        t.add(Status::NotFound);
        assert_eq!(t.exit(), Exit::Success);
        let o = Outcome::new("x", "a", Status::WouldDelete);
        assert_eq!(serde_json::to_value(&o).unwrap()["outcome"], "would_delete");
        assert_eq!(Status::WouldDelete.as_str(), "would_delete");
    }

    /// Moved from `app.rs` with the rules it tests; an id never attempted is now `skipped`.
    #[test]
    fn ambiguity_is_reported_on_failure() {
        let o = Outcome::new("x", "id", Status::Failed).message("HTTP 503 (after 6 attempts)");
        let o = may_have_deleted(o, Some("timed out"));
        assert_eq!(
            o.message.as_deref(),
            Some("HTTP 503 (after 6 attempts); an earlier attempt may have deleted it (timed out); list to check")
        );
        let o = Outcome::new("x", "id", Status::Deleted).not_done("deadline reached", None);
        assert_eq!(o.outcome, Status::Skipped);
        assert_eq!(
            o.message.as_deref(),
            Some("not attempted: deadline reached")
        );
    }

    /// The demo's connection-dropping certificate: every attempt met the same error, which
    /// the message names once, not again as the earlier attempt's.
    #[test]
    fn the_same_error_on_every_attempt_is_named_once() {
        let dropped = "request failed: connection closed before message completed";
        let o = Outcome::new("x", "id", Status::Failed)
            .message(format!("{dropped} (after 9 attempts)"));
        let o = may_have_deleted(o, Some(dropped));
        assert_eq!(
            o.message.as_deref(),
            Some("request failed: connection closed before message completed (after 9 attempts); an earlier attempt may have deleted it; list to check")
        );
        assert_eq!(o.message.as_deref().unwrap().matches(dropped).count(), 1);
        // The last answer of a --retry-timeout give-up, named in the message already.
        let o = Outcome::new("x", "id", Status::Failed).message(
            "gave up after 5 attempts: out of time: --retry-timeout 3 s used up; last answer InternalError: boom",
        );
        let o = may_have_deleted(o, Some("InternalError: boom"));
        assert_eq!(
            o.message
                .as_deref()
                .unwrap()
                .matches("InternalError: boom")
                .count(),
            1
        );
        // A different earlier error is still named.
        let o = Outcome::new("x", "id", Status::Failed).message("HTTP 503 (after 6 attempts)");
        let o = may_have_deleted(o, Some("timed out"));
        assert!(o
            .message
            .unwrap()
            .contains("may have deleted it (timed out)"));
    }

    #[test]
    fn an_id_given_up_on_after_an_attempt_stays_failed() {
        let mut o = Outcome::new("x", "id", Status::Deleted);
        o.attempts = 2;
        let o = o.not_done("deadline reached", Some("timed out"));
        assert_eq!(o.outcome, Status::Failed);
        assert_eq!(
            o.message.as_deref(),
            Some("gave up after 2 attempts: deadline reached; an earlier attempt may have deleted it (timed out); list to check")
        );
    }

    fn tried(end: End<()>, attempts: u32, last: Option<Answer>) -> Tried<()> {
        Tried {
            end,
            attempts,
            ambiguous: None,
            last,
        }
    }

    fn answer(class: Class) -> Answer {
        Answer {
            class,
            code: Some("Code".into()),
            message: Some("said".into()),
            request_id: Some("r-1".into()),
            http_status: 200,
            retry_after: None,
            task_id: None,
            clock: false,
        }
    }

    #[test]
    fn settle_maps_every_end_of_an_exchange() {
        let base = || Outcome::new("x", "id", Status::Failed);
        // Never sent: skipped; sent and then stopped: failed.
        let o = base().settle(
            &tried(End::Stopped("run stopped: no".into()), 0, None),
            false,
        );
        assert_eq!(o.outcome, Status::Skipped);
        assert_eq!(o.message.as_deref(), Some("not attempted: run stopped: no"));
        let o = base().settle(
            &tried(End::Stopped("deadline reached".into()), 1, None),
            false,
        );
        assert_eq!(o.outcome, Status::Failed);
        // The answer that stopped the run is recorded and fails the id.
        let a = answer(Class::Abort);
        let o = base().settle(&tried(End::Aborted(a.clone()), 1, Some(a)), false);
        assert_eq!((o.outcome, o.attempts), (Status::Failed, 1));
        assert_eq!(o.code.as_deref(), Some("Code"));
        assert_eq!(o.request_id.as_deref(), Some("r-1"));
        // Attempts of an earlier bulk request count in the message.
        let a = answer(Class::Throttled);
        let mut prior = base();
        prior.attempts = 2;
        let o = prior.settle(&tried(End::Throttled(a.clone()), 3, Some(a)), false);
        assert_eq!(o.attempts, 5);
        assert_eq!(
            o.message.as_deref(),
            Some("throttled after 5 attempts: said")
        );
        // A pending final answer carries its task.
        let mut a = answer(Class::Done(Status::Pending));
        a.task_id = Some("task-1".into());
        let o = base().settle(&tried(End::Done(a.clone()), 1, Some(a)), false);
        assert_eq!(o.outcome, Status::Pending);
        assert_eq!(o.task_id.as_deref(), Some("task-1"));
        // A final answer after a lost reply goes through the lost-reply rule.
        let a = answer(Class::Done(Status::NotFound));
        let mut t = tried(End::Done(a.clone()), 2, Some(a));
        t.ambiguous = Some("timed out".into());
        assert_eq!(base().settle(&t, true).outcome, Status::Deleted);
        assert_eq!(base().settle(&t, false).outcome, Status::Gone);
    }

    #[test]
    fn skipped_is_not_success_and_accept_counts_only_what_it_names() {
        let mut t = Tally::default();
        t.add(Status::Deleted);
        t.add(Status::Skipped);
        assert_eq!(t.exit(), Exit::Partial);
        assert!(!Outcome::new("x", "id", Status::Skipped).is_success());
        let fold = |accept: &[Status], statuses: &[Status]| {
            let mut t = Tally::accepting(accept);
            for s in statuses {
                t.add(*s);
            }
            t.exit()
        };
        let nf_iu = [Status::Deleted, Status::NotFound, Status::InUse];
        assert_eq!(fold(&[], &nf_iu), Exit::Partial);
        assert_eq!(fold(&[Status::NotFound], &nf_iu), Exit::Partial);
        assert_eq!(fold(&[Status::InUse], &nf_iu), Exit::Partial);
        assert_eq!(
            fold(&[Status::NotFound, Status::InUse], &nf_iu),
            Exit::Success
        );
        // Named twice, it still counts once per id.
        assert_eq!(
            fold(
                &[Status::NotFound, Status::NotFound],
                &[Status::NotFound, Status::Failed]
            ),
            Exit::Partial
        );
        // Only not_found and in_use can be accepted.
        assert_eq!(
            fold(
                &[Status::Failed, Status::Skipped],
                &[Status::Failed, Status::Skipped]
            ),
            Exit::Partial
        );
        assert_eq!(fold(&[Status::InUse], &[Status::InUse]), Exit::Success);
    }

    #[test]
    fn summary_lists_nonzero_counts_in_fixed_order() {
        let mut t = Tally::default();
        t.add(Status::Failed);
        t.add(Status::Deleted);
        t.add(Status::Deleted);
        assert_eq!(t.summary(), "2 deleted, 1 failed");
        assert_eq!(t.total(), 3);
    }

    #[test]
    fn outcome_json_shape() {
        let mut o = Outcome::new("tencent-ssl", "abc", Status::NotFound);
        o.code = Some("FailedOperation.CertificateNotFound".into());
        o.attempts = 1;
        let v = serde_json::to_value(&o).unwrap();
        assert_eq!(v["provider"], "tencent-ssl");
        assert_eq!(v["id"], "abc");
        assert_eq!(v["outcome"], "not_found");
        assert_eq!(v["code"], "FailedOperation.CertificateNotFound");
        assert!(v.get("message").is_none());
        assert!(v.get("task_id").is_none());
        let mut p = Outcome::new("tencent-ssl", "abc", Status::Pending);
        p.task_id = Some("task-1".into());
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["outcome"], "pending");
        assert_eq!(v["task_id"], "task-1");
        assert_eq!(
            serde_json::to_value(Outcome::new("x", "a", Status::Skipped)).unwrap()["outcome"],
            "skipped"
        );
    }
}
