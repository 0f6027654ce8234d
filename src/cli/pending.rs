//! `pending`: lists deferred removals (all, or in one state), cancels one, or retries a blocked or
//! failed one with its stored policy. These talk to the existing store only (listing opens it
//! read-only; none creates one); `pending_fix` holds the fixes that may ask Dropbox
//! (`--retry ID --transfer-dest`, `--run-now`).

use super::audit::open_store;
use super::pending_fix::{audit, reschedule, retriable};
use super::table::{clip, stamp, write_table};
use crate::store::{Access, PendingRemoval, RemovalState, Store};
use anyhow::{Context, bail};
use chrono::Utc;
use serde_json::json;
use std::io::Write;

/// Lists every deferred removal (a table, or JSON lines with `json`), or cancels one: `cancel`
/// takes a removal id or a SCIM user id. Cancelling does not unsuspend the Dropbox member.
pub async fn pending(store_url: &str, cancel: Option<String>, json: bool) -> anyhow::Result<()> {
    match cancel {
        Some(id) => self::cancel(store_url, &id).await,
        None => list(store_url, None, json).await,
    }
}

/// Cancels one removal (a removal id or a SCIM user id), recording it in the audit log.
pub async fn cancel(store_url: &str, id: &str) -> anyhow::Result<()> {
    let store = open_store(store_url, Access::ReadWrite).await?;
    let result = cancel_one(&store, id).await;
    store.close().await;
    result
}

/// Lists the deferred removals, all or those in `state` (a table, or JSON lines with `json`).
pub async fn list(store_url: &str, state: Option<RemovalState>, json: bool) -> anyhow::Result<()> {
    let store = open_store(store_url, Access::ReadOnly).await?;
    let result = list_in(&store, state, json).await;
    store.close().await;
    result
}

/// Re-schedules a blocked or failed removal (by removal id) with its stored policy, due when it
/// was (so a grace period still runs; `--run-now` skips it), e.g. once the user's manager is set.
/// Pending, running, done and cancelled ones are refused.
pub async fn retry(store_url: &str, id: &str) -> anyhow::Result<()> {
    let store = open_store(store_url, Access::ReadWrite).await?;
    let result = retry_one(&store, id).await;
    store.close().await;
    result
}

async fn retry_one(store: &Store, id: &str) -> anyhow::Result<()> {
    let r = retriable(store, id).await?;
    reschedule(store, &r, &r.policy, Vec::new()).await
}

async fn list_in(store: &Store, state: Option<RemovalState>, json: bool) -> anyhow::Result<()> {
    let removals = store
        .list_removals(state)
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
        let detail = format!("pending removal of user {scim_id} cancelled");
        audit(store, "pending --cancel", &scim_id, Vec::new(), &detail).await?;
        println!(
            "cancelled the pending removal of user {scim_id}; the Dropbox member stays suspended \
             (reactivate the user in the IdP to unsuspend)"
        );
        Ok(())
    } else {
        bail!("no pending or blocked removal with id or user {id}")
    }
}

fn removal_json(r: &PendingRemoval) -> serde_json::Value {
    json!({
        "id": r.id, "scim_id": r.scim_id, "team_member_id": r.team_member_id,
        "due_at": stamp(r.due_at), "state": r.state.as_str(), "attempts": r.attempts,
        "last_error": r.last_error, "claimed_by": r.claimed_by, "outcome": r.outcome,
    })
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
