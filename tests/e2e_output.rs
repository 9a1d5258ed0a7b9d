//! Output that tells the truth, end to end: the real binary against the fake cloud.
//!
//! - `list --output ids` refuses ids that would not read back as themselves.
//! - Server strings (vendor messages, names, ids) reach the terminal escaped, in text output
//!   and on stderr; NDJSON keeps them exact.
//! - A stdout that refuses writes (`/dev/full`, a closed pipe) makes the run fail (exit 2) with
//!   a message on stderr, while a delete still processes every id.
//! - Through pipes there is no progress bar and no colour: not one escape sequence.

mod common;

use common::*;
use std::process::{Command, Stdio};

/// `certdel --endpoint <fake> --rate 1000 <target args> list` with the target's credentials.
fn list(fake: &Running, t: Target) -> Certdel {
    certdel()
        .args(["--endpoint", &fake.url(), "--rate", "1000"])
        .args(t.args())
        .arg("list")
        .envs(t.env())
}

/// Whether a terminal would act on anything in `s` (other than line ends).
fn raw_controls(s: &str) -> bool {
    s.chars().any(|c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

fn tencent_with(ids: &[&str], tweak: impl FnOnce(&mut Config)) -> Running {
    let mut config = Config::new(TENCENT.seed(ids.iter().map(|id| TENCENT.cert(id))));
    tweak(&mut config);
    start_config(config)
}

#[test]
fn list_ids_refuses_ids_that_do_not_read_back() {
    for bad in [
        "evil\nother",
        " padded",
        "#hash",
        "\u{feff}bom",
        "a\u{1b}[2J",
    ] {
        let fake = tencent_with(&["plain-1", bad], |_| {});
        let out = list(&fake, TENCENT).flag("--output", "ids").run();
        assert_eq!(out.code, 2, "{bad:?}: {out:?}");
        assert_eq!(out.stdout, "", "{bad:?}: nothing on stdout");
        assert!(
            out.stderr
                .contains(&format!("the id {bad:?} cannot be printed as an id line"))
                && out.stderr.contains("use --output json"),
            "{bad:?}: {out:?}"
        );
        assert!(!raw_controls(&out.stderr), "{bad:?}: {out:?}");
        // JSON has it, exactly.
        let out = list(&fake, TENCENT).flag("--output", "json").run();
        assert_eq!(out.code, 0, "{out:?}");
        let ids: Vec<String> = out
            .json_lines()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        assert!(ids.contains(&bad.to_string()), "{bad:?}: {ids:?}");
    }
    // Ids that read back are printed as before.
    let fake = tencent_with(&["plain-1", "with space"], |_| {});
    let out = list(&fake, TENCENT).flag("--output", "ids").run();
    assert_eq!(out.code, 0, "{out:?}");
    let mut lines: Vec<&str> = out.stdout.lines().collect();
    lines.sort();
    assert_eq!(lines, vec!["plain-1", "with space"]);
}

#[test]
fn a_listed_name_with_an_escape_sequence_is_shown_escaped() {
    let name = "prod\u{1b}]0;owned\u{7}\u{1b}[2J\u{202e}";
    let seed = TENCENT.seed([TENCENT.cert("tcId0001").name(name)]);
    let fake = start(seed);
    let out = list(&fake, TENCENT).run();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!raw_controls(&out.stdout), "{out:?}");
    assert!(
        out.stdout
            .contains("prod\\u{1b}]0;owned\\u{7}\\u{1b}[2J\\u{202e}"),
        "{out:?}"
    );
    let out = list(&fake, TENCENT).flag("--output", "json").run();
    assert_eq!(out.json_lines()[0]["name"], name, "JSON keeps it exact");
    assert!(!raw_controls(&out.stdout), "{out:?}");
}

#[test]
fn vendor_messages_with_escape_sequences_are_shown_escaped() {
    let t = TENCENT;
    let id = t.id(1);
    // A per-id refusal: the outcome line.
    let body = r#"{"Response":{"Error":{"Code":"FailedOperation.CertificateNotFound","Message":"gone\u001b[2K\r\ndeleted    tcId0001\u009b"},"RequestId":"r\u001b[1A"}}"#;
    let fake = tencent_with(&[&id], |c| {
        c.scripts
            .insert((t.kind, id.clone()), vec![Step::json(200, body); 2]);
    });
    let out = delete(&fake, t, &[&id]).run();
    assert_eq!(out.code, 1, "{out:?}");
    assert!(!raw_controls(&out.stdout), "{out:?}");
    assert_eq!(
        out.stdout.lines().count(),
        2,
        "one outcome and the summary: {out:?}"
    );
    assert!(
        out.stdout
            .contains("gone\\u{1b}[2K\\r\\ndeleted    tcId0001\\u{9b} [request r\\u{1b}[1A]"),
        "{out:?}"
    );
    let out = delete(&fake, t, &[&id]).flag("--output", "json").run();
    assert_eq!(
        out.json_lines()[0]["message"],
        "gone\u{1b}[2K\r\ndeleted    tcId0001\u{9b}"
    );
    assert!(!raw_controls(&out.stdout), "{out:?}");

    // A run-wide refusal: the error on stderr.
    let body = r#"{"Response":{"Error":{"Code":"UnsupportedRegion","Message":"no\u001b]0;title\u0007\ndeleted"},"RequestId":"r-2"}}"#;
    let fake = tencent_with(&[&id], |c| {
        c.scripts
            .insert((t.kind, id.clone()), vec![Step::json(200, body)]);
    });
    let out = delete(&fake, t, &[&id]).run();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(!raw_controls(&out.stderr), "{out:?}");
    assert!(
        out.stderr.contains("no\\u{1b}]0;title\\u{7}\\ndeleted"),
        "{out:?}"
    );
    assert_eq!(out.stderr.lines().count(), 1, "{out:?}");
}

/// The certdel command of `c`, with its stdout going to `stdout`.
fn spawn_to(c: &Certdel, stdout: Stdio) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_certdel"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(&c.args)
        .envs(c.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped());
    cmd.output().expect("certdel runs")
}

#[cfg(target_os = "linux")]
#[test]
fn a_listing_to_a_full_disk_fails() {
    let fake = tencent_with(&["tcId0001", "tcId0002"], |_| {});
    for format in ["text", "json", "ids"] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let out = spawn_to(&list(&fake, TENCENT).flag("--output", format), full.into());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{format}: {stderr}");
        assert!(
            stderr.starts_with("certdel: cannot write the listing to stdout (")
                && stderr.contains("No space left on device"),
            "{format}: {stderr}"
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn deletes_to_a_full_disk_go_on_and_fail() {
    let t = TENCENT;
    let ids = [t.id(1), t.id(2), t.id(3)];
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let fake = tencent_with(&refs, |_| {});
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = spawn_to(&delete(&fake, t, &refs).arg("--no-batch"), full.into());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.matches("results are no longer delivered").count(),
        1,
        "{stderr}"
    );
    for id in &ids {
        assert!(!t.present(&fake, id), "{id} deleted all the same");
    }
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

#[cfg(unix)]
#[test]
fn a_closed_pipe_keeps_deleting_says_so_once_and_fails() {
    for t in TARGETS {
        for format in ["text", "json", "ids"] {
            let ids = [t.id(1), t.id(2), t.id(3)];
            let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            let fake = start(t.seed(ids.iter().map(|id| t.cert(id))));
            let c = delete(&fake, t, &refs).flag("--output", format);
            let out = spawn_to(&c, closed_pipe());
            let stderr = String::from_utf8_lossy(&out.stderr);
            let l = format!("{} {format}", t.label());
            assert_eq!(out.status.code(), Some(2), "{l}: {stderr}");
            assert_eq!(
                stderr.matches("results are no longer delivered").count(),
                1,
                "{l}: {stderr}"
            );
            assert!(stderr.contains("Broken pipe"), "{l}: {stderr}");
            for id in &ids {
                assert!(!t.present(&fake, id), "{l}: {id} deleted all the same");
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn a_listing_into_a_closed_pipe_fails() {
    let fake = tencent_with(&["tcId0001"], |_| {});
    let out = spawn_to(&list(&fake, TENCENT), closed_pipe());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot write the listing to stdout"),
        "{stderr}"
    );
}

/// The harness runs certdel with pipes for stdin, stdout and stderr: no progress bar, no
/// colour, whatever the output format, for deletes, dry runs and listings alike. (The
/// decision itself, for terminals too, is unit-tested in `terminal.rs` and `output.rs`.)
#[test]
fn through_pipes_there_is_no_progress_bar_and_no_colour() {
    let ids = ["tcPipe01", "tcPipe02", "tcPipe03"];
    let fake = tencent_with(&ids, |_| {});
    let plain = |out: &Out, what: &str| {
        assert!(
            !out.stdout.contains('\u{1b}') && !out.stderr.contains('\u{1b}'),
            "{what}: {out:?}"
        );
        assert!(
            !out.stderr.contains('\r'),
            "{what}: no bar redrawn: {out:?}"
        );
    };
    for format in ["text", "json", "ids"] {
        // One id that is not there: an outcome of another colour, and exit 1.
        let out = delete(&fake, TENCENT, &["tcPipe01", "tcPipe02", "tcMissing"])
            .flag("--output", format)
            .arg("--no-batch")
            .run();
        assert_eq!(out.code, 1, "{format}: {out:?}");
        plain(&out, format);
        let out = delete(&fake, TENCENT, &["tcPipe03", "tcMissing"])
            .flag("--output", format)
            .arg("--dry-run")
            .run();
        assert_eq!(out.code, 1, "{format} dry run: {out:?}");
        plain(&out, format);
        let out = list(&fake, TENCENT).flag("--output", format).run();
        assert_eq!(out.code, 0, "{format} list: {out:?}");
        plain(&out, format);
    }
    // The text output says what happened, uncoloured.
    let out = delete(&fake, TENCENT, &["tcMissing"]).run();
    assert!(out.stdout.starts_with("not_found  tcMissing"), "{out:?}");
}
