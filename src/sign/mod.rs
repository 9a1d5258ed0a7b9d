//! Request signing: one file per vendor algorithm, all pure functions.
//!
//! A signer takes a [`Request`] as the provider built it, the credentials and a [`Stamp`]
//! (time + nonce), adds the headers its algorithm requires (date, payload hash, token,
//! `Authorization`) and returns the intermediate stages so tests can compare each stage with
//! the vectors the official SDKs produce (`fixtures/sign/`). No signer reads the clock.
//!
//! | file | algorithm | used by |
//! |---|---|---|
//! | `huawei.rs` | `SDK-HMAC-SHA256` | huawei-scm |
//! | `tc3.rs` | `TC3-HMAC-SHA256` | tencent-ssl |
//! | `volc.rs` | `HMAC-SHA256` (Volcengine) | volcengine-live |
//! | `acs3.rs` | `ACS3-HMAC-SHA256` | alibaba-slb, alibaba-cas |

pub mod acs3;
pub mod huawei;
pub mod tc3;
pub mod volc;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The time and nonce one signing attempt uses. The driver makes a fresh one per attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub time: DateTime<Utc>,
    /// Unique per request (Alibaba's `x-acs-signature-nonce`); other vendors ignore it.
    pub nonce: String,
}

impl Stamp {
    /// A stamp for now with a fresh random nonce: the only place certdel reads the clock
    /// for signing.
    pub fn now() -> Stamp {
        let mut bytes = [0u8; 16];
        // getrandom only fails on platforms without an entropy source; fall back to the
        // clock's nanoseconds, which is still unique enough for a nonce.
        if getrandom::getrandom(&mut bytes).is_err() {
            let n = Utc::now().timestamp_nanos_opt().unwrap_or_default();
            bytes[..8].copy_from_slice(&n.to_le_bytes());
        }
        Stamp {
            time: Utc::now(),
            nonce: hex::encode(bytes),
        }
    }
}

/// An HTTP request before and after signing: everything that goes on the wire.
///
/// `path` is the request path exactly as sent (already percent-encoded); `query` holds
/// decoded pairs, encoded once by [`Request::target`] in the canonical way every vendor here
/// accepts (sorted, RFC 3986).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: &'static str,
    /// `https` or `http` (the latter only for loopback endpoints).
    pub scheme: String,
    /// The `Host` header value: host, plus `:port` when it is not the scheme's default.
    pub host: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn new(method: &'static str, scheme: &str, host: &str, path: impl Into<String>) -> Self {
        Request {
            method,
            scheme: scheme.to_string(),
            host: host.to_string(),
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.to_string(), value.into()));
        self
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// First header with this name (ASCII case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The wire query string: pairs sorted by key then value, each side RFC 3986-encoded.
    pub fn query_string(&self) -> String {
        canonical_query(&self.query)
    }

    /// Path plus `?query` as it goes on the request line.
    pub fn target(&self) -> String {
        let q = self.query_string();
        if q.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, q)
        }
    }

    pub fn url(&self) -> String {
        format!("{}://{}{}", self.scheme, self.host, self.target())
    }
}

/// The stages of one signature, for tests and `--debug` style diagnostics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub canonical_request: String,
    pub string_to_sign: String,
    pub authorization: String,
}

/// The canonical-headers block and signed-header list, which every vendor algorithm builds the
/// same way once it has chosen which headers to sign (names lowercased, values trimmed):
/// the `Host` the request goes to is added when it was not chosen, the pairs are sorted, the
/// list is `a;b;c` and the block one `name:value\n` line per header.
pub struct CanonicalHeaders {
    /// `SignedHeaders`: the lowercase names, sorted, joined by `;`.
    pub signed: String,
    /// The canonical request's headers block (ends with `\n`).
    pub block: String,
}

pub fn canonical_headers(mut headers: Vec<(String, String)>, host: &str) -> CanonicalHeaders {
    if !headers.iter().any(|(name, _)| name == "host") {
        headers.push(("host".into(), host.to_string()));
    }
    headers.sort();
    let signed = headers
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let block = headers.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    CanonicalHeaders { signed, block }
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// RFC 3986 unreserved characters: the only bytes no vendor here percent-encodes.
/// (Python's `quote(s, safe='~')`, `quote(s, safe='-_.~')` and `quote(s, safe='')` all keep
/// exactly this set on Python ≥ 3.7, which the SDKs require.)
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Percent-encode every byte of the UTF-8 input except the unreserved set, with uppercase hex.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if is_unreserved(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Like [`percent_encode`] but keeps `/`: for encoding a whole path.
pub fn percent_encode_path(s: &str) -> String {
    s.split('/')
        .map(percent_encode)
        .collect::<Vec<_>>()
        .join("/")
}

/// Decode `%XY` sequences (Python `urllib.parse.unquote`: malformed escapes stay as they are,
/// invalid UTF-8 becomes U+FFFD).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hi = (bytes[i + 1] as char).to_digit(16);
            let lo = (bytes[i + 2] as char).to_digit(16);
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `k=v&k=v` with pairs sorted by (key, value) and both sides RFC 3986-encoded: the canonical
/// query of the Huawei, Volcengine and Alibaba V3 algorithms, and certdel's wire query.
pub fn canonical_query(pairs: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    encoded.sort();
    encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Split a raw request target into its path and decoded query pairs, the way the gateways read
/// it: `%XY` escapes and form-style `+` for a space (the Volcengine and Alibaba SDKs put `+` on
/// the wire for a space they sign as `%20`; certdel itself always sends `%20`, and a literal
/// `+` as `%2B`).
pub fn parse_target(target: &str) -> (String, Vec<(String, String)>) {
    let decode = |s: &str| percent_decode(&s.replace('+', " "));
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, q),
        None => (target, ""),
    };
    let pairs = query
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(kv), String::new()),
        })
        .collect();
    (path.to_string(), pairs)
}

#[cfg(test)]
mod tests {
    #[test]
    fn canonical_headers_adds_the_host_and_sorts() {
        let h = |n: &str, v: &str| (n.to_string(), v.to_string());
        let c = super::canonical_headers(
            vec![
                h("x-date", "20231114T221320Z"),
                h("content-type", "application/json"),
            ],
            "live.volcengineapi.com",
        );
        assert_eq!(c.signed, "content-type;host;x-date");
        assert_eq!(
            c.block,
            "content-type:application/json\nhost:live.volcengineapi.com\nx-date:20231114T221320Z\n"
        );
        // A chosen Host header is kept as it is, not doubled.
        let c = super::canonical_headers(vec![h("host", "a:8080")], "b");
        assert_eq!(
            (c.signed.as_str(), c.block.as_str()),
            ("host", "host:a:8080\n")
        );
    }

    use super::*;

    #[test]
    fn encoding_matches_python_quote_spot_checks() {
        // providers.md §7: quote(" *~/+=&", safe="~") == "%20%2A~%2F%2B%3D%26"
        assert_eq!(percent_encode(" *~/+=&"), "%20%2A~%2F%2B%3D%26");
        assert_eq!(percent_encode("证"), "%E8%AF%81");
        assert_eq!(percent_encode("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(percent_encode("%"), "%25");
    }

    #[test]
    fn canonical_query_sorts_after_encoding() {
        let q = vec![
            ("b".to_string(), "2".to_string()),
            ("a b".to_string(), "x*y~z/+".to_string()),
            ("a".to_string(), "".to_string()),
        ];
        assert_eq!(canonical_query(&q), "a=&a%20b=x%2Ay~z%2F%2B&b=2");
    }

    #[test]
    fn percent_decode_round_trips_and_tolerates_bad_escapes() {
        let s = "a b/%+=&证*~";
        assert_eq!(percent_decode(&percent_encode(s)), s);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%41%42"), "AB");
    }

    #[test]
    fn parse_target_decodes_query() {
        let (p, q) = parse_target("/x%20y?b=%2F&a=1+2%2B3&c");
        assert_eq!(p, "/x%20y");
        assert_eq!(
            q,
            vec![
                ("b".to_string(), "/".to_string()),
                ("a".to_string(), "1 2+3".to_string()),
                ("c".to_string(), String::new())
            ]
        );
    }

    #[test]
    fn hmac_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
