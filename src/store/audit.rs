//! The audit log: one entry per SCIM operation, with the Dropbox calls it made.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError, from_json, on_pool, placeholders, to_json};

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

/// Filters for [`Store::query_audit`]; results are newest first. Unset filters match everything.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    /// Only entries about this resource.
    pub resource_id: Option<String>,
    /// Only entries about one of these resources (e.g. every id an e-mail has had); empty: no filter.
    pub resource_ids: Vec<String>,
    /// Only entries at or after.
    pub since: Option<DateTime<Utc>>,
    /// Only entries before.
    pub until: Option<DateTime<Utc>>,
    /// Only entries written by this client (a token name, `cli`, `worker:...`).
    pub client: Option<String>,
    /// Only entries whose HTTP status is within this inclusive range.
    pub status: Option<(i64, i64)>,
    /// Only entries whose operation starts with this text, ignoring case (`DELETE`, `pending --cancel`).
    pub operation: Option<String>,
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

impl Row {
    fn into_entry(self) -> Result<AuditEntry, StoreError> {
        Ok(AuditEntry {
            dropbox_calls: from_json(&self.dropbox_calls, "audit dropbox calls")?,
            id: self.id,
            at: self.at,
            client: self.client,
            request_id: self.request_id,
            operation: self.operation,
            resource_type: self.resource_type,
            resource_id: self.resource_id,
            status: self.status,
            detail: self.detail,
        })
    }
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
        let mut sql = "SELECT id, at, client, request_id, operation, resource_type, resource_id, \
                       dropbox_calls, status, detail FROM audit_log WHERE ($1 IS NULL OR resource_id = $1) \
                       AND ($2 IS NULL OR at >= $2) AND ($3 IS NULL OR at < $3) \
                       AND ($4 IS NULL OR client = $4) AND ($5 IS NULL OR status >= $5) \
                       AND ($6 IS NULL OR status <= $6) \
                       AND ($7 IS NULL OR SUBSTR(UPPER(operation), 1, LENGTH($7)) = $7)"
            .to_owned();
        if !q.resource_ids.is_empty() {
            let list = placeholders(9, q.resource_ids.len());
            sql.push_str(&format!(" AND resource_id IN ({list})"));
        }
        sql.push_str(" ORDER BY at DESC, id DESC LIMIT $8");
        let limit = q.limit.unwrap_or(100).max(0);
        let operation = q.operation.as_deref().map(str::to_uppercase);
        let rows: Vec<Row> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(&sql)
                .bind(&q.resource_id).bind(q.since).bind(q.until).bind(&q.client)
                .bind(q.status.map(|s| s.0)).bind(q.status.map(|s| s.1)).bind(&operation).bind(limit);
            for id in &q.resource_ids {
                query = query.bind(id);
            }
            query.fetch_all(pool).await?
        });
        rows.into_iter().map(Row::into_entry).collect()
    }

    /// Every SCIM id the store links to `email` (case-insensitive): the mirrored member and its
    /// aliases, a deleted user's tombstone, an inactive invite. The audit log keeps ids, not
    /// e-mails, so `audit --email` looks the e-mail up here; empty when the store never saw it.
    pub async fn ids_for_email(&self, email: &str) -> Result<Vec<String>, StoreError> {
        let email = email.trim().to_lowercase();
        let mut ids: Vec<String> = Vec::new();
        let sql = "SELECT team_member_id FROM team_mirror WHERE email_lower = $1 \
                   UNION SELECT scim_id FROM deleted_users WHERE email_lower = $1 \
                   UNION SELECT team_member_id FROM deleted_users WHERE email_lower = $1";
        let found: Vec<String> =
            on_pool!(self, pool => sqlx::query_scalar(sql).bind(&email).fetch_all(pool).await?);
        for member in found {
            if let Some(alias) = self.scim_id_for_member(&member).await? {
                ids.push(alias);
            }
            ids.push(member);
        }
        if let Some(invite) = self.find_inactive_invite_by_email(&email).await? {
            ids.extend(invite.team_member_id.clone());
            ids.push(invite.scim_id);
        }
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    /// Deletes entries older than `before` (retention); returns how many.
    pub async fn prune_audit(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let sql = "DELETE FROM audit_log WHERE at < $1";
        Ok(
            on_pool!(self, pool => sqlx::query(sql).bind(before).execute(pool).await?.rows_affected()),
        )
    }
}
