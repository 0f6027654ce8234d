//! The Users request shapes Okta sends (IDP_BEHAVIOUR.md, sections Both and Okta), over real HTTP.

use crate::helpers::test_app::{TOKEN, TestApp};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn okta_user(email: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": {"givenName": "Olga", "familyName": "Okta"},
        "emails": [{"primary": true, "value": email, "type": "work"}],
        "displayName": "Olga Okta",
        "locale": "en-US",
        "externalId": "00u1okta",
        "groups": [],
        "password": "Sup3r-secret!",
        "active": true
    })
}

/// POSTs as Okta does: its content type with charset and its User-Agent.
async fn okta_post(app: &TestApp, body: &Value) -> reqwest::Response {
    app.http
        .post(format!("{}/Users", app.base))
        .bearer_auth(TOKEN)
        .header("content-type", "application/scim+json; charset=utf-8")
        .header("user-agent", "Okta SCIM Client 1.0.0")
        .body(body.to_string())
        .send()
        .await
        .expect("request sent")
}

#[tokio::test]
async fn existence_check_before_create_answers_an_empty_list_response() {
    let app = TestApp::spawn().await;

    let (status, body) = app
        .list_users("filter=userName%20eq%20%22nobody%40example.com%22&startIndex=1&count=100")
        .await;

    assert_eq!(status, 200);
    assert_eq!(
        body["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
    );
    assert_eq!(body["totalResults"], json!(0));
    assert_eq!(body["startIndex"], json!(1));
    assert_eq!(body["itemsPerPage"], json!(0));
    assert_eq!(body["Resources"], json!([]));
}

#[tokio::test]
async fn create_answers_201_with_the_full_resource_and_location() {
    let app = TestApp::spawn().await;

    let resp = okta_post(&app, &okta_user("olga@example.com")).await;

    assert_eq!(resp.status().as_u16(), 201);
    assert_eq!(resp.headers()["content-type"], "application/scim+json");
    let location = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let body: Value = resp.json().await.expect("JSON");
    let id = body["id"].as_str().expect("id is a string");
    assert!(!id.is_empty());
    assert_eq!(location, format!("{}/Users/{id}", app.base));
    assert_eq!(body["meta"]["location"], json!(location));
    assert_eq!(body["meta"]["resourceType"], json!("User"));
    assert_eq!(body["userName"], json!("olga@example.com"));
    assert_eq!(body["name"]["givenName"], json!("Olga"));
    assert_eq!(body["name"]["familyName"], json!("Okta"));
    assert_eq!(body["externalId"], json!("00u1okta"));
    assert_eq!(body["displayName"], json!("Olga Okta"));
    assert_eq!(body["active"], json!(true));
    assert!(body.get("password").is_none(), "never echo a password");
    let add = app.dropbox.emulator.calls("members/add_v2");
    assert_eq!(add.len(), 1);
    let member = &add[0]["new_members"][0];
    assert_eq!(member["member_email"], json!("olga@example.com"));
    assert_eq!(member["member_given_name"], json!("Olga"));
    assert_eq!(member["member_surname"], json!("Okta"));
    assert_eq!(member["member_external_id"], json!("00u1okta"));
}

#[tokio::test]
async fn lookup_by_username_is_case_insensitive_and_second_create_is_409() {
    let app = TestApp::spawn().await;
    let created = app.create_okta_user("case@example.com", "Cas", "E").await;

    let (status, list) = app
        .list_users("filter=userName%20eq%20%22CASE%40EXAMPLE.COM%22")
        .await;
    let resp = okta_post(&app, &okta_user("Case@Example.com")).await;

    assert_eq!(status, 200);
    assert_eq!(list["totalResults"], json!(1));
    assert_eq!(list["Resources"][0]["id"], created["id"]);
    assert_eq!(resp.status().as_u16(), 409);
    let err: Value = resp.json().await.expect("JSON");
    assert_eq!(err["scimType"], json!("uniqueness"));
    assert_eq!(err["status"], json!("409"));
}

#[tokio::test]
async fn import_pages_are_stable_and_complete() {
    let app = TestApp::spawn().await;
    app.dropbox.emulator.seed_members(6);
    app.create_okta_user("imported@example.com", "Im", "Port")
        .await;

    let (_, all) = app.list_users("startIndex=1&count=100").await;
    let total = all["totalResults"].as_u64().expect("number");
    let mut seen = Vec::new();
    let mut start = 1;
    while start <= total {
        let (status, page) = app.list_users(&format!("startIndex={start}&count=3")).await;
        assert_eq!(status, 200);
        assert_eq!(page["startIndex"], json!(start));
        assert_eq!(page["totalResults"], json!(total));
        let items = page["Resources"].as_array().expect("array");
        assert_eq!(page["itemsPerPage"], json!(items.len()));
        assert!(!items.is_empty() && items.len() <= 3);
        seen.extend(items.iter().map(|u| u["id"].clone()));
        start += 3;
    }

    assert_eq!(total, 8, "6 seeded + admin + created");
    let first: Vec<Value> = all["Resources"].as_array().expect("array").clone();
    let ids: Vec<Value> = first.iter().map(|u| u["id"].clone()).collect();
    assert_eq!(seen, ids, "paging keeps the order of the full listing");
    assert_eq!(
        seen.iter()
            .map(Value::to_string)
            .collect::<BTreeSet<_>>()
            .len(),
        8
    );
}

#[tokio::test]
async fn test_api_credentials_request_answers_a_small_page() {
    let app = TestApp::spawn().await;
    app.dropbox.emulator.seed_members(3);

    let (status, body) = app.list_users("startIndex=1&count=2").await;

    assert_eq!(status, 200);
    assert_eq!(body["totalResults"], json!(4));
    assert_eq!(body["itemsPerPage"], json!(2));
    assert_eq!(body["Resources"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn update_is_get_then_put_of_the_whole_object() {
    let app = TestApp::spawn().await;
    let created = app
        .create_okta_user("put.me@example.com", "Put", "Me")
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let (_, mut current) = app.get_user(&id).await;
    current["name"]["familyName"] = json!("Changed");
    current["groups"] = json!([]);
    current["password"] = json!("ignored");

    let (status, body) = app.put_user(&id, current).await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], json!(id));
    assert_eq!(body["name"]["familyName"], json!("Changed"));
    assert_eq!(
        app.dropbox.emulator.calls("members/set_profile_v2"),
        vec![json!({
            "user": {".tag": "team_member_id", "team_member_id": id},
            "new_surname": "Changed"
        })]
    );
}

#[tokio::test]
async fn plain_json_and_no_user_agent_are_accepted() {
    let app = TestApp::spawn().await;

    let resp = app
        .http
        .post(format!("{}/Users", app.base))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .header("user-agent", "")
        .body(okta_user("plain@example.com").to_string())
        .send()
        .await
        .expect("request sent");

    assert_eq!(resp.status().as_u16(), 201);
    assert_eq!(resp.headers()["content-type"], "application/scim+json");
}

#[tokio::test]
async fn unknown_id_is_404_with_a_scim_error() {
    let app = TestApp::spawn().await;

    let (status, body) = app
        .json(Method::GET, "/Users/dbmid:doesnotexist", None)
        .await;

    assert_eq!(status, 404);
    assert_eq!(
        body["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
    );
    assert_eq!(body["status"], json!("404"));
}
