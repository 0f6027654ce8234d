//! Write turns on PostgreSQL: one advisory lock per resource key shared by every process on the same
//! database and schema, released when the turn ends or its waiter gives up, and never exhausting the
//! query pool.

use crate::helpers::db::TestDb;
use dropbox_scim_bridge::store::{AdvisoryLocks, Store, WRITE_TURN_CONNECTIONS};
use std::time::Duration;

async fn two_processes() -> Option<(TestDb, Store, Store)> {
    let db = TestDb::postgres().await?;
    let a = Store::connect(&db.url).await.expect("store a");
    let b = Store::connect(&db.url).await.expect("store b");
    Some((db, a, b))
}

fn turns(store: &Store) -> &AdvisoryLocks {
    store.advisory_locks().expect("PostgreSQL hands out turns")
}

#[tokio::test]
async fn a_turn_is_exclusive_across_processes_and_per_key() {
    let Some((db, a, b)) = two_processes().await else {
        return;
    };
    let held = turns(&a).lock("group:g1").await.expect("a's turn");
    let waiting = {
        let b = b.clone();
        tokio::spawn(async move { turns(&b).lock("group:g1").await.map(|_| ()) })
    };
    let other = tokio::time::timeout(Duration::from_secs(5), turns(&b).lock("group:g2")).await;
    assert!(other.is_ok(), "another key must not wait");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "b got g1 while a held it");
    drop(held);
    let got = tokio::time::timeout(Duration::from_secs(5), waiting).await;
    assert!(got.is_ok(), "b never got g1 after a released it");
    drop(other);
    a.close().await;
    b.close().await;
    db.finish().await;
}

#[tokio::test]
async fn a_waiter_that_gives_up_does_not_keep_the_turn() {
    let Some((db, a, b)) = two_processes().await else {
        return;
    };
    let held = turns(&a).lock("user:u1").await.expect("a's turn");
    let gave_up = tokio::time::timeout(Duration::from_millis(200), turns(&b).lock("user:u1")).await;
    assert!(gave_up.is_err(), "b must have waited");
    drop(held);
    let next = tokio::time::timeout(Duration::from_secs(5), turns(&a).lock("user:u1")).await;
    assert!(next.is_ok(), "the abandoned wait kept the turn");
    drop(next);
    a.close().await;
    b.close().await;
    db.finish().await;
}

#[tokio::test]
async fn more_writers_than_connections_queue_and_queries_still_run() {
    let Some((db, a, b)) = two_processes().await else {
        return;
    };
    // Every turn connection is held: queries still get connections, more writers wait their turn.
    let n = WRITE_TURN_CONNECTIONS as usize;
    let mut held = Vec::new();
    for i in 0..n {
        held.push(turns(&a).lock(&format!("k{i}")).await.expect("turn"));
    }
    let queued: Vec<_> = (0..4)
        .map(|i| {
            let a = a.clone();
            tokio::spawn(async move { turns(&a).lock(&format!("q{i}")).await.map(|_| ()) })
        })
        .collect();
    let ping = tokio::time::timeout(Duration::from_secs(5), a.ping()).await;
    assert!(matches!(ping, Ok(Ok(()))), "queries starved: {ping:?}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(queued.iter().all(|q| !q.is_finished()), "over the limit");
    held.clear();
    for q in queued {
        let done = tokio::time::timeout(Duration::from_secs(5), q).await;
        assert!(
            matches!(done, Ok(Ok(Ok(())))),
            "a queued writer failed: {done:?}"
        );
    }
    a.close().await;
    b.close().await;
    db.finish().await;
}

#[tokio::test]
async fn schemas_on_one_database_do_not_share_turns() {
    let Some((db_a, a, _)) = two_processes().await else {
        return;
    };
    let Some((db_b, b, _)) = two_processes().await else {
        return;
    };
    let held = turns(&a).lock("group:g1").await.expect("a's turn");
    let other = tokio::time::timeout(Duration::from_secs(5), turns(&b).lock("group:g1")).await;
    assert!(other.is_ok(), "another schema waited");
    drop((held, other));
    a.close().await;
    b.close().await;
    db_a.finish().await;
    db_b.finish().await;
}
