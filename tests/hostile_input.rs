//! Hostile input over HTTP (issue 13, items 6 and 8): oversized multi-valued attributes and PATCH
//! requests, several primaries, and wrong shapes are refused with a SCIM 400 before any Dropbox write.

use dropbox_scim_bridge::app::Application;
use dropbox_scim_bridge::config::Config;
use dropbox_scim_bridge::dropbox::DropboxClient;
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use dropbox_scim_bridge::scim::limits::{MAX_PATCH_OPERATIONS, MAX_VALUES_PER_ATTRIBUTE};
use serde_json::{Value, json};

const TOKEN: &str = "hostile-input-token";

/// The bridge on a loopback port against its own emulator.
struct Harness {
    base: String,
    dropbox: RunningEmulator,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Harness {
    async fn spawn() -> Self {
        let dropbox = Emulator::spawn(EmulatorConfig::default())
            .await
            .expect("emulator starts");
        let dir = tempfile::tempdir().expect("tempdir");
        let vars = [
            ("SCIM_BRIDGE_LISTEN", "127.0.0.1:0".to_owned()),
            ("SCIM_BRIDGE_TOKEN", TOKEN.to_owned()),
            (
                "SCIM_BRIDGE_STORE__URL",
                format!("sqlite://{}/bridge.sqlite?mode=rwc", dir.path().display()),
            ),
            ("SCIM_BRIDGE_DROPBOX__BASE_URL", dropbox.base_url.clone()),
            (
                "SCIM_BRIDGE_DROPBOX__ACCESS_TOKEN",
                dropbox.emulator.issue_token_all(),
            ),
        ];
        let vars = vars.into_iter().map(|(k, v)| (k.to_owned(), v));
        let config = Config::load_from(None, vars).expect("valid config");
        let client = DropboxClient::from_config(&config).expect("client builds");
        let app = Application::build(config, client)
            .await
            .expect("app builds");
        let base = format!("http://{}{}", app.local_addr(), app.path_prefix());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        Self {
            base,
            dropbox,
            http: reqwest::Client::new(),
            _dir: dir,
            _stop: stop,
        }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let resp = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(TOKEN)
            .header("content-type", "application/scim+json")
            .body(body.to_string())
            .send()
            .await
            .expect("request sent");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn post_user(&self, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, "/Users", body).await
    }

    fn dropbox_writes(&self) -> u64 {
        let stats = self.dropbox.emulator.stats();
        [
            "members/add_v2",
            "members/set_profile_v2",
            "members/suspend",
        ]
        .iter()
        .filter_map(|r| stats.get(*r))
        .sum()
    }
}

fn user(email: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": email,
        "name": {"givenName": "Hostile", "familyName": "Input"},
        "emails": [{"primary": true, "value": email, "type": "work"}], "active": true})
}

fn assert_400(answer: &(u16, Value), scim_type: &str) {
    assert_eq!(answer.0, 400, "{}", answer.1);
    assert_eq!(answer.1["status"], "400", "{}", answer.1);
    assert_eq!(answer.1["scimType"], scim_type, "{}", answer.1);
}

#[tokio::test]
async fn too_many_values_in_one_attribute_are_refused_before_dropbox() {
    let h = Harness::spawn().await;
    let mut body = user("many@example.com");
    body["emails"] = (0..=MAX_VALUES_PER_ATTRIBUTE)
        .map(|i| json!({"value": format!("m{i}@example.com")}))
        .collect();
    assert_400(&h.post_user(body).await, "tooMany");
    let mut body = user("phones@example.com");
    body["phoneNumbers"] = (0..40_000)
        .map(|i| json!({"value": i.to_string()}))
        .collect();
    assert_400(&h.post_user(body).await, "tooMany");
    assert_eq!(h.dropbox_writes(), 0);
}

#[tokio::test]
async fn oversized_or_quadratic_patches_are_refused_before_dropbox() {
    let h = Harness::spawn().await;
    let (status, created) = h.post_user(user("patch@example.com")).await;
    assert_eq!(status, 201, "{created}");
    let path = format!("/Users/{}", created["id"].as_str().unwrap_or_default());
    let writes = h.dropbox_writes();
    let op = json!({"op": "replace", "path": "title", "value": "x"});
    let too_many = json!({"Operations": vec![op; MAX_PATCH_OPERATIONS + 1]});
    assert_400(
        &h.send(reqwest::Method::PATCH, &path, too_many).await,
        "tooMany",
    );
    // 1,000 filter ops that each add a value: ~500,000 filter evaluations before the limits.
    let growing: Vec<Value> = (0..MAX_PATCH_OPERATIONS)
        .map(|i| json!({"op": "add", "path": format!("phoneNumbers[value eq \"{i}\"].type"), "value": "work"}))
        .collect();
    let started = std::time::Instant::now();
    let answer = h
        .send(
            reqwest::Method::PATCH,
            &path,
            json!({"Operations": growing}),
        )
        .await;
    println!("1000 growing filter ops over HTTP: {:?}", started.elapsed());
    assert_400(&answer, "tooMany");
    assert_eq!(h.dropbox_writes(), writes);
}

#[tokio::test]
async fn two_primaries_and_wrong_shapes_are_invalid_values() {
    let h = Harness::spawn().await;
    let mut two = user("two@example.com");
    two["emails"] = json!([{"value": "two@example.com", "primary": true},
        {"value": "other@example.com", "primary": true}]);
    assert_400(&h.post_user(two).await, "invalidValue");
    let mut array_name = user("array@example.com");
    array_name["userName"] = json!(["array@example.com"]);
    assert_400(&h.post_user(array_name).await, "invalidValue");
    let mut string_emails = user("string@example.com");
    string_emails["emails"] = json!("string@example.com");
    assert_400(&h.post_user(string_emails).await, "invalidValue");
    assert_eq!(h.dropbox_writes(), 0);
    // A PATCH op that makes another value primary still moves the primary (RFC 7644 section 3.5.2).
    let (status, created) = h.post_user(user("moves@example.com")).await;
    assert_eq!(status, 201, "{created}");
    let path = format!("/Users/{}", created["id"].as_str().unwrap_or_default());
    let add = json!({"Operations": [{"op": "add", "path": "phoneNumbers",
        "value": [{"value": "1", "primary": true}]}, {"op": "add", "path": "phoneNumbers",
        "value": [{"value": "2", "primary": true}]}]});
    let (status, patched) = h.send(reqwest::Method::PATCH, &path, add).await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(
        patched["phoneNumbers"],
        json!([{"value": "1", "primary": false}, {"value": "2", "primary": true}])
    );
}
