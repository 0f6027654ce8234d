//! Resource times Dropbox does not keep: when the bridge first knew a user (so that `meta.created` is
//! stable through deactivation and re-invitation), and when a group was created and last changed.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, on_pool};

/// When a group was created and last changed through the bridge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupTimes {
    /// Dropbox's creation time, or when the bridge first saw the group.
    pub created: DateTime<Utc>,
    /// The last change made through the bridge (never before `created`).
    pub modified: DateTime<Utc>,
}

impl Store {
    /// Lowers the user's recorded creation time to `at` if it is earlier (or records it): the
    /// earliest time ever known wins, so a re-invitation never moves `meta.created`.
    pub async fn note_user_created(
        &self,
        scim_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO user_extras (scim_id, manager_id, doc, updated_at, created_at) VALUES ($1, NULL, '{}', $2, $2) \
                   ON CONFLICT (scim_id) DO UPDATE SET created_at = CASE \
                   WHEN user_extras.created_at IS NULL OR user_extras.created_at > excluded.created_at \
                   THEN excluded.created_at ELSE user_extras.created_at END";
        on_pool!(self, pool => sqlx::query(sql).bind(scim_id).bind(at).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Records that a group exists since `created` (kept if an earlier time is known) and returns its times.
    pub async fn note_group_seen(
        &self,
        group_id: &str,
        created: DateTime<Utc>,
    ) -> Result<GroupTimes, StoreError> {
        let sql = "INSERT INTO group_times (group_id, created_at, modified_at) VALUES ($1, $2, $2) \
                   ON CONFLICT (group_id) DO UPDATE SET created_at = CASE \
                   WHEN group_times.created_at > excluded.created_at THEN excluded.created_at \
                   ELSE group_times.created_at END \
                   RETURNING created_at, modified_at";
        let (c, m): (DateTime<Utc>, DateTime<Utc>) = on_pool!(self, pool => sqlx::query_as(sql).bind(group_id).bind(created).fetch_one(pool).await?);
        Ok(GroupTimes {
            created: c,
            modified: m.max(c),
        })
    }

    /// The recorded times of a group, if the bridge has seen it.
    pub async fn group_times(&self, group_id: &str) -> Result<Option<GroupTimes>, StoreError> {
        let sql = "SELECT created_at, modified_at FROM group_times WHERE group_id = $1";
        let row: Option<(DateTime<Utc>, DateTime<Utc>)> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(group_id).fetch_optional(pool).await?);
        Ok(row.map(|(c, m)| GroupTimes {
            created: c,
            modified: m.max(c),
        }))
    }

    /// Records a change to a group made through the bridge at `at`.
    pub async fn note_group_modified(
        &self,
        group_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO group_times (group_id, created_at, modified_at) VALUES ($1, $2, $2) \
                   ON CONFLICT (group_id) DO UPDATE SET modified_at = excluded.modified_at";
        on_pool!(self, pool => sqlx::query(sql).bind(group_id).bind(at).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Forgets a deleted group's times.
    pub async fn forget_group_times(&self, group_id: &str) -> Result<(), StoreError> {
        let sql = "DELETE FROM group_times WHERE group_id = $1";
        on_pool!(self, pool => sqlx::query(sql).bind(group_id).execute(pool).await?.rows_affected());
        Ok(())
    }
}
