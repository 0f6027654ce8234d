//! IdP credentials reload without a restart: SIGHUP to the real binary, and the refusal of a bad new
//! configuration (the old credentials stay).

use super::process::{ENV_TOKEN, TokenFileBridge, tokens_toml};
use crate::helpers::wait::eventually;
use axum::body::Body;
use axum::http::Request;
use dropbox_scim_bridge::config::Config;
use dropbox_scim_bridge::http::auth_policy::{AccessRequest, AuthPolicy, Authenticator};
use dropbox_scim_bridge::reload::reload;
use std::time::Duration;

#[tokio::test]
async fn sighup_puts_new_tokens_in_force_and_retires_the_old_ones() {
    let bridge = TokenFileBridge::start(&tokens_toml(&[("okta", "old-token", false)])).await;
    assert_eq!(bridge.status_with("old-token").await, 200);
    assert_eq!(bridge.status_with("new-token").await, 401);

    bridge.rewrite_and_hangup(&tokens_toml(&[("okta", "new-token", false)]));
    let swapped = eventually(Duration::from_secs(30), async || {
        bridge.status_with("new-token").await == 200
    })
    .await;
    assert!(swapped, "the new token works after SIGHUP");
    assert_eq!(
        bridge.status_with("old-token").await,
        401,
        "the old one is gone"
    );
    assert_eq!(
        bridge.status_with(ENV_TOKEN).await,
        200,
        "SCIM_BRIDGE_TOKEN stays"
    );

    // A broken file is refused: the process keeps serving with the tokens it has.
    bridge.rewrite_and_hangup("[[auth.tokens]]\nname = \"okta\"\nsha256 = \"not-hex\"\n");
    bridge.rewrite_and_hangup(&tokens_toml(&[("okta", "third-token", true)]));
    let swapped = eventually(Duration::from_secs(30), async || {
        bridge.status_with("third-token").await == 200
    })
    .await;
    assert!(swapped, "a later good file is still picked up");
    assert_eq!(bridge.status_with("new-token").await, 401);
}

fn request(token: &str) -> AccessRequest {
    let req = Request::get("/Users")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    AccessRequest::of(&req)
}

#[tokio::test]
async fn a_bad_new_config_is_refused_and_the_old_credentials_stay() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bridge.toml");
    std::fs::write(&path, tokens_toml(&[("a", "token-a", false)])).expect("write");
    let config = Config::load_from(Some(&path), Vec::<(String, String)>::new()).expect("loads");
    let auth = Authenticator::new(AuthPolicy::from_config(&config).expect("policy"));
    assert!(auth.authenticate(&request("token-a")).await.is_ok());

    for (bad, why) in [
        (
            "[[auth.tokens]]\nname = \"b\"\nsha256 = \"xyz\"\n",
            "auth.tokens[0].sha256",
        ),
        (
            "[auth.allow_list]\nnetworks = [\"10.0.0.0/40\"]\n",
            "auth.allow_list",
        ),
        ("[auth]\n", "no IdP credential"),
        (
            "[auth.jwt]\nissuers = [\"i\"]\naudiences = [\"a\"]\njwks_path = \"/nonexistent/jwks\"\n",
            "auth.jwt.jwks_path",
        ),
    ] {
        std::fs::write(&path, bad).expect("write");
        let error = reload(&auth, Some(&path)).expect_err(why);
        assert!(error.contains(why), "{why}: {error}");
        assert!(
            auth.authenticate(&request("token-a")).await.is_ok(),
            "{why}"
        );
    }

    std::fs::write(&path, tokens_toml(&[("b", "token-b", false)])).expect("write");
    let summary = reload(&auth, Some(&path)).expect("a good file reloads");
    assert!(summary.contains("1 static token"), "{summary}");
    assert!(auth.authenticate(&request("token-b")).await.is_ok());
    assert!(auth.authenticate(&request("token-a")).await.is_err());
}
