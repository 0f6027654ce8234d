//! The end-to-end harness: the real application on a loopback port against the emulator on another.

use super::scim_calls::USER_URN;
use super::scim_calls::send_scim;
use dropbox_scim_bridge::app::Application;
use dropbox_scim_bridge::config::Config;
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use reqwest::{Client, Method, Response};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The IdP token every test uses.
pub const TOKEN: &str = "test-idp-token";

/// A running bridge + emulator pair.
pub struct TestApp {
    /// The SCIM base URL, e.g. `http://127.0.0.1:PORT/scim/v2`.
    pub base: String,
    /// The emulator (for stats, calls and state).
    pub dropbox: RunningEmulator,
    /// HTTP client.
    pub http: Client,
    /// The `SCIM_BRIDGE_*` settings it runs with (but the listen address), to run the binary's
    /// commands (`pending`, `audit`) on the same store and Dropbox.
    pub settings: Vec<(String, String)>,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

/// The Dropbox credentials a spawned bridge holds.
enum Token<'a> {
    /// A non-expiring access token with every scope.
    All,
    /// A non-expiring access token with only these scopes.
    Scoped(&'a [&'a str]),
    /// The emulator's refresh token (access tokens come from `oauth2/token`).
    Refreshing,
}

impl TestApp {
    /// Spawns with default settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// Spawns with extra `SCIM_BRIDGE_*` settings, e.g. `("SCIM_BRIDGE_DEPROVISION__POLICY", "remove")`.
    pub async fn spawn_with(settings: &[(&str, &str)]) -> Self {
        Self::spawn_full(EmulatorConfig::default(), settings).await
    }

    /// Spawns with a Dropbox token granted only `scopes`, and extra settings.
    pub async fn spawn_scoped(scopes: &[&str], settings: &[(&str, &str)]) -> Self {
        Self::spawn_inner(EmulatorConfig::default(), Token::Scoped(scopes), settings).await
    }

    /// Spawns with an emulator configuration and extra settings.
    pub async fn spawn_full(emulator: EmulatorConfig, settings: &[(&str, &str)]) -> Self {
        Self::spawn_inner(emulator, Token::All, settings).await
    }

    /// Spawns a bridge that gets its access tokens from `oauth2/token` with the emulator's refresh
    /// token, as in production, instead of holding a non-expiring one.
    pub async fn spawn_refreshing(emulator: EmulatorConfig) -> Self {
        Self::spawn_inner(emulator, Token::Refreshing, &[]).await
    }

    async fn spawn_inner(
        emulator: EmulatorConfig,
        token: Token<'_>,
        settings: &[(&str, &str)],
    ) -> Self {
        let refreshing = matches!(token, Token::Refreshing);
        let credentials: Vec<(String, String)> = if refreshing {
            vec![
                (
                    "SCIM_BRIDGE_DROPBOX__APP_KEY".into(),
                    emulator.app_key.clone(),
                ),
                (
                    "SCIM_BRIDGE_DROPBOX__APP_SECRET".into(),
                    emulator.app_secret.clone(),
                ),
                (
                    "SCIM_BRIDGE_DROPBOX__REFRESH_TOKEN".into(),
                    emulator.refresh_token.clone(),
                ),
            ]
        } else {
            Vec::new()
        };
        let dropbox = Emulator::spawn(emulator).await.expect("emulator starts");
        let credentials = if refreshing {
            credentials
        } else {
            let token = match token {
                Token::Scoped(scopes) => dropbox.emulator.issue_token(scopes),
                _ => dropbox.emulator.issue_token_all(),
            };
            vec![("SCIM_BRIDGE_DROPBOX__ACCESS_TOKEN".into(), token)]
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let db = format!("sqlite://{}/bridge.sqlite?mode=rwc", dir.path().display());
        let mut vars: Vec<(String, String)> = vec![
            ("SCIM_BRIDGE_LISTEN".into(), "127.0.0.1:0".into()),
            ("SCIM_BRIDGE_TOKEN".into(), TOKEN.into()),
            ("SCIM_BRIDGE_STORE__URL".into(), db),
            (
                "SCIM_BRIDGE_DROPBOX__BASE_URL".into(),
                dropbox.base_url.clone(),
            ),
            (
                "SCIM_BRIDGE_DROPBOX__MAX_RETRY_WAIT_SECS".into(),
                "2".into(),
            ),
        ];
        vars.extend(credentials);
        vars.extend(settings.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let config = Config::load_from(None, vars.clone()).expect("valid test config");
        vars.retain(|(k, _)| k != "SCIM_BRIDGE_LISTEN");
        let client = dropbox_scim_bridge::dropbox::DropboxClient::from_config(&config)
            .expect("dropbox client builds");
        let app = Application::build(config, client)
            .await
            .expect("app builds");
        let base = format!("http://{}{}", app.local_addr(), app.path_prefix());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        Self {
            base,
            dropbox,
            http: Client::new(),
            settings: vars,
            _dir: dir,
            stop: Some(tx),
        }
    }

    /// Sends an authenticated request with an optional JSON body.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        send_scim(&self.http, &self.base, TOKEN, method, path, body).await
    }

    /// Sends a request and returns status and JSON body (Null when empty).
    pub async fn json(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let resp = self.call(method, path, body).await;
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        (status, value)
    }

    /// Creates a user with the usual Okta body and returns the response body (asserting 201).
    pub async fn create_okta_user(&self, email: &str, given: &str, family: &str) -> Value {
        let (status, body) = self
            .create_user(json!({
                "schemas": [USER_URN],
                "userName": email,
                "name": {"givenName": given, "familyName": family},
                "emails": [{"primary": true, "value": email, "type": "work"}],
                "active": true
            }))
            .await;
        assert_eq!(status, 201, "create {email}: {body}");
        body
    }

    /// Creates a user (the usual Okta body) who then accepts the invitation; returns the SCIM id.
    pub async fn active_member(&self, email: &str) -> String {
        let body = self.create_okta_user(email, "Ann", "Example").await;
        let id = body["id"].as_str().expect("id").to_owned();
        self.dropbox.emulator.accept_invite(&id).expect("accepted");
        id
    }

    /// The store's URL (a SQLite file of its own).
    pub fn store_url(&self) -> &str {
        self.settings
            .iter()
            .find(|(k, _)| k == "SCIM_BRIDGE_STORE__URL")
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    /// Dropbox calls per route so far.
    pub fn stats(&self) -> BTreeMap<String, u64> {
        self.dropbox.emulator.stats()
    }

    /// Dropbox calls to one route so far.
    pub fn count(&self, route: &str) -> u64 {
        self.stats().get(route).copied().unwrap_or(0)
    }

    /// The Dropbox calls per route made while `op` ran (routes with none left out).
    pub async fn calls_during<F: Future>(&self, op: F) -> (BTreeMap<String, u64>, F::Output) {
        let before = self.stats();
        let out = op.await;
        let delta = self
            .stats()
            .into_iter()
            .map(|(route, n)| (route.clone(), n - before.get(&route).copied().unwrap_or(0)))
            .filter(|(_, n)| *n > 0)
            .collect();
        (delta, out)
    }

    /// A Team API call made straight to the emulator, as an admin in the Dropbox console (or another
    /// replica) would: its status and JSON body (null when it has none).
    pub async fn dropbox_direct(&self, route: &str, arg: Value) -> (u16, Value) {
        let token = self.dropbox.emulator.issue_token_all();
        let resp = self
            .http
            .post(format!("{}/2/team/{route}", self.dropbox.base_url))
            .bearer_auth(token)
            .json(&arg)
            .send()
            .await
            .expect("sent");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
