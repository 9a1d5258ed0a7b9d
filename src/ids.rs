//! Reading and checking the ids to act on: from arguments, or from stdin with a lone `-`.
//!
//! One set of rules for every source: an id is trimmed (Unicode whitespace, as `str::trim`);
//! on stdin, blank lines and lines starting with `#` are skipped and a UTF-8 byte-order mark
//! before the first line is dropped; an argument that is blank or starts with `#` is an error
//! (no id looks like that, and skipping it would hide a mistake). Every id is then checked by
//! the provider, and ids with characters a terminal acts on are refused, so every id certdel
//! reports can be shown and read back as itself.

use crate::error::Error;
use crate::output::is_unsafe;
use crate::provider::Provider;
use std::collections::HashSet;
use std::io::BufRead;

/// The UTF-8 byte-order mark some editors write at the start of a file.
const BOM: char = '\u{FEFF}';

/// Where an id came from, for error messages.
fn origin(from_stdin: bool, n: usize) -> String {
    if from_stdin {
        format!("stdin line {n}")
    } else {
        format!("argument {n}")
    }
}

/// Whether the ids are to be read from stdin: a lone `-` (trimmed, like every id).
pub fn reads_stdin(args: &[String]) -> bool {
    args.len() == 1 && args[0].trim() == "-"
}

/// The ids to act on, in first-seen order without duplicates, each checked by the provider.
/// Any bad id fails the whole run before a single request is sent.
pub fn collect(
    args: &[String],
    stdin: impl BufRead,
    provider: &dyn Provider,
) -> Result<Vec<String>, Error> {
    // (where from, the id, what was given when that differs from the id)
    let mut raw: Vec<(String, String, Option<String>)> = Vec::new();
    if reads_stdin(args) {
        for (i, line) in stdin.split(b'\n').enumerate() {
            let line = line.map_err(|e| Error::Io(format!("reading ids from stdin: {e}")))?;
            let line = String::from_utf8(line)
                .map_err(|_| Error::usage(format!("stdin line {}: not valid UTF-8", i + 1)))?;
            let line = match i {
                0 => line.strip_prefix(BOM).unwrap_or(&line),
                _ => &line,
            };
            let id = line.trim();
            if id.is_empty() || id.starts_with('#') {
                continue;
            }
            raw.push((origin(true, i + 1), id.to_string(), None));
        }
    } else {
        for (i, arg) in args.iter().enumerate() {
            let id = arg.trim();
            if id == "-" {
                return Err(Error::usage(format!(
                    "argument {}: '-' (read ids from stdin) must be the only id",
                    i + 1
                )));
            }
            if id.starts_with('#') {
                return Err(Error::usage(format!(
                    "{}: argument {}: {}: an id never starts with '#' (in an ids file such a line is a comment); remove it",
                    provider.kind().name(),
                    i + 1,
                    printable(arg)
                )));
            }
            let given = (id != arg).then(|| arg.clone());
            raw.push((origin(false, i + 1), id.to_string(), given));
        }
    }

    let mut seen = HashSet::new();
    let mut ids = Vec::new();
    for (origin, id, given) in raw {
        check(&id, provider).map_err(|why| {
            Error::usage(format!(
                "{}: {origin}: {why}: {}",
                provider.kind().name(),
                printable(given.as_deref().unwrap_or(&id))
            ))
        })?;
        if seen.insert(id.clone()) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// The provider's checks, then the characters no id has: those a terminal acts on (control
/// characters are the provider's) and a byte-order mark.
pub fn check(id: &str, provider: &dyn Provider) -> Result<(), String> {
    provider.check_id(id)?;
    if let Some(c) = id.chars().find(|&c| is_unsafe(c) || c == BOM) {
        return Err(format!(
            "id contains an invisible formatting character (U+{:04X})",
            c as u32
        ));
    }
    Ok(())
}

/// Why `id` would not read back as itself from a line of an ids file (`list --output ids |
/// delete -`), or `None` when it would: a line break splits it, whitespace around it is
/// trimmed, a leading `#` makes the line a comment, a leading byte-order mark is dropped, and
/// anything [`collect`] refuses (control and bidi characters, the provider's own rules).
pub fn line_problem(id: &str, provider: &dyn Provider) -> Option<String> {
    let why = if id.contains(['\n', '\r']) {
        "it holds a line break, so it would be read back as more than one line".to_string()
    } else if id.trim() != id {
        "it has leading or trailing whitespace, which is trimmed when ids are read".to_string()
    } else if id.starts_with('#') {
        "it starts with '#', which makes the line a comment when ids are read".to_string()
    } else if let Err(why) = check(id, provider) {
        format!("certdel refuses it when reading ids ({why})")
    } else {
        // Whatever else the reader does to a line: the id must come back as itself, even
        // as the first line of the input.
        let line = format!("{id}\n");
        match collect(&["-".to_string()], line.as_bytes(), provider) {
            Ok(back) if back == [id] => return None,
            _ => "it would not be read back as the same id".to_string(),
        }
    };
    Some(why)
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

    #[test]
    fn a_byte_order_mark_before_the_first_line_is_dropped() {
        let p = provider(Kind::TencentSsl);
        let ids = collect(&["-".into()], "\u{feff}a\r\nb\n".as_bytes(), p.as_ref()).unwrap();
        assert_eq!(ids, vec!["a", "b"]);
        // Before a comment or a blank first line too.
        let ids = collect(&["-".into()], "\u{feff}# ids\nc\n".as_bytes(), p.as_ref()).unwrap();
        assert_eq!(ids, vec!["c"]);
        // Anywhere else it is no id's character: refused, with the line named.
        let e = collect(&["-".into()], "a\n\u{feff}b\n".as_bytes(), p.as_ref()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "tencent-ssl: stdin line 2: id contains an invisible formatting character (U+FEFF): \"\\u{feff}b\""
        );
    }

    #[test]
    fn arguments_follow_the_stdin_rules() {
        let p = provider(Kind::TencentSsl);
        let args: Vec<String> = [" a", "b\t", "a"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            collect(&args, &b""[..], p.as_ref()).unwrap(),
            vec!["a", "b"]
        );
        let e = collect(&["ok".into(), " ".into()], &b""[..], p.as_ref()).unwrap_err();
        assert_eq!(e.to_string(), "tencent-ssl: argument 2: empty id: \" \"");
        let e = collect(&["#x".into()], &b""[..], p.as_ref()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "tencent-ssl: argument 1: \"#x\": an id never starts with '#' (in an ids file such a line is a comment); remove it"
        );
        // A lone '-', however spaced, reads stdin; among other ids it is an error.
        assert!(reads_stdin(&[" - ".into()]));
        assert!(!reads_stdin(&["-".into(), "a".into()]));
        let ids = collect(&[" -".into()], &b"z\n"[..], p.as_ref()).unwrap();
        assert_eq!(ids, vec!["z"]);
        let e = collect(&["a".into(), " - ".into()], &b""[..], p.as_ref()).unwrap_err();
        assert!(e.to_string().contains("must be the only id"), "{e}");
    }

    #[test]
    fn ids_with_bidi_controls_are_refused() {
        let p = provider(Kind::TencentSsl);
        for id in ["a\u{202e}b", "a\u{2066}", "a\u{2028}b"] {
            let e = collect(&[id.into()], &b""[..], p.as_ref()).unwrap_err();
            let msg = e.to_string();
            assert!(msg.contains("invisible formatting character"), "{msg}");
            assert!(!msg.chars().any(is_unsafe), "{msg:?}");
        }
    }

    #[test]
    fn line_problem_names_what_reading_back_would_change() {
        let p = provider(Kind::TencentSsl);
        assert_eq!(line_problem("cert-1", p.as_ref()), None);
        assert_eq!(line_problem("a b", p.as_ref()), None);
        assert_eq!(line_problem("-", p.as_ref()), None);
        for (id, why) in [
            ("a\nb", "line break"),
            ("a ", "whitespace"),
            ("#a", "comment"),
            ("\u{feff}a", "U+FEFF"),
            ("a\u{7}", "control character"),
        ] {
            let got = line_problem(id, p.as_ref()).unwrap_or_default();
            assert!(got.contains(why), "{id:?}: {got}");
        }
        let hw = provider(Kind::HuaweiScm);
        assert!(line_problem("..", hw.as_ref())
            .unwrap()
            .contains("dot segment"));
    }
}
