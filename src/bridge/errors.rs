//! `BridgeError`, and the one table that says how each failure answers the SCIM client.

use crate::dropbox::{DropboxError, ErrorKind};
use crate::scim::error::ScimError;
use crate::store::StoreError;

#[path = "refusal.rs"]
mod refusal;
pub use refusal::Refusal;

/// A failed bridge operation, with its cause kept as a typed source for the log.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// A SCIM error to show as it is (4xx).
    #[error(transparent)]
    Scim(#[from] ScimError),
    /// Dropbox asked for a wait longer than an IdP holds a request: answer 429 with `Retry-After`.
    #[error("Dropbox is rate-limiting this team")]
    RateLimited {
        /// Seconds to wait.
        retry_after_secs: u64,
        /// The rate-limited call.
        #[source]
        source: DropboxFailure,
    },
    /// Dropbox could not be reached, failed, or did not finish a job in time (503).
    #[error("Dropbox could not be reached or failed")]
    Unavailable(#[source] DropboxFailure),
    /// The bridge's Dropbox token lacks a scope a route needs (403 naming it until an operator
    /// re-authorises the app with it).
    #[error("the bridge's Dropbox token lacks the scope {scope}")]
    MissingScope {
        /// The scope Dropbox named (`members.delete`).
        scope: String,
        /// The refused call.
        #[source]
        source: DropboxFailure,
    },
    /// Dropbox refused the bridge's own credentials (503 until an operator fixes them).
    #[error("Dropbox refused the bridge's credentials; run `dropbox-scim-bridge check`")]
    Credentials(#[source] DropboxFailure),
    /// Dropbox answered something the bridge does not handle (500).
    #[error("unexpected Dropbox answer")]
    Dropbox(#[source] DropboxFailure),
    /// The bridge's database failed (500).
    #[error("store")]
    Store(#[from] StoreError),
    /// A value the bridge keeps as JSON could not be written or read (500).
    #[error("{what}")]
    Json {
        /// What could not be written or read.
        what: &'static str,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },
    /// A bug: something the bridge's own invariants rule out (500).
    #[error("{0}")]
    Internal(String),
}

/// A failed Dropbox call, without its route-specific error type: route, tag and request id.
#[derive(Debug, thiserror::Error)]
#[error("{description}")]
pub struct DropboxFailure {
    /// The route that failed (`members/suspend`).
    pub route: &'static str,
    /// The route error's tag, for a 409 (`user_not_found`).
    pub tag: Option<String>,
    /// Dropbox's `X-Dropbox-Request-Id`, if a response arrived.
    pub request_id: Option<String>,
    /// The client's description of the failure (tags and redacted text only).
    pub description: String,
}

impl<E: serde::Serialize> From<&DropboxError<E>> for DropboxFailure {
    fn from(e: &DropboxError<E>) -> Self {
        Self {
            route: e.route,
            tag: e.api_tag(),
            request_id: e.request_id.clone(),
            description: e.to_string(),
        }
    }
}

impl From<Refusal> for BridgeError {
    fn from(r: Refusal) -> Self {
        Self::Scim(r.scim())
    }
}

/// Seconds a client is asked to wait after a 503.
const UNAVAILABLE_RETRY_SECS: u64 = 30;

impl BridgeError {
    /// 404 for a resource id that does not exist.
    pub fn not_found(resource: &str, id: &str) -> Self {
        Self::Scim(ScimError::not_found(format!("{resource} {id} not found")))
    }

    /// How this error answers the SCIM client, with the `Retry-After` seconds: the one place that
    /// decides status, `scimType` and detail.
    pub fn answer(&self) -> (ScimError, Option<u64>) {
        match self {
            Self::Scim(e) => (e.clone(), None),
            Self::RateLimited {
                retry_after_secs, ..
            } => (
                ScimError::rate_limited(
                    "Dropbox is rate-limiting this team; retry after the time in Retry-After",
                ),
                Some((*retry_after_secs).max(1)),
            ),
            Self::MissingScope { scope, .. } => (
                ScimError::forbidden(format!(
                    "the bridge's Dropbox app is not authorised for the scope {scope}: tick it in \
                     the App Console (Permissions tab), authorise again with `dropbox-scim-bridge \
                     dropbox-login`, and retry; see docs/DROPBOX_APP.md"
                )),
                None,
            ),
            Self::Unavailable(_) | Self::Credentials(_) => (
                ScimError::unavailable("Dropbox could not be reached; try again later"),
                Some(UNAVAILABLE_RETRY_SECS),
            ),
            Self::Dropbox(_) | Self::Store(_) | Self::Json { .. } | Self::Internal(_) => (
                ScimError::internal("internal error; the bridge's log has the cause"),
                None,
            ),
        }
    }

    /// The HTTP status this error answers with (for the audit log).
    pub fn status(&self) -> u16 {
        self.answer().0.status
    }

    /// The cause for the log line (the error and its sources), for failures the client is not
    /// told the cause of; `None` for errors whose detail the client sees.
    pub fn log_cause(&self) -> Option<String> {
        if matches!(self, Self::Scim(_) | Self::RateLimited { .. }) {
            return None;
        }
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        Some(text)
    }
}

/// Maps a Dropbox failure that the caller did not handle itself. Route-specific tags the caller
/// understands (e.g. `user_already_on_team`) are matched before this is reached.
pub fn from_dropbox<E: serde::Serialize>(e: DropboxError<E>) -> BridgeError {
    let failure = DropboxFailure::from(&e);
    if let Some(tag) = &failure.tag {
        return match Refusal::from_tag(tag) {
            Some(refusal) => refusal.into(),
            None => BridgeError::Dropbox(failure),
        };
    }
    match &e.kind {
        ErrorKind::RateLimited => BridgeError::RateLimited {
            retry_after_secs: e.retry_after.map(|d| d.as_secs()).unwrap_or(60).max(1),
            source: failure,
        },
        ErrorKind::Transport(_) | ErrorKind::Server(_) | ErrorKind::JobDeadline => {
            BridgeError::Unavailable(failure)
        }
        ErrorKind::Auth(_) | ErrorKind::TokenRefresh(_) | ErrorKind::AccessDenied(_) => {
            match e.required_scope {
                Some(scope) => BridgeError::MissingScope {
                    scope,
                    source: failure,
                },
                None => BridgeError::Credentials(failure),
            }
        }
        _ => BridgeError::Dropbox(failure),
    }
}

#[cfg(test)]
#[path = "errors_tests.rs"]
mod tests;
