//! Open connections: how many there are, which have a request in flight, and which to close when the
//! limit is reached or a connection has been idle too long.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;
use tokio::time::{Duration, Instant};

/// Every open connection, oldest first, so that the oldest idle one can be asked to close.
#[derive(Default)]
pub struct Registry {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    open: BTreeMap<u64, Arc<Activity>>,
}

/// One connection's activity, shared between its task, its requests and the registry.
pub struct Activity {
    in_flight: AtomicUsize,
    last_active: Mutex<Instant>,
    /// Set by the first request; until then the connection gets only the header-read timeout.
    served_any: AtomicBool,
    /// Set once the connection has been asked to close, so that it is asked only once.
    evicting: AtomicBool,
    /// Notified when the connection should close (limit reached and it is idle).
    pub evict: Notify,
}

impl Activity {
    /// Whether no request is in flight on the connection.
    pub fn is_idle(&self) -> bool {
        self.in_flight.load(Ordering::SeqCst) == 0
    }

    /// When the connection expires if no request starts before then: `idle` after its last request,
    /// or `first_request` after it opened when it has not sent a request yet.
    pub fn idle_deadline(&self, idle: Duration, first_request: Duration) -> Instant {
        let limit = if self.served_any.load(Ordering::SeqCst) {
            idle
        } else {
            idle.min(first_request)
        };
        *lock(&self.last_active) + limit
    }

    /// Marks a request as started; the guard marks it finished when dropped (after its body is sent).
    pub fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        self.served_any.store(true, Ordering::SeqCst);
        InFlight(Arc::clone(self))
    }
}

/// A request in flight; dropping it records the connection as active now.
pub struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        *lock(&self.0.last_active) = Instant::now();
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A registered connection; dropping it unregisters it.
pub struct Registered {
    registry: Arc<Registry>,
    id: u64,
    /// The connection's activity.
    pub activity: Arc<Activity>,
}

impl Drop for Registered {
    fn drop(&mut self) {
        lock(&self.registry.inner).open.remove(&self.id);
    }
}

impl Registry {
    /// Records a new connection.
    pub fn register(self: &Arc<Self>) -> Registered {
        let activity = Arc::new(Activity {
            in_flight: AtomicUsize::new(0),
            last_active: Mutex::new(Instant::now()),
            evicting: AtomicBool::new(false),
            served_any: AtomicBool::new(false),
            evict: Notify::new(),
        });
        let mut inner = lock(&self.inner);
        let id = inner.next_id;
        inner.next_id += 1;
        inner.open.insert(id, Arc::clone(&activity));
        Registered {
            registry: Arc::clone(self),
            id,
            activity,
        }
    }

    /// Asks the oldest connection with no request in flight to close; false when every one is busy.
    pub fn evict_oldest_idle(&self) -> bool {
        let inner = lock(&self.inner);
        let candidate = inner
            .open
            .values()
            .find(|a| a.is_idle() && !a.evicting.load(Ordering::SeqCst));
        match candidate {
            Some(activity) => {
                activity.evicting.store(true, Ordering::SeqCst);
                activity.evict.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Locks a mutex whose data stays consistent even if a holder panicked (plain values only).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
