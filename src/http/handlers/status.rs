//! The operator's status page: `GET /status` (HTML), `GET /status.json`, `POST /status/login` and
//! `POST /status/logout`. Read-only, and 404 unless `[status] token_sha256` is configured.
//!
//! The operator token is not an IdP token: SCIM tokens are refused here. A browser logs in with a
//! form that posts the token; the answer sets it as an `HttpOnly`, `SameSite=Strict` cookie
//! (`Secure` when the public URL is https). `/status.json` also takes `Authorization: Bearer`.
//! Every answer carries a strict CSP (no script at all) and `Cache-Control: no-store`. Error
//! statuses (404 when off, 401 on `/status.json`) get the router's SCIM error body.

use super::status_page::{self, STYLE};
use crate::bridge::status::StatusSnapshot;
use crate::http::AppState;
use crate::http::auth::bearer_token;
use crate::tokens::token_hash;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

/// The cookie holding the operator token after a login.
pub const COOKIE: &str = "scim_bridge_status";

/// How long a login lasts.
const COOKIE_MAX_AGE_SECS: u64 = 8 * 3600;

/// The status routes, merged at the root of the router (beside the probes, outside the SCIM prefix).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/status", get(page))
        .route("/status.json", get(json_status))
        .route("/status/login", post(login))
        .route("/status/logout", post(logout))
}

/// `GET /status`: the page, or the login form without a valid cookie (`?login=failed` after a
/// wrong token). The form answers 200: error statuses get a SCIM error body from the router's
/// middleware, which would replace the form.
async fn page(State(s): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let Some(hash) = configured(&s) else {
        return not_found();
    };
    if !cookie_token(&headers).is_some_and(|t| token_matches(hash, t)) {
        let failed = uri.query() == Some("login=failed");
        return html(StatusCode::OK, status_page::login(failed));
    }
    match s
        .bridge
        .status_snapshot(s.config.status.recent_operations)
        .await
    {
        Ok(snapshot) => html(StatusCode::OK, status_page::render(&snapshot)),
        Err(e) => {
            tracing::error!(error = %e, "status page: cannot read the store");
            html(StatusCode::SERVICE_UNAVAILABLE, status_page::store_down())
        }
    }
}

/// `GET /status.json`: the same facts as the page, for scripts (bearer operator token or cookie).
async fn json_status(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let Some(hash) = configured(&s) else {
        return not_found();
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .or_else(|| cookie_token(&headers));
    if !presented.is_some_and(|t| token_matches(hash, t)) {
        let body = json!({"error": "send the operator token: Authorization: Bearer <token>"});
        let mut r = secured((StatusCode::UNAUTHORIZED, axum::Json(body)).into_response());
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"status\""),
        );
        return r;
    }
    match s
        .bridge
        .status_snapshot(s.config.status.recent_operations)
        .await
    {
        Ok(snapshot) => secured(axum::Json(snapshot_json(&snapshot)).into_response()),
        Err(e) => {
            tracing::error!(error = %e, "status.json: cannot read the store");
            let body = json!({"error": "the store cannot be read"});
            secured((StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response())
        }
    }
}

/// `POST /status/login` with a form field `token`: sets the cookie and goes to the page, or back
/// to the form with `?login=failed`.
async fn login(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(hash) = configured(&s) else {
        return not_found();
    };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let token = fields
        .iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.trim())
        .filter(|t| !t.is_empty() && token_matches(hash, t));
    // A token from `token` is URL-safe base64; one with other characters could not live in a cookie.
    let cookie_safe = |t: &&str| {
        t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b))
    };
    let Some(token) = token.filter(cookie_safe) else {
        return redirect("../status?login=failed", None);
    };
    let secure = if s.base_url.resolve(&headers).starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={COOKIE_MAX_AGE_SECS}{secure}"
    );
    redirect("../status", Some(cookie))
}

/// `POST /status/logout`: forgets the cookie.
async fn logout(State(s): State<AppState>) -> Response {
    if configured(&s).is_none() {
        return not_found();
    }
    let cookie = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    redirect("../status", Some(cookie))
}

/// 303 to `location` (relative, so it works under a proxy's path prefix), setting `cookie`.
fn redirect(location: &'static str, cookie: Option<String>) -> Response {
    let mut r = secured(StatusCode::SEE_OTHER.into_response());
    r.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(location));
    if let Some(v) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

/// The configured operator token hash, when the page is enabled.
fn configured(s: &AppState) -> Option<&str> {
    s.config.status.token_sha256.as_deref()
}

/// Whether `token` hashes to `hash` (compared in constant time).
fn token_matches(hash: &str, token: &str) -> bool {
    let Ok(expected) = hex::decode(hash) else {
        return false;
    };
    bool::from(token_hash(token).as_slice().ct_eq(&expected))
}

/// The operator token from the request's cookie, if any.
fn cookie_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

fn not_found() -> Response {
    secured((StatusCode::NOT_FOUND, "not found").into_response())
}

fn html(status: StatusCode, body: String) -> Response {
    let mut r = secured((status, body).into_response());
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

/// Adds the security headers every status answer carries.
fn secured(mut r: Response) -> Response {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let style = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
    let csp = format!(
        "default-src 'none'; style-src 'sha256-{style}'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'"
    );
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r
}

/// The snapshot as `/status.json` answers it.
pub fn snapshot_json(s: &StatusSnapshot) -> Value {
    let stamp =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let dropbox = match &s.team {
        Ok(t) => json!({"reachable": true, "team": {"name": t.name, "team_id": t.team_id,
            "licensed": t.licensed, "provisioned": t.provisioned}}),
        Err(reason) => json!({"reachable": false, "error": reason}),
    };
    let removals: Vec<Value> = s
        .removals
        .iter()
        .map(|r| {
            json!({"id": r.id, "scim_id": r.scim_id, "team_member_id": r.team_member_id,
                "state": r.state.as_str(), "due_at": stamp(r.due_at), "attempts": r.attempts,
                "blocked_by": r.last_error})
        })
        .collect();
    let recent: Vec<Value> = s
        .recent
        .iter()
        .map(|e| {
            json!({"at": stamp(e.at), "client": e.client, "operation": e.operation,
                "resource_id": e.resource_id, "status": e.status, "dropbox_calls": e.dropbox_calls,
                "detail": e.detail})
        })
        .collect();
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "generated_at": stamp(s.at),
        "dropbox": dropbox,
        "store": s.store,
        "rate_budget": {
            "configured": s.budget.per_minute > 0,
            "per_minute": s.budget.per_minute,
            "tokens_left": s.budget.tokens.floor(),
            "paused_secs": s.budget.paused_secs,
            "shared": s.budget.shared,
            "dropbox_429s": s.budget.rate_limited,
            "retries": s.budget.retries,
            "refused": s.budget.refused,
        },
        "mirror": {
            "refreshed_at": s.mirror_refreshed_at.map(stamp),
            "age_secs": s.mirror_refreshed_at.map(|t| (s.at - t).num_seconds().max(0)),
        },
        "removals": removals,
        "recent_operations": recent,
    })
}
