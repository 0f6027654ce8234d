//! `BridgeEnv`: a bridge over a fresh emulator, with its Dropbox client and store, built with options.

use super::db::TestDb;
use dropbox_scim_bridge::bridge::{Bridge, BridgeSettings};
use dropbox_scim_bridge::config::Config;
use dropbox_scim_bridge::dropbox::team::{MembersDeactivateArg, UserSelectorArg};
use dropbox_scim_bridge::dropbox::{
    ClientConfig, Credentials, DropboxClient, PollPolicy, RetryPolicy,
};
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use dropbox_scim_bridge::store::Store;
use std::time::Duration;

/// A bridge wired to a fresh emulator, with the client and store it uses.
pub struct BridgeEnv {
    /// The bridge under test.
    pub bridge: Bridge,
    /// The running emulator.
    pub running: RunningEmulator,
    /// The bridge's Dropbox client.
    pub client: DropboxClient,
    /// The bridge's store.
    pub store: Store,
    db: TestDb,
}

/// Options for a `BridgeEnv`; `build` spawns it.
pub struct BridgeEnvBuilder {
    emulator: EmulatorConfig,
    fast_polls: bool,
    single_attempt: bool,
    db: Option<TestDb>,
}

/// Job polling in milliseconds rather than seconds, still with a deadline.
pub fn fast_polls() -> PollPolicy {
    PollPolicy {
        initial: Duration::from_millis(5),
        max_interval: Duration::from_millis(20),
        deadline: Duration::from_secs(10),
    }
}

impl BridgeEnv {
    /// The default environment: a default emulator, a default client and a SQLite store.
    pub async fn new() -> BridgeEnv {
        Self::builder().build().await
    }

    /// A builder for an environment with options.
    pub fn builder() -> BridgeEnvBuilder {
        BridgeEnvBuilder {
            emulator: EmulatorConfig::default(),
            fast_polls: false,
            single_attempt: false,
            db: None,
        }
    }

    /// The emulator.
    pub fn emu(&self) -> &Emulator {
        &self.running.emulator
    }

    /// Calls made so far to `route`.
    pub fn count(&self, route: &str) -> u64 {
        self.emu().stats().get(route).copied().unwrap_or(0)
    }

    /// Suspends a member directly through the client (as an earlier request or an admin would).
    pub async fn suspend(&self, id: &str) {
        let arg = MembersDeactivateArg::new(UserSelectorArg::TeamMemberId(id.to_owned()));
        self.client.members_suspend(&arg).await.expect("suspend");
    }

    /// A second bridge process on the same emulator and database: its own client and store pool.
    pub async fn another_process(&self) -> (Bridge, Store) {
        let client = client(&self.running, &BridgeEnv::builder());
        let store = Store::connect(&self.db.url).await.expect("store");
        (Bridge::new(client, store.clone(), settings()), store)
    }

    /// Closes the store and drops a PostgreSQL schema.
    pub async fn finish(self) {
        self.store.close().await;
        self.db.finish().await;
    }
}

impl BridgeEnvBuilder {
    /// Spawns the emulator with `config`.
    pub fn emulator(mut self, config: EmulatorConfig) -> Self {
        self.emulator = config;
        self
    }

    /// The emulator answers removals with an async job to poll.
    pub fn remove_async(mut self) -> Self {
        self.emulator.remove_async = true;
        self
    }

    /// The client polls Dropbox jobs every few milliseconds.
    pub fn fast_polls(mut self) -> Self {
        self.fast_polls = true;
        self
    }

    /// The client tries each call once (no retries), so a fault surfaces at once.
    pub fn single_attempt(mut self) -> Self {
        self.single_attempt = true;
        self
    }

    /// The store lives in `db` (e.g. `TestDb::postgres()`) instead of a SQLite temp file.
    pub fn db(mut self, db: TestDb) -> Self {
        self.db = Some(db);
        self
    }

    /// Spawns the emulator and builds client, store and bridge over it.
    pub async fn build(mut self) -> BridgeEnv {
        let emulator = std::mem::take(&mut self.emulator);
        let running = Emulator::spawn(emulator).await.expect("spawn emulator");
        let client = client(&running, &self);
        let db = self.db.take().unwrap_or_else(TestDb::sqlite);
        let store = Store::connect(&db.url).await.expect("store");
        BridgeEnv {
            bridge: Bridge::new(client.clone(), store.clone(), settings()),
            running,
            client,
            store,
            db,
        }
    }
}

/// A client with an all-scopes token for `running`, tuned as `options` say.
fn client(running: &RunningEmulator, options: &BridgeEnvBuilder) -> DropboxClient {
    let token = running.emulator.issue_token_all();
    let mut config = ClientConfig::new(Credentials::AccessToken(token.into()));
    config.base_url = running.base_url.clone();
    if options.single_attempt {
        config.retry = RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        };
    }
    if options.fast_polls {
        config.poll = fast_polls();
    }
    DropboxClient::new(config).expect("client")
}

/// The bridge settings of a default configuration.
fn settings() -> BridgeSettings {
    BridgeSettings::from_config(
        &Config::load_from(None, Vec::<(String, String)>::new()).expect("config"),
    )
}
