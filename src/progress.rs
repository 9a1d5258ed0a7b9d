//! The progress bar on stderr (indicatif): a delete's ids done of the total, the rate and the
//! outcomes so far ([`DeleteProgress`], a [`crate::report::Sink`]); a listing's pages fetched
//! of the total the provider reports ([`ListProgress`], fed [`Pages`] by [`crate::list`]).
//! Whether a bar is drawn at all is decided in [`crate::terminal`]; a bar that is not drawn
//! is indicatif's hidden one, which still counts (the unit tests read it).
//!
//! A drawn bar is "on screen" until it is dropped, and every other line certdel writes while
//! it is goes through it ([`on_stderr`], [`on_stdout`]): the bar is cleared, the line
//! written, the bar drawn again below it, so a result or a warning never lands inside the
//! bar. stderr lines always do (the bar is on stderr); stdout lines when stdout is a terminal
//! too ([`crate::terminal::Decor::results_through_bar`]): most likely the same one. This is a
//! process-wide slot rather than a value passed down because stderr is written from
//! everywhere, the signal thread included, through the one printer
//! ([`crate::output::stderr_line`]). Only one bar is ever on screen.
//!
//! The bar is transient: cleared when the run ends, before the summary line (which says the
//! same, for good).

use crate::outcome::{Outcome, Status};
use crate::report::{RunInfo, Sink};
use crate::terminal::Decor;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Mutex;

/// The bar on screen, and whether stdout lines go through it too.
static ON_SCREEN: Mutex<Option<(ProgressBar, bool)>> = Mutex::new(None);

fn on_screen() -> Option<(ProgressBar, bool)> {
    ON_SCREEN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone()
}

/// Run `write` (a line to stderr) with the bar on screen, if any, out of its way.
pub fn on_stderr<R>(write: impl FnOnce() -> R) -> R {
    match on_screen() {
        Some((bar, _)) => bar.suspend(write),
        None => write(),
    }
}

/// Run `write` (a line to stdout) out of the bar's way when stdout shares its terminal.
pub fn on_stdout<R>(write: impl FnOnce() -> R) -> R {
    match on_screen() {
        Some((bar, true)) => bar.suspend(write),
        _ => write(),
    }
}

/// stderr, each write out of the bar's way ([`on_stderr`]): the writer the `-v` diagnostics
/// use (they format a line, then write it in one call).
pub struct Stderr;

impl std::io::Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        on_stderr(|| std::io::stderr().lock().write(buf))
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        on_stderr(|| std::io::stderr().lock().write_all(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// A bar, drawn on stderr or hidden, taken off the screen when dropped.
struct Bar {
    bar: ProgressBar,
    drawn: bool,
}

impl Bar {
    fn new(decor: &Decor, len: Option<u64>, style: ProgressStyle) -> Bar {
        if !decor.progress {
            return Bar {
                bar: ProgressBar::with_draw_target(len, ProgressDrawTarget::hidden())
                    .with_style(style),
                drawn: false,
            };
        }
        let bar =
            ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr()).with_style(style);
        *ON_SCREEN
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) =
            Some((bar.clone(), decor.results_through_bar));
        Bar { bar, drawn: true }
    }
}

impl Bar {
    /// Cleared from the screen, and no line goes through it any more.
    fn close(&mut self) {
        if self.drawn {
            self.drawn = false;
            self.bar.finish_and_clear();
            *ON_SCREEN
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.close();
    }
}

/// A template of ours: a mistake in it is a bug, shown as the default style rather than a
/// panic.
fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

// Short enough for an 80-column terminal (a line that wraps is redrawn badly), no colour.
const DELETE: &str = "[{bar:20}] {pos}/{len} ids  {per_sec:1}  {msg}";
const PAGES: &str = "[{bar:20}] {pos}/{len} pages  {msg}";
const PAGES_UNKNOWN: &str = "{pos} pages  {msg}";

/// How far a listing is: pages fetched so far, and how many there are once every query's
/// count is known (the provider reported a total, or a query ran out of pages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pages {
    pub fetched: u64,
    pub total: Option<u64>,
}

impl Pages {
    /// `page 3/10`, or `page 3` while the total is unknown.
    fn describe(&self) -> String {
        match self.total {
            Some(total) => format!("page {}/{total}", self.fetched),
            None => format!("page {}", self.fetched),
        }
    }
}

/// A delete's bar: one step per outcome, `N deleted, M not deleted` beside it (a dry run:
/// `would delete` / `would not`).
pub struct DeleteProgress {
    bar: Bar,
    dry_run: bool,
    deleted: u64,
    not_deleted: u64,
}

impl DeleteProgress {
    /// A bar for `total` ids, drawn when `decor` says so.
    pub fn new(total: usize, decor: &Decor) -> DeleteProgress {
        DeleteProgress {
            bar: Bar::new(decor, Some(total as u64), style(DELETE)),
            dry_run: false,
            deleted: 0,
            not_deleted: 0,
        }
    }

    /// What the bar says while the run lists first (`--dry-run`, alibaba-slb across
    /// regions): the listing's pages, on this same bar.
    pub fn listing(&self) -> impl Fn(Pages) + Sync {
        let bar = self.bar.bar.clone();
        move |pages: Pages| bar.set_message(format!("listing: {}", pages.describe()))
    }

    /// Ids done so far.
    pub fn done(&self) -> u64 {
        self.bar.bar.position()
    }

    /// What the bar says beside the count.
    pub fn message(&self) -> String {
        self.bar.bar.message()
    }

    fn counts(&self) -> String {
        let (yes, no) = if self.dry_run {
            ("would delete", "would not")
        } else {
            ("deleted", "not deleted")
        };
        format!("{} {yes}, {} {no}", self.deleted, self.not_deleted)
    }
}

impl Sink for DeleteProgress {
    fn begin(&mut self, run: &RunInfo) {
        self.dry_run = run.dry_run;
    }

    fn outcome(&mut self, outcome: &Outcome) {
        let deleted = if self.dry_run {
            outcome.outcome == Status::WouldDelete
        } else {
            outcome.is_success()
        };
        if deleted {
            self.deleted += 1;
        } else {
            self.not_deleted += 1;
        }
        self.bar.bar.set_message(self.counts());
        self.bar.bar.inc(1);
    }

    fn finish(&mut self, _: &'static str) -> Result<(), crate::error::Error> {
        // Off the screen before the summary line.
        self.bar.close();
        Ok(())
    }
}

/// A listing's bar: pages fetched of the known total; a counter while the total is unknown.
pub struct ListProgress {
    bar: Bar,
}

impl ListProgress {
    pub fn new(decor: &Decor) -> ListProgress {
        ListProgress {
            bar: Bar::new(decor, None, style(PAGES_UNKNOWN)),
        }
    }

    /// The listing got this far.
    pub fn pages(&self, pages: Pages) {
        let bar = &self.bar.bar;
        match pages.total {
            Some(total) if bar.length() != Some(total) => {
                bar.set_style(style(PAGES));
                bar.set_length(total);
            }
            _ => {}
        }
        bar.set_position(pages.fetched);
    }

    /// Pages fetched, and the total once known.
    pub fn state(&self) -> Pages {
        Pages {
            fetched: self.bar.bar.position(),
            total: self.bar.bar.length(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::OutputFormat;
    use crate::terminal::Terminal;

    fn hidden() -> Decor {
        Terminal::NONE.decor(OutputFormat::Text, false)
    }

    fn outcome(status: Status) -> Outcome {
        Outcome::new("tencent-ssl", "x", status)
    }

    #[test]
    fn a_delete_bar_counts_ids_and_outcomes() {
        let mut p = DeleteProgress::new(4, &hidden());
        p.begin(&RunInfo {
            provider: "tencent-ssl",
            dry_run: false,
        });
        for s in [Status::Deleted, Status::NotFound, Status::Gone] {
            p.outcome(&outcome(s));
        }
        assert_eq!(p.done(), 3);
        assert_eq!(p.message(), "2 deleted, 1 not deleted");
        p.outcome(&outcome(Status::Failed));
        assert_eq!(p.message(), "2 deleted, 2 not deleted");
        assert!(p.finish("tencent-ssl").is_ok());
    }

    #[test]
    fn a_dry_run_bar_says_would() {
        let mut p = DeleteProgress::new(2, &hidden());
        p.begin(&RunInfo {
            provider: "tencent-ssl",
            dry_run: true,
        });
        p.outcome(&outcome(Status::WouldDelete));
        p.outcome(&outcome(Status::NotFound));
        assert_eq!(p.message(), "1 would delete, 1 would not");
        // The listing before the outcomes shows on the same bar.
        let p = DeleteProgress::new(2, &hidden());
        (p.listing())(Pages {
            fetched: 3,
            total: Some(10),
        });
        assert_eq!(p.message(), "listing: page 3/10");
        (p.listing())(Pages {
            fetched: 4,
            total: None,
        });
        assert_eq!(p.message(), "listing: page 4");
    }

    #[test]
    fn a_list_bar_learns_its_length_when_the_total_is_known() {
        let p = ListProgress::new(&hidden());
        p.pages(Pages {
            fetched: 1,
            total: None,
        });
        assert_eq!(
            p.state(),
            Pages {
                fetched: 1,
                total: None
            }
        );
        let known = Pages {
            fetched: 2,
            total: Some(5),
        };
        p.pages(known);
        assert_eq!(p.state(), known);
    }

    #[test]
    fn a_hidden_bar_is_never_on_screen() {
        let p = DeleteProgress::new(1, &hidden());
        assert!(on_screen().is_none());
        // Lines go straight through.
        assert_eq!(on_stderr(|| 7), 7);
        assert_eq!(on_stdout(|| 8), 8);
        drop(p);
    }
}
