//! A per-process memo for user listings: counts and page boundaries, valid for one listing version.
//!
//! The store bumps the listing version on every change a listing can show (triggers on every table
//! involved), on every replica's writes alike, so a memo read under the current version is exact: an
//! import walking `startIndex` pages continues from the previous page's last key instead of skipping
//! `startIndex` rows, and counts the team once, not once per page.

use super::lookup_cache::LookupCache;
use crate::store::ListKey;
use std::collections::HashMap;
use std::sync::Mutex;

/// Memo entries kept before the memo starts afresh (bounds its memory).
const MAX_ENTRIES: usize = 4096;

/// Counts of one filtered listing: visible members, and for each listed invitation (in listing order)
/// how many members sort before it.
#[derive(Clone, Debug)]
pub(crate) struct Counts {
    /// Visible members matching the filter.
    pub members: usize,
    /// Per invitation, the matching members sorting before it.
    pub invite_ranks: Vec<usize>,
}

#[derive(Default)]
struct Memo {
    version: i64,
    counts: HashMap<String, Counts>,
    /// (filter, position) -> the key of the user just before that position.
    before: HashMap<(String, usize), ListKey>,
}

/// Counts and page boundaries for the current listing version, and the exact look-ups' store records.
#[derive(Default)]
pub(crate) struct ListingCache {
    memo: Mutex<Memo>,
    /// The store records of exact look-ups (`lookup_cache`).
    pub(crate) lookups: LookupCache,
}

impl ListingCache {
    fn with<T>(&self, version: i64, f: impl FnOnce(&mut Memo) -> T) -> T {
        let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
        if memo.version != version || memo.counts.len() + memo.before.len() > MAX_ENTRIES {
            *memo = Memo {
                version,
                ..Memo::default()
            };
        }
        f(&mut memo)
    }

    /// The counts of `filter` under `version`, if known.
    pub(crate) fn counts(&self, version: i64, filter: &str) -> Option<Counts> {
        self.with(version, |m| m.counts.get(filter).cloned())
    }

    /// Remembers the counts of `filter` under `version`.
    pub(crate) fn put_counts(&self, version: i64, filter: &str, counts: Counts) {
        self.with(version, |m| m.counts.insert(filter.to_owned(), counts));
    }

    /// The key of the user just before 0-based `position` of `filter`'s listing, if known.
    pub(crate) fn key_before(
        &self,
        version: i64,
        filter: &str,
        position: usize,
    ) -> Option<ListKey> {
        self.with(version, |m| {
            m.before.get(&(filter.to_owned(), position)).cloned()
        })
    }

    /// Remembers the key of the user just before `position`.
    pub(crate) fn put_key_before(&self, version: i64, filter: &str, position: usize, key: ListKey) {
        self.with(version, |m| {
            m.before.insert((filter.to_owned(), position), key)
        });
    }
}
