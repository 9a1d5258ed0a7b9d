//! `certdel <provider> whoami`: what a run would use — endpoint, region, where the credentials
//! came from, the access key id (masked) — and who the vendor says the credentials are (the
//! identity call the session's preflight makes, [`crate::provider::identity`]).
//!
//! [`Whoami`] is the record; [`crate::output::Reporter::whoami`] writes it (text: one
//! `label: value` line each; json: one object; ids: the account id alone). Nothing in it is
//! secret: the key id is masked, secrets and tokens are not part of it.

use crate::provider::identity::Identity;
use crate::secret::mask_key;
use crate::settings::ProviderSettings;
use serde::Serialize;

/// What `whoami` reports, field for field its JSON object (`null` when unknown).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Whoami {
    pub provider: &'static str,
    /// The base URL the product's requests go to.
    pub endpoint: String,
    /// The base URL the identity call went to.
    pub identity_endpoint: String,
    pub region: Option<String>,
    /// Masked ([`mask_key`]).
    pub access_key_id: String,
    /// Where the credentials came from ([`crate::secret::Credentials::origin`]).
    pub credential_source: String,
    pub account_id: String,
    /// Tencent/Alibaba `Arn`, Volcengine `Trn`; none for Huawei.
    pub principal: Option<String>,
    /// The vendor's word for the caller (`CAMUser`, `RAMUser`, `Account`, …).
    pub identity_type: Option<String>,
    /// Huawei: the account (domain) name.
    pub account_name: Option<String>,
}

impl Whoami {
    pub fn new(settings: &ProviderSettings, identity: &Identity) -> Whoami {
        Whoami {
            provider: settings.kind().name(),
            endpoint: settings.endpoint.base_url(),
            identity_endpoint: settings.identity_endpoint.base_url(),
            region: settings.region.clone(),
            access_key_id: mask_key(&settings.credentials.access_key),
            credential_source: settings.credentials.origin.clone(),
            account_id: identity.account_id.clone(),
            principal: identity.principal.clone(),
            identity_type: identity.kind.clone(),
            account_name: identity.account_name.clone(),
        }
    }

    /// The text form: `label: value` lines, the values aligned; unknown values as `-`. Not
    /// escaped here: the reporter escapes what it writes for a person.
    pub fn text_lines(&self) -> Vec<String> {
        let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        let mut rows = vec![
            ("provider", self.provider.to_string()),
            ("endpoint", self.endpoint.clone()),
            ("identity endpoint", self.identity_endpoint.clone()),
            ("region", or_dash(&self.region)),
            ("access key id", self.access_key_id.clone()),
            ("credentials from", self.credential_source.clone()),
            ("account id", self.account_id.clone()),
            ("principal", or_dash(&self.principal)),
            ("identity type", or_dash(&self.identity_type)),
        ];
        if let Some(name) = &self.account_name {
            rows.push(("account name", name.clone()));
        }
        let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
        rows.into_iter()
            .map(|(k, v)| format!("{:<width$} {v}", format!("{k}:")))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::Kind;
    use crate::secret::{Credentials, Secret};

    fn settings() -> ProviderSettings {
        let mut s = ProviderSettings::for_test(Kind::TencentSsl);
        s.credentials = Credentials {
            access_key: "AKIDVISIBLEPARTxxxxxxxxxxxxxxxxENDS".into(),
            secret_key: Secret::new("SECRETKEY-marker-9f8e7d"),
            token: Some(Secret::new("STSTOKEN-marker-1a2b3c")),
            origin: "environment: TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY".into(),
        };
        s.region = Some("ap-beijing".into());
        s
    }

    fn identity() -> Identity {
        Identity {
            account_id: "1000262".into(),
            principal: Some("qcs::cam::uin/1000262:uin/1000261".into()),
            kind: Some("CAMUser".into()),
            account_name: None,
            request_id: Some("r-1".into()),
        }
    }

    #[test]
    fn the_record_masks_the_key_and_holds_no_secret() {
        let w = Whoami::new(&settings(), &identity());
        assert_eq!(w.access_key_id, "AKID***************************ENDS");
        assert_eq!(w.endpoint, "https://example.invalid");
        assert_eq!(w.identity_endpoint, "https://sts.example.invalid");
        assert_eq!(w.account_id, "1000262");
        let line = crate::output::json_line(&w);
        let json: serde_json::Value = serde_json::from_str(&line).unwrap();
        // In this order on the line.
        let mut at: Vec<(usize, &str)> = json
            .as_object()
            .unwrap()
            .keys()
            .map(|k| (line.find(&format!("\"{k}\":")).unwrap(), k.as_str()))
            .collect();
        at.sort();
        let keys: Vec<&str> = at.into_iter().map(|(_, k)| k).collect();
        assert_eq!(
            keys,
            [
                "provider",
                "endpoint",
                "identity_endpoint",
                "region",
                "access_key_id",
                "credential_source",
                "account_id",
                "principal",
                "identity_type",
                "account_name"
            ]
        );
        assert!(json["account_name"].is_null());
        let shown = format!("{json} {}", w.text_lines().join("\n"));
        for secret in ["SECRETKEY-marker", "STSTOKEN-marker", "VISIBLEPART"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn text_lines_are_aligned_with_dashes_for_the_unknown() {
        let mut id = identity();
        id.principal = None;
        let lines = Whoami::new(&settings(), &id).text_lines();
        assert_eq!(lines[0], "provider:          tencent-ssl");
        assert_eq!(lines[6], "account id:        1000262");
        assert_eq!(lines[7], "principal:         -");
        assert_eq!(
            lines.len(),
            9,
            "no account name line without one: {lines:?}"
        );
        id.account_name = Some("IAMDomain".into());
        let lines = Whoami::new(&settings(), &id).text_lines();
        assert_eq!(lines[9], "account name:      IAMDomain");
    }
}
