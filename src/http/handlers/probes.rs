//! Probes for orchestrators: liveness and readiness (not SCIM, no authentication, no data).

use crate::http::AppState;
use crate::http::error::SCIM_CONTENT_TYPE;
use crate::scim::error::ScimError;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// `GET /healthz`: the process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: the store answers and Dropbox accepts the bridge's credentials, as last checked
/// (at most `http.readiness_cache_secs` ago, refreshed in the background).
/// Not-ready is a SCIM error body like every error, but not logged as a failed request per probe.
pub async fn readyz(State(s): State<AppState>) -> Response {
    match s.readiness.check(&s.bridge).await {
        Ok(()) => "ready".into_response(),
        Err(not_ready) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, SCIM_CONTENT_TYPE)],
            ScimError::new(503, None, not_ready.reason())
                .to_json()
                .to_string(),
        )
            .into_response(),
    }
}
