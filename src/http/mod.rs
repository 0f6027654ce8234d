//! The HTTP surface: router, middleware, authentication and the SCIM handlers.

pub mod auth;
pub mod base_url;
pub mod error;
mod extract;
mod handlers;
mod middleware;
mod router;

pub use router::build_router;

use crate::bridge::Bridge;
use crate::config::Config;
use crate::store::Store;
use auth::TokenSet;
use base_url::BaseUrlPolicy;
use std::sync::Arc;

/// Everything a request handler may use, shared by all requests.
pub struct App {
    /// The validated configuration.
    pub config: Config,
    /// Accepted IdP tokens.
    pub tokens: TokenSet,
    /// How response URLs are built.
    pub base_url: BaseUrlPolicy,
    /// SCIM <-> Dropbox.
    pub bridge: Bridge,
    /// The bridge's database (readiness, audit).
    pub store: Store,
}

/// Cheap-to-clone handle to [`App`], used as axum state.
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl AppState {
    /// Assembles the state from its parts.
    pub fn new(config: Config, bridge: Bridge, store: Store) -> Self {
        let tokens = TokenSet::from_config(&config.auth);
        let base_url = BaseUrlPolicy {
            public_base_url: config.http.public_base_url.clone(),
            trust_forwarded: config.http.trust_forwarded_headers,
            prefix: if config.http.path_prefix == "/" {
                String::new()
            } else {
                config.http.path_prefix.clone()
            },
        };
        Self(Arc::new(App {
            config,
            tokens,
            base_url,
            bridge,
            store,
        }))
    }
}

impl AppState {
    /// Starts the background workers (deferred removals, job follow-up) for this process.
    pub fn start_background_work(&self) -> crate::jobs::Workers {
        crate::jobs::Workers::start(self.0.bridge.clone(), self.0.store.clone())
    }
}

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}
