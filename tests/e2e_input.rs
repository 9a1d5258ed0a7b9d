//! Careless input, end to end: the real binary against the fake cloud.
//!
//! - Ids: a byte-order mark before the first stdin line is dropped; arguments are trimmed like
//!   stdin lines, and a blank or `#` argument is an error before any request.
//! - `--endpoint` (and `HUAWEICLOUD_SDK_IAM_ENDPOINT`) that a URL parser would read as another
//!   host is refused; a user or password in it never appears in the output.
//! - Values sent in headers (domain id, session token) are checked before any request, and
//!   never echoed.

mod common;

use common::*;

fn fake_for(t: Target, ids: &[&str]) -> Running {
    start(t.seed(ids.iter().map(|id| t.cert(id))))
}

#[test]
fn a_byte_order_mark_before_the_first_id_is_dropped() {
    for t in TARGETS {
        let (a, b) = (t.id(1), t.id(2));
        let fake = fake_for(t, &[&a, &b]);
        let out = delete(&fake, t, &["-"])
            .stdin(&format!("\u{feff}{a}\r\n{b}\r\n"))
            .run();
        assert_eq!(out.code, 0, "{}: {out:?}", t.label());
        assert_eq!(out.outcome(&a), Some("deleted"), "{}: {out:?}", t.label());
        assert!(!t.present(&fake, &a) && !t.present(&fake, &b));
    }
}

#[test]
fn argument_ids_are_trimmed_like_stdin_ids() {
    let t = TENCENT;
    let a = t.id(1);
    let fake = fake_for(t, &[&a]);
    let out = delete(&fake, t, &[&format!(" {a}\t")]).run();
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.outcome(&a), Some("deleted"), "{out:?}");

    for (arg, want) in [
        (" ", "tencent-ssl: argument 2: empty id: \" \""),
        (
            "#x",
            "tencent-ssl: argument 2: \"#x\": an id never starts with '#'",
        ),
    ] {
        let fake = fake_for(t, &[&a]);
        let out = delete(&fake, t, &[&a, arg]).run();
        assert_eq!(out.code, 2, "{arg:?}: {out:?}");
        assert!(
            out.stderr.starts_with(&format!("certdel: {want}")),
            "{arg:?}: {out:?}"
        );
        assert!(fake.requests().is_empty(), "{arg:?}: no request sent");
        assert!(t.present(&fake, &a));
    }
}

#[test]
fn endpoints_read_as_another_host_are_refused_before_any_request() {
    let fake = fake_for(TENCENT, &[]);
    let port = fake.addr().port();
    for (endpoint, why) in [
        // A URL parser reads `\` as `/`: 127.0.0.1:443, signed for another host.
        (
            format!("https://127.0.0.1\\evil.example:{port}"),
            "backslash",
        ),
        (
            format!("http://127.0.0.1:{port}\\@evil.example"),
            "backslash",
        ),
        (
            format!("https://0x7f.0.0.1:{port}"),
            "read the host as '127.0.0.1:",
        ),
        (format!("http://127.0.0.%31:{port}"), "percent-escapes"),
        ("http://127.0.0.1:".to_string(), "port"),
    ] {
        let out = delete(&fake, TENCENT, &["x"])
            .flag("--endpoint", &endpoint)
            .run();
        assert_eq!(out.code, 2, "{endpoint}: {out:?}");
        assert!(
            out.stderr.starts_with("certdel: --endpoint '") && out.stderr.contains(why),
            "{endpoint}: {out:?}"
        );
        assert_eq!(out.stdout, "", "{endpoint}: {out:?}");
    }
    assert!(fake.requests().is_empty());
}

#[test]
fn a_password_in_an_endpoint_is_never_shown() {
    let fake = fake_for(HUAWEI, &[]);
    let port = fake.addr().port();
    let with_password = format!("http://admin:s3cretpw@127.0.0.1:{port}");
    let out = delete(&fake, HUAWEI, &["x"])
        .flag("--endpoint", &with_password)
        .run();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.starts_with(&format!(
            "certdel: --endpoint 'http://[redacted]@127.0.0.1:{port}': a user or password"
        )),
        "{out:?}"
    );
    assert!(!format!("{out:?}").contains("s3cretpw"), "{out:?}");
    let out = delete(&fake, HUAWEI, &["x"])
        .without_env("HUAWEICLOUD_SDK_DOMAIN_ID")
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", &with_password)
        .run();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .starts_with("certdel: HUAWEICLOUD_SDK_IAM_ENDPOINT 'http://[redacted]@127.0.0.1:"),
        "{out:?}"
    );
    assert!(!format!("{out:?}").contains("s3cretpw"), "{out:?}");
    assert!(fake.requests().is_empty());
}

#[test]
fn header_values_are_checked_before_any_request() {
    for (t, var, value) in [
        (HUAWEI, "HUAWEICLOUD_SDK_DOMAIN_ID", "0a1b\r\nX-Injected: 1"),
        (HUAWEI, "HUAWEICLOUD_SDK_DOMAIN_ID", "0a1b "),
        (HUAWEI, "HUAWEICLOUD_SDK_SECURITY_TOKEN", "t\u{f6}k-s3cret"),
        (VOLC, "VOLCENGINE_SESSION_TOKEN", "tok s3cret"),
        (TENCENT, "TENCENTCLOUD_TOKEN", "t\u{f6}k-s3cret"),
        (SLB, "ALIBABA_CLOUD_SECURITY_TOKEN", "t\u{f6}k-s3cret"),
    ] {
        let id = t.id(1);
        let fake = fake_for(t, &[&id]);
        let out = delete(&fake, t, &[&id]).env(var, value).run();
        let l = format!("{var}={value:?}");
        assert_eq!(out.code, 2, "{l}: {out:?}");
        assert!(
            out.stderr.starts_with(&format!(
                "certdel: {}: {var} has a character that cannot be sent in an HTTP header",
                t.kind.name()
            )),
            "{l}: {out:?}"
        );
        assert!(
            !out.stderr.contains("s3cret") && !out.stderr.contains("0a1b"),
            "{l}: {out:?}"
        );
        assert!(fake.requests().is_empty(), "{l}: no request sent");
        assert!(t.present(&fake, &id));
    }
}
