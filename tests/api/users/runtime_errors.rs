//! Errors at run time that name the fix: a missing Dropbox scope is a 403 naming it, and a
//! `[deprovision]` setting Dropbox refuses names its key, never a bare 500.

use crate::helpers::test_app::TestApp;
use dropbox_scim_bridge::dropbox::scopes::REQUIRED_SCOPES;
use dropbox_scim_bridge::store::{AuditQuery, RemovalState, Store};
use serde_json::json;

#[tokio::test]
async fn a_missing_dropbox_scope_is_a_403_that_names_it() {
    let scopes: Vec<&str> = REQUIRED_SCOPES
        .iter()
        .copied()
        .filter(|s| *s != "members.write")
        .collect();
    let app = TestApp::spawn_scoped(&scopes, &[]).await;
    let body = json!({"userName": "new@example.com", "active": true,
        "name": {"givenName": "New", "familyName": "Member"}});

    let (status, body) = app.create_user(body).await;

    assert_eq!(status, 403, "{body}");
    assert!(body.get("scimType").is_none());
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
        let app = TestApp::spawn_with(&[
            ("SCIM_BRIDGE_DEPROVISION__POLICY", "remove"),
            ("SCIM_BRIDGE_DEPROVISION__TRANSFER_TO", "member"),
            ("SCIM_BRIDGE_DEPROVISION__TRANSFER_DEST", dest),
            ("SCIM_BRIDGE_DEPROVISION__TRANSFER_ADMIN", admin),
        ])
        .await;
        app.active_member("archive@example.com").await;
        app.active_member("plain@example.com").await;
        let id = app.active_member("leaver@example.com").await;

        let (status, _) = app.delete_user(&id).await;

        // Access ends (suspended), the removal waits for an operator, and both say which key.
        assert_eq!(status, 204, "{key}");
        let member = app.dropbox.emulator.member(&id).expect("member");
        assert_eq!(member["status"][".tag"], json!("suspended"), "{key}");
        let store = Store::connect(app.store_url()).await.expect("store");
        let removals = store.list_removals(None).await.expect("list");
        assert_eq!(removals.len(), 1, "{key}");
        assert_eq!(removals[0].state, RemovalState::Blocked, "{key}");
        let reason = removals[0].last_error.clone().unwrap_or_default();
        assert!(reason.contains(key), "{key}: {reason}");
        assert!(!reason.contains("@example.com"), "no e-mail: {reason}");
        let query = AuditQuery {
            resource_id: Some(id.clone()),
            ..AuditQuery::default()
        };
        let audit = store.query_audit(&query).await.expect("audit");
        assert_eq!(audit[0].status, 204);
        let detail = audit[0].detail.clone().unwrap_or_default();
        assert!(detail.contains(key), "{key}: {detail}");
    }
}
