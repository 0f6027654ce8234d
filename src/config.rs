//! Typed configuration: a TOML file plus environment overrides, validated at start-up.
//!
//! Precedence: built-in defaults < TOML file < `SCIM_BRIDGE_*` environment variables. A nested key is
//! written with `__` (`SCIM_BRIDGE_DROPBOX__APP_KEY`), and any key ending in `_FILE` reads the value from
//! that file (`SCIM_BRIDGE_DROPBOX__APP_SECRET_FILE=/run/secrets/app_secret`). Two shortcuts work in
//! every mode: `SCIM_BRIDGE_LISTEN` sets the listen address and `SCIM_BRIDGE_TOKEN` adds an accepted bearer
//! token. Unknown keys are errors that name the key, so a typo never silently falls back to a default.

mod env;
mod policy;

pub use policy::{DeprovisionConfig, DeprovisionPolicy, TransferTo};

use secrecy::SecretString;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// A configuration problem, with the offending key where there is one.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file that was asked for.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// The TOML (or an environment override) does not fit the schema.
    #[error("invalid configuration: {0}")]
    Parse(String),
    /// A value is well-formed but not acceptable.
    #[error("invalid configuration: `{key}`: {message}")]
    Invalid {
        /// The dotted key, e.g. `deprovision.keep_account`.
        key: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

impl ConfigError {
    pub(crate) fn invalid(key: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            key: key.to_owned(),
            message: message.into(),
        }
    }
}

/// The whole configuration of one bridge process.
#[derive(Debug, Deserialize)]
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
}

/// Log line format.
#[derive(Debug, Default, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable, for terminals.
    #[default]
    Pretty,
    /// One JSON object per line, for log pipelines.
    Json,
}

/// Public URL settings for `meta.location` and `Location` behind a reverse proxy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// The externally visible origin, e.g. `https://scim.example.com`; wins over forwarded headers.
    pub public_base_url: Option<String>,
    /// Trust `X-Forwarded-Proto` / `X-Forwarded-Host` (only when a proxy you control sets them).
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
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            public_base_url: None,
            trust_forwarded_headers: false,
            path_prefix: default_prefix(),
            body_limit_bytes: default_body_limit(),
            request_timeout_secs: default_request_timeout(),
        }
    }
}

/// Accepted bearer tokens, stored only as SHA-256 hashes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Accepted tokens: a name for the audit log and the hex SHA-256 of the token.
    #[serde(default)]
    pub tokens: Vec<TokenEntry>,
    /// Plain tokens added by `SCIM_BRIDGE_TOKEN` (never written to a file by the bridge).
    #[serde(skip)]
    pub plain_tokens: Vec<SecretString>,
}

/// One accepted IdP token.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenEntry {
    /// A label that appears in the audit log as the client, e.g. `okta`.
    pub name: String,
    /// Lower-case hex SHA-256 of the token (see `dropbox-scim-bridge token`).
    pub sha256: String,
}

/// Dropbox connection settings; credentials are either an access token or the refresh-token flow.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DropboxConfig {
    /// API origin; only changed to point at an emulator.
    #[serde(default = "default_dropbox_url")]
    pub base_url: String,
    /// A long-lived team access token (scripts, emulator).
    pub access_token: Option<SecretString>,
    /// App key for the refresh-token flow.
    pub app_key: Option<String>,
    /// App secret for the refresh-token flow; not needed when the refresh token came from PKCE.
    pub app_secret: Option<SecretString>,
    /// Offline refresh token of a team-linked app.
    pub refresh_token: Option<SecretString>,
    /// Per-request timeout.
    #[serde(default = "default_dropbox_timeout")]
    pub timeout_secs: u64,
    /// The longest Dropbox `Retry-After` the bridge waits out inside one IdP request; longer waits are
    /// passed back to the IdP as 429 with `Retry-After`.
    #[serde(default = "default_max_retry_wait")]
    pub max_retry_wait_secs: u64,
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
        }
    }
}

/// Where the bridge keeps what Dropbox cannot hold.
#[derive(Debug, Deserialize)]
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
#[derive(Debug, Deserialize)]
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

impl Config {
    /// Loads the TOML file (if any), applies the environment, and validates the result.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_from(file, std::env::vars())
    }

    /// Like [`Config::load`], with the environment given explicitly (for tests).
    pub fn load_from(
        file: Option<&Path>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut table = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_owned(),
                    source,
                })?;
                text.parse::<toml::Table>()
                    .map_err(|e| ConfigError::Parse(format!("{}: {e}", path.display())))?
            }
            None => toml::Table::new(),
        };
        let plain_tokens = env::apply(&mut table, vars)?;
        let mut config: Config =
            toml::Value::Table(table)
                .try_into()
                .map_err(|e: toml::de::Error| {
                    ConfigError::Parse(e.message().to_owned() + key_hint(&e))
                })?;
        config.auth.plain_tokens = plain_tokens;
        config.validate()?;
        Ok(config)
    }

    /// Checks values that parse but make no sense together.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let prefix = &self.http.path_prefix;
        if !prefix.starts_with('/') || (prefix.len() > 1 && prefix.ends_with('/')) {
            return Err(ConfigError::invalid(
                "http.path_prefix",
                "must start with `/` and not end with one, e.g. `/scim/v2`",
            ));
        }
        if let Some(url) = &self.http.public_base_url {
            let parsed = url::Url::parse(url).map_err(|e| {
                ConfigError::invalid("http.public_base_url", format!("not a URL: {e}"))
            })?;
            if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
                return Err(ConfigError::invalid(
                    "http.public_base_url",
                    "must be an http(s) origin such as https://scim.example.com",
                ));
            }
        }
        for (i, t) in self.auth.tokens.iter().enumerate() {
            if t.sha256.len() != 64 || !t.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(ConfigError::invalid(
                    &format!("auth.tokens[{i}].sha256"),
                    "must be 64 hex characters; make one with `dropbox-scim-bridge token`",
                ));
            }
        }
        url::Url::parse(&self.dropbox.base_url)
            .map_err(|e| ConfigError::invalid("dropbox.base_url", format!("not a URL: {e}")))?;
        if !(self.store.url.starts_with("sqlite:")
            || self.store.url.starts_with("postgres://")
            || self.store.url.starts_with("postgresql://"))
        {
            return Err(ConfigError::invalid(
                "store.url",
                "must start with sqlite: or postgres://",
            ));
        }
        self.deprovision.validate()
    }

    /// Whether any IdP credential is configured (the server refuses to start without one).
    pub fn has_tokens(&self) -> bool {
        !self.auth.tokens.is_empty() || !self.auth.plain_tokens.is_empty()
    }

    /// Checks that Dropbox credentials are complete; returns which flow is configured.
    pub fn dropbox_credentials_complete(&self) -> Result<(), ConfigError> {
        let d = &self.dropbox;
        if d.access_token.is_some() {
            return Ok(());
        }
        match (&d.app_key, &d.app_secret, &d.refresh_token) {
            // Without a secret the refresh token must come from the PKCE flow (`dropbox-login`).
            (Some(_), _, Some(_)) => Ok(()),
            (None, None, None) => Err(ConfigError::invalid(
                "dropbox",
                "set `access_token`, or `app_key` + `refresh_token` (see `dropbox-scim-bridge dropbox-login`)",
            )),
            _ => Err(ConfigError::invalid(
                "dropbox",
                "the refresh-token flow needs `app_key` and `refresh_token`, and `app_secret` too unless the \
                 refresh token came from `dropbox-scim-bridge dropbox-login` (PKCE); set all three, or the two",
            )),
        }
    }
}

fn key_hint(e: &toml::de::Error) -> &'static str {
    if e.message().contains("unknown field") {
        " (check the spelling; environment keys are SCIM_BRIDGE_<SECTION>__<KEY>)"
    } else {
        ""
    }
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
