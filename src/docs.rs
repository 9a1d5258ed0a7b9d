//! The documents generated from the clap definition ([`crate::cli::Cli`]), the same one
//! `--help` prints: shell completion scripts (clap_complete) and the man page (clap_mangen,
//! with sections of certdel's own for the commands, `delete` and `list`). They are built in
//! memory, without settings, credentials or I/O; `main.rs` writes them to stdout through
//! [`crate::output::document`].

use crate::cli::{self, Cli};
use clap::CommandFactory;
use clap_complete::Shell;
use clap_mangen::Man;
use roff::{bold, italic, roman, Roff};
use std::io;

/// The name the scripts complete and the man page documents.
const NAME: &str = "certdel";

/// The completion script for `shell`.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), NAME, &mut script);
    script
}

/// The man page, roff: NAME, SYNOPSIS and the global OPTIONS as clap_mangen
/// renders them; then COMMANDS (every provider with its `delete` and `list`, and the two
/// documents), DELETE and LIST (their text and options, the same for every provider), WHOAMI,
/// SWEEP (its text and options), EXAMPLES, EXIT STATUS (with where credentials come from) and VERSION. Rendered into
/// memory: the error is only clap_mangen's signature.
pub fn man_page() -> io::Result<Vec<u8>> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let man = Man::new(cmd.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_options_section(&mut page)?;
    commands(&cmd).to_writer(&mut page)?;
    // CONNECTION OPTIONS: given after the provider's name; what a region picks differs.
    let generic = <cli::Connection as clap::Args>::augment_args(clap::Command::new("connection"));
    let mut options = clap::Command::new("CONNECTION OPTIONS")
        .disable_help_flag(true)
        .disable_version_flag(true)
        .args(
            generic
                .get_arguments()
                .map(|a| a.clone().global(false).help_heading("CONNECTION OPTIONS")),
        );
    options.build();
    Man::new(options).render_options_section(&mut page)?;
    let mut regions = Roff::new();
    regions.control("PP", []).text([roman(
        "Given after the provider's name, before or after the verb. What a region picks:",
    )]);
    preformatted(&mut regions, &cli::regions_help_all());
    regions.to_writer(&mut page)?;
    let providers: Vec<&clap::Command> = cmd
        .get_subcommands()
        .filter(|c| c.get_subcommands().next().is_some())
        .collect();
    if providers.is_empty() {
        return Err(io::Error::other("the command line has no provider"));
    }
    for (verb, heading, options, synopsis, text) in [
        (
            "delete",
            "DELETE",
            "DELETE OPTIONS",
            "certdel PROVIDER delete [OPTIONS] ID...|-|--plan FILE",
            [
                cli::DELETE_HELP.to_string(),
                cli::DELETE_EXAMPLES.to_string(),
            ],
        ),
        (
            "list",
            "LIST",
            "LIST OPTIONS",
            "certdel PROVIDER list [OPTIONS]",
            [cli::list_help_all(), cli::LIST_EXAMPLES.to_string()],
        ),
    ] {
        let subs = providers
            .iter()
            .map(|p| {
                p.find_subcommand(verb)
                    .map(|s| (s, p.get_name()))
                    .ok_or_else(|| io::Error::other(format!("no `{verb}` command")))
            })
            .collect::<io::Result<Vec<_>>>()?;
        let sub = subs[0].0;
        let mut section = Roff::new();
        section
            .control("SH", [heading])
            .text([bold(synopsis)])
            .control("PP", [])
            .text([roman(
                sub.get_about().map(|a| a.to_string()).unwrap_or_default(),
            )]);
        for block in &text {
            preformatted(&mut section, block);
        }
        section.to_writer(&mut page)?;
        Man::new(own_options(&subs, options)).render_options_section(&mut page)?;
    }
    // whoami: no options of its own, its help text says it all.
    let whoami = providers[0]
        .find_subcommand("whoami")
        .ok_or_else(|| io::Error::other("no `whoami` command"))?;
    let mut section = Roff::new();
    section
        .control("SH", ["WHOAMI"])
        .text([bold("certdel PROVIDER whoami")])
        .control("PP", [])
        .text([roman(
            whoami
                .get_about()
                .map(|a| a.to_string())
                .unwrap_or_default(),
        )]);
    preformatted(&mut section, &cli::whoami_help_all());
    section.to_writer(&mut page)?;
    // sweep: one policy over every provider; its help text and its own options.
    let sweep = cmd
        .find_subcommand("sweep")
        .ok_or_else(|| io::Error::other("no `sweep` command"))?;
    let mut section = Roff::new();
    section
        .control("SH", ["SWEEP"])
        .text([bold(
            "certdel sweep [OPTIONS] --policy FILE|--apply-plan FILE",
        )])
        .control("PP", [])
        .text([roman(
            sweep.get_about().map(|a| a.to_string()).unwrap_or_default(),
        )]);
    preformatted(&mut section, crate::sweep::args::SWEEP_HELP);
    section.to_writer(&mut page)?;
    Man::new(own_options(&[(sweep, "sweep")], "SWEEP OPTIONS"))
        .render_options_section(&mut page)?;
    let mut tail = Roff::new();
    tail.control("SH", ["EXAMPLES"]);
    preformatted(&mut tail, body(cli::EXAMPLES));
    tail.control("SH", ["EXIT STATUS"]);
    preformatted(&mut tail, body(cli::EXIT_CODES));
    tail.to_writer(&mut page)?;
    man.render_version_section(&mut page)?;
    Ok(once_preamble(page))
}

/// COMMANDS: each provider with its two verbs, then the other top-level commands.
fn commands(cmd: &clap::Command) -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["COMMANDS"]);
    for sub in cmd.get_subcommands() {
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        let verbs: Vec<&str> = sub.get_subcommands().map(|v| v.get_name()).collect();
        roff.control("TP", []);
        let mut head = vec![bold(format!("{NAME} {}", sub.get_name()))];
        if verbs.is_empty() {
            for arg in sub.get_positionals() {
                let id = arg.get_id().as_str().to_uppercase();
                head.push(roman(" "));
                head.push(italic(id));
            }
        } else {
            head.push(roman(" "));
            head.push(italic(verbs.join("|")));
        }
        roff.text(head).text([roman(about)]);
    }
    roff
}

/// The own options (not the global ones clap propagated into them, not hidden ones, not
/// --help or --version) of one verb as the providers take it, each once, under `heading`,
/// ready for clap_mangen's options section. An option only some providers take says which.
fn own_options(subs: &[(&clap::Command, &str)], heading: &'static str) -> clap::Command {
    let own = |c: &clap::Command| -> Vec<clap::Arg> {
        c.get_arguments()
            .filter(|a| {
                !a.is_global_set()
                    && !a.is_hide_set()
                    && !matches!(a.get_id().as_str(), "help" | "version")
            })
            .cloned()
            .collect()
    };
    let mut args: Vec<clap::Arg> = Vec::new();
    for (sub, _) in subs {
        for arg in own(sub) {
            if args.iter().any(|a| a.get_id() == arg.get_id()) {
                continue;
            }
            let takers: Vec<&str> = subs
                .iter()
                .filter(|(s, _)| own(s).iter().any(|a| a.get_id() == arg.get_id()))
                .map(|(_, name)| *name)
                .collect();
            let arg = if takers.len() < subs.len() {
                let who = takers.join(", ");
                let help = arg.get_help().map(|h| format!("{who}: {h}"));
                let long = arg.get_long_help().map(|h| format!("{who}: {h}"));
                let mut arg = arg.help(help.unwrap_or(who));
                if let Some(long) = long {
                    arg = arg.long_help(long);
                }
                arg
            } else {
                arg
            };
            args.push(arg.help_heading(heading));
        }
    }
    let mut own = clap::Command::new(heading)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .args(args);
    own.build();
    own
}

/// `text` line by line, as written (no filling): the help texts are laid out by hand.
fn preformatted(roff: &mut Roff, text: &str) {
    roff.control("PP", []).control("nf", []);
    for line in text.lines() {
        roff.text([roman(line)]);
    }
    roff.control("fi", []);
}

/// A help block without its first line (`Examples:`, `Exit status:`): the section heading
/// says it.
fn body(text: &str) -> &str {
    text.split_once('\n').map_or(text, |(_, rest)| rest)
}

/// The roff crate opens every piece it writes with the same two-line definition of `Aq`
/// (the apostrophe); the page needs it once, at the top.
fn once_preamble(page: Vec<u8>) -> Vec<u8> {
    const PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";
    let text = String::from_utf8_lossy(&page);
    match text.strip_prefix(PREAMBLE) {
        Some(rest) => format!("{PREAMBLE}{}", rest.replace(PREAMBLE, "")).into_bytes(),
        None => page,
    }
}
