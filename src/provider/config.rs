//! What a provider is configured with, and what each provider decides about it.
//!
//! A run names a provider account with a [`ProviderChoice`]: the command line makes one
//! ([`crate::settings::resolve`]), and so does each target of a sweep policy. The settings
//! layer only dispatches: the vendor ([`super::vendor`]) finds the credentials, and the
//! provider's own module decides its region(s) and endpoint (`locate` in each module, into a
//! [`Location`]). What comes out is the [`ProviderSettings`] a provider is built from.

use super::Kind;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::secret::{Credentials, Secret};

/// alibaba-cas: what ids name and what is listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CasTarget {
    Orders,
    Certificates,
}

/// Everything a provider needs to build requests.
#[derive(Clone, Debug)]
pub struct ProviderSettings {
    pub kind: Kind,
    pub endpoint: Endpoint,
    pub credentials: Credentials,
    pub region: Option<String>,
    /// huawei-scm: the account (domain) id; discovered through IAM when unset.
    pub domain_id: Option<String>,
    /// huawei-scm: where to discover the domain id.
    pub iam_endpoint: Endpoint,
    /// Where the account identity call goes ([`crate::provider::identity`]): the vendor's STS
    /// host, or `CERTDEL_STS_ENDPOINT`; for huawei-scm the IAM endpoint above.
    pub identity_endpoint: Endpoint,
    pub cas_target: CasTarget,
    pub check_resources: bool,
    /// `--endpoint` was given (alibaba-slb list: every region goes there).
    pub custom_endpoint: bool,
    /// alibaba-slb: the regions the run covers, the one of `region` first (empty for
    /// everything else); a delete covering more than one lists them to find each id's region.
    pub regions: Vec<String>,
    /// alibaba-slb: `--region all` (regions the account lacks are skipped).
    pub all_regions: bool,
    /// The account the run must be working in (`--expect-account`,
    /// `CERTDEL_EXPECT_ACCOUNT`): the session checks it with the identity call before
    /// anything else is sent.
    pub expect_account: Option<ExpectedAccount>,
}

impl ProviderSettings {
    /// Fixed settings for unit tests (example credentials, default endpoints).
    pub fn for_test(kind: Kind) -> Self {
        ProviderSettings {
            kind,
            endpoint: Endpoint::https("example.invalid"),
            credentials: Credentials {
                access_key: "AKEXAMPLE".into(),
                secret_key: Secret::new("SECRETEXAMPLE"),
                token: None,
                origin: "test".into(),
            },
            region: None,
            domain_id: Some("domainid123".into()),
            iam_endpoint: Endpoint::https("iam.example.invalid"),
            identity_endpoint: Endpoint::https("sts.example.invalid"),
            cas_target: CasTarget::Orders,
            check_resources: false,
            custom_endpoint: false,
            regions: Vec::new(),
            all_regions: false,
            expect_account: None,
        }
    }
}

/// An account id a run is told to expect, and who said so (for the refusal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedAccount {
    pub id: String,
    /// `--expect-account`, `CERTDEL_EXPECT_ACCOUNT`, a policy file's target.
    pub from: String,
}

/// What the run does with the provider: it decides what must be known up front (alibaba-slb
/// deletes and lists need a region; a plan's certificates carry theirs; the identity call
/// needs none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    List,
    Delete,
    /// A delete of a plan file's certificates.
    DeletePlan,
    Whoami,
}

/// One provider account as a run names it, before anything is looked up.
#[derive(Clone, Debug)]
pub struct ProviderChoice {
    pub kind: Kind,
    /// `--endpoint` (or a policy target's `endpoint`): every product request goes there.
    pub endpoint: Option<Endpoint>,
    /// The regions as given, in order (`all` only for alibaba-slb); empty: the vendor's region
    /// variable, else the profile's region, else the provider's default.
    pub regions: Vec<String>,
    /// How messages name where `regions` came from; `None`: `--region`.
    pub region_origin: Option<String>,
    /// `--profile`: that profile of the vendor CLI's file.
    pub profile: Option<String>,
    pub cas_target: CasTarget,
    pub check_resources: bool,
    pub expect_account: Option<ExpectedAccount>,
    pub purpose: Purpose,
}

impl ProviderChoice {
    /// A choice with no option given: the environment decides everything.
    pub fn new(kind: Kind, purpose: Purpose) -> Self {
        ProviderChoice {
            kind,
            endpoint: None,
            regions: Vec::new(),
            region_origin: None,
            profile: None,
            cas_target: CasTarget::Orders,
            check_resources: false,
            expect_account: None,
            purpose,
        }
    }

    /// What the given regions are called in messages.
    pub fn region_flag(&self) -> &str {
        self.region_origin.as_deref().unwrap_or("--region")
    }
}

/// The region a run falls back to when none is given, and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionDefault {
    pub region: String,
    /// For messages: `from ALIBABA_CLOUD_REGION_ID` or `from <file> [profile x]; …`.
    pub origin: String,
}

/// What the provider's module decides: the region(s) and the endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub region: Option<String>,
    /// alibaba-slb: every region the run covers, `region` first.
    pub regions: Vec<String>,
    /// alibaba-slb: `--region all`.
    pub all_regions: bool,
    pub endpoint: Endpoint,
}

impl Location {
    /// One region (or none) at `endpoint`.
    pub fn single(region: Option<String>, endpoint: Endpoint) -> Self {
        Location {
            region,
            regions: Vec::new(),
            all_regions: false,
            endpoint,
        }
    }
}

/// The one region of a choice that takes one: the given one, else the default; with the
/// origin messages name it by.
pub fn one_region(
    choice: &ProviderChoice,
    default: Option<&RegionDefault>,
    env_var: &str,
) -> Result<(Option<String>, Option<String>), Error> {
    if choice.regions.len() > 1 {
        return Err(Error::usage(format!(
            "{} given {} times: only alibaba-slb takes several regions; give one",
            choice.region_flag(),
            choice.regions.len()
        )));
    }
    if choice.regions.iter().any(|r| r == "all") {
        return Err(Error::usage(format!(
            "{} all applies to alibaba-slb only; give one region",
            choice.region_flag()
        )));
    }
    Ok(match (choice.regions.first(), default) {
        (Some(r), _) => (Some(r.clone()), Some(given_origin(choice, env_var))),
        (None, Some(d)) => (Some(d.region.clone()), Some(d.origin.clone())),
        (None, None) => (None, Some(given_origin(choice, env_var))),
    })
}

/// How a given region is named in messages: `from --region or VAR` on the command line, the
/// caller's words otherwise.
pub fn given_origin(choice: &ProviderChoice, env_var: &str) -> String {
    match &choice.region_origin {
        Some(o) => format!("from {o}"),
        None if env_var.is_empty() => "from --region".to_string(),
        None => format!("from --region or {env_var}"),
    }
}

/// Whether `r` looks like a region id: letters, digits, `-` and `_`, not empty.
pub fn region_syntax_ok(r: &str) -> bool {
    !r.is_empty()
        && r.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
