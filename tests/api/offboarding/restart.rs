//! The real binary under `suspend_then_remove`: a DELETE suspends and schedules the removal, the
//! process is SIGKILLed during the grace period, and a new process on the same SQLite file removes
//! the member exactly once.

use crate::helpers::bridge_process::BridgeProcess;
use crate::helpers::wait::eventually;
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use dropbox_scim_bridge::store::{RemovalState, Store};
use std::time::Duration;

const TOKEN: &str = "restart-test-idp-token";

/// The grace period is short so that the restarted process removes the member within the test.
const POLICY: &[(&str, &str)] = &[
    ("SCIM_BRIDGE_DEPROVISION__POLICY", "suspend_then_remove"),
    ("SCIM_BRIDGE_DEPROVISION__GRACE_PERIOD_SECS", "3"),
];

fn removes(emulator: &RunningEmulator) -> u64 {
    let stats = emulator.emulator.stats();
    stats.get("members/remove").copied().unwrap_or(0)
}

fn status(emulator: &RunningEmulator, id: &str) -> serde_json::Value {
    emulator.emulator.member(id).expect("member")["status"][".tag"].clone()
}

#[tokio::test]
async fn a_removal_scheduled_before_a_kill_runs_once_after_restart() {
    let emulator = Emulator::spawn(EmulatorConfig::default())
        .await
        .expect("emulator");
    let ids = emulator.emulator.seed_members(1);
    let dir = tempfile::tempdir().expect("tempdir");
    let store_url = format!("sqlite://{}/bridge.sqlite?mode=rwc", dir.path().display());
    let mut first = BridgeProcess::start(&emulator, &store_url, TOKEN, POLICY).await;

    let url = format!("{}/Users/{}", first.scim_base(), ids[0]);
    let client = reqwest::Client::new();
    let resp = client
        .delete(&url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(resp.status().as_u16(), 204);
    first.child.kill().await.expect("SIGKILL");

    assert_eq!(status(&emulator, &ids[0]), "suspended");
    assert_eq!(
        removes(&emulator),
        0,
        "removed before the grace period ended"
    );
    let store = Store::connect(&store_url).await.expect("store");
    let scheduled = store.list_removals(None).await.expect("list");
    assert_eq!(scheduled.len(), 1);
    assert_eq!(scheduled[0].state, RemovalState::Pending);
    let removal_id = scheduled[0].id.clone();

    let mut second = BridgeProcess::start(&emulator, &store_url, TOKEN, POLICY).await;
    let mut state = RemovalState::Pending;
    eventually(Duration::from_secs(30), async || {
        let row = store.get_removal(&removal_id).await.expect("get");
        state = row.expect("still known").state;
        state == RemovalState::Done
    })
    .await;
    second.child.kill().await.expect("SIGKILL");
    assert_eq!(state, RemovalState::Done);
    assert_eq!(removes(&emulator), 1);
    assert_eq!(status(&emulator, &ids[0]), "removed");
    store.close().await;
}
