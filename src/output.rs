//! Rendering results: text, NDJSON or bare ids. The only module that writes results to stdout,
//! and the one printer for stderr ([`stderr_line`]). [`Reporter`] is the stdout
//! [`crate::report::Sink`] of a delete; it counts outcomes for its summary line only (the exit
//! status is folded apart, by [`crate::outcome::Tally`]).
//!
//! Each outcome is written (and flushed) as soon as it is known, a whole line in one write, so
//! a run killed mid-way never leaves half a line. A failed write to stdout (a closed pipe
//! after `| head -1`, a full disk) stops the output but never the run: certdel says so once on
//! stderr, goes on processing every id it was handed, and exits with status 2.
//!
//! `list` output is written once the listing is complete: an aligned table (widths measured
//! in terminal columns, so CJK names line up) and a count line, NDJSON records, or bare ids.
//! Bare ids are written only when every one of them reads back as itself through the ids
//! format ([`crate::ids::line_problem`]); otherwise nothing is written and the listing fails.
//!
//! Text meant for a person (text output, everything on stderr) shows the characters a
//! terminal would act on escaped ([`escape`]): servers' messages, names and ids cannot
//! retitle or clear the terminal, or fake an outcome line. NDJSON keeps every string exact
//! and writes those characters as JSON `\u` escapes ([`json_line`]).

use crate::cert::Cert;
use crate::cli::OutputFormat;
use crate::error::Error;
use crate::ids;
use crate::outcome::{Exit, Outcome, Status, Tally};
use crate::provider::Provider;
use crate::report::Sink;
use crate::time;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write;

pub struct Reporter<W: Write> {
    format: OutputFormat,
    out: W,
    /// Counts for the summary line (the exit status is folded elsewhere, by its own tally).
    tally: Tally,
    /// Why stdout stopped taking lines (the first failed write); nothing more is written.
    lost: Option<String>,
    /// A dry run: the summary says nothing was deleted.
    dry_run: bool,
    /// Colour the outcome word of text lines ([`paint`]); decided by [`crate::terminal`].
    color: bool,
}

impl<W: Write> Reporter<W> {
    pub fn new(format: OutputFormat, out: W) -> Self {
        Reporter {
            format,
            out,
            tally: Tally::default(),
            lost: None,
            dry_run: false,
            color: false,
        }
    }

    /// Colour the outcome words of text output (a terminal stdout, colour allowed: see
    /// [`crate::terminal::Terminal::decor`]). NDJSON and bare ids are never coloured.
    pub fn set_color(&mut self, on: bool) {
        self.color = on;
    }

    pub fn outcome(&mut self, o: &Outcome) {
        self.tally.add(o.outcome);
        let line = match self.format {
            OutputFormat::Text if self.color => colored(o.outcome, text_line(o)),
            OutputFormat::Text => text_line(o),
            OutputFormat::Json => json_line(o),
            // Ids were checked on the way in (`ids::collect`): each reads back as itself. A
            // dry run prints the ids it would delete.
            OutputFormat::Ids if matches!(o.outcome, Status::Deleted | Status::WouldDelete) => {
                o.id.clone()
            }
            OutputFormat::Ids => return,
        };
        self.result_line(&line);
    }

    /// Write the summary (text only). An error when stdout stopped taking results (already
    /// said once on stderr): the run's exit status is then 2, whatever happened to the ids.
    pub fn finish(&mut self, provider: &str) -> Result<(), Error> {
        if self.format == OutputFormat::Text {
            let total = self.tally.total();
            let line = format!(
                "{provider}: {total} id{}: {}{}",
                if total == 1 { "" } else { "s" },
                self.tally.summary(),
                if self.dry_run {
                    " (dry run: nothing was deleted)"
                } else {
                    ""
                }
            );
            self.result_line(&line);
        }
        match &self.lost {
            Some(e) => Err(Error::Output(format!(
                "cannot write to stdout ({e}): results were not delivered"
            ))),
            None => Ok(()),
        }
    }

    /// Why stdout stopped taking lines, if it did.
    pub fn lost(&self) -> Option<&str> {
        self.lost.as_deref()
    }

    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// Write a complete listing; `now` gives "days left". The listing completed, so the
    /// exit status is success — unless `--output ids` holds an id that would not read back as
    /// itself (nothing is written), or stdout does not take the lines.
    pub fn list(
        &mut self,
        provider: &dyn Provider,
        certs: &[Cert],
        now: DateTime<Utc>,
    ) -> Result<Exit, Error> {
        let name = provider.kind().name();
        let lines: Vec<String> = match self.format {
            OutputFormat::Text => {
                let mut lines = table(certs, now);
                lines.push(count_line(name, certs, now));
                lines
            }
            OutputFormat::Json => certs.iter().map(|c| json_line(&c.record(name))).collect(),
            OutputFormat::Ids => {
                refuse_unsafe_ids(provider, certs)?;
                certs.iter().map(|c| c.id.clone()).collect()
            }
        };
        for line in &lines {
            if !self.write_line(line) {
                break;
            }
        }
        match &self.lost {
            Some(e) => Err(Error::Output(format!(
                "cannot write the listing to stdout ({e}); what was written is incomplete"
            ))),
            None => Ok(Exit::Success),
        }
    }

    /// Write what `whoami` found: text lines (escaped), one JSON object, or (`--output ids`)
    /// the account id alone.
    pub fn whoami(&mut self, w: &crate::whoami::Whoami) -> Result<Exit, Error> {
        let lines: Vec<String> = match self.format {
            OutputFormat::Text => w
                .text_lines()
                .iter()
                .map(|l| escape(l).into_owned())
                .collect(),
            OutputFormat::Json => vec![json_line(w)],
            OutputFormat::Ids => vec![escape(&w.account_id).into_owned()],
        };
        for line in &lines {
            if !self.write_line(line) {
                break;
            }
        }
        match &self.lost {
            Some(e) => Err(Error::Output(format!("cannot write to stdout ({e})"))),
            None => Ok(Exit::Success),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    /// One result line; the first one stdout refuses is announced on stderr, once.
    fn result_line(&mut self, line: &str) {
        let was_lost = self.lost.is_some();
        if !self.write_line(line) && !was_lost {
            stderr_line(&format!(
                "cannot write to stdout ({}): results are no longer delivered; every id is still processed, and the exit status will be 2",
                self.lost.as_deref().unwrap_or_default()
            ));
        }
    }

    /// Write `line` and its newline in one call, then flush. `false` once stdout failed.
    fn write_line(&mut self, line: &str) -> bool {
        if self.lost.is_some() {
            return false;
        }
        let mut buf = String::with_capacity(line.len() + 1);
        buf.push_str(line);
        buf.push('\n');
        // Out of the progress bar's way when it is on the same terminal.
        let out = &mut self.out;
        match crate::progress::on_stdout(|| {
            out.write_all(buf.as_bytes()).and_then(|()| out.flush())
        }) {
            Ok(()) => true,
            Err(e) => {
                self.lost = Some(e.to_string());
                false
            }
        }
    }
}

/// The stdout renderer as a sink of the executor's outcomes.
impl<W: Write> Sink for Reporter<W> {
    fn begin(&mut self, run: &crate::report::RunInfo) {
        self.dry_run = run.dry_run;
    }

    fn outcome(&mut self, outcome: &Outcome) {
        Reporter::outcome(self, outcome);
    }

    fn finish(&mut self, provider: &'static str) -> Result<(), Error> {
        Reporter::finish(self, provider)
    }
}

/// `--output ids` prints only ids that read back as themselves; the first one that would not
/// fails the listing, named (escaped), with the way out.
fn refuse_unsafe_ids(provider: &dyn Provider, certs: &[Cert]) -> Result<(), Error> {
    let mut bad = certs
        .iter()
        .filter_map(|c| ids::line_problem(&c.id, provider).map(|why| (c, why)));
    let Some((first, why)) = bad.next() else {
        return Ok(());
    };
    let more = bad.count();
    Err(Error::Output(format!(
        "{}: list --output ids: the id {} cannot be printed as an id line: {why}{}; use --output json, which gives every id exactly",
        provider.kind().name(),
        ids::printable(&first.id),
        match more {
            0 => String::new(),
            n => format!(" ({n} more such id{})", if n == 1 { "" } else { "s" }),
        }
    )))
}

/// Whether a terminal could act on `c`: C0 and C1 controls and DEL, the bidirectional
/// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which reorder what is
/// shown, and the line and paragraph separators (U+2028, U+2029).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
        )
}

/// `s` for a person's terminal: every [`is_unsafe`] character written as a Rust-style escape
/// (`\n`, `\r`, `\t`, otherwise `\u{1b}`), everything else as it is.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// `c` as [`escape`] shows it.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_unsafe(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// An id for text output: escaped ([`escape`]), and in double quotes when it is empty or
/// holds whitespace, a quote or a backslash (`"a b"`, `""`), so where it starts and ends is
/// plain and `a b` cannot pass for two ids. Inside the quotes `"` and `\` are written `\"`
/// and `\\`; every other id is shown bare, as it is.
pub fn show_id(id: &str) -> Cow<'_, str> {
    let quoted = id.is_empty()
        || id
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '\\'));
    if !quoted {
        return escape(id);
    }
    let mut out = String::with_capacity(id.len() + 2);
    out.push('"');
    for c in id.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => push_escaped(&mut out, c),
        }
    }
    out.push('"');
    Cow::Owned(out)
}

/// The one printer for stderr: `certdel: <message>`, escaped, written in one call. A stderr
/// that cannot be written is ignored: there is nowhere left to say so.
/// Write a generated document (a completion script, the man page: `what`) to `out` in full,
/// then flush. An error names what could not be written and why (a closed pipe, a full disk).
pub fn document(what: &str, bytes: &[u8], mut out: impl Write) -> Result<(), Error> {
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| Error::Output(format!("cannot write the {what} to stdout ({e})")))
}

pub fn stderr_line(message: &str) {
    let line = format!("certdel: {}\n", escape(message));
    crate::progress::on_stderr(|| {
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    });
}

/// A warning on stderr (`certdel: warning: …`).
pub fn warn(message: &str) {
    stderr_line(&format!("warning: {message}"));
}

/// One NDJSON line. Every string stays exact; the [`is_unsafe`] characters serde_json would
/// write raw (DEL, C1, the bidi controls, U+2028/U+2029) are written as `\uXXXX` escapes, so
/// the line is safe on a terminal too.
pub fn json_line<T: Serialize>(value: &T) -> String {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, SafeJson);
    match value.serialize(&mut ser) {
        Ok(()) => String::from_utf8(buf).unwrap_or_default(),
        // Records and outcomes have string keys only: serializing them cannot fail.
        Err(e) => format!("{{\"error\":{:?}}}", e.to_string()),
    }
}

/// serde_json's compact format, with the [`is_unsafe`] characters escaped inside strings.
struct SafeJson;

impl serde_json::ser::Formatter for SafeJson {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                write!(writer, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// `not_found  abc  FailedOperation.CertificateNotFound: The certificate does not exist. [request r-1]`
pub fn text_line(o: &Outcome) -> String {
    let mut line = format!("{:<9}  {}", o.outcome.as_str(), show_id(&o.id));
    let detail = match (&o.code, &o.message) {
        // A message that already names the code (`…; last answer CODE: …`) is not prefixed
        // with it again.
        (Some(c), Some(m)) if names_code(m, c) => Some(m.clone()),
        (Some(c), Some(m)) => Some(format!("{c}: {m}")),
        (Some(c), None) => Some(c.clone()),
        (None, Some(m)) => Some(m.clone()),
        (None, None) => None,
    };
    if let Some(d) = detail {
        line.push_str("  ");
        line.push_str(&escape(&d));
    }
    if let Some(r) = &o.request_id {
        line.push_str(&format!(" [request {}]", escape(r)));
    }
    line
}

/// The SGR parameters (ANSI colour) an outcome word is shown with on a colour terminal:
/// green for what was (or would be) deleted, dim for `gone` (a success nobody needs to act
/// on), yellow for what was left as it was and may need a look, red for refusals and failures.
pub fn sgr(status: Status) -> &'static str {
    match status {
        Status::Deleted | Status::WouldDelete => "32",
        Status::Gone => "2",
        Status::NotFound | Status::InUse | Status::Pending | Status::Skipped => "33",
        Status::Denied | Status::Failed => "31",
    }
}

/// `text` in the colour of `status` ([`sgr`]), reset after it.
pub fn paint(status: Status, text: &str) -> String {
    format!("\u{1b}[{}m{text}\u{1b}[0m", sgr(status))
}

/// A [`text_line`] with its outcome word (its first word) painted; the padding after the word
/// stays outside the colour, so the columns still line up.
pub fn colored(status: Status, line: String) -> String {
    let word = status.as_str();
    match line.strip_prefix(word) {
        Some(rest) => format!("{}{rest}", paint(status, word)),
        None => line,
    }
}

/// Whether `message` names `code` as a whole word (not as part of a longer code).
fn names_code(message: &str, code: &str) -> bool {
    let part = |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '-');
    !code.is_empty()
        && message.match_indices(code).any(|(i, _)| {
            let before = message[..i].chars().next_back();
            let after = message[i + code.len()..].chars().next();
            // A trailing `.` ends a sentence, not the code.
            let after_ok = match after {
                None => true,
                Some('.') => message[i + code.len() + 1..]
                    .chars()
                    .next()
                    .is_none_or(|c| !part(c)),
                Some(c) => !part(c),
            };
            before.is_none_or(|c| !part(c)) && after_ok
        })
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
            show_id(&c.id).into_owned(),
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

/// Control characters would break the table (or the terminal): shown escaped.
fn clean(s: &str) -> String {
    escape(s).into_owned()
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
        r.finish("tencent-ssl").unwrap();
        let exit = r.tally().exit();
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

    /// Text output as a run on `terminal` renders `outcomes()` in `format`.
    fn render_on(terminal: crate::terminal::Terminal, format: OutputFormat) -> String {
        let mut r = Reporter::new(format, Vec::new());
        r.set_color(terminal.decor(format, false).color);
        for o in outcomes() {
            r.outcome(&o);
        }
        r.finish("tencent-ssl").unwrap();
        String::from_utf8(r.into_inner()).unwrap()
    }

    #[test]
    fn outcome_words_are_coloured_on_a_terminal_stdout_only() {
        use crate::terminal::Terminal;
        let tty = Terminal {
            stdout: true,
            stderr: true,
            color: true,
        };
        let s = render_on(tty, OutputFormat::Text);
        assert_eq!(
            s.lines().collect::<Vec<_>>(),
            [
                "\u{1b}[32mdeleted\u{1b}[0m    a",
                "\u{1b}[33mnot_found\u{1b}[0m  b  FailedOperation.CertificateNotFound: The certificate does not exist. [request r-1]",
                "tencent-ssl: 2 ids: 1 deleted, 1 not_found",
            ]
        );
        // Without the colour codes it is the plain output, columns and all.
        let plain = render_on(Terminal::NONE, OutputFormat::Text);
        assert!(!plain.contains('\u{1b}'), "{plain:?}");
        let stripped = s
            .replace("\u{1b}[0m", "")
            .replace("\u{1b}[32m", "")
            .replace("\u{1b}[33m", "");
        assert_eq!(stripped, plain);
        // NO_COLOR, a stdout that is not a terminal, NDJSON and ids: no escape sequence.
        let no_color = Terminal {
            color: false,
            ..tty
        };
        assert_eq!(render_on(no_color, OutputFormat::Text), plain);
        let piped = Terminal {
            stdout: false,
            ..tty
        };
        assert_eq!(render_on(piped, OutputFormat::Text), plain);
        for format in [OutputFormat::Json, OutputFormat::Ids] {
            let s = render_on(tty, format);
            assert!(!s.is_empty() && !s.contains('\u{1b}'), "{format:?}: {s:?}");
        }
    }

    #[test]
    fn each_outcome_has_its_colour() {
        assert_eq!(
            paint(Status::Deleted, "deleted"),
            "\u{1b}[32mdeleted\u{1b}[0m"
        );
        assert_eq!(sgr(Status::WouldDelete), "32");
        for s in [Status::Failed, Status::Denied] {
            assert_eq!(sgr(s), "31", "{s:?}: red");
        }
        for s in [
            Status::NotFound,
            Status::Skipped,
            Status::InUse,
            Status::Pending,
        ] {
            assert_eq!(sgr(s), "33", "{s:?}: yellow");
        }
        assert_eq!(sgr(Status::Gone), "2", "dim");
        // Every outcome word is painted whole, and the rest of the line left as it was.
        for s in Status::ALL {
            let line = text_line(&Outcome::new("x", "id", s));
            let painted = colored(s, line.clone());
            assert!(
                painted.starts_with(&format!("\u{1b}[{}m{}\u{1b}[0m", sgr(s), s.as_str())),
                "{painted:?}"
            );
            assert!(painted.ends_with(&line[s.as_str().len()..]), "{painted:?}");
        }
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
    fn a_dry_run_prints_the_ids_it_would_delete_and_says_nothing_was_deleted() {
        let dry = crate::report::RunInfo {
            provider: "tencent-ssl",
            dry_run: true,
        };
        let would = Outcome::new("tencent-ssl", "a", Status::WouldDelete)
            .message(crate::resolve::IN_USE_UNKNOWN);
        let nf = Outcome::new("tencent-ssl", "b", Status::NotFound);
        let run = |format| {
            let mut r = Reporter::new(format, Vec::new());
            Sink::begin(&mut r, &dry);
            r.outcome(&would);
            r.outcome(&nf);
            r.finish("tencent-ssl").unwrap();
            String::from_utf8(r.into_inner()).unwrap()
        };
        assert_eq!(run(OutputFormat::Ids), "a\n");
        assert_eq!(
            run(OutputFormat::Text),
            "would_delete  a  in-use state unknown until the delete request\n\
             not_found  b\n\
             tencent-ssl: 2 ids: 1 not_found, 1 would_delete (dry run: nothing was deleted)\n"
        );
        let json = run(OutputFormat::Json);
        let first: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
        assert_eq!(first["outcome"], "would_delete");
    }

    #[test]
    fn broken_pipe_does_not_stop_counting() {
        let mut r = Reporter::new(OutputFormat::Text, Refusing(std::io::ErrorKind::BrokenPipe));
        for o in outcomes() {
            r.outcome(&o);
        }
        assert!(matches!(r.finish("x"), Err(Error::Output(_))));
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

    fn tencent() -> Box<dyn Provider> {
        crate::provider::build(&crate::provider::ProviderSettings::for_test(
            crate::provider::Kind::TencentSsl,
        ))
    }

    #[test]
    fn list_formats() {
        let render = |format| {
            let mut r = Reporter::new(format, Vec::new());
            assert_eq!(
                r.list(tencent().as_ref(), &listed(now()), now()).unwrap(),
                Exit::Success
            );
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
        let huawei = crate::provider::build(&crate::provider::ProviderSettings::for_test(
            crate::provider::Kind::HuaweiScm,
        ));
        r.list(huawei.as_ref(), &[], now()).unwrap();
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

    /// Records each `write` call, as the operating system would see them.
    #[derive(Default)]
    struct Calls(Vec<Vec<u8>>);
    impl Write for Calls {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_line_is_one_write() {
        for format in [OutputFormat::Text, OutputFormat::Json, OutputFormat::Ids] {
            let mut r = Reporter::new(format, Calls::default());
            for o in outcomes() {
                r.outcome(&o);
            }
            r.finish("tencent-ssl").unwrap();
            r.list(tencent().as_ref(), &listed(now()), now()).unwrap();
            let calls = r.into_inner().0;
            assert!(!calls.is_empty());
            for call in &calls {
                let text = String::from_utf8_lossy(call);
                assert!(
                    text.ends_with('\n') && text.matches('\n').count() == 1,
                    "{format:?}: one whole line per write, got {text:?}"
                );
            }
        }
    }

    /// A stdout that refuses every write with `kind`.
    struct Refusing(std::io::ErrorKind);
    impl Write for Refusing {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(self.0.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_stdout_keeps_counting_and_fails_the_run() {
        for format in [OutputFormat::Text, OutputFormat::Json, OutputFormat::Ids] {
            let mut r = Reporter::new(format, Refusing(std::io::ErrorKind::BrokenPipe));
            let mut ok = Outcome::new("tencent-ssl", "a", Status::Deleted);
            ok.attempts = 1;
            r.outcome(&ok);
            r.outcome(&ok);
            assert_eq!(r.tally().total(), 2);
            // Every id was deleted, but the results were not delivered.
            assert!(matches!(r.finish("x"), Err(Error::Output(_))), "{format:?}");
            assert!(r.lost().is_some());
        }
        let mut r = Reporter::new(OutputFormat::Text, Vec::new());
        let mut ok = Outcome::new("tencent-ssl", "a", Status::Deleted);
        ok.attempts = 1;
        r.outcome(&ok);
        assert!(r.finish("x").is_ok());
        assert_eq!(r.tally().exit(), Exit::Success);
    }

    #[test]
    fn a_listing_stdout_refuses_fails_the_listing() {
        for format in [OutputFormat::Text, OutputFormat::Json, OutputFormat::Ids] {
            let mut r = Reporter::new(format, Refusing(std::io::ErrorKind::StorageFull));
            let e = r
                .list(tencent().as_ref(), &listed(now()), now())
                .unwrap_err();
            assert!(matches!(e, Error::Output(_)), "{e:?}");
            assert!(
                e.to_string()
                    .starts_with("cannot write the listing to stdout ("),
                "{e}"
            );
        }
    }

    #[test]
    fn ids_that_do_not_read_back_refuse_the_listing() {
        let cases = [
            ("a\nb", "line break"),
            ("a\r", "line break"),
            (" a", "whitespace"),
            ("a\u{a0}", "whitespace"),
            ("#a", "comment"),
            ("\u{feff}a", "U+FEFF"),
            ("a\u{1b}]0;x", "U+001B"),
            ("a\u{202e}b", "U+202E"),
            ("a\u{9b}b", "U+009B"),
            ("", "empty id"),
        ];
        for (id, why) in cases {
            let mut certs = listed(now());
            certs.push(Cert::new(id));
            let mut r = Reporter::new(OutputFormat::Ids, Vec::new());
            let e = r.list(tencent().as_ref(), &certs, now()).unwrap_err();
            let msg = e.to_string();
            assert!(
                msg.starts_with("tencent-ssl: list --output ids: the id ")
                    && msg.contains(&ids::printable(id))
                    && msg.contains(why)
                    && msg.ends_with("use --output json, which gives every id exactly"),
                "{id:?}: {msg}"
            );
            assert!(!msg.chars().any(is_unsafe), "{msg:?}");
            assert!(r.into_inner().is_empty(), "{id:?}: nothing on stdout");
        }
        // The provider's own rules count too: a CAS order id is a number.
        let cas = crate::provider::build(&crate::provider::ProviderSettings::for_test(
            crate::provider::Kind::AlibabaCas,
        ));
        let mut r = Reporter::new(OutputFormat::Ids, Vec::new());
        let e = r
            .list(cas.as_ref(), &[Cert::new("12x")], now())
            .unwrap_err();
        assert!(e.to_string().contains("positive integer"), "{e}");
        // Several bad ids: the first is named, the others counted.
        let mut r = Reporter::new(OutputFormat::Ids, Vec::new());
        let bad = [Cert::new(" a"), Cert::new("b "), Cert::new("#c")];
        let e = r.list(tencent().as_ref(), &bad, now()).unwrap_err();
        assert!(e.to_string().contains("\" a\"") && e.to_string().contains("(2 more such ids)"));
        // Text and JSON show such ids (escaped, or exact).
        let mut r = Reporter::new(OutputFormat::Json, Vec::new());
        assert!(r.list(tencent().as_ref(), &bad, now()).is_ok());
    }

    #[test]
    fn escape_shows_what_a_terminal_would_act_on() {
        assert_eq!(escape("plain 测试 é"), "plain 测试 é");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape("a\nb\rc\td\u{1b}[2Je\u{7f}\u{9b}\u{202e}\u{2066}\u{2028}\0"),
            "a\\nb\\rc\\td\\u{1b}[2Je\\u{7f}\\u{9b}\\u{202e}\\u{2066}\\u{2028}\\u{0}"
        );
        for c in (0u32..0x20)
            .chain(0x7f..0xa0)
            .chain(0x202a..0x202f)
            .chain(0x2066..0x206a)
        {
            let c = char::from_u32(c).unwrap();
            assert!(is_unsafe(c), "U+{:04X}", c as u32);
            assert!(!escape(&c.to_string()).chars().any(is_unsafe));
        }
        assert!(!is_unsafe(' ') && !is_unsafe('\u{a0}') && !is_unsafe('测'));
    }

    fn hostile() -> Outcome {
        let mut o = Outcome::new("tencent-ssl", "id\u{1b}]0;pwned\u{7}", Status::Failed);
        o.code = Some("Code\u{9b}2J".into());
        o.message = Some("no\ndeleted    other-id\u{202e}\r\u{1b}[2J".into());
        o.request_id = Some("r\u{1b}[1A".into());
        o
    }

    #[test]
    fn text_output_escapes_server_strings() {
        let mut r = Reporter::new(OutputFormat::Text, Vec::new());
        r.outcome(&hostile());
        r.finish("tencent-ssl").unwrap();
        let s = String::from_utf8(r.into_inner()).unwrap();
        assert_eq!(
            s,
            "failed     id\\u{1b}]0;pwned\\u{7}  Code\\u{9b}2J: no\\ndeleted    other-id\\u{202e}\\r\\u{1b}[2J [request r\\u{1b}[1A]\n\
             tencent-ssl: 1 id: 1 failed\n"
        );
        let mut certs = listed(now());
        certs[1].name = "evil\u{1b}[2J\u{202e}".into();
        certs[1].domains = vec!["x\n.example".into()];
        certs[1].region = Some("r\u{9b}".into());
        let lines = table(&certs, now());
        assert!(lines[2].contains("evil\\u{1b}[2J\\u{202e}"), "{lines:?}");
        assert!(lines[2].contains("x\\n.example"), "{lines:?}");
        assert!(lines[2].contains("r\\u{9b}"), "{lines:?}");
        assert!(lines.iter().all(|l| !l.chars().any(is_unsafe)), "{lines:?}");
        // Escapes are measured like any other text: the columns still line up.
        let starts = |l: &str, col: &str| width(&l[..l.find(col).unwrap()]);
        assert_eq!(starts(&lines[2], "x\\n"), starts(&lines[0], "DOMAIN"));
    }

    #[test]
    fn json_stays_exact_and_terminal_safe() {
        let mut r = Reporter::new(OutputFormat::Json, Vec::new());
        let o = hostile();
        r.outcome(&o);
        let mut certs = listed(now());
        certs[0].name = "n\u{1b}[2J\u{7f}\u{85}\u{202e}\u{2069}\u{2029}\"\\".into();
        r.list(tencent().as_ref(), &certs[..1], now()).unwrap();
        let s = String::from_utf8(r.into_inner()).unwrap();
        assert!(s.lines().all(|l| !l.chars().any(is_unsafe)), "{s:?}");
        let lines: Vec<serde_json::Value> = s
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["id"], o.id);
        assert_eq!(lines[0]["code"], o.code.unwrap());
        assert_eq!(lines[0]["message"], o.message.unwrap());
        assert_eq!(lines[0]["request_id"], o.request_id.unwrap());
        assert_eq!(lines[1]["name"], certs[0].name);
        assert!(s.contains("\\u007f\\u0085\\u202e\\u2069\\u2029"), "{s}");
        // Everything else is written as serde_json writes it.
        let plain = &listed(now())[1];
        assert_eq!(
            json_line(&plain.record("x")),
            serde_json::to_string(&plain.record("x")).unwrap()
        );
    }

    #[test]
    fn a_vendor_code_appears_once_in_a_text_line() {
        use crate::provider::Answer;
        use crate::send::{describe, End, Tried};
        use crate::wire::Reply;
        // A proxy's page where the vendor's JSON should be: retried, then given up on.
        let reply = Reply {
            status: 200,
            headers: Vec::new(),
            body: b"<html>gateway</html>".to_vec(),
        };
        let a = Answer::malformed(&reply);
        let tried = Tried {
            end: End::<()>::Transient(a.clone()),
            attempts: 9,
            ambiguous: None,
            last: Some(a.clone()),
        };
        let o = Outcome::new("tencent-ssl", "abc", Status::Failed).settle(&tried, false);
        let line = text_line(&o);
        assert_eq!(line.matches("MalformedReply").count(), 1, "{line}");
        assert!(
            line.contains("MalformedReply: unreadable reply (HTTP 200): <html>gateway</html> (after 9 attempts)"),
            "{line}"
        );
        assert_eq!(o.code.as_deref(), Some("MalformedReply"));
        // The message (NDJSON's `message`) does not repeat the code it sits beside.
        assert_eq!(
            o.message.as_deref(),
            Some("unreadable reply (HTTP 200): <html>gateway</html> (after 9 attempts)")
        );
        // Out of time with that answer last: the reason names the code, the line once.
        let tried = Tried {
            end: End::<()>::Stopped(format!(
                "out of time: --retry-timeout 45 s used up; last answer {}",
                describe(&a)
            )),
            attempts: 3,
            ambiguous: None,
            last: Some(a),
        };
        let o = Outcome::new("tencent-ssl", "abc", Status::Failed).settle(&tried, false);
        let line = text_line(&o);
        assert_eq!(line.matches("MalformedReply").count(), 1, "{line}");
        assert!(
            line.contains("gave up after 3 attempts: out of time"),
            "{line}"
        );
        // A code that is only part of a longer word in the message is still printed.
        let mut o = Outcome::new("x", "id", Status::Failed);
        o.code = Some("Error".into());
        o.message = Some("InternalError occurred.".into());
        assert_eq!(
            text_line(&o),
            "failed     id  Error: InternalError occurred."
        );
    }

    #[test]
    fn ids_with_spaces_quotes_or_nothing_are_quoted_in_text() {
        assert_eq!(show_id("a b"), "\"a b\"");
        assert_eq!(show_id(""), "\"\"");
        assert_eq!(show_id("say \"hi\""), r#""say \"hi\"""#);
        assert_eq!(show_id("it's"), "\"it's\"");
        assert_eq!(show_id(r"a\b"), r#""a\\b""#);
        assert_eq!(show_id("a\tb\n"), r#""a\tb\n""#);
        // Everything else stays bare (escaped where a terminal would act on it).
        assert!(matches!(show_id("scs1554192131150"), Cow::Borrowed(_)));
        assert_eq!(show_id("id\u{1b}x"), "id\\u{1b}x");
        let o = Outcome::new("tencent-ssl", "a b", Status::NotFound);
        assert_eq!(text_line(&o), "not_found  \"a b\"");
        let mut certs = listed(now());
        certs[0].id = "with space".into();
        let lines = table(&certs, now());
        assert!(lines[1].starts_with("\"with space\"  "), "{lines:?}");
        // NDJSON keeps the id exact.
        let mut r = Reporter::new(OutputFormat::Json, Vec::new());
        r.outcome(&o);
        let s = String::from_utf8(r.into_inner()).unwrap();
        let v: serde_json::Value = serde_json::from_str(s.lines().next().unwrap()).unwrap();
        assert_eq!(v["id"], "a b");
    }
}
