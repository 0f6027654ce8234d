//! JWT bearer tokens end to end: the real application on loopback, keys made here, a local JWKS server.

use super::keys::{
    AUDIENCE, EcKey, ISSUER, JwksServer, RSA_KEYS, claims, now, sign_hs256, tampered, unsigned,
};
use super::logs::CapturedLogs;
use crate::helpers::scim_calls::{USER_URN, send_scim};
use crate::helpers::test_app::TestApp;
use dropbox_scim_bridge::store::{AuditQuery, Store};
use reqwest::Method;
use serde_json::{Value, json};

const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// A bridge that accepts Entra-style JWTs with keys from `jwks`, plus `extra` settings.
async fn bridge(jwks: &JwksServer, extra: &[(&str, &str)]) -> TestApp {
    let mut settings = vec![
        ("SCIM_BRIDGE_AUTH__JWT__ISSUERS", ISSUER),
        ("SCIM_BRIDGE_AUTH__JWT__AUDIENCES", AUDIENCE),
        ("SCIM_BRIDGE_AUTH__JWT__ALGORITHMS", "RS256,ES256"),
        ("SCIM_BRIDGE_AUTH__JWT__JWKS_URL", jwks.url.as_str()),
        ("SCIM_BRIDGE_AUTH__JWT__CLIENT_CLAIM", "appid"),
    ];
    settings.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    settings.extend_from_slice(extra);
    TestApp::spawn_with(&settings).await
}

/// Status and JSON body of `GET /Users` with `token`.
async fn get_users(app: &TestApp, token: &str) -> (u16, Value) {
    let resp = send_scim(&app.http, &app.base, token, Method::GET, "/Users", None).await;
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body: Value = resp.json().await.expect("JSON body");
    if status == 401 {
        assert!(ct.starts_with("application/scim+json"), "{ct}");
    }
    (status, body)
}

fn with(key: &str, value: Value) -> Value {
    let mut c = claims();
    c[key] = value;
    c
}

#[tokio::test]
async fn rs256_and_es256_tokens_are_accepted_and_the_claim_names_the_client() {
    let ec = EcKey::generate();
    let jwks = JwksServer::start(vec![RSA_KEYS[0].jwk("rsa-1"), ec.jwk("ec-1")]).await;
    let app = bridge(&jwks, &[]).await;

    let rs = RSA_KEYS[0].sign("rsa-1", &claims());
    assert_eq!(get_users(&app, &rs).await.0, 200);
    let es = ec.sign("ec-1", &claims());
    assert_eq!(get_users(&app, &es).await.0, 200);
    // Within the clock skew (60 s by default), a just-expired token still passes.
    let skewed = RSA_KEYS[0].sign("rsa-1", &with("exp", json!(now() - 5)));
    assert_eq!(get_users(&app, &skewed).await.0, 200);
    assert_eq!(jwks.fetches(), 1, "the keys are cached");

    // A write with the JWT is audited under the client named by `appid`.
    let body = json!({"schemas": [USER_URN], "userName": "jo@example.com",
        "name": {"givenName": "Jo", "familyName": "Example"},
        "emails": [{"primary": true, "value": "jo@example.com", "type": "work"}]});
    let resp = send_scim(
        &app.http,
        &app.base,
        &rs,
        Method::POST,
        "/Users",
        Some(body),
    )
    .await;
    assert_eq!(resp.status().as_u16(), 201);
    let store = Store::connect(app.store_url()).await.expect("store");
    let audit = store
        .query_audit(&AuditQuery::default())
        .await
        .expect("audit");
    assert_eq!(audit[0].client.as_deref(), Some("entra-provisioning"));
}

#[tokio::test]
async fn every_bad_token_gets_401_with_a_scim_error_and_only_the_reason_is_logged() {
    let logs = CapturedLogs::start();
    let rsa = &RSA_KEYS[0];
    let jwks = JwksServer::start(vec![rsa.jwk("rsa-1")]).await;
    let app = bridge(&jwks, &[]).await;
    let good = rsa.sign("rsa-1", &claims());
    assert_eq!(get_users(&app, &good).await.0, 200);

    let mut no_exp = claims();
    no_exp.as_object_mut().expect("object").remove("exp");
    let cases = [
        (
            "expired",
            rsa.sign("rsa-1", &with("exp", json!(now() - 3600))),
            "token expired",
        ),
        (
            "not yet valid",
            rsa.sign("rsa-1", &with("nbf", json!(now() + 3600))),
            "token not yet valid",
        ),
        (
            "wrong audience",
            rsa.sign(
                "rsa-1",
                &with("aud", json!("00000003-0000-0000-c000-000000000000")),
            ),
            "wrong audience",
        ),
        (
            "wrong issuer",
            rsa.sign(
                "rsa-1",
                &with("iss", json!("https://sts.windows.net/other/")),
            ),
            "wrong issuer",
        ),
        (
            "unknown kid",
            rsa.sign("rsa-9", &claims()),
            "unknown signing key",
        ),
        (
            "alg none",
            unsigned(&claims()),
            "signing algorithm not allowed",
        ),
        (
            "HS256 signed with the RSA public key",
            sign_hs256(rsa.public_pem().as_bytes(), Some("rsa-1"), &claims()),
            "signing algorithm not allowed",
        ),
        ("tampered signature", tampered(&good), "bad signature"),
        ("no exp", rsa.sign("rsa-1", &no_exp), "token has no exp"),
        ("not a JWT", "just-some-token".to_owned(), "unknown token"),
    ];
    for (case, token, reason) in &cases {
        let (status, body) = get_users(&app, token).await;
        assert_eq!(status, 401, "{case}: {body}");
        assert_eq!(body["schemas"], json!([ERROR_URN]), "{case}");
        assert_eq!(body["status"], json!("401"), "{case}");
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(reason), "{case}: {detail}");
    }

    let log = logs.text();
    for (case, token, reason) in &cases {
        assert!(log.contains(reason), "{case}: the reason is logged\n{log}");
        assert!(
            !log.contains(token.as_str()),
            "{case}: the token is not logged"
        );
        let signature = token.rsplit('.').next().unwrap_or_default();
        assert!(
            signature.len() < 8 || !log.contains(signature),
            "{case}: no part of the token is logged"
        );
    }
    assert!(!log.contains(&good), "the valid token is not logged");
}

#[tokio::test]
async fn a_key_rotated_in_is_fetched_when_a_token_names_its_kid() {
    let jwks = JwksServer::start(vec![RSA_KEYS[0].jwk("old")]).await;
    let app = bridge(
        &jwks,
        &[("SCIM_BRIDGE_AUTH__JWT__JWKS_MIN_REFETCH_SECS", "0")],
    )
    .await;
    assert_eq!(
        get_users(&app, &RSA_KEYS[0].sign("old", &claims())).await.0,
        200
    );
    assert_eq!(jwks.fetches(), 1);

    jwks.publish(vec![RSA_KEYS[1].jwk("new")]);
    let rotated = RSA_KEYS[1].sign("new", &claims());
    assert_eq!(get_users(&app, &rotated).await.0, 200);
    assert_eq!(jwks.fetches(), 2, "one fetch for the unknown kid");
    assert_eq!(get_users(&app, &rotated).await.0, 200);
    assert_eq!(jwks.fetches(), 2, "then the new key is cached");
    // The old key is gone from the document, so its tokens are refused now.
    let old = RSA_KEYS[0].sign("old", &claims());
    assert_eq!(get_users(&app, &old).await.0, 401);
}

#[tokio::test]
async fn unknown_kids_do_not_refetch_the_keys_within_the_rate_limit() {
    let jwks = JwksServer::start(vec![RSA_KEYS[0].jwk("k1")]).await;
    let app = bridge(
        &jwks,
        &[("SCIM_BRIDGE_AUTH__JWT__JWKS_MIN_REFETCH_SECS", "3600")],
    )
    .await;
    assert_eq!(
        get_users(&app, &RSA_KEYS[0].sign("k1", &claims())).await.0,
        200
    );
    for i in 0..5 {
        let token = RSA_KEYS[0].sign(&format!("unknown-{i}"), &claims());
        assert_eq!(get_users(&app, &token).await.0, 401);
    }
    assert_eq!(jwks.fetches(), 1, "a flood of unknown kids costs no fetch");
}

#[tokio::test]
async fn hs256_uses_the_secret_from_its_file_and_never_the_public_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secret_file = dir.path().join("hs256");
    let secret = "a-shared-secret-of-at-least-32-bytes!";
    std::fs::write(&secret_file, format!("{secret}\n")).expect("write");
    let jwks = JwksServer::start(vec![RSA_KEYS[0].jwk("rsa-1")]).await;
    let path = secret_file.display().to_string();
    let app = bridge(
        &jwks,
        &[
            ("SCIM_BRIDGE_AUTH__JWT__ALGORITHMS", "RS256,HS256"),
            // The project's `_FILE` convention: the secret is read from the file.
            ("SCIM_BRIDGE_AUTH__JWT__HS256_SECRET_FILE", path.as_str()),
        ],
    )
    .await;
    let hs = sign_hs256(secret.as_bytes(), None, &claims());
    assert_eq!(get_users(&app, &hs).await.0, 200);
    // HS256 allowed, but an HMAC made with the RSA public key does not match the secret.
    let confused = sign_hs256(
        RSA_KEYS[0].public_pem().as_bytes(),
        Some("rsa-1"),
        &claims(),
    );
    let (status, body) = get_users(&app, &confused).await;
    assert_eq!(status, 401);
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("bad signature")
    );
    // RS256 still works next to it.
    let rs = RSA_KEYS[0].sign("rsa-1", &claims());
    assert_eq!(get_users(&app, &rs).await.0, 200);
}

#[tokio::test]
async fn keys_from_a_jwks_file_need_no_server() {
    let ec = EcKey::generate();
    let dir = tempfile::tempdir().expect("tempdir");
    let jwks_path = dir.path().join("jwks.json");
    let document = json!({"keys": [ec.jwk("file-key")]});
    std::fs::write(&jwks_path, document.to_string()).expect("write");
    let path = jwks_path.display().to_string();
    let app = TestApp::spawn_with(&[
        ("SCIM_BRIDGE_AUTH__JWT__ISSUERS", ISSUER),
        ("SCIM_BRIDGE_AUTH__JWT__AUDIENCES", AUDIENCE),
        ("SCIM_BRIDGE_AUTH__JWT__ALGORITHMS", "ES256"),
        ("SCIM_BRIDGE_AUTH__JWT__JWKS_PATH", path.as_str()),
    ])
    .await;
    assert_eq!(
        get_users(&app, &ec.sign("file-key", &claims())).await.0,
        200
    );
    let other = EcKey::generate();
    let (status, body) = get_users(&app, &other.sign("file-key", &claims())).await;
    assert_eq!(status, 401, "another key under the same kid: {body}");
    // RS256 is not in `algorithms`, whatever key the file holds.
    let rs = RSA_KEYS[0].sign("file-key", &claims());
    assert_eq!(get_users(&app, &rs).await.0, 401);
}
