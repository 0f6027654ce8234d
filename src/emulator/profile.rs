//! members/set_profile_v2 and members/set_admin_permissions_v2.

use dropbox_sdk::types::team::{MembersSetPermissions2Result, TeamMemberInfoV2Result};
use serde_json::Value;

use super::args::{
    Args, Selector, as_list, as_str, check_email, check_max, check_name_part, user_selector,
};
use super::members::find;
use super::state::{Model, Role, Status};
use super::view::{info_v2, role_from_id, roles, to_json};
use super::wire::ApiError;

type R = Result<Value, ApiError>;

/// The `members/set_profile_v2` arguments, each checked against its Stone field rules.
struct ProfileArgs {
    sel: Selector,
    email: Option<String>,
    ext: Option<String>,
    given: Option<String>,
    surname: Option<String>,
    persistent: Option<String>,
    restricted: Option<bool>,
}

impl ProfileArgs {
    fn parse(body: &Value) -> Result<Self, ApiError> {
        let fields = [
            "user",
            "new_email",
            "new_external_id",
            "new_given_name",
            "new_surname",
            "new_persistent_id",
            "new_is_directory_restricted",
        ];
        let a = Args::new(body, "", &fields)?;
        let sel = user_selector(a.req("user")?, "user")?;
        let email = a.opt_str("new_email")?;
        if let Some(e) = email.as_deref().filter(|e| !e.is_empty()) {
            check_email("new_email", e)?;
        }
        let ext = a.opt_str("new_external_id")?;
        if let Some(x) = &ext {
            check_max("new_external_id", x, 64)?;
        }
        let given = a.opt_str("new_given_name")?;
        if let Some(g) = &given {
            check_name_part("new_given_name", g)?;
        }
        let surname = a.opt_str("new_surname")?;
        if let Some(s) = &surname {
            check_name_part("new_surname", s)?;
        }
        Ok(Self {
            sel,
            email,
            ext,
            given,
            surname,
            persistent: a.opt_str("new_persistent_id")?,
            restricted: a.opt_bool("new_is_directory_restricted")?,
        })
    }

    fn is_empty(&self) -> bool {
        self.email.is_none()
            && self.ext.is_none()
            && self.given.is_none()
            && self.surname.is_none()
            && self.persistent.is_none()
            && self.restricted.is_none()
    }
}

/// members/set_profile_v2: uniqueness against seat holders and recoverable removed members.
pub(crate) fn set_profile_v2(model: &mut Model, body: &Value) -> R {
    let args = ProfileArgs::parse(body)?;
    let id = find(model, &args.sel).ok_or_else(|| ApiError::tag("user_not_found"))?;
    if matches!(args.sel, Selector::ExternalId(_)) && args.ext.is_some() {
        return Err(ApiError::tag("external_id_and_new_external_id_unsafe"));
    }
    let m = model
        .member(&id)
        .ok_or_else(|| ApiError::tag("user_not_found"))?;
    if !m.is_provisioned() {
        return Err(ApiError::tag("set_profile_disallowed"));
    }
    if args.is_empty() {
        return Err(ApiError::tag("no_new_data_specified"));
    }
    if args.email.as_deref() == Some("") {
        return Err(ApiError::tag("param_cannot_be_empty"));
    }
    check_unique(model, &id, &args)?;
    if args.persistent.is_some() {
        return Err(ApiError::tag("persistent_id_disabled"));
    }
    apply_profile(model, &id, args);
    let m = model
        .member(&id)
        .ok_or_else(|| ApiError::tag("user_not_found"))?;
    Ok(to_json(&TeamMemberInfoV2Result::new(info_v2(model, m))))
}

/// The new e-mail and external id must not belong to another member who still reserves them.
fn check_unique(model: &Model, id: &str, args: &ProfileArgs) -> Result<(), ApiError> {
    let now = model.now();
    let others = || {
        model
            .members
            .iter()
            .filter(|o| o.id != id && o.reserves_identity(now))
    };
    if args
        .email
        .as_ref()
        .is_some_and(|e| others().any(|o| o.email.eq_ignore_ascii_case(e) || owns_secondary(o, e)))
    {
        return Err(ApiError::tag("email_reserved_for_other_user"));
    }
    if args
        .ext
        .as_ref()
        .is_some_and(|x| !x.is_empty() && others().any(|o| o.external_id.as_ref() == Some(x)))
    {
        return Err(ApiError::tag("external_id_used_by_other_user"));
    }
    Ok(())
}

/// Writes the given fields; a new e-mail is unverified and an empty external id clears it.
fn apply_profile(model: &mut Model, id: &str, args: ProfileArgs) {
    let Some(m) = model.member_mut(id) else {
        return;
    };
    if let Some(e) = args.email {
        m.email = e;
        m.email_verified = false;
    }
    if let Some(x) = args.ext {
        m.external_id = Some(x).filter(|x| !x.is_empty());
    }
    if let Some(g) = args.given {
        m.given_name = g;
    }
    if let Some(s) = args.surname {
        m.surname = s;
    }
    if args.restricted.is_some() {
        m.is_directory_restricted = args.restricted;
    }
}

/// members/set_admin_permissions_v2: at most one role id; the last active team admin keeps the role.
pub(crate) fn set_admin_permissions_v2(model: &mut Model, body: &Value) -> R {
    let a = Args::new(body, "", &["user", "new_roles"])?;
    let sel = user_selector(a.req("user")?, "user")?;
    let mut new_role = Role::MemberOnly;
    if let Some(list) = a.opt("new_roles") {
        let list = as_list(list, "new_roles")?;
        if list.len() > 1 {
            return Err(ApiError::arg("new_roles", "list has more than 1 items"));
        }
        if let Some(v) = list.first() {
            let rid = as_str(v, "new_roles[0]")?;
            check_max("new_roles[0]", &rid, 128)?;
            if !rid.starts_with("pid_dbtmr:") {
                return Err(ApiError::arg(
                    "new_roles[0]",
                    "did not match pattern for TeamMemberRoleId",
                ));
            }
            new_role = role_from_id(&rid).ok_or_else(|| ApiError::tag("role_not_found"))?;
        }
    }
    let id = find(model, &sel).ok_or_else(|| ApiError::tag("user_not_found"))?;
    let last_admin = model.active_admins() <= 1;
    let m = model
        .member_mut(&id)
        .ok_or_else(|| ApiError::tag("user_not_found"))?;
    match m.status {
        Status::Removed { .. } => return Err(ApiError::tag("user_not_in_team")),
        Status::Suspended => return Err(ApiError::tag("cannot_set_permissions")),
        _ => {}
    }
    if m.role == Role::TeamAdmin
        && m.status == Status::Active
        && new_role != Role::TeamAdmin
        && last_admin
    {
        return Err(ApiError::tag("last_admin"));
    }
    m.role = new_role;
    Ok(to_json(
        &MembersSetPermissions2Result::new(id).with_roles(roles(new_role)),
    ))
}

/// Whether `e` is one of `o`'s verified secondary e-mails: reserved for that member, as on
/// `members/add_v2` [assume: a pending one is not yet reserved].
fn owns_secondary(o: &super::state::Member, e: &str) -> bool {
    o.secondary_emails
        .iter()
        .any(|s| s.verified && s.email.eq_ignore_ascii_case(e))
}
