//! One run's setup, shared by `delete`, `list` and `whoami`: the transport, the one retrying
//! [`Sender`], the provider, the rate and concurrency, and the preflight over the same sender:
//! the account identity call ([`crate::provider::identity`]) when the run needs it — `whoami`,
//! a run told `--expect-account` (a mismatch ends it before anything else is sent), and
//! huawei-scm without `HUAWEICLOUD_SDK_DOMAIN_ID`, whose IAM domain lookup is its identity
//! call.
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
use crate::provider::identity::{self, Identity, Vendor};
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
    /// `whoami`: the identity call only (at the list call's quota).
    Identity,
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
    /// Who the vendor says the credentials are, when the preflight asked.
    identity: Option<Identity>,
}

impl Session {
    /// Build the transport and the sender, then run the preflight. An error means nothing of
    /// the run can be sent (the transport cannot be built; the account id cannot be found;
    /// credentials rejected or the identity endpoint unreachable during the preflight; the
    /// credentials belong to another account than `--expect-account` names).
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
            Purpose::List | Purpose::Identity => (pre.list_rate(), 64),
        };
        let rate = run.rate.unwrap_or(default_rate);
        let sender = Sender::for_run(transport, rate, run).with_interrupt(interrupt.clone());
        let identity = preflight(&sender, &mut provider, purpose).await?;
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
                identity,
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

    /// The account the run's credentials belong to, when known: the one the identity call
    /// named (whoami, `--expect-account`), else huawei-scm's domain id as given; `None` when
    /// nobody asked.
    pub fn account(&self) -> Option<&str> {
        match &self.inner.identity {
            Some(identity) => Some(&identity.account_id),
            None => self.inner.settings.domain_id(),
        }
    }

    /// Who the vendor said the credentials are, when the preflight made the identity call.
    pub fn identity(&self) -> Option<&Identity> {
        self.inner.identity.as_ref()
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

/// The preflight: the identity call when the run needs it (`whoami`, `--expect-account`, or
/// huawei-scm's domain id unknown), the account checked against `--expect-account`, and
/// huawei-scm's domain id filled in from it when it was not given.
async fn preflight(
    sender: &Sender,
    settings: &mut ProviderSettings,
    purpose: Purpose,
) -> Result<Option<Identity>, Error> {
    let huawei_lookup = settings.kind() == Kind::HuaweiScm && settings.domain_id().is_none();
    let wanted = purpose == Purpose::Identity || settings.expect_account.is_some();
    if !wanted && !huawei_lookup {
        return Ok(None);
    }
    // Only the domain-id lookup can be skipped by giving the id.
    let action = match settings.kind() {
        Kind::HuaweiScm if !wanted => huawei_scm::DISCOVER_ACTION,
        Kind::HuaweiScm => "identify the account via IAM (GET /v3/auth/domains)",
        _ => identity::ACTION,
    };
    let found = identify(sender, settings, action).await?;
    if huawei_lookup {
        settings.set_domain_id(Some(found.account_id.clone()));
    }
    if let Some(expected) = &settings.expect_account {
        if expected.id != found.account_id {
            return Err(Error::WrongAccount {
                provider: settings.kind().name(),
                actual: found.account_id,
                expected: expected.id.clone(),
                from: expected.from.clone(),
            });
        }
    }
    Ok(Some(found))
}

/// One identity call through the run's sender (paced, retried, bounded by `--deadline` and
/// `--retry-timeout` like every other request). An unreachable identity endpoint is named in
/// the error: it is not the endpoint the product's calls go to.
pub async fn identify(
    sender: &Sender,
    settings: &ProviderSettings,
    action: &'static str,
) -> Result<Identity, Error> {
    let provider = settings.kind().name();
    let vendor = Vendor::of(settings.kind());
    let tried = sender
        .exchange(
            provider,
            action,
            None,
            |stamp| identity::identity_request(settings, stamp),
            |reply| identity::identity_answer(vendor, reply),
        )
        .await;
    let failure = tried.failure().unwrap_or_default();
    let host = &settings.identity_endpoint.host;
    let unreachable = |message: String| Error::Unreachable {
        provider,
        action,
        message: format!("cannot reach {host}: {message}"),
    };
    match tried.end {
        End::Ok(found) => Ok(found),
        // Rejected credentials or an unreachable endpoint: the sender recorded why.
        End::Aborted(_) | End::NoReply(_) if sender.stopped().is_some() => {
            match sender.take_stop().expect("a stopped sender has a reason") {
                Error::Unreachable { message, .. } => Err(unreachable(message)),
                e => Err(e),
            }
        }
        End::Done(_) | End::Aborted(_) => Err(Error::Rejected {
            provider,
            action,
            message: failure,
        }),
        End::Throttled(_) | End::Transient(_) | End::NoReply(_) => Err(unreachable(failure)),
        // Interrupted, or out of time before an answer.
        End::Stopped(_) => Err(Error::Unreachable {
            provider,
            action,
            message: failure,
        }),
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

    use crate::settings::ExpectedAccount;
    use crate::transport::testing::{Scripted, Step};

    fn tencent_identity(account: &str) -> Step {
        Step::body(
            200,
            &format!(
                r#"{{"Response":{{"AccountId":"{account}","Arn":"qcs::cam::uin/{account}:uin/7","Type":"CAMUser","RequestId":"r"}}}}"#
            ),
        )
    }

    async fn start_with(
        settings: &ProviderSettings,
        purpose: Purpose,
        steps: Vec<Step>,
    ) -> (Result<Session, Error>, Arc<Scripted>) {
        let scripted = Arc::new(Scripted::new(steps));
        let started = Session::with_transport(
            settings,
            &run_settings(),
            purpose,
            scripted.clone(),
            &crate::interrupt::Interrupt::new(),
        )
        .await;
        (started, scripted)
    }

    fn expecting(kind: Kind, id: &str) -> ProviderSettings {
        let mut s = ProviderSettings::for_test(kind);
        s.expect_account = Some(ExpectedAccount {
            id: id.into(),
            from: "--expect-account".into(),
        });
        s
    }

    #[tokio::test]
    async fn without_an_expected_account_nothing_is_asked() {
        let mut s = ProviderSettings::for_test(Kind::TencentSsl);
        s.set_domain_id(None);
        let (started, scripted) = start_with(&s, Purpose::Delete, vec![]).await;
        let session = started.unwrap();
        assert_eq!(scripted.calls(), 0);
        assert!(session.identity().is_none());
        assert_eq!(session.account(), None);
    }

    #[tokio::test]
    async fn the_expected_account_is_checked_with_one_identity_call() {
        let s = expecting(Kind::TencentSsl, "1000262");
        let (started, scripted) =
            start_with(&s, Purpose::Delete, vec![tencent_identity("1000262")]).await;
        let session = started.unwrap();
        let sent = scripted.requests();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].host, "sts.example.invalid");
        assert_eq!(
            sent[0].header_value("X-TC-Action"),
            Some("GetCallerIdentity")
        );
        assert_eq!(session.account(), Some("1000262"));
        assert_eq!(
            session.identity().unwrap().principal.as_deref(),
            Some("qcs::cam::uin/1000262:uin/7")
        );
    }

    #[tokio::test]
    async fn another_account_is_refused_naming_both() {
        let s = expecting(Kind::TencentSsl, "222");
        let (started, scripted) =
            start_with(&s, Purpose::List, vec![tencent_identity("111")]).await;
        let e = started.err().expect("refused");
        assert!(matches!(&e, Error::WrongAccount { actual, .. } if actual == "111"));
        assert_eq!(
            e.to_string(),
            "tencent-ssl: refusing to run: the credentials belong to account 111, --expect-account says 222"
        );
        assert_eq!(scripted.calls(), 1, "only the identity call");
    }

    #[tokio::test]
    async fn rejected_credentials_stop_the_preflight() {
        let s = expecting(Kind::TencentSsl, "1");
        let rejected = Step::body(
            200,
            r#"{"Response":{"Error":{"Code":"AuthFailure.SecretIdNotFound","Message":"no such key"},"RequestId":"r"}}"#,
        );
        let (started, scripted) = start_with(&s, Purpose::Identity, vec![rejected]).await;
        let e = started.err().expect("rejected");
        assert!(matches!(e, Error::Rejected { .. }), "{e:?}");
        assert!(
            e.to_string().contains("AuthFailure.SecretIdNotFound"),
            "{e}"
        );
        assert_eq!(scripted.calls(), 1, "an Abort is not retried");
    }

    #[tokio::test]
    async fn an_unreachable_identity_endpoint_is_named() {
        let mut s = ProviderSettings::for_test(Kind::VolcengineLive);
        s.identity_endpoint = crate::endpoint::Endpoint::https("sts.unreachable.invalid");
        let steps = (0..3).map(|_| Step::fail("cannot connect: refused", false));
        let (started, _) = start_with(&s, Purpose::Identity, steps.collect()).await;
        let e = started.err().expect("unreachable");
        assert!(matches!(e, Error::Unreachable { .. }), "{e:?}");
        let shown = e.to_string();
        assert!(
            shown.starts_with(
                "volcengine-live: GetCallerIdentity: cannot reach sts.unreachable.invalid: "
            ),
            "{shown}"
        );
    }

    #[tokio::test]
    async fn huawei_domain_lookup_is_the_identity_call() {
        let domains = || {
            Step::body(
                200,
                r#"{"domains":[{"id":"d0m41n","name":"acme","enabled":true}]}"#,
            )
        };
        // Domain id unknown and an account expected: one lookup does both.
        let mut s = expecting(Kind::HuaweiScm, "d0m41n");
        s.set_domain_id(None);
        let (started, scripted) = start_with(&s, Purpose::Delete, vec![domains()]).await;
        let session = started.unwrap();
        assert_eq!(scripted.calls(), 1);
        assert_eq!(scripted.requests()[0].target(), "/v3/auth/domains");
        assert_eq!(session.settings().domain_id(), Some("d0m41n"));
        assert_eq!(
            session.identity().unwrap().account_name.as_deref(),
            Some("acme")
        );
        // A given domain id is not what the credentials prove: the lookup is made, and its
        // answer compared.
        let s = expecting(Kind::HuaweiScm, "domainid123");
        let (started, scripted) = start_with(&s, Purpose::Delete, vec![domains()]).await;
        let e = started.err().expect("refused");
        assert_eq!(scripted.calls(), 1);
        assert!(e.to_string().contains("belong to account d0m41n"), "{e}");
        // Neither: no call (the domain id is given).
        let (started, scripted) = start_with(
            &ProviderSettings::for_test(Kind::HuaweiScm),
            Purpose::Delete,
            vec![],
        )
        .await;
        assert_eq!(started.unwrap().account(), Some("domainid123"));
        assert_eq!(scripted.calls(), 0);
    }
}
