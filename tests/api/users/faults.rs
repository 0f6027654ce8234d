//! Dropbox rate limits and outages as the IdP sees them: 429 with `Retry-After`, 503, or a wait.

use crate::helpers::scim_calls::assert_scim_error;
use crate::helpers::test_app::TestApp;
use dropbox_scim_bridge::emulator::Fault;
use reqwest::Method;
use serde_json::{Value, json};

fn user(email: &str) -> Option<Value> {
    Some(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": {"givenName": "Fay", "familyName": "Ult"},
        "active": true
    }))
}

#[tokio::test]
async fn a_long_dropbox_rate_limit_is_429_with_retry_after() {
    let app = TestApp::spawn().await;
    let fault = Fault::RateLimitJson {
        retry_after: 300,
        reason_write_ops: false,
        body_retry_after: true,
    };
    app.dropbox
        .emulator
        .inject_fault("members/add_v2", fault.clone(), 1);
    app.dropbox
        .emulator
        .inject_fault("members/get_info_v2", fault, 1);

    let resp = app
        .call(Method::POST, "/Users", user("slow@example.com"))
        .await;

    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(resp.headers()["retry-after"], "300");
    let body: Value = resp.json().await.expect("JSON");
    assert_scim_error(&body, "429", "fault");
}

#[tokio::test]
async fn a_short_dropbox_rate_limit_is_waited_out() {
    let app = TestApp::spawn().await;
    let fault = Fault::RateLimitJson {
        retry_after: 1,
        reason_write_ops: true,
        body_retry_after: true,
    };
    app.dropbox
        .emulator
        .inject_fault("members/add_v2", fault, 1);

    let (status, body) = app
        .json(Method::POST, "/Users", user("patient@example.com"))
        .await;

    assert_eq!(status, 201, "{body}");
    assert_eq!(app.count("members/add_v2"), 2);
}

#[tokio::test]
async fn dropbox_answering_503_is_503_with_retry_after() {
    let app = TestApp::spawn().await;
    app.dropbox.emulator.inject_fault(
        "members/get_info_v2",
        Fault::Unavailable503 { retry_after: None },
        10,
    );

    let resp = app
        .call(Method::GET, "/Users/dbmid:AAAAsomebody", None)
        .await;

    assert_eq!(resp.status().as_u16(), 503);
    assert!(resp.headers().contains_key("retry-after"));
    let body: Value = resp.json().await.expect("JSON");
    assert_scim_error(&body, "503", "fault");
}

#[tokio::test]
async fn dropbox_unreachable_is_503() {
    let app = TestApp::spawn_with(&[("SCIM_BRIDGE_DROPBOX__BASE_URL", "http://127.0.0.1:9")]).await;

    let (status, body) = app
        .json(Method::POST, "/Users", user("nowhere@example.com"))
        .await;

    assert_eq!(status, 503, "{body}");
    assert_scim_error(&body, "503", "fault");
    assert!(
        !body["detail"].as_str().unwrap_or("").contains("127.0.0.1"),
        "no internals: {body}"
    );
}

#[tokio::test]
async fn a_long_rate_limit_on_a_read_is_429_too() {
    let app = TestApp::spawn().await;
    let created = app
        .create_okta_user("read.limit@example.com", "Re", "Ad")
        .await;
    let fault = Fault::RateLimitText { retry_after: 120 };
    app.dropbox
        .emulator
        .inject_fault("members/get_info_v2", fault, 1);

    let resp = app
        .call(
            Method::GET,
            &format!("/Users/{}", created["id"].as_str().expect("id")),
            None,
        )
        .await;

    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(resp.headers()["retry-after"], "120");
}

#[tokio::test]
async fn a_failed_suspend_leaves_the_user_active() {
    let app = TestApp::spawn().await;
    let created = app.create_okta_user("stay@example.com", "St", "Ay").await;
    let id = created["id"].as_str().expect("id").to_owned();
    app.dropbox.emulator.accept_invite(&id).expect("accepted");
    app.dropbox.emulator.inject_fault(
        "members/suspend",
        Fault::Unavailable503 { retry_after: None },
        10,
    );
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": false}}]});

    let (status, body) = app
        .json(Method::PATCH, &format!("/Users/{id}"), Some(patch))
        .await;

    assert_eq!(status, 503, "{body}");
    let (status, got) = app.get_user(&id).await;
    assert_eq!((status, &got["active"]), (200, &json!(true)));
}

#[tokio::test]
async fn a_dropped_add_is_looked_up_not_resent() {
    let app = TestApp::spawn().await;
    app.dropbox
        .emulator
        .inject_fault("members/add_v2", Fault::DropConnection, 1);

    let (status, body) = app
        .json(Method::POST, "/Users", user("dropped@example.com"))
        .await;

    assert_eq!(status, 503, "{body}");
    assert_scim_error(&body, "503", "fault");
    assert_eq!(
        app.count("members/add_v2"),
        1,
        "add_v2 is never re-sent blindly"
    );
    assert!(app.count("members/get_info_v2") >= 1, "{:?}", app.stats());
    let (status, _) = app
        .json(Method::POST, "/Users", user("dropped@example.com"))
        .await;
    assert_eq!(status, 201, "the IdP's retry creates the user");
}
