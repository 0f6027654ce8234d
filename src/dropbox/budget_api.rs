//! The budget's public face: call priorities, the shared-bucket trait, refusals and the status
//! read by metrics.

use std::fmt;
use std::time::{Duration, SystemTime};

use futures::future::BoxFuture;

/// Who a Dropbox call is for; IdP calls go first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// A call made for an IdP request (the default).
    Idp,
    /// Background work: mirror refresh, job follow-up, deferred removals.
    Background,
}

tokio::task_local! {
    static PRIORITY: Priority;
}

/// Runs `fut` with every Dropbox call made inside it (on this task) counted as background work.
pub async fn background<F: Future>(fut: F) -> F::Output {
    PRIORITY.scope(Priority::Background, fut).await
}

/// The priority of calls made by the current task: [`Priority::Idp`] unless inside [`background`].
pub fn current_priority() -> Priority {
    PRIORITY.try_with(|p| *p).unwrap_or(Priority::Idp)
}

/// What a lease from the shared budget gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    /// Whole calls granted to this replica.
    pub granted: u32,
    /// Thousandths of a call left in the shared bucket after the grant.
    pub left_milli: i64,
    /// Until when every replica must pause, if a 429 asked for it.
    pub paused_until: Option<SystemTime>,
}

/// A budget kept outside the process (the PostgreSQL store), shared by every replica.
pub trait SharedBucket: Send + Sync + fmt::Debug {
    /// Takes up to `want` calls, leaving at least `keep` in the bucket; one round trip.
    fn take(&self, want: u32, keep: u32, now: SystemTime) -> BoxFuture<'_, Result<Lease, String>>;
    /// Makes every replica pause until `until` (a later pause already recorded wins).
    fn pause_until(&self, until: SystemTime) -> BoxFuture<'_, Result<(), String>>;
}

/// A call refused because its wait for the budget would be longer than `max_retry_wait`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the Dropbox rate budget needs a wait of {wait:?}, longer than allowed")]
pub struct BudgetRefusal {
    /// How long the caller should wait before trying again (whole seconds, at least one).
    pub wait: Duration,
}

/// A snapshot of the budget for metrics (`DropboxClient::budget_status`).
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetStatus {
    /// The configured calls per minute; 0 when the budget is off.
    pub per_minute: u32,
    /// Calls that may go out now without waiting (on PostgreSQL: those leased to this replica).
    pub tokens: f64,
    /// How long the whole client still pauses after a 429, if it does.
    pub paused_for: Option<Duration>,
    /// Whether the budget is shared through the database.
    pub shared: bool,
    /// 429 answers received from Dropbox.
    pub rate_limited: u64,
    /// Requests sent again inside the client (after a 429, a 5xx or a transport failure).
    pub retries: u64,
    /// Calls refused by the budget because the wait was too long (each became a 429 to the IdP).
    pub refused: u64,
}
