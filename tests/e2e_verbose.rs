//! `-v`, `-vv` and `-q` on the real binary against the fake cloud: what the diagnostics say,
//! and that no secret, session token or signature reaches stderr or stdout at any level.

mod common;
use common::*;
use serde_json::Value;

const SECRET: &str = "SECRET-MARK-sk-4e1d";
const TOKEN: &str = "SECRET-MARK-token-9c07";

/// The fake, holding `ok` and a certificate whose every delete answers 500, for accounts
/// whose secret key and session token are the marks (the token required on every request),
/// with request capture to `capture`.
fn marked_fake(t: Target, ok: &str, failing: &str, capture: &std::path::Path) -> Running {
    let mut seed = t.seed([t.cert(ok), t.cert(failing).fault(Fault::Http500)]);
    let keys = match t.kind {
        Kind::HuaweiScm => seed.accounts.huawei.as_mut(),
        Kind::TencentSsl => seed.accounts.tencent.as_mut(),
        Kind::VolcengineLive => seed.accounts.volc.as_mut(),
        Kind::AlibabaSlb | Kind::AlibabaCas => seed.accounts.alibaba.as_mut(),
    }
    .expect("a demo account");
    keys.secret_key = SECRET.into();
    keys.session_token = Some(TOKEN.into());
    let mut config = Config::new(seed);
    config.capture = Some(capture.to_path_buf());
    start_config(config)
}

/// The `Authorization` values the fake received (the capture's headers), and the signature
/// hex at the end of each.
fn authorizations(capture: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(capture).expect("the capture");
    let mut out = Vec::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).expect("capture line");
        for h in v["headers"].as_array().expect("headers") {
            if h[0]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case("authorization"))
            {
                let value = h[1].as_str().expect("value").to_string();
                let signature = value.rsplit('=').next().unwrap_or_default().to_string();
                assert_eq!(signature.len(), 64, "{value}");
                out.extend([value, signature]);
            }
        }
    }
    out
}

/// The vendor action the `-v` line names for deleting `id` (Huawei: the path), and the method.
fn delete_action(t: Target, id: &str) -> (String, &'static str) {
    match (t.kind, t.cas) {
        (Kind::HuaweiScm, _) => (format!("/v3/scm/certificates/{id}"), "DELETE"),
        (Kind::TencentSsl, _) => ("DeleteCertificate".into(), "POST"),
        (Kind::VolcengineLive, _) => ("DeleteCert".into(), "POST"),
        (Kind::AlibabaSlb, _) => ("DeleteServerCertificate".into(), "POST"),
        (_, Some(CasKind::Order)) => ("DeleteCertificateRequest".into(), "POST"),
        _ => ("DeleteUserCertificate".into(), "POST"),
    }
}

/// The `-v` lines (one per attempt) of a run's stderr.
fn attempt_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(" attempt ") && l.contains("attempt="))
        .collect()
}

#[test]
fn vv_names_every_attempt_and_shows_no_secret_token_or_signature() {
    for t in TARGETS {
        let l = t.label();
        let (ok, failing) = (t.id(1), t.id(2));
        let capture = std::env::temp_dir().join(format!(
            "certdel-e2e-verbose-{}-{}.ndjson",
            std::process::id(),
            l.replace([' ', '(', ')'], "_")
        ));
        let _ = std::fs::remove_file(&capture);
        let fake = marked_fake(t, &ok, &failing, &capture);
        let (_, secret_var) = t.vars();
        let marked = |run: Certdel| run.env(secret_var, SECRET).env(t.token_var(), TOKEN);
        let mut deleting =
            marked(delete(&fake, t, &[&ok, &failing])).args(["-vv", "--output", "json"]);
        if t.kind == Kind::TencentSsl {
            // One DeleteCertificate per id, as the others send.
            deleting = deleting.arg("--no-batch");
        }
        let deleted = deleting.run();
        let listed = marked(
            certdel()
                .args(["--endpoint", &fake.url(), "-vv"])
                .args(t.args())
                .args(["list", "--output", "json"])
                .envs(t.env()),
        )
        .run();
        // The identity call (huawei-scm: the IAM domain lookup) is signed and sent the same way.
        let asked = marked(
            certdel()
                .args(["--endpoint", &fake.url(), "-vv"])
                .args(t.args())
                .arg("whoami")
                .envs(t.env())
                .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", &fake.url())
                .env("CERTDEL_STS_ENDPOINT", &fake.url()),
        )
        .run();
        assert_eq!(asked.code, 0, "{l}: {asked:?}");
        assert_eq!(deleted.code, 1, "{l}: {deleted:?}");
        assert_eq!(listed.code, 0, "{l}: {listed:?}");
        assert!(!t.present(&fake, &ok), "{l}: the marks signed correctly");

        let signatures = authorizations(&capture);
        let _ = std::fs::remove_file(&capture);
        assert!(!signatures.is_empty(), "{l}: captured requests");
        for (run, out) in [("delete", &deleted), ("list", &listed), ("whoami", &asked)] {
            for (stream, text) in [("stderr", &out.stderr), ("stdout", &out.stdout)] {
                assert!(!text.contains("SECRET-MARK"), "{l} {run} {stream}: {text}");
                for s in &signatures {
                    assert!(!text.contains(s.as_str()), "{l} {run} {stream}: {s}");
                }
                assert!(!text.contains("Signature="), "{l} {run} {stream}: {text}");
            }
            // -vv: every signature's two stages, the token's header line redacted (TC3 does
            // not sign X-TC-Token, so tencent-ssl has none to redact).
            assert!(
                out.stderr.contains("canonical_request=") && out.stderr.contains("string_to_sign="),
                "{l} {run}: {}",
                out.stderr
            );
            if t.kind != Kind::TencentSsl {
                assert!(
                    out.stderr.contains("security-token:<redacted>"),
                    "{l} {run}: {}",
                    out.stderr
                );
            }
            // stderr is a pipe: no escape codes.
            assert!(!out.stderr.contains('\x1b'), "{l} {run}: {:?}", out.stderr);
        }

        // The attempt lines: the delete that worked, and both attempts at the failing one
        // (HTTP 500, or Tencent's 200 with an error code: the vendor code is on the line).
        let lines = attempt_lines(&deleted.stderr);
        let host = fake.url().split_once("://").unwrap().1.to_string();
        let (action, method) = delete_action(t, &ok);
        let first = format!("action=\"{action}\"");
        let done = lines.iter().find(|line| {
            line.contains(&first) && line.contains("status=20") && line.contains("attempt=1")
        });
        let done = done.unwrap_or_else(|| panic!("{l}: no line for {action}: {lines:#?}"));
        for field in [
            format!("method=\"{method}\""),
            format!("host=\"{host}\""),
            "took=".to_string(),
        ] {
            assert!(done.contains(&field), "{l}: {field}: {done}");
        }
        let (failing_action, _) = delete_action(t, &failing);
        for n in [1, 2] {
            assert!(
                lines.iter().any(
                    |line| line.contains(&format!("action=\"{failing_action}\""))
                        && line.contains("status=")
                        && line.contains(&format!("attempt={n}"))
                        && line.contains("code=")
                ),
                "{l}: attempt {n} at the failing id: {lines:#?}"
            );
        }
        for (run, out) in [("list", &listed), ("whoami", &asked)] {
            assert!(
                !attempt_lines(&out.stderr).is_empty(),
                "{l}: {run} attempts: {}",
                out.stderr
            );
        }
    }
}

#[test]
fn v_without_a_second_v_shows_no_signing_and_no_flag_shows_nothing() {
    let t = VOLC;
    let id = t.id(1);
    let fake = start(t.seed([t.cert(&id)]));
    let v = delete(&fake, t, &[&id]).arg("-v").run();
    assert_eq!(v.code, 0, "{v:?}");
    let lines = attempt_lines(&v.stderr);
    assert_eq!(lines.len(), 1, "{v:?}");
    assert!(
        lines[0].contains("action=\"DeleteCert\"") && lines[0].contains("request_id="),
        "{v:?}"
    );
    assert!(!v.stderr.contains("canonical_request"), "{v:?}");

    let id = t.id(2);
    let fake = start(t.seed([t.cert(&id)]));
    let plain = delete(&fake, t, &[&id]).run();
    assert_eq!(plain.code, 0, "{plain:?}");
    assert_eq!(plain.stderr, "", "{plain:?}");
}

#[test]
fn quiet_conflicts_with_verbose_and_keeps_results_and_completeness_warnings() {
    let both = certdel()
        .args(["-q", "volcengine-live", "list", "-v"])
        .run();
    assert_eq!(both.code, 2, "{both:?}");
    assert!(
        both.stderr.contains("--quiet") && both.stderr.contains("--verbose"),
        "{both:?}"
    );

    // A warning about the results (an expiry that could not be read) is not a diagnostic:
    // -q keeps it, and the results.
    let s = SLB;
    let (good, odd) = (s.id(1), s.id(2));
    let past = chrono::Utc::now() - chrono::Duration::days(30);
    let fake = start(
        s.seed([
            s.cert(&good).not_after(past),
            s.cert(&odd)
                .not_after(past)
                .raw_time("ExpireTimeStamp", past.timestamp()),
        ]),
    );
    let quiet = certdel()
        .args(["--endpoint", &fake.url(), "-q"])
        .args(s.args())
        .args(["list", "--output", "ids"])
        .envs(s.env())
        .run();
    assert_eq!(quiet.code, 0, "{quiet:?}");
    assert_eq!(quiet.stdout.lines().count(), 2, "{quiet:?}");
    assert!(
        quiet.stderr.contains("disagree") && quiet.stderr.lines().count() == 1,
        "{quiet:?}"
    );
}
