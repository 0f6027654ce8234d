//! Persistence over sqlx: SQLite by default, PostgreSQL for several replicas.
//!
//! One [`Store`] wraps either backend; every area (extra attributes, inactive invites and aliases,
//! held group memberships, deferred removals, followed Dropbox jobs, the audit log, the team mirror) lives in its own file.
//! Both backends share one set of queries (`$N` placeholders work on SQLite too); times are bound
//! from Rust, never taken from the database clock, so callers can inject their own clock
//! (PostgreSQL keeps microseconds: do not rely on finer precision). JSON documents are text columns
//! on both backends, so one query set serves both. On PostgreSQL the store also hands out
//! cross-replica write turns ([`AdvisoryLocks`]); SQLite serves one process, whose in-process locks
//! suffice.

mod advisory;
mod audit;
mod deleted;
mod extras;
mod forget;
mod held_memberships;
mod invites;
mod jobs;
mod leases;
mod mirror;
mod mirror_list;
mod open_existing;
mod pg_connect_error;
mod rate_budget;
mod removal_claims;
mod removal_counts;
mod removals;
mod times;
mod user_lookup;

pub use advisory::{AdvisoryGuard, AdvisoryLocks, WRITE_TURN_CONNECTIONS, lock_id};
pub use audit::{AuditEntry, AuditQuery, DropboxCall};
pub use deleted::DeletedUser;
pub use extras::{Enterprise, StoredMultiValue, UserExtras};
pub use invites::InactiveInvite;
pub use jobs::DropboxJob;
pub use mirror::MirrorMember;
pub use mirror_list::ListKey;
pub use open_existing::Access;
pub use rate_budget::{StoreBucket, TEAM_BUDGET_KEY};
pub use removal_counts::REMOVAL_STATES;
pub use removals::{PendingRemoval, RemovalState, Retry};
pub use times::GroupTimes;
pub use user_lookup::{MemberRecord, SelectorRecord, UserRecord};

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is neither `sqlite:` nor `postgres:`/`postgresql:`.
    #[error("unsupported store URL scheme (expected sqlite: or postgres:)")]
    UnsupportedUrl,
    /// The folder for the SQLite file could not be created.
    #[error("cannot create the store folder: {0}")]
    Io(#[from] std::io::Error),
    /// Applying the embedded migrations failed.
    #[error("store migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A uniqueness rule was broken (e.g. two inactive invites with one e-mail).
    #[error("store conflict: {0}")]
    Conflict(String),
    /// A stored value could not be read back (bad JSON, unknown state).
    #[error("corrupt {what} in the store: {detail}")]
    Corrupt {
        /// Which value was unreadable.
        what: &'static str,
        /// Why.
        detail: String,
    },
    /// Any other database error.
    #[error("store database error: {0}")]
    Database(sqlx::Error),
    /// PostgreSQL could not be reached or refused the session; `target` is `host:port/database`.
    #[error("cannot connect to PostgreSQL at {target}: {detail}")]
    Connect {
        /// Where we tried to connect (never the password).
        target: String,
        /// What failed (TLS, refused, timed out, authentication...) with its error chain.
        detail: String,
    },
    /// An operator command was pointed at a store that does not exist (nothing was created).
    #[error("the store does not exist: {0}")]
    Missing(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.message().to_owned())
            }
            _ => StoreError::Database(e),
        }
    }
}

/// The pool behind a [`Store`].
#[derive(Clone, Debug)]
pub enum Backend {
    /// Embedded SQLite (the default, single process).
    Sqlite(SqlitePool),
    /// PostgreSQL, shared by several replicas.
    Postgres(PgPool),
}

/// The bridge's own store; cheap to clone (it holds a pool).
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    /// Cross-replica write turns (PostgreSQL only).
    turns: Option<AdvisoryLocks>,
}

/// Runs `$body` with `$pool` bound to whichever pool the store holds (the same code for both).
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            $crate::store::Backend::Sqlite($pool) => $body,
            $crate::store::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

impl Store {
    /// Connects to `sqlite://path?mode=rwc`, `sqlite::memory:` or `postgres://...` and runs migrations.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let (backend, turns) = if url.starts_with("sqlite:") {
            (Backend::Sqlite(connect_sqlite(url).await?), None)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = pg_pool(&opts, 10).await?;
            sqlx::migrate!("migrations/postgres").run(&pool).await?;
            let schema: String = sqlx::query_scalar("SELECT COALESCE(current_schema()::text, '')")
                .fetch_one(&pool)
                .await?;
            let turns = AdvisoryLocks::connect_lazy(opts, schema);
            (Backend::Postgres(pool), Some(turns))
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        Ok(Store { backend, turns })
    }

    /// The cross-replica write turns: `Some` on PostgreSQL, `None` on SQLite (one process).
    pub fn advisory_locks(&self) -> Option<&AdvisoryLocks> {
        self.turns.as_ref()
    }

    /// The pool in use (for diagnostics and tests).
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// `"sqlite"` or `"postgres"`, for logs and the readiness report.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Readiness: one round trip to the database.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Closes every connection (graceful shutdown, tests).
    pub async fn close(&self) {
        if let Some(turns) = &self.turns {
            turns.close().await;
        }
        on_pool!(self, pool => pool.close().await);
    }
}

async fn connect_sqlite(url: &str) -> Result<SqlitePool, StoreError> {
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    let opts = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    // No ping before each acquire: a connection to a local file cannot go stale, and the ping is a
    // round trip to the connection's worker thread on every query (docs/PERFORMANCE.md).
    let mut pool = SqlitePoolOptions::new().test_before_acquire(false);
    let opts = if in_memory {
        // An in-memory database lives only while one connection is open: keep one forever.
        pool = pool
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None);
        opts
    } else {
        if let Some(dir) = opts.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
        opts.journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            // 512 KiB of page cache per connection instead of SQLite's 2 MiB: the OS caches the file
            // too, and the bridge's RSS stays under 50 MB after a 100,000-member import
            // (docs/PERFORMANCE.md).
            .pragma("cache_size", "-512")
    };
    let pool = pool.max_connections(8).connect_with(opts).await?;
    sqlx::migrate!("migrations/sqlite").run(&pool).await?;
    Ok(pool)
}

/// Serialises a value stored as a JSON text column.
fn to_json<T: serde::Serialize>(value: &T, what: &'static str) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt {
        what,
        detail: e.to_string(),
    })
}

/// Reads back a JSON text column.
fn from_json<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &'static str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        what,
        detail: e.to_string(),
    })
}

/// A PostgreSQL pool of at most `max` connections; a failure to connect is explained (TLS, auth, ...).
async fn pg_pool(opts: &PgConnectOptions, max: u32) -> Result<PgPool, StoreError> {
    let pool = PgPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(opts.clone())
        .await;
    match pool {
        Ok(pool) => Ok(pool),
        Err(e) => Err(pg_connect_error::explain(opts, e).await),
    }
}

/// `$start, $start+1, ...` for an `IN (...)` list of `n` binds.
fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
