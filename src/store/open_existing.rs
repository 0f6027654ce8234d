//! Opening a store that must already exist, for the operator commands (`audit`, `pending`): they
//! never create an empty database and then answer "no entries" about it.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

use super::{Backend, Store, StoreError};

/// How an operator command uses the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Reads only: SQLite is opened read-only, PostgreSQL sessions are read-only transactions.
    ReadOnly,
    /// Changes rows (`pending --cancel`, `--retry`, `--run-now`); pending migrations are applied.
    ReadWrite,
}

impl Store {
    /// Opens the bridge store at `url` only if it exists and holds the bridge's tables; never
    /// creates a file, a table or a migration record with [`Access::ReadOnly`].
    pub async fn open_existing(url: &str, access: Access) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            open_sqlite(url, access).await
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            open_postgres(url, access).await
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }
}

/// The error for a store that is not there, naming where it was looked for.
fn missing(detail: String) -> StoreError {
    StoreError::Missing(detail)
}

async fn open_sqlite(url: &str, access: Access) -> Result<Store, StoreError> {
    if url.contains(":memory:") || url.contains("mode=memory") {
        return Err(missing(
            "an in-memory SQLite store lives only inside the bridge process".to_owned(),
        ));
    }
    let opts = SqliteConnectOptions::from_str(url)?;
    let file: PathBuf = opts.get_filename().to_owned();
    if !file.is_file() {
        let cwd = std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        return Err(missing(format!(
            "no SQLite store at {} (from store.url, relative to {cwd})",
            file.display()
        )));
    }
    let opts = opts
        .create_if_missing(false)
        .read_only(access == Access::ReadOnly)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(opts)
        .await?;
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'",
    )
    .fetch_one(&pool)
    .await?;
    if tables == 0 {
        pool.close().await;
        return Err(missing(format!(
            "{} is not a bridge store (it has no audit_log table)",
            file.display()
        )));
    }
    if access == Access::ReadWrite {
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
    }
    Ok(Store {
        backend: Backend::Sqlite(pool),
        turns: None,
    })
}

async fn open_postgres(url: &str, access: Access) -> Result<Store, StoreError> {
    let mut opts = PgConnectOptions::from_str(url)?;
    if access == Access::ReadOnly {
        opts = opts.options([("default_transaction_read_only", "on")]);
    }
    let pool = super::pg_pool(&opts, 2).await?;
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('audit_log') IS NOT NULL")
        .fetch_one(&pool)
        .await?;
    if !exists {
        pool.close().await;
        return Err(missing(format!(
            "the PostgreSQL database {} has no bridge tables (no audit_log in the search path)",
            opts.get_database().unwrap_or("(default)")
        )));
    }
    if access == Access::ReadWrite {
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
    }
    Ok(Store {
        backend: Backend::Postgres(pool),
        turns: None,
    })
}
