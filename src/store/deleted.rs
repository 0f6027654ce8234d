//! Tombstones: users the IdP deleted whose Dropbox member still exists (suspended or awaiting removal).

use chrono::{DateTime, Utc};

use super::{Store, StoreError, on_pool};

/// One deleted-but-not-removed user.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct DeletedUser {
    /// The SCIM id the IdP deleted.
    pub scim_id: String,
    /// The Dropbox member behind it.
    pub team_member_id: String,
    /// The member's e-mail, lower-cased, to recognise a re-creation.
    pub email_lower: String,
    /// When the IdP deleted it.
    pub deleted_at: DateTime<Utc>,
}

const COLUMNS: &str = "scim_id, team_member_id, email_lower, deleted_at";

impl Store {
    /// Records (or refreshes) a tombstone.
    pub async fn put_deleted_user(&self, d: &DeletedUser) -> Result<(), StoreError> {
        let sql = "INSERT INTO deleted_users (scim_id, team_member_id, email_lower, deleted_at) \
                   VALUES ($1, $2, $3, $4) ON CONFLICT (scim_id) DO UPDATE SET \
                   team_member_id = excluded.team_member_id, email_lower = excluded.email_lower, \
                   deleted_at = excluded.deleted_at";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(&d.scim_id).bind(&d.team_member_id).bind(d.email_lower.to_lowercase()).bind(d.deleted_at)
            .execute(pool).await?.rows_affected());
        Ok(())
    }

    /// The tombstone of a SCIM id.
    pub async fn get_deleted_user(&self, scim_id: &str) -> Result<Option<DeletedUser>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM deleted_users WHERE scim_id = $1");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(scim_id).fetch_optional(pool).await?))
    }

    /// The tombstone for an e-mail (case-insensitive).
    pub async fn find_deleted_user_by_email(
        &self,
        email: &str,
    ) -> Result<Option<DeletedUser>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM deleted_users WHERE email_lower = $1");
        Ok(
            on_pool!(self, pool => sqlx::query_as(&sql).bind(email.to_lowercase()).fetch_optional(pool).await?),
        )
    }

    /// Every tombstone (to hide them from listings).
    pub async fn list_deleted_users(&self) -> Result<Vec<DeletedUser>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM deleted_users");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
    }

    /// Removes a tombstone (the user came back, or the member is gone for good); true if there was one.
    pub async fn delete_deleted_user(&self, scim_id: &str) -> Result<bool, StoreError> {
        let sql = "DELETE FROM deleted_users WHERE scim_id = $1";
        let n = on_pool!(self, pool => sqlx::query(sql).bind(scim_id).execute(pool).await?.rows_affected());
        Ok(n > 0)
    }
}
