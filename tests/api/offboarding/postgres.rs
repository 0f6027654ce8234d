//! Two bridge processes (two store pools, two sets of workers) on one PostgreSQL database: every
//! deferred removal runs exactly once. Needs `SCIM_BRIDGE_TEST_POSTGRES_URL`; skipped without it
//! unless `CI` is set, where its absence is a failure.

use crate::helpers::bridge_env::BridgeEnv;
use crate::helpers::db::TestDb;
use crate::helpers::wait::eventually;
use chrono::Utc;
use dropbox_scim_bridge::config::{DeprovisionConfig, DeprovisionPolicy};
use dropbox_scim_bridge::jobs::{WorkerConfig, Workers};
use dropbox_scim_bridge::store::RemovalState;
use std::collections::HashSet;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_run_each_of_30_removals_exactly_once() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let env = BridgeEnv::builder().db(db).build().await;
    // A little latency keeps both processes busy at the same time.
    env.emu()
        .set_latency(Duration::from_millis(2), Duration::from_millis(3));
    let (bridge_b, store_b) = env.another_process().await;
    let ids = env.emu().seed_members(30);
    let policy = DeprovisionConfig {
        policy: DeprovisionPolicy::SuspendThenRemove,
        ..DeprovisionConfig::default()
    };
    let json = serde_json::to_string(&policy).expect("policy");
    let now = Utc::now();
    for id in &ids {
        env.suspend(id).await;
        let due = now - chrono::Duration::seconds(1);
        env.store
            .schedule_removal(id, id, due, &json, now)
            .await
            .expect("schedule");
    }
    let config = WorkerConfig {
        removal_interval: Duration::from_millis(10),
        batch: 3,
        ..WorkerConfig::default()
    };
    let a = Workers::start_with(env.bridge.clone(), env.store.clone(), config.clone());
    let b = Workers::start_with(bridge_b, store_b.clone(), config);
    let finished = eventually(Duration::from_secs(30), async || {
        let done = env
            .store
            .list_removals(Some(RemovalState::Done))
            .await
            .expect("list");
        done.len() == ids.len()
    })
    .await;
    a.stop().await;
    b.stop().await;
    assert!(finished, "not every removal finished");
    let stats = env.emu().stats();
    assert_eq!(stats.get("members/remove").copied(), Some(30));
    let removed: HashSet<String> = env
        .emu()
        .calls("members/remove")
        .iter()
        .filter_map(|c| c["user"]["team_member_id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(removed, ids.iter().cloned().collect::<HashSet<_>>());
    let all = store_b.list_removals(None).await.expect("list");
    assert!(
        all.iter()
            .all(|r| r.state == RemovalState::Done && r.attempts == 1)
    );
    store_b.close().await;
    env.finish().await;
}
