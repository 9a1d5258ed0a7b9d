//! The four vendors behind the five products, and each vendor's credential chain.
//!
//! An account, its credentials and the official CLI's profile files belong to a vendor, not a
//! product: alibaba-slb and alibaba-cas share one Alibaba account and one set of variables.
//! [`credentials`] is the one place that decides where a run's keys come from.

use super::Kind;
use crate::error::Error;
use crate::profile::{self, Chosen, Profile};
use crate::secret::{Credentials, Secret};
use crate::wire::header_safe;
use std::path::{Path, PathBuf};

/// The four vendors behind the five products: an account, its credentials and the official
/// CLI's profile files belong to a vendor, not a product (alibaba-slb and alibaba-cas share
/// one Alibaba account).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Vendor {
    Huawei,
    Tencent,
    Volcengine,
    Alibaba,
}

impl Vendor {
    pub fn of(kind: Kind) -> Vendor {
        match kind {
            Kind::HuaweiScm => Vendor::Huawei,
            Kind::TencentSsl => Vendor::Tencent,
            Kind::VolcengineLive => Vendor::Volcengine,
            Kind::AlibabaSlb | Kind::AlibabaCas => Vendor::Alibaba,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Vendor::Huawei => "huawei",
            Vendor::Tencent => "tencent",
            Vendor::Volcengine => "volcengine",
            Vendor::Alibaba => "alibaba",
        }
    }

    /// A product of this vendor (the first, for the two Alibaba ones): what names the
    /// vendor's credential variables in `settings`.
    pub fn kind(self) -> Kind {
        match self {
            Vendor::Huawei => Kind::HuaweiScm,
            Vendor::Tencent => Kind::TencentSsl,
            Vendor::Volcengine => Kind::VolcengineLive,
            Vendor::Alibaba => Kind::AlibabaSlb,
        }
    }

    /// The region variable of the vendor's SDKs, where certdel reads one (tencent-ssl,
    /// alibaba-slb, alibaba-cas take a region from there).
    pub fn region_var(self) -> Option<&'static str> {
        match self {
            Vendor::Tencent => Some(super::tencent_ssl::REGION_VAR),
            Vendor::Alibaba => Some(super::alibaba::REGION_VAR),
            Vendor::Huawei | Vendor::Volcengine => None,
        }
    }

    /// The variable that names the official CLI's profile when `--profile` is not given.
    pub fn profile_var(self) -> Option<&'static str> {
        match self {
            Vendor::Huawei => None,
            Vendor::Tencent => Some("TCCLI_PROFILE"),
            Vendor::Volcengine => Some("VOLCENGINE_PROFILE"),
            Vendor::Alibaba => Some("ALIBABA_CLOUD_PROFILE"),
        }
    }
}

/// A run's credentials and, when they came from a vendor CLI's file, that profile (its region,
/// Huawei's `domain_id` and `iam_endpoint`, its warnings).
#[derive(Clone, Debug)]
pub struct Found {
    pub credentials: Credentials,
    pub profile: Option<Profile>,
}

/// The credentials for `kind`, by certdel's one precedence rule ([`profile::choose`]):
/// `--profile NAME` (`flag`) → the vendor's credential variables → the profile the vendor's
/// profile variable names → the file's default or current profile. Nothing found is an
/// error naming every source tried, in order, and what to do.
pub fn credentials(
    kind: Kind,
    flag: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Found, Error> {
    match choose_credentials(kind, flag, env)? {
        Chosen::Environment => Ok(Found {
            credentials: from_environment(kind, env)?,
            profile: None,
        }),
        Chosen::Profile(p) => Ok(Found {
            credentials: p.credentials(),
            profile: Some(p),
        }),
        Chosen::Nothing { tried } => Err(Error::NoCredentials {
            provider: kind.name(),
            tried,
            fix: no_credentials_fix(kind),
        }),
    }
}

/// Where the credentials come from: [`profile::choose`] with the files under `HOME`. Without
/// an absolute `HOME` no file is read (the credential variables alone, as before there were
/// profiles), and `--profile` is refused saying why.
fn choose_credentials(
    kind: Kind,
    flag: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Chosen, Error> {
    match env("HOME").map(PathBuf::from).filter(|h| h.is_absolute()) {
        Some(home) => profile::choose(kind, flag, &home, env),
        // huawei-scm refuses any profile name without reading a file.
        None if Vendor::of(kind) == Vendor::Huawei && flag.is_some() => {
            profile::choose(kind, flag, Path::new(""), env)
        }
        None => match flag {
            Some(name) => Err(Error::usage(format!(
                "{}: --profile {name}: HOME is not set to an absolute path, so the vendor CLI's credentials file cannot be found; set HOME",
                kind.name()
            ))),
            None => Ok(Chosen::Environment),
        },
    }
}

/// What to do when no source gave credentials.
fn no_credentials_fix(kind: Kind) -> String {
    let (id, secret, _) = credential_vars(kind);
    let file = match Vendor::of(kind) {
        Vendor::Tencent => "store a profile with `tccli configure`",
        Vendor::Alibaba => "store a profile with `aliyun configure`",
        // volcengine-cli `cmd/cmd_configure.go` (newConfigureSetCmd): `--profile` and
        // `--region` are required flags of `ve configure set`.
        Vendor::Volcengine => {
            "store a profile with `ve configure set --profile NAME --region cn-north-1 --access-key AK --secret-key SK`"
        }
        Vendor::Huawei => "put ak and sk under [global] in ~/.huaweicloud/credentials",
    };
    format!("set {id} and {secret}, or {file}")
}

/// The official SDK environment variable names for each vendor: (id, secret, token).
pub fn credential_vars(kind: Kind) -> CredentialVars {
    match kind {
        Kind::HuaweiScm => super::huawei_scm::CREDENTIAL_VARS,
        Kind::TencentSsl => super::tencent_ssl::CREDENTIAL_VARS,
        Kind::VolcengineLive => super::volcengine_live::CREDENTIAL_VARS,
        Kind::AlibabaSlb | Kind::AlibabaCas => super::alibaba::CREDENTIAL_VARS,
    }
}

/// A vendor's credential variables, as its official SDKs name them: (access key id, secret,
/// session token).
pub type CredentialVars = (&'static str, &'static str, &'static str);

fn from_environment(
    kind: Kind,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Credentials, Error> {
    let (id_var, secret_var, token_var) = credential_vars(kind);
    let id = env(id_var);
    let secret = env(secret_var);
    let missing: Vec<&str> = [(id_var, &id), (secret_var, &secret)]
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        return Err(Error::MissingCredentials {
            provider: kind.name(),
            vars: missing.join(" and "),
        });
    }
    let token = env(token_var);
    for (name, value) in [(id_var, &id), (secret_var, &secret), (token_var, &token)] {
        if let Some(v) = value {
            if v.trim() != v || v.chars().any(char::is_control) {
                return Err(Error::usage(format!(
                    "{}: {name} has leading/trailing whitespace or control characters; set it to the bare value",
                    kind.name()
                )));
            }
        }
    }
    // The access key id goes into `Authorization`, the token into a header of its own.
    for (name, value) in [(id_var, &id), (token_var, &token)] {
        if let Some(v) = value {
            header_value(kind, name, v)?;
        }
    }
    let mut names = vec![id_var, secret_var];
    if token.is_some() {
        names.push(token_var);
    }
    Ok(Credentials {
        access_key: id.unwrap_or_default(),
        secret_key: Secret::new(secret.unwrap_or_default()),
        token: token.map(Secret::new),
        origin: format!("environment: {}", names.join(", ")),
    })
}

/// A usage error naming `var` when its value cannot go into a header — before any request,
/// instead of a request that can never be sent. The value is never shown: it may be secret.
pub fn header_value(kind: Kind, var: &str, value: &str) -> Result<(), Error> {
    if header_safe(value) {
        return Ok(());
    }
    Err(Error::usage(format!(
        "{}: {var} has a character that cannot be sent in an HTTP header (whitespace, a line break or another control character, or a non-ASCII character); set it to the bare value",
        kind.name()
    )))
}
