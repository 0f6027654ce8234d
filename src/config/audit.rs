//! `[audit]`: how long audit entries are kept, and whether each is also written as a log line for a SIEM.

use serde::{Deserialize, Serialize};
use std::num::NonZeroU32;

/// Audit log settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// Entries older than this many days are deleted by the background worker; unset keeps them all.
    #[serde(default)]
    pub retention_days: Option<NonZeroU32>,
    /// Also emit each entry as one INFO log line with target `audit` (one JSON object per line with
    /// `log_format = "json"`), for a SIEM. E-mails in it are replaced by a hash (see the README).
    #[serde(default)]
    pub log_entries: bool,
}

impl AuditConfig {
    /// How long entries are kept, if a retention is set.
    pub fn retention(&self) -> Option<chrono::Duration> {
        self.retention_days
            .map(|days| chrono::Duration::days(i64::from(days.get())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_is_off_by_default_and_counts_days() {
        assert_eq!(AuditConfig::default().retention(), None);
        let c = AuditConfig {
            retention_days: NonZeroU32::new(30),
            log_entries: false,
        };
        assert_eq!(c.retention(), Some(chrono::Duration::days(30)));
    }
}
