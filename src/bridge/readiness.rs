//! Readiness: whether the bridge can serve requests, i.e. its store answers and Dropbox accepts its
//! credentials. `GET /readyz` asks [`ReadinessCache`], which asks this at most once per maximum age.

use super::Bridge;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Why the bridge is not ready to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotReady {
    /// The store did not answer a trivial query.
    StoreUnreachable,
    /// Dropbox could not be reached or failed (transport, 5xx, rate limit).
    DropboxUnreachable,
    /// Dropbox answered and refused the bridge's credentials (401, 403, refused token refresh).
    CredentialsRefused,
}

impl NotReady {
    /// A short reason, safe to show to anyone (no detail of the underlying failure).
    pub fn reason(self) -> &'static str {
        match self {
            Self::StoreUnreachable => "store unreachable",
            Self::DropboxUnreachable => "dropbox unreachable",
            Self::CredentialsRefused => "dropbox refused the credentials",
        }
    }
}

impl Bridge {
    /// Checks the store first, then Dropbox (`team/get_info`); the first failure is the answer.
    pub async fn readiness(&self) -> Result<(), NotReady> {
        if self.store().ping().await.is_err() {
            return Err(NotReady::StoreUnreachable);
        }
        if let Err(e) = self.dropbox().team_get_info().await {
            return Err(if e.is_credentials_refused() {
                NotReady::CredentialsRefused
            } else {
                NotReady::DropboxUnreachable
            });
        }
        Ok(())
    }
}

/// The last readiness result and when it was taken. `/readyz` needs no token, so a probe must never
/// cost a Dropbox call: the first probe checks, later ones get the cached result, and a result older
/// than the maximum age is refreshed by one background task while probes keep getting the old one.
pub struct ReadinessCache {
    max_age: Duration,
    state: Mutex<CacheState>,
    /// Held while the very first check runs, so that concurrent first probes share it.
    first: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct CacheState {
    last: Option<(Instant, Result<(), NotReady>)>,
    refreshing: bool,
}

impl ReadinessCache {
    /// An empty cache whose results are refreshed once older than `max_age`.
    pub fn new(max_age: Duration) -> Self {
        Self {
            max_age,
            state: Mutex::new(CacheState::default()),
            first: tokio::sync::Mutex::new(()),
        }
    }

    /// The cached readiness, checking only when nothing is cached yet; a stale result starts a refresh.
    pub async fn check(self: &Arc<Self>, bridge: &Bridge) -> Result<(), NotReady> {
        if let Some(result) = self.cached(bridge) {
            return result;
        }
        let _first = self.first.lock().await;
        if let Some(result) = self.cached(bridge) {
            return result;
        }
        let result = bridge.readiness().await;
        self.lock().last = Some((Instant::now(), result));
        result
    }

    fn cached(self: &Arc<Self>, bridge: &Bridge) -> Option<Result<(), NotReady>> {
        let mut state = self.lock();
        let (at, result) = state.last?;
        if at.elapsed() >= self.max_age && !state.refreshing {
            state.refreshing = true;
            let (cache, bridge) = (Arc::clone(self), bridge.clone());
            tokio::spawn(async move {
                let result = bridge.readiness().await;
                let mut state = cache.lock();
                state.last = Some((Instant::now(), result));
                state.refreshing = false;
            });
        }
        Some(result)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheState> {
        // The state is two plain values, consistent even if a holder panicked.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}
