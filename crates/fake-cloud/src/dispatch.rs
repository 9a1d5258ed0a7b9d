//! The server's state, the request log and counters, and [`dispatch`]: one request from
//! capture to answer, through the product that claims it.

use crate::*;
use base64::Engine as _;
use certdel::provider::Kind;
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

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
    /// Requests received, counted on arrival (before [`Config::latency`]): with a latency,
    /// `arrived` minus the log's length is how many are being held.
    pub arrived: u64,
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
    pub(crate) tls: Option<tokio_rustls::TlsAcceptor>,
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
    lock(&state.counters).arrived += 1;
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
        let out = Out::with_body(
            404,
            "text/plain",
            &b"fake-cloud: no product route matches this request\n"[..],
        );
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
            let out = Out::with_body(status, &content_type, body);
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
    entry.status = (!out.drop).then_some(out.reply.status);
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
