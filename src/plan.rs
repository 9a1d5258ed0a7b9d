//! What a delete run will do, decided before anything is sent: pure, no I/O.
//!
//! A [`Plan`] holds one [`Target`] per certificate and the [`Unit`]s to send: single ids, or
//! batches of ids when the provider has a bulk delete and batching is on (tencent-ssl
//! `DeleteCertificates`, two or more ids). The executor ([`crate::execute`]) carries it out;
//! a dry run, a plan file or a confirmation prompt can show it first.
//!
//! Whether a certificate is known to exist before its first attempt is part of the plan:
//! ids from arguments or stdin are not ([`Plan::from_ids`]); ids from a listing of this run,
//! or from a plan file a listing wrote ([`crate::planfile`]), are. It decides the lost-reply rule ([`crate::outcome::after_lost_reply`]).

use crate::provider::Provider;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// One certificate to delete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub id: String,
    /// The region it lives in, when the provider's ids are regional and it is known
    /// (alibaba-slb records from a listing); `None`: the run's region.
    pub region: Option<String>,
    /// It came from a listing or plan of this run (so it existed), rather than from
    /// arguments or stdin.
    pub known_to_exist: bool,
    /// For display only: what a listing said about it.
    pub name: Option<String>,
    pub domains: Vec<String>,
    pub not_after: Option<DateTime<Utc>>,
}

impl Target {
    /// An id from arguments or stdin: nothing more is known about it.
    pub fn given(id: impl Into<String>) -> Target {
        Target {
            id: id.into(),
            region: None,
            known_to_exist: false,
            name: None,
            domains: Vec::new(),
            not_after: None,
        }
    }

    /// A certificate a listing of this run returned.
    pub fn listed(cert: &crate::cert::Cert) -> Target {
        Target {
            id: cert.id.clone(),
            region: cert.region.clone(),
            known_to_exist: true,
            name: (!cert.name.is_empty()).then(|| cert.name.clone()),
            domains: cert.domains.clone(),
            not_after: cert.not_after.known(),
        }
    }
}

impl From<crate::planfile::Planned> for Target {
    /// A certificate of a checked plan file: a listing found it, so it is known to exist,
    /// in its own region.
    fn from(p: crate::planfile::Planned) -> Target {
        Target {
            id: p.id,
            region: p.region,
            known_to_exist: true,
            name: p.name,
            domains: p.domains,
            not_after: p.not_after,
        }
    }
}

/// One request's worth of targets (indexes into [`Plan::targets`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unit {
    One(usize),
    /// Targets of one region, sent in one bulk request.
    Batch(Vec<usize>),
}

/// The targets of a delete run and the requests that will carry them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub targets: Vec<Target>,
    pub units: Vec<Unit>,
    /// How long to wait for asynchronous deletions; `None`: report them pending at once.
    pub wait: Option<Duration>,
}

impl Plan {
    /// The plan for ids from arguments or stdin (already checked by [`crate::ids::collect`]),
    /// batched when `batch` is on and `provider` has a bulk delete.
    pub fn from_ids(
        provider: &dyn Provider,
        ids: Vec<String>,
        batch: bool,
        wait: Option<Duration>,
    ) -> Plan {
        Plan::new(
            provider,
            ids.into_iter().map(Target::given).collect(),
            batch,
            wait,
        )
    }

    /// The plan for these targets. Two or more targets, batching on and a provider with a
    /// bulk delete: batches of at most the provider's limit, each within one region, in the
    /// order the targets came; otherwise one unit per target.
    pub fn new(
        provider: &dyn Provider,
        targets: Vec<Target>,
        batch: bool,
        wait: Option<Duration>,
    ) -> Plan {
        let limit = provider
            .batch()
            .map(|b| b.batch_limit().max(1))
            .filter(|_| batch && targets.len() >= 2);
        let units = match limit {
            None => (0..targets.len()).map(Unit::One).collect(),
            Some(limit) => {
                // Regions in first-seen order, each chunked on its own.
                let mut regions: Vec<(Option<&str>, Vec<usize>)> = Vec::new();
                for (i, t) in targets.iter().enumerate() {
                    let region = t.region.as_deref();
                    match regions.iter_mut().find(|(r, _)| *r == region) {
                        Some((_, members)) => members.push(i),
                        None => regions.push((region, vec![i])),
                    }
                }
                regions
                    .iter()
                    .flat_map(|(_, members)| members.chunks(limit))
                    .map(|chunk| Unit::Batch(chunk.to_vec()))
                    .collect()
            }
        };
        Plan {
            targets,
            units,
            wait,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether any unit is a bulk request.
    pub fn batched(&self) -> bool {
        self.units.iter().any(|u| matches!(u, Unit::Batch(_)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::{self, Kind};
    use crate::settings::ProviderSettings;

    fn build(kind: Kind) -> Box<dyn Provider> {
        provider::build(&ProviderSettings::for_test(kind))
    }

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("id-{i}")).collect()
    }

    #[test]
    fn ids_from_input_are_not_known_to_exist_and_keep_their_order() {
        let plan = Plan::from_ids(build(Kind::VolcengineLive).as_ref(), ids(3), true, None);
        assert_eq!(plan.len(), 3);
        let got: Vec<&str> = plan.targets.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(got, ["id-0", "id-1", "id-2"]);
        assert!(plan.targets.iter().all(|t| !t.known_to_exist));
        // No bulk delete: one unit per id, even with batching on.
        assert_eq!(plan.units, [Unit::One(0), Unit::One(1), Unit::One(2)]);
        assert!(!plan.batched());
    }

    #[test]
    fn a_bulk_delete_batches_two_or_more_ids_up_to_its_limit() {
        let tencent = build(Kind::TencentSsl);
        let limit = tencent.batch().unwrap().batch_limit();
        let plan = Plan::from_ids(tencent.as_ref(), ids(limit + 5), true, None);
        assert_eq!(plan.units.len(), 2);
        assert_eq!(plan.units[0], Unit::Batch((0..limit).collect()));
        assert_eq!(plan.units[1], Unit::Batch((limit..limit + 5).collect()));
        assert!(plan.batched());
        // One id, or batching off: single requests.
        let one = Plan::from_ids(tencent.as_ref(), ids(1), true, None);
        assert_eq!(one.units, [Unit::One(0)]);
        let off = Plan::from_ids(tencent.as_ref(), ids(3), false, None);
        assert_eq!(off.units, [Unit::One(0), Unit::One(1), Unit::One(2)]);
        assert!(Plan::from_ids(tencent.as_ref(), Vec::new(), true, None).is_empty());
    }

    #[test]
    fn listed_targets_are_known_to_exist_and_batched_per_region() {
        use crate::cert::Cert;
        use crate::time::Expiry;
        let cert = |id: &str, region: &str| {
            let mut c = Cert::new(id);
            c.region = Some(region.into());
            c.name = format!("name of {id}");
            c.domains = vec![format!("{id}.example.com")];
            c
        };
        let mut a = cert("a", "r1");
        let at = DateTime::parse_from_rfc3339("2025-03-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        a.not_after = Expiry::Known(at);
        let certs = [a, cert("b", "r2"), cert("c", "r1")];
        let targets: Vec<Target> = certs.iter().map(Target::listed).collect();
        assert!(targets.iter().all(|t| t.known_to_exist));
        assert_eq!(targets[0].not_after, Some(at));
        assert_eq!(targets[1].not_after, None);
        assert_eq!(targets[0].name.as_deref(), Some("name of a"));
        assert_eq!(targets[1].region.as_deref(), Some("r2"));
        let plan = Plan::new(
            build(Kind::TencentSsl).as_ref(),
            targets,
            true,
            Some(Duration::from_secs(5)),
        );
        assert_eq!(plan.units, [Unit::Batch(vec![0, 2]), Unit::Batch(vec![1])]);
        assert_eq!(plan.wait, Some(Duration::from_secs(5)));
        // An unnamed listing record has no display name rather than an empty one.
        assert_eq!(Target::listed(&Cert::new("x")).name, None);
    }
}
