//! The real `dropbox-scim-bridge serve` binary as a child process, configured through the environment
//! only, for the tests that need a second OS process or a kill -9.

use super::ports::free_port;
use super::wait::eventually;
use dropbox_scim_bridge::emulator::RunningEmulator;
use std::time::Duration;
use tokio::process::{Child, Command};

/// A running bridge process and the loopback port it listens on.
pub struct BridgeProcess {
    /// The child; killed when dropped.
    pub child: Child,
    /// Its listen port.
    pub port: u16,
}

impl BridgeProcess {
    /// Starts `serve` against `emulator` and the store at `store_url`, with `token` as the IdP token and
    /// `extra` variables on top, and waits for `/healthz`. A port taken by a parallel test between
    /// choosing and binding it means another try with a new port.
    pub async fn start(
        emulator: &RunningEmulator,
        store_url: &str,
        token: &str,
        extra: &[(&str, &str)],
    ) -> Self {
        for _ in 0..5 {
            let port = free_port();
            let mut child = Command::new(env!("CARGO_BIN_EXE_dropbox-scim-bridge"))
                .arg("serve")
                .env_clear()
                .env("SCIM_BRIDGE_LISTEN", format!("127.0.0.1:{port}"))
                .env("SCIM_BRIDGE_TOKEN", token)
                .env("SCIM_BRIDGE_STORE__URL", store_url)
                .env("SCIM_BRIDGE_DROPBOX__BASE_URL", &emulator.base_url)
                .env(
                    "SCIM_BRIDGE_DROPBOX__ACCESS_TOKEN",
                    emulator.emulator.issue_token_all(),
                )
                .env("RUST_LOG", "warn")
                .envs(extra.iter().copied())
                .kill_on_drop(true)
                .spawn()
                .expect("the bridge binary starts");
            let health = format!("http://127.0.0.1:{port}/healthz");
            let mut exited = false;
            let up = eventually(Duration::from_secs(30), async || {
                exited = matches!(child.try_wait(), Ok(Some(_)));
                exited
                    || reqwest::get(&health)
                        .await
                        .is_ok_and(|r| r.status().is_success())
            })
            .await;
            if exited {
                continue;
            }
            assert!(up, "the bridge never answered /healthz");
            return Self { child, port };
        }
        panic!("the bridge exited at start five times");
    }

    /// Its SCIM base URL.
    pub fn scim_base(&self) -> String {
        format!("http://127.0.0.1:{}/scim/v2", self.port)
    }
}
