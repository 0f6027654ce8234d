//! Asynchronous Dropbox jobs being followed to their end (e.g. a `members/remove` async job id).

use chrono::{DateTime, Utc};

use super::{Store, StoreError, on_pool};

/// One followed Dropbox async job.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct DropboxJob {
    /// Dropbox's `async_job_id`.
    pub job_id: String,
    /// What launched it (e.g. `members/remove`).
    pub kind: String,
    /// The SCIM resource it concerns.
    pub scim_id: Option<String>,
    /// When it was launched.
    pub started_at: DateTime<Utc>,
    /// `running`, `complete` or `failed`.
    pub state: String,
    /// The final status as JSON text.
    pub outcome: Option<String>,
}

const COLUMNS: &str = "job_id, kind, scim_id, started_at, state, outcome";

impl Store {
    /// Starts following a job (state `running`).
    pub async fn track_job(
        &self,
        job_id: &str,
        kind: &str,
        scim_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO dropbox_jobs (job_id, kind, scim_id, started_at, state, updated_at) \
                   VALUES ($1, $2, $3, $4, 'running', $4) ON CONFLICT (job_id) DO NOTHING";
        on_pool!(self, pool => sqlx::query(sql).bind(job_id).bind(kind).bind(scim_id).bind(now).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Records a job's end (`complete` or `failed`) and its outcome; true if it was known.
    pub async fn finish_job(
        &self,
        job_id: &str,
        state: &str,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let sql =
            "UPDATE dropbox_jobs SET state = $2, outcome = $3, updated_at = $4 WHERE job_id = $1";
        let n = on_pool!(self, pool => sqlx::query(sql).bind(job_id).bind(state).bind(outcome).bind(now)
            .execute(pool).await?.rows_affected());
        Ok(n > 0)
    }

    /// One followed job.
    pub async fn get_job(&self, job_id: &str) -> Result<Option<DropboxJob>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM dropbox_jobs WHERE job_id = $1");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(job_id).fetch_optional(pool).await?))
    }

    /// Jobs still running, oldest first.
    pub async fn running_jobs(&self) -> Result<Vec<DropboxJob>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM dropbox_jobs WHERE state = 'running' ORDER BY started_at, job_id"
        );
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
    }
}
