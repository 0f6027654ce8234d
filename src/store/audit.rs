//! The audit log: one entry per SCIM operation, with the Dropbox calls it made.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError, from_json, on_pool, to_json};

/// One Dropbox call made while serving a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DropboxCall {
    /// The route, e.g. `members/suspend`.
    pub route: String,
    /// `ok`, an error tag, `429`...
    pub outcome: String,
}

/// One audit entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// Assigned by the store; ignored on append.
    pub id: i64,
    /// When the operation happened.
    pub at: DateTime<Utc>,
    /// The authenticated token's name.
    pub client: Option<String>,
    /// The request id.
    pub request_id: Option<String>,
    /// The SCIM operation, e.g. `PATCH /Users/{id}`.
    pub operation: String,
    /// `User` or `Group`.
    pub resource_type: Option<String>,
    /// The SCIM id concerned.
    pub resource_id: Option<String>,
    /// The Dropbox calls made, in order.
    pub dropbox_calls: Vec<DropboxCall>,
    /// The HTTP status answered.
    pub status: i64,
    /// A short free-form detail.
    pub detail: Option<String>,
}

/// Filters for [`Store::query_audit`]; results are newest first.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    /// Only entries about this resource.
    pub resource_id: Option<String>,
    /// Only entries at or after.
    pub since: Option<DateTime<Utc>>,
    /// Only entries before.
    pub until: Option<DateTime<Utc>>,
    /// At most this many (default 100).
    pub limit: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: DateTime<Utc>,
    client: Option<String>,
    request_id: Option<String>,
    operation: String,
    resource_type: Option<String>,
    resource_id: Option<String>,
    dropbox_calls: String,
    status: i64,
    detail: Option<String>,
}

impl Store {
    /// Appends one entry; returns its id.
    pub async fn append_audit(&self, e: &AuditEntry) -> Result<i64, StoreError> {
        let calls = to_json(&e.dropbox_calls, "audit dropbox calls")?;
        let sql = "INSERT INTO audit_log (at, client, request_id, operation, resource_type, resource_id, \
                   dropbox_calls, status, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
        Ok(on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(e.at).bind(&e.client).bind(&e.request_id).bind(&e.operation).bind(&e.resource_type)
            .bind(&e.resource_id).bind(&calls).bind(e.status).bind(&e.detail)
            .fetch_one(pool).await?))
    }

    /// Entries matching `q`, newest first.
    pub async fn query_audit(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = "SELECT id, at, client, request_id, operation, resource_type, resource_id, dropbox_calls, \
                   status, detail FROM audit_log WHERE ($1 IS NULL OR resource_id = $1) \
                   AND ($2 IS NULL OR at >= $2) AND ($3 IS NULL OR at < $3) ORDER BY at DESC, id DESC LIMIT $4";
        let limit = q.limit.unwrap_or(100).max(0);
        let rows: Vec<Row> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(&q.resource_id).bind(q.since).bind(q.until).bind(limit)
            .fetch_all(pool).await?);
        rows.into_iter()
            .map(|r| {
                Ok(AuditEntry {
                    dropbox_calls: from_json(&r.dropbox_calls, "audit dropbox calls")?,
                    id: r.id,
                    at: r.at,
                    client: r.client,
                    request_id: r.request_id,
                    operation: r.operation,
                    resource_type: r.resource_type,
                    resource_id: r.resource_id,
                    status: r.status,
                    detail: r.detail,
                })
            })
            .collect()
    }

    /// Deletes entries older than `before` (retention); returns how many.
    pub async fn prune_audit(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let sql = "DELETE FROM audit_log WHERE at < $1";
        Ok(
            on_pool!(self, pool => sqlx::query(sql).bind(before).execute(pool).await?.rows_affected()),
        )
    }
}
