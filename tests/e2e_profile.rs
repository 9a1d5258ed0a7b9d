//! Credentials from the official CLIs' files, end to end: the real binary with a temporary
//! `HOME` holding the vendor's file (tccli, aliyun, ve, the Huawei SDK), against the fake
//! cloud, on every product. The keys that work are the fake's demo keys; "wrong" keys are
//! keys the fake does not know, so a run signed with them cannot succeed.

mod common;

use common::*;
use std::path::{Path, PathBuf};

/// Keys the fake does not know.
const WRONG: (&str, &str) = ("WRONG-AK-0000", "wrong-secret-0000");

/// The fake's demo keys for `t`.
fn demo(t: Target) -> (String, String) {
    let keys = fake_cloud::store::demo_accounts();
    let k = keys.for_kind(t.kind).expect("demo keys").clone();
    (k.access_key, k.secret_key)
}

/// A fresh home directory for one test.
fn home(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("certdel-e2e-profile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn put(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    chmod(path, 0o600);
}

fn chmod(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

/// One profile: its name, keys and region.
struct Prof<'a> {
    name: &'a str,
    ak: &'a str,
    sk: &'a str,
    region: Option<&'a str>,
}

/// Write the vendor CLI's file for `t` under `home`, the first profile the default (tccli:
/// named `default`; aliyun and ve: `current`; Huawei: `[global]`, the first profile only,
/// with `extra` lines). Returns the file holding the secrets, as certdel names it.
fn write_profiles(home: &Path, t: Target, profiles: &[Prof], extra: &str) -> (PathBuf, String) {
    match t.kind {
        Kind::TencentSsl => {
            for p in profiles {
                put(
                    &home.join(format!(".tccli/{}.credential", p.name)),
                    &format!(r#"{{"secretId":"{}","secretKey":"{}"}}"#, p.ak, p.sk),
                );
                if let Some(r) = p.region {
                    put(
                        &home.join(format!(".tccli/{}.configure", p.name)),
                        &format!(r#"{{"_sys_param":{{"region":"{r}"}}}}"#),
                    );
                }
            }
            let first = profiles[0].name;
            (
                home.join(format!(".tccli/{first}.credential")),
                format!("~/.tccli/{first}.credential"),
            )
        }
        Kind::AlibabaSlb | Kind::AlibabaCas => {
            let list: Vec<String> = profiles
                .iter()
                .map(|p| {
                    format!(
                        r#"{{"name":"{}","mode":"AK","access_key_id":"{}","access_key_secret":"{}","region_id":"{}"}}"#,
                        p.name,
                        p.ak,
                        p.sk,
                        p.region.unwrap_or("")
                    )
                })
                .collect();
            let path = home.join(".aliyun/config.json");
            put(
                &path,
                &format!(
                    r#"{{"current":"{}","profiles":[{}]}}"#,
                    profiles[0].name,
                    list.join(",")
                ),
            );
            (path, "~/.aliyun/config.json".into())
        }
        Kind::VolcengineLive => {
            let map: Vec<String> = profiles
                .iter()
                .map(|p| {
                    format!(
                        r#""{0}":{{"name":"{0}","mode":"ak","access-key":"{1}","secret-key":"{2}","region":"{3}"}}"#,
                        p.name,
                        p.ak,
                        p.sk,
                        p.region.unwrap_or("cn-beijing")
                    )
                })
                .collect();
            let path = home.join(".volcengine/config.json");
            put(
                &path,
                &format!(
                    r#"{{"current":"{}","profiles":{{{}}}}}"#,
                    profiles[0].name,
                    map.join(",")
                ),
            );
            (path, "~/.volcengine/config.json".into())
        }
        Kind::HuaweiScm => {
            let p = &profiles[0];
            let path = home.join(".huaweicloud/credentials");
            put(
                &path,
                &format!("[global]\nak = {}\nsk = {}\n{extra}", p.ak, p.sk),
            );
            (path, "~/.huaweicloud/credentials".into())
        }
    }
}

/// The default profile with the fake's demo keys (Huawei: with the demo domain id, so that
/// no lookup is needed).
fn demo_profile(home: &Path, t: Target) -> (PathBuf, String) {
    let (ak, sk) = demo(t);
    write_profiles(
        home,
        t,
        &[Prof {
            name: "default",
            ak: &ak,
            sk: &sk,
            region: None,
        }],
        "domain_id = demo-domain-id-0001\n",
    )
}

/// `delete` against the fake with `HOME` set and no credential variable.
fn delete_with_home(fake: &Running, t: Target, home: &Path, ids: &[&str]) -> Certdel {
    let (ak, sk) = t.vars();
    delete(fake, t, ids)
        .without_env(ak)
        .without_env(sk)
        .without_env("HUAWEICLOUD_SDK_DOMAIN_ID")
        .env("HOME", home.to_str().unwrap())
}

fn actions(fake: &Running) -> Vec<String> {
    fake.requests().into_iter().map(|e| e.action).collect()
}

#[test]
fn a_delete_signed_with_the_default_profiles_keys_succeeds_on_every_provider() {
    for t in TARGETS {
        let l = t.label();
        let id = t.id(1);
        let fake = start(t.seed([t.cert(&id)]));
        let h = home(&format!("default-{}", l.replace([' ', '(', ')'], "")));
        demo_profile(&h, t);
        let out = delete_with_home(&fake, t, &h, &[&id]).run();
        assert_eq!(out.code, 0, "{l}: {out:?}");
        assert_eq!(out.outcome(&id), Some("deleted"), "{l}: {out:?}");
        assert!(!t.present(&fake, &id), "{l}");
        assert!(!out.stderr.contains("warning"), "{l}: {out:?}");
        let (_, sk) = demo(t);
        assert!(
            !out.stdout.contains(&sk) && !out.stderr.contains(&sk),
            "{l}: the secret shown: {out:?}"
        );
        // Nor at the most verbose: every request and signature described, no secret.
        let id2 = t.id(11);
        let fake2 = start(t.seed([t.cert(&id2)]));
        let out = delete_with_home(&fake2, t, &h, &[&id2]).arg("-vv").run();
        assert_eq!(out.code, 0, "{l} -vv: {out:?}");
        assert!(!out.stderr.is_empty(), "{l}: -vv says something");
        assert!(
            !out.stdout.contains(&sk) && !out.stderr.contains(&sk),
            "{l} -vv: the secret shown: {out:?}"
        );
        if t.kind == Kind::HuaweiScm {
            // The file's domain_id: no account-id lookup.
            assert!(
                !actions(&fake)
                    .iter()
                    .any(|a| a == "KeystoneListAuthDomains"),
                "{l}: {:?}",
                actions(&fake)
            );
        }
    }
}

#[test]
fn another_profile_is_picked_by_the_flag_or_the_profile_variable() {
    for t in TARGETS {
        let l = t.label();
        let (ak, sk) = demo(t);
        let h = home(&format!("other-{}", l.replace([' ', '(', ')'], "")));
        write_profiles(
            &h,
            t,
            &[
                Prof {
                    name: "default",
                    ak: WRONG.0,
                    sk: WRONG.1,
                    region: None,
                },
                Prof {
                    name: "other",
                    ak: &ak,
                    sk: &sk,
                    region: None,
                },
            ],
            "",
        );
        let id = t.id(2);
        let fake = start(t.seed([t.cert(&id)]));
        if t.kind == Kind::HuaweiScm {
            let out = delete_with_home(&fake, t, &h, &[&id])
                .args(["--profile", "other"])
                .run();
            assert_eq!(out.code, 2, "{l}: {out:?}");
            assert!(
                out.stderr.contains("huawei-scm: --profile: the Huawei SDK credentials file has no named profiles; use HUAWEICLOUD_SDK_CREDENTIALS_FILE"),
                "{l}: {out:?}"
            );
            assert!(fake.requests().is_empty(), "{l}: nothing sent");
            continue;
        }
        // The default profile's keys are refused: nothing deleted.
        let out = delete_with_home(&fake, t, &h, &[&id]).run();
        assert_ne!(out.code, 0, "{l}: {out:?}");
        assert!(t.present(&fake, &id), "{l}");
        // The variable names the profile.
        let var = certdel::provider::Vendor::of(t.kind)
            .profile_var()
            .expect("a profile variable");
        let out = delete_with_home(&fake, t, &h, &[&id])
            .env(var, "other")
            .run();
        assert_eq!(out.code, 0, "{l} {var}: {out:?}");
        assert!(!t.present(&fake, &id), "{l}");
        // --profile wins over the variable.
        let id = t.id(3);
        let fake = start(t.seed([t.cert(&id)]));
        let out = delete_with_home(&fake, t, &h, &[&id])
            .env(var, "default")
            .args(["--profile", "other"])
            .run();
        assert_eq!(out.code, 0, "{l} --profile: {out:?}");
        assert_eq!(out.outcome(&id), Some("deleted"), "{l}: {out:?}");
        // A profile that is not there: exit 2, the profiles there named, nothing sent.
        let fake = start(t.seed([t.cert(&id)]));
        let out = delete_with_home(&fake, t, &h, &[&id])
            .args(["--profile", "missing"])
            .run();
        assert_eq!(out.code, 2, "{l}: {out:?}");
        assert!(
            out.stderr.contains("no profile missing (from --profile)"),
            "{l}: {out:?}"
        );
        assert!(fake.requests().is_empty(), "{l}: nothing sent");
    }
}

#[test]
fn credential_variables_win_over_the_file_unless_a_profile_is_named() {
    for t in TARGETS {
        let l = t.label();
        let h = home(&format!("env-{}", l.replace([' ', '(', ')'], "")));
        write_profiles(
            &h,
            t,
            &[Prof {
                name: "default",
                ak: WRONG.0,
                sk: WRONG.1,
                region: None,
            }],
            "",
        );
        let id = t.id(4);
        let fake = start(t.seed([t.cert(&id)]));
        // `delete` sets the demo keys in the environment.
        let out = delete(&fake, t, &[&id])
            .env("HOME", h.to_str().unwrap())
            .run();
        assert_eq!(out.code, 0, "{l}: {out:?}");
        assert!(!t.present(&fake, &id), "{l}");
        if t.kind == Kind::HuaweiScm {
            continue;
        }
        // --profile takes the file's keys whatever the environment says.
        let id = t.id(5);
        let fake = start(t.seed([t.cert(&id)]));
        let out = delete(&fake, t, &[&id])
            .env("HOME", h.to_str().unwrap())
            .args(["--profile", "default"])
            .run();
        assert_ne!(out.code, 0, "{l}: {out:?}");
        assert!(t.present(&fake, &id), "{l}");
    }
}

/// `whoami` against the fake, credentials from `home` only.
fn whoami_with_home(fake: &Running, t: Target, home: &Path) -> Certdel {
    let (ak, sk) = t.vars();
    certdel()
        .args(["--endpoint", &fake.url(), "--max-retries", "1"])
        .args(t.args())
        .arg("whoami")
        .env("HOME", home.to_str().unwrap())
        .env("CERTDEL_STS_ENDPOINT", &fake.url())
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", &fake.url())
        .env(NO_RETRY_DELAY, "1")
        .without_env(ak)
        .without_env(sk)
}

fn line(out: &Out, label: &str) -> String {
    out.stdout
        .lines()
        .find(|x| x.starts_with(&format!("{label}:")))
        .map(|x| x.split_once(':').unwrap().1.trim().to_string())
        .unwrap_or_else(|| panic!("no {label} line: {out:?}"))
}

#[test]
fn the_profiles_region_is_used_when_neither_flag_nor_variable_gives_one() {
    // alibaba-slb: no --region needed; the certificate is deleted in the profile's region.
    let t = SLB;
    let (ak, sk) = demo(t);
    let h = home("region-slb");
    write_profiles(
        &h,
        t,
        &[Prof {
            name: "default",
            ak: &ak,
            sk: &sk,
            region: Some(REGION),
        }],
        "",
    );
    let id = t.id(6);
    let fake = start(t.seed([t.cert(&id)]));
    let mut cmd = delete_with_home(&fake, t, &h, &[&id]);
    let at = cmd.args.iter().position(|a| a == "--region").unwrap();
    cmd.args.drain(at..at + 2);
    let out = cmd.run();
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.outcome(&id), Some("deleted"), "{out:?}");
    let targets: Vec<String> = fake.requests().into_iter().map(|e| e.target).collect();
    assert!(
        targets
            .iter()
            .all(|t| t.contains(&format!("RegionId={REGION}"))),
        "{targets:?}"
    );

    // tencent-ssl and alibaba-cas: whoami shows the region the run uses, and where the
    // credentials came from; --region and the region variable override the profile's.
    for (t, region, flag_region, var, source) in [
        (
            TENCENT,
            "ap-shanghai",
            "ap-beijing",
            "TENCENTCLOUD_REGION",
            "~/.tccli/default.credential, profile default",
        ),
        (
            CAS_ORDERS,
            "cn-shanghai",
            "cn-beijing",
            "ALIBABA_CLOUD_REGION_ID",
            "~/.aliyun/config.json, profile default",
        ),
    ] {
        let l = t.label();
        let (ak, sk) = demo(t);
        let h = home(&format!("region-{}", t.kind.name()));
        write_profiles(
            &h,
            t,
            &[Prof {
                name: "default",
                ak: &ak,
                sk: &sk,
                region: Some(region),
            }],
            "",
        );
        let fake = start(t.seed([]));
        let out = whoami_with_home(&fake, t, &h).run();
        assert_eq!(out.code, 0, "{l}: {out:?}");
        assert_eq!(line(&out, "region"), region, "{l}");
        assert_eq!(line(&out, "credentials from"), source, "{l}");
        let out = whoami_with_home(&fake, t, &h)
            .args(["--region", flag_region])
            .run();
        assert_eq!(line(&out, "region"), flag_region, "{l}: {out:?}");
        let out = whoami_with_home(&fake, t, &h).env(var, flag_region).run();
        assert_eq!(line(&out, "region"), flag_region, "{l}: {out:?}");
    }
}

#[test]
fn huawei_looks_the_account_up_at_the_files_iam_endpoint_without_a_domain_id() {
    let t = HUAWEI;
    let (ak, sk) = demo(t);
    let id = t.id(7);
    let fake = start(t.seed([t.cert(&id)]));
    let h = home("huawei-iam");
    write_profiles(
        &h,
        t,
        &[Prof {
            name: "default",
            ak: &ak,
            sk: &sk,
            region: None,
        }],
        &format!("iam_endpoint = {}\n", fake.url()),
    );
    let out = delete_with_home(&fake, t, &h, &[&id])
        .without_env("HUAWEICLOUD_SDK_IAM_ENDPOINT")
        .run();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!t.present(&fake, &id));
    let acts = actions(&fake);
    assert_eq!(
        acts.iter()
            .filter(|a| *a == "KeystoneListAuthDomains")
            .count(),
        1,
        "{acts:?}"
    );
}

#[test]
fn a_malformed_file_exits_2_naming_the_path_and_sends_nothing() {
    for t in TARGETS {
        let l = t.label();
        let h = home(&format!("malformed-{}", l.replace([' ', '(', ')'], "")));
        let (path, shown) = demo_profile(&h, t);
        let broken = if t.kind == Kind::HuaweiScm {
            "[global\nak = x\n"
        } else {
            "{\"secretId\": "
        };
        put(&path, broken);
        let id = t.id(8);
        let fake = start(t.seed([t.cert(&id)]));
        let out = delete_with_home(&fake, t, &h, &[&id]).run();
        assert_eq!(out.code, 2, "{l}: {out:?}");
        assert!(
            out.stderr
                .contains(&format!("certdel: {}: {shown}", t.kind.name())),
            "{l}: {out:?}"
        );
        assert!(out.stdout.is_empty(), "{l}: {out:?}");
        assert!(fake.requests().is_empty(), "{l}: nothing sent");
        assert!(t.present(&fake, &id), "{l}");
    }
}

#[cfg(unix)]
#[test]
fn a_file_open_to_group_or_others_is_warned_about_once_on_stderr() {
    for t in TARGETS {
        let l = t.label();
        let h = home(&format!("mode-{}", l.replace([' ', '(', ')'], "")));
        let (path, shown) = demo_profile(&h, t);
        chmod(&path, 0o644);
        let id = t.id(9);
        let fake = start(t.seed([t.cert(&id)]));
        let out = delete_with_home(&fake, t, &h, &[&id]).run();
        assert_eq!(out.code, 0, "{l}: {out:?}");
        let warning = format!(
            "warning: {shown} holds secrets and is open to group or others (mode 0644): run chmod 600 {shown}"
        );
        let warnings: Vec<&str> = out
            .stderr
            .lines()
            .filter(|x| x.contains("warning"))
            .collect();
        assert_eq!(warnings, [format!("certdel: {warning}")], "{l}: {out:?}");
        assert!(!out.stdout.contains("warning"), "{l}: {out:?}");
        // -q: results and errors only; the advice is not one of them.
        let id = t.id(10);
        let fake = start(t.seed([t.cert(&id)]));
        let out = delete_with_home(&fake, t, &h, &[&id]).arg("-q").run();
        assert_eq!(out.code, 0, "{l}: {out:?}");
        assert!(!out.stderr.contains("warning"), "{l} -q: {out:?}");
        assert!(!t.present(&fake, &id), "{l} -q: still deleted");
    }
}

/// A sweep target whose credentials come from a file open to others gets the same one-line
/// advice, and `-q` leaves it out there too.
#[cfg(unix)]
#[test]
fn a_sweep_target_from_a_file_open_to_others_is_warned_about_unless_quiet() {
    let t = TENCENT;
    let h = home("mode-sweep");
    let (path, shown) = demo_profile(&h, t);
    chmod(&path, 0o644);
    let expired = chrono::Utc::now() - chrono::Duration::days(30);
    for quiet in [false, true] {
        let id = t.id(if quiet { 12 } else { 11 });
        let fake = start(t.seed([t.cert(&id).not_after(expired)]));
        let policy = h.join(format!("sweep-{quiet}.toml"));
        std::fs::write(
            &policy,
            format!(
                "[selection]\nexpired_for = \"1d\"\n[guards]\nmax_deletions = 5\n\
                 [[targets]]\nprovider = \"tencent-ssl\"\nprofile = \"default\"\n\
                 endpoint = \"{}\"\nexpect_account = \"any\"\n",
                fake.url()
            ),
        )
        .unwrap();
        let (ak, sk) = t.vars();
        let mut cmd = certdel()
            .without_env(ak)
            .without_env(sk)
            .env("HOME", h.to_str().unwrap())
            .env("CERTDEL_STS_ENDPOINT", &fake.url())
            .args(["sweep", "--policy", policy.to_str().unwrap(), "--yes"]);
        if quiet {
            cmd = cmd.arg("-q");
        }
        let out = cmd.run();
        assert_eq!(out.code, 0, "quiet {quiet}: {out:?}");
        assert!(!t.present(&fake, &id), "quiet {quiet}: swept");
        let warned = out.stderr.contains(&format!(
            "certdel: warning: tencent-ssl-1: {shown} holds secrets and is open to group or others"
        ));
        assert_eq!(warned, !quiet, "quiet {quiet}: {out:?}");
    }
}
