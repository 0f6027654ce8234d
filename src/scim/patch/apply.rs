//! Applies PATCH operations to a resource's JSON (RFC 7644 §3.5.2), all-or-nothing.
//!
//! Decisions: unknown and read-only attributes are ignored; `null` unassigns; a value filter that matches
//! nothing is a no-op for `remove` (idempotent member removal) and creates the value for `add`/`replace`
//! (Entra's `emails[type eq "work"].value` on a user without a work email).

use serde_json::{Map, Value};

use super::parse::{PatchOpKind, PatchOperation};
use super::tidy::{keep_one_primary, primaries, tidy};
use crate::scim::error::ScimError;
use crate::scim::filter::{CompValue, CompareOp, Filter, matches_element};
use crate::scim::limits::{check_operations, check_values};
use crate::scim::path::PatchPath;
use crate::scim::resource::coerce_single;
use crate::scim::resource::{coerce, ext_obj, find_key, get_ci, remove_ci};
use crate::scim::schema::{AttrType, AttributeDef, Mutability, Resolved, ResourceSchema};

/// Applies every operation to `resource`; on error `resource` is left unchanged.
pub fn apply(
    ops: &[PatchOperation],
    resource: &mut Value,
    schema: &ResourceSchema,
) -> Result<(), ScimError> {
    let mut work = resource.clone();
    if !work.is_object() {
        return Err(ScimError::invalid_syntax(
            "the resource must be a JSON object",
        ));
    }
    check_operations(ops.len())?;
    for op in ops {
        match &op.path {
            Some(p) => at_path(op.op, p, op.value.clone(), &mut work, schema)?,
            None => without_path(op, &mut work, schema)?,
        }
    }
    // A stored resource may predate the one-primary rule; a PATCH result always satisfies it.
    if let Some(root) = work.as_object_mut() {
        for def in schema.core.attributes.iter().filter(|d| d.multi_valued) {
            keep_one_primary(def, root, &[]);
        }
    }
    *resource = work;
    Ok(())
}

fn without_path(
    op: &PatchOperation,
    work: &mut Value,
    schema: &ResourceSchema,
) -> Result<(), ScimError> {
    let obj = match op.value.clone() {
        Some(Value::Object(m)) => m,
        Some(Value::Array(mut a)) if a.len() == 1 && a[0].is_object() => match a.remove(0) {
            Value::Object(m) => m,
            _ => Map::new(),
        },
        _ => {
            return Err(ScimError::invalid_value(
                "an operation without a path needs an object value",
            ));
        }
    };
    for (key, v) in obj {
        // Keys may be dotted ("name.givenName") or URN-qualified (Entra's newer mode); odd keys are ignored.
        if let Ok(path) = PatchPath::parse(&key) {
            at_path(op.op, &path, Some(v), work, schema)?;
        }
    }
    Ok(())
}

fn at_path(
    kind: PatchOpKind,
    path: &PatchPath,
    value: Option<Value>,
    work: &mut Value,
    schema: &ResourceSchema,
) -> Result<(), ScimError> {
    let Some(resolved) = schema.resolve(path.urn.as_deref(), &path.attr) else {
        return Ok(());
    };
    let Some(root) = work.as_object_mut() else {
        return Ok(());
    };
    let (container, def) = match resolved {
        Resolved::Extension(e) => {
            if kind == PatchOpKind::Remove {
                remove_ci(root, e.id);
                return Ok(());
            }
            let fields = value
                .and_then(|v| v.as_object().cloned())
                .unwrap_or_default();
            for (k, v) in fields {
                let sub = PatchPath {
                    urn: Some(e.id.into()),
                    attr: k,
                    sub_attr: None,
                    filter: None,
                };
                at_path(kind, &sub, Some(v), work, schema)?;
            }
            return Ok(());
        }
        Resolved::Attr { ext: Some(e), def } => match ext_obj(root, e.id) {
            Some(m) => (m, def),
            None => return Ok(()),
        },
        Resolved::Attr { ext: None, def } => (root, def),
    };
    if def.mutability == Mutability::ReadOnly {
        return Ok(());
    }
    // Rewrite a differently-cased key ("Active") to the canonical name before editing it.
    if let Some(k) = find_key(container, def.name).filter(|k| k != def.name)
        && let Some(v) = container.remove(&k)
    {
        container.insert(def.name.into(), v);
    }
    let primaries_before = primaries(def, container);
    match (&path.filter, &path.sub_attr) {
        (None, None) => whole(kind, def, value, container)?,
        (None, Some(sub)) => {
            let Some(sub_def) = def.sub(sub) else {
                return Ok(());
            };
            if def.multi_valued {
                let items = container.get_mut(def.name).and_then(Value::as_array_mut);
                for item in items.into_iter().flatten() {
                    set_sub(kind, sub_def, value.clone(), item)?;
                }
            } else {
                let slot = container
                    .entry(def.name.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                set_sub(kind, sub_def, value, slot)?;
            }
        }
        (Some(filter), sub) => filtered(kind, def, filter, sub.as_deref(), value, container)?,
    }
    tidy(def, container, &primaries_before);
    if let Some(Value::Array(items)) = container.get(def.name) {
        // Checked after every operation, so no operation works on more than the limit.
        check_values(def, items.len())?;
    }
    // Multi-valued attributes published as required (`emails`: a login address must exist somewhere)
    // may still be emptied; the bridge checks that an address remains, in userName or emails.
    if def.required && !def.multi_valued && container.get(def.name).is_none_or(Value::is_null) {
        return Err(ScimError::invalid_value(format!(
            "{} is required and cannot be removed",
            def.name
        )));
    }
    Ok(())
}

fn whole(
    kind: PatchOpKind,
    def: &AttributeDef,
    value: Option<Value>,
    c: &mut Map<String, Value>,
) -> Result<(), ScimError> {
    let name = def.name.to_string();
    if kind == PatchOpKind::Remove {
        match value.map(|v| coerce(def, v)).transpose()?.flatten() {
            // Entra: {"op":"Remove","path":"members","value":[{"value":"id"}]} removes just those.
            Some(Value::Array(gone)) if def.multi_valued => {
                let ids: Vec<Value> = gone
                    .iter()
                    .map(|g| get_ci(g, "value").cloned().unwrap_or(g.clone()))
                    .collect();
                if let Some(items) = c.get_mut(&name).and_then(Value::as_array_mut) {
                    items.retain(|i| !ids.contains(get_ci(i, "value").unwrap_or(i)));
                }
            }
            _ => {
                c.remove(&name);
            }
        }
        return Ok(());
    }
    let Some(new) = value.map(|v| coerce(def, v)).transpose()?.flatten() else {
        c.remove(&name);
        return Ok(());
    };
    match (kind, new, c.get_mut(&name)) {
        (PatchOpKind::Add, Value::Array(add), Some(Value::Array(old))) => {
            for a in add {
                if !old.contains(&a) {
                    old.push(a);
                }
            }
        }
        (_, Value::Object(add), Some(Value::Object(old)))
            if def.ty == AttrType::Complex && !def.multi_valued =>
        {
            old.extend(add);
        }
        (_, new, _) => {
            c.insert(name, new);
        }
    }
    Ok(())
}

fn set_sub(
    kind: PatchOpKind,
    sub: &AttributeDef,
    value: Option<Value>,
    item: &mut Value,
) -> Result<(), ScimError> {
    let Some(obj) = item.as_object_mut() else {
        return Ok(());
    };
    remove_ci(obj, sub.name);
    if kind != PatchOpKind::Remove
        && let Some(v) = value.map(|v| coerce(sub, v)).transpose()?.flatten()
    {
        obj.insert(sub.name.into(), v);
    }
    Ok(())
}

fn filtered(
    kind: PatchOpKind,
    def: &'static AttributeDef,
    filter: &Filter,
    sub: Option<&str>,
    value: Option<Value>,
    c: &mut Map<String, Value>,
) -> Result<(), ScimError> {
    let items = c
        .entry(def.name.to_string())
        .or_insert_with(|| Value::Array(vec![]));
    if !items.is_array() {
        *items = Value::Array(vec![std::mem::take(items)]);
    }
    let Some(items) = items.as_array_mut() else {
        return Ok(());
    };
    #[cfg(test)]
    counters::FILTER_EVALS.with(|c| c.set(c.get() + items.len()));
    let hit: Vec<bool> = items
        .iter()
        .map(|i| matches_element(filter, i, def))
        .collect();
    let hits: Vec<usize> = (0..items.len()).filter(|&i| hit[i]).collect();
    let sub_def = match sub {
        Some(s) => match def.sub(s) {
            Some(d) => Some(d),
            None => return Ok(()),
        },
        None => None,
    };
    match (kind, sub_def) {
        (PatchOpKind::Remove, None) => {
            let mut keep = hit.iter().map(|h| !h);
            items.retain(|_| keep.next().unwrap_or(true));
        }
        (_, Some(sd)) => {
            if hits.is_empty() && kind != PatchOpKind::Remove {
                let mut seed = Map::new();
                seed_from(filter, def, &mut seed);
                items.push(Value::Object(seed));
                let last = items.len() - 1;
                set_sub(kind, sd, value.clone(), &mut items[last])?;
            }
            for &i in &hits {
                set_sub(kind, sd, value.clone(), &mut items[i])?;
            }
        }
        (_, None) => {
            let new = value.map(|v| {
                let v = match v {
                    Value::Array(mut a) if a.len() == 1 => a.remove(0),
                    v => v,
                };
                coerce_single(def, v)
            });
            let Some(Value::Object(new)) = new.transpose()?.flatten() else {
                return Ok(());
            };
            if hits.is_empty() {
                let mut seed = Map::new();
                seed_from(filter, def, &mut seed);
                seed.extend(new.clone());
                items.push(Value::Object(seed));
            }
            for &i in &hits {
                match (&mut items[i], kind) {
                    (Value::Object(old), PatchOpKind::Add) => old.extend(new.clone()),
                    (slot, _) => *slot = Value::Object(new.clone()),
                }
            }
        }
    }
    Ok(())
}

/// Copies the `sub eq value` terms of an `and`-only filter into a new value.
fn seed_from(filter: &Filter, def: &AttributeDef, out: &mut Map<String, Value>) {
    match filter {
        Filter::And(a, b) => {
            seed_from(a, def, out);
            seed_from(b, def, out);
        }
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value,
        } if path.sub_attr.is_none() => {
            let Some(sd) = def.sub(&path.attr) else {
                return;
            };
            let v = match value {
                CompValue::Str(s) => Value::String(s.clone()),
                CompValue::Bool(b) => Value::Bool(*b),
                CompValue::Num(n) => Value::Number(n.clone()),
                CompValue::Null => return,
            };
            out.insert(sd.name.into(), v);
        }
        _ => {}
    }
}

/// Counters that let tests assert on the work done rather than on wall-clock time.
#[cfg(test)]
pub(super) mod counters {
    use std::cell::Cell;

    thread_local! {
        /// Filter evaluations against one value of a multi-valued attribute.
        pub static FILTER_EVALS: Cell<usize> = const { Cell::new(0) };
    }
}

#[cfg(test)]
#[path = "apply_tests.rs"]
mod tests;
