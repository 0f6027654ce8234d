//! Deferred-removal leases: short, renewed by a heartbeat while the worker lives, so a live worker
//! keeps a slow removal and a crashed worker's claims (started or not) run elsewhere within seconds.

use crate::helpers::bridge_env::BridgeEnv;
use crate::helpers::wait::eventually;
use chrono::Utc;
use dropbox_scim_bridge::config::{DeprovisionConfig, DeprovisionPolicy};
use dropbox_scim_bridge::jobs::{RemovalWorker, WorkerConfig};
use dropbox_scim_bridge::store::{PendingRemoval, RemovalState, Store};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// A test lease; every Dropbox call takes `LATENCY`, so one removal (two calls) outlasts it.
const LEASE: Duration = Duration::from_secs(2);
const LATENCY: Duration = Duration::from_millis(1200);

fn config() -> WorkerConfig {
    WorkerConfig {
        lease: LEASE,
        batch: 10,
        ..WorkerConfig::default()
    }
}

async fn schedule(env: &BridgeEnv, id: &str) -> PendingRemoval {
    env.suspend(id).await;
    let policy = DeprovisionConfig {
        policy: DeprovisionPolicy::SuspendThenRemove,
        ..DeprovisionConfig::default()
    };
    let json = serde_json::to_string(&policy).expect("policy");
    let now = Utc::now();
    let due = now - chrono::Duration::seconds(1);
    env.store
        .schedule_removal(id, id, due, &json, now)
        .await
        .expect("schedule")
}

async fn removal(store: &Store, id: &str) -> PendingRemoval {
    store.get_removal(id).await.expect("get").expect("known")
}

#[test]
fn the_default_lease_is_short() {
    assert!(WorkerConfig::default().lease <= Duration::from_secs(30));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_workers_claims_run_elsewhere_within_a_lease_and_once() {
    let env = BridgeEnv::builder().single_attempt().build().await;
    let ids = env.emu().seed_members(2);
    let first = schedule(&env, &ids[0]).await;
    let second = schedule(&env, &ids[1]).await;
    env.emu().set_latency(LATENCY, Duration::ZERO);

    // Worker A claims both; its first removal takes longer than a lease.
    let a = RemovalWorker::new(env.bridge.clone(), env.store.clone(), "a".into(), config());
    let a_task = tokio::spawn(async move { a.run_pass(&CancellationToken::new()).await });
    let claimed = eventually(Duration::from_secs(10), async || {
        removal(&env.store, &first.id).await.claimed_by.as_deref() == Some("a")
    })
    .await;
    assert!(claimed, "worker a never claimed");

    // Worker B, in another process, tries all along.
    let (bridge_b, store_b) = env.another_process().await;
    let stop_b = CancellationToken::new();
    let b = RemovalWorker::new(bridge_b, store_b.clone(), "b".into(), config());
    let b_stop = stop_b.clone();
    let b_task = tokio::spawn(async move {
        let mut claimed = 0;
        while !b_stop.is_cancelled() {
            claimed += b.run_pass(&b_stop).await.expect("pass b").claimed;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        claimed
    });

    // A finishes the first (renewing its leases meanwhile) and starts the second: then it dies.
    let first_done = eventually(Duration::from_secs(20), async || {
        removal(&env.store, &first.id).await.state == RemovalState::Done
    })
    .await;
    assert!(first_done, "the first removal never finished");
    a_task.abort();
    let crashed_at = Instant::now();
    let before = removal(&env.store, &second.id).await;
    assert_eq!(before.claimed_by.as_deref(), Some("a"), "{before:?}");
    assert_eq!(before.state, RemovalState::Running);

    let second_done = eventually(Duration::from_secs(20), async || {
        removal(&env.store, &second.id).await.state == RemovalState::Done
    })
    .await;
    let waited = crashed_at.elapsed();
    stop_b.cancel();
    let b_claimed = b_task.await.expect("worker b");
    assert!(second_done, "the second removal never ran after the crash");
    assert!(
        waited < LEASE + LATENCY * 2 + Duration::from_secs(3),
        "took {waited:?} after the crash"
    );
    let first = removal(&env.store, &first.id).await;
    assert_eq!(
        (first.attempts, first.claimed_by.as_deref()),
        (1, Some("a"))
    );
    let second = removal(&env.store, &second.id).await;
    assert_eq!(
        (second.attempts, second.claimed_by.as_deref()),
        (2, Some("b"))
    );
    assert_eq!(b_claimed, 1, "b took over a removal a was still running");
    assert_eq!(env.count("members/remove"), 2, "one remove per member");
    store_b.close().await;
    env.finish().await;
}
