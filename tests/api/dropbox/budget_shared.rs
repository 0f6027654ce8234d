//! Two bridge processes on one PostgreSQL spend one team budget: what one spends, the other cannot,
//! and a 429 seen by one pauses both. Counted on the emulator; skipped without
//! `SCIM_BRIDGE_TEST_POSTGRES_URL` (a failure in CI).

use std::time::{Duration, SystemTime};

use dropbox_scim_bridge::app::Application;
use dropbox_scim_bridge::config::{Config, RateBudgetConfig};
use dropbox_scim_bridge::dropbox::{DropboxClient, ErrorKind};
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use dropbox_scim_bridge::store::{Store, StoreBucket, TEAM_BUDGET_KEY};
use reqwest::Method;

use super::budget::{client_on, inject_429, stats};
use crate::helpers::db::TestDb;
use crate::helpers::scim_calls::send_scim;
use crate::helpers::test_app::TOKEN;

/// One process: its own store connection and its own Dropbox client, sharing through the store.
async fn process(
    emu: &RunningEmulator,
    db: &TestDb,
    per_minute: u32,
    burst: u32,
) -> (Store, DropboxClient) {
    let store = Store::connect(&db.url).await.expect("store");
    let client = client_on(emu, per_minute, burst, 2);
    let config = RateBudgetConfig {
        per_minute,
        burst,
        lease: 1,
    };
    client.share_budget(StoreBucket::new(store.clone(), config));
    (store, client)
}

async fn total(emu: &RunningEmulator) -> u64 {
    stats(&emu.base_url).await["total"].as_u64().unwrap_or(0)
}

#[tokio::test]
async fn two_processes_spend_one_budget_and_share_a_429_pause() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let emu = Emulator::spawn(EmulatorConfig::default())
        .await
        .expect("emulator");
    // Three calls a minute for the team: one refill every 20 s, far beyond the test.
    let (store_a, a) = process(&emu, &db, 3, 3).await;
    let (store_b, b) = process(&emu, &db, 3, 3).await;
    a.team_get_info().await.expect("a: 1st of 3");
    b.team_get_info().await.expect("b: 2nd of 3");
    a.team_get_info().await.expect("a: 3rd of 3");
    let refused = b
        .team_get_info()
        .await
        .expect_err("the team's budget is spent");
    assert!(
        matches!(refused.kind, ErrorKind::RateLimited),
        "{refused:?}"
    );
    assert!(a.team_get_info().await.is_err(), "a cannot spend it either");
    assert_eq!(total(&emu).await, 3, "each process alone would have made 3");
    assert!(a.budget_status().shared && b.budget_status().shared);

    // A 429 seen by one process pauses the other: a fresh budget, then a 429 with 30 s on a.
    let fresh = TestDb::postgres().await.expect("postgres");
    let (store_c, c) = process(&emu, &fresh, 600, 100).await;
    let (store_d, d) = process(&emu, &fresh, 600, 100).await;
    d.team_get_info().await.expect("d leases before the 429");
    inject_429(&emu.base_url, "get_info", 30).await;
    let before = total(&emu).await;
    assert!(c.team_get_info().await.is_err(), "Dropbox said 429");
    let held = d.team_get_info().await.expect_err("d pauses too");
    assert!(matches!(held.kind, ErrorKind::RateLimited));
    assert!(
        held.retry_after
            .is_some_and(|w| w <= Duration::from_secs(30))
    );
    assert_eq!(total(&emu).await, before + 1, "only c's call went out");
    let lease = store_d
        .take_rate_budget(
            TEAM_BUDGET_KEY,
            &RateBudgetConfig::default(),
            1,
            0,
            SystemTime::now(),
        )
        .await
        .expect("take");
    assert!(lease.paused_until.is_some(), "the pause is in the database");
    for store in [store_a, store_b, store_c, store_d] {
        store.close().await;
    }
    db.finish().await;
    fresh.finish().await;
}

/// A bridge application on `db` and the emulator, with a budget of one call a minute.
async fn app_on(emu: &RunningEmulator, db: &TestDb) -> (String, tokio::sync::oneshot::Sender<()>) {
    let vars: Vec<(String, String)> = [
        ("SCIM_BRIDGE_LISTEN", "127.0.0.1:0".to_owned()),
        ("SCIM_BRIDGE_TOKEN", TOKEN.to_owned()),
        ("SCIM_BRIDGE_STORE__URL", db.url.clone()),
        ("SCIM_BRIDGE_DROPBOX__BASE_URL", emu.base_url.clone()),
        (
            "SCIM_BRIDGE_DROPBOX__ACCESS_TOKEN",
            emu.emulator.issue_token_all(),
        ),
        ("SCIM_BRIDGE_DROPBOX__MAX_RETRY_WAIT_SECS", "2".to_owned()),
        (
            "SCIM_BRIDGE_DROPBOX__RATE_BUDGET__PER_MINUTE",
            "1".to_owned(),
        ),
        ("SCIM_BRIDGE_DROPBOX__RATE_BUDGET__BURST", "1".to_owned()),
        ("SCIM_BRIDGE_DROPBOX__RATE_BUDGET__LEASE", "1".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let config = Config::load_from(None, vars).expect("config");
    let client = DropboxClient::from_config(&config).expect("client");
    let app = Application::build(config, client).await.expect("app");
    let base = format!("http://{}{}", app.local_addr(), app.path_prefix());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    (base, tx)
}

#[tokio::test]
async fn two_applications_on_one_postgres_share_the_budget() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let emu = Emulator::spawn(EmulatorConfig::default())
        .await
        .expect("emulator");
    let ids = emu.emulator.seed_members(1);
    let (a, stop_a) = app_on(&emu, &db).await;
    let (b, stop_b) = app_on(&emu, &db).await;
    let http = reqwest::Client::new();
    let path = format!("/Users/{}", ids[0]);
    // The team's one call of the minute goes to a (its read may need more, then it is refused).
    let first = send_scim(&http, &a, TOKEN, Method::GET, &path, None).await;
    assert!(
        matches!(first.status().as_u16(), 200 | 429),
        "{}",
        first.status()
    );
    let spent = total(&emu).await;
    assert!(spent >= 1, "a made its call");
    // b finds the budget spent: 429 with Retry-After, and no call to Dropbox.
    let second = send_scim(&http, &b, TOKEN, Method::GET, &path, None).await;
    assert_eq!(second.status(), 429);
    let wait: u64 = second.headers()["retry-after"]
        .to_str()
        .ok()
        .and_then(|v| v.parse().ok())
        .expect("Retry-After seconds");
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert_eq!(total(&emu).await, spent, "b made no Dropbox call");
    let _ = (stop_a.send(()), stop_b.send(()));
    db.finish().await;
}
