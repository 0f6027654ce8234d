//! Endpoint names match case-insensitively and a trailing slash is accepted, as Microsoft's SCIM
//! validator expects (`/users`, `/Users/?filter=...`); resource ids keep their exact spelling.

use crate::helpers::scim_calls::{GROUP_URN, PATCH_OP};
use crate::helpers::test_app::TestApp;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn resource_endpoints_ignore_case_and_a_trailing_slash() {
    let app = TestApp::spawn().await;
    let ana = app.create_okta_user("ana@example.com", "Ana", "Lima").await;
    let id = ana["id"].as_str().expect("id");
    let filter = "filter=userName%20eq%20%22ana@example.com%22";
    let (status, canonical) = app
        .json(Method::GET, &format!("/Users?{filter}"), None)
        .await;
    assert_eq!((status, &canonical["totalResults"]), (200, &json!(1)));
    for path in [
        format!("/Users/?{filter}"),
        format!("/users?{filter}"),
        format!("/USERS/?{filter}"),
    ] {
        let (status, body) = app.json(Method::GET, &path, None).await;
        assert_eq!((status, &body), (200, &canonical), "GET {path}");
    }
    for path in [format!("/users/{id}"), format!("/Users/{id}/")] {
        let (status, body) = app.json(Method::GET, &path, None).await;
        assert_eq!((status, &body["id"]), (200, &json!(id)), "GET {path}");
    }
    for path in [
        "/serviceproviderconfig",
        "/ServiceProviderConfig/",
        "/resourcetypes/",
        "/resourceTypes/User",
        "/schemas",
    ] {
        let (status, _) = app.json(Method::GET, path, None).await;
        assert_eq!(status, 200, "GET {path}");
    }
    let search = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]});
    for path in ["/users/.search", "/Users/.SEARCH/", "/.Search"] {
        let (status, body) = app.json(Method::POST, path, Some(search.clone())).await;
        assert_eq!(
            (status, body["schemas"][0].as_str()),
            (
                200,
                Some("urn:ietf:params:scim:api:messages:2.0:ListResponse")
            ),
            "POST {path}"
        );
    }
}

#[tokio::test]
async fn writes_through_other_spellings_answer_with_canonical_urls() {
    let app = TestApp::spawn().await;
    let bo = app.create_okta_user("bo@example.com", "Bo", "Ng").await;
    let bo_id = bo["id"].as_str().expect("id");
    let created = app
        .call(
            Method::POST,
            "/groups/",
            Some(json!({"schemas": [GROUP_URN], "displayName": "Sales"})),
        )
        .await;
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let group: serde_json::Value = created.json().await.expect("json");
    let gid = group["id"].as_str().expect("id");
    assert_eq!(location, format!("{}/Groups/{gid}", app.base));
    assert_eq!(group["meta"]["location"], json!(location));
    let add = json!({"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": "members", "value": [{"value": bo_id}]}]});
    let (status, _) = app
        .json(Method::PATCH, &format!("/GROUPS/{gid}/"), Some(add))
        .await;
    assert_eq!(status, 204);
    let (_, group) = app.get_group(gid).await;
    assert_eq!(group["members"][0]["value"], json!(bo_id));
    let (status, _) = app
        .json(Method::DELETE, &format!("/groups/{gid}"), None)
        .await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn ids_are_not_case_folded_and_the_token_is_still_required() {
    let app = TestApp::spawn().await;
    let cy = app.create_okta_user("cy@example.com", "Cy", "Ho").await;
    let id = cy["id"].as_str().expect("id");
    assert_ne!(
        id,
        id.to_ascii_lowercase(),
        "a Dropbox member id has upper-case letters"
    );
    let (status, body) = app
        .json(
            Method::GET,
            &format!("/users/{}", id.to_ascii_lowercase()),
            None,
        )
        .await;
    assert_eq!(status, 404, "{body}");
    let anonymous = app
        .http
        .get(format!("{}/users/", app.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(anonymous.status(), 401);
}
