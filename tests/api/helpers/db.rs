//! A fresh database for one test: a SQLite file in a temp dir, or a new schema on the test PostgreSQL.

/// The URL of a fresh database; call `finish` to drop a PostgreSQL schema.
pub struct TestDb {
    /// The store URL to connect to.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

impl TestDb {
    /// A SQLite file under a temp dir (in a subdirectory the store must create).
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}/nested/store.db?mode=rwc", dir.path().display());
        TestDb {
            url,
            _dir: Some(dir),
            pg_schema: None,
        }
    }

    /// A fresh schema on `SCIM_BRIDGE_TEST_POSTGRES_URL`; None (after a skip line) when that is not set
    /// outside CI. In CI its absence is a failure.
    pub async fn postgres() -> Option<TestDb> {
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
        Some(TestDb {
            url,
            _dir: None,
            pg_schema: Some((base, schema)),
        })
    }

    /// Drops the PostgreSQL schema (a SQLite temp dir goes on drop).
    pub async fn finish(self) {
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
