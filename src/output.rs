//! Rendering results: text, NDJSON or bare ids. The only module that writes results to stdout.
//! Each outcome is written (and flushed) as soon as it is known; write errors such as a
//! closed pipe (`| head`) stop the output but never the run.

use crate::cli::OutputFormat;
use crate::outcome::{Exit, Outcome, Status, Tally};
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
}
