use certdel::cli::Cli;
use certdel::outcome::Exit;
use certdel::output::Reporter;
use clap::Parser;
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match certdel::settings::resolve(cli, &|name| std::env::var(name).ok()) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    let reads_stdin = matches!(&settings.command, certdel::settings::Command::Delete { ids, .. } if certdel::ids::reads_stdin(ids));
    let mut confirm = |question: &str| -> Option<String> {
        // Ask only a person at a terminal, and never through a stdin that carries ids. The
        // answer line goes back as typed: the app decides what confirms.
        if reads_stdin || !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
            return None;
        }
        eprint!("{question}");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        // A terminal that cannot be read gave no answer: not confirmed.
        let _ = std::io::stdin().lock().read_line(&mut answer);
        Some(answer)
    };
    let mut reporter = Reporter::new(settings.output, std::io::stdout().lock());
    let stdin = std::io::BufReader::new(std::io::stdin());
    match runtime.block_on(certdel::app::run(
        settings,
        stdin,
        &mut reporter,
        &mut confirm,
    )) {
        Ok(exit) => exit.into(),
        Err(e) => fail(&e),
    }
}

fn fail(e: &dyn std::fmt::Display) -> ExitCode {
    certdel::output::stderr_line(&e.to_string());
    Exit::Fatal.into()
}
