//! `attributes` and `excludedAttributes` (RFC 7644 section 3.4.2.5) over HTTP: sub-attribute paths,
//! URN-qualified names, and a precise 400 for a filter where a name belongs.

use crate::helpers::scim_calls::{USER_URN, assert_scim_error};
use crate::helpers::test_app::TestApp;
use serde_json::json;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

#[tokio::test]
async fn sub_attribute_paths_and_urn_names_project_and_filters_are_refused() {
    let t = TestApp::spawn().await;
    let body = json!({
        "schemas": [USER_URN, ENTERPRISE], "userName": "proj@example.com",
        "name": {"givenName": "Pro", "familyName": "Jection"},
        "emails": [{"value": "proj@example.com", "type": "work", "primary": true}],
        ENTERPRISE: {"department": "R&D", "costCenter": "42"}
    });
    let (status, created) = t.create_user(body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id");

    let (status, got) = t
        .json(
            reqwest::Method::GET,
            &format!("/Users/{id}?attributes=emails.value,name.givenName"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(
        got["emails"],
        json!([{"value": "proj@example.com"}]),
        "{got}"
    );
    assert_eq!(got["name"], json!({"givenName": "Pro"}), "{got}");
    assert!(
        got.get("userName").is_none() && got["id"] == json!(id),
        "{got}"
    );

    let urn_attr = format!("{USER_URN}:userName,{ENTERPRISE}:department");
    let (_, got) = t
        .json(
            reqwest::Method::GET,
            &format!("/Users/{id}?attributes={urn_attr}"),
            None,
        )
        .await;
    assert_eq!(got["userName"], "proj@example.com", "{got}");
    assert_eq!(got[ENTERPRISE], json!({"department": "R&D"}), "{got}");

    let (_, got) = t
        .json(
            reqwest::Method::GET,
            &format!("/Users/{id}?excludedAttributes=name.familyName,{ENTERPRISE}:costCenter"),
            None,
        )
        .await;
    assert_eq!(got["name"], json!({"givenName": "Pro"}), "{got}");
    assert_eq!(got[ENTERPRISE], json!({"department": "R&D"}), "{got}");

    let bracket = "attributes=emails%5Btype%20eq%20%22work%22%5D.value";
    let (status, err) = t
        .json(
            reqwest::Method::GET,
            &format!("/Users/{id}?{bracket}"),
            None,
        )
        .await;
    assert_eq!(status, 400, "{err}");
    assert_scim_error(&err, "400", "a filter in attributes");
    assert_eq!(err["scimType"], "invalidValue");
    let (status, _) = t.list_users(bracket).await;
    assert_eq!(status, 400, "the same on a listing");
}
