//! Bearer tokens and per-route scope checks.

use std::collections::HashSet;

use axum::http::{HeaderMap, header};
use chrono::{DateTime, Utc};
use serde_json::json;

use super::state::{Model, random_chars};
use super::wire::ApiError;

/// Every scope our routes need.
pub const ALL_SCOPES: &[&str] = &[
    "members.read",
    "members.write",
    "members.delete",
    "groups.read",
    "groups.write",
    "team_info.read",
];

/// One issued access token.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    scopes: HashSet<String>,
    expires_at: Option<DateTime<Utc>>,
}

impl Token {
    /// A team token holding every scope.
    pub fn team_all(expires_at: Option<DateTime<Utc>>) -> Self {
        Token {
            scopes: ALL_SCOPES.iter().map(|s| s.to_string()).collect(),
            expires_at,
        }
    }

    /// A team token holding the given scopes (`"all"` expands to every scope).
    pub fn team(scopes: &[&str], expires_at: Option<DateTime<Utc>>) -> Self {
        if scopes.contains(&"all") {
            return Self::team_all(expires_at);
        }
        Token {
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            expires_at,
        }
    }

    /// Marks the token expired at `now`.
    pub fn expire(&mut self, now: DateTime<Utc>) {
        self.expires_at = Some(now - chrono::Duration::seconds(1));
    }
}

/// A fresh `sl.`-style access token string.
pub(crate) fn new_token_string() -> String {
    format!("sl.{}", random_chars(40))
}

/// Checks the Authorization header, the token and the route's scope.
pub(crate) fn authorize(model: &Model, headers: &HeaderMap, scope: &str) -> Result<(), ApiError> {
    let malformed =
        || ApiError::BadRequest("The given OAuth 2 access token is malformed.".to_string());
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(malformed)?;
    let token = value
        .strip_prefix("Bearer ")
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(malformed)?;
    let Some(entry) = model.tokens.get(token.trim()) else {
        return Err(ApiError::Auth(json!({".tag": "invalid_access_token"})));
    };
    if entry.expires_at.is_some_and(|at| at <= model.now()) {
        return Err(ApiError::Auth(json!({".tag": "expired_access_token"})));
    }
    if !entry.scopes.contains(scope) {
        return Err(ApiError::Auth(
            json!({".tag": "missing_scope", "required_scope": scope}),
        ));
    }
    Ok(())
}
