//! One `TestApp` helper per SCIM call, and the SCIM URNs and bodies the tests send.

use super::test_app::TestApp;
use reqwest::{Client, Method, Response};
use serde_json::{Value, json};

/// The PatchOp message URN (RFC 7644 §3.5.2).
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// The core User schema URN.
pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The core Group schema URN.
pub const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// The enterprise User extension URN.
pub const ENTERPRISE_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// A PatchOp body carrying `ops` (a JSON array of operations).
pub fn patch_body(ops: Value) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": ops})
}

impl TestApp {
    /// `POST /Users` with `body`.
    pub async fn create_user(&self, body: Value) -> (u16, Value) {
        self.json(Method::POST, "/Users", Some(body)).await
    }

    /// `GET /Users/{id}`.
    pub async fn get_user(&self, id: &str) -> (u16, Value) {
        self.json(Method::GET, &format!("/Users/{id}"), None).await
    }

    /// `PUT /Users/{id}` with `body`.
    pub async fn put_user(&self, id: &str, body: Value) -> (u16, Value) {
        self.json(Method::PUT, &format!("/Users/{id}"), Some(body))
            .await
    }

    /// `PATCH /Users/{id}` with a PatchOp body carrying `ops`.
    pub async fn patch_user(&self, id: &str, ops: Value) -> (u16, Value) {
        let body = patch_body(ops);
        self.json(Method::PATCH, &format!("/Users/{id}"), Some(body))
            .await
    }

    /// `DELETE /Users/{id}`.
    pub async fn delete_user(&self, id: &str) -> (u16, Value) {
        self.json(Method::DELETE, &format!("/Users/{id}"), None)
            .await
    }

    /// `GET /Users?{query}`, e.g. `filter=userName%20eq%20%22a@example.com%22`.
    pub async fn list_users(&self, query: &str) -> (u16, Value) {
        self.json(Method::GET, &format!("/Users?{query}"), None)
            .await
    }

    /// `POST /Groups` with `body`.
    pub async fn create_group(&self, body: Value) -> (u16, Value) {
        self.json(Method::POST, "/Groups", Some(body)).await
    }

    /// `GET /Groups/{id}`.
    pub async fn get_group(&self, id: &str) -> (u16, Value) {
        self.json(Method::GET, &format!("/Groups/{id}"), None).await
    }

    /// `PATCH /Groups/{id}` with a PatchOp body carrying `ops`.
    pub async fn patch_group(&self, id: &str, ops: Value) -> (u16, Value) {
        let body = patch_body(ops);
        self.json(Method::PATCH, &format!("/Groups/{id}"), Some(body))
            .await
    }

    /// `DELETE /Groups/{id}`.
    pub async fn delete_group(&self, id: &str) -> (u16, Value) {
        self.json(Method::DELETE, &format!("/Groups/{id}"), None)
            .await
    }

    /// `GET /Groups?{query}`.
    pub async fn list_groups(&self, query: &str) -> (u16, Value) {
        self.json(Method::GET, &format!("/Groups?{query}"), None)
            .await
    }
}

/// Asserts that `body` is a SCIM error (RFC 7644 §3.12): the Error schema, `status` as a string and a
/// non-empty detail. `what` names the case in every message.
pub fn assert_scim_error(body: &Value, status: &str, what: &str) {
    assert_eq!(
        body["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:Error"]),
        "{what}: {body}"
    );
    assert_eq!(
        body["status"],
        json!(status),
        "{what}: status must be the string {status:?}: {body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{what}: {body}"
    );
}

/// Sends one authenticated SCIM request to `base` + `path`, with an optional JSON body.
pub async fn send_scim(
    http: &Client,
    base: &str,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Response {
    let mut req = http
        .request(method, format!("{base}{path}"))
        .bearer_auth(token);
    if let Some(body) = body {
        req = req
            .header("content-type", "application/scim+json")
            .body(body.to_string());
    }
    req.send().await.expect("request sent")
}
