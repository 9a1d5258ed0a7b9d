//! Tencent Cloud `TC3-HMAC-SHA256` (tencentcloud-sdk-python `AbstractClient._get_tc3_signature`),
//! used by tencent-ssl.
//!
//! ```text
//! CanonicalRequest = Method \n "/" \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
//!   CanonicalQuery   = "" for POST (the only method certdel uses)
//!   CanonicalHeaders = "content-type:" + Content-Type as sent + "\nhost:" + host + "\n"   (what the SDK signs)
//! Date             = UTC date of X-TC-Timestamp, YYYY-MM-DD
//! CredentialScope  = Date/<service>/tc3_request
//! StringToSign     = "TC3-HMAC-SHA256" \n X-TC-Timestamp \n CredentialScope \n hex(sha256(CanonicalRequest))
//! kDate = HMAC("TC3" + SecretKey, Date); kService = HMAC(kDate, service); kSigning = HMAC(kService, "tc3_request")
//! Signature        = hex(HMAC(kSigning, StringToSign))
//! Authorization    = TC3-HMAC-SHA256 Credential=<SecretId>/<scope>, SignedHeaders=content-type;host, Signature=<hex>
//! ```
//! The STS token travels in `X-TC-Token` and is not signed (as in the SDK). Any further
//! header may be signed on request (the current doc example signs `x-tc-action`); the vendor
//! lowercases the values of such headers in the canonical form.

use super::{hmac_sha256, sha256_hex, Draft, Request, Signed, Stamp};
use crate::secret::Credentials;

pub const ALGORITHM: &str = "TC3-HMAC-SHA256";

/// Sign `content-type;host`, as the SDK does.
pub fn sign(req: &Request, creds: &Credentials, stamp: &Stamp, service: &str) -> Signed {
    sign_headers(req, creds, stamp, service, &[])
}

/// Sign `content-type;host` plus the named extra headers (lowercase names).
pub fn sign_headers(
    req: &Request,
    creds: &Credentials,
    stamp: &Stamp,
    service: &str,
    extra: &[&str],
) -> Signed {
    let timestamp = stamp.time.timestamp().to_string();
    let date = stamp.time.format("%Y-%m-%d").to_string();
    let mut draft = Draft::new(req);
    draft.add("X-TC-Timestamp", timestamp.clone());
    if let Some(token) = &creds.token {
        draft.add("X-TC-Token", token.expose());
    }

    let mut headers: Vec<(String, String)> = vec![
        (
            "content-type".into(),
            draft
                .header_value("Content-Type")
                .unwrap_or_default()
                .to_string(),
        ),
        ("host".into(), req.host.clone()),
    ];
    for name in extra {
        let value = draft
            .header_value(name)
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        headers.push((name.to_ascii_lowercase(), value));
    }
    let super::CanonicalHeaders {
        signed: signed_headers,
        block: canonical_headers,
    } = super::canonical_headers(headers, &req.host);

    let canonical_request = format!(
        "{}\n/\n{}\n{}\n{}\n{}",
        req.method,
        req.query_string(),
        canonical_headers,
        signed_headers,
        sha256_hex(&req.body)
    );
    let scope = format!("{date}/{service}/tc3_request");
    let string_to_sign = format!(
        "{ALGORITHM}\n{timestamp}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let k_date = hmac_sha256(
        format!("TC3{}", creds.secret_key.expose()).as_bytes(),
        date.as_bytes(),
    );
    let k_service = hmac_sha256(&k_date, service.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"tc3_request");
    let signature = hex::encode(hmac_sha256(&k_signing, string_to_sign.as_bytes()));
    let authorization = format!(
        "{ALGORITHM} Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        creds.access_key
    );
    draft.finish(canonical_request, string_to_sign, authorization)
}
