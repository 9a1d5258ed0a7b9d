//! certdel: delete and list TLS certificates on five clouds, with request signing that
//! matches the official SDKs byte for byte.
//!
//! The binary (`src/main.rs`) parses the command line, resolves [`settings`], and hands over to
//! [`app::run`], which runs a command as a pipeline:
//!
//! - `delete`: ids read and checked ([`ids`]) → a [`plan`] (targets, and the single or bulk
//!   requests that carry them; pure) → confirmation → a [`session`] (transport, the one
//!   retrying [`send::Sender`], the provider, rate and concurrency, the provider's preflight)
//!   → [`execute`] (send, retry, batch, await asynchronous tasks), which hands each outcome to
//!   a [`report::Sink`]: the stdout renderer ([`output`]), the exit-status fold
//!   ([`outcome::Tally`]) and, on a terminal, the progress bar ([`progress`]). The outcome rules (lost replies, skipped and failed ids) live on
//!   [`outcome::Outcome`].
//!   With `--dry-run` the plan's ids are instead resolved against a complete listing of the
//!   run ([`list`], read calls only) by [`resolve`], and their outcomes (`would_delete`,
//!   `not_found`, `in_use`) go to the same sinks; no delete is sent. alibaba-slb across regions
//!   (`--region all`) lists first too, and [`resolve::locate`] gives each id its region.
//! - `list`: a session → [`list`] (every page, into a [`list::Listing`] of [`cert`] records,
//!   vendor times read by [`time`]) → with `--plan`, written to a plan file ([`planfile`]) →
//!   printed by [`output`]. `delete --plan` reads and checks that file in place of ids.
//! - `whoami`: a session whose preflight makes the account identity call
//!   ([`provider::identity`]) → a [`whoami::Whoami`] record → printed by [`output`]. The same
//!   preflight checks `--expect-account` for `delete` and `list` before anything else is sent.
//!
//! Providers ([`provider`]) build signed requests ([`sign`]) and read replies without doing
//! I/O; [`send`] paces ([`pace`]), sends and retries them through a [`transport::Transport`]
//! (in a run the reqwest client [`transport::HttpTransport`]; in the retry loop's unit tests
//! a scripted one). Interrupts (SIGINT, SIGTERM) reach every part of a run through one
//! [`interrupt::Interrupt`]: no new request after the first, every id still reported. The
//! local fake cloud the tests and the demo run against is its own crate, `crates/fake-cloud`.
//!
//! What is drawn for a person at a terminal (the progress bar on stderr, colour in text
//! output) follows from one [`terminal::Terminal`], measured in `main.rs` and passed down.
//!
//! `certdel completions SHELL` and `certdel man` skip all of that: [`docs`] generates them
//! from the clap definition `--help` prints, and `main.rs` writes them to stdout before any
//! settings are resolved.
//!
//! Diagnostics (`-v`, `-vv`, `-q`) are `tracing` events on stderr ([`diagnostics`]): one per
//! attempt from [`send`], one per signature from [`sign`], secrets and tokens never among them.
//! `certdel sweep --policy FILE`: [`sweep`] reads the policy file, builds each target's
//! settings (a [`settings::ProviderChoice`] each), and runs every target at once, each with its
//! own session: identity → complete listing → the pure selection and guards → a plan →
//! execute (or the dry run) → its own audit-log context and a per-target report.
//!
//! The command line ([`cli`]) scopes each option to where it applies: `-v`/`-q` global,
//! the connection (`--endpoint`, `--region`, `--profile`) per provider, the rest per verb;
//! [`cli::Cli::invocation`] merges every place an option may be given. [`settings`] only
//! dispatches: a run's provider account is a [`provider::config::ProviderChoice`] (from the
//! command line, or from a sweep policy's target), whose credentials the vendor's chain finds
//! ([`provider::vendor`]: `--profile`, else the credential variables, else the profile
//! variable, else the file's default profile, read by [`profile`]) and whose region(s) and
//! endpoint the provider's own module decides (`locate`); [`endpoint`] parses the URLs.

pub mod app;
pub mod audit;
pub mod cert;
pub mod cli;
pub mod confirm;
pub mod diagnostics;
pub mod docs;
pub mod endpoint;
pub mod error;
pub mod execute;
pub mod ids;
pub mod interrupt;
pub mod list;
pub mod outcome;
pub mod output;
pub mod pace;
pub mod plan;
pub mod planfile;
pub mod profile;
pub mod progress;
pub mod provider;
pub mod report;
pub mod resolve;
pub mod secret;
pub mod send;
pub mod session;
pub mod settings;
pub mod sign;
pub mod sweep;
pub mod terminal;
pub mod time;
pub mod transport;
pub mod whoami;
pub mod wire;
