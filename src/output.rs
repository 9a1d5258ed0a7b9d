//! Rendering results: text, NDJSON or bare ids. The only module that writes results to stdout.
//! Each outcome is written (and flushed) as soon as it is known; write errors such as a
//! closed pipe (`| head`) stop the output but never the run.
//!
//! `list` output is written once the listing is complete: an aligned table (widths measured
//! in terminal columns, so CJK names line up) and a count line, NDJSON records, or bare ids.

use crate::cert::Cert;
use crate::cli::OutputFormat;
use crate::outcome::{Exit, Outcome, Status, Tally};
use crate::time;
use chrono::{DateTime, Utc};
use std::io::Write;

pub struct Reporter<W: Write> {
    format: OutputFormat,
    out: W,
    tally: Tally,
    broken: bool,
}

impl<W: Write> Reporter<W> {
    pub fn new(format: OutputFormat, out: W) -> Self {
        Reporter {
            format,
            out,
            tally: Tally::default(),
            broken: false,
        }
    }

    pub fn outcome(&mut self, o: &Outcome) {
        self.tally.add(o.outcome);
        let line = match self.format {
            OutputFormat::Text => text_line(o),
            OutputFormat::Json => serde_json::to_string(o).expect("an Outcome always serializes"),
            OutputFormat::Ids if o.outcome == Status::Deleted => o.id.clone(),
            OutputFormat::Ids => return,
        };
        self.write_line(&line);
    }

    /// Write the summary (text only) and return the run's exit status.
    pub fn finish(&mut self, provider: &str) -> Exit {
        if self.format == OutputFormat::Text {
            let total = self.tally.total();
            let line = format!(
                "{provider}: {total} id{}: {}",
                if total == 1 { "" } else { "s" },
                self.tally.summary()
            );
            self.write_line(&line);
        }
        self.tally.exit()
    }

    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// Write a complete listing; `now` gives "days left". The listing completed, so the
    /// exit status is success.
    pub fn list(&mut self, provider: &str, certs: &[Cert], now: DateTime<Utc>) -> Exit {
        match self.format {
            OutputFormat::Text => {
                for line in table(certs, now) {
                    self.write_line(&line);
                }
                let line = count_line(provider, certs, now);
                self.write_line(&line);
            }
            OutputFormat::Json => {
                for c in certs {
                    let line = serde_json::to_string(&c.record(provider))
                        .expect("a JSON value always serializes");
                    self.write_line(&line);
                }
            }
            OutputFormat::Ids => {
                for c in certs {
                    self.write_line(&c.id);
                }
            }
        }
        Exit::Success
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn write_line(&mut self, line: &str) {
        if self.broken {
            return;
        }
        if writeln!(self.out, "{line}")
            .and_then(|_| self.out.flush())
            .is_err()
        {
            self.broken = true;
        }
    }
}

/// `not_found  abc  FailedOperation.CertificateNotFound: The certificate does not exist. [request r-1]`
fn text_line(o: &Outcome) -> String {
    let mut line = format!("{:<9}  {}", o.outcome.as_str(), o.id);
    let detail = match (&o.code, &o.message) {
        (Some(c), Some(m)) => Some(format!("{c}: {m}")),
        (Some(c), None) => Some(c.clone()),
        (None, Some(m)) => Some(m.clone()),
        (None, None) => None,
    };
    if let Some(d) = detail {
        line.push_str("  ");
        line.push_str(&d.replace(['\n', '\r'], " "));
    }
    if let Some(r) = &o.request_id {
        line.push_str(&format!(" [request {r}]"));
    }
    line
}

/// The rows of the list table (header first; nothing when there are no certificates).
/// Columns: id, name, primary domain, expiry date (UTC), days left, status, and the region
/// when any record has one.
pub fn table(certs: &[Cert], now: DateTime<Utc>) -> Vec<String> {
    if certs.is_empty() {
        return Vec::new();
    }
    let with_region = certs.iter().any(|c| c.region.is_some());
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(certs.len() + 1);
    let mut header: Vec<String> = ["ID", "NAME", "DOMAIN", "EXPIRES", "DAYS", "STATUS"]
        .iter()
        .map(|h| h.to_string())
        .collect();
    if with_region {
        header.push("REGION".into());
    }
    rows.push(header);
    for c in certs {
        let dash = |s: &str| {
            if s.is_empty() {
                "-".to_string()
            } else {
                clean(s)
            }
        };
        let (expires, days) = match c.not_after.known() {
            Some(t) => (
                t.format("%Y-%m-%d").to_string(),
                time::days_left(t, now).to_string(),
            ),
            None => ("unknown".to_string(), "-".to_string()),
        };
        let status = match (&c.status, c.status_label) {
            (Some(s), Some(label)) => format!("{s} {label}"),
            (Some(s), None) => s.clone(),
            (None, _) => String::new(),
        };
        let mut row = vec![
            clean(&c.id),
            dash(&c.name),
            dash(c.primary_domain().unwrap_or("")),
            expires,
            days,
            dash(&status),
        ];
        if with_region {
            row.push(dash(c.region.as_deref().unwrap_or("")));
        }
        rows.push(row);
    }
    let columns = rows[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|i| rows.iter().map(|r| width(&r[i])).max().unwrap_or(0))
        .collect();
    // DAYS is a number: right-aligned.
    const DAYS: usize = 4;
    rows.iter()
        .map(|r| {
            let mut line = String::new();
            for (i, cell) in r.iter().enumerate() {
                let pad = widths[i] - width(cell);
                let last = i + 1 == columns;
                if i == DAYS {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    if !last {
                        line.push_str(&" ".repeat(pad));
                    }
                }
                if !last {
                    line.push_str("  ");
                }
            }
            line
        })
        .collect()
}

/// `tencent-ssl: 3 certificates (1 expired, 1 with unknown expiry)`
pub fn count_line(provider: &str, certs: &[Cert], now: DateTime<Utc>) -> String {
    let n = certs.len();
    let expired = certs.iter().filter(|c| c.is_expired(now)).count();
    let unknown = certs
        .iter()
        .filter(|c| c.not_after.known().is_none())
        .count();
    let mut notes = Vec::new();
    if expired > 0 {
        notes.push(format!("{expired} expired"));
    }
    if unknown > 0 {
        notes.push(format!("{unknown} with unknown expiry"));
    }
    format!(
        "{provider}: {n} certificate{}{}",
        if n == 1 { "" } else { "s" },
        if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join(", "))
        }
    )
}

/// Control characters would break the table (or the terminal): shown as spaces.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Terminal columns a string takes: 2 for East Asian wide and fullwidth characters (CJK,
/// Hangul, fullwidth forms, most emoji), 0 for combining marks and zero-width characters,
/// 1 otherwise. A small table, not full Unicode width rules: enough for certificate names.
pub fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    let u = c as u32;
    match u {
        0x0300..=0x036F | 0x200B..=0x200F | 0xFE00..=0xFE0F | 0x20D0..=0x20FF => 0,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes() -> Vec<Outcome> {
        let mut nf = Outcome::new("tencent-ssl", "b", Status::NotFound);
        nf.code = Some("FailedOperation.CertificateNotFound".into());
        nf.message = Some("The certificate does not exist.".into());
        nf.request_id = Some("r-1".into());
        nf.attempts = 1;
        let mut ok = Outcome::new("tencent-ssl", "a", Status::Deleted);
        ok.attempts = 1;
        vec![ok, nf]
    }

    fn render(format: OutputFormat) -> (String, Exit) {
        let mut r = Reporter::new(format, Vec::new());
        for o in outcomes() {
            r.outcome(&o);
        }
        let exit = r.finish("tencent-ssl");
        (String::from_utf8(r.into_inner()).unwrap(), exit)
    }

    #[test]
    fn text() {
        let (s, exit) = render(OutputFormat::Text);
        assert_eq!(
            s,
            "deleted    a\n\
             not_found  b  FailedOperation.CertificateNotFound: The certificate does not exist. [request r-1]\n\
             tencent-ssl: 2 ids: 1 deleted, 1 not_found\n"
        );
        assert_eq!(exit, Exit::Partial);
    }

    #[test]
    fn json_is_one_object_per_line() {
        let (s, _) = render(OutputFormat::Json);
        let lines: Vec<serde_json::Value> = s
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["outcome"], "not_found");
        assert_eq!(lines[1]["request_id"], "r-1");
    }

    #[test]
    fn ids_prints_deleted_only() {
        let (s, _) = render(OutputFormat::Ids);
        assert_eq!(s, "a\n");
    }

    #[test]
    fn broken_pipe_does_not_stop_counting() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut r = Reporter::new(OutputFormat::Text, Closed);
        for o in outcomes() {
            r.outcome(&o);
        }
        assert_eq!(r.finish("x"), Exit::Partial);
        assert_eq!(r.tally().total(), 2);
    }

    fn listed(now: DateTime<Utc>) -> Vec<Cert> {
        use crate::time::Expiry;
        let mut a = Cert::new("cert-a");
        a.name = "测试证书".into();
        a.domains = vec!["a.example.com".into(), "b.example.com".into()];
        a.not_after = Expiry::Known(now - chrono::Duration::days(3));
        a.status = Some("3".into());
        a.status_label = Some("expired");
        let mut b = Cert::new("cert-bb");
        b.name = "plain".into();
        b.domains = vec!["www.example.org".into()];
        b.not_after = Expiry::Known(now + chrono::Duration::hours(24 * 120 + 5));
        b.status = Some("1".into());
        let mut c = Cert::new("c");
        c.not_after = Expiry::Unknown {
            raw: Some("--".into()),
        };
        vec![a, b, c]
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-03-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn list_table_is_aligned_with_wide_characters() {
        let lines = table(&listed(now()), now());
        assert_eq!(
            lines,
            vec![
                "ID       NAME      DOMAIN           EXPIRES     DAYS  STATUS",
                "cert-a   测试证书  a.example.com    2025-02-26    -3  3 expired",
                "cert-bb  plain     www.example.org  2025-06-29   120  1",
                "c        -         -                unknown        -  -",
            ]
        );
        // Every column starts at the same terminal column on every line.
        let starts = |l: &str, col: &str| width(&l[..l.find(col).unwrap()]);
        assert_eq!(starts(&lines[1], "a.example"), starts(&lines[0], "DOMAIN"));
        assert_eq!(
            starts(&lines[2], "www.example"),
            starts(&lines[0], "DOMAIN")
        );
        assert!(table(&[], now()).is_empty());
    }

    #[test]
    fn list_formats() {
        let render = |format| {
            let mut r = Reporter::new(format, Vec::new());
            assert_eq!(r.list("tencent-ssl", &listed(now()), now()), Exit::Success);
            String::from_utf8(r.into_inner()).unwrap()
        };
        assert_eq!(render(OutputFormat::Ids), "cert-a\ncert-bb\nc\n");
        let json = render(OutputFormat::Json);
        let records: Vec<serde_json::Value> = json
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(records.len(), 3);
        assert_eq!(records[0]["not_after"], "2025-02-26T12:00:00Z");
        assert_eq!(records[0]["domains"][1], "b.example.com");
        assert_eq!(records[2]["not_after"], serde_json::Value::Null);
        assert_eq!(records[2]["not_after_raw"], "--");
        let text = render(OutputFormat::Text);
        assert!(text.ends_with("tencent-ssl: 3 certificates (1 expired, 1 with unknown expiry)\n"));
        let mut r = Reporter::new(OutputFormat::Text, Vec::new());
        r.list("huawei-scm", &[], now());
        assert_eq!(
            String::from_utf8(r.into_inner()).unwrap(),
            "huawei-scm: 0 certificates\n"
        );
    }

    #[test]
    fn display_width() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("测试"), 4);
        assert_eq!(width("ｆｕｌｌ"), 8);
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(width("한국"), 4);
    }
}
