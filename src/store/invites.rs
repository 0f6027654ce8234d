//! Users deactivated while invited, and SCIM id -> current Dropbox member id aliases.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, on_pool};

/// A user whose invitation was withdrawn on deactivation; kept so SCIM still returns it inactive.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct InactiveInvite {
    /// The SCIM id (stable across re-invitations).
    pub scim_id: String,
    /// `userName`/primary e-mail as sent (compared lower-cased).
    pub email: String,
    /// `externalId`.
    pub external_id: Option<String>,
    /// `name.givenName`.
    pub given_name: Option<String>,
    /// `name.familyName`.
    pub family_name: Option<String>,
    /// Anything else the bridge wants back on reactivation, as JSON text.
    pub extra: String,
    /// The last Dropbox member id this user had, if any.
    pub team_member_id: Option<String>,
    /// When the invitation was withdrawn.
    pub deactivated_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "scim_id, email, external_id, given_name, family_name, extra, team_member_id, deactivated_at";

impl Store {
    /// Records (or replaces) an inactive invite; e-mail and external id must be unique.
    pub async fn put_inactive_invite(&self, inv: &InactiveInvite) -> Result<(), StoreError> {
        let sql = "INSERT INTO inactive_invites (scim_id, email, email_lower, external_id, given_name, family_name, \
                   extra, team_member_id, deactivated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                   ON CONFLICT (scim_id) DO UPDATE SET email = excluded.email, email_lower = excluded.email_lower, \
                   external_id = excluded.external_id, given_name = excluded.given_name, \
                   family_name = excluded.family_name, extra = excluded.extra, \
                   team_member_id = excluded.team_member_id, deactivated_at = excluded.deactivated_at";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(&inv.scim_id).bind(&inv.email).bind(inv.email.to_lowercase()).bind(&inv.external_id)
            .bind(&inv.given_name).bind(&inv.family_name).bind(&inv.extra).bind(&inv.team_member_id)
            .bind(inv.deactivated_at)
            .execute(pool).await?.rows_affected());
        Ok(())
    }

    /// The inactive invite with this SCIM id.
    pub async fn get_inactive_invite(
        &self,
        scim_id: &str,
    ) -> Result<Option<InactiveInvite>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM inactive_invites WHERE scim_id = $1");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(scim_id).fetch_optional(pool).await?))
    }

    /// The inactive invite with this e-mail (case-insensitive).
    pub async fn find_inactive_invite_by_email(
        &self,
        email: &str,
    ) -> Result<Option<InactiveInvite>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM inactive_invites WHERE email_lower = $1");
        Ok(
            on_pool!(self, pool => sqlx::query_as(&sql).bind(email.to_lowercase()).fetch_optional(pool).await?),
        )
    }

    /// The inactive invite with this external id.
    pub async fn find_inactive_invite_by_external_id(
        &self,
        external_id: &str,
    ) -> Result<Option<InactiveInvite>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM inactive_invites WHERE external_id = $1");
        Ok(
            on_pool!(self, pool => sqlx::query_as(&sql).bind(external_id).fetch_optional(pool).await?),
        )
    }

    /// Every inactive invite, by e-mail.
    pub async fn list_inactive_invites(&self) -> Result<Vec<InactiveInvite>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM inactive_invites ORDER BY email_lower");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
    }

    /// Forgets an inactive invite (on reactivation or deletion); true if it existed.
    pub async fn delete_inactive_invite(&self, scim_id: &str) -> Result<bool, StoreError> {
        let sql = "DELETE FROM inactive_invites WHERE scim_id = $1";
        let n = on_pool!(self, pool => sqlx::query(sql).bind(scim_id).execute(pool).await?.rows_affected());
        Ok(n > 0)
    }

    /// Points a SCIM id at its current Dropbox member id (after a re-invitation).
    pub async fn set_alias(
        &self,
        scim_id: &str,
        team_member_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO id_aliases (scim_id, team_member_id, updated_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (scim_id) DO UPDATE SET team_member_id = excluded.team_member_id, \
                   updated_at = excluded.updated_at";
        on_pool!(self, pool => sqlx::query(sql).bind(scim_id).bind(team_member_id).bind(now).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// The current Dropbox member id for a SCIM id, when it differs from the SCIM id.
    pub async fn alias_for(&self, scim_id: &str) -> Result<Option<String>, StoreError> {
        let sql = "SELECT team_member_id FROM id_aliases WHERE scim_id = $1";
        Ok(
            on_pool!(self, pool => sqlx::query_scalar(sql).bind(scim_id).fetch_optional(pool).await?),
        )
    }

    /// The SCIM id a Dropbox member id stands for, when it is an alias.
    pub async fn scim_id_for_member(
        &self,
        team_member_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let sql = "SELECT scim_id FROM id_aliases WHERE team_member_id = $1";
        Ok(
            on_pool!(self, pool => sqlx::query_scalar(sql).bind(team_member_id).fetch_optional(pool).await?),
        )
    }

    /// Forgets an alias; true if it existed.
    pub async fn delete_alias(&self, scim_id: &str) -> Result<bool, StoreError> {
        let sql = "DELETE FROM id_aliases WHERE scim_id = $1";
        let n = on_pool!(self, pool => sqlx::query(sql).bind(scim_id).execute(pool).await?.rows_affected());
        Ok(n > 0)
    }
}

impl Store {
    /// Every alias as (SCIM id, current Dropbox member id), for listings.
    pub async fn list_aliases(&self) -> Result<Vec<(String, String)>, StoreError> {
        let sql = "SELECT scim_id, team_member_id FROM id_aliases";
        Ok(on_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await?))
    }
}
