//! Coalescing (issue 12): concurrent creates share `members/add_v2` calls and concurrent exact
//! look-ups share `members/get_info_v2` calls; each request gets its own item's answer. Calls are
//! counted at the emulator. The bridge runs with the longest window (1 s) so that a burst's requests
//! always meet in the batcher, whatever the machine's load; a full batch (20) leaves at once.

use crate::helpers::scim_calls::{USER_URN, assert_scim_error};
use crate::helpers::test_app::TestApp;
use dropbox_scim_bridge::emulator::{EmulatorConfig, Fault};
use dropbox_scim_bridge::store::{AuditQuery, Store};
use reqwest::Method;
use serde_json::{Value, json};

async fn spawn() -> TestApp {
    let emulator = EmulatorConfig {
        num_licensed_users: 1000,
        ..EmulatorConfig::default()
    };
    TestApp::spawn_full(emulator, &[("SCIM_BRIDGE_COALESCE__WINDOW_MS", "1000")]).await
}

fn body(email: &str, external_id: Option<&str>) -> Value {
    let mut b = json!({"schemas": [USER_URN], "userName": email,
        "name": {"givenName": "Co", "familyName": "Alesced"},
        "emails": [{"primary": true, "value": email, "type": "work"}], "active": true});
    if let Some(x) = external_id {
        b["externalId"] = json!(x);
    }
    b
}

/// Creates `emails` concurrently; answers each (status, body) in order.
async fn create_all(t: &TestApp, emails: &[String]) -> Vec<(u16, Value)> {
    futures::future::join_all(emails.iter().map(|e| t.create_user(body(e, None)))).await
}

fn emails(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}@example.com")).collect()
}

/// Each created user's id names the Dropbox member with its own e-mail.
fn assert_created_as_themselves(t: &TestApp, emails: &[String], answers: &[(u16, Value)]) {
    let mut ids = std::collections::HashSet::new();
    for (email, (status, user)) in emails.iter().zip(answers) {
        assert_eq!(*status, 201, "{email}: {user}");
        assert_eq!(user["userName"], json!(email), "{user}");
        let id = user["id"].as_str().expect("id");
        let member = t
            .dropbox
            .emulator
            .member(id)
            .expect("a member under the id");
        assert_eq!(member["email"], json!(email), "{id}");
        assert!(ids.insert(id.to_owned()), "{id} answered twice");
    }
}

#[tokio::test]
async fn fifty_concurrent_creates_share_at_most_five_add_v2_calls() {
    let t = spawn().await;
    let emails = emails("burst", 50);
    let answers = create_all(&t, &emails).await;
    assert_created_as_themselves(&t, &emails, &answers);
    let calls = t.count("members/add_v2");
    assert!((3..=5).contains(&calls), "{calls} members/add_v2 calls");

    // Each request's audit entry lists the shared call, as if it had made it alone.
    let store = Store::connect(t.store_url()).await.expect("store");
    let q = AuditQuery {
        limit: Some(100),
        ..AuditQuery::default()
    };
    let entries = store.query_audit(&q).await.expect("audit");
    let creates: Vec<_> = entries.iter().filter(|e| e.status == 201).collect();
    assert_eq!(creates.len(), 50);
    for e in creates {
        let routes: Vec<&str> = e.dropbox_calls.iter().map(|c| c.route.as_str()).collect();
        assert_eq!(routes, vec!["members/add_v2"], "{:?}", e.resource_id);
        assert_eq!(e.dropbox_calls[0].outcome, "ok");
    }
}

#[tokio::test]
async fn fifty_concurrent_user_name_look_ups_share_at_most_five_get_info_v2_calls() {
    let t = spawn().await;
    let emails = emails("look", 50);
    let created = create_all(&t, &emails).await;
    assert_created_as_themselves(&t, &emails, &created);
    let before = t.count("members/get_info_v2");
    let t = &t;
    let look_ups = emails.iter().map(|e| {
        let query = format!("filter=userName%20eq%20%22{e}%22");
        async move { t.list_users(&query).await }
    });
    let found = futures::future::join_all(look_ups).await;
    for ((email, (_, user)), (status, list)) in emails.iter().zip(&created).zip(&found) {
        assert_eq!(*status, 200, "{list}");
        assert_eq!(list["totalResults"], json!(1), "{email}: {list}");
        assert_eq!(list["Resources"][0]["id"], user["id"], "{email}");
    }
    let calls = t.count("members/get_info_v2") - before;
    assert!(
        (3..=5).contains(&calls),
        "{calls} members/get_info_v2 calls"
    );
}

#[tokio::test]
async fn external_id_and_id_look_ups_and_get_by_id_coalesce_too() {
    let t = spawn().await;
    let users: Vec<(String, String)> = (0..10)
        .map(|i| (format!("ext{i}@example.com"), format!("okta-{i}")))
        .collect();
    let creates = users.iter().map(|(e, x)| t.create_user(body(e, Some(x))));
    let created = futures::future::join_all(creates).await;
    let ids: Vec<String> = created
        .iter()
        .map(|(s, u)| {
            assert_eq!(*s, 201, "{u}");
            u["id"].as_str().expect("id").to_owned()
        })
        .collect();
    let before = t.count("members/get_info_v2");
    let mut paths = Vec::new();
    for ((_, x), id) in users.iter().zip(&ids) {
        paths.push((format!("/Users?filter=externalId%20eq%20%22{x}%22"), id));
        paths.push((format!("/Users?filter=id%20eq%20%22{id}%22"), id));
        paths.push((format!("/Users/{id}"), id));
    }
    let reads = paths.iter().map(|(p, _)| t.json(Method::GET, p, None));
    let answers = futures::future::join_all(reads).await;
    for ((path, id), (status, got)) in paths.iter().zip(&answers) {
        assert_eq!(*status, 200, "{path}: {got}");
        let user = if got["Resources"].is_array() {
            assert_eq!(got["totalResults"], json!(1), "{path}: {got}");
            &got["Resources"][0]
        } else {
            got
        };
        assert_eq!(user["id"], json!(id), "{path}");
    }
    // 30 look-ups: two full batches, or three when the window cut one short.
    let calls = t.count("members/get_info_v2") - before;
    assert!(
        (2..=3).contains(&calls),
        "{calls} members/get_info_v2 calls"
    );
}

#[tokio::test]
async fn a_refused_email_fails_only_its_own_request_with_its_own_error() {
    let t = spawn().await;
    t.create_okta_user("taken@example.com", "Tak", "En").await;
    t.dropbox
        .emulator
        .add_other_team_email("elsewhere@example.com");
    let alone_taken = t.create_user(body("taken@example.com", None)).await;
    let alone_elsewhere = t.create_user(body("elsewhere@example.com", None)).await;
    let alone_bad = t.create_user(body("bad@@example.com", None)).await;
    assert_eq!(alone_taken.0, 409, "{}", alone_taken.1);
    assert_scim_error(&alone_bad.1, "400", "an address Dropbox refuses");

    let mut mixed = emails("mixed", 17);
    mixed.insert(3, "taken@example.com".to_owned());
    mixed.insert(9, "elsewhere@example.com".to_owned());
    mixed.insert(12, "bad@@example.com".to_owned());
    let before = t.count("members/add_v2");
    let answers = create_all(&t, &mixed).await;
    let calls = t.count("members/add_v2") - before;
    assert!(calls <= 2, "{calls} members/add_v2 calls for 19 members");
    for (email, answer) in mixed.iter().zip(&answers) {
        match email.as_str() {
            "taken@example.com" => assert_eq!(answer, &alone_taken, "as when alone"),
            "elsewhere@example.com" => assert_eq!(answer, &alone_elsewhere, "as when alone"),
            "bad@@example.com" => assert_eq!(answer, &alone_bad, "as when alone"),
            _ => assert_eq!(answer.0, 201, "{email}: {}", answer.1),
        }
    }
}

#[tokio::test]
async fn two_new_members_with_one_external_id_in_a_batch_one_is_refused() {
    let t = spawn().await;
    let a = t.create_user(body("twin.a@example.com", Some("twin")));
    let b = t.create_user(body("twin.b@example.com", Some("twin")));
    let (a, b) = futures::future::join(a, b).await;
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "{} / {}", a.1, b.1);
    assert_eq!(t.count("members/add_v2"), 1, "one shared call");
}

#[tokio::test]
async fn a_lost_reply_to_a_shared_add_is_resolved_by_one_shared_look_up_and_never_resent() {
    let t = spawn().await;
    t.dropbox
        .emulator
        .inject_fault("members/add_v2", Fault::DropAfterWrite, 1);
    let emails = emails("lost", 20);
    let answers = create_all(&t, &emails).await;
    assert_created_as_themselves(&t, &emails, &answers);
    assert_eq!(t.count("members/add_v2"), 1, "not re-sent");
    assert_eq!(t.count("members/get_info_v2"), 1, "one shared look-up");
}

#[tokio::test]
async fn a_rate_limited_batch_is_retried_once_not_once_per_member() {
    let t = spawn().await;
    let wait = Fault::RateLimitJson {
        retry_after: 1,
        reason_write_ops: true,
        body_retry_after: true,
    };
    t.dropbox.emulator.inject_fault("members/add_v2", wait, 1);
    let emails = emails("limited", 20);
    let answers = create_all(&t, &emails).await;
    assert_created_as_themselves(&t, &emails, &answers);
    assert_eq!(
        t.count("members/add_v2"),
        2,
        "the batch, then its one retry"
    );
}

#[tokio::test]
async fn under_the_rate_budget_a_stream_of_creates_shares_the_calls_it_waits_for() {
    // One call per 100 ms once the burst of 2 is spent (by the warm-up's `groups/list` and
    // `members/add_v2`), and the default windows (3 ms, 50 ms). A create every 10 ms is too slow to
    // fill a batch by its window: each used to leave alone and queue behind the budget (40 calls,
    // 4 s). Held while the budget has no call for it, each call carries the creates of its 100 ms.
    let emulator = EmulatorConfig {
        num_licensed_users: 1000,
        ..EmulatorConfig::default()
    };
    let budget = [
        ("SCIM_BRIDGE_DROPBOX__RATE_BUDGET__PER_MINUTE", "600"),
        ("SCIM_BRIDGE_DROPBOX__RATE_BUDGET__BURST", "2"),
        ("SCIM_BRIDGE_DROPBOX__RATE_BUDGET__LEASE", "1"),
    ];
    let t = TestApp::spawn_full(emulator, &budget).await;
    let (status, _) = t.create_user(body("warm@example.com", None)).await;
    assert_eq!(status, 201);
    let emails = emails("stream", 40);
    let start = tokio::time::Instant::now();
    let t = &t;
    let stream = emails.iter().enumerate().map(|(i, e)| async move {
        tokio::time::sleep_until(start + std::time::Duration::from_millis(10 * i as u64)).await;
        t.create_user(body(e, None)).await
    });
    let (calls, answers) = t.calls_during(futures::future::join_all(stream)).await;
    assert_created_as_themselves(t, &emails, &answers);
    let add_calls = calls.get("members/add_v2").copied().unwrap_or(0);
    // 400 ms of arrivals at one call per 100 ms: 4 or 5 calls; 8 leaves room for a slow machine.
    assert!(
        add_calls <= 8,
        "{add_calls} members/add_v2 calls: {calls:?}"
    );
}
