//! The audit retention pass: deletes audit entries older than `audit.retention_days`.
//!
//! Idempotent, so every replica may run it; a pass with no retention set does nothing.

use crate::bridge::Bridge;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// The pause between two retention passes (the first runs at start-up).
pub const AUDIT_PRUNE_INTERVAL: Duration = Duration::from_secs(3600);

/// Deletes the audit entries older than the bridge's retention as of `now`; returns how many
/// (0 without a retention).
pub async fn prune_expired_audit(
    bridge: &Bridge,
    store: &Store,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let Some(retention) = bridge.audit_retention() else {
        return Ok(0);
    };
    let Some(cutoff) = now.checked_sub_signed(retention) else {
        return Ok(0);
    };
    let pruned = store.prune_audit(cutoff).await?;
    if pruned > 0 {
        tracing::info!(
            pruned,
            cutoff = %cutoff.to_rfc3339(),
            "deleted audit entries past audit.retention_days"
        );
    }
    Ok(pruned)
}
