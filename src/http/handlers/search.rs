//! `POST /.search` at the service root (RFC 7644 section 3.4.3): one query over Users and Groups.

use super::discovery::MAX_RESULTS;
use super::{list_body, projected};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::extract::ScimJson;
use crate::scim::list::ListQuery;
use crate::scim::schema::{group_schema, user_schema};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

/// Runs the query against both resource types and pages over the combined results (users first).
pub async fn search_all(
    State(s): State<AppState>,
    headers: HeaderMap,
    ScimJson(body): ScimJson,
) -> Result<Response, ApiError> {
    let query = ListQuery::from_search_body(&body, MAX_RESULTS)?;
    let mut everything = query.clone();
    everything.start_index = 1;
    everything.count = Some(MAX_RESULTS);
    let base = s.base_url.resolve(&headers);
    let users = s.bridge.list_users(&everything).await?;
    let groups = s.bridge.list_groups(&everything, false).await?;
    let total = users.total + groups.total;
    let mut all: Vec<_> = users
        .items
        .iter()
        .map(|u| projected(u.to_json(&base), user_schema(), &query))
        .collect();
    all.extend(
        groups
            .items
            .iter()
            .map(|g| projected(g.to_json(&base), group_schema(), &query)),
    );
    let window = query.window(all.len(), MAX_RESULTS);
    let page = all
        .into_iter()
        .skip(window.start)
        .take(window.len())
        .collect();
    Ok(list_body(page, total, query.start_index.max(1)))
}
