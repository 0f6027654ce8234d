//! A scripted axum stand-in for the Dropbox API, for the client-mechanics tests.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

/// One scripted HTTP answer.
#[derive(Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
}

/// A reply with `status` and `body` and no extra headers.
pub fn reply(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: body.to_owned(),
    }
}

impl Reply {
    /// Adds a response header.
    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }
}

#[derive(Default)]
/// Shared stub state: scripts, defaults and counters.
pub struct Stub {
    /// Per-route queued replies.
    pub scripts: Mutex<HashMap<String, VecDeque<Reply>>>,
    /// Per-route fallback replies.
    pub defaults: Mutex<HashMap<String, Reply>>,
    /// Per-route request counts.
    pub hits: Mutex<HashMap<String, usize>>,
    /// Requests to `/oauth2/token`.
    pub token_hits: AtomicUsize,
    /// 401 answers given.
    pub unauthorized: AtomicUsize,
    /// `expires_in` of issued tokens, in seconds.
    pub expires_in: AtomicUsize,
    /// Answer refreshes with `invalid_grant`.
    pub refuse_refresh: Mutex<bool>,
    /// When set, only this bearer token is accepted.
    pub valid_token: Mutex<Option<String>>,
    /// Enforce `valid_token` on API routes.
    pub check_auth: Mutex<bool>,
}

impl Stub {
    /// Queues replies answered (in order) before the default for `route`.
    pub fn script(&self, route: &str, replies: Vec<Reply>) {
        self.scripts
            .lock()
            .unwrap()
            .insert(route.to_owned(), replies.into());
    }
    /// The reply for `route` once its script is used up.
    pub fn default_reply(&self, route: &str, r: Reply) {
        self.defaults.lock().unwrap().insert(route.to_owned(), r);
    }
    /// How many requests reached `route`.
    pub fn hits(&self, route: &str) -> usize {
        self.hits.lock().unwrap().get(route).copied().unwrap_or(0)
    }
}

async fn api(
    State(stub): State<Arc<Stub>>,
    Path(route): Path<String>,
    headers: HeaderMap,
) -> Response {
    *stub.hits.lock().unwrap().entry(route.clone()).or_default() += 1;
    if *stub.check_auth.lock().unwrap() {
        let got = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned);
        let valid = stub.valid_token.lock().unwrap().clone();
        if got.is_none() || got != valid {
            stub.unauthorized.fetch_add(1, Ordering::SeqCst);
            let body = r#"{"error_summary":"expired_access_token/..","error":{".tag":"expired_access_token"}}"#;
            return (
                StatusCode::UNAUTHORIZED,
                [("content-type", "application/json")],
                body,
            )
                .into_response();
        }
    }
    let scripted = stub
        .scripts
        .lock()
        .unwrap()
        .get_mut(&route)
        .and_then(VecDeque::pop_front);
    let r = scripted
        .or_else(|| stub.defaults.lock().unwrap().get(&route).cloned())
        .unwrap_or_else(|| reply(404, "no such stub route"));
    let mut resp = (StatusCode::from_u16(r.status).unwrap(), r.body).into_response();
    let content_type = if r.status == 200 || r.status == 409 {
        "application/json"
    } else {
        "text/plain"
    };
    resp.headers_mut()
        .insert("content-type", content_type.parse().unwrap());
    resp.headers_mut()
        .insert("x-dropbox-request-id", "req-stub-1".parse().unwrap());
    for (k, v) in r.headers {
        resp.headers_mut().insert(k, v.parse().unwrap());
    }
    resp
}

async fn token(State(stub): State<Arc<Stub>>, body: Bytes) -> Response {
    let n = stub.token_hits.fetch_add(1, Ordering::SeqCst) + 1;
    let form = String::from_utf8_lossy(&body).to_string();
    assert!(form.contains("grant_type=refresh_token") && form.contains("refresh_token=rt-1"));
    // Slow enough that concurrent callers pile up behind one refresh.
    tokio::time::sleep(Duration::from_millis(50)).await;
    if *stub.refuse_refresh.lock().unwrap() {
        let body = r#"{"error":"invalid_grant","error_description":"refresh token is invalid or revoked"}"#;
        return (
            StatusCode::BAD_REQUEST,
            [("content-type", "application/json")],
            body,
        )
            .into_response();
    }
    let tok = format!("tok-{n}");
    *stub.valid_token.lock().unwrap() = Some(tok.clone());
    let expires = stub.expires_in.load(Ordering::SeqCst);
    let body =
        format!(r#"{{"access_token":"{tok}","token_type":"bearer","expires_in":{expires}}}"#);
    (StatusCode::OK, [("content-type", "application/json")], body).into_response()
}

/// Serves the stub on a loopback port; returns its base URL and state.
pub async fn spawn_stub() -> (String, Arc<Stub>) {
    let stub = Arc::new(Stub::default());
    stub.expires_in.store(14400, Ordering::SeqCst);
    let app = Router::new()
        .route("/2/team/{*route}", post(api))
        .route("/oauth2/token", post(token))
        .with_state(stub.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), stub)
}
