//! `POST /oauth2/token`: the refresh-token grant and the dispatch to the authorization-code grant,
//! with Dropbox's error shape `{"error": "...", "error_description": "..."}`.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use serde_json::{Value, json};

use super::Emulator;
use super::auth::{Token, new_token_string};
use super::oauth_code::{self, PendingCode};
use super::state::Model;
use super::wire::json_response;

/// Codes issued by `/oauth2/authorize` and refresh tokens issued by the code exchange.
#[derive(Debug, Default)]
pub(crate) struct OAuthState {
    /// Authorization codes by value; a used code stays here, marked used, until it expires.
    pub codes: HashMap<String, PendingCode>,
    /// Refresh tokens from the code flow.
    pub grants: HashMap<String, Grant>,
}

/// What a refresh token from the code flow allows.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    /// The app the token was issued to.
    pub client_id: String,
    /// The scopes every access token minted from it holds.
    pub scopes: Vec<String>,
    /// Issued through PKCE: refreshing needs no app secret.
    pub pkce: bool,
}

/// An OAuth 2 error answer; Dropbox sends every one with status 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthError {
    /// `invalid_grant`, `invalid_client`, `invalid_request`, ...
    pub code: &'static str,
    /// Dropbox's `error_description`.
    pub description: String,
}

impl OAuthError {
    /// An error with its description.
    pub fn new(code: &'static str, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
        }
    }

    fn into_response(self) -> Response {
        let body = json!({"error": self.code, "error_description": self.description});
        json_response(StatusCode::BAD_REQUEST, &body)
    }
}

/// The form of a token request plus the client credentials from the body or HTTP Basic.
#[derive(Debug, Default)]
pub(crate) struct TokenRequest {
    /// The form fields.
    pub form: HashMap<String, String>,
    /// `client_id`, from Basic or the form.
    pub client_id: Option<String>,
    /// `client_secret`, from Basic or the form.
    pub client_secret: Option<String>,
}

impl TokenRequest {
    /// Parses an urlencoded body and the Authorization header.
    pub fn parse(headers: &HeaderMap, body: &str) -> Self {
        let form: HashMap<String, String> = serde_urlencoded::from_str(body).unwrap_or_default();
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
            .and_then(|s| s.split_once(':').map(|(a, b)| (a.to_owned(), b.to_owned())));
        let (client_id, client_secret) = match basic {
            Some((id, secret)) => (Some(id), Some(secret)),
            None => (
                form.get("client_id").cloned(),
                form.get("client_secret").cloned(),
            ),
        };
        Self {
            form,
            client_id,
            client_secret,
        }
    }

    /// A form field.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.form.get(key).map(String::as_str)
    }
}

/// `POST /oauth2/token` with `grant_type=refresh_token` or `authorization_code`.
pub(crate) async fn oauth_token(
    State(emu): State<Emulator>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let req = TokenRequest::parse(&headers, &body);
    let mut model = emu.lock();
    *model.stats.entry("oauth2/token".to_string()).or_default() += 1;
    let result = match req.get("grant_type") {
        Some("refresh_token") => refresh(&mut model, &req),
        Some("authorization_code") => oauth_code::exchange(&mut model, &req),
        Some(_) => Err(OAuthError::new(
            "unsupported_grant_type",
            "unsupported grant_type",
        )),
        None => Err(OAuthError::new(
            "invalid_request",
            "No grant_type provided.",
        )),
    };
    match result {
        Ok(body) => json_response(StatusCode::OK, &body),
        Err(e) => e.into_response(),
    }
}

/// Checks `client_id` against the app key and, when given or `required`, the secret.
pub(crate) fn check_client(
    model: &Model,
    req: &TokenRequest,
    secret_required: bool,
) -> Result<(), OAuthError> {
    let invalid = || OAuthError::new("invalid_client", "Invalid client_id or client_secret");
    if req.client_id.as_deref() != Some(model.cfg.app_key.as_str()) {
        return Err(invalid());
    }
    match req.client_secret.as_deref() {
        Some(secret) if secret != model.cfg.app_secret => Err(invalid()),
        None if secret_required => Err(invalid()),
        _ => Ok(()),
    }
}

/// Mints an access token with `scopes` and the configured lifetime; returns the token response.
pub(crate) fn mint(model: &mut Model, scopes: &[String]) -> Value {
    let ttl = model.cfg.access_token_ttl;
    let expires = model.now() + chrono::Duration::from_std(ttl).unwrap_or_default();
    let token = new_token_string();
    let scope_refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
    model
        .tokens
        .insert(token.clone(), Token::team(&scope_refs, Some(expires)));
    json!({"access_token": token, "token_type": "bearer", "expires_in": ttl.as_secs()})
}

/// The refresh grant: the configured refresh token (secret required) or one from the code flow
/// (secret required unless it was issued through PKCE).
pub(crate) fn refresh(model: &mut Model, req: &TokenRequest) -> Result<Value, OAuthError> {
    let Some(rt) = req.get("refresh_token") else {
        check_client(model, req, true)?;
        return Err(OAuthError::new(
            "invalid_request",
            "No refresh_token provided.",
        ));
    };
    if rt == model.cfg.refresh_token {
        check_client(model, req, true)?;
        return Ok(mint(model, &["all".to_owned()]));
    }
    let Some(grant) = model.oauth.grants.get(rt).cloned() else {
        check_client(model, req, true)?;
        return Err(OAuthError::new(
            "invalid_grant",
            "refresh token is invalid or revoked",
        ));
    };
    check_client(model, req, !grant.pkce)?;
    if req.client_id.as_deref() != Some(grant.client_id.as_str()) {
        return Err(OAuthError::new(
            "invalid_grant",
            "refresh token was issued to another app",
        ));
    }
    let mut body = mint(model, &grant.scopes);
    body["scope"] = json!(grant.scopes.join(" "));
    Ok(body)
}
