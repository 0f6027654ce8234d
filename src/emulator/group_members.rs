//! Group membership routes: groups/members/add, remove, list and list/continue.

use dropbox_sdk::types::team::{GroupMembersChangeResult, GroupsMembersListResult};
use serde_json::{Value, json};

use super::args::{Args, union, user_selector};
use super::cursor::{self, CursorData};
use super::groups::{select, writable};
use super::jobs::JobFamily;
use super::members::find;
use super::state::{Access, Mgmt, Model, Status};
use super::view::{group_full, group_members, to_json};
use super::wire::ApiError;

type R = Result<Value, ApiError>;
fn change_result(model: &Model, idx: usize, with_members: bool) -> Value {
    to_json(&GroupMembersChangeResult::new(
        group_full(model, &model.groups[idx], with_members),
        " ".to_string(),
    ))
}

/// groups/members/add.
pub(crate) fn members_add(model: &mut Model, body: &Value) -> R {
    let a = Args::new(body, "", &["group", "members", "return_members"])?;
    let idx = select(model, a.req("group")?, "group")?;
    let with_members = a.bool_or("return_members", true)?;
    let mut wanted = Vec::new();
    for (i, v) in a.req_list("members")?.iter().enumerate() {
        let path = format!("members[{i}]");
        let m = Args::new(v, &path, &["user", "access_type"])?;
        let sel = user_selector(m.req("user")?, &m.path("user"))?;
        let (access, _) = union(
            m.req("access_type")?,
            &m.path("access_type"),
            &["member", "owner"],
            &[],
        )?;
        wanted.push((
            sel,
            if access == "owner" {
                Access::Owner
            } else {
                Access::Member
            },
        ));
    }
    writable(model, idx)?;
    let (mut unknown, mut outside, mut ids) = (Vec::new(), Vec::new(), Vec::new());
    for (sel, access) in &wanted {
        match find(model, sel).and_then(|id| model.member(&id)) {
            None => unknown.push(sel.raw().to_string()),
            Some(m) if !m.is_provisioned() => outside.push(sel.raw().to_string()),
            Some(m) => ids.push((m.id.clone(), m.status, *access)),
        }
    }
    if !unknown.is_empty() {
        return Err(ApiError::tagged("users_not_found", json!(unknown)));
    }
    if !outside.is_empty() {
        return Err(ApiError::tagged("members_not_in_team", json!(outside)));
    }
    let g = &model.groups[idx];
    let mut seen = Vec::new();
    for (id, status, access) in &ids {
        if seen.contains(id) || g.members.iter().any(|(m, _)| m == id) {
            return Err(ApiError::tag("duplicate_user"));
        }
        seen.push(id.clone());
        if *access == Access::Owner && *status == Status::Suspended {
            return Err(ApiError::tag("user_must_be_active_to_be_owner"));
        }
    }
    let company_owners: Vec<String> = ids
        .iter()
        .filter(|(_, _, a)| *a == Access::Owner && g.mgmt == Mgmt::Company)
        .map(|(id, _, _)| id.clone())
        .collect();
    if !company_owners.is_empty() {
        return Err(ApiError::tagged(
            "user_cannot_be_manager_of_company_managed_group",
            json!(company_owners),
        ));
    }
    model.groups[idx]
        .members
        .extend(ids.into_iter().map(|(id, _, a)| (id, a)));
    Ok(change_result(model, idx, with_members))
}

/// groups/members/remove.
pub(crate) fn members_remove(model: &mut Model, body: &Value) -> R {
    let a = Args::new(body, "", &["group", "users", "return_members"])?;
    let idx = select(model, a.req("group")?, "group")?;
    let with_members = a.bool_or("return_members", true)?;
    let sels = a
        .req_list("users")?
        .iter()
        .enumerate()
        .map(|(i, v)| user_selector(v, &format!("users[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    writable(model, idx)?;
    let (mut unknown, mut outside, mut ids) = (Vec::new(), Vec::new(), Vec::new());
    for sel in &sels {
        match find(model, sel).and_then(|id| model.member(&id)) {
            None => unknown.push(sel.raw().to_string()),
            Some(m) if !m.is_provisioned() => outside.push(sel.raw().to_string()),
            Some(m) => ids.push(m.id.clone()),
        }
    }
    if !unknown.is_empty() {
        return Err(ApiError::tagged("users_not_found", json!(unknown)));
    }
    if !outside.is_empty() {
        return Err(ApiError::tagged("members_not_in_team", json!(outside)));
    }
    if ids
        .iter()
        .any(|id| !model.groups[idx].members.iter().any(|(m, _)| m == id))
    {
        return Err(ApiError::tag("member_not_in_group"));
    }
    model.groups[idx].members.retain(|(m, _)| !ids.contains(m));
    Ok(change_result(model, idx, with_members))
}

fn members_page(model: &Model, idx: usize, data: CursorData) -> Value {
    let all = group_members(model, &model.groups[idx]);
    let start = usize::try_from(data.after)
        .unwrap_or(usize::MAX)
        .min(all.len());
    let limit = usize::try_from(data.limit).unwrap_or(1000);
    let page: Vec<_> = all.iter().skip(start).take(limit).cloned().collect();
    let end = start + page.len();
    let next = CursorData {
        after: u64::try_from(end).unwrap_or(u64::MAX),
        issued: model.now().timestamp(),
        ..data
    };
    to_json(&GroupsMembersListResult::new(
        page,
        cursor::encode(&model.cursor_key, &next),
        end < all.len(),
    ))
}

/// groups/members/list.
pub(crate) fn members_list(model: &mut Model, body: &Value) -> R {
    let a = Args::new(body, "", &["group", "limit"])?;
    let idx = select(model, a.req("group")?, "group")?;
    let limit = a.u32_in("limit", 1000, 1, 1000)?;
    let kind = format!("group_members:{}", model.groups[idx].id);
    let issued = model.now().timestamp();
    Ok(members_page(
        model,
        idx,
        CursorData {
            kind,
            after: 0,
            include_removed: false,
            limit,
            issued,
        },
    ))
}

/// groups/members/list/continue.
pub(crate) fn members_list_continue(model: &mut Model, body: &Value) -> R {
    let c = Args::new(body, "", &["cursor"])?.req_str("cursor")?;
    let now = model.now().timestamp();
    let hit = model.groups.iter().enumerate().find_map(|(i, g)| {
        cursor::decode(
            &model.cursor_key,
            &c,
            &format!("group_members:{}", g.id),
            now,
        )
        .map(|d| (i, d))
    });
    let (idx, data) = hit.ok_or_else(|| ApiError::tag("invalid_cursor"))?;
    Ok(members_page(model, idx, data))
}

/// Polls a groups job (none are launched today; every id is invalid unless one exists).
pub(crate) fn poll(model: &mut Model, body: &Value) -> R {
    super::members::poll(model, body, JobFamily::Groups)
}
