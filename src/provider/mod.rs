//! The seam between certdel and each cloud: plain data in, plain data out.
//!
//! A provider builds a signed [`Request`] from an id and a [`Stamp`], and turns the [`Reply`]
//! into an [`Answer`]. It does no I/O, so each one is unit-tested without a server and the
//! driver can re-sign every retry with a fresh stamp. Adding a provider is one file, one
//! [`Kind`] variant and one arm in [`build`].

pub mod alibaba;
pub mod alibaba_cas;
pub mod alibaba_slb;
pub mod huawei_scm;
pub mod tencent_ssl;
pub mod volcengine_live;

use crate::outcome::Status;
use crate::settings::ProviderSettings;
use crate::sign::{Request, Stamp};
use serde_json::Value;
use std::time::Duration;

/// The five products, named by their CLI value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Kind {
    HuaweiScm,
    TencentSsl,
    VolcengineLive,
    AlibabaSlb,
    AlibabaCas,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::HuaweiScm,
        Kind::TencentSsl,
        Kind::VolcengineLive,
        Kind::AlibabaSlb,
        Kind::AlibabaCas,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::HuaweiScm => "huawei-scm",
            Kind::TencentSsl => "tencent-ssl",
            Kind::VolcengineLive => "volcengine-live",
            Kind::AlibabaSlb => "alibaba-slb",
            Kind::AlibabaCas => "alibaba-cas",
        }
    }
}

/// An HTTP answer as received: status, headers (names lowercased) and body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, or `None` when it is empty or not JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// A short printable excerpt of the body for error messages (never the whole thing).
    pub fn excerpt(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let one_line: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(120)
            .collect();
        if text.chars().count() > 120 {
            format!("{one_line}...")
        } else {
            one_line
        }
    }
}

/// How certdel treats one vendor answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Final for this id, with this status.
    Done(Status),
    /// Throttled: retry later and slow the whole run down.
    Throttled,
    /// Result unknown or temporary server trouble (5xx, malformed reply, CA busy): retry; a
    /// later `not_found` then means this attempt deleted it.
    Transient,
    /// Affects every id (credentials rejected, clock skew, wrong endpoint): stop the run.
    Abort,
}

/// A provider's reading of one reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub class: Class,
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
    pub http_status: u16,
    /// Server hint for when to retry (`Retry-After`, `x-acs-retry-after`).
    pub retry_after: Option<Duration>,
    /// Asynchronous deletion task (Tencent), when the provider started one.
    pub task_id: Option<String>,
}

impl Answer {
    pub fn new(class: Class, reply: &Reply) -> Self {
        Answer {
            class,
            code: None,
            message: None,
            request_id: None,
            http_status: reply.status,
            retry_after: retry_after(reply),
            task_id: None,
        }
    }

    /// A reply certdel cannot read: the attempt's effect is unknown, so it is retried.
    pub fn malformed(reply: &Reply) -> Self {
        let mut a = Answer::new(Class::Transient, reply);
        a.code = Some("MalformedReply".into());
        a.message = Some(format!(
            "unreadable reply (HTTP {}): {}",
            reply.status,
            reply.excerpt()
        ));
        a
    }
}

/// `Retry-After: <seconds>` or Alibaba's `x-acs-retry-after: <seconds>`.
pub fn retry_after(reply: &Reply) -> Option<Duration> {
    ["retry-after", "x-acs-retry-after"]
        .iter()
        .filter_map(|h| reply.header(h))
        .filter_map(|v| v.trim().parse::<f64>().ok())
        .find(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(300.0)))
}

/// One product's protocol: request building and reply reading, without I/O.
pub trait Provider: Send + Sync {
    fn kind(&self) -> Kind;

    /// Reject an id that cannot be valid for this provider (the reason, without the id).
    fn check_id(&self, id: &str) -> Result<(), String> {
        check_common(id)
    }

    /// The signed delete request for `id`.
    fn delete_request(&self, id: &str, stamp: &Stamp) -> Request;

    /// What a reply to [`Provider::delete_request`] means.
    fn delete_answer(&self, reply: &Reply) -> Answer;

    /// The documented request quota for deletes, in requests per second.
    fn default_rate(&self) -> f64;
}

/// Rules every provider shares: non-empty, no control characters, not absurdly long.
pub fn check_common(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("empty id".into());
    }
    if let Some(c) = id.chars().find(|c| c.is_control()) {
        return Err(format!(
            "id contains a control character (U+{:04X})",
            c as u32
        ));
    }
    if id.len() > 512 {
        return Err(format!("id is {} bytes long (at most 512)", id.len()));
    }
    Ok(())
}

/// Build the provider the settings describe.
pub fn build(settings: &ProviderSettings) -> Box<dyn Provider> {
    match settings.kind {
        Kind::HuaweiScm => Box::new(huawei_scm::HuaweiScm::new(settings)),
        Kind::TencentSsl => Box::new(tencent_ssl::TencentSsl::new(settings)),
        Kind::VolcengineLive => Box::new(volcengine_live::VolcengineLive::new(settings)),
        Kind::AlibabaSlb => Box::new(alibaba_slb::AlibabaSlb::new(settings)),
        Kind::AlibabaCas => Box::new(alibaba_cas::AlibabaCas::new(settings)),
    }
}

/// A string field of a JSON object, if present.
pub(crate) fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_id_checks() {
        assert!(check_common("abc").is_ok());
        assert!(check_common("a b/证").is_ok());
        assert_eq!(check_common(""), Err("empty id".into()));
        assert!(check_common("a\tb").unwrap_err().contains("U+0009"));
        assert!(check_common(&"x".repeat(513)).is_err());
    }

    #[test]
    fn retry_after_reads_both_headers() {
        let r = Reply {
            status: 429,
            headers: vec![("retry-after".into(), "2".into())],
            body: vec![],
        };
        assert_eq!(retry_after(&r), Some(Duration::from_secs(2)));
        let r = Reply {
            status: 400,
            headers: vec![("x-acs-retry-after".into(), "1.5".into())],
            body: vec![],
        };
        assert_eq!(retry_after(&r), Some(Duration::from_millis(1500)));
        let r = Reply {
            status: 400,
            headers: vec![("retry-after".into(), "soon".into())],
            body: vec![],
        };
        assert_eq!(retry_after(&r), None);
    }
}
