//! alibaba-slb: Alibaba Cloud Server Load Balancer (CLB) server certificates, API 2014-05-15.
//!
//! - Docs: SLB "DeleteServerCertificate", "DescribeServerCertificates"; SDK
//!   `alibabacloud-slb20140515` (endpoint map).
//! - Endpoint: `slb.aliyuncs.com` for the regions in [`CENTRAL_REGIONS`], else
//!   `slb.<region>.aliyuncs.com`; the region itself travels as the `RegionId` parameter,
//!   which DeleteServerCertificate requires.
//! - Delete: `DeleteServerCertificate(RegionId, ServerCertificateId)` → `{"RequestId"}`.
//!   A certificate bound to a listener cannot be deleted.
//! - Quota: not documented; certdel defaults to 10 requests/s.
//! - Signing: [`crate::sign::acs3`] via [`super::alibaba`].

use super::{alibaba, str_field, Answer, Class, Kind, Provider, Reply};
use crate::outcome::Status;
use crate::secret::Credentials;
use crate::settings::{Endpoint, ProviderSettings};
use crate::sign::{Request, Stamp};

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

pub fn default_endpoint(region: &str) -> Endpoint {
    alibaba::regional_endpoint("slb", region, &CENTRAL_REGIONS)
}

pub struct AlibabaSlb {
    endpoint: Endpoint,
    creds: Credentials,
    region: String,
}

impl AlibabaSlb {
    pub fn new(settings: &ProviderSettings) -> Self {
        AlibabaSlb {
            endpoint: settings.endpoint.clone(),
            creds: settings.credentials.clone(),
            region: settings.region.clone().unwrap_or_default(),
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
}

/// SLB's own codes; `None` falls through to the gateway's common codes.
pub fn classify(code: &str) -> Option<Class> {
    Some(match code {
        // Bound to a listener / to a domain extension.
        "CertificateAndPrivateKeyIsRefered" | "CertificateRelatedDomainExtensionExist" => {
            Class::Done(Status::InUse)
        }
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
}
