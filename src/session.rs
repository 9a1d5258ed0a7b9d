//! One run's setup, shared by `delete` and `list`: the transport, the one retrying
//! [`Sender`], the provider, the rate and concurrency, and the provider's preflight (huawei-scm
//! account id discovery through IAM, over the same sender).
//!
//! The transport is built here and nowhere else ([`Session::start`]). A session hands out
//! its provider by region ([`Session::provider_for`]): alibaba-slb, whose ids live in one
//! region each, gets a provider for every region the settings name (`regions`: the regions a
//! listing walks, or those of a plan file's certificates), each sending to its region's
//! endpoint (or to `--endpoint`), so that one run can delete across regions. A session is
//! cheap to clone (one shared allocation), so the executor's workers can each hold it.

use crate::error::Error;
use crate::provider::{self, huawei_scm, Kind, Provider};
use crate::send::{End, Sender};
use crate::settings::{ProviderSettings, RunSettings};
use crate::transport::{HttpTransport, Transport};
use std::sync::Arc;

/// What the session is for: its default rate and concurrency differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Deletes: the provider's documented delete quota, up to 256 requests in flight.
    Delete,
    /// Listing pages: the list call's quota, up to 64 requests in flight.
    List,
}

#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

struct Inner {
    /// The settings after the preflight (huawei-scm: with the account id it found).
    settings: ProviderSettings,
    provider: Box<dyn Provider>,
    /// alibaba-slb: one provider per region of `settings.regions` besides the run's own.
    regional: Vec<(String, Box<dyn Provider>)>,
    sender: Sender,
    rate: f64,
    concurrency: usize,
}

impl Session {
    /// Build the transport and the sender, then run the provider's preflight. An error means
    /// nothing of the run can be sent (the transport cannot be built; the account id cannot
    /// be found; credentials rejected or the endpoint unreachable during the preflight).
    pub async fn start(
        provider: &ProviderSettings,
        run: &RunSettings,
        purpose: Purpose,
    ) -> Result<Session, Error> {
        let transport = HttpTransport::new(run).map_err(Error::Io)?;
        Session::with_transport(provider, run, purpose, Arc::new(transport)).await
    }

    /// [`Session::start`] over a given transport (the executor's unit tests pass a scripted
    /// one).
    pub async fn with_transport(
        provider: &ProviderSettings,
        run: &RunSettings,
        purpose: Purpose,
        transport: Arc<dyn Transport>,
    ) -> Result<Session, Error> {
        let mut provider = provider.clone();
        // Rates never depend on what the preflight discovers.
        let pre = provider::build(&provider);
        let (default_rate, most) = match purpose {
            Purpose::Delete => (pre.default_rate(), 256),
            Purpose::List => (pre.list_rate(), 64),
        };
        let rate = run.rate.unwrap_or(default_rate);
        let sender = Sender::for_run(transport, rate, run);
        resolve_domain_id(&sender, &mut provider).await?;
        let concurrency = run
            .concurrency
            .unwrap_or_else(|| (rate.ceil() as usize).clamp(4, most));
        let regional = match provider.kind {
            Kind::AlibabaSlb => provider
                .regions
                .iter()
                .filter(|r| provider.region.as_ref() != Some(*r))
                .map(|r| (r.clone(), provider::build(&provider.in_region(r))))
                .collect(),
            _ => Vec::new(),
        };
        Ok(Session {
            inner: Arc::new(Inner {
                provider: provider::build(&provider),
                settings: provider,
                regional,
                sender,
                rate,
                concurrency,
            }),
        })
    }

    pub fn kind(&self) -> Kind {
        self.inner.provider.kind()
    }

    /// The provider for certificates in `region` (`None`: the run's region). alibaba-slb: the
    /// provider of that region, which the settings' `regions` must name (a plan's regions
    /// are put there before the session starts); every other provider has one for all.
    pub fn provider_for(&self, region: Option<&str>) -> &dyn Provider {
        let found = region.and_then(|r| {
            self.inner
                .regional
                .iter()
                .find(|(name, _)| name == r)
                .map(|(_, p)| p.as_ref())
        });
        debug_assert!(
            found.is_some()
                || region.is_none()
                || self.inner.settings.kind != Kind::AlibabaSlb
                || region == self.inner.settings.region.as_deref(),
            "alibaba-slb: no provider for region {region:?}"
        );
        found.unwrap_or(self.inner.provider.as_ref())
    }

    /// The settings the session's providers were built from, after the preflight
    /// (huawei-scm: with the account id, given or discovered).
    pub fn settings(&self) -> &ProviderSettings {
        &self.inner.settings
    }

    /// The run's provider (its own region).
    pub fn provider(&self) -> &dyn Provider {
        self.provider_for(None)
    }

    /// The one sender every request of the run goes through.
    pub fn sender(&self) -> &Sender {
        &self.inner.sender
    }

    /// Requests per second (`--rate`, or the provider's quota for the purpose).
    pub fn rate(&self) -> f64 {
        self.inner.rate
    }

    /// Most requests in flight (`--concurrency`, or enough to reach the rate).
    pub fn concurrency(&self) -> usize {
        self.inner.concurrency
    }
}

/// huawei-scm: make sure the account (domain) id is known, discovering it when unset —
/// through the run's sender, so the lookup is paced, retried and bounded by `--deadline`
/// like every other request.
async fn resolve_domain_id(sender: &Sender, settings: &mut ProviderSettings) -> Result<(), Error> {
    if settings.kind == Kind::HuaweiScm && settings.domain_id.is_none() {
        settings.domain_id = Some(discover_domain_id(sender, settings).await?);
    }
    Ok(())
}

async fn discover_domain_id(sender: &Sender, settings: &ProviderSettings) -> Result<String, Error> {
    const ACTION: &str =
        "discover account (domain) id via IAM; set HUAWEICLOUD_SDK_DOMAIN_ID to skip";
    let tried = sender
        .exchange(
            "huawei-scm",
            ACTION,
            None,
            |stamp| {
                huawei_scm::discover_request(&settings.iam_endpoint, &settings.credentials, stamp)
            },
            huawei_scm::discover_answer,
        )
        .await;
    let failure = tried.failure().unwrap_or_default();
    match tried.end {
        End::Ok(id) => Ok(id),
        // Rejected credentials or an unreachable IAM: the sender recorded why.
        End::Aborted(_) | End::NoReply(_) if sender.stopped().is_some() => {
            Err(sender.take_stop().expect("a stopped sender has a reason"))
        }
        End::Done(_) | End::Aborted(_) => Err(Error::Rejected {
            provider: "huawei-scm",
            action: ACTION,
            message: failure,
        }),
        End::Throttled(_) | End::Transient(_) | End::NoReply(_) | End::Stopped(_) => {
            Err(Error::Unreachable {
                provider: "huawei-scm",
                action: ACTION,
                message: failure,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{Endpoint, Trust};
    use crate::sign::Stamp;
    use crate::transport::testing::Scripted;
    use std::time::Duration;

    fn run() -> RunSettings {
        RunSettings {
            rate: Some(10.0),
            concurrency: None,
            max_retries: 0,
            timeout: Duration::from_secs(30),
            deadline: None,
            retry_timeout: Duration::from_secs(45),
            no_retry_delay: false,
            proxy: None,
            trust: Trust::default(),
        }
    }

    async fn session(settings: &ProviderSettings) -> Session {
        let nothing = Arc::new(Scripted::new(Vec::new()));
        Session::with_transport(settings, &run(), Purpose::Delete, nothing)
            .await
            .expect("no preflight for alibaba-slb")
    }

    /// Where a delete of `id` through `provider` goes: host and RegionId.
    fn delete_goes_to(provider: &dyn Provider) -> (String, String) {
        let stamp = Stamp {
            time: chrono::DateTime::UNIX_EPOCH,
            nonce: "n".into(),
        };
        let req = provider.delete_request("id-1", &stamp);
        let region = req
            .query
            .iter()
            .find(|(k, _)| k == "RegionId")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        (req.host, region)
    }

    #[tokio::test]
    async fn alibaba_slb_has_a_provider_per_region_of_the_settings() {
        let mut settings = ProviderSettings::for_test(Kind::AlibabaSlb);
        settings.region = Some("cn-hangzhou".into());
        settings.endpoint = crate::provider::alibaba_slb::default_endpoint("cn-hangzhou");
        settings.regions = vec!["cn-hangzhou".into(), "eu-central-1".into()];
        let s = session(&settings).await;
        assert_eq!(
            delete_goes_to(s.provider_for(Some("eu-central-1"))),
            (
                "slb.eu-central-1.aliyuncs.com".into(),
                "eu-central-1".into()
            )
        );
        assert_eq!(
            delete_goes_to(s.provider_for(Some("cn-hangzhou"))),
            ("slb.aliyuncs.com".into(), "cn-hangzhou".into())
        );
        assert_eq!(
            delete_goes_to(s.provider()),
            ("slb.aliyuncs.com".into(), "cn-hangzhou".into())
        );
        // With --endpoint every region goes there, each with its own RegionId.
        settings.custom_endpoint = true;
        settings.endpoint = Endpoint {
            scheme: "http".into(),
            host: "127.0.0.1:9".into(),
        };
        let s = session(&settings).await;
        assert_eq!(
            delete_goes_to(s.provider_for(Some("eu-central-1"))),
            ("127.0.0.1:9".into(), "eu-central-1".into())
        );
        // The settings after the preflight are the session's.
        assert_eq!(s.settings().regions, settings.regions);
    }
}
