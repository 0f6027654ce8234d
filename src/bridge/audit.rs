//! The write context of one SCIM request: who wrote, which Dropbox calls it made, and the audit record.
//!
//! Every write is recorded, failed ones too (429, 503, 409, 400), with the resource id of its path
//! when the bridge found none itself. With `audit.log_entries` each record is also one INFO log line
//! (target `audit`) for a SIEM; those lines hold ids, never e-mails: anything that looks like an
//! e-mail is replaced by `email:sha256:` and the first 16 hex digits of its lower-case SHA-256.

use super::{Bridge, BridgeError};
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
    /// The SCIM id named by the request path (`/Users/{id}`, `/Groups/{id}`), if any.
    pub path_resource_id: Option<String>,
    calls: CallLog,
}

impl WriteContext {
    /// A context for one request.
    pub fn new(client: String, request_id: String, operation: String) -> Self {
        Self {
            client,
            request_id,
            path_resource_id: path_resource_id(&operation),
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

    /// Appends the audit record of a finished write (its resource id, or else the path's). A failure
    /// to write it is logged, not returned: the Dropbox change has happened and the IdP must hear so.
    pub async fn audit(
        &self,
        ctx: &WriteContext,
        resource_type: &str,
        resource_id: Option<&str>,
        status: u16,
        detail: Option<String>,
    ) {
        let mut entry = AuditEntry {
            id: 0,
            at: chrono::Utc::now(),
            client: Some(ctx.client.clone()),
            request_id: Some(ctx.request_id.clone()),
            operation: ctx.operation.clone(),
            resource_type: Some(resource_type.to_owned()),
            resource_id: resource_id
                .map(str::to_owned)
                .or_else(|| ctx.path_resource_id.clone()),
            dropbox_calls: ctx.calls(),
            status: i64::from(status),
            detail,
        };
        match self.store().append_audit(&entry).await {
            Ok(id) => entry.id = id,
            Err(e) => {
                tracing::error!(request_id = %ctx.request_id, error = %e, "could not write the audit record");
            }
        }
        if self.settings().audit.log_entries {
            log_entry(&entry);
        }
    }

    /// Passes `result` on, auditing it first when it is an error: for a write refused before any
    /// Dropbox call (an unreadable or invalid body), which would otherwise leave no record.
    pub(crate) async fn audit_refusal<T, E: Into<BridgeError>>(
        &self,
        ctx: &WriteContext,
        resource_type: &str,
        result: Result<T, E>,
    ) -> Result<T, BridgeError> {
        let result = result.map_err(Into::into);
        if let Err(e) = &result {
            self.audit(ctx, resource_type, None, e.status(), Some(audit_detail(e)))
                .await;
        }
        result
    }

    /// How long audit entries are kept (`audit.retention_days`), if a retention is set.
    pub fn audit_retention(&self) -> Option<chrono::Duration> {
        self.settings().audit.retention()
    }
}

/// What an audit entry says about a failed write: the SCIM error's detail, or the cause.
pub(crate) fn audit_detail(e: &BridgeError) -> String {
    match e {
        BridgeError::Scim(e) => e.detail.clone(),
        e => e.log_cause().unwrap_or_else(|| e.to_string()),
    }
}

/// The id after `/Users/` or `/Groups/` in `METHOD /prefix/Users/{id}`, percent-decoded.
fn path_resource_id(operation: &str) -> Option<String> {
    let path = operation.split_once(' ').map_or(operation, |(_, p)| p);
    let segments: Vec<&str> = path.split('/').collect();
    let [.., kind, id] = segments.as_slice() else {
        return None;
    };
    if !matches!(*kind, "Users" | "Groups") || id.is_empty() || id.starts_with('.') {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(id).decode_utf8_lossy();
    Some(decoded.into_owned())
}

/// Emits `entry` as one INFO event with target `audit` (one JSON line under `log_format = "json"`).
pub fn log_entry(entry: &AuditEntry) {
    let calls: Vec<String> = entry
        .dropbox_calls
        .iter()
        .map(|c| format!("{}={}", c.route, c.outcome))
        .collect();
    tracing::info!(
        target: "audit",
        audit_id = entry.id,
        at = %entry.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        client = entry.client.as_deref().unwrap_or_default(),
        request_id = entry.request_id.as_deref().unwrap_or_default(),
        operation = %redact_emails(&entry.operation),
        resource_type = entry.resource_type.as_deref().unwrap_or_default(),
        resource_id = %redact_emails(entry.resource_id.as_deref().unwrap_or_default()),
        status = entry.status,
        dropbox_calls = %calls.join(","),
        detail = %redact_emails(entry.detail.as_deref().unwrap_or_default()),
        "audit entry"
    );
}

/// `text` with every word that contains `@` (an e-mail, perhaps quoted or percent-encoded)
/// replaced by `email:sha256:` and 16 hex digits of the SHA-256 of its lower-case form, so lines
/// about one person still correlate without naming them.
pub fn redact_emails(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let decoded = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
    let boundary = |c: char| c.is_whitespace() || "\"'`,;:()[]{}<>/=".contains(c);
    let mut out = String::with_capacity(decoded.len());
    for piece in split_keeping(&decoded, boundary) {
        if piece.contains('@') {
            let digest = Sha256::digest(piece.to_lowercase().as_bytes());
            out.push_str("email:sha256:");
            out.push_str(&hex::encode(&digest[..8]));
        } else {
            out.push_str(piece);
        }
    }
    out
}

/// `text` cut into words and the single boundary characters between them, in order.
fn split_keeping(text: &str, boundary: impl Fn(char) -> bool) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if boundary(c) {
            if start < i {
                pieces.push(&text[start..i]);
            }
            pieces.push(&text[i..i + c.len_utf8()]);
            start = i + c.len_utf8();
        }
    }
    if start < text.len() {
        pieces.push(&text[start..]);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_names_the_resource() {
        let id = |op| path_resource_id(op);
        assert_eq!(
            id("PATCH /scim/v2/Users/dbmid:a%2Fb").as_deref(),
            Some("dbmid:a/b")
        );
        assert_eq!(id("DELETE /Groups/g:1").as_deref(), Some("g:1"));
        assert_eq!(id("POST /scim/v2/Users"), None);
        assert_eq!(id("POST /scim/v2/Users/.search"), None);
        assert_eq!(id("PUT /scim/v2/Users/"), None);
        assert_eq!(id("deferred removal"), None);
    }

    #[test]
    fn emails_never_reach_the_log_line() {
        let line =
            redact_emails("DELETE /Users/Alice%40Example.com: user \"alice@example.com\" exists");
        assert!(
            !line.contains('@') && !line.to_lowercase().contains("alice"),
            "{line}"
        );
        let hashes: Vec<&str> = line.matches("email:sha256:").collect();
        assert_eq!(hashes.len(), 2);
        // Both spellings are one person: one hash.
        let first = line.split("email:sha256:").nth(1).map(|s| &s[..16]);
        let second = line.split("email:sha256:").nth(2).map(|s| &s[..16]);
        assert_eq!(first, second);
        assert_eq!(
            redact_emails("PATCH /Users/dbmid:x"),
            "PATCH /Users/dbmid:x"
        );
    }

    /// Collects what a subscriber writes.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut v) = self.0.lock() {
                v.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn an_entry_is_one_json_log_line_for_a_siem_without_emails() {
        let entry = AuditEntry {
            id: 42,
            at: chrono::Utc::now(),
            client: Some("okta".into()),
            request_id: Some("req-1".into()),
            operation: "POST /Users".into(),
            resource_type: Some("User".into()),
            resource_id: None,
            dropbox_calls: vec![DropboxCall {
                route: "members/add_v2".into(),
                outcome: "ok".into(),
            }],
            status: 409,
            detail: Some("userName bob@example.com is taken".into()),
        };
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || log_entry(&entry));
        let text = out
            .0
            .lock()
            .map(|v| String::from_utf8_lossy(&v).into_owned());
        let text = text.unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1, "{text}");
        let line: serde_json::Value = serde_json::from_str(lines[0]).unwrap_or_default();
        assert_eq!(line["target"], "audit");
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["fields"]["audit_id"], 42);
        assert_eq!(line["fields"]["status"], 409);
        assert_eq!(line["fields"]["client"], "okta");
        assert_eq!(line["fields"]["dropbox_calls"], "members/add_v2=ok");
        assert!(!text.contains('@') && !text.contains("bob"), "{text}");
    }
}
