//! `[status]`: the operator's status page (`/status`, `/status.json`), off unless a token hash is set.

use serde::{Deserialize, Deserializer, Serialize};

/// Status page settings.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StatusConfig {
    /// Lower-case hex SHA-256 of the operator token (make one with `dropbox-scim-bridge token
    /// --name operator`). Unset: the page and `/status.json` answer 404. Never an IdP token.
    #[serde(default, deserialize_with = "token_hash")]
    pub token_sha256: Option<String>,
    /// How many of the latest audit entries the page shows.
    #[serde(default = "default_recent")]
    pub recent_operations: u32,
}

impl Default for StatusConfig {
    fn default() -> Self {
        Self {
            token_sha256: None,
            recent_operations: default_recent(),
        }
    }
}

impl StatusConfig {
    /// Whether the page is served at all.
    pub fn enabled(&self) -> bool {
        self.token_sha256.is_some()
    }
}

fn default_recent() -> u32 {
    20
}

/// 64 hex characters (stored lower-case), refused otherwise so a typo never leaves the page open
/// to a token nobody holds or silently disabled.
fn token_hash<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    let text = text.trim().to_ascii_lowercase();
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(serde::de::Error::custom(
            "must be 64 hex characters: the SHA-256 printed by `dropbox-scim-bridge token --name operator`",
        ));
    }
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    use figment::providers::Format;

    fn parse(toml: &str) -> Result<StatusConfig, String> {
        figment::Figment::from(figment::providers::Toml::string(toml))
            .extract()
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_page_is_off_unless_a_well_formed_hash_is_set() {
        let off = parse("").map(|c| c.enabled());
        assert!(matches!(off, Ok(false)));
        let hash = "AB".repeat(32);
        let on = parse(&format!("token_sha256 = \"{hash}\""));
        assert_eq!(on.ok().and_then(|c| c.token_sha256), Some("ab".repeat(32)));
        assert!(parse("token_sha256 = \"abc\"").is_err());
        assert!(parse(&format!("token_sha256 = \"{}\"", "zz".repeat(32))).is_err());
    }
}
