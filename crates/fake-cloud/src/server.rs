//! The HTTP (and TLS) plumbing: hyper connections on a 127.0.0.1 listener.

use crate::*;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::sync::Arc;

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
    let reply = out.reply;
    let mut resp = hyper::Response::builder().status(reply.status);
    for (n, v) in &reply.headers {
        resp = resp.header(n.as_str(), v.as_str());
    }
    // The `Date` of the fake's own clock (hyper would send the system's), so a fake whose
    // clock is set off shows it the way a real server with a skewed clock would.
    if !reply
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("date"))
    {
        let date = state.now().format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        resp = resp.header("date", date);
    }
    resp.body(Full::new(Bytes::from(reply.body)))
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
