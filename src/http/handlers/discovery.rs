//! Discovery endpoints (RFC 7644 section 4): what this bridge supports, exactly.

use super::scim_json;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::scim::error::ScimError;
use crate::scim::schema::{
    Capabilities, DROPBOX_URN, hide_dropbox_extension, resource_type_json, resource_types_json,
    schema_json, schemas_json, service_provider_config_json,
};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

/// `GET /ServiceProviderConfig`.
pub async fn service_provider_config(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let caps = Capabilities {
        patch: true,
        filter_max_results: s.bridge.page_size(),
        sort: false,
        etag: true,
        bulk: false,
        change_password: false,
    };
    scim_json(
        StatusCode::OK,
        &service_provider_config_json(&s.base_url.resolve(&headers), &caps),
    )
}

/// `GET /ResourceTypes` (a ListResponse).
pub async fn resource_types(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let doc = resource_types_json(&s.base_url.resolve(&headers));
    scim_json(StatusCode::OK, &advertised(&s, doc))
}

/// `doc` as this bridge advertises it: without the Dropbox extension unless space limits are on.
fn advertised(s: &AppState, mut doc: serde_json::Value) -> serde_json::Value {
    if !s.bridge.space_limits_enabled() {
        hide_dropbox_extension(&mut doc);
    }
    doc
}

/// `GET /ResourceTypes/{name}`.
pub async fn resource_type(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    resource_type_json(&s.base_url.resolve(&headers), &name)
        .map(|v| scim_json(StatusCode::OK, &advertised(&s, v)))
        .ok_or_else(|| ScimError::not_found(format!("no resource type {name}")).into())
}

/// `GET /Schemas` (a ListResponse).
pub async fn schemas(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let doc = schemas_json(&s.base_url.resolve(&headers));
    scim_json(StatusCode::OK, &advertised(&s, doc))
}

/// `GET /Schemas/{id}`.
pub async fn schema(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let hidden = !s.bridge.space_limits_enabled() && id.eq_ignore_ascii_case(DROPBOX_URN);
    schema_json(&s.base_url.resolve(&headers), &id)
        .filter(|_| !hidden)
        .map(|v| scim_json(StatusCode::OK, &v))
        .ok_or_else(|| ScimError::not_found(format!("no schema {id}")).into())
}
