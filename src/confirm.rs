//! The question a delete run asks on a terminal before it deletes anything (when `--yes` is
//! absent), and which answers count as yes. Pure: the driver prints [`question`] to the
//! terminal, reads one line and asks [`accepts`].
//!
//! The question says where the deletion goes — provider, endpoint host, the access key id with
//! its middle masked ([`mask_key`]) — so that an operator with the wrong credentials or
//! endpoint loaded notices before anything is gone; and what goes: the count and the first
//! few certificates. Above [`TYPE_COUNT_ABOVE`] certificates a reflexive `y` is not enough:
//! the operator types the count.
//!
//! Ids and names may come from a server (a listing) or a file: they are shown escaped
//! ([`escape`]), and quoted when they hold whitespace, so that none can act on the terminal or
//! pass for another.

use crate::output::escape;
use crate::secret::mask_key;
use chrono::{DateTime, Utc};
use std::fmt::Write;

/// How many certificates the question names; the rest are counted.
pub const SHOWN: usize = 5;

/// Above this many certificates the answer is the count, not `y`.
pub const TYPE_COUNT_ABOVE: usize = 10;

/// Where the deletion goes.
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    /// The provider's CLI name (`tencent-ssl`).
    pub provider: &'a str,
    /// The endpoint's `Host` (`ssl.tencentcloudapi.com`, `127.0.0.1:8080`).
    pub host: &'a str,
    /// The access key id, as it is: masked here.
    pub access_key_id: &'a str,
}

/// One certificate about to be deleted, with what is known of it (ids from arguments or
/// stdin have no name or expiry; ids from a listing do).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub id: String,
    pub name: Option<String>,
    pub not_after: Option<DateTime<Utc>>,
}

impl Candidate {
    pub fn id(id: impl Into<String>) -> Self {
        Candidate {
            id: id.into(),
            name: None,
            not_after: None,
        }
    }
}

impl From<&crate::plan::Target> for Candidate {
    fn from(t: &crate::plan::Target) -> Self {
        Candidate {
            id: t.id.clone(),
            name: t.name.clone(),
            not_after: t.not_after,
        }
    }
}

/// The question, several lines, ending with what to type and no newline (the answer follows
/// on the same line):
///
/// ```text
/// Delete 3 certificates on tencent-ssl (ssl.tencentcloudapi.com, access key AKID****MPLE):
///   abc123  name web-prod, expires 2025-06-30 12:00 UTC
///   "id with space"
///   def456
/// Delete them? [y/N]
/// ```
pub fn question(target: &Target<'_>, candidates: &[Candidate]) -> String {
    let n = candidates.len();
    let noun = if n == 1 {
        "certificate"
    } else {
        "certificates"
    };
    let mut q = format!(
        "Delete {n} {noun} on {} ({}, access key {}):\n",
        target.provider,
        shown(target.host),
        shown(&mask_key(target.access_key_id))
    );
    for c in candidates.iter().take(SHOWN) {
        let mut about = Vec::new();
        if let Some(name) = &c.name {
            about.push(format!("name {}", shown(name)));
        }
        if let Some(t) = c.not_after {
            about.push(format!("expires {}", t.format("%Y-%m-%d %H:%M UTC")));
        }
        let _ = write!(q, "  {}", shown(&c.id));
        if !about.is_empty() {
            let _ = write!(q, "  {}", about.join(", "));
        }
        q.push('\n');
    }
    if n > SHOWN {
        let _ = writeln!(q, "  … and {} more", n - SHOWN);
    }
    q.push_str(&what_to_type(n));
    q
}

/// The question's last line for `n` certificates: above [`TYPE_COUNT_ABOVE`] the count itself
/// must be typed ([`accepts`]).
fn what_to_type(n: usize) -> String {
    if n > TYPE_COUNT_ABOVE {
        format!("Type {n} to delete all {n}, anything else to cancel: ")
    } else if n == 1 {
        "Delete it? [y/N] ".to_string()
    } else {
        "Delete them? [y/N] ".to_string()
    }
}

/// One target of a sweep in its question: where its deletes go and how many.
#[derive(Clone, Copy, Debug)]
pub struct SweepLine<'a> {
    /// The target's name in the policy.
    pub name: &'a str,
    pub target: Target<'a>,
    pub count: usize,
}

/// The one question a sweep asks before deleting (`certdel sweep`): the policy file, the
/// total, and each target that would delete something with its count, provider, endpoint host
/// and masked access key; then what to type, by the same rule as [`question`] for the total
/// ([`accepts`]).
///
/// ```text
/// Sweep sweep.toml: delete 4 certificates in 2 targets:
///   tencent-prod  3 on tencent-ssl (ssl.tencentcloudapi.com, access key AKID****MPLE)
///   slb-all       1 on alibaba-slb (slb.aliyuncs.com, access key LTAI****MPLE)
/// Delete them? [y/N]
/// ```
pub fn sweep_question(file: &str, lines: &[SweepLine<'_>]) -> String {
    let n: usize = lines.iter().map(|l| l.count).sum();
    let targets = lines.iter().filter(|l| l.count > 0).count();
    let mut q = format!(
        "Sweep {}: delete {n} certificate{} in {targets} target{}:\n",
        shown(file),
        if n == 1 { "" } else { "s" },
        if targets == 1 { "" } else { "s" }
    );
    let names: Vec<String> = lines.iter().map(|l| shown(l.name)).collect();
    let wide = names.iter().map(|s| s.chars().count()).max().unwrap_or(0);
    for (l, name) in lines.iter().zip(&names).filter(|(l, _)| l.count > 0) {
        let pad = " ".repeat(wide - name.chars().count());
        let _ = writeln!(
            q,
            "  {name}{pad}  {} on {} ({}, access key {})",
            l.count,
            l.target.provider,
            shown(l.target.host),
            shown(&mask_key(l.target.access_key_id))
        );
    }
    q.push_str(&what_to_type(n));
    q
}

/// Whether `answer` (one line, as read) confirms deleting `count` certificates: up to
/// [`TYPE_COUNT_ABOVE`], `y` or `yes` in any case; above it, exactly the count. Surrounding
/// whitespace (the newline) is ignored in both.
pub fn accepts(answer: &str, count: usize) -> bool {
    let answer = answer.trim();
    if count > TYPE_COUNT_ABOVE {
        answer == count.to_string()
    } else {
        answer.eq_ignore_ascii_case("y") || answer.eq_ignore_ascii_case("yes")
    }
}

/// `s` escaped for the terminal, in double quotes when it is empty or holds whitespace or a
/// double quote (a `"` inside is written `\"`), so that one value never reads as two.
fn shown(s: &str) -> String {
    let e = escape(s);
    if e.is_empty() || e.chars().any(|c| c.is_whitespace() || c == '"') {
        format!("\"{}\"", e.replace('"', "\\\""))
    } else {
        e.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const TARGET: Target<'static> = Target {
        provider: "tencent-ssl",
        host: "ssl.tencentcloudapi.com",
        access_key_id: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
    };

    fn ids(n: usize) -> Vec<Candidate> {
        (1..=n).map(|i| Candidate::id(format!("cert{i}"))).collect()
    }

    #[test]
    fn a_sweeps_question_names_each_target_that_deletes_and_the_total() {
        let lines = [
            SweepLine {
                name: "tencent-prod",
                target: TARGET,
                count: 3,
            },
            SweepLine {
                name: "idle",
                target: TARGET,
                count: 0,
            },
            SweepLine {
                name: "t2",
                target: TARGET,
                count: 1,
            },
        ];
        let q = sweep_question("sweep.toml", &lines);
        let key = "AKID****************************MPLE";
        assert_eq!(
            q,
            format!(
                "Sweep sweep.toml: delete 4 certificates in 2 targets:\n  \
                 tencent-prod  3 on tencent-ssl (ssl.tencentcloudapi.com, access key {key})\n  \
                 t2            1 on tencent-ssl (ssl.tencentcloudapi.com, access key {key})\n\
                 Delete them? [y/N] "
            )
        );
        assert!(!q.contains("idle"), "{q}");
        let many = [SweepLine {
            name: "t",
            target: TARGET,
            count: 11,
        }];
        assert!(sweep_question("p", &many)
            .ends_with("Type 11 to delete all 11, anything else to cancel: "));
    }

    #[test]
    fn a_few_certificates_are_all_named_with_what_is_known() {
        let t = Utc.with_ymd_and_hms(2025, 6, 30, 12, 0, 0).unwrap();
        let cands = vec![
            Candidate {
                id: "abc123".into(),
                name: Some("web-prod".into()),
                not_after: Some(t),
            },
            Candidate {
                id: "def456".into(),
                name: None,
                not_after: Some(t),
            },
            Candidate::id("ghi789"),
        ];
        assert_eq!(
            question(&TARGET, &cands),
            "Delete 3 certificates on tencent-ssl (ssl.tencentcloudapi.com, access key AKID****************************MPLE):\n\
             \x20 abc123  name web-prod, expires 2025-06-30 12:00 UTC\n\
             \x20 def456  expires 2025-06-30 12:00 UTC\n\
             \x20 ghi789\n\
             Delete them? [y/N] "
        );
    }

    #[test]
    fn planned_targets_bring_what_a_listing_said_of_them() {
        use crate::plan::Target as Planned;
        let t = Utc.with_ymd_and_hms(2025, 6, 30, 12, 0, 0).unwrap();
        let mut cert = crate::cert::Cert::new("abc123");
        cert.name = "web-prod".into();
        cert.not_after = crate::time::Expiry::Known(t);
        let cands: Vec<Candidate> = [Planned::listed(&cert), Planned::given("def456")]
            .iter()
            .map(Candidate::from)
            .collect();
        let q = question(&TARGET, &cands);
        assert!(
            q.contains("\n  abc123  name web-prod, expires 2025-06-30 12:00 UTC\n  def456\n"),
            "{q}"
        );
    }

    #[test]
    fn one_certificate_is_singular() {
        let q = question(&TARGET, &ids(1));
        assert!(
            q.starts_with("Delete 1 certificate on tencent-ssl ("),
            "{q}"
        );
        assert!(q.ends_with("\n  cert1\nDelete it? [y/N] "), "{q}");
    }

    #[test]
    fn the_access_key_is_masked_and_the_host_shown() {
        let target = Target {
            provider: "alibaba-slb",
            host: "127.0.0.1:8080",
            access_key_id: "LTAI5tSecretMiddleXyZ9",
        };
        let q = question(&target, &ids(1));
        assert!(
            q.contains("on alibaba-slb (127.0.0.1:8080, access key LTAI**************XyZ9):"),
            "{q}"
        );
        assert!(!q.contains("SecretMiddle"), "{q}");
        // A short key is not shown at all.
        let target = Target {
            access_key_id: "AKIDSHORT",
            ..target
        };
        assert!(question(&target, &ids(1)).contains("access key *********)"));
    }

    #[test]
    fn at_most_five_are_named_then_the_rest_counted() {
        let q = question(&TARGET, &ids(8));
        for i in 1..=5 {
            assert!(q.contains(&format!("\n  cert{i}\n")), "cert{i}: {q}");
        }
        assert!(!q.contains("cert6") && !q.contains("cert8"), "{q}");
        assert!(
            q.contains("\n  cert5\n  … and 3 more\nDelete them? [y/N] "),
            "{q}"
        );
        // Exactly five: nothing more to count.
        assert!(!question(&TARGET, &ids(5)).contains("more"));
    }

    #[test]
    fn above_ten_the_count_must_be_typed() {
        let q = question(&TARGET, &ids(10));
        assert!(q.ends_with("Delete them? [y/N] "), "{q}");
        let q = question(&TARGET, &ids(11));
        assert!(q.starts_with("Delete 11 certificates"), "{q}");
        assert!(
            q.ends_with("  … and 6 more\nType 11 to delete all 11, anything else to cancel: "),
            "{q}"
        );
    }

    #[test]
    fn ids_and_names_are_escaped_and_quoted_when_they_hold_spaces() {
        let cands = vec![
            Candidate::id("id with space"),
            Candidate::id("evil\u{1b}]0;title\u{7}\nnext"),
            Candidate {
                id: "rtl\u{202e}txt".into(),
                name: Some("my \"prod\" cert".into()),
                not_after: None,
            },
            Candidate::id(""),
            Candidate::id("\u{a0}nbsp"),
        ];
        let q = question(&TARGET, &cands);
        assert!(q.contains("\n  \"id with space\"\n"), "{q}");
        assert!(q.contains("\n  evil\\u{1b}]0;title\\u{7}\\nnext\n"), "{q}");
        assert!(
            q.contains("\n  rtl\\u{202e}txt  name \"my \\\"prod\\\" cert\"\n"),
            "{q}"
        );
        assert!(q.contains("\n  \"\"\n"), "{q}");
        assert!(q.contains("\n  \"\u{a0}nbsp\"\n"), "{q}");
        assert!(
            !q.chars().any(|c| crate::output::is_unsafe(c) && c != '\n'),
            "{q:?}"
        );
        // Every candidate on its own line: the question, five names and the prompt.
        assert_eq!(q.lines().count(), 7, "{q}");
    }

    #[test]
    fn up_to_ten_yes_is_y_or_yes_in_any_case() {
        for count in [0, 1, 10] {
            for yes in [
                "y", "Y", "yes", "YES", "Yes", "yEs", " y\n", "yes\r\n", "\ty ",
            ] {
                assert!(accepts(yes, count), "{yes:?} for {count}");
            }
            for no in [
                "", "\n", "n", "no", "ye", "yess", "y y", "10", "1", "ok", "true",
            ] {
                assert!(!accepts(no, count), "{no:?} for {count}");
            }
        }
    }

    #[test]
    fn above_ten_only_the_exact_count_is_yes() {
        assert!(accepts("11", 11));
        assert!(accepts("  250\n", 250));
        for no in [
            "y", "yes", "YES", "", "10", "12", "011", "+11", "11.0", "1 1", "eleven",
        ] {
            assert!(!accepts(no, 11), "{no:?}");
        }
    }
}
