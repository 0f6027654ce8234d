//! The audit log as an operator reads it with the real binary: failed writes recorded with the
//! path's id (429, 503, 409, 400), the filters, JSON Lines and CSV, the demo's store, a store that
//! does not exist (never created), and retention.

mod retention;

use crate::helpers::test_app::TestApp;
use dropbox_scim_bridge::emulator::Fault;
use dropbox_scim_bridge::store::Store;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Output;

/// Runs the binary with `args` in `dir`, with only `env` set.
pub async fn run(dir: &Path, env: &[(String, String)], args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_dropbox-scim-bridge"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .await
        .expect("the binary runs")
}

/// Runs `audit ARGS` on the app's store and returns its JSON lines (asserting success).
async fn audit_json(app: &TestApp, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["audit", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(Path::new("."), &app.settings, &all).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?}: {stderr}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn statuses(entries: &[Value]) -> Vec<i64> {
    entries
        .iter()
        .filter_map(|e| e["status"].as_i64())
        .collect()
}

#[tokio::test]
async fn failed_writes_are_audited_with_the_paths_id_and_found_by_every_filter() {
    let app = TestApp::spawn().await;
    let id = app.active_member("ann@example.com").await;
    let suspend = json!([{"op": "replace", "path": "active", "value": false}]);
    // Longer than the test bridge's max_retry_wait_secs (2): the IdP gets the 429 at once.
    let rate_limited = Fault::RateLimitJson {
        retry_after: 3,
        reason_write_ops: false,
        body_retry_after: false,
    };
    app.dropbox
        .emulator
        .inject_fault("members/suspend", rate_limited, 1);
    assert_eq!(app.patch_user(&id, suspend.clone()).await.0, 429);
    // A 429 pauses the whole Dropbox client for its Retry-After (the rate budget): wait it out.
    tokio::time::sleep(std::time::Duration::from_millis(3200)).await;
    // Every attempt the client makes (4) is refused.
    let unavailable = Fault::Unavailable503 { retry_after: None };
    app.dropbox
        .emulator
        .inject_fault("members/suspend", unavailable, 4);
    let (status_503, body) = app.patch_user(&id, suspend.clone()).await;
    assert!(status_503 >= 500, "{body}");
    let bad = json!([{"op": "explode", "path": "active", "value": false}]);
    assert_eq!(app.patch_user(&id, bad).await.0, 400);
    let again = app
        .create_user(json!({"userName": "ann@example.com", "active": true,
        "name": {"givenName": "Ann", "familyName": "Again"}}))
        .await;
    assert_eq!(again.0, 409, "{}", again.1);
    app.list_users("count=10").await; // fills the mirror that `--email` reads

    let about_ann = audit_json(&app, &["--user", &id]).await;
    assert_eq!(
        statuses(&about_ann),
        vec![400, i64::from(status_503), 429, 201],
        "newest first: {about_ann:?}"
    );
    let rate = &about_ann[2];
    assert_eq!(rate["operation"], format!("PATCH /scim/v2/Users/{id}"));
    assert_eq!(rate["dropbox_calls"][0]["route"], "members/suspend");
    assert_eq!(
        audit_json(&app, &["--email", "ANN@example.com"]).await,
        about_ann
    );

    let failed = audit_json(&app, &["--status", "4xx"]).await;
    assert_eq!(statuses(&failed), vec![409, 400, 429]);
    assert_eq!(audit_json(&app, &["--status", "429"]).await.len(), 1);
    let patches = audit_json(&app, &["--operation", "patch"]).await;
    assert_eq!(patches.len(), 3);
    let client = about_ann[0]["client"].as_str().expect("client").to_owned();
    assert_eq!(audit_json(&app, &["--client", &client]).await.len(), 5);
    assert!(audit_json(&app, &["--client", "nobody"]).await.is_empty());
    let unknown = run(
        Path::new("."),
        &app.settings,
        &["audit", "--email", "x@y.z"],
    )
    .await;
    assert!(!unknown.status.success());

    // CSV: a header and one record per entry, quoted where needed, read back by a CSV parser.
    let csv = run(Path::new("."), &app.settings, &["audit", "--format", "csv"]).await;
    assert!(csv.status.success());
    let mut reader = csv::Reader::from_reader(csv.stdout.as_slice());
    let header = reader.headers().expect("header").clone();
    assert_eq!(header.get(7), Some("status"));
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(records.len(), 5);
    let calls_429 = |c: &str| c.contains("members/suspend=") && c.contains("(HTTP 429)");
    assert!(records.iter().any(|r| r.get(8).is_some_and(calls_429)));
}

#[tokio::test]
async fn audit_and_pending_refuse_a_store_that_does_not_exist_and_create_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("missing.sqlite");
    let env = vec![(
        "SCIM_BRIDGE_STORE__URL".to_owned(),
        format!("sqlite://{}?mode=rwc", file.display()),
    )];
    for args in [
        &["audit"][..],
        &["pending"],
        &["pending", "--cancel", "x"],
        &["audit", "--demo"],
    ] {
        let out = run(dir.path(), &env, args).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr.contains("does not exist") && stderr.contains("--demo"),
            "{args:?}: {stderr}"
        );
        assert!(!String::from_utf8_lossy(&out.stdout).contains("no audit entries"));
    }
    assert!(
        !file.exists() && !dir.path().join("data").exists(),
        "nothing was created"
    );
}

#[tokio::test]
async fn audit_and_pending_read_the_demos_store_as_the_readme_runs_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Where `serve --demo` keeps its store when run from the checkout (its default --data-dir).
    let db = dir.path().join("data/demo/bridge.sqlite");
    let store = Store::connect(&format!("sqlite://{}?mode=rwc", db.display()))
        .await
        .expect("store");
    let now = chrono::Utc::now();
    store
        .schedule_removal("u1", "dbmid:u1", now, "{}", now)
        .await
        .expect("schedule");
    store.close().await;
    let out = run(dir.path(), &[], &["pending", "--demo", "--json"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"scim_id\":\"u1\""));
    let out = run(dir.path(), &[], &["pending", "--demo", "--cancel", "u1"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        dir.path(),
        &[],
        &["audit", "--demo", "--operation", "pending --cancel"],
    )
    .await;
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && table.contains("pending --cancel") && table.contains("u1"),
        "{table}"
    );
}
