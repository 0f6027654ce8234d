//! `audit`: prints the audit log of SCIM writes and the Dropbox calls they made, from the store
//! only (never Dropbox).

use super::table::{clip, stamp, write_table};
use crate::store::{AuditEntry, AuditQuery, Store};
use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::io::Write;

/// Prints the audit log, newest first: a table, or one JSON object per line with `json`.
/// `since`/`until` take RFC 3339 (`2026-01-31T09:00:00Z`) or an age such as `90m`, `24h`, `7d`.
pub async fn audit(
    store_url: &str,
    user: Option<String>,
    since: Option<String>,
    until: Option<String>,
    limit: i64,
    json: bool,
) -> anyhow::Result<()> {
    let now = Utc::now();
    let query = AuditQuery {
        resource_id: user,
        since: since.as_deref().map(|s| parse_time(s, now)).transpose()?,
        until: until.as_deref().map(|s| parse_time(s, now)).transpose()?,
        limit: Some(limit.max(1)),
    };
    let store = Store::connect(store_url)
        .await
        .context("cannot open the store")?;
    let entries = store.query_audit(&query).await;
    store.close().await;
    let entries = entries.context("cannot read the audit log")?;
    let mut out = Vec::new();
    if json {
        for e in &entries {
            writeln!(out, "{}", audit_json(e))?;
        }
    } else {
        write_audit_table(&mut out, &entries)?;
    }
    print!("{}", String::from_utf8_lossy(&out));
    Ok(())
}

/// RFC 3339, or an age before `now`: a number and `s`, `m`, `h`, `d` or `w`.
fn parse_time(text: &str, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let split = text.len().saturating_sub(1);
    let (number, unit) = (text.get(..split), text.get(split..));
    let amount: i64 = number
        .and_then(|n| n.parse().ok())
        .filter(|n| *n >= 0)
        .with_context(|| format!("`{text}` is neither RFC 3339 nor an age like 24h or 7d"))?;
    let secs = match unit {
        Some("s") => 1,
        Some("m") => 60,
        Some("h") => 3600,
        Some("d") => 86_400,
        Some("w") => 604_800,
        _ => bail!("`{text}`: the unit must be s, m, h, d or w"),
    };
    amount
        .checked_mul(secs)
        .and_then(chrono::Duration::try_seconds)
        .and_then(|d| now.checked_sub_signed(d))
        .with_context(|| format!("`{text}` is too far back"))
}

fn audit_json(e: &AuditEntry) -> serde_json::Value {
    json!({
        "id": e.id, "at": stamp(e.at), "client": e.client, "request_id": e.request_id,
        "operation": e.operation, "resource_type": e.resource_type, "resource_id": e.resource_id,
        "dropbox_calls": e.dropbox_calls, "status": e.status, "detail": e.detail,
    })
}

fn write_audit_table(out: &mut impl Write, entries: &[AuditEntry]) -> std::io::Result<()> {
    if entries.is_empty() {
        return writeln!(out, "no audit entries match");
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let calls: Vec<String> = e
                .dropbox_calls
                .iter()
                .map(|c| format!("{}={}", c.route, c.outcome))
                .collect();
            vec![
                stamp(e.at),
                e.client.clone().unwrap_or_default(),
                e.operation.clone(),
                e.resource_id.clone().unwrap_or_default(),
                e.status.to_string(),
                calls.join(","),
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

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn times_parse_as_rfc3339_or_relative_ages() {
        let t = parse_time("2026-03-01T08:30:00+01:00", now()).map(stamp);
        assert_eq!(t.ok().as_deref(), Some("2026-03-01T07:30:00Z"));
        let ago = |s| parse_time(s, now()).map(stamp).ok();
        assert_eq!(ago("24h").as_deref(), Some("2026-03-09T12:00:00Z"));
        assert_eq!(ago("7d").as_deref(), Some("2026-03-03T12:00:00Z"));
        assert_eq!(ago("90m").as_deref(), Some("2026-03-10T10:30:00Z"));
        for bad in ["", "h", "-1d", "5y", "yesterday", "9999999999999999w", "1é"] {
            assert!(parse_time(bad, now()).is_err(), "{bad}");
        }
    }
}
