//! Dropbox admin roles from SCIM `roles` (`[roles]`, issue 14) end to end over loopback against the
//! emulator: off by default, granted on invitation without an extra call, changed with exactly one
//! call (none when unchanged), refused outside `roles.allowed` before any Dropbox write, read back in
//! `GET`, and audited. Lifecycle cases (last admin, suspension, DELETE, groups) are in
//! `roles_lifecycle`.

use std::collections::BTreeMap;
use std::future::Future;

use crate::helpers::scim_calls::USER_URN;
use crate::helpers::test_app::TestApp;
use dropbox_scim_bridge::store::{AuditQuery, Store};
use serde_json::{Value, json};

/// The settings of a bridge that drives roles; `allowed` is `roles.allowed`. With `support_admin`
/// allowed, the group "Dropbox Support Admins" gives it.
pub fn roles_on(allowed: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut settings = vec![
        ("SCIM_BRIDGE_ROLES__ENABLED", "true"),
        ("SCIM_BRIDGE_ROLES__ALLOWED", allowed),
        ("SCIM_BRIDGE_ROLES__VALUES", "Helpdesk=support_admin"),
    ];
    if allowed.contains("support_admin") {
        settings.push((
            "SCIM_BRIDGE_ROLES__GROUPS",
            "Dropbox Support Admins=support_admin",
        ));
    }
    settings
}

/// The calls to the role routes among `calls`.
fn role_calls(calls: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    calls
        .iter()
        .filter(|(r, _)| r.contains("admin_permissions") || r.contains("member_roles"))
        .map(|(r, n)| (r.clone(), *n))
        .collect()
}

/// An Okta-style user body with these `roles` values.
pub fn user_body(email: &str, roles: &[&str]) -> Value {
    let roles: Vec<Value> = roles.iter().map(|r| json!({"value": r})).collect();
    json!({
        "schemas": [USER_URN],
        "userName": email,
        "name": {"givenName": "Ann", "familyName": "Example"},
        "emails": [{"primary": true, "value": email, "type": "work"}],
        "roles": roles,
        "active": true
    })
}

/// Creates a user with `roles`, asserting 201; returns its id.
pub async fn create_with_roles(t: &TestApp, email: &str, roles: &[&str]) -> String {
    let (status, body) = t.create_user(user_body(email, roles)).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().expect("id").to_owned()
}

/// The member's role names in Dropbox, read directly from the emulator (`members/get_info_v2`).
pub async fn dropbox_roles(t: &TestApp, team_member_id: &str) -> Vec<String> {
    let arg = json!({"members": [{".tag": "team_member_id", "team_member_id": team_member_id}]});
    let (_, body) = t.dropbox_direct("members/get_info_v2", arg).await;
    let roles = body["members_info"][0]["roles"].as_array().cloned();
    roles
        .unwrap_or_default()
        .iter()
        .map(|r| r["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The Dropbox calls per route made while `op` ran.
pub async fn calls_during<F: Future>(t: &TestApp, op: F) -> (BTreeMap<String, u64>, F::Output) {
    t.calls_during(op).await
}

/// The `roles` values of a SCIM user.
pub fn role_values(user: &Value) -> Vec<String> {
    user["roles"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|r| r["value"].as_str().map(str::to_owned))
        .collect()
}

fn replace_roles(roles: &[&str]) -> Value {
    let roles: Vec<Value> = roles.iter().map(|r| json!({"value": r})).collect();
    json!([{"op": "replace", "path": "roles", "value": roles}])
}

#[tokio::test]
async fn off_by_default_no_role_call_and_roles_stay_a_stored_attribute() {
    let t = TestApp::spawn().await;
    let (calls, id) = calls_during(
        &t,
        create_with_roles(&t, "off@example.com", &["team_admin"]),
    )
    .await;
    assert_eq!(calls.get("members/add_v2"), Some(&1));
    assert!(role_calls(&calls).is_empty(), "{calls:?}");
    let (status, user) = t.patch_user(&id, replace_roles(&["support_admin"])).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(role_values(&user), vec!["support_admin"]);
    assert!(
        dropbox_roles(&t, &id).await.is_empty(),
        "no role in Dropbox"
    );
    for route in [
        "members/set_admin_permissions_v2",
        "members/get_available_team_member_roles",
    ] {
        assert_eq!(t.count(route), 0, "{route}");
    }
}

#[tokio::test]
async fn a_role_asked_on_create_rides_on_add_v2_and_reads_back_with_other_values() {
    let t = TestApp::spawn_with(&roles_on("support_admin,user_management_admin")).await;
    let (calls, id) = calls_during(
        &t,
        create_with_roles(&t, "ua@example.com", &["user_management_admin", "Employee"]),
    )
    .await;
    // The role ids are asked once per process; the role itself needs no call of its own.
    let want: BTreeMap<String, u64> =
        [("members/get_available_team_member_roles".to_owned(), 1)].into();
    assert_eq!(role_calls(&calls), want);
    assert_eq!(calls.get("members/add_v2"), Some(&1));
    assert_eq!(dropbox_roles(&t, &id).await, vec!["User management admin"]);
    let (_, user) = t.get_user(&id).await;
    let mut values = role_values(&user);
    values.sort();
    assert_eq!(values, vec!["Employee", "user_management_admin"], "{user}");
    // A mapped value ("Helpdesk") means support_admin; the ids are not asked again.
    let (calls, id2) =
        calls_during(&t, create_with_roles(&t, "hd@example.com", &["Helpdesk"])).await;
    assert!(role_calls(&calls).is_empty(), "{calls:?}");
    assert_eq!(dropbox_roles(&t, &id2).await, vec!["Support admin"]);
    let (_, user) = t.get_user(&id2).await;
    assert_eq!(role_values(&user), vec!["Helpdesk"], "the IdP's own value");
}

#[tokio::test]
async fn a_role_change_adds_exactly_one_call_and_an_unchanged_role_none() {
    let t = TestApp::spawn_with(&roles_on("support_admin,user_management_admin")).await;
    let id = t.active_member("cc@example.com").await;
    // Warm the role ids (asked once per process) with a first grant.
    let (status, _) = t.patch_user(&id, replace_roles(&["support_admin"])).await;
    assert_eq!(status, 200);
    let plain = json!([{"op": "replace", "path": "title", "value": "Engineer"}]);
    let (baseline, _) = calls_during(&t, t.patch_user(&id, plain)).await;
    let (changed, (status, user)) = calls_during(
        &t,
        t.patch_user(&id, replace_roles(&["user_management_admin"])),
    )
    .await;
    assert_eq!(status, 200, "{user}");
    let mut expected = baseline.clone();
    expected.insert("members/set_admin_permissions_v2".into(), 1);
    assert_eq!(changed, expected, "one added call for a role change");
    assert_eq!(role_values(&user), vec!["user_management_admin"]);
    let (same, (status, _)) = calls_during(
        &t,
        t.patch_user(&id, replace_roles(&["user_management_admin"])),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(same, baseline, "no call when the role does not change");
    // Losing the value takes the role back to member_only with one call.
    let (lost, (status, user)) = calls_during(&t, t.patch_user(&id, replace_roles(&[]))).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(lost, expected);
    assert!(dropbox_roles(&t, &id).await.is_empty());
}

#[tokio::test]
async fn a_role_outside_the_allow_list_is_403_naming_the_setting_and_changes_nothing() {
    let t = TestApp::spawn_with(&roles_on("support_admin")).await;
    for role in ["billing_admin", "team_admin"] {
        let (calls, (status, body)) = calls_during(
            &t,
            t.create_user(user_body(&format!("{role}@example.com"), &[role])),
        )
        .await;
        assert_eq!(status, 403, "{body}");
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("roles.allowed") && detail.contains(role),
            "{detail}"
        );
        assert!(calls.is_empty(), "no Dropbox call: {calls:?}");
    }
    let id = t.active_member("pa@example.com").await;
    let (calls, (status, body)) =
        calls_during(&t, t.patch_user(&id, replace_roles(&["team_admin"]))).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("team_admin is granted only")
    );
    // Only the look-up the PATCH is applied to; no write.
    assert_eq!(
        calls.keys().collect::<Vec<_>>(),
        vec!["members/get_info_v2"]
    );
    assert!(dropbox_roles(&t, &id).await.is_empty());
    let (_, user) = t.get_user(&id).await;
    assert!(role_values(&user).is_empty(), "{user}");
}

#[tokio::test]
async fn team_admin_is_granted_when_the_allow_list_names_it() {
    let t = TestApp::spawn_with(&roles_on("team_admin")).await;
    let id = create_with_roles(&t, "ta@example.com", &["team_admin"]).await;
    assert_eq!(dropbox_roles(&t, &id).await, vec!["Team admin"]);
}

#[tokio::test]
async fn a_role_change_is_audited_with_the_client_and_both_roles() {
    let t = TestApp::spawn_with(&roles_on("support_admin,user_management_admin")).await;
    let id = t.active_member("au@example.com").await;
    assert_eq!(
        t.patch_user(&id, replace_roles(&["support_admin"])).await.0,
        200
    );
    assert_eq!(t.patch_user(&id, replace_roles(&[])).await.0, 200);
    // A grant with the invitation (no call of its own) is a change too.
    let invited = create_with_roles(&t, "au2@example.com", &["user_management_admin"]).await;
    let store = Store::connect(t.store_url()).await.expect("store");
    let q = AuditQuery {
        resource_id: Some(id.clone()),
        ..AuditQuery::default()
    };
    let mut details: Vec<(String, Option<String>, Option<String>)> = store
        .query_audit(&q)
        .await
        .expect("audit")
        .into_iter()
        .filter(|e| e.resource_type.as_deref() == Some("AdminRole"))
        .map(|e| (e.operation, e.client, e.detail))
        .collect();
    details.sort_by(|a, b| a.2.cmp(&b.2));
    let client = Some("env".to_owned()); // the name of the token SCIM_BRIDGE_TOKEN gives
    assert_eq!(details.len(), 2, "{details:?}");
    assert!(
        details
            .iter()
            .all(|d| d.0.starts_with("PATCH ") && d.1 == client),
        "{details:?}"
    );
    let changes: Vec<_> = details.iter().filter_map(|d| d.2.clone()).collect();
    assert_eq!(
        changes,
        vec![
            "admin role member_only -> support_admin",
            "admin role support_admin -> member_only"
        ]
    );
    let q = AuditQuery {
        resource_id: Some(invited),
        ..AuditQuery::default()
    };
    let rows = store.query_audit(&q).await.expect("audit");
    let grant: Vec<_> = rows
        .iter()
        .filter(|e| e.resource_type.as_deref() == Some("AdminRole"))
        .map(|e| (e.operation.as_str(), e.detail.as_deref()))
        .collect();
    assert_eq!(grant.len(), 1, "{rows:?}");
    assert!(grant[0].0.starts_with("POST "), "{grant:?}");
    assert_eq!(
        grant[0].1,
        Some("admin role member_only -> user_management_admin")
    );
}

#[tokio::test]
async fn entra_and_okta_forms_of_a_role_assignment_grant_it() {
    let t = TestApp::spawn_with(&roles_on("support_admin,user_management_admin")).await;
    // Entra, mapping `SingleAppRoleAssignment([appRoleAssignments])` to `roles[primary eq "True"].value`.
    let id = t.active_member("entra@example.com").await;
    let ops = json!([{"op": "Add", "path": "roles[primary eq \"True\"].value", "value": "support_admin"}]);
    let (status, user) = t.patch_user(&id, ops).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(dropbox_roles(&t, &id).await, vec!["Support admin"]);
    assert_eq!(role_values(&user), vec!["support_admin"], "{user}");
    // Okta, an attribute with external name `roles.^[primary==true].value`: a full PUT.
    let mut body = user_body("entra@example.com", &[]);
    body["roles"] = json!([{"primary": true, "value": "user_management_admin"}]);
    let (status, user) = t.put_user(&id, body).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(dropbox_roles(&t, &id).await, vec!["User management admin"]);
    assert_eq!(role_values(&user), vec!["user_management_admin"]);
}
