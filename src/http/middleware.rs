//! Request middleware: the host check, authentication, the overall timeout, SCIM bodies on every error,
//! and logging each failure once.

use super::AppState;
use super::auth_policy::AccessRequest;
use super::error::{ApiError, LoggedFailure, SCIM_CONTENT_TYPE};
use crate::scim::error::ScimError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// Refuses a request from outside `auth.allow_list` (403), without a valid bearer token or JWT (401),
/// or writing with a read-only token (403), with a SCIM Error body (see [`super::auth_policy`]).
pub async fn require_auth(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let access = AccessRequest::of(&req);
    match state.auth.authenticate(&access).await {
        Ok(client) => {
            req.extensions_mut().insert(client);
            next.run(req).await
        }
        Err(refusal) => refusal.into_response(),
    }
}

/// Rejects a SCIM request whose host is not in `http.allowed_hosts` with 400, before it is used in any URL.
pub async fn check_host(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.base_url.host_allowed(req.headers()) {
        next.run(req).await
    } else {
        ApiError::from(ScimError::invalid_value(
            "this bridge does not serve the requested host (http.allowed_hosts)",
        ))
        .into_response()
    }
}

/// Gives every error response that is not SCIM yet (axum's own rejections: an undecodable path, a
/// method on a probe) a SCIM Error body of the same status (RFC 7644 section 3.12), keeping its headers.
pub async fn scim_error_bodies(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_scim = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|ct| ct.as_bytes().starts_with(SCIM_CONTENT_TYPE.as_bytes()));
    if status.as_u16() < 400 || is_scim {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let detail = match status {
        StatusCode::BAD_REQUEST => {
            "the request could not be read: check the path, query and headers"
        }
        StatusCode::NOT_FOUND => "no such SCIM endpoint",
        StatusCode::METHOD_NOT_ALLOWED => "this method is not supported on this endpoint",
        _ => status.canonical_reason().unwrap_or("the request failed"),
    };
    let body = ScimError::new(status.as_u16(), None, detail)
        .to_json()
        .to_string();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(SCIM_CONTENT_TYPE),
    );
    Response::from_parts(parts, Body::from(body))
}

/// Answers 503 with a SCIM error when a request runs longer than `http.request_timeout_secs`.
pub async fn timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = Duration::from_secs(state.config.http.request_timeout_secs);
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::timeout().into_response(),
    }
}

/// Writes one log line per failed request (5xx or with an internal cause); handlers never log errors.
pub async fn log_failures(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    // Paths carry SCIM ids (Dropbox member ids), never names or e-mails; the query may, so it is left out.
    let path = req.uri().path().to_owned();
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let response = next.run(req).await;
    if let Some(LoggedFailure(err)) = response.extensions().get::<LoggedFailure>() {
        tracing::error!(
            request_id = %request_id,
            http.method = %method,
            http.path = %path,
            http.status = err.scim.status,
            cause = err.internal.as_deref().unwrap_or("-"),
            "request failed"
        );
    }
    response
}
