//! Evaluates a filter against a resource's JSON using the schema's case and type rules.

use std::cmp::Ordering;

use serde_json::Value;

use super::{AttrPath, CompValue, CompareOp, Filter, SubTest};
use crate::scim::resource::get_ci;
use crate::scim::schema::{AttrType, AttributeDef, Resolved, ResourceSchema};

/// Where paths are resolved: the whole resource, or one value of a multi-valued attribute.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Resource(&'a ResourceSchema),
    Element(Option<&'static AttributeDef>),
}

/// Whether `resource` matches `filter`; multi-valued attributes match if any value does.
pub fn matches(filter: &Filter, resource: &Value, schema: &ResourceSchema) -> bool {
    eval(filter, resource, Scope::Resource(schema))
}

fn eval(f: &Filter, obj: &Value, scope: Scope<'_>) -> bool {
    match f {
        Filter::And(a, b) => eval(a, obj, scope) && eval(b, obj, scope),
        Filter::Or(a, b) => eval(a, obj, scope) || eval(b, obj, scope),
        Filter::Not(a) => !eval(a, obj, scope),
        Filter::Present(path) => {
            let (vals, _) = values_at(path, obj, scope);
            vals.iter().any(|v| present(v))
        }
        Filter::Compare { path, op, value } => {
            let (vals, def) = values_at(path, obj, scope);
            test(&vals, *op, value, def)
        }
        Filter::ValuePath { attr, filter, then } => {
            let (elems, def) = elements(attr, obj, scope);
            elems.iter().any(|e| {
                eval(filter, e, Scope::Element(def))
                    && then.as_ref().is_none_or(|(sub, t)| {
                        let sub_def = def.and_then(|d| d.sub(sub));
                        let vals: Vec<&Value> =
                            get_ci(e, sub).into_iter().flat_map(flatten).collect();
                        match t {
                            SubTest::Present => vals.iter().any(|v| present(v)),
                            SubTest::Compare(op, cv) => test(&vals, *op, cv, sub_def),
                        }
                    })
            })
        }
    }
}

fn present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

fn flatten(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        Value::Null => vec![],
        other => vec![other],
    }
}

/// The values of a top-level attribute (flattened) and its definition.
fn elements<'v>(
    path: &AttrPath,
    obj: &'v Value,
    scope: Scope<'_>,
) -> (Vec<&'v Value>, Option<&'static AttributeDef>) {
    match scope {
        Scope::Resource(schema) => match schema.resolve(path.urn.as_deref(), &path.attr) {
            Some(Resolved::Attr { ext, def }) => {
                let container = match ext {
                    Some(e) => get_ci(obj, e.id),
                    None => Some(obj),
                };
                let vals = container
                    .and_then(|c| get_ci(c, def.name))
                    .map(flatten)
                    .unwrap_or_default();
                (vals, Some(def))
            }
            _ => (
                get_ci(obj, &path.attr).map(flatten).unwrap_or_default(),
                None,
            ),
        },
        Scope::Element(parent) => {
            let def = parent.and_then(|p| p.sub(&path.attr));
            (
                get_ci(obj, &path.attr).map(flatten).unwrap_or_default(),
                def,
            )
        }
    }
}

/// The leaf values a path names, and the leaf's definition.
fn values_at<'v>(
    path: &AttrPath,
    obj: &'v Value,
    scope: Scope<'_>,
) -> (Vec<&'v Value>, Option<&'static AttributeDef>) {
    let (elems, def) = elements(path, obj, scope);
    let sub = match (&path.sub_attr, def) {
        (Some(s), _) => Some(s.as_str()),
        // RFC 7644 §3.4.2.2: a complex multi-valued attribute without sub-attribute compares its "value".
        (None, Some(d)) if d.ty == AttrType::Complex && d.sub("value").is_some() => Some("value"),
        _ => None,
    };
    match sub {
        None => (elems, def),
        Some(s) => {
            let vals = elems
                .into_iter()
                .filter_map(|e| get_ci(e, s))
                .flat_map(flatten)
                .collect();
            (vals, def.and_then(|d| d.sub(s)))
        }
    }
}

fn test(vals: &[&Value], op: CompareOp, cv: &CompValue, def: Option<&AttributeDef>) -> bool {
    match (op, cv) {
        (CompareOp::Eq, CompValue::Null) => vals.iter().all(|v| !present(v)),
        (CompareOp::Ne, CompValue::Null) => vals.iter().any(|v| present(v)),
        (CompareOp::Ne, _) => !vals.iter().any(|v| compare(v, CompareOp::Eq, cv, def)),
        _ => vals.iter().any(|v| compare(v, op, cv, def)),
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn ordered(ord: Option<Ordering>, op: CompareOp) -> bool {
    let Some(o) = ord else { return false };
    match op {
        CompareOp::Eq => o == Ordering::Equal,
        CompareOp::Gt => o == Ordering::Greater,
        CompareOp::Ge => o != Ordering::Less,
        CompareOp::Lt => o == Ordering::Less,
        CompareOp::Le => o != Ordering::Greater,
        _ => false,
    }
}

fn compare(v: &Value, op: CompareOp, cv: &CompValue, def: Option<&AttributeDef>) -> bool {
    match cv {
        CompValue::Null => false,
        CompValue::Bool(b) => {
            let actual = match v {
                Value::Bool(x) => Some(*x),
                Value::String(s) => s.to_ascii_lowercase().parse::<bool>().ok(),
                _ => None,
            };
            op == CompareOp::Eq && actual == Some(*b)
        }
        CompValue::Num(n) => {
            let actual = match v {
                Value::Number(x) => x.as_f64(),
                Value::String(s) => s.parse::<f64>().ok(),
                _ => None,
            };
            ordered(
                actual.zip(n.as_f64()).and_then(|(a, b)| a.partial_cmp(&b)),
                op,
            )
        }
        CompValue::Str(s) => {
            let Some(actual) = scalar_text(v) else {
                return false;
            };
            if def.is_some_and(|d| d.ty == AttrType::DateTime) {
                let parse = |x: &str| chrono::DateTime::parse_from_rfc3339(x).ok();
                if let (Some(a), Some(b)) = (parse(&actual), parse(s)) {
                    return ordered(Some(a.cmp(&b)), op);
                }
            }
            let exact = def.is_some_and(|d| d.case_exact);
            let (a, b) = if exact {
                (actual, s.clone())
            } else {
                (actual.to_lowercase(), s.to_lowercase())
            };
            match op {
                CompareOp::Co => a.contains(&b),
                CompareOp::Sw => a.starts_with(&b),
                CompareOp::Ew => a.ends_with(&b),
                _ => ordered(Some(a.cmp(&b)), op),
            }
        }
    }
}

/// Whether one value of the multi-valued attribute `def` matches a value filter (paths relative to it).
pub(crate) fn matches_element(
    filter: &Filter,
    element: &Value,
    def: &'static AttributeDef,
) -> bool {
    eval(filter, element, Scope::Element(Some(def)))
}
