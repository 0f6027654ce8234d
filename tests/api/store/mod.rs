//! The store's operations, run once on SQLite (a temp file) and once on PostgreSQL (a fresh schema).

use dropbox_scim_bridge::store::{Store, StoreError, UserExtras};
mod cases;

use cases::t;

/// A store on a fresh database; call `finish` to drop the PostgreSQL schema.
struct TestDb {
    store: Store,
    url: String,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

impl TestDb {
    async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}/nested/store.db?mode=rwc", dir.path().display());
        let store = Store::connect(&url).await.expect("connect sqlite");
        TestDb {
            store,
            url,
            _dir: Some(dir),
            pg_schema: None,
        }
    }

    /// None when PostgreSQL is not configured and we are not in CI.
    async fn postgres() -> Option<TestDb> {
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
        let store = Store::connect(&url).await.expect("connect store");
        Some(TestDb {
            store,
            url,
            _dir: None,
            pg_schema: Some((base, schema)),
        })
    }

    async fn finish(self) {
        self.store.close().await;
        if let Some((base, schema)) = self.pg_schema {
            let admin = sqlx::PgPool::connect(&base)
                .await
                .expect("connect postgres");
            sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(&admin)
                .await
                .expect("drop schema");
            admin.close().await;
        }
    }
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let db = super::TestDb::sqlite().await;
                super::cases::$name(&db.store, &db.url).await;
                db.finish().await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(db) = super::TestDb::postgres().await else { return };
                super::cases::$name(&db.store, &db.url).await;
                db.finish().await;
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
