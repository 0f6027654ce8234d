//! The SDK's `HttpClient` on reqwest: base-URL rewrite, retries on 429/5xx/transport failures,
//! request ids, and token refresh through [`TokenSource`].

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use dropbox_sdk::async_client_trait::{
    HttpClient, HttpRequest, HttpRequestResultRaw, TeamAuthClient,
};
use serde::Deserialize;

use super::auth::TokenSource;
use super::budget::{RateBudget, current_priority};
use super::retry::{Resend, RetryPolicy, resend_for};
use super::tls::describe;

/// The prefix the SDK puts on every RPC URL; replaced by the configured base URL.
const SDK_BASE: &str = "https://api.dropboxapi.com/";
/// The part of an RPC path before the route name.
const TEAM_PREFIX: &str = "2/team/";

tokio::task_local! {
    /// What `execute` learned during the current facade call.
    pub(crate) static CALL: Arc<CallRecord>;
}

/// Response metadata of one facade call, filled in by `execute`.
#[derive(Debug, Default)]
pub(crate) struct CallRecord {
    state: Mutex<CallState>,
}

/// A snapshot of [`CallRecord`].
#[derive(Debug, Default, Clone)]
pub(crate) struct CallState {
    pub status: Option<u16>,
    pub request_id: Option<String>,
    pub attempts: u32,
    pub retry_after: Option<Duration>,
}

impl CallRecord {
    /// A copy of what has been recorded so far.
    pub(crate) fn snapshot(&self) -> CallState {
        match self.state.lock() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

fn record(f: impl FnOnce(&mut CallState)) {
    // Outside a facade call (no task-local) there is nowhere to record, which is fine.
    let _ = CALL.try_with(|rec| match rec.state.lock() {
        Ok(mut s) => f(&mut s),
        Err(poisoned) => f(&mut poisoned.into_inner()),
    });
}

/// A connection-level failure handed to the SDK inside `dropbox_sdk::Error::HttpClient`.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct TransportFailure(pub String);

/// An outgoing request as the SDK builds it.
#[derive(Debug)]
pub struct DbxRequest {
    url: String,
    route: String,
    headers: Vec<(String, String)>,
}

impl HttpRequest for DbxRequest {
    fn set_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// The reqwest-backed transport the SDK's route functions run on.
#[derive(Debug)]
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) retry: RetryPolicy,
    pub(crate) tokens: TokenSource,
    /// The rate budget every attempt is taken from, and the client-wide pause after a 429.
    pub(crate) budget: Arc<RateBudget>,
}

#[derive(Deserialize)]
struct RateLimitBody {
    error: RateLimitInner,
}

#[derive(Deserialize)]
struct RateLimitInner {
    retry_after: Option<u64>,
}

/// The `Retry-After` header in seconds (Dropbox sends delta-seconds, never a date).
fn header_retry_after(resp: &reqwest::Response) -> Option<Duration> {
    let raw = resp.headers().get(reqwest::header::RETRY_AFTER)?;
    raw.to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// `error.retry_after` from a JSON 429 body; plain-text bodies have none.
fn body_retry_after(body: &[u8]) -> Option<Duration> {
    serde_json::from_slice::<RateLimitBody>(body)
        .ok()?
        .error
        .retry_after
        .map(Duration::from_secs)
}

fn raw_response(status: u16, result_header: Option<String>, body: Bytes) -> HttpRequestResultRaw {
    HttpRequestResultRaw {
        status,
        result_header,
        content_length: u64::try_from(body.len()).ok(),
        body: Box::new(futures::io::Cursor::new(body)),
    }
}

fn transport_error(message: String) -> dropbox_sdk::Error {
    dropbox_sdk::Error::HttpClient(Box::new(TransportFailure(message)))
}

impl Transport {
    async fn send_once(
        &self,
        req: &DbxRequest,
        body: &Bytes,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let mut builder = self.http.post(&req.url).body(body.clone());
        for (name, value) in &req.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        builder.send().await
    }
}

impl HttpClient for Transport {
    type Request = DbxRequest;

    fn new_request(&self, url: &str) -> DbxRequest {
        let rest = url.strip_prefix(SDK_BASE).unwrap_or(url);
        let route = rest.strip_prefix(TEAM_PREFIX).unwrap_or(rest).to_owned();
        DbxRequest {
            url: format!("{}/{rest}", self.base_url.trim_end_matches('/')),
            route,
            headers: Vec::new(),
        }
    }

    async fn execute(
        &self,
        req: DbxRequest,
        body: Bytes,
    ) -> Result<HttpRequestResultRaw, dropbox_sdk::Error> {
        let resend = resend_for(&req.route);
        let max_attempts = self.retry.max_attempts.max(1);
        let priority = current_priority();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= max_attempts;
            if attempt > 1 {
                self.budget.count_retry();
            }
            // Every attempt spends one call of the budget, and waits out a client-wide 429 pause.
            if let Err(refusal) = self.budget.acquire(priority).await {
                record(|s| s.retry_after = Some(refusal.wait));
                tracing::debug!(dropbox.route = %req.route, attempt, wait_secs = refusal.wait.as_secs(), "Dropbox call refused by the rate budget");
                return Err(dropbox_sdk::Error::HttpClient(Box::new(refusal)));
            }
            record(|s| {
                s.attempts += 1;
                s.status = None;
            });
            let resp = match self.send_once(&req, &body).await {
                Ok(r) => r,
                Err(e) => {
                    // A refused connection never reached Dropbox; anything later might have.
                    let safe = e.is_connect() || resend == Resend::Safe;
                    tracing::debug!(dropbox.route = %req.route, attempt, retry = safe && !last, "Dropbox request failed in transport");
                    if safe && !last {
                        tokio::time::sleep(self.retry.backoff(attempt)).await;
                        continue;
                    }
                    return Err(transport_error(describe(&e)));
                }
            };
            let status = resp.status().as_u16();
            let request_id = resp
                .headers()
                .get("x-dropbox-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let result_header = resp
                .headers()
                .get("dropbox-api-result")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let header_wait = header_retry_after(&resp);
            record(|s| {
                s.status = Some(status);
                s.request_id = request_id.clone();
            });
            let bytes = match resp.bytes().await {
                Ok(b) => b,
                Err(e) => {
                    if resend == Resend::Safe && !last {
                        tokio::time::sleep(self.retry.backoff(attempt)).await;
                        continue;
                    }
                    return Err(transport_error(describe(&e)));
                }
            };
            tracing::debug!(dropbox.route = %req.route, attempt, status, dropbox.request_id = request_id.as_deref(), "Dropbox response");
            if status == 429 {
                let wait = header_wait.or_else(|| body_retry_after(&bytes));
                record(|s| s.retry_after = wait);
                // The whole client pauses, not only this request; the next attempt waits it out.
                let pause = wait.unwrap_or_else(|| self.retry.backoff(attempt));
                self.budget.pause(pause).await;
                let too_long = wait.is_some_and(|w| w > self.retry.max_retry_wait);
                if too_long || last {
                    return Ok(raw_response(status, result_header, bytes));
                }
                crate::telemetry::dropbox_hooks::rate_limited_retry(&req.route, wait);
                continue;
            }
            if status >= 500 {
                let wait = header_wait.filter(|w| *w <= self.retry.max_retry_wait);
                record(|s| s.retry_after = header_wait);
                if resend == Resend::Safe && !last {
                    tokio::time::sleep(wait.unwrap_or_else(|| self.retry.backoff(attempt))).await;
                    continue;
                }
            }
            return Ok(raw_response(status, result_header, bytes));
        }
    }

    async fn update_token(&self, old_token: Arc<String>) -> Result<bool, dropbox_sdk::Error> {
        self.tokens
            .update(&old_token)
            .await
            .map_err(|e| dropbox_sdk::Error::HttpClient(Box::new(e)))
    }

    fn token(&self) -> Option<Arc<String>> {
        self.tokens.token()
    }
}

impl TeamAuthClient for Transport {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_retry_after_reads_json_and_ignores_text() {
        let json = br#"{"error_summary":"too_many_requests/..","error":{"reason":{".tag":"too_many_requests"},"retry_after":7}}"#;
        assert_eq!(body_retry_after(json), Some(Duration::from_secs(7)));
        assert_eq!(body_retry_after(b"Too many requests"), None);
        let no_field = br#"{"error":{"reason":{".tag":"too_many_write_operations"}}}"#;
        assert_eq!(body_retry_after(no_field), None);
    }
}
