//! The rate budget end to end: a Dropbox 429 pauses the whole client, a wait past
//! `max_retry_wait_secs` becomes 429 + `Retry-After` for the IdP, IdP calls go before background
//! work, and the settings are validated. Faults go through the emulator's `/_emulator/faults` and
//! every check counts calls on `/_emulator/stats`; nothing asserts a duration.

use std::time::Duration;

use dropbox_scim_bridge::config::Config;
use dropbox_scim_bridge::dropbox::budget::background;
use dropbox_scim_bridge::dropbox::team::GroupsListArg;
use dropbox_scim_bridge::dropbox::{ClientConfig, Credentials, DropboxClient, ErrorKind};
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::scim_calls::assert_scim_error;
use crate::helpers::test_app::TestApp;

/// Injects a 429 (JSON body and `Retry-After`) on the next call of `route`, over the admin API.
pub(super) async fn inject_429(emulator_base: &str, route: &str, retry_after: u32) {
    let resp = reqwest::Client::new()
        .post(format!("{emulator_base}/_emulator/faults"))
        .json(&json!({"route": route, "kind": "429_json", "times": 1, "retry_after": retry_after}))
        .send()
        .await
        .expect("fault injected");
    assert_eq!(resp.status(), 200);
}

/// Calls per route so far, from the emulator's `/_emulator/stats`.
pub(super) async fn stats(emulator_base: &str) -> Value {
    reqwest::get(format!("{emulator_base}/_emulator/stats"))
        .await
        .expect("stats")
        .json()
        .await
        .expect("stats JSON")
}

/// A client on the emulator with the given budget and longest wait.
pub(super) fn client_on(
    emu: &RunningEmulator,
    per_minute: u32,
    burst: u32,
    max_wait_secs: u64,
) -> DropboxClient {
    let token = emu.emulator.issue_token_all();
    let mut config = ClientConfig::new(Credentials::AccessToken(token.into()));
    config.base_url = emu.base_url.clone();
    config.retry.max_retry_wait = Duration::from_secs(max_wait_secs);
    config.rate_budget.per_minute = per_minute;
    config.rate_budget.burst = burst;
    config.rate_budget.lease = 1;
    DropboxClient::new(config).expect("client")
}

#[tokio::test]
async fn a_429_on_one_request_holds_back_the_calls_of_the_others() {
    let app = TestApp::spawn().await; // max_retry_wait_secs = 2
    let id = app.active_member("paused@example.com").await;
    let emu = app.dropbox.base_url.clone();
    let before = stats(&emu).await;

    // Dropbox asks for 30 s, more than the bridge holds an IdP request: 429 to the IdP at once.
    inject_429(&emu, "members/get_info_v2", 30).await;
    let resp = app.call(Method::GET, &format!("/Users/{id}"), None).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "30");
    let body: Value = resp.json().await.expect("SCIM error");
    assert_scim_error(&body, "429", "the rate-limited read");

    // Another request, on another route, is held back by the same pause: it never reaches Dropbox
    // and the IdP is told how much of the pause is left.
    let (status, body) = app
        .create_user(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "held@example.com",
            "name": {"givenName": "Held", "familyName": "Back"},
            "active": true
        }))
        .await;
    assert_eq!(status, 429, "{body}");
    assert_scim_error(&body, "429", "a create during the pause");
    let after = stats(&emu).await;
    assert_eq!(
        after["total"].as_u64(),
        before["total"].as_u64().map(|n| n + 1),
        "only the rate-limited call went out: {before} then {after}"
    );
}

#[tokio::test]
async fn the_idp_gets_retry_after_for_the_remaining_pause() {
    let emu = Emulator::spawn(EmulatorConfig::default())
        .await
        .expect("emulator");
    let client = client_on(&emu, 600, 100, 2);
    inject_429(&emu.base_url, "get_info", 20).await;
    let first = client.team_get_info().await.expect_err("rate limited");
    assert!(matches!(first.kind, ErrorKind::RateLimited));
    assert_eq!(first.retry_after, Some(Duration::from_secs(20)));
    // The next call, on another route, is refused by the client itself: no request, same answer.
    let second = client
        .groups_list(&GroupsListArg::default())
        .await
        .expect_err("paused");
    assert!(matches!(second.kind, ErrorKind::RateLimited));
    let wait = second.retry_after.expect("a wait").as_secs();
    assert!((1..=20).contains(&wait), "the rest of the pause: {wait}");
    assert_eq!(second.status, None, "never sent");
    let calls = stats(&emu.base_url).await;
    assert_eq!(calls["calls"]["groups/list"], Value::Null, "{calls}");
    let status = client.budget_status();
    assert_eq!(
        (status.rate_limited, status.refused, status.retries),
        (1, 1, 0)
    );
    assert!(status.paused_for.is_some());
}

#[tokio::test]
async fn a_short_429_is_waited_out_and_counted_as_a_retry() {
    let emu = Emulator::spawn(EmulatorConfig::default())
        .await
        .expect("emulator");
    let client = client_on(&emu, 600, 100, 5);
    inject_429(&emu.base_url, "get_info", 1).await;
    client
        .team_get_info()
        .await
        .expect("succeeds after the pause");
    let status = client.budget_status();
    assert_eq!(
        (status.rate_limited, status.retries, status.refused),
        (1, 1, 0)
    );
    assert_eq!(
        stats(&emu.base_url).await["calls"]["get_info"].as_u64(),
        Some(2)
    );
}

#[tokio::test]
async fn idp_calls_go_before_background_work_waiting_for_the_same_budget() {
    let emu = Emulator::spawn(EmulatorConfig::default())
        .await
        .expect("emulator");
    // 30 calls a minute, one at a time: one every two seconds.
    let client = client_on(&emu, 30, 1, 10);
    client.team_get_info().await.expect("the burst");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let bg = {
        let (client, tx) = (client.clone(), tx.clone());
        tokio::spawn(background(async move {
            let r = client.groups_list(&GroupsListArg::default()).await;
            let _ = tx.send(("background", r.is_ok()));
        }))
    };
    tokio::task::yield_now().await;
    let idp = {
        let client = client.clone();
        tokio::spawn(async move {
            let r = client.team_get_info().await;
            let _ = tx.send(("idp", r.is_ok()));
        })
    };
    let (bg, idp) = tokio::join!(bg, idp);
    bg.expect("background task");
    idp.expect("idp task");
    let order = [rx.recv().await, rx.recv().await];
    assert_eq!(order, [Some(("idp", true)), Some(("background", true))]);
    let calls = stats(&emu.base_url).await;
    assert_eq!(calls["total"].as_u64(), Some(3), "{calls}");
}

#[tokio::test]
async fn the_budget_settings_are_validated_and_zero_turns_it_off() {
    let emu = Emulator::spawn(EmulatorConfig::default())
        .await
        .expect("emulator");
    let base = |extra: &[(&str, &str)]| {
        let mut vars = vec![
            (
                "SCIM_BRIDGE_DROPBOX__BASE_URL".to_owned(),
                emu.base_url.clone(),
            ),
            (
                "SCIM_BRIDGE_DROPBOX__ACCESS_TOKEN".to_owned(),
                "t".to_owned(),
            ),
        ];
        vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Config::load_from(None, vars)
    };
    for (var, value, key) in [
        (
            "SCIM_BRIDGE_DROPBOX__RATE_BUDGET__BURST",
            "0",
            "dropbox.rate_budget.burst",
        ),
        (
            "SCIM_BRIDGE_DROPBOX__RATE_BUDGET__BURST",
            "1001",
            "dropbox.rate_budget.burst",
        ),
        (
            "SCIM_BRIDGE_DROPBOX__RATE_BUDGET__LEASE",
            "101",
            "dropbox.rate_budget.lease",
        ),
        (
            "SCIM_BRIDGE_DROPBOX__RATE_BUDGET__PER_MINUTE",
            "-5",
            "dropbox.rate_budget.per_minute",
        ),
        (
            "SCIM_BRIDGE_DROPBOX__RATE_BUDGET__PER_MIN",
            "5",
            "rate_budget",
        ),
    ] {
        let err = base(&[(var, value)]).expect_err(var).to_string();
        assert!(err.contains(key), "{var}={value}: {err}");
    }
    // From a file, the error names the file and the line of the value.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bridge.toml");
    let toml =
        "[dropbox]\naccess_token = \"t\"\n[dropbox.rate_budget]\nper_minute = 10\nburst = 20\n";
    std::fs::write(&path, toml).expect("written");
    let err = Config::load_from(Some(&path), Vec::<(String, String)>::new())
        .expect_err("burst above per_minute")
        .to_string();
    assert!(
        err.contains("dropbox.rate_budget.burst") && err.contains("line 5"),
        "{err}"
    );
    let off = base(&[("SCIM_BRIDGE_DROPBOX__RATE_BUDGET__PER_MINUTE", "0")]).expect("0 is off");
    let client = DropboxClient::from_config(&off).expect("client");
    assert_eq!(client.budget_status().per_minute, 0);
    let default = base(&[]).expect("defaults");
    let budget = &default.dropbox.rate_budget;
    assert_eq!(
        (budget.per_minute, budget.burst, budget.lease),
        (1000, 100, 5)
    );
    let fresh = DropboxClient::from_config(&default).expect("client");
    assert_eq!(
        fresh.budget_status().tokens,
        100.0,
        "a new client starts with a full bucket"
    );
}
