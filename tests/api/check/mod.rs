//! End to end: the real binary's `check` against the emulator over loopback finds what will fail
//! (missing scopes, transfer targets, placeholder hashes), reports all of it, also as JSON, and
//! `check --print-config` shows each value's source. Here: the emulated team and the `check` runner.

mod print_config;
mod report;

use std::path::Path;
use std::time::Duration;

use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use dropbox_scim_bridge::tokens::{generate_token, token_hash_hex};
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_dropbox-scim-bridge");

/// Every scope the bridge needs, as the emulator names them.
const ALL: &[&str] = &[
    "team_info.read",
    "members.read",
    "members.write",
    "members.delete",
    "groups.read",
    "groups.write",
];

/// An emulated team of 10 licences with the admin and one plain member; returns the member's id.
async fn team() -> (RunningEmulator, String) {
    let config = EmulatorConfig {
        num_licensed_users: 10,
        ..EmulatorConfig::default()
    };
    let emulator = Emulator::spawn(config).await.expect("emulator");
    let member = emulator.emulator.seed_members(1).remove(0);
    (emulator, member)
}

/// A config file in `dir`: `dropbox` lines, a real token hash unless `hash` is given, and `extra`.
fn config(dir: &Path, dropbox: &str, hash: Option<&str>, extra: &str) -> std::path::PathBuf {
    let hash = hash.map_or_else(|| token_hash_hex(&generate_token()), str::to_owned);
    let store = format!("sqlite://{}?mode=rwc", dir.join("bridge.sqlite").display());
    let text = format!(
        "[dropbox]\n{dropbox}\n[store]\nurl = \"{store}\"\n\n\
         [[auth.tokens]]\nname = \"okta\"\nsha256 = \"{hash}\"\n\n{extra}\n"
    );
    let path = dir.join("bridge.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

/// `[dropbox]` lines for a fixed access token.
fn with_token(emulator: &RunningEmulator, token: &str) -> String {
    format!(
        "base_url = \"{}\"\naccess_token = \"{token}\"",
        emulator.base_url
    )
}

/// `[deprovision]` removing at once and transferring files to `dest`, errors to `admin`.
fn transfer(dest: &str, admin: &str) -> String {
    format!(
        "[deprovision]\npolicy = \"remove\"\nwipe_data = false\ntransfer_to = \"member\"\n\
         transfer_dest = \"{dest}\"\ntransfer_admin = \"{admin}\""
    )
}

/// Exit status, stdout and stderr of one `check` run.
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

async fn check(config: &Path, extra: &[&str]) -> Run {
    check_with_env(config, extra, &[]).await
}

/// `check` with only `env` of the `SCIM_BRIDGE_*` variables set.
async fn check_with_env(config: &Path, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(BIN);
    for (name, _) in std::env::vars() {
        if name.starts_with("SCIM_BRIDGE_") || name.starts_with("DROPBOX_") {
            cmd.env_remove(name);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.arg("check").arg("--config").arg(config).args(extra);
    let out = tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .expect("check finishes in time")
        .expect("check runs");
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The report line of the check called `name`.
fn line<'a>(run: &'a Run, name: &str) -> &'a str {
    let prefix = format!("{name}: ");
    run.stdout
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no `{name}` line in:\n{}", run.stdout))
}
