//! Strict parsing of Stone-encoded request arguments (lengths, patterns, unknown fields and tags).

use crate::dropbox::email::email_matches;
use serde_json::{Map, Value};

use super::wire::ApiError;

/// Result type of argument parsing.
pub(crate) type ArgResult<T> = Result<T, ApiError>;

/// A struct argument whose fields are checked against a known field list.
pub(crate) struct Args<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

impl<'a> Args<'a> {
    /// Opens `v` as a struct with exactly the given known fields (unknown ones are a 400).
    pub fn new(v: &'a Value, path: &str, fields: &[&str]) -> ArgResult<Self> {
        let Value::Object(map) = v else {
            return Err(ApiError::arg(
                path,
                format!("expected object, got {}", type_name(v)),
            ));
        };
        if let Some(unknown) = map.keys().find(|k| !fields.contains(&k.as_str())) {
            return Err(ApiError::arg(path, format!("unknown field '{unknown}'")));
        }
        Ok(Args {
            map,
            path: path.to_string(),
        })
    }

    /// The dotted path of a field, for error messages.
    pub fn path(&self, field: &str) -> String {
        join(&self.path, field)
    }

    /// A present, non-null field value.
    pub fn opt(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field).filter(|v| !v.is_null())
    }

    /// A required field (null counts as missing).
    pub fn req(&self, field: &str) -> ArgResult<&'a Value> {
        self.opt(field)
            .ok_or_else(|| ApiError::arg(&self.path, format!("missing required field '{field}'")))
    }

    /// A required string field.
    pub fn req_str(&self, field: &str) -> ArgResult<String> {
        as_str(self.req(field)?, &self.path(field))
    }

    /// An optional (nullable) string field.
    pub fn opt_str(&self, field: &str) -> ArgResult<Option<String>> {
        self.opt(field)
            .map(|v| as_str(v, &self.path(field)))
            .transpose()
    }

    /// A defaulted boolean: may be omitted, must not be null.
    pub fn bool_or(&self, field: &str, default: bool) -> ArgResult<bool> {
        match self.map.get(field) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => Err(ApiError::arg(
                &self.path(field),
                format!("expected boolean, got {}", type_name(v)),
            )),
        }
    }

    /// An optional nullable boolean.
    pub fn opt_bool(&self, field: &str) -> ArgResult<Option<bool>> {
        match self.opt(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(ApiError::arg(
                &self.path(field),
                format!("expected boolean, got {}", type_name(v)),
            )),
        }
    }

    /// A defaulted UInt32 within `min..=max`.
    pub fn u32_in(&self, field: &str, default: u32, min: u32, max: u32) -> ArgResult<u32> {
        let path = self.path(field);
        let n = match self.map.get(field) {
            None => return Ok(default),
            Some(Value::Number(n)) => n
                .as_u64()
                .ok_or_else(|| ApiError::arg(&path, "expected UInt32"))?,
            Some(v) => {
                return Err(ApiError::arg(
                    &path,
                    format!("expected integer, got {}", type_name(v)),
                ));
            }
        };
        if n < u64::from(min) || n > u64::from(max) {
            return Err(ApiError::arg(
                &path,
                format!("{n} is not within range {min}..{max}"),
            ));
        }
        u32::try_from(n).map_err(|_| ApiError::arg(&path, "expected UInt32"))
    }

    /// A required list field.
    pub fn req_list(&self, field: &str) -> ArgResult<&'a Vec<Value>> {
        as_list(self.req(field)?, &self.path(field))
    }
}

/// A string value.
pub(crate) fn as_str(v: &Value, path: &str) -> ArgResult<String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| ApiError::arg(path, format!("expected string, got {}", type_name(v))))
}

/// A list value.
pub(crate) fn as_list<'a>(v: &'a Value, path: &str) -> ArgResult<&'a Vec<Value>> {
    v.as_array()
        .ok_or_else(|| ApiError::arg(path, format!("expected list, got {}", type_name(v))))
}

/// Reads a union argument: `"tag"` or `{".tag": "tag", ...}`. Returns the tag and, for members with
/// a value, the value stored under the tag key (`with_value` lists those members).
pub(crate) fn union<'a>(
    v: &'a Value,
    path: &str,
    void: &[&str],
    with_value: &[&str],
) -> ArgResult<(String, Option<&'a Value>)> {
    let (tag, obj) = match v {
        Value::String(s) => (s.as_str(), None),
        Value::Object(map) => match map.get(".tag") {
            Some(Value::String(s)) => (s.as_str(), Some(map)),
            _ => return Err(ApiError::arg(path, "missing '.tag' key")),
        },
        other => {
            return Err(ApiError::arg(
                path,
                format!("expected union, got {}", type_name(other)),
            ));
        }
    };
    if void.contains(&tag) {
        if let Some(extra) = obj.and_then(|m| m.keys().find(|k| k.as_str() != ".tag")) {
            return Err(ApiError::arg(path, format!("unexpected field '{extra}'")));
        }
        return Ok((tag.to_string(), None));
    }
    if with_value.contains(&tag) {
        let Some(map) = obj else {
            return Err(ApiError::arg(path, format!("tag '{tag}' needs a value")));
        };
        if let Some(extra) = map
            .keys()
            .find(|k| k.as_str() != ".tag" && k.as_str() != tag)
        {
            return Err(ApiError::arg(path, format!("unexpected field '{extra}'")));
        }
        let value = map
            .get(tag)
            .filter(|v| !v.is_null())
            .ok_or_else(|| ApiError::arg(path, format!("missing value for tag '{tag}'")))?;
        return Ok((tag.to_string(), Some(value)));
    }
    Err(ApiError::arg(path, format!("unknown tag '{tag}'")))
}

/// Checks the Stone `EmailAddress` alias: max 255 and the spec pattern.
pub(crate) fn check_email(path: &str, s: &str) -> ArgResult<()> {
    if s.chars().count() > 255 {
        return Err(ApiError::arg(path, "string longer than 255"));
    }
    if !email_matches(s) {
        return Err(ApiError::arg(
            path,
            format!("'{s}' did not match pattern for EmailAddress"),
        ));
    }
    Ok(())
}

/// Checks a maximum length in characters.
pub(crate) fn check_max(path: &str, s: &str, max: usize) -> ArgResult<()> {
    if s.chars().count() > max {
        return Err(ApiError::arg(path, format!("string longer than {max}")));
    }
    Ok(())
}

/// Checks the Stone `OptionalNamePart` alias: max 50, none of `/:?*<>"|`.
pub(crate) fn check_name_part(path: &str, s: &str) -> ArgResult<()> {
    check_max(path, s, 50)?;
    if s.chars().any(|c| "/:?*<>\"|".contains(c)) {
        return Err(ApiError::arg(
            path,
            format!("'{s}' did not match pattern for NamePart"),
        ));
    }
    Ok(())
}

/// A parsed `UserSelectorArg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Selector {
    TeamMemberId(String),
    ExternalId(String),
    Email(String),
}

impl Selector {
    /// The raw value the caller sent (echoed in `id_not_found`).
    pub fn raw(&self) -> &str {
        match self {
            Selector::TeamMemberId(s) | Selector::ExternalId(s) | Selector::Email(s) => s,
        }
    }
}

/// Parses a `UserSelectorArg` union.
pub(crate) fn user_selector(v: &Value, path: &str) -> ArgResult<Selector> {
    let (tag, value) = union(v, path, &[], &["team_member_id", "external_id", "email"])?;
    let vpath = join(path, &tag);
    let s = as_str(value.unwrap_or(&Value::Null), &vpath)?;
    match tag.as_str() {
        "team_member_id" => Ok(Selector::TeamMemberId(s)),
        "external_id" => {
            check_max(&vpath, &s, 64)?;
            Ok(Selector::ExternalId(s))
        }
        _ => {
            check_email(&vpath, &s)?;
            Ok(Selector::Email(s))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn email_pattern_matches_spec() {
        assert!(email_matches("a.b+c@example.co.uk"));
        assert!(email_matches("o'neil@ex-ample.com"));
        assert!(!email_matches("no-at-sign.com"));
        assert!(!email_matches("a@b"));
        assert!(!email_matches("a@b.c"));
        assert!(!email_matches("a b@c.com"));
        assert!(!email_matches("a@b.c0m"));
    }

    #[test]
    fn void_union_members_accept_compact_and_object_forms() {
        let (t, _) = union(&json!("member"), "a", &["member", "owner"], &[]).unwrap_or_default();
        assert_eq!(t, "member");
        let (t, _) =
            union(&json!({".tag": "owner"}), "a", &["member", "owner"], &[]).unwrap_or_default();
        assert_eq!(t, "owner");
        assert!(union(&json!("boss"), "a", &["member", "owner"], &[]).is_err());
    }

    #[test]
    fn unknown_struct_fields_are_rejected() {
        assert!(Args::new(&json!({"limit": 1, "bogus": 2}), "", &["limit"]).is_err());
    }

    #[test]
    fn name_parts_reject_reserved_characters_and_length() {
        assert!(check_name_part("n", "Ann").is_ok());
        assert!(check_name_part("n", "A/B").is_err());
        assert!(check_name_part("n", &"x".repeat(51)).is_err());
    }
}
