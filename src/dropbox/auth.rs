//! Credentials and the access token: a fixed token, or the OAuth 2 refresh-token flow with one
//! refresh in flight at a time.

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::retry::RetryPolicy;
use super::tls::describe;

/// How the client authenticates to Dropbox.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// A long-lived (or externally managed) team access token.
    AccessToken(SecretString),
    /// An app key and secret plus an offline refresh token; access tokens are fetched as needed.
    Refresh {
        /// The app key (client id); not secret.
        app_key: String,
        /// The app secret.
        app_secret: SecretString,
        /// The refresh token from the offline authorization.
        refresh_token: SecretString,
    },
    /// An app key plus a refresh token issued through PKCE (`dropbox-login`); no app secret needed.
    PkceRefresh {
        /// The app key (client id); not secret.
        app_key: String,
        /// The refresh token from the offline PKCE authorization.
        refresh_token: SecretString,
    },
}

/// Why refreshing the access token failed.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// The token endpoint refused: `error` is the OAuth code (`invalid_grant`, `invalid_client`).
    #[error("token endpoint refused the refresh: {error}: {description}")]
    Refused {
        /// The OAuth 2 error code.
        error: String,
        /// The server's explanation.
        description: String,
    },
    /// The token endpoint could not be reached or kept failing.
    #[error("token endpoint unreachable: {0}")]
    Transport(String),
    /// The token endpoint answered something we could not read.
    #[error("token endpoint answered unexpectedly: {0}")]
    Decode(String),
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct TokenErrorBody {
    error: String,
    #[serde(default)]
    error_description: String,
}

struct Cached {
    token: Arc<String>,
    refresh_at: Option<Instant>,
}

/// Holds the current access token and refreshes it; at most one refresh runs at a time.
pub(crate) struct TokenSource {
    credentials: Credentials,
    current: RwLock<Option<Cached>>,
    refresh_lock: Mutex<()>,
    token_url: String,
    margin: Duration,
    http: reqwest::Client,
    retry: RetryPolicy,
}

// Hand-written so the cached access token never reaches Debug output.
impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("credentials", &self.credentials)
            .field("token_url", &self.token_url)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    /// A token source posting refreshes to `{base_url}/oauth2/token`.
    pub(crate) fn new(
        credentials: Credentials,
        base_url: &str,
        margin: Duration,
        http: reqwest::Client,
        retry: RetryPolicy,
    ) -> Self {
        let current = match &credentials {
            Credentials::AccessToken(t) => Some(Cached {
                token: Arc::new(t.expose_secret().to_owned()),
                refresh_at: None,
            }),
            Credentials::Refresh { .. } | Credentials::PkceRefresh { .. } => None,
        };
        Self {
            credentials,
            current: RwLock::new(current),
            refresh_lock: Mutex::new(()),
            token_url: format!("{}/oauth2/token", base_url.trim_end_matches('/')),
            margin,
            http,
            retry,
        }
    }

    /// The token to send now, or `None` when there is none yet or it is about to expire.
    pub(crate) fn token(&self) -> Option<Arc<String>> {
        let guard = self.current.read().ok()?;
        let cached = guard.as_ref()?;
        match cached.refresh_at {
            Some(at) if at <= Instant::now() => None,
            _ => Some(cached.token.clone()),
        }
    }

    /// Makes sure a token newer than `old` is in place; `Ok(false)` when tokens cannot be refreshed.
    pub(crate) async fn update(&self, old: &str) -> Result<bool, RefreshError> {
        let form = match &self.credentials {
            Credentials::AccessToken(_) => return Ok(false),
            Credentials::Refresh {
                app_key,
                app_secret,
                refresh_token,
            } => vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.expose_secret()),
                ("client_id", app_key.as_str()),
                ("client_secret", app_secret.expose_secret()),
            ],
            Credentials::PkceRefresh {
                app_key,
                refresh_token,
            } => vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.expose_secret()),
                ("client_id", app_key.as_str()),
            ],
        };
        let _one_at_a_time = self.refresh_lock.lock().await;
        // Someone else may have refreshed while we waited for the lock.
        if let Some(t) = self.token() {
            if t.as_str() != old {
                return Ok(true);
            }
        }
        let fresh = self
            .request_token(&form)
            .await
            .inspect_err(|_| crate::telemetry::dropbox_hooks::token_refresh_failed())?;
        let refresh_at = fresh.expires_in.map(|secs| {
            let life = Duration::from_secs(secs);
            Instant::now() + life - self.margin.min(life / 2)
        });
        let cached = Cached {
            token: Arc::new(fresh.access_token),
            refresh_at,
        };
        match self.current.write() {
            Ok(mut guard) => *guard = Some(cached),
            Err(poisoned) => *poisoned.into_inner() = Some(cached),
        }
        tracing::info!(
            expires_in = fresh.expires_in,
            "refreshed the Dropbox access token"
        );
        Ok(true)
    }

    async fn request_token(&self, form: &[(&str, &str)]) -> Result<TokenResponse, RefreshError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= self.retry.max_attempts.max(1);
            let sent = self.http.post(&self.token_url).form(form).send().await;
            let resp = match sent {
                Ok(r) => r,
                Err(e) if last => return Err(RefreshError::Transport(describe(&e))),
                Err(_) => {
                    tokio::time::sleep(self.retry.backoff(attempt)).await;
                    continue;
                }
            };
            let status = resp.status();
            if (status.is_server_error() || status.as_u16() == 429) && !last {
                tokio::time::sleep(self.retry.backoff(attempt)).await;
                continue;
            }
            let body = resp
                .bytes()
                .await
                .map_err(|e| RefreshError::Transport(describe(&e)))?;
            if status.is_success() {
                return serde_json::from_slice(&body)
                    .map_err(|e| RefreshError::Decode(e.to_string()));
            }
            return Err(match serde_json::from_slice::<TokenErrorBody>(&body) {
                Ok(b) => RefreshError::Refused {
                    error: b.error,
                    description: b.error_description,
                },
                Err(_) => RefreshError::Decode(format!("HTTP {status}")),
            });
        }
    }
}
