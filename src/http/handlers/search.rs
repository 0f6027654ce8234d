//! `POST /.search` at the service root (RFC 7644 section 3.4.3): one query over Users and Groups.

use super::{list_body, projected};
use crate::bridge::SearchHit;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::extract::ScimJson;
use crate::scim::list::ListQuery;
use crate::scim::schema::{group_schema, user_schema};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

/// Runs the query against both resource types; the bridge merges and pages (users first).
pub async fn search_all(
    State(s): State<AppState>,
    headers: HeaderMap,
    ScimJson(body): ScimJson,
) -> Result<Response, ApiError> {
    let query = ListQuery::from_search_body(&body, s.bridge.page_size())?;
    let base = s.base_url.resolve(&headers);
    let page = s.bridge.search_all(&query).await?;
    let items = page
        .items
        .iter()
        .map(|hit| match hit {
            SearchHit::User(u) => projected(u.to_json(&base), user_schema(), &query),
            SearchHit::Group(g) => projected(g.to_json(&base), group_schema(), &query),
        })
        .collect();
    Ok(list_body(items, page.total, page.start_index))
}
