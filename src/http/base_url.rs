//! The externally visible base URL of the SCIM API, for `meta.location` and `Location` behind a proxy.

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

    fn origin_from_headers(&self, headers: &HeaderMap) -> String {
        let forwarded = |name: &str| {
            self.trust_forwarded
                .then(|| headers.get(name)?.to_str().ok())
                .flatten()
                // A proxy chain appends; the first value is the client-facing one.
                .and_then(|v| v.split(',').next())
                .map(str::trim)
                .filter(|v| is_safe_host_or_proto(v))
        };
        let proto = forwarded("x-forwarded-proto")
            .filter(|p| p.eq_ignore_ascii_case("http") || p.eq_ignore_ascii_case("https"))
            .unwrap_or("http")
            .to_ascii_lowercase();
        let host = forwarded("x-forwarded-host")
            .or_else(|| {
                headers
                    .get(header::HOST)
                    .and_then(|v| v.to_str().ok())
                    .filter(|v| is_safe_host_or_proto(v))
            })
            .unwrap_or("localhost");
        format!("{proto}://{host}")
    }
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
            ("x-forwarded-host", "scim.example.com, proxy.internal"),
            ("x-forwarded-proto", "https"),
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
}
