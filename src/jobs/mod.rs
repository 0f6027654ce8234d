//! Background work: deferred removals, the follow-up of async Dropbox jobs and the audit retention.
//!
//! There is no background mirror refresh: a listing refreshes the member mirror itself when it is
//! older than `users.mirror_max_age_secs`.
//!
//! [`Workers::start`] spawns one task per kind of work. Each runs a pass every few seconds and
//! stops at a safe point: a removal being executed is finished and recorded before [`Workers::stop`]
//! returns, and removals claimed but not yet started are handed back to the store. A process that
//! dies without stopping stops renewing its short leases, so its claims run elsewhere within one
//! lease.

mod audit_retention;
mod follow;
mod removals;

pub use audit_retention::{AUDIT_PRUNE_INTERVAL, prune_expired_audit};
pub use follow::follow_running_jobs;
pub use removals::{PassReport, RemovalWorker};

use crate::bridge::Bridge;
use crate::dropbox::budget::background;
use crate::store::Store;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How often and how much the workers do.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The pause between two passes of the deferred-removal worker.
    pub removal_interval: Duration,
    /// The pause between two passes of the async-job follower.
    pub follow_interval: Duration,
    /// How long a claimed removal stays ours without a renewal before another replica may take it
    /// over; a live worker renews it every third of this, so it bounds the pause after a crash.
    /// Keep it well above the clock skew between replicas.
    pub lease: Duration,
    /// At most this many removals per claim.
    pub batch: i64,
    /// The first retry delay after a transient failure; it doubles per attempt.
    pub retry_base: Duration,
    /// The longest retry delay.
    pub retry_max: Duration,
    /// After this many attempts a transient failure becomes terminal.
    pub max_attempts: i64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            removal_interval: Duration::from_secs(5),
            follow_interval: Duration::from_secs(10),
            lease: Duration::from_secs(30),
            batch: 10,
            retry_base: Duration::from_secs(60),
            retry_max: Duration::from_secs(3600),
            max_attempts: 20,
        }
    }
}

/// The running background tasks of one process.
pub struct Workers {
    worker_id: String,
    stop: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
}

impl Workers {
    /// Spawns the workers with the default [`WorkerConfig`].
    pub fn start(bridge: Bridge, store: Store) -> Workers {
        Self::start_with(bridge, store, WorkerConfig::default())
    }

    /// Spawns the deferred-removal worker and the async-job follower on the current runtime.
    pub fn start_with(bridge: Bridge, store: Store, config: WorkerConfig) -> Workers {
        let worker_id = new_worker_id();
        let stop = CancellationToken::new();
        let removals = RemovalWorker::new(
            bridge.clone(),
            store.clone(),
            worker_id.clone(),
            config.clone(),
        );
        let mut tasks = Vec::new();
        let token = stop.clone();
        let interval = config.removal_interval;
        // Background work: its Dropbox calls give way to IdP requests in the rate budget.
        tasks.push(tokio::spawn(background(async move {
            loop {
                if let Err(e) = removals.run_pass(&token).await {
                    tracing::error!(error = %e, "deferred-removal pass failed; retrying next pass");
                }
                if pause(&token, interval).await {
                    break;
                }
            }
        })));
        let token = stop.clone();
        let (audit_bridge, audit_store) = (bridge.clone(), store.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let pruned = prune_expired_audit(&audit_bridge, &audit_store, chrono::Utc::now());
                if let Err(e) = pruned.await {
                    tracing::error!(error = %e, "audit retention pass failed; retrying next pass");
                }
                if pause(&token, AUDIT_PRUNE_INTERVAL).await {
                    break;
                }
            }
        }));
        let token = stop.clone();
        let interval = config.follow_interval;
        tasks.push(tokio::spawn(background(async move {
            loop {
                follow_running_jobs(&bridge, &store, &token).await;
                if pause(&token, interval).await {
                    break;
                }
            }
        })));
        tracing::info!(worker_id = %worker_id, "background workers started");
        Workers {
            worker_id,
            stop,
            tasks,
        }
    }

    /// This process's worker id (`hostname-pid-random`), as recorded in `claimed_by`.
    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    /// Signals every task and waits until each has reached a safe point and ended.
    pub async fn stop(self) {
        self.stop.cancel();
        for task in self.tasks {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "a background worker ended abnormally");
            }
        }
        tracing::info!(worker_id = %self.worker_id, "background workers stopped");
    }
}

/// Sleeps `interval`; true when stopping was requested instead.
async fn pause(token: &CancellationToken, interval: Duration) -> bool {
    tokio::select! {
        () = token.cancelled() => true,
        () = tokio::time::sleep(interval) => token.is_cancelled(),
    }
}

/// `hostname-pid-random`: unique per process, readable in `claimed_by`.
fn new_worker_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".to_owned());
    let random: u32 = rand::random();
    format!("{host}-{}-{random:08x}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_ids_differ_and_name_the_process() {
        let (a, b) = (new_worker_id(), new_worker_id());
        assert_ne!(a, b);
        assert!(a.contains(&format!("-{}-", std::process::id())));
    }
}
