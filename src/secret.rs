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
/// `Authorization` header), the secret it pairs with, an optional STS session token, and where
/// they came from.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub access_key: String,
    pub secret_key: Secret,
    pub token: Option<Secret>,
    /// Where the settings found them, for a person (`certdel <provider> whoami`): the
    /// environment variables' names (`environment: TENCENTCLOUD_SECRET_ID,
    /// TENCENTCLOUD_SECRET_KEY`), or a profile's file and name. Never a value.
    pub origin: String,
}

/// Characters of an access key id shown at each end by [`mask_key`].
const MASK_KEEP: usize = 4;
/// Keys shorter than this are masked entirely: showing 4 + 4 characters of them would show
/// most of the key.
const MASK_MIN_LEN: usize = 12;

/// An access key id for a person or a log: its first 4 and last 4 characters, `*` for every
/// character in between (`AKID********************WXYZ`); a key shorter than 12 characters is
/// all `*`. Counted in characters, so no input can split one. Masking a masked key changes
/// nothing.
pub fn mask_key(key: &str) -> String {
    let n = key.chars().count();
    if n < MASK_MIN_LEN {
        return "*".repeat(n);
    }
    key.chars()
        .enumerate()
        .map(|(i, c)| {
            if i < MASK_KEEP || i >= n - MASK_KEEP {
                c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_key_keeps_four_characters_at_each_end() {
        assert_eq!(
            mask_key("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"),
            "AKID****************************MPLE"
        );
        assert_eq!(mask_key("LTAI5tABCDEF"), "LTAI****CDEF");
        // Short keys: nothing shown (4 + 4 of 11 would be most of it).
        assert_eq!(mask_key("AKIDEXAMPLE"), "***********");
        assert_eq!(mask_key("AK"), "**");
        assert_eq!(mask_key(""), "");
        // Characters, not bytes: never a panic, never half a character.
        assert_eq!(mask_key("账户账户账户账户账户账户"), "账户账户****账户账户");
        // Idempotent: a key masked upstream stays as it is.
        let once = mask_key("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE");
        assert_eq!(mask_key(&once), once);
        assert_eq!(mask_key("***********"), "***********");
    }

    #[test]
    fn secret_redacts_in_debug_and_display() {
        let creds = Credentials {
            access_key: "AK".into(),
            secret_key: Secret::new("hunter2"),
            token: Some(Secret::new("tok-xyz")),
            origin: "test".into(),
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
