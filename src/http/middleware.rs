//! Request middleware: authentication, the overall timeout, and logging each failure once.

use super::AppState;
use super::auth::bearer_token;
use super::error::{ApiError, LoggedFailure};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// Rejects a request without a valid bearer token with 401 and a SCIM Error body.
pub async fn require_auth(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let client = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .and_then(|token| state.tokens.verify(token));
    match client {
        Some(client) => {
            req.extensions_mut().insert(client);
            next.run(req).await
        }
        None => ApiError::unauthorized().into_response(),
    }
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
