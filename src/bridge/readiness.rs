//! Readiness: whether the bridge can serve requests, i.e. its store answers and Dropbox accepts its
//! credentials. `GET /readyz` asks this.

use super::Bridge;

/// Why the bridge is not ready to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotReady {
    /// The store did not answer a trivial query.
    StoreUnreachable,
    /// Dropbox did not answer, or refused the bridge's credentials.
    DropboxUnreachable,
}

impl NotReady {
    /// A short reason, safe to show to anyone (no detail of the underlying failure).
    pub fn reason(self) -> &'static str {
        match self {
            Self::StoreUnreachable => "store unreachable",
            Self::DropboxUnreachable => "dropbox unreachable or credentials refused",
        }
    }
}

impl Bridge {
    /// Checks the store first, then Dropbox (`team/get_info`); the first failure is the answer.
    pub async fn readiness(&self) -> Result<(), NotReady> {
        if self.store().ping().await.is_err() {
            return Err(NotReady::StoreUnreachable);
        }
        if self.dropbox().team_get_info().await.is_err() {
            return Err(NotReady::DropboxUnreachable);
        }
        Ok(())
    }
}
