//! Signature verification the way the vendors' gateways do it: recompute the signature from
//! the request **as received** and compare the whole `Authorization` value.
//!
//! The crate's own signers ([`certdel::sign`]) do the recomputation. A [`Request`] is rebuilt
//! from the wire: the raw target split by [`certdel::wire::parse_target`] (path as sent, query decoded),
//! the `Host` header, the body bytes, and every received header listed in the
//! `Authorization`'s `SignedHeaders` except those the signer adds itself (date, nonce, payload
//! hash, token — they come back from the [`Stamp`] and the token). If the client signed
//! something other than what it sent, or with another secret, the values differ.
//!
//! hyper hands header names over lowercased; Volcengine's signer picks headers by their exact
//! spelling (`Content-Type`, `Host`, `X-…`), so for it names are rebuilt in `Title-Case`.
//! A consequence: a Volcengine client that signs a header outside that rule (say `accept`)
//! is rejected here, though the real gateway might take whatever `SignedHeaders` lists.

use super::store::Keys;
use super::Incoming;
use certdel::secret::{Credentials, Secret};
use certdel::sign::{self, acs3, huawei, tc3, volc, Signed, Stamp};
use certdel::wire::Request;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use std::time::Duration;

/// Why a request's authentication failed (each vendor module turns it into its own answer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization`, another algorithm, or a required header missing or unreadable.
    Missing(String),
    /// The access key is not one the fake knows.
    UnknownKey(String),
    /// The recomputed signature differs; the server-side string to sign, as some vendors
    /// echo it back.
    Mismatch { string_to_sign: String },
    /// The request time is further from the server clock than allowed (seconds, signed).
    Stale { skew_secs: i64 },
    /// The declared payload hash is not the body's hash.
    BodyHash,
    /// A session token that the configured account does not accept.
    Token,
}

/// What a successful verification found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub access_key: String,
    /// The request time the client signed.
    pub time: DateTime<Utc>,
    /// Alibaba's `x-acs-signature-nonce` (empty for the others).
    pub nonce: String,
}

/// `ALG k=v, k=v` (or `ALG k=v,k=v`) → the `k=v` pairs, if the algorithm matches.
fn parse_authorization(value: &str, algorithm: &str) -> Option<Vec<(String, String)>> {
    let rest = value.strip_prefix(algorithm)?.strip_prefix(' ')?;
    rest.split(',')
        .map(|part| {
            part.trim()
                .split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `content-type` → `Content-Type`.
fn title_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// What differs between the four algorithms.
struct Spec {
    /// Headers the signer adds itself (lowercase).
    self_added: &'static [&'static str],
    /// Rebuild header names in `Title-Case` (Volcengine's case-sensitive selection).
    title_case: bool,
    /// The header carrying the session token (lowercase).
    token_header: &'static str,
}

/// Shared steps: find the key, check the token, rebuild the request, re-sign, compare.
fn check(
    inc: &Incoming,
    keys: Option<&Keys>,
    spec: &Spec,
    access_key: &str,
    signed_headers: &str,
    stamp: &Stamp,
    sign_fn: &dyn Fn(&Request, &Credentials, &Stamp) -> Signed,
) -> Result<(), AuthError> {
    let keys = keys
        .filter(|k| k.access_key == access_key)
        .ok_or_else(|| AuthError::UnknownKey(access_key.to_string()))?;
    let token = inc.header(spec.token_header).map(str::to_string);
    if keys
        .session_token
        .as_ref()
        .is_some_and(|want| token.as_ref() != Some(want))
    {
        return Err(AuthError::Token);
    }
    let signed: Vec<&str> = signed_headers.split(';').collect();
    let mut req = inc.request();
    for (name, value) in &inc.headers {
        if name == "host"
            || !signed.contains(&name.as_str())
            || spec.self_added.contains(&name.as_str())
        {
            continue;
        }
        let name = if spec.title_case {
            title_case(name)
        } else {
            name.clone()
        };
        req.headers.push((name, value.clone()));
    }
    let creds = Credentials {
        access_key: access_key.to_string(),
        secret_key: Secret::new(keys.secret_key.clone()),
        token: token.map(Secret::new),
        origin: "test".into(),
    };
    let sig = sign_fn(&req, &creds, stamp).apply_to(&mut req);
    let received = inc.header("authorization").unwrap_or_default();
    if sig.authorization != received {
        return Err(AuthError::Mismatch {
            string_to_sign: sig.string_to_sign,
        });
    }
    Ok(())
}

fn fresh(time: DateTime<Utc>, now: DateTime<Utc>, tolerance: Duration) -> Result<(), AuthError> {
    let skew = (time - now).num_seconds();
    if skew.unsigned_abs() > tolerance.as_secs() {
        return Err(AuthError::Stale { skew_secs: skew });
    }
    Ok(())
}

fn parse_compact(value: Option<&str>, header: &str) -> Result<DateTime<Utc>, AuthError> {
    let v = value.ok_or_else(|| AuthError::Missing(format!("missing {header}")))?;
    NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%SZ")
        .map(|t| Utc.from_utc_datetime(&t))
        .map_err(|_| AuthError::Missing(format!("{header} '{v}' is not YYYYMMDDTHHMMSSZ")))
}

fn authorization(inc: &Incoming, algorithm: &str) -> Result<Vec<(String, String)>, AuthError> {
    let value = inc
        .header("authorization")
        .ok_or_else(|| AuthError::Missing("missing Authorization".into()))?;
    parse_authorization(value, algorithm)
        .ok_or_else(|| AuthError::Missing(format!("Authorization is not {algorithm}")))
}

fn required<'a>(fields: &'a [(String, String)], name: &str) -> Result<&'a str, AuthError> {
    field(fields, name).ok_or_else(|| AuthError::Missing(format!("Authorization has no {name}")))
}

/// Huawei `SDK-HMAC-SHA256`: `Access=<AK>, SignedHeaders=…, Signature=…`, time `X-Sdk-Date`.
pub fn huawei(
    inc: &Incoming,
    keys: Option<&Keys>,
    now: DateTime<Utc>,
    tolerance: Duration,
) -> Result<Verified, AuthError> {
    let fields = authorization(inc, huawei::ALGORITHM)?;
    let ak = required(&fields, "Access")?;
    let signed = required(&fields, "SignedHeaders")?;
    let time = parse_compact(inc.header("x-sdk-date"), "X-Sdk-Date")?;
    if keys.is_none_or(|k| k.access_key != ak) {
        return Err(AuthError::UnknownKey(ak.into()));
    }
    fresh(time, now, tolerance)?;
    let spec = Spec {
        self_added: &["x-sdk-date", "x-security-token", "x-sdk-content-sha256"],
        title_case: false,
        token_header: "x-security-token",
    };
    let stamp = Stamp {
        time,
        nonce: String::new(),
    };
    check(inc, keys, &spec, ak, signed, &stamp, &|r, c, s| {
        huawei::sign(r, c, s)
    })?;
    Ok(Verified {
        access_key: ak.into(),
        time,
        nonce: String::new(),
    })
}

/// Tencent `TC3-HMAC-SHA256`: `Credential=<AK>/<date>/ssl/tc3_request, SignedHeaders=…,
/// Signature=…`, time `X-TC-Timestamp` (unix seconds). Service `ssl`.
pub fn tc3(
    inc: &Incoming,
    keys: Option<&Keys>,
    now: DateTime<Utc>,
    tolerance: Duration,
) -> Result<Verified, AuthError> {
    tc3_for(inc, keys, now, tolerance, "ssl")
}

/// [`tc3`] for the call of another service (`sts`), whose name is in the scope.
pub fn tc3_for(
    inc: &Incoming,
    keys: Option<&Keys>,
    now: DateTime<Utc>,
    tolerance: Duration,
    service: &str,
) -> Result<Verified, AuthError> {
    let fields = authorization(inc, tc3::ALGORITHM)?;
    let credential = required(&fields, "Credential")?;
    let signed = required(&fields, "SignedHeaders")?.to_string();
    let ak = credential.split('/').next().unwrap_or_default();
    let ts = inc
        .header("x-tc-timestamp")
        .ok_or_else(|| AuthError::Missing("missing X-TC-Timestamp".into()))?;
    let time = ts
        .parse::<i64>()
        .ok()
        .and_then(|s| Utc.timestamp_opt(s, 0).single())
        .ok_or_else(|| AuthError::Missing(format!("X-TC-Timestamp '{ts}' is not unix seconds")))?;
    if keys.is_none_or(|k| k.access_key != ak) {
        return Err(AuthError::UnknownKey(ak.into()));
    }
    fresh(time, now, tolerance)?;
    let extra: Vec<String> = signed
        .split(';')
        .filter(|h| *h != "content-type" && *h != "host")
        .map(str::to_string)
        .collect();
    let spec = Spec {
        self_added: &["x-tc-timestamp", "x-tc-token"],
        title_case: false,
        token_header: "x-tc-token",
    };
    let stamp = Stamp {
        time,
        nonce: String::new(),
    };
    let sign_fn = |r: &Request, c: &Credentials, s: &Stamp| {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        tc3::sign_headers(r, c, s, service, &extra)
    };
    check(inc, keys, &spec, ak, &signed, &stamp, &sign_fn)?;
    Ok(Verified {
        access_key: ak.into(),
        time,
        nonce: String::new(),
    })
}

/// Volcengine `HMAC-SHA256`: `Credential=<AK>/<date>/cn-north-1/live/request, SignedHeaders=…,
/// Signature=…`, time `X-Date`; `X-Content-Sha256` must be the body's hash.
pub fn volc(
    inc: &Incoming,
    keys: Option<&Keys>,
    now: DateTime<Utc>,
    tolerance: Duration,
) -> Result<Verified, AuthError> {
    volc_for(inc, keys, now, tolerance, "live")
}

/// [`volc`] for the call of another service (`sts`): scope `cn-north-1/<service>`.
pub fn volc_for(
    inc: &Incoming,
    keys: Option<&Keys>,
    now: DateTime<Utc>,
    tolerance: Duration,
    service: &str,
) -> Result<Verified, AuthError> {
    let fields = authorization(inc, volc::ALGORITHM)?;
    let credential = required(&fields, "Credential")?;
    let signed = required(&fields, "SignedHeaders")?;
    let ak = credential.split('/').next().unwrap_or_default();
    let time = parse_compact(inc.header("x-date"), "X-Date")?;
    if keys.is_none_or(|k| k.access_key != ak) {
        return Err(AuthError::UnknownKey(ak.into()));
    }
    fresh(time, now, tolerance)?;
    if inc.header("x-content-sha256") != Some(sign::sha256_hex(&inc.body).as_str()) {
        return Err(AuthError::BodyHash);
    }
    let spec = Spec {
        self_added: &["x-date", "x-content-sha256", "x-security-token"],
        title_case: true,
        token_header: "x-security-token",
    };
    let stamp = Stamp {
        time,
        nonce: String::new(),
    };
    check(inc, keys, &spec, ak, signed, &stamp, &|r, c, s| {
        volc::sign(r, c, s, "cn-north-1", service)
    })?;
    Ok(Verified {
        access_key: ak.into(),
        time,
        nonce: String::new(),
    })
}

/// Alibaba `ACS3-HMAC-SHA256`: `Credential=<AK>,SignedHeaders=…,Signature=…`, time
/// `x-acs-date`, nonce `x-acs-signature-nonce` (its uniqueness is the caller's to check),
/// `x-acs-content-sha256` must be the body's hash.
pub fn acs3(
    inc: &Incoming,
    keys: Option<&Keys>,
    now: DateTime<Utc>,
    tolerance: Duration,
) -> Result<Verified, AuthError> {
    let fields = authorization(inc, acs3::ALGORITHM)?;
    let ak = required(&fields, "Credential")?;
    let signed = required(&fields, "SignedHeaders")?;
    let date = inc
        .header("x-acs-date")
        .ok_or_else(|| AuthError::Missing("missing x-acs-date".into()))?;
    let time = NaiveDateTime::parse_from_str(date, acs3::DATE_FORMAT)
        .map(|t| Utc.from_utc_datetime(&t))
        .map_err(|_| {
            AuthError::Missing(format!("x-acs-date '{date}' is not YYYY-MM-DDTHH:MM:SSZ"))
        })?;
    let nonce = inc
        .header("x-acs-signature-nonce")
        .ok_or_else(|| AuthError::Missing("missing x-acs-signature-nonce".into()))?
        .to_string();
    if keys.is_none_or(|k| k.access_key != ak) {
        return Err(AuthError::UnknownKey(ak.into()));
    }
    fresh(time, now, tolerance)?;
    if inc.header("x-acs-content-sha256") != Some(sign::sha256_hex(&inc.body).as_str()) {
        return Err(AuthError::BodyHash);
    }
    let spec = Spec {
        self_added: &[
            "x-acs-date",
            "x-acs-signature-nonce",
            "x-acs-content-sha256",
            "x-acs-security-token",
        ],
        title_case: false,
        token_header: "x-acs-security-token",
    };
    let stamp = Stamp {
        time,
        nonce: nonce.clone(),
    };
    check(inc, keys, &spec, ak, signed, &stamp, &|r, c, s| {
        acs3::sign(r, c, s)
    })?;
    Ok(Verified {
        access_key: ak.into(),
        time,
        nonce,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use certdel::endpoint::Endpoint;
    use certdel::provider::ProviderSettings;
    use certdel::provider::{huawei_scm, tencent_ssl, volcengine_live, Kind, Provider};

    fn keys() -> Keys {
        Keys::new("AKEXAMPLE", "SECRETEXAMPLE")
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2023, 11, 14, 22, 13, 20).unwrap()
    }

    fn stamp() -> Stamp {
        Stamp {
            time: now(),
            nonce: "0123456789abcdef0123456789abcdef".into(),
        }
    }

    fn incoming(req: &Request) -> Incoming {
        Incoming::from(req)
    }

    fn settings(kind: Kind) -> ProviderSettings {
        let mut s = ProviderSettings::for_test(kind);
        s.endpoint = Endpoint::parse("http://127.0.0.1:8080").unwrap();
        s.region = Some("cn-hangzhou".into());
        s
    }

    const TOL: Duration = Duration::from_secs(900);

    #[test]
    fn accepts_what_the_providers_sign_and_rejects_tampering() {
        type Verify =
            fn(&Incoming, Option<&Keys>, DateTime<Utc>, Duration) -> Result<Verified, AuthError>;
        let cases: Vec<(Box<dyn Provider>, Verify)> = vec![
            (
                Box::new(huawei_scm::HuaweiScm::new(&settings(Kind::HuaweiScm))),
                huawei,
            ),
            (
                Box::new(tencent_ssl::TencentSsl::new(&settings(Kind::TencentSsl))),
                tc3,
            ),
            (
                Box::new(volcengine_live::VolcengineLive::new(&settings(
                    Kind::VolcengineLive,
                ))),
                volc,
            ),
            (
                Box::new(certdel::provider::alibaba_slb::AlibabaSlb::new(&settings(
                    Kind::AlibabaSlb,
                ))),
                acs3,
            ),
        ];
        for (p, verify) in cases {
            let name = p.kind().name();
            let inc = incoming(&p.delete_request("id with space/+*~%=&证", &stamp()));
            let ok =
                verify(&inc, Some(&keys()), now(), TOL).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(ok.access_key, "AKEXAMPLE");
            assert_eq!(ok.time, now());

            let wrong = Keys::new("AKEXAMPLE", "other");
            assert!(
                matches!(
                    verify(&inc, Some(&wrong), now(), TOL),
                    Err(AuthError::Mismatch { .. })
                ),
                "{name}: wrong secret"
            );
            let other_key = Keys::new("AKOTHER", "SECRETEXAMPLE");
            assert_eq!(
                verify(&inc, Some(&other_key), now(), TOL),
                Err(AuthError::UnknownKey("AKEXAMPLE".into())),
                "{name}"
            );
            let later = now() + chrono::Duration::seconds(901);
            assert!(
                matches!(
                    verify(&inc, Some(&keys()), later, TOL),
                    Err(AuthError::Stale { skew_secs: -901 })
                ),
                "{name}: stale"
            );

            // A different target (another id) with the same Authorization.
            let mut moved = inc.clone();
            moved.target = if moved.target.contains("certificates/") {
                "/v3/scm/certificates/other".into()
            } else {
                moved.target.replace("id%20with", "id%20wiTh")
            };
            if moved.target != inc.target {
                assert!(
                    verify(&moved, Some(&keys()), now(), TOL).is_err(),
                    "{name}: target"
                );
            }
            // A different body.
            if !inc.body.is_empty() {
                let mut b = inc.clone();
                b.body = br#"{"CertificateId":"x"}"#.to_vec();
                assert!(
                    verify(&b, Some(&keys()), now(), TOL).is_err(),
                    "{name}: body"
                );
            }
            // A different Host.
            let mut h = inc.clone();
            h.host = "127.0.0.1:8081".into();
            assert!(
                verify(&h, Some(&keys()), now(), TOL).is_err(),
                "{name}: host"
            );
        }
    }

    #[test]
    fn published_vectors_verify() {
        // providers.md §7.8, Huawei DeleteCertificate (SDK-computed).
        let inc = Incoming {
            method: "DELETE".into(),
            target: "/v3/scm/certificates/scs1554192131150".into(),
            host: "scm.cn-north-4.myhuaweicloud.com".into(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("x-domain-id".into(), "domainid123".into()),
                ("x-sdk-date".into(), "20231114T221320Z".into()),
                ("authorization".into(), "SDK-HMAC-SHA256 Access=AKEXAMPLE, SignedHeaders=content-type;host;x-domain-id;x-sdk-date, Signature=7ca6c81a8daeda1d70102f2dec2cde9d229e25827abfe5e9cfe4a2aad5daedac".into()),
                ("user-agent".into(), "unsigned/1.0".into()),
            ],
            body: vec![],
        };
        let k = Keys::new("AKEXAMPLE", "SKEXAMPLE");
        assert!(huawei(&inc, Some(&k), now(), TOL).is_ok());

        // §7.8 Volcengine DeleteCert.
        let inc = Incoming {
            method: "POST".into(),
            target: "/?Action=DeleteCert&Version=2023-01-01".into(),
            host: "live.volcengineapi.com".into(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("x-date".into(), "20231114T221320Z".into()),
                ("x-content-sha256".into(), "1c975aef38f1fbae7cc95dd18731033970f5286a5953a050bf41dbf550ea521c".into()),
                ("authorization".into(), "HMAC-SHA256 Credential=AKLTEXAMPLE/20231114/cn-north-1/live/request, SignedHeaders=content-type;host;x-content-sha256;x-date, Signature=321aefaa8199ef1f52f612d725aa24e17e6ca8e3da565cd1599128af496f8cd4".into()),
                ("accept".into(), "application/json".into()),
            ],
            body: br#"{"ChainID": "chain123"}"#.to_vec(),
        };
        let k = Keys::new("AKLTEXAMPLE", "SECRETEXAMPLE");
        assert!(volc(&inc, Some(&k), now(), TOL).is_ok());
        let mut bad = inc.clone();
        bad.body = br#"{"ChainID": "chain124"}"#.to_vec();
        assert_eq!(volc(&bad, Some(&k), now(), TOL), Err(AuthError::BodyHash));

        // §7.8 Alibaba V3 DeleteServerCertificate.
        let inc = Incoming {
            method: "POST".into(),
            target: "/?RegionId=cn-hangzhou&ServerCertificateId=123_abc".into(),
            host: "slb.aliyuncs.com".into(),
            headers: vec![
                ("x-acs-action".into(), "DeleteServerCertificate".into()),
                ("x-acs-version".into(), "2014-05-15".into()),
                ("x-acs-date".into(), "2023-11-14T22:13:20Z".into()),
                ("x-acs-signature-nonce".into(), "0123456789abcdef0123456789abcdef".into()),
                ("x-acs-content-sha256".into(), sign::sha256_hex(b"")),
                ("authorization".into(), "ACS3-HMAC-SHA256 Credential=AKEXAMPLE,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=a98a948e7a85ad0c51f1610c803424cadb931bc06eb8719d04883db97000b79a".into()),
            ],
            body: vec![],
        };
        let v = acs3(&inc, Some(&keys()), now(), TOL).unwrap();
        assert_eq!(v.nonce, "0123456789abcdef0123456789abcdef");

        // §7.8 Tencent DeleteCertificate (only the signature is published: check it appears).
        let body = br#"{"CertificateId": "abc123", "IsCheckResource": false}"#.to_vec();
        let mut req = Request::new("POST", "https", "ssl.tencentcloudapi.com", "/")
            .header("Content-Type", "application/json")
            .body(body);
        let creds = Credentials {
            access_key: "AKEXAMPLE".into(),
            secret_key: Secret::new("SECRETEXAMPLE"),
            token: None,
            origin: "test".into(),
        };
        let t = Stamp {
            time: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
            nonce: String::new(),
        };
        tc3::sign(&req, &creds, &t, "ssl").apply_to(&mut req);
        let inc = incoming(&req);
        assert!(inc.header("authorization").unwrap().ends_with(
            "Signature=dbb46dc127acabf0c263334969a0d8f64ac1c6639e11cd6d54a28f61f1e9cb1c"
        ));
        assert!(tc3(&inc, Some(&keys()), t.time, Duration::from_secs(300)).is_ok());
        let late = t.time + chrono::Duration::seconds(301);
        assert!(matches!(
            tc3(&inc, Some(&keys()), late, Duration::from_secs(300)),
            Err(AuthError::Stale { .. })
        ));
    }

    #[test]
    fn tokens_are_signed_where_the_vendor_signs_them() {
        let mut s = settings(Kind::AlibabaSlb);
        s.credentials.token = Some(Secret::new("sts-token"));
        let p = certdel::provider::alibaba_slb::AlibabaSlb::new(&s);
        let inc = incoming(&p.delete_request("x", &stamp()));
        assert!(acs3(&inc, Some(&keys()), now(), TOL).is_ok());
        let mut k = keys();
        k.session_token = Some("other".into());
        assert_eq!(acs3(&inc, Some(&k), now(), TOL), Err(AuthError::Token));
        // Swapping the (signed) token header breaks the signature.
        let mut swapped = inc.clone();
        for (n, v) in swapped.headers.iter_mut() {
            if n == "x-acs-security-token" {
                *v = "forged".into();
            }
        }
        assert!(matches!(
            acs3(&swapped, Some(&keys()), now(), TOL),
            Err(AuthError::Mismatch { .. })
        ));
    }

    #[test]
    fn missing_pieces() {
        let inc = Incoming {
            method: "GET".into(),
            target: "/".into(),
            host: "h".into(),
            headers: vec![],
            body: vec![],
        };
        assert!(matches!(
            huawei(&inc, Some(&keys()), now(), TOL),
            Err(AuthError::Missing(_))
        ));
        let mut inc = inc;
        inc.headers.push((
            "authorization".into(),
            "AWS4-HMAC-SHA256 Credential=x".into(),
        ));
        assert!(
            matches!(acs3(&inc, Some(&keys()), now(), TOL), Err(AuthError::Missing(m)) if m.contains("ACS3"))
        );
        assert_eq!(title_case("x-content-sha256"), "X-Content-Sha256");
    }
}
