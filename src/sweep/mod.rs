//! `certdel sweep`: one reviewed policy file, applied to every account it names.
//!
//! The pure parts a sweep is built from are [`policy`] and [`select`]; [`run`] is the engine
//! that drives every target through them concurrently, [`command`] the command around it
//! (reading the file, the settings of each target, the one question), [`output`] its
//! rendering, [`planfile`] its plan files (`--plan`, `--apply-plan`) and [`args`] its
//! command line.
//!
//! # The model
//!
//! A sweep runs the same pipeline for every target of the policy, each on its own and
//! concurrently, so that one target failing never stops another:
//!
//! 1. **targets** ([`policy`]): the TOML file is parsed and checked as a whole before any
//!    request is sent — unknown keys, bad values and contradictions are errors carrying the
//!    file's line and column. Each [`policy::Target`] comes out with its *effective*
//!    [`policy::Selection`] and [`policy::Guards`]: the global `[selection]` and `[guards]`
//!    with the target's own `[targets.selection]` / `[targets.guards]` keys put over them,
//!    key by key.
//! 2. **identity**: the target's credentials (its `profile`, or the environment) are asked
//!    whose account they hold ([`crate::provider::identity`]); a target whose account is not
//!    its `expect_account` (unless that says `"any"`) is refused and reported, with nothing
//!    listed or deleted there.
//! 3. **list**: a complete listing of the target ([`crate::list`]; for alibaba-slb every
//!    region of its `region`). An incomplete listing fails the target: the guards below are
//!    only sound over everything there is.
//! 4. **select** ([`select::select`]): with the run's one `now`, every certificate matching
//!    every criterion of the selection is *selected*; each selected certificate gets a
//!    [`select::Decision`]: `Delete`, or `Kept` with the rule that keeps it (an excluded id or
//!    domain, in use, the latest for its set of domains). Certificates the selection does not
//!    match are not part of the sweep and get no decision.
//! 5. **guards** ([`select::Selected::refusal`]): when more certificates would be deleted than
//!    the target's `max_deletions`, the whole target is refused — nothing is deleted there —
//!    with both numbers in the reason. Kept certificates are no failure.
//! 6. **plan**: the `Delete` decisions of each target that was not refused become that
//!    target's [`crate::plan::Plan`]; `--plan OUT` writes every target's to one sweep plan
//!    file ([`planfile`]), applied with `--apply-plan` under the plan file's checks (key,
//!    endpoint, CAS target, age) and the identity call, per target.
//! 7. **delete** (or, with `--dry-run`, the dry run): the plan's ids through the usual
//!    executor ([`crate::execute`]) in a session of the target's own at its provider's delete
//!    quota; every outcome and every kept decision is reported, and written to the target's
//!    audit log (a kept one as `"outcome":"kept"` with the rule in `reason`).
//!
//! An interrupt (SIGINT, SIGTERM) reaches every target through the run's one
//! [`crate::interrupt::Interrupt`]: no new request in any of them, every certificate a target
//! set out to delete still reported (`skipped` if never sent) and recorded, every target's
//! summary printed. The one question is asked with the run disarmed (nothing is in flight
//! then), so an interrupt there ends certdel at once, nothing deleted; a sweep interrupted
//! before it asks nothing.
//!
//! A target is *completed* when it passed its identity check, was listed in full, was not
//! refused by a guard, and every certificate it set out to delete was deleted (with
//! `--dry-run` / `--plan`: would be). The sweep's exit status is 0 when every target
//! completed.

pub mod args;
pub mod command;
pub mod output;
pub mod planfile;
pub mod policy;
pub mod run;
pub mod select;
