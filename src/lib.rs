//! certdel: delete and list TLS certificates on five clouds, with request signing that
//! matches the official SDKs byte for byte.
//!
//! The binary (`src/main.rs`) parses the command line, resolves [`settings`], and hands over to
//! [`app::run`]. Providers ([`provider`]) build signed requests ([`sign`]) and read replies
//! without doing I/O; [`send`] paces, sends and retries them over [`transport`]; [`output`]
//! renders outcomes and listings. `list` is driven by [`list`] into the common record of
//! [`cert`] (vendor times read by [`time`]); bulk and asynchronous deletes by [`batch`].
//! A delete run appends one record per outcome to the [`audit`] log and, on a terminal, asks
//! the question [`confirm`] builds.
//! The local fake cloud the tests and the demo run against is its own crate,
//! `crates/fake-cloud`.

pub mod app;
pub mod audit;
pub mod batch;
pub mod cert;
pub mod cli;
pub mod confirm;
pub mod error;
pub mod ids;
pub mod list;
pub mod outcome;
pub mod output;
pub mod pace;
pub mod provider;
pub mod secret;
pub mod send;
pub mod settings;
pub mod sign;
pub mod time;
pub mod transport;
pub mod wire;
