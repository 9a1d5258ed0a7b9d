//! `certdel sweep`, driven: [`prepare`] reads the policy file and builds every target's
//! settings from it and the environment (no request yet: a bad policy is a usage error, exit
//! 2, before anything is sent; a target whose settings cannot be built fails alone); [`run`]
//! surveys every target, asks one question for the whole sweep, then deletes (or dry-runs)
//! and reports ([`super::run`], [`super::output`]).

use super::args::SweepArgs;
use super::output::SweepReporter;
use super::policy;
use super::run::{self, Configured, Mode, Surveyed};
use crate::app::Confirm;
use crate::audit::{self, AuditLog};
use crate::cli::OutputFormat;
use crate::confirm::{self, SweepLine};
use crate::error::Error;
use crate::interrupt::Interrupt;
use crate::outcome::Exit;
use crate::settings::{self, AuditTarget, RunSettings};
use chrono::{DateTime, Utc};
use std::io::Write;

/// A sweep ready to run: everything read and checked that can be before any request.
pub struct Prepared {
    /// The policy file as messages name it.
    pub file: String,
    pub mode: Mode,
    pub output: OutputFormat,
    pub yes: bool,
    pub run: RunSettings,
    pub targets: Vec<Configured>,
    /// For stderr before the run (each starts with its target's name).
    pub warnings: Vec<String>,
    /// The run's one reading of the clock: selection and the audit log's run id.
    pub now: DateTime<Utc>,
}

/// Read and check the policy, then build each target's settings and open its audit log.
/// `output` and `yes` are the command line's `--output` and `--yes`.
pub fn prepare(
    args: &SweepArgs,
    output: OutputFormat,
    yes: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Prepared, Error> {
    if output == OutputFormat::Ids {
        return Err(Error::usage(
            "sweep --output ids: a sweep reports decisions, not only ids; give --output text or json",
        ));
    }
    let Some(path) = &args.policy else {
        return Err(Error::usage("sweep: give --policy FILE"));
    };
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::usage(format!(
            "--policy {file}: cannot read it ({e}); give the path of a policy file (TOML)"
        ))
    })?;
    let policy = policy::parse(&text, &file)?;
    let mode = if args.dry_run {
        Mode::DryRun
    } else {
        Mode::Delete
    };
    let run = settings::run_settings(env)?;
    let audit = settings::audit_target(&args.audit, env)?;
    let now = Utc::now();
    let run_id = audit::run_id(now);
    let mut warnings = Vec::new();
    let mut targets = Vec::with_capacity(policy.targets.len());
    for target in policy.targets {
        let built = settings::provider_settings(&run::choice(&target, &file, mode), env);
        let (settings, log) = match built {
            Ok(resolved) => {
                warnings.extend(
                    resolved
                        .warnings
                        .iter()
                        .map(|w| format!("{}: {w}", target.name)),
                );
                // Opened before anything is sent: a sweep that cannot be recorded does not
                // start.
                let log = match &audit {
                    AuditTarget::Off => None,
                    AuditTarget::Path(path) => Some(AuditLog::open(
                        path,
                        audit::Context::for_run(&resolved.provider, run_id.clone(), args.dry_run),
                    )?),
                };
                (Ok(resolved.provider), log)
            }
            Err(e) => (Err(e), None),
        };
        targets.push(Configured {
            target,
            settings,
            audit: log,
        });
    }
    Ok(Prepared {
        file,
        mode,
        output,
        yes,
        run,
        targets,
        warnings,
        now,
    })
}

/// Survey every target, confirm, delete (or dry-run), report; the exit status
/// ([`run::exit`]), or an error when the sweep was not confirmed.
pub async fn run<W: Write>(
    prepared: Prepared,
    out: W,
    confirm: Confirm<'_>,
    interrupt: &Interrupt,
) -> Result<Exit, Error> {
    let Prepared {
        file,
        mode,
        output,
        yes,
        run,
        targets,
        now,
        ..
    } = prepared;
    let surveyed = run::survey(targets, &run, now, interrupt).await;
    if mode == Mode::Delete && !yes {
        confirmed(&file, &surveyed, confirm)?;
    }
    let mut reporter = SweepReporter::new(output, out);
    let reports = run::finish(surveyed, mode, &run, interrupt, &mut reporter).await;
    match reporter.finish(&reports) {
        // stdout refused the results: said on stderr already.
        Err(Error::Output(_)) => Ok(Exit::Fatal),
        Err(e) => Err(e),
        Ok(()) => Ok(run::exit(&reports)),
    }
}

/// The one question of a sweep that would delete something ([`confirm::sweep_question`]);
/// refused when nobody can be asked.
fn confirmed(file: &str, surveyed: &[Surveyed], confirm: Confirm<'_>) -> Result<(), Error> {
    let lines: Vec<SweepLine> = surveyed
        .iter()
        .filter_map(|s| {
            let settings = s.settings()?;
            Some(SweepLine {
                name: &s.target.name,
                target: confirm::Target {
                    provider: settings.kind.name(),
                    host: &settings.endpoint.host,
                    access_key_id: &settings.credentials.access_key,
                },
                count: s.to_delete(),
            })
        })
        .collect();
    let n: usize = lines.iter().map(|l| l.count).sum();
    if n == 0 {
        return Ok(());
    }
    let s = if n == 1 { "" } else { "s" };
    match confirm(&confirm::sweep_question(file, &lines)) {
        Some(answer) if confirm::accepts(&answer, n) => Ok(()),
        Some(_) => Err(Error::usage("not confirmed: nothing was deleted")),
        None => Err(Error::usage(format!(
            "refusing to delete {n} certificate{s} without confirmation: no terminal to ask; pass --yes"
        ))),
    }
}
