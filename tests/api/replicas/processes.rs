//! Two real `serve` processes on one PostgreSQL schema and one emulator: writes to one resource
//! through both are ordered (no lost group member; a racing deactivate and reactivate end in the
//! state of the later request).

use crate::helpers::bridge_process::BridgeProcess;
use crate::helpers::db::TestDb;
use crate::helpers::scim_calls::{GROUP_URN, patch_body, send_scim};
use crate::helpers::wait::eventually;
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

const TOKEN: &str = "replicas-test-idp-token";

/// One bridge process and its SCIM base URL.
struct Replica {
    base: String,
    http: reqwest::Client,
    _process: BridgeProcess,
}

impl Replica {
    /// Starts `dropbox-scim-bridge serve` on `store_url`, configured through the environment only.
    async fn start(emulator: &RunningEmulator, store_url: &str) -> Replica {
        let process = BridgeProcess::start(emulator, store_url, TOKEN, &[]).await;
        Replica {
            base: process.scim_base(),
            http: reqwest::Client::new(),
            _process: process,
        }
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let resp = send_scim(&self.http, &self.base, TOKEN, method, path, body).await;
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn patch(&self, path: &str, ops: Value) -> (u16, Value) {
        self.send(Method::PATCH, path, Some(patch_body(ops))).await
    }
}

fn total_calls(emulator: &RunningEmulator) -> u64 {
    emulator.emulator.stats().values().sum()
}

fn status(emulator: &RunningEmulator, id: &str) -> Value {
    emulator.emulator.member(id).expect("member")["status"][".tag"].clone()
}

/// Sends `first` through `a`; once it has reached Dropbox (and so holds the user's turn), sends
/// `second` through `b`. Both must succeed.
async fn race(
    emulator: &RunningEmulator,
    a: &Replica,
    b: &Replica,
    id: &str,
    first: bool,
    second: bool,
) {
    let path = format!("/Users/{id}");
    let set = |active: bool| json!([{"op": "replace", "value": {"active": active}}]);
    let before = total_calls(emulator);
    let (earlier, later) = tokio::join!(a.patch(&path, set(first)), async {
        let started = eventually(Duration::from_secs(10), async || {
            total_calls(emulator) > before
        })
        .await;
        assert!(started, "the first request never reached Dropbox");
        b.patch(&path, set(second)).await
    });
    assert_eq!(earlier.0, 200, "{earlier:?}");
    assert_eq!(later.0, 200, "{later:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_order_writes_to_one_resource() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let emulator = Emulator::spawn(EmulatorConfig::default())
        .await
        .expect("emulator");
    let ids = emulator.emulator.seed_members(21);
    let a = Replica::start(&emulator, &db.url).await;
    let b = Replica::start(&emulator, &db.url).await;

    // 20 concurrent member additions to one group, alternating between the processes.
    let (status_code, group) = a
        .send(
            Method::POST,
            "/Groups",
            Some(json!({"schemas": [GROUP_URN], "displayName": "Replicated"})),
        )
        .await;
    assert_eq!(status_code, 201, "{group}");
    let gid = group["id"].as_str().expect("group id").to_owned();
    emulator
        .emulator
        .set_latency(Duration::from_millis(5), Duration::from_millis(30));
    let path = format!("/Groups/{gid}");
    let adds = ids[..20].iter().enumerate().map(|(i, id)| {
        let via = if i % 2 == 0 { &a } else { &b };
        let ops = json!([{"op": "add", "path": "members", "value": [{"value": id}]}]);
        let path = path.clone();
        async move { via.patch(&path, ops).await }
    });
    for (code, body) in futures::future::join_all(adds).await {
        assert!(code == 200 || code == 204, "{code}: {body}");
    }
    let (_, group) = b.send(Method::GET, &path, None).await;
    let mut members: Vec<&str> = group["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m["value"].as_str())
        .collect();
    members.sort_unstable();
    let mut wanted: Vec<&str> = ids[..20].iter().map(String::as_str).collect();
    wanted.sort_unstable();
    assert_eq!(members, wanted, "a member was lost");

    // A deactivate racing a reactivate, then the other way round: the later request wins.
    emulator
        .emulator
        .set_latency(Duration::from_millis(400), Duration::ZERO);
    let user = ids[20].as_str();
    race(&emulator, &a, &b, user, false, true).await;
    assert_eq!(status(&emulator, user), "active");
    let (code, _) = a
        .patch(
            &format!("/Users/{user}"),
            json!([{"op": "replace", "value": {"active": false}}]),
        )
        .await;
    assert_eq!(code, 200);
    race(&emulator, &b, &a, user, true, false).await;
    assert_eq!(status(&emulator, user), "suspended");

    drop((a, b));
    db.finish().await;
}
