//! alibaba-cas: Alibaba Cloud Certificate Management Service (SSL Certificates), API 2020-04-07.
//!
//! - Docs: CAS "DeleteCertificateRequest", "DeleteUserCertificate", "ListUserCertificateOrder",
//!   CAS quota page; SDK `alibabacloud-cas20200407` (endpoint map).
//! - Endpoint: `cas.aliyuncs.com` for the regions in [`CENTRAL_REGIONS`] (default
//!   `cn-hangzhou`), else `cas.<region>.aliyuncs.com` — notably `ap-southeast-1`, the
//!   international site. No `RegionId` parameter.
//! - Two delete targets, chosen with `--target`:
//!   - `orders` (default): `DeleteCertificateRequest(OrderId)` — failed or cancelled DV
//!     application orders only. Quota 10 requests/s.
//!   - `certificates`: `DeleteUserCertificate(CertId)` — expired, revoked or uploaded
//!     certificates. Quota 100 requests/s.
//!
//!   Both ids are 64-bit integers.
//! - Signing: [`crate::sign::acs3`] via [`super::alibaba`].

use super::{alibaba, check_common, str_field, Answer, Class, Kind, Provider, Reply};
use crate::outcome::Status;
use crate::secret::Credentials;
use crate::settings::{CasTarget, Endpoint, ProviderSettings};
use crate::sign::{Request, Stamp};

pub const VERSION: &str = "2020-04-07";
pub const DEFAULT_REGION: &str = "cn-hangzhou";

/// Regions the SDK sends to `cas.aliyuncs.com`.
pub const CENTRAL_REGIONS: [&str; 16] = [
    "cn-hangzhou",
    "cn-beijing",
    "cn-shanghai",
    "cn-shenzhen",
    "cn-hongkong",
    "cn-qingdao",
    "cn-zhangjiakou",
    "cn-huhehaote",
    "cn-wulanchabu",
    "cn-chengdu",
    "eu-west-1",
    "us-east-1",
    "us-west-1",
    "ap-southeast-3",
    "ap-southeast-5",
    "ap-northeast-2-pop",
];

pub fn default_endpoint(region: Option<&str>) -> Endpoint {
    alibaba::regional_endpoint("cas", region.unwrap_or(DEFAULT_REGION), &CENTRAL_REGIONS)
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
            target: settings.cas_target,
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
            Err(a) => a,
        }
    }

    fn default_rate(&self) -> f64 {
        match self.target {
            CasTarget::Orders => 10.0,
            CasTarget::Certificates => 100.0,
        }
    }
}

/// CAS's own codes; `None` falls through to the gateway's common codes.
pub fn classify(code: &str) -> Option<Class> {
    Some(match code {
        "NotFoundOrder" => Class::Done(Status::NotFound),
        // The order is not in a state that may be deleted (only failed/cancelled DV orders).
        "OrderStateError" => Class::Done(Status::Denied),
        "DeleteFail" | "NotFoundPackage" | "NotRemainCount" | "CreateCertificateRequestFailed" => {
            Class::Done(Status::Failed)
        }
        // 500 "an error occurred".
        "Error" => Class::Transient,
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
            ("NotFoundOrder", Some(Class::Done(NotFound))),
            ("OrderStateError", Some(Class::Done(Denied))),
            ("DeleteFail", Some(Class::Done(Failed))),
            ("NotFoundPackage", Some(Class::Done(Failed))),
            ("NotRemainCount", Some(Class::Done(Failed))),
            ("CreateCertificateRequestFailed", Some(Class::Done(Failed))),
            ("Error", Some(Class::Transient)),
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
        s.cas_target = CasTarget::Certificates;
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
    fn endpoints() {
        assert_eq!(default_endpoint(None).host, "cas.aliyuncs.com");
        assert_eq!(
            default_endpoint(Some("ap-southeast-1")).host,
            "cas.ap-southeast-1.aliyuncs.com"
        );
    }
}
