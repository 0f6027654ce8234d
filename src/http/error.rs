//! `ApiError`: the one error type handlers return, rendered as an RFC 7644 section 3.12 SCIM Error body.

use crate::bridge::BridgeError;
use crate::scim::error::ScimError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// SCIM's media type, used on every response body.
pub const SCIM_CONTENT_TYPE: &str = "application/scim+json";

/// A failed request: the SCIM error the client sees, plus what the HTTP layer adds to it.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The SCIM error body.
    pub scim: ScimError,
    /// Seconds for a `Retry-After` header (429 and 503).
    pub retry_after: Option<u64>,
    /// A cause for the log line, never shown to the client.
    pub internal: Option<String>,
}

/// Put into response extensions so that the logging middleware writes a failure once, with its cause.
#[derive(Debug, Clone)]
pub struct LoggedFailure(pub Arc<ApiError>);

impl ApiError {
    /// 401 for a missing or wrong token.
    pub fn unauthorized() -> Self {
        Self::from(ScimError::unauthorized(
            "authentication required: send `Authorization: Bearer <token>` with a token configured for this bridge",
        ))
    }

    /// 503 after the request took longer than the configured timeout.
    pub fn timeout() -> Self {
        Self {
            scim: ScimError::unavailable("the request took too long; try again"),
            retry_after: Some(5),
            internal: Some("request timed out".into()),
        }
    }
}

impl From<ScimError> for ApiError {
    fn from(scim: ScimError) -> Self {
        Self {
            scim,
            retry_after: None,
            internal: None,
        }
    }
}

impl From<BridgeError> for ApiError {
    fn from(e: BridgeError) -> Self {
        let (scim, retry_after) = e.answer();
        Self {
            scim,
            retry_after,
            internal: e.log_cause(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.scim.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = self.scim.to_json().to_string();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(SCIM_CONTENT_TYPE),
        );
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"dropbox-scim-bridge\""),
            );
        }
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if status.is_server_error() || self.internal.is_some() {
            response
                .extensions_mut()
                .insert(LoggedFailure(Arc::new(self)));
        }
        response
    }
}
