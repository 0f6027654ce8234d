//! A DELETE whose removal will be blocked is reported at DELETE time (blocked at once, with an
//! audit entry), not when the grace period ends; the operator fixes it with the binary's `pending
//! --state blocked`, `--retry ID --transfer-dest EMAIL` and `--run-now ID`.

use crate::helpers::test_app::TestApp;
use crate::helpers::wait::eventually;
use dropbox_scim_bridge::store::{AuditEntry, AuditQuery, RemovalState, Store};
use serde_json::{Value, json};
use std::process::Output;
use std::time::Duration;

/// Runs `dropbox-scim-bridge pending ARGS` on the app's store and Dropbox.
async fn pending(app: &TestApp, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_dropbox-scim-bridge"))
        .arg("pending")
        .args(args)
        .env_clear()
        .envs(app.settings.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .await
        .expect("the binary runs")
}

fn text(o: &Output) -> String {
    let (out, err) = (&o.stdout, &o.stderr);
    format!(
        "{}{}",
        String::from_utf8_lossy(out),
        String::from_utf8_lossy(err)
    )
}

async fn audit(store: &Store, id: &str) -> Vec<AuditEntry> {
    let query = AuditQuery {
        resource_id: Some(id.to_owned()),
        ..AuditQuery::default()
    };
    store.query_audit(&query).await.expect("audit")
}

fn status(app: &TestApp, id: &str) -> Value {
    app.dropbox.emulator.member(id).expect("member")["status"][".tag"].clone()
}

#[tokio::test]
async fn a_blocked_removal_is_reported_at_delete_time_and_fixed_from_the_cli() {
    let app = TestApp::spawn_with(&[
        ("SCIM_BRIDGE_DEPROVISION__POLICY", "suspend_then_remove"),
        ("SCIM_BRIDGE_DEPROVISION__TRANSFER_TO", "manager"),
        (
            "SCIM_BRIDGE_DEPROVISION__TRANSFER_ADMIN",
            "admin@example.com",
        ),
    ])
    .await;
    let store = Store::connect(app.store_url()).await.expect("store");
    let archive = app.active_member("archive@example.com").await;
    let id = app.active_member("leaver@example.com").await;
    let before = chrono::Utc::now();

    // No manager and no fallback: blocked now, not when the 7-day grace period ends.
    assert_eq!(app.delete_user(&id).await.0, 204);

    assert_eq!(status(&app, &id), json!("suspended"));
    let blocked = store.list_removals(None).await.expect("list");
    let blocked = blocked.into_iter().next().expect("recorded");
    assert_eq!(blocked.state, RemovalState::Blocked);
    assert!(blocked.due_at > before + chrono::Duration::days(6));
    let reason = blocked.last_error.clone().unwrap_or_default();
    assert!(reason.contains("deprovision.transfer_dest"), "{reason}");
    let detail = audit(&store, &id).await[0].detail.clone();
    assert!(detail.is_some_and(|d| d.starts_with("removal blocked")));

    let listed = pending(&app, &["--state", "blocked", "--json"]).await;
    assert!(listed.status.success(), "{}", text(&listed));
    let lines: Vec<Value> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], json!(blocked.id));
    let none = pending(&app, &["--state", "pending", "--json"]).await;
    assert!(String::from_utf8_lossy(&none.stdout).trim().is_empty());

    // A destination that is not a member is refused before anything is stored.
    let args = [
        "--retry",
        &blocked.id,
        "--transfer-dest",
        "ghost@example.com",
    ];
    let refused = pending(&app, &args).await;
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("not a member"),
        "{}",
        text(&refused)
    );
    let still = store.get_removal(&blocked.id).await.expect("get");
    assert_eq!(still.expect("known").state, RemovalState::Blocked);

    let args = [
        "--retry",
        &blocked.id,
        "--transfer-dest",
        "archive@example.com",
    ];
    let fixed = pending(&app, &args).await;
    assert!(fixed.status.success(), "{}", text(&fixed));
    let retried = store.list_removals(Some(RemovalState::Pending)).await;
    let retried = retried.expect("list").pop().expect("re-scheduled");
    assert_eq!(
        retried.due_at, blocked.due_at,
        "the grace period still runs"
    );
    assert!(retried.policy.contains(&archive));

    let now = pending(&app, &["--run-now", &retried.id]).await;
    assert!(now.status.success(), "{}", text(&now));
    let removed = eventually(Duration::from_secs(20), async || {
        status(&app, &id) == json!("removed")
    });
    assert!(removed.await, "the worker's next pass removes the member");
    let remove = app.dropbox.emulator.calls("members/remove");
    assert_eq!(
        remove[0]["transfer_dest_id"],
        json!({".tag": "team_member_id", "team_member_id": archive})
    );
    let cli: Vec<String> = audit(&store, &id)
        .await
        .into_iter()
        .filter(|e| e.client.as_deref() == Some("cli"))
        .map(|e| e.operation)
        .collect();
    assert_eq!(cli, ["pending --run-now", "pending --retry"]);
}
