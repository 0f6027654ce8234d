//! Shared set-up for the group bridge tests: an emulator, a client, a store on a temp file, a bridge.

use super::scim_calls::GROUP_URN;
use dropbox_scim_bridge::bridge::{Bridge, BridgeError, BridgeSettings, WriteContext};
use dropbox_scim_bridge::config::Config;
use dropbox_scim_bridge::dropbox::{ClientConfig, Credentials, DropboxClient};
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use dropbox_scim_bridge::scim::error::ScimType;
use dropbox_scim_bridge::store::Store;
use serde_json::{Value, json};

/// A bridge wired to a fresh emulator.
pub struct Env {
    /// The bridge under test.
    pub bridge: Bridge,
    /// The running emulator.
    pub running: RunningEmulator,
    /// The bridge's store (for audit assertions).
    pub store: Store,
    _dir: tempfile::TempDir,
}

impl Env {
    /// Spawns the emulator (with its "Everyone" group) and builds the bridge over it.
    pub async fn new() -> Env {
        Self::with(EmulatorConfig::default()).await
    }

    /// Spawns the emulator with `emulator` and builds the bridge over it.
    pub async fn with(emulator: EmulatorConfig) -> Env {
        let running = Emulator::spawn(emulator).await.expect("spawn emulator");
        let token = running.emulator.issue_token_all();
        let mut cfg = ClientConfig::new(Credentials::AccessToken(token.into()));
        cfg.base_url = running.base_url.clone();
        let client = DropboxClient::new(cfg).expect("client");
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}/store.db?mode=rwc", dir.path().display());
        let store = Store::connect(&url).await.expect("store");
        let config = Config::load_from(None, Vec::<(String, String)>::new()).expect("config");
        let settings = BridgeSettings::from_config(&config);
        Env {
            bridge: Bridge::new(client, store.clone(), settings),
            running,
            store,
            _dir: dir,
        }
    }

    /// The emulator.
    pub fn emu(&self) -> &Emulator {
        &self.running.emulator
    }

    /// Calls made so far to `route`.
    pub fn count(&self, route: &str) -> u64 {
        self.emu().stats().get(route).copied().unwrap_or(0)
    }

    /// The total of group write calls made so far.
    pub fn writes(&self) -> u64 {
        let writes = [
            "groups/create",
            "groups/update",
            "groups/delete",
            "groups/members/add",
            "groups/members/remove",
        ];
        writes.iter().map(|r| self.count(r)).sum()
    }

    /// Creates a group named `name` with `members`, answering its id.
    pub async fn group(&self, name: &str, members: &[String]) -> String {
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let body = json!({"schemas": [GROUP_URN], "displayName": name, "members": members});
        let g = self
            .bridge
            .create_group(&ctx("POST /Groups"), body)
            .await
            .expect("create group");
        g.id.expect("id")
    }

    /// The sorted member ids of a group.
    pub async fn member_ids(&self, id: &str) -> Vec<String> {
        let g = self.bridge.get_group(id, true).await.expect("get group");
        let mut ids: Vec<String> = g.members.into_iter().map(|m| m.value).collect();
        ids.sort();
        ids
    }
}

/// A write context for one request.
pub fn ctx(op: &str) -> WriteContext {
    WriteContext::new("test".into(), "req-1".into(), op.into())
}

/// The SCIM status and type of a failed call.
pub fn scim_err<T: std::fmt::Debug>(r: Result<T, BridgeError>) -> (u16, Option<ScimType>, String) {
    match r {
        Err(BridgeError::Scim(e)) => (e.status, e.scim_type, e.detail),
        other => panic!("expected a SCIM error, got {other:?}"),
    }
}

/// `ids` sorted.
pub fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}
