//! What a provider is configured with, and what each provider decides about it.
//!
//! A run names a provider account with a [`ProviderChoice`]: the command line makes one
//! ([`crate::settings::resolve`]), and so does each target of a sweep policy. The settings
//! layer only dispatches: the vendor ([`super::vendor`]) finds the credentials, and the
//! provider's own module decides its region(s), its endpoint and its own configuration
//! (`locate` in each module, into a [`Location`]; each module's `Config`, held as a
//! [`Specific`]). What comes out is the [`ProviderSettings`] a provider is built from: what
//! every provider has, and its own part, which also names the provider.

use super::{alibaba_cas, alibaba_slb, huawei_scm, tencent_ssl, Kind};
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::secret::{Credentials, Secret};

pub use super::alibaba_cas::CasTarget;

/// What only one provider is configured with: each provider's own config struct, in its
/// module. The variant names the provider ([`Specific::kind`]), so the two cannot disagree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Specific {
    Huawei(huawei_scm::Config),
    Tencent(tencent_ssl::Config),
    Volcengine,
    Slb(alibaba_slb::Config),
    Cas(alibaba_cas::Config),
}

impl Specific {
    /// The provider this configures.
    pub fn kind(&self) -> Kind {
        match self {
            Specific::Huawei(_) => Kind::HuaweiScm,
            Specific::Tencent(_) => Kind::TencentSsl,
            Specific::Volcengine => Kind::VolcengineLive,
            Specific::Slb(_) => Kind::AlibabaSlb,
            Specific::Cas(_) => Kind::AlibabaCas,
        }
    }

    /// Each provider's defaults (what a run with no provider option gets), for tests.
    fn for_test(kind: Kind) -> Self {
        match kind {
            Kind::HuaweiScm => Specific::Huawei(huawei_scm::Config {
                domain_id: Some("domainid123".into()),
                iam_endpoint: Endpoint::https("iam.example.invalid"),
            }),
            Kind::TencentSsl => Specific::Tencent(tencent_ssl::Config::default()),
            Kind::VolcengineLive => Specific::Volcengine,
            Kind::AlibabaSlb => Specific::Slb(alibaba_slb::Config::default()),
            Kind::AlibabaCas => Specific::Cas(alibaba_cas::Config::default()),
        }
    }
}

/// Everything a provider needs to build requests: what every provider has, and its own
/// part in [`Specific`].
#[derive(Clone, Debug)]
pub struct ProviderSettings {
    pub endpoint: Endpoint,
    pub credentials: Credentials,
    pub region: Option<String>,
    /// Where the account identity call goes ([`crate::provider::identity`]): the vendor's STS
    /// host, or `CERTDEL_STS_ENDPOINT`; for huawei-scm its IAM endpoint.
    pub identity_endpoint: Endpoint,
    /// `--endpoint` was given (alibaba-slb list: every region goes there).
    pub custom_endpoint: bool,
    /// The account the run must be working in (`--expect-account`,
    /// `CERTDEL_EXPECT_ACCOUNT`): the session checks it with the identity call before
    /// anything else is sent.
    pub expect_account: Option<ExpectedAccount>,
    /// The provider, and what only it is configured with.
    pub specific: Specific,
}

impl ProviderSettings {
    /// Fixed settings for unit tests (example credentials, default endpoints).
    pub fn for_test(kind: Kind) -> Self {
        ProviderSettings {
            endpoint: Endpoint::https("example.invalid"),
            credentials: Credentials {
                access_key: "AKEXAMPLE".into(),
                secret_key: Secret::new("SECRETEXAMPLE"),
                token: None,
                origin: "test".into(),
            },
            region: None,
            identity_endpoint: Endpoint::https("sts.example.invalid"),
            custom_endpoint: false,
            expect_account: None,
            specific: Specific::for_test(kind),
        }
    }

    /// The provider these settings are for.
    pub fn kind(&self) -> Kind {
        self.specific.kind()
    }

    /// huawei-scm: the account (domain) id, when given or discovered; `None` for the others.
    pub fn domain_id(&self) -> Option<&str> {
        match &self.specific {
            Specific::Huawei(c) => c.domain_id.as_deref(),
            _ => None,
        }
    }

    /// huawei-scm: the account (domain) id found by discovery (the other providers have none).
    pub fn set_domain_id(&mut self, id: Option<String>) {
        if let Specific::Huawei(c) = &mut self.specific {
            c.domain_id = id;
        }
    }

    /// huawei-scm: where the domain id is discovered; `None` for the others.
    pub fn iam_endpoint(&self) -> Option<&Endpoint> {
        match &self.specific {
            Specific::Huawei(c) => Some(&c.iam_endpoint),
            _ => None,
        }
    }

    /// tencent-ssl: `--check-resources`; `false` for the others.
    pub fn check_resources(&self) -> bool {
        matches!(&self.specific, Specific::Tencent(c) if c.check_resources)
    }

    /// tencent-ssl: sets `--check-resources` (the other providers take none).
    pub fn set_check_resources(&mut self, check: bool) {
        if let Specific::Tencent(c) = &mut self.specific {
            c.check_resources = check;
        }
    }

    /// alibaba-cas: what ids name and what is listed; [`CasTarget::Orders`] for the others.
    pub fn cas_target(&self) -> CasTarget {
        match &self.specific {
            Specific::Cas(c) => c.target,
            _ => CasTarget::Orders,
        }
    }

    /// alibaba-cas: sets `--target` (the other providers take none).
    pub fn set_cas_target(&mut self, target: CasTarget) {
        if let Specific::Cas(c) = &mut self.specific {
            c.target = target;
        }
    }

    /// alibaba-slb: the regions the run covers, the one of `region` first; empty for the
    /// others.
    pub fn regions(&self) -> &[String] {
        match &self.specific {
            Specific::Slb(c) => &c.regions,
            _ => &[],
        }
    }

    /// alibaba-slb: `--region all`; `false` for the others.
    pub fn all_regions(&self) -> bool {
        matches!(&self.specific, Specific::Slb(c) if c.all_regions)
    }

    /// alibaba-slb: the regions the run covers, and whether they are `--region all` (the
    /// other providers cover one region, `region`).
    pub fn set_regions(&mut self, regions: Vec<String>, all_regions: bool) {
        if let Specific::Slb(c) = &mut self.specific {
            c.regions = regions;
            c.all_regions = all_regions;
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

/// What the provider's module decides: the region, the endpoint, and its own configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub region: Option<String>,
    pub endpoint: Endpoint,
    pub specific: Specific,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_is_the_variant_of_the_providers_own_config() {
        for kind in Kind::ALL {
            let s = ProviderSettings::for_test(kind);
            assert_eq!(s.kind(), kind);
            assert_eq!(s.specific.kind(), kind);
        }
        let mut s = ProviderSettings::for_test(Kind::TencentSsl);
        s.specific = Specific::Slb(alibaba_slb::Config::default());
        assert_eq!(s.kind(), Kind::AlibabaSlb);
    }

    #[test]
    fn another_providers_options_read_as_unset_and_cannot_be_set() {
        for kind in Kind::ALL {
            let mut s = ProviderSettings::for_test(kind);
            s.set_domain_id(Some("d1".into()));
            s.set_check_resources(true);
            s.set_cas_target(CasTarget::Certificates);
            s.set_regions(vec!["cn-hangzhou".into()], true);
            assert_eq!(s.domain_id().is_some(), kind == Kind::HuaweiScm, "{kind:?}");
            assert_eq!(s.iam_endpoint().is_some(), kind == Kind::HuaweiScm);
            assert_eq!(s.check_resources(), kind == Kind::TencentSsl);
            assert_eq!(
                s.cas_target() == CasTarget::Certificates,
                kind == Kind::AlibabaCas
            );
            assert_eq!(s.regions().is_empty(), kind != Kind::AlibabaSlb);
            assert_eq!(s.all_regions(), kind == Kind::AlibabaSlb);
            assert_eq!(s.kind(), kind, "setters never change the provider");
        }
    }
}
