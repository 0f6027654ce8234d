//! `pending`: lists deferred removals, cancels one, or retries a blocked or failed one. These talk
//! to the store only, never to Dropbox.

use super::table::{clip, stamp, write_table};
use crate::store::{PendingRemoval, RemovalState, Store};
use anyhow::{Context, bail};
use chrono::Utc;
use serde_json::json;
use std::io::Write;

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
