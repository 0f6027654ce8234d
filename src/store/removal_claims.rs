//! The deferred-removal worker's side of the store: claiming due removals exactly once across
//! replicas, and recording done, retry, failure or blocked.

use chrono::{DateTime, Utc};

use super::removals::{COLUMNS, Row, convert};
use super::{Backend, PendingRemoval, Retry, Store, StoreError, on_pool, placeholders};

/// Due pending jobs, and running jobs whose lease ran out.
const DUE: &str =
    "(state = 'pending' AND due_at <= $2) OR (state = 'running' AND lease_until <= $2)";

impl Store {
    /// Hands up to `limit` due jobs (and jobs whose lease expired) to `worker`, each to exactly one
    /// claimer across processes, marking them running until `now + lease`.
    pub async fn claim_due(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> Result<Vec<PendingRemoval>, StoreError> {
        let lease_until = now + lease;
        let set = "state = 'running', claimed_by = $1, lease_until = $3, attempts = attempts + 1, updated_at = $2";
        let rows: Vec<Row> = match &self.backend {
            Backend::Sqlite(pool) => {
                // SQLite has one writer: a single UPDATE ... RETURNING is atomic.
                let sql = format!(
                    "UPDATE pending_removals SET {set} WHERE id IN \
                     (SELECT id FROM pending_removals WHERE {DUE} ORDER BY due_at LIMIT $4) RETURNING {COLUMNS}"
                );
                sqlx::query_as(&sql)
                    .bind(worker)
                    .bind(now)
                    .bind(lease_until)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?
            }
            Backend::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let pick = format!(
                    "SELECT id FROM pending_removals WHERE {} ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED",
                    DUE.replace("$2", "$1")
                );
                let ids: Vec<String> = sqlx::query_scalar(&pick)
                    .bind(now)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await?;
                let rows = if ids.is_empty() {
                    Vec::new()
                } else {
                    let sql = format!(
                        "UPDATE pending_removals SET {set} WHERE id IN ({}) RETURNING {COLUMNS}",
                        placeholders(4, ids.len())
                    );
                    let mut q = sqlx::query_as(&sql)
                        .bind(worker)
                        .bind(now)
                        .bind(lease_until);
                    for id in &ids {
                        q = q.bind(id);
                    }
                    q.fetch_all(&mut *tx).await?
                };
                tx.commit().await?;
                rows
            }
        };
        convert(rows)
    }

    /// Records success; false if `worker` no longer holds the job (lease lost or cancelled).
    pub async fn complete_removal(
        &self,
        id: &str,
        worker: &str,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE pending_removals SET state = 'done', outcome = $3, lease_until = NULL, updated_at = $4 \
                   WHERE id = $1 AND claimed_by = $2 AND state = 'running'";
        let n = on_pool!(self, pool => sqlx::query(sql).bind(id).bind(worker).bind(outcome).bind(now)
            .execute(pool).await?.rows_affected());
        Ok(n > 0)
    }

    /// Records a failed attempt: back to pending at `retry`, or terminal; false if not held by `worker`.
    pub async fn fail_removal(
        &self,
        id: &str,
        worker: &str,
        error: &str,
        retry: Retry,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (state, due): (&str, Option<DateTime<Utc>>) = match retry {
            Retry::At(t) => ("pending", Some(t)),
            Retry::Never => ("failed", None),
        };
        let sql = "UPDATE pending_removals SET state = $3, last_error = $4, due_at = COALESCE($5, due_at), \
                   claimed_by = NULL, lease_until = NULL, updated_at = $6 \
                   WHERE id = $1 AND claimed_by = $2 AND state = 'running'";
        let n = on_pool!(self, pool => sqlx::query(sql).bind(id).bind(worker).bind(state).bind(error).bind(due).bind(now)
            .execute(pool).await?.rows_affected());
        Ok(n > 0)
    }

    /// Parks a job for an operator; false if not held by `worker`.
    pub async fn block_removal(
        &self,
        id: &str,
        worker: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE pending_removals SET state = 'blocked', last_error = $3, claimed_by = NULL, \
                   lease_until = NULL, updated_at = $4 WHERE id = $1 AND claimed_by = $2 AND state = 'running'";
        let n = on_pool!(self, pool => sqlx::query(sql).bind(id).bind(worker).bind(reason).bind(now)
            .execute(pool).await?.rows_affected());
        Ok(n > 0)
    }
}
