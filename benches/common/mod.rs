//! Shared by the benches: the real `serve` binary as a child process (so its RSS is the bridge's
//! alone), against an emulator served by the bench process.

#![allow(dead_code)]

use dropbox_scim_bridge::emulator::RunningEmulator;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// The IdP token the benches' bridge accepts.
pub const TOKEN: &str = "bench-token";

/// A bridge process and its SCIM base URL.
pub struct Bridge {
    /// The child; killed when dropped.
    pub child: Child,
    /// `http://127.0.0.1:PORT/scim/v2`.
    pub base: String,
}

impl Bridge {
    /// Starts `serve` against `emulator` with a fresh SQLite store in `dir`, and waits for `/healthz`.
    pub async fn start(emulator: &RunningEmulator, dir: &std::path::Path) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        // `BENCH_BRIDGE_BIN` runs another build (an older commit's, say) against the same load.
        let binary = std::env::var("BENCH_BRIDGE_BIN")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_dropbox-scim-bridge").to_owned());
        let child = Command::new(binary)
            .arg("serve")
            .env_clear()
            .env("SCIM_BRIDGE_LISTEN", format!("127.0.0.1:{port}"))
            .env("SCIM_BRIDGE_TOKEN", TOKEN)
            .env(
                "SCIM_BRIDGE_STORE__URL",
                format!("sqlite://{}/bridge.sqlite?mode=rwc", dir.display()),
            )
            .env("SCIM_BRIDGE_DROPBOX__BASE_URL", &emulator.base_url)
            .env(
                "SCIM_BRIDGE_DROPBOX__ACCESS_TOKEN",
                emulator.emulator.issue_token_all(),
            )
            // The rate budget caps Dropbox calls at `per_minute` (default 1,000 a minute: 20 look-ups a
            // call, so ~330 look-ups a second); the emulator has no limit, and the benches measure the
            // bridge's own cost, so the budget is off unless `BENCH_RATE_BUDGET` sets one.
            .env(
                "SCIM_BRIDGE_DROPBOX__RATE_BUDGET__PER_MINUTE",
                std::env::var("BENCH_RATE_BUDGET").unwrap_or_else(|_| "0".into()),
            )
            .env("RUST_LOG", "error")
            .kill_on_drop(true)
            .spawn()?;
        let health = format!("http://127.0.0.1:{port}/healthz");
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if reqwest::get(&health)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(Self {
                    child,
                    base: format!("http://127.0.0.1:{port}/scim/v2"),
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::bail!("the bridge never answered /healthz")
    }

    /// A line of the child's `/proc/PID/status` (`VmRSS`, `VmHWM`), e.g. `"41236 kB"`.
    pub fn status(&self, field: &str) -> String {
        let Some(pid) = self.child.id() else {
            return "?".into();
        };
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with(field))
                    .map(|l| l[field.len() + 1..].trim().to_owned())
            })
            .unwrap_or_else(|| "?".into())
    }
}

/// CPU time (user + system) a process has used so far, from `/proc/PID/stat`; `None` off Linux.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name (which may hold spaces) start at its closing parenthesis.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // Linux reports these in USER_HZ, 100 a second on every platform Rust targets.
    Some(Duration::from_millis(ticks * 10))
}

/// The emulator's call counters, summed over every route.
pub fn dropbox_calls(emulator: &RunningEmulator) -> u64 {
    emulator.emulator.stats().values().sum()
}
