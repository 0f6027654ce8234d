//! The `[space_limits]` section: whether the IdP may set members' custom Dropbox space limits
//! (`member_space_limits/set_custom_quota`), from which attribute, and up to what size.
//!
//! Off by default: the bridge's Dropbox extension is then not advertised, and a request that sets a
//! member's space limit is refused with 400 `invalidValue` naming `space_limits.enabled`, so that an IdP
//! never believes a quota was applied.

use serde::{Deserialize, Deserializer, Serialize};

use super::ConfigError;

/// The default upper bound on a custom space limit, in GB (100 TB).
pub const DEFAULT_MAX_GB: u32 = 100_000;

/// The enterprise extension attributes a space limit may be read from (all strings).
pub const ENTERPRISE_SOURCES: &[&str] = &[
    "employeeNumber",
    "costCenter",
    "organization",
    "division",
    "department",
];

/// Custom member space limits driven by the IdP.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SpaceLimitsConfig {
    /// Set, change and remove custom space limits from SCIM (off: such changes are refused).
    #[serde(default, deserialize_with = "flag")]
    pub enabled: bool,
    /// The largest custom space limit accepted, in GB (Dropbox's own minimum is 2).
    #[serde(default = "default_max_gb", deserialize_with = "whole_gb")]
    pub max_gb: u32,
    /// Read the limit from this enterprise extension attribute (e.g. `costCenter`) instead of the
    /// bridge's own `spaceLimitGb`, which then only shows the limit set.
    #[serde(default)]
    pub from_enterprise: Option<String>,
}

impl Default for SpaceLimitsConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            max_gb: DEFAULT_MAX_GB,
            from_enterprise: None,
        }
    }
}

impl SpaceLimitsConfig {
    /// Checks the bound and the enterprise attribute name.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.max_gb < crate::scim::schema::MIN_SPACE_LIMIT_GB {
            return Err(ConfigError::invalid(
                "space_limits.max_gb",
                "must be at least 2, Dropbox's smallest custom space limit",
            ));
        }
        if self.from_enterprise.is_some() && !self.enabled {
            return Err(ConfigError::invalid(
                "space_limits.from_enterprise",
                "takes effect only with space_limits.enabled = true; set both, or neither",
            ));
        }
        if let Some(name) = &self.from_enterprise
            && !ENTERPRISE_SOURCES.contains(&name.as_str())
        {
            return Err(ConfigError::invalid(
                "space_limits.from_enterprise",
                format!(
                    "must name an enterprise extension attribute: one of {}",
                    ENTERPRISE_SOURCES.join(", ")
                ),
            ));
        }
        Ok(())
    }
}

fn default_max_gb() -> u32 {
    DEFAULT_MAX_GB
}

/// A boolean from TOML, or `true`/`false` from the environment (a string there).
fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Bool(bool),
        Text(String),
    }
    match Raw::deserialize(d)? {
        Raw::Bool(b) => Ok(b),
        Raw::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(serde::de::Error::custom("must be true or false")),
        },
    }
}

/// A whole number of GB that fits Dropbox's `UInt32`; from the environment the value is a string.
fn whole_gb<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Int(u64),
        Text(String),
    }
    let n = match Raw::deserialize(d)? {
        Raw::Int(n) => n,
        Raw::Text(s) => s
            .trim()
            .parse::<u64>()
            .map_err(|_| serde::de::Error::custom("must be a whole number of GB"))?,
    };
    u32::try_from(n).map_err(|_| serde::de::Error::custom("must be at most 4294967295 (GB)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars = vars.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        Config::load_from(None, vars.collect::<Vec<_>>())
    }

    #[test]
    fn off_by_default_with_a_bound() {
        let c = load(&[]).expect("config");
        assert!(!c.space_limits.enabled);
        assert_eq!(c.space_limits.max_gb, DEFAULT_MAX_GB);
        assert_eq!(c.space_limits.from_enterprise, None);
    }

    #[test]
    fn reads_the_environment() {
        let c = load(&[
            ("SCIM_BRIDGE_SPACE_LIMITS__ENABLED", "true"),
            ("SCIM_BRIDGE_SPACE_LIMITS__MAX_GB", "500"),
            ("SCIM_BRIDGE_SPACE_LIMITS__FROM_ENTERPRISE", "costCenter"),
        ])
        .expect("config");
        assert!(c.space_limits.enabled);
        assert_eq!(c.space_limits.max_gb, 500);
        assert_eq!(
            c.space_limits.from_enterprise.as_deref(),
            Some("costCenter")
        );
    }

    #[test]
    fn refuses_a_bound_under_the_minimum_and_unknown_sources() {
        let low = load(&[("SCIM_BRIDGE_SPACE_LIMITS__MAX_GB", "1")]).expect_err("too low");
        assert!(low.to_string().contains("space_limits.max_gb"), "{low}");
        let src = load(&[
            ("SCIM_BRIDGE_SPACE_LIMITS__ENABLED", "true"),
            ("SCIM_BRIDGE_SPACE_LIMITS__FROM_ENTERPRISE", "manager"),
        ])
        .expect_err("not a string attribute");
        assert!(src.to_string().contains("costCenter"), "{src}");
        let off = load(&[("SCIM_BRIDGE_SPACE_LIMITS__FROM_ENTERPRISE", "division")])
            .expect_err("needs enabled");
        assert!(off.to_string().contains("space_limits.enabled"), "{off}");
    }
}
