//! The team mirror: one row per Dropbox member, for listings and non-exact filters.
//!
//! Rows live in generations. A refresh takes a new generation ([`Store::mirror_begin`]), writes it
//! page by page ([`Store::mirror_insert`]) and swaps it in with one update ([`Store::mirror_swap`]):
//! readers see the previous generation, complete, until then. The bridge's own writes go into the
//! current generation and every one being built, so a refresh in flight does not lose them: a page read
//! from Dropbox before such a write never overwrites it, and a member removed meanwhile stays removed.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, on_pool};

/// One mirrored member, with the columns listings sort by and filters are pushed down to.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct MirrorMember {
    /// Dropbox `team_member_id`.
    pub team_member_id: String,
    /// The SCIM id the IdP knows the member by (its own id unless a re-invitation aliased it).
    pub scim_id: String,
    /// The listing sort key: the rendered `userName`, lower-cased.
    pub sort_key: String,
    /// Primary e-mail, lower-cased.
    pub email_lower: String,
    /// Dropbox `external_id` (absent when empty).
    pub external_id: Option<String>,
    /// `name.givenName`, lower-cased (absent when empty).
    pub given_lower: Option<String>,
    /// `name.familyName`, lower-cased (absent when empty).
    pub family_lower: Option<String>,
    /// Every rendered `emails.value`, lower-cased, as `"\na\nb\n"` (see [`MirrorMember::emails_column`]).
    pub emails_lower: String,
    /// The rendered `active`.
    pub active: bool,
    /// `active`, `invited`, `suspended`, ...
    pub status: String,
    /// The member profile the bridge renders from, as JSON text.
    pub profile: String,
}

impl MirrorMember {
    /// The `emails_lower` column for some addresses: each lower-cased and between newlines.
    pub fn emails_column<'a>(emails: impl IntoIterator<Item = &'a str>) -> String {
        let mut out = String::from("\n");
        for e in emails {
            out.push_str(&e.to_lowercase());
            out.push('\n');
        }
        out
    }
}

/// The columns of [`MirrorMember`], in its order.
pub(crate) const COLUMNS: &str = "team_member_id, scim_id, sort_key, email_lower, external_id, \
    given_lower, family_lower, emails_lower, active, status, profile";
/// [`COLUMNS`] prefixed with the table alias `m`.
pub(crate) const M_COLUMNS: &str = "m.team_member_id, m.scim_id, m.sort_key, m.email_lower, \
    m.external_id, m.given_lower, m.family_lower, m.emails_lower, m.active, m.status, m.profile";
/// The generation readers see, as a scalar subquery.
pub(crate) const CURRENT: &str = "(SELECT current_generation FROM mirror_state WHERE id = 1)";
/// The `status` of a removal marker: a member the bridge removed while a generation was being built.
/// Never a Dropbox status the mirror keeps (removed members are not mirrored); dropped at the swap.
const REMOVED: &str = "removed";
/// Rows per multi-row INSERT (12 binds each: far below both backends' bind limits).
const CHUNK: usize = 1_000;

impl Store {
    /// Starts a new generation for a refresh and returns its number.
    pub async fn mirror_begin(&self) -> Result<i64, StoreError> {
        let take = "UPDATE mirror_state SET next_generation = next_generation + 1 WHERE id = 1 \
                    RETURNING next_generation - 1";
        let mark = "INSERT INTO mirror_building (generation) VALUES ($1)";
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let generation: i64 = sqlx::query_scalar(take).fetch_one(&mut *tx).await?;
            sqlx::query(mark).bind(generation).execute(&mut *tx).await?;
            tx.commit().await?;
            generation
        }))
    }

    /// Writes members into a generation being built. A member the bridge itself wrote there in the
    /// meantime is kept (it is newer than any page read before the write).
    pub async fn mirror_insert(
        &self,
        generation: i64,
        members: &[MirrorMember],
    ) -> Result<(), StoreError> {
        for chunk in members.chunks(CHUNK) {
            on_pool!(self, pool => {
                let mut qb = sqlx::QueryBuilder::new(format!("INSERT INTO team_mirror (generation, {COLUMNS}) "));
                qb.push_values(chunk, |mut b, m| {
                    b.push_bind(generation)
                        .push_bind(&m.team_member_id)
                        .push_bind(&m.scim_id)
                        .push_bind(&m.sort_key)
                        .push_bind(&m.email_lower)
                        .push_bind(&m.external_id)
                        .push_bind(&m.given_lower)
                        .push_bind(&m.family_lower)
                        .push_bind(&m.emails_lower)
                        .push_bind(m.active)
                        .push_bind(&m.status)
                        .push_bind(&m.profile);
                });
                qb.push(" ON CONFLICT (generation, team_member_id) DO NOTHING");
                qb.build().execute(pool).await?.rows_affected()
            });
        }
        Ok(())
    }

    /// Makes a complete generation the one readers see, in one transaction, then drops older ones.
    /// False (and the generation dropped) when a newer refresh was swapped in first.
    pub async fn mirror_swap(
        &self,
        generation: i64,
        refreshed_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let swap = "UPDATE mirror_state SET current_generation = $1, version = version + 1 \
                    WHERE id = 1 AND current_generation < $1";
        let meta = "INSERT INTO mirror_meta (id, refreshed_at) VALUES (1, $1) \
                    ON CONFLICT (id) DO UPDATE SET refreshed_at = excluded.refreshed_at";
        let done = "DELETE FROM mirror_building WHERE generation = $1";
        let markers =
            format!("DELETE FROM team_mirror WHERE generation = $1 AND status = '{REMOVED}'");
        let swapped = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(&markers).bind(generation).execute(&mut *tx).await?;
            let n = sqlx::query(swap).bind(generation).execute(&mut *tx).await?.rows_affected();
            if n == 1 {
                sqlx::query(meta).bind(refreshed_at).execute(&mut *tx).await?;
            }
            sqlx::query(done).bind(generation).execute(&mut *tx).await?;
            tx.commit().await?;
            n == 1
        });
        let old = if swapped {
            "DELETE FROM team_mirror WHERE generation < $1 \
             AND generation NOT IN (SELECT generation FROM mirror_building)"
        } else {
            "DELETE FROM team_mirror WHERE generation = $1"
        };
        on_pool!(self, pool => sqlx::query(old).bind(generation).execute(pool).await?.rows_affected());
        Ok(swapped)
    }

    /// Drops a generation whose refresh failed.
    pub async fn mirror_abandon(&self, generation: i64) -> Result<(), StoreError> {
        let rows = "DELETE FROM team_mirror WHERE generation = $1";
        let mark = "DELETE FROM mirror_building WHERE generation = $1";
        on_pool!(self, pool => {
            sqlx::query(mark).bind(generation).execute(pool).await?;
            sqlx::query(rows).bind(generation).execute(pool).await?.rows_affected()
        });
        Ok(())
    }

    /// Replaces the whole mirror with `members` (a refresh in one call: begin, insert, swap).
    pub async fn mirror_replace_all(
        &self,
        members: &[MirrorMember],
        refreshed_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let generation = self.mirror_begin().await?;
        self.mirror_insert(generation, members).await?;
        self.mirror_swap(generation, refreshed_at).await?;
        Ok(())
    }

    /// Inserts or updates one member (after a write the bridge made) in the current generation and in
    /// every generation being built.
    pub async fn mirror_upsert(&self, m: &MirrorMember) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO team_mirror (generation, {COLUMNS}) \
             SELECT g.generation, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM \
             (SELECT current_generation AS generation FROM mirror_state WHERE id = 1 \
              UNION SELECT generation FROM mirror_building) g WHERE true \
             ON CONFLICT (generation, team_member_id) DO UPDATE SET scim_id = excluded.scim_id, \
             sort_key = excluded.sort_key, email_lower = excluded.email_lower, \
             external_id = excluded.external_id, given_lower = excluded.given_lower, \
             family_lower = excluded.family_lower, emails_lower = excluded.emails_lower, \
             active = excluded.active, status = excluded.status, profile = excluded.profile"
        );
        on_pool!(self, pool => sqlx::query(&sql)
            .bind(&m.team_member_id).bind(&m.scim_id).bind(&m.sort_key).bind(&m.email_lower)
            .bind(&m.external_id).bind(&m.given_lower).bind(&m.family_lower).bind(&m.emails_lower)
            .bind(m.active).bind(&m.status).bind(&m.profile)
            .execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Removes one member from the current generation, and leaves a removal marker in every generation
    /// being built, so that a refresh page read from Dropbox before the removal cannot bring the member
    /// back (its insert keeps the marker, and the swap drops markers); true if it was mirrored.
    pub async fn mirror_delete(&self, team_member_id: &str) -> Result<bool, StoreError> {
        let delete = "DELETE FROM team_mirror WHERE team_member_id = $1 \
                      AND generation NOT IN (SELECT generation FROM mirror_building)";
        let mark = format!(
            "INSERT INTO team_mirror (generation, {COLUMNS}) \
             SELECT b.generation, $1, $1, '', '', NULL, NULL, NULL, '', false, '{REMOVED}', '' \
             FROM mirror_building b WHERE true \
             ON CONFLICT (generation, team_member_id) DO UPDATE SET status = excluded.status, \
             scim_id = excluded.scim_id, sort_key = excluded.sort_key, email_lower = excluded.email_lower, \
             external_id = NULL, given_lower = NULL, family_lower = NULL, emails_lower = '', \
             active = false, profile = ''"
        );
        let n = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(delete).bind(team_member_id).execute(&mut *tx).await?.rows_affected();
            sqlx::query(&mark).bind(team_member_id).execute(&mut *tx).await?;
            tx.commit().await?;
            n
        });
        Ok(n > 0)
    }

    /// One member of the current generation.
    pub async fn mirror_get(
        &self,
        team_member_id: &str,
    ) -> Result<Option<MirrorMember>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM team_mirror WHERE generation = {CURRENT} AND team_member_id = $1"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as(&sql).bind(team_member_id).fetch_optional(pool).await?),
        )
    }

    /// When the mirror was last fully refreshed, if ever.
    pub async fn mirror_refreshed_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let sql = "SELECT refreshed_at FROM mirror_meta WHERE id = 1";
        Ok(on_pool!(self, pool => sqlx::query_scalar(sql).fetch_optional(pool).await?))
    }

    /// The listing version: it changes whenever anything a user listing shows may have changed.
    pub async fn listing_version(&self) -> Result<i64, StoreError> {
        let sql = "SELECT version FROM mirror_state WHERE id = 1";
        Ok(on_pool!(self, pool => sqlx::query_scalar(sql).fetch_one(pool).await?))
    }

    /// The SCIM ids of aliased members among `team_member_ids`, as (member id, SCIM id).
    pub async fn aliases_of_members(
        &self,
        team_member_ids: &[String],
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut out = Vec::new();
        for chunk in team_member_ids.chunks(500) {
            let sql = format!(
                "SELECT team_member_id, scim_id FROM id_aliases WHERE team_member_id IN ({})",
                super::placeholders(1, chunk.len())
            );
            let rows: Vec<(String, String)> = on_pool!(self, pool => {
                let mut q = sqlx::query_as(&sql);
                for id in chunk {
                    q = q.bind(id);
                }
                q.fetch_all(pool).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }
}
