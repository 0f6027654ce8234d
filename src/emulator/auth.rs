//! Bearer-token table, per-route scope checks, and the `/oauth2/token` refresh flow.

use std::collections::HashSet;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::Emulator;
use super::state::{Model, random_chars};
use super::wire::{ApiError, json_response};

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

fn oauth_error(code: &str, description: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({"error": code, "error_description": description}),
    )
}

/// `POST /oauth2/token` with `grant_type=refresh_token` (client creds in the body or HTTP Basic).
pub(crate) async fn oauth_token(
    State(emu): State<Emulator>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let form: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            s.split_once(':')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        });
    let (client_id, secret) = match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (get("client_id"), get("client_secret")),
    };
    let mut model = emu.lock();
    *model.stats.entry("oauth2/token".to_string()).or_default() += 1;
    match get("grant_type").as_deref() {
        Some("refresh_token") => {}
        Some(_) => return oauth_error("unsupported_grant_type", "unsupported grant_type"),
        None => return oauth_error("invalid_request", "No grant_type provided."),
    }
    if client_id.as_deref() != Some(model.cfg.app_key.as_str()) {
        return oauth_error("invalid_client", "Invalid client_id or client_secret");
    }
    if secret.as_deref() != Some(model.cfg.app_secret.as_str()) {
        return oauth_error("invalid_client", "Invalid client_id or client_secret");
    }
    match get("refresh_token") {
        Some(rt) if rt == model.cfg.refresh_token => {}
        Some(_) => return oauth_error("invalid_grant", "refresh token is invalid or revoked"),
        None => return oauth_error("invalid_request", "No refresh_token provided."),
    }
    let ttl = model.cfg.access_token_ttl;
    let expires = model.now() + chrono::Duration::from_std(ttl).unwrap_or_default();
    let token = new_token_string();
    model
        .tokens
        .insert(token.clone(), Token::team_all(Some(expires)));
    let body: Value =
        json!({"access_token": token, "token_type": "bearer", "expires_in": ttl.as_secs()});
    json_response(StatusCode::OK, &body)
}
