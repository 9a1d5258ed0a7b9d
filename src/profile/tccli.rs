//! tccli's profiles: `~/.tccli/<profile>.credential` (JSON `secretId`, `secretKey`, `token`,
//! `type`, `role-arn`, `role-session-name`) and `~/.tccli/<profile>.configure` (JSON, the
//! region in `_sys_param.region`).
//!
//! As tccli 3.1 reads them (`tccli/action_caller.py` `parse_global_arg`, `tccli/configure.py`):
//! the profile is `--profile`, else `TCCLI_PROFILE`, else `default`; the files are read
//! with `json.load`, values as they are (no trimming). `type` `cvm-role` (instance role),
//! `sso` and `oauth` fetch credentials from a service, and `role-arn` with
//! `role-session-name` makes tccli assume that role first: certdel does neither and says so.

use super::{
    check_value, json_object, keys, read_text, shown, string_field, under, Keys, Pick, Profile,
    ProfileError, Read,
};
use std::path::Path;

pub(super) fn read(home: &Path, pick: &Pick) -> Result<Read, ProfileError> {
    let name = match pick {
        Pick::Flag(n) | Pick::Var(_, n) => n.as_str(),
        Pick::Default => "default",
    };
    let dir = under(home, &[".tccli"]);
    // The name becomes a file name: nothing that would leave the directory.
    if name.is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control)
    {
        return Err(ProfileError::new(
            format!("{}, profile {name:?}{}", shown(home, &dir), pick.origin()),
            "not a tccli profile name (it names a file in ~/.tccli: no '/', '\\', control characters, '.' or '..')",
        ));
    }
    let cred_path = dir.join(format!("{name}.credential"));
    let cred_shown = shown(home, &cred_path);
    let at = format!("{cred_shown}, profile {name}");
    let Some((text, warnings)) = read_text(&cred_path, &cred_shown, true)? else {
        if *pick == Pick::Default {
            return Ok(Read::Absent(format!("{cred_shown} (no such file)")));
        }
        return Err(ProfileError::new(
            cred_shown,
            format!(
                "no profile {name}{}: {}",
                pick.origin(),
                existing(home, &dir)
            ),
        ));
    };
    let cred = json_object(&text, &at)?;
    if let Some(kind) = string_field(&cred, "type", &at)? {
        if kind != "default" {
            return Err(ProfileError::new(
                &at,
                format!(
                    "credential type {kind:?} is not supported: certdel reads only a stored SecretId/SecretKey (type default); run `tccli configure --profile {name}` to store one, or set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY"
                ),
            ));
        }
    }
    if string_field(&cred, "role-arn", &at)?.is_some()
        && string_field(&cred, "role-session-name", &at)?.is_some()
    {
        return Err(ProfileError::new(
            &at,
            "role-arn is set: tccli would assume that role first, which certdel does not do; use a profile without role-arn, or set TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY and TENCENTCLOUD_TOKEN to the role's temporary credentials",
        ));
    }
    let (access_key, secret_key, token) = keys(
        Keys {
            access_key: ("secretId", string_field(&cred, "secretId", &at)?),
            secret_key: ("secretKey", string_field(&cred, "secretKey", &at)?),
            token: ("token", string_field(&cred, "token", &at)?),
        },
        &at,
        &format!("run `tccli configure --profile {name}`"),
    )?;
    Ok(Read::Found(Profile {
        access_key,
        secret_key,
        token,
        region: region(home, &dir, name)?,
        domain_id: None,
        iam_endpoint: None,
        source: at,
        warnings,
    }))
}

/// `_sys_param.region` from `<name>.configure`, when the file and the key are there.
fn region(home: &Path, dir: &Path, name: &str) -> Result<Option<String>, ProfileError> {
    let path = dir.join(format!("{name}.configure"));
    let at = shown(home, &path);
    let Some((text, _)) = read_text(&path, &at, false)? else {
        return Ok(None);
    };
    let conf = json_object(&text, &at)?;
    let sys = match conf.get("_sys_param") {
        None | Some(serde_json::Value::Null) => return Ok(None),
        Some(serde_json::Value::Object(sys)) => sys,
        Some(_) => return Err(ProfileError::new(at, "`_sys_param` is not a JSON object")),
    };
    let region = string_field(sys, "region", &at)?;
    if let Some(r) = region {
        check_value("_sys_param.region", r, true, &at)?;
    }
    Ok(region.map(str::to_string))
}

/// The profiles there are: every `<name>.credential` in `~/.tccli`, sorted.
fn existing(home: &Path, dir: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".credential")
                .map(str::to_string)
        })
        .collect();
    names.sort();
    if names.is_empty() {
        format!(
            "no profiles in {} (run `tccli configure`)",
            shown(home, dir)
        )
    } else {
        format!("profiles in {}: {}", shown(home, dir), names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{found, home, write};
    use super::*;

    fn err(home: &Path, pick: &Pick) -> String {
        read(home, pick).unwrap_err().to_string()
    }

    #[test]
    fn reads_the_credential_and_the_region() {
        let h = home("tc-full");
        write(
            &h,
            ".tccli/prod.credential",
            r#"{"secretId":"AKIDprod","secretKey":"prod-secret","token":"sts-token","type":"default"}"#,
        );
        write(
            &h,
            ".tccli/prod.configure",
            r#"{"_sys_param":{"region":"ap-shanghai","output":"json","arrayCount":10},"ssl":{"endpoint":"ssl.tencentcloudapi.com","version":"2019-12-05"}}"#,
        );
        let p = found(read(&h, &Pick::Flag("prod".into())).unwrap());
        assert_eq!(p.access_key, "AKIDprod");
        assert_eq!(p.secret_key.expose(), "prod-secret");
        assert_eq!(p.token.as_ref().map(|t| t.expose()), Some("sts-token"));
        assert_eq!(p.region.as_deref(), Some("ap-shanghai"));
        assert_eq!(p.domain_id, None);
        assert_eq!(p.source, "~/.tccli/prod.credential, profile prod");
    }

    #[test]
    fn what_tccli_configure_writes_is_enough() {
        // Interactive `tccli configure` writes only the pair; no .configure file is fine.
        let h = home("tc-min");
        write(
            &h,
            ".tccli/default.credential",
            r#"{"secretId":"AKID1","secretKey":"s1"}"#,
        );
        let p = found(read(&h, &Pick::Default).unwrap());
        assert_eq!(p.access_key, "AKID1");
        assert!(p.token.is_none());
        assert_eq!(p.region, None);
        // An empty or null token is no token; a .configure without _sys_param no region.
        write(
            &h,
            ".tccli/default.credential",
            r#"{"secretId":"AKID1","secretKey":"s1","token":null,"type":""}"#,
        );
        write(&h, ".tccli/default.configure", r#"{"ssl":{}}"#);
        let p = found(read(&h, &Pick::Default).unwrap());
        assert!(p.token.is_none());
        assert_eq!(p.region, None);
    }

    #[test]
    fn other_credential_types_are_refused_by_name() {
        let h = home("tc-type");
        for kind in ["cvm-role", "sso", "oauth"] {
            write(
                &h,
                ".tccli/default.credential",
                &format!(r#"{{"secretId":"AKID1","secretKey":"s1","type":"{kind}"}}"#),
            );
            let e = err(&h, &Pick::Default);
            assert!(
                e.starts_with("~/.tccli/default.credential, profile default: credential type"),
                "{e}"
            );
            assert!(e.contains(&format!("\"{kind}\" is not supported")), "{e}");
            assert!(e.contains("TENCENTCLOUD_SECRET_ID"), "{e}");
        }
    }

    #[test]
    fn a_role_to_assume_is_refused() {
        let h = home("tc-role");
        write(
            &h,
            ".tccli/default.credential",
            r#"{"secretId":"AKID1","secretKey":"s1","role-arn":"qcs::cam::uin/1:roleName/r","role-session-name":"s"}"#,
        );
        assert!(err(&h, &Pick::Default).contains("role-arn is set"));
        // An empty role-arn (as tccli may leave it) is no role.
        write(
            &h,
            ".tccli/default.credential",
            r#"{"secretId":"AKID1","secretKey":"s1","role-arn":"","role-session-name":""}"#,
        );
        assert!(read(&h, &Pick::Default).is_ok());
    }

    #[test]
    fn missing_keys_are_named() {
        let h = home("tc-keys");
        write(&h, ".tccli/default.credential", r#"{"secretId":"AKID1"}"#);
        assert_eq!(
            err(&h, &Pick::Default),
            "~/.tccli/default.credential, profile default: no `secretKey` in this profile: run `tccli configure --profile default`"
        );
        write(&h, ".tccli/default.credential", r#"{}"#);
        assert!(err(&h, &Pick::Default).contains("no `secretId` and `secretKey`"));
    }

    #[test]
    fn malformed_files_name_the_file_and_the_position() {
        let h = home("tc-malformed");
        write(
            &h,
            ".tccli/default.credential",
            "{\"secretId\": \"AKID1\",\n \"secretKey\" \"s\"}",
        );
        let e = err(&h, &Pick::Default);
        assert!(
            e.starts_with("~/.tccli/default.credential, profile default: not valid JSON"),
            "{e}"
        );
        assert!(e.contains("line 2 column"), "{e}");
        write(&h, ".tccli/default.credential", "[1]");
        assert!(err(&h, &Pick::Default).ends_with("not a JSON object"));
        write(
            &h,
            ".tccli/default.credential",
            r#"{"secretId":"AKID1","secretKey":"s1"}"#,
        );
        write(&h, ".tccli/default.configure", r#"{"_sys_param":[]}"#);
        assert_eq!(
            err(&h, &Pick::Default),
            "~/.tccli/default.configure: `_sys_param` is not a JSON object"
        );
        write(&h, ".tccli/default.configure", "{");
        assert!(err(&h, &Pick::Default).starts_with("~/.tccli/default.configure: not valid JSON"));
        let p = write(&h, ".tccli/default.credential", "");
        std::fs::write(p, [0xff, 0xfe]).unwrap();
        assert!(err(&h, &Pick::Default).ends_with("not UTF-8 text: save the file as UTF-8"));
    }

    #[test]
    fn a_named_profile_that_is_not_there_lists_those_that_are() {
        let h = home("tc-missing");
        let e = err(&h, &Pick::Var("TCCLI_PROFILE", "prod".into()));
        assert_eq!(
            e,
            "~/.tccli/prod.credential: no profile prod (from TCCLI_PROFILE): no profiles in ~/.tccli (run `tccli configure`)"
        );
        write(&h, ".tccli/default.credential", "{}");
        write(&h, ".tccli/ci.credential", "{}");
        write(&h, ".tccli/ci.configure", "{}");
        let e = err(&h, &Pick::Flag("prod".into()));
        assert!(
            e.ends_with("no profile prod (from --profile): profiles in ~/.tccli: ci, default"),
            "{e}"
        );
    }

    #[test]
    fn names_that_would_leave_the_directory_are_refused() {
        let h = home("tc-names");
        write(
            &h,
            "secret.credential",
            r#"{"secretId":"AKID1","secretKey":"s1"}"#,
        );
        for name in ["../secret", "..", "a/b", "a\\b", "a\nb"] {
            let e = err(&h, &Pick::Flag(name.into()));
            assert!(e.contains("not a tccli profile name"), "{name}: {e}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn an_unreadable_file_is_an_error_naming_it() {
        let h = home("tc-unreadable");
        // A directory where the file should be cannot be read, even by root.
        std::fs::create_dir_all(h.join(".tccli/default.credential")).unwrap();
        let e = err(&h, &Pick::Default);
        assert!(
            e.starts_with("~/.tccli/default.credential: cannot read the file"),
            "{e}"
        );
    }
}
