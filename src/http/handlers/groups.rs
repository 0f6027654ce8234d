//! `/Groups` handlers (RFC 7644 sections 3.3 to 3.6) over Dropbox groups.

use super::{
    created, entity_tags, keep_version, list_body, not_modified, projected, query_of, scim_json,
    with_etag,
};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{Ctx, QueryPairs, ScimJson};
use crate::scim::list::ListQuery;
use crate::scim::schema::group_schema;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Whether the response will show `members`: listing a large group costs Dropbox calls, so it is
/// skipped when `excludedAttributes=members` or `attributes` does not name it.
fn wants_members(query: &ListQuery) -> bool {
    let named = |list: &[String]| {
        list.iter().any(|a| {
            a.eq_ignore_ascii_case("members") || a.to_ascii_lowercase().starts_with("members.")
        })
    };
    !named(&query.excluded_attributes) && (query.attributes.is_empty() || named(&query.attributes))
}

async fn list(s: &AppState, headers: &HeaderMap, query: ListQuery) -> Result<Response, ApiError> {
    let page = s.bridge.list_groups(&query, wants_members(&query)).await?;
    let base = s.base_url.resolve(headers);
    let resources = page
        .items
        .iter()
        .map(|g| projected(g.to_json(&base), group_schema(), &query))
        .collect();
    Ok(list_body(resources, page.total, page.start_index))
}

/// `GET /Groups` with filter, paging and projection (RFC 7644 section 3.4.2).
pub async fn list_groups(
    State(s): State<AppState>,
    headers: HeaderMap,
    pairs: QueryPairs,
) -> Result<Response, ApiError> {
    let query = query_of(&pairs, s.bridge.page_size())?;
    list(&s, &headers, query).await
}

/// `POST /Groups/.search` (RFC 7644 section 3.4.3).
pub async fn search_groups(
    State(s): State<AppState>,
    headers: HeaderMap,
    ScimJson(body): ScimJson,
) -> Result<Response, ApiError> {
    let query = ListQuery::from_search_body(&body, s.bridge.page_size())?;
    list(&s, &headers, query).await
}

/// `GET /Groups/{id}` (RFC 7644 section 3.4.1).
pub async fn get_group(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    pairs: QueryPairs,
) -> Result<Response, ApiError> {
    let query = query_of(&pairs, s.bridge.page_size())?;
    let if_none_match = entity_tags(&headers, header::IF_NONE_MATCH)?;
    let group = s.bridge.get_group(&id, wants_members(&query)).await?;
    let version = group.version();
    if if_none_match.is_some_and(|tags| tags.matches(&version)) {
        return Ok(not_modified(&version));
    }
    let base = s.base_url.resolve(&headers);
    let body = keep_version(
        projected(group.to_json(&base), group_schema(), &query),
        &version,
    );
    Ok(with_etag(scim_json(StatusCode::OK, &body), &version))
}

/// `POST /Groups` (RFC 7644 section 3.3): 201 with the group and `Location`.
pub async fn create_group(
    State(s): State<AppState>,
    headers: HeaderMap,
    Ctx(ctx): Ctx,
    ScimJson(body): ScimJson,
) -> Result<Response, ApiError> {
    let group = s.bridge.create_group(&ctx, body).await?;
    let response = created(&group.to_json(&s.base_url.resolve(&headers)));
    Ok(with_etag(response, &group.version()))
}

/// `PUT /Groups/{id}` (RFC 7644 section 3.5.1): only the difference reaches Dropbox.
pub async fn replace_group(
    State(s): State<AppState>,
    headers: HeaderMap,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ScimJson(body): ScimJson,
) -> Result<Response, ApiError> {
    let if_match = entity_tags(&headers, header::IF_MATCH)?;
    let group = s.bridge.replace_group_if(&ctx, &id, body, if_match).await?;
    let body = group.to_json(&s.base_url.resolve(&headers));
    Ok(with_etag(
        scim_json(StatusCode::OK, &body),
        &group.version(),
    ))
}

/// `PATCH /Groups/{id}` (RFC 7644 section 3.5.2): 204, as Entra expects; with `attributes`, 200 and
/// the projected group.
pub async fn patch_group(
    State(s): State<AppState>,
    headers: HeaderMap,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    pairs: QueryPairs,
    ScimJson(body): ScimJson,
) -> Result<Response, ApiError> {
    let query = query_of(&pairs, s.bridge.page_size())?;
    let if_match = entity_tags(&headers, header::IF_MATCH)?;
    let group = s
        .bridge
        .patch_group_if(&ctx, &id, body, true, if_match)
        .await?;
    let version = group.version();
    if query.attributes.is_empty() && query.excluded_attributes.is_empty() {
        return Ok(with_etag(StatusCode::NO_CONTENT.into_response(), &version));
    }
    let base = s.base_url.resolve(&headers);
    let body = keep_version(
        projected(group.to_json(&base), group_schema(), &query),
        &version,
    );
    Ok(with_etag(scim_json(StatusCode::OK, &body), &version))
}

/// `DELETE /Groups/{id}` (RFC 7644 section 3.6).
pub async fn delete_group(
    State(s): State<AppState>,
    headers: HeaderMap,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let if_match = entity_tags(&headers, header::IF_MATCH)?;
    s.bridge.delete_group_if(&ctx, &id, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}
