//! The read path's store records, cached per listing version, so that an exact look-up (`userName eq`,
//! `externalId eq`, `id eq`, `GET /Users/{id}`) usually makes no store query of its own.
//!
//! Every table a look-up reads (mirror, tombstones, invitations, aliases, extras) bumps the listing
//! version through triggers, on every replica alike. A request first learns the current version, then
//! uses a record cached under that same version, or reads the record and caches it under the version
//! read before it. So a write committed anywhere before the request arrived is always seen: the version
//! a request uses is read after it arrived. Concurrent requests share one version read (the
//! [`VersionGate`]): a request that arrives while a read is in flight waits for the next one, never for
//! a read that started before it. Under load a look-up costs a share of one tiny query instead of one
//! query of its own; alone, one tiny query.

use crate::bridge::{Bridge, BridgeError};
use crate::store::{SelectorRecord, Store, StoreError, UserRecord};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

/// Records kept before the cache starts afresh (bounds its memory to a few megabytes).
const MAX_RECORDS: usize = 4096;

/// What a selector key stands for.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    /// A lower-cased e-mail.
    Email(String),
    /// An external id (case-exact).
    ExternalId(String),
}

/// The records cached under one listing version.
#[derive(Default)]
struct Records {
    version: i64,
    selectors: HashMap<Key, SelectorRecord>,
    users: HashMap<String, UserRecord>,
}

impl Records {
    /// Makes room for a record read under `version`; false when that version is older than the cache.
    fn make_room(&mut self, version: i64) -> bool {
        if version < self.version {
            return false;
        }
        if self.version != version || self.selectors.len() + self.users.len() >= MAX_RECORDS {
            *self = Records {
                version,
                ..Records::default()
            };
        }
        true
    }
}

/// Shares listing-version reads between concurrent requests.
#[derive(Default)]
struct VersionGate {
    state: Arc<Mutex<Gate>>,
}

#[derive(Default)]
struct Gate {
    /// Whether the reader task runs.
    reading: bool,
    /// Requests waiting for a read that starts after they arrived.
    waiting: Vec<oneshot::Sender<Result<i64, String>>>,
}

/// Sets `reading` back when the reader task panics (its waiters then read alone).
struct Reading(Arc<Mutex<Gate>>);

impl Drop for Reading {
    fn drop(&mut self) {
        if std::thread::panicking() {
            lock(&self.0).reading = false;
        }
    }
}

impl VersionGate {
    /// The listing version, read after this call began (shared with concurrent callers).
    async fn version(&self, store: &Store) -> Result<i64, StoreError> {
        let (tx, rx) = oneshot::channel();
        let start = {
            let mut gate = lock(&self.state);
            gate.waiting.push(tx);
            !std::mem::replace(&mut gate.reading, true)
        };
        if start {
            tokio::spawn(read_versions(self.state.clone(), store.clone()));
        }
        match rx.await {
            Ok(Ok(version)) => Ok(version),
            // The shared read failed or its task ended: read alone, so the error is this request's own.
            _ => store.listing_version().await,
        }
    }
}

/// The reader task: one version read for everyone waiting, again while more arrived meanwhile.
async fn read_versions(state: Arc<Mutex<Gate>>, store: Store) {
    let _reading = Reading(state.clone());
    loop {
        let waiting = std::mem::take(&mut lock(&state).waiting);
        if waiting.is_empty() {
            let mut gate = lock(&state);
            // Someone may have arrived between the take and this lock: serve them too.
            if gate.waiting.is_empty() {
                gate.reading = false;
                return;
            }
            continue;
        }
        let version = store.listing_version().await.map_err(|e| e.to_string());
        for tx in waiting {
            let _ = tx.send(version.clone());
        }
    }
}

/// Store records of exact look-ups under the current listing version.
#[derive(Default)]
pub(crate) struct LookupCache {
    gate: VersionGate,
    records: Mutex<Records>,
}

impl Bridge {
    /// [`Store::user_record`] through the look-up cache.
    pub(crate) async fn user_record_cached(
        &self,
        scim_id: &str,
    ) -> Result<UserRecord, BridgeError> {
        let cache = &self.inner.listing.lookups;
        let version = cache.gate.version(self.store()).await?;
        if let Some(r) = lock(&cache.records).cached(version, |r| r.users.get(scim_id)) {
            return Ok(r);
        }
        let record = self.store().user_record(scim_id).await?;
        let mut records = lock(&cache.records);
        if records.make_room(version) {
            records.users.insert(scim_id.to_owned(), record.clone());
        }
        Ok(record)
    }

    /// [`Store::selector_record_by_email`] through the look-up cache.
    pub(crate) async fn selector_record_by_email_cached(
        &self,
        email: &str,
    ) -> Result<SelectorRecord, BridgeError> {
        let key = Key::Email(email.to_lowercase());
        let store = self.store();
        self.selector_cached(key, store.selector_record_by_email(email))
            .await
    }

    /// [`Store::selector_record_by_external_id`] through the look-up cache.
    pub(crate) async fn selector_record_by_external_id_cached(
        &self,
        external_id: &str,
    ) -> Result<SelectorRecord, BridgeError> {
        let key = Key::ExternalId(external_id.to_owned());
        let store = self.store();
        self.selector_cached(key, store.selector_record_by_external_id(external_id))
            .await
    }

    /// The selector record under `key` for the current listing version: cached, or `read` and cached.
    async fn selector_cached(
        &self,
        key: Key,
        read: impl Future<Output = Result<SelectorRecord, StoreError>>,
    ) -> Result<SelectorRecord, BridgeError> {
        let cache = &self.inner.listing.lookups;
        let version = cache.gate.version(self.store()).await?;
        if let Some(r) = lock(&cache.records).cached(version, |r| r.selectors.get(&key)) {
            return Ok(r);
        }
        let record = read.await?;
        let mut records = lock(&cache.records);
        if records.make_room(version) {
            records.selectors.insert(key, record.clone());
        }
        Ok(record)
    }
}

impl Records {
    /// A copy of what `find` finds, if the records are those of `version`.
    fn cached<T: Clone>(&self, version: i64, find: impl FnOnce(&Self) -> Option<&T>) -> Option<T> {
        (self.version == version)
            .then(|| find(self).cloned())
            .flatten()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::UserExtras;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_reads_and_a_later_caller_sees_a_later_write() {
        let store = Store::connect("sqlite::memory:").await.expect("store");
        let gate = VersionGate::default();
        let before = gate.version(&store).await.expect("version");
        let all = futures::future::join_all((0..50).map(|_| gate.version(&store))).await;
        assert!(all.iter().all(|v| v.as_ref().ok() == Some(&before)));
        store
            .put_extras("x", &UserExtras::default(), chrono::Utc::now())
            .await
            .expect("write");
        let after = gate.version(&store).await.expect("version");
        assert!(after > before, "{before} then {after}");
        assert!(!lock(&gate.state).reading || lock(&gate.state).waiting.is_empty());
    }

    #[test]
    fn records_of_an_older_version_are_not_kept_and_a_newer_one_starts_afresh() {
        let mut records = Records::default();
        assert!(records.make_room(3));
        records.users.insert("a".into(), UserRecord::default());
        assert!(
            !records.make_room(2),
            "a record read under an older version"
        );
        assert_eq!(
            records.cached(3, |r| r.users.get("a")).map(|_| ()),
            Some(())
        );
        assert!(records.make_room(4));
        assert!(records.users.is_empty());
        assert!(records.cached(3, |r| r.users.get("a")).is_none());
    }
}
