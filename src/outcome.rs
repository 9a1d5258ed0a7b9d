//! What happened to each id, and how a whole run folds into an exit status.

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
    /// Anything else: a vendor error, exhausted retries, or a request never sent.
    Failed,
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
        }
    }

    pub const ALL: [Status; 7] = [
        Status::Deleted,
        Status::Gone,
        Status::NotFound,
        Status::InUse,
        Status::Denied,
        Status::Pending,
        Status::Failed,
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
        }
    }

    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
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

/// A failure after an attempt whose reply was lost may hide a deletion: say so.
pub fn may_have_deleted(mut outcome: Outcome, ambiguous: Option<&str>) -> Outcome {
    if let Some(what) = ambiguous {
        let msg = outcome.message.take().unwrap_or_default();
        outcome.message = Some(format!(
            "{msg}{}an earlier attempt may have deleted it ({what}); list to check",
            if msg.is_empty() { "" } else { "; " }
        ));
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

/// Counts per status, for the summary line and the exit status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    counts: [usize; 7],
}

impl Tally {
    pub fn add(&mut self, status: Status) {
        self.counts[status as usize] += 1;
    }

    pub fn count(&self, status: Status) -> usize {
        self.counts[status as usize]
    }

    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// 0 only when every id was deleted (or is gone); an empty run is a success.
    pub fn exit(&self) -> Exit {
        if self.count(Status::Deleted) + self.count(Status::Gone) == self.total() {
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
        ] {
            let mut t2 = t.clone();
            t2.add(s);
            assert_eq!(t2.exit(), Exit::Partial, "{s:?}");
        }
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
    }
}
