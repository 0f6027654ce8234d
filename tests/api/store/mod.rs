//! The store's operations, run once on SQLite (a temp file) and once on PostgreSQL (a fresh schema).

use crate::helpers::db::TestDb;
use dropbox_scim_bridge::store::{Store, StoreError, UserExtras};
mod cases;

use cases::t;

/// Connects a store to `db`, runs `case` on it, then closes it and drops the database.
macro_rules! run_case {
    ($db:expr, $case:path) => {{
        let db: crate::helpers::db::TestDb = $db;
        let store = dropbox_scim_bridge::store::Store::connect(&db.url)
            .await
            .expect("connect store");
        $case(&store, &db.url).await;
        store.close().await;
        db.finish().await;
    }};
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                run_case!(super::TestDb::sqlite(), super::cases::$name);
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(db) = super::TestDb::postgres().await else { return };
                run_case!(db, super::cases::$name);
            })*
        }
    };
}

cases!(
    extras,
    invites_and_aliases,
    removals_lifecycle,
    concurrent_claims,
    jobs,
    audit,
    mirror,
    mirror_writes_during_refresh,
    mirror_bulk_timing,
    ping_and_reconnect,
    subsecond_due_times,
);

#[tokio::test]
async fn memory_and_bad_urls() {
    let s = Store::connect("sqlite::memory:").await.unwrap();
    s.put_extras("x", &UserExtras::default(), t(0))
        .await
        .unwrap();
    assert!(s.get_extras("x").await.unwrap().is_some());
    assert!(matches!(
        Store::connect("mysql://nope").await,
        Err(StoreError::UnsupportedUrl)
    ));
}
