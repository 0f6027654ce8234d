//! The document against the router: the route table (`ROUTES`) and the running server over loopback.

use super::document::{DOC_PREFIX, Operation, concrete, load, operations};
use crate::helpers::test_app::{TOKEN, TestApp};
use dropbox_scim_bridge::http::{Mount, ROUTES};
use reqwest::{Method, Response};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// `(method, full path)` of every route in the router's table, SCIM ones under the document's prefix.
fn served() -> BTreeSet<(String, String)> {
    ROUTES
        .iter()
        .map(|r| {
            let path = match r.mount {
                Mount::Scim => format!("{DOC_PREFIX}{}", r.path),
                Mount::Root => r.path.to_owned(),
            };
            (r.verb.method().to_string(), path)
        })
        .collect()
}

fn key(op: &Operation) -> (String, String) {
    (op.method.to_string(), op.path.clone())
}

#[test]
fn every_served_route_is_documented_and_every_documented_route_is_served() {
    let ops = operations(&load());
    let documented: BTreeSet<_> = ops.iter().map(key).collect();
    let required: BTreeSet<_> = ops.iter().filter(|o| !o.optional).map(key).collect();
    let served = served();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "served but not in openapi/scim.yaml: {undocumented:?}"
    );
    let missing: Vec<_> = required.difference(&served).collect();
    assert!(
        missing.is_empty(),
        "in openapi/scim.yaml but not served: {missing:?}"
    );
}

/// The origin of a running bridge (its base URL without the SCIM prefix).
fn origin(app: &TestApp) -> String {
    app.base
        .strip_suffix(DOC_PREFIX)
        .expect("TestApp uses the default prefix")
        .to_owned()
}

async fn send(app: &TestApp, method: Method, path: &str, token: Option<&str>) -> Response {
    let mut req = app
        .http
        .request(method.clone(), format!("{}{path}", origin(app)));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if [Method::POST, Method::PUT, Method::PATCH].contains(&method) {
        req = req
            .header("content-type", "application/scim+json")
            .body(json!({"schemas": []}).to_string());
    }
    req.send().await.expect("request sent")
}

/// Whether a response is the router's own answer for an unknown path or method.
async fn is_fallback(response: Response) -> (bool, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let fallback = status == 405 || (status == 404 && body["detail"] == "no such SCIM endpoint");
    (fallback, format!("{status} {body}"))
}

#[tokio::test]
async fn every_documented_operation_answers_and_scim_ones_require_the_token() {
    let app = TestApp::spawn().await;
    let ops = operations(&load());
    for op in ops.iter().filter(|o| !o.optional) {
        let path = concrete(&op.path);
        let label = format!("{} {path}", op.method);
        let (fallback, answer) =
            is_fallback(send(&app, op.method.clone(), &path, Some(TOKEN)).await).await;
        assert!(!fallback, "{label} reached the router's fallback: {answer}");
        if op.path.starts_with(DOC_PREFIX) {
            let anonymous = send(&app, op.method.clone(), &path, None).await;
            assert_eq!(anonymous.status(), 401, "{label} without a token");
        }
    }
}

#[tokio::test]
async fn undocumented_methods_get_405_with_the_documented_ones_allowed() {
    let app = TestApp::spawn().await;
    let doc = load();
    let ops = operations(&doc);
    let paths: BTreeSet<&str> = ops
        .iter()
        .filter(|o| !o.optional)
        .map(|o| o.path.as_str())
        .collect();
    for template in paths {
        let documented: BTreeSet<Method> = ops
            .iter()
            .filter(|o| o.path == template)
            .map(|o| o.method.clone())
            .collect();
        let path = concrete(template);
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ] {
            if documented.contains(&method) {
                continue;
            }
            let response = send(&app, method.clone(), &path, Some(TOKEN)).await;
            assert_eq!(response.status(), 405, "{method} {path}");
            let allow = response.headers()["allow"]
                .to_str()
                .expect("ascii")
                .to_owned();
            let mut allowed: BTreeSet<&str> = allow.split(',').map(str::trim).collect();
            allowed.remove("HEAD");
            let expected: BTreeSet<&str> = documented.iter().map(Method::as_str).collect();
            assert_eq!(allowed, expected, "Allow on {path}");
        }
    }
    for path in [
        "/scim/v2/Bulk",
        "/scim/v2/Users/a/b",
        "/metricz",
        "/scim/v3/Users",
    ] {
        let (fallback, answer) =
            is_fallback(send(&app, Method::GET, path, Some(TOKEN)).await).await;
        assert!(
            fallback && answer.starts_with("404"),
            "GET {path}: {answer}"
        );
    }
}
