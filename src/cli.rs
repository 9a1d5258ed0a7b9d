//! The command line, as clap derive types only. `settings.rs` turns it into `Settings`.

use crate::provider::Kind;
use clap::{Args, Parser, Subcommand, ValueEnum};

pub const EXIT_CODES: &str = "\
Exit status:
  0  every id was deleted (list: the listing completed)
  1  the run finished but at least one id was not deleted (not_found, in_use, denied, pending, failed)
  2  certdel could not run: usage error, missing or rejected credentials, unreachable endpoint

Credentials come from the environment only (never from arguments):
  huawei-scm       HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK [, HUAWEICLOUD_SDK_SECURITY_TOKEN, HUAWEICLOUD_SDK_DOMAIN_ID]
  tencent-ssl      TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY [, TENCENTCLOUD_TOKEN]
  volcengine-live  VOLCENGINE_ACCESS_KEY, VOLCENGINE_SECRET_KEY [, VOLCENGINE_SESSION_TOKEN]
  alibaba-slb/cas  ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET [, ALIBABA_CLOUD_SECURITY_TOKEN, ALIBABA_CLOUD_REGION_ID]";

/// Delete and list TLS certificates on Huawei Cloud SCM, Tencent Cloud SSL, Volcengine Live,
/// Alibaba Cloud SLB and Alibaba Cloud CAS.
#[derive(Debug, Parser)]
#[command(name = "certdel", version, after_help = EXIT_CODES, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub provider: ProviderCommand,
}

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

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Delete certificates by id; `-` reads ids from standard input, one per line
    #[command(after_help = EXIT_CODES)]
    Delete(DeleteArgs),
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Certificate ids; a lone `-` reads them from stdin (one per line, `#` comments and blank lines skipped)
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// One line per id, then a summary line
    Text,
    /// NDJSON: one object per id, printed as soon as its outcome is known
    Json,
    /// Only ids, one per line (delete: the ids that were deleted)
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

    /// Region (alibaba-slb: required, or ALIBABA_CLOUD_REGION_ID; huawei-scm: picks the host;
    /// alibaba-cas: picks the site; tencent-ssl: sent as X-TC-Region)
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,

    /// Do not ask for confirmation before deleting (required when stdin is not a terminal)
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,

    /// alibaba-cas: what ids name
    #[arg(long, global = true, value_enum, default_value_t = CasTargetArg::Orders)]
    pub target: CasTargetArg,

    /// tencent-ssl: ask the server to check for bound resources (IsCheckResource); the deletion
    /// becomes asynchronous
    #[arg(long, global = true)]
    pub check_resources: bool,

    /// Requests per second (default: the provider's documented quota)
    #[arg(long, global = true, value_name = "N")]
    pub rate: Option<f64>,

    /// Requests in flight at once (default: enough to reach the rate)
    #[arg(long, global = true, value_name = "N")]
    pub concurrency: Option<usize>,

    /// Retries per id after throttling, 5xx answers, timeouts or dropped connections
    #[arg(long, global = true, value_name = "N", default_value_t = 5)]
    pub max_retries: u32,

    /// Per-request timeout in seconds
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 30.0)]
    pub timeout: f64,

    /// Give up on ids still unfinished after this many seconds (they are reported failed)
    #[arg(long, global = true, value_name = "SECONDS")]
    pub deadline: Option<f64>,
}
