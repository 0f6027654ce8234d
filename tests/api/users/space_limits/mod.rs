//! Custom member space limits (`[space_limits]`, issue 14) end to end over loopback: the bridge's
//! `spaceLimitGb` extension set on create, changed by PATCH, unchanged by a PUT at no cost, removed when
//! unset, refused precisely before any call, and held by the emulator. Calls are counted at the emulator.

mod refusals;

use crate::helpers::scim_calls::USER_URN;
use crate::helpers::test_app::TestApp;
use dropbox_scim_bridge::store::{AuditQuery, Store};
use reqwest::Method;
use serde_json::{Value, json};

pub(super) const EXT: &str =
    "urn:dropbox-scim-bridge:params:scim:schemas:extension:dropbox:2.0:User";
pub(super) const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub(super) const SET: &str = "member_space_limits/set_custom_quota";
pub(super) const REMOVE: &str = "member_space_limits/remove_custom_quota";

/// A bridge with space limits turned on.
pub(super) async fn enabled(extra: &[(&str, &str)]) -> TestApp {
    let mut settings = vec![("SCIM_BRIDGE_SPACE_LIMITS__ENABLED", "true")];
    settings.extend_from_slice(extra);
    TestApp::spawn_with(&settings).await
}

pub(super) fn user(email: &str, limit: Option<Value>) -> Value {
    let mut body = json!({
        "schemas": [USER_URN],
        "userName": email,
        "name": {"givenName": "Quinn", "familyName": "Quota"},
        "emails": [{"primary": true, "value": email, "type": "work"}],
        "active": true
    });
    if let Some(v) = limit {
        body["schemas"] = json!([USER_URN, EXT]);
        body[EXT] = json!({ "spaceLimitGb": v });
    }
    body
}

/// Creates a user with `limit` GB and returns its id (asserting 201).
pub(super) async fn create(app: &TestApp, email: &str, limit: Option<u64>) -> String {
    let (status, body) = app.create_user(user(email, limit.map(Value::from))).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().expect("id").to_owned()
}

/// The custom quota Dropbox reports through the emulator's `get_custom_quota` over HTTP.
pub(super) async fn dropbox_quota(app: &TestApp, id: &str) -> Option<u64> {
    let arg = json!({"users": [{".tag": "team_member_id", "team_member_id": id}]});
    let (status, results) = app
        .dropbox_direct("member_space_limits/get_custom_quota", arg)
        .await;
    assert_eq!(status, 200, "{results}");
    assert_eq!(results[0][".tag"], "success", "{results}");
    results[0]["quota_gb"].as_u64()
}

pub(super) async fn patch(app: &TestApp, id: &str, op: Value) -> (u16, Value) {
    app.patch_user(id, json!([op])).await
}

/// The quota calls (set, remove) made so far.
pub(super) fn quota_calls(app: &TestApp) -> (u64, u64) {
    (app.count(SET), app.count(REMOVE))
}

#[tokio::test]
async fn set_on_create_read_back_without_a_call_and_held_by_dropbox() {
    let app = enabled(&[]).await;
    let (status, body) = app
        .create_user(user("set@example.com", Some(json!(10))))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body[EXT]["spaceLimitGb"], 10);
    assert!(
        body["schemas"]
            .as_array()
            .expect("schemas")
            .contains(&json!(EXT))
    );
    let id = body["id"].as_str().expect("id").to_owned();
    assert_eq!(quota_calls(&app), (1, 0));
    assert_eq!(
        app.dropbox.emulator.calls(SET),
        vec![json!({"users_and_quotas": [{
            "user": {".tag": "team_member_id", "team_member_id": id}, "quota_gb": 10
        }]})]
    );
    assert_eq!(dropbox_quota(&app, &id).await, Some(10));
    let (status, got) = app.get_user(&id).await;
    assert_eq!((status, &got[EXT]["spaceLimitGb"]), (200, &json!(10)));
    let filter =
        format!("filter=userName%20eq%20%22set@example.com%22&attributes={EXT}:spaceLimitGb");
    let (status, listed) = app.list_users(&filter).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["Resources"][0][EXT]["spaceLimitGb"], 10, "{listed}");
    // The one get_custom_quota is this test's own look at Dropbox; reads add no quota call.
    assert_eq!(app.count("member_space_limits/get_custom_quota"), 1);
    assert_eq!(quota_calls(&app), (1, 0), "reads call nothing");
}

#[tokio::test]
async fn patch_changes_an_unchanged_put_costs_nothing_and_unsetting_removes() {
    let app = enabled(&[]).await;
    let id = create(&app, "change@example.com", None).await;
    assert_eq!(quota_calls(&app), (0, 0), "no limit, no call");
    let path = format!("{EXT}:spaceLimitGb");
    let (status, body) = patch(&app, &id, json!({"op": "add", "path": path, "value": 20})).await;
    assert_eq!(
        (status, &body[EXT]["spaceLimitGb"]),
        (200, &json!(20)),
        "{body}"
    );
    assert_eq!(quota_calls(&app), (1, 0));
    assert_eq!(dropbox_quota(&app, &id).await, Some(20));

    // The same value again, by PUT and by PATCH (Entra's string form included): no call.
    let (status, body) = app
        .put_user(&id, user("change@example.com", Some(json!(20))))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = patch(
        &app,
        &id,
        json!({"op": "Replace", "path": path, "value": "20"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(quota_calls(&app), (1, 0), "unchanged: no call");

    // A PATCH of something else keeps the limit at no cost.
    let (status, body) = patch(
        &app,
        &id,
        json!({"op": "replace", "path": "title", "value": "Eng"}),
    )
    .await;
    assert_eq!(
        (status, &body[EXT]["spaceLimitGb"]),
        (200, &json!(20)),
        "{body}"
    );
    assert_eq!(quota_calls(&app), (1, 0));

    // Changed by PATCH on the whole extension: one call.
    let (status, _) = patch(
        &app,
        &id,
        json!({"op": "replace", "path": EXT, "value": {"spaceLimitGb": 30}}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (quota_calls(&app), dropbox_quota(&app, &id).await),
        ((2, 0), Some(30))
    );

    // Unset by PATCH remove: one remove_custom_quota, and the read shows no extension.
    let (status, body) = patch(&app, &id, json!({"op": "remove", "path": path})).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get(EXT).is_none(), "{body}");
    assert_eq!(
        (quota_calls(&app), dropbox_quota(&app, &id).await),
        ((2, 1), None)
    );

    // Set again, then unset by a PUT without the attribute, then by null.
    app.put_user(&id, user("change@example.com", Some(json!(40))))
        .await;
    let (status, body) = app.put_user(&id, user("change@example.com", None)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (quota_calls(&app), dropbox_quota(&app, &id).await),
        ((3, 2), None)
    );
    let (status, _) = app
        .put_user(&id, user("change@example.com", Some(Value::Null)))
        .await;
    assert_eq!(status, 200);
    assert_eq!(quota_calls(&app), (3, 2), "already unset: no call");

    let audit = Store::connect(app.store_url()).await.expect("store");
    let q = AuditQuery {
        resource_id: Some(id.clone()),
        ..AuditQuery::default()
    };
    let details: Vec<String> = audit
        .query_audit(&q)
        .await
        .expect("audit")
        .into_iter()
        .filter_map(|e| e.detail)
        .filter(|d| d.starts_with("space limit"))
        .collect();
    assert!(
        details.contains(&"space limit changed from 20 GB to 30 GB".to_owned()),
        "{details:?}"
    );
    assert!(
        details.contains(&"space limit changed from 30 GB to none".to_owned()),
        "{details:?}"
    );
    assert_eq!(details.len(), 5, "{details:?}");
}

#[tokio::test]
async fn schemas_and_resource_types_advertise_the_extension_only_when_enabled() {
    let off = TestApp::spawn().await;
    let (status, _) = off
        .json(Method::GET, &format!("/Schemas/{EXT}"), None)
        .await;
    assert_eq!(status, 404, "off: not advertised");
    let (_, all) = off.json(Method::GET, "/Schemas", None).await;
    assert_eq!(all["totalResults"], 3, "{all}");
    let (_, rt) = off.json(Method::GET, "/ResourceTypes", None).await;
    assert!(!rt.to_string().contains(EXT), "{rt}");
    let app = enabled(&[]).await;
    let (status, schema) = app
        .json(Method::GET, &format!("/Schemas/{EXT}"), None)
        .await;
    assert_eq!(status, 200, "{schema}");
    let attr = &schema["attributes"][0];
    assert_eq!(
        (&attr["name"], &attr["type"]),
        (&json!("spaceLimitGb"), &json!("integer"))
    );
    assert_eq!(attr["multiValued"], false);
    let (_, all) = app.json(Method::GET, "/Schemas", None).await;
    let ids: Vec<&Value> = all["Resources"]
        .as_array()
        .expect("list")
        .iter()
        .map(|s| &s["id"])
        .collect();
    assert!(ids.contains(&&json!(EXT)), "{ids:?}");
    let (status, rt) = app.json(Method::GET, "/ResourceTypes/User", None).await;
    assert_eq!(status, 200);
    assert!(
        rt["schemaExtensions"]
            .as_array()
            .expect("extensions")
            .contains(&json!({"schema": EXT, "required": false})),
        "{rt}"
    );
}

#[tokio::test]
async fn an_enterprise_attribute_can_drive_the_limit() {
    let app = enabled(&[("SCIM_BRIDGE_SPACE_LIMITS__FROM_ENTERPRISE", "costCenter")]).await;
    let mut body = user("ent@example.com", None);
    body[ENT] = json!({"costCenter": "50"});
    let (status, created) = app.create_user(body.clone()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created[EXT]["spaceLimitGb"], 50, "shown as set");
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(dropbox_quota(&app, &id).await, Some(50));
    let path = format!("{ENT}:costCenter");
    let (status, bad) = patch(
        &app,
        &id,
        json!({"op": "replace", "path": path, "value": "lots"}),
    )
    .await;
    assert_eq!(status, 400, "{bad}");
    assert!(
        bad["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("costCenter"),
        "{bad}"
    );
    let (status, _) = patch(&app, &id, json!({"op": "remove", "path": path})).await;
    assert_eq!(status, 200);
    assert_eq!(
        (quota_calls(&app), dropbox_quota(&app, &id).await),
        ((1, 1), None)
    );
}

#[tokio::test]
async fn a_deactivated_invitee_keeps_the_limit_until_invited_again() {
    let app = enabled(&[]).await;
    let id = create(&app, "later@example.com", Some(10)).await;
    let (status, _) = patch(
        &app,
        &id,
        json!({"op": "replace", "path": "active", "value": false}),
    )
    .await;
    assert_eq!(status, 200);
    // Not in Dropbox now: a new limit is kept and shown, with no quota call.
    let path = format!("{EXT}:spaceLimitGb");
    let (status, body) = patch(
        &app,
        &id,
        json!({"op": "replace", "path": path, "value": 12}),
    )
    .await;
    assert_eq!(
        (status, &body[EXT]["spaceLimitGb"]),
        (200, &json!(12)),
        "{body}"
    );
    assert_eq!(quota_calls(&app), (1, 0));
    // Invited again (a new member): the limit is set on it.
    let (status, body) = patch(
        &app,
        &id,
        json!({"op": "replace", "path": "active", "value": true}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body[EXT]["spaceLimitGb"], 12, "{body}");
    assert_eq!(quota_calls(&app), (2, 0));
    // The SCIM id stays; the new member's id is the one the call named.
    let calls = app.dropbox.emulator.calls(SET);
    let member = calls[1]["users_and_quotas"][0]["user"]["team_member_id"]
        .as_str()
        .expect("member id")
        .to_owned();
    assert_ne!(member, id);
    assert_eq!(dropbox_quota(&app, &member).await, Some(12));
}
