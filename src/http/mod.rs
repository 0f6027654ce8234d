//! The HTTP surface: router, middleware, authentication and the SCIM handlers.

pub mod allow_list;
pub mod auth;
pub mod auth_policy;
pub mod base_url;
mod connections;
pub mod error;
mod extract;
mod handlers;
pub mod jwt;
mod jwt_keys;
pub mod metrics;
mod middleware;
mod normalize;
mod parse_errors;
mod router;
pub mod server;

pub use router::{Mount, ROUTES, Route, Verb, build_router};

use crate::bridge::Bridge;
use crate::bridge::readiness::ReadinessCache;
use crate::config::Config;
use auth_policy::Authenticator;
use base_url::BaseUrlPolicy;
use std::sync::Arc;

/// Everything a request handler may use, shared by all requests (reached through [`AppState`]).
pub struct SharedState {
    /// The validated configuration.
    pub config: Config,
    /// Accepted IdP credentials and addresses, replaced on SIGHUP.
    pub auth: Arc<Authenticator>,
    /// How response URLs are built.
    pub base_url: BaseUrlPolicy,
    /// SCIM <-> Dropbox, and the readiness check.
    pub bridge: Bridge,
    /// The last readiness result, so that `/readyz` never calls Dropbox per probe.
    pub readiness: Arc<ReadinessCache>,
}

/// Cheap-to-clone handle to [`SharedState`], used as axum state.
#[derive(Clone)]
pub struct AppState(pub Arc<SharedState>);

impl AppState {
    /// Assembles the state from its parts.
    pub fn new(config: Config, bridge: Bridge, auth: Arc<Authenticator>) -> Self {
        let base_url = BaseUrlPolicy {
            public_base_url: config.http.public_base_url.clone(),
            trust_forwarded: config.http.trust_forwarded_headers,
            prefix: if config.http.path_prefix == "/" {
                String::new()
            } else {
                config.http.path_prefix.clone()
            },
            allowed_hosts: config
                .http
                .allowed_hosts
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
        };
        let readiness = Arc::new(ReadinessCache::new(std::time::Duration::from_secs(
            config.http.readiness_cache_secs,
        )));
        Self(Arc::new(SharedState {
            config,
            auth,
            base_url,
            bridge,
            readiness,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = SharedState;
    fn deref(&self) -> &SharedState {
        &self.0
    }
}
