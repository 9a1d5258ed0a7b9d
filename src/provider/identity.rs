//! Whose key is this: one account-identity call per vendor (alibaba-slb and alibaba-cas share
//! the Alibaba Cloud one), built and read without I/O like every other provider call.
//!
//! What each call is, its reply and where that is grounded (SDK module paths, versions, doc
//! pages) is in `fixtures/identity/README.md`; the requests are pinned by the signing vectors
//! `fixtures/sign/*/sts-get-caller-identity` and `fixtures/sign/huawei/iam-list-auth-domains`.
//!
//! | vendor | call | default host | reply read |
//! |---|---|---|---|
//! | Huawei | IAM `GET /v3/auth/domains` (the domain-id lookup, [`huawei_scm::discover_request`]) | `iam.<region>.myhuaweicloud.com` ([`huawei_scm::iam_endpoint`]) | `domains[0].id`, `.name` |
//! | Tencent | STS `GetCallerIdentity` 2018-08-13, TC3 service `sts` | `sts.tencentcloudapi.com` | `Response.{AccountId, Arn, Type}` |
//! | Volcengine | STS `GetCallerIdentity` 2018-01-01, scope `cn-north-1/sts` | `sts.volcengineapi.com` | `Result.{AccountId (an integer), Trn, IdentityType}` |
//! | Alibaba | STS `GetCallerIdentity` 2015-04-01, ACS3 RPC | `sts.<region>.aliyuncs.com` (`sts.aliyuncs.com` without a region) | `{AccountId, Arn, IdentityType}` |
//!
//! The host comes from [`ProviderSettings::identity_endpoint`]: `CERTDEL_STS_ENDPOINT` moves
//! the STS calls (tests, private endpoints); Huawei's call is IAM's, moved by the SDK's own
//! `HUAWEICLOUD_SDK_IAM_ENDPOINT` like the domain-id discovery. Errors are read by each
//! product's own reader, so rejected credentials, a bad signature or a skewed clock are
//! [`Class::Abort`] as for every other call; statuses that only mean something for a
//! certificate (not found, in use) become `failed`.

pub use super::Vendor;
use super::{alibaba, huawei_scm, id_field, str_field, tencent_ssl, volcengine_live};
use super::{Answer, Class, Kind};
use crate::endpoint::Endpoint;
use crate::outcome::Status;
use crate::provider::ProviderSettings;
use crate::secret::Credentials;
use crate::sign::{tc3, volc, Stamp};
use crate::wire::{Reply, Request};
use serde_json::Value;

/// The call's name, for messages.
pub const ACTION: &str = "GetCallerIdentity";
pub const TENCENT_HOST: &str = "sts.tencentcloudapi.com";
pub const TENCENT_VERSION: &str = "2018-08-13";
/// The documentation makes `Region` a required common parameter of GetCallerIdentity; STS is
/// not regional, so without `--region`/`TENCENTCLOUD_REGION` certdel names this one
/// (assumption: any region is accepted).
pub const TENCENT_DEFAULT_REGION: &str = "ap-guangzhou";
pub const VOLCENGINE_HOST: &str = "sts.volcengineapi.com";
pub const VOLCENGINE_VERSION: &str = "2018-01-01";
/// The scope region certdel signs STS with, as it signs Live (the doc example signs
/// `cn-beijing`, the same region under its newer name).
pub const VOLCENGINE_SIGNING_REGION: &str = "cn-north-1";
pub const ALIBABA_VERSION: &str = "2015-04-01";
/// Regions `alibabacloud_sts20150401` 1.2.0 sends to the central `sts.aliyuncs.com` (its
/// `_endpoint_map`); every other region is `sts.<region>.aliyuncs.com` (`_endpoint_rule`
/// `regional`).
pub const ALIBABA_CENTRAL: [&str; 8] = [
    "ap-northeast-2-pop",
    "ap-south-1",
    "ap-southeast-2",
    "cn-beijing-finance-pop",
    "cn-beijing-gov-1",
    "cn-beijing-nu16-b01",
    "eu-west-1-oxs",
    "rus-west-1-pop",
];
/// The environment variable that moves the STS calls (not Huawei's IAM lookup).
pub const STS_ENDPOINT_VAR: &str = "CERTDEL_STS_ENDPOINT";

/// Who the credentials are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The account (Huawei: domain) id — what `--expect-account` compares.
    pub account_id: String,
    /// The caller within the account: Tencent/Alibaba `Arn`, Volcengine `Trn`.
    pub principal: Option<String>,
    /// What the caller is, in the vendor's words: Tencent `Type` (`CAMUser`, `CAMRole`, …),
    /// Volcengine/Alibaba `IdentityType` (`Account`, `User`/`RAMUser`, `Role`/`AssumedRoleUser`).
    pub kind: Option<String>,
    /// Huawei only: the account (domain) name.
    pub account_name: Option<String>,
    pub request_id: Option<String>,
}

/// The identity call's default endpoint for `kind` in `region`.
pub fn default_endpoint(kind: Kind, region: Option<&str>) -> Endpoint {
    match Vendor::of(kind) {
        Vendor::Huawei => huawei_scm::iam_endpoint(region),
        Vendor::Tencent => Endpoint::https(TENCENT_HOST),
        Vendor::Volcengine => Endpoint::https(VOLCENGINE_HOST),
        Vendor::Alibaba => match region {
            Some(r) => alibaba::regional_endpoint("sts", r, &ALIBABA_CENTRAL),
            None => Endpoint::https("sts.aliyuncs.com"),
        },
    }
}

/// The signed identity request for the run's provider, to its identity endpoint.
pub fn identity_request(settings: &ProviderSettings, stamp: &Stamp) -> Request {
    request(
        Vendor::of(settings.kind()),
        &settings.identity_endpoint,
        &settings.credentials,
        settings.region.as_deref(),
        stamp,
    )
}

/// The signed identity request of `vendor` to `endpoint`. `region` is sent only by Tencent
/// (`X-TC-Region`, unsigned, as the SDK sends it); the others' calls are not regional.
pub fn request(
    vendor: Vendor,
    endpoint: &Endpoint,
    creds: &Credentials,
    region: Option<&str>,
    stamp: &Stamp,
) -> Request {
    match vendor {
        Vendor::Huawei => huawei_scm::discover_request(endpoint, creds, stamp),
        Vendor::Tencent => {
            // The SDK's json.dumps of the empty GetCallerIdentityRequest.
            let mut req = Request::new("POST", &endpoint.scheme, &endpoint.host, "/")
                .header("Content-Type", "application/json")
                .header("X-TC-Action", ACTION)
                .header("X-TC-Version", TENCENT_VERSION)
                .header("X-TC-Region", region.unwrap_or(TENCENT_DEFAULT_REGION))
                .body(b"{}".to_vec());
            tc3::sign(&req, creds, stamp, "sts").apply_to(&mut req);
            req
        }
        Vendor::Volcengine => {
            // volcenginesdksts: POST, form content type, no parameters (empty body).
            let mut req = Request::new("POST", &endpoint.scheme, &endpoint.host, "/")
                .query("Action", ACTION)
                .query("Version", VOLCENGINE_VERSION)
                .header("Content-Type", "application/x-www-form-urlencoded");
            volc::sign(&req, creds, stamp, VOLCENGINE_SIGNING_REGION, "sts").apply_to(&mut req);
            req
        }
        Vendor::Alibaba => {
            alibaba::rpc_request(endpoint, creds, ACTION, ALIBABA_VERSION, &[], stamp)
        }
    }
}

/// Who the reply says the caller is, or the answer for an error reply (or a success reply
/// without a usable account id: malformed, as any unreadable reply).
pub fn identity_answer(vendor: Vendor, reply: &Reply) -> Result<Identity, Answer> {
    let read = match vendor {
        Vendor::Huawei => huawei(reply),
        Vendor::Tencent => tencent(reply),
        Vendor::Volcengine => volcengine(reply),
        Vendor::Alibaba => alibaba(reply),
    };
    read.map_err(identity_class)
}

/// Statuses that describe a certificate mean nothing for the identity call: `failed`.
fn identity_class(mut a: Answer) -> Answer {
    if let Class::Done(s) = a.class {
        if s != Status::Denied {
            a.class = Class::Done(Status::Failed);
        }
    }
    a
}

/// An account id fit to print and compare: visible ASCII, as every vendor's ids are.
fn account(reply: &Reply, id: Option<String>) -> Result<String, Answer> {
    id.filter(|id| crate::wire::header_safe(id)).ok_or_else(|| {
        let mut a = Answer::malformed(reply);
        a.message = Some(format!(
            "{ACTION}: no usable AccountId in the reply: {}",
            reply.excerpt()
        ));
        a
    })
}

fn nonempty(v: &Value, key: &str) -> Option<String> {
    str_field(v, key).filter(|s| !s.is_empty())
}

fn huawei(reply: &Reply) -> Result<Identity, Answer> {
    let id = huawei_scm::discover_answer(reply)?;
    let name = reply
        .json()
        .and_then(|v| nonempty(&v["domains"][0], "name"));
    Ok(Identity {
        account_id: id,
        principal: None,
        kind: None,
        account_name: name,
        request_id: reply.header("x-request-id").map(str::to_string),
    })
}

fn tencent(reply: &Reply) -> Result<Identity, Answer> {
    let r = tencent_ssl::read_response(reply)?;
    Ok(Identity {
        account_id: account(reply, id_field(&r, "AccountId"))?,
        principal: nonempty(&r, "Arn").or_else(|| nonempty(&r, "UserId")),
        kind: nonempty(&r, "Type"),
        account_name: None,
        request_id: nonempty(&r, "RequestId"),
    })
}

fn volcengine(reply: &Reply) -> Result<Identity, Answer> {
    let (json, request_id) = volcengine_live::read_response(reply).map_err(|mut a| {
        // "身份不存在" (the identity does not exist; STS GetCallerIdentity error table, 401):
        // the key is no one's, for every request.
        if a.code.as_deref() == Some("UnknownCallerIdentity") {
            a.class = Class::Abort;
        }
        a
    })?;
    let result = &json["Result"];
    Ok(Identity {
        account_id: account(reply, id_field(result, "AccountId"))?,
        principal: nonempty(result, "Trn").or_else(|| nonempty(result, "IdentityId")),
        kind: nonempty(result, "IdentityType"),
        account_name: None,
        request_id,
    })
}

fn alibaba(reply: &Reply) -> Result<Identity, Answer> {
    let v = alibaba::read_response(reply, |_| None)?;
    Ok(Identity {
        account_id: account(reply, id_field(&v, "AccountId"))?,
        principal: nonempty(&v, "Arn").or_else(|| nonempty(&v, "UserId")),
        kind: nonempty(&v, "IdentityType"),
        account_name: None,
        request_id: nonempty(&v, "RequestId"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("x-request-id".into(), "rid-h".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    fn creds() -> Credentials {
        Credentials {
            access_key: "AKEXAMPLE".into(),
            secret_key: Secret::new("SECRETEXAMPLE"),
            token: None,
            origin: "test".into(),
        }
    }

    fn stamp() -> Stamp {
        Stamp {
            time: crate::provider::testing::utc("2023-11-14T22:13:20Z"),
            nonce: "0123456789abcdef0123456789abcdef".into(),
        }
    }

    #[test]
    fn vendors_and_default_endpoints() {
        assert_eq!(Vendor::of(Kind::AlibabaSlb), Vendor::of(Kind::AlibabaCas));
        let host = |k, r| default_endpoint(k, r).host;
        assert_eq!(host(Kind::TencentSsl, None), "sts.tencentcloudapi.com");
        assert_eq!(host(Kind::VolcengineLive, None), "sts.volcengineapi.com");
        assert_eq!(
            host(Kind::AlibabaSlb, Some("cn-hangzhou")),
            "sts.cn-hangzhou.aliyuncs.com"
        );
        assert_eq!(
            host(Kind::AlibabaCas, Some("ap-south-1")),
            "sts.aliyuncs.com"
        );
        assert_eq!(host(Kind::AlibabaCas, None), "sts.aliyuncs.com");
        assert_eq!(
            host(Kind::HuaweiScm, Some("ap-southeast-1")),
            "iam.ap-southeast-1.myhuaweicloud.com"
        );
        assert_eq!(
            host(Kind::HuaweiScm, None),
            "iam.cn-north-4.myhuaweicloud.com"
        );
    }

    #[test]
    fn request_shapes() {
        let ep = Endpoint::https("sts.example.invalid");
        let t = request(Vendor::Tencent, &ep, &creds(), None, &stamp());
        assert_eq!((t.method, t.target().as_str()), ("POST", "/"));
        assert_eq!(t.host, "sts.example.invalid");
        assert_eq!(t.header_value("X-TC-Action"), Some("GetCallerIdentity"));
        assert_eq!(t.header_value("X-TC-Version"), Some("2018-08-13"));
        assert_eq!(t.header_value("X-TC-Region"), Some("ap-guangzhou"));
        assert_eq!(t.body, b"{}");
        assert!(t
            .header_value("Authorization")
            .unwrap()
            .contains("/2023-11-14/sts/tc3_request"));
        let t = request(
            Vendor::Tencent,
            &ep,
            &creds(),
            Some("ap-shanghai"),
            &stamp(),
        );
        assert_eq!(t.header_value("X-TC-Region"), Some("ap-shanghai"));

        let v = request(Vendor::Volcengine, &ep, &creds(), Some("x"), &stamp());
        assert_eq!(v.method, "POST");
        assert_eq!(v.target(), "/?Action=GetCallerIdentity&Version=2018-01-01");
        assert!(v.body.is_empty());
        assert!(v
            .header_value("Authorization")
            .unwrap()
            .contains("/20231114/cn-north-1/sts/request"));

        let a = request(
            Vendor::Alibaba,
            &ep,
            &creds(),
            Some("cn-hangzhou"),
            &stamp(),
        );
        assert_eq!((a.method, a.target().as_str()), ("POST", "/"));
        assert_eq!(a.header_value("x-acs-action"), Some("GetCallerIdentity"));
        assert_eq!(a.header_value("x-acs-version"), Some("2015-04-01"));

        let h = request(Vendor::Huawei, &ep, &creds(), None, &stamp());
        assert_eq!((h.method, h.target().as_str()), ("GET", "/v3/auth/domains"));
        assert_eq!(h.header_value("X-Domain-Id"), None);
    }

    #[test]
    fn identity_request_uses_the_settings_endpoint_and_region() {
        let mut s = ProviderSettings::for_test(Kind::TencentSsl);
        s.identity_endpoint = Endpoint {
            scheme: "http".into(),
            host: "127.0.0.1:9".into(),
        };
        s.region = Some("ap-beijing".into());
        let req = identity_request(&s, &stamp());
        assert_eq!(req.url(), "http://127.0.0.1:9/");
        assert_eq!(req.header_value("X-TC-Region"), Some("ap-beijing"));
        let s = ProviderSettings::for_test(Kind::AlibabaCas);
        let req = identity_request(&s, &stamp());
        assert_eq!(req.host, s.identity_endpoint.host);
    }

    #[test]
    fn tencent_replies() {
        // The documentation's example shape (sub-account key).
        let ok = reply(
            200,
            r#"{"Response":{"Arn":"qcs::cam::uin/1000262:uin/1000261","AccountId":"1000262","UserId":"1000261","PrincipalId":"1000261","Type":"CAMUser","RequestId":"r-1"}}"#,
        );
        assert_eq!(
            identity_answer(Vendor::Tencent, &ok).unwrap(),
            Identity {
                account_id: "1000262".into(),
                principal: Some("qcs::cam::uin/1000262:uin/1000261".into()),
                kind: Some("CAMUser".into()),
                account_name: None,
                request_id: Some("r-1".into()),
            }
        );
        let err = |code: &str| {
            reply(
                200,
                &format!(
                    r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"m"}},"RequestId":"r-2"}}}}"#
                ),
            )
        };
        for (code, class) in [
            ("AuthFailure.SecretIdNotFound", Class::Abort),
            ("AuthFailure.SignatureFailure", Class::Abort),
            ("AuthFailure.SignatureExpire", Class::Abort),
            ("RequestLimitExceeded", Class::Throttled),
            ("InternalError", Class::Transient),
            ("UnauthorizedOperation", Class::Done(Status::Denied)),
            // Certificate statuses mean nothing here.
            ("ResourceNotFound", Class::Done(Status::Failed)),
            ("InvalidParameter", Class::Done(Status::Failed)),
        ] {
            let a = identity_answer(Vendor::Tencent, &err(code)).unwrap_err();
            assert_eq!(a.class, class, "{code}");
            assert_eq!(a.code.as_deref(), Some(code));
            assert_eq!(a.request_id.as_deref(), Some("r-2"));
        }
        for body in [
            r#"{"Response":{"RequestId":"r"}}"#,
            r#"{"Response":{"AccountId":"","RequestId":"r"}}"#,
            r#"{"Response":{"AccountId":"10 00","RequestId":"r"}}"#,
            "<html>",
        ] {
            let a = identity_answer(Vendor::Tencent, &reply(200, body)).unwrap_err();
            assert_eq!(a.code.as_deref(), Some("MalformedReply"), "{body}");
            assert_eq!(a.class, Class::Transient, "{body}");
        }
    }

    #[test]
    fn volcengine_replies() {
        // The documentation's example: AccountId is an integer.
        let ok = reply(
            200,
            r#"{"ResponseMetadata":{"RequestId":"2025102414","Action":"GetCallerIdentity","Version":"2018-01-01","Service":"sts","Region":"cn-beijing"},"Result":{"AccountId":2000000000,"Trn":"trn:iam::2000000000:user/bob","IdentityType":"User","IdentityId":"20000:example-session-name"}}"#,
        );
        assert_eq!(
            identity_answer(Vendor::Volcengine, &ok).unwrap(),
            Identity {
                account_id: "2000000000".into(),
                principal: Some("trn:iam::2000000000:user/bob".into()),
                kind: Some("User".into()),
                account_name: None,
                request_id: Some("2025102414".into()),
            }
        );
        let err = |status: u16, code: &str| {
            reply(
                status,
                &format!(
                    r#"{{"ResponseMetadata":{{"RequestId":"r","Error":{{"Code":"{code}","Message":"m"}}}}}}"#
                ),
            )
        };
        for (status, code, class) in [
            (401, "UnknownCallerIdentity", Class::Abort),
            (401, "InvalidAccessKey", Class::Abort),
            (401, "SignatureDoesNotMatch", Class::Abort),
            (429, "FlowLimitExceeded", Class::Throttled),
            (500, "InternalError", Class::Transient),
            (403, "AccessDenied", Class::Done(Status::Denied)),
            (403, "RequestForbidden", Class::Done(Status::Failed)),
        ] {
            let a = identity_answer(Vendor::Volcengine, &err(status, code)).unwrap_err();
            assert_eq!(a.class, class, "{code}");
        }
        let a = identity_answer(
            Vendor::Volcengine,
            &reply(200, r#"{"ResponseMetadata":{"RequestId":"r"},"Result":{}}"#),
        )
        .unwrap_err();
        assert_eq!(a.code.as_deref(), Some("MalformedReply"));
    }

    #[test]
    fn alibaba_replies() {
        // The documentation's example.
        let ok = reply(
            200,
            r#"{"IdentityType":"RAMUser","AccountId":"196813200012****","RequestId":"3C87BF47","PrincipalId":"28877424437521****","UserId":"216959339000****","Arn":"acs:ram::196813200012****:user/admin","RoleId":"33537620082992****"}"#,
        );
        assert_eq!(
            identity_answer(Vendor::Alibaba, &ok).unwrap(),
            Identity {
                account_id: "196813200012****".into(),
                principal: Some("acs:ram::196813200012****:user/admin".into()),
                kind: Some("RAMUser".into()),
                account_name: None,
                request_id: Some("3C87BF47".into()),
            }
        );
        let err = |status: u16, code: &str| {
            reply(
                status,
                &format!(
                    r#"{{"RequestId":"r","HostId":"sts.aliyuncs.com","Code":"{code}","Message":"m"}}"#
                ),
            )
        };
        for (status, code, class) in [
            (404, "InvalidAccessKeyId.NotFound", Class::Abort),
            (400, "SignatureDoesNotMatch", Class::Abort),
            (400, "InvalidSecurityToken.Expired", Class::Abort),
            (400, "Throttling.User", Class::Throttled),
            (500, "InternalError", Class::Transient),
            (403, "Forbidden.RAM", Class::Done(Status::Denied)),
        ] {
            let a = identity_answer(Vendor::Alibaba, &err(status, code)).unwrap_err();
            assert_eq!(a.class, class, "{code}");
        }
        let a = identity_answer(Vendor::Alibaba, &reply(200, r#"{"RequestId":"r"}"#)).unwrap_err();
        assert_eq!(a.code.as_deref(), Some("MalformedReply"));
    }

    #[test]
    fn huawei_replies() {
        let ok = reply(
            200,
            r#"{"domains":[{"id":"d78cbac186b744899480f25bd022f468","name":"IAMDomain","enabled":true,"description":""}],"links":{"self":"x"}}"#,
        );
        assert_eq!(
            identity_answer(Vendor::Huawei, &ok).unwrap(),
            Identity {
                account_id: "d78cbac186b744899480f25bd022f468".into(),
                principal: None,
                kind: None,
                account_name: Some("IAMDomain".into()),
                request_id: Some("rid-h".into()),
            }
        );
        let a = identity_answer(
            Vendor::Huawei,
            &reply(
                401,
                r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information","request_id":"r"}"#,
            ),
        )
        .unwrap_err();
        assert_eq!(a.class, Class::Abort);
        let a = identity_answer(Vendor::Huawei, &reply(200, r#"{"domains":[]}"#)).unwrap_err();
        assert_eq!(a.code.as_deref(), Some("NoDomain"));
        assert_eq!(a.class, Class::Done(Status::Failed));
    }
}
