//! An operator behind an egress proxy: https requests go through `HTTPS_PROXY` as a CONNECT
//! tunnel. The "proxy" here is a listener on 127.0.0.1 that records the request and refuses it,
//! so nothing leaves the machine (with a proxy the client does not even resolve the target).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};

#[test]
fn https_requests_go_through_the_proxy_from_the_environment() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    // Waits at most 10 s, so a certdel that ignores the proxy fails the test instead of hanging it.
    let proxy = std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let stream = loop {
            match listener.accept() {
                Ok((stream, _)) => break stream,
                Err(_) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(10))
                }
                Err(_) => return String::new(),
            }
        };
        stream.set_nonblocking(false).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();
        let mut stream = stream;
        let _ = stream.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
        request_line
    });

    let out = Command::new(env!("CARGO_BIN_EXE_certdel"))
        .args([
            "tencent-ssl",
            "delete",
            "abc",
            "--yes",
            "--max-retries",
            "0",
            "--timeout",
            "5",
        ])
        .env_clear()
        .env("TENCENTCLOUD_SECRET_ID", "AKIDEXAMPLE")
        .env("TENCENTCLOUD_SECRET_KEY", "proxy-test-secret")
        // The audit log under the temp dir, never the home of whoever runs the tests.
        .env(
            "CERTDEL_AUDIT_LOG",
            std::env::temp_dir().join(format!(
                "certdel-test-audit-{}-proxy.jsonl",
                std::process::id()
            )),
        )
        .env(
            "HTTPS_PROXY",
            format!("http://user:proxy-pw@127.0.0.1:{port}"),
        )
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let request_line = proxy.join().unwrap();
    assert_eq!(
        request_line.trim_end(),
        "CONNECT ssl.tencentcloudapi.com:443 HTTP/1.1"
    );

    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The proxy refused the tunnel: the endpoint is unreachable, the id is reported failed.
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stdout.contains("failed     abc"), "{stdout}");
    for secret in ["proxy-pw", "proxy-test-secret"] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{secret} leaked: {stdout}\n{stderr}"
        );
    }
}
