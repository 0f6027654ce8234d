//! `PATCH /Groups/{id}`: every IdP form read into a [`Plan`] of name, external id and member steps.

use serde_json::{Map, Value};

use super::plan::{MemberStep, Plan, value_eq_ids};
use crate::bridge::Bridge;
use crate::bridge::audit::WriteContext;
use crate::bridge::errors::BridgeError;
use crate::scim::error::ScimError;
use crate::scim::etag::EntityTags;
use crate::scim::patch::{PatchOpKind, PatchOperation, parse_patch};
use crate::scim::path::PatchPath;
use crate::scim::resource::{ScimGroup, get_ci};
use crate::scim::schema::GROUP_URN;

/// The group attributes a PATCH can change.
enum Attr {
    DisplayName,
    ExternalId,
    Members,
    /// Read-only or unsupported: ignored, as IdPs send `id`, `meta`, `schemas` and foreign URNs.
    Ignored,
}

fn attr_of(name: &str) -> Attr {
    if name.eq_ignore_ascii_case("displayName") {
        Attr::DisplayName
    } else if name.eq_ignore_ascii_case("externalId") {
        Attr::ExternalId
    } else if name.eq_ignore_ascii_case("members") {
        Attr::Members
    } else {
        Attr::Ignored
    }
}

/// A one-element array stands for its element (Entra sends either form).
fn single(v: &Value) -> &Value {
    match v {
        Value::Array(a) if a.len() == 1 => &a[0],
        other => other,
    }
}

/// The member ids of a `members` value: a list of `{value, display}`, one object, or bare ids.
fn member_ids(v: &Value) -> Result<Vec<String>, ScimError> {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::String(s) => Ok(s.clone()),
            Value::Object(_) => get_ci(item, "value")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| ScimError::invalid_value("each member needs a string \"value\"")),
            _ => Err(ScimError::invalid_value(
                "members must be objects with a \"value\"",
            )),
        })
        .collect()
}

fn name_value(v: Option<&Value>) -> Result<String, ScimError> {
    match v.map(single) {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(ScimError::invalid_value(
            "displayName is required and must be a string",
        )),
    }
}

fn external_id_value(v: Option<&Value>) -> Result<Option<String>, ScimError> {
    match v.map(single) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ScimError::invalid_value("externalId must be a string")),
    }
}

/// Reads one attribute change into the plan.
fn set_attr(
    plan: &mut Plan,
    op: PatchOpKind,
    attr: Attr,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    match (attr, op) {
        (Attr::Ignored, _) => {}
        (Attr::DisplayName, PatchOpKind::Remove) => {
            return Err(ScimError::mutability(
                "displayName is required and cannot be removed",
            ));
        }
        (Attr::DisplayName, _) => plan.name = Some(name_value(value)?),
        (Attr::ExternalId, PatchOpKind::Remove) => plan.external_id = Some(None),
        (Attr::ExternalId, _) => plan.external_id = Some(external_id_value(value)?),
        (Attr::Members, PatchOpKind::Add) => {
            plan.steps
                .push(MemberStep::Add(member_ids(value.unwrap_or(&Value::Null))?));
        }
        (Attr::Members, PatchOpKind::Replace) => {
            plan.steps.push(MemberStep::Replace(member_ids(
                value.unwrap_or(&Value::Null),
            )?));
        }
        (Attr::Members, PatchOpKind::Remove) => match value {
            // Entra: remove just the listed members.
            Some(v) if !v.is_null() && !matches!(v, Value::Array(a) if a.is_empty()) => {
                plan.steps.push(MemberStep::Remove(member_ids(v)?));
            }
            _ => plan.steps.push(MemberStep::RemoveAll),
        },
    }
    Ok(())
}

fn with_path(plan: &mut Plan, op: &PatchOperation, path: &PatchPath) -> Result<(), ScimError> {
    if path
        .urn
        .as_deref()
        .is_some_and(|u| !u.eq_ignore_ascii_case(GROUP_URN))
    {
        return Ok(());
    }
    let attr = attr_of(&path.attr);
    match (&attr, &path.filter, &path.sub_attr) {
        (Attr::Ignored, _, _) => Ok(()),
        (Attr::Members, Some(_), Some(_)) => Ok(()), // e.g. `.display`: derived from the member
        (Attr::Members, Some(f), None) => match op.op {
            PatchOpKind::Remove => {
                plan.steps.push(match value_eq_ids(f) {
                    Some(ids) => MemberStep::Remove(ids),
                    None => MemberStep::RemoveWhere(f.clone()),
                });
                Ok(())
            }
            _ => match value_eq_ids(f) {
                Some(ids) => {
                    plan.steps.push(MemberStep::Add(ids));
                    Ok(())
                }
                None => Err(ScimError::invalid_path(format!(
                    "{path}: only remove may select members by a filter"
                ))),
            },
        },
        (Attr::Members, None, Some(_)) => Ok(()),
        (_, None, None) => set_attr(plan, op.op, attr, op.value.as_ref()),
        _ => Err(ScimError::invalid_path(format!(
            "{path}: a group has no such attribute"
        ))),
    }
}

fn without_path(plan: &mut Plan, op: &PatchOperation) -> Result<(), ScimError> {
    let obj: Map<String, Value> = match op.value.as_ref().map(single) {
        Some(Value::Object(o)) => o.clone(),
        _ => {
            return Err(ScimError::invalid_value(
                "an operation without a path needs an object value",
            ));
        }
    };
    for (key, value) in &obj {
        // Keys may be URN-qualified (`urn:...:Group:displayName`).
        let name = key
            .strip_prefix(GROUP_URN)
            .map(|k| k.trim_start_matches(':'))
            .unwrap_or(key);
        set_attr(plan, op.op, attr_of(name), Some(value))?;
    }
    Ok(())
}

/// Reads a PatchOp body into a plan; nothing is sent before the whole body has been read.
pub(super) fn plan_patch(body: &Value) -> Result<Plan, ScimError> {
    let ops = parse_patch(body)?;
    let mut plan = Plan::default();
    for op in &ops {
        match &op.path {
            Some(p) => with_path(&mut plan, op, p)?,
            None => without_path(&mut plan, op)?,
        }
    }
    Ok(plan)
}

impl Bridge {
    /// `PATCH /Groups/{id}`: member operations become set differences (no JSON copy of the group);
    /// an unchanged `displayName` (Okta re-sends it) makes no Dropbox call.
    pub async fn patch_group(
        &self,
        ctx: &WriteContext,
        id: &str,
        body: Value,
    ) -> Result<ScimGroup, BridgeError> {
        self.patch_group_if(ctx, id, body, true, None).await
    }

    /// [`Self::patch_group`] for a 204 answer: the group comes back without `members`, which saves
    /// ceil(m/1000) `groups/members/list` calls per PATCH on a group of m members.
    pub async fn patch_group_without_members(
        &self,
        ctx: &WriteContext,
        id: &str,
        body: Value,
    ) -> Result<ScimGroup, BridgeError> {
        self.patch_group_if(ctx, id, body, false, None).await
    }

    /// `PATCH /Groups/{id}` with `If-Match` (412 unless the group's current version is one of
    /// `if_match`); the answer lists members only when `with_members`.
    pub async fn patch_group_if(
        &self,
        ctx: &WriteContext,
        id: &str,
        body: Value,
        with_members: bool,
        if_match: Option<EntityTags>,
    ) -> Result<ScimGroup, BridgeError> {
        let result = async {
            let plan = plan_patch(&body)?;
            self.apply_plan(ctx, id, plan, with_members, if_match.as_ref())
                .await
        }
        .await;
        self.audited(ctx, Some(id), result, 200).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plan(ops: Value) -> Plan {
        plan_patch(&json!({"schemas": [crate::scim::patch::PATCH_OP_URN], "Operations": ops}))
            .unwrap_or_else(|e| panic!("{}", e.detail))
    }

    #[test]
    fn okta_rename_holds_id_and_name() {
        let p = plan(json!([{"op": "replace", "value": {"id": "g:1", "displayName": "New"}}]));
        assert_eq!(p.name.as_deref(), Some("New"));
        assert!(p.steps.is_empty());
    }

    #[test]
    fn replace_without_members_does_not_touch_members() {
        let p = plan(json!([{"op": "Replace", "value": {"externalId": "x"}}]));
        assert!(p.steps.is_empty());
        assert_eq!(p.external_id, Some(Some("x".into())));
    }

    #[test]
    fn entra_remove_with_value_list_removes_just_those() {
        let p = plan(
            json!([{"op": "Remove", "path": "members", "value": [{"value": "a"}, {"value": "b"}]}]),
        );
        assert!(matches!(&p.steps[..], [MemberStep::Remove(ids)] if ids == &["a", "b"]));
    }

    #[test]
    fn value_filter_removal_and_or_filters() {
        let p =
            plan(json!([{"op": "remove", "path": "members[value eq \"a\" or value eq \"b\"]"}]));
        assert!(matches!(&p.steps[..], [MemberStep::Remove(ids)] if ids == &["a", "b"]));
    }

    #[test]
    fn urn_paths_and_no_path_members_and_foreign_attributes() {
        let p = plan(json!([
            {"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:Group:displayName", "value": "N"},
            {"op": "add", "path": "urn:ietf:params:scim:schemas:extension:microsoft:2.0:Group:x", "value": 1},
            {"op": "add", "path": "meta.lastModified", "value": "x"},
            {"op": "add", "value": {"members": [{"value": "a"}]}},
            {"op": "replace", "path": "members[value eq \"a\"].display", "value": "ignored"},
        ]));
        assert_eq!(p.name.as_deref(), Some("N"));
        assert!(matches!(&p.steps[..], [MemberStep::Add(ids)] if ids == &["a"]));
    }

    #[test]
    fn remove_without_value_empties_and_replace_without_path_replaces() {
        let p = plan(json!([{"op": "remove", "path": "members"}]));
        assert!(matches!(&p.steps[..], [MemberStep::RemoveAll]));
        let p = plan(json!([{"op": "replace", "value": [{"members": [{"value": "b"}]}]}]));
        assert!(matches!(&p.steps[..], [MemberStep::Replace(ids)] if ids == &["b"]));
    }

    #[test]
    fn removing_display_name_is_refused() {
        let body = json!({"Operations": [{"op": "remove", "path": "displayName"}]});
        assert!(plan_patch(&body).is_err());
    }
}
