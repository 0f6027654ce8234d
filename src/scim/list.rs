//! List queries (RFC 7644 §3.4.2): query parameters or a `.search` body, and the `ListResponse` body.

use serde_json::{Value, json};

use super::error::ScimError;
use super::filter::{Filter, parse};

/// The ListResponse message URN.
pub const LIST_RESPONSE_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// Sort direction (`sortOrder`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// `ascending` (the default).
    Ascending,
    /// `descending`.
    Descending,
}

/// A parsed list query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListQuery {
    /// The `filter`, if any.
    pub filter: Option<Filter>,
    /// The 1-based `startIndex` (values below 1 become 1).
    pub start_index: usize,
    /// The `count` (negative becomes 0, capped at the maximum); `None` = server default.
    pub count: Option<usize>,
    /// `attributes` (comma list).
    pub attributes: Vec<String>,
    /// `excludedAttributes` (comma list).
    pub excluded_attributes: Vec<String>,
    /// `sortBy`.
    pub sort_by: Option<String>,
    /// `sortOrder`.
    pub sort_order: Option<SortOrder>,
}

fn comma_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

/// The most names one `attributes` or `excludedAttributes` list may carry.
pub const MAX_ATTRIBUTE_NAMES: usize = 100;

/// An `attributes` / `excludedAttributes` list (RFC 7644 section 3.4.2.5): attribute names, sub-attribute
/// paths (`emails.value`) and URN-qualified names. A filter (`emails[type eq "work"]`) is not an
/// attribute name: 400 `invalidValue` rather than a silently empty projection.
fn attribute_list(param: &str, v: &str) -> Result<Vec<String>, ScimError> {
    let names = comma_list(v);
    if names.len() > MAX_ATTRIBUTE_NAMES {
        return Err(ScimError::invalid_value(format!(
            "{param} names {} attributes; this server accepts at most {MAX_ATTRIBUTE_NAMES}",
            names.len()
        )));
    }
    for name in &names {
        let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '_' | '-' | '$');
        if !name.chars().all(plain) {
            return Err(ScimError::invalid_value(format!(
                "{param} takes attribute names and sub-attribute paths such as emails.value; {name:?} is not one (a filter in brackets is not allowed there: RFC 7644 section 3.4.2.5)"
            )));
        }
    }
    Ok(names)
}

fn int(name: &str, s: &str) -> Result<i64, ScimError> {
    s.trim()
        .parse::<i64>()
        .map_err(|_| ScimError::invalid_value(format!("{name} must be an integer, got {s:?}")))
}

impl ListQuery {
    /// Parses already-decoded query parameters (names case-insensitive); `count` is capped at `max_count`.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        max_count: usize,
    ) -> Result<Self, ScimError> {
        let mut q = ListQuery {
            start_index: 1,
            ..Default::default()
        };
        for (k, v) in pairs {
            match k.to_ascii_lowercase().as_str() {
                "filter" => q.filter = Some(parse(v)?),
                "startindex" => q.start_index = int("startIndex", v)?.max(1) as usize,
                "count" => q.count = Some((int("count", v)?.max(0) as usize).min(max_count)),
                "attributes" => q.attributes = attribute_list("attributes", v)?,
                "excludedattributes" => {
                    q.excluded_attributes = attribute_list("excludedAttributes", v)?;
                }
                "sortby" => q.sort_by = Some(v.to_string()),
                "sortorder" => q.sort_order = Some(parse_order(v)?),
                _ => {}
            }
        }
        Ok(q)
    }

    /// Parses a `POST .search` body (RFC 7644 §3.4.3).
    pub fn from_search_body(body: &Value, max_count: usize) -> Result<Self, ScimError> {
        let obj = body
            .as_object()
            .ok_or_else(|| ScimError::invalid_syntax("search body must be an object"))?;
        let mut owned: Vec<(String, String)> = Vec::new();
        for (k, v) in obj {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Array(a) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
                _ => continue,
            };
            owned.push((k.clone(), text));
        }
        Self::from_pairs(
            owned.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            max_count,
        )
    }

    /// The 0-based index range of a page over `total` results, given a default page size.
    pub fn window(&self, total: usize, default_count: usize) -> std::ops::Range<usize> {
        let start = (self.start_index.max(1) - 1).min(total);
        let end = start
            .saturating_add(self.count.unwrap_or(default_count))
            .min(total);
        start..end
    }
}

fn parse_order(v: &str) -> Result<SortOrder, ScimError> {
    match v.to_ascii_lowercase().as_str() {
        "ascending" => Ok(SortOrder::Ascending),
        "descending" => Ok(SortOrder::Descending),
        _ => Err(ScimError::invalid_value(format!(
            "sortOrder must be ascending or descending, got {v:?}"
        ))),
    }
}

/// A ListResponse body (RFC 7644 §3.4.2.4).
#[derive(Debug, Clone, PartialEq)]
pub struct ListResponse {
    /// All matching resources, not only this page.
    pub total_results: usize,
    /// The 1-based index of the first resource in this page.
    pub start_index: usize,
    /// The resources of this page.
    pub resources: Vec<Value>,
}

impl ListResponse {
    /// A response holding every result in one page.
    pub fn complete(resources: Vec<Value>) -> Self {
        Self {
            total_results: resources.len(),
            start_index: 1,
            resources,
        }
    }

    /// Renders the body, moving the resources into it (no copy); `itemsPerPage` is the length of
    /// this page; all numbers are JSON numbers.
    pub fn into_json(self) -> Value {
        json!({
            "schemas": [LIST_RESPONSE_URN],
            "totalResults": self.total_results,
            "startIndex": self.start_index,
            "itemsPerPage": self.resources.len(),
            "Resources": Value::Array(self.resources),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn okta_and_entra_queries_parse() {
        let q = ListQuery::from_pairs(
            [
                ("filter", "userName eq \"u\""),
                ("startIndex", "1"),
                ("count", "100"),
            ],
            50,
        )
        .map_err(|e| e.detail);
        let q = q
            .as_ref()
            .map(|q| (q.start_index, q.count, q.filter.is_some()));
        assert_eq!(q, Ok((1, Some(50), true)));
        let q = ListQuery::from_pairs(
            [
                ("excludedAttributes", "members, meta"),
                ("STARTINDEX", "0"),
                ("count", "-3"),
            ],
            50,
        )
        .map(|q| (q.excluded_attributes, q.start_index, q.count));
        assert_eq!(
            q,
            Ok((vec!["members".to_string(), "meta".to_string()], 1, Some(0)))
        );
        assert!(ListQuery::from_pairs([("count", "x")], 5).is_err());
        assert!(ListQuery::from_pairs([("filter", "userName eq")], 5).is_err());
    }

    #[test]
    fn search_body_and_window() {
        let body =
            json!({"schemas": [], "attributes": ["userName", "id"], "startIndex": 3, "count": 2});
        let q = ListQuery::from_search_body(&body, 10).unwrap_or_default();
        assert_eq!(q.attributes, vec!["userName", "id"]);
        assert_eq!(q.window(10, 100), 2..4);
        assert_eq!(q.window(3, 100), 2..3);
        assert_eq!(q.window(1, 100), 1..1);
    }

    #[test]
    fn empty_response_has_numbers() {
        let v = ListResponse {
            total_results: 0,
            start_index: 1,
            resources: vec![],
        }
        .into_json();
        assert_eq!(v["totalResults"], 0);
        assert_eq!(v["itemsPerPage"], 0);
        assert_eq!(v["Resources"], json!([]));
    }
}
