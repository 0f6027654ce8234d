//! `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5) applied to a rendered resource.

use serde_json::{Map, Value};

use super::resource::find_key;
use super::schema::{Resolved, ResourceSchema, Returned};

/// One requested name resolved to (extension URN or None, canonical attribute, optional sub-attribute).
type Target = (Option<&'static str>, &'static str, Option<&'static str>);

fn resolve(schema: &ResourceSchema, name: &str) -> Option<Target> {
    let (urn, rest) = crate::scim::schema::split_urn(name);
    let (head, sub) = match rest.split_once('.') {
        Some((a, s)) => (
            urn.map(|u| format!("{u}:{a}"))
                .unwrap_or_else(|| a.to_string()),
            Some(s),
        ),
        None => (name.to_string(), None),
    };
    match schema.resolve_key(&head)? {
        Resolved::Extension(e) => Some((Some(e.id), "", None)),
        Resolved::Attr { ext, def } => {
            let sub = match sub {
                Some(s) => Some(def.sub(s)?.name),
                None => None,
            };
            Some((ext.map(|e| e.id), def.name, sub))
        }
    }
}

/// Applies `attributes` (if non-empty) or else `excludedAttributes` to `resource` in place.
/// `returned: always` attributes (and `schemas`) are always kept; names are case-insensitive.
pub fn project(
    resource: &mut Value,
    schema: &ResourceSchema,
    attributes: &[String],
    excluded: &[String],
) {
    let Some(obj) = resource.as_object_mut() else {
        return;
    };
    if !attributes.is_empty() {
        let wanted: Vec<Target> = attributes
            .iter()
            .filter_map(|a| resolve(schema, a))
            .collect();
        keep_only(obj, schema, &wanted);
    } else {
        for (ext, attr, sub) in excluded.iter().filter_map(|a| resolve(schema, a)) {
            exclude(obj, schema, ext, attr, sub);
        }
    }
}

fn always(schema: &ResourceSchema, ext: Option<&str>, attr: &str) -> bool {
    let s = ext.and_then(|e| schema.extension(e)).unwrap_or(schema.core);
    s.attr(attr).is_some_and(|d| d.returned == Returned::Always)
}

fn keep_only(obj: &mut Map<String, Value>, schema: &ResourceSchema, wanted: &[Target]) {
    let keys: Vec<String> = obj.keys().cloned().collect();
    for key in keys {
        if key == "schemas" {
            continue;
        }
        if let Some(ext) = schema.extension(&key) {
            let whole = wanted
                .iter()
                .any(|(e, a, _)| *e == Some(ext.id) && a.is_empty());
            let inner: Vec<Target> = wanted
                .iter()
                .filter(|(e, a, _)| *e == Some(ext.id) && !a.is_empty())
                .copied()
                .collect();
            match (whole, obj.get_mut(&key)) {
                (true, _) => {}
                (false, Some(Value::Object(m))) if !inner.is_empty() => {
                    keep_attrs(m, schema, Some(ext.id), &inner)
                }
                _ => {
                    obj.remove(&key);
                }
            }
            continue;
        }
        let mut one = Map::new();
        if let Some(v) = obj.remove(&key) {
            one.insert(key.clone(), v);
        }
        let core: Vec<Target> = wanted
            .iter()
            .filter(|(e, _, _)| e.is_none())
            .copied()
            .collect();
        keep_attrs(&mut one, schema, None, &core);
        obj.extend(one);
    }
}

fn keep_attrs(
    m: &mut Map<String, Value>,
    schema: &ResourceSchema,
    ext: Option<&str>,
    wanted: &[Target],
) {
    let keys: Vec<String> = m.keys().cloned().collect();
    for key in keys {
        if always(schema, ext, &key) {
            continue;
        }
        let subs: Vec<&str> = wanted
            .iter()
            .filter(|(_, a, _)| a.eq_ignore_ascii_case(&key))
            .filter_map(|t| t.2)
            .collect();
        let whole = wanted
            .iter()
            .any(|(_, a, s)| a.eq_ignore_ascii_case(&key) && s.is_none());
        if whole {
            continue;
        }
        if subs.is_empty() {
            m.remove(&key);
            continue;
        }
        let keep = |v: &mut Value| {
            if let Value::Object(o) = v {
                o.retain(|k, _| subs.iter().any(|s| s.eq_ignore_ascii_case(k)));
            }
        };
        match m.get_mut(&key) {
            Some(Value::Array(items)) => items.iter_mut().for_each(keep),
            Some(v) => keep(v),
            None => {}
        }
    }
}

fn exclude(
    obj: &mut Map<String, Value>,
    schema: &ResourceSchema,
    ext: Option<&str>,
    attr: &str,
    sub: Option<&str>,
) {
    if attr.is_empty() {
        if let Some(k) = ext.and_then(|e| find_key(obj, e)) {
            obj.remove(&k);
        }
        return;
    }
    if always(schema, ext, attr) {
        return;
    }
    let container = match ext {
        Some(e) => match find_key(obj, e)
            .and_then(|k| obj.get_mut(&k))
            .and_then(Value::as_object_mut)
        {
            Some(m) => m,
            None => return,
        },
        None => obj,
    };
    let Some(key) = find_key(container, attr) else {
        return;
    };
    match sub {
        None => {
            container.remove(&key);
        }
        Some(s) => {
            let drop = |v: &mut Value| {
                if let Value::Object(o) = v {
                    o.retain(|k, _| !k.eq_ignore_ascii_case(s));
                }
            };
            match container.get_mut(&key) {
                Some(Value::Array(items)) => items.iter_mut().for_each(drop),
                Some(v) => drop(v),
                None => {}
            }
        }
    }
}
