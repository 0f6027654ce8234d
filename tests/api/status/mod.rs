//! The operator's status page and `/status.json`: off unless configured, its own token (IdP tokens
//! refused), the facts it shows, safe headers; `browser` drives it in headless Chromium.

mod browser;

use crate::helpers::test_app::{TOKEN, TestApp};
use dropbox_scim_bridge::tokens::token_hash_hex;
use reqwest::header;
use serde_json::Value;

/// The operator token the status tests configure (URL-safe, as `token` makes them).
pub const OPERATOR: &str = "scimb_operator-token_for_tests";

/// A bridge whose status page is on, and deletes suspend then remove after a grace period with a
/// transfer to the manager (none is set, so a DELETE's removal is blocked at once).
pub async fn app_with_status() -> TestApp {
    let hash = token_hash_hex(OPERATOR);
    TestApp::spawn_with(&[
        ("SCIM_BRIDGE_STATUS__TOKEN_SHA256", hash.as_str()),
        ("SCIM_BRIDGE_DEPROVISION__POLICY", "suspend_then_remove"),
        ("SCIM_BRIDGE_DEPROVISION__TRANSFER_TO", "manager"),
        (
            "SCIM_BRIDGE_DEPROVISION__TRANSFER_ADMIN",
            "admin@example.com",
        ),
    ])
    .await
}

/// `http://127.0.0.1:PORT` of the app (the status page is at the root, outside the SCIM prefix).
pub fn origin(app: &TestApp) -> String {
    app.base.trim_end_matches("/scim/v2").to_owned()
}

async fn status_json(app: &TestApp, bearer: Option<&str>) -> (u16, Value, header::HeaderMap) {
    let mut req = app.http.get(format!("{}/status.json", origin(app)));
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    let resp = req.send().await.expect("status.json answers");
    let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
    let body = resp.json::<Value>().await.unwrap_or(Value::Null);
    (status, body, headers)
}

#[tokio::test]
async fn the_status_page_is_404_unless_an_operator_token_is_configured() {
    let app = TestApp::spawn().await;
    for path in ["/status", "/status.json"] {
        let resp = app.http.get(format!("{}{path}", origin(&app))).send().await;
        assert_eq!(resp.expect("answers").status().as_u16(), 404, "{path}");
    }
    let login = app
        .http
        .post(format!("{}/status/login", origin(&app)))
        .form(&[("token", TOKEN)])
        .send()
        .await
        .expect("answers");
    assert_eq!(login.status().as_u16(), 404);
}

#[tokio::test]
async fn status_json_takes_only_the_operator_token_and_shows_a_blocked_removal() {
    let app = app_with_status().await;
    for bearer in [None, Some(TOKEN), Some("wrong")] {
        let (status, _, headers) = status_json(&app, bearer).await;
        assert_eq!(status, 401, "{bearer:?}");
        assert!(headers.contains_key(header::WWW_AUTHENTICATE));
    }
    let id = app.active_member("leaver@example.com").await;
    assert_eq!(app.delete_user(&id).await.0, 204);

    let (status, body, headers) = status_json(&app, Some(OPERATOR)).await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["dropbox"]["reachable"], true);
    assert!(body["dropbox"]["team"]["name"].is_string(), "{body}");
    assert_eq!(
        body["rate_budget"]["configured"], true,
        "the budget is on by default"
    );
    assert_eq!(body["rate_budget"]["per_minute"], 1000);
    let removals = body["removals"].as_array().expect("removals");
    assert_eq!(removals.len(), 1, "{body}");
    assert_eq!(removals[0]["scim_id"], id.as_str());
    assert_eq!(removals[0]["state"], "blocked");
    let blocked_by = removals[0]["blocked_by"].as_str().unwrap_or_default();
    assert!(
        blocked_by.contains("deprovision.transfer_dest"),
        "{blocked_by}"
    );
    let recent = body["recent_operations"].as_array().expect("recent");
    assert_eq!(recent[0]["status"], 204, "newest first: {body}");
    assert!(
        recent[0]["operation"]
            .as_str()
            .is_some_and(|o| o.starts_with("DELETE "))
    );
    let text = body.to_string();
    assert!(!text.contains("@example.com"), "no e-mail: {text}");
    assert!(
        !text.contains(OPERATOR) && !text.contains(TOKEN),
        "no token"
    );
    let csp = headers.get(header::CONTENT_SECURITY_POLICY).expect("CSP");
    assert!(
        csp.to_str()
            .is_ok_and(|c| c.starts_with("default-src 'none'"))
    );
    assert_eq!(
        headers.get(header::CACHE_CONTROL).map(|v| v.as_bytes()),
        Some(&b"no-store"[..])
    );
}

#[tokio::test]
async fn the_login_form_sets_an_http_only_strict_cookie_only_for_the_operator_token() {
    let app = app_with_status().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let login = async |token: &str| {
        http.post(format!("{}/status/login", origin(&app)))
            .form(&[("token", token)])
            .send()
            .await
            .expect("answers")
    };
    let refused = login(TOKEN).await;
    assert_eq!(refused.status().as_u16(), 303);
    assert!(
        refused.headers().get(header::SET_COOKIE).is_none(),
        "an IdP token is not an operator token"
    );
    assert_eq!(
        refused.headers()[header::LOCATION],
        "../status?login=failed"
    );

    let accepted = login(OPERATOR).await;
    assert_eq!(accepted.status().as_u16(), 303);
    let cookie = accepted.headers()[header::SET_COOKIE]
        .to_str()
        .expect("ascii")
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let pair = cookie.split(';').next().unwrap_or_default().to_owned();
    let page = http
        .get(format!("{}/status", origin(&app)))
        .header(header::COOKIE, pair)
        .send()
        .await
        .expect("page");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("Pending and blocked removals") && !html.contains("<script"));
    let anonymous = http
        .get(format!("{}/status", origin(&app)))
        .send()
        .await
        .expect("page");
    assert_eq!(anonymous.status().as_u16(), 200, "the form");
    assert!(
        anonymous
            .text()
            .await
            .unwrap_or_default()
            .contains("Operator login")
    );
}

/// The README's `[audit]` and `[status]` examples are configurations the bridge accepts.
#[test]
fn readme_audit_and_status_examples_are_valid() {
    let readme = include_str!("../../../README.md");
    let block = |section: &str| {
        readme
            .split("```toml\n")
            .skip(1)
            .filter_map(|rest| rest.split("```").next())
            .find(|b| b.starts_with(section))
            .unwrap_or_else(|| panic!("README shows {section}"))
            .to_owned()
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let load = |text: String| {
        let path = dir.path().join("c.toml");
        std::fs::write(&path, &text).expect("write");
        dropbox_scim_bridge::config::Config::load_from(Some(&path), Vec::<(String, String)>::new())
            .unwrap_or_else(|e| panic!("README example refused: {e}\n{text}"))
    };
    let audit = load(block("[audit]"));
    assert_eq!(audit.audit.retention().map(|d| d.num_days()), Some(400));
    assert!(audit.audit.log_entries);
    let status = block("[status]").replace("<the sha256 printed above>", &token_hash_hex(OPERATOR));
    let status = load(status);
    assert!(status.status.enabled());
    assert_eq!(status.status.recent_operations, 20);
}
