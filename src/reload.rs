//! Reloading the IdP credentials without a restart: on SIGHUP the config file and the environment are
//! read again, and the new `[[auth.tokens]]`, `[auth.jwt]` and `[auth.allow_list]` are put in force.
//! A new config that does not load (or leaves no credential) is refused and the old one stays, with a
//! log line saying why. Other settings need a restart.

use crate::config::Config;
use crate::http::auth_policy::{AuthPolicy, Authenticator};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Loads the configuration at `path` and puts its credentials in force; returns what is now in force,
/// or why nothing changed.
pub fn reload(auth: &Authenticator, path: Option<&Path>) -> Result<String, String> {
    let config = Config::load(path).map_err(|e| e.to_string())?;
    if !config.has_tokens() {
        return Err(
            "the new configuration has no IdP credential ([[auth.tokens]], SCIM_BRIDGE_TOKEN or [auth.jwt])"
                .into(),
        );
    }
    let policy = AuthPolicy::from_config(&config)?;
    let summary = policy.summary();
    auth.replace(policy);
    Ok(summary)
}

/// Watches for SIGHUP and reloads on each one, until the returned task is aborted. The signal handler
/// is installed before this returns, so a SIGHUP sent after it can no longer end the process.
#[cfg(unix)]
pub fn watch_sighup(
    auth: Arc<Authenticator>,
    path: Option<PathBuf>,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangups = signal(SignalKind::hangup())?;
    Ok(tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            match reload(&auth, path.as_deref()) {
                Ok(summary) => tracing::info!(%summary, "SIGHUP: reloaded the IdP credentials"),
                Err(error) => tracing::warn!(
                    %error,
                    "SIGHUP: the new configuration was refused; the previous IdP credentials stay in force"
                ),
            }
        }
    }))
}

/// SIGHUP does not exist here: nothing to watch.
#[cfg(not(unix))]
pub fn watch_sighup(
    _auth: Arc<Authenticator>,
    _path: Option<PathBuf>,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    Ok(tokio::spawn(async {}))
}
