//! Where requests go: `--endpoint` and the variables that move an endpoint, parsed so that the
//! host certdel signs is the host the request reaches.

/// Where requests go: scheme and `Host` value (with `:port` only when not the default).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub scheme: String,
    pub host: String,
}

impl Endpoint {
    pub fn https(host: impl Into<String>) -> Self {
        Endpoint {
            scheme: "https".into(),
            host: host.into(),
        }
    }

    /// `scheme://host[:port]`, the base URL requests go to (never a user or password:
    /// [`Endpoint::parse_as`] refuses them).
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }

    /// Parse `--endpoint`: see [`Endpoint::parse_as`].
    pub fn parse(url: &str) -> Result<Endpoint, String> {
        Endpoint::parse_as("--endpoint", url)
    }

    /// Parse `scheme://host[:port][/]`, given as `name` (a flag or a variable, for messages).
    /// Plain `http` only for loopback hosts, so a typo can never send credentials-bearing
    /// requests in clear text over a network.
    ///
    /// The host certdel signs must be the host the request goes to. URL parsers (WHATWG, as
    /// reqwest's) reinterpret much of what a person might type: `\` as `/`, percent-escapes
    /// and IDNA in the host, `127.1` or `0x7f.0.0.1` as `127.0.0.1`, an empty port as the
    /// default, a user and password before `@`. So certdel refuses all of that, then parses
    /// the URL with that same parser and requires the same scheme, host and port. Messages
    /// never show a user or password the value holds ([`redact_userinfo`]).
    pub fn parse_as(name: &str, url: &str) -> Result<Endpoint, String> {
        let shown = redact_userinfo(url);
        let bad = |why: &str| format!("{name} '{shown}': {why}");
        const FORM: &str = "give only scheme://host[:port]";
        if let Some(c) = url.chars().find(|c| c.is_control() || c.is_whitespace()) {
            return Err(bad(&format!(
                "contains whitespace or a control character (U+{:04X}); {FORM}",
                c as u32
            )));
        }
        if url.contains('\\') {
            return Err(bad(&format!(
                "contains a backslash, which URL parsers read as '/'; {FORM}"
            )));
        }
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(bad("is not a URL: expected scheme://host[:port]"));
        };
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(bad("scheme must be https (or http for loopback)"));
        }
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains('@') {
            return Err(bad(&format!(
                "a user or password in the URL is not supported (certdel signs its requests); {FORM}"
            )));
        }
        if authority.is_empty() || authority.contains(['/', '?', '#']) {
            return Err(bad(&format!("{FORM}, without path, query or fragment")));
        }
        if !authority.is_ascii() {
            return Err(bad(
                "the host has non-ASCII characters; give its ASCII (punycode, xn--) form",
            ));
        }
        if authority.contains('%') {
            return Err(bad(&format!(
                "percent-escapes are not allowed in the host; {FORM}"
            )));
        }
        let (host, port) = split_host_port(authority).map_err(&bad)?;
        let host = host.to_ascii_lowercase();
        let loopback = is_loopback(&host);
        let default_port = if scheme == "https" { 443 } else { 80 };
        let host = match port {
            Some(p) if p != default_port => format!("{host}:{p}"),
            _ => host,
        };
        // What the URL parser makes of it must be what certdel signs and connects to.
        let parsed = url::Url::parse(&format!("{scheme}://{authority}/"))
            .map_err(|e| bad(&format!("not a valid URL ({e}); {FORM}")))?;
        let theirs = match (parsed.host_str(), parsed.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            (None, _) => String::new(),
        };
        if parsed.scheme() != scheme || theirs != host {
            return Err(bad(&format!(
                "URL parsers read the host as '{theirs}', not '{host}'; write it as '{}://{theirs}'",
                parsed.scheme()
            )));
        }
        if scheme == "http" && !loopback {
            return Err(bad(
                "plain http is only allowed for loopback hosts (127.0.0.1, ::1, localhost); use https",
            ));
        }
        Ok(Endpoint { scheme, host })
    }
}

/// `url` with anything that may be a user or password (before the last `@` of what follows
/// `://`) replaced by `[redacted]`, for messages.
pub fn redact_userinfo(url: &str) -> std::borrow::Cow<'_, str> {
    let Some(at) = url.rfind('@') else {
        return std::borrow::Cow::Borrowed(url);
    };
    let start = match url.find("://") {
        Some(i) if i + 3 <= at => i + 3,
        _ => 0,
    };
    std::borrow::Cow::Owned(format!("{}[redacted]{}", &url[..start], &url[at..]))
}

/// Host and port of an authority: a bracketed IPv6 address or a name of letters, digits,
/// `-`, `.` and `_`; a port of 1 to 5 digits, neither empty nor 0.
fn split_host_port(authority: &str) -> Result<(&str, Option<u16>), &'static str> {
    const BAD_PORT: &str = "the port must be a number from 1 to 65535 (or left out with its ':')";
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let end = rest
            .find(']')
            .ok_or("an IPv6 address needs its closing ']'")?;
        let host = &authority[..end + 2];
        if !rest[..end]
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return Err("bad IPv6 address in brackets");
        }
        match &rest[end + 1..] {
            "" => (host, None),
            p => (host, Some(p.strip_prefix(':').ok_or(BAD_PORT)?)),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("the host is missing");
    }
    if !host.starts_with('[')
        && !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    {
        return Err("a host name has only letters, digits, '-', '.' and '_'");
    }
    let port = match port {
        Some(p) if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(BAD_PORT)
        }
        Some(p) => Some(p.parse::<u16>().ok().filter(|p| *p != 0).ok_or(BAD_PORT)?),
        None => None,
    };
    Ok((host, port))
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_parsing() {
        let e = Endpoint::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(
            (e.scheme.as_str(), e.host.as_str()),
            ("http", "127.0.0.1:8080")
        );
        let e = Endpoint::parse("https://Example.COM:443/").unwrap();
        assert_eq!(e.host, "example.com");
        let e = Endpoint::parse("http://[::1]:9").unwrap();
        assert_eq!(e.host, "[::1]:9");
        assert!(Endpoint::parse("http://example.com")
            .unwrap_err()
            .contains("loopback"));
        assert!(Endpoint::parse("http://10.0.0.1:80")
            .unwrap_err()
            .contains("loopback"));
        assert!(Endpoint::parse("ftp://x").is_err());
        assert!(Endpoint::parse("example.com").is_err());
        assert!(Endpoint::parse("https://h/path")
            .unwrap_err()
            .contains("without path"));
        assert!(Endpoint::parse("https://u@h").is_err());
        assert!(Endpoint::parse("https://h:99999").is_err());
        assert!(Endpoint::parse("https://h:0").is_err());
    }

    #[test]
    fn endpoints_the_url_parser_would_reinterpret_are_refused() {
        for (url, why) in [
            ("https://127.0.0.1\\evil.example", "backslash"),
            ("https://evil.example\\@127.0.0.1", "backslash"),
            ("https://ex%61mple.com", "percent-escapes"),
            ("https://127.0.0.1%2F", "percent-escapes"),
            ("https://exa mple.com", "whitespace"),
            (" https://example.com", "whitespace"),
            ("https://example.com\t", "U+0009"),
            ("https://exa\u{0}mple.com", "U+0000"),
            ("https://b\u{fc}cher.example", "punycode"),
            ("https://\u{ff45}xample.com", "punycode"),
            ("https://example.com:", "port"),
            ("https://example.com:+443", "port"),
            ("https://example.com:0", "port"),
            ("https://example.com:0443x", "port"),
            ("https://[::1]x", "port"),
            ("https://[::1", "closing"),
            ("https://[fe80::1%25eth0]", "percent-escapes"),
            ("https://exa^mple.com", "letters, digits"),
            ("https://exa'mple.com", "letters, digits"),
            ("https://:443", "host is missing"),
            ("https://127.1", "read the host as '127.0.0.1'"),
            (
                "https://0x7f.0.0.1:8443",
                "read the host as '127.0.0.1:8443'",
            ),
            ("https://2130706433", "read the host as '127.0.0.1'"),
            ("http://127.0.0.1.", "read the host as '127.0.0.1'"),
            ("https://[0:0:0:0:0:0:0:1]", "read the host as '[::1]'"),
            ("https://user@example.com", "user or password"),
            ("https://example.com/#", "without path"),
        ] {
            let e = Endpoint::parse(url).unwrap_err();
            assert!(e.contains(why), "{url:?}: {e}");
            assert!(e.starts_with("--endpoint '"), "{url:?}: {e}");
        }
        // What the parser agrees with is kept.
        for (url, host) in [
            ("https://example.com", "example.com"),
            ("https://EXAMPLE.com:8443/", "example.com:8443"),
            ("https://example.com:00443", "example.com"),
            ("https://xn--bcher-kva.example", "xn--bcher-kva.example"),
            ("https://my_host.internal", "my_host.internal"),
            ("http://[::1]:9", "[::1]:9"),
            ("http://localhost:80", "localhost"),
        ] {
            assert_eq!(Endpoint::parse(url).unwrap().host, host, "{url}");
        }
    }

    #[test]
    fn https_to_loopback_is_accepted() {
        let e = Endpoint::parse("https://127.0.0.1:8443").unwrap();
        assert_eq!(
            (e.scheme.as_str(), e.host.as_str()),
            ("https", "127.0.0.1:8443")
        );
        let e = Endpoint::parse("https://localhost:8443").unwrap();
        assert_eq!(e.host, "localhost:8443");
    }

    #[test]
    fn endpoint_userinfo_is_refused_and_never_shown() {
        for url in [
            "https://admin:hunter2@example.com",
            "https://hunter2@example.com",
            "https://admin:hunter2@127.0.0.1\\x",
            "https://admin:hun/ter2@example.com",
            "http://admin:hunter2@10.0.0.1",
            "admin:hunter2@example.com",
            "https://admin:hun ter2@example.com",
        ] {
            let e = Endpoint::parse(url).unwrap_err();
            assert!(!e.contains("hunter2") && !e.contains("hun"), "{url}: {e}");
            assert!(e.contains("[redacted]@"), "{url}: {e}");
        }
        assert_eq!(redact_userinfo("https://h:1"), "https://h:1");
        assert_eq!(
            redact_userinfo("https://u:p@h@i/x"),
            "https://[redacted]@i/x"
        );
    }
}
