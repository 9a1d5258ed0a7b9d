//! The one shared HTTP client: connection pool, keep-alive, timeouts, no redirects, no
//! proxies picked up behind the operator's back. The only module that uses reqwest.

use crate::provider::Reply;
use crate::settings::Proxy;
use crate::sign::Request;
use std::time::Duration;

/// Why a request got no reply, and whether it may have reached the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub message: String,
    /// `false` only when the request certainly never left (connection refused, DNS, TLS
    /// handshake): then a retry cannot hide an earlier deletion.
    pub maybe_sent: bool,
}

#[derive(Clone)]
pub struct Transport {
    client: reqwest::Client,
}

impl Transport {
    pub fn new(timeout: Duration, proxy: Option<&Proxy>) -> Result<Transport, String> {
        let builder = reqwest::Client::builder()
            .user_agent(concat!("certdel/", env!("CARGO_PKG_VERSION")))
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_nodelay(true)
            // A redirected DELETE could delete something else: never follow.
            .redirect(reqwest::redirect::Policy::none())
            // The only proxy is the one settings found; nothing else is picked up.
            .no_proxy();
        let builder = match proxy {
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
        let body = response.bytes().await.map_err(describe)?.to_vec();
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
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
    SendError {
        message,
        maybe_sent,
    }
}
