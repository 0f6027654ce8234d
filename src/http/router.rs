//! The one route table: every SCIM route behind authentication, plus the unauthenticated probes.

use super::AppState;
use super::error::ApiError;
use super::handlers::{discovery, groups, probes, search, status, users};
use super::middleware;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Method};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnFailure, TraceLayer};

/// Builds the application router: SCIM under the configured prefix, plus `/healthz` and `/readyz`.
pub fn build_router(state: AppState) -> Router {
    let prefix = state.base_url.prefix.clone();
    let scim = Router::new()
        .route(
            "/ServiceProviderConfig",
            get(discovery::service_provider_config),
        )
        .route("/ResourceTypes", get(discovery::resource_types))
        .route("/ResourceTypes/{name}", get(discovery::resource_type))
        .route("/Schemas", get(discovery::schemas))
        .route("/Schemas/{id}", get(discovery::schema))
        .route("/.search", post(search::search_all))
        .route("/Users", get(users::list_users).post(users::create_user))
        .route("/Users/.search", post(users::search_users))
        .route(
            "/Users/{id}",
            get(users::get_user)
                .put(users::replace_user)
                .patch(users::patch_user)
                .delete(users::delete_user),
        )
        .route(
            "/Groups",
            get(groups::list_groups).post(groups::create_group),
        )
        .route("/Groups/.search", post(groups::search_groups))
        .route(
            "/Groups/{id}",
            get(groups::get_group)
                .put(groups::replace_group)
                .patch(groups::patch_group)
                .delete(groups::delete_group),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(state.clone(), middleware::require_auth))
        .layer(from_fn_with_state(state.clone(), middleware::check_host));
    let app = if prefix.is_empty() {
        scim
    } else {
        Router::new().nest(&prefix, scim)
    };
    let request_id = HeaderName::from_static("x-request-id");
    app.route("/healthz", get(probes::healthz))
        .route("/readyz", get(probes::readyz))
        // The operator's status page: its own token, 404 unless `[status]` is configured.
        .merge(status::routes())
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), middleware::timeout))
        .layer(DefaultBodyLimit::max(state.config.http.body_limit_bytes))
        .layer(from_fn(middleware::scim_error_bodies))
        .layer(from_fn(middleware::log_failures))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    // Method and path only: queries can hold filter values (e-mails).
                    tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
                })
                .on_failure(DefaultOnFailure::new().level(tracing::Level::DEBUG)),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

async fn not_found() -> ApiError {
    crate::scim::error::ScimError::not_found("no such SCIM endpoint").into()
}

async fn method_not_allowed(method: Method) -> ApiError {
    crate::scim::error::ScimError::method_not_allowed(format!(
        "{method} is not supported on this endpoint"
    ))
    .into()
}
