//! Case-insensitive JSON key helpers and key normalisation against a schema.

use serde_json::{Map, Value};

use crate::scim::error::ScimError;
use crate::scim::limits::check_values;
use crate::scim::schema::{AttrType, AttributeDef, Mutability, Resolved, ResourceSchema};

/// The value under `key` (ASCII case-insensitive) if `obj` is an object; exact matches win.
pub fn get_ci<'a>(obj: &'a Value, key: &str) -> Option<&'a Value> {
    let map = obj.as_object()?;
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// The actual key in `map` matching `key` case-insensitively.
pub fn find_key(map: &Map<String, Value>, key: &str) -> Option<String> {
    if map.contains_key(key) {
        return Some(key.to_string());
    }
    map.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned()
}

/// Removes every key matching `key` case-insensitively; returns the last value removed.
pub fn remove_ci(map: &mut Map<String, Value>, key: &str) -> Option<Value> {
    let keys: Vec<String> = map
        .keys()
        .filter(|k| k.eq_ignore_ascii_case(key))
        .cloned()
        .collect();
    keys.into_iter().filter_map(|k| map.remove(&k)).last()
}

/// Coerces one value to an attribute's definition; `Ok(None)` means unassigned.
///
/// Multi-valued attributes accept a bare value (wrapped in an array); single-valued ones accept a
/// one-element array; complex attributes get canonical sub-attribute keys and accept a plain string as
/// their `value` (Entra's manager); booleans accept "True"/"False".
pub fn coerce(def: &AttributeDef, v: Value) -> Result<Option<Value>, ScimError> {
    if v.is_null() {
        return Ok(None);
    }
    if def.multi_valued {
        let items = match v {
            Value::Array(a) => a,
            other => vec![other],
        };
        check_values(def, items.len())?;
        let mut out = Vec::new();
        for item in items {
            if let Some(x) = coerce_single(def, item)? {
                out.push(x);
            }
        }
        check_one_primary(def, &out)?;
        return Ok((!out.is_empty()).then_some(Value::Array(out)));
    }
    let v = match v {
        Value::Array(mut a) if a.len() == 1 => a.remove(0),
        Value::Array(a) if a.is_empty() => return Ok(None),
        other => other,
    };
    coerce_single(def, v)
}

/// RFC 7643 §2.4: at most one value of a multi-valued attribute may be `primary: true`. Several in one
/// request are refused (400 `invalidValue`); a PATCH that sets a new primary unsets the others instead.
fn check_one_primary(def: &AttributeDef, items: &[Value]) -> Result<(), ScimError> {
    let primaries = items
        .iter()
        .filter(|i| i.get("primary") == Some(&Value::Bool(true)))
        .count();
    if primaries > 1 {
        return Err(ScimError::invalid_value(format!(
            "{} has {primaries} values marked primary; at most one may be (RFC 7643 section 2.4)",
            def.name
        )));
    }
    Ok(())
}

/// Refuses the shapes a POST or PUT body must not use for a writable attribute: an array for a
/// single-valued string (`"userName": ["a@x.com"]`), a bare scalar for a multi-valued complex attribute
/// (`"emails": "a@x.com"`). PATCH values stay lenient (IDP_BEHAVIOUR.md: one-element arrays).
fn check_body_shape(def: &AttributeDef, v: &Value) -> Result<(), ScimError> {
    if def.mutability == Mutability::ReadOnly {
        return Ok(());
    }
    let text_like = matches!(
        def.ty,
        AttrType::String | AttrType::Reference | AttrType::DateTime | AttrType::Binary
    );
    let bad = match v {
        Value::Array(_) => !def.multi_valued && text_like,
        Value::String(_) | Value::Number(_) | Value::Bool(_) => {
            def.multi_valued && def.ty == AttrType::Complex
        }
        _ => false,
    };
    if bad {
        let want = if def.multi_valued {
            "an array of objects"
        } else {
            "a single string"
        };
        return Err(ScimError::invalid_value(format!(
            "{} must be {want}",
            def.name
        )));
    }
    Ok(())
}

pub(crate) fn coerce_single(def: &AttributeDef, v: Value) -> Result<Option<Value>, ScimError> {
    let bad =
        |v: &Value| ScimError::invalid_value(format!("{} has an invalid value: {v}", def.name));
    Ok(match (def.ty, v) {
        (_, Value::Null) => None,
        (AttrType::Complex, Value::Object(m)) => {
            let mut out = Map::new();
            for (k, x) in m {
                if let Some(sub) = def.sub(&k)
                    && let Some(x) = coerce_single(sub, x)?
                {
                    out.insert(sub.name.to_string(), x);
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        (AttrType::Complex, s @ Value::String(_)) if def.sub("value").is_some() => {
            Some(serde_json::json!({ "value": s }))
        }
        // Some clients wrap a simple value as {"value": x}; unwrap it rather than reject the request.
        (ty, Value::Object(mut m)) if ty != AttrType::Complex && m.len() == 1 => {
            match m.keys().find(|k| k.eq_ignore_ascii_case("value")).cloned() {
                Some(k) => coerce_single(def, m.remove(&k).unwrap_or(Value::Null))?,
                None => return Err(bad(&Value::Object(m))),
            }
        }
        (AttrType::Boolean, Value::Bool(b)) => Some(Value::Bool(b)),
        (AttrType::Boolean, Value::String(s)) => match s.to_ascii_lowercase().as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => return Err(bad(&Value::String(s))),
        },
        (AttrType::String | AttrType::Reference | AttrType::DateTime, Value::String(s)) => {
            Some(Value::String(s))
        }
        (AttrType::Binary, Value::String(s)) => {
            use base64::Engine;
            let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            if base64::engine::general_purpose::STANDARD
                .decode(&compact)
                .is_err()
            {
                return Err(ScimError::invalid_value(format!(
                    "{} must be base64 (RFC 7643 section 2.3.6)",
                    def.name
                )));
            }
            Some(Value::String(compact))
        }
        (AttrType::String, Value::Number(n)) => Some(Value::String(n.to_string())),
        (AttrType::Integer | AttrType::Decimal, Value::Number(n)) => Some(Value::Number(n)),
        // Entra sends custom extension attributes as strings: "50" is the integer 50.
        (AttrType::Integer, Value::String(s)) if s.trim().parse::<i64>().is_ok() => {
            s.trim().parse::<i64>().ok().map(Value::from)
        }
        (_, other) => return Err(bad(&other)),
    })
}

/// Rewrites a resource's keys to canonical case, moves URN-qualified keys into their extension, coerces
/// values, and drops unknown attributes and nulls. `schemas` is kept as is. Meant for POST/PUT bodies:
/// wrong shapes, several primaries and too many values are 400s (see `check_body_shape`, `scim::limits`).
pub fn normalize_keys(resource: &mut Value, schema: &ResourceSchema) -> Result<(), ScimError> {
    let Value::Object(map) = std::mem::take(resource) else {
        return Err(ScimError::invalid_syntax(
            "the resource must be a JSON object",
        ));
    };
    let mut out = Map::new();
    for (k, v) in map {
        if k.eq_ignore_ascii_case("schemas") {
            out.insert("schemas".into(), v);
            continue;
        }
        match schema.resolve_key(&k) {
            Some(Resolved::Attr { ext: None, def }) => {
                check_body_shape(def, &v)?;
                if let Some(x) = coerce(def, v)? {
                    out.insert(def.name.into(), x);
                }
            }
            Some(Resolved::Attr { ext: Some(e), def }) => {
                check_body_shape(def, &v)?;
                if let Some(x) = coerce(def, v)? {
                    ext_obj(&mut out, e.id).map(|m| m.insert(def.name.into(), x));
                }
            }
            Some(Resolved::Extension(e)) => {
                for (ek, ev) in v.as_object().cloned().unwrap_or_default() {
                    let Some(def) = e.attr(&ek) else { continue };
                    check_body_shape(def, &ev)?;
                    if let Some(x) = coerce(def, ev)? {
                        ext_obj(&mut out, e.id).map(|m| m.insert(def.name.into(), x));
                    }
                }
            }
            None => {}
        }
    }
    *resource = Value::Object(out);
    Ok(())
}

/// The extension object under `urn` in `map`, created (or replacing a non-object) if missing.
pub fn ext_obj<'a>(
    map: &'a mut Map<String, Value>,
    urn: &str,
) -> Option<&'a mut Map<String, Value>> {
    let slot = map
        .entry(urn.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut()
}
