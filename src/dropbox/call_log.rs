//! The calls a client handle made, with their outcomes, for the audit record of one write; and every
//! call's report to the metrics and the per-request log line ([`observe_call`]).

use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::DropboxError;

/// One recorded Dropbox call: the route and `ok` or the error's tag (or description).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCall {
    /// The route in URL form (`members/suspend`).
    pub route: &'static str,
    /// `ok`, the route error's tag, or the error's (redacted) description.
    pub outcome: String,
}

/// A shared list of recorded calls; a client made with [`super::DropboxClient::recording`] appends
/// to it after every call, so callers never record by hand.
#[derive(Debug, Clone, Default)]
pub struct CallLog {
    calls: Arc<Mutex<Vec<RecordedCall>>>,
}

impl CallLog {
    /// Appends the outcome of one call on `route`.
    pub(crate) fn push<T, E: Serialize>(
        &self,
        route: &'static str,
        result: &Result<T, DropboxError<E>>,
    ) {
        let outcome = match result {
            Ok(_) => "ok".to_owned(),
            Err(e) => e.api_tag().unwrap_or_else(|| e.to_string()),
        };
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        calls.push(RecordedCall { route, outcome });
    }

    /// The calls recorded so far, oldest first.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Reports one finished call, whatever the handle, to the metrics and the current request's counts.
pub(crate) fn observe_call(route: &'static str, outcome: &str, attempts: u32) {
    crate::telemetry::dropbox_hooks::call_finished(route, outcome, attempts);
}
