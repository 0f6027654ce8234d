//! Client mechanics over loopback against a small scripted axum stub: retries, rate limits,
//! token refresh, request ids and job polling.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::helpers::bridge_env::fast_polls;
use crate::helpers::dropbox_stub::{reply, spawn_stub};
use dropbox_scim_bridge::dropbox::team::{
    GroupSelector, GroupsListArg, MemberAddV2Arg, MembersAddV2Arg, MembersDeactivateArg,
    UserSelectorArg,
};
use dropbox_scim_bridge::dropbox::{
    ClientConfig, Credentials, DropboxClient, ErrorKind, PollPolicy, RetryPolicy,
};
use secrecy::SecretString;

const GROUPS_LIST_OK: &str = r#"{"groups":[],"cursor":"c1","has_more":false}"#;

fn config(base: &str, credentials: Credentials) -> ClientConfig {
    let mut cfg = ClientConfig::new(credentials);
    cfg.base_url = base.to_owned();
    cfg.timeout = Duration::from_secs(10);
    cfg.retry = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_wait: Duration::from_secs(5),
    };
    cfg.poll = PollPolicy {
        deadline: Duration::from_millis(300),
        ..fast_polls()
    };
    cfg
}

fn static_token() -> Credentials {
    Credentials::AccessToken(SecretString::from("sl.super-secret-token"))
}

fn refresh_creds() -> Credentials {
    Credentials::Refresh {
        app_key: "app-key".to_owned(),
        app_secret: SecretString::from("app-secret-value"),
        refresh_token: SecretString::from("rt-1"),
    }
}

fn client(base: &str) -> DropboxClient {
    DropboxClient::new(config(base, static_token())).unwrap()
}

#[tokio::test]
async fn retries_429_with_retry_after_header_only() {
    let (base, stub) = spawn_stub().await;
    stub.script(
        "groups/list",
        vec![reply(429, "").header("retry-after", "1")],
    );
    stub.default_reply("groups/list", reply(200, GROUPS_LIST_OK));
    let res = client(&base)
        .groups_list(&GroupsListArg::default())
        .await
        .unwrap();
    assert_eq!(res.cursor, "c1");
    assert_eq!(stub.hits("groups/list"), 2);
}

#[tokio::test]
async fn retries_429_with_retry_after_in_json_body_only() {
    let (base, stub) = spawn_stub().await;
    let body = r#"{"error_summary":"too_many_requests/..","error":{"reason":{".tag":"too_many_requests"},"retry_after":1}}"#;
    stub.script("groups/list", vec![reply(429, body)]);
    stub.default_reply("groups/list", reply(200, GROUPS_LIST_OK));
    client(&base)
        .groups_list(&GroupsListArg::default())
        .await
        .unwrap();
    assert_eq!(stub.hits("groups/list"), 2);
}

#[tokio::test]
async fn retries_plain_text_429_and_surfaces_rate_limited_when_exhausted() {
    let (base, stub) = spawn_stub().await;
    stub.default_reply("groups/list", reply(429, "Too many requests"));
    let err = client(&base)
        .groups_list(&GroupsListArg::default())
        .await
        .unwrap_err();
    assert!(err.is_rate_limited(), "{err:?}");
    assert_eq!(err.status, Some(429));
    assert_eq!(stub.hits("groups/list"), 4);
}

#[tokio::test]
async fn long_retry_after_is_not_waited_out() {
    let (base, stub) = spawn_stub().await;
    stub.default_reply(
        "groups/list",
        reply(429, "slow down").header("retry-after", "300"),
    );
    let err = client(&base)
        .groups_list(&GroupsListArg::default())
        .await
        .unwrap_err();
    assert!(matches!(err.kind, ErrorKind::RateLimited));
    assert_eq!(err.retry_after, Some(Duration::from_secs(300)));
    assert_eq!(stub.hits("groups/list"), 1);
}

#[tokio::test]
async fn retries_503_on_a_read_then_succeeds() {
    let (base, stub) = spawn_stub().await;
    stub.script(
        "groups/list",
        vec![reply(503, "unavailable"), reply(500, "oops")],
    );
    stub.default_reply("groups/list", reply(200, GROUPS_LIST_OK));
    client(&base)
        .groups_list(&GroupsListArg::default())
        .await
        .unwrap();
    assert_eq!(stub.hits("groups/list"), 3);
}

#[tokio::test]
async fn add_v2_is_not_resent_after_a_5xx() {
    let (base, stub) = spawn_stub().await;
    stub.default_reply("members/add_v2", reply(500, "internal"));
    let arg = MembersAddV2Arg::new(vec![MemberAddV2Arg::new("a@example.com".to_owned())]);
    let err = client(&base).members_add_v2(&arg).await.unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Server(_)), "{err:?}");
    assert_eq!(err.status, Some(500));
    assert_eq!(stub.hits("members/add_v2"), 1);
}

#[tokio::test]
async fn add_v2_is_retried_after_a_429() {
    let (base, stub) = spawn_stub().await;
    stub.script(
        "members/add_v2",
        vec![reply(429, "").header("retry-after", "0")],
    );
    stub.default_reply("members/add_v2", reply(200, r#"{".tag":"complete","complete":[{".tag":"user_already_on_team","user_already_on_team":"a@example.com"}]}"#));
    let arg = MembersAddV2Arg::new(vec![MemberAddV2Arg::new("a@example.com".to_owned())]);
    let items = client(&base).add_members_wait(&arg).await.unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(stub.hits("members/add_v2"), 2);
}

#[tokio::test]
async fn route_error_carries_tag_status_and_request_id() {
    let (base, stub) = spawn_stub().await;
    let body =
        r#"{"error_summary":"suspend_inactive_user/..","error":{".tag":"suspend_inactive_user"}}"#;
    stub.default_reply("members/suspend", reply(409, body));
    let arg = MembersDeactivateArg::new(UserSelectorArg::TeamMemberId("dbmid:x".to_owned()));
    let err = client(&base).members_suspend(&arg).await.unwrap_err();
    assert!(err.has_tag("suspend_inactive_user"));
    assert!(!err.is_not_found());
    assert_eq!(err.status, Some(409));
    assert_eq!(err.request_id.as_deref(), Some("req-stub-1"));
    let shown = err.to_string();
    assert!(shown.contains("members/suspend") && shown.contains("req-stub-1"));
    assert!(!shown.contains("super-secret"));
}

#[tokio::test]
async fn dropped_connection_is_retried_on_a_safe_route_only() {
    // A raw listener that reads the request and closes the socket without answering.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = tokio::io::AsyncReadExt::read(&mut sock, &mut buf).await;
            drop(sock);
        }
    });
    let c = client(&format!("http://{addr}"));
    let err = c.groups_list(&GroupsListArg::default()).await.unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Transport(_)), "{err:?}");
    assert_eq!(accepted.load(Ordering::SeqCst), 4);
    let before = accepted.load(Ordering::SeqCst);
    let arg = MembersAddV2Arg::new(vec![MemberAddV2Arg::new("a@example.com".to_owned())]);
    let err = c.members_add_v2(&arg).await.unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Transport(_)), "{err:?}");
    assert_eq!(accepted.load(Ordering::SeqCst) - before, 1);
}

#[tokio::test]
async fn fifty_concurrent_calls_share_one_refresh_per_expiry() {
    let (base, stub) = spawn_stub().await;
    *stub.check_auth.lock().unwrap() = true;
    stub.default_reply("groups/list", reply(200, GROUPS_LIST_OK));
    let c = DropboxClient::new(config(&base, refresh_creds())).unwrap();
    let run_50 = || {
        let calls = (0..50).map(|_| {
            let c = c.clone();
            async move { c.groups_list(&GroupsListArg::default()).await }
        });
        futures::future::join_all(calls)
    };
    for r in run_50().await {
        r.unwrap();
    }
    assert_eq!(stub.token_hits.load(Ordering::SeqCst), 1);
    // The server now rejects the current token as expired: every caller sees 401 at once.
    *stub.valid_token.lock().unwrap() = Some("nobody-has-this".to_owned());
    for r in run_50().await {
        r.unwrap();
    }
    assert_eq!(stub.token_hits.load(Ordering::SeqCst), 2);
    assert!(stub.unauthorized.load(Ordering::SeqCst) >= 1);
}

#[tokio::test]
async fn refreshes_before_expiry_without_a_401() {
    let (base, stub) = spawn_stub().await;
    *stub.check_auth.lock().unwrap() = true;
    stub.expires_in.store(1, Ordering::SeqCst);
    stub.default_reply("groups/list", reply(200, GROUPS_LIST_OK));
    let c = DropboxClient::new(config(&base, refresh_creds())).unwrap();
    c.groups_list(&GroupsListArg::default()).await.unwrap();
    // The token lives 1 s and is refreshed after half of it; move the clock past that point.
    tokio::time::pause();
    tokio::time::advance(Duration::from_millis(700)).await;
    tokio::time::resume();
    c.groups_list(&GroupsListArg::default()).await.unwrap();
    assert_eq!(stub.token_hits.load(Ordering::SeqCst), 2);
    assert_eq!(stub.unauthorized.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn refused_refresh_is_a_clear_error() {
    let (base, stub) = spawn_stub().await;
    *stub.refuse_refresh.lock().unwrap() = true;
    let c = DropboxClient::new(config(&base, refresh_creds())).unwrap();
    let err = c.groups_list(&GroupsListArg::default()).await.unwrap_err();
    assert!(
        matches!(&err.kind, ErrorKind::TokenRefresh(t) if t == "invalid_grant"),
        "{err:?}"
    );
    assert_eq!(stub.hits("groups/list"), 0);
}

#[tokio::test]
async fn async_job_is_polled_until_complete() {
    let (base, stub) = spawn_stub().await;
    stub.default_reply(
        "groups/delete",
        reply(200, r#"{".tag":"async_job_id","async_job_id":"job-1"}"#),
    );
    let running = reply(200, r#"{".tag":"in_progress"}"#);
    stub.script("groups/job_status/get", vec![running.clone(), running]);
    stub.default_reply(
        "groups/job_status/get",
        reply(200, r#"{".tag":"complete"}"#),
    );
    let sel = GroupSelector::GroupId("g:1".to_owned());
    client(&base).groups_delete_wait(&sel).await.unwrap();
    assert_eq!(stub.hits("groups/job_status/get"), 3);
}

#[tokio::test]
async fn async_job_deadline_fires() {
    let (base, stub) = spawn_stub().await;
    stub.default_reply(
        "groups/delete",
        reply(200, r#"{".tag":"async_job_id","async_job_id":"job-1"}"#),
    );
    stub.default_reply(
        "groups/job_status/get",
        reply(200, r#"{".tag":"in_progress"}"#),
    );
    let sel = GroupSelector::GroupId("g:1".to_owned());
    let err = client(&base).groups_delete_wait(&sel).await.unwrap_err();
    assert!(matches!(err.kind, ErrorKind::JobDeadline), "{err:?}");
    assert!(stub.hits("groups/job_status/get") >= 1);
}

#[tokio::test]
async fn no_secret_in_debug_output() {
    let (base, stub) = spawn_stub().await;
    stub.default_reply("groups/list", reply(200, GROUPS_LIST_OK));
    let c = DropboxClient::new(config(&base, refresh_creds())).unwrap();
    c.groups_list(&GroupsListArg::default()).await.unwrap();
    let shown = format!(
        "{c:?} {:?} {:?}",
        config(&base, refresh_creds()),
        config(&base, static_token())
    );
    for secret in ["app-secret-value", "rt-1", "tok-1", "super-secret"] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
}
