//! `/metrics` of a running `serve` binary, parsed with a Prometheus text-format parser: the counters
//! move with known requests, and the endpoint is served where `[metrics]` says, behind its token.

use super::process::{LoggedBridge, TOKEN};
use crate::helpers::ports::free_port;
use crate::helpers::scim_calls::send_scim;
use crate::helpers::wait::eventually;
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, Fault, RunningEmulator};
use dropbox_scim_bridge::tokens::token_hash_hex;
use prometheus_parse::{Scrape, Value};
use reqwest::{Client, Method};
use serde_json::json;
use std::time::Duration;

const SCRAPE_TOKEN: &str = "telemetry-test-prometheus-token";

/// An emulator whose invitees join at once, so that a DELETE schedules a removal (an invitation that
/// was never accepted is withdrawn at once instead).
async fn emulator() -> RunningEmulator {
    Emulator::spawn(EmulatorConfig {
        auto_accept_invites: true,
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator")
}

/// `GET url` with an optional bearer token: the status and the body.
async fn get(url: &str, token: Option<&str>) -> (u16, String) {
    let mut req = Client::new().get(url);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let resp = req.send().await.expect("sent");
    (resp.status().as_u16(), resp.text().await.expect("body"))
}

/// Parses a `/metrics` answer (panics on a malformed one).
fn parse(text: &str) -> Scrape {
    Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).expect("Prometheus text format")
}

/// The value of the sample `metric` whose labels include `labels`; 0 when there is none yet.
fn value(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == metric)
        .find(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(v)))
        .map_or(0.0, |s| match &s.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
            Value::Histogram(buckets) => buckets.iter().map(|b| b.count).fold(0.0, f64::max),
            Value::Summary(_) => f64::NAN,
        })
}

fn has(scrape: &Scrape, metric: &str) -> bool {
    scrape.samples.iter().any(|s| s.metric == metric)
}

fn user(email: &str) -> serde_json::Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": {"givenName": "Metric", "familyName": "Test"},
        "emails": [{"value": email, "primary": true, "type": "work"}],
        "active": true
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_move_with_known_requests_on_the_metrics_own_address() {
    let emulator = emulator().await;
    let metrics_port = free_port();
    let listen = format!("127.0.0.1:{metrics_port}");
    let bridge = LoggedBridge::start(
        &emulator,
        &[
            ("SCIM_BRIDGE_METRICS__LISTEN", &listen),
            ("SCIM_BRIDGE_DEPROVISION__POLICY", "suspend_then_remove"),
        ],
    )
    .await;
    let url = format!("http://{listen}/metrics");
    let base = bridge.scim_base();
    let http = Client::new();
    let created_route = [
        ("route", "/scim/v2/Users"),
        ("method", "POST"),
        ("status", "201"),
    ];
    let denied_route = [
        ("route", "/scim/v2/Users"),
        ("method", "GET"),
        ("status", "401"),
    ];
    let add_ok = [("route", "members/add_v2"), ("outcome", "ok")];

    let (status, text) = get(&url, None).await;
    assert_eq!(status, 200, "{text}");
    let before = parse(&text);
    assert_eq!(value(&before, "scim_requests_total", &created_route), 0.0);
    assert!(has(&before, "scim_bridge_removals"), "{text}");
    // The main address has no /metrics when it has its own.
    let (main, _) = get(&format!("http://127.0.0.1:{}/metrics", bridge.port), None).await;
    assert_eq!(main, 404);

    // One create that Dropbox rate-limits once, one refused token, one listing, one delete.
    emulator.emulator.inject_fault(
        "members/add_v2",
        Fault::RateLimitJson {
            retry_after: 0,
            reason_write_ops: false,
            body_retry_after: true,
        },
        1,
    );
    let created = send_scim(
        &http,
        &base,
        TOKEN,
        Method::POST,
        "/Users",
        Some(user("dana@example.com")),
    )
    .await;
    assert_eq!(created.status(), 201);
    let id = created.json::<serde_json::Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let denied = send_scim(&http, &base, "wrong", Method::GET, "/Users", None).await;
    assert_eq!(denied.status(), 401);
    let listed = send_scim(&http, &base, TOKEN, Method::GET, "/Users", None).await;
    assert_eq!(listed.status(), 200);
    let deleted = send_scim(
        &http,
        &base,
        TOKEN,
        Method::DELETE,
        &format!("/Users/{id}"),
        None,
    )
    .await;
    assert_eq!(deleted.status(), 204);

    let (status, text) = get(&url, None).await;
    assert_eq!(status, 200, "{text}");
    let after = parse(&text);
    assert_eq!(
        value(&after, "scim_requests_total", &created_route),
        1.0,
        "{text}"
    );
    assert_eq!(
        value(&after, "scim_requests_total", &denied_route),
        1.0,
        "{text}"
    );
    let latency = [("route", "/scim/v2/Users"), ("method", "POST")];
    assert_eq!(
        value(&after, "scim_request_duration_seconds_count", &latency),
        1.0,
        "{text}"
    );
    assert_eq!(
        value(&after, "scim_request_duration_seconds", &latency),
        1.0,
        "{text}"
    );
    assert_eq!(
        value(&after, "dropbox_calls_total", &add_ok)
            - value(&before, "dropbox_calls_total", &add_ok),
        1.0,
        "{text}"
    );
    let add = [("route", "members/add_v2")];
    assert_eq!(value(&after, "dropbox_retries_total", &add), 1.0, "{text}");
    assert_eq!(
        value(&after, "dropbox_rate_limited_total", &add),
        1.0,
        "{text}"
    );
    // The rate budget is on by default: its gauge shows the calls left (at most the burst).
    let left = value(&after, "dropbox_rate_budget_tokens", &[]);
    assert!((0.0..=100.0).contains(&left), "{text}");
    assert_eq!(
        value(&after, "scim_bridge_removals", &[("state", "pending")]),
        1.0,
        "{text}"
    );
    assert_eq!(
        value(&after, "scim_bridge_removals", &[("state", "blocked")]),
        0.0,
        "{text}"
    );
    assert!(has(&after, "scim_bridge_mirror_age_seconds"), "{text}");
    assert!(value(&after, "scim_bridge_mirror_age_seconds", &[]) >= 0.0);
    assert!(
        !text.contains("example.com"),
        "an e-mail in the metrics:\n{text}"
    );
    // The scrapes themselves are not SCIM requests.
    assert!(!text.contains("route=\"/metrics\""), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_main_address_metrics_need_their_token_and_count_refresh_failures() {
    let emulator = emulator().await;
    let hash = token_hash_hex(SCRAPE_TOKEN);
    // Refresh credentials with a refresh token Dropbox does not know: every refresh fails.
    let bridge = LoggedBridge::start_with_refresh(
        &emulator,
        "not-the-refresh-token",
        &[("SCIM_BRIDGE_METRICS__TOKEN_SHA256", &hash)],
    )
    .await;
    let url = format!("http://127.0.0.1:{}/metrics", bridge.port);

    assert_eq!(get(&url, None).await.0, 401);
    assert_eq!(get(&url, Some("wrong")).await.0, 401);
    // An IdP token is not a metrics token.
    assert_eq!(get(&url, Some(TOKEN)).await.0, 401);

    // The start-up line's team lookup needs a token, whose refresh fails.
    let mut last = String::new();
    let counted = eventually(Duration::from_secs(20), async || {
        let (status, text) = get(&url, Some(SCRAPE_TOKEN)).await;
        last = text;
        status == 200 && value(&parse(&last), "dropbox_token_refresh_failures_total", &[]) >= 1.0
    })
    .await;
    assert!(counted, "no refresh failure counted:\n{last}");
    let line = bridge.line_with(&["dropbox-scim-bridge started"]).await;
    assert!(line.contains("unknown"), "{line}");
    assert!(line.contains("main address"), "{line}");
}
