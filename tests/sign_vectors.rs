//! Signing vectors produced by the official SDKs (fixtures/sign/, see its README): every case
//! is checked stage by stage, so a failure names the stage that broke.

use certdel::secret::{Credentials, Secret};
use certdel::sign::{self, acs3, huawei, tc3, volc, Request, Stamp};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

fn cases(algo: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/sign")
        .join(algo);
    let mut cases: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("input.json").is_file())
        .collect();
    cases.sort();
    cases
}

fn read(case: &Path, file: &str) -> String {
    fs::read_to_string(case.join(file)).unwrap_or_else(|e| panic!("{}/{file}: {e}", case.display()))
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap().to_string(),
                        p[1].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

struct Case {
    dir: PathBuf,
    input: Value,
    request: Request,
    creds: Credentials,
    stamp: Stamp,
}

fn load(dir: PathBuf) -> Case {
    let input: Value = serde_json::from_str(&read(&dir, "input.json")).unwrap();
    let method: &'static str = match input["method"].as_str().unwrap() {
        "GET" => "GET",
        "POST" => "POST",
        "DELETE" => "DELETE",
        "PUT" => "PUT",
        m => panic!("{}: method {m}", dir.display()),
    };
    let mut request = Request::new(
        method,
        "https",
        input["host"].as_str().unwrap(),
        input["path"].as_str().unwrap(),
    );
    request.query = pairs(&input["query"]);
    request.headers = pairs(&input["headers"]);
    request.body = input["body"].as_str().unwrap_or("").as_bytes().to_vec();
    let creds = Credentials {
        access_key: input["access_key"].as_str().unwrap().to_string(),
        secret_key: Secret::new(input["secret_key"].as_str().unwrap()),
        token: input["security_token"].as_str().map(Secret::new),
    };
    let stamp = Stamp {
        time: chrono::DateTime::parse_from_rfc3339(input["time"].as_str().unwrap())
            .unwrap()
            .into(),
        nonce: input["nonce"].as_str().unwrap_or("").to_string(),
    };
    Case {
        dir,
        input,
        request,
        creds,
        stamp,
    }
}

fn check(case: &Case, signed: &Request, sig: &sign::Signature) {
    let name = case.dir.display();
    assert_eq!(
        sig.canonical_request,
        read(&case.dir, "canonical_request.txt"),
        "{name}: canonical request"
    );
    assert_eq!(
        sig.string_to_sign,
        read(&case.dir, "string_to_sign.txt"),
        "{name}: string to sign"
    );
    assert_eq!(
        sig.authorization,
        read(&case.dir, "authorization.txt").trim_end_matches('\n'),
        "{name}: authorization"
    );
    let added: Value = serde_json::from_str(&read(&case.dir, "wire_headers.json")).unwrap();
    for (header, value) in pairs(&added) {
        assert_eq!(
            signed.header_value(&header),
            Some(value.as_str()),
            "{name}: added header {header}"
        );
    }
    // The target on the wire: same path, same decoded query pairs (order is not significant
    // to any of these gateways; the vendor's canonical form already pins the encoding).
    let want = read(&case.dir, "target.txt");
    let (want_path, mut want_query) = sign::parse_target(want.trim_end_matches('\n'));
    let (got_path, mut got_query) = sign::parse_target(&signed.target());
    assert_eq!(got_path, want_path, "{name}: wire path");
    want_query.sort();
    got_query.sort();
    assert_eq!(got_query, want_query, "{name}: wire query");
}

fn run_all(algo: &str, sign: impl Fn(&mut Request, &Case) -> sign::Signature) -> usize {
    let cases = cases(algo);
    for dir in &cases {
        let case = load(dir.clone());
        let mut req = case.request.clone();
        let sig = sign(&mut req, &case);
        check(&case, &req, &sig);
    }
    cases.len()
}

#[test]
fn huawei_sdk_hmac_sha256() {
    let n = run_all("huawei", |req, c| huawei::sign(req, &c.creds, &c.stamp));
    assert!(n >= 7, "expected doc, regression and SDK cases, found {n}");
}

#[test]
fn tencent_tc3_hmac_sha256() {
    let n = run_all("tc3", |req, c| {
        // The SDK signs content-type;host; doc cases may sign more, named in their Authorization.
        let auth = read(&c.dir, "authorization.txt");
        let signed = auth
            .split("SignedHeaders=")
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .to_string();
        let extra: Vec<&str> = signed
            .split(';')
            .filter(|h| *h != "content-type" && *h != "host")
            .collect();
        let service = c.input["service"].as_str().unwrap();
        tc3::sign_headers(req, &c.creds, &c.stamp, service, &extra)
    });
    assert!(n >= 7, "expected doc, regression and SDK cases, found {n}");
}

#[test]
fn volcengine_hmac_sha256() {
    let n = run_all("volc", |req, c| {
        volc::sign(
            req,
            &c.creds,
            &c.stamp,
            c.input["region"].as_str().unwrap(),
            c.input["service"].as_str().unwrap(),
        )
    });
    assert!(n >= 7, "expected doc, regression and SDK cases, found {n}");
}

#[test]
fn alibaba_acs3_hmac_sha256() {
    let n = run_all("acs3", |req, c| acs3::sign(req, &c.creds, &c.stamp));
    assert!(n >= 7, "expected doc, regression and SDK cases, found {n}");
}
