//! Errors at run time that name the fix (issue 9), end to end: the application over loopback
//! against the emulator, and the binary for `pending`. A missing Dropbox scope is a 403 naming
//! it; a refused `[deprovision]` setting names its key; a blocked removal is reported at DELETE
//! time and fixed from the CLI.

use dropbox_scim_bridge::app::Application;
use dropbox_scim_bridge::config::Config;
use dropbox_scim_bridge::dropbox::DropboxClient;
use dropbox_scim_bridge::dropbox::scopes::REQUIRED_SCOPES;
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use dropbox_scim_bridge::store::{AuditEntry, AuditQuery, PendingRemoval, RemovalState, Store};
use reqwest::Method;
use serde_json::{Value, json};
use std::process::Output;
use std::time::Duration;

const TOKEN: &str = "runtime-errors-idp-token";

/// The bridge on loopback, its emulator, and the settings the CLI is run with.
struct Env {
    base: String,
    dropbox: RunningEmulator,
    vars: Vec<(String, String)>,
    store: Store,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Env {
    /// Starts the bridge with a Dropbox token limited to `scopes` and extra settings.
    async fn start(scopes: &[&str], settings: &[(&str, &str)]) -> Self {
        let dropbox = Emulator::spawn(EmulatorConfig::default())
            .await
            .expect("emulator");
        let token = dropbox.emulator.issue_token(scopes);
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}/bridge.sqlite?mode=rwc", dir.path().display());
        let mut vars: Vec<(String, String)> = [
            ("SCIM_BRIDGE_LISTEN", "127.0.0.1:0"),
            ("SCIM_BRIDGE_TOKEN", TOKEN),
            ("SCIM_BRIDGE_STORE__URL", &url),
            ("SCIM_BRIDGE_DROPBOX__BASE_URL", &dropbox.base_url),
            ("SCIM_BRIDGE_DROPBOX__ACCESS_TOKEN", &token),
            ("SCIM_BRIDGE_DROPBOX__MAX_RETRY_WAIT_SECS", "2"),
        ]
        .iter()
        .chain(settings)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let config = Config::load_from(None, vars.clone()).expect("config");
        let client = DropboxClient::from_config(&config).expect("client");
        let app = Application::build(config, client).await.expect("app");
        let base = format!("http://{}{}", app.local_addr(), app.path_prefix());
        let (stop, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        vars.retain(|(k, _)| k != "SCIM_BRIDGE_LISTEN");
        let store = Store::connect(&url).await.expect("store");
        Self {
            base,
            dropbox,
            vars,
            store,
            _dir: dir,
            _stop: stop,
        }
    }

    async fn json(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = reqwest::Client::new()
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

    /// Creates a user (with `extra` attributes) and has them accept the invitation.
    async fn member(&self, email: &str, extra: Value) -> String {
        let mut body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": email, "name": {"givenName": "Ann", "familyName": "Example"},
            "emails": [{"primary": true, "value": email}], "active": true
        });
        if let (Some(b), Some(x)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(x.clone());
        }
        let (status, body) = self.json(Method::POST, "/Users", Some(body)).await;
        assert_eq!(status, 201, "{body}");
        let id = body["id"].as_str().expect("id").to_owned();
        self.dropbox.emulator.accept_invite(&id).expect("accepted");
        id
    }

    async fn delete(&self, id: &str) -> u16 {
        self.json(Method::DELETE, &format!("/Users/{id}"), None)
            .await
            .0
    }

    fn status(&self, id: &str) -> Value {
        self.dropbox.emulator.member(id).expect("member")["status"][".tag"].clone()
    }

    /// The user's only removal.
    async fn removal(&self, scim_id: &str) -> PendingRemoval {
        let all = self.store.list_removals(None).await.expect("list");
        let mine: Vec<_> = all.into_iter().filter(|r| r.scim_id == scim_id).collect();
        assert_eq!(mine.len(), 1, "{mine:?}");
        mine.into_iter().next().expect("one")
    }

    /// The user's audit entries, newest first.
    async fn audit(&self, scim_id: &str) -> Vec<AuditEntry> {
        let q = AuditQuery {
            resource_id: Some(scim_id.to_owned()),
            ..AuditQuery::default()
        };
        self.store.query_audit(&q).await.expect("audit")
    }

    /// Runs `dropbox-scim-bridge pending ARGS` on the same store and Dropbox.
    async fn pending(&self, args: &[&str]) -> Output {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_dropbox-scim-bridge"))
            .arg("pending")
            .args(args)
            .env_clear()
            .envs(self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .await
            .expect("the binary runs")
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn a_missing_dropbox_scope_is_a_403_that_names_it() {
    let scopes: Vec<&str> = REQUIRED_SCOPES
        .iter()
        .copied()
        .filter(|s| *s != "members.write")
        .collect();
    let env = Env::start(&scopes, &[]).await;
    let body = json!({"userName": "new@example.com", "active": true,
        "name": {"givenName": "New", "familyName": "Member"}});

    let (status, body) = env.json(Method::POST, "/Users", Some(body)).await;

    assert_eq!(status, 403, "{body}");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("members.write"), "{detail}");
    assert!(!detail.contains("could not be reached"), "{detail}");
}

#[tokio::test]
async fn refused_transfer_settings_name_the_config_key_and_block_the_removal() {
    for (dest, admin, key) in [
        (
            "ghost@example.com",
            "admin@example.com",
            "deprovision.transfer_dest",
        ),
        (
            "archive@example.com",
            "plain@example.com",
            "deprovision.transfer_admin",
        ),
    ] {
        let env = Env::start(
            REQUIRED_SCOPES,
            &[
                ("SCIM_BRIDGE_DEPROVISION__POLICY", "remove"),
                ("SCIM_BRIDGE_DEPROVISION__TRANSFER_TO", "member"),
                ("SCIM_BRIDGE_DEPROVISION__TRANSFER_DEST", dest),
                ("SCIM_BRIDGE_DEPROVISION__TRANSFER_ADMIN", admin),
            ],
        )
        .await;
        env.member("archive@example.com", json!({})).await;
        env.member("plain@example.com", json!({})).await;
        let id = env.member("leaver@example.com", json!({})).await;

        assert_eq!(env.delete(&id).await, 204, "{key}");

        assert_eq!(env.status(&id), json!("suspended"), "{key}");
        let removal = env.removal(&id).await;
        assert_eq!(removal.state, RemovalState::Blocked, "{key}");
        let reason = removal.last_error.unwrap_or_default();
        assert!(reason.contains(key), "{key}: {reason}");
        assert!(!reason.contains("@example.com"), "no e-mail: {reason}");
        let audit = env.audit(&id).await;
        let detail = audit[0].detail.clone().unwrap_or_default();
        assert_eq!(audit[0].status, 204);
        assert!(detail.contains(key), "{key}: {detail}");
    }
}

#[tokio::test]
async fn a_blocked_removal_is_reported_at_delete_time_and_fixed_from_the_cli() {
    let env = Env::start(
        REQUIRED_SCOPES,
        &[
            ("SCIM_BRIDGE_DEPROVISION__POLICY", "suspend_then_remove"),
            ("SCIM_BRIDGE_DEPROVISION__TRANSFER_TO", "manager"),
            (
                "SCIM_BRIDGE_DEPROVISION__TRANSFER_ADMIN",
                "admin@example.com",
            ),
        ],
    )
    .await;
    let archive = env.member("archive@example.com", json!({})).await;
    let id = env.member("leaver@example.com", json!({})).await;
    let before = chrono::Utc::now();

    // No manager and no fallback: blocked now, not when the 7-day grace period ends.
    assert_eq!(env.delete(&id).await, 204);

    assert_eq!(env.status(&id), json!("suspended"));
    let blocked = env.removal(&id).await;
    assert_eq!(blocked.state, RemovalState::Blocked);
    assert!(blocked.due_at > before + chrono::Duration::days(6));
    assert!(
        blocked
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("transfer_dest")
    );
    let detail = env.audit(&id).await[0].detail.clone().unwrap_or_default();
    assert!(detail.starts_with("removal blocked"), "{detail}");

    let listed = env.pending(&["--state", "blocked", "--json"]).await;
    assert!(listed.status.success(), "{}", text(&listed));
    let lines: Vec<Value> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], json!(blocked.id));
    let none = env.pending(&["--state", "pending", "--json"]).await;
    assert!(String::from_utf8_lossy(&none.stdout).trim().is_empty());

    // A destination that is not a member is refused before anything is stored.
    let args = [
        "--retry",
        &blocked.id,
        "--transfer-dest",
        "ghost@example.com",
    ];
    let refused = env.pending(&args).await;
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("not a member"),
        "{}",
        text(&refused)
    );
    assert_eq!(env.removal(&id).await.state, RemovalState::Blocked);

    let args = [
        "--retry",
        &blocked.id,
        "--transfer-dest",
        "archive@example.com",
    ];
    let fixed = env.pending(&args).await;
    assert!(fixed.status.success(), "{}", text(&fixed));
    let retried = env.store.list_removals(Some(RemovalState::Pending)).await;
    let retried = retried.expect("list").pop().expect("re-scheduled");
    assert_eq!(
        retried.due_at, blocked.due_at,
        "the grace period still runs"
    );
    assert!(retried.policy.contains(&archive));

    let now = env.pending(&["--run-now", &retried.id]).await;
    assert!(now.status.success(), "{}", text(&now));
    for _ in 0..100 {
        if env.status(&id) == json!("removed") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(env.status(&id), json!("removed"));
    let remove = env.dropbox.emulator.calls("members/remove");
    assert_eq!(
        remove[0]["transfer_dest_id"],
        json!({".tag": "team_member_id", "team_member_id": archive})
    );
    let cli: Vec<String> = env
        .audit(&id)
        .await
        .into_iter()
        .filter(|e| e.client.as_deref() == Some("cli"))
        .map(|e| e.operation)
        .collect();
    assert_eq!(cli, ["pending --run-now", "pending --retry"]);
}
