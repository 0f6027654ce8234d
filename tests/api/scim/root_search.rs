//! `POST /.search` at the service root over a team larger than one page: the combined window (users,
//! then groups) is right at any `startIndex`.

use crate::helpers::test_app::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

async fn root_search(app: &TestApp, start: usize, count: usize) -> Value {
    let (status, body) = app
        .json(
            Method::POST,
            "/.search",
            Some(json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                "attributes": ["userName", "displayName"],
                "startIndex": start,
                "count": count
            })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn total(app: &TestApp, path: &str) -> usize {
    let (status, body) = app.json(Method::GET, path, None).await;
    assert_eq!(status, 200, "{body}");
    body["totalResults"].as_u64().expect("total") as usize
}

#[tokio::test]
async fn the_window_past_the_first_thousand_users_reaches_the_groups() {
    let app = TestApp::spawn().await;
    app.dropbox.emulator.seed_members(1_050);
    for name in ["Search A", "Search B"] {
        let (status, body) = app
            .json(
                Method::POST,
                "/Groups",
                Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let users = total(&app, "/Users?count=0").await;
    let groups = total(&app, "/Groups?count=0").await;
    assert!(
        users > 1_050 && groups >= 2,
        "{users} users, {groups} groups"
    );

    // The last two users, then the first two groups.
    let body = root_search(&app, users - 1, 4).await;
    assert_eq!(body["totalResults"], json!(users + groups));
    assert_eq!(body["startIndex"], json!(users - 1));
    let resources = body["Resources"].as_array().expect("resources");
    assert_eq!(resources.len(), 4, "{body}");
    assert!(
        resources[..2].iter().all(|r| r["userName"].is_string()),
        "{body}"
    );
    assert!(
        resources[2..]
            .iter()
            .all(|r| r["displayName"].is_string() && r.get("userName").is_none()),
        "{body}"
    );

    // A window inside the users only, past the first page.
    let body = root_search(&app, 1_001, 5).await;
    let resources = body["Resources"].as_array().expect("resources");
    assert_eq!(resources.len(), 5);
    assert!(
        resources.iter().all(|r| r["userName"].is_string()),
        "{body}"
    );
}
