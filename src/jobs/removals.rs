//! The deferred-removal worker: claims due removals (each exactly once across replicas), runs them
//! with the policy stored at scheduling time, and records done, blocked, retry or failure.

use super::WorkerConfig;
use crate::bridge::{Bridge, RemovalFailure, RemovalOutcome, WriteContext};
use crate::config::DeprovisionConfig;
use crate::store::{PendingRemoval, RemovalState, Retry, Store, StoreError};
use chrono::Utc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// What one pass did, for logs and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Removals claimed.
    pub claimed: usize,
    /// Finished (removed now, or already gone).
    pub done: usize,
    /// Parked for an operator.
    pub blocked: usize,
    /// Due again later after a transient failure.
    pub retried: usize,
    /// Given up on.
    pub failed: usize,
    /// Claimed but no longer ours when we came to it (cancelled, lease lost) or handed back at stop.
    pub skipped: usize,
}

/// Runs deferred removals for one worker id.
pub struct RemovalWorker {
    bridge: Bridge,
    store: Store,
    worker_id: String,
    config: WorkerConfig,
}

impl RemovalWorker {
    /// A worker that claims under `worker_id`.
    pub fn new(bridge: Bridge, store: Store, worker_id: String, config: WorkerConfig) -> Self {
        Self {
            bridge,
            store,
            worker_id,
            config,
        }
    }

    /// Claims due removals once and runs them one by one, renewing the leases of those not yet
    /// finished every third of a lease meanwhile. Once `stop` is cancelled, the removals not yet
    /// started are handed back (due at once) so that another process can take them. If the process
    /// dies, the renewals stop with it and its claims are free again within one lease.
    pub async fn run_pass(&self, stop: &CancellationToken) -> Result<PassReport, StoreError> {
        let claimed = self.claim().await?;
        if claimed.is_empty() {
            return Ok(PassReport::default());
        }
        let work = self.run_claimed(claimed, stop);
        tokio::pin!(work);
        let every = (self.config.lease / 3).max(Duration::from_millis(10));
        let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                report = &mut work => return report,
                _ = beat.tick() => self.heartbeat().await,
            }
        }
    }

    async fn run_claimed(
        &self,
        claimed: Vec<PendingRemoval>,
        stop: &CancellationToken,
    ) -> Result<PassReport, StoreError> {
        let mut report = PassReport {
            claimed: claimed.len(),
            ..PassReport::default()
        };
        for removal in claimed {
            if stop.is_cancelled() {
                self.hand_back(&removal).await?;
                report.skipped += 1;
                continue;
            }
            self.run_one(&removal, &mut report).await?;
        }
        tracing::info!(worker_id = %self.worker_id, ?report, "deferred-removal pass");
        Ok(report)
    }

    /// Pushes this worker's leases one lease ahead; a failure is logged, the next beat tries again.
    async fn heartbeat(&self) {
        let until = Utc::now() + self.lease();
        if let Err(e) = self.store.extend_leases(&self.worker_id, until).await {
            tracing::warn!(worker_id = %self.worker_id, error = %e,
                "could not renew the leases of claimed removals");
        }
    }

    fn lease(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.config.lease)
            .unwrap_or_else(|_| chrono::Duration::seconds(30))
    }

    /// Claims up to one batch of due removals under this worker's lease.
    async fn claim(&self) -> Result<Vec<PendingRemoval>, StoreError> {
        self.store
            .claim_due(&self.worker_id, Utc::now(), self.lease(), self.config.batch)
            .await
    }

    /// Gives a claimed removal back, due at once, because this process is stopping.
    async fn hand_back(&self, removal: &PendingRemoval) -> Result<(), StoreError> {
        let now = Utc::now();
        self.store
            .fail_removal(
                &removal.id,
                &self.worker_id,
                "handed back at shutdown",
                Retry::At(now),
                now,
            )
            .await?;
        Ok(())
    }

    /// Runs one claimed removal: checks it is still ours, runs it with its stored policy, records it.
    async fn run_one(
        &self,
        removal: &PendingRemoval,
        report: &mut PassReport,
    ) -> Result<(), StoreError> {
        let id = removal.id.as_str();
        if !self.still_ours(id).await? {
            tracing::info!(
                removal = id,
                "removal no longer ours before it ran; skipped"
            );
            report.skipped += 1;
            return Ok(());
        }
        let policy: DeprovisionConfig = match serde_json::from_str(&removal.policy) {
            Ok(p) => p,
            Err(e) => {
                let reason = format!("unreadable stored policy: {e}");
                tracing::error!(removal = id, %reason, "deferred removal failed");
                self.fail(removal, &reason, Retry::Never).await?;
                report.failed += 1;
                return Ok(());
            }
        };
        let ctx = WriteContext::new(
            format!("worker:{}", self.worker_id),
            id.to_owned(),
            "deferred removal".to_owned(),
        );
        let result = self
            .bridge
            .remove_member(
                Some(&ctx),
                &removal.scim_id,
                &removal.team_member_id,
                &policy,
            )
            .await;
        let (status, detail) = self.record(removal, result, report).await?;
        self.bridge
            .audit(&ctx, "User", Some(&removal.scim_id), status, Some(detail))
            .await;
        Ok(())
    }

    /// Whether the removal is still running under this worker; one cancelled (or taken over) since
    /// the claim must not reach Dropbox.
    async fn still_ours(&self, id: &str) -> Result<bool, StoreError> {
        let current = self.store.get_removal(id).await?;
        Ok(current.is_some_and(|r| {
            r.state == RemovalState::Running && r.claimed_by.as_deref() == Some(&self.worker_id)
        }))
    }

    /// Records the result as done, blocked, retry or failed; returns the audit status and detail.
    async fn record(
        &self,
        removal: &PendingRemoval,
        result: Result<RemovalOutcome, RemovalFailure>,
        report: &mut PassReport,
    ) -> Result<(u16, String), StoreError> {
        let id = removal.id.as_str();
        let now = Utc::now();
        Ok(match result {
            Ok(RemovalOutcome::Blocked(reason)) => {
                tracing::warn!(removal = id, scim_id = %removal.scim_id, %reason,
                    "deferred removal blocked: an operator must act (see `pending`)");
                if !self
                    .store
                    .block_removal(id, &self.worker_id, &reason, now)
                    .await?
                {
                    self.lost(removal);
                }
                report.blocked += 1;
                (409, format!("blocked: {reason}"))
            }
            Ok(outcome) => {
                let json = outcome.to_json().to_string();
                if !self
                    .store
                    .complete_removal(id, &self.worker_id, &json, now)
                    .await?
                {
                    self.lost(removal);
                }
                report.done += 1;
                (200, json)
            }
            Err(failure) => {
                let retry = if failure.transient && removal.attempts < self.config.max_attempts {
                    report.retried += 1;
                    Retry::At(now + backoff(&self.config, removal.attempts))
                } else {
                    report.failed += 1;
                    Retry::Never
                };
                tracing::warn!(removal = id, scim_id = %removal.scim_id, error = %failure.detail,
                    ?retry, "deferred removal attempt failed");
                self.fail(removal, &failure.detail, retry).await?;
                (failure.error.status(), failure.detail)
            }
        })
    }

    async fn fail(
        &self,
        removal: &PendingRemoval,
        error: &str,
        retry: Retry,
    ) -> Result<(), StoreError> {
        if !self
            .store
            .fail_removal(&removal.id, &self.worker_id, error, retry, Utc::now())
            .await?
        {
            self.lost(removal);
        }
        Ok(())
    }

    fn lost(&self, removal: &PendingRemoval) {
        tracing::warn!(
            removal = %removal.id,
            scim_id = %removal.scim_id,
            "removal was cancelled or taken over while it ran; its result was not recorded here"
        );
    }
}

/// The retry delay after `attempts` claims: `retry_base * 2^(attempts-1)`, capped at `retry_max`.
fn backoff(config: &WorkerConfig, attempts: i64) -> chrono::Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    let delay = config
        .retry_base
        .saturating_mul(2u32.saturating_pow(exp))
        .min(config.retry_max);
    chrono::Duration::from_std(delay).unwrap_or_else(|_| chrono::Duration::hours(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let config = WorkerConfig {
            retry_base: Duration::from_secs(10),
            retry_max: Duration::from_secs(60),
            ..WorkerConfig::default()
        };
        let secs = |a| backoff(&config, a).num_seconds();
        assert_eq!((secs(1), secs(2), secs(3), secs(4)), (10, 20, 40, 60));
        assert_eq!(secs(i64::MAX), 60);
        assert_eq!(secs(-5), 10);
    }
}
