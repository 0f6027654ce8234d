//! Allowed hosts, the nearest proxy's forwarded values, and the public origin start-up requires.

use super::{TOKEN, assert_scim_response, config, spawn};
use dropbox_scim_bridge::app::Application;
use dropbox_scim_bridge::dropbox::DropboxClient;
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig};
use serde_json::json;

fn new_user() -> String {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "host.check@example.com",
        "name": {"givenName": "Host", "familyName": "Check"},
        "emails": [{"primary": true, "value": "host.check@example.com", "type": "work"}],
        "active": true
    })
    .to_string()
}

#[tokio::test]
async fn a_host_not_allowed_gets_400() {
    let server = spawn(&[("SCIM_BRIDGE_HTTP__ALLOWED_HOSTS", "scim.example.com")]).await;
    let http = reqwest::Client::new();
    let resp = http
        .get(format!("{}/Users", server.base))
        .bearer_auth(TOKEN)
        .header("host", "evil.example")
        .send()
        .await
        .expect("sent");
    assert_scim_response(resp, 400, "Host: evil.example").await;
    let resp = http
        .post(format!("{}/Users", server.base))
        .bearer_auth(TOKEN)
        .header("host", "scim.example.com")
        .header("content-type", "application/scim+json")
        .body(new_user())
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 201);
    let location = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        location.starts_with("http://scim.example.com/scim/v2/Users/"),
        "{location}"
    );
}

#[tokio::test]
async fn the_nearest_proxys_forwarded_values_win() {
    let server = spawn(&[("SCIM_BRIDGE_HTTP__TRUST_FORWARDED_HEADERS", "true")]).await;
    let resp = reqwest::Client::new()
        .post(format!("{}/Users", server.base))
        .bearer_auth(TOKEN)
        .header("content-type", "application/scim+json")
        .header("x-forwarded-host", "evil.example, scim.example.com")
        .header("x-forwarded-proto", "http, https")
        .body(new_user())
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 201);
    let location = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        location.starts_with("https://scim.example.com/scim/v2/Users/"),
        "{location}"
    );
}

#[tokio::test]
async fn start_up_needs_a_public_origin_beyond_loopback_or_against_real_dropbox() {
    let dropbox = Emulator::spawn(EmulatorConfig::default())
        .await
        .expect("emulator starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}/bridge.sqlite?mode=rwc", dir.path().display());
    let build = |settings: &[(&str, &str)]| {
        let config = config(&dropbox, db.clone(), settings);
        let client = DropboxClient::from_config(&config).expect("client");
        Application::build(config, client)
    };
    let err = build(&[("SCIM_BRIDGE_LISTEN", "0.0.0.0:0")])
        .await
        .err()
        .expect("refused on all interfaces");
    assert!(err.to_string().contains("http.public_base_url"), "{err}");
    let real = [(
        "SCIM_BRIDGE_DROPBOX__BASE_URL",
        "https://api.dropboxapi.com",
    )];
    assert!(build(&real).await.is_err(), "refused against real Dropbox");
    let allowed = [
        ("SCIM_BRIDGE_LISTEN", "0.0.0.0:0"),
        ("SCIM_BRIDGE_HTTP__ALLOWED_HOSTS", "scim.example.com"),
    ];
    assert!(build(&allowed).await.is_ok());
    let public = [
        ("SCIM_BRIDGE_LISTEN", "0.0.0.0:0"),
        (
            "SCIM_BRIDGE_HTTP__PUBLIC_BASE_URL",
            "https://scim.example.com",
        ),
    ];
    assert!(build(&public).await.is_ok());
}
