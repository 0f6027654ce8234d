//! Per-resource write ordering: writes to one resource run one at a time, in the order they arrived.
//!
//! Within a process an async mutex per key queues the writes. On PostgreSQL a write then also takes
//! the key's advisory lock ([`AdvisoryLocks`]), so that writes through different replicas are
//! ordered too; a process waits for the database lock with at most one write per key, so its own
//! writes keep their arrival order. SQLite serves a single process: the mutex is enough there.

use crate::store::{AdvisoryGuard, AdvisoryLocks, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// A map of async mutexes keyed by resource id (entries vanish when no one holds or waits on
/// them), backed on PostgreSQL by advisory locks shared with the other replicas.
#[derive(Default, Clone)]
pub struct KeyedLocks {
    inner: Arc<Mutex<HashMap<String, Weak<AsyncMutex<()>>>>>,
    across: Option<AdvisoryLocks>,
}

/// One write's turn on a resource; the next write may start once this is dropped.
pub struct WriteTurn {
    // Declared first so that it is released first: other replicas need not wait for this one.
    _across: Option<AdvisoryGuard>,
    _local: OwnedMutexGuard<()>,
}

impl KeyedLocks {
    /// Locks within this process, and across replicas when `store` is PostgreSQL.
    pub fn new(store: &Store) -> Self {
        Self {
            across: store.advisory_locks().cloned(),
            ..Self::default()
        }
    }

    /// Waits for the resource's turn. Tokio's mutex is fair, so waiters proceed in arrival order.
    /// While the database cannot be reached the wait goes on (a request ends at its timeout):
    /// writing without the turn could reorder writes made through another replica.
    pub async fn lock(&self, key: &str) -> WriteTurn {
        let local = self.lock_local(key).await;
        let Some(across) = &self.across else {
            return WriteTurn {
                _across: None,
                _local: local,
            };
        };
        let mut delay = Duration::from_millis(100);
        loop {
            match across.lock(key).await {
                Ok(guard) => {
                    return WriteTurn {
                        _across: Some(guard),
                        _local: local,
                    };
                }
                Err(e) => {
                    // The key is not logged: it may hold an e-mail address.
                    tracing::warn!(error = %e, "cannot take a write turn in the store; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
    }

    async fn lock_local(&self, key: &str) -> OwnedMutexGuard<()> {
        let mutex = {
            let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            if map.len() > 1024 {
                map.retain(|_, w| w.strong_count() > 0);
            }
            match map.get(key).and_then(Weak::upgrade) {
                Some(m) => m,
                None => {
                    let m = Arc::new(AsyncMutex::new(()));
                    map.insert(key.to_owned(), Arc::downgrade(&m));
                    m
                }
            }
        };
        mutex.lock_owned().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn same_key_is_serialised_and_other_keys_are_not() {
        let locks = KeyedLocks::default();
        let inside = Arc::new(AtomicUsize::new(0));
        let max_inside = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (locks, inside, max_inside) = (locks.clone(), inside.clone(), max_inside.clone());
            tasks.push(tokio::spawn(async move {
                let _g = locks.lock("g1").await;
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                max_inside.fetch_max(now, Ordering::SeqCst);
                tokio::task::yield_now().await;
                inside.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        let _other = locks.lock("g2").await; // must not wait for g1's holders
        for t in tasks {
            t.await.expect("task");
        }
        assert_eq!(max_inside.load(Ordering::SeqCst), 1);
    }
}
