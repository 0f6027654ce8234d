//! Cross-replica write turns on PostgreSQL: a transaction-scoped advisory lock per resource key.
//!
//! Each turn holds one connection of a small pool of its own for the length of the write, inside a
//! transaction that only runs `pg_advisory_xact_lock`; ending the transaction (or losing the
//! connection, e.g. after `kill -9`) releases the lock. Keeping these connections out of the query
//! pool means a write holding a turn can always get a connection for its queries, and a semaphore
//! the size of this pool makes writes over the limit queue in arrival order instead of timing out.
//! A write must hold at most one turn at a time (no nesting), so holders never wait on each other.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Postgres, Transaction};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::StoreError;

/// At most this many writes (to different resources) hold a turn at once in one process; each
/// holds one PostgreSQL connection besides the query pool's.
pub const WRITE_TURN_CONNECTIONS: u32 = 8;

/// Hands out write turns shared by every process on the same database and schema.
#[derive(Clone, Debug)]
pub struct AdvisoryLocks {
    pool: PgPool,
    permits: Arc<Semaphore>,
    /// The schema in use: deployments on one database in different schemas do not contend.
    namespace: String,
}

/// A write turn: the lock is held until this is dropped.
pub struct AdvisoryGuard {
    tx: Option<Transaction<'static, Postgres>>,
    permit: Option<OwnedSemaphorePermit>,
}

impl AdvisoryLocks {
    /// A lazily connected pool of [`WRITE_TURN_CONNECTIONS`] with `opts`, for the schema `namespace`.
    pub(super) fn connect_lazy(opts: PgConnectOptions, namespace: String) -> Self {
        // Waiting for a turn is expected to take a while: not a slow statement worth a warning.
        let opts = opts.disable_statement_logging();
        let pool = PgPoolOptions::new()
            .max_connections(WRITE_TURN_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy_with(opts);
        Self {
            pool,
            permits: Arc::new(Semaphore::new(WRITE_TURN_CONNECTIONS as usize)),
            namespace,
        }
    }

    /// Waits for `key`'s turn across processes. Waiting can be cancelled safely: the wait goes on in
    /// a task of its own, whose turn is then given back at once.
    pub async fn lock(&self, key: &str) -> Result<AdvisoryGuard, StoreError> {
        let this = self.clone();
        let id = lock_id(&self.namespace, key);
        let wait = tokio::spawn(async move { this.acquire(id).await });
        match wait.await {
            Ok(result) => result,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Only a runtime shutting down cancels the task.
            Err(_) => Err(StoreError::Database(sqlx::Error::PoolClosed)),
        }
    }

    async fn acquire(&self, id: i64) -> Result<AdvisoryGuard, StoreError> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Database(sqlx::Error::PoolClosed))?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        Ok(AdvisoryGuard {
            tx: Some(tx),
            permit: Some(permit),
        })
    }

    /// Closes the pool (graceful shutdown, tests).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl Drop for AdvisoryGuard {
    fn drop(&mut self) {
        let (Some(tx), permit) = (self.tx.take(), self.permit.take()) else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            // Roll back now, and free the slot only once the connection is usable again.
            Ok(rt) => {
                rt.spawn(async move {
                    if let Err(e) = tx.rollback().await {
                        tracing::warn!(error = %e, "releasing a write turn failed; the connection is dropped");
                    }
                    drop(permit);
                });
            }
            // Without a runtime sqlx queues the rollback for when the connection is next used.
            Err(_) => drop(tx),
        }
    }
}

/// The 64-bit lock id of `key` in `namespace`: FNV-1a, stable across builds and platforms, so that
/// replicas of different versions agree during a rolling upgrade.
pub fn lock_id(namespace: &str, key: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let bytes = namespace.bytes().chain([0u8]).chain(key.bytes());
    for b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_ids_are_stable_and_depend_on_namespace_and_key() {
        // Fixed values: a change here would split replicas of two versions during an upgrade.
        assert_eq!(lock_id("", ""), -5808590958014384161);
        assert_ne!(lock_id("public", "group:g1"), lock_id("public", "group:g2"));
        assert_ne!(lock_id("a", "group:g1"), lock_id("b", "group:g1"));
        assert_ne!(lock_id("ab", "c"), lock_id("a", "bc"));
    }
}
