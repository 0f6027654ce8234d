//! What the operator's status page shows, gathered from Dropbox (one `team/get_info`) and the store.

use super::Bridge;
use super::audit::redact_emails;
use super::readiness::NotReady;
use crate::store::{AuditEntry, AuditQuery, PendingRemoval, RemovalState, StoreError};
use chrono::{DateTime, Utc};

/// The Dropbox team, as `team/get_info` answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamSummary {
    /// The team's name.
    pub name: String,
    /// The team's id.
    pub team_id: String,
    /// Licence seats.
    pub licensed: u32,
    /// Members provisioned (active, invited, suspended).
    pub provisioned: u32,
}

/// One status snapshot: Dropbox, the mirror, removals that need attention, the latest writes.
#[derive(Clone, Debug)]
pub struct StatusSnapshot {
    /// When it was taken.
    pub at: DateTime<Utc>,
    /// The team, or why Dropbox could not be asked (a short reason, no detail of the failure).
    pub team: Result<TeamSummary, &'static str>,
    /// `sqlite` or `postgres`.
    pub store: &'static str,
    /// When the member mirror was last refreshed in full (`None`: never).
    pub mirror_refreshed_at: Option<DateTime<Utc>>,
    /// Pending, running, blocked and failed removals (done and cancelled ones are history).
    pub removals: Vec<PendingRemoval>,
    /// The latest audit entries, newest first, e-mails replaced by hashes as in the audit log line.
    pub recent: Vec<AuditEntry>,
    /// The client-side rate budget as this replica sees it.
    pub budget: BudgetView,
}

/// The rate budget on the status page: settings, calls left, pause, and what Dropbox's 429s cost.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetView {
    /// Calls per minute; 0 when the budget is off.
    pub per_minute: u32,
    /// Calls that may go out now without waiting (on PostgreSQL: leased to this replica).
    pub tokens: f64,
    /// Seconds the whole client still pauses after a 429, if it does.
    pub paused_secs: Option<u64>,
    /// Whether the budget is shared with the other replicas through PostgreSQL.
    pub shared: bool,
    /// 429 answers from Dropbox since start-up.
    pub rate_limited: u64,
    /// Requests sent again inside the client since start-up.
    pub retries: u64,
    /// Calls refused because the wait was too long (each a 429 to the IdP).
    pub refused: u64,
}

impl Bridge {
    /// Takes a status snapshot with the `recent` latest audit entries. Costs one Dropbox call.
    pub async fn status_snapshot(&self, recent: u32) -> Result<StatusSnapshot, StoreError> {
        let b = self.dropbox().budget_status();
        let budget = BudgetView {
            per_minute: b.per_minute,
            tokens: b.tokens,
            paused_secs: b.paused_for.map(|d| d.as_secs().max(1)),
            shared: b.shared,
            rate_limited: b.rate_limited,
            retries: b.retries,
            refused: b.refused,
        };
        let team = match self.dropbox().team_get_info().await {
            Ok(info) => Ok(TeamSummary {
                name: info.name,
                team_id: info.team_id,
                licensed: info.num_licensed_users,
                provisioned: info.num_provisioned_users,
            }),
            Err(e) if e.is_credentials_refused() => Err(NotReady::CredentialsRefused.reason()),
            Err(_) => Err(NotReady::DropboxUnreachable.reason()),
        };
        let store = self.store();
        let mut removals = store.list_removals(None).await?;
        removals.retain(|r| !matches!(r.state, RemovalState::Done | RemovalState::Cancelled));
        removals.sort_by_key(|r| r.due_at);
        let mut recent = store
            .query_audit(&AuditQuery {
                limit: Some(i64::from(recent)),
                ..AuditQuery::default()
            })
            .await?;
        for e in &mut recent {
            e.operation = redact_emails(&e.operation);
            e.resource_id = e.resource_id.as_deref().map(redact_emails);
            e.detail = e.detail.as_deref().map(redact_emails);
        }
        Ok(StatusSnapshot {
            at: Utc::now(),
            team,
            store: store.backend_name(),
            mirror_refreshed_at: store.mirror_refreshed_at().await?,
            removals,
            recent,
            budget,
        })
    }
}
