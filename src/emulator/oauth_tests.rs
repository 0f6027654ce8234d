//! Rules of the emulated authorization-code flow: PKCE, single-use short-lived codes, `invalid_grant`.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use super::oauth::{OAuthError, TokenRequest, refresh};
use super::oauth_code::{ChallengeMethod, exchange, issue_code, verifies};
use super::state::Model;
use super::{Emulator, EmulatorConfig, auth};

/// RFC 7636 Appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn model() -> Model {
    Model::new(EmulatorConfig::default())
}

fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn authorize_s256(m: &mut Model, extra: &[(&str, &str)]) -> Result<String, OAuthError> {
    let mut q = map(&[
        ("client_id", "emulator-app-key"),
        ("response_type", "code"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("token_access_type", "offline"),
    ]);
    q.extend(map(extra));
    issue_code(m, &q).map(|a| a.code)
}

fn token_request(pairs: &[(&str, &str)]) -> TokenRequest {
    let form = map(pairs);
    TokenRequest {
        client_id: form.get("client_id").cloned(),
        client_secret: form.get("client_secret").cloned(),
        form,
    }
}

fn exchange_with(m: &mut Model, code: &str, verifier: &str) -> Result<Value, OAuthError> {
    let req = token_request(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", "emulator-app-key"),
        ("code_verifier", verifier),
    ]);
    exchange(m, &req)
}

fn error_code(r: Result<impl std::fmt::Debug, OAuthError>) -> &'static str {
    r.err().map(|e| e.code).unwrap_or("ok")
}

#[test]
fn s256_and_plain_verifiers_follow_rfc_7636() {
    assert!(verifies(VERIFIER, CHALLENGE, ChallengeMethod::S256));
    assert!(!verifies(VERIFIER, VERIFIER, ChallengeMethod::S256));
    assert!(verifies(VERIFIER, VERIFIER, ChallengeMethod::Plain));
    assert!(!verifies(VERIFIER, CHALLENGE, ChallengeMethod::Plain));
}

#[test]
fn a_pkce_code_gives_a_refresh_token_that_refreshes_without_the_secret() {
    let mut m = model();
    let code = authorize_s256(&mut m, &[("scope", "members.read team_info.read")]).expect("code");
    let body = exchange_with(&mut m, &code, VERIFIER).expect("exchanged");
    assert_eq!(body["scope"], "members.read team_info.read");
    assert_eq!(body["team_id"], m.team_id.as_str());
    let rt = body["refresh_token"].as_str().expect("offline").to_owned();
    let req = token_request(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &rt),
        ("client_id", "emulator-app-key"),
    ]);
    let fresh = refresh(&mut m, &req).expect("refreshed");
    let access = fresh["access_token"].as_str().expect("token").to_owned();
    let mut headers = axum::http::HeaderMap::new();
    let bearer = format!("Bearer {access}").parse().expect("header");
    headers.insert(axum::http::header::AUTHORIZATION, bearer);
    assert!(auth::authorize(&m, &headers, "members.read").is_ok());
    assert!(auth::authorize(&m, &headers, "members.write").is_err());
    let wrong_app = token_request(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &rt),
        ("client_id", "another-app"),
    ]);
    assert_eq!(error_code(refresh(&mut m, &wrong_app)), "invalid_client");
}

#[test]
fn plain_challenges_verify_too() {
    let mut m = model();
    let code = authorize_s256(
        &mut m,
        &[
            ("code_challenge", VERIFIER),
            ("code_challenge_method", "plain"),
        ],
    );
    let code = code.expect("code");
    assert!(exchange_with(&mut m, &code, VERIFIER).is_ok());
}

#[test]
fn a_wrong_verifier_is_invalid_grant_and_spends_the_code() {
    let mut m = model();
    let code = authorize_s256(&mut m, &[]).expect("code");
    let wrong = "x".repeat(43);
    let err = exchange_with(&mut m, &code, &wrong).expect_err("wrong verifier");
    assert_eq!(
        (err.code, err.description.as_str()),
        ("invalid_grant", "invalid code verifier")
    );
    assert_eq!(
        error_code(exchange_with(&mut m, &code, VERIFIER)),
        "invalid_grant"
    );
}

#[test]
fn a_code_works_once() {
    let mut m = model();
    let code = authorize_s256(&mut m, &[]).expect("code");
    assert!(exchange_with(&mut m, &code, VERIFIER).is_ok());
    let err = exchange_with(&mut m, &code, VERIFIER).expect_err("reused");
    assert_eq!(err.code, "invalid_grant");
    assert_eq!(err.description, "code doesn't exist or has expired");
}

#[test]
fn a_code_expires_after_ten_minutes() {
    let mut m = model();
    let code = authorize_s256(&mut m, &[]).expect("code");
    m.clock_offset += chrono::Duration::seconds(599);
    let fresh = authorize_s256(&mut m, &[]).expect("code");
    m.clock_offset += chrono::Duration::seconds(1);
    assert_eq!(
        error_code(exchange_with(&mut m, &code, VERIFIER)),
        "invalid_grant"
    );
    assert!(exchange_with(&mut m, &fresh, VERIFIER).is_ok());
    assert_eq!(
        error_code(exchange_with(&mut m, "no-such-code", VERIFIER)),
        "invalid_grant"
    );
}

#[test]
fn a_pkce_code_needs_its_verifier_even_with_the_secret() {
    let mut m = model();
    let code = authorize_s256(&mut m, &[]).expect("code");
    let no_verifier = |secret: Option<&str>| {
        let mut pairs = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("client_id", "emulator-app-key"),
        ];
        pairs.extend(secret.map(|s| ("client_secret", s)));
        token_request(&pairs)
    };
    assert_eq!(
        error_code(exchange(&mut m, &no_verifier(None))),
        "invalid_client"
    );
    let with_secret = no_verifier(Some("emulator-app-secret"));
    assert_eq!(error_code(exchange(&mut m, &with_secret)), "invalid_grant");
}

#[test]
fn a_code_without_pkce_needs_the_secret_and_so_does_its_refresh_token() {
    let mut m = model();
    let q = map(&[
        ("client_id", "emulator-app-key"),
        ("response_type", "code"),
        ("token_access_type", "offline"),
        ("redirect_uri", "http://127.0.0.1:9/cb"),
        ("state", "s1"),
    ]);
    let authorized = issue_code(&mut m, &q).expect("code");
    let redirect = authorized.redirect.expect("redirect");
    assert!(
        redirect.starts_with("http://127.0.0.1:9/cb?code="),
        "{redirect}"
    );
    assert!(redirect.ends_with("&state=s1"), "{redirect}");
    let code = authorized.code.as_str();
    let mut pairs = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", "emulator-app-key"),
        ("client_secret", "emulator-app-secret"),
        ("redirect_uri", "http://127.0.0.1:9/cb"),
    ];
    let body = exchange(&mut m, &token_request(&pairs)).expect("exchanged");
    assert!(exchange(&mut m, &token_request(&pairs)).is_err());
    let rt = body["refresh_token"].as_str().expect("offline").to_owned();
    let without_secret = token_request(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &rt),
        ("client_id", "emulator-app-key"),
    ]);
    assert_eq!(
        error_code(refresh(&mut m, &without_secret)),
        "invalid_client"
    );
    // A different redirect_uri than the one authorised is refused.
    let code = issue_code(&mut m, &q).expect("code").code;
    pairs[1] = ("code", &code);
    pairs[4] = ("redirect_uri", "http://127.0.0.1:9/other");
    assert_eq!(
        error_code(exchange(&mut m, &token_request(&pairs))),
        "invalid_grant"
    );
}

#[test]
fn authorize_refuses_unknown_apps_scopes_and_methods() {
    let mut m = model();
    let bad = |m: &mut Model, extra: &[(&str, &str)]| error_code(authorize_s256(m, extra));
    assert_eq!(bad(&mut m, &[("client_id", "nope")]), "invalid_request");
    assert_eq!(
        bad(&mut m, &[("response_type", "token")]),
        "unsupported_response_type"
    );
    assert_eq!(
        bad(&mut m, &[("scope", "files.content.write")]),
        "invalid_scope"
    );
    assert_eq!(
        bad(&mut m, &[("code_challenge_method", "S512")]),
        "invalid_request"
    );
    assert_eq!(
        bad(&mut m, &[("code_challenge", "short")]),
        "invalid_request"
    );
    assert_eq!(
        bad(&mut m, &[("token_access_type", "forever")]),
        "invalid_request"
    );
}

#[test]
fn online_access_gets_no_refresh_token() {
    let mut m = model();
    let code = authorize_s256(&mut m, &[("token_access_type", "online")]).expect("code");
    let body = exchange_with(&mut m, &code, VERIFIER).expect("exchanged");
    assert!(body.get("refresh_token").is_none());
    assert_eq!(
        body["scope"].as_str().map(|s| s.split(' ').count()),
        Some(auth::ALL_SCOPES.len())
    );
}

#[tokio::test]
async fn over_http_the_page_shows_the_code_and_errors_have_dropbox_shape() {
    let router = Emulator::new(EmulatorConfig::default()).router();
    let uri = format!(
        "/oauth2/authorize?client_id=emulator-app-key&response_type=code&code_challenge={CHALLENGE}\
         &code_challenge_method=S256&token_access_type=offline"
    );
    let req = Request::get(uri).body(Body::empty()).expect("request");
    let resp = router.clone().oneshot(req).await.expect("response");
    assert_eq!(resp.status(), StatusCode::OK);
    let html = axum::body::to_bytes(resp.into_body(), 1 << 16)
        .await
        .expect("body");
    let html = String::from_utf8_lossy(&html);
    let code = html
        .split("value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("code on the page");
    let form = format!(
        "grant_type=authorization_code&code={code}&client_id=emulator-app-key&code_verifier={}",
        "y".repeat(43)
    );
    let req = Request::post("/oauth2/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .expect("request");
    let resp = router.oneshot(req).await.expect("response");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body = axum::body::to_bytes(resp.into_body(), 1 << 16)
        .await
        .expect("body");
    let body: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_description"], "invalid code verifier");
}
