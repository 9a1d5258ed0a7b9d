//! What the fake can be told: [`Config`], scripted [`Step`]s, the TLS identity.

use crate::*;
use certdel::provider::Kind;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
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
    pub(crate) fn acceptor(&self) -> std::io::Result<tokio_rustls::TlsAcceptor> {
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
