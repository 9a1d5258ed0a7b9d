//! SIGINT and SIGTERM sent to the real binary during a slow run against the fake cloud
//! (every answer delayed): exit 130 / 143, exactly one outcome per id, nothing reported
//! `deleted` that the store still has, ids never sent `skipped` with the reason and untouched,
//! and a listing that prints nothing; a sweep over two targets the same, every certificate it
//! set out to delete reported and each target summed up. Judged by the store and the
//! outcomes, not by timing.
#![cfg(unix)]

mod common;

use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Long enough for any wait below on a loaded machine; only a bound, never an expectation.
const PATIENCE: Duration = Duration::from_secs(60);

/// A certdel process started from `run` (its args and env), stdout read line by line.
struct Proc {
    child: Child,
    lines: mpsc::Receiver<String>,
    errors: mpsc::Receiver<String>,
    readers: Vec<JoinHandle<()>>,
    /// The stderr lines read so far.
    stderr: Vec<String>,
}

/// Each line of `from`, sent on a channel by a thread of its own.
fn lines_of(from: impl std::io::Read + Send + 'static) -> (mpsc::Receiver<String>, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (rx, reader)
}

fn spawn(run: &Certdel) -> Proc {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_certdel"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(&run.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in &run.env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("certdel starts");
    let (lines, out) = lines_of(child.stdout.take().expect("piped stdout"));
    let (errors, err) = lines_of(child.stderr.take().expect("piped stderr"));
    Proc {
        child,
        lines,
        errors,
        readers: vec![out, err],
        stderr: Vec::new(),
    }
}

impl Proc {
    fn pid(&self) -> i32 {
        i32::try_from(self.child.id()).expect("a pid fits")
    }

    /// Send `signal` once certdel handles it (so the default action cannot be what happens).
    fn signal(&self, signal: i32) {
        wait_until(|| handles(self.pid(), signal), "certdel handles the signal");
        // SAFETY: kill(2) on the pid of a child this test started and has not reaped.
        let rc = unsafe { libc::kill(self.pid(), signal) };
        assert_eq!(rc, 0, "kill({}, {signal})", self.pid());
    }

    /// The next stdout line.
    fn line(&self) -> String {
        self.lines
            .recv_timeout(PATIENCE)
            .expect("certdel writes a line")
    }

    /// Wait for a stderr line containing `text`.
    fn said(&mut self, text: &str) {
        while !self.stderr.iter().any(|l| l.contains(text)) {
            let line = self
                .errors
                .recv_timeout(PATIENCE)
                .unwrap_or_else(|_| panic!("certdel never said {text:?}: {:?}", self.stderr));
            self.stderr.push(line);
        }
    }

    /// Wait for the exit; the exit status, the stdout lines not read yet, and stderr.
    fn finish(mut self) -> (i32, Vec<String>, String) {
        let status = self.child.wait().expect("certdel exits");
        for r in self.readers.drain(..) {
            r.join().expect("reader");
        }
        let rest = self.lines.try_iter().collect();
        self.stderr.extend(self.errors.try_iter());
        let stderr = self.stderr.join("\n");
        let code = status
            .code()
            .unwrap_or_else(|| panic!("certdel killed by a signal ({status:?}); stderr: {stderr}"));
        (code, rest, stderr)
    }
}

/// Whether process `pid` catches `signal` (Linux: `SigCgt` in /proc; elsewhere assumed once
/// the process has had a moment to start).
fn handles(pid: i32, signal: i32) -> bool {
    if cfg!(target_os = "linux") {
        let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
            return false;
        };
        status
            .lines()
            .find_map(|l| l.strip_prefix("SigCgt:"))
            .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
            .is_some_and(|mask| mask & (1u64 << (signal - 1)) != 0)
    } else {
        std::thread::sleep(Duration::from_millis(500));
        true
    }
}

fn wait_until(mut ready: impl FnMut() -> bool, what: &str) {
    let start = std::time::Instant::now();
    while !ready() {
        assert!(start.elapsed() < PATIENCE, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn ids(t: Target, n: u32) -> Vec<String> {
    (1..=n).map(|i| t.id(i)).collect()
}

/// A fake holding `ids` whose every answer takes `latency`.
fn slow_fake(t: Target, ids: &[String], latency: Duration) -> fake_cloud::Running {
    let mut config = Config::new(t.seed(ids.iter().map(|id| t.cert(id))));
    config.latency = latency;
    start_config(config)
}

/// Every id has exactly one outcome; returns them by id.
fn one_each(ids: &[String], lines: &[String]) -> Vec<(String, String, String)> {
    let parsed: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert_eq!(parsed.len(), ids.len(), "one outcome per id: {lines:#?}");
    ids.iter()
        .map(|id| {
            let mine: Vec<&Value> = parsed.iter().filter(|v| v["id"] == id.as_str()).collect();
            assert_eq!(mine.len(), 1, "exactly one outcome for {id}: {lines:#?}");
            let field = |k: &str| mine[0][k].as_str().unwrap_or_default().to_string();
            (id.clone(), field("outcome"), field("message"))
        })
        .collect()
}

/// A slow delete of 30 ids, two at a time; `signal` after the first outcome.
fn interrupted_delete(signal: i32, name: &str, status: i32) {
    let t = VOLC;
    let ids = ids(t, 30);
    let fake = slow_fake(t, &ids, Duration::from_millis(300));
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let audit = common::audit_log_path();
    let run = delete(&fake, t, &refs)
        .flag("--concurrency", "2")
        .args(["--output", "json"])
        .env(common::AUDIT_LOG_VAR, &audit.to_string_lossy());
    let certdel = spawn(&run);
    let first = certdel.line();
    certdel.signal(signal);
    let (code, rest, stderr) = certdel.finish();
    let mut lines = vec![first];
    lines.extend(rest);
    assert_eq!(code, status, "stderr: {stderr}");
    assert!(
        stderr.contains(&format!("interrupted by {name}")),
        "{stderr}"
    );

    let outcomes = one_each(&ids, &lines);
    let mut skipped = 0;
    for (id, outcome, message) in &outcomes {
        let present = t.present(&fake, id);
        match outcome.as_str() {
            // In flight when the signal came: given its time, and answered.
            "deleted" => assert!(!present, "{id} reported deleted, still in the store"),
            "skipped" => {
                skipped += 1;
                assert_eq!(message, &format!("not attempted: interrupted by {name}"));
                assert!(present, "{id} skipped, yet gone from the store");
                assert_eq!(
                    fake.delete_attempts(t.kind, id),
                    0,
                    "{id} skipped, yet sent"
                );
            }
            other => panic!("{id}: {other} ({message}); one signal lets requests answer"),
        }
    }
    assert!(skipped > 0, "the run was cut short: {outcomes:#?}");
    assert!(
        skipped < ids.len(),
        "the first outcome came before the signal"
    );

    // The audit log has one line per reported outcome, with the same outcome.
    let logged: Vec<Value> = std::fs::read_to_string(&audit)
        .expect("the audit log was written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("an audit line is JSON"))
        .collect();
    assert_eq!(logged.len(), ids.len(), "{logged:#?}");
    for (id, outcome, _) in &outcomes {
        let mine: Vec<&Value> = logged.iter().filter(|l| l["id"] == id.as_str()).collect();
        assert_eq!(mine.len(), 1, "one audit line for {id}");
        assert_eq!(mine[0]["outcome"], outcome.as_str(), "{id}");
    }
}

#[test]
fn sigterm_during_a_delete_reports_every_id_and_exits_143() {
    interrupted_delete(libc::SIGTERM, "SIGTERM", 143);
}

#[test]
fn sigint_during_a_delete_reports_every_id_and_exits_130() {
    interrupted_delete(libc::SIGINT, "SIGINT", 130);
}

#[test]
fn a_second_sigint_stops_waiting_for_requests_in_flight() {
    let t = VOLC;
    let ids = ids(t, 6);
    // Answers slower than certdel is let wait: the requests in flight are abandoned. The
    // capture (written on arrival) names the ids of the requests that were sent.
    let capture = std::env::temp_dir().join(format!(
        "certdel-e2e-interrupt-{}.ndjson",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&capture);
    let mut config = Config::new(t.seed(ids.iter().map(|id| t.cert(id))));
    config.latency = Duration::from_secs(3);
    config.capture = Some(capture.clone());
    let fake = start_config(config);
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let run = delete(&fake, t, &refs)
        .flag("--concurrency", "2")
        .flag("--timeout", "120")
        .args(["--output", "json"]);
    let mut certdel = spawn(&run);
    wait_until(|| fake.counters().arrived >= 2, "two requests in flight");
    certdel.signal(libc::SIGINT);
    // Signals close together may arrive as one: send the second once the first was seen.
    certdel.said("interrupted by SIGINT");
    certdel.signal(libc::SIGINT);
    let (code, lines, stderr) = certdel.finish();
    assert_eq!(code, 130, "stderr: {stderr}");
    assert!(stderr.contains("interrupted again"), "{stderr}");
    assert_eq!(
        fake.counters().arrived,
        2,
        "nothing sent after the first SIGINT"
    );

    let captured = std::fs::read_to_string(&capture).expect("the capture");
    let _ = std::fs::remove_file(&capture);
    let sent: Vec<String> = captured
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["expect_id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(sent.len(), 2, "{captured}");
    for (id, outcome, message) in one_each(&ids, &lines) {
        if sent.contains(&id) {
            assert_eq!(outcome, "failed", "{id}: {message}");
            assert!(
                message.contains("interrupted while in flight")
                    && message.contains("may have deleted it"),
                "{id}: {message}"
            );
        } else {
            assert_eq!(outcome, "skipped", "{id}: {message}");
            assert_eq!(message, "not attempted: interrupted by SIGINT");
            assert!(t.present(&fake, &id), "{id} skipped, yet gone");
        }
    }
}

#[test]
fn an_interrupted_list_prints_nothing_and_exits_143() {
    let t = TENCENT;
    let ids = ids(t, 3);
    let fake = slow_fake(t, &ids, Duration::from_millis(500));
    let run = certdel()
        .args(["--endpoint", &fake.url()])
        .args(t.args())
        .args(["list", "--output", "json"])
        .envs(t.env());
    let certdel = spawn(&run);
    wait_until(|| fake.counters().arrived >= 1, "a page requested");
    certdel.signal(libc::SIGTERM);
    let (code, lines, stderr) = certdel.finish();
    assert_eq!(code, 143, "stderr: {stderr}");
    // The page in flight answered (the listing may even be complete): still nothing printed.
    assert_eq!(lines, Vec::<String>::new());
    assert!(
        stderr.contains("tencent-ssl: list: interrupted by SIGTERM: nothing printed"),
        "{stderr}"
    );
}

#[test]
fn an_interrupt_before_anything_is_sent_ends_certdel_at_once() {
    let t = VOLC;
    let ids = ids(t, 2);
    let fake = slow_fake(t, &ids, Duration::ZERO);
    // Ids from stdin, which stays open: certdel is still reading them.
    let run = delete(&fake, t, &["-"]);
    let mut certdel = spawn(&run);
    let stdin = certdel.child.stdin.take();
    certdel.signal(libc::SIGTERM);
    let (code, lines, stderr) = certdel.finish();
    drop(stdin);
    assert_eq!(code, 143, "stderr: {stderr}");
    assert_eq!(lines, Vec::<String>::new());
    assert!(
        stderr.contains("interrupted by SIGTERM: nothing was sent"),
        "{stderr}"
    );
    assert_eq!(fake.counters().arrived, 0);
}

/// The delete requests that arrived at the fake (captured on arrival, before the latency): the
/// id each names, by product. (Identity and listing calls name no id.)
fn deletes_arrived(capture: &std::path::Path) -> Vec<(String, String)> {
    std::fs::read_to_string(capture)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| {
            let id = v["expect_id"].as_str()?.to_string();
            Some((v["provider"].as_str()?.to_string(), id))
        })
        .collect()
}

/// A sweep of two targets (volcengine-live, alibaba-slb), 25 expired certificates each, all
/// to delete, every answer slow; `signal` once a delete of each target has arrived.
fn interrupted_sweep(signal: i32, name: &str, status: i32) {
    const N: u32 = 25;
    let targets = [VOLC, SLB];
    let expired = chrono::Utc::now() - chrono::Duration::days(30);
    let mut seed = Seed::demo();
    for t in targets {
        for id in ids(t, N) {
            seed = seed.with(t.kind, t.cert(&id).not_after(expired));
        }
    }
    let capture = std::env::temp_dir().join(format!(
        "certdel-e2e-interrupt-sweep-{}-{name}.ndjson",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&capture);
    let mut config = Config::new(seed);
    // Held long enough that the requests in flight when the signal comes are still held.
    config.latency = Duration::from_secs(3);
    config.capture = Some(capture.clone());
    let fake = start_config(config);

    let mut policy =
        String::from("[selection]\nexpired_for = \"7d\"\n\n[guards]\nmax_deletions = 100\n\n");
    for t in targets {
        let account = fake_cloud::store::demo_accounts()
            .for_kind(t.kind)
            .expect("demo keys")
            .account();
        policy.push_str(&format!(
            "[[targets]]\nname = \"{}\"\nprovider = \"{}\"\nendpoint = \"{}\"\nexpect_account = \"{account}\"\n",
            t.kind.name(),
            t.kind.name(),
            fake.url()
        ));
        if t == SLB {
            policy.push_str(&format!("region = \"{REGION}\"\n"));
        }
        policy.push('\n');
    }
    let policy_path = std::env::temp_dir().join(format!(
        "certdel-e2e-interrupt-sweep-{}-{name}.toml",
        std::process::id()
    ));
    std::fs::write(&policy_path, policy).unwrap();
    let audit = common::audit_log_path();
    let run = targets
        .iter()
        .fold(certdel(), |c, t| c.envs(t.env()))
        .args(["sweep", "--policy", &policy_path.to_string_lossy()])
        .args(["--yes", "--output", "json"])
        .env("CERTDEL_STS_ENDPOINT", &fake.url())
        .env(common::AUDIT_LOG_VAR, &audit.to_string_lossy());
    let mut certdel = spawn(&run);
    wait_until(
        || {
            let arrived = deletes_arrived(&capture);
            targets
                .iter()
                .all(|t| arrived.iter().any(|(p, _)| p == t.kind.name()))
        },
        "a delete of each target in flight",
    );
    certdel.signal(signal);
    certdel.said(&format!("interrupted by {name}"));
    // Said just before it is raised: what has arrived by now is what was sent before it.
    let at_signal = deletes_arrived(&capture).len();
    let (code, lines, stderr) = certdel.finish();
    let sent = deletes_arrived(&capture);
    let _ = std::fs::remove_file(&capture);
    let _ = std::fs::remove_file(&policy_path);
    assert_eq!(code, status, "stderr: {stderr}");
    assert_eq!(
        sent.len(),
        at_signal,
        "no delete request started after the signal: {sent:?}"
    );

    let parsed: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let logged: Vec<Value> = std::fs::read_to_string(&audit)
        .expect("the audit log was written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("an audit line is JSON"))
        .collect();
    for t in targets {
        let target = t.kind.name();
        let mine: Vec<&Value> = parsed
            .iter()
            .filter(|v| v["type"] == "certificate" && v["target"] == target)
            .collect();
        let ids = ids(t, N);
        let (mut deleted, mut skipped) = (0, 0);
        for id in &ids {
            let line: Vec<&&Value> = mine.iter().filter(|v| v["id"] == id.as_str()).collect();
            assert_eq!(line.len(), 1, "{target}: one line for {id}: {lines:#?}");
            let outcome = line[0]["outcome"].as_str().unwrap_or_default();
            let message = line[0]["message"].as_str().unwrap_or_default();
            let was_sent = sent.iter().any(|(p, s)| p == target && s == id);
            match outcome {
                // In flight when the signal came: given its time, and answered.
                "deleted" => {
                    deleted += 1;
                    assert!(was_sent, "{target}: {id} deleted, never sent");
                    assert!(!t.present(&fake, id), "{target}: {id} deleted, still there");
                }
                "skipped" => {
                    skipped += 1;
                    assert_eq!(message, format!("not attempted: interrupted by {name}"));
                    assert!(!was_sent, "{target}: {id} skipped, yet sent");
                    assert!(t.present(&fake, id), "{target}: {id} skipped, yet gone");
                }
                other => {
                    panic!("{target}: {id}: {other} ({message}); one signal lets requests answer")
                }
            }
            let records: Vec<&Value> = logged
                .iter()
                .filter(|r| r["provider"] == target && r["id"] == id.as_str())
                .collect();
            assert_eq!(
                records.len(),
                1,
                "{target}: one audit record for {id}: {logged:#?}"
            );
            assert_eq!(records[0]["outcome"], outcome, "{target}: {id}");
        }
        assert_eq!(mine.len(), ids.len(), "{target}: no other line: {mine:#?}");
        assert!(
            deleted > 0,
            "{target}: a delete was in flight at the signal"
        );
        assert!(skipped > 0, "{target}: the sweep was cut short");
        // The target's summary still comes out, and counts every certificate.
        let summary = parsed
            .iter()
            .find(|v| v["type"] == "target" && v["target"] == target)
            .unwrap_or_else(|| panic!("{target}: no summary line: {lines:#?}"));
        assert_eq!(summary["selected"], N, "{summary}");
        assert_eq!(summary["deleted"], deleted, "{summary}");
        assert_eq!(summary["failed"], skipped, "{summary}");
        assert_eq!(summary["status"], "failed", "{summary}");
    }
    assert_eq!(logged.len(), targets.len() * N as usize, "{logged:#?}");
}

#[test]
fn sigint_during_a_sweep_reports_every_certificate_of_every_target_and_exits_130() {
    interrupted_sweep(libc::SIGINT, "SIGINT", 130);
}

#[test]
fn sigterm_during_a_sweep_reports_every_certificate_of_every_target_and_exits_143() {
    interrupted_sweep(libc::SIGTERM, "SIGTERM", 143);
}
