//! Held memberships: the group memberships kept for users deactivated while invited (Dropbox cannot
//! hold them once the invitation is withdrawn). The table keeps its original name, `pending_group_members`,
//! so that deployed databases need no migration.

use super::{Store, StoreError, on_pool};

impl Store {
    /// Records that `scim_id` belongs to `group_id` (idempotent).
    pub async fn add_held_membership(
        &self,
        group_id: &str,
        scim_id: &str,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO pending_group_members (group_id, scim_id) VALUES ($1, $2) \
                   ON CONFLICT (group_id, scim_id) DO NOTHING";
        on_pool!(self, pool => sqlx::query(sql).bind(group_id).bind(scim_id).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Forgets one held membership; true if there was one.
    pub async fn remove_held_membership(
        &self,
        group_id: &str,
        scim_id: &str,
    ) -> Result<bool, StoreError> {
        let sql = "DELETE FROM pending_group_members WHERE group_id = $1 AND scim_id = $2";
        let n = on_pool!(self, pool => sqlx::query(sql).bind(group_id).bind(scim_id).execute(pool).await?.rows_affected());
        Ok(n > 0)
    }

    /// The users held as members of a group, ordered by id.
    pub async fn held_members_of_group(&self, group_id: &str) -> Result<Vec<String>, StoreError> {
        let sql = "SELECT scim_id FROM pending_group_members WHERE group_id = $1 ORDER BY scim_id";
        let rows: Vec<(String,)> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(group_id).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// The groups a user is held in, ordered by id.
    pub async fn held_groups_of_user(&self, scim_id: &str) -> Result<Vec<String>, StoreError> {
        let sql = "SELECT group_id FROM pending_group_members WHERE scim_id = $1 ORDER BY group_id";
        let rows: Vec<(String,)> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(scim_id).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Forgets every held membership of a user (deleted, or invited again); returns how many.
    pub async fn clear_held_memberships_of_user(&self, scim_id: &str) -> Result<u64, StoreError> {
        let sql = "DELETE FROM pending_group_members WHERE scim_id = $1";
        Ok(
            on_pool!(self, pool => sqlx::query(sql).bind(scim_id).execute(pool).await?.rows_affected()),
        )
    }

    /// Forgets every held membership of a deleted group.
    pub async fn clear_held_memberships_of_group(&self, group_id: &str) -> Result<u64, StoreError> {
        let sql = "DELETE FROM pending_group_members WHERE group_id = $1";
        Ok(
            on_pool!(self, pool => sqlx::query(sql).bind(group_id).execute(pool).await?.rows_affected()),
        )
    }
}
