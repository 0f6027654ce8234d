//! Typed configuration: a TOML file plus environment overrides, validated at start-up.
//!
//! Precedence: built-in defaults < TOML file < `SCIM_BRIDGE_*` environment variables. A nested key is
//! written with `__` (`SCIM_BRIDGE_DROPBOX__APP_KEY`), and any key ending in `_FILE` reads the value from
//! that file (`SCIM_BRIDGE_DROPBOX__APP_SECRET_FILE=/run/secrets/app_secret`). Two shortcuts work in
//! every mode: `SCIM_BRIDGE_LISTEN` sets the listen address and `SCIM_BRIDGE_TOKEN` adds an accepted bearer
//! token. Values are typed by `Config`'s own fields (figment), so `SCIM_BRIDGE_DROPBOX__APP_KEY=123`
//! stays a string. Setting both `X` and `X_FILE` is an error.
//!
//! An unknown key in the file, or in a known section from the environment, is an error that lists the
//! valid keys, so a typo never silently falls back to a default. A `SCIM_BRIDGE_*` variable that names
//! no key at all (Kubernetes injects `SCIM_BRIDGE_PORT` for a Service named `scim-bridge`) is only a
//! warning. Every error names the dotted key and where its value came from (file and line, or the
//! variable), and [`Config::load_with_origins`] reports the origin of every effective value.

mod allow_list;
pub mod audit;
mod coalesce;
mod env;
mod error;
mod file;
mod jwt;
mod load;
mod metrics;
mod policy;
mod rate;
pub mod roles;
mod secondary_emails;
mod space_limits;
pub mod status;
mod validate;

pub use allow_list::{AllowListConfig, parse_network};
pub use coalesce::{CoalesceConfig, MAX_COALESCE_WINDOW_MS};
pub use error::{ConfigError, Origin};
pub use jwt::JwtConfig;
pub use load::{EffectiveValue, LoadedConfig};
pub use metrics::{MetricsConfig, MetricsPlace, TokenHash};
pub use policy::{DeprovisionConfig, DeprovisionPolicy, TransferTo};
pub use rate::RateBudgetConfig;
pub use roles::{AdminRole, RolesConfig};
pub use secondary_emails::SecondaryEmailsConfig;
pub use space_limits::SpaceLimitsConfig;

use secrecy::SecretString;
use serde::{Deserialize, Serialize, Serializer};
use std::net::SocketAddr;

/// How a secret reads wherever configuration is shown.
pub const REDACTED: &str = "[redacted]";

/// The whole configuration of one bridge process.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The address the HTTP server binds.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Log output: `pretty` or `json`.
    #[serde(default)]
    pub log_format: LogFormat,
    /// How URLs in responses are built when the bridge runs behind a proxy.
    #[serde(default)]
    pub http: HttpConfig,
    /// Accepted IdP credentials.
    #[serde(default)]
    pub auth: AuthConfig,
    /// How to reach Dropbox.
    #[serde(default)]
    pub dropbox: DropboxConfig,
    /// The bridge's own database.
    #[serde(default)]
    pub store: StoreConfig,
    /// User provisioning behaviour.
    #[serde(default)]
    pub users: UsersConfig,
    /// What `DELETE /Users/{id}` does.
    #[serde(default)]
    pub deprovision: DeprovisionConfig,
    /// Prometheus `/metrics`: off, on the main address behind a token, or on its own address.
    #[serde(default)]
    pub metrics: MetricsConfig,
    /// Audit log retention and the SIEM log line.
    #[serde(default)]
    pub audit: audit::AuditConfig,
    /// The operator's status page (off unless `[status] token_sha256` is set).
    #[serde(default)]
    pub status: status::StatusConfig,
    /// How concurrent creates and look-ups share Dropbox calls.
    #[serde(default)]
    pub coalesce: CoalesceConfig,
    /// Which non-primary SCIM `emails` become Dropbox secondary e-mails (off by default).
    #[serde(default)]
    pub secondary_emails: SecondaryEmailsConfig,
    /// Dropbox admin roles driven by the IdP (`[roles]`, off by default).
    #[serde(default)]
    pub roles: RolesConfig,
    /// Custom member space limits from SCIM (off by default).
    #[serde(default)]
    pub space_limits: SpaceLimitsConfig,
}

/// Log line format.
#[derive(Debug, Default, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable, for terminals.
    #[default]
    Pretty,
    /// One JSON object per line, for log pipelines.
    Json,
}

/// Public URL settings for `meta.location` and `Location` behind a reverse proxy.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// The externally visible origin, e.g. `https://scim.example.com`, optionally with the path a proxy
    /// strips (`https://example.com/dropbox`); the SCIM base is this + `path_prefix`. Wins over headers.
    pub public_base_url: Option<String>,
    /// Trust `X-Forwarded-Proto` / `-Host` / `-Prefix` (only when a proxy you control sets them).
    #[serde(default)]
    pub trust_forwarded_headers: bool,
    /// Where the SCIM API is mounted.
    #[serde(default = "default_prefix")]
    pub path_prefix: String,
    /// Largest accepted request body, in bytes.
    #[serde(default = "default_body_limit")]
    pub body_limit_bytes: usize,
    /// Longest a request may take before it is answered with 503.
    #[serde(default = "default_request_timeout")]
    pub request_timeout_secs: u64,
    /// Host names (optionally `host:port`) a request may name in `Host` (or, when trusted, the last
    /// `X-Forwarded-Host`); others get 400. Empty accepts any. Start-up needs this or `public_base_url`
    /// unless the bridge listens on loopback and talks to an emulator. From the environment, a
    /// comma-separated list (`SCIM_BRIDGE_HTTP__ALLOWED_HOSTS=scim.example.com,10.0.0.5:8080`).
    #[serde(default, deserialize_with = "list_or_commas")]
    pub allowed_hosts: Vec<String>,
    /// Longest a client may take to send a request's headers, from when the connection waits for them.
    #[serde(default = "default_header_read_timeout")]
    pub header_read_timeout_secs: u64,
    /// A connection with no request in flight for this long is closed.
    #[serde(default = "default_idle_timeout")]
    pub idle_timeout_secs: u64,
    /// Most connections open at once; past it the oldest idle one is closed, or accepting waits.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// How old a readiness result `/readyz` answers with may get before it is refreshed in the background.
    #[serde(default = "default_readiness_cache")]
    pub readiness_cache_secs: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            public_base_url: None,
            trust_forwarded_headers: false,
            path_prefix: default_prefix(),
            body_limit_bytes: default_body_limit(),
            request_timeout_secs: default_request_timeout(),
            allowed_hosts: Vec::new(),
            header_read_timeout_secs: default_header_read_timeout(),
            idle_timeout_secs: default_idle_timeout(),
            max_connections: default_max_connections(),
            readiness_cache_secs: default_readiness_cache(),
        }
    }
}

/// Accepted bearer tokens, stored only as SHA-256 hashes.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Accepted tokens: a name for the audit log and the hex SHA-256 of the token.
    #[serde(default)]
    pub tokens: Vec<TokenEntry>,
    /// Plain tokens added by `SCIM_BRIDGE_TOKEN` (never written to a file by the bridge).
    #[serde(skip)]
    pub plain_tokens: Vec<SecretString>,
    /// JWTs an identity provider issues itself (`[auth.jwt]`), accepted next to the tokens.
    #[serde(default)]
    pub jwt: Option<JwtConfig>,
    /// Which client addresses may call the SCIM API (`[auth.allow_list]`).
    #[serde(default)]
    pub allow_list: AllowListConfig,
}

/// One accepted IdP token.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TokenEntry {
    /// A label that appears in the audit log as the client, e.g. `okta`.
    pub name: String,
    /// Lower-case hex SHA-256 of the token (see `dropbox-scim-bridge token`).
    pub sha256: String,
    /// Reads only: GET and POST `.search`; every write with this token gets 403.
    #[serde(default)]
    pub read_only: bool,
}

/// Dropbox connection settings; credentials are either an access token or the refresh-token flow.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DropboxConfig {
    /// API origin; only changed to point at an emulator.
    #[serde(default = "default_dropbox_url")]
    pub base_url: String,
    /// A long-lived team access token (scripts, emulator).
    #[serde(serialize_with = "redact")]
    pub access_token: Option<SecretString>,
    /// App key for the refresh-token flow.
    pub app_key: Option<String>,
    /// App secret for the refresh-token flow; not needed when the refresh token came from PKCE.
    #[serde(serialize_with = "redact")]
    pub app_secret: Option<SecretString>,
    /// Offline refresh token of a team-linked app.
    #[serde(serialize_with = "redact")]
    pub refresh_token: Option<SecretString>,
    /// Per-request timeout.
    #[serde(default = "default_dropbox_timeout")]
    pub timeout_secs: u64,
    /// The longest Dropbox `Retry-After` the bridge waits out inside one IdP request; longer waits are
    /// passed back to the IdP as 429 with `Retry-After`.
    #[serde(default = "default_max_retry_wait")]
    pub max_retry_wait_secs: u64,
    /// A PEM file of extra trusted CAs for outbound HTTPS (a TLS-inspecting corporate proxy).
    #[serde(default)]
    pub ca_bundle: Option<std::path::PathBuf>,
    /// The client-side budget of Dropbox calls per minute (`[dropbox.rate_budget]`).
    #[serde(default)]
    pub rate_budget: RateBudgetConfig,
}

impl Default for DropboxConfig {
    fn default() -> Self {
        Self {
            base_url: default_dropbox_url(),
            access_token: None,
            app_key: None,
            app_secret: None,
            refresh_token: None,
            timeout_secs: default_dropbox_timeout(),
            max_retry_wait_secs: default_max_retry_wait(),
            ca_bundle: None,
            rate_budget: RateBudgetConfig::default(),
        }
    }
}

/// Where the bridge keeps what Dropbox cannot hold.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// `sqlite://path?mode=rwc` (default) or `postgres://user@host/db` for several replicas.
    #[serde(default = "default_store_url")]
    pub url: String,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            url: default_store_url(),
        }
    }
}

/// User provisioning behaviour.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UsersConfig {
    /// Send Dropbox's welcome e-mail to new members.
    #[serde(default = "yes")]
    pub send_welcome_email: bool,
    /// `wipe_data` for `active: false` (suspend); Dropbox's own default is true.
    #[serde(default)]
    pub suspend_wipe_data: bool,
    /// Re-creating a member removed less than 7 days ago recovers them instead of inviting anew.
    #[serde(default)]
    pub recover_recently_removed: bool,
    /// How old the team mirror may get before a listing refreshes it.
    #[serde(default = "default_mirror_age")]
    pub mirror_max_age_secs: u64,
}

impl Default for UsersConfig {
    fn default() -> Self {
        Self {
            send_welcome_email: true,
            suspend_wipe_data: false,
            recover_recently_removed: false,
            mirror_max_age_secs: default_mirror_age(),
        }
    }
}

/// Serializes a secret as [`REDACTED`] (or nothing when unset), so that showing the config is safe.
fn redact<S: Serializer>(secret: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match secret {
        Some(_) => s.serialize_some(REDACTED),
        None => s.serialize_none(),
    }
}

/// A list given as a TOML array, or as one comma-separated string (how an environment variable has it).
fn list_or_commas<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrString {
        List(Vec<String>),
        String(String),
    }
    Ok(match ListOrString::deserialize(d)? {
        ListOrString::List(list) => list,
        ListOrString::String(s) => s
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}
fn default_prefix() -> String {
    "/scim/v2".to_owned()
}
fn default_body_limit() -> usize {
    1024 * 1024
}
fn default_request_timeout() -> u64 {
    60
}
fn default_header_read_timeout() -> u64 {
    10
}
fn default_idle_timeout() -> u64 {
    60
}
fn default_max_connections() -> usize {
    1024
}
fn default_readiness_cache() -> u64 {
    30
}
fn default_dropbox_url() -> String {
    "https://api.dropboxapi.com".to_owned()
}
fn default_dropbox_timeout() -> u64 {
    30
}
fn default_max_retry_wait() -> u64 {
    20
}
fn default_store_url() -> String {
    "sqlite://data/bridge.sqlite?mode=rwc".to_owned()
}
fn default_mirror_age() -> u64 {
    300
}
fn yes() -> bool {
    true
}

#[cfg(test)]
mod tests;
