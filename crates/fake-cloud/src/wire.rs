//! A request as a product sees it ([`Incoming`], its routed [`Call`]) and what it answers
//! ([`Out`], [`Handled`]), with the helpers the products share.
//!
//! Both are certdel's own wire types seen from the server's side: an [`Incoming`] is what
//! arrives for a [`Request`] (`From<&Request>`) and turns back into one
//! ([`Incoming::request`]); an [`Out`] carries the [`Reply`] certdel's transport will read.

use crate::*;
use certdel::provider::Kind;
use certdel::wire::{parse_target, Reply, Request};
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
        parse_target(&self.target).1
    }

    /// The request this is, rebuilt as certdel's signers see one: method, path exactly as
    /// sent, decoded query and body, without headers (each check adds those it signs).
    pub fn request(&self) -> Request {
        let (path, query) = parse_target(&self.target);
        let mut req = Request::new(static_method(&self.method), "http", &self.host, path);
        req.query = query;
        req.body = self.body.clone();
        req
    }

    pub fn query_value(&self, key: &str) -> Option<String> {
        self.query()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// What a server receives for a request certdel built: the `Host` header first, then the
/// request's headers with their names lowercased (as hyper delivers them).
impl From<&Request> for Incoming {
    fn from(req: &Request) -> Incoming {
        let mut headers: Vec<(String, String)> = vec![("host".into(), req.host.clone())];
        headers.extend(
            req.headers
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.clone())),
        );
        Incoming {
            method: req.method.to_string(),
            target: req.target(),
            host: req.host.clone(),
            headers,
            body: req.body.clone(),
        }
    }
}

/// The `&'static str` method certdel's [`Request`] holds.
fn static_method(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "POST" => "POST",
        "DELETE" => "DELETE",
        "PUT" => "PUT",
        "HEAD" => "HEAD",
        "PATCH" => "PATCH",
        "OPTIONS" => "OPTIONS",
        _ => "UNKNOWN",
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

/// An answer before it becomes an HTTP response: the [`Reply`] certdel will read, or, with
/// `drop`, a closed connection instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Out {
    pub reply: Reply,
    pub drop: bool,
    /// The vendor error code in the body, for the log.
    pub code: Option<String>,
}

impl Out {
    /// An answer with this status, content type and body.
    pub fn with_body(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Out {
        Out {
            reply: Reply {
                status,
                headers: vec![("content-type".into(), content_type.into())],
                body: body.into(),
            },
            drop: false,
            code: None,
        }
    }

    pub fn json(status: u16, content_type: &str, body: &Value) -> Out {
        Out::with_body(
            status,
            content_type,
            serde_json::to_vec(body).expect("JSON values serialize"),
        )
    }

    pub fn empty(status: u16) -> Out {
        Out {
            reply: Reply {
                status,
                ..Reply::default()
            },
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
        Out::with_body(
            200,
            "text/html",
            &b"<html><body>502 Bad Gateway (upstream sent garbage)</body></html>"[..],
        )
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Out {
        self.reply.headers.push((name.into(), value.into()));
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
