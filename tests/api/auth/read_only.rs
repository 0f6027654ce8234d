//! A `read_only = true` token reads (GET, POST .search) and every write with it gets 403.

use super::process::{ENV_TOKEN, TokenFileBridge, tokens_toml};
use crate::helpers::scim_calls::{GROUP_URN, USER_URN, patch_body};
use reqwest::Method;
use serde_json::json;

const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const SEARCH_URN: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

#[tokio::test]
async fn a_read_only_token_reads_and_every_write_gets_403() {
    let bridge = TokenFileBridge::start(&tokens_toml(&[("auditor", "ro-token", true)])).await;
    let user = json!({"schemas": [USER_URN], "userName": "ro@example.com",
        "name": {"givenName": "Ro", "familyName": "Example"},
        "emails": [{"primary": true, "value": "ro@example.com", "type": "work"}]});
    let (status, created) = bridge
        .call(ENV_TOKEN, Method::POST, "/Users", Some(user.clone()))
        .await;
    assert_eq!(status, 201, "the read-write token writes: {created}");
    let id = created["id"].as_str().expect("id").to_owned();

    let search = json!({"schemas": [SEARCH_URN], "filter": "userName eq \"ro@example.com\""});
    for (method, path, body) in [
        (Method::GET, "/Users".to_owned(), None),
        (Method::GET, format!("/Users/{id}"), None),
        (Method::GET, "/Groups".to_owned(), None),
        (
            Method::POST,
            "/Users/.search".to_owned(),
            Some(search.clone()),
        ),
        (Method::POST, "/.search".to_owned(), Some(search.clone())),
    ] {
        let (status, body) = bridge.call("ro-token", method.clone(), &path, body).await;
        assert_eq!(status, 200, "{method} {path}: {body}");
    }

    let calls_before = bridge.dropbox.emulator.stats();
    let group = json!({"schemas": [GROUP_URN], "displayName": "Readers"});
    let deactivate = patch_body(json!([{"op": "replace", "path": "active", "value": false}]));
    for (method, path, body) in [
        (Method::POST, "/Users".to_owned(), Some(user.clone())),
        (Method::PUT, format!("/Users/{id}"), Some(user.clone())),
        (Method::PATCH, format!("/Users/{id}"), Some(deactivate)),
        (Method::DELETE, format!("/Users/{id}"), None),
        (Method::POST, "/Groups".to_owned(), Some(group)),
    ] {
        let (status, body) = bridge.call("ro-token", method.clone(), &path, body).await;
        assert_eq!(status, 403, "{method} {path}: {body}");
        assert_eq!(body["schemas"], json!([ERROR_URN]), "{method} {path}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("read-only"),
            "{method} {path}: {body}"
        );
    }
    assert_eq!(
        bridge.dropbox.emulator.stats(),
        calls_before,
        "no refused write reached Dropbox"
    );
}
