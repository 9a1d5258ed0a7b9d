//! What goes on the wire and comes back: the [`Request`] a provider builds and a signer
//! completes, the [`Reply`] the transport hands back, and the RFC 3986 encoding both sides of
//! the wire use (certdel's senders and the fake cloud's parser alike).

use serde_json::Value;

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

/// An HTTP answer as received: status, headers (names lowercased) and body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, or `None` when it is empty or not JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// A short printable excerpt of the body for error messages (never the whole thing).
    pub fn excerpt(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let one_line: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(120)
            .collect();
        if text.chars().count() > 120 {
            format!("{one_line}...")
        } else {
            one_line
        }
    }
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

/// Whether `value` can be sent as (part of) an HTTP header value exactly as it is: visible
/// ASCII, no space. Access key ids, session tokens and account ids are all of that kind.
pub fn header_safe(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
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
}
