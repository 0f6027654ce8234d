//! Member removal, recovery, welcome email, team info and the authenticated admin.

use dropbox_sdk::types::team::{TeamGetInfoResult, TokenGetAuthenticatedAdminResult};
use dropbox_sdk::types::team_policies::{
    DefaultLinkExpirationDaysPolicy, EmmState, EnforceLinkPasswordPolicy, GroupCreation,
    OfficeAddInPolicy, SharedFolderBlanketLinkRestrictionPolicy, SharedFolderJoinPolicy,
    SharedFolderMemberPolicy, SharedLinkCreatePolicy, SharedLinkDefaultPermissionsPolicy,
    SuggestMembersPolicy, TeamMemberPolicies, TeamSharingPolicies, TopLevelContentPolicy,
};
use serde_json::{Value, json};

use super::args::{Args, Selector, user_selector};
use super::jobs::JobFamily;
use super::members::find;
use super::state::{Model, Role, Status};
use super::view::{profile, to_json};
use super::wire::ApiError;

type R = Result<Value, ApiError>;

/// The `members/remove` arguments, parsed and with Dropbox's defaults applied.
struct RemoveArgs {
    wipe: bool,
    keep: bool,
    retain: bool,
    purge: bool,
    dest: Option<Selector>,
    admin: Option<Selector>,
    user: Selector,
}

impl RemoveArgs {
    fn parse(body: &Value) -> Result<Self, ApiError> {
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
        Ok(Self {
            wipe: a.bool_or("wipe_data", true)?,
            keep: a.bool_or("keep_account", false)?,
            retain: a.bool_or("retain_team_shares", false)?,
            purge: a.bool_or("permanently_delete_files", false)?,
            dest: a
                .opt("transfer_dest_id")
                .map(|v| user_selector(v, "transfer_dest_id"))
                .transpose()?,
            admin: a
                .opt("transfer_admin_id")
                .map(|v| user_selector(v, "transfer_admin_id"))
                .transpose()?,
            user: user_selector(a.req("user")?, "user")?,
        })
    }
}

/// members/remove: flag-combination rules, last admin, recoverability.
pub(crate) fn remove(model: &mut Model, body: &Value) -> R {
    let args = RemoveArgs::parse(body)?;
    let id = find(model, &args.user).ok_or_else(|| ApiError::tag("user_not_found"))?;
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
    if model.jobs.is_transfer_destination(&id, model.now()) {
        return Err(ApiError::tag("member_is_transfer_destination"));
    }
    check_flags(&args, status)?;
    let dest = match &args.dest {
        Some(dest) => Some(check_transfer(model, &id, dest, args.admin.as_ref())?),
        None => None,
    };
    Ok(mark_removed(model, &id, status, &args, dest.as_deref()))
}

/// The flag-combination rules, in the order Dropbox checks them.
fn check_flags(args: &RemoveArgs, status: Status) -> Result<(), ApiError> {
    let RemoveArgs {
        wipe,
        keep,
        retain,
        purge,
        ..
    } = *args;
    let transfer = args.dest.is_some();
    let broken = [
        (
            keep && status == Status::Invited,
            "cannot_keep_invited_user_account",
        ),
        (keep && wipe, "cannot_keep_account_and_delete_data"),
        (keep && transfer, "cannot_keep_account_and_transfer"),
        (keep && purge, "cannot_keep_account_and_permanently_delete"),
        (purge && transfer, "cannot_permanently_delete_and_transfer"),
        (retain && wipe, "cannot_retain_shares_when_data_wiped"),
        (retain && !keep, "cannot_retain_shares_when_no_account_kept"),
    ];
    match broken.into_iter().find(|(broken, _)| *broken) {
        Some((_, tag)) => Err(ApiError::tag(tag)),
        None => Ok(()),
    }
}

/// The transfer rules: an active destination other than the member, and an active team admin.
/// Returns the destination's member id.
fn check_transfer(
    model: &Model,
    id: &str,
    dest: &Selector,
    admin: Option<&Selector>,
) -> Result<String, ApiError> {
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
    let admin = admin.ok_or_else(|| ApiError::tag("unspecified_transfer_admin_id"))?;
    let aid = find(model, admin).ok_or_else(|| ApiError::tag("transfer_admin_user_not_found"))?;
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
    Ok(did)
}

/// Marks the member removed (recoverable unless invited, purged, transferred or kept) and answers
/// `complete`, or launches the async job when the emulator is configured for one (while that job runs,
/// its transfer destination cannot be removed: `member_is_transfer_destination`).
fn mark_removed(
    model: &mut Model,
    id: &str,
    status: Status,
    args: &RemoveArgs,
    dest: Option<&str>,
) -> Value {
    let now = model.now();
    let recoverable = status != Status::Invited && !args.purge && args.dest.is_none() && !args.keep;
    if let Some(m) = model.member_mut(id) {
        m.status = Status::Removed {
            recoverable,
            disconnected: args.keep,
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
        if let Some(dest) = dest {
            model.jobs.set_transfer_dest(&job, dest);
        }
        return json!({".tag": "async_job_id", "async_job_id": job});
    }
    json!({".tag": "complete"})
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
