//! Reading and checking the ids to act on: from arguments, or from stdin with a lone `-`.

use crate::error::Error;
use crate::provider::Provider;
use std::collections::HashSet;
use std::io::BufRead;

/// Where an id came from, for error messages.
fn origin(from_stdin: bool, n: usize) -> String {
    if from_stdin {
        format!("stdin line {n}")
    } else {
        format!("argument {n}")
    }
}

/// The ids to act on, in first-seen order without duplicates, each checked by the provider.
/// Any bad id fails the whole run before a single request is sent.
pub fn collect(
    args: &[String],
    stdin: impl BufRead,
    provider: &dyn Provider,
) -> Result<Vec<String>, Error> {
    let mut raw: Vec<(String, String)> = Vec::new();
    let from_stdin = args.len() == 1 && args[0] == "-";
    if from_stdin {
        for (i, line) in stdin.split(b'\n').enumerate() {
            let line = line.map_err(|e| Error::Io(format!("reading ids from stdin: {e}")))?;
            let line = String::from_utf8(line)
                .map_err(|_| Error::usage(format!("stdin line {}: not valid UTF-8", i + 1)))?;
            let id = line.trim();
            if id.is_empty() || id.starts_with('#') {
                continue;
            }
            raw.push((origin(true, i + 1), id.to_string()));
        }
    } else {
        for (i, arg) in args.iter().enumerate() {
            if arg == "-" {
                return Err(Error::usage(format!(
                    "argument {}: '-' (read ids from stdin) must be the only id",
                    i + 1
                )));
            }
            raw.push((origin(false, i + 1), arg.clone()));
        }
    }

    let mut seen = HashSet::new();
    let mut ids = Vec::new();
    for (origin, id) in raw {
        provider.check_id(&id).map_err(|why| {
            Error::usage(format!(
                "{}: {origin}: {why}: {}",
                provider.kind().name(),
                printable(&id)
            ))
        })?;
        if seen.insert(id.clone()) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// The id quoted with control characters escaped, safe to print on a terminal.
pub fn printable(id: &str) -> String {
    format!("{id:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::{build, Kind};
    use crate::settings::ProviderSettings;

    fn provider(kind: Kind) -> Box<dyn Provider> {
        build(&ProviderSettings::for_test(kind))
    }

    #[test]
    fn stdin_is_trimmed_deduplicated_and_commented() {
        let input = "  a \n\n# comment\nb\r\na\n  # indented comment\nc";
        let ids = collect(
            &["-".into()],
            input.as_bytes(),
            provider(Kind::TencentSsl).as_ref(),
        )
        .unwrap();
        assert_eq!(ids, vec!["a", "b", "c"]);
    }

    #[test]
    fn arguments_keep_order_and_drop_duplicates() {
        let args: Vec<String> = ["x", "y", "x"].iter().map(|s| s.to_string()).collect();
        let ids = collect(&args, &b""[..], provider(Kind::TencentSsl).as_ref()).unwrap();
        assert_eq!(ids, vec!["x", "y"]);
    }

    #[test]
    fn bad_ids_name_their_line() {
        let e = collect(
            &["-".into()],
            &b"1\n2\nabc\n"[..],
            provider(Kind::AlibabaCas).as_ref(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "alibaba-cas: stdin line 3: OrderId must be a positive integer: \"abc\""
        );
        let e = collect(
            &["ok".into(), "".into()],
            &b""[..],
            provider(Kind::TencentSsl).as_ref(),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "tencent-ssl: argument 2: empty id: \"\"");
        let e = collect(
            &["a\u{7}b".into()],
            &b""[..],
            provider(Kind::TencentSsl).as_ref(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("control character"));
        let e = collect(
            &["a".into(), "-".into()],
            &b""[..],
            provider(Kind::TencentSsl).as_ref(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("must be the only id"));
        let e = collect(
            &["-".into()],
            &b"ok\n\xff\n"[..],
            provider(Kind::TencentSsl).as_ref(),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "stdin line 2: not valid UTF-8");
    }
}
