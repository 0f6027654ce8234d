//! The Dropbox client's hooks: each finished call, each 429 waited out, each failed token refresh lands
//! in the metrics and in the current request's counts.

use super::{metrics, request};
use std::time::Duration;

/// One finished Dropbox call on `route`: `ok` or the error's tag, after `attempts` requests.
pub fn call_finished(route: &str, outcome: &str, attempts: u32) {
    let retries = attempts.saturating_sub(1);
    metrics::record_dropbox_call(route, outcome, retries);
    request::note_dropbox_call(retries);
}

/// Dropbox answered 429 on `route` and the client waits `wait` (if known) before sending it again.
pub fn rate_limited_retry(route: &str, wait: Option<Duration>) {
    metrics::record_rate_limited(route);
    request::note_rate_limited();
    tracing::debug!(
        dropbox.route = route,
        retry_after_ms = wait.map(|w| u64::try_from(w.as_millis()).unwrap_or(u64::MAX)),
        "Dropbox rate limit: waiting, then retrying"
    );
}

/// Refreshing the Dropbox access token failed.
pub fn token_refresh_failed() {
    metrics::record_token_refresh_failure();
}
