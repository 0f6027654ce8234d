//! Custom member space limits (`[space_limits]`, issue 14) end to end over loopback: the bridge's
//! `spaceLimitGb` extension set on create, changed by PATCH, unchanged by a PUT at no cost, removed when
//! unset, refused precisely before any call, and held by the emulator. Calls are counted at the emulator.

use crate::helpers::scim_calls::{USER_URN, assert_scim_error};
use crate::helpers::test_app::TestApp;
use dropbox_scim_bridge::emulator::Fault;
use dropbox_scim_bridge::store::{AuditQuery, Store};
use reqwest::Method;
use serde_json::{Value, json};

const EXT: &str = "urn:dropbox-scim-bridge:params:scim:schemas:extension:dropbox:2.0:User";
const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const SET: &str = "member_space_limits/set_custom_quota";
const REMOVE: &str = "member_space_limits/remove_custom_quota";

/// A bridge with space limits turned on.
async fn enabled(extra: &[(&str, &str)]) -> TestApp {
    let mut settings = vec![("SCIM_BRIDGE_SPACE_LIMITS__ENABLED", "true")];
    settings.extend_from_slice(extra);
    TestApp::spawn_with(&settings).await
}

fn user(email: &str, limit: Option<Value>) -> Value {
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
async fn create(app: &TestApp, email: &str, limit: Option<u64>) -> String {
    let (status, body) = app.create_user(user(email, limit.map(Value::from))).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().expect("id").to_owned()
}

/// The custom quota Dropbox reports through the emulator's `get_custom_quota` over HTTP.
async fn dropbox_quota(app: &TestApp, id: &str) -> Option<u64> {
    let token = app.dropbox.emulator.issue_token_all();
    let resp = app
        .http
        .post(format!(
            "{}/2/team/member_space_limits/get_custom_quota",
            app.dropbox.base_url
        ))
        .bearer_auth(token)
        .json(&json!({"users": [{".tag": "team_member_id", "team_member_id": id}]}))
        .send()
        .await
        .expect("sent");
    assert!(resp.status().is_success());
    let results: Value = resp.json().await.expect("json");
    assert_eq!(results[0][".tag"], "success", "{results}");
    results[0]["quota_gb"].as_u64()
}

async fn patch(app: &TestApp, id: &str, op: Value) -> (u16, Value) {
    app.patch_user(id, json!([op])).await
}

/// The quota calls (set, remove) made so far.
fn quota_calls(app: &TestApp) -> (u64, u64) {
    (app.count(SET), app.count(REMOVE))
}

#[tokio::test]
async fn off_by_default_a_limit_is_refused_before_any_call() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .create_user(user("off@example.com", Some(json!(10))))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_scim_error(&body, "400", "off");
    assert_eq!(body["scimType"], "invalidValue");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("spaceLimitGb") && detail.contains("space_limits.enabled"));
    assert_eq!(app.count("members/add_v2"), 0);
    // Without the attribute nothing changes, and removing an absent limit is no change either.
    let id = create(&app, "off@example.com", None).await;
    let path = format!("{EXT}:spaceLimitGb");
    let (status, body) = patch(&app, &id, json!({"op": "remove", "path": path})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = patch(
        &app,
        &id,
        json!({"op": "replace", "path": path, "value": 5}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(quota_calls(&app), (0, 0));
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
async fn values_out_of_bounds_or_not_whole_are_400_naming_the_attribute_with_no_call() {
    let app = enabled(&[("SCIM_BRIDGE_SPACE_LIMITS__MAX_GB", "1000")]).await;
    for (v, needle) in [
        (json!(1), "smallest"),
        (json!(0), "smallest"),
        (json!(-5), "smallest"),
    ] {
        let (status, body) = app
            .create_user(user("low@example.com", Some(v.clone())))
            .await;
        assert_eq!(status, 400, "{v}: {body}");
        assert_eq!(body["scimType"], "invalidValue", "{body}");
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("spaceLimitGb") && detail.contains(needle),
            "{detail}"
        );
    }
    assert_eq!(app.count("members/add_v2"), 0, "refused before any call");
    let id = create(&app, "bounds@example.com", Some(5)).await;
    let path = format!("{EXT}:spaceLimitGb");
    for (v, needle) in [
        (json!(2.5), "whole number"),
        (json!("ten"), "spaceLimitGb"),
        (json!(1001), "space_limits.max_gb"),
        (json!(1), "smallest"),
    ] {
        let (status, body) = patch(
            &app,
            &id,
            json!({"op": "replace", "path": path, "value": v}),
        )
        .await;
        assert_eq!(status, 400, "{v}: {body}");
        assert_scim_error(&body, "400", needle);
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(needle), "{detail}");
    }
    assert_eq!(quota_calls(&app), (1, 0), "only the create's call");
    assert_eq!(dropbox_quota(&app, &id).await, Some(5));
}

#[tokio::test]
async fn schemas_and_resource_types_advertise_the_extension() {
    let app = TestApp::spawn().await;
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
async fn an_excluded_member_is_a_precise_400_and_a_lost_reply_is_applied_once() {
    let app = enabled(&[]).await;
    let id = create(&app, "excluded@example.com", None).await;
    app.dropbox.emulator.exclude_from_space_limits(&id);
    let path = format!("{EXT}:spaceLimitGb");
    let (status, body) = patch(&app, &id, json!({"op": "add", "path": path, "value": 8})).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("excluded list"),
        "{body}"
    );
    let (_, got) = app.get_user(&id).await;
    assert!(got.get(EXT).is_none(), "nothing was set: {got}");

    let other = create(&app, "lost@example.com", None).await;
    app.dropbox
        .emulator
        .inject_fault(SET, Fault::DropAfterWrite, 1);
    let (status, body) = patch(&app, &other, json!({"op": "add", "path": path, "value": 9})).await;
    assert_eq!(
        (status, &body[EXT]["spaceLimitGb"]),
        (200, &json!(9)),
        "{body}"
    );
    assert_eq!(dropbox_quota(&app, &other).await, Some(9));
    app.dropbox
        .emulator
        .inject_fault(REMOVE, Fault::DropAfterWrite, 1);
    let (status, body) = patch(&app, &other, json!({"op": "remove", "path": path})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(dropbox_quota(&app, &other).await, None);
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
