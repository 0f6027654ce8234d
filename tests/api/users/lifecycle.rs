//! The user lifecycle over HTTP: deactivate and reactivate active and invited members, the no-op
//! periodic `active=true`, and profile changes folded into one Dropbox call.

use crate::helpers::test_app::TestApp;
use serde_json::json;

/// Dropbox write routes: none of them may be called by a no-op.
const WRITES: [&str; 5] = [
    "members/set_profile_v2",
    "members/suspend",
    "members/unsuspend",
    "members/add_v2",
    "members/remove",
];

fn writes(app: &TestApp) -> u64 {
    WRITES.iter().map(|r| app.count(r)).sum()
}

async fn active_user(app: &TestApp, email: &str) -> String {
    let body = app.create_okta_user(email, "Ann", "Active").await;
    let id = body["id"].as_str().expect("id").to_owned();
    app.dropbox.emulator.accept_invite(&id).expect("accepted");
    id
}

#[tokio::test]
async fn okta_deactivates_and_reactivates_an_active_member() {
    let app = TestApp::spawn().await;
    let id = active_user(&app, "okta.cycle@example.com").await;

    let (status, off) = app
        .patch_user(&id, json!([{"op": "replace", "value": {"active": false}}]))
        .await;

    assert_eq!(status, 200, "{off}");
    assert_eq!(off["active"], json!(false));
    assert_eq!(app.count("members/suspend"), 1);
    let (_, got) = app.get_user(&id).await;
    assert_eq!(got["active"], json!(false));
    assert_eq!(got["id"], json!(id));

    let (status, on) = app
        .patch_user(&id, json!([{"op": "replace", "value": {"active": true}}]))
        .await;

    assert_eq!(status, 200, "{on}");
    assert_eq!(on["active"], json!(true));
    assert_eq!(
        app.dropbox.emulator.calls("members/unsuspend"),
        vec![json!({"user": {".tag": "team_member_id", "team_member_id": id}})]
    );
    assert_eq!(app.count("members/set_profile_v2"), 0);
}

#[tokio::test]
async fn deactivating_an_invited_member_withdraws_the_invite_and_keeps_the_id() {
    let app = TestApp::spawn().await;
    let created = app
        .create_okta_user("invitee@example.com", "Iris", "Invited")
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(
        created["active"],
        json!(true),
        "an invited member is provisioned"
    );

    let (status, off) = app
        .patch_user(&id, json!([{"op": "replace", "value": {"active": false}}]))
        .await;

    assert_eq!(status, 200, "{off}");
    assert_eq!(off["active"], json!(false));
    assert_eq!(off["id"], json!(id));
    assert_eq!(app.count("members/suspend"), 0);
    assert_eq!(app.count("members/remove"), 1);
    let (status, got) = app.get_user(&id).await;
    assert_eq!((status, &got["active"]), (200, &json!(false)));
    assert_eq!(got["userName"], json!("invitee@example.com"));
    let (_, list) = app
        .list_users("filter=userName%20eq%20%22INVITEE@example.com%22")
        .await;
    assert_eq!(list["totalResults"], json!(1));
    assert_eq!(list["Resources"][0]["id"], json!(id));
    assert_eq!(list["Resources"][0]["active"], json!(false));

    let (status, on) = app
        .patch_user(&id, json!([{"op": "replace", "value": {"active": true}}]))
        .await;

    assert_eq!(status, 200, "{on}");
    assert_eq!(on["active"], json!(true));
    assert_eq!(
        on["id"],
        json!(id),
        "the IdP keeps its id across the re-invitation"
    );
    assert_eq!(app.count("members/add_v2"), 2);
    let (status, again) = app.get_user(&id).await;
    assert_eq!((status, &again["active"]), (200, &json!(true)));
}

#[tokio::test]
async fn entra_periodic_active_true_is_a_no_op_without_dropbox_writes() {
    let app = TestApp::spawn().await;
    let id = active_user(&app, "steady@example.com").await;
    let before = writes(&app);

    for value in [json!("True"), json!(true)] {
        let (status, body) = app
            .patch_user(
                &id,
                json!([{"op": "Replace", "path": "active", "value": value}]),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["active"], json!(true));
    }

    assert_eq!(writes(&app), before, "{:?}", app.stats());
}

#[tokio::test]
async fn entra_soft_delete_by_string_false_then_delete() {
    let app = TestApp::spawn().await;
    let id = active_user(&app, "soft@example.com").await;

    let (status, body) = app
        .patch_user(
            &id,
            json!([{"op": "Replace", "path": "active", "value": "False"}]),
        )
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["active"], json!(false));
    assert_eq!(app.count("members/suspend"), 1);
    let (status, got) = app.get_user(&id).await;
    assert_eq!((status, &got["active"]), (200, &json!(false)));
    let (status, _) = app.delete_user(&id).await;
    assert_eq!(status, 204);
    assert_eq!(
        app.count("members/suspend"),
        1,
        "already suspended: no second call"
    );
    let (status, _) = app.get_user(&id).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn name_email_and_external_id_change_is_one_set_profile_call() {
    let app = TestApp::spawn().await;
    let id = active_user(&app, "old@example.com").await;

    let (status, body) = app
        .patch_user(&id, json!([
                {"op": "Replace", "path": "userName", "value": "new@example.com"},
                {"op": "Replace", "path": "name.givenName", "value": "Nora"},
                {"op": "Replace", "path": "name.familyName", "value": "Newname"},
                {"op": "Replace", "path": "externalId", "value": "ext-42"},
                {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "new@example.com"}
            ]))
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["userName"], json!("new@example.com"));
    assert_eq!(body["name"]["givenName"], json!("Nora"));
    assert_eq!(body["externalId"], json!("ext-42"));
    assert_eq!(
        app.dropbox.emulator.calls("members/set_profile_v2"),
        vec![json!({
            "user": {".tag": "team_member_id", "team_member_id": id},
            "new_email": "new@example.com",
            "new_external_id": "ext-42",
            "new_given_name": "Nora",
            "new_surname": "Newname"
        })]
    );
    let member = app.dropbox.emulator.member(&id).expect("member");
    assert_eq!(member["email"], json!("new@example.com"));
}

#[tokio::test]
async fn okta_put_with_active_false_suspends_and_unchanged_put_writes_nothing() {
    let app = TestApp::spawn().await;
    let id = active_user(&app, "put@example.com").await;
    let (_, mut current) = app.get_user(&id).await;
    let before = writes(&app);

    let (status, same) = app.put_user(&id, current.clone()).await;

    assert_eq!(status, 200, "{same}");
    assert_eq!(writes(&app), before, "{:?}", app.stats());

    current["active"] = json!(false);
    let (status, off) = app.put_user(&id, current).await;

    assert_eq!(status, 200, "{off}");
    assert_eq!(off["active"], json!(false));
    assert_eq!(app.count("members/suspend"), 1);
    assert_eq!(app.count("members/set_profile_v2"), 0);
}

#[tokio::test]
async fn soft_deleted_invitee_can_be_deleted_and_created_again() {
    let app = TestApp::spawn().await;
    let created = app
        .create_okta_user("soft.inv@example.com", "So", "Ft")
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let (status, _) = app
        .patch_user(
            &id,
            json!([{"op": "Replace", "path": "active", "value": "False"}]),
        )
        .await;
    assert_eq!(status, 200);

    let (status, _) = app.delete_user(&id).await;

    assert_eq!(status, 204);
    assert_eq!(
        app.count("members/remove"),
        1,
        "the invitation was withdrawn once"
    );
    let (status, _) = app.get_user(&id).await;
    assert_eq!(status, 404);
    let again = app
        .create_okta_user("soft.inv@example.com", "So", "Ft")
        .await;
    assert_ne!(again["id"], json!(id));
    assert_eq!(again["active"], json!(true));
}
