//! `certdel <provider> whoami` and `--expect-account`, end to end: the real binary against the
//! fake cloud on every product. The accounts expected are the fake's own (its seed's
//! `Keys::account`: the account id, huawei-scm's domain id), never values read from certdel.

mod common;

use certdel::secret::mask_key;
use common::*;
use serde_json::Value;
use std::path::PathBuf;

/// One target per product (alibaba-cas once: its account does not depend on the target).
const PRODUCTS: [Target; 5] = [HUAWEI, TENCENT, VOLC, SLB, CAS_ORDERS];

/// The fake's name for each product's identity call.
fn identity_action(t: Target) -> &'static str {
    match t.kind {
        Kind::HuaweiScm => "KeystoneListAuthDomains",
        _ => "GetCallerIdentity",
    }
}

/// The account the fake answers for this product's demo keys.
fn account_of(seed: &Seed, t: Target) -> String {
    seed.accounts.for_kind(t.kind).expect("demo keys").account()
}

/// Every request goes to the fake: the product (`--endpoint`), huawei-scm's IAM and the STS
/// calls (`CERTDEL_STS_ENDPOINT`).
fn at_fake(cmd: Certdel, fake: &Running) -> Certdel {
    cmd.env("HUAWEICLOUD_SDK_IAM_ENDPOINT", &fake.url())
        .env("CERTDEL_STS_ENDPOINT", &fake.url())
}

fn whoami(fake: &Running, t: Target) -> Certdel {
    at_fake(
        certdel()
            .args(["--endpoint", &fake.url()])
            .args(["--max-retries", "1", "--timeout", "10"])
            .args(t.args())
            .arg("whoami")
            .envs(t.env())
            .env(NO_RETRY_DELAY, "1"),
        fake,
    )
}

fn demo_key(t: Target, which: usize) -> String {
    let (ak, sk) = t.vars();
    let name = [ak, sk][which];
    t.env().into_iter().find(|(k, _)| k == name).unwrap().1
}

/// The actions the fake received, in order.
fn actions(fake: &Running) -> Vec<String> {
    fake.requests().into_iter().map(|e| e.action).collect()
}

#[test]
fn whoami_shows_the_fakes_account_in_text_and_json_on_every_product() {
    for t in PRODUCTS {
        let l = t.label();
        let seed = t.seed([]);
        let account = account_of(&seed, t);
        let fake = start(seed);
        let (ak, sk) = (demo_key(t, 0), demo_key(t, 1));
        let (ak_var, sk_var) = t.vars();

        let out = whoami(&fake, t).run();
        assert_eq!(out.code, 0, "{l}: {out:?}");
        let line = |label: &str| {
            out.stdout
                .lines()
                .find(|x| x.starts_with(&format!("{label}:")))
                .map(|x| x.split_once(':').unwrap().1.trim().to_string())
                .unwrap_or_else(|| panic!("{l}: no {label} line: {out:?}"))
        };
        assert_eq!(line("provider"), t.kind.name(), "{l}");
        assert_eq!(line("account id"), account, "{l}");
        assert_eq!(line("endpoint"), fake.url(), "{l}");
        assert_eq!(line("identity endpoint"), fake.url(), "{l}");
        assert_eq!(line("access key id"), mask_key(&ak), "{l}");
        assert_eq!(
            line("credentials from"),
            format!("environment: {ak_var}, {sk_var}"),
            "{l}"
        );
        if t.kind == Kind::HuaweiScm {
            assert_eq!(line("principal"), "-", "{l}: IAM names no user");
        } else {
            assert!(line("principal").contains(&account), "{l}: {out:?}");
        }
        for shown in [&out.stdout, &out.stderr] {
            assert!(!shown.contains(&ak), "{l}: the whole key id: {shown}");
            assert!(!shown.contains(&sk), "{l}: the secret: {shown}");
        }
        assert_eq!(
            actions(&fake),
            [identity_action(t)],
            "{l}: one identity call"
        );

        let out = whoami(&fake, t).args(["--output", "json"]).run();
        assert_eq!(out.code, 0, "{l}: {out:?}");
        let objects = out.json_lines();
        assert_eq!(objects.len(), 1, "{l}: one object: {out:?}");
        let v = &objects[0];
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "access_key_id",
                "account_id",
                "account_name",
                "credential_source",
                "endpoint",
                "identity_endpoint",
                "identity_type",
                "principal",
                "provider",
                "region"
            ],
            "{l}"
        );
        assert_eq!(v["provider"], t.kind.name(), "{l}");
        assert_eq!(v["account_id"], account.as_str(), "{l}");
        assert_eq!(v["access_key_id"], mask_key(&ak).as_str(), "{l}");
        assert_eq!(v["identity_endpoint"], fake.url().as_str(), "{l}");
        assert!(!out.stdout.contains(&sk), "{l}");
        match t.kind {
            Kind::HuaweiScm => {
                assert!(
                    v["principal"].is_null() && v["identity_type"].is_null(),
                    "{l}"
                );
                assert!(v["account_name"].is_string(), "{l}: {v}");
            }
            _ => {
                assert!(v["identity_type"].is_string(), "{l}: {v}");
                assert!(v["account_name"].is_null(), "{l}: {v}");
            }
        }
        if t.kind == Kind::AlibabaSlb {
            assert_eq!(v["region"], REGION, "{l}");
        }

        // --output ids: the account id alone, for scripts.
        let out = whoami(&fake, t).args(["--output", "ids"]).run();
        assert_eq!((out.code, out.stdout.trim()), (0, account.as_str()), "{l}");
    }
}

#[test]
fn whoami_with_rejected_credentials_exits_2_on_every_product() {
    for t in PRODUCTS {
        let l = t.label();
        let fake = start(t.seed([]));
        let (_, sk_var) = t.vars();
        let out = whoami(&fake, t).env(sk_var, "not-the-secret").run();
        assert_eq!(out.code, 2, "{l}: {out:?}");
        assert!(out.stdout.is_empty(), "{l}: {out:?}");
        assert!(
            out.stderr
                .starts_with(&format!("certdel: {}: ", t.kind.name())),
            "{l}: {out:?}"
        );
        assert!(!out.stderr.contains("not-the-secret"), "{l}: {out:?}");
        // Rejected credentials are not retried.
        let sent = fake.requests();
        assert_eq!(sent.len(), 1, "{l}: {sent:?}");
        assert!(sent[0].auth_failed, "{l}: {sent:?}");
    }
}

#[test]
fn whoami_against_an_unreachable_identity_endpoint_exits_2_naming_the_host() {
    for t in PRODUCTS {
        let l = t.label();
        let fake = start(t.seed([]));
        // Port 1 on loopback: nothing listens there.
        let out = whoami(&fake, t)
            .env("CERTDEL_STS_ENDPOINT", "http://127.0.0.1:1")
            .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", "http://127.0.0.1:1")
            .run();
        assert_eq!(out.code, 2, "{l}: {out:?}");
        assert!(out.stdout.is_empty(), "{l}: {out:?}");
        assert!(
            out.stderr.contains("cannot reach 127.0.0.1:1"),
            "{l}: {out:?}"
        );
        assert!(fake.requests().is_empty(), "{l}");
    }
}

/// The audit log a [`Certdel`] invocation was given.
fn log_of(cmd: &Certdel) -> PathBuf {
    let (_, path) = cmd.env.iter().find(|(k, _)| k == AUDIT_LOG_VAR).unwrap();
    PathBuf::from(path)
}

fn records(cmd: &Certdel) -> Vec<Value> {
    std::fs::read_to_string(log_of(cmd))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_expected_account_lets_a_delete_proceed_on_every_product() {
    for t in TARGETS {
        let l = t.label();
        let id = t.id(1);
        let seed = t.seed([t.cert(&id)]);
        let account = account_of(&seed, t);
        let fake = start(seed);
        let cmd = at_fake(delete(&fake, t, &[&id]), &fake).args(["--expect-account", &account]);
        let out = cmd.run();
        assert_eq!(out.code, 0, "{l}: {out:?}");
        assert_eq!(out.outcome(&id), Some("deleted"), "{l}: {out:?}");
        assert!(!t.present(&fake, &id), "{l}");
        let sent = actions(&fake);
        assert_eq!(
            sent[0],
            identity_action(t),
            "{l}: the identity call first: {sent:?}"
        );
        assert_eq!(
            sent.iter().filter(|a| *a == identity_action(t)).count(),
            1,
            "{l}: one identity call: {sent:?}"
        );
        let recs = records(&cmd);
        assert_eq!(recs.len(), 1, "{l}");
        assert_eq!(
            recs[0]["account"],
            account.as_str(),
            "{l}: the checked account"
        );
    }
}

/// A refused run: exit 2 naming both accounts, every id skipped with that reason, only the
/// identity call sent, the certificates untouched, the log naming whose credentials they were.
fn assert_refused(fake: &Running, t: Target, cmd: &Certdel, ids: &[&str], from: &str) {
    let l = t.label();
    let account = account_of(&t.seed([]), t);
    let out = cmd.run();
    assert_eq!(out.code, 2, "{l}: {out:?}");
    let reason = format!(
        "{}: refusing to run: the credentials belong to account {account}, {from} says 999",
        t.kind.name()
    );
    assert!(out.stderr.contains(&reason), "{l}: {out:?}");
    for id in ids {
        assert_eq!(out.outcome(id), Some("skipped"), "{l}: {out:?}");
        assert!(out.line_for(id).unwrap().contains(&reason), "{l}: {out:?}");
        assert!(t.present(fake, id), "{l}: {id} untouched");
    }
    assert_eq!(
        actions(fake),
        [identity_action(t)],
        "{l}: nothing but the identity call"
    );
    let recs = records(cmd);
    assert_eq!(recs.len(), ids.len(), "{l}");
    for r in &recs {
        assert_eq!(r["outcome"], "skipped", "{l}");
        assert_eq!(r["account"], account.as_str(), "{l}");
    }
}

#[test]
fn another_account_refuses_the_delete_before_any_request_on_every_product() {
    for t in TARGETS {
        let (a, b) = (t.id(1), t.id(2));
        let fake = start(t.seed([t.cert(&a), t.cert(&b)]));
        let cmd = at_fake(delete(&fake, t, &[&a, &b]), &fake).args(["--expect-account", "999"]);
        assert_refused(&fake, t, &cmd, &[&a, &b], "--expect-account");
    }
}

#[test]
fn certdel_expect_account_works_as_the_flag() {
    for t in PRODUCTS {
        let id = t.id(1);
        let fake = start(t.seed([t.cert(&id)]));
        let cmd = at_fake(delete(&fake, t, &[&id]), &fake).env("CERTDEL_EXPECT_ACCOUNT", "999");
        assert_refused(&fake, t, &cmd, &[&id], "CERTDEL_EXPECT_ACCOUNT");

        let seed = t.seed([t.cert(&id)]);
        let account = account_of(&seed, t);
        let fake = start(seed);
        let out = at_fake(delete(&fake, t, &[&id]), &fake)
            .env("CERTDEL_EXPECT_ACCOUNT", &account)
            .run();
        assert_eq!(out.code, 0, "{}: {out:?}", t.label());
        assert!(!t.present(&fake, &id), "{}", t.label());
    }
}

#[test]
fn list_checks_the_expected_account_first_on_every_product() {
    for t in PRODUCTS {
        let l = t.label();
        let id = t.id(1);
        let seed = t.seed([t.cert(&id)]);
        let account = account_of(&seed, t);
        let fake = start(seed);
        let list = |expect: &str| {
            at_fake(
                certdel()
                    .args(["--endpoint", &fake.url(), "--output", "ids"])
                    .args(t.args())
                    .args(["list", "--expect-account", expect])
                    .envs(t.env())
                    .env(NO_RETRY_DELAY, "1"),
                &fake,
            )
            .run()
        };
        let out = list("999");
        assert_eq!(out.code, 2, "{l}: {out:?}");
        assert!(out.stdout.is_empty(), "{l}: {out:?}");
        assert!(
            out.stderr.contains(&format!(
                "the credentials belong to account {account}, --expect-account says 999"
            )),
            "{l}: {out:?}"
        );
        assert_eq!(actions(&fake), [identity_action(t)], "{l}: no list call");

        let out = list(&account);
        assert_eq!(out.code, 0, "{l}: {out:?}");
        assert!(out.stdout.lines().any(|x| x == id), "{l}: {out:?}");
    }
}

/// A scratch directory for one test's plan files.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("certdel-e2e-whoami-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `list --plan` records the account `--expect-account` checked; `delete --plan` then checks
/// the credentials against the plan's account with the identity call, before any delete.
#[test]
fn plans_record_the_checked_account_and_are_applied_only_in_it() {
    let dir = scratch("plans");
    for t in PRODUCTS {
        let l = t.label();
        let id = t.id(1);
        let seed = t.seed([t.cert(&id)]);
        let account = account_of(&seed, t);
        let fake = start(seed);
        let path = dir.join(format!("{}.json", t.kind.name()));
        let plan_arg = path.to_str().unwrap();
        // huawei-scm: its account from the IAM lookup (a given domain id is compared with the
        // plan's when the plan is read, as before).
        let base = || {
            at_fake(
                certdel()
                    .args(["--endpoint", &fake.url(), "--yes"])
                    .args(t.args())
                    .envs(t.env())
                    .without_env("HUAWEICLOUD_SDK_DOMAIN_ID")
                    .env(NO_RETRY_DELAY, "1"),
                &fake,
            )
        };
        let out = base()
            .args(["list", "--plan", plan_arg, "--expect-account", &account])
            .run();
        assert_eq!(out.code, 0, "{l}: {out:?}");
        let text = std::fs::read_to_string(&path).unwrap();
        let mut plan: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(plan["account"], account.as_str(), "{l}: {text}");

        // Made for another account: refused by the identity call, nothing deleted.
        plan["account"] = "999".into();
        std::fs::write(&path, serde_json::to_vec_pretty(&plan).unwrap()).unwrap();
        let before = fake.requests().len();
        let out = base().args(["delete", "--plan", plan_arg]).run();
        assert_eq!(out.code, 2, "{l}: {out:?}");
        let why = match t.kind {
            // huawei-scm's plans were checked against the account its lookup finds before.
            Kind::HuaweiScm => format!(
                "the plan was made for account \"999\", these credentials are for account \"{account}\" (found through IAM)"
            ),
            _ => format!(
                "the credentials belong to account {account}, the plan {plan_arg} says 999"
            ),
        };
        assert!(out.stderr.contains(&why), "{l}: {out:?}");
        let sent: Vec<String> = fake.requests()[before..]
            .iter()
            .map(|e| e.action.clone())
            .collect();
        assert_eq!(sent, [identity_action(t)], "{l}: only the identity call");
        assert!(t.present(&fake, &id), "{l}");
        // --expect-account naming another account than the plan: refused before anything.
        let before = fake.requests().len();
        let out = base()
            .args(["delete", "--plan", plan_arg, "--expect-account", &account])
            .run();
        assert_eq!(out.code, 2, "{l}: {out:?}");
        assert!(
            out.stderr.contains("the plan was made for account"),
            "{l}: {out:?}"
        );
        assert_eq!(fake.requests().len(), before, "{l}: nothing sent");

        // The plan's own account: deleted.
        plan["account"] = account.as_str().into();
        std::fs::write(&path, serde_json::to_vec_pretty(&plan).unwrap()).unwrap();
        let out = base().args(["delete", "--plan", plan_arg]).run();
        assert_eq!(out.code, 0, "{l}: {out:?}");
        assert!(!t.present(&fake, &id), "{l}");
    }
}
