//! `/Users` handlers (RFC 7644 sections 3.3 to 3.6).

use super::{
    created, entity_tags, keep_version, list_body, not_modified, projected, query_of, scim_json,
    with_etag,
};
use crate::bridge::ListPage;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{Ctx, QueryPairs, ScimJson};
use crate::scim::list::ListQuery;
use crate::scim::resource::ScimUser;
use crate::scim::schema::user_schema;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde_json::Value;

fn render(user: &ScimUser, base: &str, query: &ListQuery) -> Value {
    projected(user.to_json(base), user_schema(), query)
}

/// 200 with the written user and its `ETag`.
fn written(user: &ScimUser, base: &str) -> Response {
    with_etag(
        scim_json(StatusCode::OK, &user.to_json(base)),
        &user.version(),
    )
}

fn list_response(page: ListPage<ScimUser>, base: &str, query: &ListQuery) -> Response {
    let resources = page.items.iter().map(|u| render(u, base, query)).collect();
    list_body(resources, page.total, page.start_index)
}

/// `GET /Users` with filter, paging and projection (RFC 7644 section 3.4.2).
pub async fn list_users(
    State(s): State<AppState>,
    headers: HeaderMap,
    pairs: QueryPairs,
) -> Result<Response, ApiError> {
    let query = query_of(&pairs, s.bridge.page_size())?;
    let page = s.bridge.list_users(&query).await?;
    Ok(list_response(page, &s.base_url.resolve(&headers), &query))
}

/// `POST /Users/.search` (RFC 7644 section 3.4.3).
pub async fn search_users(
    State(s): State<AppState>,
    headers: HeaderMap,
    ScimJson(body): ScimJson,
) -> Result<Response, ApiError> {
    let query = ListQuery::from_search_body(&body, s.bridge.page_size())?;
    let page = s.bridge.list_users(&query).await?;
    Ok(list_response(page, &s.base_url.resolve(&headers), &query))
}

/// `GET /Users/{id}` (RFC 7644 section 3.4.1).
pub async fn get_user(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    pairs: QueryPairs,
) -> Result<Response, ApiError> {
    let query = query_of(&pairs, s.bridge.page_size())?;
    let if_none_match = entity_tags(&headers, header::IF_NONE_MATCH)?;
    let user = s.bridge.get_user(&id).await?;
    let version = user.version();
    if if_none_match.is_some_and(|tags| tags.matches(&version)) {
        return Ok(not_modified(&version));
    }
    let body = keep_version(
        render(&user, &s.base_url.resolve(&headers), &query),
        &version,
    );
    Ok(with_etag(scim_json(StatusCode::OK, &body), &version))
}

/// `POST /Users` (RFC 7644 section 3.3): 201 with the full resource and `Location`.
pub async fn create_user(
    State(s): State<AppState>,
    headers: HeaderMap,
    Ctx(ctx): Ctx,
    ScimJson(body): ScimJson,
) -> Result<Response, ApiError> {
    let user = s.bridge.create_user(&ctx, body).await?;
    let response = created(&user.to_json(&s.base_url.resolve(&headers)));
    Ok(with_etag(response, &user.version()))
}

/// `PUT /Users/{id}` (RFC 7644 section 3.5.1).
pub async fn replace_user(
    State(s): State<AppState>,
    headers: HeaderMap,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ScimJson(body): ScimJson,
) -> Result<Response, ApiError> {
    let if_match = entity_tags(&headers, header::IF_MATCH)?;
    let user = s.bridge.replace_user_if(&ctx, &id, body, if_match).await?;
    Ok(written(&user, &s.base_url.resolve(&headers)))
}

/// `PATCH /Users/{id}` (RFC 7644 section 3.5.2): 200 with the resource.
pub async fn patch_user(
    State(s): State<AppState>,
    headers: HeaderMap,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ScimJson(body): ScimJson,
) -> Result<Response, ApiError> {
    let if_match = entity_tags(&headers, header::IF_MATCH)?;
    let user = s.bridge.patch_user_if(&ctx, &id, body, if_match).await?;
    Ok(written(&user, &s.base_url.resolve(&headers)))
}

/// `DELETE /Users/{id}` (RFC 7644 section 3.6): 204 under the configured policy.
pub async fn delete_user(
    State(s): State<AppState>,
    headers: HeaderMap,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let if_match = entity_tags(&headers, header::IF_MATCH)?;
    s.bridge.delete_user_if(&ctx, &id, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}
