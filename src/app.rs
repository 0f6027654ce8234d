//! Start-up: build the application from config (store, Dropbox client, bridge, router), bind, serve with
//! the background workers running, stop.

use crate::bridge::{Bridge, BridgeSettings};
use crate::config::Config;
use crate::dropbox::DropboxClient;
use crate::http::auth_policy::{AuthPolicy, Authenticator};
use crate::http::server::ServerLimits;
use crate::http::{AppState, build_router};
use crate::jobs::Workers;
use crate::store::Store;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;

/// A built application with its bound listener, ready to serve.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    prefix: String,
    limits: ServerLimits,
    /// Kept for the background workers, which start with serving.
    bridge: Bridge,
    store: Store,
    /// The IdP credentials in force, and the config file to reload them from on SIGHUP (when asked).
    auth: Arc<Authenticator>,
    reload_from: Option<Option<PathBuf>>,
}

impl Application {
    /// Connects the store, wires the bridge and binds `config.listen` (port 0 picks a free port).
    pub async fn build(config: Config, dropbox: DropboxClient) -> anyhow::Result<Self> {
        let store = Store::connect(&config.store.url).await?;
        if store.advisory_locks().is_some() {
            // Replicas on PostgreSQL spend one team budget, kept in the database.
            let budget = config.dropbox.rate_budget.clone();
            dropbox.share_budget(crate::store::StoreBucket::new(store.clone(), budget));
        }
        let bridge = Bridge::new(dropbox, store.clone(), BridgeSettings::from_config(&config));
        let listener = TcpListener::bind(config.listen).await.map_err(|e| {
            anyhow::anyhow!(
                "cannot listen on {}: {e} (set SCIM_BRIDGE_LISTEN)",
                config.listen
            )
        })?;
        check_public_origin(&config)?;
        let prefix = config.http.path_prefix.clone();
        let limits = ServerLimits::from_config(&config.http);
        let policy = AuthPolicy::from_config(&config).map_err(anyhow::Error::msg)?;
        let auth = Arc::new(Authenticator::new(policy));
        let router = build_router(AppState::new(config, bridge.clone(), Arc::clone(&auth)));
        Ok(Self {
            listener,
            router,
            prefix,
            limits,
            bridge,
            store,
            auth,
            reload_from: None,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// The bridge this application serves (for `/metrics` on its own address and the start-up line).
    pub fn bridge(&self) -> &Bridge {
        &self.bridge
    }

    /// The SCIM path prefix, e.g. `/scim/v2`.
    pub fn path_prefix(&self) -> &str {
        &self.prefix
    }

    /// Re-reads the IdP credentials from `config` (and the environment) on every SIGHUP while serving.
    pub fn reload_on_sighup(mut self, config: Option<PathBuf>) -> Self {
        self.reload_from = Some(config);
        self
    }

    /// Serves until SIGINT/SIGTERM; in-flight requests finish, background work stops at a safe point.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` resolves (tests use this instead of signals).
    pub async fn run_until(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let reloads = match self.reload_from {
            Some(path) => Some(crate::reload::watch_sighup(self.auth, path)?),
            None => None,
        };
        let workers = Workers::start(self.bridge, self.store);
        crate::http::server::serve(self.listener, self.router, self.limits, stop).await;
        workers.stop().await;
        if let Some(reloads) = reloads {
            reloads.abort();
        }
        Ok(())
    }
}

/// Refuses to start a bridge that would build response URLs from whatever `Host` a client sends.
///
/// Without `http.public_base_url` or `http.allowed_hosts`, `Location` and `meta.location` echo the
/// request's host. That is only acceptable for a bridge on loopback talking to an emulator (demo, tests):
/// one that listens beyond loopback, or talks to the real Dropbox API, needs one of the two.
fn check_public_origin(config: &Config) -> anyhow::Result<()> {
    let http = &config.http;
    if http.public_base_url.is_some() || !http.allowed_hosts.is_empty() {
        return Ok(());
    }
    let real_dropbox = url::Url::parse(&config.dropbox.base_url)
        .ok()
        .and_then(|u| u.host_str().map(|h| h.ends_with("dropboxapi.com")))
        .unwrap_or(true);
    if config.listen.ip().is_loopback() && !real_dropbox {
        return Ok(());
    }
    anyhow::bail!(
        "set http.public_base_url (e.g. https://scim.example.com) or http.allowed_hosts: without either, \
         response URLs would echo whatever Host header a client sends"
    )
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
