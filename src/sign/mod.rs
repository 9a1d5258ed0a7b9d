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

use crate::wire::{canonical_query, percent_decode, percent_encode, Request};
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
    fn hmac_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
