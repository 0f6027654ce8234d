//! The group-name cache: names a user's groups without a Dropbox call per user.
//!
//! Filled from `groups/list` (+ `continue`) and kept current by this process's own group writes
//! (create, rename, delete); a `GET /Groups` listing refills it for free. It refreshes lazily: when
//! its snapshot is older than its maximum age, or when it meets a group id it does not know. Refreshes are single-flight, and those caused by an
//! unknown id happen at most once per `min_interval`; ids still unknown after that are named with one
//! `groups/get_info` for just those ids. With several replicas, a rename made through another replica
//! is seen here at the latest after the maximum age (see docs/PERFORMANCE.md).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Bridge;
use super::errors::{BridgeError, from_dropbox};
use crate::dropbox::team::{GroupsGetInfoItem, GroupsSelector};
use crate::scim::resource::GroupRef;

/// How old a snapshot may get before the next read refreshes it: the bound on how long a rename
/// made through another replica may go unseen here.
pub const GROUP_NAMES_MAX_AGE: Duration = Duration::from_secs(60);
/// The least time between two refreshes caused by an unknown group id.
pub const GROUP_NAMES_MIN_INTERVAL: Duration = Duration::from_secs(5);

/// Group id to name, shared by all requests of one bridge.
#[derive(Debug)]
pub(crate) struct GroupNameCache {
    state: Mutex<State>,
    /// Held while a refresh walks `groups/list`, so that concurrent misses cost one walk.
    refresh: tokio::sync::Mutex<()>,
    max_age: Duration,
    min_interval: Duration,
}

#[derive(Debug, Default)]
struct State {
    names: HashMap<String, String>,
    /// When the current snapshot was listed; `None` before the first fill.
    filled: Option<Instant>,
    /// Counts completed refreshes, so that a waiter can tell one finished while it waited.
    generation: u64,
    /// When the last refresh started, successful or not.
    last_attempt: Option<Instant>,
    /// This process's own writes (name, or `None` for a deletion) and when they were made, so that a
    /// listing taken before a write cannot undo it.
    writes: HashMap<String, (Option<String>, Instant)>,
}

/// What the cache knows of some ids.
struct Lookup {
    known: Vec<GroupRef>,
    missing: Vec<String>,
    expired: bool,
    generation: u64,
}

impl GroupNameCache {
    /// An empty cache with the given maximum age and least interval between miss refreshes.
    pub(crate) fn new(max_age: Duration, min_interval: Duration) -> Self {
        Self {
            state: Mutex::new(State::default()),
            refresh: tokio::sync::Mutex::new(()),
            max_age,
            min_interval,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lookup(&self, ids: &[String]) -> Lookup {
        let state = self.state();
        let mut known = Vec::with_capacity(ids.len());
        let mut missing = Vec::new();
        for id in ids {
            match state.names.get(id) {
                Some(name) => known.push(GroupRef {
                    value: id.clone(),
                    display: Some(name.clone()),
                }),
                None => missing.push(id.clone()),
            }
        }
        Lookup {
            known,
            missing,
            expired: state.filled.is_none_or(|t| t.elapsed() >= self.max_age),
            generation: state.generation,
        }
    }

    /// Whether a refresh is still due for a caller that saw `generation` (and knows why it wants one).
    /// Marks the attempt when it is.
    fn start_refresh(&self, seen: u64, expired: bool) -> bool {
        let mut state = self.state();
        if state.generation != seen {
            return false;
        }
        let recent = state
            .last_attempt
            .is_some_and(|t| t.elapsed() < self.min_interval);
        if !expired && recent {
            return false;
        }
        state.last_attempt = Some(Instant::now());
        true
    }

    /// Takes a full listing made at `listed_at` as the new snapshot (this process's later writes win).
    pub(crate) fn replace(&self, names: HashMap<String, String>, listed_at: Instant) {
        let mut state = self.state();
        state.names = names;
        state.writes.retain(|_, (_, at)| *at >= listed_at);
        let later: Vec<_> = state
            .writes
            .iter()
            .map(|(k, (v, _))| (k.clone(), v.clone()))
            .collect();
        for (id, name) in later {
            match name {
                Some(name) => state.names.insert(id, name),
                None => state.names.remove(&id),
            };
        }
        state.filled = Some(listed_at);
        state.generation += 1;
    }

    /// Records a group's current name, after this process created or renamed it.
    pub(crate) fn put(&self, id: &str, name: &str) {
        self.write(id, Some(name.to_owned()));
    }

    /// Forgets a group, after this process deleted it.
    pub(crate) fn remove(&self, id: &str) {
        self.write(id, None);
    }

    fn write(&self, id: &str, name: Option<String>) {
        let mut state = self.state();
        match &name {
            Some(n) => state.names.insert(id.to_owned(), n.clone()),
            None => state.names.remove(id),
        };
        state.writes.insert(id.to_owned(), (name, Instant::now()));
    }

    /// Records a name read from Dropbox (not a write of this process).
    fn learn(&self, id: &str, name: &str) {
        self.state().names.insert(id.to_owned(), name.to_owned());
    }
}

impl Bridge {
    /// Names the given groups, sorted by name; ids Dropbox does not know are left out. Costs no
    /// Dropbox call while the cache is fresh and knows every id.
    pub(crate) async fn group_refs(
        &self,
        group_ids: &[String],
    ) -> Result<Vec<GroupRef>, BridgeError> {
        if group_ids.is_empty() {
            return Ok(Vec::new());
        }
        let cache = self.group_names();
        let mut found = cache.lookup(group_ids);
        if found.expired || !found.missing.is_empty() {
            let _flight = cache.refresh.lock().await;
            if cache.start_refresh(found.generation, found.expired) {
                let listed_at = Instant::now();
                // Boxed, as the call below: the slow paths stay out of every render's future.
                let heads = Box::pin(self.all_group_names()).await?;
                cache.replace(heads, listed_at);
            }
            found = cache.lookup(group_ids);
        }
        let mut refs = found.known;
        if !found.missing.is_empty() {
            refs.extend(Box::pin(self.group_refs_uncached(found.missing)).await?);
        }
        refs.sort_by(|a, b| a.display.cmp(&b.display).then(a.value.cmp(&b.value)));
        Ok(refs)
    }

    /// Names groups the cache did not know with one `groups/get_info`, and remembers them.
    async fn group_refs_uncached(&self, ids: Vec<String>) -> Result<Vec<GroupRef>, BridgeError> {
        let arg = GroupsSelector::GroupIds(ids);
        let items = self
            .dropbox()
            .groups_get_info(&arg)
            .await
            .map_err(from_dropbox)?;
        let cache = self.group_names();
        Ok(items
            .iter()
            .filter_map(|item| match item {
                GroupsGetInfoItem::GroupInfo(g) => {
                    cache.learn(&g.group_id, &g.group_name);
                    Some(GroupRef {
                        value: g.group_id.clone(),
                        display: Some(g.group_name.clone()),
                    })
                }
                GroupsGetInfoItem::IdNotFound(_) => None,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> GroupNameCache {
        GroupNameCache::new(Duration::from_secs(60), Duration::from_secs(5))
    }

    #[test]
    fn an_empty_cache_is_expired_and_misses_everything() {
        let c = cache();
        let found = c.lookup(&["g:1".to_owned()]);
        assert!(found.expired);
        assert_eq!(found.missing, vec!["g:1".to_owned()]);
    }

    #[test]
    fn a_miss_refreshes_at_most_once_per_interval() {
        let c = cache();
        assert!(c.start_refresh(0, true));
        c.replace(HashMap::new(), Instant::now());
        // Another caller that saw generation 0 waited for that refresh: no second walk.
        assert!(!c.start_refresh(0, false));
        // A fresh miss right after a refresh is answered by get_info, not by another walk.
        assert!(!c.start_refresh(1, false));
        // An expired snapshot refreshes regardless.
        assert!(c.start_refresh(1, true));
    }

    #[test]
    fn writes_keep_names_current() {
        let c = cache();
        c.replace(
            HashMap::from([("g:1".into(), "Old".into())]),
            Instant::now(),
        );
        c.put("g:1", "New");
        c.put("g:2", "Made here");
        c.remove("g:3");
        let found = c.lookup(&["g:1".into(), "g:2".into()]);
        let names: Vec<_> = found.known.into_iter().filter_map(|g| g.display).collect();
        assert_eq!(names, vec!["New", "Made here"]);
        assert!(!found.expired);
        c.remove("g:1");
        assert_eq!(c.lookup(&["g:1".into()]).missing.len(), 1);
    }

    #[test]
    fn a_listing_taken_before_a_write_does_not_undo_it() {
        let c = cache();
        let listed_at = Instant::now();
        c.put("g:1", "Renamed");
        c.remove("g:2");
        let listed = HashMap::from([("g:1".into(), "Old".into()), ("g:2".into(), "Gone".into())]);
        c.replace(listed, listed_at);
        let found = c.lookup(&["g:1".into(), "g:2".into()]);
        assert_eq!(found.known[0].display.as_deref(), Some("Renamed"));
        assert_eq!(found.missing, vec!["g:2".to_owned()]);
    }
}
