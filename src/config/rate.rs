//! `[dropbox.rate_budget]`: the client-side budget of Dropbox calls per minute, shared by replicas.

use super::ConfigError;
use serde::{Deserialize, Serialize};

/// The most calls per minute accepted; far above any Dropbox team limit, it keeps the arithmetic small.
pub const MAX_PER_MINUTE: u32 = 1_000_000;

/// How many Dropbox calls the whole process (or all replicas on one PostgreSQL) may make.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RateBudgetConfig {
    /// Calls per minute for the whole team; 0 turns the client-side budget off (a Dropbox 429 still
    /// pauses the whole client).
    #[serde(default = "default_per_minute")]
    pub per_minute: u32,
    /// The most calls that may go out at once after a quiet spell (the bucket's size).
    #[serde(default = "default_burst")]
    pub burst: u32,
    /// On PostgreSQL, how many calls a replica takes from the shared budget per database round trip.
    #[serde(default = "default_lease")]
    pub lease: u32,
}

impl Default for RateBudgetConfig {
    fn default() -> Self {
        Self {
            per_minute: default_per_minute(),
            burst: default_burst(),
            lease: default_lease(),
        }
    }
}

impl RateBudgetConfig {
    /// Whether a budget is enforced at all.
    pub fn enabled(&self) -> bool {
        self.per_minute > 0
    }

    /// The burst and lease must fit the budget: `1 <= lease <= burst <= per_minute`.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !self.enabled() {
            return Ok(());
        }
        if self.per_minute > MAX_PER_MINUTE {
            return Err(ConfigError::invalid(
                "dropbox.rate_budget.per_minute",
                format!("must be at most {MAX_PER_MINUTE} (0 turns the budget off)"),
            ));
        }
        if self.burst == 0 || self.burst > self.per_minute {
            return Err(ConfigError::invalid(
                "dropbox.rate_budget.burst",
                format!(
                    "must be between 1 and per_minute ({}): it is how many calls may go out at once",
                    self.per_minute
                ),
            ));
        }
        if self.lease == 0 || self.lease > self.burst {
            return Err(ConfigError::invalid(
                "dropbox.rate_budget.lease",
                format!("must be between 1 and burst ({})", self.burst),
            ));
        }
        Ok(())
    }
}

fn default_per_minute() -> u32 {
    1000
}
fn default_burst() -> u32 {
    100
}
fn default_lease() -> u32 {
    5
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(per_minute: u32, burst: u32, lease: u32) -> RateBudgetConfig {
        RateBudgetConfig {
            per_minute,
            burst,
            lease,
        }
    }

    #[test]
    fn defaults_are_valid_and_zero_turns_it_off() {
        assert_eq!(
            RateBudgetConfig::default()
                .validate()
                .map_err(|e| e.to_string()),
            Ok(())
        );
        let off = budget(0, 0, 0);
        assert!(!off.enabled());
        assert!(
            off.validate().is_ok(),
            "an off budget needs no burst or lease"
        );
    }

    #[test]
    fn burst_and_lease_must_fit_the_budget() {
        for (b, key) in [
            (budget(60, 0, 1), "dropbox.rate_budget.burst"),
            (budget(60, 61, 1), "dropbox.rate_budget.burst"),
            (budget(60, 10, 0), "dropbox.rate_budget.lease"),
            (budget(60, 10, 11), "dropbox.rate_budget.lease"),
            (
                budget(MAX_PER_MINUTE + 1, 10, 1),
                "dropbox.rate_budget.per_minute",
            ),
        ] {
            let err = b.validate().expect_err("refused").to_string();
            assert!(err.contains(key), "{b:?}: {err}");
        }
    }
}
