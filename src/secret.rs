//! Secrets that never print: `Secret` redacts itself in `Debug` and `Display`, so a
//! credential that ends up in an error, a log line or a panic message shows `[redacted]`.

use std::fmt;

/// A secret string (secret key, session token). The only way to read it is [`Secret::expose`],
/// which the signers call; nothing else should.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// One set of credentials for one vendor: an access key id (not secret: it appears in the
/// `Authorization` header), the secret it pairs with, and an optional STS session token.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub access_key: String,
    pub secret_key: Secret,
    pub token: Option<Secret>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_redacts_in_debug_and_display() {
        let creds = Credentials {
            access_key: "AK".into(),
            secret_key: Secret::new("hunter2"),
            token: Some(Secret::new("tok-xyz")),
        };
        let shown = format!(
            "{creds:?} {} {}",
            creds.secret_key,
            creds.token.as_ref().unwrap()
        );
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("tok-xyz"), "{shown}");
        assert!(shown.contains("[redacted]"));
        assert_eq!(creds.secret_key.expose(), "hunter2");
    }
}
