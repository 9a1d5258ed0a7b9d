//! Ids given to `delete`, resolved against a complete listing of this run (read calls only):
//! which listed certificate each id names, in which region, and whether the listing says it
//! is in use. Pure: the listing is walked by [`crate::list`], the outcomes go to the sinks.
//!
//! - A dry run (`delete --dry-run`) reports what it finds ([`dry_run`]): `would_delete`,
//!   `not_found`, `in_use`; a listing that could not be completed tells nothing about any id
//!   ([`could_not_tell`]).
//! - alibaba-slb deleting across regions (`--region all`, or several `--region`) sends each
//!   id to the region the listing found it in, and sends nothing for an id no region lists
//!   ([`locate`]).
//!
//! Ids are matched exactly as the listing reports them, in the provider's comparison form
//! ([`Provider::id_key`]: alibaba-cas ids are integers, so `007` is certificate `7`).

use crate::cert::Cert;
use crate::error::Error;
use crate::outcome::{Outcome, Status};
use crate::plan::Target;
use crate::provider::Provider;
use std::collections::HashMap;

/// What `would_delete` says when the list API does not report whether a certificate is in use
/// (today every provider's): only the delete request would find out.
pub const IN_USE_UNKNOWN: &str = "in-use state unknown until the delete request";

/// A listing's certificates by the provider's comparison form of their ids.
pub struct Index<'a> {
    provider: &'a dyn Provider,
    by_key: HashMap<String, &'a Cert>,
}

impl<'a> Index<'a> {
    pub fn new(provider: &'a dyn Provider, certs: &'a [Cert]) -> Index<'a> {
        let mut by_key = HashMap::with_capacity(certs.len());
        for c in certs {
            // The listing is deduplicated by id already; the first record of a key wins.
            by_key.entry(provider.id_key(&c.id)).or_insert(c);
        }
        Index { provider, by_key }
    }

    /// The listed certificate `id` names, if any.
    pub fn find(&self, id: &str) -> Option<&'a Cert> {
        self.by_key.get(&self.provider.id_key(id)).copied()
    }
}

/// The dry run's outcome for each target, in order: `would_delete` when listed and not known
/// to be in use (the message says when the listing cannot tell), `in_use` when the listing
/// says so, `not_found` when no record has the id. Nothing was sent for any of them.
pub fn dry_run(provider: &dyn Provider, targets: &[Target], certs: &[Cert]) -> Vec<Outcome> {
    let name = provider.kind().name();
    let index = Index::new(provider, certs);
    targets
        .iter()
        .map(|t| {
            let Some(cert) = index.find(&t.id) else {
                let hint = provider
                    .not_found_hint()
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                return Outcome::new(name, t.id.clone(), Status::NotFound).message(format!(
                    "not in the listing: no such certificate (nothing was sent){hint}"
                ));
            };
            // A target bound to a region (a plan's alibaba-slb entry) is deleted there only.
            if let (Some(want), Some(got)) = (&t.region, &cert.region) {
                if want != got {
                    return Outcome::new(name, t.id.clone(), Status::NotFound).message(format!(
                        "not in {want}, where the plan puts it (listed in {got}; nothing was sent)"
                    ));
                }
            }
            let listed = match &cert.region {
                Some(r) => format!("listed in {r}"),
                None => "listed".to_string(),
            };
            match cert.in_use {
                Some(true) => Outcome::new(name, t.id.clone(), Status::InUse)
                    .message(format!("{listed}; the listing says it is in use")),
                Some(false) => Outcome::new(name, t.id.clone(), Status::WouldDelete)
                    .message(format!("{listed}; not in use")),
                None => Outcome::new(name, t.id.clone(), Status::WouldDelete).message(format!(
                    "{listed}; {IN_USE_UNKNOWN} (the list API does not report it)"
                )),
            }
        })
        .collect()
}

/// The listing could not be completed (`why`): whether any id exists cannot be told, so every
/// target is `failed`, saying why.
pub fn could_not_tell(provider: &'static str, targets: &[Target], why: &Error) -> Vec<Outcome> {
    let why = why.to_string();
    // The error already says "listing incomplete: …"; say it once.
    let detail = match why.split_once("listing incomplete: ") {
        Some((_, rest)) => rest.to_string(),
        None => why,
    };
    targets
        .iter()
        .map(|t| {
            Outcome::new(provider, t.id.clone(), Status::Failed)
                .message(format!("could not tell: listing incomplete ({detail})"))
        })
        .collect()
}

/// Split `targets` by a listing over every region the run covers: the ids found, each with
/// the region the listing found it in and known to exist (what to delete, as given), and a
/// `not_found` outcome for each id no region lists (nothing will be sent for it).
pub fn locate(
    provider: &dyn Provider,
    targets: Vec<Target>,
    certs: &[Cert],
    regions: usize,
) -> (Vec<Target>, Vec<Outcome>) {
    let name = provider.kind().name();
    let index = Index::new(provider, certs);
    let mut found = Vec::with_capacity(targets.len());
    let mut missing = Vec::new();
    for t in targets {
        match index.find(&t.id) {
            Some(cert) => found.push(Target {
                id: t.id,
                ..Target::listed(cert)
            }),
            None => missing.push(Outcome::new(name, t.id, Status::NotFound).message(format!(
                "listed in none of the {regions} region{} (no delete was sent)",
                if regions == 1 { "" } else { "s" }
            ))),
        }
    }
    (found, missing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::config::{CasTarget, ProviderSettings};
    use crate::provider::{self, Kind};

    fn build(kind: Kind) -> Box<dyn Provider> {
        provider::build(&ProviderSettings::for_test(kind))
    }

    fn cert(id: &str, region: Option<&str>, in_use: Option<bool>) -> Cert {
        let mut c = Cert::new(id);
        c.region = region.map(str::to_string);
        c.in_use = in_use;
        c
    }

    fn given(ids: &[&str]) -> Vec<Target> {
        ids.iter().map(|i| Target::given(*i)).collect()
    }

    #[test]
    fn a_cas_dry_run_not_found_points_at_the_other_target() {
        let mut settings = ProviderSettings::for_test(Kind::AlibabaCas);
        settings.set_cas_target(CasTarget::Orders);
        let p = provider::build(&settings);
        let got = dry_run(p.as_ref(), &given(&["42"]), &[]);
        assert_eq!(got[0].outcome, Status::NotFound);
        assert_eq!(
            got[0].message.as_deref(),
            Some(
                "not in the listing: no such certificate (nothing was sent); not found as an \
                 order (--target orders); if this is a certificate id from `list --target \
                 certificates`, pass --target certificates"
            )
        );
        // Other providers say only what is so.
        let t = build(Kind::TencentSsl);
        assert_eq!(
            dry_run(t.as_ref(), &given(&["x"]), &[])[0]
                .message
                .as_deref(),
            Some("not in the listing: no such certificate (nothing was sent)")
        );
    }

    #[test]
    fn a_dry_run_of_a_plan_entry_looks_only_in_its_region() {
        let p = build(Kind::AlibabaSlb);
        let certs = [cert("s1", Some("cn-hangzhou"), None)];
        let mut here = Target::given("s1");
        here.region = Some("cn-hangzhou".into());
        let mut elsewhere = Target::given("s1");
        elsewhere.region = Some("cn-shanghai".into());
        let got = dry_run(p.as_ref(), &[here, elsewhere], &certs);
        assert_eq!(got[0].outcome, Status::WouldDelete);
        assert_eq!(got[1].outcome, Status::NotFound);
        assert_eq!(
            got[1].message.as_deref(),
            Some("not in cn-shanghai, where the plan puts it (listed in cn-hangzhou; nothing was sent)")
        );
    }

    #[test]
    fn a_dry_run_reports_each_id_against_the_listing() {
        let p = build(Kind::TencentSsl);
        let certs = [
            cert("a", None, None),
            cert("b", None, Some(true)),
            cert("c", None, Some(false)),
        ];
        let got = dry_run(p.as_ref(), &given(&["c", "x", "a", "b", "A"]), &certs);
        let statuses: Vec<(&str, Status)> =
            got.iter().map(|o| (o.id.as_str(), o.outcome)).collect();
        assert_eq!(
            statuses,
            [
                ("c", Status::WouldDelete),
                ("x", Status::NotFound),
                ("a", Status::WouldDelete),
                ("b", Status::InUse),
                // Exact match: another case is another id.
                ("A", Status::NotFound),
            ]
        );
        assert_eq!(got[0].message.as_deref(), Some("listed; not in use"));
        assert_eq!(
            got[2].message.as_deref(),
            Some("listed; in-use state unknown until the delete request (the list API does not report it)")
        );
        assert!(got[3].message.as_deref().unwrap().contains("in use"));
        assert!(got
            .iter()
            .all(|o| o.attempts == 0 && o.provider == "tencent-ssl"));
    }

    #[test]
    fn alibaba_cas_ids_match_as_integers() {
        let mut s = ProviderSettings::for_test(Kind::AlibabaCas);
        s.set_cas_target(CasTarget::Certificates);
        let p = provider::build(&s);
        let certs = [cert("12345", None, None)];
        let got = dry_run(p.as_ref(), &given(&["012345", "12345", "1234"]), &certs);
        let statuses: Vec<Status> = got.iter().map(|o| o.outcome).collect();
        assert_eq!(
            statuses,
            [Status::WouldDelete, Status::WouldDelete, Status::NotFound]
        );
        // Reported under the id as given.
        assert_eq!(got[0].id, "012345");
        // Elsewhere ids are strings: leading zeros are part of the id.
        let tc = build(Kind::TencentSsl);
        let got = dry_run(tc.as_ref(), &given(&["012345"]), &certs);
        assert_eq!(got[0].outcome, Status::NotFound);
    }

    #[test]
    fn an_incomplete_listing_tells_nothing_about_any_id() {
        let why = Error::Rejected {
            provider: "huawei-scm",
            action: "list",
            message: "listing incomplete: ListCertificates page 2: HTTP 503 (after 2 attempts)"
                .into(),
        };
        let got = could_not_tell("huawei-scm", &given(&["a", "b"]), &why);
        assert_eq!(got.len(), 2);
        for o in &got {
            assert_eq!(o.outcome, Status::Failed);
            assert_eq!(
                o.message.as_deref(),
                Some("could not tell: listing incomplete (ListCertificates page 2: HTTP 503 (after 2 attempts))")
            );
        }
        let other = Error::Io("transport: no".into());
        let got = could_not_tell("huawei-scm", &given(&["a"]), &other);
        assert_eq!(
            got[0].message.as_deref(),
            Some("could not tell: listing incomplete (transport: no)")
        );
    }

    #[test]
    fn locate_finds_each_id_in_its_region_and_sends_nothing_for_the_rest() {
        let p = build(Kind::AlibabaSlb);
        let mut listed = cert("s-2", Some("eu-central-1"), None);
        listed.name = "two".into();
        let certs = [cert("s-1", Some("cn-hangzhou"), None), listed];
        let (found, missing) = locate(p.as_ref(), given(&["s-2", "s-9", "s-1"]), &certs, 3);
        let got: Vec<(&str, Option<&str>, bool)> = found
            .iter()
            .map(|t| (t.id.as_str(), t.region.as_deref(), t.known_to_exist))
            .collect();
        assert_eq!(
            got,
            [
                ("s-2", Some("eu-central-1"), true),
                ("s-1", Some("cn-hangzhou"), true)
            ]
        );
        assert_eq!(found[0].name.as_deref(), Some("two"));
        assert_eq!(missing.len(), 1);
        assert_eq!(
            (
                missing[0].id.as_str(),
                missing[0].outcome,
                missing[0].attempts
            ),
            ("s-9", Status::NotFound, 0)
        );
        assert_eq!(
            missing[0].message.as_deref(),
            Some("listed in none of the 3 regions (no delete was sent)")
        );
    }
}
