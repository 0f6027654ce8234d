//! HTTP tests of the Dropbox Team API emulator over loopback.

use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, Fault, RunningEmulator};
use serde_json::{Value, json};

async fn start() -> (RunningEmulator, String, reqwest::Client) {
    let cfg = EmulatorConfig {
        static_token: Some("static-tok".into()),
        ..EmulatorConfig::default()
    };
    let running = Emulator::spawn(cfg).await.expect("spawn emulator");
    (running, "static-tok".to_string(), reqwest::Client::new())
}

async fn call(
    c: &reqwest::Client,
    base: &str,
    token: &str,
    route: &str,
    body: &str,
) -> reqwest::Response {
    c.post(format!("{base}/2/team/{route}"))
        .bearer_auth(token)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("send")
}

#[tokio::test]
async fn request_id_on_every_response_and_unknown_route_is_404_text() {
    let (emu, tok, c) = start().await;
    let r = call(&c, &emu.base_url, &tok, "members/nope", "{}").await;
    assert_eq!(r.status(), 404);
    assert!(r.headers().contains_key("x-dropbox-request-id"));
    let r = call(&c, &emu.base_url, &tok, "get_info", "null").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-dropbox-request-id"));
    let v: Value = r.json().await.expect("json");
    assert!(v["policies"]["sharing"]["shared_folder_member_policy"][".tag"].is_string());
}

#[tokio::test]
async fn bad_arguments_are_400_text_naming_the_function() {
    let (emu, tok, c) = start().await;
    let cases = [
        ("members/add_v2", "{not json"),
        (
            "members/add_v2",
            r#"{"new_members":[{"member_email":"bad"}]}"#,
        ),
        (
            "members/add_v2",
            r#"{"new_members":[{"member_email":"a@b.com","member_given_name":"a/b"}]}"#,
        ),
        (
            "members/add_v2",
            r#"{"new_members":[{"member_email":"a@b.com","role_ids":["pid_dbtmr:a","pid_dbtmr:b"]}]}"#,
        ),
        ("members/list_v2", r#"{"limit":0}"#),
        ("members/list_v2", r#"{"limit":1001}"#),
        ("members/list_v2", r#"{"limit":"ten"}"#),
        (
            "members/suspend",
            r#"{"user":{".tag":"nickname","nickname":"x"}}"#,
        ),
        ("members/suspend", r#"{}"#),
    ];
    for (route, body) in cases {
        let r = call(&c, &emu.base_url, &tok, route, body).await;
        assert_eq!(r.status(), 400, "{route} {body}");
        let ct = r.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .to_string();
        assert!(ct.starts_with("text/plain"), "{ct}");
        let text = r.text().await.unwrap_or_default();
        assert!(
            text.starts_with(&format!("Error in call to API function \"team/{route}\": ")),
            "{text}"
        );
    }
    let many: Vec<Value> = (0..21)
        .map(|i| json!({"member_email": format!("m{i}@example.com")}))
        .collect();
    let r = call(
        &c,
        &emu.base_url,
        &tok,
        "members/add_v2",
        &json!({"new_members": many}).to_string(),
    )
    .await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn void_routes_accept_null_or_empty_body() {
    let (emu, tok, c) = start().await;
    let r = c
        .post(format!(
            "{}/2/team/token/get_authenticated_admin",
            emu.base_url
        ))
        .bearer_auth(&tok)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["admin_profile"]["email"], "admin@example.com");
    assert!(v["admin_profile"]["root_folder_id"].is_string());
}

#[tokio::test]
async fn auth_failures_have_dropbox_shapes() {
    let (emu, _tok, c) = start().await;
    let r = c
        .post(format!("{}/2/team/get_info", emu.base_url))
        .body("null")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 400);
    let r = call(&c, &emu.base_url, "wrong", "get_info", "null").await;
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["error"][".tag"], "invalid_access_token");
    assert!(
        v["error_summary"]
            .as_str()
            .unwrap_or_default()
            .starts_with("invalid_access_token/")
    );
    let limited = emu.emulator.issue_token(&["members.read"]);
    let r = call(&c, &emu.base_url, &limited, "groups/list", "{}").await;
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.expect("json");
    assert_eq!(
        v["error"],
        json!({".tag": "missing_scope", "required_scope": "groups.read"})
    );
    emu.emulator.expire_token(&limited);
    let r = call(&c, &emu.base_url, &limited, "members/list_v2", "{}").await;
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["error"][".tag"], "expired_access_token");
}

#[tokio::test]
async fn route_errors_are_409_with_error_summary() {
    let (emu, tok, c) = start().await;
    let body = r#"{"user":{".tag":"email","email":"ghost@example.com"}}"#;
    let r = call(&c, &emu.base_url, &tok, "members/suspend", body).await;
    assert_eq!(r.status(), 409);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["error"], json!({".tag": "user_not_found"}));
    assert_eq!(v["error_summary"], "user_not_found/..");
}

#[tokio::test]
async fn oauth_refresh_flow_success_and_failures() {
    let (emu, _tok, c) = start().await;
    let url = format!("{}/oauth2/token", emu.base_url);
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", "emulator-refresh-token"),
        ("client_id", "emulator-app-key"),
        ("client_secret", "emulator-app-secret"),
    ];
    let v: Value = c
        .post(&url)
        .form(&form)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 14400);
    let token = v["access_token"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        call(&c, &emu.base_url, &token, "get_info", "null")
            .await
            .status(),
        200
    );
    let basic = [
        ("grant_type", "refresh_token"),
        ("refresh_token", "emulator-refresh-token"),
    ];
    let r = c
        .post(&url)
        .basic_auth("emulator-app-key", Some("emulator-app-secret"))
        .form(&basic)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    let r = c
        .post(&url)
        .basic_auth("emulator-app-key", Some("emulator-app-secret"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "bad")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.expect("json")["error"],
        "invalid_grant"
    );
    let r = c
        .post(&url)
        .basic_auth("emulator-app-key", Some("nope"))
        .form(&basic)
        .send()
        .await
        .expect("send");
    assert_eq!(
        r.json::<Value>().await.expect("json")["error"],
        "invalid_client"
    );
    assert_eq!(emu.emulator.stats().get("oauth2/token"), Some(&4));
}

#[tokio::test]
async fn injected_faults_answer_then_clear() {
    let (emu, tok, c) = start().await;
    let e = &emu.emulator;
    e.inject_fault(
        "members/list_v2",
        Fault::RateLimitJson {
            retry_after: 7,
            reason_write_ops: false,
            body_retry_after: true,
        },
        1,
    );
    e.inject_fault(
        "members/list_v2",
        Fault::RateLimitText { retry_after: 3 },
        1,
    );
    e.inject_fault(
        "members/list_v2",
        Fault::Unavailable503 {
            retry_after: Some(2),
        },
        1,
    );
    e.inject_fault("members/list_v2", Fault::DropConnection, 1);
    let r = call(&c, &emu.base_url, &tok, "members/list_v2", "{}").await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "7");
    let v: Value = r.json().await.expect("json");
    assert_eq!(
        v["error"],
        json!({"reason": {".tag": "too_many_requests"}, "retry_after": 7})
    );
    let r = call(&c, &emu.base_url, &tok, "members/list_v2", "{}").await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "3");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/plain")
    );
    let r = call(&c, &emu.base_url, &tok, "members/list_v2", "{}").await;
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "2");
    let dropped = c
        .post(format!("{}/2/team/members/list_v2", emu.base_url))
        .bearer_auth(&tok)
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await;
    let failed = match dropped {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(failed);
    assert_eq!(
        call(&c, &emu.base_url, &tok, "members/list_v2", "{}")
            .await
            .status(),
        200
    );
    assert_eq!(e.stats().get("members/list_v2"), Some(&5));
}

#[tokio::test]
async fn rate_limit_answers_429_json_with_retry_after() {
    let (emu, tok, c) = start().await;
    emu.emulator.set_rate_limit(Some(1));
    assert_eq!(
        call(&c, &emu.base_url, &tok, "get_info", "null")
            .await
            .status(),
        200
    );
    let r = call(&c, &emu.base_url, &tok, "get_info", "null").await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    emu.emulator
        .advance_clock(std::time::Duration::from_secs(61));
    assert_eq!(
        call(&c, &emu.base_url, &tok, "get_info", "null")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn admin_api_controls_the_emulator() {
    let (emu, tok, c) = start().await;
    let admin = |p: &str| format!("{}/_emulator/{p}", emu.base_url);
    let seeded: Value = c
        .post(admin("seed"))
        .json(&json!({"count": 3}))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(seeded["team_member_ids"].as_array().map(Vec::len), Some(3));
    let body = r#"{"user":{".tag":"team_member_id","team_member_id":"dbmid:none"}}"#;
    call(&c, &emu.base_url, &tok, "members/remove", body).await;
    let calls: Value = c
        .get(admin("calls?route=members/remove"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(calls[0]["user"]["team_member_id"], "dbmid:none");
    let stats: Value = c
        .get(admin("stats"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(stats["calls"]["members/remove"], 1);
    assert_eq!(stats["total"], 1);
    let f = json!({"route": "get_info", "kind": "500", "times": 1});
    assert_eq!(
        c.post(admin("faults"))
            .json(&f)
            .send()
            .await
            .expect("send")
            .status(),
        200
    );
    assert_eq!(
        call(&c, &emu.base_url, &tok, "get_info", "null")
            .await
            .status(),
        500
    );
    c.post(admin("tokens/expire"))
        .json(&json!({}))
        .send()
        .await
        .expect("send");
    assert_eq!(
        call(&c, &emu.base_url, &tok, "get_info", "null")
            .await
            .status(),
        401
    );
    c.post(admin("reset")).send().await.expect("send");
    assert_eq!(
        call(&c, &emu.base_url, &tok, "get_info", "null")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn invite_acceptance_activates_member() {
    let (emu, tok, c) = start().await;
    let body = r#"{"new_members":[{"member_email":"new@example.com","member_given_name":"N","member_surname":"M"}]}"#;
    let v: Value = call(&c, &emu.base_url, &tok, "members/add_v2", body)
        .await
        .json()
        .await
        .expect("json");
    let id = v["complete"][0]["profile"]["team_member_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = c
        .post(format!("{}/_emulator/accept_invite", emu.base_url))
        .json(&json!({"team_member_id": id}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    let p = emu.emulator.member(&id).unwrap_or_default();
    assert_eq!(p["status"][".tag"], "active");
    assert!(p.get("joined_on").is_some() && p.get("invited_on").is_none());
}
