//! A hostile client against the real server over loopback: idle and half-sent connections, probes that
//! must not spend Dropbox's rate limit, errors hyper answers itself, and spoofed hosts (issue 13).

mod connections;
mod errors;
mod hosts;

use dropbox_scim_bridge::app::Application;
use dropbox_scim_bridge::config::Config;
use dropbox_scim_bridge::dropbox::DropboxClient;
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub(super) const TOKEN: &str = "hostile-test-token";

/// A bridge on loopback against an emulator; stops when dropped.
pub(super) struct Server {
    addr: SocketAddr,
    base: String,
    dropbox: RunningEmulator,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

pub(super) fn config(dropbox: &RunningEmulator, db: String, settings: &[(&str, &str)]) -> Config {
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

pub(super) async fn spawn(settings: &[(&str, &str)]) -> Server {
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
pub(super) async fn closed_within(conn: &mut TcpStream, within: Duration) -> bool {
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
pub(super) async fn raw(addr: SocketAddr, request: &[u8]) -> String {
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
pub(super) fn parse_raw(answer: &str) -> (u16, String, Value) {
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

pub(super) fn assert_scim_error(status: u16, content_type: &str, body: &Value, what: &str) {
    assert_eq!(content_type, "application/scim+json", "{what}: {body}");
    assert_eq!(
        body["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:Error"]),
        "{what}: {body}"
    );
    assert_eq!(body["status"], json!(status.to_string()), "{what}: {body}");
}

pub(super) async fn assert_scim_response(resp: reqwest::Response, status: u16, what: &str) {
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
