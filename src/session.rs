//! One run's setup, shared by `delete` and `list`: the transport, the one retrying
//! [`Sender`], the provider, the rate and concurrency, and the provider's preflight (huawei-scm
//! account id discovery through IAM, over the same sender).
//!
//! The transport is built here and nowhere else ([`Session::start`]). Starting a session
//! arms the run's [`Interrupt`]: from then on a SIGINT or SIGTERM no longer ends certdel at
//! once but stops the run cleanly, every id reported. A session hands out
//! its provider by region ([`Session::provider_for`]): a plan spanning regions (alibaba-slb
//! `delete --region all`) gets one provider per region, built the first time a region is
//! asked for, all sending through the one sender; products whose ids are not regional have
//! the one provider the settings describe. A session is cheap to clone (one shared
//! allocation), so the executor's workers can each hold it.

use crate::error::Error;
use crate::interrupt::Interrupt;
use crate::provider::{self, huawei_scm, Kind, Provider};
use crate::send::{End, Sender};
use crate::settings::{ProviderSettings, RunSettings};
use crate::transport::{HttpTransport, Transport};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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
    /// The settings after the preflight (what the providers are built from).
    settings: ProviderSettings,
    /// The run's provider (its own region).
    provider: Arc<dyn Provider>,
    /// Providers for the other regions of a plan, built when first asked for.
    regional: Mutex<HashMap<String, Arc<dyn Provider>>>,
    sender: Sender,
    rate: f64,
    concurrency: usize,
}

impl Session {
    /// Build the transport and the sender, then run the provider's preflight. An error means
    /// nothing of the run can be sent (the transport cannot be built; the account id cannot
    /// be found; credentials rejected or the endpoint unreachable during the preflight).
    /// Every request of the session heeds `interrupt`, which is armed here.
    pub async fn start(
        provider: &ProviderSettings,
        run: &RunSettings,
        purpose: Purpose,
        interrupt: &Interrupt,
    ) -> Result<Session, Error> {
        let transport = HttpTransport::new(run).map_err(Error::Io)?;
        Session::with_transport(provider, run, purpose, Arc::new(transport), interrupt).await
    }

    /// [`Session::start`] over a given transport (the executor's unit tests pass a scripted
    /// one).
    pub async fn with_transport(
        provider: &ProviderSettings,
        run: &RunSettings,
        purpose: Purpose,
        transport: Arc<dyn Transport>,
        interrupt: &Interrupt,
    ) -> Result<Session, Error> {
        interrupt.arm();
        let mut provider = provider.clone();
        // Rates never depend on what the preflight discovers.
        let pre = provider::build(&provider);
        let (default_rate, most) = match purpose {
            Purpose::Delete => (pre.default_rate(), 256),
            Purpose::List => (pre.list_rate(), 64),
        };
        let rate = run.rate.unwrap_or(default_rate);
        let sender = Sender::for_run(transport, rate, run).with_interrupt(interrupt.clone());
        resolve_domain_id(&sender, &mut provider).await?;
        let concurrency = run
            .concurrency
            .unwrap_or_else(|| (rate.ceil() as usize).clamp(4, most));
        Ok(Session {
            inner: Arc::new(Inner {
                provider: Arc::from(provider::build(&provider)),
                settings: provider,
                regional: Mutex::new(HashMap::new()),
                sender,
                rate,
                concurrency,
            }),
        })
    }

    pub fn kind(&self) -> Kind {
        self.inner.provider.kind()
    }

    /// The provider for certificates in `region` (`None`: the run's region). For products
    /// with regional ids (alibaba-slb) another region gets a provider of its own, with that
    /// region's parameter and endpoint ([`provider::in_region`]), built once per session;
    /// every other product's one provider serves every region.
    pub fn provider_for(&self, region: Option<&str>) -> Arc<dyn Provider> {
        let inner = &self.inner;
        let Some(region) = region.filter(|r| Some(*r) != inner.settings.region.as_deref()) else {
            return Arc::clone(&inner.provider);
        };
        let Some(settings) = provider::in_region(&inner.settings, region) else {
            return Arc::clone(&inner.provider);
        };
        let mut regional = inner
            .regional
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let built = regional
            .entry(region.to_string())
            .or_insert_with(|| Arc::from(provider::build(&settings)));
        Arc::clone(built)
    }

    /// The settings the session's providers were built from, after the preflight
    /// (huawei-scm: with the account id, given or discovered).
    pub fn settings(&self) -> &ProviderSettings {
        &self.inner.settings
    }

    /// The run's provider (its own region).
    pub fn provider(&self) -> &dyn Provider {
        self.inner.provider.as_ref()
    }

    /// The account the run's credentials belong to, when known: huawei-scm's domain id, as
    /// given or as the preflight discovered it; `None` for the other providers.
    pub fn account(&self) -> Option<&str> {
        self.inner.settings.domain_id.as_deref()
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
    const ACTION: &str = huawei_scm::DISCOVER_ACTION;
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
    use crate::settings::RunSettings;
    use crate::sign::Stamp;

    fn run_settings() -> RunSettings {
        RunSettings {
            rate: None,
            concurrency: None,
            max_retries: 0,
            timeout: std::time::Duration::from_secs(1),
            deadline: None,
            retry_timeout: std::time::Duration::from_secs(1),
            no_retry_delay: true,
            proxy: None,
            trust: crate::settings::Trust {
                extra: Vec::new(),
                platform: false,
            },
        }
    }

    #[tokio::test]
    async fn each_region_gets_its_own_provider_once() {
        let mut s = ProviderSettings::for_test(Kind::AlibabaSlb);
        s.region = Some("cn-hangzhou".into());
        s.endpoint = crate::provider::alibaba_slb::default_endpoint("cn-hangzhou");
        let session = Session::start(
            &s,
            &run_settings(),
            Purpose::Delete,
            &crate::interrupt::Interrupt::new(),
        )
        .await
        .unwrap();
        let target = |p: &dyn Provider| {
            let req = p.delete_request("c_1", &Stamp::now());
            (req.host.clone(), req.target())
        };
        let own = (
            "slb.aliyuncs.com".to_string(),
            "/?RegionId=cn-hangzhou&ServerCertificateId=c_1".to_string(),
        );
        assert_eq!(target(session.provider()), own);
        assert_eq!(target(session.provider_for(None).as_ref()), own);
        assert_eq!(
            target(session.provider_for(Some("cn-hangzhou")).as_ref()),
            own
        );
        let eu = session.provider_for(Some("eu-central-1"));
        assert_eq!(
            target(eu.as_ref()),
            (
                "slb.eu-central-1.aliyuncs.com".to_string(),
                "/?RegionId=eu-central-1&ServerCertificateId=c_1".to_string()
            )
        );
        // Built once, then handed out again.
        assert!(Arc::ptr_eq(
            &eu,
            &session.provider_for(Some("eu-central-1"))
        ));

        // Ids that are not regional: one provider for every region.
        let tc = ProviderSettings::for_test(Kind::TencentSsl);
        let session = Session::start(
            &tc,
            &run_settings(),
            Purpose::Delete,
            &crate::interrupt::Interrupt::new(),
        )
        .await
        .unwrap();
        assert!(Arc::ptr_eq(
            &session.provider_for(Some("ap-guangzhou")),
            &session.provider_for(None)
        ));
    }
}
