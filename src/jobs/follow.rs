//! The async-job follower: polls every Dropbox job the store still has as running until it ends.
//!
//! Jobs are not claimed: polling is a read, and recording the end twice (two replicas) writes the
//! same result, so every replica may follow every job.

use crate::bridge::{Bridge, JobEnd, REMOVE_JOB_KIND};
use crate::store::Store;
use tokio_util::sync::CancellationToken;

/// Follows each running job once to its end (or to a transient failure, retried next pass);
/// returns how many jobs ended. Stops between jobs once `stop` is cancelled.
pub async fn follow_running_jobs(
    bridge: &Bridge,
    store: &Store,
    stop: &CancellationToken,
) -> usize {
    let jobs = match store.running_jobs().await {
        Ok(jobs) => jobs,
        Err(e) => {
            tracing::error!(error = %e, "cannot list running Dropbox jobs");
            return 0;
        }
    };
    let mut ended = 0;
    for job in jobs {
        if stop.is_cancelled() {
            break;
        }
        if job.kind != REMOVE_JOB_KIND {
            continue;
        }
        let result = tokio::select! {
            r = bridge.follow_removal_job(&job) => r,
            // The job stays running in the store; the next process follows it.
            () = stop.cancelled() => break,
        };
        match result {
            Ok(JobEnd::Complete) => {
                ended += 1;
                tracing::info!(job_id = %job.job_id, scim_id = ?job.scim_id, "removal job complete");
            }
            Ok(JobEnd::Failed(reason)) => {
                ended += 1;
                tracing::warn!(job_id = %job.job_id, scim_id = ?job.scim_id, %reason,
                    "removal job failed in Dropbox");
            }
            Err(e) => {
                tracing::warn!(job_id = %job.job_id, error = ?e,
                    "could not follow removal job; will retry");
            }
        }
    }
    ended
}
