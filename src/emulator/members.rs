//! Member routes: argument parsing plus the state-machine rules (add, list, get_info, suspend, remove, recover).

use dropbox_sdk::types::team::{
    MemberAddV2Result, MembersGetInfoItemV2, MembersGetInfoV2Result, MembersListV2Result,
};
use serde_json::{Value, json};

use super::args::{Args, Selector, check_email, check_max, check_name_part, user_selector};
use super::cursor::{self, CursorData};
use super::jobs::{JobFamily, Poll};
use super::state::{Model, Role, Status};
use super::view::{info_v2, role_from_id, to_json};
use super::wire::ApiError;

type R = Result<Value, ApiError>;

/// Finds a member by selector (any status); `None` when unknown.
pub(crate) fn find(model: &Model, sel: &Selector) -> Option<String> {
    let now = model.now();
    let hit = |m: &&super::state::Member| match sel {
        Selector::TeamMemberId(id) => &m.id == id,
        Selector::Email(e) => m.email.eq_ignore_ascii_case(e) && m.reserves_identity(now),
        Selector::ExternalId(x) => m.external_id.as_deref() == Some(x) && m.reserves_identity(now),
    };
    model.members.iter().find(hit).map(|m| m.id.clone())
}

fn selected(model: &Model, v: &Value, path: &str) -> Result<String, ApiError> {
    find(model, &user_selector(v, path)?).ok_or_else(|| ApiError::tag("user_not_found"))
}

/// members/add_v2.
pub(crate) fn add_v2(model: &mut Model, body: &Value) -> R {
    let a = Args::new(body, "", &["new_members", "force_async"])?;
    let items = a.req_list("new_members")?;
    if items.len() > 20 {
        return Err(ApiError::arg("new_members", "list has more than 20 items"));
    }
    let force_async = a.bool_or("force_async", false)?;
    let fields = [
        "member_email",
        "member_given_name",
        "member_surname",
        "member_external_id",
        "member_persistent_id",
        "send_welcome_email",
        "is_directory_restricted",
        "role_ids",
    ];
    let mut parsed = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("new_members[{i}]");
        let m = Args::new(item, &path, &fields)?;
        let email = m.req_str("member_email")?;
        check_email(&m.path("member_email"), &email)?;
        let given = m.opt_str("member_given_name")?.unwrap_or_default();
        check_name_part(&m.path("member_given_name"), &given)?;
        let surname = m.opt_str("member_surname")?.unwrap_or_default();
        check_name_part(&m.path("member_surname"), &surname)?;
        let external = m.opt_str("member_external_id")?;
        if let Some(x) = &external {
            check_max(&m.path("member_external_id"), x, 64)?;
        }
        let persistent = m.opt_str("member_persistent_id")?;
        let welcome = m.bool_or("send_welcome_email", true)?;
        let restricted = m.opt_bool("is_directory_restricted")?;
        let mut role = Role::MemberOnly;
        if let Some(ids) = m.opt("role_ids") {
            let ids = super::args::as_list(ids, &m.path("role_ids"))?;
            if ids.len() > 1 {
                return Err(ApiError::arg(
                    &m.path("role_ids"),
                    "list has more than 1 items",
                ));
            }
            if let Some(id) = ids.first() {
                let id = super::args::as_str(id, &m.path("role_ids"))?;
                check_max(&m.path("role_ids"), &id, 128)?;
                if !id.starts_with("pid_dbtmr:") {
                    return Err(ApiError::arg(
                        &m.path("role_ids"),
                        "did not match pattern for TeamMemberRoleId",
                    ));
                }
                role = role_from_id(&id).unwrap_or(Role::MemberOnly);
            }
        }
        parsed.push((
            email, given, surname, external, persistent, welcome, restricted, role,
        ));
    }
    let mut results = Vec::new();
    for (email, given, surname, external, persistent, welcome, restricted, role) in parsed {
        results.push(add_one(
            model, &email, &given, &surname, external, persistent, welcome, restricted, role,
        ));
    }
    let complete =
        json!({".tag": "complete", "complete": results.iter().map(to_json).collect::<Vec<_>>()});
    if force_async {
        let (polls, now) = (model.cfg.job_polls_before_complete, model.now());
        let id = model
            .jobs
            .launch(JobFamily::MembersAdd, polls, complete, now);
        return Ok(json!({".tag": "async_job_id", "async_job_id": id}));
    }
    Ok(complete)
}

/// The per-item add rules: uniqueness (case-insensitive email, external id, persistent id), licences.
#[allow(clippy::too_many_arguments)]
pub(crate) fn add_one(
    model: &mut Model,
    email: &str,
    given: &str,
    surname: &str,
    external: Option<String>,
    persistent: Option<String>,
    _send_welcome_email: bool,
    restricted: Option<bool>,
    role: Role,
) -> MemberAddV2Result {
    let now = model.now();
    let e = email.to_string();
    let live = || model.members.iter().filter(|m| m.reserves_identity(now));
    if live().any(|m| m.email.eq_ignore_ascii_case(email)) {
        return MemberAddV2Result::UserAlreadyOnTeam(e);
    }
    // team.stone: user_already_on_team when "the provided email address is associated with a user
    // who is already a member"; a verified secondary e-mail is such an address [assume: a pending
    // one is not yet the member's].
    let owns = |m: &super::state::Member| {
        m.secondary_emails
            .iter()
            .any(|s| s.verified && s.email.eq_ignore_ascii_case(email))
    };
    if live().any(owns) {
        return MemberAddV2Result::UserAlreadyOnTeam(e);
    }
    if model
        .other_team_emails
        .contains(&email.to_ascii_lowercase())
    {
        return MemberAddV2Result::UserOnAnotherTeam(e);
    }
    if external
        .as_ref()
        .is_some_and(|x| live().any(|m| m.external_id.as_ref() == Some(x)))
    {
        return MemberAddV2Result::DuplicateExternalMemberId(e);
    }
    if persistent.is_some() {
        return MemberAddV2Result::PersistentIdDisabled(e);
    }
    if !model.has_free_license() {
        return MemberAddV2Result::TeamLicenseLimit(e);
    }
    let id = model.new_member(email, given, surname, role);
    let auto = model.cfg.auto_accept_invites;
    if let Some(m) = model.member_mut(&id) {
        m.external_id = external;
        m.is_directory_restricted = restricted;
        if auto {
            m.status = Status::Active;
            m.invited_on = None;
            m.joined_on = Some(now);
            m.email_verified = true;
        }
    }
    match model.member(&id) {
        Some(m) => MemberAddV2Result::Success(info_v2(model, m)),
        None => MemberAddV2Result::UserCreationFailed(e),
    }
}

/// members/add/job_status/get_v2, members/remove/job_status/get and groups/job_status/get.
pub(crate) fn poll(model: &mut Model, body: &Value, family: JobFamily) -> R {
    let a = Args::new(body, "", &["async_job_id"])?;
    let id = a.req_str("async_job_id")?;
    if id.is_empty() {
        return Err(ApiError::arg("async_job_id", "string shorter than 1"));
    }
    let now = model.now();
    match model.jobs.poll(family, &id, now) {
        Poll::InProgress => Ok(json!({".tag": "in_progress"})),
        Poll::Done(v) => Ok(v),
        Poll::Invalid => Err(ApiError::tag("invalid_async_job_id")),
    }
}

/// members/get_info_v2: one item per selector, `id_not_found` echoing the input.
pub(crate) fn get_info_v2(model: &mut Model, body: &Value) -> R {
    let a = Args::new(body, "", &["members"])?;
    let mut out = Vec::new();
    for (i, v) in a.req_list("members")?.iter().enumerate() {
        let sel = user_selector(v, &format!("members[{i}]"))?;
        let now = model.now();
        let item = match find(model, &sel).and_then(|id| model.member(&id)) {
            Some(m) if m.reserves_identity(now) => {
                MembersGetInfoItemV2::MemberInfo(info_v2(model, m))
            }
            _ => MembersGetInfoItemV2::IdNotFound(sel.raw().to_string()),
        };
        out.push(item);
    }
    Ok(to_json(&MembersGetInfoV2Result::new(out)))
}

fn list_page(model: &Model, data: CursorData) -> Value {
    let mut rows: Vec<_> = model
        .members
        .iter()
        .filter(|m| m.seq > data.after && (data.include_removed || m.is_provisioned()))
        .collect();
    rows.sort_by_key(|m| m.seq);
    let limit = usize::try_from(data.limit).unwrap_or(1000);
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    let after = rows.last().map_or(data.after, |m| m.seq);
    let members = rows.iter().map(|m| info_v2(model, m)).collect();
    let next = CursorData {
        after,
        issued: model.now().timestamp(),
        ..data
    };
    to_json(&MembersListV2Result::new(
        members,
        cursor::encode(&model.cursor_key, &next),
        has_more,
    ))
}

/// members/list_v2.
pub(crate) fn list_v2(model: &mut Model, body: &Value) -> R {
    let a = Args::new(body, "", &["limit", "include_removed"])?;
    let limit = a.u32_in("limit", 1000, 1, 1000)?;
    let include_removed = a.bool_or("include_removed", false)?;
    let issued = model.now().timestamp();
    Ok(list_page(
        model,
        CursorData {
            kind: "members_v2".into(),
            after: 0,
            include_removed,
            limit,
            issued,
        },
    ))
}

/// members/list/continue_v2.
pub(crate) fn list_continue_v2(model: &mut Model, body: &Value) -> R {
    let a = Args::new(body, "", &["cursor"])?;
    let c = a.req_str("cursor")?;
    let data = cursor::decode(&model.cursor_key, &c, "members_v2", model.now().timestamp())
        .ok_or_else(|| ApiError::tag("invalid_cursor"))?;
    Ok(list_page(model, data))
}

/// members/suspend: only active members; never the last active team admin.
pub(crate) fn suspend(model: &mut Model, body: &Value) -> R {
    let a = Args::new(body, "", &["user", "wipe_data"])?;
    a.bool_or("wipe_data", true)?;
    let id = selected(model, a.req("user")?, "user")?;
    let now = model.now();
    let last_admin = model.active_admins() <= 1;
    let m = model
        .member_mut(&id)
        .ok_or_else(|| ApiError::tag("user_not_found"))?;
    match m.status {
        Status::Removed { .. } => Err(ApiError::tag("user_not_in_team")),
        Status::Active if m.role == Role::TeamAdmin && last_admin => {
            Err(ApiError::tag("suspend_last_admin"))
        }
        Status::Active => {
            m.status = Status::Suspended;
            m.suspended_on = Some(now);
            Ok(Value::Null)
        }
        _ => Err(ApiError::tag("suspend_inactive_user")),
    }
}

/// members/unsuspend: only suspended members.
pub(crate) fn unsuspend(model: &mut Model, body: &Value) -> R {
    let a = Args::new(body, "", &["user"])?;
    let id = selected(model, a.req("user")?, "user")?;
    let m = model
        .member_mut(&id)
        .ok_or_else(|| ApiError::tag("user_not_found"))?;
    match m.status {
        Status::Removed { .. } => Err(ApiError::tag("user_not_in_team")),
        Status::Suspended => {
            m.status = Status::Active;
            m.suspended_on = None;
            Ok(Value::Null)
        }
        _ => Err(ApiError::tag("unsuspend_non_suspended_member")),
    }
}
