//! Operator commands over the store: `audit` (read the audit log) and `pending` (list or cancel
//! deferred removals). They talk to the database only, never to Dropbox.

use crate::store::{AuditEntry, AuditQuery, PendingRemoval, RemovalState, Store};
use anyhow::{Context, bail};
use chrono::{DateTime, SecondsFormat, Utc};
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

/// Lists every deferred removal (a table, or JSON lines with `json`), or cancels one: `cancel`
/// takes a removal id or a SCIM user id. Cancelling does not unsuspend the Dropbox member.
pub async fn pending(store_url: &str, cancel: Option<String>, json: bool) -> anyhow::Result<()> {
    let store = Store::connect(store_url)
        .await
        .context("cannot open the store")?;
    let result = match cancel {
        Some(id) => cancel_one(&store, &id).await,
        None => list(&store, json).await,
    };
    store.close().await;
    result
}

/// Re-schedules a blocked or failed removal (by removal id) to run now with its stored policy,
/// e.g. once the user's manager is set. Pending, running, done and cancelled ones are refused.
pub async fn retry(store_url: &str, id: &str) -> anyhow::Result<()> {
    let store = Store::connect(store_url)
        .await
        .context("cannot open the store")?;
    let result = retry_one(&store, id).await;
    store.close().await;
    result
}

async fn retry_one(store: &Store, id: &str) -> anyhow::Result<()> {
    let Some(r) = store.get_removal(id).await? else {
        bail!("no removal with id {id}");
    };
    if !matches!(r.state, RemovalState::Blocked | RemovalState::Failed) {
        bail!(
            "removal {id} is {}; only blocked or failed ones can be retried",
            r.state.as_str()
        );
    }
    let now = Utc::now();
    let new = store
        .schedule_removal(&r.scim_id, &r.team_member_id, now, &r.policy, now)
        .await?;
    println!(
        "re-scheduled the removal of user {} as {} (due now)",
        r.scim_id, new.id
    );
    Ok(())
}

async fn list(store: &Store, json: bool) -> anyhow::Result<()> {
    let removals = store
        .list_removals(None)
        .await
        .context("cannot read the removals")?;
    let mut out = Vec::new();
    if json {
        for r in &removals {
            writeln!(out, "{}", removal_json(r))?;
        }
    } else {
        write_removal_table(&mut out, &removals)?;
    }
    print!("{}", String::from_utf8_lossy(&out));
    Ok(())
}

async fn cancel_one(store: &Store, id: &str) -> anyhow::Result<()> {
    let scim_id = match store.get_removal(id).await? {
        Some(r) if r.state == RemovalState::Running => {
            bail!("removal {id} is running now and cannot be cancelled; check again shortly")
        }
        Some(r) => r.scim_id,
        None => id.to_owned(),
    };
    if store.cancel_removal(&scim_id, Utc::now()).await? {
        println!(
            "cancelled the pending removal of user {scim_id}; the Dropbox member stays suspended \
             (reactivate the user in the IdP to unsuspend)"
        );
        Ok(())
    } else {
        bail!("no pending or blocked removal with id or user {id}")
    }
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

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn audit_json(e: &AuditEntry) -> serde_json::Value {
    json!({
        "id": e.id, "at": stamp(e.at), "client": e.client, "request_id": e.request_id,
        "operation": e.operation, "resource_type": e.resource_type, "resource_id": e.resource_id,
        "dropbox_calls": e.dropbox_calls, "status": e.status, "detail": e.detail,
    })
}

fn removal_json(r: &PendingRemoval) -> serde_json::Value {
    json!({
        "id": r.id, "scim_id": r.scim_id, "team_member_id": r.team_member_id,
        "due_at": stamp(r.due_at), "state": r.state.as_str(), "attempts": r.attempts,
        "last_error": r.last_error, "claimed_by": r.claimed_by, "outcome": r.outcome,
    })
}

/// Writes rows under a header, each column as wide as its widest cell.
fn write_table(out: &mut impl Write, header: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    writeln!(
        out,
        "{}",
        line(header.iter().map(|h| (*h).to_owned()).collect())
    )?;
    for row in rows {
        writeln!(out, "{}", line(row.clone()))?;
    }
    Ok(())
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

fn write_removal_table(out: &mut impl Write, removals: &[PendingRemoval]) -> std::io::Result<()> {
    if removals.is_empty() {
        return writeln!(out, "no deferred removals");
    }
    let rows: Vec<Vec<String>> = removals
        .iter()
        .map(|r| {
            vec![
                r.id.clone(),
                r.scim_id.clone(),
                r.team_member_id.clone(),
                stamp(r.due_at),
                r.state.as_str().to_owned(),
                r.attempts.to_string(),
                clip(r.last_error.as_deref().unwrap_or_default(), 80),
            ]
        })
        .collect();
    let header = [
        "ID",
        "SCIM ID",
        "MEMBER ID",
        "DUE",
        "STATE",
        "ATTEMPTS",
        "LAST ERROR",
    ];
    write_table(out, &header, &rows)
}

/// At most `max` characters, with an ellipsis when cut.
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
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

    #[test]
    fn tables_align_columns_and_clip_long_cells() {
        let mut out = Vec::new();
        let rows = vec![
            vec!["a".to_owned(), "long cell".to_owned()],
            vec!["bbb".into(), "x".into()],
        ];
        write_table(&mut out, &["H1", "H2"], &rows).unwrap_or_default();
        let text = String::from_utf8(out).unwrap_or_default();
        assert_eq!(text, "H1   H2\na    long cell\nbbb  x\n");
        assert_eq!(clip("ééééé", 3), "ééé…");
        assert_eq!(clip("abc", 3), "abc");
    }
}
