//! The API root (`--api-base`) parsed as a URL before anything is sent, and ids
//! put into request paths.
//!
//! The token travels in a header to whatever host the root names, so the root is
//! checked strictly: `https` anywhere, plain `http` only to a loopback literal
//! (`127.0.0.0/8`, `::1`, `localhost`), where nothing crosses a network. User-info
//! (`user:password@`) is refused, and the URL is then never echoed, since it holds
//! a credential. Ids that came from the service are percent-encoded, so an id such
//! as `../x` or one holding control characters cannot change which path is asked.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::ApiError;
use crate::escape;

/// A checked API root: scheme, host (with port) and path prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiBase {
    scheme: &'static str,
    /// `host` or `host:port`, as written (IPv6 in brackets).
    authority: String,
    /// The host alone, for messages.
    host: String,
    /// The path prefix without a trailing `/`, such as `/client/v4`.
    path: String,
}

impl ApiBase {
    /// Parses and checks an API root such as `https://api.cloudflare.com/client/v4`.
    pub fn parse(text: &str) -> Result<ApiBase, ApiError> {
        let bad = |why: &str| ApiError::BadBase(format!("--api-base: {why}"));
        // Before any message that quotes the URL: an `@` anywhere may end a
        // credential (`user:pa/ss@host` splits at the `/`), so a URL holding one is
        // refused without being shown. An API root has no use for `@`.
        if text.contains('@') {
            return Err(bad(
                "the URL holds user-info (`name:password@`), which is refused; the token is read from CLOUDFLARE_API_TOKEN only",
            ));
        }
        let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
        let (scheme, rest) = if lower.starts_with("https://") {
            ("https", &text[8..])
        } else if lower.starts_with("http://") {
            ("http", &text[7..])
        } else {
            return Err(bad(&format!(
                "`{}` is not an http(s) URL; write it like `https://api.cloudflare.com/client/v4`",
                shown(text)
            )));
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if tail.contains(['?', '#']) {
            return Err(bad(&format!(
                "`{}` has a query or fragment; give only scheme, host and path",
                shown(text)
            )));
        }
        if tail
            .chars()
            .any(|c| c.is_whitespace() || escape::is_unsafe(c))
        {
            return Err(bad("the path holds spaces or control characters"));
        }
        let host = host_of(authority).ok_or_else(|| {
            bad(&format!(
                "`{}` is not a host name or IP address with an optional port",
                shown(authority)
            ))
        })?;
        if scheme == "http" && !is_loopback(&host) {
            return Err(bad(&format!(
                "plain http is accepted only for loopback addresses (127.0.0.0/8, ::1, localhost), not `{host}`; use https"
            )));
        }
        Ok(ApiBase {
            scheme,
            authority: authority.to_ascii_lowercase(),
            host,
            path: tail.trim_end_matches('/').to_string(),
        })
    }

    /// The full URL of `path` (which starts with `/`) under this root.
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{}{path}", self.scheme, self.authority, self.path)
    }

    /// The host, for messages.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Host and path as an error names them: `api.cloudflare.com/client/v4/...`.
    pub fn describe(&self, path: &str) -> String {
        format!("{}{}{path}", self.authority, self.path)
    }
}

fn shown(text: &str) -> String {
    let cut: String = text.chars().take(200).collect();
    escape::terminal(&cut).into_owned()
}

/// The host of `host[:port]` (IPv6 in brackets), or `None` when malformed.
fn host_of(authority: &str) -> Option<String> {
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        let (ip, after) = inner.split_once(']')?;
        ip.parse::<Ipv6Addr>().ok()?;
        (format!("[{ip}]"), after.strip_prefix(':'))
    } else {
        let (h, p) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let ok = !h.is_empty()
            && h.len() <= 253
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if !ok {
            return None;
        }
        (h.to_ascii_lowercase(), p)
    };
    if let Some(p) = port {
        if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse::<u16>().ok()?;
    } else if authority.ends_with(':') {
        return None;
    }
    Some(host)
}

/// Whether a host is a loopback literal: `localhost`, `127.x.y.z`, `[::1]`.
fn is_loopback(host: &str) -> bool {
    if host == "localhost" {
        return true;
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    }
    // Only the dotted-quad form: `127.1` or `0x7f.0.0.1` are not literals we trust.
    host.split('.').count() == 4 && host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// One path segment from an id: everything but letters, digits, `-`, `_` and
/// `~` percent-encoded (dots too, so `..` cannot climb).
pub fn segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_plain_http_only_to_loopback_literals() {
        for ok in [
            "https://api.cloudflare.com/client/v4",
            "HTTPS://API.example.com:8443/",
            "http://127.0.0.1:8080/client/v4",
            "http://127.45.6.7/x",
            "http://localhost:1",
            "http://[::1]:99/x",
        ] {
            assert!(ApiBase::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.1/x",
            "http://example.com",
            "http://127.0.0.1.evil.com/",
            "http://127.1/",
            "http://localhost.evil.com/",
            "http://[::2]/",
            "ftp://x",
            "https://",
            "https://host:99999/",
            "https://host:/",
            "https://ho st/",
            "https://host/a?b=c",
            "https://host/a\nb",
        ] {
            assert!(ApiBase::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn user_info_is_refused_and_never_echoed() {
        // Also where another check would have quoted the URL: a wrong scheme, a
        // query, a `/` inside the password, a host that is not loopback.
        for url in [
            "https://me:hunter2@api.cloudflare.com/client/v4",
            "http://me:hunter2@127.0.0.1:8080/client/v4",
            "http://me:hunter2@api.example.com/client/v4",
            "htps://me:hunter2@api.cloudflare.com/",
            "https://me:hunter2@api.cloudflare.com/client/v4?x=1",
            "https://me:hun/ter2@api.cloudflare.com/client/v4",
            "https://hunter2@api.cloudflare.com",
        ] {
            let e = ApiBase::parse(url).unwrap_err();
            let text = e.to_string();
            assert!(text.contains("user-info"), "{url}: {text}");
            assert!(!text.contains("hunter2") && !text.contains("hun"), "{text}");
            assert_eq!(e.exit_code(), 2);
        }
    }

    #[test]
    fn urls_and_descriptions_keep_host_and_path() {
        let b = ApiBase::parse("http://127.0.0.1:9/client/v4/").unwrap();
        assert_eq!(b.url("/routes"), "http://127.0.0.1:9/client/v4/routes");
        assert_eq!(b.describe("/routes"), "127.0.0.1:9/client/v4/routes");
        assert_eq!(b.host(), "127.0.0.1");
    }

    #[test]
    fn ids_cannot_climb_or_inject() {
        assert_eq!(segment("rt0001"), "rt0001");
        assert_eq!(segment("../x"), "%2E%2E%2Fx");
        assert_eq!(segment("a\u{1b}[2J?b#c"), "a%1B%5B2J%3Fb%23c");
        assert_eq!(segment("é"), "%C3%A9");
    }
}
