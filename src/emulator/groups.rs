//! Group routes: unique names and external ids, the system-managed group, membership changes, lists.

use dropbox_sdk::types::team::{
    GroupMembersChangeResult, GroupsGetInfoItem, GroupsListResult, GroupsMembersListResult,
};
use serde_json::{Value, json};

use super::args::{Args, as_str, union, user_selector};
use super::cursor::{self, CursorData};
use super::jobs::JobFamily;
use super::members::find;
use super::state::{Access, Group, Mgmt, Model, Status};
use super::view::{group_full, group_members, group_summary, to_json};
use super::wire::ApiError;

type R = Result<Value, ApiError>;

fn check_group_name(name: &str) -> Result<(), ApiError> {
    if name.trim().is_empty() || name.chars().count() > 255 || name.chars().any(char::is_control) {
        return Err(ApiError::tag("group_name_invalid"));
    }
    Ok(())
}

fn parse_mgmt(v: &Value, path: &str) -> Result<Mgmt, ApiError> {
    let (tag, _) = union(
        v,
        path,
        &["user_managed", "company_managed", "system_managed"],
        &[],
    )?;
    Ok(match tag.as_str() {
        "company_managed" => Mgmt::Company,
        "system_managed" => Mgmt::System,
        _ => Mgmt::User,
    })
}

fn name_taken(model: &Model, name: &str, except: Option<&str>) -> bool {
    model
        .groups
        .iter()
        .any(|g| g.name.to_lowercase() == name.to_lowercase() && Some(g.id.as_str()) != except)
}

fn ext_taken(model: &Model, ext: &str, except: Option<&str>) -> bool {
    model
        .groups
        .iter()
        .any(|g| g.external_id.as_deref() == Some(ext) && Some(g.id.as_str()) != except)
}

/// groups/create.
pub(crate) fn create(model: &mut Model, body: &Value) -> R {
    let a = Args::new(
        body,
        "",
        &[
            "group_name",
            "add_creator_as_owner",
            "group_external_id",
            "group_management_type",
        ],
    )?;
    let name = a.req_str("group_name")?;
    let owner = a.bool_or("add_creator_as_owner", false)?;
    let ext = a.opt_str("group_external_id")?;
    let mgmt = a
        .opt("group_management_type")
        .map(|v| parse_mgmt(v, "group_management_type"))
        .transpose()?;
    check_group_name(&name)?;
    if mgmt == Some(Mgmt::System) {
        return Err(ApiError::tag("system_managed_group_disallowed"));
    }
    if name_taken(model, &name, None) {
        return Err(ApiError::tag("group_name_already_used"));
    }
    if ext.as_deref().is_some_and(|x| ext_taken(model, x, None)) {
        return Err(ApiError::tag("external_id_already_in_use"));
    }
    let seq = model.next_seq();
    let mut group = Group {
        id: format!("g:{}", hex::encode(rand::random::<[u8; 16]>())),
        name,
        external_id: ext.filter(|x| !x.is_empty()),
        mgmt: mgmt.unwrap_or(Mgmt::User),
        created_ms: model.now_ms(),
        members: Vec::new(),
        seq,
    };
    if owner {
        group.members.push((model.admin_id.clone(), Access::Owner));
    }
    let out = to_json(&group_full(model, &group, true));
    model.groups.push(group);
    Ok(out)
}

/// Resolves a GroupSelector to an index; deleted groups answer `group_not_found`.
fn select(model: &Model, v: &Value, path: &str) -> Result<usize, ApiError> {
    let (tag, value) = union(v, path, &[], &["group_id", "group_external_id"])?;
    let key = as_str(value.unwrap_or(&Value::Null), path)?;
    model
        .groups
        .iter()
        .position(|g| {
            if tag == "group_id" {
                g.id == key
            } else {
                g.external_id.as_deref() == Some(key.as_str())
            }
        })
        .ok_or_else(|| ApiError::tag("group_not_found"))
}

fn writable(model: &Model, idx: usize) -> Result<(), ApiError> {
    match model.groups.get(idx) {
        Some(g) if g.mgmt == Mgmt::System => Err(ApiError::tag("system_managed_group_disallowed")),
        Some(_) => Ok(()),
        None => Err(ApiError::tag("group_not_found")),
    }
}

/// groups/get_info: bare GroupsSelector; one item per id.
pub(crate) fn get_info(model: &mut Model, body: &Value) -> R {
    let (tag, value) = union(body, "", &[], &["group_ids", "group_external_ids"])?;
    let ids = super::args::as_list(value.unwrap_or(&Value::Null), &tag)?;
    let mut out = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let id = as_str(id, &format!("{tag}[{i}]"))?;
        let hit = model.groups.iter().find(|g| {
            if tag == "group_ids" {
                g.id == id
            } else {
                g.external_id.as_deref() == Some(id.as_str())
            }
        });
        out.push(match hit {
            Some(g) => GroupsGetInfoItem::GroupInfo(group_full(model, g, true)),
            None => GroupsGetInfoItem::IdNotFound(id),
        });
    }
    Ok(to_json(&out))
}

fn groups_page(model: &Model, data: CursorData) -> Value {
    let mut rows: Vec<&Group> = model.groups.iter().filter(|g| g.seq > data.after).collect();
    rows.sort_by_key(|g| g.seq);
    let limit = usize::try_from(data.limit).unwrap_or(1000);
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    let after = rows.last().map_or(data.after, |g| g.seq);
    let groups = rows.iter().map(|g| group_summary(model, g)).collect();
    let next = CursorData {
        after,
        issued: model.now().timestamp(),
        ..data
    };
    to_json(&GroupsListResult::new(
        groups,
        cursor::encode(&model.cursor_key, &next),
        has_more,
    ))
}

/// groups/list.
pub(crate) fn list(model: &mut Model, body: &Value) -> R {
    let a = Args::new(body, "", &["limit"])?;
    let limit = a.u32_in("limit", 1000, 1, 1000)?;
    let issued = model.now().timestamp();
    Ok(groups_page(
        model,
        CursorData {
            kind: "groups".into(),
            after: 0,
            include_removed: false,
            limit,
            issued,
        },
    ))
}

/// groups/list/continue.
pub(crate) fn list_continue(model: &mut Model, body: &Value) -> R {
    let c = Args::new(body, "", &["cursor"])?.req_str("cursor")?;
    let data = cursor::decode(&model.cursor_key, &c, "groups", model.now().timestamp())
        .ok_or_else(|| ApiError::tag("invalid_cursor"))?;
    Ok(groups_page(model, data))
}

/// groups/update.
pub(crate) fn update(model: &mut Model, body: &Value) -> R {
    let fields = [
        "group",
        "return_members",
        "new_group_name",
        "new_group_external_id",
        "new_group_management_type",
    ];
    let a = Args::new(body, "", &fields)?;
    let idx = select(model, a.req("group")?, "group")?;
    let with_members = a.bool_or("return_members", true)?;
    let name = a.opt_str("new_group_name")?;
    let ext = a.opt_str("new_group_external_id")?;
    let mgmt = a
        .opt("new_group_management_type")
        .map(|v| parse_mgmt(v, "new_group_management_type"))
        .transpose()?;
    writable(model, idx)?;
    let gid = model.groups[idx].id.clone();
    if mgmt == Some(Mgmt::System) {
        return Err(ApiError::tag("system_managed_group_disallowed"));
    }
    if let Some(n) = &name {
        check_group_name(n)?;
        if name_taken(model, n, Some(&gid)) {
            return Err(ApiError::tag("group_name_already_used"));
        }
    }
    if ext
        .as_deref()
        .is_some_and(|x| !x.is_empty() && ext_taken(model, x, Some(&gid)))
    {
        return Err(ApiError::tag("external_id_already_in_use"));
    }
    let g = &mut model.groups[idx];
    if let Some(n) = name {
        g.name = n;
    }
    if let Some(x) = ext {
        g.external_id = Some(x).filter(|x| !x.is_empty());
    }
    if let Some(m) = mgmt {
        g.mgmt = m;
    }
    Ok(to_json(&group_full(
        model,
        &model.groups[idx],
        with_members,
    )))
}

/// groups/delete: bare GroupSelector; a repeat delete answers group_already_deleted.
pub(crate) fn delete(model: &mut Model, body: &Value) -> R {
    let (tag, value) = union(body, "", &[], &["group_id", "group_external_id"])?;
    let key = as_str(value.unwrap_or(&Value::Null), &tag)?;
    let idx = match select(model, body, "") {
        Ok(i) => i,
        Err(e) if tag == "group_id" && model.deleted_groups.contains(&key) => {
            drop(e);
            return Err(ApiError::tag("group_already_deleted"));
        }
        Err(e) => return Err(e),
    };
    writable(model, idx)?;
    let g = model.groups.remove(idx);
    model.deleted_groups.insert(g.id);
    Ok(json!({".tag": "complete"}))
}

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
