//! The Dropbox Team API client: the official SDK types over our own reqwest HttpClient, with retries and token refresh.
//!
//! Everything outside this module talks to [`DropboxClient`] and sees [`DropboxError`]; the SDK's
//! own error type and transport trait stay in here, so spec churn stays in one place.

mod auth;
pub mod budget;
mod call_log;
pub mod email;
mod error;
mod http;
mod jobs;
mod redact;
pub mod retry;
mod routes_admin;
mod routes_groups;
mod routes_members;
pub mod scopes;
mod tls;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tracing::{Instrument, field};

use crate::config::{Config, ConfigError, RateBudgetConfig};

pub use auth::{Credentials, RefreshError};
pub use budget::{BudgetStatus, Priority, SharedBucket};
pub use call_log::{CallLog, RecordedCall};
pub use dropbox_sdk::types::dbx_async::{LaunchEmptyResult, PollArg, PollEmptyResult, PollError};
pub use dropbox_sdk::types::team;
pub use error::{DropboxError, ErrorKind, NoRouteError, union_tag};
pub use jobs::{JobStatus, PollPolicy, poll_job};
pub use redact::redact_emails;
pub use retry::RetryPolicy;

use auth::TokenSource;
use http::{CALL, CallRecord, Transport};

/// The default Dropbox API base URL (the SDK's hard-coded host).
pub const DEFAULT_BASE_URL: &str = "https://api.dropboxapi.com";

/// Everything needed to build a [`DropboxClient`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Scheme, host and optional path prefix that replace `https://api.dropboxapi.com`.
    pub base_url: String,
    /// How to authenticate.
    pub credentials: Credentials,
    /// Per-HTTP-request timeout (each attempt).
    pub timeout: Duration,
    /// Refresh this long before an access token expires (capped at half its lifetime).
    pub refresh_margin: Duration,
    /// Retries inside one call.
    pub retry: RetryPolicy,
    /// Polling of async jobs in the `*_wait` helpers.
    pub poll: PollPolicy,
    /// A PEM file of CAs trusted on top of the system and built-in roots (`dropbox.ca_bundle`).
    pub ca_bundle: Option<PathBuf>,
    /// The client-side budget of calls per minute (`dropbox.rate_budget`).
    pub rate_budget: RateBudgetConfig,
}

impl ClientConfig {
    /// A config for the real Dropbox API with default timeouts and policies.
    pub fn new(credentials: Credentials) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            credentials,
            timeout: Duration::from_secs(30),
            refresh_margin: Duration::from_secs(300),
            retry: RetryPolicy::default(),
            poll: PollPolicy::default(),
            ca_bundle: None,
            rate_budget: RateBudgetConfig::default(),
        }
    }
}

impl ClientConfig {
    /// Takes the base URL, credentials, timeout and longest retry wait from the `[dropbox]` section.
    pub fn from_config(config: &Config) -> Result<Self, ConfigError> {
        let d = &config.dropbox;
        let credentials = match (&d.access_token, &d.app_key, &d.app_secret, &d.refresh_token) {
            (Some(token), ..) => Credentials::AccessToken(token.clone()),
            (None, Some(key), Some(secret), Some(refresh)) => Credentials::Refresh {
                app_key: key.clone(),
                app_secret: secret.clone(),
                refresh_token: refresh.clone(),
            },
            (None, Some(key), None, Some(refresh)) => Credentials::PkceRefresh {
                app_key: key.clone(),
                refresh_token: refresh.clone(),
            },
            _ => {
                config.dropbox_credentials_complete()?;
                return Err(ConfigError::invalid(
                    "dropbox",
                    "incomplete Dropbox credentials",
                ));
            }
        };
        let mut client_config = ClientConfig::new(credentials);
        client_config.base_url = d.base_url.clone();
        client_config.timeout = Duration::from_secs(d.timeout_secs);
        client_config.retry.max_retry_wait = Duration::from_secs(d.max_retry_wait_secs);
        client_config.ca_bundle = d.ca_bundle.clone();
        client_config.rate_budget = d.rate_budget.clone();
        Ok(client_config)
    }
}

/// The Dropbox client could not be built from the configuration.
#[derive(Debug, thiserror::Error)]
pub enum FromConfigError {
    /// The `[dropbox]` credentials are incomplete.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The HTTP client could not be constructed.
    #[error(transparent)]
    Build(#[from] BuildError),
}

/// The HTTP client could not be constructed (unreadable CA bundle, TLS backend initialisation).
#[derive(Debug, thiserror::Error)]
#[error("could not build the Dropbox HTTP client: {0}")]
pub struct BuildError(String);

/// A cheap-to-clone handle to the Dropbox Team API, one async method per route.
#[derive(Debug, Clone)]
pub struct DropboxClient {
    inner: Arc<Inner>,
    /// Where every call made through this handle is recorded, if anywhere.
    log: Option<CallLog>,
}

#[derive(Debug)]
struct Inner {
    transport: Transport,
    poll: PollPolicy,
}

impl DropboxClient {
    /// Builds a client from `config`; no request is made until the first call.
    pub fn new(config: ClientConfig) -> Result<Self, BuildError> {
        let http = tls::http_client(config.timeout, config.ca_bundle.as_deref())?;
        let base_url = config.base_url.trim_end_matches('/').to_owned();
        let tokens = TokenSource::new(
            config.credentials,
            &base_url,
            config.refresh_margin,
            http.clone(),
            config.retry.clone(),
        );
        let budget = budget::RateBudget::new(config.rate_budget, config.retry.max_retry_wait);
        let transport = Transport {
            http,
            base_url,
            retry: config.retry,
            tokens,
            budget: Arc::new(budget),
        };
        Ok(Self {
            inner: Arc::new(Inner {
                transport,
                poll: config.poll,
            }),
            log: None,
        })
    }

    /// Builds a client from the `[dropbox]` section of the configuration ([`ClientConfig::from_config`]).
    pub fn from_config(config: &Config) -> Result<Self, FromConfigError> {
        Ok(Self::new(ClientConfig::from_config(config)?)?)
    }

    /// A handle on the same client that records every call it makes (route and outcome) in `log`.
    /// The `*_wait` helpers record one entry under their launch route, with the final outcome.
    pub fn recording(&self, log: &CallLog) -> Self {
        Self {
            inner: self.inner.clone(),
            log: Some(log.clone()),
        }
    }

    /// A handle on the same client that records nothing.
    fn unrecorded(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            log: None,
        }
    }

    /// Records `result` as one call on `route`, when this handle records.
    fn record<T, E: Serialize>(&self, route: &'static str, result: &Result<T, DropboxError<E>>) {
        if let Some(log) = &self.log {
            log.push(route, result);
        }
    }

    /// The rate budget's tokens, client-wide pause and counters (429s, retries, refusals), for metrics.
    pub fn budget_status(&self) -> BudgetStatus {
        self.inner.transport.budget.status()
    }

    /// How long a call made now by this task would wait for the rate budget (or a 429 pause); zero
    /// when it could go at once or would be refused ([`budget::RateBudget::wait_for_call`]).
    pub fn budget_wait(&self) -> Duration {
        self.inner
            .transport
            .budget
            .wait_for_call(budget::current_priority())
    }

    /// The longest a call waits for the rate budget before it is refused (`max_retry_wait_secs`).
    pub fn budget_max_wait(&self) -> Duration {
        self.inner.transport.budget.max_wait()
    }

    /// Shares the rate budget and 429 pauses with the other replicas through `bucket` (PostgreSQL).
    pub fn share_budget(&self, bucket: Arc<dyn SharedBucket>) {
        self.inner.transport.budget.share_through(bucket);
    }

    /// The polling policy used by the `*_wait` helpers.
    pub fn poll_policy(&self) -> &PollPolicy {
        &self.inner.poll
    }

    fn sdk(&self) -> &Transport {
        &self.inner.transport
    }

    /// [`Self::call`] for routes without a route error type.
    async fn call_untyped<T, F>(
        &self,
        route: &'static str,
        fut: F,
    ) -> Result<T, DropboxError<NoRouteError>>
    where
        F: Future<Output = Result<T, dropbox_sdk::Error<dropbox_sdk::NoError>>>,
    {
        self.call(route, async {
            fut.await.map_err(dropbox_sdk::Error::typed)
        })
        .await
    }

    /// Runs one SDK call with [`Self::call_traced`] and records its outcome when this handle records.
    async fn call<T, E, F>(&self, route: &'static str, fut: F) -> Result<T, DropboxError<E>>
    where
        F: Future<Output = Result<T, dropbox_sdk::Error<E>>>,
        E: Serialize,
    {
        let result = self.call_traced(route, fut).await;
        self.record(route, &result);
        result
    }

    /// Runs one SDK call in a span, with a fresh call record, and classifies its error.
    async fn call_traced<T, E, F>(&self, route: &'static str, fut: F) -> Result<T, DropboxError<E>>
    where
        F: Future<Output = Result<T, dropbox_sdk::Error<E>>>,
        E: Serialize,
    {
        let span = tracing::info_span!(
            "dropbox.call",
            dropbox.route = route,
            http.status = field::Empty,
            dropbox.request_id = field::Empty,
            dropbox.attempts = field::Empty,
            latency_ms = field::Empty,
            outcome = field::Empty,
        );
        let rec = Arc::new(CallRecord::default());
        let started = tokio::time::Instant::now();
        let result = CALL.scope(rec.clone(), fut).instrument(span.clone()).await;
        let state = rec.snapshot();
        let latency = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        span.record("latency_ms", latency);
        span.record("dropbox.attempts", state.attempts);
        if let Some(s) = state.status {
            span.record("http.status", s);
        }
        if let Some(id) = &state.request_id {
            span.record("dropbox.request_id", id.as_str());
        }
        match result {
            Ok(v) => {
                span.record("outcome", "ok");
                call_log::observe_call(route, "ok", state.attempts);
                tracing::debug!(parent: &span, "Dropbox call succeeded");
                Ok(v)
            }
            Err(e) => {
                let attempts = state.attempts;
                let err = error::from_sdk(route, e, state);
                let outcome = match &err.kind {
                    ErrorKind::Api(e) => union_tag(e),
                    other => kind_name(other).to_owned(),
                };
                span.record("outcome", outcome.as_str());
                call_log::observe_call(route, &outcome, attempts);
                tracing::debug!(parent: &span, "Dropbox call failed");
                Err(err)
            }
        }
    }
}

/// A short name for a non-API error kind, for span fields.
fn kind_name<E>(kind: &ErrorKind<E>) -> &'static str {
    match kind {
        ErrorKind::Api(_) => "api",
        ErrorKind::RateLimited => "rate_limited",
        ErrorKind::Auth(_) => "auth",
        ErrorKind::TokenRefresh(_) => "token_refresh",
        ErrorKind::AccessDenied(_) => "access_denied",
        ErrorKind::BadRequest(_) => "bad_request",
        ErrorKind::Server(_) => "server",
        ErrorKind::Transport(_) => "transport",
        ErrorKind::Decode(_) => "decode",
        ErrorKind::JobFailed(_) => "job_failed",
        ErrorKind::JobDeadline => "job_deadline",
    }
}
