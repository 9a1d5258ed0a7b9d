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
fn sweep_help_and_its_usage_errors() {
    let (code, stdout, _) = certdel(&["sweep", "--help"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("sweep-help", stdout);
    // One of --policy and --apply-plan, exactly.
    let (code, _, stderr) = certdel(&["sweep"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = certdel(&["sweep", "--policy", "p.toml", "--apply-plan", "x.json"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot be used with"), "{stderr}");
    // --plan-max-age belongs to --apply-plan; --dry-run and --plan to --policy.
    let (code, _, stderr) = certdel(&["sweep", "--policy", "p.toml", "--plan-max-age", "2h"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = certdel(&["sweep", "--apply-plan", "x.json", "--dry-run"]);
    assert_eq!(code, 2, "{stderr}");
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
    // --plan instead of ids, never with them (`-` is an id); --plan-max-age only with --plan.
    // (--dry-run --plan previews a plan.)
    for args in [
        &["tencent-ssl", "delete", "--plan", "p.json", "a"][..],
        &["tencent-ssl", "delete", "--plan", "p.json", "-"],
        &["tencent-ssl", "delete", "a", "--plan-max-age", "1h"],
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

const PROVIDERS: [&str; 5] = [
    "huawei-scm",
    "tencent-ssl",
    "volcengine-live",
    "alibaba-slb",
    "alibaba-cas",
];

/// Every shell's script is generated with no environment at all (no credentials, no HOME for
/// an audit log: these commands need neither) and offers every provider and both verbs.
#[test]
fn completions_for_every_shell_name_every_provider_and_verb() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, stdout, stderr) = certdel(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {stderr}");
        assert!(stderr.is_empty(), "{shell}: {stderr}");
        assert!(!stdout.trim().is_empty(), "{shell}: empty script");
        for word in PROVIDERS.iter().chain(&["delete", "list"]) {
            assert!(stdout.contains(word), "{shell}: {word} missing");
        }
    }
    let (code, stdout, stderr) = certdel(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("tcsh") && stderr.contains("bash, elvish, fish, powershell, zsh"),
        "{stderr}"
    );
}

/// The bash script, loaded into bash, completes a provider's name and then its verbs.
#[cfg(unix)]
#[test]
fn the_bash_script_completes_providers_and_verbs() {
    let (code, script, _) = certdel(&["completions", "bash"]);
    assert_eq!(code, 0);
    let dir = std::env::temp_dir().join(format!("certdel-completions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("certdel.bash");
    std::fs::write(&path, script).unwrap();
    let complete = |words: &[&str]| {
        // COMP_WORDS as bash fills them; the function clap_complete writes is `_certdel`.
        let line = words.join(" ");
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let program = format!(
            "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{line}'; COMP_POINT={}; \
             _certdel certdel '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            path.display(),
            quoted.join(" "),
            words.len() - 1,
            line.len(),
            words[words.len() - 1],
            words[words.len() - 2],
        );
        let out = Command::new("bash")
            .args(["--norc", "--noprofile", "-c", &program])
            .env_clear()
            .output()
            .expect("run bash");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(complete(&["certdel", "tenc"]), ["tencent-ssl"]);
    assert_eq!(
        complete(&["certdel", "alibaba-"]),
        ["alibaba-slb", "alibaba-cas"]
    );
    let verbs = complete(&["certdel", "volcengine-live", ""]);
    assert!(
        verbs.iter().any(|w| w == "delete") && verbs.iter().any(|w| w == "list"),
        "{verbs:?}"
    );
    assert_eq!(complete(&["certdel", "huawei-scm", "del"]), ["delete"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The man page is roff with every provider, the commands' own options and the exit statuses.
#[test]
fn the_man_page_is_roff_with_providers_options_and_exit_statuses() {
    let (code, page, stderr) = certdel(&["man"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(page.contains("\n.TH certdel 1 "), "no .TH line");
    // roff writes a hyphen-minus as `\-`
    for provider in PROVIDERS {
        let roff = provider.replace('-', "\\-");
        assert!(page.contains(&roff), "{provider} missing");
    }
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        ".SH COMMANDS",
        ".SH DELETE",
        ".SH \"DELETE OPTIONS\"",
        ".SH LIST",
        ".SH \"LIST OPTIONS\"",
        ".SH WHOAMI",
        ".SH SWEEP",
        ".SH \"SWEEP OPTIONS\"",
        ".SH EXAMPLES",
        ".SH \"EXIT STATUS\"",
    ] {
        assert!(
            page.contains(&format!("\n{section}\n")),
            "{section} missing"
        );
    }
    let section = |name: &str| {
        let start = page.find(&format!("\n{name}\n")).unwrap() + name.len() + 2;
        let rest = &page[start..];
        rest[..rest.find("\n.SH ").unwrap_or(rest.len())].to_owned()
    };
    let exit = section(".SH \"EXIT STATUS\"");
    for status in ["0", "1", "2", "130", "143"] {
        assert!(
            exit.lines()
                .any(|l| l.trim_start().starts_with(&format!("{status}  "))),
            "exit status {status} missing: {exit}"
        );
    }
    // each command's own options, and not the global ones again
    let delete = section(".SH \"DELETE OPTIONS\"");
    for flag in [
        "\\-\\-dry\\-run",
        "\\-\\-plan\\-max\\-age",
        "\\-\\-no\\-audit\\-log",
    ] {
        assert!(delete.contains(flag), "{flag} missing: {delete}");
    }
    let sweep = section(".SH \"SWEEP OPTIONS\"");
    for flag in ["\\-\\-policy", "\\-\\-apply\\-plan", "\\-\\-dry\\-run"] {
        assert!(sweep.contains(flag), "{flag} missing: {sweep}");
    }
    let list = section(".SH \"LIST OPTIONS\"");
    assert!(list.contains("\\-\\-expires\\-before"), "{list}");
    for own in [&delete, &list] {
        assert!(
            !own.contains("\\-\\-endpoint") && !own.contains("\\-\\-help"),
            "{own}"
        );
    }
    // roff opens with the apostrophe's definition once, not once per section
    assert_eq!(page.matches(".ds Aq").count(), 2, "{page}");
}

/// A pipe whose reading end is already closed: every write gets EPIPE.
#[cfg(unix)]
fn closed_pipe() -> Stdio {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `fds` has room for the two descriptors pipe(2) writes.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "pipe(2)");
    // SAFETY: both descriptors were just created and are owned here alone.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read);
    Stdio::from(write)
}

/// A stdout that takes nothing (a closed pipe; on Linux also a full disk) is exit 2 with the
/// reason on stderr, not a panic.
#[cfg(unix)]
#[test]
fn documents_to_a_closed_stdout_exit_2_naming_what_was_not_written() {
    /// What stdout is, the maker of it, the reason stderr gives.
    type Sink = (&'static str, fn() -> Stdio, &'static str);
    let mut sinks: Vec<Sink> = vec![("closed pipe", closed_pipe, "Broken pipe")];
    #[cfg(target_os = "linux")]
    sinks.push((
        "/dev/full",
        || {
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .expect("/dev/full")
                .into()
        },
        "No space left on device",
    ));
    for (sink, stdout, why) in sinks {
        for (args, what) in [
            (&["completions", "zsh"][..], "completion script"),
            (&["man"][..], "man page"),
        ] {
            let out = Command::new(BIN)
                .args(args)
                .env_clear()
                .stdin(Stdio::null())
                .stdout(stdout())
                .output()
                .expect("run certdel");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{sink} {args:?}: {stderr}");
            assert!(
                stderr.starts_with(&format!("certdel: cannot write the {what} to stdout ("))
                    && stderr.contains(why),
                "{sink} {args:?}: {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{sink} {args:?}: {stderr}");
        }
    }
}

/// The help texts show examples of one id, a pipeline, a CI job with a plan file.
#[test]
fn help_shows_examples() {
    let (_, top, _) = certdel(&["--help"]);
    for example in [
        "certdel tencent-ssl delete abc123",
        // one line each, so that the help's wrapping at 100 columns never splits the pipeline
        "  set -o pipefail\n  certdel tencent-ssl list --expired --output ids | certdel tencent-ssl delete - --yes\n",
        "certdel alibaba-slb list --region all --expired --plan plan.json",
        "certdel alibaba-slb delete --plan plan.json --yes",
    ] {
        assert!(top.contains(example), "{example} missing from --help");
    }
    assert!(top.find("Examples:").unwrap() < top.find("Exit status:").unwrap());
    let (_, delete, _) = certdel(&["tencent-ssl", "delete", "--help"]);
    let (_, list, _) = certdel(&["tencent-ssl", "list", "--help"]);
    for (help, example) in [
        (&delete, "certdel tencent-ssl delete abc123"),
        (
            &delete,
            "  set -o pipefail\n  certdel tencent-ssl list --expired --output ids | certdel tencent-ssl delete - --yes\n",
        ),
        (&delete, "certdel alibaba-slb delete --plan plan.json --yes"),
        (
            &list,
            "certdel alibaba-slb list --region all --expired --plan plan.json",
        ),
    ] {
        assert!(
            help.contains("Examples:") && help.contains(example),
            "{example}: {help}"
        );
    }
}

/// Every certdel command in the examples parses under the clap definition: an example cannot
/// name a flag that does not exist (or has been renamed).
#[test]
fn every_example_parses() {
    use clap::Parser;
    let mut seen = 0;
    for text in [
        certdel::cli::EXAMPLES,
        certdel::cli::DELETE_EXAMPLES,
        certdel::cli::LIST_EXAMPLES,
        certdel::cli::COMPLETIONS_HELP,
    ] {
        for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
            // a shell line: commands split at `;` and `|`, redirections dropped
            for command in line.split([';', '|']) {
                let command = command.split(['>', '<']).next().unwrap_or_default();
                let words: Vec<String> = command
                    .split_whitespace()
                    .map(|w| w.trim_matches('\'').to_owned())
                    .collect();
                let Some(start) = words.iter().position(|w| w == "certdel") else {
                    continue;
                };
                let argv = &words[start..];
                if let Err(e) = Cli::try_parse_from(argv) {
                    panic!("{argv:?} does not parse:\n{e}");
                }
                seen += 1;
            }
        }
    }
    assert!(seen >= 15, "only {seen} example commands found");
}

/// Each command's help offers what that command takes, for that provider, and nothing else:
/// the options of other verbs and other providers, and other vendors' credentials, are not
/// shown (they are still accepted where they used to be, see settings' tests).
#[test]
fn each_help_shows_only_what_that_command_takes() {
    let help = |args: &[&str]| {
        let mut argv = args.to_vec();
        argv.push("--help");
        let (code, stdout, stderr) = certdel(&argv);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        stdout
    };
    let has = |text: &str, args: &[&str], yes: &[&str], no: &[&str]| {
        for word in yes {
            assert!(text.contains(word), "{args:?} lacks {word}:\n{text}");
        }
        for word in no {
            assert!(!text.contains(word), "{args:?} shows {word}:\n{text}");
        }
    };
    let args = ["tencent-ssl", "list"];
    has(
        &help(&args),
        &args,
        &[
            "--expired",
            "--endpoint",
            "--profile",
            "--rate",
            "TENCENTCLOUD_SECRET_ID",
            "X-TC-Region",
        ],
        &[
            "-y, --yes",
            "--target",
            "--check-resources",
            "--audit-log",
            "--no-batch",
            "HUAWEICLOUD_SDK_AK",
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            "ListUserCertificateOrder",
        ],
    );
    let args = ["alibaba-cas", "list"];
    has(
        &help(&args),
        &args,
        &[
            "--target",
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            "ListUserCertificateOrder",
        ],
        &[
            "--no-batch",
            "--check-resources",
            "-y, --yes",
            "TENCENTCLOUD_SECRET_ID",
        ],
    );
    let args = ["huawei-scm", "delete"];
    has(
        &help(&args),
        &args,
        &[
            "--dry-run",
            "--audit-log",
            "HUAWEICLOUD_SDK_AK",
            "scm.<region>.myhuaweicloud.com",
        ],
        &[
            "--profile",
            "--no-batch",
            "--target",
            "TCCLI_PROFILE",
            "DeleteCertificates",
        ],
    );
    let args = ["volcengine-live", "list"];
    has(
        &help(&args),
        &args,
        &["--endpoint", "VOLCENGINE_ACCESS_KEY"],
        &["--region <REGION>"],
    );
    let args = ["tencent-ssl", "whoami"];
    has(
        &help(&args),
        &args,
        &["--timeout", "--max-retries", "--profile", "--output"],
        &[
            "--rate",
            "-y, --yes",
            "--audit-log",
            "--deadline",
            "--expect-account",
            "--check-resources",
        ],
    );
    let args = ["alibaba-slb", "whoami"];
    has(
        &help(&args),
        &args,
        &["sts.<region>.aliyuncs.com"],
        &["IAM GET"],
    );
    let args = ["completions"];
    has(
        &help(&args),
        &args,
        &["--verbose"],
        &["--endpoint", "--region <REGION>", "--rate", "-y, --yes"],
    );
    // The man page covers every provider: an option only some take says which.
    let (_, page, _) = certdel(&["man"]);
    for words in [
        "tencent\\-ssl: One DeleteCertificate",
        "alibaba\\-cas: What ids name",
    ] {
        assert!(page.contains(words), "{words} missing from the man page");
    }
}
