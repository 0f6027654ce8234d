//! `GET /metrics`: the Prometheus text format, on the main address or on an address of its own
//! (`[metrics]`), behind the metrics token when one is configured.

use super::auth::bearer_token;
use crate::bridge::Bridge;
use crate::config::MetricsConfig;
use crate::telemetry::metrics::{CONTENT_TYPE, StoreGauges, render};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// What `/metrics` needs: the bridge (for the store's gauges) and who may read it.
#[derive(Clone)]
struct MetricsState {
    bridge: Bridge,
    access: MetricsConfig,
}

/// The `/metrics` route, for the main router or a listener of its own.
pub fn metrics_routes<S: Clone + Send + Sync + 'static>(
    bridge: Bridge,
    access: MetricsConfig,
) -> Router<S> {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(MetricsState { bridge, access })
}

async fn metrics(State(state): State<MetricsState>, headers: HeaderMap) -> Response {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token);
    if !state.access.allows(presented) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "a valid metrics token is required\n",
        )
            .into_response();
    }
    let gauges = match state.bridge.store_gauges().await {
        Ok(gauges) => gauges,
        Err(e) => {
            // The process's own counters are still worth a scrape; the gauges are left out.
            tracing::warn!(error = %e, "metrics: could not read the store's gauges");
            StoreGauges::default()
        }
    };
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], render(&gauges)).into_response()
}
