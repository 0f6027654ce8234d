//! `[auth.jwt]`: JWT bearer tokens an identity provider issues itself (Entra's, for one), accepted next
//! to the hashed static tokens. Checked here for sense; keys and secrets are read by `crate::http::jwt`.

use super::{ConfigError, list_or_commas, redact};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The algorithms a JWT may be signed with; anything else (`none` included) is refused.
pub const SUPPORTED_ALGORITHMS: &[&str] = &["RS256", "ES256", "HS256"];

/// Claims that would put a person's address in the logs, refused as `client_claim`.
const PERSONAL_CLAIMS: &[&str] = &[
    "email",
    "emails",
    "upn",
    "unique_name",
    "preferred_username",
    "name",
];

/// Accepted JWTs: who issues them, for whom, how they are signed and with which keys.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct JwtConfig {
    /// Accepted `iss` values (at least one), e.g. `https://sts.windows.net/<tenant-id>/`.
    #[serde(deserialize_with = "list_or_commas")]
    pub issuers: Vec<String>,
    /// Accepted `aud` values (at least one), e.g. Entra's `8adf8e6e-67b2-4cf2-a259-e3dc5476c621`.
    #[serde(deserialize_with = "list_or_commas")]
    pub audiences: Vec<String>,
    /// Allowed `alg` values: `RS256`, `ES256` and `HS256`; default `["RS256"]`.
    #[serde(default = "default_algorithms", deserialize_with = "list_or_commas")]
    pub algorithms: Vec<String>,
    /// The public keys (a JWKS document) over HTTPS; plain HTTP only to a loopback address.
    #[serde(default)]
    pub jwks_url: Option<String>,
    /// The public keys from a JWKS file instead of a URL (re-read on SIGHUP). Named `_path`, not
    /// `_file`: a variable ending in `_FILE` reads a key's value from a file.
    #[serde(default)]
    pub jwks_path: Option<PathBuf>,
    /// The HS256 shared secret (at least 32 bytes), needed when `HS256` is allowed; best read from a
    /// file with `SCIM_BRIDGE_AUTH__JWT__HS256_SECRET_FILE`.
    #[serde(default, serialize_with = "redact")]
    pub hs256_secret: Option<SecretString>,
    /// How far `exp` and `nbf` may be off, for clocks that differ.
    #[serde(default = "default_clock_skew")]
    pub clock_skew_secs: u64,
    /// The claim whose value names the client in logs and the audit log (`jwt` when absent).
    #[serde(default = "default_client_claim")]
    pub client_claim: String,
    /// Keys fetched from `jwks_url` are fetched again after this long.
    #[serde(default = "default_jwks_cache")]
    pub jwks_cache_secs: u64,
    /// Fetches of `jwks_url` (for a token with an unknown `kid`, or after a failure) are at least
    /// this far apart.
    #[serde(default = "default_jwks_min_refetch")]
    pub jwks_min_refetch_secs: u64,
}

impl JwtConfig {
    /// Checks values that parse but cannot work: every error names its `auth.jwt.*` key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (key, values) in [
            ("auth.jwt.issuers", &self.issuers),
            ("auth.jwt.audiences", &self.audiences),
        ] {
            if values.is_empty() || values.iter().any(|v| v.trim().is_empty()) {
                return Err(ConfigError::invalid(
                    key,
                    "needs at least one non-empty value: a JWT is only accepted from a known issuer, for this bridge",
                ));
            }
        }
        if self.algorithms.is_empty() {
            return Err(ConfigError::invalid(
                "auth.jwt.algorithms",
                "needs at least one of RS256, ES256, HS256",
            ));
        }
        for (i, alg) in self.algorithms.iter().enumerate() {
            if !SUPPORTED_ALGORITHMS.contains(&alg.as_str()) {
                return Err(ConfigError::invalid(
                    &format!("auth.jwt.algorithms[{i}]"),
                    format!("`{alg}` is not supported; use RS256, ES256 or HS256"),
                ));
            }
        }
        let asymmetric = self.algorithms.iter().any(|a| a != "HS256");
        match (&self.jwks_url, &self.jwks_path) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::invalid(
                    "auth.jwt.jwks_path",
                    "set either jwks_url or jwks_path, not both",
                ));
            }
            (None, None) if asymmetric => {
                return Err(ConfigError::invalid(
                    "auth.jwt.jwks_url",
                    "RS256 and ES256 need the issuer's public keys: set jwks_url or jwks_path",
                ));
            }
            (Some(url), None) => check_jwks_url(url)?,
            _ => {}
        }
        let secret_len = self.hs256_secret.as_ref().map(|s| s.expose_secret().len());
        if self.algorithms.iter().any(|a| a == "HS256") && secret_len.is_none_or(|n| n < 32) {
            return Err(ConfigError::invalid(
                "auth.jwt.hs256_secret",
                "HS256 needs a shared secret of at least 32 bytes (from a file: \
                 SCIM_BRIDGE_AUTH__JWT__HS256_SECRET_FILE)",
            ));
        }
        let claim = self.client_claim.trim();
        if claim.is_empty() || PERSONAL_CLAIMS.contains(&claim.to_ascii_lowercase().as_str()) {
            return Err(ConfigError::invalid(
                "auth.jwt.client_claim",
                "must name a client, not a person (logs never hold e-mails): e.g. sub, appid, azp or client_id",
            ));
        }
        Ok(())
    }
}

/// `https://…`, or `http://` to a loopback address (a local key server, tests).
fn check_jwks_url(url: &str) -> Result<(), ConfigError> {
    let parsed = url::Url::parse(url)
        .map_err(|e| ConfigError::invalid("auth.jwt.jwks_url", format!("not a URL: {e}")))?;
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match parsed.scheme() {
        "https" if parsed.host().is_some() => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(ConfigError::invalid(
            "auth.jwt.jwks_url",
            "must be an https:// URL (plain http only to a loopback address)",
        )),
    }
}

fn default_algorithms() -> Vec<String> {
    vec!["RS256".to_owned()]
}
fn default_clock_skew() -> u64 {
    60
}
fn default_client_claim() -> String {
    "sub".to_owned()
}
fn default_jwks_cache() -> u64 {
    3600
}
fn default_jwks_min_refetch() -> u64 {
    60
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> JwtConfig {
        JwtConfig {
            issuers: vec!["https://sts.windows.net/t/".into()],
            audiences: vec!["8adf8e6e-67b2-4cf2-a259-e3dc5476c621".into()],
            algorithms: default_algorithms(),
            jwks_url: Some("https://login.microsoftonline.com/t/discovery/v2.0/keys".into()),
            jwks_path: None,
            hs256_secret: None,
            clock_skew_secs: 60,
            client_claim: "appid".into(),
            jwks_cache_secs: 3600,
            jwks_min_refetch_secs: 60,
        }
    }

    fn refused(c: &JwtConfig) -> String {
        match c.validate() {
            Err(ConfigError::Invalid { key, .. }) => key,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn entra_settings_are_valid() {
        base().validate().expect("valid");
    }

    #[test]
    fn refuses_what_cannot_work() {
        let mut c = base();
        c.audiences.clear();
        assert_eq!(refused(&c), "auth.jwt.audiences");
        let mut c = base();
        c.algorithms = vec!["none".into()];
        assert_eq!(refused(&c), "auth.jwt.algorithms[0]");
        let mut c = base();
        c.jwks_url = Some("http://keys.example.com/jwks".into());
        assert_eq!(refused(&c), "auth.jwt.jwks_url");
        c.jwks_url = Some("http://127.0.0.1:9/jwks".into());
        c.validate().expect("loopback http is fine");
        c.jwks_url = None;
        assert_eq!(refused(&c), "auth.jwt.jwks_url");
        let mut c = base();
        c.algorithms = vec!["HS256".into()];
        c.jwks_url = None;
        assert_eq!(refused(&c), "auth.jwt.hs256_secret");
        c.hs256_secret = Some(SecretString::from("too short"));
        assert_eq!(refused(&c), "auth.jwt.hs256_secret");
        c.hs256_secret = Some(SecretString::from("x".repeat(32)));
        c.validate().expect("HS256 alone needs no keys");
        let mut c = base();
        c.client_claim = "upn".into();
        assert_eq!(refused(&c), "auth.jwt.client_claim");
    }
}
