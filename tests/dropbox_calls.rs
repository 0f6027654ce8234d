//! Dropbox calls per SCIM operation (issue 12's table, kept in docs/PERFORMANCE.md), counted at the
//! emulator through the real application over loopback. Counting calls is deterministic, so every row
//! asserts the exact calls per route.

use std::collections::BTreeMap;
use std::future::Future;

use dropbox_scim_bridge::app::Application;
use dropbox_scim_bridge::bridge::GROUP_NAMES_MIN_INTERVAL;
use dropbox_scim_bridge::config::Config;
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use reqwest::{Client, Method};
use serde_json::{Value, json};

const TOKEN: &str = "calls-test-idp-token";

/// The bridge (authenticating to Dropbox with a refresh token, as in production) and its emulator.
struct Calls {
    base: String,
    dropbox: RunningEmulator,
    http: Client,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Calls {
    async fn spawn() -> Self {
        let emulator = EmulatorConfig {
            num_licensed_users: 1000,
            ..EmulatorConfig::default()
        };
        let dropbox = Emulator::spawn(emulator.clone()).await.expect("emulator");
        let dir = tempfile::tempdir().expect("tempdir");
        let db = format!("sqlite://{}/bridge.sqlite?mode=rwc", dir.path().display());
        let vars = [
            ("SCIM_BRIDGE_LISTEN", "127.0.0.1:0".to_owned()),
            ("SCIM_BRIDGE_TOKEN", TOKEN.to_owned()),
            ("SCIM_BRIDGE_STORE__URL", db),
            ("SCIM_BRIDGE_DROPBOX__BASE_URL", dropbox.base_url.clone()),
            ("SCIM_BRIDGE_DROPBOX__APP_KEY", emulator.app_key.clone()),
            (
                "SCIM_BRIDGE_DROPBOX__APP_SECRET",
                emulator.app_secret.clone(),
            ),
            (
                "SCIM_BRIDGE_DROPBOX__REFRESH_TOKEN",
                emulator.refresh_token.clone(),
            ),
        ];
        let vars = vars.map(|(k, v)| (k.to_owned(), v));
        let config = Config::load_from(None, vars).expect("config");
        let client =
            dropbox_scim_bridge::dropbox::DropboxClient::from_config(&config).expect("client");
        let app = Application::build(config, client).await.expect("app");
        let base = format!("http://{}{}", app.local_addr(), app.path_prefix());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        Self {
            base,
            dropbox,
            http: Client::new(),
            _dir: dir,
            _stop: tx,
        }
    }

    async fn scim(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(TOKEN);
        if let Some(body) = body {
            req = req
                .header("content-type", "application/scim+json")
                .body(body.to_string());
        }
        let resp = req.send().await.expect("sent");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn create(&self, email: &str) -> String {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": email,
            "name": {"givenName": "A", "familyName": "B"},
            "emails": [{"value": email, "primary": true}],
            "active": true
        });
        let (status, user) = self.scim(Method::POST, "/Users", Some(body)).await;
        assert_eq!(status, 201, "{user}");
        user["id"].as_str().expect("id").to_owned()
    }

    async fn patch(&self, id: &str, path: &str, value: Value) -> Value {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": path, "value": value}]
        });
        let (status, user) = self
            .scim(Method::PATCH, &format!("/Users/{id}"), Some(body))
            .await;
        assert_eq!(status, 200, "{user}");
        user
    }

    async fn get(&self, id: &str) -> Value {
        let (status, user) = self.scim(Method::GET, &format!("/Users/{id}"), None).await;
        assert_eq!(status, 200, "{user}");
        user
    }

    async fn find(&self, email: &str) {
        let path = format!("/Users?filter=userName%20eq%20%22{email}%22");
        let (status, found) = self.scim(Method::GET, &path, None).await;
        assert_eq!(
            (status, &found["totalResults"]),
            (200, &json!(1)),
            "{found}"
        );
    }

    /// A team call made directly, as another replica of the bridge (or an admin) would.
    async fn dropbox_direct(&self, route: &str, arg: Value) -> Value {
        let token = self.dropbox.emulator.issue_token_all();
        let resp = self
            .http
            .post(format!("{}/2/team/{route}", self.dropbox.base_url))
            .bearer_auth(token)
            .json(&arg)
            .send()
            .await
            .expect("sent");
        assert!(resp.status().is_success(), "{route}");
        resp.json().await.expect("json")
    }

    /// The Dropbox calls per route made while `op` ran.
    async fn count<F: Future>(&self, op: F) -> (BTreeMap<String, u64>, F::Output) {
        let before = self.dropbox.emulator.stats();
        let out = op.await;
        let delta = self
            .dropbox
            .emulator
            .stats()
            .into_iter()
            .map(|(route, n)| (route.clone(), n - before.get(&route).copied().unwrap_or(0)))
            .filter(|(_, n)| *n > 0)
            .collect();
        (delta, out)
    }
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
    let t = Calls::spawn().await;
    // One-off costs, paid by the first request: the access token and the group-name cache's fill.
    let (warm_up, _) = t.count(t.create("warm@example.com")).await;
    let one_off = [("oauth2/token", 1), ("groups/list", 1)];
    assert_eq!(
        warm_up,
        calls(&[one_off[0], one_off[1], ("members/add_v2", 1)])
    );

    let (c, id) = t.count(t.create("row@example.com")).await;
    assert_eq!(c, calls(&[("members/add_v2", 1)]), "POST /Users");
    t.dropbox.emulator.accept_invite(&id).expect("accepted");

    let (c, user) = t.count(t.get(&id)).await;
    assert_eq!(c, calls(&[("members/get_info_v2", 1)]), "GET /Users/{{id}}");
    assert_eq!(group_names(&user), vec!["Everyone"], "named from the cache");

    let read_and = |route| calls(&[("members/get_info_v2", 1), (route, 1)]);
    let (c, _) = t.count(t.patch(&id, "name.givenName", json!("Zed"))).await;
    assert_eq!(c, read_and("members/set_profile_v2"), "PATCH a name");
    let (c, _) = t.count(t.patch(&id, "active", json!(false))).await;
    assert_eq!(c, read_and("members/suspend"), "PATCH active false");
    let (c, _) = t.count(t.patch(&id, "active", json!(true))).await;
    assert_eq!(c, read_and("members/unsuspend"), "PATCH active true");
    let (c, _) = t.count(t.patch(&id, "active", json!(true))).await;
    let only_read = calls(&[("members/get_info_v2", 1)]);
    assert_eq!(c, only_read, "PATCH active true to an active member");
    let (c, _) = t.count(t.find("row@example.com")).await;
    assert_eq!(c, only_read, "userName eq");
}

#[tokio::test]
async fn concurrent_creates_and_look_ups_cost_a_call_each_until_coalesced() {
    let t = Calls::spawn().await;
    t.create("warm@example.com").await;
    let emails: Vec<String> = (0..50).map(|i| format!("c{i}@example.com")).collect();
    // Issue 12's next step (coalescing) brings these to at most 5 calls each.
    let creates = futures::future::join_all(emails.iter().map(|e| t.create(e)));
    let (c, _) = t.count(creates).await;
    assert_eq!(c, calls(&[("members/add_v2", 50)]), "50 concurrent POST");
    let look_ups = futures::future::join_all(emails.iter().map(|e| t.find(e)));
    let (c, _) = t.count(look_ups).await;
    assert_eq!(c, calls(&[("members/get_info_v2", 50)]), "50 userName eq");
}

#[tokio::test]
async fn group_names_follow_our_writes_and_refresh_on_an_unknown_group() {
    let t = Calls::spawn().await;
    let id = t.create("member@example.com").await;
    t.dropbox.emulator.accept_invite(&id).expect("accepted");
    let (status, group) = t
        .scim(
            Method::POST,
            "/Groups",
            Some(
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "Sales", "members": [{"value": id}]}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    let gid = group["id"].as_str().expect("group id");

    // Created through this bridge: known without a refresh.
    let (c, user) = t.count(t.get(&id)).await;
    assert_eq!(c, calls(&[("members/get_info_v2", 1)]));
    assert_eq!(group_names(&user), vec!["Everyone", "Sales"]);

    // Renamed through this bridge: the new name at once.
    let rename = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "displayName", "value": "Field Sales"}]});
    let path = format!("/Groups/{gid}");
    let (status, _) = t.scim(Method::PATCH, &path, Some(rename)).await;
    assert!(matches!(status, 200 | 204), "rename: {status}");
    let (c, user) = t.count(t.get(&id)).await;
    assert_eq!(c, calls(&[("members/get_info_v2", 1)]));
    assert_eq!(group_names(&user), vec!["Everyone", "Field Sales"]);

    // Created elsewhere (another replica). Right after the cache's fill, an unknown id is named by
    // one groups/get_info for just that id (refreshes are spaced out), and remembered.
    let (t, id) = (&t, id.as_str());
    let add_to = |name: &'static str| async move {
        let g = t
            .dropbox_direct("groups/create", json!({"group_name": name}))
            .await;
        let arg = json!({"group": {".tag": "group_id", "group_id": g["group_id"]},
            "members": [{"user": {".tag": "team_member_id", "team_member_id": id},
                "access_type": "member"}], "return_members": false});
        t.dropbox_direct("groups/members/add", arg).await;
    };
    add_to("Admins").await;
    let (c, user) = t.count(t.get(id)).await;
    let with = |route| calls(&[("members/get_info_v2", 1), (route, 1)]);
    assert_eq!(c, with("groups/get_info"));
    assert_eq!(
        group_names(&user),
        vec!["Admins", "Everyone", "Field Sales"]
    );
    let (c, _) = t.count(t.get(id)).await;
    assert_eq!(c, calls(&[("members/get_info_v2", 1)]), "remembered");

    // Later, an unknown id refreshes the whole cache with groups/list.
    tokio::time::sleep(GROUP_NAMES_MIN_INTERVAL).await;
    add_to("Board").await;
    let (c, user) = t.count(t.get(id)).await;
    assert_eq!(c, with("groups/list"));
    assert_eq!(group_names(&user).len(), 4);
}
