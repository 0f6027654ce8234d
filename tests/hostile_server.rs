//! A hostile client against the real server over loopback: idle and half-sent connections, probes that
//! must not spend Dropbox's rate limit, errors hyper answers itself, and spoofed hosts (issue 13).

use dropbox_scim_bridge::app::Application;
use dropbox_scim_bridge::config::Config;
use dropbox_scim_bridge::dropbox::DropboxClient;
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TOKEN: &str = "hostile-test-token";

/// A bridge on loopback against an emulator; stops when dropped.
struct Server {
    addr: SocketAddr,
    base: String,
    dropbox: RunningEmulator,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

fn config(dropbox: &RunningEmulator, db: String, settings: &[(&str, &str)]) -> Config {
    let mut vars: Vec<(String, String)> = vec![
        ("SCIM_BRIDGE_LISTEN".into(), "127.0.0.1:0".into()),
        ("SCIM_BRIDGE_TOKEN".into(), TOKEN.into()),
        ("SCIM_BRIDGE_STORE__URL".into(), db),
        (
            "SCIM_BRIDGE_DROPBOX__BASE_URL".into(),
            dropbox.base_url.clone(),
        ),
        (
            "SCIM_BRIDGE_DROPBOX__ACCESS_TOKEN".into(),
            dropbox.emulator.issue_token_all(),
        ),
    ];
    vars.extend(settings.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Config::load_from(None, vars).expect("valid test config")
}

async fn spawn(settings: &[(&str, &str)]) -> Server {
    let dropbox = Emulator::spawn(EmulatorConfig::default())
        .await
        .expect("emulator starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}/bridge.sqlite?mode=rwc", dir.path().display());
    let config = config(&dropbox, db, settings);
    let client = DropboxClient::from_config(&config).expect("client");
    let app = Application::build(config, client)
        .await
        .expect("app builds");
    let addr = app.local_addr();
    let base = format!("http://{addr}{}", app.path_prefix());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    Server {
        addr,
        base,
        dropbox,
        _dir: dir,
        _stop: tx,
    }
}

/// Whether the server closed `conn` within `within` (EOF or reset; data would also end the wait).
async fn closed_within(conn: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(within, conn.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

/// Sends raw bytes on a fresh connection and returns everything the server answers until it closes.
async fn raw(addr: SocketAddr, request: &[u8]) -> String {
    let mut conn = TcpStream::connect(addr).await.expect("connect");
    conn.write_all(request).await.expect("write");
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), conn.read_to_end(&mut out)).await;
    if !matches!(read, Ok(Ok(_))) && out.is_empty() {
        panic!("no answer: {read:?}");
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Status, content type and SCIM body of a raw HTTP/1.1 answer.
fn parse_raw(answer: &str) -> (u16, String, Value) {
    let (head, body) = answer.split_once("\r\n\r\n").expect("a full head");
    let status = head[9..12].parse().expect("status");
    let content_type = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type: ")
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let body = serde_json::from_str(body).unwrap_or(Value::Null);
    (status, content_type, body)
}

fn assert_scim_error(status: u16, content_type: &str, body: &Value, what: &str) {
    assert_eq!(content_type, "application/scim+json", "{what}: {body}");
    assert_eq!(
        body["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:Error"]),
        "{what}: {body}"
    );
    assert_eq!(body["status"], json!(status.to_string()), "{what}: {body}");
}

async fn assert_scim_response(resp: reqwest::Response, status: u16, what: &str) {
    assert_eq!(resp.status().as_u16(), status, "{what}");
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    assert_scim_error(status, &content_type, &body, what);
}

#[tokio::test]
async fn idle_connections_past_the_limit_neither_starve_requests_nor_stay_open() {
    let server = spawn(&[("SCIM_BRIDGE_HTTP__MAX_CONNECTIONS", "50")]).await;
    let mut idle = Vec::new();
    for _ in 0..80 {
        let mut conn = TcpStream::connect(server.addr).await.expect("connect");
        conn.write_all(b"GET / HTTP/1.1\r\n").await.expect("write");
        idle.push(conn);
    }
    let healthz = reqwest::Client::new()
        .get(format!("http://{}/healthz", server.addr))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("/healthz is served while idle connections fill the limit");
    assert_eq!(healthz.status(), 200);
    let mut closed = 0;
    for conn in &mut idle {
        if closed_within(conn, Duration::from_millis(200)).await {
            closed += 1;
        }
    }
    // 80 idle connections and one request, 50 slots: at least 31 idle ones had to go.
    assert!(
        closed >= 31,
        "only {closed} of 80 idle connections were closed"
    );
}

#[tokio::test]
async fn a_connection_that_never_finishes_its_headers_is_closed() {
    let server = spawn(&[
        ("SCIM_BRIDGE_HTTP__HEADER_READ_TIMEOUT_SECS", "1"),
        ("SCIM_BRIDGE_HTTP__IDLE_TIMEOUT_SECS", "60"),
    ])
    .await;
    let mut conn = TcpStream::connect(server.addr).await.expect("connect");
    conn.write_all(b"GET / HTTP/1.1\r\n").await.expect("write");
    assert!(closed_within(&mut conn, Duration::from_secs(4)).await);
    let mut silent = TcpStream::connect(server.addr).await.expect("connect");
    assert!(closed_within(&mut silent, Duration::from_secs(4)).await);
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let server = spawn(&[
        ("SCIM_BRIDGE_HTTP__HEADER_READ_TIMEOUT_SECS", "60"),
        ("SCIM_BRIDGE_HTTP__IDLE_TIMEOUT_SECS", "1"),
    ])
    .await;
    let mut conn = TcpStream::connect(server.addr).await.expect("connect");
    conn.write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .expect("write");
    let mut buf = [0u8; 1024];
    let n = conn.read(&mut buf).await.expect("answer");
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    assert!(closed_within(&mut conn, Duration::from_secs(4)).await);
}

#[tokio::test]
async fn readiness_probes_do_not_each_call_dropbox() {
    let server = spawn(&[]).await;
    // Every Dropbox route the bridge calls, `team/get_info` included.
    let dropbox_calls = || server.dropbox.emulator.stats().values().sum::<u64>();
    let before = dropbox_calls();
    let http = reqwest::Client::new();
    for _ in 0..100 {
        let resp = http
            .get(format!("http://{}/readyz", server.addr))
            .send()
            .await
            .expect("readyz");
        assert_eq!(resp.status(), 200);
    }
    let calls = dropbox_calls() - before;
    assert!(calls <= 1, "100 probes made {calls} Dropbox calls");
}

#[tokio::test]
async fn an_undecodable_id_gets_a_scim_error() {
    let server = spawn(&[]).await;
    let resp = reqwest::Client::new()
        .get(format!("{}/Users/%ff%fe", server.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("sent");
    assert_scim_response(resp, 400, "GET /Users/%ff%fe").await;
}

#[tokio::test]
async fn a_too_long_uri_gets_a_scim_error() {
    let server = spawn(&[]).await;
    let path = format!("/scim/v2/Users?filter={}", "a".repeat(70_000));
    let request = format!("GET {path} HTTP/1.1\r\nhost: localhost\r\n\r\n");
    let (status, content_type, body) = parse_raw(&raw(server.addr, request.as_bytes()).await);
    assert_eq!(status, 414);
    assert_scim_error(status, &content_type, &body, "414");
}

#[tokio::test]
async fn too_many_headers_get_a_scim_error() {
    let server = spawn(&[]).await;
    let mut request = String::from("GET /healthz HTTP/1.1\r\nhost: localhost\r\n");
    for i in 0..200 {
        request.push_str(&format!("x-h{i}: v\r\n"));
    }
    request.push_str("\r\n");
    let (status, content_type, body) = parse_raw(&raw(server.addr, request.as_bytes()).await);
    assert_eq!(status, 431);
    assert_scim_error(status, &content_type, &body, "431");
}

#[tokio::test]
async fn other_rejections_get_scim_errors() {
    let server = spawn(&[]).await;
    let http = reqwest::Client::new();
    let resp = http
        .delete(format!("{}/Users", server.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("sent");
    assert_scim_response(resp, 405, "DELETE /Users").await;
    let resp = http
        .post(format!("http://{}/healthz", server.addr))
        .send()
        .await
        .expect("sent");
    assert_scim_response(resp, 405, "POST /healthz").await;
    let resp = http
        .get(format!("{}/NoSuchThing", server.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("sent");
    assert_scim_response(resp, 404, "unknown route").await;
    let resp = http
        .post(format!("{}/Users", server.base))
        .bearer_auth(TOKEN)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .expect("sent");
    assert_scim_response(resp, 415, "text/plain body").await;
}

fn new_user() -> String {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "host.check@example.com",
        "name": {"givenName": "Host", "familyName": "Check"},
        "emails": [{"primary": true, "value": "host.check@example.com", "type": "work"}],
        "active": true
    })
    .to_string()
}

#[tokio::test]
async fn a_host_not_allowed_gets_400() {
    let server = spawn(&[("SCIM_BRIDGE_HTTP__ALLOWED_HOSTS", "scim.example.com")]).await;
    let http = reqwest::Client::new();
    let resp = http
        .get(format!("{}/Users", server.base))
        .bearer_auth(TOKEN)
        .header("host", "evil.example")
        .send()
        .await
        .expect("sent");
    assert_scim_response(resp, 400, "Host: evil.example").await;
    let resp = http
        .post(format!("{}/Users", server.base))
        .bearer_auth(TOKEN)
        .header("host", "scim.example.com")
        .header("content-type", "application/scim+json")
        .body(new_user())
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 201);
    let location = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        location.starts_with("http://scim.example.com/scim/v2/Users/"),
        "{location}"
    );
}

#[tokio::test]
async fn the_nearest_proxys_forwarded_values_win() {
    let server = spawn(&[("SCIM_BRIDGE_HTTP__TRUST_FORWARDED_HEADERS", "true")]).await;
    let resp = reqwest::Client::new()
        .post(format!("{}/Users", server.base))
        .bearer_auth(TOKEN)
        .header("content-type", "application/scim+json")
        .header("x-forwarded-host", "evil.example, scim.example.com")
        .header("x-forwarded-proto", "http, https")
        .body(new_user())
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 201);
    let location = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        location.starts_with("https://scim.example.com/scim/v2/Users/"),
        "{location}"
    );
}

#[tokio::test]
async fn start_up_needs_a_public_origin_beyond_loopback_or_against_real_dropbox() {
    let dropbox = Emulator::spawn(EmulatorConfig::default())
        .await
        .expect("emulator starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}/bridge.sqlite?mode=rwc", dir.path().display());
    let build = |settings: &[(&str, &str)]| {
        let config = config(&dropbox, db.clone(), settings);
        let client = DropboxClient::from_config(&config).expect("client");
        Application::build(config, client)
    };
    let err = build(&[("SCIM_BRIDGE_LISTEN", "0.0.0.0:0")])
        .await
        .err()
        .expect("refused on all interfaces");
    assert!(err.to_string().contains("http.public_base_url"), "{err}");
    let real = [(
        "SCIM_BRIDGE_DROPBOX__BASE_URL",
        "https://api.dropboxapi.com",
    )];
    assert!(build(&real).await.is_err(), "refused against real Dropbox");
    let allowed = [
        ("SCIM_BRIDGE_LISTEN", "0.0.0.0:0"),
        ("SCIM_BRIDGE_HTTP__ALLOWED_HOSTS", "scim.example.com"),
    ];
    assert!(build(&allowed).await.is_ok());
    let public = [
        ("SCIM_BRIDGE_LISTEN", "0.0.0.0:0"),
        (
            "SCIM_BRIDGE_HTTP__PUBLIC_BASE_URL",
            "https://scim.example.com",
        ),
    ];
    assert!(build(&public).await.is_ok());
}
