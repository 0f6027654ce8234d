//! Users request shapes from other clients and the general rules of IDP_BEHAVIOUR.md ("Both",
//! "Other clients"): null values, read-only attributes, case-insensitive names, ids never reused.

use crate::helpers::test_app::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

async fn id_of(app: &TestApp, email: &str) -> String {
    let body = app.create_okta_user(email, "Otto", "Other").await;
    body["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn jumpcloud_put_with_null_emails_keeps_the_login() {
    let app = TestApp::spawn().await;
    let id = id_of(&app, "jump@example.com").await;

    let (status, body) = app
        .put_user(
            &id,
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "jump@example.com",
                "name": {"givenName": "Otto", "familyName": "Other"},
                "emails": null,
                "phoneNumbers": null,
                "active": true
            }),
        )
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["userName"], json!("jump@example.com"));
    assert_eq!(app.count("members/set_profile_v2"), 0, "{:?}", app.stats());
}

#[tokio::test]
async fn read_only_attributes_in_a_create_are_ignored() {
    let app = TestApp::spawn().await;

    let (status, body) = app
        .create_user(json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "id": "client-chosen-id",
                "meta": {"resourceType": "User", "created": "2001-01-01T00:00:00Z", "location": "https://evil/x"},
                "groups": [{"value": "some-group", "display": "Some"}],
                "userName": "readonly@example.com",
                "name": {"givenName": "Read", "familyName": "Only"},
                "active": true
            }))
        .await;

    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().expect("id");
    assert_ne!(id, "client-chosen-id");
    assert_eq!(
        body["meta"]["location"],
        json!(format!("{}/Users/{id}", app.base))
    );
    // `groups` is read-only: the client's group is ignored; only Dropbox's own (Everyone) is listed.
    let groups = body.get("groups").cloned().unwrap_or(json!([]));
    let names: Vec<&str> = groups
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| g["display"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        ["Everyone"],
        "groups are read-only on a User: {body}"
    );
    assert!(
        groups
            .as_array()
            .expect("groups")
            .iter()
            .all(|g| g["value"] != "some-group")
    );
}

#[tokio::test]
async fn null_and_remove_unassign_stored_attributes() {
    let app = TestApp::spawn().await;
    let id = id_of(&app, "nulls@example.com").await;
    let (status, _) = app
        .patch_user(
            &id,
            json!([{"op": "add", "value": {"displayName": "Shown", "title": "Boss"}}]),
        )
        .await;
    assert_eq!(status, 200);

    let (status, body) = app
        .patch_user(
            &id,
            json!([
                {"op": "replace", "path": "displayName", "value": null},
                {"op": "remove", "path": "title"}
            ]),
        )
        .await;

    assert_eq!(status, 200, "{body}");
    assert!(body.get("displayName").is_none_or(Value::is_null), "{body}");
    assert!(body.get("title").is_none_or(Value::is_null), "{body}");
    let (_, got) = app.get_user(&id).await;
    assert!(got.get("displayName").is_none_or(Value::is_null), "{got}");
}

#[tokio::test]
async fn attribute_names_and_ops_are_case_insensitive() {
    let app = TestApp::spawn().await;
    let id = id_of(&app, "casing@example.com").await;

    let (status, body) = app
        .patch_user(
            &id,
            json!([{"op": "REPLACE", "path": "Name.GivenName", "value": "Upper"}]),
        )
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"]["givenName"], json!("Upper"));
    assert_eq!(app.count("members/set_profile_v2"), 1);
}

#[tokio::test]
async fn ids_are_never_reused_after_an_invitation_is_withdrawn() {
    let app = TestApp::spawn().await;
    let first = id_of(&app, "again@example.com").await;
    let (status, _) = app.delete_user(&first).await;
    assert_eq!(status, 204);

    let second = id_of(&app, "again@example.com").await;

    assert_ne!(first, second);
    assert_eq!(app.count("members/add_v2"), 2);
    let (status, _) = app.get_user(&first).await;
    assert_eq!(status, 404);
    let (status, got) = app.get_user(&second).await;
    assert_eq!(
        (status, &got["userName"]),
        (200, &json!("again@example.com"))
    );
}

#[tokio::test]
async fn service_provider_config_advertises_patch_and_discovery_lists() {
    let app = TestApp::spawn().await;

    let (status, spc) = app.json(Method::GET, "/ServiceProviderConfig", None).await;
    let (_, types) = app.json(Method::GET, "/ResourceTypes", None).await;
    let (_, schemas) = app.json(Method::GET, "/Schemas", None).await;

    assert_eq!(status, 200);
    assert_eq!(spc["patch"]["supported"], json!(true));
    assert_eq!(spc["filter"]["supported"], json!(true));
    for list in [&types, &schemas] {
        assert_eq!(
            list["schemas"],
            json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
        );
        assert!(
            list["totalResults"].as_u64().is_some_and(|n| n >= 2),
            "{list}"
        );
    }
    assert!(app.stats().is_empty(), "{:?}", app.stats());
}

#[tokio::test]
async fn unsupported_and_read_only_attributes_in_patch_and_put_are_ignored() {
    let app = TestApp::spawn().await;
    let id = id_of(&app, "ignored@example.com").await;
    let ops = [
        json!({"op": "replace", "path": "locale", "value": "en-US"}),
        json!({"op": "add", "path": "roles", "value": []}),
        json!({"op": "Add", "path": "password", "value": "x"}),
        json!({"op": "Add", "path": "addresses[type eq \"work\"].locality", "value": "Paris"}),
        json!({"op": "replace", "path": "groups", "value": []}),
        json!({"op": "replace", "path": "id", "value": "other"}),
        json!({"op": "replace", "path": "meta.lastModified", "value": "2020-01-01T00:00:00Z"}),
        json!({"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:msft:2.0:Group:x", "value": "1"}),
        json!({"op": "replace", "value": {"password": "x", "timezone": "Europe/Paris", "preferredLanguage": null}}),
    ];

    for op in ops {
        let (status, body) = app.patch_user(&id, json!([op.clone()])).await;
        assert_eq!(status, 200, "{op}: {body}");
        assert_eq!(body["id"], json!(id), "{op}");
    }
    let (status, body) = app
        .put_user(
            &id,
            json!({
                "userName": "ignored@example.com",
                "name": {"givenName": "Otto", "familyName": "Other"},
                "id": "other", "locale": "en", "password": "x", "roles": [],
                "addresses": [{"country": "NL"}], "x509Certificates": null
            }),
        )
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], json!(id));
    assert_eq!(app.count("members/set_profile_v2"), 0, "{:?}", app.stats());
    assert_eq!(app.count("members/add_v2"), 1);
}
