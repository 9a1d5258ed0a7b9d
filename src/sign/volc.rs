//! Volcengine `HMAC-SHA256` (volcengine `auth.SignerV4`), used by volcengine-live.
//!
//! ```text
//! CanonicalRequest = Method \n URI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
//!   CanonicalQuery   = pairs sorted, RFC 3986-encoded, k=v joined by '&'
//!   signed headers   = Content-Type, Content-Md5, Host and every name starting with "X-"
//!                      (the SDK's case-sensitive rule), lowercased, values trimmed, sorted
//! CredentialScope  = YYYYMMDD/<region>/<service>/request          (Live: region cn-north-1, service live)
//! StringToSign     = "HMAC-SHA256" \n X-Date \n CredentialScope \n hex(sha256(CanonicalRequest))
//! kDate = HMAC(SK, YYYYMMDD)  -- the raw SK, no prefix; kRegion = HMAC(kDate, region);
//! kService = HMAC(kRegion, service); kSigning = HMAC(kService, "request")
//! Signature        = hex(HMAC(kSigning, StringToSign))
//! Authorization    = HMAC-SHA256 Credential=<AK>/<scope>, SignedHeaders=<a;b>, Signature=<hex>
//! ```
//! `X-Content-Sha256` is always sent (and so signed); the STS token goes in `X-Security-Token`.

use super::{canonical_query, hmac_sha256, sha256_hex, Draft, Request, Signed, Stamp};
use crate::secret::Credentials;

pub const ALGORITHM: &str = "HMAC-SHA256";
pub const DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";

pub fn sign(
    req: &Request,
    creds: &Credentials,
    stamp: &Stamp,
    region: &str,
    service: &str,
) -> Signed {
    let x_date = stamp.time.format(DATE_FORMAT).to_string();
    let short_date = stamp.time.format("%Y%m%d").to_string();
    let mut draft = Draft::new(req);
    draft.add("X-Date", x_date.clone());
    draft.add("X-Content-Sha256", sha256_hex(&req.body));
    if let Some(token) = &creds.token {
        draft.add("X-Security-Token", token.expose());
    }

    let headers: Vec<(String, String)> = draft
        .headers()
        .filter(|(name, _)| {
            matches!(name.as_str(), "Content-Type" | "Content-Md5" | "Host")
                || name.starts_with("X-")
        })
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_string()))
        .collect();
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
        sha256_hex(&req.body)
    );
    let scope = format!("{short_date}/{region}/{service}/request");
    let string_to_sign = format!(
        "{ALGORITHM}\n{x_date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let k_date = hmac_sha256(creds.secret_key.expose().as_bytes(), short_date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"request");
    let signature = hex::encode(hmac_sha256(&k_signing, string_to_sign.as_bytes()));
    let authorization = format!(
        "{ALGORITHM} Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        creds.access_key
    );
    draft.finish(canonical_request, string_to_sign, authorization)
}
