//! Credentials from the official CLIs' files: tccli (`~/.tccli/`), the aliyun CLI
//! (`~/.aliyun/config.json`), the Volcengine `ve` CLI (`~/.volcengine/config.json`) and the
//! Huawei Cloud SDK (`~/.huaweicloud/credentials`), one reader per vendor, and the one rule
//! that picks between a profile and the environment ([`choose`]).
//!
//! Nothing here reads the process environment or guesses the home directory: every function
//! takes `home` and an `env` lookup, as [`crate::settings::resolve`] does, so tests run
//! against a temporary home without touching the process. A [`Profile`] keeps its secrets in
//! [`Secret`]s, and no error message repeats a value read from a file (a value may be a
//! secret): messages name the file, the profile and the key.
//!
//! Only static keys are read (an access key pair, optionally with an STS token). Profiles
//! that would make certdel call another service first (assume a role, SSO, instance
//! metadata, OIDC) are refused with the mode named and what to do instead.

mod aliyun;
mod huawei;
mod tccli;
mod volcengine;

use crate::provider::vendor::credential_vars;
use crate::provider::Kind;
pub use crate::provider::Vendor;
use crate::secret::{Credentials, Secret};
use crate::wire::header_safe;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// One profile read from a vendor CLI's file.
#[derive(Clone, Debug)]
pub struct Profile {
    pub access_key: String,
    pub secret_key: Secret,
    pub token: Option<Secret>,
    /// The profile's region, to use only when neither `--region` nor the vendor's region
    /// variable gives one (the caller decides).
    pub region: Option<String>,
    /// Huawei: the account id (`domain_id`), when the file has one.
    pub domain_id: Option<String>,
    /// Huawei: the file's `iam_endpoint`, which the SDK uses for account id discovery.
    pub iam_endpoint: Option<String>,
    /// Where it came from, for messages: `~/.aliyun/config.json, profile prod`.
    pub source: String,
    /// For stderr: the file holding the secret can be read by group or others.
    pub warnings: Vec<String>,
}

impl Profile {
    pub fn credentials(&self) -> Credentials {
        Credentials {
            access_key: self.access_key.clone(),
            secret_key: self.secret_key.clone(),
            token: self.token.clone(),
            origin: self.source.clone(),
        }
    }
}

/// Where a run's credentials come from.
#[derive(Debug)]
pub enum Chosen {
    /// The vendor's credential variables are set: read them (as `settings` does).
    Environment,
    /// A profile from the vendor CLI's file.
    Profile(Profile),
    /// None found; the sources tried, in order, for "no credentials: tried …".
    Nothing { tried: Vec<String> },
}

/// A problem with a credentials file: where (file, profile) and what, never a value read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {problem}")]
pub struct ProfileError {
    /// `~/.aliyun/config.json, profile prod` (or the file alone).
    pub location: String,
    pub problem: String,
}

impl ProfileError {
    fn new(location: impl Into<String>, problem: impl Into<String>) -> Self {
        ProfileError {
            location: location.into(),
            problem: problem.into(),
        }
    }
}

/// Which profile was asked for, and by whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Pick {
    /// `--profile NAME`.
    Flag(String),
    /// The vendor's profile variable (`TCCLI_PROFILE=NAME`).
    Var(&'static str, String),
    /// Nobody asked: the file's default or current profile, if there is one.
    Default,
}

impl Pick {
    /// How the name came to be asked for, for "profile X (from TCCLI_PROFILE) …".
    fn origin(&self) -> String {
        match self {
            Pick::Flag(_) => " (from --profile)".into(),
            Pick::Var(var, _) => format!(" (from {var})"),
            Pick::Default => String::new(),
        }
    }
}

/// What a reader found for a pick.
#[derive(Debug)]
pub(crate) enum Read {
    Found(Profile),
    /// Only for [`Pick::Default`]: no file, or no default profile in it. What was tried.
    Absent(String),
}

/// Read the vendor's profile file for `pick`.
fn read(
    vendor: Vendor,
    home: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    pick: &Pick,
) -> Result<Read, ProfileError> {
    match vendor {
        Vendor::Huawei => huawei::read(home, env),
        Vendor::Tencent => tccli::read(home, pick),
        Vendor::Volcengine => volcengine::read(home, env, pick),
        Vendor::Alibaba => aliyun::read(home, pick),
    }
}

/// The precedence rule, for `kind` (pure: files under `home`, variables through `env`):
///
/// 1. `--profile NAME` given: that profile only, the credential variables ignored (Huawei:
///    a usage error — the SDK file has no named profiles);
/// 2. else the vendor's credential variables, when either the id or the secret is set (a
///    half-set pair then fails naming the missing one, rather than mixing sources);
/// 3. else the profile the vendor's profile variable names (`TCCLI_PROFILE`,
///    `ALIBABA_CLOUD_PROFILE`, `VOLCENGINE_PROFILE`);
/// 4. else the file's default profile (tccli `default`; aliyun and `ve`: `current`, else
///    `default`; Huawei: the `[global]` section);
/// 5. else [`Chosen::Nothing`] with the sources tried.
///
/// A profile that was asked for by name (1, 3) and is not there is an error, as is a file
/// that exists but cannot be used; an absent default (4) is not.
pub fn choose(
    kind: Kind,
    flag: Option<&str>,
    home: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Chosen, crate::error::Error> {
    choose_for(Vendor::of(kind), flag, home, env)
        .map_err(|e| crate::error::Error::usage(format!("{}: {e}", kind.name())))
}

/// [`choose`] for a vendor, with the file problem as it is (no provider prefix).
pub fn choose_for(
    vendor: Vendor,
    flag: Option<&str>,
    home: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Chosen, ProfileError> {
    // As in settings: a variable set to the empty string is unset.
    let env = |name: &str| env(name).filter(|v| !v.is_empty());
    if let Some(name) = flag {
        if vendor == Vendor::Huawei {
            return Err(ProfileError::new(
                "--profile",
                "the Huawei SDK credentials file has no named profiles; use HUAWEICLOUD_SDK_CREDENTIALS_FILE to pick another file",
            ));
        }
        if name.is_empty() {
            return Err(ProfileError::new(
                "--profile",
                "the profile name is empty: give the name of a profile",
            ));
        }
        return match read(vendor, home, &env, &Pick::Flag(name.to_string()))? {
            Read::Found(p) => Ok(Chosen::Profile(p)),
            // Readers report a named profile that is not there as an error.
            Read::Absent(tried) => Ok(Chosen::Nothing { tried: vec![tried] }),
        };
    }
    let (id_var, secret_var, _) = credential_vars(vendor.kind());
    if env(id_var).is_some() || env(secret_var).is_some() {
        return Ok(Chosen::Environment);
    }
    let mut tried = vec![format!("{id_var} and {secret_var}")];
    let pick = match vendor
        .profile_var()
        .and_then(|var| env(var).map(|v| (var, v)))
    {
        Some((var, name)) => Pick::Var(var, name),
        None => Pick::Default,
    };
    match read(vendor, home, &env, &pick)? {
        Read::Found(p) => Ok(Chosen::Profile(p)),
        Read::Absent(what) => {
            tried.push(what);
            Ok(Chosen::Nothing { tried })
        }
    }
}

// ---- shared by the readers ----

/// `path` as shown in messages: `~/…` under `home`, else as it is.
fn shown(home: &Path, path: &Path) -> String {
    match path.strip_prefix(home) {
        Ok(rest) if !home.as_os_str().is_empty() => format!("~/{}", rest.display()),
        _ => path.display().to_string(),
    }
}

/// The most a credentials file is read (they hold a few profiles of a few hundred bytes).
const MAX_FILE: u64 = 1 << 20;

/// A file's text, or `None` when there is no such file. `secret`: the file holds secrets,
/// so a mode that lets group or others read it earns a warning.
fn read_text(
    path: &Path,
    at: &str,
    secret: bool,
) -> Result<Option<(String, Vec<String>)>, ProfileError> {
    use std::io::Read as _;
    let cannot = |e: std::io::Error| {
        ProfileError::new(at, format!("cannot read the file: {}", io_reason(&e)))
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(cannot(e)),
    };
    // A variable may name any file (`/dev/zero`): read a bounded amount.
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(ProfileError::new(
            at,
            "larger than 1 MiB: not a credentials file",
        ));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| ProfileError::new(at, "not UTF-8 text: save the file as UTF-8"))?;
    let mut warnings = Vec::new();
    if secret {
        warnings.extend(mode_warning(path, at));
    }
    Ok(Some((text, warnings)))
}

/// The OS reason without the path (the message names it already).
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "it is a directory".into(),
        _ => e.to_string(),
    }
}

#[cfg(unix)]
fn mode_warning(path: &Path, at: &str) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "{at} holds secrets and is open to group or others (mode {mode:04o}): run chmod 600 {at}"
        )
    })
}

#[cfg(not(unix))]
fn mode_warning(_path: &Path, _at: &str) -> Option<String> {
    None
}

/// The file's JSON, which must be an object. serde_json's syntax errors name a position
/// and never the text around it.
fn json_object(text: &str, at: &str) -> Result<Map<String, Value>, ProfileError> {
    match serde_json::from_str::<Value>(text.strip_prefix('\u{feff}').unwrap_or(text)) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ProfileError::new(at, "not a JSON object")),
        Err(e) => Err(ProfileError::new(at, format!("not valid JSON: {e}"))),
    }
}

/// A string field of `obj`: `None` when absent, null or empty; any other type is an error
/// naming the key (not the value).
fn string_field<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<Option<&'a str>, ProfileError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ProfileError::new(at, format!("`{key}` is not a string"))),
    }
}

/// What a profile must hold to be used as it is: the access key, secret and token
/// (already picked by each reader), each checked as the environment's values are.
struct Keys<'a> {
    access_key: (&'a str, Option<&'a str>),
    secret_key: (&'a str, Option<&'a str>),
    token: (&'a str, Option<&'a str>),
}

/// The profile's keys checked: both of the pair present, no surrounding whitespace or
/// control characters, and what goes into a header (access key, token) visible ASCII.
/// `fix`: what to do when the pair is incomplete.
fn keys(
    keys: Keys<'_>,
    at: &str,
    fix: &str,
) -> Result<(String, Secret, Option<Secret>), ProfileError> {
    let missing: Vec<String> = [keys.access_key, keys.secret_key]
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| format!("`{k}`"))
        .collect();
    if !missing.is_empty() {
        return Err(ProfileError::new(
            at,
            format!("no {} in this profile: {fix}", missing.join(" and ")),
        ));
    }
    for (key, value, header) in [
        (keys.access_key.0, keys.access_key.1, true),
        (keys.secret_key.0, keys.secret_key.1, false),
        (keys.token.0, keys.token.1, true),
    ] {
        if let Some(v) = value {
            check_value(key, v, header, at)?;
        }
    }
    Ok((
        keys.access_key.1.unwrap_or_default().to_string(),
        Secret::new(keys.secret_key.1.unwrap_or_default()),
        keys.token.1.map(Secret::new),
    ))
}

/// One value checked (named by its key, never shown).
fn check_value(key: &str, v: &str, header: bool, at: &str) -> Result<(), ProfileError> {
    if v.trim() != v || v.chars().any(char::is_control) {
        return Err(ProfileError::new(
            at,
            format!("`{key}` has leading/trailing whitespace or control characters; store the bare value"),
        ));
    }
    if header && !header_safe(v) {
        return Err(ProfileError::new(
            at,
            format!("`{key}` has a character that cannot be sent in an HTTP header (whitespace or a non-ASCII character); store the bare value"),
        ));
    }
    Ok(())
}

/// "profiles here: a, b" or "the file has no profiles", for a missing profile.
fn existing(names: &[String]) -> String {
    if names.is_empty() {
        "the file has no profiles".into()
    } else {
        format!("profiles in the file: {}", names.join(", "))
    }
}

/// A path under `home`.
fn under(home: &Path, parts: &[&str]) -> PathBuf {
    let mut p = home.to_path_buf();
    for part in parts {
        p.push(part);
    }
    p
}

#[cfg(test)]
pub(crate) mod testing {
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};

    /// The profile a read found (a test failure when it found none).
    pub fn found(r: super::Read) -> super::Profile {
        match r {
            super::Read::Found(p) => p,
            super::Read::Absent(t) => panic!("absent: {t}"),
        }
    }

    /// A fresh, empty home directory for one test.
    pub fn home(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("certdel-profile-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Write `text` to `home/rel` with mode 0600 (so no warning unless a test asks for one).
    pub fn write(home: &Path, rel: &str, text: &str) -> PathBuf {
        let path = home.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        chmod(&path, 0o600);
        path
    }

    pub fn chmod(path: &Path, mode: u32) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        #[cfg(not(unix))]
        let _ = (path, mode);
    }

    pub fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name: &str| map.get(name).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{chmod, env, home, write};
    use super::*;

    const TC_CRED: &str = r#"{"secretId":"AKIDfile","secretKey":"file-secret","token":""}"#;
    const ALI: &str = r#"{"current":"default","profiles":[
        {"name":"default","mode":"AK","access_key_id":"LTAIdefault","access_key_secret":"default-secret","region_id":"cn-hangzhou"},
        {"name":"prod","mode":"AK","access_key_id":"LTAIprod","access_key_secret":"prod-secret","region_id":"cn-shanghai"}]}"#;
    const VE: &str = r#"{"current":"work","profiles":{
        "work":{"name":"work","mode":"ak","access-key":"AKLTwork","secret-key":"work-secret","region":"cn-beijing"},
        "default":{"name":"default","mode":"ak","access-key":"AKLTdefault","secret-key":"default-secret"},
        "other":{"name":"other","mode":"ak","access-key":"AKLTother","secret-key":"other-secret"}}}"#;

    fn profile(c: Chosen) -> Profile {
        match c {
            Chosen::Profile(p) => p,
            other => panic!("expected a profile, got {other:?}"),
        }
    }

    #[test]
    fn the_flag_picks_that_profile_and_ignores_the_environment() {
        let h = home("prec-flag");
        write(&h, ".tccli/prod.credential", TC_CRED);
        let vars = env(&[
            ("TENCENTCLOUD_SECRET_ID", "AKIDenv"),
            ("TENCENTCLOUD_SECRET_KEY", "env-secret"),
            ("TCCLI_PROFILE", "other"),
        ]);
        let p = profile(choose(Kind::TencentSsl, Some("prod"), &h, &vars).unwrap());
        assert_eq!(p.access_key, "AKIDfile");
        assert_eq!(p.source, "~/.tccli/prod.credential, profile prod");

        write(&h, ".aliyun/config.json", ALI);
        let vars = env(&[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
            ("ALIBABA_CLOUD_PROFILE", "default"),
        ]);
        let p = profile(choose(Kind::AlibabaCas, Some("prod"), &h, &vars).unwrap());
        assert_eq!(p.access_key, "LTAIprod");
    }

    #[test]
    fn a_flag_naming_a_missing_profile_is_an_error_even_with_credentials_in_env() {
        let h = home("prec-flag-missing");
        write(&h, ".tccli/default.credential", TC_CRED);
        let vars = env(&[
            ("TENCENTCLOUD_SECRET_ID", "AKIDenv"),
            ("TENCENTCLOUD_SECRET_KEY", "env-secret"),
        ]);
        let e = choose(Kind::TencentSsl, Some("prod"), &h, &vars)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("tencent-ssl: ~/.tccli/prod.credential"),
            "{e}"
        );
        assert!(e.contains("no profile prod (from --profile)"), "{e}");
        assert!(e.ends_with("profiles in ~/.tccli: default"), "{e}");
    }

    #[test]
    fn credential_variables_come_before_any_file() {
        let h = home("prec-env");
        write(&h, ".tccli/default.credential", TC_CRED);
        write(&h, ".aliyun/config.json", ALI);
        write(&h, ".volcengine/config.json", VE);
        write(
            &h,
            ".huaweicloud/credentials",
            "[global]\nak = AKfile\nsk = skfile\n",
        );
        for (kind, id, secret, profile_var) in [
            (
                Kind::TencentSsl,
                "TENCENTCLOUD_SECRET_ID",
                "TENCENTCLOUD_SECRET_KEY",
                Some("TCCLI_PROFILE"),
            ),
            (
                Kind::AlibabaSlb,
                "ALIBABA_CLOUD_ACCESS_KEY_ID",
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                Some("ALIBABA_CLOUD_PROFILE"),
            ),
            (
                Kind::VolcengineLive,
                "VOLCENGINE_ACCESS_KEY",
                "VOLCENGINE_SECRET_KEY",
                Some("VOLCENGINE_PROFILE"),
            ),
            (
                Kind::HuaweiScm,
                "HUAWEICLOUD_SDK_AK",
                "HUAWEICLOUD_SDK_SK",
                None,
            ),
        ] {
            // Both, or only one of the pair (the caller then names the missing one).
            for vars in [
                vec![(id, "x"), (secret, "y")],
                vec![(id, "x")],
                vec![(secret, "y")],
            ] {
                let mut vars = vars;
                if let Some(v) = profile_var {
                    vars.push((v, "default"));
                }
                let c = choose(kind, None, &h, &env(&vars)).unwrap();
                assert!(matches!(c, Chosen::Environment), "{kind:?} {vars:?}: {c:?}");
            }
            // Set to the empty string: unset, so the file is read.
            let c = choose(kind, None, &h, &env(&[(id, ""), (secret, "")])).unwrap();
            assert!(matches!(c, Chosen::Profile(_)), "{kind:?}: {c:?}");
        }
    }

    #[test]
    fn the_profile_variable_comes_before_the_default_profile() {
        let h = home("prec-var");
        write(&h, ".tccli/default.credential", TC_CRED);
        write(
            &h,
            ".tccli/ci.credential",
            r#"{"secretId":"AKIDci","secretKey":"ci-secret"}"#,
        );
        let p =
            profile(choose(Kind::TencentSsl, None, &h, &env(&[("TCCLI_PROFILE", "ci")])).unwrap());
        assert_eq!(p.access_key, "AKIDci");

        write(&h, ".aliyun/config.json", ALI);
        let p = profile(
            choose(
                Kind::AlibabaSlb,
                None,
                &h,
                &env(&[("ALIBABA_CLOUD_PROFILE", "prod")]),
            )
            .unwrap(),
        );
        assert_eq!(p.access_key, "LTAIprod");

        write(&h, ".volcengine/config.json", VE);
        let p = profile(
            choose(
                Kind::VolcengineLive,
                None,
                &h,
                &env(&[("VOLCENGINE_PROFILE", "other")]),
            )
            .unwrap(),
        );
        assert_eq!(p.access_key, "AKLTother");
    }

    #[test]
    fn a_profile_variable_naming_a_missing_profile_is_an_error_naming_the_variable() {
        let h = home("prec-var-missing");
        write(&h, ".aliyun/config.json", ALI);
        let e = choose(
            Kind::AlibabaSlb,
            None,
            &h,
            &env(&[("ALIBABA_CLOUD_PROFILE", "staging")]),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("no profile staging (from ALIBABA_CLOUD_PROFILE)"),
            "{e}"
        );
        assert!(e.contains("default, prod"), "{e}");
        // No file at all: still an error, since a profile was asked for.
        let h = home("prec-var-nofile");
        let e = choose(
            Kind::VolcengineLive,
            None,
            &h,
            &env(&[("VOLCENGINE_PROFILE", "x")]),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("~/.volcengine/config.json"), "{e}");
        assert!(e.contains("no such file"), "{e}");
    }

    #[test]
    fn without_flag_or_variables_the_default_profile_is_used() {
        let h = home("prec-default");
        write(&h, ".tccli/default.credential", TC_CRED);
        write(&h, ".aliyun/config.json", ALI);
        write(&h, ".volcengine/config.json", VE);
        write(
            &h,
            ".huaweicloud/credentials",
            "[global]\nak = AKfile\nsk = skfile\n",
        );
        let none = env(&[]);
        assert_eq!(
            profile(choose(Kind::TencentSsl, None, &h, &none).unwrap()).access_key,
            "AKIDfile"
        );
        assert_eq!(
            profile(choose(Kind::AlibabaCas, None, &h, &none).unwrap()).access_key,
            "LTAIdefault"
        );
        // `current` wins over a profile called default.
        assert_eq!(
            profile(choose(Kind::VolcengineLive, None, &h, &none).unwrap()).access_key,
            "AKLTwork"
        );
        assert_eq!(
            profile(choose(Kind::HuaweiScm, None, &h, &none).unwrap()).access_key,
            "AKfile"
        );
    }

    #[test]
    fn nothing_found_lists_the_sources_tried_in_order() {
        let h = home("prec-nothing");
        let none = env(&[]);
        let tried = |kind| match choose(kind, None, &h, &none).unwrap() {
            Chosen::Nothing { tried } => tried,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            tried(Kind::TencentSsl),
            [
                "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY",
                "~/.tccli/default.credential (no such file)"
            ]
        );
        assert_eq!(
            tried(Kind::AlibabaSlb),
            [
                "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                "~/.aliyun/config.json (no such file)"
            ]
        );
        assert_eq!(
            tried(Kind::VolcengineLive),
            [
                "VOLCENGINE_ACCESS_KEY and VOLCENGINE_SECRET_KEY",
                "~/.volcengine/config.json (no such file)"
            ]
        );
        assert_eq!(
            tried(Kind::HuaweiScm),
            [
                "HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK",
                "~/.huaweicloud/credentials (no such file)"
            ]
        );
        // A file without a current or default profile: tried, not an error.
        write(
            &h,
            ".aliyun/config.json",
            r#"{"current":"","profiles":[{"name":"prod","mode":"AK","access_key_id":"a","access_key_secret":"b"}]}"#,
        );
        assert_eq!(
            tried(Kind::AlibabaSlb)[1],
            "~/.aliyun/config.json (no current profile, and none named default; profiles in the file: prod)"
        );
    }

    #[test]
    fn huawei_refuses_a_profile_name() {
        let h = home("prec-huawei-flag");
        write(
            &h,
            ".huaweicloud/credentials",
            "[global]\nak = AKfile\nsk = skfile\n",
        );
        let e = choose(Kind::HuaweiScm, Some("prod"), &h, &env(&[]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "huawei-scm: --profile: the Huawei SDK credentials file has no named profiles; use HUAWEICLOUD_SDK_CREDENTIALS_FILE to pick another file"
        );
    }

    #[test]
    fn an_empty_profile_name_is_refused() {
        let h = home("prec-empty-flag");
        let e = choose(Kind::AlibabaSlb, Some(""), &h, &env(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("the profile name is empty"), "{e}");
    }

    #[test]
    fn a_secret_file_open_to_others_is_a_warning_not_an_error() {
        let h = home("warn");
        let path = write(&h, ".tccli/default.credential", TC_CRED);
        let p = profile(choose(Kind::TencentSsl, None, &h, &env(&[])).unwrap());
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        if cfg!(unix) {
            chmod(&path, 0o644);
            let p = profile(choose(Kind::TencentSsl, None, &h, &env(&[])).unwrap());
            assert_eq!(
                p.warnings,
                ["~/.tccli/default.credential holds secrets and is open to group or others (mode 0644): run chmod 600 ~/.tccli/default.credential"]
            );
            assert_eq!(p.access_key, "AKIDfile");
        }
    }

    #[cfg(unix)]
    #[test]
    fn every_vendor_warns_about_its_secret_file_and_only_that() {
        let h = home("warn-all");
        let files = [
            (
                Kind::TencentSsl,
                write(&h, ".tccli/default.credential", TC_CRED),
            ),
            (Kind::AlibabaSlb, write(&h, ".aliyun/config.json", ALI)),
            (
                Kind::VolcengineLive,
                write(&h, ".volcengine/config.json", VE),
            ),
            (
                Kind::HuaweiScm,
                write(&h, ".huaweicloud/credentials", "[global]\nak = A\nsk = S\n"),
            ),
        ];
        // tccli's region file holds no secret: its mode is nobody's business.
        let conf = write(
            &h,
            ".tccli/default.configure",
            r#"{"_sys_param":{"region":"ap-guangzhou"}}"#,
        );
        chmod(&conf, 0o644);
        for (kind, path) in &files {
            let p = profile(choose(*kind, None, &h, &env(&[])).unwrap());
            assert!(p.warnings.is_empty(), "{kind:?}: {:?}", p.warnings);
            chmod(path, 0o640);
            let p = profile(choose(*kind, None, &h, &env(&[])).unwrap());
            assert_eq!(p.warnings.len(), 1, "{kind:?}");
            assert!(
                p.warnings[0].contains("(mode 0640): run chmod 600 ~/."),
                "{:?}",
                p.warnings
            );
        }
    }

    #[test]
    fn a_file_is_read_up_to_a_bound() {
        let h = home("bound");
        let big = format!(
            r#"{{"secretId":"AKID","secretKey":"s","pad":"{}"}}"#,
            "x".repeat(1 << 20)
        );
        write(&h, ".tccli/default.credential", &big);
        let e = choose(Kind::TencentSsl, None, &h, &env(&[]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "tencent-ssl: ~/.tccli/default.credential: larger than 1 MiB: not a credentials file"
        );
        if cfg!(unix) {
            let vars = env(&[("VOLCENGINE_CLI_CONFIG_FILE", "/dev/zero")]);
            let e = choose(Kind::VolcengineLive, None, &h, &vars)
                .unwrap_err()
                .to_string();
            assert!(
                e.ends_with("larger than 1 MiB: not a credentials file"),
                "{e}"
            );
        }
    }

    #[test]
    fn a_region_that_cannot_be_sent_is_refused_naming_its_key() {
        let h = home("region");
        write(&h, ".tccli/default.credential", TC_CRED);
        write(
            &h,
            ".tccli/default.configure",
            r#"{"_sys_param":{"region":"ap guangzhou"}}"#,
        );
        write(
            &h,
            ".aliyun/config.json",
            &ALI.replace("cn-hangzhou", "cn-hangzhou\\n"),
        );
        write(
            &h,
            ".volcengine/config.json",
            &VE.replace("cn-beijing", "cn-bei jing"),
        );
        for (kind, key) in [
            (Kind::TencentSsl, "`_sys_param.region`"),
            (Kind::AlibabaSlb, "`region_id`"),
            (Kind::VolcengineLive, "`region`"),
        ] {
            let e = choose(kind, None, &h, &env(&[])).unwrap_err().to_string();
            assert!(e.contains(key), "{kind:?}: {e}");
        }
    }

    #[test]
    fn profiles_never_show_their_secrets() {
        let h = home("redact");
        write(
            &h,
            ".tccli/default.credential",
            r#"{"secretId":"AKIDfile","secretKey":"hunter2","token":"tok-xyz"}"#,
        );
        let p = profile(choose(Kind::TencentSsl, None, &h, &env(&[])).unwrap());
        let shown = format!("{p:?} {:?}", p.credentials());
        assert!(
            !shown.contains("hunter2") && !shown.contains("tok-xyz"),
            "{shown}"
        );
        assert_eq!(p.secret_key.expose(), "hunter2");
        assert_eq!(p.token.as_ref().unwrap().expose(), "tok-xyz");
    }

    #[test]
    fn values_are_checked_by_key_never_shown() {
        let h = home("values");
        for (file, key) in [
            (r#"{"secretId":"AKID x","secretKey":"s"}"#, "secretId"),
            (r#"{"secretId":" AKID","secretKey":"s"}"#, "secretId"),
            (
                r#"{"secretId":"AKID","secretKey":"hunter2\n"}"#,
                "secretKey",
            ),
            (
                r#"{"secretId":"AKID","secretKey":"s","token":"tök"}"#,
                "token",
            ),
            (r#"{"secretId":"AKID","secretKey":12345}"#, "secretKey"),
        ] {
            write(&h, ".tccli/default.credential", file);
            let e = choose(Kind::TencentSsl, None, &h, &env(&[]))
                .unwrap_err()
                .to_string();
            assert!(e.contains(&format!("`{key}`")), "{file}: {e}");
            for secret in ["hunter2", "12345", "tök", "AKID x", " AKID"] {
                assert!(!e.contains(secret), "{file}: {e}");
            }
        }
    }

    #[test]
    fn shown_paths_start_with_a_tilde_under_home_only() {
        let home = Path::new("/home/u");
        assert_eq!(
            shown(home, Path::new("/home/u/.aliyun/config.json")),
            "~/.aliyun/config.json"
        );
        assert_eq!(
            shown(home, Path::new("/etc/hw/credentials")),
            "/etc/hw/credentials"
        );
    }
}
