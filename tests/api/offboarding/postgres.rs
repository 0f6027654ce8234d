//! Two bridge processes (two store pools, two sets of workers) on one PostgreSQL database: every
//! deferred removal runs exactly once. Needs `SCIM_BRIDGE_TEST_POSTGRES_URL`; skipped without it
//! unless `CI` is set, where its absence is a failure.

use chrono::Utc;
use dropbox_scim_bridge::bridge::{Bridge, BridgeSettings};
use dropbox_scim_bridge::config::{Config, DeprovisionConfig, DeprovisionPolicy};
use dropbox_scim_bridge::dropbox::team::{MembersDeactivateArg, UserSelectorArg};
use dropbox_scim_bridge::dropbox::{ClientConfig, Credentials, DropboxClient};
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use dropbox_scim_bridge::jobs::{WorkerConfig, Workers};
use dropbox_scim_bridge::store::{RemovalState, Store};
use std::collections::HashSet;
use std::time::Duration;

/// A fresh schema on the test server; None (after a skip line) when not configured outside CI.
async fn fresh_schema() -> Option<(String, String, String)> {
    let base = match std::env::var("SCIM_BRIDGE_TEST_POSTGRES_URL") {
        Ok(u) => u,
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("SCIM_BRIDGE_TEST_POSTGRES_URL must be set in CI")
        }
        Err(_) => {
            println!("skipped: SCIM_BRIDGE_TEST_POSTGRES_URL is not set");
            return None;
        }
    };
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&base)
        .await
        .expect("connect postgres");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .expect("create schema");
    admin.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    Some((base, schema, url))
}

async fn drop_schema(base: &str, schema: &str) {
    let admin = sqlx::PgPool::connect(base).await.expect("connect postgres");
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&admin)
        .await
        .expect("drop schema");
    admin.close().await;
}

/// One "process": its own Dropbox client, store pool and bridge.
async fn process(running: &RunningEmulator, url: &str) -> (Bridge, Store) {
    let token = running.emulator.issue_token_all();
    let mut config = ClientConfig::new(Credentials::AccessToken(token.into()));
    config.base_url = running.base_url.clone();
    let client = DropboxClient::new(config).expect("client");
    let store = Store::connect(url).await.expect("store");
    let settings = BridgeSettings::from_config(&Config::load_from(None, vec![]).expect("config"));
    (Bridge::new(client, store.clone(), settings), store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_run_each_of_30_removals_exactly_once() {
    let Some((base, schema, url)) = fresh_schema().await else {
        return;
    };
    let running = Emulator::spawn(EmulatorConfig::default())
        .await
        .expect("emulator");
    // A little latency keeps both processes busy at the same time.
    running
        .emulator
        .set_latency(Duration::from_millis(2), Duration::from_millis(3));
    let (bridge_a, store_a) = process(&running, &url).await;
    let (bridge_b, store_b) = process(&running, &url).await;
    let ids = running.emulator.seed_members(30);
    let policy = DeprovisionConfig {
        policy: DeprovisionPolicy::SuspendThenRemove,
        ..DeprovisionConfig::default()
    };
    let json = serde_json::to_string(&policy).expect("policy");
    let client = bridge_a.dropbox_client().clone();
    let now = Utc::now();
    for id in &ids {
        let arg = MembersDeactivateArg::new(UserSelectorArg::TeamMemberId(id.clone()));
        client.members_suspend(&arg).await.expect("suspend");
        let due = now - chrono::Duration::seconds(1);
        store_a
            .schedule_removal(id, id, due, &json, now)
            .await
            .expect("schedule");
    }
    let config = WorkerConfig {
        removal_interval: Duration::from_millis(10),
        batch: 3,
        ..WorkerConfig::default()
    };
    let a = Workers::start_with(bridge_a, store_a.clone(), config.clone());
    let b = Workers::start_with(bridge_b, store_b.clone(), config);
    let mut finished = false;
    for _ in 0..1500 {
        let done = store_a
            .list_removals(Some(RemovalState::Done))
            .await
            .expect("list");
        if done.len() == ids.len() {
            finished = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    a.stop().await;
    b.stop().await;
    assert!(finished, "not every removal finished");
    let stats = running.emulator.stats();
    assert_eq!(stats.get("members/remove").copied(), Some(30));
    let removed: HashSet<String> = running
        .emulator
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
    store_a.close().await;
    store_b.close().await;
    drop_schema(&base, &schema).await;
}
