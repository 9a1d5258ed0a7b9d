//! The Volcengine `ve` CLI's profiles: `~/.volcengine/config.json` (or the file
//! `VOLCENGINE_CLI_CONFIG_FILE` names), `{"current": NAME, "profiles": {NAME: {"mode",
//! "access-key", "secret-key", "session-token", "region", …}}}` — `profiles` is an object
//! keyed by name, the keys kebab-case.
//!
//! As the SDK reads it (`volcenginesdk-core` 5.0.54, `volcenginesdkcore/auth/providers/
//! cli_config_provider.py`, `CLIConfigCredentialProvider`): the path is
//! `VOLCENGINE_CLI_CONFIG_FILE` else `~/.volcengine/config.json`; the profile is the one asked
//! for, else `VOLCENGINE_PROFILE`, else `current`, else `default`; `mode` is compared
//! trimmed and lowercased, `ak` or empty/absent meaning static keys; values are trimmed.
//! Every other mode (`RamRoleArn`, `OIDC`, `EcsRole`, `sso`, `console-login`) fetches
//! credentials from a service first, which certdel does not do.

use super::{
    check_value, existing, json_object, keys, read_text, shown, under, Keys, Pick, Profile,
    ProfileError, Read,
};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

const FILE_VAR: &str = "VOLCENGINE_CLI_CONFIG_FILE";

pub(super) fn read(
    home: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    pick: &Pick,
) -> Result<Read, ProfileError> {
    let named = env(FILE_VAR).map(PathBuf::from);
    let path = named
        .clone()
        .unwrap_or_else(|| under(home, &[".volcengine", "config.json"]));
    let file = shown(home, &path);
    let Some((text, warnings)) = read_text(&path, &file, true)? else {
        return match pick {
            Pick::Default if named.is_none() => Ok(Read::Absent(format!("{file} (no such file)"))),
            Pick::Default => Err(ProfileError::new(
                &file,
                format!("no such file (named by {FILE_VAR}): correct or unset {FILE_VAR}"),
            )),
            Pick::Flag(name) | Pick::Var(_, name) => Err(ProfileError::new(
                &file,
                format!("no profile {name}{}: no such file", pick.origin()),
            )),
        };
    };
    let config = json_object(&text, &file)?;
    let current = trimmed(&config, "current", &file)?;
    let empty = Map::new();
    let profiles = match config.get("profiles") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(ProfileError::new(
                &file,
                "`profiles` is not a JSON object (keyed by profile name)",
            ))
        }
    };
    let (name, origin) = match (pick, current) {
        (Pick::Flag(n) | Pick::Var(_, n), _) => (n.as_str(), pick.origin()),
        (Pick::Default, Some(c)) => (c, " (the file's current profile)".to_string()),
        (Pick::Default, None) => ("default", String::new()),
    };
    let mut names: Vec<String> = profiles.keys().cloned().collect();
    names.sort();
    let Some(profile) = profiles.get(name) else {
        if *pick == Pick::Default && current.is_none() {
            return Ok(Read::Absent(format!(
                "{file} (no current profile, and none named default; {})",
                existing(&names)
            )));
        }
        return Err(ProfileError::new(
            &file,
            format!("no profile {name}{origin}: {}", existing(&names)),
        ));
    };
    let at = format!("{file}, profile {name}");
    let Value::Object(profile) = profile else {
        return Err(ProfileError::new(at, "the profile is not a JSON object"));
    };
    let mode = trimmed(profile, "mode", &at)?;
    if let Some(mode) = mode.filter(|m| !m.eq_ignore_ascii_case("ak")) {
        return Err(ProfileError::new(
            &at,
            format!(
                "mode {mode} is not supported: use a profile of mode ak (an access key pair), or set VOLCENGINE_ACCESS_KEY and VOLCENGINE_SECRET_KEY (and VOLCENGINE_SESSION_TOKEN for temporary credentials)"
            ),
        ));
    }
    let (access_key, secret_key, token) = keys(
        Keys {
            access_key: ("access-key", trimmed(profile, "access-key", &at)?),
            secret_key: ("secret-key", trimmed(profile, "secret-key", &at)?),
            token: ("session-token", trimmed(profile, "session-token", &at)?),
        },
        &at,
        "store `access-key` and `secret-key` in this profile",
    )?;
    let region = trimmed(profile, "region", &at)?;
    if let Some(r) = region {
        check_value("region", r, true, &at)?;
    }
    Ok(Read::Found(Profile {
        access_key,
        secret_key,
        token,
        region: region.map(str::to_string),
        domain_id: None,
        iam_endpoint: None,
        source: at,
        warnings,
    }))
}

/// A string field, trimmed as the SDK trims it; `None` when absent, null or blank.
fn trimmed<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<Option<&'a str>, ProfileError> {
    Ok(super::string_field(obj, key, at)?
        .map(str::trim)
        .filter(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{env, found, home, write};
    use super::*;

    fn err(home: &Path, vars: &[(&str, &str)], pick: &Pick) -> String {
        read(home, &env(vars), pick).unwrap_err().to_string()
    }

    const CONFIG: &str = r#"{"current":"work","enableColor":true,"profiles":{
        "work":{"name":"work","mode":"ak","access-key":" AKLTwork ","secret-key":"work-secret","session-token":"tok","region":"cn-beijing","endpoint":"","disable-ssl":false},
        "default":{"name":"default","access-key":"AKLTd","secret-key":"d-secret","session-token":""}}}"#;

    #[test]
    fn reads_ak_profiles_trimmed_as_the_sdk_reads_them() {
        let h = home("ve-ak");
        write(&h, ".volcengine/config.json", CONFIG);
        let p = found(read(&h, &env(&[]), &Pick::Default).unwrap());
        assert_eq!(p.access_key, "AKLTwork");
        assert_eq!(p.secret_key.expose(), "work-secret");
        assert_eq!(p.token.as_ref().map(|t| t.expose()), Some("tok"));
        assert_eq!(p.region.as_deref(), Some("cn-beijing"));
        assert_eq!(p.source, "~/.volcengine/config.json, profile work");
        // No mode is ak; an empty session token is none.
        let p = found(read(&h, &env(&[]), &Pick::Flag("default".into())).unwrap());
        assert_eq!(p.access_key, "AKLTd");
        assert!(p.token.is_none());
        assert_eq!(p.region, None);
    }

    #[test]
    fn default_is_the_fallback_when_there_is_no_current() {
        let h = home("ve-default");
        write(
            &h,
            ".volcengine/config.json",
            r#"{"profiles":{"default":{"mode":"AK","access-key":"AKLTd","secret-key":"s"}}}"#,
        );
        assert_eq!(
            found(read(&h, &env(&[]), &Pick::Default).unwrap()).access_key,
            "AKLTd"
        );
        write(
            &h,
            ".volcengine/config.json",
            r#"{"current":"","profiles":{"x":{"mode":"ak","access-key":"a","secret-key":"s"}}}"#,
        );
        match read(&h, &env(&[]), &Pick::Default).unwrap() {
            Read::Absent(t) => assert_eq!(
                t,
                "~/.volcengine/config.json (no current profile, and none named default; profiles in the file: x)"
            ),
            Read::Found(p) => panic!("{p:?}"),
        }
    }

    #[test]
    fn the_config_file_variable_moves_the_file() {
        let h = home("ve-var");
        let other = write(
            &h,
            "elsewhere/ve.json",
            r#"{"current":"x","profiles":{"x":{"mode":"ak","access-key":"AKLTx","secret-key":"s"}}}"#,
        );
        write(&h, ".volcengine/config.json", CONFIG);
        let vars = [(FILE_VAR, other.to_str().unwrap())];
        let p = found(read(&h, &env(&vars), &Pick::Default).unwrap());
        assert_eq!(p.access_key, "AKLTx");
        assert_eq!(p.source, "~/elsewhere/ve.json, profile x");
        // A file named by the variable that is not there is an error, not "no credentials".
        let gone = h.join("gone.json");
        let e = err(&h, &[(FILE_VAR, gone.to_str().unwrap())], &Pick::Default);
        assert_eq!(
            e,
            "~/gone.json: no such file (named by VOLCENGINE_CLI_CONFIG_FILE): correct or unset VOLCENGINE_CLI_CONFIG_FILE"
        );
    }

    #[test]
    fn other_modes_are_refused_by_name() {
        let h = home("ve-modes");
        for mode in [
            "sso",
            "RamRoleArn",
            "OIDC",
            "EcsRole",
            "console-login",
            "StsToken",
        ] {
            write(
                &h,
                ".volcengine/config.json",
                &format!(
                    r#"{{"current":"p","profiles":{{"p":{{"mode":"{mode}","access-key":"a","secret-key":"s"}}}}}}"#
                ),
            );
            let e = err(&h, &[], &Pick::Default);
            assert!(
                e.starts_with(&format!("~/.volcengine/config.json, profile p: mode {mode} is not supported: use a profile of mode ak")),
                "{e}"
            );
            assert!(e.contains("VOLCENGINE_ACCESS_KEY"), "{e}");
        }
    }

    #[test]
    fn errors_name_the_file_the_profile_and_the_key() {
        let h = home("ve-errors");
        write(
            &h,
            ".volcengine/config.json",
            r#"{"current":"p","profiles":{"p":{"access-key":"a"}}}"#,
        );
        assert_eq!(
            err(&h, &[], &Pick::Default),
            "~/.volcengine/config.json, profile p: no `secret-key` in this profile: store `access-key` and `secret-key` in this profile"
        );
        write(
            &h,
            ".volcengine/config.json",
            r#"{"current":"p","profiles":[]}"#,
        );
        assert!(err(&h, &[], &Pick::Default)
            .ends_with("`profiles` is not a JSON object (keyed by profile name)"));
        write(
            &h,
            ".volcengine/config.json",
            r#"{"current":"p","profiles":{"p":"x"}}"#,
        );
        assert_eq!(
            err(&h, &[], &Pick::Default),
            "~/.volcengine/config.json, profile p: the profile is not a JSON object"
        );
        write(
            &h,
            ".volcengine/config.json",
            r#"{"current":"p","profiles":{"p":{"access-key":"a","secret-key":true}}}"#,
        );
        assert!(err(&h, &[], &Pick::Default).ends_with("`secret-key` is not a string"));
        write(&h, ".volcengine/config.json", "{\n\n  \"current\": }");
        assert!(err(&h, &[], &Pick::Default)
            .contains("not valid JSON: expected value at line 3 column 14"));
        write(&h, ".volcengine/config.json", CONFIG);
        assert_eq!(
            err(&h, &[], &Pick::Var("VOLCENGINE_PROFILE", "prod".into())),
            "~/.volcengine/config.json: no profile prod (from VOLCENGINE_PROFILE): profiles in the file: default, work"
        );
    }
}
