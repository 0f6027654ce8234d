//! Behind a reverse proxy: `Location` and `meta.location` use the configured public URL, or trusted
//! `X-Forwarded-*` headers, never untrusted ones, and follow a custom path prefix.

use crate::helpers::test_app::{TOKEN, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

fn user_body(email: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": {"givenName": "Pat", "familyName": "Proxy"},
        "emails": [{"primary": true, "value": email, "type": "work"}],
        "active": true
    })
}

/// POSTs a user with extra headers and returns (status, Location header, body).
async fn create_with(app: &TestApp, email: &str, headers: &[(&str, &str)]) -> (u16, String, Value) {
    let mut req = app
        .http
        .post(format!("{}/Users", app.base))
        .bearer_auth(TOKEN)
        .header("content-type", "application/scim+json")
        .body(user_body(email).to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("request sent");
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, location, resp.json().await.expect("JSON body"))
}

/// GETs a path with extra headers and returns the body.
async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Value {
    let mut req = app
        .http
        .get(format!("{}{path}", app.base))
        .bearer_auth(TOKEN);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("request sent");
    assert_eq!(resp.status().as_u16(), 200);
    resp.json().await.expect("JSON body")
}

const FORWARDED: [(&str, &str); 2] = [
    ("x-forwarded-proto", "https"),
    ("x-forwarded-host", "scim.example.com"),
];

#[tokio::test]
async fn public_base_url_sets_location_and_meta_location() {
    let app = TestApp::spawn_with(&[(
        "SCIM_BRIDGE_HTTP__PUBLIC_BASE_URL",
        "https://idp-facing.example.org/",
    )])
    .await;

    let (status, location, body) = create_with(&app, "pub@example.com", &FORWARDED).await;

    assert_eq!(status, 201);
    let id = body["id"].as_str().expect("id");
    let expected = format!("https://idp-facing.example.org/scim/v2/Users/{id}");
    assert_eq!(location, expected);
    assert_eq!(body["meta"]["location"], json!(expected));
    let fetched = get_with(&app, &format!("/Users/{id}"), &[]).await;
    assert_eq!(fetched["meta"]["location"], json!(expected));
}

#[tokio::test]
async fn trusted_forwarded_headers_set_location() {
    let app = TestApp::spawn_with(&[("SCIM_BRIDGE_HTTP__TRUST_FORWARDED_HEADERS", "true")]).await;

    let (status, location, body) = create_with(&app, "fwd@example.com", &FORWARDED).await;

    assert_eq!(status, 201);
    let id = body["id"].as_str().expect("id");
    let expected = format!("https://scim.example.com/scim/v2/Users/{id}");
    assert_eq!(location, expected);
    assert_eq!(body["meta"]["location"], json!(expected));
    let list = get_with(
        &app,
        "/Users?filter=userName%20eq%20%22fwd@example.com%22",
        &FORWARDED,
    )
    .await;
    assert_eq!(list["Resources"][0]["meta"]["location"], json!(expected));
}

#[tokio::test]
async fn forwarded_headers_are_ignored_when_not_trusted() {
    let app = TestApp::spawn().await;

    let (status, location, body) = create_with(&app, "direct@example.com", &FORWARDED).await;

    assert_eq!(status, 201);
    let id = body["id"].as_str().expect("id");
    // The Host the client really used: the loopback address of the test server.
    let expected = format!("{}/Users/{id}", app.base);
    assert_eq!(location, expected);
    assert_eq!(body["meta"]["location"], json!(expected));
    assert!(!location.contains("scim.example.com"));
}

#[tokio::test]
async fn a_hostile_forwarded_host_is_not_echoed() {
    let app = TestApp::spawn_with(&[("SCIM_BRIDGE_HTTP__TRUST_FORWARDED_HEADERS", "true")]).await;

    let (status, location, _) = create_with(
        &app,
        "evil@example.com",
        &[
            ("x-forwarded-host", "evil.com/phish?x="),
            ("x-forwarded-proto", "javascript"),
        ],
    )
    .await;

    assert_eq!(status, 201);
    assert!(location.starts_with(&app.base), "{location}");
    assert!(!location.contains("evil.com"));
}

#[tokio::test]
async fn custom_path_prefix_moves_the_api_and_its_urls() {
    let app = TestApp::spawn_with(&[
        ("SCIM_BRIDGE_HTTP__PATH_PREFIX", "/dropbox/scim"),
        (
            "SCIM_BRIDGE_HTTP__PUBLIC_BASE_URL",
            "https://proxy.example.net",
        ),
    ])
    .await;
    assert!(app.base.ends_with("/dropbox/scim"), "{}", app.base);

    let (status, location, body) = create_with(&app, "prefix@example.com", &[]).await;

    assert_eq!(status, 201);
    let id = body["id"].as_str().expect("id");
    let expected = format!("https://proxy.example.net/dropbox/scim/Users/{id}");
    assert_eq!(location, expected);
    assert_eq!(body["meta"]["location"], json!(expected));
    let origin = app.base.trim_end_matches("/dropbox/scim");
    let old = app
        .http
        .get(format!("{origin}/scim/v2/Users/{id}"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("request sent");
    assert_eq!(old.status().as_u16(), 404);
}

#[tokio::test]
async fn discovery_locations_follow_the_public_url() {
    let app = TestApp::spawn_with(&[(
        "SCIM_BRIDGE_HTTP__PUBLIC_BASE_URL",
        "https://idp-facing.example.org",
    )])
    .await;

    let (status, body) = app.json(Method::GET, "/ResourceTypes/User", None).await;

    assert_eq!(status, 200);
    assert_eq!(
        body["meta"]["location"],
        json!("https://idp-facing.example.org/scim/v2/ResourceTypes/User")
    );
}
