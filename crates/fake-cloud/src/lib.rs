//! The fake cloud: one local HTTP server that speaks all five protocols, verifies signatures
//! the way the vendors' gateways do, and keeps an in-memory store of certificates.
//!
//! Routing is by request shape, as the real hosts would never share a port:
//!
//! | shape | product |
//! |---|---|
//! | path `/v3/scm/certificates…`, or IAM `GET /v3/auth/domains` | huawei-scm ([`huawei`]) |
//! | `POST /` with `X-TC-Action` (STS `GetCallerIdentity` 2018-08-13 too) | tencent-ssl ([`tencent`]) |
//! | `x-acs-action` header; `x-acs-version` 2014-05-15 / 2020-04-07 (2015-04-01: STS, logged as alibaba-slb) | alibaba-slb / alibaba-cas ([`alibaba`]) |
//! | query `Action` with `Version=2023-01-01` (or STS `GetCallerIdentity` 2018-01-01) | volcengine-live ([`volc`]) |
//! | anything else | plain 404 |
//!
//! Each product implements [`product::FakeProduct`] (route, authenticate, handle, its
//! internal-error and throttling answers); the dispatcher here only picks the product.
//! Each request goes: capture → latency → auth ([`verify`], with certdel's own signers) →
//! scripted steps ([`Config::scripts`]) → quota → injected fault → the product's handler.
//! Random faults ([`chaos`]) are drawn for every routed request, in arrival order, from a
//! seeded PRNG, so a given seed and request order always give the same faults. With
//! [`Config::tls`] it serves https instead of http (rustls). [`start`] runs the server on its
//! own thread and returns a [`Running`] handle whose accessors let tests look at the store,
//! the request log and the counters.
//!
//! Signatures are verified by recomputing them with certdel's own signers, so the fake cannot
//! catch a signing rule certdel gets wrong: the signing oracle is the official SDKs' vectors
//! (`fixtures/sign/`) and `fixtures/sdk/check.sh`.

pub mod alibaba;
pub mod chaos;
pub mod huawei;
pub mod product;
pub mod store;
pub mod tencent;
#[cfg(test)]
mod tests;
pub mod verify;
pub mod volc;

pub use chaos::{Faults, Quota};
pub use store::{demo_accounts, generate, Accounts, CasKind, Cert, Fault, Keys, Seed, Store};

mod config;
mod dispatch;
mod harness;
mod server;
mod wire;

pub use config::*;
pub use dispatch::*;
pub use harness::*;
pub use server::*;
pub use wire::*;
