//! The Huawei Cloud SDK's credentials file: `~/.huaweicloud/credentials` (or the file
//! `HUAWEICLOUD_SDK_CREDENTIALS_FILE` names), INI, one section per credential type. SCM is a
//! global service, so its section is `[global]`: `ak`, `sk`, `security_token`, `domain_id`,
//! `iam_endpoint` (`[basic]`, with `project_id`, serves regional services and is not read).
//!
//! As the SDK reads it (`huaweicloudsdkcore` 3.1.219, `huaweicloudsdkcore/auth/provider.py`,
//! `ProfileCredentialProvider`): Python's `configparser` with its defaults — `key = value` or
//! `key: value`, keys case-insensitive, values trimmed, whole-line `#`/`;` comments,
//! `[DEFAULT]` filling in missing keys, a repeated section or key an error, `%%` for a
//! literal `%` — and section names case-sensitive. There are no named profiles. `idp_id`
//! with `id_token_file` selects federated login, which certdel does not do.

use super::{check_value, keys, read_text, shown, under, Keys, Profile, ProfileError, Read};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const FILE_VAR: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";
const SECTION: &str = "global";

pub(super) fn read(
    home: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Read, ProfileError> {
    let named = env(FILE_VAR).map(PathBuf::from);
    let path = named
        .clone()
        .unwrap_or_else(|| under(home, &[".huaweicloud", "credentials"]));
    let file = shown(home, &path);
    let Some((text, warnings)) = read_text(&path, &file, true)? else {
        if named.is_some() {
            return Err(ProfileError::new(
                &file,
                format!("no such file (named by {FILE_VAR}): correct or unset {FILE_VAR}"),
            ));
        }
        return Ok(Read::Absent(format!("{file} (no such file)")));
    };
    let ini = Ini::parse(&text).map_err(|e| ProfileError::new(&file, e))?;
    let at = format!("{file}, section [{SECTION}]");
    let Some(section) = ini.sections.get(SECTION) else {
        let mut names: Vec<&str> = ini.sections.keys().map(String::as_str).collect();
        names.sort();
        let there = if names.is_empty() {
            "the file has no sections".to_string()
        } else {
            format!("sections in the file: [{}]", names.join("], ["))
        };
        return Err(ProfileError::new(
            &file,
            format!("no [{SECTION}] section ({there}): SCM is a global service, so its ak and sk go under [{SECTION}] (section names are case-sensitive)"),
        ));
    };
    let get = |key: &str| {
        section
            .get(key)
            .or_else(|| ini.defaults.get(key))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    if get("idp_id").is_some() && get("id_token_file").is_some() {
        return Err(ProfileError::new(
            &at,
            "idp_id and id_token_file select federated login, which certdel does not do: store ak and sk (and security_token) instead, or set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK",
        ));
    }
    let (access_key, secret_key, token) = keys(
        Keys {
            access_key: ("ak", get("ak")),
            secret_key: ("sk", get("sk")),
            token: ("security_token", get("security_token")),
        },
        &at,
        &format!("add `ak = …` and `sk = …` under [{SECTION}]"),
    )?;
    for key in ["domain_id", "iam_endpoint"] {
        if let Some(v) = get(key) {
            check_value(key, v, true, &at)?;
        }
    }
    Ok(Read::Found(Profile {
        access_key,
        secret_key,
        token,
        region: None,
        domain_id: get("domain_id").map(str::to_string),
        iam_endpoint: get("iam_endpoint").map(str::to_string),
        source: at,
        warnings,
    }))
}

/// An INI file as Python's `configparser.ConfigParser()` reads it, for the parts this file
/// uses. Values are never shown in an error: only line numbers and key names.
#[derive(Debug, Default)]
struct Ini {
    defaults: HashMap<String, String>,
    sections: HashMap<String, HashMap<String, String>>,
}

impl Ini {
    fn parse(text: &str) -> Result<Ini, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut ini = Ini::default();
        // The section being filled (None: DEFAULT), and the indentation of the last key.
        let mut current: Option<Option<String>> = None;
        let mut key_indent: Option<usize> = None;
        for (n, raw) in text.lines().enumerate() {
            let line_no = n + 1;
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            if line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            let indent = raw.len() - raw.trim_start().len();
            if key_indent.is_some_and(|k| indent > k) {
                return Err(format!(
                    "line {line_no}: an indented line continues the value above; write each value on one line"
                ));
            }
            if let Some(rest) = line.strip_prefix('[') {
                let Some(end) = rest.rfind(']').filter(|&e| e > 0) else {
                    return Err(format!("line {line_no}: a section header is `[name]`"));
                };
                let name = &rest[..end];
                key_indent = None;
                if name == "DEFAULT" {
                    current = Some(None);
                    continue;
                }
                if ini.sections.contains_key(name) {
                    return Err(format!("line {line_no}: section [{name}] appears twice"));
                }
                ini.sections.insert(name.to_string(), HashMap::new());
                current = Some(Some(name.to_string()));
                continue;
            }
            let Some(section) = &current else {
                return Err(format!(
                    "line {line_no}: a key before any section header: put it under [{SECTION}]"
                ));
            };
            let Some(at) = line.find(['=', ':']) else {
                return Err(format!("line {line_no}: not `key = value` (no `=` or `:`)"));
            };
            let key = line[..at].trim().to_lowercase();
            if key.is_empty() {
                return Err(format!("line {line_no}: a value without a key"));
            }
            let value = unescape(line[at + 1..].trim())
                .map_err(|why| format!("line {line_no}: `{key}`: {why}"))?;
            let map = match section {
                None => &mut ini.defaults,
                Some(name) => ini.sections.get_mut(name).expect("inserted at its header"),
            };
            if map.insert(key.clone(), value).is_some() {
                return Err(format!(
                    "line {line_no}: `{key}` appears twice in its section"
                ));
            }
            key_indent = Some(indent);
        }
        Ok(ini)
    }
}

/// configparser's basic interpolation for a value with no references: `%%` is `%`, any other
/// `%` an error (as the SDK's `parser.items()` raises).
fn unescape(value: &str) -> Result<String, &'static str> {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('(') => {
                return Err("`%(name)s` references are not supported: write the value itself")
            }
            _ => return Err(
                "a lone `%` (the SDK reads this file with Python's configparser): write it as `%%`",
            ),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{env, found, home, write};
    use super::*;

    fn err(home: &Path, vars: &[(&str, &str)]) -> String {
        read(home, &env(vars)).unwrap_err().to_string()
    }

    const FILE: &str = "; written by hand\n[basic]\nak = BASICAK\nsk = basic-sk\nproject_id = p1\n\n[global]\n# the account\nAK = GLOBALAK\nsk: global-sk%%x\nsecurity_token =  tok \ndomain_id = 0123abcd\niam_endpoint = https://iam.example.com\n";

    #[test]
    fn reads_the_global_section_as_configparser_does() {
        let h = home("hw-full");
        write(&h, ".huaweicloud/credentials", FILE);
        let p = found(read(&h, &env(&[])).unwrap());
        assert_eq!(p.access_key, "GLOBALAK");
        assert_eq!(p.secret_key.expose(), "global-sk%x");
        assert_eq!(p.token.as_ref().map(|t| t.expose()), Some("tok"));
        assert_eq!(p.domain_id.as_deref(), Some("0123abcd"));
        assert_eq!(p.iam_endpoint.as_deref(), Some("https://iam.example.com"));
        assert_eq!(p.region, None);
        assert_eq!(p.source, "~/.huaweicloud/credentials, section [global]");
    }

    #[test]
    fn default_fills_in_and_empty_values_are_unset() {
        let h = home("hw-default");
        write(
            &h,
            ".huaweicloud/credentials",
            "\u{feff}[DEFAULT]\ndomain_id = d1\n[global]\nak = A\nsk = S\nsecurity_token =\n",
        );
        let p = found(read(&h, &env(&[])).unwrap());
        assert_eq!(p.domain_id.as_deref(), Some("d1"));
        assert!(p.token.is_none());
    }

    #[test]
    fn the_file_variable_moves_the_file() {
        let h = home("hw-var");
        let other = write(&h, "ci/hw.ini", "[global]\nak = CIAK\nsk = s\n");
        write(&h, ".huaweicloud/credentials", FILE);
        let vars = [(FILE_VAR, other.to_str().unwrap())];
        let p = found(read(&h, &env(&vars)).unwrap());
        assert_eq!(p.access_key, "CIAK");
        assert_eq!(p.source, "~/ci/hw.ini, section [global]");
        let gone = h.join("gone");
        assert_eq!(
            err(&h, &[(FILE_VAR, gone.to_str().unwrap())]),
            "~/gone: no such file (named by HUAWEICLOUD_SDK_CREDENTIALS_FILE): correct or unset HUAWEICLOUD_SDK_CREDENTIALS_FILE"
        );
        match read(&home("hw-none"), &env(&[])).unwrap() {
            Read::Absent(t) => assert_eq!(t, "~/.huaweicloud/credentials (no such file)"),
            Read::Found(p) => panic!("{p:?}"),
        }
    }

    #[test]
    fn no_global_section_says_where_the_keys_go() {
        let h = home("hw-nosection");
        write(
            &h,
            ".huaweicloud/credentials",
            "[basic]\nak = A\nsk = S\n[Global]\nak = A\n",
        );
        assert_eq!(
            err(&h, &[]),
            "~/.huaweicloud/credentials: no [global] section (sections in the file: [Global], [basic]): SCM is a global service, so its ak and sk go under [global] (section names are case-sensitive)"
        );
    }

    #[test]
    fn malformed_files_name_the_line_never_the_value() {
        let h = home("hw-malformed");
        for (text, problem) in [
            ("ak = A\n[global]\n", "line 1: a key before any section header: put it under [global]"),
            ("[global]\nak = A\nak = B\n", "line 3: `ak` appears twice in its section"),
            ("[global]\n[global]\n", "line 2: section [global] appears twice"),
            ("[global]\nsecretvalue\n", "line 2: not `key = value` (no `=` or `:`)"),
            ("[global]\nsk = 50%off\n", "line 2: `sk`: a lone `%` (the SDK reads this file with Python's configparser): write it as `%%`"),
            ("[global]\nsk = %(x)s\n", "line 2: `sk`: `%(name)s` references are not supported: write the value itself"),
            ("[global]\nsk = abc\n  def\n", "line 3: an indented line continues the value above; write each value on one line"),
            ("[global\nak = A\n", "line 1: a section header is `[name]`"),
            ("[global]\n = A\n", "line 2: a value without a key"),
        ] {
            write(&h, ".huaweicloud/credentials", text);
            let e = err(&h, &[]);
            assert_eq!(e, format!("~/.huaweicloud/credentials: {problem}"), "{text:?}");
            for secret in ["secretvalue", "50%off", "def"] {
                assert!(!e.contains(secret), "{e}");
            }
        }
    }

    #[test]
    fn missing_keys_and_federation_are_named() {
        let h = home("hw-keys");
        write(&h, ".huaweicloud/credentials", "[global]\nak = A\n");
        assert_eq!(
            err(&h, &[]),
            "~/.huaweicloud/credentials, section [global]: no `sk` in this profile: add `ak = …` and `sk = …` under [global]"
        );
        write(
            &h,
            ".huaweicloud/credentials",
            "[global]\nidp_id = i\nid_token_file = /t\nak = A\nsk = S\n",
        );
        assert!(err(&h, &[]).contains("federated login, which certdel does not do"));
        write(
            &h,
            ".huaweicloud/credentials",
            "[global]\nak = A\nsk = S\ndomain_id = a b\n",
        );
        assert!(err(&h, &[]).contains("`domain_id` has a character that cannot be sent"));
    }
}
