//! Where SCIM meets Dropbox: the user and group mappings and the lifecycle policy.
//!
//! `scim` knows nothing of Dropbox and `dropbox` nothing of SCIM; this module is the one place where both
//! meet. Every write runs under a per-resource lock (arrival order, across replicas on PostgreSQL), validates the whole request before
//! the first Dropbox call, and records the Dropbox calls it made in the audit log.

mod audit;
mod coalesce;
mod errors;
mod gauges;
mod group_names;
mod groups;
mod held;
mod limits;
mod locks;
mod paging;
pub mod readiness;
mod removal;
mod removal_check;
mod search;
pub mod status;
mod users;

pub use audit::WriteContext;
pub use errors::{BridgeError, DropboxFailure, Refusal};
pub use group_names::{GROUP_NAMES_MAX_AGE, GROUP_NAMES_MIN_INTERVAL};
pub use paging::{ListPage, PAGE_SIZE};
pub use removal::{JobEnd, REMOVE_JOB_KIND, RemovalFailure, RemovalOutcome, TransferUsed};
pub use search::SearchHit;

use crate::config::{Config, DeprovisionConfig};
use crate::dropbox::DropboxClient;
use crate::store::Store;
use group_names::GroupNameCache;
use locks::KeyedLocks;
use std::sync::Arc;
use std::time::Duration;

/// The behaviour the bridge takes from configuration.
#[derive(Debug, Clone)]
pub struct BridgeSettings {
    /// `send_welcome_email` on `members/add_v2`.
    pub send_welcome_email: bool,
    /// `wipe_data` on `members/suspend` for `active: false`.
    pub suspend_wipe_data: bool,
    /// Recover a recently removed member instead of inviting anew.
    pub recover_recently_removed: bool,
    /// What `DELETE /Users/{id}` does.
    pub deprovision: DeprovisionConfig,
    /// How old the mirror may be before a listing refreshes it.
    pub mirror_max_age: Duration,
    /// The page size of every listing: the default and the largest `count` (see [`PAGE_SIZE`]).
    pub page_size: usize,
    /// Audit retention and whether entries are also logged (see `audit.rs`).
    pub audit: crate::config::audit::AuditConfig,
    /// How long a create or exact look-up waits for concurrent company (zero: coalescing off).
    pub coalesce_window: Duration,
    /// The longest a batch waits when requests arrive fast enough to fill it by then.
    pub coalesce_max_wait: Duration,
    /// Which non-primary `emails` become Dropbox secondary e-mails (`users/secondary_emails.rs`).
    pub secondary_emails: crate::config::SecondaryEmailsConfig,
    /// Which Dropbox admin roles the IdP drives (`[roles]`; off by default).
    pub roles: crate::config::RolesConfig,
    /// Custom member space limits (`users/space_limit.rs`).
    pub space_limits: crate::config::SpaceLimitsConfig,
}

impl BridgeSettings {
    /// Takes the settings from the validated configuration.
    pub fn from_config(config: &Config) -> Self {
        Self {
            send_welcome_email: config.users.send_welcome_email,
            suspend_wipe_data: config.users.suspend_wipe_data,
            recover_recently_removed: config.users.recover_recently_removed,
            deprovision: config.deprovision.clone(),
            mirror_max_age: Duration::from_secs(config.users.mirror_max_age_secs),
            page_size: PAGE_SIZE,
            audit: config.audit.clone(),
            coalesce_window: Duration::from_millis(config.coalesce.window_ms),
            coalesce_max_wait: Duration::from_millis(config.coalesce.max_wait_ms),
            secondary_emails: config.secondary_emails.clone(),
            roles: config.roles.clone(),
            space_limits: config.space_limits.clone(),
        }
    }
}

/// The bridge: cheap to clone, shared by all requests and the background workers.
#[derive(Clone)]
pub struct Bridge {
    inner: Arc<Inner>,
}

struct Inner {
    dropbox: DropboxClient,
    store: Store,
    settings: BridgeSettings,
    locks: KeyedLocks,
    /// Serialises mirror refreshes so that concurrent listings cost one `members/list_v2` walk.
    mirror_refresh: tokio::sync::Mutex<()>,
    /// Names the groups of a user without a Dropbox call per user.
    group_names: GroupNameCache,
    /// Counts and page boundaries of user listings, per listing version.
    listing: users::ListingCache,
    /// Shares `members/add_v2` and `members/get_info_v2` calls between concurrent requests.
    coalesce: coalesce::Coalescer,
    /// The team's role ids, fetched once on first use (`users::admin_role`).
    role_ids: tokio::sync::OnceCell<users::RoleIds>,
}

impl Bridge {
    /// Wires the bridge to its Dropbox client and store.
    pub fn new(dropbox: DropboxClient, store: Store, settings: BridgeSettings) -> Self {
        let locks = KeyedLocks::new(&store);
        let coalesce = coalesce::Coalescer::new(
            &dropbox,
            coalesce::Windows {
                lone: settings.coalesce_window,
                busy: settings.coalesce_max_wait,
            },
        );
        Self {
            inner: Arc::new(Inner {
                dropbox,
                store,
                settings,
                locks,
                mirror_refresh: tokio::sync::Mutex::new(()),
                group_names: GroupNameCache::new(GROUP_NAMES_MAX_AGE, GROUP_NAMES_MIN_INTERVAL),
                listing: users::ListingCache::default(),
                coalesce,
                role_ids: tokio::sync::OnceCell::new(),
            }),
        }
    }

    fn dropbox(&self) -> &DropboxClient {
        &self.inner.dropbox
    }

    fn store(&self) -> &Store {
        &self.inner.store
    }

    fn group_names(&self) -> &GroupNameCache {
        &self.inner.group_names
    }

    fn settings(&self) -> &BridgeSettings {
        &self.inner.settings
    }

    /// The page size of every listing, as discovery advertises it and `count` is capped to.
    pub fn page_size(&self) -> usize {
        self.inner.settings.page_size
    }
}
