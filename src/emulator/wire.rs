//! Wire shapes of Dropbox responses: 400 text, 401/409/429 JSON, request ids and content types.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Header carrying the per-response request id.
pub(crate) const REQUEST_ID: &str = "x-dropbox-request-id";

/// Every way an emulated call can fail.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum ApiError {
    /// 400 text/plain; the reason is prefixed with the API function name when rendered.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 401 with an AuthError union.
    #[error("auth error")]
    Auth(Value),
    /// 409 with the route error union.
    #[error("route error")]
    Route(Value),
    /// 404 unknown route.
    #[error("not found")]
    NotFound,
}

impl ApiError {
    /// A route error whose union member is void.
    pub fn tag(tag: &str) -> Self {
        ApiError::Route(json!({ ".tag": tag }))
    }

    /// A route error whose union member carries a primitive or list value under the tag key.
    pub fn tagged(tag: &str, value: Value) -> Self {
        ApiError::Route(json!({ ".tag": tag, tag: value }))
    }

    /// A 400 for an argument problem at `path`.
    pub fn arg(path: &str, msg: impl std::fmt::Display) -> Self {
        if path.is_empty() {
            ApiError::BadRequest(format!("request body: {msg}"))
        } else {
            ApiError::BadRequest(format!("request body: {path}: {msg}"))
        }
    }

    /// Renders the error for the API function `team/<route>`.
    pub fn into_response_for(self, route: &str) -> Response {
        match self {
            ApiError::BadRequest(reason) => text(
                StatusCode::BAD_REQUEST,
                format!("Error in call to API function \"team/{route}\": {reason}"),
            ),
            ApiError::Auth(err) => json_response(StatusCode::UNAUTHORIZED, &envelope(err)),
            ApiError::Route(err) => json_response(StatusCode::CONFLICT, &envelope(err)),
            ApiError::NotFound => text(StatusCode::NOT_FOUND, "Unknown API function".to_string()),
        }
    }
}

/// Builds `{"error_summary": "<tags>/..", "error": err}`.
pub(crate) fn envelope(err: Value) -> Value {
    json!({ "error_summary": summary(&err), "error": err })
}

/// Joins the nested `.tag`s of an error union the way Dropbox summaries look.
pub(crate) fn summary(err: &Value) -> String {
    let mut tags = Vec::new();
    let mut cur = err;
    while let Some(tag) = cur.get(".tag").and_then(Value::as_str) {
        tags.push(tag.to_string());
        match cur.get(tag) {
            Some(inner) if inner.is_object() => cur = inner,
            _ => break,
        }
    }
    format!("{}/..", tags.join("/"))
}

/// A text/plain response.
pub(crate) fn text(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

/// An application/json response.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// A fresh request id (32 hex chars, like Dropbox's).
pub(crate) fn new_request_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_summary_joins_nested_tags() {
        let err =
            json!({".tag": "access_error", "access_error": {".tag": "invalid_team_folder_id"}});
        assert_eq!(summary(&err), "access_error/invalid_team_folder_id/..");
        assert_eq!(
            summary(&json!({".tag": "user_not_found"})),
            "user_not_found/.."
        );
    }
}
