//! Regression tests for what `.ci/schemathesis.sh` found, one per finding.

use crate::helpers::scim_calls::{USER_URN, assert_scim_error};
use crate::helpers::test_app::TestApp;
use serde_json::{Value, json};

fn user(email: &str, external_id: &str, active: bool) -> Value {
    json!({"schemas": [USER_URN], "userName": email, "externalId": external_id,
           "name": {"givenName": "Ann", "familyName": "Example"}, "active": active})
}

/// Found: `POST /Users` with `active: false` and the externalId of a user deactivated while invited
/// answered 500 (the store keeps externalIds unique among those users) after inviting the person.
/// Now every write that would give a second user that e-mail or externalId is a 409 before any call.
#[tokio::test]
async fn an_external_id_held_by_a_deactivated_invitee_is_a_409_before_any_dropbox_call() {
    let app = TestApp::spawn().await;
    let (status, ana) = app
        .create_user(user("ana@example.com", "ext-1", true))
        .await;
    assert_eq!(status, 201, "{ana}");
    let ana_id = ana["id"].as_str().expect("id");
    let (status, body) = app
        .patch_user(
            ana_id,
            json!([{"op": "replace", "path": "active", "value": false}]),
        )
        .await;
    assert_eq!((status, &body["active"]), (200, &json!(false)), "{body}");

    let before = app.stats();
    for active in [false, true] {
        let (status, body) = app
            .create_user(user("bo@example.com", "ext-1", active))
            .await;
        assert_eq!(status, 409, "create with active {active}: {body}");
        assert_scim_error(&body, "409", "a taken externalId");
        assert_eq!(body["scimType"], "uniqueness");
    }
    assert_eq!(app.stats(), before, "no Dropbox call for a refused create");

    let (_, cy) = app.create_user(user("cy@example.com", "ext-2", true)).await;
    let cy_id = cy["id"].as_str().expect("id");
    let writes = |app: &TestApp| {
        (
            app.count("members/set_profile_v2"),
            app.count("members/remove"),
        )
    };
    let before = writes(&app);
    let (status, body) = app
        .patch_user(
            cy_id,
            json!([{"op": "replace", "path": "externalId", "value": "ext-1"},
                   {"op": "replace", "path": "active", "value": false}]),
        )
        .await;
    assert_eq!(
        (status, &body["scimType"]),
        (409, &json!("uniqueness")),
        "{body}"
    );
    assert_eq!(
        writes(&app),
        before,
        "no profile change, the invitation is not withdrawn"
    );
    let (status, cy) = app.get_user(cy_id).await;
    assert_eq!(
        (status, &cy["active"], &cy["externalId"]),
        (200, &json!(true), &json!("ext-2"))
    );

    // The deactivated user itself may still be written with its own externalId.
    let (status, body) = app
        .put_user(ana_id, user("ana@example.com", "ext-1", false))
        .await;
    assert_eq!(status, 200, "{body}");
}
