//! Rendering a sweep's results on stdout: text (per target its certificates and a summary,
//! then a table of every target) or NDJSON (one line per certificate decision or outcome, one
//! summary line per target). The sweep's [`Events`] sink.
//!
//! Text lines of a target are held until the target is over and then written together, so
//! the targets running at once do not interleave; NDJSON lines are written as soon as they
//! are known (each names its target). Every line is written in one call and flushed; a stdout
//! that fails stops the output, never the sweep (said once on stderr; exit status 2), as for
//! `delete` ([`crate::output`]).

use super::run::{Events, TargetReport, TargetStatus, Where};
use crate::cert::Cert;
use crate::cli::OutputFormat;
use crate::error::Error;
use crate::outcome::{Outcome, Status};
use crate::output::{escape, json_line, show_id, stderr_line, width};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;

/// The sweep's stdout.
pub struct SweepReporter<W: Write> {
    json: bool,
    out: W,
    /// Text lines of targets still running, by target name.
    held: HashMap<String, Vec<String>>,
    /// Why stdout stopped taking lines (the first failed write).
    lost: Option<String>,
    /// Outcome words of text lines in colour (a terminal stdout), as `delete` shows them.
    color: bool,
}

impl<W: Write> SweepReporter<W> {
    /// Colour the outcome words of text lines (`kept` dim, as `gone`); NDJSON never.
    pub fn set_color(&mut self, on: bool) {
        self.color = on;
    }

    /// `format`: text or json (the command refuses ids before anything runs).
    pub fn new(format: OutputFormat, out: W) -> Self {
        SweepReporter {
            json: format == OutputFormat::Json,
            out,
            held: HashMap::new(),
            color: false,
            lost: None,
        }
    }

    /// After every target: the table (text). An error when stdout stopped taking results.
    pub fn finish(&mut self, reports: &[TargetReport]) -> Result<(), Error> {
        if !self.json {
            for line in table(reports) {
                self.line(&line);
            }
            if reports.first().is_some_and(|r| r.dry_run) {
                self.line("dry run: nothing was deleted");
            }
        }
        match &self.lost {
            Some(e) => Err(Error::Output(format!(
                "cannot write to stdout ({e}): results were not delivered"
            ))),
            None => Ok(()),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn hold(&mut self, target: &str, line: String) {
        self.held.entry(target.to_string()).or_default().push(line);
    }

    /// One line, in one write; the first failure is said on stderr, once.
    fn line(&mut self, line: &str) {
        if self.lost.is_some() {
            return;
        }
        let written = self
            .out
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| self.out.flush());
        if let Err(e) = written {
            stderr_line(&format!(
                "cannot write to stdout ({e}): results are no longer delivered; the sweep goes on, and the exit status will be 2"
            ));
            self.lost = Some(e.to_string());
        }
    }
}

/// An NDJSON certificate line.
#[derive(Serialize)]
struct CertificateLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    target: &'a str,
    provider: &'static str,
    account: Option<&'a str>,
    id: &'a str,
    outcome: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attempts: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    task_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
}

/// An NDJSON target summary line.
#[derive(Serialize)]
struct TargetLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    target: &'a str,
    provider: &'static str,
    account: Option<&'a str>,
    selected: usize,
    deleted: usize,
    kept: &'a std::collections::BTreeMap<&'static str, usize>,
    failed: usize,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    dry_run: bool,
}

impl<W: Write> Events for SweepReporter<W> {
    fn kept(&mut self, at: &Where<'_>, cert: &Cert, code: &'static str, why: &str) {
        if self.json {
            let line = json_line(&CertificateLine {
                kind: "certificate",
                target: at.target,
                provider: at.provider,
                account: at.account,
                id: &cert.id,
                outcome: "kept",
                reason: Some(code),
                code: None,
                message: Some(why),
                request_id: None,
                http_status: None,
                attempts: None,
                task_id: None,
                region: cert.region.as_deref(),
            });
            self.line(&line);
        } else {
            let word = if self.color {
                // Padded outside the colour, so the columns still line up.
                format!(
                    "{}{}",
                    crate::output::paint(Status::Gone, "kept"),
                    " ".repeat(5)
                )
            } else {
                format!("{:<9}", "kept")
            };
            let line = format!("  {word}  {}  {code}: {}", show_id(&cert.id), escape(why));
            self.hold(at.target, line);
        }
    }

    fn outcome(&mut self, at: &Where<'_>, o: &Outcome) {
        if self.json {
            let line = json_line(&CertificateLine {
                kind: "certificate",
                target: at.target,
                provider: at.provider,
                account: at.account,
                id: &o.id,
                outcome: o.outcome.as_str(),
                reason: None,
                code: o.code.as_deref(),
                message: o.message.as_deref(),
                request_id: o.request_id.as_deref(),
                http_status: o.http_status,
                attempts: Some(o.attempts),
                task_id: o.task_id.as_deref(),
                region: None,
            });
            self.line(&line);
        } else {
            let text = crate::output::text_line(o);
            let text = if self.color {
                crate::output::colored(o.outcome, text)
            } else {
                text
            };
            let line = format!("  {text}");
            self.hold(at.target, line);
        }
    }

    fn target(&mut self, r: &TargetReport) {
        let (status, reason) = match &r.status {
            TargetStatus::Completed => ("completed", None),
            TargetStatus::Failed(why) => ("failed", Some(why.as_str())),
        };
        if self.json {
            let line = json_line(&TargetLine {
                kind: "target",
                target: &r.name,
                provider: r.provider,
                account: r.account.as_deref(),
                selected: r.selected,
                deleted: r.deleted,
                kept: &r.kept,
                failed: r.failed,
                status,
                reason,
                dry_run: r.dry_run,
            });
            self.line(&line);
            return;
        }
        let account = r.account.as_deref().map(escape).unwrap_or("unknown".into());
        let mut lines = vec![format!(
            "{} ({}, account {account}): {}",
            escape(&r.name),
            r.provider,
            match reason {
                None => status.to_string(),
                Some(why) => format!("{status}: {}", escape(why)),
            }
        )];
        lines.extend(self.held.remove(&r.name).unwrap_or_default());
        lines.push(format!("  {}", summary(r)));
        for line in lines {
            self.line(&line);
        }
    }
}

/// `selected 5: deleted 2, kept 3 (keep_latest 2, excluded_domain 1), failed 0`
pub fn summary(r: &TargetReport) -> String {
    let kept = if r.kept.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = r.kept.iter().map(|(k, n)| format!("{k} {n}")).collect();
        format!(" ({})", parts.join(", "))
    };
    format!(
        "selected {}: {} {}, kept {}{kept}, failed {}",
        r.selected,
        if r.dry_run { "would delete" } else { "deleted" },
        r.deleted,
        r.kept_total(),
        r.failed
    )
}

/// The final table: a header and one row per target; the status (with the reason of a
/// failed target) is the last column.
pub fn table(reports: &[TargetReport]) -> Vec<String> {
    let deleted = if reports.first().is_some_and(|r| r.dry_run) {
        "WOULD_DELETE"
    } else {
        "DELETED"
    };
    let mut rows: Vec<[String; 8]> = vec![[
        "TARGET".into(),
        "PROVIDER".into(),
        "ACCOUNT".into(),
        "SELECTED".into(),
        deleted.into(),
        "KEPT".into(),
        "FAILED".into(),
        "STATUS".into(),
    ]];
    for r in reports {
        rows.push([
            escape(&r.name).into_owned(),
            r.provider.to_string(),
            r.account
                .as_deref()
                .map_or("-".into(), |a| escape(a).into_owned()),
            r.selected.to_string(),
            r.deleted.to_string(),
            r.kept_total().to_string(),
            r.failed.to_string(),
            match &r.status {
                TargetStatus::Completed => "completed".to_string(),
                TargetStatus::Failed(why) => format!("failed: {}", escape(why)),
            },
        ]);
    }
    let mut widths = [0usize; 8];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                if i + 1 == row.len() {
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.push_str(&" ".repeat(widths[i] - width(cell) + 2));
                }
            }
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Status;
    use std::collections::BTreeMap;

    fn report(name: &str, status: TargetStatus) -> TargetReport {
        let mut kept = BTreeMap::new();
        kept.insert("keep_latest", 2);
        kept.insert("excluded_domain", 1);
        TargetReport {
            name: name.into(),
            provider: "tencent-ssl",
            account: Some("100000000001".into()),
            selected: 6,
            deleted: 3,
            kept,
            failed: 0,
            status,
            dry_run: false,
        }
    }

    #[test]
    fn the_summary_counts_kept_by_rule() {
        assert_eq!(
            summary(&report("t", TargetStatus::Completed)),
            "selected 6: deleted 3, kept 3 (excluded_domain 1, keep_latest 2), failed 0"
        );
    }

    #[test]
    fn the_table_lines_up_and_ends_with_the_status() {
        let rows = table(&[
            report("tencent-prod", TargetStatus::Completed),
            report("t2", TargetStatus::Failed("refused".into())),
        ]);
        assert_eq!(rows.len(), 3);
        assert!(rows[0].starts_with("TARGET        PROVIDER"), "{rows:?}");
        assert!(rows[1].ends_with("  completed"), "{rows:?}");
        assert!(rows[2].ends_with("  failed: refused"), "{rows:?}");
        let column = |row: &str| row.find("tencent-ssl").unwrap();
        assert_eq!(column(&rows[1]), column(&rows[2]));
    }

    #[test]
    fn outcome_words_are_coloured_only_when_asked_and_never_in_json() {
        let render = |format: OutputFormat, color: bool| {
            let mut r = SweepReporter::new(format, Vec::new());
            r.set_color(color);
            let at = Where {
                target: "t",
                provider: "tencent-ssl",
                account: Some("1"),
            };
            r.outcome(&at, &Outcome::new("tencent-ssl", "id-d", Status::Deleted));
            r.outcome(&at, &Outcome::new("tencent-ssl", "id-f", Status::Failed));
            r.kept(&at, &Cert::new("id-k"), "keep_latest", "the latest");
            r.target(&report("t", TargetStatus::Completed));
            String::from_utf8(r.into_inner()).unwrap()
        };
        let plain = render(OutputFormat::Text, false);
        assert!(!plain.contains('\u{1b}'), "{plain}");
        let coloured = render(OutputFormat::Text, true);
        for (status, word) in [(Status::Deleted, "deleted"), (Status::Failed, "failed")] {
            assert!(
                coloured.contains(&format!("  {}", crate::output::paint(status, word))),
                "{word}: {coloured:?}"
            );
        }
        assert!(
            coloured.contains(&crate::output::paint(Status::Gone, "kept")),
            "{coloured:?}"
        );
        // The columns line up as without colour: only the escapes differ.
        let strip = |s: &str| {
            let mut out = String::new();
            let mut chars = s.chars();
            while let Some(c) = chars.next() {
                if c == '\u{1b}' {
                    for c in chars.by_ref() {
                        if c == 'm' {
                            break;
                        }
                    }
                } else {
                    out.push(c);
                }
            }
            out
        };
        assert_eq!(strip(&coloured), plain);
        assert!(!render(OutputFormat::Json, true).contains('\u{1b}'));
    }

    #[test]
    fn text_lines_of_a_target_come_together_at_its_end() {
        let mut r = SweepReporter::new(OutputFormat::Text, Vec::new());
        let at = |t| Where {
            target: t,
            provider: "tencent-ssl",
            account: Some("1"),
        };
        r.outcome(
            &at("a"),
            &Outcome::new("tencent-ssl", "id-a", Status::Deleted),
        );
        r.outcome(
            &at("b"),
            &Outcome::new("tencent-ssl", "id-b", Status::Deleted),
        );
        r.target(&report("b", TargetStatus::Completed));
        r.target(&report("a", TargetStatus::Completed));
        let text = String::from_utf8(r.into_inner()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("b (tencent-ssl"), "{text}");
        assert!(lines[1].contains("id-b"), "{text}");
        assert!(lines[3].starts_with("a (tencent-ssl"), "{text}");
        assert!(lines[4].contains("id-a"), "{text}");
    }

    #[test]
    fn json_lines_name_their_target_and_say_kept_with_the_reason() {
        let mut r = SweepReporter::new(OutputFormat::Json, Vec::new());
        let at = Where {
            target: "tc",
            provider: "tencent-ssl",
            account: Some("1"),
        };
        r.kept(&at, &Cert::new("x"), "keep_latest", "the latest");
        r.outcome(&at, &Outcome::new("tencent-ssl", "y", Status::Deleted));
        r.target(&report("tc", TargetStatus::Completed));
        let text = String::from_utf8(r.into_inner()).unwrap();
        let v: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(v[0]["type"], "certificate");
        assert_eq!(v[0]["target"], "tc");
        assert_eq!(v[0]["outcome"], "kept");
        assert_eq!(v[0]["reason"], "keep_latest");
        assert_eq!(v[1]["outcome"], "deleted");
        assert_eq!(v[1]["account"], "1");
        assert_eq!(v[2]["type"], "target");
        assert_eq!(v[2]["status"], "completed");
        assert_eq!(v[2]["kept"]["keep_latest"], 2);
    }
}
