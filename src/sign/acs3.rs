//! Alibaba Cloud `ACS3-HMAC-SHA256` (alibabacloud-tea-openapi `Utils.get_authorization`, the
//! SDK default "V3" signature), used by alibaba-slb and alibaba-cas.
//!
//! ```text
//! CanonicalRequest = Method \n URI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n x-acs-content-sha256
//!   CanonicalQuery   = pairs sorted, values RFC 3986-encoded, k=v joined by '&' (empty value -> "k=")
//!   CanonicalHeaders = every header sent (host, x-acs-*, accept, ...), lowercase name, trimmed value,
//!                      duplicates joined by ',', sorted
//! StringToSign     = "ACS3-HMAC-SHA256" \n hex(sha256(CanonicalRequest))              (no date, no scope)
//! Signature        = hex(HMAC-SHA256(AccessKeySecret, StringToSign))                 (no key derivation)
//! Authorization    = ACS3-HMAC-SHA256 Credential=<AK>,SignedHeaders=<a;b>,Signature=<hex>   (no spaces)
//! ```
//! RPC parameters travel in the query string with an empty body. The STS token goes in
//! `x-acs-security-token`, signed like every other header.

use super::{canonical_query, hmac_sha256, sha256_hex, Draft, Request, Signed, Stamp};
use crate::secret::Credentials;

pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";
pub const DATE_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

pub fn sign(req: &Request, creds: &Credentials, stamp: &Stamp) -> Signed {
    let hashed_payload = sha256_hex(&req.body);
    let mut draft = Draft::new(req);
    draft.add("x-acs-date", stamp.time.format(DATE_FORMAT).to_string());
    draft.add("x-acs-signature-nonce", stamp.nonce.clone());
    draft.add("x-acs-content-sha256", hashed_payload.clone());
    if let Some(token) = &creds.token {
        draft.add("x-acs-security-token", token.expose());
    }

    let mut headers: Vec<(String, String)> = Vec::new();
    let lowered = draft
        .headers()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_string()));
    for (name, value) in lowered {
        match headers.iter_mut().find(|(n, _)| *n == name) {
            Some((_, existing)) => {
                existing.push(',');
                existing.push_str(&value);
            }
            None => headers.push((name, value)),
        }
    }
    let super::CanonicalHeaders {
        signed: signed_headers,
        block: canonical_headers,
    } = super::canonical_headers(headers, &req.host);
    let uri = if req.path.is_empty() {
        "/"
    } else {
        req.path.as_str()
    };

    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method,
        uri,
        canonical_query(&req.query),
        canonical_headers,
        signed_headers,
        hashed_payload
    );
    let string_to_sign = format!("{ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()));
    let signature = hex::encode(hmac_sha256(
        creds.secret_key.expose().as_bytes(),
        string_to_sign.as_bytes(),
    ));
    let authorization = format!(
        "{ALGORITHM} Credential={},SignedHeaders={signed_headers},Signature={signature}",
        creds.access_key
    );
    draft.finish(canonical_request, string_to_sign, authorization)
}
