//! `pending --retry ID [--transfer-dest EMAIL]` and `pending --run-now ID`: an operator unblocks a
//! deferred removal. Each change is recorded in the audit log as a CLI action.

use super::audit::open_store;
use crate::config::{Config, DeprovisionConfig, TransferTo};
use crate::dropbox::DropboxClient;
use crate::dropbox::team::{
    MembersGetInfoItemV2, MembersGetInfoV2Arg, TeamMemberStatus, UserSelectorArg,
};
use crate::store::{Access, AuditEntry, DropboxCall, PendingRemoval, RemovalState, Store};
use anyhow::{Context, bail};
use chrono::Utc;

/// The audit log's `client` for actions taken from the command line.
pub const CLI_CLIENT: &str = "cli";

/// Schedules a blocked or failed removal again (keeping what is left of its grace period), with
/// its stored policy or, with `transfer_dest`, transferring the files to that member instead. The
/// destination must be an active team member other than the user; it is checked in Dropbox first.
pub async fn retry(config: &Config, id: &str, transfer_dest: Option<&str>) -> anyhow::Result<()> {
    let store = open_store(&config.store.url, Access::ReadWrite).await?;
    let result = retry_with(&store, config, id, transfer_dest).await;
    store.close().await;
    result
}

async fn retry_with(
    store: &Store,
    config: &Config,
    id: &str,
    transfer_dest: Option<&str>,
) -> anyhow::Result<()> {
    let r = retriable(store, id).await?;
    match transfer_dest {
        Some(dest) => {
            let member = active_member(config, dest, &r.team_member_id).await?;
            let policy = with_transfer_dest(config, &r, &member)?;
            reschedule(store, &r, &policy, vec![get_info_ok()]).await
        }
        None => reschedule(store, &r, &r.policy, Vec::new()).await,
    }
}

/// Replaces a blocked or failed removal by a pending one with `policy`, due when the old one was
/// (or now), and records it in the audit log.
pub(super) async fn reschedule(
    store: &Store,
    r: &PendingRemoval,
    policy: &str,
    calls: Vec<DropboxCall>,
) -> anyhow::Result<()> {
    let now = Utc::now();
    let new = store
        .schedule_removal(
            &r.scim_id,
            &r.team_member_id,
            r.due_at.max(now),
            policy,
            now,
        )
        .await?;
    let changed = if policy == r.policy {
        ""
    } else {
        " with a new transfer destination"
    };
    let detail = format!("removal {} re-scheduled as {}{changed}", r.id, new.id);
    audit(store, "pending --retry", &r.scim_id, calls, &detail).await?;
    println!(
        "re-scheduled the removal of user {} as {} (due {})",
        r.scim_id,
        new.id,
        super::table::stamp(new.due_at)
    );
    Ok(())
}

/// Runs a removal on the worker's next pass: a pending one skips what is left of its grace
/// period; a blocked or failed one is re-scheduled, due now, with its stored policy.
pub async fn run_now(store_url: &str, id: &str) -> anyhow::Result<()> {
    let store = open_store(store_url, Access::ReadWrite).await?;
    let result = run_now_with(&store, id).await;
    store.close().await;
    result
}

async fn run_now_with(store: &Store, id: &str) -> anyhow::Result<()> {
    let Some(r) = store.get_removal(id).await? else {
        bail!("no removal with id {id}");
    };
    let now = Utc::now();
    let new_id = match r.state {
        RemovalState::Pending if store.make_removal_due(id, now).await? => r.id.clone(),
        RemovalState::Blocked | RemovalState::Failed => {
            let new = store
                .schedule_removal(&r.scim_id, &r.team_member_id, now, &r.policy, now)
                .await?;
            new.id
        }
        state => bail!(
            "removal {id} is {}; only pending, blocked or failed ones can be run now",
            state.as_str()
        ),
    };
    let detail = format!("removal {id} made due now as {new_id}");
    audit(store, "pending --run-now", &r.scim_id, Vec::new(), &detail).await?;
    println!(
        "the removal of user {} ({new_id}) is due now; a running bridge takes it on its next pass",
        r.scim_id
    );
    Ok(())
}

/// The removal, if it is blocked or failed (the ones a retry is for).
pub(super) async fn retriable(store: &Store, id: &str) -> anyhow::Result<PendingRemoval> {
    let Some(r) = store.get_removal(id).await? else {
        bail!("no removal with id {id}");
    };
    if !matches!(r.state, RemovalState::Blocked | RemovalState::Failed) {
        bail!(
            "removal {id} is {}; only blocked or failed ones can be retried",
            r.state.as_str()
        );
    }
    Ok(r)
}

/// The `team_member_id` of `dest` (an e-mail or `dbmid:` id), if it is an active team member
/// other than the member being removed.
async fn active_member(config: &Config, dest: &str, removed: &str) -> anyhow::Result<String> {
    let client = DropboxClient::from_config(config).context("cannot build the Dropbox client")?;
    let selector = if dest.contains('@') {
        UserSelectorArg::Email(dest.to_owned())
    } else {
        UserSelectorArg::TeamMemberId(dest.to_owned())
    };
    let info = client
        .members_get_info_v2(&MembersGetInfoV2Arg::new(vec![selector]))
        .await
        .context("cannot look the transfer destination up in Dropbox")?;
    let Some(MembersGetInfoItemV2::MemberInfo(m)) = info.members_info.into_iter().next() else {
        bail!("--transfer-dest {dest} is not a member of the Dropbox team; nothing was changed");
    };
    if !matches!(m.profile.status, TeamMemberStatus::Active) {
        bail!("--transfer-dest {dest} is not an active team member; nothing was changed");
    }
    if m.profile.team_member_id == removed {
        bail!("--transfer-dest {dest} is the member being removed; choose another member");
    }
    Ok(m.profile.team_member_id)
}

/// The removal's stored policy with a transfer to `member`, checked like the config is; a
/// missing `transfer_admin` is taken from the current config.
fn with_transfer_dest(config: &Config, r: &PendingRemoval, member: &str) -> anyhow::Result<String> {
    let mut policy: DeprovisionConfig =
        serde_json::from_str(&r.policy).context("the removal's stored policy is unreadable")?;
    policy.transfer_to = TransferTo::Member;
    policy.transfer_dest = Some(member.to_owned());
    if policy.transfer_admin.is_none() {
        policy.transfer_admin = config.deprovision.transfer_admin.clone();
    }
    policy
        .validate()
        .context("the removal's policy cannot take a transfer")?;
    Ok(serde_json::to_string(&policy)?)
}

fn get_info_ok() -> DropboxCall {
    DropboxCall {
        route: "members/get_info_v2".to_owned(),
        outcome: "ok".to_owned(),
    }
}

/// Appends the audit entry of a CLI action on a user's removal.
pub(super) async fn audit(
    store: &Store,
    operation: &str,
    scim_id: &str,
    dropbox_calls: Vec<DropboxCall>,
    detail: &str,
) -> anyhow::Result<()> {
    let entry = AuditEntry {
        id: 0,
        at: Utc::now(),
        client: Some(CLI_CLIENT.to_owned()),
        request_id: None,
        operation: operation.to_owned(),
        resource_type: Some("User".to_owned()),
        resource_id: Some(scim_id.to_owned()),
        dropbox_calls,
        status: 200,
        detail: Some(detail.to_owned()),
    };
    store
        .append_audit(&entry)
        .await
        .context("the change was made but its audit entry could not be written")?;
    Ok(())
}
