//! Group routes: unique names and external ids, the system-managed group, membership changes, lists.

use dropbox_sdk::types::team::{GroupsGetInfoItem, GroupsListResult};
use serde_json::{Value, json};

use super::args::{Args, as_str, union};
use super::cursor::{self, CursorData};
use super::jobs::JobFamily;
use super::state::{Access, Group, Mgmt, Model};
use super::view::{group_full, group_summary, to_json};
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
pub(crate) fn select(model: &Model, v: &Value, path: &str) -> Result<usize, ApiError> {
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

pub(crate) fn writable(model: &Model, idx: usize) -> Result<(), ApiError> {
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
    if model.cfg.remove_async {
        let (polls, now) = (model.cfg.job_polls_before_complete, model.now());
        let job = model
            .jobs
            .launch(JobFamily::Groups, polls, json!({".tag": "complete"}), now);
        return Ok(json!({".tag": "async_job_id", "async_job_id": job}));
    }
    Ok(json!({".tag": "complete"}))
}
