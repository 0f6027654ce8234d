//! Idle, half-sent and too many connections, and readiness probes that must not each call Dropbox.

use super::{closed_within, spawn};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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
