//! Shared rig of the roles, secondary e-mail and space-limit emulator tests: one team, raw JSON calls.

use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use serde_json::{Value, json};

/// An emulated team with an all-scope token.
pub struct Team {
    pub emu: RunningEmulator,
    pub token: String,
}

impl Team {
    /// A fresh team whose only verified domain is `orange.com` (the spec examples' verified address).
    pub async fn start() -> Team {
        let emu = Emulator::spawn(EmulatorConfig::default())
            .await
            .expect("spawn emulator");
        emu.emulator.set_verified_domains(&["orange.com"]);
        let token = emu.emulator.issue_token_all();
        Team { emu, token }
    }

    /// The in-process emulator handle.
    pub fn emulator(&self) -> &Emulator {
        &self.emu.emulator
    }

    /// POSTs `body` to `/2/team/<route>`: the status and the JSON (or a text body as a JSON string).
    pub async fn post(&self, route: &str, body: Value) -> (u16, Value) {
        let resp = reqwest::Client::new()
            .post(format!("{}/2/team/{route}", self.emu.base_url))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("send");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    /// POSTs and expects a 200, returning the JSON.
    pub async fn ok(&self, route: &str, body: Value) -> Value {
        let (status, v) = self.post(route, body).await;
        assert_eq!(status, 200, "{route}: {v}");
        v
    }

    /// POSTs and expects a 409, returning the route error's `.tag`.
    pub async fn refused(&self, route: &str, body: Value) -> String {
        let (status, v) = self.post(route, body).await;
        assert_eq!(status, 409, "{route}: {v}");
        v["error"][".tag"].as_str().unwrap_or_default().to_string()
    }

    /// The seeded team admin's team_member_id.
    pub async fn admin_id(&self) -> String {
        let (status, v) = self
            .post("token/get_authenticated_admin", Value::Null)
            .await;
        assert_eq!(status, 200, "{v}");
        v["admin_profile"]["team_member_id"]
            .as_str()
            .expect("admin id")
            .to_string()
    }

    /// One new active, verified member's team_member_id.
    pub fn active_member(&self) -> String {
        self.emulator().seed_members(1).remove(0)
    }

    /// The member's profile as the emulator shows it.
    pub fn profile(&self, id: &str) -> Value {
        self.emulator().member(id).expect("member")
    }
}

/// A `UserSelectorArg` by team_member_id.
pub fn by_id(id: &str) -> Value {
    json!({".tag": "team_member_id", "team_member_id": id})
}

/// A `UserSecondaryEmailsArg` list with one user.
pub fn one_user(id: &str, emails: &[&str]) -> Value {
    json!([{"user": by_id(id), "secondary_emails": emails}])
}
