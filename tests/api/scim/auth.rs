//! Authentication over real HTTP: every SCIM route and method refuses a missing or wrong token with a
//! SCIM 401, and the probes stay open.

use crate::helpers::scim_calls::assert_scim_error;
use crate::helpers::test_app::{TOKEN, TestApp};
use reqwest::{Method, Response};
use serde_json::{Value, json};

/// Every SCIM route with every method it serves.
fn routes() -> Vec<(Method, &'static str)> {
    vec![
        (Method::GET, "/ServiceProviderConfig"),
        (Method::GET, "/ResourceTypes"),
        (Method::GET, "/ResourceTypes/User"),
        (Method::GET, "/Schemas"),
        (
            Method::GET,
            "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
        ),
        (Method::POST, "/.search"),
        (Method::GET, "/Users"),
        (Method::POST, "/Users"),
        (Method::POST, "/Users/.search"),
        (Method::GET, "/Users/dbmid:any"),
        (Method::PUT, "/Users/dbmid:any"),
        (Method::PATCH, "/Users/dbmid:any"),
        (Method::DELETE, "/Users/dbmid:any"),
        (Method::GET, "/Groups"),
        (Method::POST, "/Groups"),
        (Method::POST, "/Groups/.search"),
        (Method::GET, "/Groups/g:any"),
        (Method::PUT, "/Groups/g:any"),
        (Method::PATCH, "/Groups/g:any"),
        (Method::DELETE, "/Groups/g:any"),
        (Method::GET, "/NoSuchEndpoint"),
    ]
}

async fn send(app: &TestApp, method: Method, path: &str, auth: Option<&str>) -> Response {
    let mut req = app
        .http
        .request(method, format!("{}{path}", app.base))
        .header("content-type", "application/scim+json")
        .body(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "x@example.com"}).to_string());
    if let Some(value) = auth {
        req = req.header("authorization", value);
    }
    req.send().await.expect("request sent")
}

async fn assert_unauthorized(resp: Response, what: &str) {
    assert_eq!(resp.status().as_u16(), 401, "{what}");
    let challenge = resp
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        challenge.starts_with("Bearer"),
        "{what}: WWW-Authenticate {challenge:?}"
    );
    let content_type = resp.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/scim+json", "{what}");
    let body: Value = resp.json().await.expect("JSON error body");
    assert_scim_error(&body, "401", what);
}

#[tokio::test]
async fn every_route_without_a_token_is_401_with_a_scim_error() {
    let app = TestApp::spawn().await;
    for (method, path) in routes() {
        let resp = send(&app, method.clone(), path, None).await;
        assert_unauthorized(resp, &format!("{method} {path} without token")).await;
    }
    assert!(app.stats().is_empty(), "no Dropbox call: {:?}", app.stats());
}

#[tokio::test]
async fn every_route_with_a_wrong_token_is_401_with_a_scim_error() {
    let app = TestApp::spawn().await;
    let wrong = [
        "Bearer wrong-token".to_owned(),
        format!("Bearer {TOKEN}x"),
        format!("Basic {TOKEN}"),
        "Bearer".to_owned(),
        TOKEN.to_owned(),
    ];
    for (method, path) in routes() {
        for header in &wrong {
            let resp = send(&app, method.clone(), path, Some(header)).await;
            assert_unauthorized(resp, &format!("{method} {path} with {header:?}")).await;
        }
    }
    assert!(app.stats().is_empty(), "no Dropbox call: {:?}", app.stats());
}

#[tokio::test]
async fn a_rejected_create_changes_nothing() {
    let app = TestApp::spawn().await;

    let resp = send(&app, Method::POST, "/Users", Some("Bearer nope")).await;

    assert_eq!(resp.status().as_u16(), 401);
    let (status, body) = app
        .list_users("filter=userName%20eq%20%22x@example.com%22")
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["totalResults"], json!(0));
    assert_eq!(app.count("members/add_v2"), 0);
}

#[tokio::test]
async fn the_right_token_is_accepted_with_any_scheme_case() {
    let app = TestApp::spawn().await;

    let resp = send(
        &app,
        Method::GET,
        "/ServiceProviderConfig",
        Some(&format!("bearer {TOKEN}")),
    )
    .await;

    assert_eq!(resp.status().as_u16(), 200);
}

#[tokio::test]
async fn healthz_is_open_without_a_token() {
    let app = TestApp::spawn().await;
    let origin = app.base.trim_end_matches("/scim/v2").to_owned();

    let resp = app
        .http
        .get(format!("{origin}/healthz"))
        .send()
        .await
        .expect("request sent");

    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.headers().get("www-authenticate").is_none());
}
