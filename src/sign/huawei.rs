//! Huawei Cloud `SDK-HMAC-SHA256` (huaweicloudsdkcore `signer.Signer`), used by huawei-scm.
//!
//! ```text
//! CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
//!   CanonicalURI     = unquote(path) split on '/', each segment RFC 3986-encoded, rejoined, plus a trailing '/'
//!                      (the wire path has no trailing slash: /v3/scm/certificates is signed as /v3/scm/certificates/)
//!   CanonicalQuery   = pairs sorted, RFC 3986-encoded, k=v joined by '&'
//!   CanonicalHeaders = lowercase(name):trim(value)\n for every header whose name has no '_', sorted
//! StringToSign     = "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex(sha256(CanonicalRequest))     (no scope, no region)
//! Signature        = hex(HMAC-SHA256(SK, StringToSign))                                      (no key derivation)
//! Authorization    = SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b>, Signature=<hex>
//! ```
//! A `Content-Type` other than JSON/BSON makes the SDK sign the literal `UNSIGNED-PAYLOAD`
//! (and send `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`); certdel always sends JSON, but the
//! rule is kept so the signer matches the SDK for any request.

use super::{
    canonical_query, hmac_sha256, percent_decode, percent_encode, sha256_hex, Draft, Request,
    Signed, Stamp,
};
use crate::secret::Credentials;

pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
pub const DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";

/// Adds `X-Sdk-Date` (and `X-Security-Token` for temporary credentials) and `Authorization`.
pub fn sign(req: &Request, creds: &Credentials, stamp: &Stamp) -> Signed {
    let date = stamp.time.format(DATE_FORMAT).to_string();
    let mut draft = Draft::new(req);
    draft.add("X-Sdk-Date", date.clone());
    if let Some(token) = &creds.token {
        draft.add("X-Security-Token", token.expose());
    }
    let unsigned_payload = req.header_value("Content-Type").is_some_and(|ct| {
        !ct.starts_with("application/json") && !ct.starts_with("application/bson")
    });
    if unsigned_payload {
        draft.add("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD");
    }

    let headers: Vec<(String, String)> = draft
        .headers()
        .filter(|(name, _)| !name.contains('_'))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    let super::CanonicalHeaders {
        signed: signed_headers,
        block: canonical_headers,
    } = super::canonical_headers(headers, &req.host);
    let payload_hash = if unsigned_payload {
        "UNSIGNED-PAYLOAD".to_string()
    } else {
        sha256_hex(&req.body)
    };

    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method,
        canonical_uri(&req.path),
        canonical_query(&req.query),
        canonical_headers,
        signed_headers,
        payload_hash
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{date}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let signature = hex::encode(hmac_sha256(
        creds.secret_key.expose().as_bytes(),
        string_to_sign.as_bytes(),
    ));
    let authorization = format!(
        "{ALGORITHM} Access={}, SignedHeaders={signed_headers}, Signature={signature}",
        creds.access_key
    );
    draft.finish(canonical_request, string_to_sign, authorization)
}

/// The SDK's canonical URI: decode the wire path, re-encode each segment, add a trailing `/`.
/// (An id containing `/` is sent as `%2F` but signed as a path separator, exactly as the SDK does.)
pub fn canonical_uri(path: &str) -> String {
    let mut uri = percent_decode(path)
        .split('/')
        .map(percent_encode)
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_uri_appends_slash_and_reencodes() {
        assert_eq!(
            canonical_uri("/v3/scm/certificates"),
            "/v3/scm/certificates/"
        );
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("/a/b%20c"), "/a/b%20c/");
        assert_eq!(canonical_uri("/a/x%2Fy"), "/a/x/y/");
    }
}
