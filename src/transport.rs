//! The one shared HTTP client: connection pool, keep-alive, timeouts, no redirects, no
//! proxies picked up behind the operator's back. The only module that uses reqwest.
//!
//! Trusted roots: the compiled-in Mozilla set (webpki-roots), the platform's store, and the
//! certificates of `SSL_CERT_FILE` / `SSL_CERT_DIR` ([`Trust`], read by settings).

use crate::settings::{RunSettings, Trust};
use crate::wire::{Reply, Request};
use rustls::pki_types::CertificateDer;
use std::time::Duration;

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

#[derive(Clone)]
pub struct Transport {
    client: reqwest::Client,
}

impl Transport {
    pub fn new(run: &RunSettings) -> Result<Transport, String> {
        let timeout = run.timeout;
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("certdel/", env!("CARGO_PKG_VERSION")))
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
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
        Ok(Transport { client })
    }

    pub async fn send(&self, req: &Request) -> Result<Reply, SendError> {
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
        let response = builder.send().await.map_err(describe)?;
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
        let body = read_capped(response).await?;
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
}

/// Most bytes of one reply body that are read: far above any real answer (a listing page of
/// 1,000 Tencent certificates is about 1 MB), so a hostile or broken server cannot run
/// certdel out of memory.
pub const MAX_REPLY_BYTES: usize = 8 * 1024 * 1024;

/// The body, read chunk by chunk up to [`MAX_REPLY_BYTES`]. A longer one is an error: its
/// request was carried out or not, nobody can tell from an answer certdel will not read.
async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, SendError> {
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
        return Err(too_long());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(describe)? {
        if body.len() + chunk.len() > MAX_REPLY_BYTES {
            return Err(too_long());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn describe(e: reqwest::Error) -> SendError {
    let maybe_sent = !e.is_connect() && !e.is_builder();
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "connection dropped while reading the reply"
    } else {
        "request failed"
    };
    // The full source chain names the actual cause (refused, reset, certificate, ...).
    let mut message = kind.to_string();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    let tls = rustls_error(&e);
    let permanent = matches!(tls, Some(rustls::Error::InvalidCertificate(_)));
    if let Some(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)) = tls {
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
