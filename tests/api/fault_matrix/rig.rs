//! The fault matrix's rig: the bridge over an emulator with short backoffs (which `TestApp` does
//! not set), Dropbox's own view of the team, and the newest audit entry.

use std::time::Duration;

use crate::helpers::scim_calls::{GROUP_URN, USER_URN, send_scim};
use dropbox_scim_bridge::app::Application;
use dropbox_scim_bridge::config::Config;
use dropbox_scim_bridge::dropbox::{ClientConfig, DropboxClient};
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use dropbox_scim_bridge::store::{AuditQuery, Store};
use reqwest::{Client, Method};
use serde_json::{Value, json};

const TOKEN: &str = "fault-matrix-token";
/// The wait a rate-limited cell asks for: longer than the bridge waits out, so the IdP sees it.
pub const LONG_WAIT: u32 = 300;

/// The bridge over an emulator, with short backoffs (which `TestApp` does not set), and its store
/// for the audit.
pub struct Rig {
    base: String,
    dropbox: RunningEmulator,
    dropbox_token: String,
    store: Store,
    http: Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Rig {
    pub async fn spawn() -> Rig {
        let dropbox = Emulator::spawn(EmulatorConfig::default())
            .await
            .expect("emulator");
        let token = dropbox.emulator.issue_token_all();
        let dir = tempfile::tempdir().expect("tempdir");
        let db = format!("sqlite://{}/bridge.sqlite?mode=rwc", dir.path().display());
        let vars: Vec<(String, String)> = vec![
            ("SCIM_BRIDGE_LISTEN".into(), "127.0.0.1:0".into()),
            ("SCIM_BRIDGE_TOKEN".into(), TOKEN.into()),
            ("SCIM_BRIDGE_STORE__URL".into(), db.clone()),
            (
                "SCIM_BRIDGE_DROPBOX__BASE_URL".into(),
                dropbox.base_url.clone(),
            ),
            ("SCIM_BRIDGE_DROPBOX__ACCESS_TOKEN".into(), token.clone()),
            (
                "SCIM_BRIDGE_DROPBOX__MAX_RETRY_WAIT_SECS".into(),
                "2".into(),
            ),
        ];
        let config = Config::load_from(None, vars).expect("config");
        let mut client = ClientConfig::from_config(&config).expect("client config");
        client.retry.base_delay = Duration::from_millis(5);
        client.retry.max_delay = Duration::from_millis(20);
        client.poll.initial = Duration::from_millis(5);
        client.poll.max_interval = Duration::from_millis(20);
        let client = DropboxClient::new(client).expect("client");
        let app = Application::build(config, client).await.expect("app");
        let base = format!("http://{}{}", app.local_addr(), app.path_prefix());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        let store = Store::connect(&db).await.expect("store");
        Rig {
            base,
            dropbox,
            dropbox_token: token,
            store,
            http: Client::new(),
            stop: Some(tx),
            _dir: dir,
        }
    }

    pub fn emu(&self) -> &Emulator {
        &self.dropbox.emulator
    }

    /// One SCIM request: status, `Retry-After`, JSON body (Null when empty).
    pub async fn scim(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let resp = send_scim(&self.http, &self.base, TOKEN, method, path, body).await;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = resp.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            retry_after,
            body,
        }
    }

    /// A set-up request that must succeed; answers the body.
    pub async fn must(&self, method: Method, path: &str, body: Value) -> Value {
        let a = self.scim(method, path, Some(body)).await;
        assert!(a.status < 300, "set-up {path}: {} {}", a.status, a.body);
        a.body
    }

    /// Dropbox's own view, straight from the emulator's API.
    pub async fn dropbox(&self, route: &str, body: Value) -> Value {
        let resp = self
            .http
            .post(format!("{}/2/team/{route}", self.dropbox.base_url))
            .bearer_auth(&self.dropbox_token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("emulator answers");
        resp.json().await.expect("emulator JSON")
    }

    pub async fn user(&self, email: &str) -> String {
        let body = json!({"schemas": [USER_URN], "userName": email,
            "name": {"givenName": "Fay", "familyName": "Ult"}, "active": true});
        let user = self.must(Method::POST, "/Users", body).await;
        user["id"].as_str().expect("id").to_owned()
    }

    pub async fn joined_user(&self, email: &str) -> String {
        let id = self.user(email).await;
        self.emu().accept_invite(&id).expect("accepted");
        id
    }

    pub async fn group(&self, name: &str, members: &[&str]) -> String {
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let body = json!({"schemas": [GROUP_URN], "displayName": name, "members": members});
        let group = self.must(Method::POST, "/Groups", body).await;
        group["id"].as_str().expect("id").to_owned()
    }

    /// Members with this e-mail Dropbox lists (removed ones included, with their status).
    pub async fn members_with(&self, email: &str) -> Vec<Value> {
        let list = self
            .dropbox("members/list_v2", json!({"include_removed": true}))
            .await;
        let members = list["members"].as_array().cloned().unwrap_or_default();
        members
            .into_iter()
            .map(|m| m["profile"].clone())
            .filter(|p| p["email"] == json!(email))
            .collect()
    }

    pub async fn status_of(&self, member_id: &str) -> String {
        let profile = self.emu().member(member_id).unwrap_or_default();
        profile["status"][".tag"]
            .as_str()
            .unwrap_or("none")
            .to_owned()
    }

    pub async fn groups_named(&self, name: &str) -> Vec<String> {
        let list = self.dropbox("groups/list", json!({})).await;
        let groups = list["groups"].as_array().cloned().unwrap_or_default();
        groups
            .iter()
            .filter(|g| g["group_name"] == json!(name))
            .filter_map(|g| g["group_id"].as_str().map(str::to_owned))
            .collect()
    }

    pub async fn group_member_ids(&self, gid: &str) -> Vec<String> {
        let list = self
            .dropbox(
                "groups/members/list",
                json!({"group": {".tag": "group_id", "group_id": gid}}),
            )
            .await;
        let members = list["members"].as_array().cloned().unwrap_or_default();
        members
            .iter()
            .filter_map(|m| m["profile"]["team_member_id"].as_str().map(str::to_owned))
            .collect()
    }

    /// The newest audit entry: its status and the routes it called.
    pub async fn last_audit(&self) -> (i64, Vec<String>) {
        let q = AuditQuery {
            limit: Some(1),
            ..AuditQuery::default()
        };
        let entries = self.store.query_audit(&q).await.expect("audit");
        let entry = entries.into_iter().next().expect("an audit entry");
        let routes = entry.dropbox_calls.into_iter().map(|c| c.route).collect();
        (entry.status, routes)
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: Value,
}
