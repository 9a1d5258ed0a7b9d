//! The aliyun CLI's profiles: `~/.aliyun/config.json`, `{"current": NAME, "profiles": [{"name",
//! "mode", "access_key_id", "access_key_secret", "sts_token", "region_id", …}]}` —
//! `profiles` is an array of objects with a `name`.
//!
//! The aliyun CLI is Go and not on PyPI, so this follows providers.md §6.4 (a documented
//! assumption, not checked against its source here): modes `AK` (the key pair) and
//! `StsToken` (the pair and `sts_token`) hold static keys; every other mode (`RamRoleArn`,
//! `EcsRamRole`, `ChainableRamRoleArn`, `OIDC`, `External`, `CredentialsURI`, `CloudSSO`,
//! `OAuth`, …) gets its keys from a service first and is refused by name. A profile with no
//! mode is one `aliyun configure` never finished. The profile is `--profile`, else
//! `ALIBABA_CLOUD_PROFILE`, else `current`, else `default`.

use super::{
    check_value, existing, json_object, keys, read_text, shown, string_field, under, Keys, Pick,
    Profile, ProfileError, Read,
};
use serde_json::Value;
use std::path::Path;

pub(super) fn read(home: &Path, pick: &Pick) -> Result<Read, ProfileError> {
    let path = under(home, &[".aliyun", "config.json"]);
    let file = shown(home, &path);
    let Some((text, warnings)) = read_text(&path, &file, true)? else {
        return match pick {
            Pick::Default => Ok(Read::Absent(format!("{file} (no such file)"))),
            Pick::Flag(name) | Pick::Var(_, name) => Err(ProfileError::new(
                &file,
                format!("no profile {name}{}: no such file", pick.origin()),
            )),
        };
    };
    let config = json_object(&text, &file)?;
    let current = string_field(&config, "current", &file)?;
    let profiles = match config.get("profiles") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(list)) => &list[..],
        Some(_) => return Err(ProfileError::new(&file, "`profiles` is not a JSON array")),
    };
    let mut entries = Vec::new();
    for (i, p) in profiles.iter().enumerate() {
        let Value::Object(p) = p else {
            return Err(ProfileError::new(
                &file,
                format!("profiles[{i}] is not a JSON object"),
            ));
        };
        match string_field(p, "name", &file)? {
            Some(n) => entries.push((n, p)),
            None => {
                return Err(ProfileError::new(
                    &file,
                    format!("profiles[{i}] has no `name`"),
                ))
            }
        }
    }
    let (name, origin) = match (pick, current) {
        (Pick::Flag(n) | Pick::Var(_, n), _) => (n.as_str(), pick.origin()),
        (Pick::Default, Some(c)) => (c, " (the file's current profile)".to_string()),
        (Pick::Default, None) => ("default", String::new()),
    };
    let names: Vec<String> = entries.iter().map(|(n, _)| n.to_string()).collect();
    let Some(&(_, profile)) = entries.iter().find(|(n, _)| *n == name) else {
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
    let fix = format!("run `aliyun configure --profile {name}`");
    let mode = string_field(profile, "mode", &at)?;
    let with_token = match mode {
        Some("AK") => false,
        Some("StsToken") => true,
        Some(other) => {
            return Err(ProfileError::new(
                &at,
                format!(
                    "mode {other} is not supported: use an AK or StsToken profile, or set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for temporary credentials)"
                ),
            ))
        }
        None => {
            return Err(ProfileError::new(
                &at,
                format!("the profile has no mode (not configured yet): {fix} --mode AK"),
            ))
        }
    };
    let token = if with_token {
        let token = string_field(profile, "sts_token", &at)?;
        if token.is_none() {
            return Err(ProfileError::new(
                &at,
                format!("mode StsToken but no `sts_token`: {fix} --mode StsToken"),
            ));
        }
        token
    } else {
        // An AK profile is the key pair alone, whatever sts_token holds.
        None
    };
    let (access_key, secret_key, token) = keys(
        Keys {
            access_key: (
                "access_key_id",
                string_field(profile, "access_key_id", &at)?,
            ),
            secret_key: (
                "access_key_secret",
                string_field(profile, "access_key_secret", &at)?,
            ),
            token: ("sts_token", token),
        },
        &at,
        &fix,
    )?;
    let region = string_field(profile, "region_id", &at)?;
    if let Some(r) = region {
        check_value("region_id", r, true, &at)?;
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

#[cfg(test)]
mod tests {
    use super::super::testing::{found, home, write};
    use super::*;

    fn err(home: &Path, pick: &Pick) -> String {
        read(home, pick).unwrap_err().to_string()
    }

    fn config(profiles: &str) -> String {
        format!(r#"{{"current":"default","profiles":[{profiles}],"meta_path":""}}"#)
    }

    #[test]
    fn reads_ak_and_sts_token_profiles() {
        let h = home("ali-modes");
        write(
            &h,
            ".aliyun/config.json",
            &config(
                r#"{"name":"default","mode":"AK","access_key_id":"LTAI1","access_key_secret":"s1","sts_token":"ignored","region_id":"cn-hangzhou","output_format":"json","language":"en","ram_role_arn":"","expired_seconds":0},
                   {"name":"tmp","mode":"StsToken","access_key_id":"STS.1","access_key_secret":"s2","sts_token":"tok","region_id":""}"#,
            ),
        );
        let p = found(read(&h, &Pick::Default).unwrap());
        assert_eq!(p.access_key, "LTAI1");
        assert_eq!(p.secret_key.expose(), "s1");
        assert!(p.token.is_none(), "an AK profile sends no token");
        assert_eq!(p.region.as_deref(), Some("cn-hangzhou"));
        assert_eq!(p.source, "~/.aliyun/config.json, profile default");

        let p = found(read(&h, &Pick::Flag("tmp".into())).unwrap());
        assert_eq!(p.access_key, "STS.1");
        assert_eq!(p.token.as_ref().map(|t| t.expose()), Some("tok"));
        assert_eq!(p.region, None);
    }

    #[test]
    fn current_names_the_default_and_default_is_the_fallback() {
        let h = home("ali-current");
        let two = r#"{"name":"default","mode":"AK","access_key_id":"LTAId","access_key_secret":"s"},
                     {"name":"prod","mode":"AK","access_key_id":"LTAIp","access_key_secret":"s"}"#;
        write(
            &h,
            ".aliyun/config.json",
            &format!(r#"{{"current":"prod","profiles":[{two}]}}"#),
        );
        assert_eq!(found(read(&h, &Pick::Default).unwrap()).access_key, "LTAIp");
        write(
            &h,
            ".aliyun/config.json",
            &format!(r#"{{"profiles":[{two}]}}"#),
        );
        assert_eq!(found(read(&h, &Pick::Default).unwrap()).access_key, "LTAId");
        // `current` naming a profile that is not there is a broken file, not "no credentials".
        write(
            &h,
            ".aliyun/config.json",
            &format!(r#"{{"current":"gone","profiles":[{two}]}}"#),
        );
        assert_eq!(
            err(&h, &Pick::Default),
            "~/.aliyun/config.json: no profile gone (the file's current profile): profiles in the file: default, prod"
        );
    }

    #[test]
    fn other_modes_are_refused_by_name_with_what_to_do() {
        let h = home("ali-other");
        for mode in [
            "RamRoleArn",
            "EcsRamRole",
            "ChainableRamRoleArn",
            "OIDC",
            "CloudSSO",
            "ak",
        ] {
            write(
                &h,
                ".aliyun/config.json",
                &config(&format!(
                    r#"{{"name":"default","mode":"{mode}","access_key_id":"LTAI1","access_key_secret":"s1"}}"#
                )),
            );
            assert_eq!(
                err(&h, &Pick::Default),
                format!("~/.aliyun/config.json, profile default: mode {mode} is not supported: use an AK or StsToken profile, or set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for temporary credentials)")
            );
        }
        write(
            &h,
            ".aliyun/config.json",
            &config(r#"{"name":"default","access_key_id":"LTAI1","access_key_secret":"s1"}"#),
        );
        assert!(err(&h, &Pick::Default).contains("has no mode"));
    }

    #[test]
    fn missing_keys_are_named() {
        let h = home("ali-keys");
        write(
            &h,
            ".aliyun/config.json",
            &config(r#"{"name":"default","mode":"AK","access_key_id":"LTAI1"}"#),
        );
        assert_eq!(
            err(&h, &Pick::Default),
            "~/.aliyun/config.json, profile default: no `access_key_secret` in this profile: run `aliyun configure --profile default`"
        );
        write(
            &h,
            ".aliyun/config.json",
            &config(
                r#"{"name":"default","mode":"StsToken","access_key_id":"LTAI1","access_key_secret":"s","sts_token":""}"#,
            ),
        );
        assert!(err(&h, &Pick::Default).contains("mode StsToken but no `sts_token`"));
    }

    #[test]
    fn malformed_files_are_errors_naming_the_file() {
        let h = home("ali-malformed");
        for (text, problem) in [
            (
                "{\"current\":\"default\",\n\"profiles\":[}",
                "not valid JSON: expected value at line 2 column 13",
            ),
            (r#"{"profiles":{}}"#, "`profiles` is not a JSON array"),
            (r#"{"profiles":[1]}"#, "profiles[0] is not a JSON object"),
            (
                r#"{"profiles":[{"mode":"AK"}]}"#,
                "profiles[0] has no `name`",
            ),
            (
                r#"{"current":3,"profiles":[]}"#,
                "`current` is not a string",
            ),
        ] {
            write(&h, ".aliyun/config.json", text);
            assert_eq!(
                err(&h, &Pick::Default),
                format!("~/.aliyun/config.json: {problem}")
            );
        }
    }

    #[test]
    fn a_named_profile_that_is_not_there_lists_those_that_are() {
        let h = home("ali-missing");
        assert_eq!(
            err(&h, &Pick::Flag("prod".into())),
            "~/.aliyun/config.json: no profile prod (from --profile): no such file"
        );
        match read(&h, &Pick::Default).unwrap() {
            Read::Absent(t) => assert_eq!(t, "~/.aliyun/config.json (no such file)"),
            Read::Found(p) => panic!("{p:?}"),
        }
        write(&h, ".aliyun/config.json", r#"{"current":"","profiles":[]}"#);
        assert_eq!(
            err(&h, &Pick::Var("ALIBABA_CLOUD_PROFILE", "prod".into())),
            "~/.aliyun/config.json: no profile prod (from ALIBABA_CLOUD_PROFILE): the file has no profiles"
        );
    }
}
