//! Signing vectors produced by the official SDKs (fixtures/sign/, see its README): every case
//! is checked stage by stage, so a failure names the stage that broke.

use certdel::endpoint::Endpoint;
use certdel::provider::identity;
use certdel::secret::{Credentials, Secret};
use certdel::sign::{self, acs3, huawei, tc3, volc, Stamp};
use certdel::wire::{self, Request};
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
        origin: "test".into(),
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
    let (want_path, mut want_query) = wire::parse_target(want.trim_end_matches('\n'));
    let (got_path, mut got_query) = wire::parse_target(&signed.target());
    assert_eq!(got_path, want_path, "{name}: wire path");
    want_query.sort();
    got_query.sort();
    assert_eq!(got_query, want_query, "{name}: wire query");
}

/// Sign one case with the algorithm's signer and check every stage.
fn run_one(algo: &str, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/sign")
        .join(algo)
        .join(name);
    let case = load(dir);
    let mut req = case.request.clone();
    let sig = match algo {
        "huawei" => huawei::sign(&req, &case.creds, &case.stamp).apply_to(&mut req),
        "tc3" => {
            // The SDK signs content-type;host; doc cases may sign more, named in their
            // Authorization.
            let auth = read(&case.dir, "authorization.txt");
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
            let service = case.input["service"].as_str().unwrap();
            tc3::sign_headers(&req, &case.creds, &case.stamp, service, &extra).apply_to(&mut req)
        }
        "volc" => volc::sign(
            &req,
            &case.creds,
            &case.stamp,
            case.input["region"].as_str().unwrap(),
            case.input["service"].as_str().unwrap(),
        )
        .apply_to(&mut req),
        "acs3" => acs3::sign(&req, &case.creds, &case.stamp).apply_to(&mut req),
        other => panic!("unknown algorithm folder {other}"),
    };
    check(&case, &req, &sig);
}

/// One `#[test]` per vector folder, so a failure names its case (and `check` the stage).
macro_rules! vectors {
    ($module:ident = $algo:literal: $($test:ident => $dir:literal),* $(,)?) => {
        mod $module {
            pub const LISTED: &[&str] = &[$($dir),*];
            $(
                #[test]
                fn $test() {
                    super::run_one($algo, $dir);
                }
            )*
        }
    };
}

vectors!(huawei_vectors = "huawei":
        delete_encoded_slash => "delete-encoded-slash",
        delete_plus_percent_eq_amp => "delete-plus-percent-eq-amp",
        delete_space_unicode => "delete-space-unicode",
        delete_star_tilde_slash => "delete-star-tilde-slash",
        delete_token => "delete-token",
        doc_signing_guide => "doc-signing-guide",
        iam_list_auth_domains => "iam-list-auth-domains",
        list_expired_content => "list-expired-content",
        regression_delete => "regression-delete",
        regression_list => "regression-list",
);
vectors!(tc3_vectors = "tc3":
        delete_batch => "delete-batch",
        delete_plain => "delete-plain",
        delete_plus_percent_eq_amp => "delete-plus-percent-eq-amp",
        delete_space_unicode => "delete-space-unicode",
        delete_star_tilde_slash => "delete-star-tilde-slash",
        delete_token => "delete-token",
        doc_v3_example => "doc-v3-example",
        doc_v3_signed_action => "doc-v3-signed-action",
        empty_body => "empty-body",
        list_describe => "list-describe",
        regression_delete => "regression-delete",
        sts_get_caller_identity => "sts-get-caller-identity",
);
vectors!(volc_vectors = "volc":
        delete_plain => "delete-plain",
        delete_plus_percent_eq_amp => "delete-plus-percent-eq-amp",
        delete_space_unicode => "delete-space-unicode",
        delete_star_tilde_slash => "delete-star-tilde-slash",
        delete_token => "delete-token",
        doc_iam_listusers => "doc-iam-listusers",
        empty_body => "empty-body",
        list_certv2 => "list-certv2",
        query_awkward_value => "query-awkward-value",
        regression_delete => "regression-delete",
        sts_get_caller_identity => "sts-get-caller-identity",
);
vectors!(acs3_vectors = "acs3":
        cas_delete_cert => "cas-delete-cert",
        cas_delete_order => "cas-delete-order",
        cas_list => "cas-list",
        doc_v3_runinstances => "doc-v3-runinstances",
        regression_slb_delete => "regression-slb-delete",
        slb_delete => "slb-delete",
        slb_delete_plus_percent_eq_amp => "slb-delete-plus-percent-eq-amp",
        slb_delete_space_unicode => "slb-delete-space-unicode",
        slb_delete_star_tilde_slash => "slb-delete-star-tilde-slash",
        slb_delete_token => "slb-delete-token",
        slb_list => "slb-list",
        sts_get_caller_identity => "sts-get-caller-identity",
);

/// certdel's identity request (`provider::identity::request`) is the SDK's: built from the
/// vector's host, credentials and time alone, it carries exactly the vector's headers and body
/// and the SDK's Authorization and target.
fn identity_matches_sdk(algo: &str, name: &str, vendor: identity::Vendor) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/sign")
        .join(algo)
        .join(name);
    let case = load(dir);
    let endpoint = Endpoint::https(case.request.host.clone());
    let region = case.request.header_value("X-TC-Region");
    let req = identity::request(vendor, &endpoint, &case.creds, region, &case.stamp);
    assert_eq!(req.method, case.request.method, "{algo}/{name}: method");
    assert_eq!(req.body, case.request.body, "{algo}/{name}: body");
    let added: Value = serde_json::from_str(&read(&case.dir, "wire_headers.json")).unwrap();
    let mut want: Vec<(String, String)> = case.request.headers.clone();
    want.extend(pairs(&added));
    want.push((
        "Authorization".into(),
        read(&case.dir, "authorization.txt")
            .trim_end_matches('\n')
            .to_string(),
    ));
    let lower = |v: &[(String, String)]| {
        let mut v: Vec<(String, String)> = v
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(lower(&req.headers), lower(&want), "{algo}/{name}: headers");
    let sdk_target = read(&case.dir, "target.txt");
    let (want_path, mut want_query) = wire::parse_target(sdk_target.trim_end_matches('\n'));
    let (got_path, mut got_query) = wire::parse_target(&req.target());
    want_query.sort();
    got_query.sort();
    assert_eq!(
        (got_path, got_query),
        (want_path, want_query),
        "{algo}/{name}: target"
    );
}

#[test]
fn identity_requests_are_the_sdks() {
    use identity::Vendor::*;
    identity_matches_sdk("huawei", "iam-list-auth-domains", Huawei);
    identity_matches_sdk("tc3", "sts-get-caller-identity", Tencent);
    identity_matches_sdk("volc", "sts-get-caller-identity", Volcengine);
    identity_matches_sdk("acs3", "sts-get-caller-identity", Alibaba);
}

/// Every vector folder has its test above (a new folder fails here until it is listed), and
/// each algorithm keeps its doc, regression and SDK cases.
#[test]
fn every_vector_folder_has_a_test() {
    for (algo, listed) in [
        ("huawei", huawei_vectors::LISTED),
        ("tc3", tc3_vectors::LISTED),
        ("volc", volc_vectors::LISTED),
        ("acs3", acs3_vectors::LISTED),
    ] {
        let on_disk: Vec<String> = cases(algo)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let mut listed: Vec<String> = listed.iter().map(|s| s.to_string()).collect();
        listed.sort();
        assert_eq!(listed, on_disk, "{algo}: vector folders and tests differ");
        assert!(
            on_disk.len() >= 7,
            "{algo}: expected doc, regression and SDK cases"
        );
    }
}
