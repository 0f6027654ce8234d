//! Readiness: whether the bridge can serve requests, i.e. its store answers and Dropbox accepts its
//! credentials. `GET /readyz` asks this.

use super::Bridge;

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
