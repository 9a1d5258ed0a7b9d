//! How a signed [`Request`] becomes a [`Reply`]: the [`Transport`] trait the retry loop
//! ([`crate::send`]) sends through, and [`HttpTransport`], the one real implementation.
//!
//! [`HttpTransport`] is the one shared HTTP client: connection pool, keep-alive, timeouts, no
//! redirects, no proxies picked up behind the operator's back, reply bodies read up to
//! [`MAX_REPLY_BYTES`]. It is the only code that uses reqwest.
//!
//! Trusted roots: the compiled-in Mozilla set (webpki-roots), the platform's store, and the
//! certificates of `SSL_CERT_FILE` / `SSL_CERT_DIR` ([`Trust`], read by settings).
//!
//! [`testing::Scripted`] answers from a script instead of the network, so the retry loop is
//! unit-tested without a server (and under paused time).

use crate::settings::{RunSettings, Trust};
use crate::wire::{Reply, Request};
use rustls::pki_types::CertificateDer;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A future the transport returns; boxed so that [`Transport`] stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends one request and hands back the reply, or says why there is none and whether the
/// request may have reached the server. One attempt only: retrying, pacing and the
/// exchange's time budget belong to [`crate::send::Sender`]; a transport bounds one attempt
/// (`--timeout`) and nothing more.
pub trait Transport: Send + Sync + 'static {
    fn send<'a>(&'a self, req: &'a Request) -> BoxFuture<'a, Result<Reply, SendError>>;
}

/// Why a request got no reply, and whether it may have reached the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub message: String,
    /// `false` only when the request certainly never left (connection refused, DNS, TLS
    /// handshake): then a retry cannot hide an earlier deletion.
    pub maybe_sent: bool,
    /// Retrying cannot help: the server's certificate was refused (untrusted issuer, wrong
    /// name, expired). Every request to this endpoint would fail the same way.
    pub permanent: bool,
}

/// The reqwest client: HTTPS over rustls with the run's timeouts, proxy and trust roots.
#[derive(Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
    /// `--timeout`, for messages.
    timeout: Duration,
    /// The connect timeout (at most 10 s of `--timeout`), for messages.
    connect_timeout: Duration,
}

impl HttpTransport {
    pub fn new(run: &RunSettings) -> Result<HttpTransport, String> {
        let timeout = run.timeout;
        let connect_timeout = timeout.min(Duration::from_secs(10));
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("certdel/", env!("CARGO_PKG_VERSION")))
            .timeout(timeout)
            .connect_timeout(connect_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_nodelay(true)
            // A redirected DELETE could delete something else: never follow.
            .redirect(reqwest::redirect::Policy::none())
            // The only proxy is the one settings found; nothing else is picked up.
            .no_proxy();
        for der in roots(&run.trust)? {
            builder = builder.add_root_certificate(
                reqwest::Certificate::from_der(&der)
                    .map_err(|e| format!("cannot use a root certificate: {e}"))?,
            );
        }
        let builder = match run.proxy.as_ref() {
            None => builder,
            Some(p) => {
                // https only: plain http is for loopback endpoints, which never go through it.
                let no_proxy = format!(
                    "localhost,127.0.0.1,::1{}",
                    p.no_proxy
                        .as_deref()
                        .map(|n| format!(",{n}"))
                        .unwrap_or_default()
                );
                let proxy = reqwest::Proxy::https(p.url.expose())
                    .map_err(|_| {
                        "the proxy URL (HTTPS_PROXY/ALL_PROXY) cannot be used".to_string()
                    })?
                    .no_proxy(reqwest::NoProxy::from_string(&no_proxy));
                builder.proxy(proxy)
            }
        };
        let client = builder
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(HttpTransport {
            client,
            timeout,
            connect_timeout,
        })
    }

    async fn send_once(&self, req: &Request) -> Result<Reply, SendError> {
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).map_err(|e| SendError {
            message: format!("bad method: {e}"),
            maybe_sent: false,
            permanent: true,
        })?;
        let mut builder = self.client.request(method, req.url());
        for (name, value) in &req.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if !req.body.is_empty() {
            builder = builder.body(req.body.clone());
        }
        let response = builder
            .send()
            .await
            .map_err(|e| self.describe(e, &req.host))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = match read_capped(response).await {
            Ok(body) => body,
            Err(Ok(too_long)) => return Err(too_long),
            Err(Err(e)) => return Err(self.describe(e, &req.host)),
        };
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
}

impl Transport for HttpTransport {
    fn send<'a>(&'a self, req: &'a Request) -> BoxFuture<'a, Result<Reply, SendError>> {
        Box::pin(self.send_once(req))
    }
}

/// Most bytes of one reply body that are read: far above any real answer (a listing page of
/// 1,000 Tencent certificates is about 1 MB), so a hostile or broken server cannot run
/// certdel out of memory.
pub const MAX_REPLY_BYTES: usize = 8 * 1024 * 1024;

/// The body, read chunk by chunk up to [`MAX_REPLY_BYTES`]. A longer one is an error: its
/// request was carried out or not, nobody can tell from an answer certdel will not read.
/// (`Err(Err(_))`: reading failed, described by the caller, who knows the host.)
async fn read_capped(
    mut response: reqwest::Response,
) -> Result<Vec<u8>, Result<SendError, reqwest::Error>> {
    let too_long = || SendError {
        message: format!(
            "reply body longer than {} MiB: not read",
            MAX_REPLY_BYTES / (1024 * 1024)
        ),
        maybe_sent: true,
        permanent: false,
    };
    if response
        .content_length()
        .is_some_and(|n| n > MAX_REPLY_BYTES as u64)
    {
        return Err(Ok(too_long()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Err)? {
        if body.len() + chunk.len() > MAX_REPLY_BYTES {
            return Err(Ok(too_long()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl HttpTransport {
    /// Why `e` left no reply, naming the host (and port when it is not the scheme's default)
    /// — never the path, query or headers: `cannot connect to 127.0.0.1:9 (connection
    /// refused)`, `no reply from ssl.tencentcloudapi.com within 30 s`.
    fn describe(&self, e: reqwest::Error, host: &str) -> SendError {
        let maybe_sent = !e.is_connect() && !e.is_builder();
        let secs = |d: Duration| d.as_secs_f64();
        // The source chain names the actual cause (refused, reset, certificate, ...); a
        // plain socket error is said in a few words instead.
        let cause = io_cause(&e).map(str::to_string).unwrap_or_else(|| {
            let mut chain = Vec::new();
            let mut source: Option<&dyn std::error::Error> = std::error::Error::source(&e);
            while let Some(s) = source {
                chain.push(s.to_string());
                source = s.source();
            }
            chain.join(": ")
        });
        let with_cause = |what: String| {
            if cause.is_empty() {
                what
            } else {
                format!("{what} ({cause})")
            }
        };
        let mut message = if e.is_timeout() && e.is_connect() {
            format!(
                "cannot connect to {host} within {} s",
                secs(self.connect_timeout)
            )
        } else if e.is_timeout() {
            format!("no reply from {host} within {} s", secs(self.timeout))
        } else if e.is_connect() {
            with_cause(format!("cannot connect to {host}"))
        } else if e.is_body() || e.is_decode() {
            with_cause(format!(
                "connection to {host} dropped while reading the reply"
            ))
        } else {
            with_cause(format!("request to {host} failed"))
        };
        let tls = rustls_error(&e);
        let permanent = matches!(tls, Some(rustls::Error::InvalidCertificate(_)));
        if let Some(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)) =
            tls
        {
            message.push_str(
                "; the server's certificate is not signed by a trusted CA: behind a TLS-inspecting proxy or with a private CA, give its CA certificate (PEM) in SSL_CERT_FILE or SSL_CERT_DIR",
            );
        }
        SendError {
            message,
            maybe_sent,
            permanent,
        }
    }
}

/// A socket error in `e`'s source chain, in a few words, for the kinds whose cause is plain
/// (refused, reset, unreachable). Anything else (DNS, TLS) keeps its own words.
fn io_cause(e: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    use std::io::ErrorKind::*;
    let mut next = Some(e);
    while let Some(s) = next {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return match io.kind() {
                ConnectionRefused => Some("connection refused"),
                ConnectionReset => Some("connection reset"),
                ConnectionAborted => Some("connection aborted"),
                BrokenPipe => Some("connection closed"),
                UnexpectedEof => Some("connection closed"),
                HostUnreachable => Some("host unreachable"),
                NetworkUnreachable => Some("network unreachable"),
                AddrNotAvailable => Some("address not available"),
                _ => None,
            };
        }
        next = s.source();
    }
    None
}

/// The roots added to the compiled-in Mozilla set: the platform's store and the operator's
/// `SSL_CERT_FILE` / `SSL_CERT_DIR` certificates. A platform certificate rustls cannot use is
/// skipped (stores hold ancient roots without X.509v3 extensions) and an unreadable store is
/// not fatal (the Mozilla roots remain); an operator's certificate that cannot be used is an
/// error naming it.
fn roots(trust: &Trust) -> Result<Vec<CertificateDer<'static>>, String> {
    let mut check = rustls::RootCertStore::empty();
    let mut out = Vec::new();
    if trust.platform {
        for der in platform_roots(trust) {
            if check.add(der.clone()).is_ok() {
                out.push(der);
            }
        }
    }
    for root in &trust.extra {
        let der = CertificateDer::from(root.der.clone());
        check.add(der.clone()).map_err(|e| {
            format!(
                "{}: {}: a certificate cannot be used as a trusted root ({e}); fix or remove it",
                root.var,
                root.path.display()
            )
        })?;
        out.push(der);
    }
    Ok(out)
}

/// The platform's certificate store. rustls-native-certs loads `SSL_CERT_FILE` /
/// `SSL_CERT_DIR` *instead of* the store when either is set; certdel adds those itself
/// ([`Trust::extra`]), so on Linux and the BSDs the distribution's certificate directories
/// are then read directly. (On macOS and Windows the system store is then not consulted: the
/// Mozilla roots and the named files remain.)
fn platform_roots(trust: &Trust) -> Vec<CertificateDer<'static>> {
    #[cfg(all(unix, not(target_os = "macos")))]
    if !trust.extra.is_empty() {
        return openssl_probe::candidate_cert_dirs()
            .flat_map(|dir| rustls_native_certs::load_certs_from_paths(None, Some(dir)).certs)
            .collect();
    }
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    let _ = trust;
    // Errors (no store, an unreadable file in it) are not fatal: the Mozilla roots remain.
    rustls_native_certs::load_native_certs().certs
}

/// The rustls error somewhere in a reqwest error's source chain. (`io::Error` hides the error
/// it wraps from `source()`, and the TLS connectors wrap it in one or two, so look inside.)
fn rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut next = Some(e);
    while let Some(s) = next {
        if let Some(r) = s.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        next = match s.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => s.source(),
        };
    }
    None
}

/// Transports for tests: no network, answers from a script.
pub mod testing {
    use super::{BoxFuture, SendError, Transport};
    use crate::wire::{Reply, Request};
    use std::collections::VecDeque;
    use std::sync::Mutex;

    /// What one scripted attempt gets.
    #[derive(Clone, Debug)]
    pub enum Step {
        /// This reply.
        Reply(Reply),
        /// This failure to send.
        Fail(SendError),
        /// No answer ever: the attempt lasts until the caller gives up on it (a timeout, the
        /// deadline).
        Hang,
        /// This step, after this long (a slow server; under paused time, virtual time).
        Slow(std::time::Duration, Box<Step>),
    }

    impl Step {
        /// A reply with this status, no headers and an empty body.
        pub fn status(status: u16) -> Step {
            Step::Reply(Reply {
                status,
                ..Reply::default()
            })
        }

        /// A reply with this status and body (JSON, say), no headers.
        pub fn body(status: u16, body: &str) -> Step {
            Step::Reply(Reply {
                status,
                headers: Vec::new(),
                body: body.as_bytes().to_vec(),
            })
        }

        /// A reply with this status and one header.
        pub fn status_with(status: u16, name: &str, value: &str) -> Step {
            Step::Reply(Reply {
                status,
                headers: vec![(name.to_string(), value.to_string())],
                body: Vec::new(),
            })
        }

        /// This step, answered after `after`.
        pub fn slow(after: std::time::Duration, step: Step) -> Step {
            Step::Slow(after, Box::new(step))
        }

        /// A failed send; `maybe_sent`: the request may have reached the server.
        pub fn fail(message: &str, maybe_sent: bool) -> Step {
            Step::Fail(SendError {
                message: message.to_string(),
                maybe_sent,
                permanent: false,
            })
        }
    }

    /// Answers each request with the next [`Step`] of its script and records every request
    /// it was given, so a test can check what was sent, how often, and that each attempt was
    /// signed afresh.
    #[derive(Debug, Default)]
    pub struct Scripted {
        script: Mutex<VecDeque<Step>>,
        seen: Mutex<Vec<Request>>,
    }

    impl Scripted {
        pub fn new(steps: impl IntoIterator<Item = Step>) -> Scripted {
            Scripted {
                script: Mutex::new(steps.into_iter().collect()),
                seen: Mutex::new(Vec::new()),
            }
        }

        /// Every request received, in order.
        pub fn requests(&self) -> Vec<Request> {
            self.seen.lock().expect("scripted lock").clone()
        }

        /// How many requests were received.
        pub fn calls(&self) -> usize {
            self.seen.lock().expect("scripted lock").len()
        }

        /// Steps not used yet.
        pub fn left(&self) -> usize {
            self.script.lock().expect("scripted lock").len()
        }
    }

    impl Transport for Scripted {
        fn send<'a>(&'a self, req: &'a Request) -> BoxFuture<'a, Result<Reply, SendError>> {
            let n = {
                let mut seen = self.seen.lock().expect("scripted lock");
                seen.push(req.clone());
                seen.len()
            };
            let mut step = self.script.lock().expect("scripted lock").pop_front();
            Box::pin(async move {
                loop {
                    return match step {
                        Some(Step::Slow(after, then)) => {
                            tokio::time::sleep(after).await;
                            step = Some(*then);
                            continue;
                        }
                        Some(Step::Reply(reply)) => Ok(reply),
                        Some(Step::Fail(err)) => Err(err),
                        Some(Step::Hang) => std::future::pending().await,
                        // A script too short is a mistake in the test: say so, and let nothing
                        // retry it away.
                        None => Err(SendError {
                            message: format!("scripted transport: no step for request {n}"),
                            maybe_sent: false,
                            permanent: true,
                        }),
                    };
                }
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{Scripted, Step};
    use super::*;
    use std::sync::Arc;

    fn request(path: &str) -> Request {
        Request::new("GET", "http", "127.0.0.1:9", path)
    }

    #[tokio::test(start_paused = true)]
    async fn scripted_answers_in_order_and_records_every_request() {
        let scripted = Arc::new(Scripted::new([
            Step::status(503),
            Step::fail("reset", true),
            Step::Hang,
            Step::status_with(200, "x-a", "b"),
        ]));
        let t: Arc<dyn Transport> = scripted.clone();
        assert_eq!(t.send(&request("/1")).await.map(|r| r.status), Ok(503));
        let err = t.send(&request("/2")).await.unwrap_err();
        assert_eq!(err.message, "reset");
        assert!(err.maybe_sent && !err.permanent);
        let hang = tokio::time::timeout(Duration::from_secs(3600), t.send(&request("/3"))).await;
        assert!(hang.is_err(), "a hanging step never answers");
        let reply = t.send(&request("/4")).await.expect("a reply");
        assert_eq!((reply.status, reply.header("X-A")), (200, Some("b")));
        // Past the end of the script: a permanent error that names the request.
        let err = t.send(&request("/5")).await.unwrap_err();
        assert!(err.permanent && !err.maybe_sent, "{err:?}");
        assert!(err.message.contains("no step for request 5"), "{err:?}");

        assert_eq!(scripted.calls(), 5);
        assert_eq!(scripted.left(), 0);
        let paths: Vec<String> = scripted.requests().into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["/1", "/2", "/3", "/4", "/5"]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_step_answers_after_its_delays() {
        let t = Scripted::new([Step::slow(
            Duration::from_secs(2),
            Step::slow(Duration::from_secs(1), Step::status(204)),
        )]);
        let start = tokio::time::Instant::now();
        assert_eq!(t.send(&request("/s")).await.map(|r| r.status), Ok(204));
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    fn http(timeout: Duration) -> HttpTransport {
        HttpTransport::new(&RunSettings {
            rate: None,
            concurrency: None,
            max_retries: 0,
            timeout,
            deadline: None,
            retry_timeout: timeout,
            no_retry_delay: true,
            proxy: None,
            trust: Trust {
                extra: Vec::new(),
                platform: false,
            },
        })
        .expect("the client builds")
    }

    /// A request whose query and headers must never show in a message.
    fn secretive(host: &str) -> Request {
        Request::new("GET", "http", host, "/v3/scm/certificates")
            .query("token", "query-secret")
            .header("authorization", "header-secret")
    }

    #[tokio::test]
    async fn a_refused_connection_names_the_host_and_port() {
        // A port nobody listens on: bound, then closed.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let host = format!("127.0.0.1:{port}");
        let err = http(Duration::from_secs(5))
            .send(&secretive(&host))
            .await
            .unwrap_err();
        assert_eq!(
            err.message,
            format!("cannot connect to {host} (connection refused)")
        );
        assert!(!err.maybe_sent && !err.permanent, "{err:?}");
    }

    #[tokio::test]
    async fn a_silent_server_is_no_reply_from_its_host_within_the_timeout() {
        // Accepts, reads nothing, never answers.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let host = listener.local_addr().unwrap().to_string();
        let hold = tokio::spawn(async move {
            let mut open = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                open.push(stream);
            }
        });
        let err = http(Duration::from_millis(200))
            .send(&secretive(&host))
            .await
            .unwrap_err();
        hold.abort();
        assert_eq!(err.message, format!("no reply from {host} within 0.2 s"));
        assert!(err.maybe_sent, "{err:?}");
        for secret in ["query-secret", "header-secret", "/v3/scm"] {
            assert!(!err.message.contains(secret), "{err:?}");
        }
    }
}
