//! Removing a Dropbox member under a deprovisioning policy: the transfer destination (fixed member,
//! manager or fallback), invited members, async removal jobs and following them to their end.

use super::errors::from_dropbox;
use super::{Bridge, BridgeError, Refusal, WriteContext};
use crate::config::{DeprovisionConfig, DeprovisionPolicy, TransferTo};
use crate::dropbox::team::{
    MembersGetInfoItemV2, MembersGetInfoV2Arg, MembersRemoveArg, TeamMemberStatus, UserSelectorArg,
};
use crate::dropbox::{
    DropboxError, ErrorKind, JobStatus, LaunchEmptyResult, PollArg, PollEmptyResult, poll_job,
};
use crate::store::{DropboxJob, StoreError};
use serde_json::json;

/// The job kind recorded in the store for a `members/remove` async job.
pub const REMOVE_JOB_KIND: &str = "members/remove";

/// Where the removed member's files went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferUsed {
    /// No transfer (policy `none`, or an invited member, who has no files).
    None,
    /// The configured fixed member (`transfer_to = "member"`), as configured.
    Member(String),
    /// The user's manager, an active member (its `team_member_id`).
    Manager(String),
    /// The configured fallback, because the manager was unknown or not active.
    Fallback(String),
}

/// What [`Bridge::remove_member`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemovalOutcome {
    /// Dropbox removed the member synchronously.
    Complete {
        /// The transfer destination used.
        transfer: TransferUsed,
    },
    /// Dropbox accepted the removal as an async job, now tracked in the store.
    Started {
        /// Dropbox's `async_job_id`.
        job_id: String,
        /// The transfer destination used.
        transfer: TransferUsed,
    },
    /// The member was already removed or is unknown to Dropbox: nothing left to do.
    AlreadyRemoved,
    /// Not removed: an operator must act first (the reason says what is missing).
    Blocked(String),
}

impl RemovalOutcome {
    /// The outcome as JSON, as stored with a finished deferred removal.
    pub fn to_json(&self) -> serde_json::Value {
        let transfer_json = |t: &TransferUsed| match t {
            TransferUsed::None => json!({"kind": "none"}),
            TransferUsed::Member(d) => json!({"kind": "member", "dest": d}),
            TransferUsed::Manager(d) => json!({"kind": "manager", "dest": d}),
            TransferUsed::Fallback(d) => json!({"kind": "fallback", "dest": d}),
        };
        match self {
            Self::Complete { transfer } => {
                json!({"result": "complete", "transfer": transfer_json(transfer)})
            }
            Self::Started { job_id, transfer } => {
                json!({"result": "started", "job_id": job_id, "transfer": transfer_json(transfer)})
            }
            Self::AlreadyRemoved => json!({"result": "already_removed"}),
            Self::Blocked(reason) => json!({"result": "blocked", "reason": reason}),
        }
    }
}

/// A failed removal attempt; `transient` says whether trying again later may succeed.
#[derive(Debug)]
pub struct RemovalFailure {
    /// Rate limit, outage, credentials or store trouble: worth another attempt later.
    pub transient: bool,
    /// A short description for logs and the removal's `last_error` (tags only, no payloads).
    pub detail: String,
    /// The error as the HTTP layer renders it.
    pub error: BridgeError,
    /// Dropbox refused a `[deprovision]` setting (e.g. `transfer_admin_is_not_admin`): retrying
    /// cannot help until an operator changes it; [`Refusal::removal_detail`] names the key.
    pub refusal: Option<Refusal>,
}

impl From<RemovalFailure> for BridgeError {
    fn from(f: RemovalFailure) -> Self {
        f.error
    }
}

impl From<StoreError> for RemovalFailure {
    fn from(e: StoreError) -> Self {
        Self {
            transient: true,
            detail: format!("store: {e}"),
            error: e.into(),
            refusal: None,
        }
    }
}

fn dropbox_failure<E: serde::Serialize + std::fmt::Debug>(e: DropboxError<E>) -> RemovalFailure {
    // Route errors, malformed requests and failed jobs will fail the same way again, except a
    // transfer to this member still in progress, which ends by itself.
    let transient = !matches!(
        e.kind,
        ErrorKind::Api(_) | ErrorKind::BadRequest(_) | ErrorKind::JobFailed(_)
    ) || e.has_tag("member_is_transfer_destination");
    let refusal = e
        .api_tag()
        .and_then(|t| Refusal::from_tag(&t))
        .filter(|r| r.removal_detail().is_some());
    let detail = match refusal.and_then(Refusal::removal_detail) {
        Some(fix) => format!("{fix} ({e})"),
        None => e.to_string(),
    };
    RemovalFailure {
        transient,
        detail,
        error: from_dropbox(e),
        refusal,
    }
}

/// How a followed removal job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobEnd {
    /// The removal finished.
    Complete,
    /// Dropbox reported the job failed (or forgot it), with the tag or message.
    Failed(String),
}

/// A member's state as `members/get_info_v2` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Gone,
    Invited,
    Active,
    Suspended,
}

/// `email` selector for anything with an `@`, else a `team_member_id` (`dbmid:...`).
fn selector(s: &str) -> UserSelectorArg {
    if s.contains('@') {
        UserSelectorArg::Email(s.to_owned())
    } else {
        UserSelectorArg::TeamMemberId(s.to_owned())
    }
}

fn status_of(item: Option<&MembersGetInfoItemV2>) -> Status {
    match item {
        Some(MembersGetInfoItemV2::MemberInfo(info)) => match info.profile.status {
            TeamMemberStatus::Active => Status::Active,
            TeamMemberStatus::Invited => Status::Invited,
            TeamMemberStatus::Suspended => Status::Suspended,
            TeamMemberStatus::Removed(_) => Status::Gone,
        },
        _ => Status::Gone,
    }
}

impl Bridge {
    /// Removes a member now with the arguments `policy` gives. The transfer destination is the fixed
    /// member, or the user's manager when that is an active member, else the fallback; with none,
    /// nothing is removed and the outcome is [`RemovalOutcome::Blocked`]. An async job is tracked.
    /// A failure tells whether a retry may help (deferred removals retry); it converts into a
    /// [`BridgeError`] with `?`.
    pub async fn remove_member(
        &self,
        ctx: Option<&WriteContext>,
        scim_id: &str,
        team_member_id: &str,
        policy: &DeprovisionConfig,
    ) -> Result<RemovalOutcome, RemovalFailure> {
        let manager = match policy.transfer_to {
            TransferTo::Manager => self.manager_member_id(scim_id).await?,
            _ => None,
        };
        let mut members = vec![UserSelectorArg::TeamMemberId(team_member_id.to_owned())];
        if let Some(m) = &manager {
            members.push(UserSelectorArg::TeamMemberId(m.clone()));
        }
        let info = self
            .dropbox_for(ctx)
            .members_get_info_v2(&MembersGetInfoV2Arg::new(members))
            .await;
        let items = info.map_err(dropbox_failure)?.members_info;
        let target = status_of(items.first());
        let manager_active = status_of(items.get(1)) == Status::Active;
        let mut arg = MembersRemoveArg::new(selector(team_member_id));
        let transfer = match target {
            Status::Gone => return Ok(RemovalOutcome::AlreadyRemoved),
            Status::Active if policy.policy == DeprovisionPolicy::SuspendThenRemove => {
                return Ok(RemovalOutcome::Blocked(
                    "the member is active again (unsuspended since the removal was scheduled); \
                     not removing a reactivated member"
                        .to_owned(),
                ));
            }
            // Dropbox refuses keep_account for invitees, and they have no files to transfer.
            Status::Invited => {
                arg.wipe_data = policy.wipe_data;
                TransferUsed::None
            }
            Status::Active | Status::Suspended => {
                arg.wipe_data = policy.wipe_data;
                arg.keep_account = policy.keep_account;
                arg.retain_team_shares = policy.retain_team_shares;
                let manager = manager.filter(|m| manager_active && m != team_member_id);
                match choose_transfer(policy, manager) {
                    Ok(t) => t,
                    Err(reason) => return Ok(RemovalOutcome::Blocked(reason)),
                }
            }
        };
        if let TransferUsed::Member(d) | TransferUsed::Manager(d) | TransferUsed::Fallback(d) =
            &transfer
        {
            let Some(admin) = &policy.transfer_admin else {
                return Ok(RemovalOutcome::Blocked(
                    "a transfer needs deprovision.transfer_admin".to_owned(),
                ));
            };
            arg.transfer_dest_id = Some(selector(d));
            arg.transfer_admin_id = Some(selector(admin));
        }
        self.launch_removal(ctx, scim_id, &arg, transfer).await
    }

    async fn launch_removal(
        &self,
        ctx: Option<&WriteContext>,
        scim_id: &str,
        arg: &MembersRemoveArg,
        transfer: TransferUsed,
    ) -> Result<RemovalOutcome, RemovalFailure> {
        let result = self.dropbox_for(ctx).members_remove(arg).await;
        match result {
            Ok(LaunchEmptyResult::Complete) => Ok(RemovalOutcome::Complete { transfer }),
            Ok(LaunchEmptyResult::AsyncJobId(job_id)) => {
                let now = chrono::Utc::now();
                self.store()
                    .track_job(&job_id, REMOVE_JOB_KIND, Some(scim_id), now)
                    .await?;
                Ok(RemovalOutcome::Started { job_id, transfer })
            }
            // Removed between the look-up and now (another replica, an admin): the goal is reached.
            Err(e) if e.has_tag("user_not_found") || e.has_tag("user_not_in_team") => {
                Ok(RemovalOutcome::AlreadyRemoved)
            }
            Err(e) => Err(dropbox_failure(e)),
        }
    }

    /// The Dropbox member id of the user's manager, if the enterprise extension names one.
    pub(super) async fn manager_member_id(
        &self,
        scim_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let extras = self.store().get_extras(scim_id).await?;
        let Some(manager) = extras
            .and_then(|x| x.enterprise)
            .and_then(|e| e.manager_id)
            .filter(|m| !m.trim().is_empty())
        else {
            return Ok(None);
        };
        let alias = self.store().alias_for(&manager).await?;
        Ok(Some(alias.unwrap_or(manager)))
    }

    /// Polls a tracked `members/remove` job until it ends, and records the end with `finish_job`.
    /// A transient failure (or the poll deadline) is returned and leaves the job running in the store.
    pub async fn follow_removal_job(&self, job: &DropboxJob) -> Result<JobEnd, BridgeError> {
        const POLL: &str = "members/remove/job_status/get";
        let arg = PollArg::new(job.job_id.clone());
        let result = poll_job(self.dropbox().poll_policy(), POLL, || async {
            match self.dropbox().members_remove_job_status_get(&arg).await {
                Ok(PollEmptyResult::InProgress) => Ok(JobStatus::Running),
                Ok(PollEmptyResult::Complete) => Ok(JobStatus::Done(())),
                Err(e) => match e.api_tag() {
                    Some(tag) => Ok(JobStatus::Failed(tag)),
                    None => Err(e),
                },
            }
        })
        .await;
        let end = match result {
            Ok(()) => JobEnd::Complete,
            Err(DropboxError {
                kind: ErrorKind::JobFailed(msg),
                ..
            }) => JobEnd::Failed(msg),
            Err(e) => return Err(from_dropbox(e)),
        };
        let (state, outcome) = match &end {
            JobEnd::Complete => ("complete", json!({"status": "complete"})),
            JobEnd::Failed(msg) => ("failed", json!({"status": "failed", "error": msg})),
        };
        self.store()
            .finish_job(&job.job_id, state, &outcome.to_string(), chrono::Utc::now())
            .await?;
        Ok(end)
    }
}

/// Picks the transfer destination; `Err` is the reason to block.
pub(super) fn choose_transfer(
    policy: &DeprovisionConfig,
    active_manager: Option<String>,
) -> Result<TransferUsed, String> {
    let dest = policy
        .transfer_dest
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    match policy.transfer_to {
        TransferTo::None => Ok(TransferUsed::None),
        TransferTo::Member => dest
            .map(|d| TransferUsed::Member(d.to_owned()))
            .ok_or_else(|| "transfer_to = member needs deprovision.transfer_dest".to_owned()),
        TransferTo::Manager => match (active_manager, dest) {
            (Some(m), _) => Ok(TransferUsed::Manager(m)),
            (None, Some(d)) => Ok(TransferUsed::Fallback(d.to_owned())),
            (None, None) => Err("the user has no active manager to receive the files and \
                                 deprovision.transfer_dest (the fallback) is not set"
                .to_owned()),
        },
    }
}
