//! Request signing: one file per vendor algorithm, all pure functions.
//!
//! A signer takes a [`Request`] as the provider built it, the credentials and a [`Stamp`]
//! (time + nonce), and returns [`Signed`]: the headers its algorithm requires the request to
//! carry (date, payload hash, token, `Authorization`: [`SigningInstructions`], as smithy's
//! `aws-sigv4` returns them) and the intermediate stages, so tests can compare each stage
//! with the vectors the official SDKs produce (`fixtures/sign/`). A signer never changes the
//! request; the caller applies the instructions ([`Signed::apply_to`]). No signer reads the
//! clock. The one thing signing does besides computing: with `-vv`, [`Draft::finish`] hands
//! the canonical request (tokens redacted) and the string to sign to
//! [`crate::diagnostics::signed`], so every provider's requests are traced without a change
//! to what the providers return.
//!
//! The steps every algorithm shares live here: the view of the request with the headers
//! signing adds ([`Draft`]), the canonical-headers block and signed-header list
//! ([`canonical_headers`]), and the `Authorization` tail ([`Draft::finish`]). Each vendor's
//! file keeps only what differs: which headers it adds and signs, its canonical request, its
//! key derivation and its `Authorization` layout.
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

use crate::wire::Request;
pub(crate) use crate::wire::{canonical_query, percent_decode, percent_encode};
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

/// What signing adds to a request: headers, in the order they are to be sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningInstructions {
    pub headers: Vec<(String, String)>,
}

impl SigningInstructions {
    /// Add the headers to the request (after those it already has).
    pub fn apply_to(self, req: &mut Request) {
        req.headers.extend(self.headers);
    }

    /// The first added header with this name (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A signer's result: what to add to the request, and the stages that produced it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "signing changes nothing until the instructions are applied (`Signed::apply_to`)"]
pub struct Signed {
    pub instructions: SigningInstructions,
    pub signature: Signature,
}

impl Signed {
    /// Apply the instructions to `req` (the request that was signed) and return the stages.
    pub fn apply_to(self, req: &mut Request) -> Signature {
        self.instructions.apply_to(req);
        self.signature
    }
}

/// The request as a signer sees it while signing: the caller's headers, then the ones signing
/// adds. Only the added ones leave, as [`SigningInstructions`].
pub(crate) struct Draft<'a> {
    pub req: &'a Request,
    added: Vec<(String, String)>,
}

impl<'a> Draft<'a> {
    pub fn new(req: &'a Request) -> Draft<'a> {
        Draft {
            req,
            added: Vec::new(),
        }
    }

    /// Add a header to what signing sends.
    pub fn add(&mut self, name: &str, value: impl Into<String>) {
        self.added.push((name.to_string(), value.into()));
    }

    /// Every header the signed request will carry but `Authorization`: the request's own,
    /// then the added ones.
    pub fn headers(&self) -> impl Iterator<Item = &(String, String)> {
        self.req.headers.iter().chain(self.added.iter())
    }

    /// First header with this name among [`Draft::headers`] (ASCII case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The shared tail: add `Authorization` and hand back what to add with the stages.
    pub fn finish(
        mut self,
        canonical_request: String,
        string_to_sign: String,
        authorization: String,
    ) -> Signed {
        // `-vv`: the two stages, which hold no secret once the token is redacted.
        crate::diagnostics::signed(self.req, &self.added, &canonical_request, &string_to_sign);
        self.add("Authorization", authorization.clone());
        Signed {
            instructions: SigningInstructions {
                headers: self.added,
            },
            signature: Signature {
                canonical_request,
                string_to_sign,
                authorization,
            },
        }
    }
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

    /// Each signer hands back exactly the headers its algorithm adds, in the order they are
    /// sent, ending with the `Authorization` of its stages.
    #[test]
    fn signers_return_the_headers_to_add() {
        use crate::secret::{Credentials, Secret};
        let creds = Credentials {
            access_key: "AK".into(),
            secret_key: Secret::new("SK"),
            token: Some(Secret::new("TOKEN")),
            origin: "test".into(),
        };
        let stamp = Stamp {
            time: chrono::TimeZone::with_ymd_and_hms(&Utc, 2023, 11, 14, 22, 13, 20).unwrap(),
            nonce: "n1".into(),
        };
        let req = Request::new("POST", "https", "example.invalid", "/")
            .header("Content-Type", "application/json")
            .body(&b"{}"[..]);
        let names = |signed: &Signed| -> Vec<String> {
            assert_eq!(
                signed.instructions.header("authorization"),
                Some(signed.signature.authorization.as_str())
            );
            let h = &signed.instructions.headers;
            h.iter().map(|(n, _)| n.clone()).collect()
        };
        assert_eq!(
            names(&tc3::sign(&req, &creds, &stamp, "ssl")),
            ["X-TC-Timestamp", "X-TC-Token", "Authorization"]
        );
        assert_eq!(
            names(&huawei::sign(&req, &creds, &stamp)),
            ["X-Sdk-Date", "X-Security-Token", "Authorization"]
        );
        // A body that is not JSON goes unsigned, and says so.
        let mut form = req.clone();
        form.headers[0].1 = "text/plain".into();
        assert_eq!(
            names(&huawei::sign(&form, &creds, &stamp)),
            [
                "X-Sdk-Date",
                "X-Security-Token",
                "X-Sdk-Content-Sha256",
                "Authorization"
            ]
        );
        assert_eq!(
            names(&volc::sign(&req, &creds, &stamp, "cn-north-1", "live")),
            [
                "X-Date",
                "X-Content-Sha256",
                "X-Security-Token",
                "Authorization"
            ]
        );
        let acs = acs3::sign(&req, &creds, &stamp);
        assert_eq!(
            names(&acs),
            [
                "x-acs-date",
                "x-acs-signature-nonce",
                "x-acs-content-sha256",
                "x-acs-security-token",
                "Authorization"
            ]
        );
        // Applying them is appending them: the request keeps its own headers first.
        let mut applied = req.clone();
        let stages = acs.clone().apply_to(&mut applied);
        assert_eq!(stages, acs.signature);
        assert_eq!(applied.headers[..req.headers.len()], req.headers[..]);
        assert_eq!(
            applied.headers[req.headers.len()..],
            acs.instructions.headers[..]
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
