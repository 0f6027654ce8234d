//! The IP allow-list over loopback: the peer address, and `X-Forwarded-For` only from trusted proxies.

use crate::helpers::test_app::{TOKEN, TestApp};
use serde_json::{Value, json};

/// `GET /Users` with the test token and, optionally, an `X-Forwarded-For` value.
async fn get_users(app: &TestApp, forwarded_for: Option<&str>) -> (u16, Value) {
    let mut req = app
        .http
        .get(format!("{}/Users", app.base))
        .bearer_auth(TOKEN);
    if let Some(xff) = forwarded_for {
        req = req.header("x-forwarded-for", xff);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("JSON"))
}

#[tokio::test]
async fn a_client_outside_the_list_gets_403_and_forwarded_for_needs_a_trusted_proxy() {
    let app =
        TestApp::spawn_with(&[("SCIM_BRIDGE_AUTH__ALLOW_LIST__NETWORKS", "10.0.0.0/8")]).await;
    // The peer is 127.0.0.1, outside the list; a forged X-Forwarded-For changes nothing.
    for xff in [None, Some("10.1.2.3")] {
        let (status, body) = get_users(&app, xff).await;
        assert_eq!(status, 403, "{xff:?}: {body}");
        assert_eq!(
            body["schemas"],
            json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
        );
        assert!(
            body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("auth.allow_list")
        );
    }
    // The probes stay reachable for an orchestrator.
    let health = app.base.replace("/scim/v2", "/healthz");
    assert_eq!(
        reqwest::get(&health)
            .await
            .expect("healthz")
            .status()
            .as_u16(),
        200
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_checked() {
    let app = TestApp::spawn_with(&[
        (
            "SCIM_BRIDGE_AUTH__ALLOW_LIST__NETWORKS",
            "10.0.0.0/8,2001:db8::/32",
        ),
        ("SCIM_BRIDGE_AUTH__ALLOW_LIST__TRUSTED_PROXIES", "127.0.0.1"),
    ])
    .await;
    assert_eq!(get_users(&app, Some("10.1.2.3")).await.0, 200);
    assert_eq!(get_users(&app, Some("2001:db8::7")).await.0, 200);
    // Read from the right: what the client wrote before the proxy's entry is not believed.
    assert_eq!(get_users(&app, Some("10.1.2.3, 203.0.113.9")).await.0, 403);
    assert_eq!(get_users(&app, Some("203.0.113.9, 10.1.2.3")).await.0, 200);
    assert_eq!(get_users(&app, Some("not-an-address")).await.0, 403);
    // Without the header, the proxy (loopback) is the client, and it is not in the list.
    assert_eq!(get_users(&app, None).await.0, 403);
}

#[tokio::test]
async fn loopback_in_the_list_is_allowed_and_the_token_is_still_needed() {
    let app =
        TestApp::spawn_with(&[("SCIM_BRIDGE_AUTH__ALLOW_LIST__NETWORKS", "127.0.0.0/8")]).await;
    assert_eq!(get_users(&app, None).await.0, 200);
    let resp = app
        .http
        .get(format!("{}/Users", app.base))
        .bearer_auth("wrong")
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status().as_u16(), 401);
}
