//! alibaba-slb: Alibaba Cloud Server Load Balancer (CLB) server certificates, API 2014-05-15.
//!
//! - Docs: SLB "DeleteServerCertificate", "DescribeServerCertificates"; SDK
//!   `alibabacloud-slb20140515` (endpoint map).
//! - Endpoint: `slb.aliyuncs.com` for the regions in [`CENTRAL_REGIONS`], else
//!   `slb.<region>.aliyuncs.com`; the region itself travels as the `RegionId` parameter,
//!   which DeleteServerCertificate requires.
//! - Delete: `DeleteServerCertificate(RegionId, ServerCertificateId)` → `{"RequestId"}`.
//!   A certificate bound to a listener cannot be deleted.
//! - List: `DescribeServerCertificates(RegionId)` → `ServerCertificates.ServerCertificate[]`,
//!   no paging: one call per region returns the region's certificates. `--region` may be
//!   repeated, or `all` for [`ALL_REGIONS`]; each record carries its region (ids are unique
//!   per account). `ExpireTimeStamp` (epoch ms) is read first, then its ISO 8601 twin
//!   `ExpireTime`. The reply has no status and no in-use flag. Nothing is filtered on the
//!   server (the API filters only by id, resource group and tag).
//! - Quota: not documented; certdel defaults to 10 requests/s.
//! - Signing: [`crate::sign::acs3`] via [`super::alibaba`].

use super::config::{self, Location, ProviderChoice, Purpose, RegionDefault, Specific};
use super::{
    alibaba, id_field, malformed_list, str_field, Answer, Class, Kind, ListQuery, Page, Provider,
    Reply,
};
use crate::cert::{domain_list, Cert, Filter};
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::outcome::Status;
use crate::provider::ProviderSettings;
use crate::secret::Credentials;
use crate::sign::Stamp;
use crate::wire::Request;

pub const VERSION: &str = "2014-05-15";

/// Regions the SDK sends to `slb.aliyuncs.com`.
pub const CENTRAL_REGIONS: [&str; 9] = [
    "cn-qingdao",
    "cn-beijing",
    "cn-hangzhou",
    "cn-shanghai",
    "cn-shenzhen",
    "cn-hongkong",
    "ap-southeast-1",
    "us-east-1",
    "us-west-1",
];

/// What `--region all` lists: the open regions on Alibaba Cloud's published CLB endpoint list
/// ("Endpoints", SLB 2014-05-15 developer reference: alibabacloud.com/help/en/slb/
/// classic-load-balancer/developer-reference/api-slb-2014-05-15-endpoint — every China and
/// Asia-Pacific row), plus the public regions of the SDK's endpoint map
/// (`alibabacloud-slb20140515`: cn-hongkong, us-east-1, us-west-1) and the remaining public
/// regions of Alibaba Cloud's region list (eu-west-1, eu-central-1, me-east-1, me-central-1).
/// Left out: regions the endpoint page marks **Closed** (ap-southeast-2, Sydney) or that other
/// products' endpoint pages mark closed (ap-south-1, Mumbai) — a closed region cannot be
/// reached, and an unreachable region makes the listing incomplete; `na-south-1` (Mexico),
/// which the endpoint list does not show for CLB (**unconfirmed**); finance, government and
/// internal ids. List any of those with an explicit
/// `--region`. A region the product or account lacks (a region error code) is skipped with a
/// warning; one that cannot be reached fails the listing, naming the region.
pub const ALL_REGIONS: [&str; 27] = [
    "cn-qingdao",
    "cn-beijing",
    "cn-zhangjiakou",
    "cn-huhehaote",
    "cn-wulanchabu",
    "cn-hangzhou",
    "cn-shanghai",
    "cn-nanjing",
    "cn-fuzhou",
    "cn-shenzhen",
    "cn-heyuan",
    "cn-guangzhou",
    "cn-chengdu",
    "cn-hongkong",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-3",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "us-east-1",
    "us-west-1",
    "eu-west-1",
    "eu-central-1",
    "me-east-1",
    "me-central-1",
];

/// Regions that exist for SLB but that `--region all` leaves out (see [`ALL_REGIONS`]): the
/// closed ones (ap-southeast-2, ap-south-1), na-south-1 (unconfirmed for CLB), and the
/// finance and government regions of Alibaba Cloud's region list. **Assumption:** this list
/// is not checked against a published SLB page; it is there so that naming one of them
/// explicitly is not refused as a typo.
pub const OTHER_REGIONS: [&str; 8] = [
    "ap-southeast-2",
    "ap-south-1",
    "na-south-1",
    "cn-hangzhou-finance",
    "cn-shanghai-finance-1",
    "cn-shenzhen-finance-1",
    "cn-beijing-finance-1",
    "cn-north-2-gov-1",
];

/// Every region certdel accepts for alibaba-slb: [`ALL_REGIONS`] and [`OTHER_REGIONS`].
pub fn valid_regions() -> impl Iterator<Item = &'static str> {
    ALL_REGIONS.into_iter().chain(OTHER_REGIONS)
}

/// An unknown region is refused before any request: it would go into `RegionId` (and the
/// host) and list nothing, so a typo (`cn-hangzhuo`) would pass for an empty account. Checked
/// with `--endpoint` too, since `RegionId` is still sent.
pub fn check_region(region: &str, origin: Option<&str>) -> Result<(), String> {
    if valid_regions().any(|r| r == region) {
        return Ok(());
    }
    Err(super::unknown_region(
        Kind::AlibabaSlb,
        region,
        origin,
        &valid_regions().collect::<Vec<_>>(),
    ))
}

pub fn default_endpoint(region: &str) -> Endpoint {
    alibaba::regional_endpoint("slb", region, &CENTRAL_REGIONS)
}

/// alibaba-slb's part of the settings: the regions the run covers (several, or `all` for
/// [`ALL_REGIONS`]; none given: `ALIBABA_CLOUD_REGION_ID`, else the aliyun profile's), each
/// one checked, and the first one's endpoint. Deletes and listings need a region; a plan's
/// certificates carry theirs, and the identity call needs none.
pub fn locate(choice: &ProviderChoice, default: Option<&RegionDefault>) -> Result<Location, Error> {
    let all_regions = choice.regions.iter().any(|r| r == "all");
    let (named, origin): (Vec<String>, String) = if choice.regions.is_empty() {
        match default {
            Some(d) => (vec![d.region.clone()], d.origin.clone()),
            None => (
                Vec::new(),
                config::given_origin(choice, alibaba::REGION_VAR),
            ),
        }
    } else if all_regions {
        let named = ALL_REGIONS
            .iter()
            .map(|r| r.to_string())
            .chain(choice.regions.iter().filter(|r| *r != "all").cloned())
            .collect();
        (named, config::given_origin(choice, alibaba::REGION_VAR))
    } else {
        (
            choice.regions.clone(),
            config::given_origin(choice, alibaba::REGION_VAR),
        )
    };
    let mut regions: Vec<String> = Vec::new();
    for r in named {
        if !regions.contains(&r) {
            regions.push(r);
        }
    }
    for r in &regions {
        check_region(r, Some(&origin)).map_err(Error::Usage)?;
    }
    let region = regions.first().cloned();
    let regionless = matches!(choice.purpose, Purpose::DeletePlan | Purpose::Whoami);
    let endpoint = match (&choice.endpoint, &region) {
        (_, None) if !regionless => return Err(needs_region(choice)),
        (Some(e), _) => e.clone(),
        (None, Some(r)) => default_endpoint(r),
        // Every certificate of a plan names its region, and goes to that region's endpoint;
        // the identity call goes to STS: the run itself needs none.
        (None, None) => default_endpoint(CENTRAL_REGIONS[0]),
    };
    Ok(Location {
        region,
        endpoint,
        specific: Specific::Slb(Config {
            regions,
            all_regions,
        }),
    })
}

/// What only alibaba-slb is configured with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// The regions the run covers, the one of `region` first; a delete covering more than
    /// one lists them to find each id's region.
    pub regions: Vec<String>,
    /// `--region all` (regions the account lacks are skipped).
    pub all_regions: bool,
}

fn needs_region(choice: &ProviderChoice) -> Error {
    let flag = choice.region_flag();
    Error::usage(if choice.purpose == Purpose::List {
        format!(
            "alibaba-slb needs a region: pass {flag} (repeatable, or `all`) or set {}",
            alibaba::REGION_VAR
        )
    } else {
        format!(
            "alibaba-slb needs a region: pass {flag} (e.g. cn-hangzhou) or set {}",
            alibaba::REGION_VAR
        )
    })
}

/// The settings for certificates in `region`: that `RegionId`, at that region's endpoint
/// (`--endpoint`, when given, still takes every request).
pub fn in_region(settings: &ProviderSettings, region: &str) -> ProviderSettings {
    let mut s = settings.clone();
    s.region = Some(region.to_string());
    if !s.custom_endpoint {
        s.endpoint = default_endpoint(region);
    }
    s
}

pub struct AlibabaSlb {
    endpoint: Endpoint,
    /// `--endpoint` was given: every region goes there.
    custom_endpoint: bool,
    creds: Credentials,
    region: String,
    /// list: the regions to walk.
    regions: Vec<String>,
    all_regions: bool,
}

impl AlibabaSlb {
    pub fn new(settings: &ProviderSettings) -> Self {
        AlibabaSlb {
            endpoint: settings.endpoint.clone(),
            custom_endpoint: settings.custom_endpoint,
            creds: settings.credentials.clone(),
            region: settings.region.clone().unwrap_or_default(),
            regions: settings.regions().to_vec(),
            all_regions: settings.all_regions(),
        }
    }

    fn endpoint_for(&self, region: &str) -> Endpoint {
        if self.custom_endpoint {
            self.endpoint.clone()
        } else {
            default_endpoint(region)
        }
    }
}

impl Provider for AlibabaSlb {
    fn kind(&self) -> Kind {
        Kind::AlibabaSlb
    }

    fn delete_request(&self, id: &str, stamp: &Stamp) -> Request {
        alibaba::rpc_request(
            &self.endpoint,
            &self.creds,
            "DeleteServerCertificate",
            VERSION,
            &[("RegionId", &self.region), ("ServerCertificateId", id)],
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
            Err(a) => a,
        }
    }

    fn default_rate(&self) -> f64 {
        10.0
    }

    fn list_action(&self) -> &'static str {
        "DescribeServerCertificates"
    }

    fn list_plan(&self, _filter: &Filter) -> Vec<ListQuery> {
        let regions: Vec<String> = if self.regions.is_empty() {
            vec![self.region.clone()]
        } else {
            self.regions.clone()
        };
        regions
            .into_iter()
            .map(|r| ListQuery {
                label: format!("DescribeServerCertificates {r}"),
                params: Vec::new(),
                region: Some(r),
                optional: self.all_regions,
                offset_is_page: false,
            })
            .collect()
    }

    fn list_page_size(&self) -> Option<u32> {
        None
    }

    fn list_request(&self, query: &ListQuery, _page: u32, stamp: &Stamp) -> Request {
        let region = query.region.as_deref().unwrap_or(&self.region);
        alibaba::rpc_request(
            &self.endpoint_for(region),
            &self.creds,
            "DescribeServerCertificates",
            VERSION,
            &[("RegionId", region)],
            stamp,
        )
    }

    fn list_answer(&self, query: &ListQuery, reply: &Reply) -> Result<Page, Answer> {
        let json = match alibaba::read_response(reply, classify) {
            Ok(v) => v,
            Err(a) if query.optional && is_missing_region(&a) => {
                return Ok(Page {
                    skipped: Some(format!(
                        "{}: {}",
                        a.code.as_deref().unwrap_or("?"),
                        a.message.as_deref().unwrap_or("region not available")
                    )),
                    ..Page::default()
                })
            }
            Err(a) => return Err(a),
        };
        let items = match json.get("ServerCertificates") {
            // The XML-style wrapper: {"ServerCertificates":{"ServerCertificate":[…]}}; an
            // empty region may leave the inner list out, but not the wrapper: a reply without
            // it (`{"RequestId":"…"}`) is no listing at all.
            Some(w) if w.is_object() => match w.get("ServerCertificate") {
                Some(serde_json::Value::Array(a)) => a.as_slice(),
                Some(_) => return Err(malformed_list(reply, "ServerCertificate is not an array")),
                None => &[],
            },
            _ => return Err(malformed_list(reply, "no ServerCertificates object")),
        };
        let mut certs = Vec::with_capacity(items.len());
        let mut warnings = Vec::new();
        for item in items {
            let id = id_field(item, "ServerCertificateId").ok_or_else(|| {
                malformed_list(reply, "a certificate without ServerCertificateId")
            })?;
            let mut c = Cert::new(id);
            c.name = str_field(item, "ServerCertificateName").unwrap_or_default();
            let primary = str_field(item, "CommonName").unwrap_or_default();
            let sans = item
                .get("SubjectAlternativeNames")
                .map(|w| super::str_array(w, "SubjectAlternativeName"))
                .unwrap_or_default();
            c.domains = domain_list(
                std::iter::once(primary.as_str()).chain(sans.iter().map(String::as_str)),
            );
            let (not_after, warning) =
                crate::time::slb_expiry(item.get("ExpireTimeStamp"), item.get("ExpireTime"));
            c.not_after = not_after;
            warnings.extend(warning.map(|w| format!("{}: {w}", c.id)));
            c.region = str_field(item, "RegionId")
                .filter(|r| !r.is_empty())
                .or_else(|| query.region.clone());
            certs.push(c);
        }
        Ok(Page {
            certs,
            total: None,
            skipped: None,
            warnings,
        })
    }
}

/// The answer to a call in a region this account or product does not have.
fn is_missing_region(a: &Answer) -> bool {
    let region_code = a.code.as_deref().is_some_and(|c| {
        c.starts_with("InvalidRegionId")
            || c.starts_with("InvalidRegion")
            || c.starts_with("UnsupportedRegion")
            || c == "Region.NotSupported"
    });
    region_code && matches!(a.class, Class::Done(Status::Failed | Status::NotFound))
}

/// SLB's own codes; `None` falls through to the gateway's common codes.
pub fn classify(code: &str) -> Option<Class> {
    Some(match code {
        // Bound to a listener / to a domain extension.
        "CertificateAndPrivateKeyIsRefered" | "CertificateRelatedDomainExtensionExist" => {
            Class::Done(Status::InUse)
        }
        // "try again later": the service behind the gateway did not answer in time, so the
        // attempt's effect is unknown and it is retried like a 5xx.
        "LocationServiceTimeout" => Class::Transient,
        // The code Alibaba's own Terraform provider treats as "already gone".
        "ServerCertificateId.NotFound" | "InvalidServerCertificateId.NotFound" => {
            Class::Done(Status::NotFound)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_codes() {
        // DeleteServerCertificate's error table (in use), Alibaba's Terraform provider
        // `resource_alicloud_slb_server_certificate.go` (not found), DescribeRegions' error
        // table ("LocationServiceTimeout … Please try again later.").
        assert_eq!(
            classify("CertificateAndPrivateKeyIsRefered"),
            Some(Class::Done(Status::InUse))
        );
        assert_eq!(
            classify("CertificateRelatedDomainExtensionExist"),
            Some(Class::Done(Status::InUse))
        );
        assert_eq!(
            classify("ServerCertificateId.NotFound"),
            Some(Class::Done(Status::NotFound))
        );
        assert_eq!(classify("LocationServiceTimeout"), Some(Class::Transient));
        assert_eq!(classify("Throttling.User"), None);
    }

    #[test]
    fn endpoints() {
        assert_eq!(default_endpoint("cn-hangzhou").host, "slb.aliyuncs.com");
        assert_eq!(default_endpoint("ap-southeast-1").host, "slb.aliyuncs.com");
        assert_eq!(
            default_endpoint("eu-central-1").host,
            "slb.eu-central-1.aliyuncs.com"
        );
    }

    #[test]
    fn request_and_answers() {
        let mut s = ProviderSettings::for_test(Kind::AlibabaSlb);
        s.region = Some("cn-hangzhou".into());
        let p = AlibabaSlb::new(&s);
        let req = p.delete_request("123_abc", &Stamp::now());
        assert_eq!(
            req.target(),
            "/?RegionId=cn-hangzhou&ServerCertificateId=123_abc"
        );
        assert_eq!(
            req.header_value("x-acs-action"),
            Some("DeleteServerCertificate")
        );
        let ok = Reply {
            status: 200,
            headers: vec![],
            body: br#"{"RequestId":"CEF72CEB"}"#.to_vec(),
        };
        assert_eq!(p.delete_answer(&ok).class, Class::Done(Status::Deleted));
        let in_use = Reply {
            status: 400,
            headers: vec![],
            body:
                br#"{"RequestId":"R","Code":"CertificateAndPrivateKeyIsRefered","Message":"bound"}"#
                    .to_vec(),
        };
        let a = p.delete_answer(&in_use);
        assert_eq!(a.class, Class::Done(Status::InUse));
        assert_eq!(a.message.as_deref(), Some("bound"));
    }

    #[test]
    fn a_provider_per_region_sends_that_region_to_its_endpoint() {
        let mut s = ProviderSettings::for_test(Kind::AlibabaSlb);
        s.region = Some("cn-hangzhou".into());
        s.endpoint = default_endpoint("cn-hangzhou");
        let p = AlibabaSlb::new(&in_region(&s, "eu-central-1"));
        let req = p.delete_request("a_1", &Stamp::now());
        assert_eq!(req.host, "slb.eu-central-1.aliyuncs.com");
        assert_eq!(
            req.target(),
            "/?RegionId=eu-central-1&ServerCertificateId=a_1"
        );
        // --endpoint: the region changes, the host does not.
        s.custom_endpoint = true;
        s.endpoint = Endpoint::https("proxy.example.invalid");
        let p = AlibabaSlb::new(&in_region(&s, "eu-central-1"));
        let req = p.delete_request("a_1", &Stamp::now());
        assert_eq!(req.host, "proxy.example.invalid");
        assert_eq!(
            req.target(),
            "/?RegionId=eu-central-1&ServerCertificateId=a_1"
        );
    }

    mod list {
        use super::*;
        use crate::provider::testing::{fixture, utc};
        use crate::time::Expiry;

        fn provider(regions: &[&str], all: bool, custom: bool) -> AlibabaSlb {
            let mut s = ProviderSettings::for_test(Kind::AlibabaSlb);
            s.region = regions.first().map(|r| r.to_string());
            s.set_regions(regions.iter().map(|r| r.to_string()).collect(), all);
            s.custom_endpoint = custom;
            AlibabaSlb::new(&s)
        }

        #[test]
        fn one_unpaged_call_per_region_at_its_endpoint() {
            let now = utc("2025-01-01T00:00:00Z");
            let p = provider(&["cn-hangzhou", "eu-central-1"], false, false);
            assert_eq!(p.list_page_size(), None);
            let plan = p.list_plan(&Filter::all(now));
            assert_eq!(plan.len(), 2);
            assert!(!plan[0].optional);
            let req = p.list_request(&plan[0], 0, &Stamp::now());
            assert_eq!(req.host, "slb.aliyuncs.com");
            assert_eq!(req.target(), "/?RegionId=cn-hangzhou");
            assert_eq!(
                req.header_value("x-acs-action"),
                Some("DescribeServerCertificates")
            );
            let req = p.list_request(&plan[1], 0, &Stamp::now());
            assert_eq!(req.host, "slb.eu-central-1.aliyuncs.com");
            assert_eq!(req.target(), "/?RegionId=eu-central-1");
            // --endpoint: every region goes there.
            let p = provider(&["eu-central-1"], false, true);
            let plan = p.list_plan(&Filter::all(now));
            assert_eq!(
                p.list_request(&plan[0], 0, &Stamp::now()).host,
                "example.invalid"
            );
        }

        #[test]
        fn reads_wrapped_lists_and_epoch_millis() {
            let p = provider(&["cn-hangzhou"], false, false);
            let q = &p.list_plan(&Filter::all(utc("2025-01-01T00:00:00Z")))[0];
            let page = p
                .list_answer(q, &fixture("alibaba-slb", "list.json"))
                .unwrap();
            assert_eq!(page.total, None);
            let [a, b] = page.certs.as_slice() else {
                panic!("{:?}", page.certs)
            };
            assert_eq!(a.id, "139a00604ad-cn-east-hangzhou-01");
            assert_eq!(a.name, "cert-name");
            assert_eq!(
                a.domains,
                vec!["www.example.com", "example.com", "api.example.com"]
            );
            assert_eq!(a.not_after, Expiry::Known(utc("2023-01-26T23:59:59Z")));
            assert_eq!(a.region.as_deref(), Some("cn-hangzhou"));
            assert_eq!(a.status, None);
            assert_eq!(b.not_after, Expiry::Known(utc("2030-06-01T00:00:00Z")));
            let empty = p
                .list_answer(
                    q,
                    &Reply {
                        status: 200,
                        headers: vec![],
                        body: br#"{"RequestId":"r","ServerCertificates":{}}"#.to_vec(),
                    },
                )
                .unwrap();
            assert!(empty.certs.is_empty());
        }

        #[test]
        fn a_missing_region_is_skipped_only_under_all() {
            let bad = fixture("alibaba-slb", "invalid_region.400.json");
            let p = provider(&["cn-hangzhou"], true, false);
            let q = &p.list_plan(&Filter::all(utc("2025-01-01T00:00:00Z")))[0];
            assert!(q.optional);
            let page = p.list_answer(q, &bad).unwrap();
            assert!(page.certs.is_empty());
            assert!(page.skipped.unwrap().starts_with("InvalidRegionId"));
            let p = provider(&["cn-hangzhou"], false, false);
            let q = &p.list_plan(&Filter::all(utc("2025-01-01T00:00:00Z")))[0];
            assert_eq!(
                p.list_answer(q, &bad).unwrap_err().code.as_deref(),
                Some("InvalidRegionId")
            );
        }

        #[test]
        fn all_regions_include_the_sdk_central_ones() {
            for r in CENTRAL_REGIONS {
                assert!(ALL_REGIONS.contains(&r), "{r}");
            }
            let mut sorted = ALL_REGIONS.to_vec();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), ALL_REGIONS.len());
        }
    }
}
