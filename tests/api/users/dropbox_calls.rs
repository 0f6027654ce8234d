//! Dropbox calls per SCIM operation (issue 12's table, kept in docs/PERFORMANCE.md), counted at the
//! emulator through the real application over loopback. Counting calls is deterministic, so every row
//! asserts the exact calls per route.

use std::collections::BTreeMap;
use std::future::Future;

use crate::helpers::scim_calls::GROUP_URN;
use crate::helpers::test_app::TestApp;
use dropbox_scim_bridge::bridge::GROUP_NAMES_MIN_INTERVAL;
use dropbox_scim_bridge::emulator::EmulatorConfig;
use serde_json::{Value, json};

/// A bridge that refreshes its access token like production, over a team with room for the tests.
async fn spawn() -> TestApp {
    let emulator = EmulatorConfig {
        num_licensed_users: 1000,
        ..EmulatorConfig::default()
    };
    TestApp::spawn_refreshing(emulator).await
}

async fn create(t: &TestApp, email: &str) -> String {
    let user = t.create_okta_user(email, "A", "B").await;
    user["id"].as_str().expect("id").to_owned()
}

async fn patch(t: &TestApp, id: &str, path: &str, value: Value) -> Value {
    let ops = json!([{"op": "replace", "path": path, "value": value}]);
    let (status, user) = t.patch_user(id, ops).await;
    assert_eq!(status, 200, "{user}");
    user
}

async fn get(t: &TestApp, id: &str) -> Value {
    let (status, user) = t.get_user(id).await;
    assert_eq!(status, 200, "{user}");
    user
}

async fn find(t: &TestApp, email: &str) {
    let query = format!("filter=userName%20eq%20%22{email}%22");
    let (status, found) = t.list_users(&query).await;
    assert_eq!(
        (status, &found["totalResults"]),
        (200, &json!(1)),
        "{found}"
    );
}

/// A team call made directly, as another replica of the bridge (or an admin) would.
async fn dropbox_direct(t: &TestApp, route: &str, arg: Value) -> Value {
    let (status, body) = t.dropbox_direct(route, arg).await;
    assert!((200..300).contains(&status), "{route}: {status} {body}");
    body
}

/// The Dropbox calls per route made while `op` ran.
async fn count<F: Future>(t: &TestApp, op: F) -> (BTreeMap<String, u64>, F::Output) {
    t.calls_during(op).await
}

fn calls(routes: &[(&str, u64)]) -> BTreeMap<String, u64> {
    routes.iter().map(|(r, n)| (r.to_string(), *n)).collect()
}

fn group_names(user: &Value) -> Vec<&str> {
    let groups = user["groups"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    groups
        .iter()
        .filter_map(|g| g["display"].as_str())
        .collect()
}

#[tokio::test]
async fn every_user_operation_makes_the_fewest_dropbox_calls() {
    let t = spawn().await;
    // One-off costs, paid by the first request: the access token and the group-name cache's fill.
    let (warm_up, _) = count(&t, create(&t, "warm@example.com")).await;
    let one_off = [("oauth2/token", 1), ("groups/list", 1)];
    assert_eq!(
        warm_up,
        calls(&[one_off[0], one_off[1], ("members/add_v2", 1)])
    );

    let (c, id) = count(&t, create(&t, "row@example.com")).await;
    assert_eq!(c, calls(&[("members/add_v2", 1)]), "POST /Users");
    t.dropbox.emulator.accept_invite(&id).expect("accepted");

    let (c, user) = count(&t, get(&t, &id)).await;
    assert_eq!(c, calls(&[("members/get_info_v2", 1)]), "GET /Users/{{id}}");
    assert_eq!(group_names(&user), vec!["Everyone"], "named from the cache");

    let read_and = |route| calls(&[("members/get_info_v2", 1), (route, 1)]);
    let (c, _) = count(&t, patch(&t, &id, "name.givenName", json!("Zed"))).await;
    assert_eq!(c, read_and("members/set_profile_v2"), "PATCH a name");
    let (c, _) = count(&t, patch(&t, &id, "active", json!(false))).await;
    assert_eq!(c, read_and("members/suspend"), "PATCH active false");
    let (c, _) = count(&t, patch(&t, &id, "active", json!(true))).await;
    assert_eq!(c, read_and("members/unsuspend"), "PATCH active true");
    let (c, _) = count(&t, patch(&t, &id, "active", json!(true))).await;
    let only_read = calls(&[("members/get_info_v2", 1)]);
    assert_eq!(c, only_read, "PATCH active true to an active member");
    let (c, _) = count(&t, find(&t, "row@example.com")).await;
    assert_eq!(c, only_read, "userName eq");
}

/// The one route `c` holds, and how many calls it made.
fn only_route(c: &BTreeMap<String, u64>) -> (&str, u64) {
    assert_eq!(c.len(), 1, "{c:?}");
    c.iter()
        .next()
        .map(|(r, n)| (r.as_str(), *n))
        .unwrap_or_default()
}

#[tokio::test]
async fn concurrent_creates_and_look_ups_share_calls() {
    // The longest coalescing window, so that the burst always meets in the batcher whatever the
    // machine's load; a full batch (20) leaves at once (tests/api/users/coalescing.rs has the rest).
    let emulator = EmulatorConfig {
        num_licensed_users: 1000,
        ..EmulatorConfig::default()
    };
    let t = TestApp::spawn_full(emulator, &[("SCIM_BRIDGE_COALESCE__WINDOW_MS", "1000")]).await;
    create(&t, "warm@example.com").await;
    let emails: Vec<String> = (0..50).map(|i| format!("c{i}@example.com")).collect();
    let creates = futures::future::join_all(emails.iter().map(|e| create(&t, e)));
    let (c, _) = count(&t, creates).await;
    let (route, n) = only_route(&c);
    assert_eq!(route, "members/add_v2");
    assert!((3..=5).contains(&n), "50 concurrent POST: {n} calls");
    let look_ups = futures::future::join_all(emails.iter().map(|e| find(&t, e)));
    let (c, _) = count(&t, look_ups).await;
    let (route, n) = only_route(&c);
    assert_eq!(route, "members/get_info_v2");
    assert!((3..=5).contains(&n), "50 userName eq: {n} calls");
}

#[tokio::test]
async fn group_names_follow_our_writes_and_refresh_on_an_unknown_group() {
    let t = spawn().await;
    let id = create(&t, "member@example.com").await;
    t.dropbox.emulator.accept_invite(&id).expect("accepted");
    let sales = json!({"schemas": [GROUP_URN], "displayName": "Sales", "members": [{"value": id}]});
    let (status, group) = t.create_group(sales).await;
    assert_eq!(status, 201, "{group}");
    let gid = group["id"].as_str().expect("group id");

    // Created through this bridge: known without a refresh.
    let (c, user) = count(&t, get(&t, &id)).await;
    assert_eq!(c, calls(&[("members/get_info_v2", 1)]));
    assert_eq!(group_names(&user), vec!["Everyone", "Sales"]);

    // Renamed through this bridge: the new name at once.
    let rename = json!([{"op": "replace", "path": "displayName", "value": "Field Sales"}]);
    let (status, _) = t.patch_group(gid, rename).await;
    assert!(matches!(status, 200 | 204), "rename: {status}");
    let (c, user) = count(&t, get(&t, &id)).await;
    assert_eq!(c, calls(&[("members/get_info_v2", 1)]));
    assert_eq!(group_names(&user), vec!["Everyone", "Field Sales"]);

    // Created elsewhere (another replica). Right after the cache's fill, an unknown id is named by
    // one groups/get_info for just that id (refreshes are spaced out), and remembered.
    let (t, id) = (&t, id.as_str());
    let add_to = |name: &'static str| async move {
        let g = dropbox_direct(t, "groups/create", json!({"group_name": name})).await;
        let arg = json!({"group": {".tag": "group_id", "group_id": g["group_id"]},
            "members": [{"user": {".tag": "team_member_id", "team_member_id": id},
                "access_type": "member"}], "return_members": false});
        dropbox_direct(t, "groups/members/add", arg).await;
    };
    add_to("Admins").await;
    let (c, user) = count(t, get(t, id)).await;
    let with = |route| calls(&[("members/get_info_v2", 1), (route, 1)]);
    assert_eq!(c, with("groups/get_info"));
    assert_eq!(
        group_names(&user),
        vec!["Admins", "Everyone", "Field Sales"]
    );
    let (c, _) = count(t, get(t, id)).await;
    assert_eq!(c, calls(&[("members/get_info_v2", 1)]), "remembered");

    // Later, an unknown id refreshes the whole cache with groups/list.
    tokio::time::sleep(GROUP_NAMES_MIN_INTERVAL).await;
    add_to("Board").await;
    let (c, user) = count(t, get(t, id)).await;
    assert_eq!(c, with("groups/list"));
    assert_eq!(group_names(&user).len(), 4);

    // A `GET /Groups` walks groups/list anyway and refills the cache on the way.
    add_to("Crew").await;
    let (c, _) = count(t, t.list_groups("excludedAttributes=members")).await;
    assert_eq!(c, calls(&[("groups/list", 1)]));
    let (c, user) = count(t, get(t, id)).await;
    assert_eq!(c, calls(&[("members/get_info_v2", 1)]));
    assert_eq!(group_names(&user).len(), 5);
}
