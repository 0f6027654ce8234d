//! The log lines of a running `serve` binary, read from its stderr: one INFO line per request with
//! the client's token name, the route template and the status; the start-up line; no e-mail, no
//! query string and no colour codes when stderr is not a terminal.

use super::process::{LoggedBridge, TOKEN};
use crate::helpers::scim_calls::send_scim;
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, Fault, RunningEmulator};
use reqwest::{Client, Method};
use serde_json::json;

const TEAM: &str = "Telemetry Test Team";

async fn emulator() -> RunningEmulator {
    Emulator::spawn(EmulatorConfig {
        team_name: TEAM.to_owned(),
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator")
}

fn user(email: &str) -> serde_json::Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": {"givenName": "Log", "familyName": "Test"},
        "emails": [{"value": email, "primary": true, "type": "work"}],
        "active": true
    })
}

/// The number after `field=` in `line`.
fn number(line: &str, field: &str) -> u64 {
    let start = line.find(&format!("{field}=")).expect("field") + field.len() + 1;
    let digits: String = line[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().expect("a number")
}

fn total_calls(emulator: &RunningEmulator) -> u64 {
    emulator.emulator.stats().values().sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_has_one_line_with_its_route_client_and_status_and_no_email() {
    let emulator = emulator().await;
    let mut bridge = LoggedBridge::start(&emulator, &[]).await;
    let base = bridge.scim_base();
    let http = Client::new();

    let started = bridge
        .line_with(&["dropbox-scim-bridge started", TEAM])
        .await;
    assert!(started.contains(env!("CARGO_PKG_VERSION")), "{started}");
    assert!(started.contains("sqlite"), "{started}");
    assert!(
        started.contains(&format!("127.0.0.1:{}", bridge.port)),
        "{started}"
    );

    // A create: its line names the token, the route template, the status and the Dropbox calls made.
    let before = total_calls(&emulator);
    let created = send_scim(
        &http,
        &base,
        TOKEN,
        Method::POST,
        "/Users",
        Some(user("alice@example.com")),
    )
    .await;
    assert_eq!(created.status(), 201);
    let made = total_calls(&emulator) - before;
    let line = bridge
        .line_with(&["method=POST", "route=/scim/v2/Users ", "status=201"])
        .await;
    assert!(line.contains(" INFO "), "{line}");
    assert!(line.contains("client=okta"), "{line}");
    assert!(line.contains("request_id="), "{line}");
    assert!(line.contains("latency_ms="), "{line}");
    assert!(made > 0);
    assert_eq!(number(&line, "dropbox_calls"), made, "{line}");
    assert_eq!(number(&line, "dropbox_retries"), 0, "{line}");

    // A 429 that the bridge waits out: the create line counts the retry.
    emulator.emulator.inject_fault(
        "members/add_v2",
        Fault::RateLimitJson {
            retry_after: 0,
            reason_write_ops: false,
            body_retry_after: true,
        },
        1,
    );
    let retried = send_scim(
        &http,
        &base,
        TOKEN,
        Method::POST,
        "/Users",
        Some(user("bob@example.com")),
    )
    .await;
    assert_eq!(retried.status(), 201);
    let line = bridge
        .line_with(&["route=/scim/v2/Users ", "status=201", "dropbox_retries=1"])
        .await;
    assert!(line.contains("client=okta"), "{line}");
    assert_eq!(number(&line, "dropbox_429s"), 1, "{line}");

    // A body that is not JSON: 400.
    let bad = http
        .post(format!("{base}/Users"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/scim+json")
        .body("{not json")
        .send()
        .await
        .expect("sent");
    assert_eq!(bad.status(), 400);
    let line = bridge
        .line_with(&["method=POST", "route=/scim/v2/Users ", "status=400"])
        .await;
    assert!(line.contains("client=okta"), "{line}");
    assert!(line.contains("dropbox_calls=0"), "{line}");

    // A wrong token: 401, and no client name.
    let denied = send_scim(&http, &base, "not-the-token", Method::GET, "/Users", None).await;
    assert_eq!(denied.status(), 401);
    let line = bridge
        .line_with(&["method=GET", "route=/scim/v2/Users ", "status=401"])
        .await;
    assert!(line.contains("client=-"), "{line}");

    // E-mails in a filter and in a path: the lines show the route template only.
    let filter = "/Users?filter=userName%20eq%20%22alice%40example.com%22";
    let found = send_scim(&http, &base, TOKEN, Method::GET, filter, None).await;
    assert_eq!(found.status(), 200);
    bridge
        .line_with(&["method=GET", "route=/scim/v2/Users ", "status=200"])
        .await;
    let missing = send_scim(
        &http,
        &base,
        TOKEN,
        Method::GET,
        "/Users/carol@example.com",
        None,
    )
    .await;
    assert_eq!(missing.status(), 404);
    bridge
        .line_with(&["route=/scim/v2/Users/{id}", "status=404", "client=okta"])
        .await;

    // A request id that is an e-mail is replaced by a fresh one, in the log and in the answer.
    let chosen = http
        .get(format!("{base}/Groups"))
        .bearer_auth(TOKEN)
        .header("x-request-id", "dave@example.com")
        .send()
        .await
        .expect("sent");
    assert_eq!(chosen.status(), 200);
    let echoed = chosen.headers()["x-request-id"]
        .to_str()
        .expect("id")
        .to_owned();
    assert_ne!(echoed, "dave@example.com");
    bridge
        .line_with(&[&format!("request_id={echoed} "), "route=/scim/v2/Groups "])
        .await;
    let kept = http
        .get(format!("{base}/Groups"))
        .bearer_auth(TOKEN)
        .header("x-request-id", "okta-req-42")
        .send()
        .await
        .expect("sent");
    assert_eq!(kept.headers()["x-request-id"], "okta-req-42");
    bridge.line_with(&["request_id=okta-req-42 "]).await;

    // The probes have no line.
    let probe = http
        .get(format!("http://127.0.0.1:{}/healthz", bridge.port))
        .send()
        .await
        .expect("probe");
    assert_eq!(probe.status(), 200);
    let after = send_scim(
        &http,
        &base,
        TOKEN,
        Method::GET,
        "/ServiceProviderConfig",
        None,
    )
    .await;
    assert_eq!(after.status(), 200);
    bridge
        .line_with(&["route=/scim/v2/ServiceProviderConfig"])
        .await;
    bridge.stop().await;

    let stderr = bridge.stderr();
    assert!(
        !stderr.contains("/healthz"),
        "a probe was logged:\n{stderr}"
    );
    for secret in ["example.com", "filter", TOKEN, "not-the-token"] {
        assert!(
            !stderr.contains(secret),
            "`{secret}` reached the log:\n{stderr}"
        );
    }
    assert!(
        !stderr.contains('\u{1b}'),
        "colour codes without a terminal:\n{stderr}"
    );
    assert!(
        !stderr.contains("dropbox_sdk"),
        "the SDK's own lines passed:\n{stderr}"
    );
}
