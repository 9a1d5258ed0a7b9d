//! The command line, as clap derive types only. `settings.rs` turns it into `Settings`.
//!
//! Its shape follows the scope of each option:
//!
//! - **Global options** (`-v`, `-q`) apply to every command and are accepted anywhere.
//! - **Connection options** (`--endpoint`, `--region`, `--profile`) belong to a provider:
//!   accepted after the provider's name, before or after the verb. Each provider documents
//!   its own region and credentials (`mut_arg`), and hides what it does not take.
//! - Each **verb** takes its own options: `delete` the confirmation, audit log, plan and the
//!   provider's own delete switches (tencent-ssl's batching and asynchronous deletion,
//!   alibaba-cas's `--target`); `list` its filters; `whoami` only its output. The pacing and
//!   retry group is flattened into the verbs that send many requests.
//!
//! Scripts written when every option was global keep working: each option is also accepted,
//! hidden from help, before the provider's name and between the provider and the verb
//! ([`LegacyArgs`]). [`Cli::invocation`] merges the places into one [`Invocation`]; an option
//! given after the verb wins over one given earlier.

use crate::provider::Kind;
use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// What every exit status means (the same for every provider).
macro_rules! exit_status {
    () => {
        "\
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
       interrupt stops waiting for requests in flight; list prints nothing)"
    };
}

macro_rules! credentials_intro {
    () => {
        "\
Credentials come from the environment or the official CLIs' files (never from arguments):
--profile NAME takes that profile; else the variables below; else the profile the
vendor's profile variable names; else the file's default (or current) profile.
"
    };
}

macro_rules! huawei_credentials {
    () => {
        "  huawei-scm       HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK
                   [, HUAWEICLOUD_SDK_SECURITY_TOKEN, HUAWEICLOUD_SDK_DOMAIN_ID,
                   HUAWEICLOUD_SDK_IAM_ENDPOINT (where the account id is looked up)]
                   file: ~/.huaweicloud/credentials [global], or HUAWEICLOUD_SDK_CREDENTIALS_FILE
"
    };
}

macro_rules! tencent_credentials {
    () => {
        "  tencent-ssl      TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY
                   [, TENCENTCLOUD_TOKEN, TENCENTCLOUD_REGION]
                   file: ~/.tccli/NAME.credential (+ NAME.configure), profile TCCLI_PROFILE
"
    };
}

macro_rules! volcengine_credentials {
    () => {
        "  volcengine-live  VOLCENGINE_ACCESS_KEY, VOLCENGINE_SECRET_KEY [, VOLCENGINE_SESSION_TOKEN]
                   file: ~/.volcengine/config.json, or VOLCENGINE_CLI_CONFIG_FILE;
                   profile VOLCENGINE_PROFILE
"
    };
}

macro_rules! alibaba_credentials {
    () => {
        "  alibaba-slb/cas  ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET
                   [, ALIBABA_CLOUD_SECURITY_TOKEN, ALIBABA_CLOUD_REGION_ID]
                   file: ~/.aliyun/config.json, profile ALIBABA_CLOUD_PROFILE
"
    };
}

macro_rules! environment {
    () => {
        "\
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
                                                   (outcome words, -v/-vv diagnostics)"
    };
}

macro_rules! delete_slb {
    () => {
        "alibaba-slb: with --region all or several --region, certdel first lists those regions
(DescribeServerCertificates) and deletes each id in the region it is listed in; an id no
region lists is reported not_found and nothing is sent for it."
    };
}

/// The top-level help's footer (and the man page's EXIT STATUS): the exit statuses, then
/// every provider's credentials and the variables every provider reads.
pub const EXIT_CODES: &str = concat!(
    exit_status!(),
    "\n\n",
    credentials_intro!(),
    huawei_credentials!(),
    tencent_credentials!(),
    volcengine_credentials!(),
    alibaba_credentials!(),
    environment!()
);

/// The exit statuses alone.
pub const EXIT_STATUS: &str = exit_status!();

/// A provider's help footer: the exit statuses, that provider's credentials, the variables
/// every provider reads.
pub fn footer(kind: Kind) -> String {
    let own = match kind {
        Kind::HuaweiScm => concat!(
            "Credentials come from the environment or the SDK's credentials file (never from\n",
            "arguments): the variables below, else the file.\n",
            huawei_credentials!()
        ),
        Kind::TencentSsl => concat!(credentials_intro!(), tencent_credentials!()),
        Kind::VolcengineLive => concat!(credentials_intro!(), volcengine_credentials!()),
        Kind::AlibabaSlb | Kind::AlibabaCas => {
            concat!(credentials_intro!(), alibaba_credentials!())
        }
    };
    format!("{EXIT_STATUS}\n\n{own}{}", environment!())
}
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

    /// Every option of the time when all were global, accepted (hidden) before the provider.
    #[command(flatten)]
    pub legacy: LegacyArgs,

    #[command(subcommand)]
    pub command: TopLevel,
}

/// What certdel is asked to do: a provider's command, or one of the documents generated from
/// this very definition (they need no settings, credentials or audit log).
#[derive(Debug, Subcommand)]
pub enum TopLevel {
    #[command(flatten)]
    Provider(Box<ProviderCommand>),
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

/// `--region` as each provider reads it.
pub const HUAWEI_REGION: &str =
    "Region: picks the host scm.<region>.myhuaweicloud.com (cn-north-4, ap-southeast-1, \
     my-kualalumpur-1) [default: cn-north-4]";
pub const TENCENT_REGION: &str = "Region, sent as X-TC-Region (e.g. ap-guangzhou) [env: \
     TENCENTCLOUD_REGION, else the tccli profile's]";
pub const SLB_REGION: &str = "Region (required, or ALIBABA_CLOUD_REGION_ID, or the aliyun \
     profile's); repeatable, or `all` for every public region: `delete` then lists those \
     regions and deletes each id where it is listed";
pub const CAS_REGION: &str = "Region: picks the site (cn-hangzhou and the other Chinese \
     mainland regions: cas.aliyuncs.com; ap-southeast-1; eu-central-1) [env: \
     ALIBABA_CLOUD_REGION_ID, else the aliyun profile's; default: cn-hangzhou]";

/// What `--region` picks, for every provider (the man page).
pub fn regions_help_all() -> String {
    [
        ("huawei-scm", HUAWEI_REGION),
        ("tencent-ssl", TENCENT_REGION),
        (
            "volcengine-live",
            "none: every request is signed for cn-north-1",
        ),
        ("alibaba-slb", SLB_REGION),
        ("alibaba-cas", CAS_REGION),
    ]
    .iter()
    .map(|(p, h)| format!("--region, {p}: {h}"))
    .collect::<Vec<_>>()
    .join("\n")
}

/// `--profile` as each vendor's CLI stores profiles.
pub const TENCENT_PROFILE: &str = "Take the credentials (and region) from this tccli profile \
     (~/.tccli/NAME.credential); the credential variables are then ignored";
pub const VOLCENGINE_PROFILE: &str = "Take the credentials from this profile of the ve CLI's \
     file (~/.volcengine/config.json); the credential variables are then ignored";
pub const ALIBABA_PROFILE: &str = "Take the credentials (and region) from this profile of the \
     aliyun CLI's file (~/.aliyun/config.json); the credential variables are then ignored";

#[derive(Debug, Subcommand)]
pub enum ProviderCommand {
    /// Huawei Cloud SSL Certificate Manager (SCM)
    #[command(
        mut_arg("region", |a| a.help(HUAWEI_REGION)),
        // The SDK's credentials file has no named profiles: accepted only to say so.
        mut_arg("profile", |a| a.hide(true)),
        mut_subcommand("delete", |c| c.after_help(delete_after(Kind::HuaweiScm))),
        mut_subcommand("list", |c| c.after_help(list_after(Kind::HuaweiScm))),
        mut_subcommand("whoami", |c| c.after_help(whoami_after(Kind::HuaweiScm))),
    )]
    HuaweiScm(ProviderArgs),
    /// Tencent Cloud SSL Certificates
    #[command(
        mut_arg("region", |a| a.help(TENCENT_REGION)),
        mut_arg("profile", |a| a.help(TENCENT_PROFILE)),
        mut_subcommand("delete", |c| c.after_help(delete_after(Kind::TencentSsl))),
        mut_subcommand("list", |c| c.after_help(list_after(Kind::TencentSsl))),
        mut_subcommand("whoami", |c| c.after_help(whoami_after(Kind::TencentSsl))),
    )]
    TencentSsl(TencentArgs),
    /// Volcengine Live certificates (ids are ChainIDs)
    #[command(
        // Every request is signed for cn-north-1: a region changes nothing.
        mut_arg("region", |a| a.hide(true)),
        mut_arg("profile", |a| a.help(VOLCENGINE_PROFILE)),
        mut_subcommand("delete", |c| c.after_help(delete_after(Kind::VolcengineLive))),
        mut_subcommand("list", |c| c.after_help(list_after(Kind::VolcengineLive))),
        mut_subcommand("whoami", |c| c.after_help(whoami_after(Kind::VolcengineLive))),
    )]
    VolcengineLive(ProviderArgs),
    /// Alibaba Cloud SLB (CLB) server certificates (needs a region)
    #[command(
        mut_arg("region", |a| a.help(SLB_REGION)),
        mut_arg("profile", |a| a.help(ALIBABA_PROFILE)),
        mut_subcommand("delete", |c| c.after_help(delete_after(Kind::AlibabaSlb))),
        mut_subcommand("list", |c| c.after_help(list_after(Kind::AlibabaSlb))),
        mut_subcommand("whoami", |c| c.after_help(whoami_after(Kind::AlibabaSlb))),
    )]
    AlibabaSlb(ProviderArgs),
    /// Alibaba Cloud Certificate Management Service (orders or certificates, see --target)
    #[command(
        mut_arg("region", |a| a.help(CAS_REGION)),
        mut_arg("profile", |a| a.help(ALIBABA_PROFILE)),
        mut_subcommand("delete", |c| c.after_help(delete_after(Kind::AlibabaCas))),
        mut_subcommand("list", |c| c.after_help(list_after(Kind::AlibabaCas))),
        mut_subcommand("whoami", |c| c.after_help(whoami_after(Kind::AlibabaCas))),
    )]
    AlibabaCas(CasArgs),
}

/// Where a provider's requests go and whose keys they carry: after the provider's name,
/// before or after the verb.
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection options")]
pub struct Connection {
    /// Send requests to this base URL (scheme://host[:port]) instead of the provider's;
    /// plain http is accepted only for loopback hosts
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint: Option<String>,

    /// Region (each provider says what it picks)
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Vec<String>,

    /// Take the credentials (and region) from this profile of the vendor CLI's file; the
    /// credential variables are then ignored
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
}

/// huawei-scm, volcengine-live, alibaba-slb: the connection and the three verbs.
#[derive(Debug, Args)]
pub struct ProviderArgs {
    #[command(flatten)]
    pub connection: Connection,
    #[command(flatten)]
    pub legacy: LegacyRunArgs,
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Delete certificates by id; `-` reads ids from standard input, one per line
    Delete(PlainDeleteArgs),
    /// List certificates (every page), optionally filtered
    List(PlainListArgs),
    /// Show which account the credentials belong to (one identity call; nothing is changed)
    Whoami(WhoamiArgs),
}

/// tencent-ssl: its delete takes batching and asynchronous-deletion switches.
#[derive(Debug, Args)]
pub struct TencentArgs {
    #[command(flatten)]
    pub connection: Connection,
    #[command(flatten)]
    pub legacy: LegacyRunArgs,
    #[command(subcommand)]
    pub action: TencentAction,
}

#[derive(Debug, Subcommand)]
pub enum TencentAction {
    /// Delete certificates by id; `-` reads ids from standard input, one per line
    Delete(TencentDeleteArgs),
    /// List certificates (every page), optionally filtered
    List(PlainListArgs),
    /// Show which account the credentials belong to (one identity call; nothing is changed)
    Whoami(WhoamiArgs),
}

#[derive(Debug, Args)]
pub struct TencentDeleteArgs {
    #[command(flatten)]
    pub delete: DeleteArgs,
    #[command(flatten)]
    pub tencent: TencentDeleteOptions,
    #[command(flatten)]
    pub elsewhere: ElsewhereTarget,
}

/// huawei-scm, volcengine-live, alibaba-slb: `delete` as every provider takes it.
#[derive(Debug, Args)]
pub struct PlainDeleteArgs {
    #[command(flatten)]
    pub delete: DeleteArgs,
    #[command(flatten)]
    pub elsewhere: ElsewhereTencent,
    #[command(flatten)]
    pub elsewhere_target: ElsewhereTarget,
}

/// `list` as every provider but alibaba-cas takes it.
#[derive(Debug, Args)]
pub struct PlainListArgs {
    #[command(flatten)]
    pub list: ListArgs,
    #[command(flatten)]
    pub elsewhere: ElsewhereTarget,
    #[command(flatten)]
    pub elsewhere_check: ElsewhereCheck,
}

// Another provider's options, accepted (hidden) where they do not apply, so that a run given
// one is refused saying which provider takes it rather than as an unknown argument.

/// tencent-ssl's delete options, elsewhere.
#[derive(Debug, Args)]
pub struct ElsewhereTencent {
    #[arg(long, hide = true)]
    pub no_batch: bool,
    #[arg(long, hide = true)]
    pub check_resources: bool,
    #[arg(long, hide = true)]
    pub no_wait: bool,
    #[arg(long, value_name = "SECONDS", value_parser = wait_timeout, hide = true)]
    pub wait_timeout: Option<f64>,
}

impl From<ElsewhereTencent> for TencentDeleteOptions {
    fn from(e: ElsewhereTencent) -> Self {
        TencentDeleteOptions {
            no_batch: e.no_batch,
            check_resources: e.check_resources,
            no_wait: e.no_wait,
            wait_timeout: e.wait_timeout,
        }
    }
}

/// alibaba-cas's `--target`, elsewhere.
#[derive(Debug, Args)]
pub struct ElsewhereTarget {
    #[arg(long, value_enum, hide = true)]
    pub target: Option<CasTargetArg>,
}

/// tencent-ssl's `--check-resources`, on a listing.
#[derive(Debug, Args)]
pub struct ElsewhereCheck {
    #[arg(long, hide = true)]
    pub check_resources: bool,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "tencent-ssl options")]
pub struct TencentDeleteOptions {
    /// One DeleteCertificate request per id instead of DeleteCertificates batches
    #[arg(long)]
    pub no_batch: bool,

    /// Ask the server to check for bound resources (IsCheckResource); the deletion becomes
    /// asynchronous
    #[arg(long)]
    pub check_resources: bool,

    /// With --check-resources: do not wait for the asynchronous deletions; report them
    /// pending with their task id
    #[arg(long)]
    pub no_wait: bool,

    /// With --check-resources: how long to wait for asynchronous deletions (0.1 to 86400,
    /// one day) [default: 60]
    #[arg(long, value_name = "SECONDS", value_parser = wait_timeout, conflicts_with = "no_wait")]
    pub wait_timeout: Option<f64>,
}

/// alibaba-cas: its delete and list name orders or certificates.
#[derive(Debug, Args)]
pub struct CasArgs {
    #[command(flatten)]
    pub connection: Connection,
    #[command(flatten)]
    pub legacy: LegacyRunArgs,
    #[command(subcommand)]
    pub action: CasAction,
}

#[derive(Debug, Subcommand)]
pub enum CasAction {
    /// Delete certificates by id; `-` reads ids from standard input, one per line
    Delete(CasDeleteArgs),
    /// List certificates (every page), optionally filtered
    List(CasListArgs),
    /// Show which account the credentials belong to (one identity call; nothing is changed)
    Whoami(WhoamiArgs),
}

#[derive(Debug, Args)]
pub struct CasDeleteArgs {
    #[command(flatten)]
    pub delete: DeleteArgs,
    #[command(flatten)]
    pub target: CasTargetArgs,
    #[command(flatten)]
    pub elsewhere: ElsewhereTencent,
}

#[derive(Debug, Args)]
pub struct CasListArgs {
    #[command(flatten)]
    pub list: ListArgs,
    #[command(flatten)]
    pub target: CasTargetArgs,
    #[command(flatten)]
    pub elsewhere: ElsewhereCheck,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "alibaba-cas options")]
pub struct CasTargetArgs {
    /// What ids name (and what `list` lists) [default: orders]
    #[arg(long, value_enum)]
    pub target: Option<CasTargetArg>,
}

/// `--output`, on every verb.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format [default: text]
    #[arg(long, value_enum)]
    pub output: Option<OutputFormat>,
}

/// How hard to push: for the verbs that send many requests.
#[derive(Debug, Args)]
#[command(next_help_heading = "Pacing and retries")]
pub struct PacingArgs {
    /// Requests per second, 0.01 to 10000 (default: the provider's documented quota)
    #[arg(long, value_name = "N", value_parser = rate)]
    pub rate: Option<f64>,

    /// Requests in flight at once, 1 to 1024 (default: enough to reach the rate)
    #[arg(long, value_name = "N", value_parser = concurrency)]
    pub concurrency: Option<usize>,

    /// Give up on ids still unfinished after this many seconds, requests in flight included,
    /// 0.1 to 604800 (7 days); they are reported failed, or skipped when never sent
    #[arg(long, value_name = "SECONDS", value_parser = deadline)]
    pub deadline: Option<f64>,
}

/// Retries and timeouts: for every verb that sends a request.
#[derive(Debug, Args)]
#[command(next_help_heading = "Pacing and retries")]
pub struct RetryArgs {
    /// Retries per id after 5xx answers, timeouts or dropped connections, 0 to 100 (throttled
    /// requests have their own budget of 15 retries while the whole run slows down)
    /// [default: 8]
    #[arg(long, value_name = "N", value_parser = max_retries)]
    pub max_retries: Option<u32>,

    /// Per-request timeout in seconds, 0.1 to 600 [default: 30]
    #[arg(long, value_name = "SECONDS", value_parser = timeout)]
    pub timeout: Option<f64>,

    /// Most time one id (one request, with all its retries and backoff) may take before it is
    /// given up as failed, 0.1 to 86400 seconds (1 day) [default: 45]
    #[arg(long, value_name = "SECONDS", value_parser = retry_timeout)]
    pub retry_timeout: Option<f64>,
}

/// The help after a provider's `delete` options.
pub fn delete_after(kind: Kind) -> String {
    let own = match kind {
        Kind::TencentSsl => DELETE_TENCENT,
        Kind::AlibabaSlb => concat!("One request per id.\n\n", delete_slb!()),
        _ => "One request per id.",
    };
    format!(
        "{own}\n\n{DELETE_DRY_RUN}\n\n{DELETE_EXAMPLES}\n\n{}",
        footer(kind)
    )
}

/// The help after a provider's `list` options.
pub fn list_after(kind: Kind) -> String {
    let listed = LISTED
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, l)| *l)
        .unwrap_or_default();
    format!(
        "{LIST_HELP}\nWhat is listed:\n{listed}\n\n{LIST_EXAMPLES}\n\n{}",
        footer(kind)
    )
}

/// The help after a provider's `whoami` options.
pub fn whoami_after(kind: Kind) -> String {
    let call = WHOAMI_CALLS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, c)| *c)
        .unwrap_or_default();
    format!("{WHOAMI_INTRO}\n{call}\n{WHOAMI_OUTPUT}\n\n{WHOAMI_EXIT}")
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
";

/// What each provider's `list` asks for.
pub const LISTED: [(Kind, &str); 5] = [
    (
        Kind::HuaweiScm,
        "  huawei-scm       ListCertificates, limit 50, every offset up to total_count",
    ),
    (
        Kind::TencentSsl,
        "  tencent-ssl      DescribeCertificates, Limit 1000",
    ),
    (
        Kind::VolcengineLive,
        "  volcengine-live  ListCertV2 for Available true/false x Expiring true/false (merged by ChainID);
                   --expired asks only for Expiring=true",
    ),
    (
        Kind::AlibabaSlb,
        "  alibaba-slb      DescribeServerCertificates once per --region (repeatable; `all` = every public
                   region); records carry their region",
    ),
    (
        Kind::AlibabaCas,
        "  alibaba-cas      ListUserCertificateOrder: --target certificates lists OrderType=CERT (valid,
                   EXPIRED and REVOKED); --target orders lists OrderType CPACK and BUY",
    ),
];

/// `list`'s text with every provider's listing (the man page).
pub fn list_help_all() -> String {
    let listed: Vec<&str> = LISTED.iter().map(|(_, l)| *l).collect();
    format!("{LIST_HELP}\nWhat is listed:\n{}\n", listed.join("\n"))
}

pub const DELETE_TENCENT: &str = "\
tencent-ssl: with two or more ids, certdel uses DeleteCertificates (up to 100 ids a request)
and maps its Success/Fail lists back to each id; --no-batch sends one DeleteCertificate per id.
--check-resources makes deletion asynchronous (the server checks for bound resources): certdel
polls DescribeDeleteCertificatesTaskResult every 2 s for up to --wait-timeout seconds and reports
deleted, in_use (still bound), denied (service role missing) or failed; tasks still running at
the end, or every task with --no-wait, are reported pending with their task id.";

pub const DELETE_DRY_RUN: &str = "\
--dry-run sends no delete request: it lists every certificate the run covers (the provider's
list call, read-only) and reports each id would_delete (listed), not_found (not listed) or
in_use (the listing says so), in the same output formats; no --yes needed. No list API tells
whether a certificate is in use, so would_delete says `in-use state unknown until the delete
request`. Exit 0 when every id would be deleted, 1 otherwise, 2 when the listing could not be
completed (every id is then reported failed: could not tell).";

/// `delete`'s text for every provider (the man page).
pub const DELETE_HELP: &str = concat!(
    "\
tencent-ssl: with two or more ids, certdel uses DeleteCertificates (up to 100 ids a request)
and maps its Success/Fail lists back to each id; --no-batch sends one DeleteCertificate per id.
--check-resources makes deletion asynchronous (the server checks for bound resources): certdel
polls DescribeDeleteCertificatesTaskResult every 2 s for up to --wait-timeout seconds and reports
deleted, in_use (still bound), denied (service role missing) or failed; tasks still running at
the end, or every task with --no-wait, are reported pending with their task id.
Every other provider: one request per id.

",
    delete_slb!(),
    "

--dry-run sends no delete request: it lists every certificate the run covers (the provider's
list call, read-only) and reports each id would_delete (listed), not_found (not listed) or
in_use (the listing says so), in the same output formats; no --yes needed. No list API tells
whether a certificate is in use, so would_delete says `in-use state unknown until the delete
request`. Exit 0 when every id would be deleted, 1 otherwise, 2 when the listing could not be
completed (every id is then reported failed: could not tell)."
);

pub const WHOAMI_INTRO: &str = "\
Prints the endpoint, the region, where the credentials came from, the access key id (masked)
and who the vendor says the key belongs to: account id, principal (ARN/TRN), identity type
(huawei-scm: the account name). One request, paced and retried like every other:";

/// Each vendor's identity call.
pub const WHOAMI_CALLS: [(Kind, &str); 5] = [
    (
        Kind::HuaweiScm,
        "  huawei-scm       IAM GET /v3/auth/domains (HUAWEICLOUD_SDK_IAM_ENDPOINT moves it)",
    ),
    (
        Kind::TencentSsl,
        "  tencent-ssl      STS GetCallerIdentity at sts.tencentcloudapi.com",
    ),
    (
        Kind::VolcengineLive,
        "  volcengine-live  STS GetCallerIdentity at sts.volcengineapi.com",
    ),
    (
        Kind::AlibabaSlb,
        "  alibaba-slb/cas  STS GetCallerIdentity at sts.<region>.aliyuncs.com (sts.aliyuncs.com)",
    ),
    (
        Kind::AlibabaCas,
        "  alibaba-slb/cas  STS GetCallerIdentity at sts.<region>.aliyuncs.com (sts.aliyuncs.com)",
    ),
];

pub const WHOAMI_OUTPUT: &str = "\
CERTDEL_STS_ENDPOINT moves the STS calls. --output json prints one object: provider, endpoint,
identity_endpoint, region, access_key_id, credential_source, account_id, principal,
identity_type, account_name (null when unknown); --output ids prints the account id alone.
No secret or token is ever printed.";

pub const WHOAMI_EXIT: &str = "\
Exit status:
  0  the credentials work: the vendor named their account
  2  usage error, missing or rejected credentials, unreachable identity endpoint (named)";

/// `whoami`'s text for every vendor (the man page).
pub fn whoami_help_all() -> String {
    let calls: Vec<&str> = WHOAMI_CALLS[..4].iter().map(|(_, c)| *c).collect();
    format!(
        "{WHOAMI_INTRO}\n{}\n{WHOAMI_OUTPUT}\n\n{WHOAMI_EXIT}",
        calls.join("\n")
    )
}

/// `whoami` takes its output format and the retry options.
#[derive(Debug, Args)]
pub struct WhoamiArgs {
    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub retry: RetryArgs,

    /// The other verbs' options, accepted (hidden) as when every option was global: the
    /// pacing ones change nothing for one request, the provider-specific ones are checked.
    #[arg(long, short = 'y', hide = true)]
    pub yes: bool,
    #[arg(long, value_name = "N", value_parser = rate, hide = true)]
    pub rate: Option<f64>,
    #[arg(long, value_name = "N", value_parser = concurrency, hide = true)]
    pub concurrency: Option<usize>,
    #[arg(long, value_name = "SECONDS", value_parser = deadline, hide = true)]
    pub deadline: Option<f64>,
    #[arg(long, value_enum, hide = true)]
    pub target: Option<CasTargetArg>,
    #[arg(long, hide = true)]
    pub check_resources: bool,
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

    /// Do not ask for confirmation before deleting (required when stdin is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,

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
    pub output: OutputArgs,

    #[command(flatten)]
    pub expect: ExpectArgs,

    #[command(flatten)]
    pub audit: AuditArgs,

    #[command(flatten)]
    pub pacing: PacingArgs,

    #[command(flatten)]
    pub retry: RetryArgs,
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
#[derive(Clone, Debug, Default, Args)]
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

    /// `--yes` changes nothing here; accepted (hidden) for scripts that pass one set of
    /// options to both verbs.
    #[arg(long, short = 'y', hide = true)]
    pub yes: bool,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub expect: ExpectArgs,

    #[command(flatten)]
    pub pacing: PacingArgs,

    #[command(flatten)]
    pub retry: RetryArgs,
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

/// The options of every command, accepted anywhere on the line.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
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

/// Every option as it was accepted when all were global, before the provider's name (hidden
/// from help: the options are documented where they apply).
#[derive(Debug, Default, Args)]
pub struct LegacyArgs {
    // Ids of their own: the provider's global `--endpoint` and `--region` would otherwise take
    // these values too.
    #[arg(
        id = "legacy_endpoint",
        long = "endpoint",
        value_name = "URL",
        hide = true
    )]
    pub endpoint: Option<String>,

    #[arg(
        id = "legacy_region",
        long = "region",
        value_name = "REGION",
        hide = true
    )]
    pub region: Vec<String>,

    #[command(flatten)]
    pub run: LegacyRunArgs,
}

/// The options that are now a verb's own, as accepted (hidden) before the provider and between
/// the provider and the verb.
#[derive(Clone, Debug, Default, Args)]
pub struct LegacyRunArgs {
    #[arg(long, value_enum, hide = true)]
    pub output: Option<OutputFormat>,

    #[arg(long, short = 'y', hide = true)]
    pub yes: bool,

    #[arg(long, value_enum, hide = true)]
    pub target: Option<CasTargetArg>,

    #[arg(long, hide = true)]
    pub check_resources: bool,

    #[arg(long, value_name = "N", value_parser = rate, hide = true)]
    pub rate: Option<f64>,

    #[arg(long, value_name = "N", value_parser = concurrency, hide = true)]
    pub concurrency: Option<usize>,

    #[arg(long, value_name = "N", value_parser = max_retries, hide = true)]
    pub max_retries: Option<u32>,

    #[arg(long, value_name = "SECONDS", value_parser = timeout, hide = true)]
    pub timeout: Option<f64>,

    #[arg(long, value_name = "SECONDS", value_parser = deadline, hide = true)]
    pub deadline: Option<f64>,

    #[arg(long, value_name = "SECONDS", value_parser = retry_timeout, hide = true)]
    pub retry_timeout: Option<f64>,
}

impl LegacyRunArgs {
    /// `self` (given later on the line) over `earlier`.
    fn over(self, earlier: LegacyRunArgs) -> LegacyRunArgs {
        LegacyRunArgs {
            output: self.output.or(earlier.output),
            yes: self.yes || earlier.yes,
            target: self.target.or(earlier.target),
            check_resources: self.check_resources || earlier.check_resources,
            rate: self.rate.or(earlier.rate),
            concurrency: self.concurrency.or(earlier.concurrency),
            max_retries: self.max_retries.or(earlier.max_retries),
            timeout: self.timeout.or(earlier.timeout),
            deadline: self.deadline.or(earlier.deadline),
            retry_timeout: self.retry_timeout.or(earlier.retry_timeout),
        }
    }
}

/// A provider command as settings read it: each option merged from wherever it was given
/// (after the verb wins over between provider and verb, which wins over before the provider).
/// `None` and `false` mean not given: settings applies the defaults.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub endpoint: Option<String>,
    pub region: Vec<String>,
    pub profile: Option<String>,
    pub output: Option<OutputFormat>,
    pub yes: bool,
    pub target: Option<CasTargetArg>,
    pub check_resources: bool,
    pub rate: Option<f64>,
    pub concurrency: Option<usize>,
    pub max_retries: Option<u32>,
    pub timeout: Option<f64>,
    pub deadline: Option<f64>,
    pub retry_timeout: Option<f64>,
    pub verbose: u8,
    pub quiet: bool,
}

/// What a provider is asked to do, with the verb's own options.
#[derive(Clone, Debug)]
pub enum Verb {
    Delete(DeleteOptions),
    List(ListOptions),
    Whoami,
}

#[derive(Clone, Debug, Default)]
pub struct DeleteOptions {
    pub ids: Vec<String>,
    pub no_batch: bool,
    pub no_wait: bool,
    pub wait_timeout: Option<f64>,
    pub accept: Vec<AcceptArg>,
    pub dry_run: bool,
    pub plan: Option<PathBuf>,
    pub plan_max_age: Option<std::time::Duration>,
    pub audit: AuditArgs,
    pub expect_account: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct ListOptions {
    pub expired: bool,
    pub expires_before: Option<String>,
    pub domain: Option<String>,
    pub name: Option<String>,
    pub plan: Option<PathBuf>,
    pub expect_account: Option<String>,
}

/// One provider command, merged.
#[derive(Clone, Debug)]
pub struct Invocation {
    pub kind: Kind,
    pub options: Options,
    pub verb: Verb,
}

/// A verb's own options in the legacy shape, so that they merge like the rest.
fn verb_run(output: &OutputArgs, pacing: Option<&PacingArgs>, retry: &RetryArgs) -> LegacyRunArgs {
    LegacyRunArgs {
        output: output.output,
        rate: pacing.and_then(|p| p.rate),
        concurrency: pacing.and_then(|p| p.concurrency),
        deadline: pacing.and_then(|p| p.deadline),
        max_retries: retry.max_retries,
        timeout: retry.timeout,
        retry_timeout: retry.retry_timeout,
        ..LegacyRunArgs::default()
    }
}

fn delete_verb(d: DeleteArgs) -> (LegacyRunArgs, DeleteOptions) {
    let mut run = verb_run(&d.output, Some(&d.pacing), &d.retry);
    run.yes = d.yes;
    let options = DeleteOptions {
        ids: d.ids,
        accept: d.accept,
        dry_run: d.dry_run,
        plan: d.plan,
        plan_max_age: d.plan_max_age,
        audit: d.audit,
        expect_account: d.expect.expect_account,
        ..DeleteOptions::default()
    };
    (run, options)
}

fn list_verb(l: ListArgs) -> (LegacyRunArgs, ListOptions) {
    let mut run = verb_run(&l.output, Some(&l.pacing), &l.retry);
    run.yes = l.yes;
    let options = ListOptions {
        expired: l.expired,
        expires_before: l.expires_before,
        domain: l.domain,
        name: l.name,
        plan: l.plan,
        expect_account: l.expect.expect_account,
    };
    (run, options)
}

fn whoami_verb(w: WhoamiArgs) -> (LegacyRunArgs, Verb) {
    let mut run = verb_run(&w.output, None, &w.retry);
    run.yes = w.yes;
    run.rate = w.rate;
    run.concurrency = w.concurrency;
    run.deadline = w.deadline;
    run.target = w.target;
    run.check_resources = w.check_resources;
    (run, Verb::Whoami)
}

/// A delete with tencent-ssl's options and alibaba-cas's `--target` (given or not).
fn full_delete(
    d: DeleteArgs,
    tencent: TencentDeleteOptions,
    target: Option<CasTargetArg>,
) -> (LegacyRunArgs, Verb) {
    let (mut run, mut o) = delete_verb(d);
    run.check_resources = tencent.check_resources;
    run.target = target;
    o.no_batch = tencent.no_batch;
    o.no_wait = tencent.no_wait;
    o.wait_timeout = tencent.wait_timeout;
    (run, Verb::Delete(o))
}

/// A listing with alibaba-cas's `--target` and tencent-ssl's `--check-resources`.
fn full_list(l: ListArgs, target: Option<CasTargetArg>, check: bool) -> (LegacyRunArgs, Verb) {
    let (mut run, o) = list_verb(l);
    run.target = target;
    run.check_resources = check;
    (run, Verb::List(o))
}

fn action_verb(action: Action) -> (LegacyRunArgs, Verb) {
    match action {
        Action::Delete(d) => full_delete(d.delete, d.elsewhere.into(), d.elsewhere_target.target),
        Action::List(l) => full_list(
            l.list,
            l.elsewhere.target,
            l.elsewhere_check.check_resources,
        ),
        Action::Whoami(w) => whoami_verb(w),
    }
}

impl ProviderCommand {
    /// The provider, its connection, the options given between it and the verb, and the verb.
    fn split(self) -> (Kind, Connection, LegacyRunArgs, LegacyRunArgs, Verb) {
        let (kind, connection, between, (verb_run, verb)) = match self {
            ProviderCommand::HuaweiScm(a) => (
                Kind::HuaweiScm,
                a.connection,
                a.legacy,
                action_verb(a.action),
            ),
            ProviderCommand::VolcengineLive(a) => (
                Kind::VolcengineLive,
                a.connection,
                a.legacy,
                action_verb(a.action),
            ),
            ProviderCommand::AlibabaSlb(a) => (
                Kind::AlibabaSlb,
                a.connection,
                a.legacy,
                action_verb(a.action),
            ),
            ProviderCommand::TencentSsl(a) => {
                let verb = match a.action {
                    TencentAction::Delete(t) => {
                        full_delete(t.delete, t.tencent, t.elsewhere.target)
                    }
                    TencentAction::List(l) => full_list(
                        l.list,
                        l.elsewhere.target,
                        l.elsewhere_check.check_resources,
                    ),
                    TencentAction::Whoami(w) => whoami_verb(w),
                };
                (Kind::TencentSsl, a.connection, a.legacy, verb)
            }
            ProviderCommand::AlibabaCas(a) => {
                let verb = match a.action {
                    CasAction::Delete(c) => {
                        full_delete(c.delete, c.elsewhere.into(), c.target.target)
                    }
                    CasAction::List(c) => {
                        full_list(c.list, c.target.target, c.elsewhere.check_resources)
                    }
                    CasAction::Whoami(w) => whoami_verb(w),
                };
                (Kind::AlibabaCas, a.connection, a.legacy, verb)
            }
        };
        (kind, connection, between, verb_run, verb)
    }
}

impl Cli {
    /// The provider command, merged from every place its options may be given; `None` for
    /// the documents (`completions`, `man`), which take no settings.
    pub fn invocation(self) -> Option<Invocation> {
        let TopLevel::Provider(p) = self.command else {
            return None;
        };
        let p = *p;
        let (kind, connection, between, after, verb) = p.split();
        let run = after.over(between).over(self.legacy.run);
        let mut region = self.legacy.region;
        region.extend(connection.region);
        Some(Invocation {
            kind,
            options: Options {
                endpoint: connection.endpoint.or(self.legacy.endpoint),
                region,
                profile: connection.profile,
                output: run.output,
                yes: run.yes,
                target: run.target,
                check_resources: run.check_resources,
                rate: run.rate,
                concurrency: run.concurrency,
                max_retries: run.max_retries,
                timeout: run.timeout,
                deadline: run.deadline,
                retry_timeout: run.retry_timeout,
                verbose: self.global.verbose,
                quiet: self.global.quiet,
            },
            verb,
        })
    }
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
