//! How Dropbox failures and invalid input reach the IdP: the SCIM error, its status and headers.

use crate::helpers::scim_calls::assert_scim_error;
use crate::helpers::test_app::TestApp;
use dropbox_scim_bridge::emulator::EmulatorConfig;
use reqwest::Method;
use serde_json::{Value, json};

fn user(email: &str, given: &str, family: &str, external_id: Option<&str>) -> Option<Value> {
    let mut body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"primary": true, "value": email, "type": "work"}],
        "active": true
    });
    if let Some(x) = external_id {
        body["externalId"] = json!(x);
    }
    Some(body)
}

/// Asserts a SCIM error with `status` and exactly this `scimType`.
fn assert_typed_error(body: &Value, status: &str, scim_type: Option<&str>) {
    assert_scim_error(body, status, "error body");
    assert_eq!(
        body.get("scimType").and_then(Value::as_str),
        scim_type,
        "{body}"
    );
}

#[tokio::test]
async fn user_already_on_team_is_409_uniqueness() {
    let app = TestApp::spawn().await;
    app.create_okta_user("dup@example.com", "Dup", "Licate")
        .await;

    let (status, body) = app
        .json(
            Method::POST,
            "/Users",
            user("dup@example.com", "B", "C", None),
        )
        .await;

    assert_eq!(status, 409);
    assert_typed_error(&body, "409", Some("uniqueness"));
    assert!(
        body["detail"].as_str().unwrap_or("").contains("userName"),
        "{body}"
    );
    assert_eq!(app.count("members/add_v2"), 2);
}

#[tokio::test]
async fn duplicate_external_member_id_is_409_uniqueness() {
    let app = TestApp::spawn().await;
    let first = app
        .json(
            Method::POST,
            "/Users",
            user("one@example.com", "O", "Ne", Some("ext-1")),
        )
        .await;
    assert_eq!(first.0, 201, "{}", first.1);

    let (status, body) = app
        .json(
            Method::POST,
            "/Users",
            user("two@example.com", "T", "Wo", Some("ext-1")),
        )
        .await;

    assert_eq!(status, 409);
    assert_typed_error(&body, "409", Some("uniqueness"));
    assert!(
        body["detail"].as_str().unwrap_or("").contains("externalId"),
        "{body}"
    );
}

#[tokio::test]
async fn changing_to_a_taken_email_or_external_id_is_409_uniqueness() {
    let app = TestApp::spawn().await;
    app.json(
        Method::POST,
        "/Users",
        user("taken@example.com", "T", "Aken", Some("ext-taken")),
    )
    .await;
    let other = app.create_okta_user("mover@example.com", "Mo", "Ver").await;
    let path = format!("/Users/{}", other["id"].as_str().expect("id"));
    let op = |p: &str, v: &str| {
        Some(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": p, "value": v}]
        }))
    };

    let (email_status, email_body) = app
        .json(Method::PATCH, &path, op("userName", "taken@example.com"))
        .await;
    let (ext_status, ext_body) = app
        .json(Method::PATCH, &path, op("externalId", "ext-taken"))
        .await;

    assert_eq!(email_status, 409, "{email_body}");
    assert_typed_error(&email_body, "409", Some("uniqueness"));
    assert_eq!(ext_status, 409, "{ext_body}");
    assert_typed_error(&ext_body, "409", Some("uniqueness"));
}

#[tokio::test]
async fn unknown_ids_are_404_for_every_method() {
    let app = TestApp::spawn().await;
    let path = "/Users/dbmid:AAAAnotamember";
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": false}]});

    for (method, body) in [
        (Method::GET, None),
        (Method::PUT, user("ghost@example.com", "G", "Host", None)),
        (Method::PATCH, Some(patch)),
        (Method::DELETE, None),
    ] {
        let (status, err) = app.json(method.clone(), path, body).await;
        assert_eq!(status, 404, "{method}: {err}");
        assert_typed_error(&err, "404", None);
    }
    assert_eq!(
        app.count("members/add_v2") + app.count("members/suspend"),
        0
    );
}

#[tokio::test]
async fn licence_limit_is_a_4xx_that_says_so() {
    let emulator = EmulatorConfig {
        num_licensed_users: 2,
        ..EmulatorConfig::default()
    };
    let app = TestApp::spawn_full(emulator, &[]).await;
    app.create_okta_user("fits@example.com", "Fi", "Ts").await;

    let (status, body) = app
        .json(
            Method::POST,
            "/Users",
            user("over@example.com", "O", "Ver", None),
        )
        .await;

    assert_eq!(status, 403, "{body}");
    assert_typed_error(&body, "403", None);
    assert!(
        body["detail"].as_str().unwrap_or("").contains("licence"),
        "{body}"
    );
}

#[tokio::test]
async fn too_long_fields_are_400_invalid_value_before_any_dropbox_call() {
    let app = TestApp::spawn().await;
    let long_name = "n".repeat(51);
    let long_ext = "x".repeat(65);
    let cases = [
        (
            user("a@example.com", &long_name, "Ok", None),
            "name.givenName",
            "50",
        ),
        (
            user("b@example.com", "Ok", &long_name, None),
            "name.familyName",
            "50",
        ),
        (
            user("c@example.com", "Ok", "Ok", Some(&long_ext)),
            "externalId",
            "64",
        ),
    ];

    for (body, field, limit) in cases {
        let (status, err) = app.json(Method::POST, "/Users", body).await;
        assert_eq!(status, 400, "{field}: {err}");
        assert_typed_error(&err, "400", Some("invalidValue"));
        let detail = err["detail"].as_str().unwrap_or("");
        assert!(detail.contains(field) && detail.contains(limit), "{detail}");
    }

    assert!(app.stats().is_empty(), "no Dropbox call: {:?}", app.stats());
}

#[tokio::test]
async fn too_long_fields_in_patch_and_put_make_no_dropbox_write() {
    let app = TestApp::spawn().await;
    let created = app.create_okta_user("limit@example.com", "Lim", "It").await;
    let path = format!("/Users/{}", created["id"].as_str().expect("id"));
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "name.familyName", "value": "f".repeat(51)}]});

    let (patch_status, patch_err) = app.json(Method::PATCH, &path, Some(patch)).await;
    let (put_status, put_err) = app
        .json(
            Method::PUT,
            &path,
            user("limit@example.com", "Lim", "It", Some(&"e".repeat(65))),
        )
        .await;

    assert_eq!(patch_status, 400, "{patch_err}");
    assert_typed_error(&patch_err, "400", Some("invalidValue"));
    assert!(
        patch_err["detail"]
            .as_str()
            .unwrap_or("")
            .contains("name.familyName")
    );
    assert_eq!(put_status, 400, "{put_err}");
    assert!(
        put_err["detail"]
            .as_str()
            .unwrap_or("")
            .contains("externalId")
    );
    assert_eq!(app.count("members/set_profile_v2"), 0);
}

#[tokio::test]
async fn malformed_bodies_and_discovery_writes_are_refused() {
    let app = TestApp::spawn().await;

    let bad_json = app
        .http
        .post(format!("{}/Users", app.base))
        .bearer_auth(crate::helpers::test_app::TOKEN)
        .header("content-type", "application/scim+json")
        .body("{not json")
        .send()
        .await
        .expect("sent");
    let (put_status, put_body) = app
        .json(Method::PUT, "/ServiceProviderConfig", Some(json!({})))
        .await;
    let (post_status, _) = app.json(Method::POST, "/Schemas", Some(json!({}))).await;

    assert_eq!(bad_json.status().as_u16(), 400);
    let body: Value = bad_json.json().await.expect("JSON");
    assert_typed_error(&body, "400", Some("invalidSyntax"));
    assert_eq!(put_status, 405);
    assert_typed_error(&put_body, "405", None);
    assert_eq!(post_status, 405);
    assert!(app.stats().is_empty(), "{:?}", app.stats());
}

#[tokio::test]
async fn invalid_input_is_a_precise_400_or_415_without_dropbox_calls() {
    let app = TestApp::spawn().await;
    let slash = Some(json!({"userName": "s@example.com", "name": {"givenName": "A/B"}}));
    let no_email = Some(json!({"userName": "just-a-login"}));
    let bad_filter = "/Users?filter=userName%20zz%20%22x%22";

    let (slash_status, slash_body) = app.json(Method::POST, "/Users", slash).await;
    let (login_status, login_body) = app.json(Method::POST, "/Users", no_email).await;
    let (filter_status, filter_body) = app.json(Method::GET, bad_filter, None).await;
    let text = app
        .http
        .post(format!("{}/Users", app.base))
        .bearer_auth(crate::helpers::test_app::TOKEN)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .expect("sent");

    assert_eq!(slash_status, 400);
    assert_typed_error(&slash_body, "400", Some("invalidValue"));
    assert!(
        slash_body["detail"]
            .as_str()
            .unwrap_or("")
            .contains("name.givenName")
    );
    assert_eq!(login_status, 400);
    assert_typed_error(&login_body, "400", Some("invalidValue"));
    assert_eq!(filter_status, 400);
    assert_typed_error(&filter_body, "400", Some("invalidFilter"));
    assert_eq!(text.status().as_u16(), 415);
    assert!(app.stats().is_empty(), "{:?}", app.stats());
}

#[tokio::test]
async fn suspending_the_last_team_admin_is_a_409_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (status, found) = app
        .json(
            Method::GET,
            "/Users?filter=userName%20eq%20%22admin@example.com%22",
            None,
        )
        .await;
    assert_eq!(status, 200, "{found}");
    let id = found["Resources"][0]["id"]
        .as_str()
        .expect("admin id")
        .to_owned();
    let (status, body) = app
        .json(
            Method::PATCH,
            &format!("/Users/{id}"),
            Some(json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "active", "value": false}]
            })),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("last active admin"),
        "{body}"
    );
    let (_, after) = app.json(Method::GET, &format!("/Users/{id}"), None).await;
    assert_eq!(after["active"], json!(true), "{after}");
}
