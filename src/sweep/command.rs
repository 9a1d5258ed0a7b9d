//! `certdel sweep`, driven: [`prepare`] reads the policy file (or the sweep plan) and builds
//! every target's settings from it and the environment (no request yet: a bad policy or plan
//! file is a usage error, exit 2, before anything is sent; a target whose settings cannot be
//! built, or whose plan fails its checks, fails alone); [`run`] surveys every target (writes
//! the plan with `--plan`), asks one question for the whole sweep, then deletes (or
//! dry-runs) and reports ([`super::run`], [`super::output`], [`super::planfile`]).

use super::args::SweepArgs;
use super::output::SweepReporter;
use super::planfile::PlannedTarget;
use super::policy;
use super::run::{self, Applying, Configured, Mode};
use crate::app::Confirm;
use crate::audit::{self, AuditLog};
use crate::cli::{LegacyArgs, OutputFormat};
use crate::confirm::{self, SweepLine};
use crate::error::Error;
use crate::interrupt::Interrupt;
use crate::outcome::Exit;
use crate::planfile::Checked;
use crate::settings::{
    self, AuditTarget, ExpectedAccount, ProviderChoice, ProviderSettings, RunSettings,
};
use chrono::{DateTime, Utc};
use std::io::Write;
use std::path::PathBuf;

/// A sweep ready to run: everything read and checked that can be before any request.
pub struct Prepared {
    /// The policy (or plan) file as messages name it.
    pub file: String,
    pub work: Work,
    pub output: OutputFormat,
    pub yes: bool,
    pub run: RunSettings,
    /// For stderr before the run (each starts with its target's name).
    pub warnings: Vec<String>,
    /// The run's one reading of the clock: selection, plan ages, the audit log's run id.
    pub now: DateTime<Utc>,
    /// Colour the outcome words of text output: `main.rs` sets it for a terminal stdout
    /// without `NO_COLOR` ([`crate::terminal::Terminal::decor`]); off otherwise.
    pub color: bool,
}

/// What the sweep does.
pub enum Work {
    /// `--policy`: survey, then delete or dry-run; with `plan`, a dry run that writes the
    /// sweep's plan there first.
    Policy {
        mode: Mode,
        targets: Vec<Configured>,
        plan: Option<PathBuf>,
    },
    /// `--apply-plan`: exactly the plan's certificates, per target.
    Apply {
        path: PathBuf,
        targets: Vec<Applying>,
    },
}

/// What a sweep takes of the command line's global options.
#[derive(Clone, Debug, PartialEq)]
pub struct Globals {
    pub output: OutputFormat,
    pub yes: bool,
    pub max_retries: u32,
    pub timeout: std::time::Duration,
    pub deadline: Option<std::time::Duration>,
    pub retry_timeout: std::time::Duration,
}

impl Globals {
    /// What a sweep takes of its command line: its own options, over the options given
    /// (hidden) before `sweep` as when every option was global. Those that belong to one
    /// provider, or would pace every provider alike, are refused there, naming where they go
    /// instead.
    pub fn of(args: &SweepArgs, legacy: &LegacyArgs) -> Result<Globals, Error> {
        let run = &legacy.run;
        let in_policy = [
            ("--endpoint", legacy.endpoint.is_some(), "endpoint"),
            ("--region", !legacy.region.is_empty(), "region"),
            ("--target", run.target.is_some(), "target"),
        ];
        if let Some((flag, _, key)) = in_policy.iter().find(|(_, given, _)| *given) {
            return Err(Error::usage(format!(
                "sweep {flag}: each target of the policy gives its own: put `{key} = ...` under its [[targets]]"
            )));
        }
        let per_provider = [
            ("--check-resources", run.check_resources),
            ("--rate", run.rate.is_some()),
            ("--concurrency", run.concurrency.is_some()),
        ];
        if let Some((flag, _)) = per_provider.iter().find(|(_, given)| *given) {
            return Err(Error::usage(format!(
                "sweep {flag}: a sweep paces each target at its own provider's quotas; leave it out"
            )));
        }
        // clap's value parsers keep these in range: the conversions cannot fail.
        let seconds = std::time::Duration::from_secs_f64;
        let r = &args.retry;
        Ok(Globals {
            output: args
                .output
                .output
                .or(run.output)
                .unwrap_or(OutputFormat::Text),
            yes: args.yes || run.yes,
            max_retries: r
                .max_retries
                .or(run.max_retries)
                .unwrap_or(settings::DEFAULT_MAX_RETRIES),
            timeout: r
                .timeout
                .or(run.timeout)
                .map_or(settings::DEFAULT_TIMEOUT, seconds),
            deadline: args.deadline.or(run.deadline).map(seconds),
            retry_timeout: r
                .retry_timeout
                .or(run.retry_timeout)
                .map_or(settings::DEFAULT_RETRY_TIMEOUT, seconds),
        })
    }
}

/// Read and check the policy (or the sweep plan), then build each target's settings and open
/// its audit log.
pub fn prepare(
    args: &SweepArgs,
    globals: &Globals,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Prepared, Error> {
    let (output, yes) = (globals.output, globals.yes);
    if output == OutputFormat::Ids {
        return Err(Error::usage(
            "sweep --output ids: a sweep reports decisions, not only ids; give --output text or json",
        ));
    }
    // clap refuses these already; checked again for arguments built by hand.
    if args.policy.is_some() == args.apply_plan.is_some() {
        return Err(Error::usage(
            "sweep: give --policy FILE or --apply-plan FILE (one of them)",
        ));
    }
    if args.apply_plan.is_some() && (args.dry_run || args.plan.is_some()) {
        return Err(Error::usage(
            "--apply-plan deletes exactly the plan: --dry-run and --plan apply to --policy only",
        ));
    }
    if args.apply_plan.is_none() && args.plan_max_age.is_some() {
        return Err(Error::usage(
            "--plan-max-age applies to sweep --apply-plan only",
        ));
    }
    let now = Utc::now();
    let run_id = audit::run_id(now);
    let audit = settings::audit_target(&args.audit, env)?;
    let mut run = settings::run_settings(env)?;
    run.max_retries = globals.max_retries;
    run.timeout = globals.timeout;
    run.deadline = globals.deadline;
    run.retry_timeout = globals.retry_timeout;
    let mut warnings = Vec::new();
    let open_log = |provider: &ProviderSettings, dry_run: bool| match &audit {
        AuditTarget::Off => Ok(None),
        // Opened before anything is sent: a sweep that cannot be recorded does not start.
        AuditTarget::Path(path) => AuditLog::open(
            path,
            audit::Context::for_run(provider, run_id.clone(), dry_run),
        )
        .map(Some),
    };
    let (file, work, platform) = if let Some(path) = &args.apply_plan {
        let file = path.display().to_string();
        let max_age = args.plan_max_age.unwrap_or(settings::DEFAULT_PLAN_MAX_AGE);
        let mut targets = Vec::new();
        let mut platform = false;
        for planned in super::planfile::load(path)? {
            let ready = match applicable(&planned, &file, now, max_age, env) {
                Ok((resolved, checked)) => {
                    warnings.extend(
                        resolved
                            .warnings
                            .iter()
                            .map(|w| format!("{}: {w}", planned.name)),
                    );
                    platform |= settings::needs_platform_roots(&resolved.provider, true);
                    Ok((resolved.provider, checked))
                }
                Err(why) => Err(why),
            };
            let audit = match &ready {
                Ok((provider, _)) => open_log(provider, false)?,
                Err(_) => None,
            };
            targets.push(Applying {
                name: planned.name,
                provider: planned.provider,
                ready,
                audit,
            });
        }
        let work = Work::Apply {
            path: path.clone(),
            targets,
        };
        (file, work, platform)
    } else {
        let path = args.policy.as_ref().expect("checked above");
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::usage(format!(
                "--policy {file}: cannot read it ({e}); give the path of a policy file (TOML)"
            ))
        })?;
        let policy = policy::parse(&text, &file)?;
        let mode = if args.dry_run || args.plan.is_some() {
            Mode::DryRun
        } else {
            Mode::Delete
        };
        let mut targets = Vec::with_capacity(policy.targets.len());
        let mut platform = false;
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
                    platform |= settings::needs_platform_roots(&resolved.provider, true);
                    let log = open_log(&resolved.provider, mode.dry_run())?;
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
        let work = Work::Policy {
            mode,
            targets,
            plan: args.plan.clone(),
        };
        (file, work, platform)
    };
    // Only plain http to loopback (the tests, a local fake): the platform's roots are not
    // read.
    run.trust.platform &= platform;
    Ok(Prepared {
        file,
        work,
        output,
        yes,
        run,
        warnings,
        now,
        color: false,
    })
}

/// A target of a sweep plan, its settings rebuilt (the plan's account expected) and its plan
/// checked as `delete --plan` checks one; or why it is refused.
fn applicable(
    planned: &PlannedTarget,
    file: &str,
    now: DateTime<Utc>,
    max_age: std::time::Duration,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(settings::Resolved, Checked), String> {
    let plan = planned.plan.as_ref().map_err(Clone::clone)?;
    let mut choice = ProviderChoice::new(planned.provider, settings::Purpose::DeletePlan);
    choice.endpoint = plan.endpoint.clone();
    choice.regions = plan.regions.clone();
    choice.region_origin = Some(format!("{file}, target {}", planned.name));
    choice.profile = planned.profile.clone();
    choice.cas_target = plan.cas_target;
    choice.expect_account = plan.account.as_ref().map(|id| ExpectedAccount {
        id: id.clone(),
        from: format!("the sweep plan {file}, target {}", planned.name),
    });
    let resolved = settings::provider_settings(&choice, env).map_err(|e| e.to_string())?;
    let ctx = crate::planfile::Context::of(&resolved.provider);
    let provider = crate::provider::build(&resolved.provider);
    let checked = crate::planfile::check(&plan.text, &ctx, provider.as_ref(), now, max_age)
        .map_err(|why| format!("refused: {why}"))?;
    Ok((resolved, checked))
}

/// Survey every target, confirm, delete (or dry-run; with `--plan`, write the plan first),
/// report; or apply a sweep plan. The exit status ([`run::exit`]), or an error when the sweep
/// was not confirmed or its plan could not be written.
pub async fn run<W: Write>(
    prepared: Prepared,
    out: W,
    confirm: Confirm<'_>,
    interrupt: &Interrupt,
) -> Result<Exit, Error> {
    let Prepared {
        file,
        work,
        output,
        yes,
        run,
        now,
        color,
        ..
    } = prepared;
    let mut reporter = SweepReporter::new(output, out);
    reporter.set_color(color);
    let reports = match work {
        Work::Policy {
            mode,
            targets,
            plan,
        } => {
            let surveyed = run::survey(targets, &run, now, interrupt).await;
            if let Some(path) = &plan {
                // Written before anything is printed: a plan that cannot be written stops
                // the sweep with nothing on stdout.
                let text = super::planfile::render(&file, &surveyed, now)?;
                crate::planfile::write_atomically(path, text.as_bytes())?;
            }
            // Interrupted during the survey: nothing to ask, every certificate is reported
            // skipped. Otherwise nothing is in flight while the question is open, so an
            // interrupt there ends certdel at once, as at `delete`'s question (the deletes'
            // sessions arm it again).
            if mode == Mode::Delete && !yes && interrupt.signal().is_none() {
                interrupt.disarm();
                let lines = surveyed
                    .iter()
                    .filter_map(|s| Some((s.target.name.as_str(), s.settings()?, s.to_delete())));
                confirmed(&file, lines, confirm)?;
            }
            run::finish(surveyed, mode, &run, interrupt, &mut reporter).await
        }
        Work::Apply { path, targets } => {
            if !yes {
                let lines = targets.iter().filter_map(|t| {
                    let (settings, _) = t.ready.as_ref().ok()?;
                    Some((t.name.as_str(), settings, t.to_delete()))
                });
                confirmed(&file, lines, confirm)?;
            }
            run::apply(targets, &path, &run, interrupt, &mut reporter).await
        }
    };
    match reporter.finish(&reports) {
        // stdout refused the results: said on stderr already.
        Err(Error::Output(_)) => Ok(Exit::Fatal),
        Err(e) => Err(e),
        Ok(()) => Ok(run::exit(&reports)),
    }
}

/// The one question of a sweep that would delete something ([`confirm::sweep_question`]):
/// `lines` are the targets (name, settings, how many it deletes); refused when nobody can be
/// asked.
fn confirmed<'a>(
    file: &str,
    lines: impl Iterator<Item = (&'a str, &'a ProviderSettings, usize)>,
    confirm: Confirm<'_>,
) -> Result<(), Error> {
    let lines: Vec<SweepLine> = lines
        .map(|(name, settings, count)| SweepLine {
            name,
            target: confirm::Target {
                provider: settings.kind().name(),
                host: &settings.endpoint.host,
                access_key_id: &settings.credentials.access_key,
            },
            count,
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// The sweep's options from `before` (ahead of `sweep`) and `after` (behind it).
    fn globals_around(before: &[&str], after: &[&str]) -> Result<Globals, Error> {
        let mut argv = vec!["certdel"];
        argv.extend_from_slice(before);
        argv.extend_from_slice(&["sweep", "--policy", "p.toml"]);
        argv.extend_from_slice(after);
        let cli = crate::cli::Cli::try_parse_from(argv).expect("parses");
        let crate::cli::TopLevel::Sweep(args) = &cli.command else {
            panic!("not a sweep");
        };
        Globals::of(args, &cli.legacy)
    }

    fn globals(args: &[&str]) -> Result<Globals, Error> {
        globals_around(&[], args)
    }

    #[test]
    fn a_sweep_takes_the_retry_and_time_options_for_every_target() {
        let g = globals(&[
            "--max-retries",
            "2",
            "--timeout",
            "1.5",
            "--deadline",
            "60",
            "--retry-timeout",
            "9",
            "--output",
            "json",
            "-y",
        ])
        .unwrap();
        assert_eq!(g.max_retries, 2);
        assert_eq!(g.timeout, std::time::Duration::from_millis(1500));
        assert_eq!(g.deadline, Some(std::time::Duration::from_secs(60)));
        assert_eq!(g.retry_timeout, std::time::Duration::from_secs(9));
        assert_eq!(g.output, OutputFormat::Json);
        assert!(g.yes);
        let d = globals(&[]).unwrap();
        assert_eq!(d.max_retries, settings::DEFAULT_MAX_RETRIES);
        assert_eq!(d.timeout, settings::DEFAULT_TIMEOUT);
        assert_eq!(d.retry_timeout, settings::DEFAULT_RETRY_TIMEOUT);
        assert_eq!(d.deadline, None);
    }

    #[test]
    fn one_question_for_the_whole_sweep_and_what_confirms_it() {
        let tencent = ProviderSettings::for_test(crate::provider::Kind::TencentSsl);
        let slb = ProviderSettings::for_test(crate::provider::Kind::AlibabaSlb);
        let lines = || vec![("a", &tencent, 2), ("b", &slb, 0), ("c", &slb, 1)].into_iter();
        let mut asked = Vec::new();
        let mut yes = |q: &str| {
            asked.push(q.to_string());
            Some("y\n".to_string())
        };
        confirmed("p.toml", lines(), &mut yes).unwrap();
        assert_eq!(asked.len(), 1, "one question");
        assert!(asked[0].starts_with("Sweep p.toml: delete 3 certificates in 2 targets:"));
        let e = confirmed("p.toml", lines(), &mut |_: &str| Some("n\n".into())).unwrap_err();
        assert_eq!(e.to_string(), "not confirmed: nothing was deleted");
        let e = confirmed("p.toml", lines(), &mut |_: &str| None).unwrap_err();
        assert!(
            e.to_string().contains("refusing to delete 3 certificates"),
            "{e}"
        );
        // Nothing to delete: nothing to ask.
        let nothing = vec![("a", &tencent, 0)].into_iter();
        confirmed("p.toml", nothing, &mut |_: &str| panic!("asked")).unwrap();
    }

    #[test]
    fn the_provider_settings_refuse_a_sweep_it_is_resolved_per_target() {
        let cli = crate::cli::Cli::try_parse_from(["certdel", "sweep", "--policy", "p.toml"])
            .expect("parses");
        let e = settings::resolve(cli, &|_| None).unwrap_err();
        assert!(matches!(e, Error::Usage(_)), "{e:?}");
        assert!(e.to_string().contains("`sweep`"), "{e}");
    }

    #[test]
    fn the_options_given_before_sweep_count_behind_its_own() {
        let g = globals_around(
            &["--timeout", "2", "--output", "json", "-y"],
            &["--timeout", "3"],
        )
        .unwrap();
        assert_eq!(g.timeout, std::time::Duration::from_secs(3), "its own wins");
        assert_eq!(g.output, OutputFormat::Json);
        assert!(g.yes);
    }

    #[test]
    fn a_sweep_refuses_the_options_of_one_provider_given_before_it() {
        for (args, says) in [
            (&["--endpoint", "http://127.0.0.1:1"][..], "endpoint = ..."),
            (&["--region", "cn-hangzhou"], "region = ..."),
            (&["--target", "certificates"], "target = ..."),
            (&["--check-resources"], "own provider's quotas"),
            (&["--rate", "5"], "own provider's quotas"),
            (&["--concurrency", "5"], "own provider's quotas"),
        ] {
            let e = globals_around(args, &[]).unwrap_err().to_string();
            assert!(e.starts_with(&format!("sweep {}", args[0])), "{e}");
            assert!(e.contains(says), "{e}");
        }
        // Behind `sweep` clap knows no such option.
        let argv = ["certdel", "sweep", "--policy", "p.toml", "--rate", "5"];
        assert!(crate::cli::Cli::try_parse_from(argv).is_err());
    }
}
