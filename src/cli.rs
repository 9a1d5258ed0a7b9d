//! The command line, as clap derive types only. `settings.rs` turns it into `Settings`.

use crate::provider::Kind;
use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub const EXIT_CODES: &str = "\
Exit status:
  0  every id was deleted or is gone (delete --dry-run: every id would be deleted;
     list: the listing completed)
  1  the run finished but at least one id was not deleted
     (not_found, in_use, denied, pending, failed, skipped; --accept not_found,in_use
     counts either or both as success)
  2  certdel could not run: usage error, missing or rejected credentials, another account
     than --expect-account, unreachable endpoint, stdout not writable (list: the listing could not be completed; nothing is printed on stdout)
  130  interrupted by SIGINT (Ctrl-C)
  143  interrupted by SIGTERM
       (no new request is started and every id is reported, those never sent skipped; a second
       interrupt stops waiting for requests in flight; list prints nothing)

Credentials come from the environment or the official CLIs' files (never from arguments):
--profile NAME takes that profile; else the variables below; else the profile the
vendor's profile variable names; else the file's default (or current) profile.
  huawei-scm       HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK
                   [, HUAWEICLOUD_SDK_SECURITY_TOKEN, HUAWEICLOUD_SDK_DOMAIN_ID,
                   HUAWEICLOUD_SDK_IAM_ENDPOINT (where the account id is looked up)]
                   file: ~/.huaweicloud/credentials [global], or HUAWEICLOUD_SDK_CREDENTIALS_FILE
  tencent-ssl      TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY
                   [, TENCENTCLOUD_TOKEN, TENCENTCLOUD_REGION]
                   file: ~/.tccli/NAME.credential (+ NAME.configure), profile TCCLI_PROFILE
  volcengine-live  VOLCENGINE_ACCESS_KEY, VOLCENGINE_SECRET_KEY [, VOLCENGINE_SESSION_TOKEN]
                   file: ~/.volcengine/config.json, or VOLCENGINE_CLI_CONFIG_FILE;
                   profile VOLCENGINE_PROFILE
  alibaba-slb/cas  ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET
                   [, ALIBABA_CLOUD_SECURITY_TOKEN, ALIBABA_CLOUD_REGION_ID]
                   file: ~/.aliyun/config.json, profile ALIBABA_CLOUD_PROFILE
A profile's region counts only without --region and the region variable.
Also read from the environment, by every provider:
  HTTPS_PROXY, ALL_PROXY, NO_PROXY (either case)   an egress proxy for https requests
  SSL_CERT_FILE, SSL_CERT_DIR                      more trusted CAs (PEM), added to the roots
  CERTDEL_STS_ENDPOINT                             where the account identity is asked
                                                   (tencent-ssl, volcengine-live, alibaba-*)
  CERTDEL_EXPECT_ACCOUNT                           --expect-account when the flag is not given
  CERTDEL_AUDIT_LOG, XDG_STATE_HOME, HOME          where delete writes its audit log
                                                   (HOME: where the CLIs' files are too)
  NO_COLOR                                         set (not empty): no colour on a terminal
                                                   (outcome words, -v/-vv diagnostics)";

pub const EXAMPLES: &str = "\
Examples:
  # delete one certificate (on a terminal certdel asks first)
  certdel tencent-ssl delete abc123

  # delete what has expired, in a pipeline (pipefail: a failed listing fails the pipeline)
  set -o pipefail
  certdel tencent-ssl list --expired --output ids | certdel tencent-ssl delete - --yes

  # a CI job: list into a plan file, review or trim it, then delete exactly its certificates
  certdel alibaba-slb list --region all --expired --plan plan.json
  certdel alibaba-slb delete --plan plan.json --yes

  # shell completions and the man page
  certdel completions bash > ~/.local/share/bash-completion/completions/certdel
  certdel man > certdel.1; man ./certdel.1";

pub const DELETE_EXAMPLES: &str = "\
Examples:
  certdel tencent-ssl delete abc123
  certdel tencent-ssl delete abc123 def456 --yes --output json
  set -o pipefail
  certdel tencent-ssl list --expired --output ids | certdel tencent-ssl delete - --yes
  certdel volcengine-live delete - --dry-run < chains.txt
  certdel alibaba-slb delete --plan plan.json --yes";

pub const LIST_EXAMPLES: &str = "\
Examples:
  certdel tencent-ssl list --expired
  certdel alibaba-slb list --region all --expires-before 30d --output json > expiring.ndjson
  certdel alibaba-slb list --region all --expired --plan plan.json
  certdel huawei-scm list --domain '*.example.com' --output ids";

/// Delete and list TLS certificates on Huawei Cloud SCM, Tencent Cloud SSL, Volcengine Live,
/// Alibaba Cloud SLB and Alibaba Cloud CAS.
#[derive(Debug, Parser)]
#[command(name = "certdel", version, after_help = format!("{EXAMPLES}\n\n{EXIT_CODES}"), propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: TopLevel,
}

/// What certdel is asked to do: a provider's command, or one of the documents generated from
/// this very definition (they need no settings, credentials or audit log).
#[derive(Debug, Subcommand)]
pub enum TopLevel {
    #[command(flatten)]
    Provider(ProviderCommand),
    /// Print a shell completion script on stdout (bash, zsh, fish, powershell or elvish)
    #[command(after_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout
    Man,
    /// Apply a policy file to every account it names: select, guard, delete, report
    #[command(after_help = crate::sweep::args::SWEEP_HELP)]
    Sweep(crate::sweep::args::SweepArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell the script is for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub const COMPLETIONS_HELP: &str = "\
Install:
  bash  certdel completions bash > ~/.local/share/bash-completion/completions/certdel
  zsh   certdel completions zsh > ~/.zfunc/_certdel
        (with `fpath+=~/.zfunc; autoload -Uz compinit; compinit` in ~/.zshrc)
  fish  certdel completions fish > ~/.config/fish/completions/certdel.fish";

#[derive(Debug, Subcommand)]
pub enum ProviderCommand {
    /// Huawei Cloud SSL Certificate Manager (SCM)
    HuaweiScm(ProviderArgs),
    /// Tencent Cloud SSL Certificates
    TencentSsl(ProviderArgs),
    /// Volcengine Live certificates (ids are ChainIDs)
    VolcengineLive(ProviderArgs),
    /// Alibaba Cloud SLB (CLB) server certificates (needs a region)
    AlibabaSlb(ProviderArgs),
    /// Alibaba Cloud Certificate Management Service (orders or certificates, see --target)
    AlibabaCas(ProviderArgs),
}

impl ProviderCommand {
    pub fn split(self) -> (Kind, Action) {
        match self {
            ProviderCommand::HuaweiScm(a) => (Kind::HuaweiScm, a.action),
            ProviderCommand::TencentSsl(a) => (Kind::TencentSsl, a.action),
            ProviderCommand::VolcengineLive(a) => (Kind::VolcengineLive, a.action),
            ProviderCommand::AlibabaSlb(a) => (Kind::AlibabaSlb, a.action),
            ProviderCommand::AlibabaCas(a) => (Kind::AlibabaCas, a.action),
        }
    }
}

#[derive(Debug, Args)]
pub struct ProviderArgs {
    #[command(subcommand)]
    pub action: Action,
}

pub const LIST_HELP: &str = "\
Every page of every query is fetched (pages after the first concurrently, within --rate); the
records are printed only once the listing is complete, soonest expiry first. A time that cannot
be read is shown as unknown and never counts as expired.

Output:
  text  a table: id, name, primary domain, expiry date (UTC), days left, status; then a count
  json  NDJSON, one object per certificate: provider, id, name, domains, not_after (RFC 3339
        UTC or null; not_after_raw keeps an unreadable vendor value), status, in_use, region
  ids   one id per line and nothing else, ready for `delete -`:
          certdel tencent-ssl list --expired --output ids | certdel tencent-ssl delete - --yes

What is listed:
  huawei-scm       ListCertificates, limit 50, every offset up to total_count
  tencent-ssl      DescribeCertificates, Limit 1000
  volcengine-live  ListCertV2 for Available true/false x Expiring true/false (merged by ChainID);
                   --expired asks only for Expiring=true
  alibaba-slb      DescribeServerCertificates once per --region (repeatable; `all` = every public
                   region); records carry their region
  alibaba-cas      ListUserCertificateOrder: --target certificates lists OrderType=CERT (valid,
                   EXPIRED and REVOKED); --target orders lists OrderType CPACK and BUY
";

pub const DELETE_HELP: &str = "\
tencent-ssl: with two or more ids, certdel uses DeleteCertificates (up to 100 ids a request)
and maps its Success/Fail lists back to each id; --no-batch sends one DeleteCertificate per id.
--check-resources makes deletion asynchronous (the server checks for bound resources): certdel
polls DescribeDeleteCertificatesTaskResult every 2 s for up to --wait-timeout seconds and reports
deleted, in_use (still bound), denied (service role missing) or failed; tasks still running at
the end, or every task with --no-wait, are reported pending with their task id.
Every other provider: one request per id.

alibaba-slb: with --region all or several --region, certdel first lists those regions
(DescribeServerCertificates) and deletes each id in the region it is listed in; an id no
region lists is reported not_found and nothing is sent for it.

--dry-run sends no delete request: it lists every certificate the run covers (the provider's
list call, read-only) and reports each id would_delete (listed), not_found (not listed) or
in_use (the listing says so), in the same output formats; no --yes needed. No list API tells
whether a certificate is in use, so would_delete says `in-use state unknown until the delete
request`. Exit 0 when every id would be deleted, 1 otherwise, 2 when the listing could not be
completed (every id is then reported failed: could not tell).";

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Delete certificates by id; `-` reads ids from standard input, one per line
    #[command(after_help = format!("{DELETE_HELP}\n\n{DELETE_EXAMPLES}\n\n{EXIT_CODES}"))]
    Delete(DeleteArgs),
    /// List certificates (every page), optionally filtered
    #[command(after_help = format!("{LIST_HELP}\n{LIST_EXAMPLES}\n\n{EXIT_CODES}"))]
    List(ListArgs),
    /// Show which account the credentials belong to (one identity call; nothing is changed)
    #[command(after_help = WHOAMI_HELP)]
    Whoami(WhoamiArgs),
}

pub const WHOAMI_HELP: &str = "\
Prints the endpoint, the region, where the credentials came from, the access key id (masked)
and who the vendor says the key belongs to: account id, principal (ARN/TRN), identity type
(huawei-scm: the account name). One request, paced and retried like every other:
  huawei-scm       IAM GET /v3/auth/domains (HUAWEICLOUD_SDK_IAM_ENDPOINT moves it)
  tencent-ssl      STS GetCallerIdentity at sts.tencentcloudapi.com
  volcengine-live  STS GetCallerIdentity at sts.volcengineapi.com
  alibaba-slb/cas  STS GetCallerIdentity at sts.<region>.aliyuncs.com (sts.aliyuncs.com)
CERTDEL_STS_ENDPOINT moves the STS calls. --output json prints one object: provider, endpoint,
identity_endpoint, region, access_key_id, credential_source, account_id, principal,
identity_type, account_name (null when unknown); --output ids prints the account id alone.
No secret or token is ever printed.

Exit status:
  0  the credentials work: the vendor named their account
  2  usage error, missing or rejected credentials, unreachable identity endpoint (named)";

/// `whoami` takes the profile only.
#[derive(Debug, Args)]
pub struct WhoamiArgs {
    #[command(flatten)]
    pub profile: ProfileArgs,
}

/// Which profile of the vendor CLI's credentials file to take (`delete`, `list`, `whoami`).
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// Take the credentials (and region) from this profile of the vendor CLI's file: tccli
    /// (~/.tccli), aliyun (~/.aliyun/config.json), ve (~/.volcengine/config.json); the
    /// credential variables are then ignored. Not for huawei-scm (its file has no profiles)
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
}

/// The account a run must be working in (`delete`, `list`).
#[derive(Debug, Args)]
pub struct ExpectArgs {
    /// Refuse to run unless the credentials belong to this account (the account id
    /// `whoami` shows; huawei-scm: the domain id): checked with one identity call before
    /// any other request [env: CERTDEL_EXPECT_ACCOUNT]
    #[arg(long, value_name = "ID")]
    pub expect_account: Option<String>,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Certificate ids; a lone `-` reads them from stdin (one per line, `#` comments and blank lines skipped)
    #[arg(required_unless_present = "plan", value_name = "ID")]
    pub ids: Vec<String>,

    /// tencent-ssl: one DeleteCertificate request per id instead of DeleteCertificates batches
    #[arg(long)]
    pub no_batch: bool,

    /// tencent-ssl with --check-resources: do not wait for the asynchronous deletions; report
    /// them pending with their task id
    #[arg(long)]
    pub no_wait: bool,

    /// tencent-ssl with --check-resources: how long to wait for asynchronous deletions
    /// (0.1 to 86400, one day) [default: 60]
    #[arg(long, value_name = "SECONDS", value_parser = wait_timeout)]
    pub wait_timeout: Option<f64>,

    /// Outcomes that still count as success for the exit status (they are reported as
    /// usual): not_found, in_use, or both (`--accept not_found,in_use`)
    #[arg(long, value_enum, value_delimiter = ',', value_name = "OUTCOME")]
    pub accept: Vec<AcceptArg>,

    /// Send no delete request: resolve each id against the provider's listing (read calls
    /// only) and report would_delete, not_found or in_use; needs no --yes
    #[arg(long)]
    pub dry_run: bool,

    /// Delete exactly the certificates of this plan file (made by `list --plan`, possibly
    /// trimmed by hand), each in its own region; refused when it was made for another
    /// provider, endpoint, CAS target or access key, or is older than --plan-max-age; with
    /// --dry-run, a preview of applying it
    #[arg(long, value_name = "FILE", conflicts_with = "ids")]
    pub plan: Option<PathBuf>,

    /// With --plan: the oldest plan accepted, a duration (30m, 24h, 7d, 2w) [default: 24h]
    #[arg(long, value_name = "DURATION", requires = "plan", conflicts_with = "ids", value_parser = plan_max_age)]
    pub plan_max_age: Option<std::time::Duration>,

    #[command(flatten)]
    pub audit: AuditArgs,

    #[command(flatten)]
    pub expect: ExpectArgs,

    #[command(flatten)]
    pub profile: ProfileArgs,
}

/// An outcome `--accept` may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AcceptArg {
    /// No such certificate
    #[value(name = "not_found")]
    NotFound,
    /// Still bound to a resource
    #[value(name = "in_use")]
    InUse,
}

impl AcceptArg {
    pub fn status(self) -> crate::outcome::Status {
        match self {
            AcceptArg::NotFound => crate::outcome::Status::NotFound,
            AcceptArg::InUse => crate::outcome::Status::InUse,
        }
    }
}

/// Where a command that deletes records what it did (see the README, "Audit log").
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Append the audit log (one JSON line per id) to this file [default: $CERTDEL_AUDIT_LOG,
    /// else $XDG_STATE_HOME/certdel/audit.jsonl, else ~/.local/state/certdel/audit.jsonl]
    #[arg(long, value_name = "PATH", conflicts_with = "no_audit_log")]
    pub audit_log: Option<PathBuf>,

    /// Write no audit log for this run
    #[arg(long)]
    pub no_audit_log: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only certificates already expired (not_after before now)
    #[arg(long)]
    pub expired: bool,

    /// Only certificates expiring before this time: RFC 3339 (2025-06-30T00:00:00Z), a date
    /// (2025-06-30, midnight UTC) or a duration from now (30d, 12h, 90m, 2w; at most 100
    /// years)
    #[arg(long, value_name = "WHEN")]
    pub expires_before: Option<String>,

    /// Only certificates with a domain (primary or SAN) matching this pattern; `*` and `?`
    /// wildcards, case-insensitive (e.g. '*.example.com')
    #[arg(long, value_name = "GLOB")]
    pub domain: Option<String>,

    /// Only certificates whose name matches this pattern; `*` and `?` wildcards, case-sensitive
    #[arg(long, value_name = "GLOB")]
    pub name: Option<String>,

    /// Also write the listed certificates to this plan file (JSON, mode 0600, replaced
    /// atomically), for review and `delete --plan FILE`; only a complete listing is written
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,

    #[command(flatten)]
    pub expect: ExpectArgs,

    #[command(flatten)]
    pub profile: ProfileArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// delete: one line per id, then a summary line; list: an aligned table and a count
    Text,
    /// NDJSON: delete: one object per id, printed as soon as its outcome is known; list: one
    /// object per certificate
    Json,
    /// Only ids, one per line (delete: the ids that were deleted; list: every id listed)
    Ids,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CasTargetArg {
    /// Certificate application orders: DeleteCertificateRequest(OrderId)
    Orders,
    /// Issued or uploaded certificates: DeleteUserCertificate(CertId)
    Certificates,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Send requests to this base URL (scheme://host[:port]) instead of the provider's;
    /// plain http is accepted only for loopback hosts
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint: Option<String>,

    /// Region (alibaba-slb: required, or ALIBABA_CLOUD_REGION_ID; repeatable, or `all`: `delete`
    /// then lists those regions and deletes each id where it is listed; huawei-scm: picks the
    /// host; alibaba-cas: picks the site; tencent-ssl: sent as X-TC-Region)
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Vec<String>,

    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,

    /// Do not ask for confirmation before deleting (required when stdin is not a terminal)
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,

    /// alibaba-cas: what ids name (and what `list` lists)
    #[arg(long, global = true, value_enum, default_value_t = CasTargetArg::Orders)]
    pub target: CasTargetArg,

    /// tencent-ssl: ask the server to check for bound resources (IsCheckResource); the deletion
    /// becomes asynchronous
    #[arg(long, global = true)]
    pub check_resources: bool,

    /// Requests per second, 0.01 to 10000 (default: the provider's documented quota)
    #[arg(long, global = true, value_name = "N", value_parser = rate)]
    pub rate: Option<f64>,

    /// Requests in flight at once, 1 to 1024 (default: enough to reach the rate)
    #[arg(long, global = true, value_name = "N", value_parser = concurrency)]
    pub concurrency: Option<usize>,

    /// Retries per id after 5xx answers, timeouts or dropped connections, 0 to 100 (throttled
    /// requests have their own budget of 15 retries while the whole run slows down)
    #[arg(long, global = true, value_name = "N", default_value_t = 8, value_parser = max_retries)]
    pub max_retries: u32,

    /// Per-request timeout in seconds, 0.1 to 600
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 30.0, value_parser = timeout)]
    pub timeout: f64,

    /// Give up on ids still unfinished after this many seconds, requests in flight included,
    /// 0.1 to 604800 (7 days); they are reported failed, or skipped when never sent
    #[arg(long, global = true, value_name = "SECONDS", value_parser = deadline)]
    pub deadline: Option<f64>,

    /// Most time one id (one request, with all its retries and backoff) may take before it is
    /// given up as failed, 0.1 to 86400 seconds (1 day)
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 45.0, value_parser = retry_timeout)]
    pub retry_timeout: f64,

    /// Diagnostics on stderr: -v one line per request attempt (method, host, action, HTTP
    /// status or error, vendor code, request id, attempt, duration); -vv also each
    /// signature's canonical request and string to sign. Secrets, tokens and signatures are
    /// never shown
    #[arg(short = 'v', long, global = true, action = ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// No diagnostics on stderr: only results, errors and the warnings that say a result may
    /// be incomplete or uncertain (a listing that disagrees with itself, an expiry that could
    /// not be read, an audit log not written)
    #[arg(short = 'q', long, global = true)]
    pub quiet: bool,
}

// Numeric flags are checked when parsed: clap names the flag, these say what is allowed, and
// every later computation with them (intervals, instants, sizes) stays far from overflow.

/// `--rate`: requests per second.
pub const RATE: (f64, f64) = (0.01, 10_000.0);
/// `--concurrency`: requests in flight (each task holds buffers: a million would take gigabytes).
pub const CONCURRENCY: (usize, usize) = (1, 1024);
/// `--max-retries`.
pub const MAX_RETRIES: u32 = 100;
/// `--timeout` in seconds.
pub const TIMEOUT: (f64, f64) = (0.1, 600.0);
/// `--deadline` in seconds: up to 7 days.
pub const DEADLINE: (f64, f64) = (0.1, 7.0 * 86_400.0);
/// `--wait-timeout` in seconds: up to 1 day.
pub const WAIT_TIMEOUT: (f64, f64) = (0.1, 86_400.0);

/// A decimal number within `[lo, hi]`; NaN, infinities and anything outside are refused with
/// the range in the message.
pub fn number_in(s: &str, (lo, hi): (f64, f64), unit: &str) -> Result<f64, String> {
    let what = || format!("give a number from {lo} to {hi}{unit}");
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("not a number: {}", what()))?;
    if !v.is_finite() || v < lo || v > hi {
        return Err(format!("out of range: {}", what()));
    }
    Ok(v)
}

fn whole_in(s: &str, lo: u64, hi: u64, unit: &str) -> Result<u64, String> {
    let what = || format!("give a whole number from {lo} to {hi}{unit}");
    let t = s.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("not a whole number: {}", what()));
    }
    match t.parse::<u64>() {
        Ok(v) if (lo..=hi).contains(&v) => Ok(v),
        _ => Err(format!("out of range: {}", what())),
    }
}

pub fn rate(s: &str) -> Result<f64, String> {
    number_in(s, RATE, " requests per second")
}

pub fn concurrency(s: &str) -> Result<usize, String> {
    let (lo, hi) = CONCURRENCY;
    whole_in(s, lo as u64, hi as u64, " requests in flight").map(|v| v as usize)
}

pub fn max_retries(s: &str) -> Result<u32, String> {
    whole_in(s, 0, MAX_RETRIES.into(), " retries").map(|v| v as u32)
}

pub fn timeout(s: &str) -> Result<f64, String> {
    number_in(s, TIMEOUT, " seconds")
}

pub fn deadline(s: &str) -> Result<f64, String> {
    number_in(s, DEADLINE, " seconds (7 days)")
}

/// `--retry-timeout`: seconds one id may take.
pub const RETRY_TIMEOUT: (f64, f64) = (0.1, 86_400.0);

pub fn retry_timeout(s: &str) -> Result<f64, String> {
    number_in(s, RETRY_TIMEOUT, " seconds (1 day)")
}

/// `--plan-max-age`: a duration of the `list --expires-before` kind, more than zero.
pub fn plan_max_age(s: &str) -> Result<std::time::Duration, String> {
    const FORMS: &str = "give a duration such as 30m, 24h, 7d or 2w";
    let d = match crate::time::duration("--plan-max-age", s) {
        Some(d) => d?,
        None => return Err(format!("not a duration: {FORMS}")),
    };
    d.to_std()
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("must be more than zero: {FORMS}"))
}

pub fn wait_timeout(s: &str) -> Result<f64, String> {
    number_in(s, WAIT_TIMEOUT, " seconds (1 day)")
}
