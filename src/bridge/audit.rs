//! The write context of one SCIM request: who wrote, which Dropbox calls it made, and the audit record.

use super::Bridge;
use crate::dropbox::DropboxError;
use crate::store::{AuditEntry, DropboxCall};
use std::sync::Mutex;

/// Who is writing, under which request id, and the Dropbox calls made so far.
#[derive(Debug, Default)]
pub struct WriteContext {
    /// The authenticated client's name (from the token configuration).
    pub client: String,
    /// The request id (`x-request-id`).
    pub request_id: String,
    /// The SCIM operation, e.g. `PATCH /scim/v2/Users/dbmid:...`.
    pub operation: String,
    calls: Mutex<Vec<DropboxCall>>,
}

impl WriteContext {
    /// A context for one request.
    pub fn new(client: String, request_id: String, operation: String) -> Self {
        Self {
            client,
            request_id,
            operation,
            calls: Mutex::new(Vec::new()),
        }
    }

    /// Records one Dropbox call and its outcome (`ok` or the error tag/kind).
    pub fn record<T, E>(&self, route: &str, result: &Result<T, DropboxError<E>>)
    where
        E: serde::Serialize,
    {
        let outcome = match result {
            Ok(_) => "ok".to_owned(),
            Err(e) => e.api_tag().unwrap_or_else(|| e.to_string()),
        };
        self.record_outcome(route, outcome);
    }

    /// Records one Dropbox call with an outcome already worked out.
    pub fn record_outcome(&self, route: &str, outcome: String) {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        calls.push(DropboxCall {
            route: route.to_owned(),
            outcome,
        });
    }

    /// The calls recorded so far.
    pub fn calls(&self) -> Vec<DropboxCall> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Bridge {
    /// Appends the audit record of a finished write. A failure to write it is logged, not returned:
    /// the Dropbox change has happened and the IdP must hear so.
    pub async fn audit(
        &self,
        ctx: &WriteContext,
        resource_type: &str,
        resource_id: Option<&str>,
        status: u16,
        detail: Option<String>,
    ) {
        let entry = AuditEntry {
            id: 0,
            at: chrono::Utc::now(),
            client: Some(ctx.client.clone()),
            request_id: Some(ctx.request_id.clone()),
            operation: ctx.operation.clone(),
            resource_type: Some(resource_type.to_owned()),
            resource_id: resource_id.map(str::to_owned),
            dropbox_calls: ctx.calls(),
            status: i64::from(status),
            detail,
        };
        if let Err(e) = self.store().append_audit(&entry).await {
            tracing::error!(request_id = %ctx.request_id, error = %e, "could not write the audit record");
        }
    }
}
