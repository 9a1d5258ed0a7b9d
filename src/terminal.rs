//! What certdel draws because it talks to a person at a terminal: a progress bar on stderr
//! ([`crate::progress`]) and colour on the outcome words of text output
//! ([`crate::output::paint`]). Whether stdout and stderr are terminals is measured once, in
//! `main.rs` (`std::io::IsTerminal`, and `NO_COLOR` as settings read it), into a [`Terminal`]
//! that is passed down; every decision made from it is here ([`Terminal::decor`]), so tests
//! construct a `Terminal` and check it.
//!
//! - Progress: only when stderr is a terminal; never with `-q`, nor in `--output json` runs
//!   whose stdout is a pipe or a file (a machine reads those; the bar would only be noise in
//!   a CI log that captures stderr).
//! - Colour: only in text output on a terminal stdout, and never when `NO_COLOR` is set to
//!   anything but the empty string (<https://no-color.org>). NDJSON and bare ids never get
//!   colour, wherever they go.

use crate::cli::OutputFormat;

/// Which of certdel's streams are terminals, and whether colour is allowed at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Terminal {
    /// stdout is a terminal.
    pub stdout: bool,
    /// stderr is a terminal.
    pub stderr: bool,
    /// Colour is allowed: `NO_COLOR` is unset or empty (`!Settings::no_color`).
    pub color: bool,
}

/// What a run draws, decided from a [`Terminal`], the output format and `-q`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Decor {
    /// Draw a progress bar on stderr.
    pub progress: bool,
    /// Colour the outcome words of text output on stdout.
    pub color: bool,
    /// stdout and stderr are both terminals (most likely the same one): results are printed
    /// with the bar cleared first and drawn again after, so the two never share a line.
    pub results_through_bar: bool,
}

impl Terminal {
    /// Pipes or files on both streams (tests, CI, `| tee`): nothing is drawn.
    pub const NONE: Terminal = Terminal {
        stdout: false,
        stderr: false,
        color: false,
    };

    /// What to draw in a run printing `format` to stdout; `quiet`: `-q` was given.
    pub fn decor(&self, format: OutputFormat, quiet: bool) -> Decor {
        let json_to_a_pipe = format == OutputFormat::Json && !self.stdout;
        let progress = self.stderr && !quiet && !json_to_a_pipe;
        Decor {
            progress,
            color: self.stdout && self.color && format == OutputFormat::Text,
            results_through_bar: progress && self.stdout,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OutputFormat::{Ids, Json, Text};

    /// Colour allowed (no `NO_COLOR`).
    fn tty(stdout: bool, stderr: bool) -> Terminal {
        Terminal {
            stdout,
            stderr,
            color: true,
        }
    }

    /// `NO_COLOR` set: settings say so (`no_color`, tested there for empty and other values).
    fn no_color(stdout: bool, stderr: bool) -> Terminal {
        Terminal {
            color: false,
            ..tty(stdout, stderr)
        }
    }

    #[test]
    fn no_color_turns_colour_off_on_a_terminal_too() {
        for format in [Text, Json, Ids] {
            assert!(
                !no_color(true, true).decor(format, false).color,
                "{format:?}"
            );
        }
        assert!(tty(true, true).decor(Text, false).color);
    }

    #[test]
    fn colour_only_in_text_output_on_a_terminal_stdout() {
        assert!(tty(true, false).decor(Text, false).color);
        assert!(tty(true, true).decor(Text, true).color, "-q keeps colour");
        assert!(!tty(false, true).decor(Text, false).color, "stdout a pipe");
        for format in [Json, Ids] {
            assert!(!tty(true, true).decor(format, false).color, "{format:?}");
        }
        assert_eq!(Terminal::NONE.decor(Text, false), Decor::default());
    }

    #[test]
    fn progress_only_on_a_terminal_stderr_without_q_and_not_json_to_a_pipe() {
        for format in [Text, Json, Ids] {
            assert!(tty(true, true).decor(format, false).progress, "{format:?}");
            assert!(
                !tty(true, false).decor(format, false).progress,
                "stderr a pipe"
            );
            assert!(!tty(false, false).decor(format, false).progress);
            assert!(!tty(true, true).decor(format, true).progress, "-q");
        }
        // A pipe on stdout: text and ids still show the bar on stderr, NDJSON does not.
        assert!(tty(false, true).decor(Text, false).progress);
        assert!(tty(false, true).decor(Ids, false).progress);
        assert!(!tty(false, true).decor(Json, false).progress);
        // NO_COLOR is about colour only.
        assert!(no_color(true, true).decor(Text, false).progress);
    }

    #[test]
    fn results_go_through_the_bar_only_when_both_streams_are_terminals() {
        assert!(tty(true, true).decor(Text, false).results_through_bar);
        assert!(!tty(false, true).decor(Text, false).results_through_bar);
        assert!(
            !tty(true, true).decor(Text, true).results_through_bar,
            "no bar"
        );
    }
}
