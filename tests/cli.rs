//! The CLI contract: clap's own consistency checks, the `--help` text other tools and people
//! rely on (snapshot), and one test per exit status.
//!
//! Snapshots live in tests/snapshots/; after an intended change of the help text, regenerate
//! them with `INSTA_UPDATE=always cargo test --test cli` (or `cargo insta review`) and review the diff.

use certdel::cli::Cli;
use clap::CommandFactory;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_certdel");

fn certdel(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::null())
        .output()
        .expect("run certdel");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn clap_definition_is_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn top_level_help() {
    let (code, stdout, _) = certdel(&["--help"]);
    assert_eq!(code, 0);
    for provider in [
        "huawei-scm",
        "tencent-ssl",
        "volcengine-live",
        "alibaba-slb",
        "alibaba-cas",
    ] {
        assert!(stdout.contains(provider), "{provider} missing from --help");
    }
    assert!(stdout.contains("Exit status:"));
    insta::assert_snapshot!("help", stdout);
}

#[test]
fn delete_and_list_help() {
    let (code, stdout, _) = certdel(&["tencent-ssl", "delete", "--help"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("delete-help", stdout);
    let (code, stdout, _) = certdel(&["tencent-ssl", "list", "--help"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("list-help", stdout);
}

#[test]
fn version_exits_0() {
    let (code, stdout, _) = certdel(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout.trim(),
        format!("certdel {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_exit_2_with_the_reason_on_stderr() {
    // clap's own usage errors
    let (code, stdout, stderr) = certdel(&["tencent-ssl", "delete"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("<ID>"), "{stderr}");
    let (code, _, stderr) = certdel(&["nosuch-cloud", "delete", "x"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("nosuch-cloud"), "{stderr}");
    // certdel's own checks, before credentials are even looked at
    let (code, stdout, stderr) = certdel(&["huawei-scm", "delete", "x", "--check-resources"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert_eq!(
        stderr.trim(),
        "certdel: --check-resources applies to tencent-ssl only"
    );
    let (code, _, stderr) = certdel(&[
        "tencent-ssl",
        "delete",
        "x",
        "--endpoint",
        "http://example.com",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("loopback"), "{stderr}");
}

#[test]
fn whoami_help_and_its_place_beside_delete_and_list() {
    let (code, stdout, _) = certdel(&["tencent-ssl", "whoami", "--help"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("whoami-help", stdout);
    let (code, stdout, _) = certdel(&["huawei-scm", "--help"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("whoami"), "{stdout}");
    // whoami tells the account; it is told none.
    let (code, _, stderr) = certdel(&["tencent-ssl", "whoami", "--expect-account", "1"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--expect-account"), "{stderr}");
}

#[test]
fn plan_flags_are_declared_to_clap() {
    // --plan instead of ids, never with them (`-` is an id) nor with --dry-run; --plan-max-age
    // only with --plan.
    for args in [
        &["tencent-ssl", "delete", "--plan", "p.json", "a"][..],
        &["tencent-ssl", "delete", "--plan", "p.json", "-"],
        &["tencent-ssl", "delete", "a", "--plan-max-age", "1h"],
        &["tencent-ssl", "delete", "--plan", "p.json", "--dry-run"],
    ] {
        let (code, stdout, stderr) = certdel(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(stdout.is_empty());
        assert!(stderr.contains("cannot be used with"), "{args:?}: {stderr}");
    }
    let (code, _, stderr) = certdel(&["tencent-ssl", "delete", "--plan-max-age", "1h"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--plan <FILE>"), "{stderr}");
    for (value, why) in [
        ("0s", "must be more than zero"),
        ("1x", "not a duration"),
        ("2025-01-01", "not a duration"),
        ("99999999w", "at most 100 years"),
    ] {
        let (code, _, stderr) = certdel(&[
            "tencent-ssl",
            "delete",
            "--plan",
            "p.json",
            "--plan-max-age",
            value,
        ]);
        assert_eq!(code, 2, "{value}");
        assert!(
            stderr.contains("'--plan-max-age <DURATION>'") && stderr.contains(why),
            "{value}: {stderr}"
        );
    }
}

#[test]
fn missing_credentials_exit_2_naming_the_variables() {
    let (code, stdout, stderr) = certdel(&["volcengine-live", "delete", "x", "--yes"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert_eq!(
        stderr.trim(),
        "certdel: volcengine-live: missing credentials: set VOLCENGINE_ACCESS_KEY and VOLCENGINE_SECRET_KEY"
    );
}

/// A delete run with nowhere to keep its audit log (no HOME, no XDG_STATE_HOME, no override)
/// stops before anything is sent, naming the overrides; the two flags contradict each other.
#[test]
fn no_place_for_the_audit_log_exits_2_naming_the_overrides() {
    let run = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(args)
            .env_clear()
            .env("TENCENTCLOUD_SECRET_ID", "AKIDtest")
            .env("TENCENTCLOUD_SECRET_KEY", "audit-test-secret")
            .stdin(Stdio::null())
            .output()
            .expect("run certdel");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let delete = [
        "tencent-ssl",
        "delete",
        "x",
        "--yes",
        "--endpoint",
        "http://127.0.0.1:1",
    ];
    let (code, stdout, stderr) = run(&delete);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(
        stderr.trim(),
        "certdel: nowhere to write the audit log: neither XDG_STATE_HOME nor HOME is set to an absolute path; \
         write it elsewhere with --audit-log PATH or CERTDEL_AUDIT_LOG=PATH, or turn it off with --no-audit-log"
    );
    assert!(!stderr.contains("audit-test-secret"));
    let mut both = delete.to_vec();
    both.extend(["--audit-log", "/tmp/x.jsonl", "--no-audit-log"]);
    let (code, _, stderr) = run(&both);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("'--audit-log <PATH>' cannot be used with '--no-audit-log'"),
        "{stderr}"
    );
}

/// Out-of-range numbers are refused while the command line is read — exit 2, the flag and its
/// range named, nothing sent — never a panic (an abort, exit 134, in a release build). The
/// credentials are set and the endpoint is a closed loopback port, so that only the range
/// check can stop these runs before they start.
#[test]
fn numeric_flags_out_of_range_exit_2_naming_the_flag_and_the_range() {
    #[rustfmt::skip]
    let cases: &[(&[&str], &str, &str)] = &[
        (&["list", "--expires-before", "99999999w"], "--expires-before", "100 years"),
        (&["list", "--expires-before", "36526d"], "--expires-before", "100 years"),
        (&["delete", "x", "--timeout", "1e30"], "--timeout", "0.1 to 600"),
        (&["delete", "x", "--timeout", "0"], "--timeout", "0.1 to 600"),
        (&["delete", "x", "--timeout=-1"], "--timeout", "0.1 to 600"),
        (&["delete", "x", "--timeout", "NaN"], "--timeout", "0.1 to 600"),
        (&["delete", "x", "--deadline", "1e19"], "--deadline", "0.1 to 604800"),
        (&["delete", "x", "--retry-timeout", "1e30"], "--retry-timeout", "0.1 to 86400"),
        (&["delete", "x", "--retry-timeout", "0"], "--retry-timeout", "0.1 to 86400"),
        (&["delete", "x", "--deadline", "inf"], "--deadline", "0.1 to 604800"),
        (&["delete", "x", "--rate", "1e-300"], "--rate", "0.01 to 10000"),
        (&["delete", "x", "--rate", "NaN"], "--rate", "0.01 to 10000"),
        (&["delete", "x", "--rate", "1e6"], "--rate", "0.01 to 10000"),
        (&["delete", "x", "--check-resources", "--wait-timeout", "1e19"], "--wait-timeout", "0.1 to 86400"),
        (&["delete", "x", "--concurrency", "1000000"], "--concurrency", "1 to 1024"),
        (&["delete", "x", "--concurrency", "0"], "--concurrency", "1 to 1024"),
        (&["delete", "x", "--max-retries", "101"], "--max-retries", "0 to 100"),
        (&["delete", "x", "--max-retries", "99999999999999999999"], "--max-retries", "0 to 100"),
    ];
    for (args, flag, range) in cases {
        let mut argv = vec!["tencent-ssl"];
        argv.extend_from_slice(args);
        argv.extend(["--yes", "--endpoint", "http://127.0.0.1:1"]);
        let out = Command::new(BIN)
            .args(&argv)
            .env_clear()
            .env("TENCENTCLOUD_SECRET_ID", "AKIDtest")
            .env("TENCENTCLOUD_SECRET_KEY", "test-secret")
            .stdin(Stdio::null())
            .output()
            .expect("run certdel");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{argv:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{argv:?}");
        assert!(
            stderr.contains(flag) && stderr.contains(range),
            "{argv:?}: {stderr}"
        );
        assert!(!stderr.contains("test-secret"), "{argv:?}: {stderr}");
    }
}
