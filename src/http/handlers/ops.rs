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
    if s.store.ping().await.is_err() {
        return (StatusCode::SERVICE_UNAVAILABLE, "store unreachable");
    }
    if s.bridge.dropbox_client().team_get_info().await.is_err() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "dropbox unreachable or credentials refused",
        );
    }
    (StatusCode::OK, "ready")
}
