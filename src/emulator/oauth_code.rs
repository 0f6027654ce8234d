//! The authorization-code flow: `GET /oauth2/authorize` auto-approves and issues a code (shown on a
//! page, or sent to `redirect_uri`), and the `authorization_code` grant exchanges it once, within
//! ten minutes, after checking the PKCE verifier (S256 or plain) or the app secret.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Emulator;
use super::auth::ALL_SCOPES;
use super::oauth::{Grant, OAuthError, TokenRequest, check_client, mint};
use super::state::{Model, random_chars};

/// How long an authorization code can be exchanged.
pub(crate) const CODE_TTL: chrono::Duration = chrono::Duration::minutes(10);

/// How the client derived `code_challenge` from its verifier (RFC 7636 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChallengeMethod {
    /// `BASE64URL(SHA256(verifier))` without padding.
    S256,
    /// The verifier itself.
    Plain,
}

/// An issued authorization code and what it was issued for.
#[derive(Debug, Clone)]
pub(crate) struct PendingCode {
    client_id: String,
    challenge: Option<(String, ChallengeMethod)>,
    redirect_uri: Option<String>,
    scopes: Vec<String>,
    offline: bool,
    issued_at: DateTime<Utc>,
    used: bool,
}

/// A code issued by `/oauth2/authorize`, and where to send the browser, if anywhere.
#[derive(Debug)]
pub(crate) struct Authorized {
    /// The authorization code.
    pub code: String,
    /// `redirect_uri` with `code` (and `state`) appended, when the request named one.
    pub redirect: Option<String>,
}

/// `GET /oauth2/authorize`: the team admin's approval, granted at once.
pub(crate) async fn authorize(
    State(emu): State<Emulator>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut model = emu.lock();
    *model
        .stats
        .entry("oauth2/authorize".to_owned())
        .or_default() += 1;
    match issue_code(&mut model, &query) {
        Ok(Authorized {
            redirect: Some(url),
            ..
        }) => (StatusCode::FOUND, [(header::LOCATION, url)]).into_response(),
        Ok(Authorized { code, .. }) => Html(format!(
            "<!doctype html><html><head><title>API Request Authorization - Dropbox</title></head>\
             <body><h1>Access code generated</h1><p>Enter this code into the app to finish the \
             process.</p><input id=\"auth-code\" type=\"text\" readonly value=\"{code}\"></body></html>"
        ))
        .into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Html(format!(
                "<!doctype html><html><head><title>Error - Dropbox</title></head><body><h1>{}</h1>\
                 <p>{}</p></body></html>",
                e.code,
                escape(&e.description)
            )),
        )
            .into_response(),
    }
}

/// Validates an authorize request and records a fresh code.
pub(crate) fn issue_code(
    model: &mut Model,
    query: &HashMap<String, String>,
) -> Result<Authorized, OAuthError> {
    let get = |k: &str| query.get(k).map(String::as_str);
    let client_id = get("client_id").unwrap_or_default();
    if client_id != model.cfg.app_key {
        return Err(OAuthError::new(
            "invalid_request",
            format!("Invalid client_id: \"{client_id}\""),
        ));
    }
    if get("response_type") != Some("code") {
        return Err(OAuthError::new(
            "unsupported_response_type",
            "response_type must be \"code\"",
        ));
    }
    let challenge = match (get("code_challenge"), get("code_challenge_method")) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(invalid_request(
                "code_challenge_method without code_challenge",
            ));
        }
        (Some(c), method) => {
            if !is_pkce_string(c) {
                return Err(invalid_request(
                    "code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~]",
                ));
            }
            let method = match method {
                Some("S256") => ChallengeMethod::S256,
                Some("plain") | None => ChallengeMethod::Plain,
                Some(other) => {
                    return Err(invalid_request(&format!(
                        "unknown code_challenge_method \"{other}\"; use S256 or plain"
                    )));
                }
            };
            Some((c.to_owned(), method))
        }
    };
    let offline = match get("token_access_type") {
        None | Some("online") | Some("legacy") => false,
        Some("offline") => true,
        Some(other) => {
            return Err(invalid_request(&format!(
                "unknown token_access_type \"{other}\"; use offline or online"
            )));
        }
    };
    let scopes = requested_scopes(get("scope"))?;
    let redirect_uri = get("redirect_uri").map(str::to_owned);
    let code = random_chars(43);
    let redirect = match &redirect_uri {
        None => None,
        Some(uri) => {
            let mut url = url::Url::parse(uri)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or_else(|| invalid_request("redirect_uri must be an http(s) URL"))?;
            url.query_pairs_mut().append_pair("code", &code);
            if let Some(state) = get("state") {
                url.query_pairs_mut().append_pair("state", state);
            }
            Some(url.to_string())
        }
    };
    let now = model.now();
    model
        .oauth
        .codes
        .retain(|_, c| now - c.issued_at < CODE_TTL);
    model.oauth.codes.insert(
        code.clone(),
        PendingCode {
            client_id: client_id.to_owned(),
            challenge,
            redirect_uri,
            scopes,
            offline,
            issued_at: now,
            used: false,
        },
    );
    Ok(Authorized { code, redirect })
}

/// The `authorization_code` grant: one exchange per code, before it expires.
pub(crate) fn exchange(model: &mut Model, req: &TokenRequest) -> Result<Value, OAuthError> {
    let code = req
        .get("code")
        .ok_or_else(|| invalid_request("No code provided."))?;
    let verifier = req.get("code_verifier");
    if verifier.is_some_and(|v| !is_pkce_string(v)) {
        return Err(invalid_request(
            "code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]",
        ));
    }
    // A public (PKCE) client has no secret; a confidential one must send it.
    check_client(model, req, verifier.is_none())?;
    let now = model.now();
    let gone = || OAuthError::new("invalid_grant", "code doesn't exist or has expired");
    let pending = model.oauth.codes.get_mut(code).ok_or_else(gone)?;
    if pending.used || now - pending.issued_at >= CODE_TTL {
        return Err(gone());
    }
    // Any attempt spends the code, so a guessed verifier cannot be retried.
    pending.used = true;
    let pending = pending.clone();
    if req.client_id.as_deref() != Some(pending.client_id.as_str()) {
        return Err(OAuthError::new(
            "invalid_grant",
            "code was issued to another app",
        ));
    }
    if req.get("redirect_uri") != pending.redirect_uri.as_deref() {
        return Err(OAuthError::new("invalid_grant", "redirect_uri mismatch"));
    }
    match (&pending.challenge, verifier) {
        (Some((challenge, method)), Some(v)) if verifies(v, challenge, *method) => {}
        (Some(_), _) => return Err(OAuthError::new("invalid_grant", "invalid code verifier")),
        (None, Some(_)) => {
            return Err(OAuthError::new(
                "invalid_grant",
                "code_verifier given but the code was issued without a code_challenge",
            ));
        }
        (None, None) => {}
    }
    let mut body = mint(model, &pending.scopes);
    body["scope"] = json!(pending.scopes.join(" "));
    body["team_id"] = json!(model.team_id);
    if pending.offline {
        let refresh_token = random_chars(64);
        model.oauth.grants.insert(
            refresh_token.clone(),
            Grant {
                client_id: pending.client_id,
                scopes: pending.scopes,
                pkce: pending.challenge.is_some(),
            },
        );
        body["refresh_token"] = json!(refresh_token);
    }
    Ok(body)
}

/// Whether `verifier` matches `challenge` under `method` (RFC 7636 §4.6).
pub(crate) fn verifies(verifier: &str, challenge: &str, method: ChallengeMethod) -> bool {
    match method {
        ChallengeMethod::Plain => verifier == challenge,
        ChallengeMethod::S256 => {
            let digest = Sha256::digest(verifier.as_bytes());
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest) == challenge
        }
    }
}

/// The requested scopes: all of the app's when none are named; an unknown one is refused.
fn requested_scopes(scope: Option<&str>) -> Result<Vec<String>, OAuthError> {
    let mut scopes: Vec<String> = Vec::new();
    for s in scope.unwrap_or_default().split_whitespace() {
        if !ALL_SCOPES.contains(&s) {
            return Err(OAuthError::new(
                "invalid_scope",
                format!("scope \"{s}\" is not enabled for this app"),
            ));
        }
        if !scopes.iter().any(|have| have == s) {
            scopes.push(s.to_owned());
        }
    }
    if scopes.is_empty() {
        scopes = ALL_SCOPES.iter().map(|s| (*s).to_owned()).collect();
    }
    Ok(scopes)
}

/// 43 to 128 characters from RFC 7636's unreserved set.
fn is_pkce_string(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

fn invalid_request(description: &str) -> OAuthError {
    OAuthError::new("invalid_request", description)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
