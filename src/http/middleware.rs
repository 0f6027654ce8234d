//! Request middleware: the host check, authentication, the overall timeout, SCIM bodies on every error,
//! one log line and the metrics of every request, and logging each failure's cause once.

use super::AppState;
use super::auth::AuthenticatedClient;
use super::auth_policy::AccessRequest;
use super::error::{ApiError, LoggedFailure, SCIM_CONTENT_TYPE};
use crate::scim::error::ScimError;
use crate::telemetry::metrics;
use crate::telemetry::request::{self, RequestStats};
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::{Duration, Instant};

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

/// Routes that are asked all the time by machines and tell nothing about SCIM: no log line, no metrics.
const UNLOGGED_ROUTES: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The route template a request matched (`/scim/v2/Users/{id}`), or `unmatched`: never the raw path,
/// which can hold whatever an IdP put in an id (an e-mail), nor the query.
fn route_template(req: &Request) -> String {
    req.extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str())
        // A path that matches nothing under the SCIM prefix matches the prefix's own catch-all.
        .filter(|p| !p.contains("__private__"))
        .unwrap_or("unmatched")
        .to_owned()
}

/// Writes one INFO line per request (the probes and `/metrics` aside) and counts it in the metrics:
/// request id, client, method, route template, status, latency, and the Dropbox calls it made.
pub async fn log_requests(req: Request, next: Next) -> Response {
    let route = route_template(&req);
    if UNLOGGED_ROUTES.contains(&route.as_str()) {
        return next.run(req).await;
    }
    let method = req.method().clone();
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let stats = Arc::new(RequestStats::default());
    let started = Instant::now();
    let response = stats.scope(next.run(req)).await;
    let latency = started.elapsed();
    let status = response.status().as_u16();
    let seen = stats.summary();
    metrics::record_request(&route, method.as_str(), status, latency);
    tracing::info!(
        request_id = %request_id,
        client = %seen.client.as_deref().unwrap_or("-"),
        method = %method,
        route = %route,
        status,
        latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
        dropbox_calls = seen.dropbox_calls,
        dropbox_retries = seen.dropbox_retries,
        dropbox_429s = seen.dropbox_rate_limited,
        "request"
    );
    response
}

/// The longest request id a client may choose.
const MAX_CLIENT_REQUEST_ID: usize = 128;

/// Drops a client's `X-Request-Id` that is too long or holds anything but letters, digits and `-_.:`
/// (an e-mail, say), so that a fresh one is made: request ids go into every log line and audit record.
pub async fn drop_unsafe_request_id(mut req: Request, next: Next) -> Response {
    let safe = |v: &HeaderValue| {
        let bytes = v.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= MAX_CLIENT_REQUEST_ID
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
    };
    if req.headers().get("x-request-id").is_some_and(|v| !safe(v)) {
        req.headers_mut().remove("x-request-id");
    }
    next.run(req).await
}

/// Names the authenticated client in the current request's log line; runs just inside `require_auth`.
pub async fn note_client(req: Request, next: Next) -> Response {
    if let Some(client) = req.extensions().get::<AuthenticatedClient>() {
        request::note_client(&client.0);
    }
    next.run(req).await
}

/// Writes one log line per failed request (5xx or with an internal cause); handlers never log errors.
pub async fn log_failures(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    // The route template, not the path (an id can be anything an IdP sends) nor the query (filters).
    let route = route_template(&req);
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
            http.route = %route,
            http.status = err.scim.status,
            cause = err.internal.as_deref().unwrap_or("-"),
            "request failed"
        );
    }
    response
}
