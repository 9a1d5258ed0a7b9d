//! Diagnostics on stderr, apart from results (stdout) and errors and warnings
//! ([`crate::output::stderr_line`]): `-v` and `-vv`, through `tracing`.
//!
//! - `-v` ([`Verbosity::Attempts`], DEBUG): one line per attempt, written by
//!   [`crate::send::Sender::exchange`] through [`attempt`]: method, host, the vendor action
//!   ([`action`]), the HTTP status or why there was no reply, the vendor code and request id,
//!   the attempt number and how long the attempt took.
//! - `-vv` ([`Verbosity::Signing`], TRACE): also the canonical request and the string to sign
//!   of every signature, written where every signer ends ([`crate::sign`]'s `Draft::finish`)
//!   through [`signed`], with session tokens redacted ([`redact_canonical`]).
//! - `-q` ([`Verbosity::Quiet`]): no diagnostics at all. Warnings are not diagnostics: every
//!   warning certdel prints says a result may be incomplete or uncertain (a listing whose
//!   count disagrees, a region skipped, paging that looped, an expiry that could not be read)
//!   or that the audit log was not written, and stays.
//!
//! What never appears, at any level: `Authorization` values (the signature), session tokens
//! (every vendor's header: [`TOKEN_HEADERS`]) and secret keys. No request headers or bodies are
//! logged; the canonical request holds header values, the token among them, which
//! [`redact_canonical`] replaces. Only certdel's own events are written (dependencies' are
//! filtered out), in plain text unless stderr is a terminal and `NO_COLOR` is unset.

use crate::wire::{Reply, Request};
use std::time::Duration;
use tracing::Level;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::Layer as _;

/// How much certdel says on stderr besides results, errors and warnings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// `-q`: no diagnostics.
    Quiet,
    /// No flag: none either today; room for diagnostics worth seeing on every run.
    #[default]
    Normal,
    /// `-v`: one line per attempt.
    Attempts,
    /// `-vv` (or more): also every signature's canonical request and string to sign.
    Signing,
}

impl Verbosity {
    /// From `-v` (counted) and `-q` (clap refuses the two together).
    pub fn from_flags(verbose: u8, quiet: bool) -> Verbosity {
        match (quiet, verbose) {
            (true, _) => Verbosity::Quiet,
            (false, 0) => Verbosity::Normal,
            (false, 1) => Verbosity::Attempts,
            (false, _) => Verbosity::Signing,
        }
    }

    /// The most detailed level written.
    pub fn level(self) -> LevelFilter {
        match self {
            Verbosity::Quiet => LevelFilter::OFF,
            Verbosity::Normal => LevelFilter::WARN,
            Verbosity::Attempts => LevelFilter::DEBUG,
            Verbosity::Signing => LevelFilter::TRACE,
        }
    }
}

/// The subscriber a run writes through: certdel's own events up to `verbosity`, formatted
/// by `tracing-subscriber`'s `fmt` (time, level, module, fields), to `writer`; escape codes
/// only when `ansi`. Tests give it a buffer.
pub fn subscriber<W>(verbosity: Verbosity, ansi: bool, writer: W) -> impl tracing::Subscriber
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let only_certdel = Targets::new().with_target("certdel", verbosity.level());
    tracing_subscriber::registry().with(
        tracing_subscriber::fmt::layer()
            .with_writer(writer)
            .with_ansi(ansi)
            .with_filter(only_certdel),
    )
}

/// Install the run's subscriber, writing to stderr: colour only on a terminal, and never when
/// `NO_COLOR` was set (`no_color`, read by settings). A second call changes nothing.
pub fn init(verbosity: Verbosity, no_color: bool) {
    use std::io::IsTerminal;
    let ansi = !no_color && std::io::stderr().is_terminal();
    // Each line out of the progress bar's way (when one is drawn).
    let _ = tracing::subscriber::set_global_default(subscriber(verbosity, ansi, || {
        crate::progress::Stderr
    }));
}

/// The vendor action a request carries: Tencent's `X-TC-Action` header, Alibaba's
/// `x-acs-action` header, Volcengine's `Action` query parameter; Huawei's API has none, so
/// the path.
pub fn action(req: &Request) -> &str {
    req.header_value("X-TC-Action")
        .or_else(|| req.header_value("x-acs-action"))
        .or_else(|| {
            req.query
                .iter()
                .find(|(k, _)| k == "Action")
                .map(|(_, v)| v.as_str())
        })
        .unwrap_or(&req.path)
}

/// How an attempt ended, as the `-v` line tells it.
#[derive(Clone, Copy, Debug)]
pub enum Heard<'a> {
    /// A reply: its status, and the vendor code and request id read from it.
    Reply {
        reply: &'a Reply,
        code: Option<&'a str>,
        request_id: Option<&'a str>,
    },
    /// No reply: why (the transport's message, or the time running out).
    Nothing(&'a str),
}

/// The `-v` line of one attempt (DEBUG). Does nothing, not even reading the reply, unless
/// the level is on.
pub fn attempt(req: &Request, attempt: u32, took: Duration, heard: Heard<'_>) {
    if !tracing::enabled!(target: "certdel::send", Level::DEBUG) {
        return;
    }
    let (status, code, request_id, error, found) = match heard {
        Heard::Reply {
            reply,
            code,
            request_id,
        } => {
            let found = request_id
                .is_none()
                .then(|| reply_request_id(reply))
                .flatten();
            (Some(reply.status), code, request_id, None, found)
        }
        Heard::Nothing(why) => (None, None, None, Some(why), None),
    };
    let request_id = request_id.or(found.as_deref());
    tracing::debug!(
        target: "certdel::send",
        method = req.method,
        host = req.host.as_str(),
        action = action(req),
        status,
        error,
        code,
        request_id,
        attempt,
        took = ?took,
        "attempt"
    );
}

/// The request id of a reply the provider read as a value (a success carries no
/// [`crate::provider::Answer`]): the vendors' header, else where each vendor's JSON puts it.
pub fn reply_request_id(reply: &Reply) -> Option<String> {
    if let Some(id) = reply
        .header("x-request-id")
        .or_else(|| reply.header("x-acs-request-id"))
    {
        return Some(id.to_string());
    }
    let json = reply.json()?;
    let pointers = [
        "/RequestId",
        "/Response/RequestId",
        "/ResponseMetadata/RequestId",
        "/ResponseMetadata/RequestID",
        "/request_id",
    ];
    pointers
        .iter()
        .find_map(|p| json.pointer(p).and_then(|v| v.as_str()))
        .map(str::to_string)
}

/// The headers that carry a session token, lowercase: Huawei and Volcengine
/// `X-Security-Token`, Alibaba `x-acs-security-token`, Tencent `X-TC-Token` (not signed by
/// TC3, listed all the same).
pub const TOKEN_HEADERS: [&str; 3] = ["x-security-token", "x-acs-security-token", "x-tc-token"];

/// What a redacted value reads as.
pub const REDACTED: &str = "<redacted>";

/// A canonical request fit for the log: every canonical-header line of a [`TOKEN_HEADERS`]
/// header keeps its name and loses its value, and each of `tokens` (the values signing
/// added under those names) is replaced wherever else it appears.
pub fn redact_canonical(canonical: &str, tokens: &[&str]) -> String {
    let lines: Vec<String> = canonical
        .split('\n')
        .map(|line| match line.split_once(':') {
            Some((name, _)) if TOKEN_HEADERS.contains(&name.to_ascii_lowercase().as_str()) => {
                format!("{name}:{REDACTED}")
            }
            _ => line.to_string(),
        })
        .collect();
    let mut out = lines.join("\n");
    for token in tokens.iter().filter(|t| !t.is_empty()) {
        out = out.replace(token, REDACTED);
    }
    out
}

/// The `-vv` event of one signature (TRACE): the canonical request (redacted) and the string
/// to sign, each on the one line (newlines escaped). `added`: the headers signing added, where
/// the token is. Does nothing unless the level is on.
pub fn signed(
    req: &Request,
    added: &[(String, String)],
    canonical_request: &str,
    string_to_sign: &str,
) {
    if !tracing::enabled!(target: "certdel::sign", Level::TRACE) {
        return;
    }
    let tokens: Vec<&str> = added
        .iter()
        .filter(|(n, _)| TOKEN_HEADERS.contains(&n.to_ascii_lowercase().as_str()))
        .map(|(_, v)| v.as_str())
        .collect();
    let canonical = redact_canonical(canonical_request, &tokens);
    tracing::trace!(
        target: "certdel::sign",
        host = req.host.as_str(),
        action = action(req),
        canonical_request = canonical.as_str(),
        string_to_sign,
        "signed"
    );
}

/// A `MakeWriter` into a shared buffer, for tests that read what was logged.
#[cfg(test)]
#[derive(Clone, Default)]
pub(crate) struct Buffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

#[cfg(test)]
impl Buffer {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

#[cfg(test)]
impl std::io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
impl<'w> MakeWriter<'w> for Buffer {
    type Writer = Buffer;

    fn make_writer(&'w self) -> Buffer {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `f` logs at `verbosity` (the subscriber of this thread only).
    fn logged(verbosity: Verbosity, f: impl FnOnce()) -> String {
        let buf = Buffer::default();
        let _guard = tracing::subscriber::set_default(subscriber(verbosity, false, buf.clone()));
        f();
        buf.text()
    }

    #[test]
    fn flags_give_the_verbosity_and_its_level() {
        assert_eq!(Verbosity::from_flags(0, false), Verbosity::Normal);
        assert_eq!(Verbosity::from_flags(1, false), Verbosity::Attempts);
        assert_eq!(Verbosity::from_flags(2, false), Verbosity::Signing);
        assert_eq!(Verbosity::from_flags(5, false), Verbosity::Signing);
        assert_eq!(Verbosity::from_flags(0, true), Verbosity::Quiet);
        assert_eq!(Verbosity::Quiet.level(), LevelFilter::OFF);
        assert_eq!(Verbosity::Signing.level(), LevelFilter::TRACE);
    }

    #[test]
    fn the_action_is_each_vendors_own() {
        let base = || Request::new("POST", "https", "h", "/");
        assert_eq!(
            action(&base().header("X-TC-Action", "DeleteCertificate")),
            "DeleteCertificate"
        );
        assert_eq!(
            action(&base().header("x-acs-action", "DeleteServerCertificate")),
            "DeleteServerCertificate"
        );
        assert_eq!(
            action(&base().query("Action", "DeleteCert").query("Version", "v")),
            "DeleteCert"
        );
        assert_eq!(
            action(&Request::new(
                "DELETE",
                "https",
                "h",
                "/v3/scm/certificates/scs1"
            )),
            "/v3/scm/certificates/scs1"
        );
    }

    #[test]
    fn a_success_reply_names_its_request_id() {
        let json = |body: &str| Reply {
            status: 200,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        };
        assert_eq!(
            reply_request_id(&json(r#"{"Response":{"RequestId":"t-1"}}"#)).as_deref(),
            Some("t-1")
        );
        assert_eq!(
            reply_request_id(&json(r#"{"ResponseMetadata":{"RequestId":"v-1"}}"#)).as_deref(),
            Some("v-1")
        );
        assert_eq!(
            reply_request_id(&json(r#"{"RequestId":"a-1"}"#)).as_deref(),
            Some("a-1")
        );
        let mut huawei = json("");
        huawei.headers.push(("x-request-id".into(), "h-1".into()));
        assert_eq!(reply_request_id(&huawei).as_deref(), Some("h-1"));
        assert_eq!(reply_request_id(&json("not json")), None);
    }

    #[test]
    fn token_lines_and_values_are_redacted() {
        let canonical = "POST\n/\n\nhost:h\nx-acs-security-token:TOK-123\nX-Security-Token:TOK-456\nx-tc-token:TOK-789\n\nhost;x-acs-security-token\nTOK-123-elsewhere";
        let out = redact_canonical(canonical, &["TOK-123", ""]);
        assert!(!out.contains("TOK-"), "{out}");
        assert!(out.contains("x-acs-security-token:<redacted>\n"), "{out}");
        assert!(out.contains("X-Security-Token:<redacted>\n"), "{out}");
        assert!(out.contains("x-tc-token:<redacted>\n"), "{out}");
        // Everything else stays as signed.
        assert!(
            out.starts_with("POST\n/\n\nhost:h\n") && out.contains("\nhost;x-acs-security-token\n"),
            "{out}"
        );
    }

    #[test]
    fn the_signature_stages_are_logged_at_trace_only_and_without_the_token() {
        let req = Request::new("POST", "https", "ssl.example", "/").header("X-TC-Action", "Act");
        let added = vec![("X-Security-Token".to_string(), "TOKEN-VALUE".to_string())];
        let emit = || signed(&req, &added, "POST\n/\nx:TOKEN-VALUE\n", "ALGO\nabc");
        let trace = logged(Verbosity::Signing, emit);
        assert!(trace.contains("signed"), "{trace}");
        assert!(trace.contains("action=\"Act\""), "{trace}");
        assert!(
            trace.contains(r#"canonical_request="POST\n/\nx:<redacted>\n""#),
            "{trace}"
        );
        assert!(trace.contains(r#"string_to_sign="ALGO\nabc""#), "{trace}");
        assert!(!trace.contains("TOKEN-VALUE"), "{trace}");
        // One event, one line.
        assert_eq!(trace.lines().count(), 1, "{trace}");
        assert_eq!(logged(Verbosity::Attempts, emit), "");
    }

    #[test]
    fn an_attempt_line_carries_what_the_operator_needs() {
        let req =
            Request::new("POST", "https", "ssl.example", "/").header("X-TC-Action", "DeleteX");
        let reply = Reply {
            status: 503,
            headers: vec![("x-request-id".into(), "rid-9".into())],
            body: Vec::new(),
        };
        let heard = Heard::Reply {
            reply: &reply,
            code: Some("InternalError"),
            request_id: None,
        };
        let emit = || attempt(&req, 2, Duration::from_millis(250), heard);
        let line = logged(Verbosity::Attempts, emit);
        for field in [
            "DEBUG",
            "attempt",
            "method=\"POST\"",
            "host=\"ssl.example\"",
            "action=\"DeleteX\"",
            "status=503",
            "code=\"InternalError\"",
            "request_id=\"rid-9\"",
            "attempt=2",
            "took=250ms",
        ] {
            assert!(line.contains(field), "{field}: {line}");
        }
        let failed = logged(Verbosity::Attempts, || {
            attempt(&req, 1, Duration::ZERO, Heard::Nothing("connection reset"))
        });
        assert!(
            failed.contains("error=\"connection reset\"") && !failed.contains("status="),
            "{failed}"
        );
        // Not at the default level, and no escape codes when not asked for.
        assert_eq!(logged(Verbosity::Normal, emit), "");
        assert_eq!(logged(Verbosity::Quiet, emit), "");
        assert!(!line.contains('\x1b'), "{line:?}");
    }
}
