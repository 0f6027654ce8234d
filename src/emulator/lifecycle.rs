//! Member removal, recovery, welcome email, team info and the authenticated admin.

use dropbox_sdk::types::team::{TeamGetInfoResult, TokenGetAuthenticatedAdminResult};
use dropbox_sdk::types::team_policies::{
    DefaultLinkExpirationDaysPolicy, EmmState, EnforceLinkPasswordPolicy, GroupCreation,
    OfficeAddInPolicy, SharedFolderBlanketLinkRestrictionPolicy, SharedFolderJoinPolicy,
    SharedFolderMemberPolicy, SharedLinkCreatePolicy, SharedLinkDefaultPermissionsPolicy,
    SuggestMembersPolicy, TeamMemberPolicies, TeamSharingPolicies, TopLevelContentPolicy,
};
use serde_json::{Value, json};

use super::args::{Args, user_selector};
use super::jobs::JobFamily;
use super::members::find;
use super::state::{Model, Role, Status};
use super::view::{profile, to_json};
use super::wire::ApiError;

type R = Result<Value, ApiError>;

/// members/remove: flag-combination rules, last admin, recoverability.
pub(crate) fn remove(model: &mut Model, body: &Value) -> R {
    let fields = [
        "user",
        "wipe_data",
        "transfer_dest_id",
        "transfer_admin_id",
        "keep_account",
        "retain_team_shares",
        "permanently_delete_files",
    ];
    let a = Args::new(body, "", &fields)?;
    let wipe = a.bool_or("wipe_data", true)?;
    let keep = a.bool_or("keep_account", false)?;
    let retain = a.bool_or("retain_team_shares", false)?;
    let purge = a.bool_or("permanently_delete_files", false)?;
    let dest = a
        .opt("transfer_dest_id")
        .map(|v| user_selector(v, "transfer_dest_id"))
        .transpose()?;
    let admin = a
        .opt("transfer_admin_id")
        .map(|v| user_selector(v, "transfer_admin_id"))
        .transpose()?;
    let id = find(model, &user_selector(a.req("user")?, "user")?)
        .ok_or_else(|| ApiError::tag("user_not_found"))?;
    let m = model
        .member(&id)
        .ok_or_else(|| ApiError::tag("user_not_found"))?;
    if !m.is_provisioned() {
        return Err(ApiError::tag("user_not_in_team"));
    }
    let (status, role) = (m.status, m.role);
    if role == Role::TeamAdmin && status == Status::Active && model.active_admins() <= 1 {
        return Err(ApiError::tag("remove_last_admin"));
    }
    if keep && status == Status::Invited {
        return Err(ApiError::tag("cannot_keep_invited_user_account"));
    }
    if keep && wipe {
        return Err(ApiError::tag("cannot_keep_account_and_delete_data"));
    }
    if keep && dest.is_some() {
        return Err(ApiError::tag("cannot_keep_account_and_transfer"));
    }
    if keep && purge {
        return Err(ApiError::tag("cannot_keep_account_and_permanently_delete"));
    }
    if purge && dest.is_some() {
        return Err(ApiError::tag("cannot_permanently_delete_and_transfer"));
    }
    if retain && wipe {
        return Err(ApiError::tag("cannot_retain_shares_when_data_wiped"));
    }
    if retain && !keep {
        return Err(ApiError::tag("cannot_retain_shares_when_no_account_kept"));
    }
    if let Some(dest) = &dest {
        let did = find(model, dest).ok_or_else(|| ApiError::tag("transfer_dest_user_not_found"))?;
        if did == id {
            return Err(ApiError::tag("removed_and_transfer_dest_should_differ"));
        }
        if !model
            .member(&did)
            .is_some_and(|d| d.status == Status::Active)
        {
            return Err(ApiError::tag("transfer_dest_user_not_in_team"));
        }
        let admin = admin
            .as_ref()
            .ok_or_else(|| ApiError::tag("unspecified_transfer_admin_id"))?;
        let aid =
            find(model, admin).ok_or_else(|| ApiError::tag("transfer_admin_user_not_found"))?;
        if aid == id {
            return Err(ApiError::tag("removed_and_transfer_admin_should_differ"));
        }
        let adm = model
            .member(&aid)
            .ok_or_else(|| ApiError::tag("transfer_admin_user_not_found"))?;
        if adm.status != Status::Active {
            return Err(ApiError::tag("transfer_admin_user_not_in_team"));
        }
        if adm.role != Role::TeamAdmin {
            return Err(ApiError::tag("transfer_admin_is_not_admin"));
        }
    }
    let now = model.now();
    let recoverable = status != Status::Invited && !purge && dest.is_none() && !keep;
    if let Some(m) = model.member_mut(&id) {
        m.status = Status::Removed {
            recoverable,
            disconnected: keep,
        };
        m.removed_on = Some(now);
    }
    if model.cfg.remove_async {
        let polls = model.cfg.job_polls_before_complete;
        let job = model.jobs.launch(
            JobFamily::MembersRemove,
            polls,
            json!({".tag": "complete"}),
            now,
        );
        return Ok(json!({".tag": "async_job_id", "async_job_id": job}));
    }
    Ok(json!({".tag": "complete"}))
}

/// members/recover: removed, recoverable and within 7 days, with a free licence.
pub(crate) fn recover(model: &mut Model, body: &Value) -> R {
    let a = Args::new(body, "", &["user"])?;
    let sel = user_selector(a.req("user")?, "user")?;
    let id = find(model, &sel).ok_or_else(|| ApiError::tag("user_not_found"))?;
    let now = model.now();
    let m = model
        .member(&id)
        .ok_or_else(|| ApiError::tag("user_not_found"))?;
    if !m.is_recoverable_at(now) {
        return Err(ApiError::tag("user_unrecoverable"));
    }
    if !model.has_free_license() {
        return Err(ApiError::tag("team_license_limit"));
    }
    if let Some(m) = model.member_mut(&id) {
        m.status = Status::Active;
        m.removed_on = None;
        m.suspended_on = None;
    }
    Ok(Value::Null)
}

/// members/send_welcome_email: bare UserSelectorArg; no-op for non-invited members.
pub(crate) fn send_welcome_email(model: &mut Model, body: &Value) -> R {
    let id =
        find(model, &user_selector(body, "")?).ok_or_else(|| ApiError::tag("user_not_found"))?;
    match model.member(&id) {
        Some(m) if m.is_provisioned() => Ok(Value::Null),
        _ => Err(ApiError::tag("user_not_in_team")),
    }
}

fn policies() -> TeamMemberPolicies {
    let sharing = TeamSharingPolicies::new(
        SharedFolderMemberPolicy::Anyone,
        SharedFolderJoinPolicy::FromAnyone,
        SharedLinkCreatePolicy::DefaultPublic,
        GroupCreation::AdminsOnly,
        SharedFolderBlanketLinkRestrictionPolicy::Anyone,
        EnforceLinkPasswordPolicy::Optional,
        DefaultLinkExpirationDaysPolicy::None,
        SharedLinkDefaultPermissionsPolicy::Default,
    );
    TeamMemberPolicies::new(
        sharing,
        EmmState::Disabled,
        OfficeAddInPolicy::Disabled,
        SuggestMembersPolicy::Enabled,
        TopLevelContentPolicy::AdminOnly,
    )
}

/// team/get_info.
pub(crate) fn team_info(model: &mut Model, _body: &Value) -> R {
    let p = model.provisioned();
    let r = TeamGetInfoResult::new(
        model.cfg.team_name.clone(),
        model.team_id.clone(),
        model.cfg.num_licensed_users,
        p,
        policies(),
    )
    .with_num_used_licenses(p);
    Ok(to_json(&r))
}

/// team/token/get_authenticated_admin: the seeded admin while active and team_admin.
pub(crate) fn authenticated_admin(model: &mut Model, _body: &Value) -> R {
    match model.member(&model.admin_id) {
        Some(m) if m.status == Status::Active && m.role == Role::TeamAdmin => Ok(to_json(
            &TokenGetAuthenticatedAdminResult::new(profile(model, m)),
        )),
        _ => Err(ApiError::tag("admin_not_active")),
    }
}
