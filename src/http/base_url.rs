//! The externally visible base URL of the SCIM API, for `meta.location` and `Location` behind a proxy,
//! and which `Host` values a request may name.
//!
//! The public SCIM base is `origin + public prefix + path_prefix`, where the public prefix is the path a
//! proxy strips before forwarding: the path of `http.public_base_url`, or else (from a trusted proxy) the
//! last `X-Forwarded-Prefix`.

use axum::http::{HeaderMap, header};

/// How the public origin is found: configured, or taken from trusted forwarded headers, or from `Host`.
#[derive(Debug, Clone)]
pub struct BaseUrlPolicy {
    /// `http.public_base_url` (an origin, optionally with the path a proxy strips).
    pub public_base_url: Option<String>,
    /// Trust `X-Forwarded-Proto`, `X-Forwarded-Host` and `X-Forwarded-Prefix`.
    pub trust_forwarded: bool,
    /// The SCIM path prefix, e.g. `/scim/v2`.
    pub prefix: String,
    /// `http.allowed_hosts`, lower-cased; empty accepts any host.
    pub allowed_hosts: Vec<String>,
}

impl BaseUrlPolicy {
    /// The SCIM base URL (origin + prefix) for one request.
    pub fn resolve(&self, headers: &HeaderMap) -> String {
        let origin = match &self.public_base_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => {
                let prefix = self
                    .forwarded(headers, "x-forwarded-prefix")
                    .and_then(safe_forwarded_prefix)
                    .unwrap_or("");
                format!("{}{prefix}", self.origin_from_headers(headers))
            }
        };
        format!("{origin}{}", self.prefix)
    }

    /// Whether the request's host (the last `X-Forwarded-Host` when trusted, else `Host`) is one of
    /// `allowed_hosts`. An entry without a port matches the host on any port.
    pub fn host_allowed(&self, headers: &HeaderMap) -> bool {
        if self.allowed_hosts.is_empty() {
            return true;
        }
        let Some(host) = self.request_host(headers) else {
            return false;
        };
        let host = host.to_ascii_lowercase();
        let name = strip_port(&host);
        self.allowed_hosts
            .iter()
            .any(|allowed| *allowed == host || *allowed == name)
    }

    /// The host the client named: the last `X-Forwarded-Host` when trusted, else `Host`.
    fn request_host<'h>(&self, headers: &'h HeaderMap) -> Option<&'h str> {
        let forwarded = self.forwarded(headers, "x-forwarded-host");
        forwarded.filter(|v| is_safe_host_or_proto(v)).or_else(|| {
            headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .filter(|v| is_safe_host_or_proto(v))
        })
    }

    /// A trusted forwarded header's value. Each proxy appends its own, so only the last one, set by
    /// the nearest proxy (the one the operator controls), is believed; earlier ones came from the client.
    fn forwarded<'h>(&self, headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
        if !self.trust_forwarded {
            return None;
        }
        let values = headers.get_all(name);
        let last = values.iter().next_back()?.to_str().ok()?;
        Some(last.rsplit(',').next()?.trim())
    }

    fn origin_from_headers(&self, headers: &HeaderMap) -> String {
        let proto = self
            .forwarded(headers, "x-forwarded-proto")
            .filter(|p| is_safe_host_or_proto(p))
            .filter(|p| p.eq_ignore_ascii_case("http") || p.eq_ignore_ascii_case("https"))
            .unwrap_or("http")
            .to_ascii_lowercase();
        let host = self.request_host(headers).unwrap_or("localhost");
        format!("{proto}://{host}")
    }
}

/// `host` without a trailing `:port` (IPv6 literals keep their brackets).
fn strip_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, port))
            if !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit())
                && (!name.starts_with('[') || name.ends_with(']')) =>
        {
            name
        }
        _ => host,
    }
}

/// A forwarded path prefix fit to put in a URL we hand back, without its trailing `/`: absolute, made of
/// unreserved characters, with no empty, `.` or `..` segment. `/` alone is no prefix; others are ignored.
fn safe_forwarded_prefix(v: &str) -> Option<&str> {
    let trimmed = v.strip_suffix('/').unwrap_or(v);
    if trimmed.is_empty() && v == "/" {
        return Some("");
    }
    let segments = trimmed.strip_prefix('/')?;
    let ok = trimmed.len() <= 255
        && segments.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
        });
    ok.then_some(trimmed)
}

/// Whether `v` is usable as an `http.allowed_hosts` entry: host characters only, optionally `:port`.
pub fn is_host_value(v: &str) -> bool {
    is_safe_host_or_proto(v)
}

/// Host values end up in URLs we hand back: accept only host[:port] characters.
fn is_safe_host_or_proto(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 255
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]_".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn policy(public: Option<&str>, trust: bool) -> BaseUrlPolicy {
        BaseUrlPolicy {
            public_base_url: public.map(str::to_owned),
            trust_forwarded: trust,
            prefix: "/scim/v2".into(),
            allowed_hosts: Vec::new(),
        }
    }

    #[test]
    fn configured_url_wins() {
        let h = headers(&[("host", "internal:8080"), ("x-forwarded-host", "evil.com")]);
        assert_eq!(
            policy(Some("https://scim.example.com/"), true).resolve(&h),
            "https://scim.example.com/scim/v2"
        );
    }

    #[test]
    fn forwarded_headers_only_when_trusted() {
        let h = headers(&[
            ("host", "10.0.0.5:8080"),
            ("x-forwarded-host", "spoofed.example, scim.example.com"),
            ("x-forwarded-proto", "javascript, https"),
        ]);
        assert_eq!(
            policy(None, true).resolve(&h),
            "https://scim.example.com/scim/v2"
        );
        assert_eq!(
            policy(None, false).resolve(&h),
            "http://10.0.0.5:8080/scim/v2"
        );
    }

    #[test]
    fn hostile_host_values_are_ignored() {
        let h = headers(&[
            ("host", "a.com/evil?x="),
            ("x-forwarded-proto", "javascript"),
        ]);
        assert_eq!(policy(None, true).resolve(&h), "http://localhost/scim/v2");
    }

    #[test]
    fn allowed_hosts_match_with_or_without_port() {
        let mut p = policy(None, true);
        p.allowed_hosts = vec!["scim.example.com".into(), "10.0.0.5:8080".into()];
        let ok = |pairs: &[(&'static str, &'static str)]| p.host_allowed(&headers(pairs));
        assert!(ok(&[("host", "SCIM.example.com:443")]));
        assert!(ok(&[("host", "10.0.0.5:8080")]));
        assert!(!ok(&[("host", "10.0.0.5:9090")]));
        assert!(!ok(&[("host", "evil.example")]));
        assert!(!ok(&[]));
        // The proxy's (last) forwarded value is the one checked.
        assert!(ok(&[
            ("host", "x"),
            ("x-forwarded-host", "evil.example, scim.example.com")
        ]));
        assert!(!ok(&[
            ("host", "scim.example.com"),
            ("x-forwarded-host", "scim.example.com, evil.example")
        ]));
    }

    #[test]
    fn a_trusted_forwarded_prefix_goes_before_the_scim_prefix() {
        let h = headers(&[
            ("host", "10.0.0.5:8080"),
            ("x-forwarded-host", "proxy.example:8443"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-prefix", "/spoofed, /idp/dropbox/"),
        ]);
        assert_eq!(
            policy(None, true).resolve(&h),
            "https://proxy.example:8443/idp/dropbox/scim/v2"
        );
        assert_eq!(
            policy(None, false).resolve(&h),
            "http://10.0.0.5:8080/scim/v2"
        );
        // The configured URL, with its own path, wins over the header.
        assert_eq!(
            policy(Some("https://scim.example.com/public/"), true).resolve(&h),
            "https://scim.example.com/public/scim/v2"
        );
    }

    #[test]
    fn hostile_forwarded_prefixes_are_ignored() {
        for bad in [
            "idp",
            "//evil.com",
            "/a/../b",
            "/a/./b",
            "/a?x=1",
            "/a#x",
            "/a b",
            "/%2e%2e",
            "/a\\b",
            "/a//b",
        ] {
            assert_eq!(safe_forwarded_prefix(bad), None, "{bad}");
        }
        assert_eq!(safe_forwarded_prefix("/"), Some(""));
        assert_eq!(safe_forwarded_prefix("/a-b/c_d.e~"), Some("/a-b/c_d.e~"));
    }
}
