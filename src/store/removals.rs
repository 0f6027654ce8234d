//! Deferred removals (deprovisioning after a grace period): scheduling, listing and cancelling them.
//! The worker's side (claims, results) is in `removal_claims`.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, on_pool};

/// Where a deferred removal stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RemovalState {
    /// Waiting for `due_at`.
    Pending,
    /// Claimed by a worker holding a lease.
    Running,
    /// Finished successfully.
    Done,
    /// Given up on.
    Failed,
    /// Cancelled (user reactivated or re-scheduled).
    Cancelled,
    /// Needs an operator (e.g. no transfer destination).
    Blocked,
}

impl RemovalState {
    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            RemovalState::Pending => "pending",
            RemovalState::Running => "running",
            RemovalState::Done => "done",
            RemovalState::Failed => "failed",
            RemovalState::Cancelled => "cancelled",
            RemovalState::Blocked => "blocked",
        }
    }

    /// The state with this stored text form (`blocked`), if there is one.
    pub fn from_name(s: &str) -> Option<Self> {
        Self::parse(s).ok()
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "pending" => RemovalState::Pending,
            "running" => RemovalState::Running,
            "done" => RemovalState::Done,
            "failed" => RemovalState::Failed,
            "cancelled" => RemovalState::Cancelled,
            "blocked" => RemovalState::Blocked,
            other => {
                return Err(StoreError::Corrupt {
                    what: "removal state",
                    detail: other.to_owned(),
                });
            }
        })
    }
}

/// What to do with a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// Back to pending, due again at this time.
    At(DateTime<Utc>),
    /// Terminal: mark failed.
    Never,
}

/// One deferred removal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingRemoval {
    /// Job id (UUID).
    pub id: String,
    /// The SCIM user id.
    pub scim_id: String,
    /// The Dropbox member to remove.
    pub team_member_id: String,
    /// When it may run.
    pub due_at: DateTime<Utc>,
    /// The removal arguments chosen at scheduling time, as JSON text.
    pub policy: String,
    /// Current state.
    pub state: RemovalState,
    /// Claims so far.
    pub attempts: i64,
    /// Last failure or block reason.
    pub last_error: Option<String>,
    /// The worker holding it.
    pub claimed_by: Option<String>,
    /// When the holder's lease runs out.
    pub lease_until: Option<DateTime<Utc>>,
    /// When it was scheduled.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// The result recorded on completion, as JSON text.
    pub outcome: Option<String>,
}

/// A removal to record: [`Store::schedule_removal`] and [`Store::schedule_blocked_removal`].
struct NewRemoval<'a> {
    scim_id: &'a str,
    team_member_id: &'a str,
    due_at: DateTime<Utc>,
    policy: &'a str,
    blocked_by: Option<&'a str>,
}

#[derive(sqlx::FromRow)]
pub(super) struct Row {
    id: String,
    scim_id: String,
    team_member_id: String,
    due_at: DateTime<Utc>,
    policy: String,
    state: String,
    attempts: i64,
    last_error: Option<String>,
    claimed_by: Option<String>,
    lease_until: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    outcome: Option<String>,
}

impl TryFrom<Row> for PendingRemoval {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        Ok(PendingRemoval {
            state: RemovalState::parse(&r.state)?,
            id: r.id,
            scim_id: r.scim_id,
            team_member_id: r.team_member_id,
            due_at: r.due_at,
            policy: r.policy,
            attempts: r.attempts,
            last_error: r.last_error,
            claimed_by: r.claimed_by,
            lease_until: r.lease_until,
            created_at: r.created_at,
            updated_at: r.updated_at,
            outcome: r.outcome,
        })
    }
}

pub(super) const COLUMNS: &str = "id, scim_id, team_member_id, due_at, policy, state, attempts, last_error, claimed_by, \
                       lease_until, created_at, updated_at, outcome";

pub(super) fn convert(rows: Vec<Row>) -> Result<Vec<PendingRemoval>, StoreError> {
    let mut out = rows
        .into_iter()
        .map(PendingRemoval::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    out.sort_by(|a, b| a.due_at.cmp(&b.due_at).then_with(|| a.id.cmp(&b.id)));
    Ok(out)
}

impl Store {
    /// Schedules a removal; a pending or blocked one for the same user is cancelled (replaced).
    /// A running one for the same user makes this a [`StoreError::Conflict`].
    pub async fn schedule_removal(
        &self,
        scim_id: &str,
        team_member_id: &str,
        due_at: DateTime<Utc>,
        policy: &str,
        now: DateTime<Utc>,
    ) -> Result<PendingRemoval, StoreError> {
        let new = NewRemoval {
            scim_id,
            team_member_id,
            due_at,
            policy,
            blocked_by: None,
        };
        self.insert_removal(&new, now).await
    }

    /// Records a removal that is blocked from the start (an operator must act; `reason` says
    /// why), replacing a pending or blocked one for the same user like [`Store::schedule_removal`].
    pub async fn schedule_blocked_removal(
        &self,
        scim_id: &str,
        team_member_id: &str,
        due_at: DateTime<Utc>,
        policy: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<PendingRemoval, StoreError> {
        let new = NewRemoval {
            scim_id,
            team_member_id,
            due_at,
            policy,
            blocked_by: Some(reason),
        };
        self.insert_removal(&new, now).await
    }

    async fn insert_removal(
        &self,
        new: &NewRemoval<'_>,
        now: DateTime<Utc>,
    ) -> Result<PendingRemoval, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        let state = match new.blocked_by {
            Some(_) => RemovalState::Blocked,
            None => RemovalState::Pending,
        };
        let cancel = "UPDATE pending_removals SET state = 'cancelled', updated_at = $2 \
                      WHERE scim_id = $1 AND state IN ('pending', 'blocked')";
        let insert = format!(
            "INSERT INTO pending_removals (id, scim_id, team_member_id, due_at, policy, state, attempts, \
             last_error, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $8) \
             RETURNING {COLUMNS}"
        );
        let row: Row = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(cancel).bind(new.scim_id).bind(now).execute(&mut *tx).await?;
            let row = sqlx::query_as(&insert)
                .bind(&id).bind(new.scim_id).bind(new.team_member_id).bind(new.due_at)
                .bind(new.policy).bind(state.as_str()).bind(new.blocked_by).bind(now)
                .fetch_one(&mut *tx).await?;
            tx.commit().await?;
            row
        });
        row.try_into()
    }

    /// Makes a pending removal due at `now` (the worker's next pass runs it, skipping what is
    /// left of the grace period); false if there is no pending removal with this id.
    pub async fn make_removal_due(&self, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let sql = "UPDATE pending_removals SET due_at = $2, updated_at = $2 \
                   WHERE id = $1 AND state = 'pending'";
        let n = on_pool!(self, pool => sqlx::query(sql).bind(id).bind(now).execute(pool).await?.rows_affected());
        Ok(n > 0)
    }

    /// Cancels the pending or blocked removal of a user; true if there was one.
    pub async fn cancel_removal(
        &self,
        scim_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE pending_removals SET state = 'cancelled', updated_at = $2 \
                   WHERE scim_id = $1 AND state IN ('pending', 'blocked')";
        let n = on_pool!(self, pool => sqlx::query(sql).bind(scim_id).bind(now).execute(pool).await?.rows_affected());
        Ok(n > 0)
    }

    /// One removal by id.
    pub async fn get_removal(&self, id: &str) -> Result<Option<PendingRemoval>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM pending_removals WHERE id = $1");
        let row: Option<Row> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
        row.map(PendingRemoval::try_from).transpose()
    }

    /// All removals, or those in one state, by due time.
    pub async fn list_removals(
        &self,
        state: Option<RemovalState>,
    ) -> Result<Vec<PendingRemoval>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM pending_removals WHERE ($1 IS NULL OR state = $1)");
        let state = state.map(RemovalState::as_str);
        let rows: Vec<Row> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(state).fetch_all(pool).await?);
        convert(rows)
    }
}
