//! The write context of one SCIM request: who wrote, which Dropbox calls it made, and the audit record.

use super::Bridge;
use crate::dropbox::{CallLog, DropboxClient};
use crate::store::{AuditEntry, DropboxCall};

/// Who is writing, under which request id, and the Dropbox calls made so far.
#[derive(Debug, Default)]
pub struct WriteContext {
    /// The authenticated client's name (from the token configuration).
    pub client: String,
    /// The request id (`x-request-id`).
    pub request_id: String,
    /// The SCIM operation, e.g. `PATCH /scim/v2/Users/dbmid:...`.
    pub operation: String,
    calls: CallLog,
}

impl WriteContext {
    /// A context for one request.
    pub fn new(client: String, request_id: String, operation: String) -> Self {
        Self {
            client,
            request_id,
            operation,
            calls: CallLog::default(),
        }
    }

    /// The Dropbox calls made for this write so far (recorded by the client handle `Bridge::dropbox_for` gives out).
    pub fn calls(&self) -> Vec<DropboxCall> {
        self.calls
            .calls()
            .into_iter()
            .map(|c| DropboxCall {
                route: c.route.to_owned(),
                outcome: c.outcome,
            })
            .collect()
    }
}

impl Bridge {
    /// The Dropbox client for calls made on behalf of `ctx`'s write: each call lands in its audit
    /// record. Without a write (`None`), calls are not recorded.
    pub(crate) fn dropbox_for<'a>(
        &self,
        ctx: impl Into<Option<&'a WriteContext>>,
    ) -> DropboxClient {
        match ctx.into() {
            Some(ctx) => self.dropbox().recording(&ctx.calls),
            None => self.dropbox().clone(),
        }
    }

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
