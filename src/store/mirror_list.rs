//! Listing reads over the team mirror: pages in SQL (by sort key, deleted users hidden), counts, and
//! the deactivated invitations merged into user listings.

use super::extras::extras_from_parts;
use super::mirror::{CURRENT, M_COLUMNS};
use super::{InactiveInvite, MirrorMember, Store, StoreError, UserExtras, on_pool};
use crate::scim::filter::sql::{SqlArg, SqlWhere};
use chrono::{DateTime, Utc};

/// The listing position of a user: its sort key (lower-cased `userName`) and SCIM id.
pub type ListKey = (String, String);

/// Mirrored members visible in listings: the current generation, less users the IdP deleted.
const VISIBLE: &str = "FROM team_mirror m WHERE m.generation = (SELECT current_generation FROM \
    mirror_state WHERE id = 1) AND NOT EXISTS (SELECT 1 FROM deleted_users d WHERE d.scim_id = m.scim_id)";

#[derive(sqlx::FromRow)]
struct Listed {
    #[sqlx(flatten)]
    member: MirrorMember,
    extras: Option<String>,
    extras_created: Option<DateTime<Utc>>,
    extras_updated: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct ListedInvite {
    #[sqlx(flatten)]
    invite: InactiveInvite,
    extras: Option<String>,
    extras_created: Option<DateTime<Utc>>,
    extras_updated: Option<DateTime<Utc>>,
}

/// Appends `cond` (and its binds' numbering) to a query that already has `args`.
fn with_where(base: String, filter: Option<&SqlWhere>) -> (String, usize) {
    match filter {
        Some(w) => (format!("{base} AND {}", w.sql), w.args.len()),
        None => (base, 0),
    }
}

macro_rules! bind_all {
    ($q:expr, $filter:expr) => {{
        let mut q = $q;
        for a in $filter.map(|w| w.args.as_slice()).unwrap_or_default() {
            q = match a {
                SqlArg::Text(s) => q.bind(s.as_str()),
                SqlArg::Bool(b) => q.bind(*b),
            };
        }
        q
    }};
}

impl Store {
    /// Visible members matching `filter`, in listing order, each with its extras: `limit` of them after
    /// the key `after` (when given) and past `offset` more.
    pub async fn mirror_list(
        &self,
        filter: Option<&SqlWhere>,
        after: Option<&ListKey>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<(MirrorMember, Option<UserExtras>)>, StoreError> {
        let base = format!(
            "SELECT {M_COLUMNS}, x.doc AS extras, x.created_at AS extras_created, \
             x.updated_at AS extras_updated FROM team_mirror m \
             LEFT JOIN user_extras x ON x.scim_id = m.scim_id WHERE m.generation = {CURRENT} \
             AND NOT EXISTS (SELECT 1 FROM deleted_users d WHERE d.scim_id = m.scim_id)"
        );
        let (mut sql, mut n) = with_where(base, filter);
        if after.is_some() {
            sql.push_str(&format!(
                " AND (m.sort_key, m.scim_id) > (${}, ${})",
                n + 1,
                n + 2
            ));
            n += 2;
        }
        sql.push_str(&format!(
            " ORDER BY m.sort_key, m.scim_id LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        ));
        let rows: Vec<Listed> = on_pool!(self, pool => {
            let mut q = bind_all!(sqlx::query_as(&sql), filter);
            if let Some((key, id)) = after {
                q = q.bind(key.as_str()).bind(id.as_str());
            }
            q.bind(limit.max(0)).bind(offset.max(0)).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|r| {
                let extras = extras_from_parts(r.extras, r.extras_created, r.extras_updated)?;
                Ok((r.member, extras))
            })
            .collect()
    }

    /// How many visible members match `filter` (only those sorting before `before`, when given).
    pub async fn mirror_count(
        &self,
        filter: Option<&SqlWhere>,
        before: Option<&ListKey>,
    ) -> Result<i64, StoreError> {
        let (mut sql, n) = with_where(format!("SELECT COUNT(*) {VISIBLE}"), filter);
        if before.is_some() {
            sql.push_str(&format!(
                " AND (m.sort_key, m.scim_id) < (${}, ${})",
                n + 1,
                n + 2
            ));
        }
        Ok(on_pool!(self, pool => {
            let mut q = bind_all!(sqlx::query_scalar(&sql), filter);
            if let Some((key, id)) = before {
                q = q.bind(key.as_str()).bind(id.as_str());
            }
            q.fetch_one(pool).await?
        }))
    }

    /// Every deactivated invitation with its extras (few: they are listed beside the mirror).
    pub async fn inactive_invites_with_extras(
        &self,
    ) -> Result<Vec<(InactiveInvite, Option<UserExtras>)>, StoreError> {
        let sql = "SELECT i.scim_id, i.email, i.external_id, i.given_name, i.family_name, i.extra, \
                   i.team_member_id, i.deactivated_at, x.doc AS extras, x.created_at AS extras_created, \
                   x.updated_at AS extras_updated FROM inactive_invites i \
                   LEFT JOIN user_extras x ON x.scim_id = i.scim_id";
        let rows: Vec<ListedInvite> =
            on_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await?);
        rows.into_iter()
            .map(|r| {
                let extras = extras_from_parts(r.extras, r.extras_created, r.extras_updated)?;
                Ok((r.invite, extras))
            })
            .collect()
    }
}
