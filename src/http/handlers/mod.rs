//! Thin handlers: parse, call the bridge, render. No mapping or Dropbox code lives here.

pub mod discovery;
pub mod groups;
pub mod probes;
pub mod search;
pub mod status;
mod status_page;
pub mod users;

use super::error::{ApiError, SCIM_CONTENT_TYPE};
use super::extract::QueryPairs;
use crate::scim::etag::EntityTags;
use crate::scim::list::{ListQuery, ListResponse};
use crate::scim::projection::project;
use crate::scim::schema::ResourceSchema;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// A SCIM JSON response with the SCIM media type.
pub fn scim_json(status: StatusCode, body: &Value) -> Response {
    // `to_vec` writes bytes directly; `to_string` goes through the formatting machinery.
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(SCIM_CONTENT_TYPE),
    );
    response
}

/// 201 with `Location` equal to the resource's `meta.location`.
pub fn created(body: &Value) -> Response {
    let mut response = scim_json(StatusCode::CREATED, body);
    if let Some(loc) = body
        .pointer("/meta/location")
        .and_then(Value::as_str)
        .and_then(|l| HeaderValue::from_str(l).ok())
    {
        response.headers_mut().insert(header::LOCATION, loc);
    }
    response
}

/// The list parameters of a query string (RFC 7644 section 3.4.2).
pub fn query_of(pairs: &QueryPairs, page_size: usize) -> Result<ListQuery, ApiError> {
    Ok(ListQuery::from_pairs(
        pairs.0.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        page_size,
    )?)
}

/// Applies `attributes` / `excludedAttributes` to a rendered resource.
pub fn projected(mut json: Value, schema: &ResourceSchema, query: &ListQuery) -> Value {
    project(
        &mut json,
        schema,
        &query.attributes,
        &query.excluded_attributes,
    );
    json
}

/// A ListResponse page as the SCIM response.
pub fn list_body(resources: Vec<Value>, total: usize, start_index: usize) -> Response {
    let body = ListResponse {
        total_results: total,
        start_index,
        resources,
    };
    scim_json(StatusCode::OK, &body.into_json())
}

/// The `If-Match` or `If-None-Match` list of a request, if sent; a malformed one is 400.
pub fn entity_tags(
    headers: &HeaderMap,
    name: header::HeaderName,
) -> Result<Option<EntityTags>, ApiError> {
    let Some(value) = headers.get(&name) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| {
        crate::scim::ScimError::invalid_value(format!("{name} must be visible ASCII"))
    })?;
    Ok(Some(EntityTags::parse(text, name.as_str())?))
}

/// A single-resource response with the `ETag` header of its `meta.version` (RFC 7644 section 3.14).
pub fn with_etag(mut response: Response, version: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(version) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

/// The answer to a GET whose `If-None-Match` names the current version: 304 with the `ETag`, no body.
pub fn not_modified(version: &str) -> Response {
    with_etag(StatusCode::NOT_MODIFIED.into_response(), version)
}

/// Keeps `meta.version` in a projected single resource that is answered with an `ETag`: the header and
/// the body then agree, and clients that copy the ETag into `meta` find one to fill.
pub fn keep_version(mut body: Value, version: &str) -> Value {
    if let Some(o) = body.as_object_mut() {
        let meta = o
            .entry("meta")
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
        if let Some(m) = meta.as_object_mut() {
            m.insert("version".into(), Value::String(version.to_owned()));
        }
    }
    body
}
