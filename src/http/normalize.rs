//! Request-path normalising before routing: SCIM endpoint names match case-insensitively (`/users`,
//! `/serviceproviderconfig`) and trailing slashes are dropped (`/Users/?filter=...`), as Microsoft's
//! SCIM validator expects. Resource ids and the configured prefix are never changed.

use axum::extract::Request;
use axum::http::Uri;
use axum::http::uri::PathAndQuery;
use std::sync::Arc;

/// Each template's segments, split once (the rewriter does it at start, not per request).
fn split_templates<'t>(templates: &[&'t str]) -> Vec<Vec<&'t str>> {
    templates
        .iter()
        .map(|t| t.trim_start_matches('/').split('/').collect())
        .collect()
}

/// The canonical spelling of `path`, or `None` when it is already canonical.
///
/// Trailing slashes are removed. Under `prefix` (`""` or e.g. `/scim/v2`), each segment that equals,
/// ignoring ASCII case, a literal segment of one of `templates` (route paths relative to the prefix,
/// such as `/Users/{id}`, split by [`split_templates`]) at the same position, after the same earlier
/// segments, takes the template's spelling. `{...}` segments match any value and keep it as sent.
fn canonical_in(path: &str, prefix: &str, templates: &[Vec<&str>]) -> Option<String> {
    let trimmed = match path.trim_end_matches('/') {
        "" => "/",
        t => t,
    };
    let mut out = trimmed.to_owned();
    if let Some(rest) = trimmed.strip_prefix(prefix).filter(|r| r.starts_with('/')) {
        let depth = templates.iter().map(Vec::len).max().unwrap_or(0);
        let mut canonical: Vec<&str> = Vec::new();
        for (i, segment) in rest[1..].split('/').enumerate() {
            // Segments deeper than every template are kept as sent, without a look-up.
            let literal = if i < depth {
                literal_at(templates, &canonical, segment)
            } else {
                None
            };
            canonical.push(literal.unwrap_or(segment));
        }
        out = format!("{prefix}/{}", canonical.join("/"));
    }
    (out != path).then_some(out)
}

/// The literal spelling of `segment` in a template whose earlier segments match `parents`, if any.
fn literal_at<'t>(templates: &[Vec<&'t str>], parents: &[&str], segment: &str) -> Option<&'t str> {
    let i = parents.len();
    templates.iter().find_map(|parts| {
        let candidate = *parts.get(i)?;
        let same_parents = parts[..i]
            .iter()
            .zip(parents)
            .all(|(p, c)| is_param(p) || p == c);
        (same_parents && !is_param(candidate) && candidate.eq_ignore_ascii_case(segment))
            .then_some(candidate)
    })
}

fn is_param(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// A request rewriter for [`tower::util::MapRequestLayer`]: puts the canonical path (see
/// [`canonical_path`]) into the request URI, keeping the query string.
pub fn rewriter(
    prefix: String,
    templates: Vec<&'static str>,
) -> impl Fn(Request) -> Request + Clone + Send + Sync + 'static {
    let shared = Arc::new((prefix, split_templates(&templates)));
    move |mut req: Request| {
        let (prefix, templates) = &*shared;
        if let Some(path) = canonical_in(req.uri().path(), prefix, templates) {
            let path_and_query = match req.uri().query() {
                Some(q) => format!("{path}?{q}"),
                None => path,
            };
            let mut parts = req.uri().clone().into_parts();
            if let Ok(pq) = PathAndQuery::try_from(path_and_query) {
                parts.path_and_query = Some(pq);
                if let Ok(uri) = Uri::from_parts(parts) {
                    *req.uri_mut() = uri;
                }
            }
        }
        req
    }
}

#[cfg(test)]
mod tests {
    use super::{canonical_in, split_templates};

    fn canonical_path(path: &str, prefix: &str, templates: &[&str]) -> Option<String> {
        canonical_in(path, prefix, &split_templates(templates))
    }

    const T: &[&str] = &[
        "/ServiceProviderConfig",
        "/ResourceTypes/{name}",
        "/Schemas/{id}",
        "/.search",
        "/Users",
        "/Users/.search",
        "/Users/{id}",
        "/Groups/{id}",
    ];

    fn canon(path: &str, prefix: &str) -> String {
        canonical_path(path, prefix, T).unwrap_or_else(|| path.to_owned())
    }

    #[test]
    fn endpoint_names_ignore_case_and_trailing_slashes() {
        assert_eq!(canon("/scim/v2/users", "/scim/v2"), "/scim/v2/Users");
        assert_eq!(canon("/scim/v2/USERS/", "/scim/v2"), "/scim/v2/Users");
        assert_eq!(
            canon("/scim/v2/serviceproviderconfig", "/scim/v2"),
            "/scim/v2/ServiceProviderConfig"
        );
        assert_eq!(
            canon("/scim/v2/users/.SEARCH", "/scim/v2"),
            "/scim/v2/Users/.search"
        );
        assert_eq!(canon("/groups/g1/", ""), "/Groups/g1");
        assert_eq!(canon("/healthz/", "/scim/v2"), "/healthz");
    }

    #[test]
    fn ids_unknown_names_and_the_prefix_keep_their_spelling() {
        assert_eq!(
            canonical_path("/scim/v2/Users/dbmid:AbC", "/scim/v2", T),
            None
        );
        assert_eq!(
            canon("/scim/v2/users/dbmid:AbC", "/scim/v2"),
            "/scim/v2/Users/dbmid:AbC"
        );
        assert_eq!(
            canon("/scim/v2/resourcetypes/user", "/scim/v2"),
            "/scim/v2/ResourceTypes/user"
        );
        assert_eq!(canonical_path("/SCIM/V2/users", "/scim/v2", T), None);
        assert_eq!(canonical_path("/scim/v2/Bulk", "/scim/v2", T), None);
        assert_eq!(canonical_path("/scim/v2x/users", "/scim/v2", T), None);
        // `.search` is a name only after Users/Groups or at the root, never in place of a name.
        assert_eq!(
            canonical_path("/scim/v2/Schemas/.SEARCH", "/scim/v2", T),
            None
        );
        assert_eq!(canonical_path("/", "", T), None);
        assert_eq!(canon("//", ""), "/");
    }
}
