//! The `audit` and `pending` operator commands against a SQLite store on a temp file: listing, cancelling by removal id or user, and refusals.

use dropbox_scim_bridge::cli::{audit, pending};
use dropbox_scim_bridge::store;

use chrono::{Duration, Utc};
use store::{AuditEntry, DropboxCall, RemovalState, Store};

async fn seeded() -> (tempfile::TempDir, String, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/store.db?mode=rwc", dir.path().display());
    let store = Store::connect(&url).await.expect("store");
    let now = Utc::now();
    for (user, due) in [("u1", 3600), ("u2", -10)] {
        let due = now + Duration::seconds(due);
        store
            .schedule_removal(user, &format!("dbmid:{user}"), due, "{}", now)
            .await
            .expect("schedule");
    }
    let entry = AuditEntry {
        id: 0,
        at: now - Duration::hours(2),
        client: Some("okta".into()),
        request_id: Some("req-1".into()),
        operation: "DELETE /Users/u1".into(),
        resource_type: Some("User".into()),
        resource_id: Some("u1".into()),
        dropbox_calls: vec![DropboxCall {
            route: "members/suspend".into(),
            outcome: "ok".into(),
        }],
        status: 204,
        detail: None,
    };
    store.append_audit(&entry).await.expect("audit");
    (dir, url, store)
}

/// `audit` on the store at `url`, named by a config file, with these filters.
fn audit_args(
    url: &str,
    user: Option<&str>,
    since: Option<&str>,
    until: Option<&str>,
) -> audit::AuditArgs {
    let file = url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap_or_default();
    let config = std::path::Path::new(file).with_extension("toml");
    std::fs::write(&config, format!("[store]\nurl = \"{url}\"\n")).expect("config");
    audit::AuditArgs {
        store: audit::StoreArgs {
            config: Some(config),
            demo: false,
            data_dir: "data/demo".into(),
        },
        user: user.map(str::to_owned),
        email: None,
        since: since.map(str::to_owned),
        until: until.map(str::to_owned),
        status: None,
        client: None,
        operation: None,
        limit: 10,
        format: audit::Format::Table,
        json: false,
    }
}

#[tokio::test]
async fn audit_reads_with_filters_in_both_formats() {
    let (_dir, url, _store) = seeded().await;
    for format in [
        audit::Format::Table,
        audit::Format::Json,
        audit::Format::Csv,
    ] {
        let args = audit::AuditArgs {
            format,
            ..audit_args(&url, Some("u1"), Some("1d"), None)
        };
        audit::audit(args).await.expect("audit");
    }
    let until = audit_args(&url, None, None, Some("2020-01-01T00:00:00Z"));
    audit::audit(until).await.expect("empty window");
    let bad = audit::audit(audit_args(&url, None, Some("yesterday"), None)).await;
    assert!(bad.is_err());
}

#[tokio::test]
async fn pending_lists_and_cancels_by_removal_id_or_user() {
    let (_dir, url, store) = seeded().await;
    pending::pending(&url, None, false).await.expect("table");
    pending::pending(&url, None, true).await.expect("json");
    let removals = store
        .list_removals(Some(RemovalState::Pending))
        .await
        .expect("list");
    let u1 = removals.iter().find(|r| r.scim_id == "u1").expect("u1");
    pending::pending(&url, Some(u1.id.clone()), false)
        .await
        .expect("cancel by id");
    pending::pending(&url, Some("u2".into()), false)
        .await
        .expect("cancel by user");
    let left = store
        .list_removals(Some(RemovalState::Pending))
        .await
        .expect("list");
    assert!(left.is_empty());
    assert!(
        pending::pending(&url, Some("u2".into()), false)
            .await
            .is_err(),
        "nothing left to cancel"
    );
}

#[tokio::test]
async fn pending_refuses_to_cancel_a_running_removal() {
    let (_dir, url, store) = seeded().await;
    let claimed = store
        .claim_due("w1", Utc::now(), Duration::minutes(5), 10)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    let err = pending::pending(&url, Some(claimed[0].id.clone()), false).await;
    assert!(err.is_err_and(|e| e.to_string().contains("running")));
    let row = store
        .get_removal(&claimed[0].id)
        .await
        .expect("get")
        .expect("known");
    assert_eq!(row.state, RemovalState::Running);
}

#[tokio::test]
async fn retry_reschedules_a_blocked_removal_and_refuses_others() {
    let (_dir, url, store) = seeded().await;
    let claimed = store
        .claim_due("w1", Utc::now(), Duration::minutes(5), 10)
        .await
        .expect("claim");
    let id = claimed[0].id.clone();
    assert!(
        pending::retry(&url, &id).await.is_err(),
        "a running removal is not retried"
    );
    let blocked = store.block_removal(&id, "w1", "no transfer destination", Utc::now());
    assert!(blocked.await.expect("block"));
    pending::retry(&url, &id).await.expect("retry");
    let old = store.get_removal(&id).await.expect("get").expect("known");
    assert_eq!(old.state, RemovalState::Cancelled);
    let pending = store
        .list_removals(Some(RemovalState::Pending))
        .await
        .expect("list");
    let new = pending
        .iter()
        .find(|r| r.scim_id == claimed[0].scim_id)
        .expect("re-scheduled");
    assert!(new.due_at <= Utc::now());
    assert_eq!(new.policy, claimed[0].policy);
    assert!(pending::retry(&url, "no-such-id").await.is_err());
}
