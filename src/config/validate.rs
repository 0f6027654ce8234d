//! Checks on values that parse but make no sense, alone or together.

use super::{Config, ConfigError};

impl Config {
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
            if !matches!(parsed.scheme(), "http" | "https")
                || parsed.host().is_none()
                || parsed.query().is_some()
                || parsed.fragment().is_some()
                || !parsed.username().is_empty()
            {
                return Err(ConfigError::invalid(
                    "http.public_base_url",
                    "must be an http(s) origin, optionally with a path, such as https://scim.example.com",
                ));
            }
        }
        self.validate_http_limits()?;
        for (i, t) in self.auth.tokens.iter().enumerate() {
            if t.sha256.len() != 64 || !t.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(ConfigError::invalid(
                    &format!("auth.tokens[{i}].sha256"),
                    "must be 64 hex characters; make one with `dropbox-scim-bridge token`",
                ));
            }
        }
        if let Some(jwt) = &self.auth.jwt {
            jwt.validate()?;
        }
        self.auth.allow_list.validate()?;
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
        self.dropbox.rate_budget.validate()?;
        self.validate_operator_tokens()?;
        self.roles.validate()?;
        self.space_limits.validate()?;
        self.deprovision.validate()
    }

    /// The status page and `/metrics` tokens must not be IdP tokens: every IdP could read them, and the
    /// status page refuses IdP tokens, which would lock the operator out without saying why.
    fn validate_operator_tokens(&self) -> Result<(), ConfigError> {
        use secrecy::ExposeSecret;
        let idp: Vec<String> = self
            .auth
            .tokens
            .iter()
            .map(|t| t.sha256.to_ascii_lowercase())
            .chain(
                self.auth
                    .plain_tokens
                    .iter()
                    .map(|t| crate::tokens::token_hash_hex(t.expose_secret())),
            )
            .collect();
        let operator = [
            ("status.token_sha256", self.status.token_sha256.clone()),
            (
                "metrics.token_sha256",
                self.metrics.token_sha256.clone().map(String::from),
            ),
        ];
        for (key, hash) in operator {
            if hash.is_some_and(|h| idp.contains(&h.to_ascii_lowercase())) {
                return Err(ConfigError::invalid(
                    key,
                    "is the hash of an IdP token (auth.tokens or SCIM_BRIDGE_TOKEN); give the operator \
                     a token of its own: `dropbox-scim-bridge token --name operator`",
                ));
            }
        }
        Ok(())
    }

    /// Timeouts and limits must be positive; allowed hosts must be plain `host[:port]` values.
    fn validate_http_limits(&self) -> Result<(), ConfigError> {
        let h = &self.http;
        for (key, value) in [
            ("http.header_read_timeout_secs", h.header_read_timeout_secs),
            ("http.idle_timeout_secs", h.idle_timeout_secs),
            ("http.request_timeout_secs", h.request_timeout_secs),
            ("http.max_connections", h.max_connections as u64),
        ] {
            if value == 0 {
                return Err(ConfigError::invalid(key, "must be at least 1"));
            }
        }
        for (i, host) in h.allowed_hosts.iter().enumerate() {
            if !crate::http::base_url::is_host_value(host) {
                return Err(ConfigError::invalid(
                    &format!("http.allowed_hosts[{i}]"),
                    "must be a host name or address, optionally with `:port`, e.g. scim.example.com",
                ));
            }
        }
        Ok(())
    }

    /// Whether any IdP credential is configured (the server refuses to start without one).
    pub fn has_tokens(&self) -> bool {
        !self.auth.tokens.is_empty()
            || !self.auth.plain_tokens.is_empty()
            || self.auth.jwt.is_some()
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
