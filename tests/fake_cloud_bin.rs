//! The `fake-cloud` binary: its one stdout line, its capture file, its request log, and
//! certdel running against it.

mod common;

use base64::Engine as _;
use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The binary, killed (by its own pid) when dropped.
struct FakeCloud {
    child: Child,
    url: String,
}

impl FakeCloud {
    fn start(extra: &[&str]) -> FakeCloud {
        let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/fake/seed.json");
        let mut child = Command::new(fake_cloud_bin())
            .args(["--port", "0", "--seed", seed])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("fake-cloud starts");
        let mut first = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        FakeCloud { child, url }
    }

    /// Stop it and return what it wrote to stdout after the first line, and to stderr.
    fn stop(mut self) -> (String, String) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut out = String::new();
        let mut err = String::new();
        let _ = self.child.stdout.take().unwrap().read_to_string(&mut out);
        let _ = self.child.stderr.take().unwrap().read_to_string(&mut err);
        (out, err)
    }
}

impl Drop for FakeCloud {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp_file(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    std::env::temp_dir().join(format!("certdel-{name}-{}-{nanos}", std::process::id()))
}

fn run(url: &str, t: Target, ids: &[&str]) -> Out {
    certdel()
        .args([
            "--endpoint",
            url,
            "--yes",
            "--rate",
            "1000",
            "--max-retries",
            "1",
        ])
        .args(t.args())
        .arg("delete")
        .args(ids.iter().copied())
        .envs(t.env())
        .run()
}

#[test]
fn serves_the_demo_seed_captures_and_logs_without_secrets() {
    let capture = temp_file("capture.ndjson");
    let fake = FakeCloud::start(&["--capture", capture.to_str().unwrap()]);
    let cases = [
        (HUAWEI, "scs 155 awk/ward*~+%=&证", "deleted"),
        (TENCENT, "8zXq1Uus", "in_use"),
        (VOLC, "be37f7c23b514c4987f4860000000002", "deleted"),
        (
            SLB,
            "1231579085529123_166f8204692_1714763411_709981433",
            "not_found",
        ),
        (CAS_ORDERS, "67891", "denied"),
    ];
    for (t, id, want) in cases {
        let out = run(&fake.url, t, &[id]);
        assert_eq!(out.outcome(id), Some(want), "{}: {out:?}", t.label());
    }
    let (stdout, stderr) = fake.stop();
    assert_eq!(stdout, "", "only the listening line goes to stdout");

    // One log line per request, naming product, action, id and status; no secret.
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 5, "{stderr}");
    assert!(
        lines[0].starts_with("DELETE huawei-scm DeleteCertificate id="),
        "{stderr}"
    );
    assert!(lines[0].ends_with("-> 204"), "{stderr}");
    assert!(
        lines[1].contains("FailedOperation.DeleteResourceFailed"),
        "{stderr}"
    );
    assert!(
        lines[3].contains("-> 400 ServerCertificateId.NotFound"),
        "{stderr}"
    );
    assert!(lines[4].contains("-> 403 OrderStateError"), "{stderr}");
    for secret in ["demo-secret-", "Signature="] {
        assert!(!stderr.contains(secret), "{secret} in the log: {stderr}");
    }

    // The capture: one line per request, the raw wire request.
    let text = std::fs::read_to_string(&capture).unwrap();
    let _ = std::fs::remove_file(&capture);
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 5);
    let h = &records[0];
    assert_eq!(h["provider"], "huawei-scm");
    assert_eq!(h["method"], "DELETE");
    let host = h["host"].as_str().unwrap();
    assert!(host.starts_with("127.0.0.1:"), "{host}");
    assert_eq!(header(h, "host"), host);
    assert_eq!(
        h["target"],
        "/v3/scm/certificates/scs%20155%20awk%2Fward%2A~%2B%25%3D%26%E8%AF%81"
    );
    assert_eq!(h["expect_id"], "scs 155 awk/ward*~+%=&证");
    assert!(header(h, "authorization").starts_with("SDK-HMAC-SHA256 Access=DEMO-AK-HUAWEI, "));
    assert_eq!(header(h, "x-domain-id"), "demo-domain-id-0001");
    let t = &records[1];
    assert_eq!(t["provider"], "tencent-ssl");
    let body = base64::engine::general_purpose::STANDARD
        .decode(t["body_b64"].as_str().unwrap())
        .unwrap();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["CertificateId"], "8zXq1Uus");
    assert_eq!(records[2]["provider"], "volcengine-live");
    assert_eq!(records[3]["provider"], "alibaba-slb");
    assert_eq!(records[4]["expect_id"], "67891");
}

fn header(record: &Value, name: &str) -> String {
    record["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == name)
        .and_then(|h| h[1].as_str())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn bad_flags_and_bad_seeds_are_refused() {
    let out = Command::new(fake_cloud_bin())
        .args(["--seed", "/nonexistent/seed.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/seed.json"));
    assert!(out.stdout.is_empty());
    let out = Command::new(fake_cloud_bin())
        .args(["--quota", "nobody=1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown provider 'nobody'"));
}

#[test]
fn fault_and_quota_flags_take_effect() {
    let live = "be37f7c23b514c4987f4860000000002";
    let fake = FakeCloud::start(&["--p-5xx", "1"]);
    let out = run(&fake.url, VOLC, &[live]);
    assert_eq!(out.outcome(live), Some("failed"), "{out:?}");
    let (_, stderr) = fake.stop();
    let errors = stderr
        .lines()
        .filter(|l| l.ends_with("-> 500 InternalError"));
    assert_eq!(errors.count(), 2, "one attempt and one retry: {stderr}");

    let fake = FakeCloud::start(&["--quota", "volcengine-live=0.000001:1"]);
    let expired = "be37f7c23b514c4987f4860000000001";
    let out = run(&fake.url, VOLC, &[expired]);
    assert_eq!(out.outcome(expired), Some("deleted"), "{out:?}");
    // Throttled until the deadline (throttling has its own, longer retry budget).
    let out = certdel()
        .args(["--endpoint", fake.url.as_str(), "--yes", "--deadline", "1"])
        .args(VOLC.args())
        .args(["delete", live])
        .envs(VOLC.env())
        .run();
    assert_eq!(out.outcome(live), Some("failed"), "{out:?}");
    let (_, stderr) = fake.stop();
    assert!(stderr.contains("-> 429 FlowLimitExceeded"), "{stderr}");
}

#[test]
fn generate_replaces_the_seed_certificates() {
    let fake = FakeCloud::start(&["--generate", "30", "--quiet"]);
    let out = certdel()
        .args(["--endpoint", fake.url.as_str(), "--output", "ids"])
        .args(TENCENT.args())
        .arg("list")
        .envs(TENCENT.env())
        .run();
    assert_eq!(out.code, 0, "{out:?}");
    let ids: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(ids.len(), 30, "{out:?}");
    // The generated ids, not the seed file's.
    assert!(ids.iter().all(|id| id.starts_with("gEn")), "{out:?}");
}
