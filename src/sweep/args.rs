//! `certdel sweep`'s command line (clap derive types only) and its help text.

use crate::cli::{AuditArgs, OutputArgs, RetryArgs};
use clap::{ArgGroup, Args};
use std::path::PathBuf;

/// The help text after the options: what a sweep does, its output and its exit statuses.
pub const SWEEP_HELP: &str = "\
A sweep applies one reviewed policy file (TOML; fixtures/sweep/policy.example.toml documents
every key) to every account it names. Each [[targets]] entry runs on its own, all at once,
each paced at its own provider's quota:
  identity   one identity call; unless the target says expect_account = \"any\", another
             account than its expect_account refuses the target (nothing listed there)
  list       a complete listing (alibaba-slb: every region of its region); an incomplete
             listing fails the target
  select     every criterion of its selection must hold; a selected certificate is kept when
             excluded (exclude_ids, exclude_domains), in use, or the latest of its set of
             domains (keep_latest_per_domains)
  guard      more to delete than max_deletions refuses the target: nothing deleted there
  delete     what is left, as `delete` would (--dry-run: reported would_delete, no delete
             request is sent)
One target failing (no or rejected credentials, another account, an incomplete listing, a
guard) never stops the others. Before deleting, one question covers the whole sweep (how
many certificates in each target); without a terminal --yes is required. Each target's
requests are paced at its provider's documented quotas; --max-retries, --timeout, --deadline
and --retry-timeout apply to every target. A target's endpoint, region and CAS target are
given in the policy.

--plan OUT is a dry run that also writes the sweep's plan: every target with its provider,
endpoint, regions, CAS target, access key id and account, and the certificates it would
delete (kept ones listed for review). --apply-plan OUT deletes exactly those, each target after
the checks of `delete --plan` and its identity call; a refused target is reported, the others
applied. The exit statuses below hold for both.

Output:
  text  per target its certificates (deleted, kept with the rule, failed) and a summary line,
        then a table: target, provider, account, selected, deleted, kept, failed, status
  json  NDJSON: one {\"type\":\"certificate\"} line per decision or outcome (target, provider,
        account, id, outcome — or \"kept\" with its reason: excluded_id, excluded_domain,
        in_use, keep_latest, max_deletions) and one {\"type\":\"target\"} summary per target
Every decision is appended to the audit log: each delete outcome (dry run: would_delete,
marked dry_run) and each kept certificate (outcome kept, the rule in reason), one record per
certificate with its target's provider, endpoint, key and account.

Exit status:
  0  every target completed: its identity checked, listed in full, not refused, and every
     certificate it set out to delete was deleted (--dry-run: would be)
  1  the sweep finished but some target failed (credentials, account, listing, guard) or
     some certificate was not deleted
  2  certdel could not run: the policy file is missing or invalid (with its line and
     column), a usage error, the audit log cannot be opened, not confirmed; nothing was
     deleted
  130, 143  interrupted by SIGINT, SIGTERM

Examples:
  certdel sweep --policy sweep.toml --dry-run
  certdel sweep --policy sweep.toml --yes --output json > sweep.ndjson
  certdel sweep --policy sweep.toml --plan sweep-plan.json
  certdel sweep --apply-plan sweep-plan.json --yes";

/// `certdel sweep`: apply a policy file (or a sweep plan made from one) to every account it
/// names.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).args(["policy", "apply_plan"])))]
pub struct SweepArgs {
    /// The policy file (TOML): targets, selection and guards
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Delete exactly the certificates of this sweep plan (made by `sweep --plan`), target by
    /// target; a target whose provider, endpoint, CAS target, access key or account no
    /// longer matches, or a plan older than --plan-max-age, is refused (the others are
    /// applied)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["dry_run", "plan"])]
    pub apply_plan: Option<PathBuf>,

    /// Send no delete request: list every target and report what would be deleted and what
    /// kept; needs no --yes
    #[arg(long)]
    pub dry_run: bool,

    /// Write the whole sweep's plan (every target, with what it would delete) to this file
    /// (JSON, mode 0600, replaced atomically) and delete nothing: a dry run that also writes
    /// the plan, for review and `sweep --apply-plan FILE`
    #[arg(long, value_name = "OUT")]
    pub plan: Option<PathBuf>,

    /// With --apply-plan: the oldest plan accepted, a duration (30m, 24h, 7d, 2w) [default: 24h]
    #[arg(long, value_name = "DURATION", requires = "apply_plan", value_parser = crate::cli::plan_max_age)]
    pub plan_max_age: Option<std::time::Duration>,

    /// Do not ask for confirmation before deleting (required when stdin is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub audit: AuditArgs,

    /// Give up on certificates still unfinished after this many seconds, in every target,
    /// requests in flight included, 0.1 to 604800 (7 days); they are reported failed, or
    /// skipped when never sent
    #[arg(long, value_name = "SECONDS", value_parser = crate::cli::deadline, help_heading = "Pacing and retries")]
    pub deadline: Option<f64>,

    #[command(flatten)]
    pub retry: RetryArgs,
}
