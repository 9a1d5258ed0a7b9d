//! The fake cloud: one local HTTP server that speaks all five protocols, verifies signatures
//! the way the vendors' gateways do, and keeps an in-memory store of certificates.
//!
//! Routing is by request shape, as the real hosts would never share a port:
//!
//! | shape | product |
//! |---|---|
//! | path `/v3/scm/certificates…`, or IAM `GET /v3/auth/domains` | huawei-scm ([`huawei`]) |
//! | `POST /` with `X-TC-Action` | tencent-ssl ([`tencent`]) |
//! | `x-acs-action` header; `x-acs-version` 2014-05-15 / 2020-04-07 | alibaba-slb / alibaba-cas ([`alibaba`]) |
//! | query `Action` with `Version=2023-01-01` | volcengine-live ([`volc`]) |
//! | anything else | plain 404 |
//!
//! Each product implements [`product::FakeProduct`] (route, authenticate, handle, its
//! internal-error and throttling answers); the dispatcher here only picks the product.
//! Each request goes: capture → latency → auth ([`verify`], with certdel's own signers) →
//! scripted steps ([`Config::scripts`]) → quota → injected fault → the product's handler.
//! Random faults ([`chaos`]) are drawn for every routed request, in arrival order, from a
//! seeded PRNG, so a given seed and request order always give the same faults. With
//! [`Config::tls`] it serves https instead of http (rustls). [`start`] runs the server on its
//! own thread and returns a [`Running`] handle whose accessors let tests look at the store,
//! the request log and the counters.
//!
//! Signatures are verified by recomputing them with certdel's own signers, so the fake cannot
//! catch a signing rule certdel gets wrong: the signing oracle is the official SDKs' vectors
//! (`fixtures/sign/`) and `fixtures/sdk/check.sh`.

pub mod alibaba;
pub mod chaos;
pub mod huawei;
pub mod product;
pub mod store;
pub mod tencent;
#[cfg(test)]
mod tests;
pub mod verify;
pub mod volc;

pub use chaos::{Faults, Quota};
pub use store::{demo_accounts, generate, Accounts, CasKind, Cert, Fault, Keys, Seed, Store};

use base64::Engine as _;
use certdel::provider::Kind;
use chrono::{DateTime, Utc};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Everything the fake can be told. [`Config::new`] gives the vendors' real behaviour with no
/// injected trouble.
#[derive(Clone, Debug)]
pub struct Config {
    pub seed: Seed,
    /// 0 = an ephemeral port. The server binds 127.0.0.1 only.
    pub port: u16,
    /// Append one JSON line per received request to this file.
    pub capture: Option<PathBuf>,
    /// Fixed delay before each request is handled.
    pub latency: Duration,
    /// Per-product token buckets; absent = unlimited.
    pub quotas: HashMap<Kind, Quota>,
    pub faults: Faults,
    /// Seed of the PRNG that draws random faults.
    pub rng_seed: u64,
    /// Allowed distance between a request's signed time and the server clock; `None` = the
    /// vendor's own (Huawei/Alibaba/Volcengine 15 min, Tencent 5 min).
    pub clock_tolerance: Option<Duration>,
    /// A fixed server clock (tests); `None` = the system clock.
    pub clock: Option<DateTime<Utc>>,
    /// Tencent asynchronous deletions answer "running" (status 0) to this many
    /// `DescribeDeleteCertificatesTaskResult` polls before they finish.
    pub task_polls: u32,
    /// Alibaba throttling answers carry `x-acs-retry-after: <seconds>` when set.
    pub retry_after: Option<u32>,
    /// Write one line per request to stderr (the binary does; tests do not).
    pub log_stderr: bool,
    /// Scripted answers for requests naming one id, taken in order, one per request (after
    /// authentication, before quotas and faults): answers the store cannot produce — a gateway's
    /// 404, `200 {}`, a vendor code — and lost replies. Once an id's steps are used up its
    /// requests are handled normally.
    pub scripts: HashMap<(Kind, String), Vec<Step>>,
    /// huawei-scm ListCertificates reads `offset` as a page index (page `offset` of `limit`
    /// records) instead of a record offset — the other reading of the reference, which caps
    /// `offset` at 100.
    pub huawei_offset_is_page: bool,
    /// Serve TLS (https) with this certificate and key instead of plain http.
    pub tls: Option<TlsIdentity>,
}

/// One scripted answer (see [`Config::scripts`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Answer this instead of handling the request (nothing is carried out).
    Reply {
        status: u16,
        content_type: String,
        body: String,
    },
    /// Handle the request (a deletion is carried out), then close the connection unanswered.
    ApplyThenDrop,
}

impl Step {
    /// A JSON answer with this status and body.
    pub fn json(status: u16, body: &str) -> Step {
        Step::Reply {
            status,
            content_type: "application/json".into(),
            body: body.into(),
        }
    }
}

impl Config {
    pub fn new(seed: Seed) -> Config {
        Config {
            seed,
            port: 0,
            capture: None,
            latency: Duration::ZERO,
            quotas: HashMap::new(),
            faults: Faults::default(),
            rng_seed: 1,
            clock_tolerance: None,
            clock: None,
            task_polls: 1,
            retry_after: None,
            log_stderr: false,
            scripts: HashMap::new(),
            huawei_offset_is_page: false,
            tls: None,
        }
    }
}

/// A certificate chain (leaf first) and its private key, both PEM, for serving https.
#[derive(Clone)]
pub struct TlsIdentity {
    pub cert_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsIdentity { cert_pem, key_pem: <redacted> }")
    }
}

impl TlsIdentity {
    /// The rustls acceptor serving this identity (ring, as reqwest uses; TLS 1.2 and 1.3).
    fn acceptor(&self) -> std::io::Result<tokio_rustls::TlsAcceptor> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let bad = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, what);
        let certs = CertificateDer::pem_slice_iter(&self.cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(format!("TLS certificate: {e}")))?;
        if certs.is_empty() {
            return Err(bad("TLS certificate: no PEM certificate".into()));
        }
        let key = PrivateKeyDer::from_pem_slice(&self.key_pem)
            .map_err(|e| bad(format!("TLS key: {e}")))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| bad(format!("TLS: {e}")))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| bad(format!("TLS certificate and key: {e}")))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
    }
}

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

/// One received request, for assertions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub seq: u64,
    /// `None` for requests no product route matched.
    pub provider: Option<Kind>,
    pub action: String,
    pub method: String,
    pub target: String,
    pub id: Option<String>,
    /// Every id the request targets (several for a batch delete).
    pub ids: Vec<String>,
    /// `None` when the connection was dropped.
    pub status: Option<u16>,
    pub code: Option<String>,
    /// Ids this request removed from the store.
    pub deleted: Vec<String>,
    /// What the fake injected: `throttled`, `5xx`, `drop`, `5xx-after-apply`,
    /// `drop-after-apply`, or a certificate's `fault` (`cert:malformed`, ...).
    pub injected: Option<String>,
    pub auth_failed: bool,
}

/// Counters since start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub requests: u64,
    pub auth_failures: u64,
    pub throttled: u64,
    pub faults_injected: u64,
    pub deletes_applied: u64,
}

/// Shared server state.
pub struct State {
    pub config: Config,
    store: Mutex<Store>,
    log: Mutex<Vec<LogEntry>>,
    counters: Mutex<Counters>,
    nonces: Mutex<HashMap<String, DateTime<Utc>>>,
    chaos: Mutex<chaos::Chaos>,
    scripts: Mutex<HashMap<(Kind, String), std::collections::VecDeque<Step>>>,
    capture: Option<Mutex<std::fs::File>>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    seq: AtomicU64,
    started: std::time::Instant,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking handler must not take the whole fake down with a poisoned lock.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl State {
    pub fn new(config: Config) -> std::io::Result<State> {
        let capture = match &config.capture {
            Some(path) => Some(Mutex::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?,
            )),
            None => None,
        };
        let chaos = chaos::Chaos::new(config.rng_seed, config.faults, &config.quotas);
        let tls = config.tls.as_ref().map(TlsIdentity::acceptor).transpose()?;
        Ok(State {
            store: Mutex::new(config.seed.store.clone()),
            log: Mutex::new(Vec::new()),
            counters: Mutex::new(Counters::default()),
            nonces: Mutex::new(HashMap::new()),
            chaos: Mutex::new(chaos),
            scripts: Mutex::new(
                config
                    .scripts
                    .iter()
                    .map(|(k, steps)| (k.clone(), steps.iter().cloned().collect()))
                    .collect(),
            ),
            capture,
            tls,
            seq: AtomicU64::new(1),
            started: std::time::Instant::now(),
            config,
        })
    }

    /// `https` when serving TLS, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() {
            "https"
        } else {
            "http"
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.config.clock.unwrap_or_else(Utc::now)
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    pub fn log(&self) -> Vec<LogEntry> {
        lock(&self.log).clone()
    }

    pub fn counters(&self) -> Counters {
        *lock(&self.counters)
    }

    pub fn keys(&self, kind: Kind) -> Option<&Keys> {
        self.config.seed.accounts.for_kind(kind)
    }

    /// The allowed clock distance for a vendor whose own limit is `default`.
    pub fn tolerance(&self, default: Duration) -> Duration {
        self.config.clock_tolerance.unwrap_or(default)
    }

    /// Record an Alibaba nonce; `false` when it was seen within the last 15 minutes.
    pub fn fresh_nonce(&self, nonce: &str) -> bool {
        let now = self.now();
        let mut seen = lock(&self.nonces);
        if seen.len() > 100_000 {
            seen.retain(|_, t| now - *t < chrono::Duration::minutes(15));
        }
        seen.insert(nonce.to_string(), now).is_none()
    }

    /// A request id in the vendors' UUID shape, unique per request.
    fn request_id(&self, seq: u64) -> String {
        format!("fa4ec10d-0000-4000-8000-{seq:012x}")
    }
}

/// Handle one request completely (everything but the HTTP plumbing).
pub async fn dispatch(state: &State, inc: Incoming) -> Out {
    let seq = state.seq.fetch_add(1, Ordering::Relaxed);
    let rid = state.request_id(seq);
    let call = product::route(&inc);
    capture(state, &inc, call.as_ref());
    if !state.config.latency.is_zero() {
        tokio::time::sleep(state.config.latency).await;
    }
    let mut entry = LogEntry {
        seq,
        provider: call.as_ref().map(|c| c.kind),
        action: call.as_ref().map(|c| c.action.clone()).unwrap_or_default(),
        method: inc.method.clone(),
        target: inc.target.clone(),
        id: call.as_ref().and_then(|c| c.id.clone()),
        ids: call.as_ref().map(|c| c.ids.clone()).unwrap_or_default(),
        status: None,
        code: None,
        deleted: vec![],
        injected: None,
        auth_failed: false,
    };
    let Some(call) = call else {
        let out = Out {
            status: 404,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: b"fake-cloud: no product route matches this request\n".to_vec(),
            drop: false,
            code: None,
        };
        return finish(state, entry, out);
    };
    lock(&state.counters).requests += 1;
    let draw = lock(&state.chaos).draw();

    let product = product::for_kind(call.kind);
    let auth = product.authenticate(state, &inc, &call, &rid);
    if let Err(out) = auth {
        lock(&state.counters).auth_failures += 1;
        entry.auth_failed = true;
        return finish(state, entry, out);
    }

    let step = call.id.as_ref().and_then(|id| {
        lock(&state.scripts)
            .get_mut(&(call.kind, id.clone()))
            .and_then(|steps| steps.pop_front())
    });
    match step {
        Some(Step::Reply {
            status,
            content_type,
            body,
        }) => {
            entry.injected = Some("scripted".into());
            let out = Out {
                status,
                headers: vec![("content-type".into(), content_type)],
                body: body.into_bytes(),
                drop: false,
                code: None,
            };
            return finish(state, entry, out);
        }
        Some(Step::ApplyThenDrop) => {
            let handled = product.handle(state, &inc, &call, &rid);
            lock(&state.counters).deletes_applied += handled.deleted.len() as u64;
            entry.deleted = handled.deleted;
            entry.injected = Some("scripted-drop-after-apply".into());
            return finish(state, entry, Out::dropped());
        }
        None => {}
    }

    let elapsed = state.started.elapsed().as_secs_f64();
    if let Some(quota) = lock(&state.chaos).take(call.kind, elapsed) {
        lock(&state.counters).throttled += 1;
        entry.injected = Some("throttled".into());
        let out = product.throttled(state, &call, &rid, quota);
        return finish(state, entry, out);
    }

    let injected = |fault: chaos::Injected| match fault {
        chaos::Injected::ServerError => product.internal_error(state, &call, &rid),
        chaos::Injected::Drop => Out::dropped(),
    };
    if let Some(fault) = draw.fault.filter(|_| !draw.after_apply) {
        lock(&state.counters).faults_injected += 1;
        entry.injected = Some(fault.name().into());
        return finish(state, entry, injected(fault));
    }

    let handled = product.handle(state, &inc, &call, &rid);
    lock(&state.counters).deletes_applied += handled.deleted.len() as u64;
    entry.deleted = handled.deleted;
    entry.injected = handled.fault.map(|f| {
        match f {
            Fault::Malformed => "cert:malformed",
            Fault::Http500 => "cert:http500",
            Fault::Drop => "cert:drop",
        }
        .to_string()
    });
    let out = match draw.fault {
        Some(fault) => {
            lock(&state.counters).faults_injected += 1;
            entry.injected = Some(format!("{}-after-apply", fault.name()));
            injected(fault)
        }
        None => handled.out,
    };
    finish(state, entry, out)
}

fn finish(state: &State, mut entry: LogEntry, out: Out) -> Out {
    entry.status = (!out.drop).then_some(out.status);
    entry.code = out.code.clone();
    if state.config.log_stderr {
        eprintln!(
            "{} {} {}{} -> {}{}",
            entry.method,
            entry.provider.map(Kind::name).unwrap_or("(no route)"),
            if entry.action.is_empty() {
                "-"
            } else {
                &entry.action
            },
            entry
                .id
                .as_ref()
                .map(|id| format!(" id={id:?}"))
                .unwrap_or_default(),
            entry
                .status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "dropped".into()),
            entry
                .code
                .as_ref()
                .map(|c| format!(" {c}"))
                .unwrap_or_default(),
        );
    }
    lock(&state.log).push(entry);
    out
}

fn capture(state: &State, inc: &Incoming, call: Option<&Call>) {
    let Some(file) = &state.capture else { return };
    let line = json!({
        "provider": call.map(|c| c.kind.name()),
        "method": inc.method,
        "host": inc.host,
        "target": inc.target,
        "headers": inc.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
        "body_b64": base64::engine::general_purpose::STANDARD.encode(&inc.body),
        "expect_id": call.and_then(|c| c.id.clone()),
    });
    let mut f = lock(file);
    // A full disk must not stop the fake answering; the capture just misses lines.
    let _ = writeln!(f, "{line}").and_then(|_| f.flush());
}

/// The error hyper turns into a closed connection.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("fake-cloud: connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

async fn serve_http(
    state: Arc<State>,
    req: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Dropped> {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(_) => return Err(Dropped),
    };
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let inc = Incoming {
        method: parts.method.as_str().to_string(),
        target: parts
            .uri
            .path_and_query()
            .map(|pq| pq.as_str().to_string())
            .unwrap_or_else(|| "/".into()),
        host: headers
            .iter()
            .find(|(n, _)| n == "host")
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
        headers,
        body,
    };
    let out = dispatch(&state, inc).await;
    if out.drop {
        return Err(Dropped);
    }
    let mut resp = hyper::Response::builder().status(out.status);
    for (n, v) in &out.headers {
        resp = resp.header(n.as_str(), v.as_str());
    }
    resp.body(Full::new(Bytes::from(out.body)))
        .map_err(|_| Dropped)
}

/// Serve connections from `listener` until the future `stop` completes.
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    state: Arc<State>,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    tokio::pin!(stop);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => accepted?,
            _ = &mut stop => return Ok(()),
        };
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let tls = state.tls.clone();
            let service = service_fn(move |req| serve_http(Arc::clone(&state), req));
            // Errors here are dropped connections (on purpose or by the client), and TLS
            // handshakes the client broke off (it does not trust the certificate).
            match tls {
                None => {
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                }
                Some(acceptor) => {
                    let Ok(stream) = acceptor.accept(stream).await else {
                        return;
                    };
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                }
            }
        });
    }
}

/// Serve connections from `listener` forever.
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<State>) -> std::io::Result<()> {
    serve_until(listener, state, std::future::pending()).await
}

/// Bind `127.0.0.1:<config.port>` (never any other interface).
pub fn bind(port: u16) -> std::io::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, port))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// The fake running on a background thread with its own runtime. Dropping it shuts it down.
pub struct Running {
    addr: SocketAddr,
    state: Arc<State>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Bind 127.0.0.1 and serve on a background thread.
pub fn start(config: Config) -> std::io::Result<Running> {
    let listener = bind(config.port)?;
    let addr = listener.local_addr()?;
    let state = Arc::new(State::new(config)?);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let served = Arc::clone(&state);
    let thread = std::thread::Builder::new()
        .name("fake-cloud".into())
        .spawn(move || {
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::from_std(listener) {
                    Ok(l) => l,
                    Err(e) => {
                        eprintln!("fake-cloud: {e}");
                        return;
                    }
                };
                let stop = async {
                    let _ = rx.await;
                };
                if let Err(e) = serve_until(listener, served, stop).await {
                    eprintln!("fake-cloud: {e}");
                }
            });
        })?;
    Ok(Running {
        addr,
        state,
        stop: Some(tx),
        thread: Some(thread),
    })
}

impl Running {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (`https://` when serving TLS), for `--endpoint`.
    pub fn url(&self) -> String {
        format!("{}://{}", self.state.scheme(), self.addr)
    }

    /// A copy of the store as it is now.
    pub fn store(&self) -> Store {
        self.state.store().clone()
    }

    pub fn contains(&self, kind: Kind, id: &str) -> bool {
        self.state.store().contains(kind, id)
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<LogEntry> {
        self.state.log()
    }

    /// Delete requests of this product (single or batch) that named `id`.
    pub fn delete_attempts(&self, kind: Kind, id: &str) -> usize {
        self.requests()
            .iter()
            .filter(|e| {
                e.provider == Some(kind)
                    && e.action.starts_with("Delete")
                    && e.ids.iter().any(|i| i == id)
            })
            .count()
    }

    pub fn counters(&self) -> Counters {
        self.state.counters()
    }

    pub fn state(&self) -> &Arc<State> {
        &self.state
    }

    /// Stop accepting, end the server thread and wait for it.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop_now();
    }
}
