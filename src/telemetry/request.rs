//! What one HTTP request did, gathered while it runs: the client's name and its Dropbox calls.
//!
//! The request-log middleware runs each request inside [`RequestStats::scope`]; the Dropbox client
//! and the authentication layer add to the current request's stats through the free functions here,
//! which do nothing outside a request (background workers, start-up).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

tokio::task_local! {
    static CURRENT: Arc<RequestStats>;
}

/// Counters and the client name of one request; shared between the middleware and the code it runs.
#[derive(Debug, Default)]
pub struct RequestStats {
    client: Mutex<Option<String>>,
    dropbox_calls: AtomicU32,
    dropbox_retries: AtomicU32,
    dropbox_rate_limited: AtomicU32,
}

/// A copy of [`RequestStats`] once the request is answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestSummary {
    /// The authenticated client's token name, if the request got that far.
    pub client: Option<String>,
    /// Dropbox API calls made (each counted once, whatever its retries).
    pub dropbox_calls: u32,
    /// Attempts beyond the first, over all those calls.
    pub dropbox_retries: u32,
    /// 429 answers from Dropbox that the bridge waited out and retried.
    pub dropbox_rate_limited: u32,
}

impl RequestStats {
    /// Runs `fut` with `self` as the current request's stats.
    pub async fn scope<F: Future>(self: &Arc<Self>, fut: F) -> F::Output {
        CURRENT.scope(self.clone(), fut).await
    }

    /// What was gathered so far.
    pub fn summary(&self) -> RequestSummary {
        RequestSummary {
            client: self
                .client
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
            dropbox_calls: self.dropbox_calls.load(Ordering::Relaxed),
            dropbox_retries: self.dropbox_retries.load(Ordering::Relaxed),
            dropbox_rate_limited: self.dropbox_rate_limited.load(Ordering::Relaxed),
        }
    }
}

fn with_current(f: impl FnOnce(&RequestStats)) {
    let _ = CURRENT.try_with(|stats| f(stats));
}

/// Names the authenticated client of the current request.
pub fn note_client(name: &str) {
    with_current(|s| *s.client.lock().unwrap_or_else(|p| p.into_inner()) = Some(name.to_owned()));
}

/// Counts one finished Dropbox call of the current request and its retries.
pub fn note_dropbox_call(retries: u32) {
    with_current(|s| {
        s.dropbox_calls.fetch_add(1, Ordering::Relaxed);
        s.dropbox_retries.fetch_add(retries, Ordering::Relaxed);
    });
}

/// Adds to the current request what a task working on its behalf did (a coalesced call's batch).
pub fn add_to_current(done: &RequestSummary) {
    with_current(|s| {
        s.dropbox_calls
            .fetch_add(done.dropbox_calls, Ordering::Relaxed);
        s.dropbox_retries
            .fetch_add(done.dropbox_retries, Ordering::Relaxed);
        s.dropbox_rate_limited
            .fetch_add(done.dropbox_rate_limited, Ordering::Relaxed);
    });
}

/// Counts one Dropbox 429 that the current request waits out.
pub fn note_rate_limited() {
    with_current(|s| {
        s.dropbox_rate_limited.fetch_add(1, Ordering::Relaxed);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn notes_land_in_the_current_request_only() {
        note_dropbox_call(5); // outside any request: nowhere to go
        let stats = Arc::new(RequestStats::default());
        stats
            .scope(async {
                note_client("okta");
                note_dropbox_call(0);
                note_dropbox_call(2);
                note_rate_limited();
            })
            .await;
        note_rate_limited();
        assert_eq!(
            stats.summary(),
            RequestSummary {
                client: Some("okta".into()),
                dropbox_calls: 2,
                dropbox_retries: 2,
                dropbox_rate_limited: 1,
            }
        );
    }
}
