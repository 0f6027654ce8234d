//! `DELETE /Users/{id}` under each deprovisioning policy, checking the exact arguments Dropbox received.

use crate::helpers::test_app::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

/// Creates a user and lets the invitee accept, so that the member is active; returns the SCIM id.
async fn active_user(app: &TestApp, email: &str) -> String {
    let body = app.create_okta_user(email, "Dee", "Provision").await;
    let id = body["id"].as_str().expect("id").to_owned();
    app.dropbox
        .emulator
        .accept_invite(&id)
        .expect("invite accepted");
    id
}

fn member_selector(id: &str) -> Value {
    json!({".tag": "team_member_id", "team_member_id": id})
}

fn dropbox_status(app: &TestApp, id: &str) -> Value {
    let member = app
        .dropbox
        .emulator
        .member(id)
        .expect("member known to Dropbox");
    member["status"][".tag"].clone()
}

#[tokio::test]
async fn suspend_policy_suspends_hides_and_recreate_restores_the_same_id() {
    let app = TestApp::spawn_with(&[("SCIM_BRIDGE_DEPROVISION__POLICY", "suspend")]).await;
    let id = active_user(&app, "sus@example.com").await;

    let (status, body) = app.delete_user(&id).await;

    assert_eq!(status, 204);
    assert_eq!(body, Value::Null);
    assert_eq!(
        app.dropbox.emulator.calls("members/suspend"),
        vec![json!({"user": member_selector(&id), "wipe_data": false})]
    );
    assert_eq!(app.count("members/remove"), 0);
    assert_eq!(dropbox_status(&app, &id), json!("suspended"));
    let (status, err) = app.get_user(&id).await;
    assert_eq!(status, 404);
    assert_eq!(err["status"], json!("404"));
    let (_, list) = app
        .list_users("filter=userName%20eq%20%22sus@example.com%22")
        .await;
    assert_eq!(list["totalResults"], json!(0));

    let again = app
        .create_okta_user("sus@example.com", "Dee", "Provision")
        .await;

    assert_eq!(again["id"], json!(id));
    assert_eq!(again["active"], json!(true));
    assert_eq!(app.count("members/add_v2"), 1);
    assert_eq!(
        app.dropbox.emulator.calls("members/unsuspend"),
        vec![json!({"user": member_selector(&id)})]
    );
    assert_eq!(dropbox_status(&app, &id), json!("active"));
    let (status, _) = app.get_user(&id).await;
    assert_eq!(status, 200);
}

/// One deprovisioning policy: its settings and what Dropbox must receive on `DELETE /Users/{id}`.
struct PolicyCase {
    name: &'static str,
    settings: &'static [(&'static str, &'static str)],
    /// The `members/suspend` bodies beyond `user` (empty: no suspend).
    suspends: Vec<Value>,
    /// The `members/remove` bodies beyond `user` (empty: no removal).
    removes: Vec<Value>,
    /// The member's Dropbox status afterwards.
    status: &'static str,
}

fn policy_cases() -> Vec<PolicyCase> {
    vec![
        PolicyCase {
            // wipe_data = true is Dropbox's default, so the SDK leaves it out.
            name: "suspend honours users.suspend_wipe_data",
            settings: &[("SCIM_BRIDGE_USERS__SUSPEND_WIPE_DATA", "true")],
            suspends: vec![json!({})],
            removes: vec![],
            status: "suspended",
        },
        PolicyCase {
            name: "remove with Dropbox's defaults",
            settings: &[("SCIM_BRIDGE_DEPROVISION__POLICY", "remove")],
            suspends: vec![],
            removes: vec![json!({})],
            status: "removed",
        },
        PolicyCase {
            name: "remove keeping the account, without wipe",
            settings: &[
                ("SCIM_BRIDGE_DEPROVISION__POLICY", "remove"),
                ("SCIM_BRIDGE_DEPROVISION__WIPE_DATA", "false"),
                ("SCIM_BRIDGE_DEPROVISION__KEEP_ACCOUNT", "true"),
                ("SCIM_BRIDGE_DEPROVISION__RETAIN_TEAM_SHARES", "true"),
            ],
            suspends: vec![],
            removes: vec![
                json!({"wipe_data": false, "keep_account": true, "retain_team_shares": true}),
            ],
            status: "removed",
        },
        PolicyCase {
            name: "suspend_then_remove suspends now and removes nothing yet",
            settings: &[
                ("SCIM_BRIDGE_DEPROVISION__POLICY", "suspend_then_remove"),
                ("SCIM_BRIDGE_DEPROVISION__GRACE_PERIOD_SECS", "86400"),
            ],
            suspends: vec![json!({"wipe_data": false})],
            removes: vec![],
            status: "suspended",
        },
    ]
}

/// `extra` with the member selector of `id` added as `user`.
fn with_user(id: &str, mut extra: Value) -> Value {
    extra["user"] = member_selector(id);
    extra
}

#[tokio::test]
async fn each_policy_sends_its_exact_dropbox_calls_and_hides_the_user() {
    for case in policy_cases() {
        let name = case.name;
        let app = TestApp::spawn_with(case.settings).await;
        let id = active_user(&app, "leaver@example.com").await;

        let (status, _) = app.delete_user(&id).await;

        assert_eq!(status, 204, "{name}");
        let suspends: Vec<Value> = case
            .suspends
            .into_iter()
            .map(|b| with_user(&id, b))
            .collect();
        let removes: Vec<Value> = case
            .removes
            .into_iter()
            .map(|b| with_user(&id, b))
            .collect();
        assert_eq!(
            app.dropbox.emulator.calls("members/suspend"),
            suspends,
            "{name}"
        );
        assert_eq!(
            app.dropbox.emulator.calls("members/remove"),
            removes,
            "{name}"
        );
        assert_eq!(dropbox_status(&app, &id), json!(case.status), "{name}");
        let (status, _) = app.get_user(&id).await;
        assert_eq!(status, 404, "{name}");
    }
}

#[tokio::test]
async fn deleting_an_invited_member_withdraws_the_invitation() {
    let app = TestApp::spawn_with(&[("SCIM_BRIDGE_DEPROVISION__POLICY", "suspend")]).await;
    let body = app.create_okta_user("inv@example.com", "In", "Vited").await;
    let id = body["id"].as_str().expect("id").to_owned();

    let (status, _) = app.delete_user(&id).await;

    assert_eq!(status, 204);
    assert_eq!(app.count("members/suspend"), 0);
    assert_eq!(
        app.dropbox.emulator.calls("members/remove"),
        vec![json!({"user": member_selector(&id)})]
    );
    let (status, _) = app.get_user(&id).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn delete_of_an_unknown_or_already_deleted_user_is_404() {
    let app = TestApp::spawn().await;
    let id = active_user(&app, "twice@example.com").await;
    let (first, _) = app.delete_user(&id).await;
    assert_eq!(first, 204);

    let (again, body) = app.delete_user(&id).await;
    let (unknown, _) = app
        .json(Method::DELETE, "/Users/dbmid:nosuchmember", None)
        .await;

    assert_eq!(again, 404);
    assert_eq!(body["status"], json!("404"));
    assert_eq!(unknown, 404);
    assert_eq!(app.count("members/suspend"), 1);
}

#[tokio::test]
async fn recreate_after_remove_recovers_the_member_when_enabled() {
    let app = TestApp::spawn_with(&[
        ("SCIM_BRIDGE_DEPROVISION__POLICY", "remove"),
        ("SCIM_BRIDGE_USERS__RECOVER_RECENTLY_REMOVED", "true"),
    ])
    .await;
    let id = active_user(&app, "back@example.com").await;
    let (status, _) = app.delete_user(&id).await;
    assert_eq!(status, 204);

    let again = app
        .create_okta_user("back@example.com", "Dee", "Provision")
        .await;

    assert_eq!(again["id"], json!(id));
    assert_eq!(again["active"], json!(true));
    assert_eq!(
        app.dropbox.emulator.calls("members/recover"),
        vec![json!({"user": member_selector(&id)})]
    );
    assert_eq!(dropbox_status(&app, &id), json!("active"));
}

#[tokio::test]
async fn recreate_within_dropbox_recovery_window_is_409_when_recovery_is_off() {
    let app = TestApp::spawn_with(&[("SCIM_BRIDGE_DEPROVISION__POLICY", "remove")]).await;
    let id = active_user(&app, "blocked@example.com").await;
    let (status, _) = app.delete_user(&id).await;
    assert_eq!(status, 204);

    let (status, body) = app
        .create_user(json!({"userName": "blocked@example.com", "active": true}))
        .await;

    // Dropbox refuses members/add_v2 for 7 days after a removal (user_already_on_team).
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["scimType"], json!("uniqueness"));
    let detail = body["detail"].as_str().unwrap_or("");
    assert!(detail.contains("removed less than 7 days ago"), "{detail}");
    assert!(
        detail.contains("users.recover_recently_removed"),
        "{detail}"
    );
    assert_eq!(app.count("members/recover"), 0);
}
