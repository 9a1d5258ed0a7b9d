//! Property tests of the signers' percent-encoding on arbitrary unicode, against a reference
//! encoder written here from the vendors' rules: Huawei and Alibaba `quote(x, safe='~')`,
//! Volcengine `quote(x, safe='-_.~')` — on Python ≥ 3.7 both keep exactly RFC 3986's
//! unreserved set (ALPHA DIGIT `-` `.` `_` `~`) and write every other UTF-8 byte as `%XX`
//! with uppercase hex. Canonical queries are pairs sorted by key then value, byte order, of
//! the encoded text. Bounded case counts (`PROPTEST_CASES` raises them).

use certdel::provider::ProviderSettings;
use certdel::provider::{self, Kind};
use certdel::secret::{Credentials, Secret};
use certdel::sign::{self, acs3, huawei, volc, Stamp};
use certdel::wire::{self, Request};
use chrono::DateTime;
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// RFC 3986 §2.3 unreserved, and `%XX` (uppercase) for each other byte of the UTF-8 text.
fn reference_quote(s: &str) -> String {
    const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::new();
    for b in s.bytes() {
        if UNRESERVED.contains(&b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out
}

fn reference_unquote(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fn reference_query(pairs: &[(String, String)]) -> String {
    let mut enc: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (reference_quote(k), reference_quote(v)))
        .collect();
    enc.sort_by(|a, b| {
        a.0.as_bytes()
            .cmp(b.0.as_bytes())
            .then(a.1.as_bytes().cmp(b.1.as_bytes()))
    });
    enc.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Unicode of every kind, with the characters the rules single out over-represented.
fn unicode() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 ~!*'()/?#&=+%.,;:@$_-]{0,16}",
        "[\\u{0}-\\u{7f}]{0,16}",
        "[证书测试\\u{1F600}\\u{FFFD}\\u{E000}\\u{10FFFF}é-]{0,8}",
    ]
}

fn creds() -> Credentials {
    Credentials {
        access_key: "AKEXAMPLE".into(),
        secret_key: Secret::new("SECRETEXAMPLE"),
        token: None,
        origin: "test".into(),
    }
}

fn stamp() -> Stamp {
    Stamp {
        time: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        nonce: "nonce".into(),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn percent_encoding_follows_the_vendor_rules(s in unicode()) {
        let e = wire::percent_encode(&s);
        assert_eq!(e, reference_quote(&s));
        assert_eq!(reference_unquote(&e), s.as_bytes());
        assert_eq!(wire::percent_decode(&e), s);
        assert!(e.is_ascii());
        // Encoding is idempotent only on the unreserved set: a second pass encodes '%'.
        if e.contains('%') {
            assert_ne!(wire::percent_encode(&e), e);
        }
        // The path form keeps '/' and encodes every segment alike.
        let p = wire::percent_encode_path(&s);
        let segments: Vec<String> = s.split('/').map(reference_quote).collect();
        assert_eq!(p, segments.join("/"));
    }

    #[test]
    fn canonical_queries_are_encoded_and_sorted(
        pairs in proptest::collection::vec((unicode(), unicode()), 0..6),
    ) {
        let q = wire::canonical_query(&pairs);
        assert_eq!(q, reference_query(&pairs));
        // Each signer puts exactly that on the third line of its canonical request.
        let mut req = Request::new("POST", "https", "example.invalid", "/");
        req.query = pairs.clone();
        let line3 = |sig: &sign::Signature| sig.canonical_request.split('\n').nth(2).map(str::to_string);
        assert_eq!(line3(&acs3::sign(&req, &creds(), &stamp()).signature).as_deref(), Some(q.as_str()));
        assert_eq!(line3(&huawei::sign(&req, &creds(), &stamp()).signature).as_deref(), Some(q.as_str()));
        assert_eq!(line3(&volc::sign(&req, &creds(), &stamp(), "cn-north-1", "live").signature).as_deref(), Some(q.as_str()));
        // The wire target decodes back to the same pairs, in sorted order.
        let (_, decoded) = wire::parse_target(&req.target());
        let mut want = pairs.clone();
        want.sort_by(|a, b| {
            (reference_quote(&a.0), reference_quote(&a.1))
                .cmp(&(reference_quote(&b.0), reference_quote(&b.1)))
        });
        assert_eq!(decoded, want);
    }

    #[test]
    fn huawei_paths_carry_any_id_encoded_once(id in unicode()) {
        // The SDK encodes a path parameter with no safe characters, then signs the decoded
        // path re-encoded segment by segment with a trailing '/'.
        let p = provider::build(&ProviderSettings::for_test(Kind::HuaweiScm));
        let req = p.delete_request(&id, &stamp());
        assert_eq!(req.path, format!("/v3/scm/certificates/{}", reference_quote(&id)));
        let segments: Vec<String> = format!("/v3/scm/certificates/{id}")
            .split('/')
            .map(reference_quote)
            .collect();
        let mut want = segments.join("/");
        if !want.ends_with('/') {
            want.push('/');
        }
        assert_eq!(huawei::canonical_uri(&req.path), want);
    }

    #[test]
    fn every_provider_signs_any_id_without_panicking(id in unicode()) {
        for kind in Kind::ALL {
            let mut s = ProviderSettings::for_test(kind);
            s.region = Some("cn-hangzhou".into());
            let p = provider::build(&s);
            let req = p.delete_request(&id, &stamp());
            assert!(req.target().is_ascii(), "{}: {:?}", kind.name(), req.target());
            assert!(req.header_value("Authorization").is_some() || req.header_value("authorization").is_some());
        }
    }
}
