//! Keeping claimed deferred removals alive: a worker's heartbeat pushes its leases forward, so a
//! short lease is enough while it lives and its claims are free again soon after it dies.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, on_pool};

impl Store {
    /// Moves the lease of every removal `worker` still runs to `lease_until`; returns how many.
    /// Removals finished, handed back, cancelled or taken over are left alone.
    pub async fn extend_leases(
        &self,
        worker: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let sql = "UPDATE pending_removals SET lease_until = $2 \
                   WHERE claimed_by = $1 AND state = 'running'";
        let n = on_pool!(self, pool => sqlx::query(sql).bind(worker).bind(lease_until)
            .execute(pool).await?.rows_affected());
        Ok(n)
    }
}
