//! Parses a PatchOp request body leniently (case-insensitive keys and op names).

use serde_json::Value;

use crate::scim::error::ScimError;
use crate::scim::limits::check_operations;
use crate::scim::path::PatchPath;
use crate::scim::resource::get_ci;

/// The PatchOp message URN.
pub const PATCH_OP_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The operation kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOpKind {
    /// `add`
    Add,
    /// `replace`
    Replace,
    /// `remove`
    Remove,
}

/// One PATCH operation.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOperation {
    /// add, replace or remove.
    pub op: PatchOpKind,
    /// The target path, if any.
    pub path: Option<PatchPath>,
    /// The value, if any.
    pub value: Option<Value>,
}

/// Parses a PatchOp body; the `schemas` check is lenient, keys and op names are case-insensitive.
pub fn parse_patch(body: &Value) -> Result<Vec<PatchOperation>, ScimError> {
    if !body.is_object() {
        return Err(ScimError::invalid_syntax(
            "the PATCH body must be a JSON object",
        ));
    }
    let ops = get_ci(body, "Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| ScimError::invalid_syntax("the PATCH body needs an \"Operations\" array"))?;
    // Before any path is parsed: each operation may carry a filter.
    check_operations(ops.len())?;
    ops.iter()
        .enumerate()
        .map(|(i, op)| parse_op(i, op))
        .collect()
}

fn parse_op(i: usize, op: &Value) -> Result<PatchOperation, ScimError> {
    if !op.is_object() {
        return Err(ScimError::invalid_syntax(format!(
            "Operations[{i}] must be an object"
        )));
    }
    let name = get_ci(op, "op").and_then(Value::as_str).unwrap_or_default();
    let kind = match name.to_ascii_lowercase().as_str() {
        "add" => PatchOpKind::Add,
        "replace" => PatchOpKind::Replace,
        "remove" => PatchOpKind::Remove,
        _ => {
            return Err(ScimError::invalid_syntax(format!(
                "Operations[{i}].op must be add, replace or remove, got {name:?}"
            )));
        }
    };
    let path = match get_ci(op, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(PatchPath::parse(s)?),
        Some(_) => {
            return Err(ScimError::invalid_path(format!(
                "Operations[{i}].path must be a string"
            )));
        }
    };
    let value = get_ci(op, "value").cloned();
    if kind == PatchOpKind::Remove && path.is_none() {
        return Err(ScimError::no_target(format!(
            "Operations[{i}]: remove needs a path"
        )));
    }
    if kind != PatchOpKind::Remove && value.is_none() {
        return Err(ScimError::invalid_value(format!(
            "Operations[{i}]: {name} needs a value"
        )));
    }
    if kind != PatchOpKind::Remove && path.is_none() && !value_is_object(value.as_ref()) {
        return Err(ScimError::invalid_value(format!(
            "Operations[{i}]: {name} without a path needs an object value"
        )));
    }
    Ok(PatchOperation {
        op: kind,
        path,
        value,
    })
}

fn value_is_object(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Object(_)) => true,
        Some(Value::Array(a)) => a.len() == 1 && a[0].is_object(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_and_op_names_are_case_insensitive() {
        let body = json!({"schemas": [PATCH_OP_URN], "operations": [
            {"OP": "Add", "Path": "members", "Value": [{"value": "u"}]},
            {"op": "REPLACE", "value": {"active": false}},
            {"op": "remove", "path": "members[value eq \"u\"]"}]});
        let ops = parse_patch(&body).map(|o| o.iter().map(|x| x.op).collect::<Vec<_>>());
        assert_eq!(
            ops.ok(),
            Some(vec![
                PatchOpKind::Add,
                PatchOpKind::Replace,
                PatchOpKind::Remove
            ])
        );
    }

    #[test]
    fn schemas_are_not_enforced_and_empty_path_means_none() {
        let body =
            json!({"Operations": [{"op": "replace", "path": "", "value": [{"displayName": "x"}]}]});
        let ops = parse_patch(&body).unwrap_or_default();
        assert_eq!(ops.first().map(|o| o.path.is_none()), Some(true));
    }

    #[test]
    fn too_many_operations_are_refused_before_parsing() {
        let op = json!({"op": "remove", "path": "members[value eq \"u\"]"});
        let body = |n: usize| json!({"Operations": vec![op.clone(); n]});
        let max = crate::scim::limits::MAX_PATCH_OPERATIONS;
        assert_eq!(parse_patch(&body(max)).map(|o| o.len()), Ok(max));
        let err = parse_patch(&body(max + 1)).err();
        assert_eq!(
            err.map(|e| (e.status, e.scim_type)),
            Some((400, Some(crate::scim::ScimType::TooMany)))
        );
    }
}
