//! `audit`'s output: an aligned table, JSON Lines, or CSV (RFC 4180 quoting by the `csv` crate).

use super::table::{clip, stamp, write_table};
use crate::store::AuditEntry;
use clap::ValueEnum;
use serde_json::json;
use std::io::Write;

/// The output of `audit`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// An aligned table for a terminal.
    #[default]
    Table,
    /// One JSON object per line (JSON Lines).
    Json,
    /// CSV with a header row (RFC 4180 quoting).
    Csv,
}

/// Writes `entries` in `format`.
pub fn write_entries(
    out: &mut Vec<u8>,
    entries: &[AuditEntry],
    format: Format,
) -> anyhow::Result<()> {
    match format {
        Format::Table => write_audit_table(out, entries)?,
        Format::Json => {
            for e in entries {
                writeln!(out, "{}", audit_json(e))?;
            }
        }
        Format::Csv => write_csv(out, entries)?,
    }
    Ok(())
}

fn audit_json(e: &AuditEntry) -> serde_json::Value {
    json!({
        "id": e.id, "at": stamp(e.at), "client": e.client, "request_id": e.request_id,
        "operation": e.operation, "resource_type": e.resource_type, "resource_id": e.resource_id,
        "dropbox_calls": e.dropbox_calls, "status": e.status, "detail": e.detail,
    })
}

fn write_csv(out: &mut Vec<u8>, entries: &[AuditEntry]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "id",
        "at",
        "client",
        "request_id",
        "operation",
        "resource_type",
        "resource_id",
        "status",
        "dropbox_calls",
        "detail",
    ])?;
    for e in entries {
        w.write_record([
            e.id.to_string(),
            stamp(e.at),
            e.client.clone().unwrap_or_default(),
            e.request_id.clone().unwrap_or_default(),
            e.operation.clone(),
            e.resource_type.clone().unwrap_or_default(),
            e.resource_id.clone().unwrap_or_default(),
            e.status.to_string(),
            calls_text(e),
            e.detail.clone().unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// The Dropbox calls as `route=outcome` joined by commas.
fn calls_text(e: &AuditEntry) -> String {
    let calls: Vec<String> = e
        .dropbox_calls
        .iter()
        .map(|c| format!("{}={}", c.route, c.outcome))
        .collect();
    calls.join(",")
}

fn write_audit_table(out: &mut impl Write, entries: &[AuditEntry]) -> std::io::Result<()> {
    if entries.is_empty() {
        return writeln!(out, "no audit entries match");
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                stamp(e.at),
                e.client.clone().unwrap_or_default(),
                e.operation.clone(),
                e.resource_id.clone().unwrap_or_default(),
                e.status.to_string(),
                calls_text(e),
                clip(e.detail.as_deref().unwrap_or_default(), 60),
            ]
        })
        .collect();
    let header = [
        "AT",
        "CLIENT",
        "OPERATION",
        "RESOURCE",
        "STATUS",
        "DROPBOX CALLS",
        "DETAIL",
    ];
    write_table(out, &header, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::Utc
            .with_ymd_and_hms(2026, 3, 10, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn csv_quotes_commas_quotes_and_newlines() {
        let entry = AuditEntry {
            id: 7,
            at: now(),
            client: Some("okta".into()),
            request_id: None,
            operation: "PATCH /scim/v2/Users/x".into(),
            resource_type: Some("User".into()),
            resource_id: Some("x".into()),
            dropbox_calls: vec![
                crate::store::DropboxCall {
                    route: "a".into(),
                    outcome: "ok".into(),
                },
                crate::store::DropboxCall {
                    route: "b".into(),
                    outcome: "429".into(),
                },
            ],
            status: 429,
            detail: Some("say \"hi\",\nthen".into()),
        };
        let mut out = Vec::new();
        assert!(write_entries(&mut out, &[entry], Format::Csv).is_ok());
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().filter_map(Result::ok).collect();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].get(8), Some("a=ok,b=429"));
        assert_eq!(rows[0].get(9), Some("say \"hi\",\nthen"));
        assert_eq!(rows[0].get(7), Some("429"));
    }
}
