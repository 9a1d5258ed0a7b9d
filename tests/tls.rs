//! TLS trust end to end: the fake cloud serves https with a certificate from a throwaway CA
//! made at test time, and the real certdel binary trusts it only when `SSL_CERT_FILE` or
//! `SSL_CERT_DIR` names that CA. Nothing leaves 127.0.0.1.

mod common;

use common::*;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// A throwaway CA, a leaf for `127.0.0.1` and `localhost` it signed, and the files holding
/// them in a directory of their own (removed when dropped).
struct Pki {
    dir: PathBuf,
    identity: fake::TlsIdentity,
}

impl Pki {
    fn new(name: &str) -> Pki {
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "certdel test CA (throwaway)");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_key = KeyPair::generate().unwrap();
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca, ca_key);

        let mut leaf =
            CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
        leaf.distinguished_name
            .push(DnType::CommonName, "127.0.0.1");
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let leaf_key = KeyPair::generate().unwrap();
        let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();

        let dir = std::env::temp_dir().join(format!("certdel-tls-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("cadir")).unwrap();
        std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
        std::fs::write(dir.join("cadir/ca.pem"), ca_cert.pem()).unwrap();
        std::fs::write(dir.join("leaf.pem"), leaf_cert.pem()).unwrap();
        std::fs::write(dir.join("leaf.key"), leaf_key.serialize_pem()).unwrap();
        Pki {
            identity: fake::TlsIdentity {
                cert_pem: leaf_cert.pem().into_bytes(),
                key_pem: leaf_key.serialize_pem().into_bytes(),
            },
            dir,
        }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }

    /// The fake cloud over https, holding two Tencent certificates.
    fn start(&self) -> Running {
        let mut config = Config::new(TENCENT.seed([TENCENT.cert("tls-1"), TENCENT.cert("tls-2")]));
        config.tls = Some(self.identity.clone());
        let fake = start_config(config);
        assert!(
            fake.url().starts_with("https://127.0.0.1:"),
            "{}",
            fake.url()
        );
        fake
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn assert_deleted(fake: &Running, out: &Out) {
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.outcome("tls-1"), Some("deleted"), "{out:?}");
    assert!(!TENCENT.present(fake, "tls-1"), "tls-1 still in the store");
    assert!(TENCENT.present(fake, "tls-2"), "tls-2 was not asked for");
}

#[test]
fn ssl_cert_file_names_the_ca_and_the_delete_succeeds() {
    let pki = Pki::new("file");
    let fake = pki.start();
    let out = delete(&fake, TENCENT, &["tls-1"])
        .env("SSL_CERT_FILE", &pki.path("ca.pem"))
        .run();
    assert_deleted(&fake, &out);
}

#[test]
fn ssl_cert_dir_names_the_ca_and_the_delete_succeeds() {
    let pki = Pki::new("dir");
    let fake = pki.start();
    // A `:`-separated list, as OpenSSL reads it.
    let dirs = format!("{}:{}", pki.path("cadir"), pki.path("cadir"));
    let out = delete(&fake, TENCENT, &["tls-1"])
        .env("SSL_CERT_DIR", &dirs)
        .run();
    assert_deleted(&fake, &out);
}

#[test]
fn an_unknown_ca_fails_the_run_and_suggests_ssl_cert_file() {
    let pki = Pki::new("unknown");
    let fake = pki.start();
    let out = delete(&fake, TENCENT, &["tls-1"]).run();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("invalid peer certificate: UnknownIssuer")
            && out.stderr.contains("SSL_CERT_FILE"),
        "{out:?}"
    );
    assert_eq!(out.outcome("tls-1"), Some("failed"), "{out:?}");
    assert!(TENCENT.present(&fake, "tls-1"), "nothing is deleted");
    assert!(fake.requests().is_empty(), "no request got through");
}

#[test]
fn a_missing_ssl_cert_file_is_a_usage_error_before_any_request() {
    let pki = Pki::new("missing");
    let fake = pki.start();
    let out = delete(&fake, TENCENT, &["tls-1"])
        .env("SSL_CERT_FILE", "/nonexistent")
        .run();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .starts_with("certdel: SSL_CERT_FILE: cannot read /nonexistent ("),
        "{out:?}"
    );
    assert!(out.stdout.is_empty(), "{out:?}");
    assert!(fake.requests().is_empty());
    assert!(TENCENT.present(&fake, "tls-1"));
}

#[test]
fn version_needs_no_trust_store() {
    let out = certdel()
        .arg("--version")
        .env("SSL_CERT_FILE", "/nonexistent")
        .run();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.starts_with("certdel "), "{out:?}");
}

#[test]
fn the_fake_cloud_binary_serves_https() {
    let pki = Pki::new("bin");
    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/fake/seed.json");
    let mut child = Command::new(fake_cloud_bin())
        .args(["--port", "0", "--quiet", "--seed", seed])
        .args(["--tls-cert", &pki.path("leaf.pem")])
        .args(["--tls-key", &pki.path("leaf.key")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("fake-cloud starts");
    let mut first = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first
        .trim_end()
        .strip_prefix("listening on ")
        .map(str::to_string);
    let out = url.as_ref().map(|url| {
        certdel()
            .args(["--endpoint", url, "--yes", "--max-retries", "0"])
            .args(["tencent-ssl", "delete", "8zXq1Uuq"])
            .envs(TENCENT.env())
            .env("SSL_CERT_FILE", &pki.path("ca.pem"))
            .run()
    });
    let _ = child.kill();
    let _ = child.wait();
    let url = url.unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let out = out.unwrap();
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.outcome("8zXq1Uuq"), Some("deleted"), "{out:?}");
}

/// A refused server certificate holds for every attempt: certdel stops at once instead of
/// retrying with backoff.
#[test]
fn a_refused_certificate_is_not_retried() {
    let pki = Pki::new("noretry");
    let fake = pki.start();
    let out = delete(&fake, TENCENT, &["tls-1", "tls-2"])
        .flag("--max-retries", "5")
        .flag("--output", "json")
        .arg("--no-batch")
        .run();
    assert_eq!(out.code, 2, "{out:?}");
    let lines = out.json_lines();
    assert_eq!(lines.len(), 2, "{out:?}");
    let attempts: u64 = lines.iter().map(|l| l["attempts"].as_u64().unwrap()).sum();
    assert!(
        attempts <= 2,
        "one attempt at most per id, no retries: {out:?}"
    );
}
