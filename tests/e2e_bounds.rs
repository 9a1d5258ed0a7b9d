//! Bounded in time and memory: the real binary against hostile local servers on 127.0.0.1 (one
//! that accepts and never answers, one whose reply body never ends) and the fake cloud
//! answering 503 for ever.

mod common;

use common::*;
use std::io::{Read, Write};
use std::net::TcpListener;

/// A listener nobody accepts from: the kernel completes the connections, nobody reads or
/// answers. Dropping it closes the port.
fn silent_server() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

/// A server that answers every request with a 200 whose body goes on (up to 64 MiB, then
/// closes), for at most `connections` connections.
fn endless_body_server(connections: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let Ok(mut s) = stream else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                let _ = s.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n",
                );
                let chunk = vec![b' '; 1 << 20];
                for _ in 0..64 {
                    if s.write_all(&chunk).is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

fn volc_delete(url: &str, ids: &[&str]) -> Certdel {
    certdel()
        .args(["--endpoint", url, "--yes", "--output", "json"])
        .arg("volcengine-live")
        .arg("delete")
        .args(ids.iter().copied())
        .envs(VOLC.env())
}

/// A server that accepts and never answers: after a few unanswered attempts, with nothing
/// ever answered, the run stops (exit 2) instead of spending every id's retries on it; every
/// id is still reported, and none as deleted: the one that was sent failed, the others
/// skipped (never sent).
#[test]
fn a_silent_server_stops_the_run_after_a_few_unanswered_attempts() {
    let (_listener, url) = silent_server();
    let ids: Vec<String> = (1..=6).map(|i| VOLC.id(i)).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let out = volc_delete(&url, &refs)
        .args(["--timeout", "0.5", "--concurrency", "1"])
        .run();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("no reply to any request so far"),
        "{out:?}"
    );
    let lines = out.json_lines();
    assert_eq!(lines.len(), ids.len(), "every id reported: {out:?}");
    assert_eq!(lines[0]["id"], ids[0].as_str(), "{out:?}");
    assert_eq!(lines[0]["outcome"], "failed", "{out:?}");
    for l in &lines[1..] {
        assert_eq!(l["outcome"], "skipped", "{out:?}");
        assert_eq!(l["attempts"], 0, "{out:?}");
        assert!(
            l["message"]
                .as_str()
                .unwrap()
                .starts_with("not attempted: run stopped: "),
            "{out:?}"
        );
    }
    let attempts: u64 = lines.iter().map(|l| l["attempts"].as_u64().unwrap()).sum();
    assert!(attempts <= 3, "{attempts} attempts: {out:?}");
}

/// `--deadline` cuts a request in flight: it is reported as possibly carried out, never
/// deleted.
#[test]
fn the_deadline_cuts_a_request_in_flight() {
    let (_listener, url) = silent_server();
    let id = VOLC.id(1);
    let out = volc_delete(&url, &[&id])
        .args(["--timeout", "30", "--deadline", "0.5"])
        .run();
    let lines = out.json_lines();
    assert_eq!(lines.len(), 1, "{out:?}");
    assert_eq!(lines[0]["outcome"], "failed", "{out:?}");
    let message = lines[0]["message"].as_str().unwrap();
    assert!(
        message.contains("deadline reached") && message.contains("in flight"),
        "{out:?}"
    );
    assert_ne!(out.code, 0, "{out:?}");
}

/// `--retry-timeout` bounds one id however many retries are left.
#[test]
fn the_retry_timeout_bounds_one_id() {
    let t = VOLC;
    let id = t.id(1);
    let internal = r#"{"ResponseMetadata":{"RequestId":"r","Error":{"Code":"InternalError","Message":"an internal error occurred"}}}"#;
    let mut config = Config::new(t.seed([t.cert(&id)]));
    config
        .scripts
        .insert((t.kind, id.clone()), vec![Step::json(500, internal); 200]);
    let fake = start_config(config);
    let out = delete(&fake, t, &[&id])
        .real_backoff()
        .flag("--max-retries", "100")
        .args(["--retry-timeout", "1", "--output", "json"])
        .run();
    let lines = out.json_lines();
    assert_eq!(lines[0]["outcome"], "failed", "{out:?}");
    assert!(
        lines[0]["message"]
            .as_str()
            .unwrap()
            .contains("--retry-timeout 1 s used up"),
        "{out:?}"
    );
    assert!(lines[0]["attempts"].as_u64().unwrap() < 100, "{out:?}");
    assert!(t.present(&fake, &id));
}

/// A reply body that never ends is not read past 8 MiB: the id is reported with the reason
/// and certdel exits normally.
#[test]
fn an_endless_reply_body_is_not_read() {
    let url = endless_body_server(4);
    let id = VOLC.id(1);
    let out = volc_delete(&url, &[&id]).args(["--max-retries", "0"]).run();
    let lines = out.json_lines();
    assert_eq!(lines.len(), 1, "{out:?}");
    assert_eq!(lines[0]["outcome"], "failed", "{out:?}");
    assert!(
        lines[0]["message"]
            .as_str()
            .unwrap()
            .contains("longer than 8 MiB"),
        "{out:?}"
    );
    assert_eq!(out.code, 1, "{out:?}");
}
