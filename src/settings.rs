//! Command line + environment + the vendor CLIs' credential files → one checked
//! [`Settings`]. The only code that reads the environment (the files are read by
//! [`crate::profile`]); nothing after it looks at the raw CLI struct.
//!
//! This module only dispatches: a run's provider account is a [`ProviderChoice`], and
//! [`provider_settings`] hands it to the vendor ([`crate::provider::vendor`]: whose
//! credentials, from where) and to the provider's own module (`locate`: its regions,
//! endpoint and its own `Config`). A sweep policy's targets go through the same function.

use crate::cert::FilterSpec;
use crate::cli::{AuditArgs, CasTargetArg, Cli, Invocation, OutputFormat, TopLevel, Verb};
use crate::endpoint::Endpoint;
use crate::error::Error;
pub use crate::provider::config::{
    region_syntax_ok, CasTarget, ExpectedAccount, Location, ProviderChoice, ProviderSettings,
    Purpose, RegionDefault, Specific,
};
use crate::provider::vendor::{self, Found};
use crate::provider::{
    alibaba_cas, alibaba_slb, huawei_scm, identity, tencent_ssl, volcengine_live, Kind, Vendor,
};
use crate::secret::Secret;
use crate::time::When;
use crate::wire::header_safe;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The variable that gives `--expect-account` when the flag is not given.
pub const EXPECT_ACCOUNT_VAR: &str = "CERTDEL_EXPECT_ACCOUNT";

/// `--expect-account`, else `CERTDEL_EXPECT_ACCOUNT`: an account id as the vendors write
/// them (visible ASCII, no space), so that it can be compared and shown as it is.
fn expect_account(
    flag: Option<String>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<ExpectedAccount>, Error> {
    let (id, from) = match flag {
        Some(id) => (id, "--expect-account"),
        None => match env(EXPECT_ACCOUNT_VAR) {
            Some(id) => (id, EXPECT_ACCOUNT_VAR),
            None => return Ok(None),
        },
    };
    if !header_safe(&id) {
        return Err(Error::usage(format!(
            "{from} '{id}': an account id has only visible ASCII characters, no spaces; give the account id `certdel <provider> whoami` shows"
        )));
    }
    Ok(Some(ExpectedAccount {
        id,
        from: from.into(),
    }))
}

/// How hard to push: pacing, concurrency, retries, timeouts.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSettings {
    /// Requests per second; `None` = the provider's documented quota.
    pub rate: Option<f64>,
    /// `None` = derived from the rate.
    pub concurrency: Option<usize>,
    pub max_retries: u32,
    pub timeout: Duration,
    pub deadline: Option<Duration>,
    /// Most time one exchange (a request with its retries) may take.
    pub retry_timeout: Duration,
    /// `CERTDEL_TEST_NO_RETRY_DELAY` is set: retries follow at once, without backoff (for test
    /// suites where the waiting is not what is tested; pacing is unchanged).
    pub no_retry_delay: bool,
    /// Outbound proxy for https requests, from the environment.
    pub proxy: Option<Proxy>,
    /// Certificate authorities trusted besides the built-in and platform roots.
    pub trust: Trust,
}

/// An outbound proxy taken from `HTTPS_PROXY` (or `ALL_PROXY`, either case), with the hosts in
/// `NO_PROXY` going direct, as curl and the vendor SDKs honour them. Loopback endpoints
/// (plain http) never go through it. The URL may hold credentials, so it is a [`Secret`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proxy {
    pub url: Secret,
    pub no_proxy: Option<String>,
}

fn proxy(env: &dyn Fn(&str) -> Option<String>) -> Result<Option<Proxy>, Error> {
    let Some((name, url)) = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
        .iter()
        .find_map(|n| env(n).map(|v| (*n, v)))
    else {
        return Ok(None);
    };
    // The value is not echoed: it may carry a user and password.
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("http" | "https") => {}
        Some(s) if s.starts_with("socks") => {
            return Err(Error::usage(format!(
                "{name}: SOCKS proxies are not supported; use an http:// or https:// proxy"
            )))
        }
        _ => {
            return Err(Error::usage(format!(
                "{name} is not a proxy URL: expected http://host:port (or https://)"
            )))
        }
    }
    let no_proxy = ["NO_PROXY", "no_proxy"].iter().find_map(|n| env(n));
    Ok(Some(Proxy {
        url: Secret::new(url),
        no_proxy,
    }))
}

/// Certificate authorities trusted on top of the compiled-in Mozilla roots and the platform's
/// store: every certificate in the PEM file `SSL_CERT_FILE` names and in the PEM files of the
/// directories `SSL_CERT_DIR` names (`:`-separated, `;` on Windows, as OpenSSL reads them).
///
/// certdel reads the two variables here, itself, so that their certificates are *added*:
/// rustls-native-certs also looks at them, but when either is set it loads those files
/// *instead of* the platform store. [`crate::transport`] therefore gets the files from here
/// and, when they are set, loads the platform's certificate directories explicitly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trust {
    /// Every certificate found, once, in the order found.
    pub extra: Vec<ExtraRoot>,
    /// Load the platform's store (`false` only in tests and measurements).
    pub platform: bool,
}

impl Default for Trust {
    fn default() -> Self {
        Trust {
            extra: Vec::new(),
            platform: true,
        }
    }
}

/// One certificate from `SSL_CERT_FILE` or `SSL_CERT_DIR`, with where it came from (for
/// messages).
#[derive(Clone, PartialEq, Eq)]
pub struct ExtraRoot {
    pub var: &'static str,
    pub path: PathBuf,
    /// The certificate, DER.
    pub der: Vec<u8>,
}

impl std::fmt::Debug for ExtraRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}={} ({} bytes)",
            self.var,
            self.path.display(),
            self.der.len()
        )
    }
}

fn trust(env: &dyn Fn(&str) -> Option<String>) -> Result<Trust, Error> {
    let mut extra: Vec<ExtraRoot> = Vec::new();
    let mut add = |var: &'static str, path: &Path, ders: Vec<Vec<u8>>| {
        for der in ders {
            // `openssl rehash` directories hold each certificate under several names.
            if !extra.iter().any(|e| e.der == der) {
                extra.push(ExtraRoot {
                    var,
                    path: path.to_path_buf(),
                    der,
                });
            }
        }
    };
    const FILE: &str = "SSL_CERT_FILE";
    const DIR: &str = "SSL_CERT_DIR";
    if let Some(file) = env(FILE) {
        let path = Path::new(&file);
        let ders = pem_certificates(FILE, path)?;
        if ders.is_empty() {
            return Err(Error::usage(format!(
                "{FILE}={}: no PEM certificate in the file (no -----BEGIN CERTIFICATE----- block); point {FILE} at a PEM file of CA certificates, or unset it",
                path.display()
            )));
        }
        add(FILE, path, ders);
    }
    if let Some(dirs) = env(DIR) {
        for dir in std::env::split_paths(&dirs).filter(|d| !d.as_os_str().is_empty()) {
            let entries = std::fs::read_dir(&dir).map_err(|e| {
                Error::usage(format!(
                    "{DIR}: cannot read the directory {} ({e}); point {DIR} at directories of PEM CA certificates, or unset it",
                    dir.display()
                ))
            })?;
            let mut paths: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                // Follows symlinks; dangling links and subdirectories are not certificates.
                .filter(|p| p.is_file())
                .collect();
            paths.sort();
            let mut found = 0;
            for path in paths {
                let ders = pem_certificates(DIR, &path)?;
                found += ders.len();
                add(DIR, &path, ders);
            }
            if found == 0 {
                return Err(Error::usage(format!(
                    "{DIR}: no PEM certificate in any file of the directory {}; point {DIR} at directories of PEM CA certificates, or unset it",
                    dir.display()
                )));
            }
        }
    }
    Ok(Trust {
        extra,
        platform: true,
    })
}

/// The certificates (DER) of a PEM file; other PEM sections (keys, CRLs) and text around
/// them are skipped.
fn pem_certificates(var: &str, path: &Path) -> Result<Vec<Vec<u8>>, Error> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let bytes = std::fs::read(path).map_err(|e| {
        Error::usage(format!(
            "{var}: cannot read {} ({e}); point {var} at a readable PEM file of CA certificates, or unset it",
            path.display()
        ))
    })?;
    CertificateDer::pem_slice_iter(&bytes)
        .map(|c| {
            c.map(|c| c.as_ref().to_vec()).map_err(|e| {
                Error::usage(format!(
                    "{var}: {}: a certificate in the file cannot be read ({e}); fix or remove it",
                    path.display()
                ))
            })
        })
        .collect()
}

#[derive(Clone, Debug)]
pub enum Command {
    Delete {
        /// Ids as given on the command line; `["-"]` means read them from stdin. Empty with
        /// a plan.
        ids: Vec<String>,
        /// Use the provider's bulk delete for two or more ids (tencent-ssl; `--no-batch`).
        batch: bool,
        /// How long to wait for asynchronous deletions; `None` = do not wait (`--no-wait`).
        wait: Option<Duration>,
        /// Outcomes that count as success for the exit status (`--accept`).
        accept: Vec<crate::outcome::Status>,
        /// `--dry-run`: resolve the ids against a listing and send no delete request.
        dry_run: bool,
        /// `--plan FILE`: delete the plan's certificates instead of ids.
        plan: Option<PlanSource>,
    },
    List {
        filter: FilterSpec,
        /// `--plan FILE`: also write the listing there ([`crate::planfile`]).
        plan: Option<PathBuf>,
    },
    /// Which account the credentials belong to (one identity call).
    Whoami,
}

/// `delete --plan FILE` and how old the plan may be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanSource {
    pub path: PathBuf,
    /// `--plan-max-age`.
    pub max_age: Duration,
}

/// The default `--plan-max-age`: a plan reviewed today is applied today.
pub const DEFAULT_PLAN_MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// The default `--wait-timeout`.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(60);

#[derive(Clone, Debug)]
pub struct Settings {
    pub provider: ProviderSettings,
    pub command: Command,
    pub output: OutputFormat,
    pub yes: bool,
    pub run: RunSettings,
    /// Where a delete run appends its audit log ([`crate::audit`]); `Off` for listings.
    pub audit: AuditTarget,
    /// `-v`, `-vv`, `-q`: which diagnostics go to stderr ([`crate::diagnostics`]).
    pub verbosity: crate::diagnostics::Verbosity,
    /// `NO_COLOR` is set (not empty): diagnostics in plain text even on a terminal.
    pub no_color: bool,
    /// For stderr, once, before the run: what is wrong but not fatal in the profile the
    /// credentials came from (its file open to group or others).
    pub warnings: Vec<String>,
}

/// Whether and where the audit log is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditTarget {
    /// `--no-audit-log`, or a command that deletes nothing.
    Off,
    Path(PathBuf),
}

/// The variable that names the audit log when `--audit-log` is not given.
pub const AUDIT_LOG_VAR: &str = "CERTDEL_AUDIT_LOG";

/// The audit log of a delete run: `--no-audit-log` (off), `--audit-log PATH`,
/// `CERTDEL_AUDIT_LOG`, `$XDG_STATE_HOME/certdel/audit.jsonl` (only when XDG_STATE_HOME is an
/// absolute path: the XDG Base Directory specification says to ignore a relative one),
/// `$HOME/.local/state/certdel/audit.jsonl` (the specification's default; HOME absolute too),
/// in that order. No place at all is a usage error naming the overrides.
pub fn audit_target(
    flags: &AuditArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<AuditTarget, Error> {
    if flags.no_audit_log {
        return Ok(AuditTarget::Off);
    }
    if let Some(path) = &flags.audit_log {
        if path.as_os_str().is_empty() {
            return Err(Error::usage(
                "--audit-log: the path is empty; give a file, or --no-audit-log",
            ));
        }
        return Ok(AuditTarget::Path(path.clone()));
    }
    if let Some(path) = env(AUDIT_LOG_VAR) {
        return Ok(AuditTarget::Path(PathBuf::from(path)));
    }
    let absolute = |var: &str| env(var).map(PathBuf::from).filter(|p| p.is_absolute());
    if let Some(state) = absolute("XDG_STATE_HOME") {
        return Ok(AuditTarget::Path(state.join("certdel").join("audit.jsonl")));
    }
    if let Some(home) = absolute("HOME") {
        return Ok(AuditTarget::Path(
            home.join(".local/state/certdel/audit.jsonl"),
        ));
    }
    Err(Error::usage(format!(
        "nowhere to write the audit log: neither XDG_STATE_HOME nor HOME is set to an absolute path; {}",
        crate::error::AUDIT_OVERRIDES
    )))
}

/// A provider account's settings, and the warnings of the profile file they came from.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub provider: ProviderSettings,
    /// For stderr, once, before the run: what is wrong but not fatal in the profile the
    /// credentials came from (its file open to group or others).
    pub warnings: Vec<String>,
}

/// The settings of one provider account: `choice` checked, the credentials found by the
/// vendor's chain, the region(s), endpoint and provider's own configuration decided by the
/// provider's module (huawei-scm's: its IAM endpoint and domain id), and the identity
/// endpoint. Reads the environment through `env` (empty
/// values count as unset) and the vendor CLI's files under `HOME`.
pub fn provider_settings(
    choice: &ProviderChoice,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Resolved, Error> {
    let env = |name: &str| env(name).filter(|v| !v.is_empty());
    let kind = choice.kind;
    if choice.check_resources && kind != Kind::TencentSsl {
        return Err(Error::usage(
            "--check-resources applies to tencent-ssl only",
        ));
    }
    if choice.cas_target != CasTarget::Orders && kind != Kind::AlibabaCas {
        return Err(Error::usage("--target applies to alibaba-cas only"));
    }
    for r in &choice.regions {
        if !region_syntax_ok(r) {
            return Err(Error::usage(format!(
                "{} '{r}': a region id has only letters, digits, '-' and '_' (e.g. cn-hangzhou)",
                choice.region_flag()
            )));
        }
    }
    // Where the credentials come from: a profile file that cannot be used stops the run
    // here, before anything depends on it (the profile's region).
    let Found {
        credentials,
        profile,
    } = vendor::credentials(kind, choice.profile.as_deref(), &env)?;
    let default = region_default(kind, choice, profile.as_ref(), &env)?;
    let Location {
        region,
        endpoint,
        specific,
    } = match kind {
        Kind::HuaweiScm => huawei_scm::locate(choice, profile.as_ref(), &env)?,
        Kind::TencentSsl => tencent_ssl::locate(choice, default.as_ref())?,
        Kind::VolcengineLive => volcengine_live::locate(choice)?,
        Kind::AlibabaSlb => alibaba_slb::locate(choice, default.as_ref())?,
        Kind::AlibabaCas => alibaba_cas::locate(choice, default.as_ref())?,
    };
    // The identity call: Huawei's is IAM's (moved with it); the STS hosts move together with
    // CERTDEL_STS_ENDPOINT. `--endpoint` moves the product only, as for IAM.
    let identity_endpoint = match (&specific, env(identity::STS_ENDPOINT_VAR)) {
        (Specific::Huawei(c), _) => c.iam_endpoint.clone(),
        (_, Some(url)) => {
            Endpoint::parse_as(identity::STS_ENDPOINT_VAR, &url).map_err(Error::Usage)?
        }
        (_, None) => identity::default_endpoint(kind, region.as_deref()),
    };
    Ok(Resolved {
        provider: ProviderSettings {
            endpoint,
            credentials,
            region,
            identity_endpoint,
            custom_endpoint: choice.endpoint.is_some(),
            expect_account: choice.expect_account.clone(),
            specific,
        },
        warnings: profile.map(|p| p.warnings).unwrap_or_default(),
    })
}

/// The region a run takes when none is given: the vendor's region variable, else the
/// profile's region (for the vendors whose products take one from there), each checked
/// for its form and named in messages.
fn region_default(
    kind: Kind,
    choice: &ProviderChoice,
    profile: Option<&crate::profile::Profile>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<RegionDefault>, Error> {
    // volcengine-live signs every request for cn-north-1 and huawei-scm reads no region
    // variable: their profiles' region is unused.
    let Some(var) = Vendor::of(kind)
        .region_var()
        .filter(|_| matches!(kind, Kind::TencentSsl | Kind::AlibabaSlb | Kind::AlibabaCas))
    else {
        return Ok(None);
    };
    if !choice.regions.is_empty() {
        return Ok(None);
    }
    let (region, from, origin) = match (env(var), profile.and_then(|p| p.region.clone())) {
        (Some(r), _) => (r, var.to_string(), format!("from --region or {var}")),
        (None, Some(r)) => {
            let source = profile.map(|p| p.source.clone()).unwrap_or_default();
            (
                r,
                format!("{source}: region"),
                format!("from {source}; --region or {var} would override it"),
            )
        }
        (None, None) => return Ok(None),
    };
    if !region_syntax_ok(&region) {
        return Err(Error::usage(format!(
            "{from} '{region}': a region id has only letters, digits, '-' and '_' (e.g. cn-hangzhou)"
        )));
    }
    Ok(Some(RegionDefault { region, origin }))
}

/// The run settings a command takes when it sets none of its own: the documented defaults,
/// with the proxy, the trusted roots and the test switch from the environment.
pub fn run_settings(env: &dyn Fn(&str) -> Option<String>) -> Result<RunSettings, Error> {
    let env = |name: &str| env(name).filter(|v| !v.is_empty());
    Ok(RunSettings {
        rate: None,
        concurrency: None,
        max_retries: DEFAULT_MAX_RETRIES,
        timeout: DEFAULT_TIMEOUT,
        deadline: None,
        retry_timeout: DEFAULT_RETRY_TIMEOUT,
        no_retry_delay: env("CERTDEL_TEST_NO_RETRY_DELAY").is_some(),
        proxy: proxy(&env)?,
        trust: trust(&env)?,
    })
}

/// `--max-retries` when not given.
pub const DEFAULT_MAX_RETRIES: u32 = 8;
/// `--timeout` when not given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// `--retry-timeout` when not given.
pub const DEFAULT_RETRY_TIMEOUT: Duration = Duration::from_secs(45);

/// Whether a run must load the platform's certificate store: it talks https to some host.
/// A run that talks only plain http (loopback endpoints) verifies no certificate, and
/// reading the store would only cost start-up time. huawei-scm discovering its domain id,
/// and every run making the identity call, talk to the identity endpoint too.
pub fn needs_platform_roots(p: &ProviderSettings, identifies: bool) -> bool {
    let discovers_over_https =
        p.domain_id().is_none() && p.iam_endpoint().is_some_and(|e| e.scheme == "https");
    p.endpoint.scheme == "https"
        || discovers_over_https
        || (identifies && p.identity_endpoint.scheme == "https")
}

/// Resolve the command line against an environment lookup (`std::env::var` in the binary,
/// a map in tests).
pub fn resolve(cli: Cli, env: &dyn Fn(&str) -> Option<String>) -> Result<Settings, Error> {
    let cli_command_is_sweep = matches!(cli.command, TopLevel::Sweep(_));
    match cli.invocation() {
        Some(invocation) => resolve_invocation(invocation, env),
        // main.rs prints these before resolving anything; a caller that does not is told so.
        None if !cli_command_is_sweep => Err(Error::usage(
            "`completions` and `man` take no settings: print them before resolving",
        )),
        // Each target of the policy is its own provider account (`sweep::command::prepare`).
        None => Err(Error::usage(
            "`sweep` takes its settings from its policy file: run it with sweep::command",
        )),
    }
}

/// Resolve a provider command (the command line merged, [`Cli::invocation`]).
pub fn resolve_invocation(
    invocation: Invocation,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Settings, Error> {
    let Invocation {
        kind,
        options: g,
        verb: action,
    } = invocation;
    let env = |name: &str| env(name).filter(|v| !v.is_empty());

    // clap refuses the two together; checked again for a `Cli` built by hand.
    if g.quiet && g.verbose > 0 {
        return Err(Error::usage(
            "-q/--quiet and -v/--verbose contradict each other: give one",
        ));
    }
    // clap's value parsers (`cli::rate` …) refuse these already; checked again here for a
    // `Cli` built by hand, so that no conversion below can panic.
    if let Some(rate) = g.rate {
        in_range("--rate", rate, crate::cli::RATE, "requests per second")?;
    }
    if let Some(c) = g.concurrency {
        let (lo, hi) = crate::cli::CONCURRENCY;
        if !(lo..=hi).contains(&c) {
            return Err(Error::usage(format!(
                "--concurrency {c}: give a whole number from {lo} to {hi}"
            )));
        }
    }
    let max_retries = g.max_retries.unwrap_or(DEFAULT_MAX_RETRIES);
    if max_retries > crate::cli::MAX_RETRIES {
        return Err(Error::usage(format!(
            "--max-retries {}: give a whole number from 0 to {}",
            max_retries,
            crate::cli::MAX_RETRIES
        )));
    }
    let timeout = match g.timeout {
        Some(t) => seconds("--timeout", t, crate::cli::TIMEOUT)?,
        None => DEFAULT_TIMEOUT,
    };
    let deadline = g
        .deadline
        .map(|d| seconds("--deadline", d, crate::cli::DEADLINE))
        .transpose()?;
    let retry_timeout = match g.retry_timeout {
        Some(t) => seconds("--retry-timeout", t, crate::cli::RETRY_TIMEOUT)?,
        None => DEFAULT_RETRY_TIMEOUT,
    };

    let profile_flag = g.profile.clone();
    let expect_flag = match &action {
        Verb::Delete(d) => Some(d.expect_account.clone()),
        Verb::List(l) => Some(l.expect_account.clone()),
        // whoami has no account to expect: it tells which one it is.
        Verb::Whoami => None,
    };
    let purpose = match &action {
        Verb::Delete(d) if d.plan.is_some() => Purpose::DeletePlan,
        Verb::Delete(_) => Purpose::Delete,
        Verb::List(_) => Purpose::List,
        Verb::Whoami => Purpose::Whoami,
    };
    let endpoint = g
        .endpoint
        .as_deref()
        .map(Endpoint::parse)
        .transpose()
        .map_err(Error::Usage)?;
    let expect_account = match expect_flag {
        Some(flag) => expect_account(flag, &env)?,
        None => None,
    };
    let choice = ProviderChoice {
        kind,
        endpoint,
        regions: g.region.clone(),
        region_origin: None,
        profile: profile_flag,
        cas_target: match g.target {
            None | Some(CasTargetArg::Orders) => CasTarget::Orders,
            Some(CasTargetArg::Certificates) => CasTarget::Certificates,
        },
        check_resources: g.check_resources,
        expect_account,
        purpose,
    };
    let Resolved { provider, warnings } = provider_settings(&choice, &env)?;

    let mut audit_flags = None;
    let command = match action {
        Verb::Delete(d) => {
            audit_flags = Some(d.audit);
            if kind != Kind::TencentSsl {
                let given = [
                    ("--no-batch", d.no_batch),
                    ("--no-wait", d.no_wait),
                    ("--wait-timeout", d.wait_timeout.is_some()),
                ];
                if let Some((flag, _)) = given.iter().find(|(_, on)| *on) {
                    return Err(Error::usage(format!("{flag} applies to tencent-ssl only")));
                }
            }
            // clap refuses these already (conflicts and requirements); checked again for a
            // `Cli` built by hand.
            if d.plan.is_some() && !d.ids.is_empty() {
                return Err(Error::usage(
                    "--plan and ids contradict each other: give the ids or the plan file",
                ));
            }
            if d.plan.is_none() && d.plan_max_age.is_some() {
                return Err(Error::usage("--plan-max-age applies to delete --plan only"));
            }
            let wait = match d.wait_timeout {
                Some(_) if d.no_wait => {
                    return Err(Error::usage(
                        "--wait-timeout and --no-wait contradict each other: give one",
                    ))
                }
                Some(t) => Some(seconds("--wait-timeout", t, crate::cli::WAIT_TIMEOUT)?),
                None if d.no_wait => None,
                None => Some(DEFAULT_WAIT),
            };
            Command::Delete {
                ids: d.ids,
                batch: !d.no_batch,
                wait,
                accept: d.accept.iter().map(|a| a.status()).collect(),
                dry_run: d.dry_run,
                plan: d.plan.map(|path| PlanSource {
                    path,
                    max_age: d.plan_max_age.unwrap_or(DEFAULT_PLAN_MAX_AGE),
                }),
            }
        }
        Verb::List(l) => Command::List {
            filter: FilterSpec {
                expired: l.expired,
                expires_before: l
                    .expires_before
                    .as_deref()
                    .map(When::parse)
                    .transpose()
                    .map_err(Error::Usage)?,
                domain: l.domain,
                name: l.name,
            },
            plan: l.plan,
        },
        Verb::Whoami => Command::Whoami,
    };
    // Runs that make the identity call: whoami, and any run told which account to expect.
    let identifies = matches!(command, Command::Whoami) || provider.expect_account.is_some();
    let mut run = run_settings(&env)?;
    run.trust.platform &= needs_platform_roots(&provider, identifies);
    run.rate = g.rate;
    run.concurrency = g.concurrency;
    run.max_retries = max_retries;
    run.timeout = timeout;
    run.deadline = deadline;
    run.retry_timeout = retry_timeout;
    // Last: every other mistake is reported as before, and a listing never needs a log.
    let audit = match &audit_flags {
        Some(flags) => audit_target(flags, &env)?,
        None => AuditTarget::Off,
    };

    Ok(Settings {
        provider,
        command,
        output: g.output.unwrap_or(OutputFormat::Text),
        yes: g.yes,
        run,
        audit,
        verbosity: crate::diagnostics::Verbosity::from_flags(g.verbose, g.quiet),
        no_color: env("NO_COLOR").is_some(),
        warnings,
    })
}

/// `v` within `[lo, hi]` (finite), or a usage error naming the flag and the range.
fn in_range(flag: &str, v: f64, (lo, hi): (f64, f64), unit: &str) -> Result<f64, Error> {
    if v.is_finite() && (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(Error::usage(format!(
            "{flag} {v}: give a number from {lo} to {hi} {unit}"
        )))
    }
}

/// A number of seconds within `range`, as a `Duration` (checked: never a panic).
fn seconds(flag: &str, v: f64, range: (f64, f64)) -> Result<Duration, Error> {
    let v = in_range(flag, v, range, "seconds")?;
    Duration::try_from_secs_f64(v).map_err(|_| {
        Error::usage(format!(
            "{flag} {v}: give a number from {} to {} seconds",
            range.0, range.1
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::collections::HashMap;

    /// Resolve with these variables, plus a `HOME` when none of the audit log's sources is
    /// given (a delete run needs a place for its log; the audit tests use
    /// [`resolve_exactly`]).
    fn resolve_with(args: &[&str], vars: &[(&str, &str)]) -> Result<Settings, Error> {
        let mut vars = vars.to_vec();
        if !vars
            .iter()
            .any(|(k, _)| matches!(*k, "HOME" | "XDG_STATE_HOME" | AUDIT_LOG_VAR))
        {
            vars.push(("HOME", "/home/test"));
        }
        resolve_exactly(args, &vars)
    }

    fn resolve_exactly(args: &[&str], vars: &[(&str, &str)]) -> Result<Settings, Error> {
        // A value clap refuses (the numeric flags' ranges) is a usage error too.
        let cli = Cli::try_parse_from(std::iter::once("certdel").chain(args.iter().copied()))
            .map_err(|e| Error::usage(e.to_string()))?;
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        resolve(cli, &|k| map.get(k).cloned())
    }

    fn audit_with(args: &[&str], vars: &[(&str, &str)]) -> Result<AuditTarget, Error> {
        let mut all = TC.to_vec();
        all.extend_from_slice(vars);
        let mut argv = vec!["tencent-ssl", "delete", "x"];
        argv.extend_from_slice(args);
        resolve_exactly(&argv, &all).map(|s| s.audit)
    }

    fn at(p: &str) -> AuditTarget {
        AuditTarget::Path(PathBuf::from(p))
    }

    #[test]
    fn audit_log_path_precedence() {
        let all = [
            (AUDIT_LOG_VAR, "/var/log/certdel.jsonl"),
            ("XDG_STATE_HOME", "/xdg/state"),
            ("HOME", "/home/op"),
        ];
        // --audit-log beats everything; the variable beats the XDG and HOME defaults.
        assert_eq!(
            audit_with(&["--audit-log", "run.jsonl"], &all).unwrap(),
            at("run.jsonl")
        );
        assert_eq!(audit_with(&[], &all).unwrap(), at("/var/log/certdel.jsonl"));
        assert_eq!(
            audit_with(&[], &all[1..]).unwrap(),
            at("/xdg/state/certdel/audit.jsonl")
        );
        assert_eq!(
            audit_with(&[], &all[2..]).unwrap(),
            at("/home/op/.local/state/certdel/audit.jsonl")
        );
        // A relative XDG_STATE_HOME is ignored, as the XDG specification says; so is an
        // empty variable.
        assert_eq!(
            audit_with(&[], &[("XDG_STATE_HOME", "state"), ("HOME", "/home/op")]).unwrap(),
            at("/home/op/.local/state/certdel/audit.jsonl")
        );
        assert_eq!(
            audit_with(
                &[],
                &[
                    (AUDIT_LOG_VAR, ""),
                    ("XDG_STATE_HOME", ""),
                    ("HOME", "/home/op")
                ]
            )
            .unwrap(),
            at("/home/op/.local/state/certdel/audit.jsonl")
        );
        // --no-audit-log turns it off whatever the environment says.
        assert_eq!(
            audit_with(&["--no-audit-log"], &all).unwrap(),
            AuditTarget::Off
        );
        assert_eq!(
            audit_with(&["--no-audit-log"], &[]).unwrap(),
            AuditTarget::Off
        );
    }

    #[test]
    fn audit_log_flags_conflict_and_need_a_path() {
        let e = audit_with(&["--audit-log", "a.jsonl", "--no-audit-log"], &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("--audit-log")
                && e.contains("--no-audit-log")
                && e.contains("cannot be used with"),
            "{e}"
        );
        let e = audit_with(&["--audit-log", ""], &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("--audit-log"), "{e}");
    }

    #[test]
    fn no_place_for_the_audit_log_is_a_usage_error_naming_the_overrides() {
        for vars in [
            &[][..],
            &[("HOME", "relative/home"), ("XDG_STATE_HOME", "rel")][..],
        ] {
            let e = audit_with(&[], vars).unwrap_err();
            assert!(matches!(e, Error::Usage(_)), "{e:?}");
            let e = e.to_string();
            assert!(
                e.starts_with("nowhere to write the audit log: neither XDG_STATE_HOME nor HOME"),
                "{e}"
            );
            for what in [
                "--audit-log PATH",
                "CERTDEL_AUDIT_LOG=PATH",
                "--no-audit-log",
            ] {
                assert!(e.contains(what), "{what}: {e}");
            }
        }
        // Either override is enough.
        assert_eq!(audit_with(&["--audit-log", "/a"], &[]).unwrap(), at("/a"));
        assert_eq!(audit_with(&[], &[(AUDIT_LOG_VAR, "/b")]).unwrap(), at("/b"));
    }

    #[test]
    fn listings_write_no_audit_log_and_need_no_home() {
        let s = resolve_exactly(&["tencent-ssl", "list"], TC).unwrap();
        assert_eq!(s.audit, AuditTarget::Off);
    }

    #[test]
    fn the_audit_log_is_checked_after_every_other_setting() {
        // Without HOME, a credential error still says what it said.
        let e = resolve_exactly(&["tencent-ssl", "delete", "x"], &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing credentials"), "{e}");
        // Nor does a bad proxy, with credentials.
        let mut vars = TC.to_vec();
        vars.push(("HTTPS_PROXY", "proxy.corp:3128"));
        let e = resolve_exactly(&["tencent-ssl", "delete", "x"], &vars)
            .unwrap_err()
            .to_string();
        assert!(e.contains("HTTPS_PROXY is not a proxy URL"), "{e}");
    }

    const TC: &[(&str, &str)] = &[
        ("TENCENTCLOUD_SECRET_ID", "AKID"),
        ("TENCENTCLOUD_SECRET_KEY", "sk"),
    ];

    /// `certdel --help` lists every variable certdel reads: each name the resolver asks the
    /// environment for, on every provider and both commands, is named in the help footer
    /// (proxy variables in either case; the test-only switch aside).
    #[test]
    fn the_help_footer_names_every_variable_read() {
        use std::cell::RefCell;
        use std::collections::BTreeSet;
        let given: HashMap<&str, &str> = [
            ("HUAWEICLOUD_SDK_AK", "ak"),
            ("HUAWEICLOUD_SDK_SK", "sk"),
            ("TENCENTCLOUD_SECRET_ID", "AKID"),
            ("TENCENTCLOUD_SECRET_KEY", "sk"),
            ("VOLCENGINE_ACCESS_KEY", "ak"),
            ("VOLCENGINE_SECRET_KEY", "sk"),
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ak"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "sk"),
            ("ALIBABA_CLOUD_REGION_ID", "cn-hangzhou"),
            // set, so that what is read only alongside a proxy (NO_PROXY) is asked for too
            ("HTTPS_PROXY", "http://127.0.0.1:3128"),
            // a delete needs somewhere to write its audit log
            ("HOME", "/home/test"),
        ]
        .into_iter()
        .collect();
        // And no credential variable but the vendor CLIs' files, each profile named by its
        // variable, so that what the profile branch reads is asked for too.
        let (_h, home) = profile_home("footer");
        let from_files: HashMap<&str, &str> = [
            ("HOME", home.as_str()),
            ("TCCLI_PROFILE", "default"),
            ("ALIBABA_CLOUD_PROFILE", "default"),
            ("VOLCENGINE_PROFILE", "work"),
            ("HTTPS_PROXY", "http://127.0.0.1:3128"),
        ]
        .into_iter()
        .collect();
        let asked = RefCell::new(BTreeSet::new());
        for given in [&given, &from_files] {
            for provider in Kind::ALL.iter().map(|k| k.name()) {
                for command in [&["list"][..], &["delete", "x"][..]] {
                    let args = std::iter::once("certdel")
                        .chain(std::iter::once(provider))
                        .chain(command.iter().copied());
                    let cli = Cli::try_parse_from(args).unwrap();
                    let env = |k: &str| {
                        asked.borrow_mut().insert(k.to_string());
                        given.get(k).map(|v| v.to_string())
                    };
                    resolve(cli, &env).unwrap_or_else(|e| panic!("{provider} {command:?}: {e}"));
                }
            }
        }
        let asked = asked.into_inner();
        for name in [
            "TENCENTCLOUD_REGION",
            "HUAWEICLOUD_SDK_IAM_ENDPOINT",
            "NO_PROXY",
            "TCCLI_PROFILE",
            "ALIBABA_CLOUD_PROFILE",
            "VOLCENGINE_PROFILE",
            "VOLCENGINE_CLI_CONFIG_FILE",
            "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
        ] {
            assert!(
                asked.contains(name),
                "{name} is not read any more: {asked:?}"
            );
        }
        let missing: Vec<&String> = asked
            .iter()
            .filter(|n| !n.starts_with("CERTDEL_TEST_"))
            .filter(|n| !crate::cli::EXIT_CODES.contains(n.to_ascii_uppercase().as_str()))
            .collect();
        assert!(missing.is_empty(), "not named in --help: {missing:?}");
    }

    /// `-v` counts, `-q` silences, the two together are refused (by clap, and by the
    /// resolver for a `Cli` built by hand), in any position; `NO_COLOR` only when not empty.
    #[test]
    fn verbosity_flags_and_no_color() {
        use crate::diagnostics::Verbosity;
        let with = |args: &[&str], vars: &[(&str, &str)]| {
            let mut all = TC.to_vec();
            all.extend_from_slice(vars);
            resolve_with(args, &all).map(|s| (s.verbosity, s.no_color))
        };
        let list = |extra: &[&'static str]| {
            let mut a = vec!["tencent-ssl", "list"];
            a.extend_from_slice(extra);
            a
        };
        assert_eq!(with(&list(&[]), &[]).unwrap(), (Verbosity::Normal, false));
        assert_eq!(with(&list(&["-v"]), &[]).unwrap().0, Verbosity::Attempts);
        assert_eq!(
            with(&["-vv", "tencent-ssl", "list"], &[]).unwrap().0,
            Verbosity::Signing
        );
        assert_eq!(
            with(&list(&["--verbose", "-v", "-v"]), &[]).unwrap().0,
            Verbosity::Signing
        );
        assert_eq!(with(&list(&["-q"]), &[]).unwrap().0, Verbosity::Quiet);
        let both = with(&list(&["-q", "-v"]), &[]).unwrap_err().to_string();
        assert!(
            both.contains("--quiet") && both.contains("--verbose"),
            "{both}"
        );
        assert!(with(&list(&[]), &[("NO_COLOR", "1")]).unwrap().1);
        assert!(!with(&list(&[]), &[("NO_COLOR", "")]).unwrap().1);

        let mut invocation = Cli::try_parse_from(["certdel", "tencent-ssl", "list"])
            .unwrap()
            .invocation()
            .unwrap();
        (invocation.options.verbose, invocation.options.quiet) = (1, true);
        let env: HashMap<&str, &str> = TC.iter().copied().collect();
        let e = resolve_invocation(invocation, &|k| env.get(k).map(|v| v.to_string())).unwrap_err();
        assert!(e.to_string().contains("give one"), "{e}");
    }

    #[test]
    fn huawei_variables_configure_huawei_scm_only() {
        let mut vars = TC.to_vec();
        vars.push(("HUAWEICLOUD_SDK_IAM_ENDPOINT", "not a url"));
        vars.push(("HUAWEICLOUD_SDK_DOMAIN_ID", "d0m41n"));
        let s = resolve_with(&["tencent-ssl", "delete", "x"], &vars).unwrap();
        assert_eq!(s.provider.kind(), Kind::TencentSsl);
        assert_eq!(s.provider.domain_id(), None);
        assert_eq!(s.provider.iam_endpoint(), None);
    }

    #[test]
    fn an_iam_endpoint_with_userinfo_is_refused_and_never_shown() {
        let mut vars = vec![("HUAWEICLOUD_SDK_AK", "a"), ("HUAWEICLOUD_SDK_SK", "s")];
        vars.push((
            "HUAWEICLOUD_SDK_IAM_ENDPOINT",
            "https://iam:s3cretpw@127.0.0.1:9001",
        ));
        let e = resolve_with(&["huawei-scm", "delete", "x"], &vars)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("HUAWEICLOUD_SDK_IAM_ENDPOINT 'https://[redacted]@127.0.0.1:9001': ")
                && !e.contains("s3cretpw"),
            "{e}"
        );
    }

    #[test]
    fn header_values_from_the_environment_are_checked() {
        let hw = [("HUAWEICLOUD_SDK_AK", "a"), ("HUAWEICLOUD_SDK_SK", "s")];
        for bad in ["abc\r\nX-Injected: 1", "abc def", "ab\u{7f}", "账户"] {
            let mut vars = hw.to_vec();
            vars.push(("HUAWEICLOUD_SDK_DOMAIN_ID", bad));
            let e = resolve_with(&["huawei-scm", "delete", "x"], &vars).unwrap_err();
            assert!(matches!(e, Error::Usage(_)), "{e:?}");
            let e = e.to_string();
            assert!(
                e.starts_with("huawei-scm: HUAWEICLOUD_SDK_DOMAIN_ID has a character that cannot be sent in an HTTP header"),
                "{bad:?}: {e}"
            );
            assert!(!e.contains(bad), "{e}");
        }
        let mut vars = hw.to_vec();
        vars.push(("HUAWEICLOUD_SDK_DOMAIN_ID", "0a1b2c"));
        let s = resolve_with(&["huawei-scm", "delete", "x"], &vars).unwrap();
        assert_eq!(s.provider.domain_id(), Some("0a1b2c"));
        // Access key ids and tokens: never echoed, since a token is secret.
        for (var, value) in [
            ("TENCENTCLOUD_SECRET_ID", "AK\u{e9}"),
            ("TENCENTCLOUD_TOKEN", "tok en-s3cret"),
            ("TENCENTCLOUD_TOKEN", "tok\u{e9}n-s3cret"),
            ("TENCENTCLOUD_TOKEN", "tok\nen-s3cret"),
        ] {
            let mut vars = TC.to_vec();
            vars.retain(|(k, _)| *k != var);
            vars.push((var, value));
            let e = resolve_with(&["tencent-ssl", "delete", "x"], &vars)
                .unwrap_err()
                .to_string();
            assert!(e.contains(var) && !e.contains("s3cret"), "{var}: {e}");
        }
        // The region tencent-ssl sends as X-TC-Region, from the environment: named as such.
        let mut vars = TC.to_vec();
        vars.push(("TENCENTCLOUD_REGION", "ap-guangzhou\r\nX: 1"));
        let e = resolve_with(&["tencent-ssl", "delete", "x"], &vars)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("TENCENTCLOUD_REGION '"), "{e}");
        let mut vars = ALI.to_vec();
        vars.push(("ALIBABA_CLOUD_REGION_ID", "cn hangzhou"));
        let e = resolve_with(&["alibaba-slb", "list"], &vars)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("ALIBABA_CLOUD_REGION_ID '"), "{e}");
    }

    #[test]
    fn missing_credentials_name_the_variables() {
        let e = resolve_with(&["tencent-ssl", "delete", "x"], &[]).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY"),
            "{msg}"
        );
        let e = resolve_with(
            &["huawei-scm", "delete", "x"],
            &[("HUAWEICLOUD_SDK_AK", "a")],
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "huawei-scm: missing credentials: set HUAWEICLOUD_SDK_SK"
        );
    }

    #[test]
    fn credentials_and_token_from_env() {
        let mut vars = TC.to_vec();
        vars.push(("TENCENTCLOUD_TOKEN", "tok"));
        let s = resolve_with(&["tencent-ssl", "delete", "x"], &vars).unwrap();
        assert_eq!(s.provider.credentials.access_key, "AKID");
        assert_eq!(
            s.provider.credentials.token.as_ref().unwrap().expose(),
            "tok"
        );
        assert_eq!(s.provider.endpoint.host, "ssl.tencentcloudapi.com");
        let bad = resolve_with(
            &["tencent-ssl", "delete", "x"],
            &[
                ("TENCENTCLOUD_SECRET_ID", "AKID"),
                ("TENCENTCLOUD_SECRET_KEY", "sk "),
            ],
        );
        assert!(bad
            .unwrap_err()
            .to_string()
            .contains("TENCENTCLOUD_SECRET_KEY has leading"));
    }

    /// A region the vendor does not have is a usage error before any request, naming the
    /// valid ones — alibaba-slb with --endpoint too (RegionId is still sent), tencent-ssl
    /// (X-TC-Region), alibaba-cas (the host); from the flag or the environment.
    #[test]
    fn unknown_regions_are_refused_naming_the_valid_ones() {
        let e = resolve_with(&["alibaba-slb", "list", "--region", "cn-hangzhuo"], ALI)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("unknown region cn-hangzhuo for alibaba-slb (from --region or ALIBABA_CLOUD_REGION_ID); valid: cn-qingdao, cn-beijing, "),
            "{e}"
        );
        assert!(
            e.contains("cn-hangzhou") && e.contains("ap-southeast-2"),
            "{e}"
        );
        for args in [
            &[
                "alibaba-slb",
                "delete",
                "x",
                "--region",
                "all",
                "--region",
                "cn-hangzhuo",
            ][..],
            &[
                "alibaba-slb",
                "delete",
                "x",
                "--region",
                "cn-hangzhuo",
                "--endpoint",
                "http://127.0.0.1:9",
            ],
        ] {
            let e = resolve_with(args, ALI).unwrap_err();
            assert!(matches!(e, Error::Usage(_)), "{args:?}");
            assert!(e.to_string().contains("unknown region cn-hangzhuo"), "{e}");
        }
        let mut env = ALI.to_vec();
        env.push(("ALIBABA_CLOUD_REGION_ID", "cn-hangzhuo"));
        let e = resolve_with(&["alibaba-slb", "list"], &env).unwrap_err();
        assert!(
            e.to_string()
                .contains("unknown region cn-hangzhuo for alibaba-slb"),
            "{e}"
        );
        // Explicitly named regions that `all` leaves out are still accepted.
        assert!(resolve_with(&["alibaba-slb", "list", "--region", "ap-southeast-2"], ALI).is_ok());

        let e = resolve_with(&["tencent-ssl", "list", "--region", "ap-guangzou"], TC)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("unknown region ap-guangzou for tencent-ssl (from --region or TENCENTCLOUD_REGION); valid: ap-guangzhou, "),
            "{e}"
        );
        let mut env = TC.to_vec();
        env.push(("TENCENTCLOUD_REGION", "ap-guangzou"));
        let e = resolve_with(
            &["tencent-ssl", "list", "--endpoint", "http://127.0.0.1:9"],
            &env,
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown region ap-guangzou"), "{e}");
        let s = resolve_with(&["tencent-ssl", "list", "--region", "ap-guangzhou"], TC).unwrap();
        assert_eq!(s.provider.region.as_deref(), Some("ap-guangzhou"));

        let e = resolve_with(&["alibaba-cas", "list", "--region", "cn-hangzhuo"], ALI)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("unknown region cn-hangzhuo for alibaba-cas (from --region or ALIBABA_CLOUD_REGION_ID); valid: cn-hangzhou, ap-southeast-1, eu-central-1, cn-qingdao"),
            "{e}"
        );
        assert!(resolve_with(&["alibaba-cas", "list", "--region", "cn-shenzhen"], ALI).is_ok());
    }

    #[test]
    fn slb_needs_region() {
        let vars = [
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "a"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s"),
        ];
        let e = resolve_with(&["alibaba-slb", "delete", "x"], &vars).unwrap_err();
        assert!(e.to_string().contains("ALIBABA_CLOUD_REGION_ID"));
        let s = resolve_with(
            &["alibaba-slb", "delete", "x", "--region", "eu-central-1"],
            &vars,
        )
        .unwrap();
        assert_eq!(s.provider.endpoint.host, "slb.eu-central-1.aliyuncs.com");
        let mut with_env = vars.to_vec();
        with_env.push(("ALIBABA_CLOUD_REGION_ID", "cn-hangzhou"));
        let s = resolve_with(&["alibaba-slb", "delete", "x"], &with_env).unwrap();
        assert_eq!(s.provider.region.as_deref(), Some("cn-hangzhou"));
        assert_eq!(s.provider.endpoint.host, "slb.aliyuncs.com");
    }

    #[test]
    fn slb_whoami_needs_no_region() {
        let vars = [
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "a"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s"),
        ];
        // The identity call goes to STS, which needs no SLB region.
        let s = resolve_with(&["alibaba-slb", "whoami"], &vars).unwrap();
        assert_eq!(s.provider.region, None);
        assert_eq!(s.provider.identity_endpoint.host, "sts.aliyuncs.com");
        // A listing still does.
        let e = resolve_with(&["alibaba-slb", "list"], &vars).unwrap_err();
        assert!(e.to_string().contains("needs a region"), "{e}");
    }

    #[test]
    fn a_choice_names_where_its_regions_came_from() {
        let map: std::collections::HashMap<&str, &str> = [
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "a"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s"),
        ]
        .into_iter()
        .collect();
        let env = |k: &str| map.get(k).map(|v| v.to_string());
        let mut choice = ProviderChoice::new(Kind::AlibabaSlb, Purpose::List);
        choice.regions = vec!["cn-hangzhuo".into()];
        choice.region_origin = Some("policy.toml, target slb-all".into());
        let e = provider_settings(&choice, &env).unwrap_err().to_string();
        assert!(
            e.contains(
                "unknown region cn-hangzhuo for alibaba-slb (from policy.toml, target slb-all)"
            ),
            "{e}"
        );
        choice.regions = vec!["a b".into()];
        let e = provider_settings(&choice, &env).unwrap_err().to_string();
        assert!(e.starts_with("policy.toml, target slb-all 'a b': "), "{e}");
        // The same choice, well formed, is what the command line would have made.
        choice.regions = vec!["all".into()];
        let p = provider_settings(&choice, &env).unwrap().provider;
        assert!(p.all_regions(), "{p:?}");
        assert_eq!(p.regions().len(), alibaba_slb::ALL_REGIONS.len());
        assert_eq!(p.endpoint.host, "slb.aliyuncs.com");
    }

    /// Scripts written when every option was global keep working: an option is accepted
    /// before the provider, between the provider and the verb, and after the verb; given in
    /// two places, the later one wins.
    #[test]
    fn every_option_is_taken_where_it_used_to_be() {
        let opts = [
            "--endpoint",
            "http://127.0.0.1:9",
            "--region",
            "ap-beijing",
            "--output",
            "json",
            "--yes",
            "--rate",
            "5",
            "--concurrency",
            "3",
            "--max-retries",
            "2",
            "--timeout",
            "7",
            "--deadline",
            "60",
            "--retry-timeout",
            "9",
            "--check-resources",
        ];
        let before: Vec<&str> = opts
            .iter()
            .copied()
            .chain(["tencent-ssl", "delete", "a"])
            .collect();
        let between: Vec<&str> = std::iter::once("tencent-ssl")
            .chain(opts.iter().copied())
            .chain(["delete", "a"])
            .collect();
        let after: Vec<&str> = ["tencent-ssl", "delete", "a"]
            .into_iter()
            .chain(opts.iter().copied())
            .collect();
        for args in [&before, &between, &after] {
            let s = resolve_with(args, TC).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            let p = &s.provider;
            assert_eq!(
                (
                    p.endpoint.base_url(),
                    p.region.as_deref(),
                    p.check_resources()
                ),
                ("http://127.0.0.1:9".to_string(), Some("ap-beijing"), true),
                "{args:?}"
            );
            assert_eq!((s.output, s.yes), (OutputFormat::Json, true), "{args:?}");
            let r = &s.run;
            assert_eq!(
                (r.rate, r.concurrency, r.max_retries),
                (Some(5.0), Some(3), 2),
                "{args:?}"
            );
            assert_eq!(
                (r.timeout, r.deadline, r.retry_timeout),
                (
                    Duration::from_secs(7),
                    Some(Duration::from_secs(60)),
                    Duration::from_secs(9)
                ),
                "{args:?}"
            );
        }
        // --profile, --target and --yes after `list` or `whoami`, as before.
        let s = resolve_with(
            &["alibaba-cas", "list", "--target", "certificates", "--yes"],
            ALI,
        )
        .unwrap();
        assert_eq!(s.provider.cas_target(), CasTarget::Certificates);
        let s = resolve_with(
            &["--target", "certificates", "alibaba-cas", "delete", "x"],
            ALI,
        )
        .unwrap();
        assert_eq!(s.provider.cas_target(), CasTarget::Certificates);
        assert!(resolve_with(&["tencent-ssl", "whoami", "--yes", "--rate", "5"], TC).is_ok());
        // The later place wins.
        let s = resolve_with(
            &[
                "--rate",
                "5",
                "tencent-ssl",
                "--rate",
                "6",
                "delete",
                "a",
                "--rate",
                "7",
            ],
            TC,
        )
        .unwrap();
        assert_eq!(s.run.rate, Some(7.0));
        let s = resolve_with(
            &["--output", "ids", "tencent-ssl", "list", "--output", "json"],
            TC,
        )
        .unwrap();
        assert_eq!(s.output, OutputFormat::Json);
        // Unchanged defaults when nothing is given.
        let s = resolve_with(&["tencent-ssl", "delete", "a"], TC).unwrap();
        assert_eq!(
            (
                s.output,
                s.run.max_retries,
                s.run.timeout,
                s.run.retry_timeout
            ),
            (
                OutputFormat::Text,
                DEFAULT_MAX_RETRIES,
                DEFAULT_TIMEOUT,
                DEFAULT_RETRY_TIMEOUT
            )
        );
    }

    #[test]
    fn provider_specific_flags_are_checked() {
        let e = resolve_with(
            &["tencent-ssl", "delete", "x", "--target", "certificates"],
            TC,
        )
        .unwrap_err();
        assert!(e.to_string().contains("alibaba-cas only"));
        let e = resolve_with(&["huawei-scm", "delete", "x", "--check-resources"], TC).unwrap_err();
        assert!(e.to_string().contains("tencent-ssl only"));
        let e = resolve_with(&["tencent-ssl", "delete", "x", "--rate", "0"], TC).unwrap_err();
        assert!(e.to_string().contains("--rate"));
        let e = resolve_with(&["tencent-ssl", "delete", "x", "--region", "a b"], TC).unwrap_err();
        assert!(e.to_string().contains("--region"));
    }

    #[test]
    fn numeric_flags_take_their_whole_range_and_nothing_more() {
        let base = ["tencent-ssl", "delete", "x"];
        let ok = |extra: &[&str]| {
            let args: Vec<&str> = base.iter().chain(extra).copied().collect();
            resolve_with(&args, TC).unwrap_or_else(|e| panic!("{extra:?}: {e}"))
        };
        let s = ok(&[
            "--rate",
            "10000",
            "--concurrency",
            "1024",
            "--max-retries",
            "100",
            "--timeout",
            "600",
            "--deadline",
            "604800",
        ]);
        assert_eq!(s.run.rate, Some(10_000.0));
        assert_eq!(s.run.concurrency, Some(1024));
        assert_eq!(s.run.max_retries, 100);
        assert_eq!(s.run.timeout, Duration::from_secs(600));
        assert_eq!(s.run.deadline, Some(Duration::from_secs(7 * 86_400)));
        let s = ok(&["--rate", "0.01", "--concurrency", "1", "--max-retries", "0"]);
        assert_eq!(s.run.rate, Some(0.01));
        let s = ok(&["--timeout", "0.1", "--deadline", "0.1"]);
        assert_eq!(s.run.timeout, Duration::from_millis(100));
        let s = ok(&["--wait-timeout", "86400"]);
        let Command::Delete { wait, .. } = s.command else {
            panic!("not a delete")
        };
        assert_eq!(wait, Some(Duration::from_secs(86_400)));
        for (flag, bad) in [
            ("--rate", "0.009"),
            ("--rate", "10000.5"),
            ("--rate", "inf"),
            ("--concurrency", "1025"),
            ("--concurrency", "-1"),
            ("--concurrency", "1.5"),
            ("--max-retries", "101"),
            ("--timeout", "0.09"),
            ("--timeout", "600.1"),
            ("--deadline", "604801"),
            ("--deadline", "-inf"),
            ("--wait-timeout", "86401"),
            ("--wait-timeout", "nan"),
        ] {
            let arg = format!("{flag}={bad}");
            let args: Vec<&str> = base.iter().copied().chain([arg.as_str()]).collect();
            let e = resolve_with(&args, TC).unwrap_err().to_string();
            assert!(e.contains(flag) && e.contains(" to "), "{arg}: {e}");
        }
    }

    /// A `Cli` built without clap's parsers is checked again: a usage error, not a panic.
    #[test]
    fn numbers_clap_did_not_check_are_refused_too() {
        let args = ["certdel", "tencent-ssl", "delete", "x"];
        let map: HashMap<String, String> = TC
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        type Spoil = fn(&mut crate::cli::Options);
        let spoilers: [(&str, Spoil); 6] = [
            ("--rate", |g| g.rate = Some(1e-300)),
            ("--concurrency", |g| g.concurrency = Some(1_000_000)),
            ("--max-retries", |g| g.max_retries = Some(u32::MAX)),
            ("--timeout", |g| g.timeout = Some(1e30)),
            ("--deadline", |g| g.deadline = Some(1e19)),
            ("--deadline", |g| g.deadline = Some(f64::NAN)),
        ];
        let parsed = || Cli::try_parse_from(args).unwrap().invocation().unwrap();
        for (flag, spoil) in spoilers {
            let mut invocation = parsed();
            spoil(&mut invocation.options);
            let e = resolve_invocation(invocation, &|k| map.get(k).cloned()).unwrap_err();
            assert!(e.to_string().starts_with(flag), "{flag}: {e}");
        }
        let mut invocation = parsed();
        if let crate::cli::Verb::Delete(d) = &mut invocation.verb {
            d.wait_timeout = Some(1e19);
        }
        let e = resolve_invocation(invocation, &|k| map.get(k).cloned()).unwrap_err();
        assert!(e.to_string().starts_with("--wait-timeout"), "{e}");
    }

    /// `completions` and `man` are printed by main.rs before settings; resolving one is an
    /// error that says so, not a panic.
    #[test]
    fn the_documents_have_no_settings() {
        for args in [&["man"][..], &["completions", "bash"]] {
            let e = resolve_with(args, TC).unwrap_err();
            assert!(e.to_string().contains("take no settings"), "{args:?}: {e}");
        }
    }

    #[test]
    fn huawei_discovery_goes_to_iam_not_to_the_scm_endpoint() {
        let vars = [("HUAWEICLOUD_SDK_AK", "a"), ("HUAWEICLOUD_SDK_SK", "s")];
        let s = resolve_with(
            &[
                "huawei-scm",
                "delete",
                "x",
                "--endpoint",
                "http://127.0.0.1:9000",
            ],
            &vars,
        )
        .unwrap();
        // --endpoint redirects SCM only; IAM stays the region's (cn-north-4 by default).
        assert_eq!(s.provider.endpoint.host, "127.0.0.1:9000");
        assert_eq!(
            s.provider.iam_endpoint().unwrap().host,
            "iam.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(s.provider.domain_id(), None);
        let s = resolve_with(&["huawei-scm", "delete", "x"], &vars).unwrap();
        assert_eq!(
            s.provider.iam_endpoint().unwrap().host,
            "iam.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(s.provider.endpoint.host, "scm.cn-north-4.myhuaweicloud.com");
        let s = resolve_with(
            &["huawei-scm", "delete", "x", "--region", "ap-southeast-1"],
            &vars,
        )
        .unwrap();
        assert_eq!(
            s.provider.iam_endpoint().unwrap().host,
            "iam.ap-southeast-1.myhuaweicloud.com"
        );
        let mut with_iam = vars.to_vec();
        with_iam.push(("HUAWEICLOUD_SDK_IAM_ENDPOINT", "http://127.0.0.1:9001"));
        let s = resolve_with(
            &[
                "huawei-scm",
                "delete",
                "x",
                "--endpoint",
                "http://127.0.0.1:9000",
            ],
            &with_iam,
        )
        .unwrap();
        assert_eq!(s.provider.iam_endpoint().unwrap().host, "127.0.0.1:9001");
    }

    #[test]
    fn identity_endpoint_defaults_and_overrides() {
        let tc = [
            ("TENCENTCLOUD_SECRET_ID", "a"),
            ("TENCENTCLOUD_SECRET_KEY", "s"),
        ];
        let ali = [
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "a"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s"),
        ];
        let volc = [
            ("VOLCENGINE_ACCESS_KEY", "a"),
            ("VOLCENGINE_SECRET_KEY", "s"),
        ];
        let host = |args: &[&str], vars: &[(&str, &str)]| {
            let s = resolve_with(args, vars).unwrap().provider.identity_endpoint;
            format!("{}://{}", s.scheme, s.host)
        };
        // The vendors' STS hosts; --endpoint moves the product only.
        let args = [
            "tencent-ssl",
            "delete",
            "x",
            "--endpoint",
            "http://127.0.0.1:9000",
        ];
        assert_eq!(host(&args, &tc), "https://sts.tencentcloudapi.com");
        assert_eq!(
            host(&["volcengine-live", "delete", "x"], &volc),
            "https://sts.volcengineapi.com"
        );
        assert_eq!(
            host(
                &["alibaba-slb", "delete", "x", "--region", "cn-shanghai"],
                &ali
            ),
            "https://sts.cn-shanghai.aliyuncs.com"
        );
        assert_eq!(
            host(&["alibaba-cas", "delete", "1"], &ali),
            "https://sts.aliyuncs.com"
        );
        // CERTDEL_STS_ENDPOINT moves them (checked like --endpoint).
        let mut moved = tc.to_vec();
        moved.push(("CERTDEL_STS_ENDPOINT", "http://127.0.0.1:9002"));
        assert_eq!(
            host(&["tencent-ssl", "delete", "x"], &moved),
            "http://127.0.0.1:9002"
        );
        let mut bad = ali.to_vec();
        bad.push(("CERTDEL_STS_ENDPOINT", "http://sts.example.com"));
        let e = resolve_with(&["alibaba-cas", "delete", "1"], &bad).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("CERTDEL_STS_ENDPOINT 'http://sts.example.com': plain http"),
            "{e}"
        );
        // huawei-scm's identity call is the IAM lookup, moved by HUAWEICLOUD_SDK_IAM_ENDPOINT.
        let hw = [
            ("HUAWEICLOUD_SDK_AK", "a"),
            ("HUAWEICLOUD_SDK_SK", "s"),
            ("CERTDEL_STS_ENDPOINT", "http://127.0.0.1:9002"),
        ];
        assert_eq!(
            host(
                &["huawei-scm", "delete", "x", "--region", "ap-southeast-1"],
                &hw
            ),
            "https://iam.ap-southeast-1.myhuaweicloud.com"
        );
        let mut hw_iam = hw.to_vec();
        hw_iam.push(("HUAWEICLOUD_SDK_IAM_ENDPOINT", "http://127.0.0.1:9001"));
        assert_eq!(
            host(&["huawei-scm", "delete", "x"], &hw_iam),
            "http://127.0.0.1:9001"
        );
    }

    const ALI: &[(&str, &str)] = &[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "a"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s"),
    ];

    #[test]
    fn list_filters_are_parsed() {
        let s = resolve_with(
            &[
                "tencent-ssl",
                "list",
                "--expired",
                "--expires-before",
                "30d",
                "--domain",
                "*.example.com",
                "--name",
                "prod-?",
            ],
            TC,
        )
        .unwrap();
        let Command::List { filter, .. } = s.command else {
            panic!("not a list")
        };
        assert!(filter.expired);
        assert_eq!(
            filter.expires_before,
            Some(When::In(chrono::Duration::days(30)))
        );
        assert_eq!(filter.domain.as_deref(), Some("*.example.com"));
        assert_eq!(filter.name.as_deref(), Some("prod-?"));
        let e = resolve_with(&["tencent-ssl", "list", "--expires-before", "soon"], TC).unwrap_err();
        assert!(e.to_string().contains("--expires-before 'soon'"), "{e}");
    }

    #[test]
    fn slb_list_takes_several_regions_or_all() {
        let s = resolve_with(
            &[
                "alibaba-slb",
                "list",
                "--region",
                "cn-hangzhou",
                "--region",
                "eu-central-1",
                "--region",
                "cn-hangzhou",
            ],
            ALI,
        )
        .unwrap();
        assert_eq!(s.provider.regions(), vec!["cn-hangzhou", "eu-central-1"]);
        assert!(!s.provider.all_regions());
        let s = resolve_with(&["alibaba-slb", "list", "--region", "all"], ALI).unwrap();
        assert!(s.provider.all_regions());
        assert_eq!(s.provider.regions().len(), alibaba_slb::ALL_REGIONS.len());
        let mut env = ALI.to_vec();
        env.push(("ALIBABA_CLOUD_REGION_ID", "cn-beijing"));
        let s = resolve_with(&["alibaba-slb", "list"], &env).unwrap();
        assert_eq!(s.provider.regions(), vec!["cn-beijing"]);
        let e = resolve_with(&["alibaba-slb", "list"], ALI).unwrap_err();
        assert!(e.to_string().contains("`all`"), "{e}");
        // Deleting takes several regions too (each id is found by listing them); other
        // providers one at most.
        let s = resolve_with(
            &[
                "alibaba-slb",
                "delete",
                "x",
                "--region",
                "cn-qingdao",
                "--region",
                "cn-chengdu",
            ],
            ALI,
        )
        .unwrap();
        assert_eq!(s.provider.regions(), vec!["cn-qingdao", "cn-chengdu"]);
        assert_eq!(s.provider.region.as_deref(), Some("cn-qingdao"));
        let s = resolve_with(&["alibaba-slb", "delete", "x", "--region", "all"], ALI).unwrap();
        assert!(s.provider.all_regions());
        assert_eq!(s.provider.regions().len(), alibaba_slb::ALL_REGIONS.len());
        let s = resolve_with(
            &["alibaba-slb", "delete", "x", "--region", "cn-qingdao"],
            ALI,
        )
        .unwrap();
        assert_eq!(s.provider.regions(), vec!["cn-qingdao"]);
        assert!(!s.provider.all_regions());
        let e = resolve_with(
            &[
                "tencent-ssl",
                "delete",
                "x",
                "--region",
                "a",
                "--region",
                "b",
            ],
            TC,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("only alibaba-slb takes several"),
            "{e}"
        );
        let e = resolve_with(&["alibaba-cas", "list", "--region", "all"], ALI).unwrap_err();
        assert!(e.to_string().contains("applies to alibaba-slb only"), "{e}");
        let s = resolve_with(
            &[
                "alibaba-slb",
                "list",
                "--region",
                "eu-central-1",
                "--endpoint",
                "http://127.0.0.1:9",
            ],
            ALI,
        )
        .unwrap();
        assert!(s.provider.custom_endpoint);
    }

    #[test]
    fn delete_batch_and_wait_options() {
        let s = resolve_with(&["tencent-ssl", "delete", "a", "b"], TC).unwrap();
        let Command::Delete { batch, wait, .. } = s.command else {
            panic!("not a delete")
        };
        assert!(batch);
        assert_eq!(wait, Some(DEFAULT_WAIT));
        let s = resolve_with(
            &["tencent-ssl", "delete", "a", "--no-batch", "--no-wait"],
            TC,
        )
        .unwrap();
        let Command::Delete { batch, wait, .. } = s.command else {
            panic!("not a delete")
        };
        assert!(!batch);
        assert_eq!(wait, None);
        let s = resolve_with(&["tencent-ssl", "delete", "a", "--wait-timeout", "5"], TC).unwrap();
        let Command::Delete { wait, .. } = s.command else {
            panic!("not a delete")
        };
        assert_eq!(wait, Some(Duration::from_secs(5)));
        for bad in [
            &["tencent-ssl", "delete", "a", "--wait-timeout", "0"][..],
            &[
                "tencent-ssl",
                "delete",
                "a",
                "--wait-timeout",
                "5",
                "--no-wait",
            ][..],
        ] {
            assert!(resolve_with(bad, TC).is_err(), "{bad:?}");
        }
        let e = resolve_with(&["alibaba-cas", "delete", "1", "--no-batch"], ALI).unwrap_err();
        assert_eq!(e.to_string(), "--no-batch applies to tencent-ssl only");
    }

    #[test]
    fn cli_contract() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn proxy_from_the_environment() {
        let s = resolve_with(&["tencent-ssl", "delete", "x"], TC).unwrap();
        assert_eq!(s.run.proxy, None);
        let mut vars = TC.to_vec();
        vars.push(("https_proxy", "http://user:pw@proxy.corp:3128"));
        vars.push(("NO_PROXY", ".internal,10.0.0.0/8"));
        let s = resolve_with(&["tencent-ssl", "delete", "x"], &vars).unwrap();
        let p = s.run.proxy.unwrap();
        assert_eq!(p.url.expose(), "http://user:pw@proxy.corp:3128");
        assert_eq!(p.no_proxy.as_deref(), Some(".internal,10.0.0.0/8"));
        assert!(
            !format!("{p:?}").contains("pw@"),
            "the proxy URL is redacted"
        );
        let mut vars = TC.to_vec();
        vars.push(("ALL_PROXY", "socks5://u:secretpw@h:1080"));
        let e = resolve_with(&["tencent-ssl", "delete", "x"], &vars)
            .unwrap_err()
            .to_string();
        assert!(e.contains("SOCKS") && !e.contains("secretpw"), "{e}");
        let mut vars = TC.to_vec();
        vars.push(("HTTPS_PROXY", "proxy.corp:3128"));
        let e = resolve_with(&["tencent-ssl", "delete", "x"], &vars)
            .unwrap_err()
            .to_string();
        assert!(e.contains("HTTPS_PROXY is not a proxy URL"), "{e}");
    }

    /// A fresh directory under the system temp dir, for files the trust settings read.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("certdel-trust-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn ca_pem(name: &str) -> (String, Vec<u8>) {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let cert = params
            .self_signed(&rcgen::KeyPair::generate().unwrap())
            .unwrap();
        (cert.pem(), cert.der().to_vec())
    }

    fn trust_with(vars: &[(&str, &str)]) -> Result<Trust, Error> {
        let mut all = TC.to_vec();
        all.extend_from_slice(vars);
        resolve_with(&["tencent-ssl", "delete", "x"], &all).map(|s| s.run.trust)
    }

    #[test]
    fn the_test_switch_for_instant_retries() {
        let mut vars = vec![
            ("TENCENTCLOUD_SECRET_ID", "a"),
            ("TENCENTCLOUD_SECRET_KEY", "s"),
        ];
        let s = resolve_with(&["tencent-ssl", "delete", "x"], &vars).unwrap();
        assert!(!s.run.no_retry_delay);
        vars.push(("CERTDEL_TEST_NO_RETRY_DELAY", "1"));
        let s = resolve_with(&["tencent-ssl", "delete", "x"], &vars).unwrap();
        assert!(s.run.no_retry_delay);
    }

    #[test]
    fn plain_http_runs_skip_the_platform_store() {
        let vars = [
            ("TENCENTCLOUD_SECRET_ID", "a"),
            ("TENCENTCLOUD_SECRET_KEY", "s"),
        ];
        let s = resolve_with(&["tencent-ssl", "delete", "x"], &vars).unwrap();
        assert!(s.run.trust.platform, "https endpoint: platform roots");
        let local = [
            "tencent-ssl",
            "delete",
            "x",
            "--endpoint",
            "http://127.0.0.1:9",
        ];
        let s = resolve_with(&local, &vars).unwrap();
        assert!(!s.run.trust.platform, "plain http only: no store to read");
        // huawei-scm discovering its domain id over https still needs the roots.
        let hw = [("HUAWEICLOUD_SDK_AK", "a"), ("HUAWEICLOUD_SDK_SK", "s")];
        let local = [
            "huawei-scm",
            "delete",
            "x",
            "--endpoint",
            "http://127.0.0.1:9",
        ];
        assert!(resolve_with(&local, &hw).unwrap().run.trust.platform);
        let mut with_id = hw.to_vec();
        with_id.push(("HUAWEICLOUD_SDK_DOMAIN_ID", "d"));
        assert!(!resolve_with(&local, &with_id).unwrap().run.trust.platform);
    }

    #[test]
    fn identity_calls_over_https_need_the_platform_roots() {
        let vars = [
            ("TENCENTCLOUD_SECRET_ID", "a"),
            ("TENCENTCLOUD_SECRET_KEY", "s"),
        ];
        let local = ["--endpoint", "http://127.0.0.1:9", "tencent-ssl"];
        let run = |extra: &[&str], vars: &[(&str, &str)]| {
            let args: Vec<&str> = local.iter().chain(extra).copied().collect();
            resolve_with(&args, vars).unwrap().run.trust.platform
        };
        // The product on loopback, the identity call at the vendor's https STS host.
        assert!(run(&["whoami"], &vars));
        assert!(run(&["list", "--expect-account", "1"], &vars));
        assert!(!run(&["list"], &vars), "no identity call: no roots");
        let mut sts_local = vars.to_vec();
        sts_local.push(("CERTDEL_STS_ENDPOINT", "http://127.0.0.1:9"));
        assert!(!run(&["whoami"], &sts_local));
        assert!(!run(&["delete", "x", "--expect-account", "1"], &sts_local));
    }

    #[test]
    fn expect_account_from_the_flag_or_the_environment() {
        let vars = [
            ("TENCENTCLOUD_SECRET_ID", "a"),
            ("TENCENTCLOUD_SECRET_KEY", "s"),
        ];
        let expected = |args: &[&str], vars: &[(&str, &str)]| {
            resolve_with(args, vars).map(|s| s.provider.expect_account)
        };
        let want = |id: &str, from: &str| {
            Some(ExpectedAccount {
                id: id.into(),
                from: from.into(),
            })
        };
        assert_eq!(expected(&["tencent-ssl", "list"], &vars).unwrap(), None);
        assert_eq!(
            expected(
                &["tencent-ssl", "delete", "x", "--expect-account", "111"],
                &vars
            )
            .unwrap(),
            want("111", "--expect-account")
        );
        let mut env = vars.to_vec();
        env.push((EXPECT_ACCOUNT_VAR, "222"));
        assert_eq!(
            expected(&["tencent-ssl", "list"], &env).unwrap(),
            want("222", EXPECT_ACCOUNT_VAR)
        );
        // The flag beats the variable; whoami expects nothing (it tells).
        assert_eq!(
            expected(&["tencent-ssl", "list", "--expect-account", "111"], &env).unwrap(),
            want("111", "--expect-account")
        );
        assert_eq!(expected(&["tencent-ssl", "whoami"], &env).unwrap(), None);
        // Not an account id: a usage error naming where it came from.
        let e = expected(&["tencent-ssl", "list", "--expect-account", "1 1"], &vars)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("--expect-account '1 1': an account id"),
            "{e}"
        );
        let mut bad = vars.to_vec();
        bad.push((EXPECT_ACCOUNT_VAR, "acct\u{1b}[2J"));
        let e = expected(&["tencent-ssl", "delete", "x"], &bad)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("CERTDEL_EXPECT_ACCOUNT '"), "{e}");
        assert!(e.contains("whoami"), "{e}");
    }

    #[test]
    fn credentials_say_where_they_came_from() {
        let mut vars = vec![
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "a"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s"),
        ];
        let origin = |vars: &[(&str, &str)]| {
            resolve_with(&["alibaba-cas", "whoami"], vars)
                .unwrap()
                .provider
                .credentials
                .origin
        };
        assert_eq!(
            origin(&vars),
            "environment: ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET"
        );
        vars.push(("ALIBABA_CLOUD_SECURITY_TOKEN", "tok"));
        assert_eq!(
            origin(&vars),
            "environment: ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN"
        );
    }

    #[test]
    fn no_trust_variables_means_built_in_and_platform_roots() {
        assert_eq!(trust_with(&[]).unwrap(), Trust::default());
        let t = trust_with(&[("SSL_CERT_FILE", ""), ("SSL_CERT_DIR", "")]).unwrap();
        assert!(t.extra.is_empty() && t.platform, "empty values are unset");
    }

    #[test]
    fn ssl_cert_file_adds_every_certificate_in_it() {
        let dir = scratch("file");
        let ((a, a_der), (b, b_der)) = (ca_pem("CA one"), ca_pem("CA two"));
        let file = dir.join("bundle.pem");
        std::fs::write(&file, format!("# corporate roots\n{a}\nsome text\n{b}")).unwrap();
        let t = trust_with(&[("SSL_CERT_FILE", file.to_str().unwrap())]).unwrap();
        assert!(
            t.platform,
            "added to the platform roots, not instead of them"
        );
        let ders: Vec<_> = t.extra.iter().map(|e| e.der.clone()).collect();
        assert_eq!(ders, vec![a_der, b_der]);
        assert!(t
            .extra
            .iter()
            .all(|e| e.var == "SSL_CERT_FILE" && e.path == file));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn ssl_cert_dir_reads_the_pem_files_of_each_directory() {
        let (one, two) = (scratch("dir1"), scratch("dir2"));
        let ((a, a_der), (b, b_der)) = (ca_pem("CA one"), ca_pem("CA two"));
        std::fs::write(one.join("a.pem"), &a).unwrap();
        // The same certificate under a second name (as `openssl rehash` leaves it) counts once.
        std::fs::write(one.join("1a2b3c4d.0"), &a).unwrap();
        std::fs::write(one.join("README"), "not a certificate").unwrap();
        std::fs::create_dir(one.join("sub")).unwrap();
        std::fs::write(two.join("b.crt"), &b).unwrap();
        let dirs = format!("{}:{}", one.display(), two.display());
        let t = trust_with(&[("SSL_CERT_DIR", &dirs)]).unwrap();
        let ders: Vec<_> = t.extra.iter().map(|e| e.der.clone()).collect();
        assert_eq!(ders, vec![a_der, b_der]);
        assert!(t.extra.iter().all(|e| e.var == "SSL_CERT_DIR"));

        let empty = scratch("dir-empty");
        let e = trust_with(&[("SSL_CERT_DIR", empty.to_str().unwrap())])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("SSL_CERT_DIR") && e.contains(empty.to_str().unwrap()),
            "{e}"
        );
        let missing = one.join("missing");
        let e = trust_with(&[("SSL_CERT_DIR", &format!("{dirs}:{}", missing.display()))])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("SSL_CERT_DIR") && e.contains(missing.to_str().unwrap()),
            "{e}"
        );
        for d in [one, two, empty] {
            let _ = std::fs::remove_dir_all(d);
        }
    }

    #[test]
    fn unusable_ssl_cert_file_is_a_usage_error_naming_it() {
        let e = trust_with(&[("SSL_CERT_FILE", "/nonexistent/ca.pem")]).unwrap_err();
        assert!(matches!(e, Error::Usage(_)), "{e:?}");
        let e = e.to_string();
        assert!(
            e.starts_with("SSL_CERT_FILE: cannot read /nonexistent/ca.pem (")
                && e.contains("or unset it"),
            "{e}"
        );

        let dir = scratch("nocert");
        let file = dir.join("key.pem");
        std::fs::write(&file, rcgen::KeyPair::generate().unwrap().serialize_pem()).unwrap();
        let e = trust_with(&[("SSL_CERT_FILE", file.to_str().unwrap())])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("SSL_CERT_FILE=") && e.contains("no PEM certificate"),
            "{e}"
        );
        let garbled = dir.join("garbled.pem");
        std::fs::write(
            &garbled,
            "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let e = trust_with(&[("SSL_CERT_FILE", garbled.to_str().unwrap())])
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot be read"), "{e}");
        let _ = std::fs::remove_dir_all(dir);
    }

    // ---- credentials from the vendor CLIs' files (`crate::profile`) ----

    use crate::profile::testing::{chmod, home, write};

    const TC_FILE: &str = r#"{"secretId":"AKIDfile","secretKey":"tc-file-secret"}"#;
    const ALI_FILE: &str = r#"{"current":"default","profiles":[
        {"name":"default","mode":"AK","access_key_id":"LTAIfile","access_key_secret":"ali-file-secret","region_id":"cn-shanghai"},
        {"name":"prod","mode":"StsToken","access_key_id":"LTAIprod","access_key_secret":"ali-prod-secret","sts_token":"ali-prod-token","region_id":"cn-beijing"}]}"#;
    const VE_FILE: &str = r#"{"current":"work","profiles":{
        "work":{"name":"work","mode":"ak","access-key":"AKLTfile","secret-key":"ve-file-secret","region":"cn-beijing"}}}"#;
    const HW_FILE: &str = "[global]\nak = HWAKfile\nsk = hw-file-secret\ndomain_id = filedomain01\niam_endpoint = https://iam.file.example\n";

    /// A home with one profile file per vendor (mode 0600), and its path as `HOME`.
    fn profile_home(name: &str) -> (PathBuf, String) {
        let h = home(&format!("settings-{name}"));
        write(&h, ".tccli/default.credential", TC_FILE);
        write(
            &h,
            ".tccli/default.configure",
            r#"{"_sys_param":{"region":"ap-guangzhou"}}"#,
        );
        write(&h, ".aliyun/config.json", ALI_FILE);
        write(&h, ".volcengine/config.json", VE_FILE);
        write(&h, ".huaweicloud/credentials", HW_FILE);
        let s = h.to_str().unwrap().to_string();
        (h, s)
    }

    fn with_home<'a>(home: &'a str, vars: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut v = vec![("HOME", home)];
        v.extend_from_slice(vars);
        v
    }

    #[test]
    fn every_vendors_file_gives_the_credentials_when_the_environment_has_none() {
        let (_h, home) = profile_home("each");
        let vars = with_home(&home, &[]);
        for (provider, key, secret, source) in [
            (
                "tencent-ssl",
                "AKIDfile",
                "tc-file-secret",
                "~/.tccli/default.credential, profile default",
            ),
            (
                "alibaba-slb",
                "LTAIfile",
                "ali-file-secret",
                "~/.aliyun/config.json, profile default",
            ),
            (
                "alibaba-cas",
                "LTAIfile",
                "ali-file-secret",
                "~/.aliyun/config.json, profile default",
            ),
            (
                "volcengine-live",
                "AKLTfile",
                "ve-file-secret",
                "~/.volcengine/config.json, profile work",
            ),
            (
                "huawei-scm",
                "HWAKfile",
                "hw-file-secret",
                "~/.huaweicloud/credentials, section [global]",
            ),
        ] {
            let s = resolve_with(&[provider, "delete", "x"], &vars)
                .unwrap_or_else(|e| panic!("{provider}: {e}"));
            let c = &s.provider.credentials;
            assert_eq!(c.access_key, key, "{provider}");
            assert_eq!(c.secret_key.expose(), secret, "{provider}");
            assert_eq!(c.origin, source, "{provider}");
            assert!(s.warnings.is_empty(), "{provider}: {:?}", s.warnings);
        }
        // The profile's region: alibaba-slb needs no --region then, tencent-ssl sends it.
        let region = |p: &str| resolve_with(&[p, "list"], &vars).unwrap().provider.region;
        assert_eq!(region("alibaba-slb").as_deref(), Some("cn-shanghai"));
        assert_eq!(region("alibaba-cas").as_deref(), Some("cn-shanghai"));
        assert_eq!(region("tencent-ssl").as_deref(), Some("ap-guangzhou"));
        // volcengine-live signs for cn-north-1 whatever the profile says.
        assert_eq!(region("volcengine-live"), None);
        let slb = resolve_with(&["alibaba-slb", "list"], &vars).unwrap();
        assert_eq!(slb.provider.regions(), ["cn-shanghai"]);
        // The endpoint is the one --region cn-shanghai picks.
        let flag = resolve_with(&["--region", "cn-shanghai", "alibaba-slb", "list"], &vars);
        assert_eq!(slb.provider.endpoint, flag.unwrap().provider.endpoint);
        // An StsToken profile brings its token.
        let s = resolve_with(&["alibaba-cas", "list", "--profile", "prod"], &vars).unwrap();
        let token = s.provider.credentials.token.as_ref().unwrap();
        assert_eq!(token.expose(), "ali-prod-token");
    }

    #[test]
    fn the_profile_flag_beats_the_credential_variables_which_beat_the_file() {
        let (_h, home) = profile_home("flag");
        let env_keys = [
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
        ];
        let vars = with_home(&home, &env_keys);
        let creds = |args: &[&str]| {
            resolve_with(args, &vars)
                .unwrap_or_else(|e| panic!("{args:?}: {e}"))
                .provider
                .credentials
        };
        let c = creds(&["alibaba-cas", "list"]);
        assert_eq!(c.access_key, "LTAIenv");
        assert_eq!(
            c.origin,
            "environment: ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET"
        );
        for args in [
            &["alibaba-cas", "list", "--profile", "prod"][..],
            &["alibaba-cas", "delete", "x", "--profile", "prod"][..],
            &["alibaba-cas", "whoami", "--profile", "prod"][..],
        ] {
            let c = creds(args);
            assert_eq!(c.access_key, "LTAIprod", "{args:?}");
            assert_eq!(c.origin, "~/.aliyun/config.json, profile prod");
        }
        // The profile variable picks one only when no credential variable is set.
        let mut vars = with_home(&home, &[("ALIBABA_CLOUD_PROFILE", "prod")]);
        let pick = |vars: &[(&str, &str)]| {
            resolve_with(&["alibaba-cas", "list"], vars)
                .unwrap()
                .provider
                .credentials
                .access_key
        };
        assert_eq!(pick(&vars), "LTAIprod");
        vars.extend_from_slice(&env_keys);
        assert_eq!(pick(&vars), "LTAIenv");
        // Half a pair in the environment is not mixed with the file: the missing one is named.
        let e = resolve_with(
            &["tencent-ssl", "list"],
            &with_home(&home, &[("TENCENTCLOUD_SECRET_ID", "AKIDenv")]),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "tencent-ssl: missing credentials: set TENCENTCLOUD_SECRET_KEY"
        );
    }

    #[test]
    fn the_profile_region_yields_to_the_flag_and_the_variable() {
        let (_h, home) = profile_home("region");
        let region = |args: &[&str], vars: &[(&str, &str)]| {
            resolve_with(args, &with_home(&home, vars))
                .unwrap_or_else(|e| panic!("{args:?}: {e}"))
                .provider
                .region
                .unwrap()
        };
        let tc = ["tencent-ssl", "list"];
        assert_eq!(region(&tc, &[]), "ap-guangzhou");
        assert_eq!(
            region(&["--region", "ap-beijing", "tencent-ssl", "list"], &[]),
            "ap-beijing"
        );
        assert_eq!(
            region(&tc, &[("TENCENTCLOUD_REGION", "ap-shanghai")]),
            "ap-shanghai"
        );
        let slb = ["alibaba-slb", "list"];
        assert_eq!(region(&slb, &[]), "cn-shanghai");
        assert_eq!(
            region(&["--region", "cn-hangzhou", "alibaba-slb", "list"], &[]),
            "cn-hangzhou"
        );
        assert_eq!(
            region(&slb, &[("ALIBABA_CLOUD_REGION_ID", "cn-qingdao")]),
            "cn-qingdao"
        );
        // Credentials from the environment: the file's region is not read either.
        let e = resolve_with(
            &slb,
            &with_home(
                &home,
                &[
                    ("ALIBABA_CLOUD_ACCESS_KEY_ID", "a"),
                    ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s"),
                ],
            ),
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("alibaba-slb needs a region"),
            "{e}"
        );
    }

    #[test]
    fn a_profile_region_the_vendor_lacks_names_the_profile() {
        let (h, home) = profile_home("bad-region");
        write(
            &h,
            ".aliyun/config.json",
            &ALI_FILE.replace("cn-shanghai", "cn-shanghia"),
        );
        let e = resolve_with(&["alibaba-slb", "list"], &with_home(&home, &[]))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("unknown region cn-shanghia for alibaba-slb (from ~/.aliyun/config.json, profile default; --region or ALIBABA_CLOUD_REGION_ID would override it); valid: "),
            "{e}"
        );
        write(
            &h,
            ".aliyun/config.json",
            &ALI_FILE.replace("cn-shanghai", "cn_shanghai!"),
        );
        let e = resolve_with(&["alibaba-cas", "list"], &with_home(&home, &[]))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("~/.aliyun/config.json, profile default: region 'cn_shanghai!': a region id has only"),
            "{e}"
        );
    }

    #[test]
    fn huawei_takes_domain_id_and_iam_endpoint_from_the_file_unless_the_environment_sets_them() {
        let (h, home) = profile_home("huawei");
        let hw = ["huawei-scm", "list"];
        let s = resolve_with(&hw, &with_home(&home, &[])).unwrap();
        assert_eq!(s.provider.domain_id(), Some("filedomain01"));
        assert_eq!(
            s.provider.iam_endpoint(),
            Some(&Endpoint::https("iam.file.example"))
        );
        assert_eq!(
            Some(&s.provider.identity_endpoint),
            s.provider.iam_endpoint()
        );
        let s = resolve_with(
            &hw,
            &with_home(
                &home,
                &[
                    ("HUAWEICLOUD_SDK_DOMAIN_ID", "envdomain"),
                    ("HUAWEICLOUD_SDK_IAM_ENDPOINT", "https://iam.env.example"),
                ],
            ),
        )
        .unwrap();
        assert_eq!(s.provider.credentials.access_key, "HWAKfile");
        assert_eq!(s.provider.domain_id(), Some("envdomain"));
        assert_eq!(
            s.provider.iam_endpoint(),
            Some(&Endpoint::https("iam.env.example"))
        );
        // An iam_endpoint that is not a URL is refused naming the file and the key.
        write(
            &h,
            ".huaweicloud/credentials",
            &HW_FILE.replace("https://iam.file.example", "iam.file.example"),
        );
        let e = resolve_with(&hw, &with_home(&home, &[]))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("~/.huaweicloud/credentials, section [global]: iam_endpoint 'iam.file.example': is not a URL"),
            "{e}"
        );
        // Without domain_id in the file, the lookup goes where the file's iam_endpoint says.
        write(&h, ".huaweicloud/credentials", "[global]\nak = A\nsk = S\n");
        let s = resolve_with(&hw, &with_home(&home, &[])).unwrap();
        assert_eq!(s.provider.domain_id(), None);
        assert_eq!(
            s.provider.iam_endpoint(),
            Some(&huawei_scm::iam_endpoint(None)),
            "no iam_endpoint in the file: the region's"
        );
    }

    #[test]
    fn huawei_refuses_a_profile_name_with_or_without_home() {
        let (_h, home) = profile_home("huawei-flag");
        for vars in [with_home(&home, &[]), vec![]] {
            let e =
                resolve_exactly(&["huawei-scm", "list", "--profile", "prod"], &vars).unwrap_err();
            assert!(matches!(e, Error::Usage(_)), "{e:?}");
            assert_eq!(
                e.to_string(),
                "huawei-scm: --profile: the Huawei SDK credentials file has no named profiles; use HUAWEICLOUD_SDK_CREDENTIALS_FILE to pick another file"
            );
        }
    }

    #[test]
    fn a_profile_name_without_home_is_refused_saying_why() {
        let e = resolve_exactly(&["tencent-ssl", "list", "--profile", "prod"], TC).unwrap_err();
        assert!(matches!(e, Error::Usage(_)), "{e:?}");
        assert_eq!(
            e.to_string(),
            "tencent-ssl: --profile prod: HOME is not set to an absolute path, so the vendor CLI's credentials file cannot be found; set HOME"
        );
        // Without HOME and without the flag: the variables alone, as always.
        let s = resolve_exactly(&["tencent-ssl", "list"], TC).unwrap();
        assert_eq!(s.provider.credentials.access_key, "AKID");
    }

    #[test]
    fn no_credentials_anywhere_names_every_source_tried_in_order() {
        let h = home("settings-nothing");
        let home = h.to_str().unwrap();
        let e = resolve_with(&["tencent-ssl", "delete", "x"], &[("HOME", home)]).unwrap_err();
        assert!(matches!(e, Error::NoCredentials { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            "no credentials for tencent-ssl: tried TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY, ~/.tccli/default.credential (no such file), in order; set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY, or store a profile with `tccli configure`"
        );
        let e = resolve_with(&["huawei-scm", "list"], &[("HOME", home)])
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "no credentials for huawei-scm: tried HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, ~/.huaweicloud/credentials (no such file), in order; set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or put ak and sk under [global] in ~/.huaweicloud/credentials"
        );
        // The ve CLI's own command, with the flags it requires.
        let e = resolve_with(&["volcengine-live", "list"], &[("HOME", home)])
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("or store a profile with `ve configure set --profile NAME --region cn-north-1 --access-key AK --secret-key SK`"),
            "{e}"
        );
    }

    #[test]
    fn a_malformed_file_is_a_usage_error_naming_it() {
        let (h, home) = profile_home("malformed");
        write(&h, ".volcengine/config.json", "{\"current\": ");
        let e = resolve_with(&["volcengine-live", "list"], &with_home(&home, &[])).unwrap_err();
        assert!(matches!(e, Error::Usage(_)), "{e:?}");
        assert!(
            e.to_string()
                .starts_with("volcengine-live: ~/.volcengine/config.json: not valid JSON"),
            "{e}"
        );
        // The file is not read at all when the environment has the credentials.
        let s = resolve_with(
            &["volcengine-live", "list"],
            &with_home(
                &home,
                &[
                    ("VOLCENGINE_ACCESS_KEY", "AKLTenv"),
                    ("VOLCENGINE_SECRET_KEY", "s"),
                ],
            ),
        )
        .unwrap();
        assert_eq!(s.provider.credentials.access_key, "AKLTenv");
    }

    #[test]
    fn a_file_open_to_others_becomes_one_warning_of_the_settings() {
        let (h, home) = profile_home("warn");
        let s = resolve_with(&["tencent-ssl", "list"], &with_home(&home, &[])).unwrap();
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        if cfg!(unix) {
            chmod(&h.join(".tccli/default.credential"), 0o644);
            let s = resolve_with(&["tencent-ssl", "list"], &with_home(&home, &[])).unwrap();
            assert_eq!(
                s.warnings,
                ["~/.tccli/default.credential holds secrets and is open to group or others (mode 0644): run chmod 600 ~/.tccli/default.credential"]
            );
            // Credentials from the environment: the file is not read, so no warning.
            let mut vars = with_home(&home, TC);
            vars.push(("TENCENTCLOUD_REGION", "ap-guangzhou"));
            let s = resolve_with(&["tencent-ssl", "list"], &vars).unwrap();
            assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        }
    }

    #[test]
    fn secrets_from_files_never_show_in_settings() {
        let (_h, home) = profile_home("redact");
        for provider in [
            "tencent-ssl",
            "alibaba-cas",
            "volcengine-live",
            "huawei-scm",
        ] {
            let s = resolve_with(&[provider, "list"], &with_home(&home, &[])).unwrap();
            let shown = format!("{s:?}");
            for secret in [
                "tc-file-secret",
                "ali-file-secret",
                "ve-file-secret",
                "hw-file-secret",
            ] {
                assert!(!shown.contains(secret), "{provider}: {shown}");
            }
        }
    }
}
