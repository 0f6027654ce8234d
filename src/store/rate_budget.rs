//! The Dropbox rate budget shared by replicas: one row per team, taken from in small leases, each
//! one `UPDATE ... RETURNING` (refill, take and report in one round trip), plus the 429 pause.
//!
//! The same SQL serves SQLite and PostgreSQL (integer arithmetic, `CASE` rather than `LEAST`), but
//! the bridge shares its budget through the store only on PostgreSQL: one SQLite process keeps it
//! in memory.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::future::BoxFuture;
use tokio::sync::OnceCell;

use super::{Store, StoreError, on_pool};
use crate::config::RateBudgetConfig;
use crate::dropbox::SharedBucket;
use crate::dropbox::budget::Lease;

/// The key of the one team a store serves.
pub const TEAM_BUDGET_KEY: &str = "team";

/// The bucket after a refill: thousandths of a call, capped at the burst. `$2` is now, `$3` the
/// calls per minute, `$4` the burst in thousandths; at most a minute of refill is counted, so the
/// product stays small. A clock behind the last take adds nothing.
const AVAIL: &str = "(CASE WHEN tokens_milli + REFILL > $4 THEN $4 ELSE tokens_milli + REFILL END)";
const REFILL: &str = "((CASE WHEN $2 <= refilled_us THEN 0 \
                        WHEN $2 - refilled_us > 60000000 THEN 60000000 \
                        ELSE $2 - refilled_us END) * $3 / 60000)";
/// Whole calls granted: none while paused, else up to `$5` while leaving `$6` in the bucket.
const GRANT: &str = "(CASE WHEN paused_until_us > $2 THEN 0 \
                      WHEN AVAIL / 1000 - $6 >= $5 THEN $5 \
                      WHEN AVAIL / 1000 - $6 > 0 THEN AVAIL / 1000 - $6 \
                      ELSE 0 END)";

/// The take statement, with the expressions spelled out (`SET` sees the old row on both backends).
fn take_sql() -> String {
    let avail = AVAIL.replace("REFILL", REFILL);
    let grant = GRANT.replace("AVAIL", &avail);
    format!(
        "UPDATE rate_budget SET last_grant = {grant}, tokens_milli = {avail} - 1000 * {grant}, \
         refilled_us = CASE WHEN $2 > refilled_us THEN $2 ELSE refilled_us END \
         WHERE budget_key = $1 RETURNING last_grant, tokens_milli, paused_until_us"
    )
}

/// Microseconds since the Unix epoch (0 before it).
fn micros(t: SystemTime) -> i64 {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

impl Store {
    /// Creates the budget row `key` with a full bucket, unless it exists.
    pub async fn init_rate_budget(
        &self,
        key: &str,
        burst: u32,
        now: SystemTime,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO rate_budget (budget_key, tokens_milli, refilled_us) VALUES ($1, $2, $3) \
                   ON CONFLICT (budget_key) DO NOTHING";
        let full = i64::from(burst) * 1000;
        on_pool!(self, pool => sqlx::query(sql).bind(key).bind(full).bind(micros(now))
            .execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Takes up to `want` calls from budget `key`, leaving `keep`; one round trip. The row must exist.
    pub async fn take_rate_budget(
        &self,
        key: &str,
        config: &RateBudgetConfig,
        want: u32,
        keep: u32,
        now: SystemTime,
    ) -> Result<Lease, StoreError> {
        let sql = take_sql();
        let row: (i64, i64, i64) = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(key)
            .bind(micros(now))
            .bind(i64::from(config.per_minute))
            .bind(i64::from(config.burst) * 1000)
            .bind(i64::from(want))
            .bind(i64::from(keep))
            .fetch_one(pool).await?);
        let (granted, left_milli, paused_us) = row;
        let paused_until = (paused_us > micros(now))
            .then(|| UNIX_EPOCH + Duration::from_micros(u64::try_from(paused_us).unwrap_or(0)));
        Ok(Lease {
            granted: u32::try_from(granted).unwrap_or(0),
            left_milli,
            paused_until,
        })
    }

    /// Makes budget `key` paused until `until`, unless a later pause is already recorded.
    pub async fn pause_rate_budget(&self, key: &str, until: SystemTime) -> Result<(), StoreError> {
        let sql = "UPDATE rate_budget SET paused_until_us = \
                   CASE WHEN paused_until_us > $2 THEN paused_until_us ELSE $2 END \
                   WHERE budget_key = $1";
        on_pool!(self, pool => sqlx::query(sql).bind(key).bind(micros(until)).execute(pool).await?.rows_affected());
        Ok(())
    }
}

/// The team's budget row as the Dropbox client's [`SharedBucket`].
#[derive(Debug)]
pub struct StoreBucket {
    store: Store,
    config: RateBudgetConfig,
    created: OnceCell<()>,
}

impl StoreBucket {
    /// The shared budget of the team in `store`, with the bucket's rate and size from `config`.
    pub fn new(store: Store, config: RateBudgetConfig) -> Arc<Self> {
        Arc::new(Self {
            store,
            config,
            created: OnceCell::new(),
        })
    }

    async fn ensure_row(&self, now: SystemTime) -> Result<(), StoreError> {
        self.created
            .get_or_try_init(|| {
                self.store
                    .init_rate_budget(TEAM_BUDGET_KEY, self.config.burst, now)
            })
            .await
            .map(|_| ())
    }
}

impl SharedBucket for StoreBucket {
    fn take(&self, want: u32, keep: u32, now: SystemTime) -> BoxFuture<'_, Result<Lease, String>> {
        Box::pin(async move {
            self.ensure_row(now).await.map_err(|e| e.to_string())?;
            self.store
                .take_rate_budget(TEAM_BUDGET_KEY, &self.config, want, keep, now)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn pause_until(&self, until: SystemTime) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            self.ensure_row(SystemTime::now())
                .await
                .map_err(|e| e.to_string())?;
            self.store
                .pause_rate_budget(TEAM_BUDGET_KEY, until)
                .await
                .map_err(|e| e.to_string())
        })
    }
}

#[cfg(test)]
#[path = "rate_budget_tests.rs"]
mod tests;
