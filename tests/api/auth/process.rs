//! The real `serve` binary with a config file of IdP tokens (for read-only tokens and SIGHUP reloads),
//! next to an emulator and a SQLite store of its own.

use crate::helpers::bridge_process::BridgeProcess;
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use dropbox_scim_bridge::tokens::token_hash_hex;
use reqwest::Method;
use serde_json::Value;
use std::path::PathBuf;

/// The read-write token `BridgeProcess` passes in `SCIM_BRIDGE_TOKEN`.
pub const ENV_TOKEN: &str = "env-token-for-the-process";

/// A bridge process reading its IdP tokens from a config file the test can rewrite.
pub struct TokenFileBridge {
    /// The running binary.
    pub process: BridgeProcess,
    /// Its Dropbox.
    pub dropbox: RunningEmulator,
    /// The config file (`SCIM_BRIDGE_CONFIG`).
    pub config: PathBuf,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// `[[auth.tokens]]` entries: (client name, token, read-only).
pub fn tokens_toml(tokens: &[(&str, &str, bool)]) -> String {
    tokens
        .iter()
        .map(|(name, token, read_only)| {
            format!(
                "[[auth.tokens]]\nname = \"{name}\"\nsha256 = \"{}\"\nread_only = {read_only}\n\n",
                token_hash_hex(token)
            )
        })
        .collect()
}

impl TokenFileBridge {
    /// Starts the binary with `toml` as its config file.
    pub async fn start(toml: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("bridge.toml");
        std::fs::write(&config, toml).expect("write config");
        let store = format!("sqlite://{}/bridge.sqlite?mode=rwc", dir.path().display());
        let dropbox = Emulator::spawn(EmulatorConfig::default())
            .await
            .expect("emulator starts");
        let path = config.display().to_string();
        let process = BridgeProcess::start(
            &dropbox,
            &store,
            ENV_TOKEN,
            &[("SCIM_BRIDGE_CONFIG", path.as_str())],
        )
        .await;
        Self {
            process,
            dropbox,
            config,
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    /// Status and body (Null when empty) of one SCIM call with `token`.
    pub async fn call(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let base = self.process.scim_base();
        let resp =
            crate::helpers::scim_calls::send_scim(&self.http, &base, token, method, path, body)
                .await;
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// The status of `GET /Users` with `token`.
    pub async fn status_with(&self, token: &str) -> u16 {
        self.call(token, Method::GET, "/Users", None).await.0
    }

    /// Replaces the config file and sends the process SIGHUP.
    pub fn rewrite_and_hangup(&self, toml: &str) {
        std::fs::write(&self.config, toml).expect("rewrite config");
        let pid = self.process.child.id().expect("the bridge is running");
        let status = std::process::Command::new("kill")
            .args(["-HUP", &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -HUP {pid}");
    }
}
