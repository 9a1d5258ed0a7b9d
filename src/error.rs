//! The crate error: anything that stops a whole run (exit status 2). Per-id failures are
//! [`crate::outcome::Outcome`]s, not errors.
//!
//! Messages may carry what a server sent (vendor messages, ids) exactly as it was sent; they
//! reach a terminal only through [`crate::output::stderr_line`], which escapes them.

use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    /// Bad command line or input: what was wrong and what to do.
    #[error("{0}")]
    Usage(String),

    #[error("{provider}: missing credentials: set {vars}")]
    MissingCredentials {
        provider: &'static str,
        vars: String,
    },

    /// The provider refused in a way that would fail every id (credentials, clock, endpoint).
    #[error("{provider}: {action}: {message}")]
    Rejected {
        provider: &'static str,
        action: &'static str,
        message: String,
    },

    /// No usable answer at all (DNS, connection refused, TLS, repeated timeouts).
    #[error("{provider}: {action}: {message}")]
    Unreachable {
        provider: &'static str,
        action: &'static str,
        message: String,
    },

    /// The credentials work, in another account than the run was told to expect
    /// (`--expect-account`): nothing else is sent.
    #[error("{provider}: refusing to run: the credentials belong to account {actual}, {from} says {expected}")]
    WrongAccount {
        provider: &'static str,
        actual: String,
        expected: String,
        /// Who named the expected account: `--expect-account`, `CERTDEL_EXPECT_ACCOUNT`.
        from: String,
    },

    #[error("{0}")]
    Io(String),

    /// The audit log cannot be opened (or written): which file, why, and what to do instead.
    #[error("audit log {}: {reason}; {AUDIT_OVERRIDES}", path.display())]
    Audit { path: PathBuf, reason: String },

    /// Results could not be written as asked (stdout refused them, or `--output ids` would
    /// print an id that does not read back as itself).
    #[error("{0}")]
    Output(String),

    /// SIGINT or SIGTERM ended the run before its results could be written (`list`: nothing
    /// is printed). The exit status is the signal's (130, 143), not 2.
    #[error("{0}")]
    Interrupted(String),
}

/// What an operator can do about an audit log certdel cannot use.
pub const AUDIT_OVERRIDES: &str =
    "write it elsewhere with --audit-log PATH or CERTDEL_AUDIT_LOG=PATH, or turn it off with --no-audit-log";

impl Error {
    pub fn usage(msg: impl Into<String>) -> Self {
        Error::Usage(msg.into())
    }
}
