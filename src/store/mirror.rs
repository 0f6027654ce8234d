//! The team mirror: one row per Dropbox member, for full listings and non-exact filters.

use chrono::{DateTime, Utc};

use super::{Backend, Store, StoreError, on_pool};

/// One mirrored member.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct MirrorMember {
    /// Dropbox `team_member_id`.
    pub team_member_id: String,
    /// Primary e-mail (stored and returned lower-cased).
    pub email_lower: String,
    /// Dropbox `external_id`.
    pub external_id: Option<String>,
    /// `active`, `invited`, `suspended`, ...
    pub status: String,
    /// The member profile the bridge renders from, as JSON text.
    pub profile: String,
}

const COLUMNS: &str = "team_member_id, email_lower, external_id, status, profile";
/// Rows per multi-row INSERT on SQLite (5 binds each, well below its 32,766 limit).
const SQLITE_CHUNK: usize = 1_000;
/// Rows per UNNEST insert on PostgreSQL.
const PG_CHUNK: usize = 10_000;

impl Store {
    /// Replaces the whole mirror in one transaction; the order of `members` becomes the listing order.
    pub async fn mirror_replace_all(
        &self,
        members: &[MirrorMember],
        refreshed_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let meta = "INSERT INTO mirror_meta (id, refreshed_at) VALUES (1, $1) \
                    ON CONFLICT (id) DO UPDATE SET refreshed_at = excluded.refreshed_at";
        match &self.backend {
            Backend::Sqlite(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("DELETE FROM team_mirror")
                    .execute(&mut *tx)
                    .await?;
                for (n, chunk) in members.chunks(SQLITE_CHUNK).enumerate() {
                    let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                        "INSERT INTO team_mirror (team_member_id, email_lower, external_id, status, profile, seq) ",
                    );
                    let base = (n * SQLITE_CHUNK) as i64;
                    qb.push_values(chunk.iter().enumerate(), |mut b, (i, m)| {
                        b.push_bind(&m.team_member_id)
                            .push_bind(m.email_lower.to_lowercase())
                            .push_bind(&m.external_id)
                            .push_bind(&m.status)
                            .push_bind(&m.profile)
                            .push_bind(base + i as i64);
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                sqlx::query(meta)
                    .bind(refreshed_at)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
            Backend::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("DELETE FROM team_mirror")
                    .execute(&mut *tx)
                    .await?;
                let sql = "INSERT INTO team_mirror (team_member_id, email_lower, external_id, status, profile, seq) \
                           SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])";
                for (n, chunk) in members.chunks(PG_CHUNK).enumerate() {
                    let base = (n * PG_CHUNK) as i64;
                    let ids: Vec<&str> = chunk.iter().map(|m| m.team_member_id.as_str()).collect();
                    let emails: Vec<String> =
                        chunk.iter().map(|m| m.email_lower.to_lowercase()).collect();
                    let ext: Vec<Option<&str>> =
                        chunk.iter().map(|m| m.external_id.as_deref()).collect();
                    let status: Vec<&str> = chunk.iter().map(|m| m.status.as_str()).collect();
                    let profile: Vec<&str> = chunk.iter().map(|m| m.profile.as_str()).collect();
                    let seq: Vec<i64> = (0..chunk.len() as i64).map(|i| base + i).collect();
                    sqlx::query(sql)
                        .bind(ids)
                        .bind(emails)
                        .bind(ext)
                        .bind(status)
                        .bind(profile)
                        .bind(seq)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(meta)
                    .bind(refreshed_at)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }

    /// Inserts or updates one member (after a write the bridge made); new members sort last.
    pub async fn mirror_upsert(&self, m: &MirrorMember) -> Result<(), StoreError> {
        let sql = "INSERT INTO team_mirror (team_member_id, email_lower, external_id, status, profile, seq) \
                   VALUES ($1, $2, $3, $4, $5, (SELECT COALESCE(MAX(seq), -1) + 1 FROM team_mirror)) \
                   ON CONFLICT (team_member_id) DO UPDATE SET email_lower = excluded.email_lower, \
                   external_id = excluded.external_id, status = excluded.status, profile = excluded.profile";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(&m.team_member_id).bind(m.email_lower.to_lowercase()).bind(&m.external_id)
            .bind(&m.status).bind(&m.profile)
            .execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Removes one member; true if it was mirrored.
    pub async fn mirror_delete(&self, team_member_id: &str) -> Result<bool, StoreError> {
        let sql = "DELETE FROM team_mirror WHERE team_member_id = $1";
        let n = on_pool!(self, pool => sqlx::query(sql).bind(team_member_id).execute(pool).await?.rows_affected());
        Ok(n > 0)
    }

    /// One mirrored member.
    pub async fn mirror_get(
        &self,
        team_member_id: &str,
    ) -> Result<Option<MirrorMember>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM team_mirror WHERE team_member_id = $1");
        Ok(
            on_pool!(self, pool => sqlx::query_as(&sql).bind(team_member_id).fetch_optional(pool).await?),
        )
    }

    /// A page in stable order (0-based `offset`) and the total number of members.
    pub async fn mirror_page(
        &self,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<MirrorMember>, i64), StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM team_mirror ORDER BY seq, team_member_id LIMIT $1 OFFSET $2"
        );
        let count = "SELECT COUNT(*) FROM team_mirror";
        let (rows, total) = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let rows: Vec<MirrorMember> =
                sqlx::query_as(&sql).bind(limit.max(0)).bind(offset.max(0)).fetch_all(&mut *tx).await?;
            let total: i64 = sqlx::query_scalar(count).fetch_one(&mut *tx).await?;
            tx.commit().await?;
            (rows, total)
        });
        Ok((rows, total))
    }

    /// Every mirrored member in stable order (for filter evaluation).
    pub async fn mirror_all(&self) -> Result<Vec<MirrorMember>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM team_mirror ORDER BY seq, team_member_id");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
    }

    /// When the mirror was last fully refreshed, if ever.
    pub async fn mirror_refreshed_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let sql = "SELECT refreshed_at FROM mirror_meta WHERE id = 1";
        Ok(on_pool!(self, pool => sqlx::query_scalar(sql).fetch_optional(pool).await?))
    }
}
