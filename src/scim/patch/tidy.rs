//! After each PATCH operation: emptied values are dropped and at most one value stays `primary: true`
//! (RFC 7644 §3.5.2).

use serde_json::{Map, Value};

use crate::scim::schema::AttributeDef;

/// The values of `def` that are `primary: true` before an operation (normally at most one).
pub(super) fn primaries(def: &AttributeDef, c: &Map<String, Value>) -> Vec<Value> {
    if !def.multi_valued || def.sub("primary").is_none() {
        return Vec::new();
    }
    c.get(def.name)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|i| is_primary(i))
        .cloned()
        .collect()
}

fn is_primary(item: &Value) -> bool {
    item.get("primary") == Some(&Value::Bool(true))
}

/// RFC 7644 §3.5.2: an operation that makes a value primary unsets `primary` on the others. The value
/// made primary by this operation wins (the last one if several); otherwise the last primary stays.
pub(super) fn keep_one_primary(def: &AttributeDef, c: &mut Map<String, Value>, before: &[Value]) {
    if def.sub("primary").is_none() {
        return;
    }
    let Some(Value::Array(items)) = c.get_mut(def.name) else {
        return;
    };
    let newly = items
        .iter()
        .rposition(|i| is_primary(i) && !before.contains(i));
    let Some(keep) = newly.or_else(|| items.iter().rposition(is_primary)) else {
        return;
    };
    for (n, item) in items.iter_mut().enumerate() {
        if let Some(o) = item.as_object_mut()
            && n != keep
            && o.get("primary") == Some(&Value::Bool(true))
        {
            o.insert("primary".into(), Value::Bool(false));
        }
    }
}

/// Drops emptied values and keeps at most one `primary: true` (see [`keep_one_primary`]).
pub(super) fn tidy(def: &AttributeDef, c: &mut Map<String, Value>, primaries_before: &[Value]) {
    let name = def.name;
    if let Some(Value::Array(items)) = c.get_mut(name) {
        items.retain(|i| !matches!(i, Value::Object(o) if o.is_empty()));
    }
    keep_one_primary(def, c, primaries_before);
    let empty = match c.get(name) {
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        Some(Value::Null) => true,
        _ => false,
    };
    if empty {
        c.remove(name);
    }
}
