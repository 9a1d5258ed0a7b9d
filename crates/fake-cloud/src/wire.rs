//! A request as a product sees it ([`Incoming`], its routed [`Call`]) and what it answers
//! ([`Out`], [`Handled`]), with the helpers the products share.

use crate::*;
use certdel::provider::Kind;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// A request as received: raw target, lowercase header names (as hyper delivers them, in
/// arrival order per name), body bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incoming {
    pub method: String,
    /// The request target exactly as on the request line (path plus `?query`).
    pub target: String,
    /// The `Host` header.
    pub host: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Incoming {
    /// First header with this (lowercase) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// Decoded query pairs.
    pub fn query(&self) -> Vec<(String, String)> {
        certdel::sign::parse_target(&self.target).1
    }

    pub fn query_value(&self, key: &str) -> Option<String> {
        self.query()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// What a routed request asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub kind: Kind,
    pub action: String,
    /// The id the request targets, decoded (single-id delete calls).
    pub id: Option<String>,
    /// Every id the request targets (batch deletes list several).
    pub ids: Vec<String>,
}

impl Call {
    pub fn new(kind: Kind, action: &str, id: Option<String>) -> Call {
        Call {
            kind,
            action: action.to_string(),
            ids: id.iter().cloned().collect(),
            id,
        }
    }
}

/// An answer before it becomes an HTTP response; `drop` closes the connection instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Out {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub drop: bool,
    /// The vendor error code in the body, for the log.
    pub code: Option<String>,
}

impl Out {
    pub fn json(status: u16, content_type: &str, body: &Value) -> Out {
        Out {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: serde_json::to_vec(body).expect("JSON values serialize"),
            drop: false,
            code: None,
        }
    }

    pub fn empty(status: u16) -> Out {
        Out {
            status,
            headers: vec![],
            body: vec![],
            drop: false,
            code: None,
        }
    }

    pub fn dropped() -> Out {
        Out {
            drop: true,
            ..Out::empty(0)
        }
    }

    /// HTTP 200 with a body no JSON parser accepts (a proxy's error page).
    pub fn malformed() -> Out {
        Out {
            status: 200,
            headers: vec![("content-type".into(), "text/html".into())],
            body: b"<html><body>502 Bad Gateway (upstream sent garbage)</body></html>".to_vec(),
            drop: false,
            code: None,
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Out {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn code(mut self, code: &str) -> Out {
        self.code = Some(code.into());
        self
    }
}

/// A handler's answer plus what it changed.
#[derive(Clone, Debug)]
pub struct Handled {
    pub out: Out,
    /// Ids removed from the store by this request.
    pub deleted: Vec<String>,
    /// The seeded certificate fault that shaped the answer.
    pub fault: Option<Fault>,
}

impl Handled {
    /// An answer that removed these ids.
    pub fn deleted(out: Out, ids: Vec<String>) -> Handled {
        Handled {
            out,
            deleted: ids,
            fault: None,
        }
    }
}

impl From<Out> for Handled {
    fn from(out: Out) -> Handled {
        Handled {
            out,
            deleted: vec![],
            fault: None,
        }
    }
}

/// The answer a certificate's `fault` forces, if it has one (the certificate stays).
pub(crate) fn cert_fault(cert: &Cert, internal: impl FnOnce() -> Out) -> Option<Handled> {
    let fault = cert.fault?;
    let out = match fault {
        Fault::Malformed => Out::malformed(),
        Fault::Http500 => internal(),
        Fault::Drop => Out::dropped(),
    };
    Some(Handled {
        out,
        deleted: vec![],
        fault: Some(fault),
    })
}

/// Replace list-item fields with the certificate's `raw_times` overrides.
pub(crate) fn apply_overrides(item: &mut Value, cert: &Cert) {
    if let Some(o) = item.as_object_mut() {
        for (k, v) in &cert.raw_times {
            o.insert(k.clone(), v.clone());
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS` in Beijing time (GMT+8), as Tencent and CAS write times.
pub(crate) fn beijing(t: DateTime<Utc>, format: &str) -> String {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    t.with_timezone(&offset).format(format).to_string()
}
