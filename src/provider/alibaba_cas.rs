//! alibaba-cas: Alibaba Cloud Certificate Management Service (SSL Certificates), API 2020-04-07.
//!
//! - Docs: CAS "DeleteCertificateRequest", "DeleteUserCertificate", "ListUserCertificateOrder",
//!   CAS quota page; SDK `alibabacloud-cas20200407` (endpoint map).
//! - Endpoint: Alibaba's published SSL-certificate endpoints ([`SITES`]): `cas.aliyuncs.com`
//!   (the China site; default region `cn-hangzhou`), `cas.ap-southeast-1.aliyuncs.com` (the
//!   international site), `cas.eu-central-1.aliyuncs.com`; any other region is refused
//!   ([`default_endpoint`]). No `RegionId` parameter.
//! - Two delete targets, chosen with `--target`:
//!   - `orders` (default): `DeleteCertificateRequest(OrderId)` — failed or cancelled DV
//!     application orders only. Quota 10 requests/s.
//!   - `certificates`: `DeleteUserCertificate(CertId)` — expired, revoked or uploaded
//!     certificates. Quota 100 requests/s.
//!
//!   Both ids are 64-bit integers.
//! - List: `ListUserCertificateOrder(OrderType, Status, CurrentPage, ShowSize)` →
//!   `TotalCount`, `CertificateOrderList[]` (flat). The same `--target` picks what is listed:
//!   - `certificates`: `OrderType=CERT` (issued and uploaded). With `Status` empty the API
//!     returns only *valid* certificates (issued or about to expire), so certdel also runs
//!     `Status=EXPIRED` and merges by `CertificateId`. `REVOKED` is not asked for: the
//!     reference documents it (like `PAYED`, `CHECKING`, `CHECKED_FAIL`, `NOTACTIVATED`) as
//!     valid only with `OrderType` CPACK or BUY ("REVOKED:吊销完成,当 OrderType=CPACK 或者 BUY
//!     有效", ListUserCertificateOrder, help.aliyun.com/document_detail/455804.html), so
//!     revoked certificates are not listed by this target. Records: id
//!     `CertificateId`, name `Name`, domains `CommonName` then `Sans` (comma-separated),
//!     expiry `EndDate` (a date: the end of that day in UTC+8, see [`crate::time`]).
//!   - `orders`: `OrderType=CPACK` and `OrderType=BUY` (empty `Status` = every order).
//!     Records: id `OrderId`, name `InstanceId`, domains `Domain`, expiry `CertEndTime`
//!     (epoch ms), status `Status`.
//!
//!   Nothing is filtered on the server: `Keyword` searches domains or resource ids in ways
//!   the reference does not pin down. Quota 10 requests/s.
//! - Signing: [`crate::sign::acs3`] via [`super::alibaba`].

use super::config::{self, Location, ProviderChoice, RegionDefault, Specific};
use super::{
    alibaba, check_common, count_field, id_field, malformed_list, str_field, text_field, Answer,
    Class, Kind, ListQuery, Page, Provider, Reply,
};
use crate::cert::{domain_list, Cert, Filter};
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::outcome::Status;
use crate::provider::config::ProviderSettings;
use crate::secret::Credentials;
use crate::sign::Stamp;
use crate::wire::Request;
use serde_json::Value;

pub const VERSION: &str = "2020-04-07";
pub const DEFAULT_REGION: &str = "cn-hangzhou";
/// ListUserCertificateOrder `ShowSize` (the documented default).
pub const PAGE_SIZE: u32 = 50;

/// The SSL-certificate endpoints Alibaba Cloud publishes for CAS 2020-04-07 ("Endpoints",
/// alibabacloud.com/help/en/ssl-certificate/developer-reference/endpoints, and its
/// help.aliyun.com copy): the China site at `cas.aliyuncs.com` (listed as cn-hangzhou), the
/// international site at `cas.ap-southeast-1.aliyuncs.com` (Singapore), and
/// `cas.eu-central-1.aliyuncs.com` (Frankfurt). The SDK's endpoint map
/// (`alibabacloud-cas20200407`) also sends cn-hongkong, ap-southeast-3 and ap-southeast-5 to
/// the China site, where the page lists regional hosts for private CAs only; certdel follows
/// the page and refuses them, since the China and international sites hold different
/// certificates and the wrong one would answer "not found" for every id.
pub const SITES: [(&str, &str); 3] = [
    ("cn-hangzhou", "cas.aliyuncs.com"),
    ("ap-southeast-1", "cas.ap-southeast-1.aliyuncs.com"),
    ("eu-central-1", "cas.eu-central-1.aliyuncs.com"),
];

/// The other Chinese mainland regions, which name the China site too (the SDK map sends each
/// of them to `cas.aliyuncs.com`, the page's China endpoint): the mainland rows of Alibaba's
/// CLB endpoint list ([`super::alibaba_slb::ALL_REGIONS`] without cn-hongkong). A mainland
/// region missing here (**assumption**: the list is the SLB one, not a CAS page) can still be
/// used by naming one that is, since they all reach the same site.
pub const MAINLAND_REGIONS: [&str; 12] = [
    "cn-qingdao",
    "cn-beijing",
    "cn-zhangjiakou",
    "cn-huhehaote",
    "cn-wulanchabu",
    "cn-shanghai",
    "cn-nanjing",
    "cn-fuzhou",
    "cn-shenzhen",
    "cn-heyuan",
    "cn-guangzhou",
    "cn-chengdu",
];

/// Every region certdel accepts for alibaba-cas: the [`SITES`] and [`MAINLAND_REGIONS`].
pub fn valid_regions() -> impl Iterator<Item = &'static str> {
    SITES.iter().map(|(r, _)| *r).chain(MAINLAND_REGIONS)
}

/// The host for `region` (default cn-hangzhou): a [`SITES`] host, or the China site for the
/// [`MAINLAND_REGIONS`]; any other region has no published SSL-certificate endpoint and is
/// refused (a typo such as `cn-hangzhuo` included), naming the valid ones.
pub fn default_endpoint(region: Option<&str>, origin: Option<&str>) -> Result<Endpoint, String> {
    let region = region.unwrap_or(DEFAULT_REGION);
    if let Some((_, host)) = SITES.iter().find(|(r, _)| *r == region) {
        return Ok(Endpoint::https(*host));
    }
    if MAINLAND_REGIONS.contains(&region) {
        return Ok(Endpoint::https("cas.aliyuncs.com"));
    }
    Err(format!(
        "{}; no published SSL-certificate endpoint for it (cn-hangzhou and the other Chinese \
         mainland regions = cas.aliyuncs.com, ap-southeast-1 = international site, \
         eu-central-1): pass --region with one of those, or --endpoint",
        super::unknown_region(
            Kind::AlibabaCas,
            region,
            origin,
            &valid_regions().collect::<Vec<_>>()
        )
    ))
}

/// alibaba-cas's part of the settings: the region (given, else `ALIBABA_CLOUD_REGION_ID`,
/// else the aliyun profile's) picks the site; with an endpoint given it is unused.
pub fn locate(choice: &ProviderChoice, default: Option<&RegionDefault>) -> Result<Location, Error> {
    let (region, origin) = config::one_region(choice, default, alibaba::REGION_VAR)?;
    let endpoint = match &choice.endpoint {
        Some(e) => e.clone(),
        None => default_endpoint(region.as_deref(), origin.as_deref()).map_err(Error::Usage)?,
    };
    Ok(Location {
        region,
        endpoint,
        specific: Specific::Cas(Config {
            target: choice.cas_target,
        }),
    })
}

/// alibaba-cas: what ids name and what is listed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CasTarget {
    #[default]
    Orders,
    Certificates,
}

/// What only alibaba-cas is configured with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// `--target`.
    pub target: CasTarget,
}

pub struct AlibabaCas {
    endpoint: Endpoint,
    creds: Credentials,
    target: CasTarget,
}

impl AlibabaCas {
    pub fn new(settings: &ProviderSettings) -> Self {
        AlibabaCas {
            endpoint: settings.endpoint.clone(),
            creds: settings.credentials.clone(),
            target: settings.cas_target(),
        }
    }

    /// A not-found answer says which target was asked and points at the other: order ids
    /// and certificate ids are both integers, so an id from the other listing is refused as
    /// `not_found` by every request, and nothing else tells the operator why.
    fn target_hint(&self) -> &'static str {
        match self.target {
            CasTarget::Orders => {
                "not found as an order (--target orders); if this is a certificate id from \
                 `list --target certificates`, pass --target certificates"
            }
            CasTarget::Certificates => {
                "not found as a certificate (--target certificates); if this is an order id \
                 from `list` (--target orders), leave out --target certificates"
            }
        }
    }

    fn action(&self) -> (&'static str, &'static str) {
        match self.target {
            CasTarget::Orders => ("DeleteCertificateRequest", "OrderId"),
            CasTarget::Certificates => ("DeleteUserCertificate", "CertId"),
        }
    }
}

impl Provider for AlibabaCas {
    fn kind(&self) -> Kind {
        Kind::AlibabaCas
    }

    fn check_id(&self, id: &str) -> Result<(), String> {
        check_common(id)?;
        let (_, param) = self.action();
        match id.parse::<i64>() {
            Ok(n) if n > 0 && id.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
            _ => Err(format!("{param} must be a positive integer")),
        }
    }

    /// Ids are integers: `007` and `7` name the same certificate.
    fn not_found_hint(&self) -> Option<&'static str> {
        Some(self.target_hint())
    }

    fn id_key(&self, id: &str) -> String {
        match id.parse::<u64>() {
            Ok(n) => n.to_string(),
            Err(_) => id.to_string(),
        }
    }

    fn delete_request(&self, id: &str, stamp: &Stamp) -> Request {
        let (action, param) = self.action();
        alibaba::rpc_request(
            &self.endpoint,
            &self.creds,
            action,
            VERSION,
            &[(param, id)],
            stamp,
        )
    }

    fn delete_answer(&self, reply: &Reply) -> Answer {
        match alibaba::read_response(reply, classify) {
            Ok(v) => {
                let mut a = Answer::new(Class::Done(Status::Deleted), reply);
                a.request_id = str_field(&v, "RequestId");
                a
            }
            Err(mut a) => {
                if a.class == Class::Done(Status::NotFound) {
                    let hint = self.target_hint();
                    a.message = Some(match a.message.take() {
                        Some(m) if !m.is_empty() => format!("{m}; {hint}"),
                        _ => hint.to_string(),
                    });
                }
                a
            }
        }
    }

    fn default_rate(&self) -> f64 {
        match self.target {
            CasTarget::Orders => 10.0,
            CasTarget::Certificates => 100.0,
        }
    }

    fn list_action(&self) -> &'static str {
        "ListUserCertificateOrder"
    }

    fn list_plan(&self, _filter: &Filter) -> Vec<ListQuery> {
        let q = |order_type: &str, status: Option<&str>| {
            let mut params = vec![("OrderType", Value::from(order_type))];
            let mut label = format!("ListUserCertificateOrder OrderType={order_type}");
            if let Some(st) = status {
                params.push(("Status", Value::from(st)));
                label.push_str(&format!(" Status={st}"));
            }
            ListQuery::new(label, params)
        };
        match self.target {
            // No Status=REVOKED: documented as valid with CPACK/BUY only (see the module doc).
            CasTarget::Certificates => vec![q("CERT", None), q("CERT", Some("EXPIRED"))],
            CasTarget::Orders => vec![q("CPACK", None), q("BUY", None)],
        }
    }

    fn list_page_size(&self) -> Option<u32> {
        Some(PAGE_SIZE)
    }

    fn list_rate(&self) -> f64 {
        10.0
    }

    fn list_request(&self, query: &ListQuery, page: u32, stamp: &Stamp) -> Request {
        let current = (page + 1).to_string();
        let size = PAGE_SIZE.to_string();
        let texts: Vec<(&str, String)> = query
            .params
            .iter()
            .map(|(k, v)| (*k, super::param_text(v)))
            .collect();
        let mut params: Vec<(&str, &str)> = texts.iter().map(|(k, v)| (*k, v.as_str())).collect();
        params.push(("CurrentPage", &current));
        params.push(("ShowSize", &size));
        alibaba::rpc_request(
            &self.endpoint,
            &self.creds,
            "ListUserCertificateOrder",
            VERSION,
            &params,
            stamp,
        )
    }

    fn list_answer(&self, query: &ListQuery, reply: &Reply) -> Result<Page, Answer> {
        let json = alibaba::read_response(reply, classify)?;
        // The list and its total are the listing: a reply without them (`{"RequestId":"…"}`)
        // is no listing at all, not an empty one.
        if count_field(&json, "TotalCount").is_none() {
            return Err(malformed_list(reply, "no TotalCount"));
        }
        let items = match json.get("CertificateOrderList") {
            Some(Value::Array(a)) => a.as_slice(),
            Some(Value::Null) => &[],
            None => return Err(malformed_list(reply, "no CertificateOrderList")),
            Some(_) => {
                return Err(malformed_list(
                    reply,
                    "CertificateOrderList is not an array",
                ))
            }
        };
        let queried_status = query
            .params
            .iter()
            .find(|(k, _)| *k == "Status")
            .and_then(|(_, v)| v.as_str());
        let mut certs = Vec::with_capacity(items.len());
        for item in items {
            let c = match self.target {
                CasTarget::Certificates => certificate(item, queried_status),
                CasTarget::Orders => order(item),
            };
            certs.push(c.ok_or_else(|| malformed_list(reply, "an entry without its id"))?);
        }
        Ok(Page {
            certs,
            total: count_field(&json, "TotalCount"),
            skipped: None,
            warnings: Vec::new(),
        })
    }
}

/// A CERT/UPLOAD entry. The API documents no status field for these: the record takes the
/// entry's `Status` if there is one, else the `Status` the query asked for.
fn certificate(item: &Value, queried_status: Option<&str>) -> Option<Cert> {
    let mut c = Cert::new(id_field(item, "CertificateId")?);
    c.name = str_field(item, "Name").unwrap_or_default();
    let primary = str_field(item, "CommonName").unwrap_or_default();
    let sans = str_field(item, "Sans").unwrap_or_default();
    c.domains = domain_list(std::iter::once(primary.as_str()).chain(sans.split(',')));
    c.not_after = crate::time::end_date(item.get("EndDate"));
    c.status = text_field(item, "Status")
        .filter(|s| !s.is_empty())
        .or_else(|| queried_status.map(str::to_string));
    Some(c)
}

/// A CPACK/BUY order.
fn order(item: &Value) -> Option<Cert> {
    let mut c = Cert::new(id_field(item, "OrderId")?);
    c.name = str_field(item, "InstanceId").unwrap_or_default();
    let domain = str_field(item, "Domain").unwrap_or_default();
    c.domains = domain_list(domain.split(','));
    c.not_after = crate::time::epoch_ms(item.get("CertEndTime"));
    c.status = text_field(item, "Status").filter(|s| !s.is_empty());
    Some(c)
}

/// CAS's own codes; `None` falls through to the gateway's common codes.
pub fn classify(code: &str) -> Option<Class> {
    Some(match code {
        "NotFoundOrder" => Class::Done(Status::NotFound),
        // DeleteUserCertificate's not-found code is undocumented ("The operation returns only
        // common errors"); Alibaba's Terraform provider matches `NotFound` on this API family
        // and certimate a `NotFound` prefix. Alibaba names missing
        // resources `<Thing>.NotFound`/`NotFound<Thing>`; only a code that names a missing
        // *certificate* (or a bare `NotFound`) counts, so that e.g. a missing region or access
        // key can never pass for an already-deleted certificate.
        c if c == "NotFound"
            || (c.contains("NotFound") && c.to_ascii_lowercase().contains("cert")) =>
        {
            Class::Done(Status::NotFound)
        }
        // The order is not in a state that may be deleted (only failed/cancelled DV orders).
        "OrderStateError" => Class::Done(Status::Denied),
        "DeleteFail" | "NotFoundPackage" | "NotRemainCount" | "CreateCertificateRequestFailed" => {
            Class::Done(Status::Failed)
        }
        // 500 "an error occurred".
        "Error" => Class::Transient,
        // No in-use code is documented for DeleteUserCertificate (nor used by Alibaba's
        // Terraform provider or certimate): a refusal of a certificate still deployed is
        // reported `failed` with the vendor's code and message, never a guessed `in_use`.
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_codes() {
        use Status::*;
        let table: &[(&str, Option<Class>)] = &[
            // Seed 004 (DeleteCertificateRequest's error table): NotFoundOrder,
            // OrderStateError, DeleteFail, NotFoundPackage, NotRemainCount,
            // CreateCertificateRequestFailed; "Error" (500) from the CAS error center.
            // `NotFound` family: Alibaba's Terraform provider (`NotFound` on cas 2020-04-07)
            // and certimate (a `NotFound` prefix); never another resource's NotFound.
            ("NotFoundOrder", Some(Class::Done(NotFound))),
            ("OrderStateError", Some(Class::Done(Denied))),
            ("DeleteFail", Some(Class::Done(Failed))),
            ("NotFoundPackage", Some(Class::Done(Failed))),
            ("NotRemainCount", Some(Class::Done(Failed))),
            ("CreateCertificateRequestFailed", Some(Class::Done(Failed))),
            ("Error", Some(Class::Transient)),
            ("NotFound", Some(Class::Done(NotFound))),
            ("Certificate.NotFound", Some(Class::Done(NotFound))),
            ("CertificateNotFound", Some(Class::Done(NotFound))),
            ("NotFoundCertificate", Some(Class::Done(NotFound))),
            ("InvalidRegionId.NotFound", None),
            ("InvalidAccessKeyId.NotFound", None),
            ("Throttling.User", None),
        ];
        for (code, want) in table {
            assert_eq!(classify(code), *want, "{code}");
        }
    }

    #[test]
    fn ids_are_positive_integers() {
        let p = AlibabaCas::new(&ProviderSettings::for_test(Kind::AlibabaCas));
        assert!(p.check_id("12345").is_ok());
        for bad in ["", "12a", "-1", "0", "+5", "1.0", "99999999999999999999"] {
            assert!(p.check_id(bad).is_err(), "{bad}");
        }
        assert!(p.check_id("x").unwrap_err().contains("OrderId"));
    }

    #[test]
    fn target_selects_action() {
        let mut s = ProviderSettings::for_test(Kind::AlibabaCas);
        let req = AlibabaCas::new(&s).delete_request("67890", &Stamp::now());
        assert_eq!(req.target(), "/?OrderId=67890");
        assert_eq!(
            req.header_value("x-acs-action"),
            Some("DeleteCertificateRequest")
        );
        s.set_cas_target(CasTarget::Certificates);
        let p = AlibabaCas::new(&s);
        let req = p.delete_request("12345", &Stamp::now());
        assert_eq!(req.target(), "/?CertId=12345");
        assert_eq!(
            req.header_value("x-acs-action"),
            Some("DeleteUserCertificate")
        );
        assert_eq!(p.default_rate(), 100.0);
    }

    #[test]
    fn not_found_names_the_target_and_points_at_the_other() {
        let reply = |code: &str, msg: &str| {
            Reply {
            status: 404,
            headers: Vec::new(),
            body: format!(
                r#"{{"RequestId":"R-1","HostId":"cas.aliyuncs.com","Code":"{code}","Message":"{msg}"}}"#
            )
            .into_bytes(),
        }
        };
        let mut s = ProviderSettings::for_test(Kind::AlibabaCas);
        let orders = AlibabaCas::new(&s);
        let a = orders.delete_answer(&reply("NotFoundOrder", "The order does not exist."));
        assert_eq!(a.class, Class::Done(Status::NotFound));
        assert_eq!(a.code.as_deref(), Some("NotFoundOrder"));
        assert_eq!(
            a.message.as_deref(),
            Some(
                "The order does not exist.; not found as an order (--target orders); if this is \
                 a certificate id from `list --target certificates`, pass --target certificates"
            )
        );
        s.set_cas_target(CasTarget::Certificates);
        let certs = AlibabaCas::new(&s);
        let a = certs.delete_answer(&reply("NotFound", "The certificate does not exist."));
        assert_eq!(a.class, Class::Done(Status::NotFound));
        let m = a.message.unwrap();
        assert!(
            m.starts_with("The certificate does not exist.; not found as a certificate (--target certificates)"),
            "{m}"
        );
        assert!(m.contains("leave out --target certificates"), "{m}");
        // Other answers keep the vendor's message as it is.
        let a = orders.delete_answer(&reply("OrderStateError", "Wrong state."));
        assert_eq!(a.message.as_deref(), Some("Wrong state."));
    }

    #[test]
    fn endpoints() {
        let host = |r: Option<&str>| default_endpoint(r, Some("from --region")).map(|e| e.host);
        assert_eq!(host(None).unwrap(), "cas.aliyuncs.com");
        assert_eq!(
            host(Some("ap-southeast-1")).unwrap(),
            "cas.ap-southeast-1.aliyuncs.com"
        );
        assert_eq!(
            host(Some("eu-central-1")).unwrap(),
            "cas.eu-central-1.aliyuncs.com"
        );
        assert_eq!(host(Some("cn-beijing")).unwrap(), "cas.aliyuncs.com");
        // Where the SDK map and the published page differ, the page wins: no SSL endpoint.
        for region in [
            "cn-hongkong",
            "ap-southeast-3",
            "ap-southeast-5",
            "us-east-1",
            "mars-1",
        ] {
            let e = host(Some(region)).unwrap_err();
            assert!(e.contains(region) && e.contains("--endpoint"), "{e}");
            // Where the region came from is the caller's to say.
            assert!(e.contains("(from --region)"), "{e}");
        }
    }

    mod list {
        use super::*;
        use crate::provider::testing::{fixture, utc};
        use crate::time::Expiry;

        fn provider(target: CasTarget) -> AlibabaCas {
            let mut s = ProviderSettings::for_test(Kind::AlibabaCas);
            s.set_cas_target(target);
            AlibabaCas::new(&s)
        }

        #[test]
        fn certificates_need_two_status_queries_and_no_documented_invalid_one() {
            let p = provider(CasTarget::Certificates);
            let plan = p.list_plan(&Filter::all(utc("2025-01-01T00:00:00Z")));
            let targets: Vec<String> = plan
                .iter()
                .map(|q| p.list_request(q, 0, &Stamp::now()).target())
                .collect();
            assert_eq!(
                targets,
                vec![
                    "/?CurrentPage=1&OrderType=CERT&ShowSize=50",
                    "/?CurrentPage=1&OrderType=CERT&ShowSize=50&Status=EXPIRED",
                ]
            );
            let req = p.list_request(&plan[1], 3, &Stamp::now());
            assert_eq!(
                req.target(),
                "/?CurrentPage=4&OrderType=CERT&ShowSize=50&Status=EXPIRED"
            );
            assert_eq!(
                req.header_value("x-acs-action"),
                Some("ListUserCertificateOrder")
            );
            assert_eq!(p.list_rate(), 10.0);
        }

        #[test]
        fn orders_are_cpack_and_buy() {
            let p = provider(CasTarget::Orders);
            let plan = p.list_plan(&Filter::all(utc("2025-01-01T00:00:00Z")));
            let targets: Vec<String> = plan
                .iter()
                .map(|q| p.list_request(q, 0, &Stamp::now()).target())
                .collect();
            assert_eq!(
                targets,
                vec![
                    "/?CurrentPage=1&OrderType=CPACK&ShowSize=50",
                    "/?CurrentPage=1&OrderType=BUY&ShowSize=50",
                ]
            );
        }

        #[test]
        fn reads_certificates() {
            let p = provider(CasTarget::Certificates);
            let plan = p.list_plan(&Filter::all(utc("2025-01-01T00:00:00Z")));
            let page = p
                .list_answer(&plan[1], &fixture("alibaba-cas", "list_certificates.json"))
                .unwrap();
            assert_eq!(page.total, Some(2));
            let [a, b] = page.certs.as_slice() else {
                panic!("{:?}", page.certs)
            };
            assert_eq!(a.id, "12345678");
            assert_eq!(a.name, "cert-for-test");
            assert_eq!(
                a.domains,
                vec!["www.example.com", "example.com", "m.example.com"]
            );
            // A date: its last second in UTC+8.
            assert_eq!(a.not_after, Expiry::Known(utc("2025-05-14T15:59:59Z")));
            // No status field: the queried Status.
            assert_eq!(a.status.as_deref(), Some("EXPIRED"));
            assert_eq!(b.id, "87654321");
            assert_eq!(
                b.not_after,
                Expiry::Unknown {
                    raw: Some("0000-00-00".into())
                }
            );
            // Ids listed are ids delete takes.
            let d = provider(CasTarget::Certificates);
            assert!(d.check_id(&a.id).is_ok());
            let page = p
                .list_answer(&plan[0], &fixture("alibaba-cas", "list_certificates.json"))
                .unwrap();
            assert_eq!(page.certs[0].status, None);
        }

        #[test]
        fn reads_orders() {
            let p = provider(CasTarget::Orders);
            let plan = p.list_plan(&Filter::all(utc("2025-01-01T00:00:00Z")));
            let page = p
                .list_answer(&plan[0], &fixture("alibaba-cas", "list_orders.json"))
                .unwrap();
            let [a, b] = page.certs.as_slice() else {
                panic!("{:?}", page.certs)
            };
            assert_eq!(a.id, "123451222");
            assert_eq!(a.name, "cas-ivauto-zyw1q4");
            assert_eq!(a.domains, vec!["www.example.com"]);
            assert_eq!(a.not_after, Expiry::Known(utc("2022-10-15T07:45:58Z")));
            assert_eq!(a.status.as_deref(), Some("CHECKED_FAIL"));
            assert_eq!(
                b.not_after,
                Expiry::Unknown {
                    raw: Some("0".into())
                }
            );
            assert!(p.check_id(&b.id).is_ok());
        }
    }
}
