//! The public path may differ from the bridge's own prefix: a trusted proxy's `X-Forwarded-Prefix`, or
//! the path of `http.public_base_url`, goes before `/scim/v2` in `Location` and `meta.location`; a
//! client's own header is ignored unless forwarded headers are trusted.

use crate::helpers::test_app::{TOKEN, TestApp};
use dropbox_scim_bridge::config::Config;
use reqwest::Method;
use serde_json::{Value, json};

/// POSTs a user with `headers`; returns its `Location`, its `meta.location` and the list's one.
async fn urls_with(
    app: &TestApp,
    email: &str,
    headers: &[(&str, &str)],
) -> (String, String, String) {
    let mut req = app
        .http
        .post(format!("{}/Users", app.base))
        .bearer_auth(TOKEN)
        .header("content-type", "application/scim+json")
        .body(
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": email,
                "name": {"givenName": "Pat", "familyName": "Prefix"},
                "emails": [{"primary": true, "value": email, "type": "work"}]
            })
            .to_string(),
        );
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("request sent");
    assert_eq!(resp.status().as_u16(), 201);
    let location = resp.headers()["location"]
        .to_str()
        .expect("ASCII")
        .to_owned();
    let body: Value = resp.json().await.expect("JSON");
    let mut list = app
        .http
        .get(format!("{}/Users", app.base))
        .query(&[("filter", format!("userName eq \"{email}\""))])
        .bearer_auth(TOKEN);
    for (k, v) in headers {
        list = list.header(*k, *v);
    }
    let list: Value = list.send().await.expect("sent").json().await.expect("JSON");
    let listed = list["Resources"][0]["meta"]["location"]
        .as_str()
        .expect("listed")
        .to_owned();
    let meta = body["meta"]["location"]
        .as_str()
        .expect("meta.location")
        .to_owned();
    (location, meta, listed)
}

const PROXY: [(&str, &str); 3] = [
    ("x-forwarded-proto", "https"),
    ("x-forwarded-host", "proxy.example.net:8443"),
    ("x-forwarded-prefix", "/idp/dropbox"),
];

#[tokio::test]
async fn a_trusted_proxys_prefix_goes_before_the_scim_path() {
    let app = TestApp::spawn_with(&[("SCIM_BRIDGE_HTTP__TRUST_FORWARDED_HEADERS", "true")]).await;

    let (location, meta, listed) = urls_with(&app, "pre@example.com", &PROXY).await;

    let id = location.rsplit('/').next().expect("id");
    let expected = format!("https://proxy.example.net:8443/idp/dropbox/scim/v2/Users/{id}");
    assert_eq!(location, expected);
    assert_eq!(meta, expected);
    assert_eq!(listed, expected);
    let (status, discovery) = app.json(Method::GET, "/ServiceProviderConfig", None).await;
    assert_eq!(status, 200);
    assert!(
        !discovery.to_string().contains("/idp/"),
        "no prefix without the header"
    );
}

#[tokio::test]
async fn a_prefix_from_an_untrusted_client_is_ignored() {
    let app = TestApp::spawn().await;

    let (location, meta, listed) = urls_with(&app, "direct@example.com", &PROXY).await;

    assert!(
        location.starts_with(&format!("{}/Users/", app.base)),
        "{location}"
    );
    assert_eq!(meta, location);
    assert_eq!(listed, location);
    assert!(!location.contains("idp") && !location.contains("proxy.example.net"));
}

#[tokio::test]
async fn a_hostile_forwarded_prefix_is_not_echoed() {
    let app = TestApp::spawn_with(&[("SCIM_BRIDGE_HTTP__TRUST_FORWARDED_HEADERS", "true")]).await;
    let headers = [
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "proxy.example.net"),
        ("x-forwarded-prefix", "/a/../../evil.example"),
    ];

    let (location, _, _) = urls_with(&app, "hostile@example.com", &headers).await;

    assert!(
        location.starts_with("https://proxy.example.net/scim/v2/Users/"),
        "{location}"
    );
}

#[tokio::test]
async fn a_path_in_public_base_url_is_the_public_prefix_and_wins_over_headers() {
    let app = TestApp::spawn_with(&[
        (
            "SCIM_BRIDGE_HTTP__PUBLIC_BASE_URL",
            "https://example.com/dropbox/",
        ),
        ("SCIM_BRIDGE_HTTP__TRUST_FORWARDED_HEADERS", "true"),
    ])
    .await;

    let (location, meta, listed) = urls_with(&app, "pub@example.com", &PROXY).await;

    let id = location.rsplit('/').next().expect("id");
    let expected = format!("https://example.com/dropbox/scim/v2/Users/{id}");
    assert_eq!(location, expected);
    assert_eq!(meta, expected);
    assert_eq!(listed, expected);
}

#[test]
fn public_base_url_takes_a_path_but_no_query_fragment_or_credentials() {
    let load = |url: &str| {
        Config::load_from(
            None,
            vec![(
                "SCIM_BRIDGE_HTTP__PUBLIC_BASE_URL".to_owned(),
                url.to_owned(),
            )],
        )
    };
    assert!(load("https://example.com/dropbox").is_ok());
    for bad in [
        "https://example.com/dropbox?x=1",
        "https://example.com/#top",
        "https://user:pw@example.com",
    ] {
        let err = load(bad).expect_err(bad).to_string();
        assert!(err.contains("http.public_base_url"), "{bad}: {err}");
    }
}
