//! Input Dropbox would refuse is refused before any Dropbox call, with a 400 that does not echo it:
//! e-mail addresses outside Dropbox's `EmailAddress` pattern, and control or bidi-override
//! characters in names.

use crate::helpers::scim_calls::{GROUP_URN, USER_URN, patch_body as patch};
use crate::helpers::test_app::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

const BAD_EMAILS: [&str; 3] = ["ünïcode@example.com", "😀@example.com", "user@[127.0.0.1]"];
const HIDDEN: [&str; 6] = [
    "Ann\u{202E}eL",
    "Ann\u{2066}x",
    "Ann\u{200F}",
    "Ann\u{0007}",
    "Ann\nLee",
    "\u{202A}Ann",
];
const WRITES: [&str; 6] = [
    "members/add_v2",
    "members/set_profile_v2",
    "members/get_info_v2",
    "groups/create",
    "groups/update",
    "members/list_v2",
];

fn user(email: &str) -> Value {
    json!({
        "schemas": [USER_URN],
        "userName": email,
        "name": {"givenName": "Uni", "familyName": "Code"},
        "emails": [{"primary": true, "value": email, "type": "work"}],
        "active": true
    })
}

fn calls(app: &TestApp) -> u64 {
    WRITES.iter().map(|r| app.count(r)).sum()
}

/// Asserts a 400 invalidValue whose detail does not echo `value`.
fn assert_refused(case: &str, status: u16, body: &Value, value: &str) {
    assert_eq!(status, 400, "{case}: {body}");
    assert_eq!(body["scimType"], json!("invalidValue"), "{case}: {body}");
    let detail = body["detail"].as_str().unwrap_or("");
    assert!(
        !detail.contains(value),
        "{case}: echoes the value: {detail}"
    );
}

#[tokio::test]
async fn addresses_dropbox_refuses_are_400_on_every_write_and_never_sent() {
    let app = TestApp::spawn().await;
    let created = app.create_okta_user("valid@example.com", "Va", "Lid").await;
    let id = created["id"].as_str().expect("id").to_owned();
    for bad in BAD_EMAILS {
        let before = calls(&app);
        let (s, b) = app.json(Method::POST, "/Users", Some(user(bad))).await;
        assert_refused(&format!("POST {bad}"), s, &b, bad);
        let path = format!("/Users/{id}");
        let (s, b) = app.json(Method::PUT, &path, Some(user(bad))).await;
        assert_refused(&format!("PUT {bad}"), s, &b, bad);
        let by_name = patch(json!([{"op": "replace", "path": "userName", "value": bad}]));
        let (s, b) = app.json(Method::PATCH, &path, Some(by_name)).await;
        assert_refused(&format!("PATCH userName {bad}"), s, &b, bad);
        let by_emails = patch(json!([{"op": "replace", "path": "emails",
            "value": [{"value": bad, "primary": true}]}]));
        let (s, b) = app.json(Method::PATCH, &path, Some(by_emails)).await;
        assert_refused(&format!("PATCH emails {bad}"), s, &b, bad);
        // Only the PUT/PATCH look-up of the user itself reaches Dropbox.
        assert_eq!(
            app.count("members/add_v2"),
            1,
            "{bad}: only the set-up user"
        );
        assert_eq!(
            app.count("members/set_profile_v2"),
            0,
            "{bad}: a write reached Dropbox"
        );
        assert!(
            calls(&app) - before <= 3,
            "{bad}: only the look-ups of {id}"
        );
    }
}

#[tokio::test]
async fn filters_on_addresses_dropbox_refuses_are_empty_without_calling_dropbox() {
    let app = TestApp::spawn().await;
    for bad in BAD_EMAILS {
        for attr in ["userName", "emails.value"] {
            let filter = format!("{attr} eq \"{bad}\"");
            let q: String = url_encode(&filter);
            let before = app.stats().values().sum::<u64>();
            let (s, b) = app
                .json(Method::GET, &format!("/Users?filter={q}"), None)
                .await;
            assert_eq!(s, 200, "{filter}: {b}");
            assert_eq!(b["totalResults"], json!(0), "{filter}: {b}");
            let after = app.stats().values().sum::<u64>();
            assert_eq!(after, before, "{filter}: Dropbox was called");
        }
    }
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn control_and_bidi_characters_in_names_are_400_before_dropbox() {
    let app = TestApp::spawn().await;
    let created = app.create_okta_user("names@example.com", "Na", "Mes").await;
    let id = created["id"].as_str().expect("id").to_owned();
    let gid = {
        let body = json!({"schemas": [GROUP_URN],
            "displayName": "Plain"});
        let (s, b) = app.json(Method::POST, "/Groups", Some(body)).await;
        assert_eq!(s, 201, "{b}");
        b["id"].as_str().expect("id").to_owned()
    };
    for bad in HIDDEN {
        let mut body = user("hidden@example.com");
        body["name"]["givenName"] = json!(bad);
        let (s, b) = app.json(Method::POST, "/Users", Some(body)).await;
        assert_refused(&format!("POST givenName {bad:?}"), s, &b, bad);
        for path in ["name.familyName", "displayName"] {
            let ops = patch(json!([{"op": "replace", "path": path, "value": bad}]));
            let (s, b) = app
                .json(Method::PATCH, &format!("/Users/{id}"), Some(ops))
                .await;
            assert_refused(&format!("PATCH {path} {bad:?}"), s, &b, bad);
        }
        let group = json!({"schemas": [GROUP_URN],
            "displayName": bad});
        let (s, b) = app.json(Method::POST, "/Groups", Some(group)).await;
        assert_refused(&format!("POST /Groups {bad:?}"), s, &b, bad);
        let rename = patch(json!([{"op": "replace", "path": "displayName", "value": bad}]));
        let (s, b) = app
            .json(Method::PATCH, &format!("/Groups/{gid}"), Some(rename))
            .await;
        assert_refused(&format!("PATCH /Groups displayName {bad:?}"), s, &b, bad);
    }
    assert_eq!(app.count("members/add_v2"), 1, "only the set-up user");
    assert_eq!(app.count("members/set_profile_v2"), 0);
    assert_eq!(app.count("groups/create"), 1, "only the set-up group");
    assert_eq!(app.count("groups/update"), 0);
}
