//! The start-up log line: version, listen address, store kind and the Dropbox team's name.

use std::net::SocketAddr;
use std::time::Duration;

/// How long the start-up line waits for Dropbox to name the team; serving has begun meanwhile.
pub const TEAM_LOOKUP_TIMEOUT: Duration = Duration::from_secs(10);

/// What the start-up line says besides the team.
#[derive(Debug, Clone)]
pub struct StartupFacts {
    /// The bound SCIM address.
    pub listen: SocketAddr,
    /// `sqlite` or `postgres` (never the URL, which may hold a password).
    pub store_kind: &'static str,
    /// Where `/metrics` is served: `off`, `main address` or its own address.
    pub metrics: String,
}

/// The store's kind from its URL: only the scheme, never the rest (it may hold a password).
pub fn store_kind(url: &str) -> &'static str {
    if url.starts_with("sqlite:") {
        "sqlite"
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        "postgres"
    } else {
        "unknown"
    }
}

/// Waits (at most [`TEAM_LOOKUP_TIMEOUT`]) for `team` to name the Dropbox team (or say, safely for a
/// log, why it could not), then logs the start-up line; run it beside the server so that start-up
/// never waits on Dropbox.
pub async fn announce(facts: StartupFacts, team: impl Future<Output = Result<String, String>>) {
    let team = match tokio::time::timeout(TEAM_LOOKUP_TIMEOUT, team).await {
        Ok(Ok(name)) => name,
        Ok(Err(why)) => format!("unknown ({why})"),
        Err(_) => format!(
            "unknown (Dropbox did not answer within {} s)",
            TEAM_LOOKUP_TIMEOUT.as_secs()
        ),
    };
    tracing::info!(
        version = %env!("CARGO_PKG_VERSION"),
        listen = %facts.listen,
        store = %facts.store_kind,
        metrics = %facts.metrics,
        dropbox_team = team.as_str(),
        "dropbox-scim-bridge started"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_kind_is_the_scheme_only() {
        assert_eq!(store_kind("sqlite://data/bridge.sqlite?mode=rwc"), "sqlite");
        assert_eq!(store_kind("postgres://u:secret@db/bridge"), "postgres");
        assert_eq!(store_kind("postgresql://u:secret@db/bridge"), "postgres");
        assert_eq!(store_kind("mysql://x"), "unknown");
    }
}
