//! Forgetting a user: every row the bridge keeps about one SCIM user, removed in one transaction.

use super::{Store, StoreError, on_pool};

impl Store {
    /// Forgets a user the IdP deleted: its inactive invitation, extras, alias, held memberships and,
    /// when given, the member's mirror row, all in one transaction.
    pub async fn forget_user(
        &self,
        scim_id: &str,
        team_member_id: Option<&str>,
    ) -> Result<(), StoreError> {
        const BY_SCIM_ID: [&str; 4] = [
            "DELETE FROM inactive_invites WHERE scim_id = $1",
            "DELETE FROM user_extras WHERE scim_id = $1",
            "DELETE FROM id_aliases WHERE scim_id = $1",
            "DELETE FROM pending_group_members WHERE scim_id = $1",
        ];
        let mirror = "DELETE FROM team_mirror WHERE team_member_id = $1";
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for sql in BY_SCIM_ID {
                sqlx::query(sql).bind(scim_id).execute(&mut *tx).await?;
            }
            if let Some(member) = team_member_id {
                sqlx::query(mirror).bind(member).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
