//! The Users request shapes Microsoft Entra ID sends (IDP_BEHAVIOUR.md, section Microsoft Entra ID).

use crate::helpers::scim_calls::{ENTERPRISE_URN, USER_URN};
use crate::helpers::test_app::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

fn entra_user(email: &str, external_id: &str) -> Value {
    json!({
        "schemas": [USER_URN, ENTERPRISE_URN],
        "externalId": external_id,
        "userName": email,
        "active": true,
        "displayName": "Erin Entra",
        "emails": [{"primary": true, "type": "work", "value": email}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Erin Entra", "familyName": "Entra", "givenName": "Erin"},
        "roles": [],
        "title": null,
        "phoneNumbers": [{"type": "mobile", "value": "+1 555 0100"}],
        "addresses": [{"type": "work", "country": "NL"}],
        "preferredLanguage": null,
        ENTERPRISE_URN: {"employeeNumber": "E-1", "department": "Finance", "manager": null},
        "urn:ietf:params:scim:schemas:extension:msft:2.0:Group": {"x": 1}
    })
}

async fn list(app: &TestApp, query: &str) -> Value {
    let (status, body) = app.list_users(query).await;
    assert_eq!(status, 200, "{query}: {body}");
    body
}

#[tokio::test]
async fn create_with_enterprise_extension_and_unsupported_attributes() {
    let app = TestApp::spawn().await;

    let (status, body) = app
        .create_user(entra_user("erin@example.com", "erin-x"))
        .await;

    assert_eq!(status, 201, "{body}");
    assert_eq!(body["userName"], json!("erin@example.com"));
    assert_eq!(body["externalId"], json!("erin-x"));
    assert_eq!(body[ENTERPRISE_URN]["employeeNumber"], json!("E-1"));
    assert_eq!(body[ENTERPRISE_URN]["department"], json!("Finance"));
    assert_eq!(app.count("members/add_v2"), 1);
}

#[tokio::test]
async fn matching_filters_in_every_form_entra_sends() {
    let app = TestApp::spawn().await;
    let (_, created) = app
        .create_user(entra_user("jyoung@example.com", "jyoung"))
        .await;
    let id = created["id"].clone();

    for query in [
        "filter=userName+eq+%22jyoung%40example.com%22",
        "filter=externalId+eq+%22jyoung%22",
        "filter=externalId+eq+jyoung",
        "filter=emails%5Btype+eq+%22work%22%5D.value+eq+%22jyoung%40example.com%22",
        "filter=UserName+Eq+%22JYOUNG%40example.com%22",
    ] {
        let body = list(&app, query).await;
        assert_eq!(body["totalResults"], json!(1), "{query}: {body}");
        assert_eq!(body["Resources"][0]["id"], id, "{query}");
    }
}

#[tokio::test]
async fn test_connection_with_a_random_guid_is_an_empty_list() {
    let app = TestApp::spawn().await;

    let body = list(
        &app,
        "filter=userName+eq+%2201b2a6c8-3f0e-4e2b-9d0c-7a1f8f6e2c11%22",
    )
    .await;

    assert_eq!(body["totalResults"], json!(0));
    assert_eq!(body["Resources"], json!([]));
}

#[tokio::test]
async fn default_mode_patch_one_op_per_attribute() {
    let app = TestApp::spawn().await;
    let (_, created) = app.create_user(entra_user("pat@example.com", "pat")).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let boss = app
        .create_okta_user("boss@example.com", "Big", "Boss")
        .await;
    let boss_id = boss["id"].as_str().expect("id").to_owned();

    let (status, body) = app
        .patch_user(
            &id,
            json!([
                {"op": "Add", "path": "name.givenName", "value": "Patricia"},
                {"op": "Replace", "path": format!("{ENTERPRISE_URN}:employeeNumber"), "value": "E-2"},
                {"op": "Replace", "path": format!("{ENTERPRISE_URN}:manager"), "value": boss_id},
                {"op": "Remove", "path": format!("{ENTERPRISE_URN}:department")}
            ]),
        )
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"]["givenName"], json!("Patricia"));
    assert_eq!(body[ENTERPRISE_URN]["employeeNumber"], json!("E-2"));
    assert_eq!(body[ENTERPRISE_URN]["manager"]["value"], json!(boss_id));
    assert!(body[ENTERPRISE_URN].get("department").is_none(), "{body}");
    assert_eq!(app.count("members/set_profile_v2"), 1);
}

#[tokio::test]
async fn manager_as_a_one_element_array_and_mixed_value_shapes() {
    let app = TestApp::spawn().await;
    let created = app.create_okta_user("mixed@example.com", "Mix", "Ed").await;
    let id = created["id"].as_str().expect("id").to_owned();

    let (status, body) = app
        .patch_user(&id, json!([
                {"op": "replace", "path": format!("{ENTERPRISE_URN}:manager"), "value": [{"value": "mgr-1"}]},
                {"op": "replace", "value": [{"displayName": "Mixed Up"}]},
                {"op": "replace", "value": {"title": "Engineer"}}
            ]))
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body[ENTERPRISE_URN]["manager"]["value"], json!("mgr-1"));
    assert_eq!(body["displayName"], json!("Mixed Up"));
    assert_eq!(body["title"], json!("Engineer"));
    assert_eq!(
        app.count("members/set_profile_v2"),
        0,
        "nothing Dropbox holds changed"
    );
}

#[tokio::test]
async fn newer_mode_replace_without_path_with_dotted_and_urn_keys() {
    let app = TestApp::spawn().await;
    let created = app
        .create_okta_user("dotted@example.com", "Dot", "Ted")
        .await;
    let id = created["id"].as_str().expect("id").to_owned();

    let (status, body) = app
        .patch_user(
            &id,
            json!([{"op": "replace", "value": {
                "name.givenName": "Dorothy",
                "name.familyName": "Dotted",
                format!("{ENTERPRISE_URN}:department"): "Legal",
                "active": true
            }}]),
        )
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"]["givenName"], json!("Dorothy"));
    assert_eq!(body["name"]["familyName"], json!("Dotted"));
    assert_eq!(body[ENTERPRISE_URN]["department"], json!("Legal"));
    assert_eq!(
        app.dropbox.emulator.calls("members/set_profile_v2"),
        vec![json!({
            "user": {".tag": "team_member_id", "team_member_id": id},
            "new_given_name": "Dorothy",
            "new_surname": "Dotted"
        })]
    );
}

#[tokio::test]
async fn pascal_case_keys_from_microsofts_test_collection() {
    let app = TestApp::spawn().await;
    let boss = app
        .create_okta_user("chief@example.com", "Chief", "Boss")
        .await;

    let (status, body) = app
        .create_user(json!({
            "Schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE_URN],
            "UserName": "pascal@example.com",
            "Active": true,
            "Name": {"GivenName": "Pascal", "FamilyName": "Case"},
            "Emails": [{"Primary": true, "Type": "work", "Value": "pascal@example.com"}],
            ENTERPRISE_URN: {"Manager": {"Value": boss["id"]}, "Department": "R&D"}
        }))
        .await;

    assert_eq!(status, 201, "{body}");
    assert_eq!(body["userName"], json!("pascal@example.com"));
    assert_eq!(body["name"]["givenName"], json!("Pascal"));
    assert_eq!(body[ENTERPRISE_URN]["manager"]["value"], boss["id"]);
    assert_eq!(body[ENTERPRISE_URN]["department"], json!("R&D"));
}

#[tokio::test]
async fn search_endpoint_and_excluded_attributes() {
    let app = TestApp::spawn().await;
    app.create_okta_user("searched@example.com", "Sea", "Rch")
        .await;

    let (status, body) = app
        .json(
            Method::POST,
            "/Users/.search",
            Some(json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                "filter": "userName eq \"searched@example.com\"",
                "excludedAttributes": ["emails"],
                "startIndex": 1,
                "count": 10
            })),
        )
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalResults"], json!(1));
    assert_eq!(
        body["Resources"][0]["userName"],
        json!("searched@example.com")
    );
    assert!(body["Resources"][0].get("emails").is_none(), "{body}");
}
