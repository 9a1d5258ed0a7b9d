use certdel::cli::{Cli, TopLevel};
use certdel::interrupt::{Interrupt, Raised, Signal};
use certdel::outcome::Exit;
use certdel::output::Reporter;
use certdel::terminal::Terminal;
use clap::Parser;
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Generated from the clap definition alone: no settings, credentials or audit log.
    let document = match &cli.command {
        TopLevel::Completions(c) => {
            Some(("completion script", Ok(certdel::docs::completions(c.shell))))
        }
        TopLevel::Man => Some(("man page", certdel::docs::man_page())),
        TopLevel::Provider(_) | TopLevel::Sweep(_) => None,
    };
    if let Some((what, bytes)) = document {
        let written = bytes
            .map_err(|e| format!("cannot render the {what}: {e}"))
            .and_then(|b| {
                certdel::output::document(what, &b, std::io::stdout().lock())
                    .map_err(|e| e.to_string())
            });
        return match written {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        };
    }
    // Every target of the policy is a provider account of its own: no one Settings.
    if let TopLevel::Sweep(args) = &cli.command {
        return sweep(args, &cli.legacy, &cli.global);
    }
    let settings = match certdel::settings::resolve(cli, &|name| std::env::var(name).ok()) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let (runtime, interrupt) =
        match start(settings.verbosity, settings.no_color, &settings.warnings) {
            Ok(started) => started,
            Err(e) => return fail(&e),
        };
    let reads_stdin = matches!(&settings.command, certdel::settings::Command::Delete { ids, .. } if certdel::ids::reads_stdin(ids));
    let mut confirm = |question: &str| ask(reads_stdin, question);
    // Which streams are terminals, measured once: what is drawn follows from it.
    let terminal = Terminal {
        stdout: std::io::stdout().is_terminal(),
        stderr: std::io::stderr().is_terminal(),
        color: !settings.no_color,
    };
    let mut reporter = Reporter::new(settings.output, std::io::stdout().lock());
    let stdin = std::io::BufReader::new(std::io::stdin());
    let ran = runtime.block_on(certdel::app::run(
        settings,
        terminal,
        stdin,
        &mut reporter,
        &mut confirm,
        &interrupt,
    ));
    finish(ran, &interrupt)
}

/// `certdel sweep`: the policy and every target's settings read first (a bad policy exits 2
/// before any request), then the sweep on the same kind of runtime as every other command.
fn sweep(
    args: &certdel::sweep::args::SweepArgs,
    legacy: &certdel::cli::LegacyArgs,
    global: &certdel::cli::GlobalArgs,
) -> ExitCode {
    let env = |name: &str| std::env::var(name).ok();
    let prepared = match certdel::sweep::command::Globals::of(args, legacy)
        .and_then(|globals| certdel::sweep::command::prepare(args, &globals, &env))
    {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let no_color = env("NO_COLOR").is_some_and(|v| !v.is_empty());
    let verbosity = certdel::diagnostics::Verbosity::from_flags(global.verbose, global.quiet);
    let mut prepared = prepared;
    // Outcome words in colour on a terminal stdout, as for delete.
    prepared.color = Terminal {
        stdout: std::io::stdout().is_terminal(),
        stderr: std::io::stderr().is_terminal(),
        color: !no_color,
    }
    .decor(prepared.output, global.quiet)
    .color;
    let (runtime, interrupt) = match start(verbosity, no_color, &prepared.warnings) {
        Ok(started) => started,
        Err(e) => return fail(&e),
    };
    let mut confirm = |question: &str| ask(false, question);
    let ran = runtime.block_on(certdel::sweep::command::run(
        prepared,
        std::io::stdout().lock(),
        &mut confirm,
        &interrupt,
    ));
    finish(ran, &interrupt)
}

/// The exit status of a finished run: an error that stopped it is said on stderr (exit 2);
/// an interrupted run exits with the signal's status, even if every id finished.
fn finish(ran: Result<Exit, certdel::error::Error>, interrupt: &Interrupt) -> ExitCode {
    let exit = ran.unwrap_or_else(|e| {
        certdel::output::stderr_line(&e.to_string());
        Exit::Fatal
    });
    interrupt.signal().map_or(exit, Signal::exit).into()
}

/// What every run starts with: diagnostics on stderr, the profile files' advice (not with
/// `-q`: it says nothing about the results), the async runtime, and SIGINT/SIGTERM handling.
fn start(
    verbosity: certdel::diagnostics::Verbosity,
    no_color: bool,
    warnings: &[String],
) -> Result<(tokio::runtime::Runtime, Interrupt), String> {
    certdel::diagnostics::init(verbosity, no_color);
    if verbosity != certdel::diagnostics::Verbosity::Quiet {
        for warning in warnings {
            certdel::output::warn(warning);
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let interrupt = Interrupt::new();
    listen(&interrupt).map_err(|e| format!("cannot handle SIGINT/SIGTERM: {e}"))?;
    Ok((runtime, interrupt))
}

/// The confirmation question, asked only of a person at a terminal and never through a stdin
/// that carries ids (`reads_stdin`); the answer line goes back as typed (the caller decides
/// what confirms). A terminal that cannot be read gave no answer: not confirmed.
fn ask(reads_stdin: bool, question: &str) -> Option<String> {
    if reads_stdin || !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return None;
    }
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    Some(answer)
}

/// Feed SIGINT and SIGTERM into `interrupt`, from a thread of its own: the main thread may be
/// blocked reading ids from stdin or a confirmation from the terminal. The handlers are in
/// place when this returns.
fn listen(interrupt: &Interrupt) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    let signals = {
        let _inside = runtime.enter();
        Signals::new()?
    };
    let interrupt = interrupt.clone();
    std::thread::Builder::new()
        .name("certdel-signals".into())
        .spawn(move || {
            runtime.block_on(async move {
                let mut signals = signals;
                while let Some(signal) = signals.next().await {
                    on_signal(&interrupt, signal);
                }
            })
        })?;
    Ok(())
}

/// What a signal does, said on stderr first: once raised, the run may end and certdel exit
/// before this thread writes anything. (This thread is the only one that raises.)
fn on_signal(interrupt: &Interrupt, signal: Signal) {
    let name = signal.name();
    match interrupt.peek(signal) {
        // Nothing has been sent (ids still being read, the question still asked): end now,
        // as the signal's default action would. The one early exit; nothing to report.
        Raised::Unarmed(signal) => {
            // Recorded first, so that a run arming at this very moment sends nothing.
            interrupt.raise(signal);
            eprintln!();
            certdel::output::stderr_line(&format!(
                "interrupted by {name}: {}",
                interrupt.nothing_done()
            ));
            std::process::exit(i32::from(signal.exit() as u8));
        }
        Raised::First(_) => certdel::output::stderr_line(&format!(
            "interrupted by {name}: no new requests; requests in flight get until --timeout to answer, every id is reported; interrupt again to stop waiting for them"
        )),
        Raised::Second => certdel::output::stderr_line(&format!(
            "interrupted again ({name}): not waiting for requests in flight (they may have been carried out)"
        )),
        Raised::Again => {}
    }
    interrupt.raise(signal);
}

/// SIGINT and SIGTERM as one stream (unix); elsewhere Ctrl-C only.
#[cfg(unix)]
struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> std::io::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
        })
    }

    async fn next(&mut self) -> Option<Signal> {
        tokio::select! {
            got = self.int.recv() => got.map(|()| Signal::Int),
            got = self.term.recv() => got.map(|()| Signal::Term),
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> std::io::Result<Signals> {
        Ok(Signals)
    }

    async fn next(&mut self) -> Option<Signal> {
        tokio::signal::ctrl_c().await.ok().map(|()| Signal::Int)
    }
}

fn fail(e: &dyn std::fmt::Display) -> ExitCode {
    certdel::output::stderr_line(&e.to_string());
    Exit::Fatal.into()
}
