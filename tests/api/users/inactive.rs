//! Changes to users while they are inactive: a withdrawn invitation keeps what the IdP sends and
//! re-invites with it; a suspended member is updated in place and reactivated in the same request.

use crate::helpers::test_app::TestApp;
use serde_json::{Value, json};

/// The operations of a deactivating PATCH.
fn deactivate() -> Value {
    json!([{"op": "replace", "value": {"active": false}}])
}

#[tokio::test]
async fn withdrawn_invite_keeps_changes_and_reinvites_with_them() {
    let app = TestApp::spawn().await;
    let created = app
        .create_okta_user("later.joiner@example.com", "Al", "Before")
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let (status, _) = app.patch_user(&id, deactivate()).await;
    assert_eq!(status, 200);
    let after_withdrawal = app.stats();

    let (again, _) = app.patch_user(&id, deactivate()).await;
    let (status, renamed) = app
        .patch_user(
            &id,
            json!([
                {"op": "replace", "path": "name.givenName", "value": "Zed"},
                {"op": "replace", "path": "externalId", "value": "x-later"}
            ]),
        )
        .await;

    assert_eq!(again, 200);
    assert_eq!(status, 200, "{renamed}");
    assert_eq!(renamed["active"], json!(false));
    assert_eq!(renamed["name"]["givenName"], json!("Zed"));
    assert_eq!(
        app.stats(),
        after_withdrawal,
        "an inactive invite needs no Dropbox call"
    );
    let (_, found) = app
        .list_users("filter=externalId%20eq%20%22x-later%22")
        .await;
    assert_eq!(found["totalResults"], json!(1));
    assert_eq!(found["Resources"][0]["id"], json!(id));

    let (status, back) = app
        .patch_user(&id, json!([{"op": "replace", "value": {"active": true}}]))
        .await;

    assert_eq!(status, 200, "{back}");
    assert_eq!((&back["id"], &back["active"]), (&json!(id), &json!(true)));
    let adds = app.dropbox.emulator.calls("members/add_v2");
    assert_eq!(adds.len(), 2);
    assert_eq!(
        adds[1]["new_members"][0],
        json!({
            "member_email": "later.joiner@example.com",
            "member_given_name": "Zed",
            "member_surname": "Before",
            "member_external_id": "x-later"
        })
    );
}

#[tokio::test]
async fn recreating_a_withdrawn_invite_is_409_asking_for_reactivation() {
    let app = TestApp::spawn().await;
    let created = app
        .create_okta_user("withdrawn@example.com", "Wi", "Thdrawn")
        .await;
    let id = created["id"].as_str().expect("id");
    app.patch_user(id, deactivate()).await;

    let (status, body) = app
        .create_user(json!({"userName": "withdrawn@example.com", "active": true}))
        .await;

    assert_eq!(status, 409, "{body}");
    assert_eq!(body["scimType"], json!("uniqueness"));
    assert_eq!(app.count("members/add_v2"), 1);
}

#[tokio::test]
async fn suspended_member_is_renamed_in_place_and_reactivated_with_a_change() {
    let app = TestApp::spawn().await;
    let created = app
        .create_okta_user("a+b@example.com", "Sam", "Suspended")
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    app.dropbox.emulator.accept_invite(&id).expect("accepted");
    app.patch_user(&id, deactivate()).await;

    let (status, renamed) = app
        .patch_user(
            &id,
            json!([{"op": "replace", "path": "name.givenName", "value": "Quinn"}]),
        )
        .await;
    let (status2, back) = app
        .patch_user(
            &id,
            json!([{"op": "replace", "value": {"active": true, "name.familyName": "Back"}}]),
        )
        .await;

    assert_eq!(status, 200, "{renamed}");
    assert_eq!(renamed["active"], json!(false));
    assert_eq!(renamed["name"]["givenName"], json!("Quinn"));
    assert_eq!(status2, 200, "{back}");
    assert_eq!(back["active"], json!(true));
    assert_eq!(back["name"]["familyName"], json!("Back"));
    assert_eq!(app.count("members/set_profile_v2"), 2);
    assert_eq!(app.count("members/unsuspend"), 1);
    let member = app.dropbox.emulator.member(&id).expect("member");
    assert_eq!(member["status"][".tag"], json!("active"));
    assert_eq!(member["name"]["surname"], json!("Back"));
    let (_, by_plus) = app
        .list_users("filter=userName+eq+%22a%2Bb%40example.com%22")
        .await;
    assert_eq!(by_plus["Resources"][0]["id"], json!(id));
}
