//! The real `serve` binary with its standard error captured line by line, configured by a TOML file
//! (a named IdP token) and variables, against an emulator and a fresh SQLite file.

use crate::helpers::ports::free_port;
use crate::helpers::wait::eventually;
use dropbox_scim_bridge::emulator::{EmulatorConfig, RunningEmulator};
use dropbox_scim_bridge::tokens::token_hash_hex;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The IdP token of every test here, named `okta` in the config file.
pub const TOKEN: &str = "telemetry-test-okta-token";

/// A running bridge whose stderr lines are collected as they come.
pub struct LoggedBridge {
    child: Child,
    /// Its SCIM listen port.
    pub port: u16,
    lines: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl LoggedBridge {
    /// Starts `serve` against `emulator` with a static Dropbox token, `RUST_LOG=info` and `extra`
    /// variables on top (they win), and waits for `/healthz`.
    pub async fn start(emulator: &RunningEmulator, extra: &[(&str, &str)]) -> Self {
        let token = emulator.emulator.issue_token_all();
        let credentials = [("SCIM_BRIDGE_DROPBOX__ACCESS_TOKEN", token.as_str())];
        Self::launch(emulator, &credentials, extra).await
    }

    /// Like [`Self::start`], with the refresh-token flow (the default emulator's app) and
    /// `refresh_token` instead of a static token.
    pub async fn start_with_refresh(
        emulator: &RunningEmulator,
        refresh_token: &str,
        extra: &[(&str, &str)],
    ) -> Self {
        let app = EmulatorConfig::default();
        let credentials = [
            ("SCIM_BRIDGE_DROPBOX__APP_KEY", app.app_key.as_str()),
            ("SCIM_BRIDGE_DROPBOX__APP_SECRET", app.app_secret.as_str()),
            ("SCIM_BRIDGE_DROPBOX__REFRESH_TOKEN", refresh_token),
        ];
        Self::launch(emulator, &credentials, extra).await
    }

    async fn launch(
        emulator: &RunningEmulator,
        credentials: &[(&str, &str)],
        extra: &[(&str, &str)],
    ) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("bridge.toml");
        let toml = format!(
            "[[auth.tokens]]\nname = \"okta\"\nsha256 = \"{}\"\n",
            token_hash_hex(TOKEN)
        );
        std::fs::write(&config, toml).expect("write the config");
        let store = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("b.sqlite").display()
        );
        let port = free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_dropbox-scim-bridge"))
            .arg("serve")
            .env_clear()
            .env("SCIM_BRIDGE_CONFIG", &config)
            .env("SCIM_BRIDGE_LISTEN", format!("127.0.0.1:{port}"))
            .env("SCIM_BRIDGE_STORE__URL", store)
            .env("SCIM_BRIDGE_DROPBOX__BASE_URL", &emulator.base_url)
            .envs(credentials.iter().copied())
            .env("RUST_LOG", "info")
            .envs(extra.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the bridge binary starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let mut reader = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let sink = lines.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = reader.next_line().await {
                sink.lock().expect("lines").push(line);
            }
        });
        let health = format!("http://127.0.0.1:{port}/healthz");
        let up = eventually(Duration::from_secs(30), async || {
            reqwest::get(&health)
                .await
                .is_ok_and(|r| r.status().is_success())
        })
        .await;
        let bridge = Self {
            child,
            port,
            lines,
            _dir: dir,
        };
        assert!(
            up,
            "the bridge never answered /healthz:\n{}",
            bridge.stderr()
        );
        bridge
    }

    /// Its SCIM base URL.
    pub fn scim_base(&self) -> String {
        format!("http://127.0.0.1:{}/scim/v2", self.port)
    }

    /// Everything written to stderr so far.
    pub fn stderr(&self) -> String {
        self.lines.lock().expect("lines").join("\n")
    }

    /// Waits until a line holds every one of `parts`, and answers it (or fails with all of stderr).
    pub async fn line_with(&self, parts: &[&str]) -> String {
        let find = || {
            self.lines
                .lock()
                .expect("lines")
                .iter()
                .find(|l| parts.iter().all(|p| l.contains(p)))
                .cloned()
        };
        let found = eventually(Duration::from_secs(20), async || find().is_some()).await;
        assert!(found, "no line with {parts:?} in:\n{}", self.stderr());
        find().expect("the line found above")
    }

    /// Stops the process and waits for it, so that everything it wrote is read.
    pub async fn stop(&mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}
