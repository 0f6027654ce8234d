//! `[metrics]`: where Prometheus `/metrics` is served and the bearer token it asks for.
//!
//! Off unless configured. With `listen`, `/metrics` has its own address (a private port for the
//! scraper) and the main address has none. Without it, `/metrics` is on the main address, which an
//! IdP reaches through a public proxy, so it is served there only behind `token_sha256`.

use crate::tokens::token_hash_hex;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

/// The `[metrics]` section.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Serve `/metrics` on this address of its own instead of the main one.
    #[serde(default)]
    pub listen: Option<SocketAddr>,
    /// Hex SHA-256 of the bearer token `/metrics` requires (`dropbox-scim-bridge token --name
    /// prometheus` makes one). Required on the main address; optional on `listen`.
    #[serde(default)]
    pub token_sha256: Option<TokenHash>,
}

/// Where `/metrics` is served, as the configuration decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsPlace {
    /// Nowhere: neither `listen` nor `token_sha256` is set.
    Off,
    /// On the main address, behind the token.
    MainAddress,
    /// On its own address.
    Own(SocketAddr),
}

impl MetricsConfig {
    /// Where `/metrics` is served.
    pub fn place(&self) -> MetricsPlace {
        match (self.listen, &self.token_sha256) {
            (Some(addr), _) => MetricsPlace::Own(addr),
            (None, Some(_)) => MetricsPlace::MainAddress,
            (None, None) => MetricsPlace::Off,
        }
    }

    /// Whether `presented` (a bearer token, or none) may read `/metrics`.
    pub fn allows(&self, presented: Option<&str>) -> bool {
        match (&self.token_sha256, presented) {
            (None, _) => true,
            (Some(expected), Some(token)) => expected.matches(token),
            (Some(_), None) => false,
        }
    }
}

/// A token's lower-case hex SHA-256, checked when the configuration is read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "String", into = "String")]
pub struct TokenHash(String);

impl TokenHash {
    /// Whether `token` hashes to this value (compared in constant time).
    pub fn matches(&self, token: &str) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(token_hash_hex(token).as_bytes().ct_eq(self.0.as_bytes()))
    }
}

impl TryFrom<String> for TokenHash {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        let value = value.trim().to_ascii_lowercase();
        if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(value))
        } else {
            Err("must be 64 hex characters; make one with `dropbox-scim-bridge token`".to_owned())
        }
    }
}

impl From<TokenHash> for String {
    fn from(hash: TokenHash) -> String {
        hash.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn load(env: &[(&str, &str)]) -> Result<Config, String> {
        let vars = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        Config::load_from(None, vars).map_err(|e| e.to_string())
    }

    #[test]
    fn metrics_are_off_unless_configured_and_the_main_address_needs_a_token() {
        assert_eq!(
            load(&[]).expect("defaults").metrics.place(),
            MetricsPlace::Off
        );
        let hash = token_hash_hex("scrape-me");
        let main = load(&[("SCIM_BRIDGE_METRICS__TOKEN_SHA256", &hash)]).expect("token");
        assert_eq!(main.metrics.place(), MetricsPlace::MainAddress);
        assert!(main.metrics.allows(Some("scrape-me")));
        assert!(!main.metrics.allows(Some("scrape-you")));
        assert!(!main.metrics.allows(None));
        let own = load(&[("SCIM_BRIDGE_METRICS__LISTEN", "127.0.0.1:9090")]).expect("listen");
        assert_eq!(
            own.metrics.place(),
            MetricsPlace::Own("127.0.0.1:9090".parse().expect("addr"))
        );
        assert!(own.metrics.allows(None));
    }

    #[test]
    fn bad_values_name_the_key() {
        let err = load(&[("SCIM_BRIDGE_METRICS__TOKEN_SHA256", "abc")]).expect_err("short");
        assert!(err.contains("metrics.token_sha256"), "{err}");
        assert!(err.contains("64 hex"), "{err}");
        let err = load(&[("SCIM_BRIDGE_METRICS__LISTEN", "nowhere")]).expect_err("addr");
        assert!(err.contains("metrics.listen"), "{err}");
    }
}
