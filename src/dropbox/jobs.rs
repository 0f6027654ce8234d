//! Async jobs: a generic poll loop with backoff and a deadline, and the launch-then-wait helpers.
//!
//! Poll-route error tags (`invalid_async_job_id`, `internal_error`) are not actionable for the
//! caller, so the wait helpers report them as [`ErrorKind::JobFailed`] and keep the launch route's
//! typed error as `E`. A transient error while polling (rate limit, transport) is returned as is:
//! the job may still finish, so the caller resolves the outcome with a look-up.

use std::future::Future;
use std::time::Duration;

use dropbox_sdk::types::dbx_async::{LaunchEmptyResult, PollArg, PollEmptyResult};
use dropbox_sdk::types::team::{
    GroupDeleteError, GroupSelector, MemberAddV2Result, MembersAddJobStatusV2Result,
    MembersAddLaunchV2Result, MembersAddV2Arg, MembersRemoveArg, MembersRemoveError,
};
use serde::Serialize;
use tokio::time::Instant;

use super::{DropboxClient, DropboxError, ErrorKind, NoRouteError, union_tag};

/// How often and how long to poll an async job.
#[derive(Debug, Clone)]
pub struct PollPolicy {
    /// The wait before the first poll; it doubles after each further poll.
    pub initial: Duration,
    /// The longest wait between two polls.
    pub max_interval: Duration,
    /// Give up with [`ErrorKind::JobDeadline`] once this much time has passed.
    pub deadline: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(500),
            max_interval: Duration::from_secs(5),
            deadline: Duration::from_secs(120),
        }
    }
}

/// One answer of a job-status route.
#[derive(Debug)]
pub enum JobStatus<T> {
    /// Still running.
    Running,
    /// Finished with this result.
    Done(T),
    /// Finished with this failure message.
    Failed(String),
}

/// Calls `poll` with growing pauses until it reports `Done`, `Failed`, an error, or the deadline.
pub async fn poll_job<T, E, F, Fut>(
    policy: &PollPolicy,
    route: &'static str,
    mut poll: F,
) -> Result<T, DropboxError<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<JobStatus<T>, DropboxError<E>>>,
{
    let deadline = Instant::now() + policy.deadline;
    let mut interval = policy.initial;
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(DropboxError::new(route, ErrorKind::JobDeadline));
        }
        tokio::time::sleep(interval.min(deadline - now)).await;
        match poll().await? {
            JobStatus::Done(v) => return Ok(v),
            JobStatus::Failed(msg) => {
                let msg = super::redact::redact_emails(&msg);
                return Err(DropboxError::new(route, ErrorKind::JobFailed(msg)));
            }
            JobStatus::Running => {}
        }
        interval = interval.saturating_mul(2).min(policy.max_interval);
    }
}

/// Turns a poll route's typed error into `JobFailed` with its tag.
fn poll_failed<P: Serialize, E>(err: DropboxError<P>) -> DropboxError<E> {
    err.map_api(|p| ErrorKind::JobFailed(union_tag(&p)))
}

fn empty_status(status: PollEmptyResult) -> JobStatus<()> {
    match status {
        PollEmptyResult::InProgress => JobStatus::Running,
        PollEmptyResult::Complete => JobStatus::Done(()),
    }
}

impl DropboxClient {
    /// `members/add_v2`, then polls its job until every item has a result (in input order).
    /// Recorded as one `members/add_v2` call with the final outcome.
    pub async fn add_members_wait(
        &self,
        arg: &MembersAddV2Arg,
    ) -> Result<Vec<MemberAddV2Result>, DropboxError<NoRouteError>> {
        let result = self.unrecorded().add_members_then_poll(arg).await;
        self.record("members/add_v2", &result);
        result
    }

    async fn add_members_then_poll(
        &self,
        arg: &MembersAddV2Arg,
    ) -> Result<Vec<MemberAddV2Result>, DropboxError<NoRouteError>> {
        const POLL: &str = "members/add/job_status/get_v2";
        let job_id = match self.members_add_v2(arg).await? {
            MembersAddLaunchV2Result::Complete(items) => return Ok(items),
            MembersAddLaunchV2Result::AsyncJobId(id) => id,
            _ => {
                return Err(DropboxError::new(
                    "members/add_v2",
                    ErrorKind::Decode("unknown launch result tag".to_owned()),
                ));
            }
        };
        let poll_arg = PollArg::new(job_id);
        poll_job(&self.inner.poll, POLL, || async {
            match self.members_add_job_status_get_v2(&poll_arg).await {
                Ok(MembersAddJobStatusV2Result::InProgress) => Ok(JobStatus::Running),
                Ok(MembersAddJobStatusV2Result::Complete(items)) => Ok(JobStatus::Done(items)),
                Ok(MembersAddJobStatusV2Result::Failed(msg)) => Ok(JobStatus::Failed(msg)),
                Ok(_) => Err(DropboxError::new(
                    POLL,
                    ErrorKind::Decode("unknown job status tag".to_owned()),
                )),
                Err(e) => Err(poll_failed(e)),
            }
        })
        .await
    }

    /// `members/remove`, then polls `members/remove/job_status/get` until the removal completes.
    /// Recorded as one `members/remove` call with the final outcome.
    pub async fn remove_member_wait(
        &self,
        arg: &MembersRemoveArg,
    ) -> Result<(), DropboxError<MembersRemoveError>> {
        let result = self.unrecorded().remove_member_then_poll(arg).await;
        self.record("members/remove", &result);
        result
    }

    async fn remove_member_then_poll(
        &self,
        arg: &MembersRemoveArg,
    ) -> Result<(), DropboxError<MembersRemoveError>> {
        let poll_arg = match self.members_remove(arg).await? {
            LaunchEmptyResult::Complete => return Ok(()),
            LaunchEmptyResult::AsyncJobId(id) => PollArg::new(id),
        };
        poll_job(
            &self.inner.poll,
            "members/remove/job_status/get",
            || async {
                self.members_remove_job_status_get(&poll_arg)
                    .await
                    .map(empty_status)
                    .map_err(poll_failed)
            },
        )
        .await
    }

    /// `groups/delete`, then polls `groups/job_status/get` until the deletion completes.
    /// Recorded as one `groups/delete` call with the final outcome.
    pub async fn groups_delete_wait(
        &self,
        arg: &GroupSelector,
    ) -> Result<(), DropboxError<GroupDeleteError>> {
        let result = self.unrecorded().groups_delete_then_poll(arg).await;
        self.record("groups/delete", &result);
        result
    }

    async fn groups_delete_then_poll(
        &self,
        arg: &GroupSelector,
    ) -> Result<(), DropboxError<GroupDeleteError>> {
        let poll_arg = match self.groups_delete(arg).await? {
            LaunchEmptyResult::Complete => return Ok(()),
            LaunchEmptyResult::AsyncJobId(id) => PollArg::new(id),
        };
        poll_job(&self.inner.poll, "groups/job_status/get", || async {
            self.groups_job_status_get(&poll_arg)
                .await
                .map(empty_status)
                .map_err(poll_failed)
        })
        .await
    }
}
