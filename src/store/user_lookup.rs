//! The read path's store access in one round trip: everything the bridge keeps about one user (its
//! tombstone, deactivated invitation, alias and extras), by SCIM id, by e-mail or external id (through
//! the mirror, before Dropbox is asked) or by Dropbox member id.

use super::extras::extras_from_parts;
use super::mirror::CURRENT;
use super::{InactiveInvite, Store, StoreError, UserExtras, on_pool};
use chrono::{DateTime, Utc};

/// What the store holds about a Dropbox member under its SCIM id.
#[derive(Debug, Clone)]
pub struct MemberRecord {
    /// The Dropbox member id.
    pub team_member_id: String,
    /// The SCIM id (the member id unless aliased).
    pub scim_id: String,
    /// Whether the IdP deleted this user (a tombstone exists).
    pub deleted: bool,
    /// The user's extras, if stored.
    pub extras: Option<UserExtras>,
}

/// What the store holds about one SCIM id.
#[derive(Debug, Clone, Default)]
pub struct UserRecord {
    /// Whether the IdP deleted this user (a tombstone exists).
    pub deleted: bool,
    /// The deactivated invitation under this id, if any.
    pub invite: Option<InactiveInvite>,
    /// The Dropbox member id, when a re-invitation aliased the SCIM id.
    pub alias: Option<String>,
    /// The user's extras, if stored.
    pub extras: Option<UserExtras>,
}

/// What the store holds for an e-mail or external id: a deactivated invitation (with its extras) and
/// the mirrored member with that value, if any (a hint until Dropbox confirms the member id).
#[derive(Debug, Clone, Default)]
pub struct SelectorRecord {
    /// The deactivated invitation with this value, and its extras.
    pub invite: Option<(InactiveInvite, Option<UserExtras>)>,
    /// The mirrored member with this value.
    pub member: Option<MemberRecord>,
}

/// The columns of an optional invitation, prefixed `i_`.
const INVITE: &str = "i.scim_id AS i_scim_id, i.email AS i_email, i.external_id AS i_external_id, \
    i.given_name AS i_given_name, i.family_name AS i_family_name, i.extra AS i_extra, \
    i.team_member_id AS i_team_member_id, i.deactivated_at AS i_deactivated_at";

#[derive(sqlx::FromRow)]
struct InviteCols {
    i_scim_id: Option<String>,
    i_email: Option<String>,
    i_external_id: Option<String>,
    i_given_name: Option<String>,
    i_family_name: Option<String>,
    i_extra: Option<String>,
    i_team_member_id: Option<String>,
    i_deactivated_at: Option<DateTime<Utc>>,
}

impl InviteCols {
    fn invite(self) -> Option<InactiveInvite> {
        Some(InactiveInvite {
            scim_id: self.i_scim_id?,
            email: self.i_email?,
            external_id: self.i_external_id,
            given_name: self.i_given_name,
            family_name: self.i_family_name,
            extra: self.i_extra?,
            team_member_id: self.i_team_member_id,
            deactivated_at: self.i_deactivated_at?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ByScimId {
    deleted: bool,
    alias: Option<String>,
    extras: Option<String>,
    extras_created: Option<DateTime<Utc>>,
    extras_updated: Option<DateTime<Utc>>,
    #[sqlx(flatten)]
    invite: InviteCols,
}

#[derive(sqlx::FromRow)]
struct BySelector {
    invite_extras: Option<String>,
    invite_extras_created: Option<DateTime<Utc>>,
    invite_extras_updated: Option<DateTime<Utc>>,
    #[sqlx(flatten)]
    invite: InviteCols,
    member_id: Option<String>,
    member_scim_id: Option<String>,
    deleted: Option<bool>,
    extras: Option<String>,
    extras_created: Option<DateTime<Utc>>,
    extras_updated: Option<DateTime<Utc>>,
}

/// The `user_extras` columns of the user whose id is `id` (an SQL expression), as three subqueries.
fn extras_cols(id: &str, prefix: &str) -> String {
    format!(
        "(SELECT doc FROM user_extras x WHERE x.scim_id = {id}) AS {prefix}extras, \
         (SELECT created_at FROM user_extras x WHERE x.scim_id = {id}) AS {prefix}extras_created, \
         (SELECT updated_at FROM user_extras x WHERE x.scim_id = {id}) AS {prefix}extras_updated"
    )
}

/// A member's SCIM id, tombstone, and extras document with its times.
type MemberRow = (
    String,
    bool,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

impl Store {
    /// Everything the store keeps about one SCIM id, in one query.
    pub async fn user_record(&self, scim_id: &str) -> Result<UserRecord, StoreError> {
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM deleted_users WHERE scim_id = $1) AS deleted, \
             (SELECT team_member_id FROM id_aliases WHERE scim_id = $1) AS alias, \
             {}, {INVITE} \
             FROM (SELECT 1 AS one) o LEFT JOIN inactive_invites i ON i.scim_id = $1",
            extras_cols("$1", "")
        );
        let row: ByScimId =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(scim_id).fetch_one(pool).await?);
        Ok(UserRecord {
            deleted: row.deleted,
            alias: row.alias,
            extras: extras_from_parts(row.extras, row.extras_created, row.extras_updated)?,
            invite: row.invite.invite(),
        })
    }

    /// The invitation and mirrored member with this e-mail (case-insensitive), in one query.
    pub async fn selector_record_by_email(
        &self,
        email: &str,
    ) -> Result<SelectorRecord, StoreError> {
        self.selector_record("email_lower", "email_lower", &email.to_lowercase())
            .await
    }

    /// The invitation and mirrored member with this external id, in one query.
    pub async fn selector_record_by_external_id(
        &self,
        external_id: &str,
    ) -> Result<SelectorRecord, StoreError> {
        self.selector_record("external_id", "external_id", external_id)
            .await
    }

    async fn selector_record(
        &self,
        invite_column: &'static str,
        mirror_column: &'static str,
        value: &str,
    ) -> Result<SelectorRecord, StoreError> {
        let sql = format!(
            "WITH m AS (SELECT tm.team_member_id, COALESCE((SELECT a.scim_id FROM id_aliases a \
               WHERE a.team_member_id = tm.team_member_id), tm.team_member_id) AS scim_id \
               FROM team_mirror tm WHERE tm.generation = {CURRENT} AND tm.{mirror_column} = $1 LIMIT 1) \
             SELECT {}, {INVITE}, \
               m.team_member_id AS member_id, m.scim_id AS member_scim_id, \
               (SELECT COUNT(*) > 0 FROM deleted_users d WHERE d.scim_id = m.scim_id) AS deleted, \
               {} \
             FROM (SELECT 1 AS one) o LEFT JOIN inactive_invites i ON i.{invite_column} = $1 \
             LEFT JOIN m ON 1 = 1",
            extras_cols("i.scim_id", "invite_"),
            extras_cols("m.scim_id", "")
        );
        let row: BySelector =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(value).fetch_one(pool).await?);
        let invite = match row.invite.invite() {
            Some(inv) => Some((
                inv,
                extras_from_parts(
                    row.invite_extras,
                    row.invite_extras_created,
                    row.invite_extras_updated,
                )?,
            )),
            None => None,
        };
        let member = match (row.member_id, row.member_scim_id) {
            (Some(team_member_id), Some(scim_id)) => Some(MemberRecord {
                team_member_id,
                scim_id,
                deleted: row.deleted.unwrap_or(false),
                extras: extras_from_parts(row.extras, row.extras_created, row.extras_updated)?,
            }),
            _ => None,
        };
        Ok(SelectorRecord { invite, member })
    }

    /// The SCIM id, tombstone and extras of a Dropbox member, in one query.
    pub async fn member_record(&self, team_member_id: &str) -> Result<MemberRecord, StoreError> {
        let sql = "WITH s AS (SELECT COALESCE((SELECT scim_id FROM id_aliases WHERE team_member_id = $1), \
                   $1) AS id) SELECT s.id, EXISTS (SELECT 1 FROM deleted_users d WHERE d.scim_id = s.id), \
                   x.doc, x.created_at, x.updated_at FROM s LEFT JOIN user_extras x ON x.scim_id = s.id";
        let (scim_id, deleted, doc, created, updated): MemberRow = on_pool!(self, pool =>
            sqlx::query_as(sql).bind(team_member_id).fetch_one(pool).await?);
        Ok(MemberRecord {
            team_member_id: team_member_id.to_owned(),
            scim_id,
            deleted,
            extras: extras_from_parts(doc, created, updated)?,
        })
    }
}
