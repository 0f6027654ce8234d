//! The removals gauge's query, on SQLite and on PostgreSQL: one count per state, zeros included.

use crate::helpers::db::TestDb;
use dropbox_scim_bridge::store::{RemovalState, Store};

async fn counts_follow_the_removals(db: TestDb) {
    let store = Store::connect(&db.url).await.expect("connect store");
    let now = chrono::Utc::now();
    let policy = r#"{"wipe_data":true}"#;
    for (scim, member) in [("u1", "dbmid:1"), ("u2", "dbmid:2")] {
        store
            .schedule_removal(scim, member, now, policy, now)
            .await
            .expect("schedule");
    }
    store
        .schedule_blocked_removal("u3", "dbmid:3", now, policy, "no transfer destination", now)
        .await
        .expect("schedule blocked");
    assert!(store.cancel_removal("u2", now).await.expect("cancel"));

    let counts = store.count_removals_by_state().await.expect("counts");
    let count = |state: RemovalState| {
        counts
            .iter()
            .find(|(s, _)| *s == state)
            .map(|(_, n)| *n)
            .expect("every state is listed")
    };
    assert_eq!(counts.len(), 6, "{counts:?}");
    assert_eq!(count(RemovalState::Pending), 1);
    assert_eq!(count(RemovalState::Blocked), 1);
    assert_eq!(count(RemovalState::Cancelled), 1);
    assert_eq!(count(RemovalState::Running), 0);
    assert_eq!(count(RemovalState::Done), 0);
    assert_eq!(count(RemovalState::Failed), 0);
    store.close().await;
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removal_counts_on_sqlite() {
    counts_follow_the_removals(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removal_counts_on_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    counts_follow_the_removals(db).await;
}
