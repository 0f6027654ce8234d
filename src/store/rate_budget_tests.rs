//! The shared budget's SQL on SQLite (the PostgreSQL run is in `tests/api/dropbox/budget_shared.rs`).

use super::*;

fn config(per_minute: u32, burst: u32) -> RateBudgetConfig {
    RateBudgetConfig {
        per_minute,
        burst,
        lease: 4,
    }
}

async fn store_with_budget(burst: u32, now: SystemTime) -> Store {
    let store = Store::connect("sqlite::memory:").await.expect("store");
    store
        .init_rate_budget("t", burst, now)
        .await
        .expect("row created");
    store
}

#[tokio::test]
async fn takes_leases_keeps_the_reserve_and_refills_at_the_rate() {
    let t0 = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let store = store_with_budget(10, t0).await;
    let c = config(60, 10);
    let take = |want, keep, at| {
        let (store, c) = (store.clone(), c.clone());
        async move {
            store
                .take_rate_budget("t", &c, want, keep, at)
                .await
                .expect("take")
        }
    };
    let first = take(4, 0, t0).await;
    assert_eq!((first.granted, first.left_milli), (4, 6000));
    let reserved = take(4, 3, t0).await;
    assert_eq!(
        (reserved.granted, reserved.left_milli),
        (3, 3000),
        "3 kept back"
    );
    assert_eq!(take(4, 3, t0).await.granted, 0, "only the reserve is left");
    // Six seconds at 60 a minute add six calls; a clock behind the last take adds nothing.
    let later = take(10, 0, t0 + Duration::from_secs(6)).await;
    assert_eq!((later.granted, later.left_milli), (9, 0));
    assert_eq!(take(10, 0, t0).await.granted, 0);
    // A long quiet spell refills to the burst, no further.
    let full = take(100, 0, t0 + Duration::from_secs(3600)).await;
    assert_eq!(full.granted, 10);
    // Creating the row again keeps what is there.
    store
        .init_rate_budget("t", 10, t0)
        .await
        .expect("idempotent");
    let after = t0 + Duration::from_secs(3600);
    assert_eq!(take(1, 0, after).await.granted, 0);
}

#[tokio::test]
async fn a_pause_stops_every_take_and_only_a_later_pause_replaces_it() {
    let t0 = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let store = store_with_budget(5, t0).await;
    let c = config(60, 5);
    let until = t0 + Duration::from_secs(30);
    store.pause_rate_budget("t", until).await.expect("pause");
    store
        .pause_rate_budget("t", t0 + Duration::from_secs(10))
        .await
        .expect("an earlier pause");
    let paused = store
        .take_rate_budget("t", &c, 5, 0, t0)
        .await
        .expect("take");
    assert_eq!((paused.granted, paused.paused_until), (0, Some(until)));
    let resumed = store
        .take_rate_budget("t", &c, 5, 0, until + Duration::from_secs(1))
        .await
        .expect("take");
    assert_eq!((resumed.granted, resumed.paused_until), (5, None));
}
