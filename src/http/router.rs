//! The one route table ([`ROUTES`]): every SCIM route behind authentication, plus the unauthenticated
//! probes. The router is built from it, and `openapi/scim.yaml` is checked against it.

use super::AppState;
use super::error::ApiError;
use super::handlers::{discovery, groups, probes, search, status, users};
use super::metrics::metrics_routes;
use super::{middleware, normalize};
use crate::config::MetricsPlace;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath};
use axum::http::{HeaderName, Method};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{MethodFilter, MethodRouter, on};
use tower::Layer;
use tower::util::MapRequestLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnFailure, TraceLayer};

/// Where a route is mounted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mount {
    /// Under `http.path_prefix`, behind the host check and bearer authentication.
    Scim,
    /// At the root, unauthenticated (the probes).
    Root,
}

/// The method a route answers (a GET route answers HEAD too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// GET (and HEAD).
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
}

impl Verb {
    /// The HTTP method.
    pub fn method(self) -> Method {
        match self {
            Get => Method::GET,
            Post => Method::POST,
            Put => Method::PUT,
            Patch => Method::PATCH,
            Delete => Method::DELETE,
        }
    }

    fn filter(self) -> MethodFilter {
        match self {
            Get => MethodFilter::GET,
            Post => MethodFilter::POST,
            Put => MethodFilter::PUT,
            Patch => MethodFilter::PATCH,
            Delete => MethodFilter::DELETE,
        }
    }
}

/// One served route: where, which method, which path template, and its handler.
pub struct Route {
    /// Where it is mounted.
    pub mount: Mount,
    /// Its method.
    pub verb: Verb,
    /// The path template, relative to the prefix for [`Mount::Scim`] (`/Users/{id}`).
    pub path: &'static str,
    handler: fn(MethodFilter) -> MethodRouter<AppState>,
}

const fn scim(
    verb: Verb,
    path: &'static str,
    handler: fn(MethodFilter) -> MethodRouter<AppState>,
) -> Route {
    Route {
        mount: Mount::Scim,
        verb,
        path,
        handler,
    }
}

const fn root(
    verb: Verb,
    path: &'static str,
    handler: fn(MethodFilter) -> MethodRouter<AppState>,
) -> Route {
    Route {
        mount: Mount::Root,
        verb,
        path,
        handler,
    }
}

use Verb::{Delete, Get, Patch, Post, Put};

/// Every route the bridge serves; nothing else is routed.
pub const ROUTES: &[Route] = &[
    scim(Get, "/ServiceProviderConfig", |m| {
        on(m, discovery::service_provider_config)
    }),
    scim(Get, "/ResourceTypes", |m| on(m, discovery::resource_types)),
    scim(Get, "/ResourceTypes/{name}", |m| {
        on(m, discovery::resource_type)
    }),
    scim(Get, "/Schemas", |m| on(m, discovery::schemas)),
    scim(Get, "/Schemas/{id}", |m| on(m, discovery::schema)),
    scim(Post, "/.search", |m| on(m, search::search_all)),
    scim(Get, "/Users", |m| on(m, users::list_users)),
    scim(Post, "/Users", |m| on(m, users::create_user)),
    scim(Post, "/Users/.search", |m| on(m, users::search_users)),
    scim(Get, "/Users/{id}", |m| on(m, users::get_user)),
    scim(Put, "/Users/{id}", |m| on(m, users::replace_user)),
    scim(Patch, "/Users/{id}", |m| on(m, users::patch_user)),
    scim(Delete, "/Users/{id}", |m| on(m, users::delete_user)),
    scim(Get, "/Groups", |m| on(m, groups::list_groups)),
    scim(Post, "/Groups", |m| on(m, groups::create_group)),
    scim(Post, "/Groups/.search", |m| on(m, groups::search_groups)),
    scim(Get, "/Groups/{id}", |m| on(m, groups::get_group)),
    scim(Put, "/Groups/{id}", |m| on(m, groups::replace_group)),
    scim(Patch, "/Groups/{id}", |m| on(m, groups::patch_group)),
    scim(Delete, "/Groups/{id}", |m| on(m, groups::delete_group)),
    root(Get, "/healthz", |m| on(m, probes::healthz)),
    root(Get, "/readyz", |m| on(m, probes::readyz)),
];

/// The routes of `mount` added to `router` (several methods on one path are merged).
fn mounted(mut router: Router<AppState>, mount: Mount) -> Router<AppState> {
    for route in ROUTES.iter().filter(|r| r.mount == mount) {
        router = router.route(route.path, (route.handler)(route.verb.filter()));
    }
    router
}

/// Builds the application router: SCIM under the configured prefix, plus `/healthz` and `/readyz`, and
/// `/metrics` when `[metrics]` puts it on the main address.
/// Paths are normalised before routing (`src/http/normalize.rs`): endpoint names ignore case and a
/// trailing slash.
pub fn build_router(state: AppState) -> Router {
    let prefix = state.base_url.prefix.clone();
    let scim = mounted(Router::new(), Mount::Scim)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn(middleware::note_client))
        .layer(from_fn_with_state(state.clone(), middleware::require_auth))
        .layer(from_fn_with_state(state.clone(), middleware::check_host));
    let app = if prefix.is_empty() {
        scim
    } else {
        Router::new().nest(&prefix, scim)
    };
    let app = match state.config.metrics.place() {
        MetricsPlace::MainAddress => app.merge(metrics_routes(
            state.bridge.clone(),
            state.config.metrics.clone(),
        )),
        MetricsPlace::Off | MetricsPlace::Own(_) => app,
    };
    let request_id = HeaderName::from_static("x-request-id");
    let app = mounted(app, Mount::Root)
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
                    // The route template only: ids and queries can hold e-mails.
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or("unmatched", MatchedPath::as_str);
                    tracing::info_span!("request", request_id = %id, method = %req.method(), route = %route)
                })
                .on_failure(DefaultOnFailure::new().level(tracing::Level::DEBUG)),
        )
        .layer(from_fn(middleware::log_requests))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(from_fn(middleware::drop_unsafe_request_id))
        .with_state(state);
    // Wrapped, not layered: a `Router::layer` runs after routing, too late to change the path.
    let templates = ROUTES
        .iter()
        .filter(|r| r.mount == Mount::Scim)
        .map(|r| r.path)
        .collect();
    Router::new()
        .fallback_service(MapRequestLayer::new(normalize::rewriter(prefix, templates)).layer(app))
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
