//! The externally visible base URL of the SCIM API, for `meta.location` and `Location` behind a proxy,
//! and which `Host` values a request may name.

use axum::http::{HeaderMap, header};

/// How the public origin is found: configured, or taken from trusted forwarded headers, or from `Host`.
#[derive(Debug, Clone)]
pub struct BaseUrlPolicy {
    /// `http.public_base_url` without a trailing slash.
    pub public_base_url: Option<String>,
    /// Trust `X-Forwarded-Proto` and `X-Forwarded-Host`.
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
            None => self.origin_from_headers(headers),
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
        self.forwarded(headers, "x-forwarded-host").or_else(|| {
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
        Some(last.rsplit(',').next()?.trim()).filter(|v| is_safe_host_or_proto(v))
    }

    fn origin_from_headers(&self, headers: &HeaderMap) -> String {
        let proto = self
            .forwarded(headers, "x-forwarded-proto")
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
}
