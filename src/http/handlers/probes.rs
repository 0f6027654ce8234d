//! Probes for orchestrators: liveness and readiness (not SCIM, no authentication, no data).

use crate::http::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// `GET /healthz`: the process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: the store answers and Dropbox accepts the bridge's credentials.
pub async fn readyz(State(s): State<AppState>) -> (StatusCode, &'static str) {
    match s.bridge.readiness().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(not_ready) => (StatusCode::SERVICE_UNAVAILABLE, not_ready.reason()),
    }
}
