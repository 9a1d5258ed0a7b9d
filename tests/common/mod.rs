//! Shared helpers for the end-to-end tests: the fake cloud started in-process on 127.0.0.1,
//! and the real `certdel` binary run with a clean environment.
#![allow(dead_code, unused_imports)]

pub use certdel::provider::Kind;
pub use fake_cloud::{self as fake, CasKind, Cert, Config, Fault, Running, Seed, Step};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// `fixtures/fake/seed.json`.
pub fn seed_file() -> Seed {
    Seed::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fake/seed.json"))
        .expect("the demo seed loads")
}

pub fn start(seed: Seed) -> Running {
    start_config(Config::new(seed))
}

pub fn start_config(config: Config) -> Running {
    fake::start(config).expect("the fake cloud starts on 127.0.0.1")
}

/// One thing certdel can delete: a product, and for alibaba-cas which kind of id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub kind: Kind,
    pub cas: Option<CasKind>,
}

pub const HUAWEI: Target = Target {
    kind: Kind::HuaweiScm,
    cas: None,
};
pub const TENCENT: Target = Target {
    kind: Kind::TencentSsl,
    cas: None,
};
pub const VOLC: Target = Target {
    kind: Kind::VolcengineLive,
    cas: None,
};
pub const SLB: Target = Target {
    kind: Kind::AlibabaSlb,
    cas: None,
};
pub const CAS_ORDERS: Target = Target {
    kind: Kind::AlibabaCas,
    cas: Some(CasKind::Order),
};
pub const CAS_CERTS: Target = Target {
    kind: Kind::AlibabaCas,
    cas: Some(CasKind::Certificate),
};

/// Every product, with both alibaba-cas delete targets.
pub const TARGETS: [Target; 6] = [HUAWEI, TENCENT, VOLC, SLB, CAS_ORDERS, CAS_CERTS];

pub const REGION: &str = "cn-hangzhou";

impl Target {
    /// For messages: `alibaba-cas (order)`.
    pub fn label(&self) -> String {
        match self.cas {
            Some(k) => format!("{} ({k:?})", self.kind.name()),
            None => self.kind.name().to_string(),
        }
    }

    /// The provider subcommand plus the flags this target needs.
    pub fn args(&self) -> Vec<String> {
        let mut a = vec![];
        match (self.kind, self.cas) {
            (Kind::AlibabaSlb, _) => a.extend(["--region".to_string(), REGION.to_string()]),
            (Kind::AlibabaCas, Some(CasKind::Certificate)) => {
                a.extend(["--target".to_string(), "certificates".to_string()])
            }
            _ => {}
        }
        a.push(self.kind.name().to_string());
        a
    }

    /// The demo credentials (as `fixtures/fake/seed.json`) under the SDKs' variable names.
    pub fn env(&self) -> Vec<(String, String)> {
        let (ak, sk) = self.vars();
        let accounts = fake_cloud::store::demo_accounts();
        let keys = accounts.for_kind(self.kind).expect("demo account");
        let mut env = vec![
            (ak.to_string(), keys.access_key.clone()),
            (sk.to_string(), keys.secret_key.clone()),
        ];
        if self.kind == Kind::HuaweiScm {
            env.push((
                "HUAWEICLOUD_SDK_DOMAIN_ID".into(),
                keys.domain_id.clone().expect("demo domain id"),
            ));
        }
        env
    }

    /// The access-key and secret variable names.
    pub fn vars(&self) -> (&'static str, &'static str) {
        match self.kind {
            Kind::HuaweiScm => ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"),
            Kind::TencentSsl => ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"),
            Kind::VolcengineLive => ("VOLCENGINE_ACCESS_KEY", "VOLCENGINE_SECRET_KEY"),
            Kind::AlibabaSlb | Kind::AlibabaCas => (
                "ALIBABA_CLOUD_ACCESS_KEY_ID",
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            ),
        }
    }

    /// The session-token variable.
    pub fn token_var(&self) -> &'static str {
        match self.kind {
            Kind::HuaweiScm => "HUAWEICLOUD_SDK_SECURITY_TOKEN",
            Kind::TencentSsl => "TENCENTCLOUD_TOKEN",
            Kind::VolcengineLive => "VOLCENGINE_SESSION_TOKEN",
            Kind::AlibabaSlb | Kind::AlibabaCas => "ALIBABA_CLOUD_SECURITY_TOKEN",
        }
    }

    /// A valid-looking id, distinct per `n`.
    pub fn id(&self, n: u32) -> String {
        match (self.kind, self.cas) {
            (Kind::HuaweiScm, _) => format!("scs{:013}", 1_554_192_131_150u64 + n as u64),
            (Kind::TencentSsl, _) => format!("tcId{n:04}"),
            (Kind::VolcengineLive, _) => format!("be37f7c23b514c4987f486{n:010}"),
            (Kind::AlibabaSlb, _) => format!("1231579085529123_166f8204689_1714763408_{n}"),
            (_, Some(CasKind::Order)) => format!("{}", 67_890 + n),
            _ => format!("{}", 12_345 + n),
        }
    }

    /// A certificate this target can delete: right region, CAS kind and order status.
    pub fn cert(&self, id: &str) -> Cert {
        let c = Cert::new(id).name("e2e").domains(&["e2e.example.com"]);
        match (self.kind, self.cas) {
            (Kind::AlibabaSlb, _) => c.region(REGION),
            (_, Some(CasKind::Order)) => c.kind(CasKind::Order).status("CHECKED_FAIL"),
            (_, Some(CasKind::Certificate)) => c.kind(CasKind::Certificate),
            _ => c,
        }
    }

    /// A seed (demo accounts) holding these certificates.
    pub fn seed(&self, certs: impl IntoIterator<Item = Cert>) -> Seed {
        certs
            .into_iter()
            .fold(Seed::demo(), |s, c| s.with(self.kind, c))
    }

    /// Is this exact id (of this CAS kind) still in the fake's store?
    pub fn present(&self, fake: &Running, id: &str) -> bool {
        let store = fake.store();
        match self.cas {
            Some(k) => store.get_cas(k, id).is_some(),
            None => store.contains(self.kind, id),
        }
    }
}

/// What a certdel run produced.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// The stdout lines parsed as JSON (NDJSON output).
    pub fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}\n{self:?}"))
            })
            .collect()
    }

    /// The stdout line (text output) for this id: `<outcome>  <id>  ...`, the id as text
    /// output shows it (quoted when it holds whitespace, [`certdel::output::show_id`]).
    pub fn line_for(&self, id: &str) -> Option<&str> {
        let shown = certdel::output::show_id(id);
        let id: &str = &shown;
        self.stdout.lines().find(|l| {
            let Some((_, rest)) = l.split_once("  ") else {
                return false;
            };
            let rest = rest.trim_start();
            rest == id
                || rest.starts_with(&format!("{id}  "))
                || rest.starts_with(&format!("{id} ["))
        })
    }

    /// The outcome word of the line for this id.
    pub fn outcome(&self, id: &str) -> Option<&str> {
        self.line_for(id).and_then(|l| l.split_whitespace().next())
    }
}

/// A certdel invocation: arguments, the only environment variables it gets (plus PATH), and
/// optional stdin.
#[derive(Clone, Debug, Default)]
pub struct Certdel {
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub stdin: Option<String>,
}

/// A certdel invocation whose audit log (`CERTDEL_AUDIT_LOG`) goes to a file of its own under
/// the system temp dir, never to the home directory of whoever runs the tests.
pub fn certdel() -> Certdel {
    Certdel::default().env(AUDIT_LOG_VAR, &audit_log_path().to_string_lossy())
}

/// The variable that names certdel's audit log.
pub const AUDIT_LOG_VAR: &str = "CERTDEL_AUDIT_LOG";

/// A fresh audit-log path, unique in this test process (the file is not created here).
///
/// The folder is this process's own: its id plus its start time, since a later process may get
/// the same id and the log is appended to, never truncated.
pub fn audit_log_path() -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    static STARTED: std::sync::OnceLock<u128> = std::sync::OnceLock::new();
    let started = STARTED.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    });
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir()
        .join(format!(
            "certdel-test-audit-{}-{started}",
            std::process::id()
        ))
        .join(format!("{n}.jsonl"))
}

impl Certdel {
    /// Back off between retries for real: for tests of waiting (deadlines, budgets, throttling).
    pub fn real_backoff(self) -> Self {
        self.without_env(NO_RETRY_DELAY)
    }

    pub fn arg(mut self, a: impl Into<String>) -> Self {
        self.args.push(a.into());
        self
    }

    pub fn args<S: Into<String>>(mut self, a: impl IntoIterator<Item = S>) -> Self {
        self.args.extend(a.into_iter().map(Into::into));
        self
    }

    /// Set `--name value`, replacing an earlier value of the same flag.
    pub fn flag(mut self, name: &str, value: &str) -> Self {
        if let Some(i) = self.args.iter().position(|a| a == name) {
            self.args.drain(i..(i + 2).min(self.args.len()));
        }
        self.args(vec![name.to_string(), value.to_string()])
    }

    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.retain(|(name, _)| name != k);
        self.env.push((k.into(), v.into()));
        self
    }

    pub fn envs(mut self, vars: Vec<(String, String)>) -> Self {
        for (k, v) in vars {
            self = self.env(&k, &v);
        }
        self
    }

    pub fn without_env(mut self, k: &str) -> Self {
        self.env.retain(|(name, _)| name != k);
        self
    }

    pub fn stdin(mut self, s: &str) -> Self {
        self.stdin = Some(s.into());
        self
    }

    pub fn run(&self) -> Out {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_certdel"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("certdel starts");
        let mut stdin = child.stdin.take().expect("piped stdin");
        if let Some(s) = &self.stdin {
            // certdel may exit before reading everything (usage errors): ignore EPIPE.
            let _ = stdin.write_all(s.as_bytes());
        }
        drop(stdin);
        let out = child.wait_with_output().expect("certdel runs");
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// `certdel --endpoint <fake> --yes --rate 1000 --max-retries 1 --timeout 10 <target args>
/// delete <ids>` with the target's demo credentials.
pub fn delete(fake: &Running, target: Target, ids: &[&str]) -> Certdel {
    certdel()
        .args(["--endpoint", &fake.url(), "--yes", "--rate", "1000"])
        .args(["--max-retries", "1", "--timeout", "10"])
        .args(target.args())
        .arg("delete")
        .args(ids.iter().copied())
        .envs(target.env())
        // huawei-scm's domain-id lookup goes to IAM, which --endpoint does not redirect.
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", &fake.url())
        // Retries at once: the suites that test waiting remove it (`real_backoff`).
        .env(NO_RETRY_DELAY, "1")
}

/// Makes certdel retry without backoff (test-only; pacing is unchanged).
pub const NO_RETRY_DELAY: &str = "CERTDEL_TEST_NO_RETRY_DELAY";

/// The `fake-cloud` binary (its own crate) next to the `certdel` binary under test, built
/// first when missing or stale ([`fake::binary_beside`]).
pub fn fake_cloud_bin() -> std::path::PathBuf {
    static BUILT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            fake::binary_beside(
                Path::new(env!("CARGO_BIN_EXE_certdel")),
                root,
                &[root.join("src"), root.join("crates/fake-cloud/src")],
            )
        })
        .clone()
}
