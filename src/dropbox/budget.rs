//! The client-side rate budget every Dropbox call of the process goes through.
//!
//! One token bucket (`dropbox.rate_budget.per_minute`, `burst`) plus a shared "paused until": when
//! Dropbox answers 429 the whole client waits out `Retry-After`, not only the refused request. IdP
//! requests go ahead of background work ([`Priority`], set for a task with [`background`]):
//! background calls wait while an IdP call is waiting, and leave a fifth of the bucket to the IdP.
//! A call whose wait would pass `max_retry_wait` fails at once as rate limited, so the IdP gets 429
//! with `Retry-After`. On PostgreSQL the bucket and the pause live in the database ([`SharedBucket`]),
//! taken in small leases, so replicas do not spend the team's budget twice.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::config::RateBudgetConfig;

#[path = "budget_api.rs"]
mod api;
pub use api::{
    BudgetRefusal, BudgetStatus, Lease, Priority, SharedBucket, background, current_priority,
};

/// The budget of one client; cheap to share behind an `Arc`.
pub struct RateBudget {
    config: RateBudgetConfig,
    max_wait: Duration,
    state: Mutex<State>,
    shared: OnceLock<Arc<dyn SharedBucket>>,
    /// One lease at a time per process.
    leasing: tokio::sync::Mutex<()>,
    rate_limited: AtomicU64,
    retries: AtomicU64,
    refused: AtomicU64,
}

impl fmt::Debug for RateBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateBudget")
            .field("config", &self.config)
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
struct State {
    /// Calls available now (local bucket), or leased and not yet spent (shared bucket).
    tokens: f64,
    refilled: Instant,
    paused_until: Option<Instant>,
    idp_waiting: usize,
    /// After a lease that granted nothing: when the shared bucket should have a call again.
    shared_empty_until: Option<Instant>,
}

/// What one look at the state decided.
enum Step {
    Go,
    Wait(Duration),
    Lease,
}

/// Counts a waiting IdP caller for as long as it lives (also when its future is dropped).
struct Waiting<'a>(&'a RateBudget, bool);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if self.1 {
            self.0.lock().idp_waiting -= 1;
        }
    }
}

impl RateBudget {
    /// A full local bucket; `max_wait` is the longest wait a call accepts (`max_retry_wait`).
    pub fn new(config: RateBudgetConfig, max_wait: Duration) -> Self {
        let tokens = f64::from(config.burst);
        Self {
            config,
            max_wait,
            state: Mutex::new(State {
                tokens,
                refilled: Instant::now(),
                paused_until: None,
                idp_waiting: 0,
                shared_empty_until: None,
            }),
            shared: OnceLock::new(),
            leasing: tokio::sync::Mutex::new(()),
            rate_limited: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        }
    }

    /// From now on, take calls from `bucket` (shared by every replica) instead of the local bucket.
    /// Only the first call has an effect. Locally leased calls start from zero.
    pub fn share_through(&self, bucket: Arc<dyn SharedBucket>) {
        if self.config.per_minute > 0 && self.shared.set(bucket).is_ok() {
            self.lock().tokens = 0.0;
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Calls added per second.
    fn rate(&self) -> f64 {
        f64::from(self.config.per_minute) / 60.0
    }

    /// How long the bucket takes to gain `calls` calls.
    fn refill_time(&self, calls: f64) -> Duration {
        Duration::from_secs_f64(calls * 60.0 / f64::from(self.config.per_minute))
    }

    /// Calls the bucket keeps back from background work.
    fn reserve(&self) -> u32 {
        self.config.burst / 5
    }

    /// Waits until `priority` may make one call, or refuses when that would take longer than the
    /// longest wait allowed from now.
    pub async fn acquire(&self, priority: Priority) -> Result<(), BudgetRefusal> {
        let deadline = Instant::now() + self.max_wait;
        let mut waiting = Waiting(self, false);
        loop {
            let now = Instant::now();
            let step = self.look(priority, now, waiting.1);
            let wait = match step {
                Step::Go => return Ok(()),
                Step::Wait(wait) => wait,
                Step::Lease => match self.lease(priority, waiting.1).await {
                    Some(wait) => wait,
                    None => continue,
                },
            };
            if now + wait > deadline {
                self.refused.fetch_add(1, Ordering::Relaxed);
                return Err(BudgetRefusal {
                    wait: whole_seconds(wait),
                });
            }
            if priority == Priority::Idp && !waiting.1 {
                self.lock().idp_waiting += 1;
                waiting.1 = true;
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes a call when one is there for `priority`, else says how long to wait or to lease.
    fn look(&self, priority: Priority, now: Instant, counted: bool) -> Step {
        self.decide(&mut self.lock(), priority, now, counted)
    }

    /// How long a call of `priority` would wait for the budget if it were made now, without taking
    /// one. Zero when it could go at once, when only a lease from the shared bucket can tell, and
    /// when the wait is longer than `max_retry_wait` (the call will be refused at once). The
    /// coalescer holds a departing batch open for this long: the call would wait anyway, and
    /// requests arriving meanwhile can share it.
    pub fn wait_for_call(&self, priority: Priority) -> Duration {
        let now = Instant::now();
        let mut copy = self.lock().clone();
        let wait = match self.decide(&mut copy, priority, now, false) {
            Step::Go => Duration::ZERO,
            Step::Wait(wait) => wait,
            Step::Lease => copy
                .shared_empty_until
                .map_or(Duration::ZERO, |until| until.saturating_duration_since(now)),
        };
        if wait > self.max_wait {
            Duration::ZERO
        } else {
            wait
        }
    }

    /// [`Self::look`] on `st`: takes a call from it when one is there, else says how long to wait
    /// or to lease.
    fn decide(&self, st: &mut State, priority: Priority, now: Instant, counted: bool) -> Step {
        if let Some(until) = st.paused_until {
            if until > now {
                return Step::Wait(until - now);
            }
            st.paused_until = None;
        }
        if self.config.per_minute == 0 {
            return Step::Go;
        }
        let shared = self.shared.get().is_some();
        if !shared {
            let elapsed = now.saturating_duration_since(st.refilled).as_secs_f64();
            st.tokens = (st.tokens + elapsed * self.rate()).min(f64::from(self.config.burst));
            st.refilled = now;
        }
        let keep = match priority {
            Priority::Background if !shared => f64::from(self.reserve()),
            _ => 0.0,
        };
        // Background work waits while any IdP call does.
        let blocked = priority == Priority::Background && st.idp_waiting > 0;
        if !blocked && st.tokens >= 1.0 + keep {
            st.tokens -= 1.0;
            return Step::Go;
        }
        if shared && !blocked {
            return Step::Lease;
        }
        // The wait counts the IdP calls already waiting: they are served first.
        let queue = match priority {
            Priority::Idp => st.idp_waiting - usize::from(counted),
            Priority::Background => st.idp_waiting,
        } as f64;
        let missing = if shared {
            1.0 + queue
        } else {
            1.0 + keep + queue - st.tokens
        };
        Step::Wait(self.refill_time(missing.max(0.001)))
    }

    /// Leases calls from the shared bucket; `None` when some arrived, else how long to wait.
    async fn lease(&self, priority: Priority, counted: bool) -> Option<Duration> {
        let bucket = self.shared.get()?;
        let _one_at_a_time = self.leasing.lock().await;
        if self.lock().tokens >= 1.0 {
            return None; // another task leased while this one waited for its turn
        }
        let keep = match priority {
            Priority::Idp => 0,
            Priority::Background => self.reserve(),
        };
        let want = self.config.lease;
        match bucket.take(want, keep, SystemTime::now()).await {
            Ok(lease) => {
                let mut st = self.lock();
                st.tokens += f64::from(lease.granted);
                let wall_now = SystemTime::now();
                if let Some(until) = lease.paused_until.filter(|u| *u > wall_now) {
                    let local = Instant::now() + until.duration_since(wall_now).unwrap_or_default();
                    st.paused_until = Some(st.paused_until.map_or(local, |p| p.max(local)));
                }
                if lease.granted > 0 || st.paused_until.is_some() {
                    st.shared_empty_until = None;
                    return None;
                }
                let others = st.idp_waiting - usize::from(counted);
                let needed = 1000 * (i64::from(keep) + 1 + others as i64) - lease.left_milli;
                let wait = self.refill_time(needed.max(1) as f64 / 1000.0);
                st.shared_empty_until = Some(Instant::now() + wait);
                Some(wait)
            }
            Err(e) => {
                // The database is the budget's keeper, not the bridge's gate: let this call go.
                tracing::warn!(error = %e, "cannot take from the shared Dropbox rate budget; calling anyway");
                self.lock().tokens += 1.0;
                None
            }
        }
    }

    /// Dropbox answered 429: every call of the client (and on PostgreSQL of every replica) waits
    /// `wait` from now.
    pub async fn pause(&self, wait: Duration) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
        let until = Instant::now() + wait;
        {
            let mut st = self.lock();
            st.paused_until = Some(st.paused_until.map_or(until, |p| p.max(until)));
        }
        if let Some(bucket) = self.shared.get() {
            if let Err(e) = bucket.pause_until(SystemTime::now() + wait).await {
                tracing::warn!(error = %e, "cannot share a Dropbox 429 pause with the other replicas");
            }
        }
    }

    /// The longest wait a call accepts before it is refused (`max_retry_wait`).
    pub fn max_wait(&self) -> Duration {
        self.max_wait
    }

    /// Counts one request sent again inside the client.
    pub fn count_retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    /// Tokens, pause and counters, for metrics.
    pub fn status(&self) -> BudgetStatus {
        let now = Instant::now();
        let st = self.lock();
        let mut tokens = st.tokens;
        if self.shared.get().is_none() && self.config.per_minute > 0 {
            let elapsed = now.saturating_duration_since(st.refilled).as_secs_f64();
            tokens = (tokens + elapsed * self.rate()).min(f64::from(self.config.burst));
        }
        BudgetStatus {
            per_minute: self.config.per_minute,
            tokens,
            paused_for: st.paused_until.filter(|u| *u > now).map(|u| u - now),
            shared: self.shared.get().is_some(),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
        }
    }
}

/// `wait` rounded up to whole seconds, at least one (what `Retry-After` can carry).
fn whole_seconds(wait: Duration) -> Duration {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    Duration::from_secs(secs.max(1))
}

#[cfg(test)]
#[path = "budget_tests.rs"]
mod tests;
