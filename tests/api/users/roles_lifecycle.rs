//! Admin roles through a member's lifecycle (issue 14): the last team admin (409, never retried),
//! demotion before suspension and on DELETE, a lost reply of the role change, and roles given by
//! membership of a mapped SCIM group.

use super::roles::{calls_during, create_with_roles, dropbox_roles, role_values, roles_on};
use crate::helpers::scim_calls::GROUP_URN;
use crate::helpers::test_app::TestApp;
use dropbox_scim_bridge::emulator::Fault;
use serde_json::{Value, json};

/// A team call made directly, as an admin in the Dropbox console would; returns status and body.
async fn direct(t: &TestApp, route: &str, arg: Value) -> (u16, Value) {
    t.dropbox_direct(route, arg).await
}

/// The emulator's seeded team admin.
async fn seeded_admin(t: &TestApp) -> String {
    let arg = json!({"members": [{".tag": "email", "email": "admin@example.com"}]});
    let (_, body) = direct(t, "members/get_info_v2", arg).await;
    let id = &body["members_info"][0]["profile"]["team_member_id"];
    id.as_str().expect("the seeded admin").to_owned()
}

fn status_of(t: &TestApp, id: &str) -> String {
    let member = t.dropbox.emulator.member(id).expect("member");
    member["status"][".tag"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Every attempt the client makes at one call (all of them fail, then the fault is used up).
const ATTEMPTS: u32 = 4;

fn deactivate() -> Value {
    json!([{"op": "replace", "path": "active", "value": false}])
}

#[tokio::test]
async fn demoting_the_last_team_admin_is_a_clear_409_and_is_not_retried() {
    let t = TestApp::spawn_with(&roles_on("team_admin")).await;
    let id = create_with_roles(&t, "last@example.com", &["team_admin"]).await;
    t.dropbox.emulator.accept_invite(&id).expect("accepted");
    // The console takes the role from the seeded admin: the SCIM user is the last team admin.
    let arg = json!({"user": {".tag": "team_member_id", "team_member_id": seeded_admin(&t).await}, "new_roles": []});
    assert_eq!(
        direct(&t, "members/set_admin_permissions_v2", arg).await.0,
        200
    );
    let ops = json!([{"op": "remove", "path": "roles"}]);
    let (calls, (status, body)) = calls_during(&t, t.patch_user(&id, ops)).await;
    assert_eq!(status, 409, "{body}");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("last team admin"), "{detail}");
    assert_eq!(
        calls.get("members/set_admin_permissions_v2"),
        Some(&1),
        "{calls:?}"
    );
    assert_eq!(dropbox_roles(&t, &id).await, vec!["Team admin"]);
    // Deactivating the last admin is refused the same way, before any suspension.
    let (calls, (status, _)) = calls_during(&t, t.patch_user(&id, deactivate())).await;
    assert_eq!(status, 409);
    assert_eq!(calls.get("members/suspend"), None, "{calls:?}");
    assert_eq!(status_of(&t, &id), "active");
}

#[tokio::test]
async fn deactivation_takes_the_role_back_before_the_suspension() {
    let t = TestApp::spawn_with(&roles_on("support_admin")).await;
    let id = create_with_roles(&t, "deact@example.com", &["support_admin"]).await;
    t.dropbox.emulator.accept_invite(&id).expect("accepted");
    // While the role change fails, nothing is suspended: the demotion comes first.
    t.dropbox.emulator.inject_fault(
        "members/set_admin_permissions_v2",
        Fault::Internal500,
        ATTEMPTS,
    );
    let (calls, (status, _)) = calls_during(&t, t.patch_user(&id, deactivate())).await;
    assert!(status >= 500, "{status}");
    assert!(calls.contains_key("members/set_admin_permissions_v2"));
    assert_eq!(calls.get("members/suspend"), None, "{calls:?}");
    let (status, user) = t.patch_user(&id, deactivate()).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(status_of(&t, &id), "suspended");
    assert!(dropbox_roles(&t, &id).await.is_empty());
    // Reactivation gives the role back once the member is no longer suspended.
    let activate = json!([{"op": "replace", "path": "active", "value": true}]);
    let (status, user) = t.patch_user(&id, activate).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(dropbox_roles(&t, &id).await, vec!["Support admin"]);
    assert_eq!(role_values(&user), vec!["support_admin"]);
}

#[tokio::test]
async fn delete_takes_the_role_back_before_the_suspension() {
    let t = TestApp::spawn_with(&roles_on("user_management_admin")).await;
    let id = create_with_roles(&t, "del@example.com", &["user_management_admin"]).await;
    t.dropbox.emulator.accept_invite(&id).expect("accepted");
    t.dropbox.emulator.inject_fault(
        "members/set_admin_permissions_v2",
        Fault::Internal500,
        ATTEMPTS,
    );
    let (calls, (status, _)) = calls_during(&t, t.delete_user(&id)).await;
    assert!(status >= 500, "{status}");
    assert_eq!(calls.get("members/suspend"), None, "{calls:?}");
    let (status, _) = t.delete_user(&id).await;
    assert_eq!(status, 204);
    assert_eq!(status_of(&t, &id), "suspended");
    assert!(dropbox_roles(&t, &id).await.is_empty());
}

#[tokio::test]
async fn a_lost_reply_of_the_role_change_is_resent_harmlessly() {
    let t = TestApp::spawn_with(&roles_on("support_admin")).await;
    let id = t.active_member("lost@example.com").await;
    t.dropbox
        .emulator
        .inject_fault("members/set_admin_permissions_v2", Fault::DropAfterWrite, 1);
    let ops = json!([{"op": "add", "path": "roles", "value": [{"value": "support_admin"}]}]);
    let (calls, (status, user)) = calls_during(&t, t.patch_user(&id, ops)).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(
        calls.get("members/set_admin_permissions_v2"),
        Some(&2),
        "{calls:?}"
    );
    assert_eq!(dropbox_roles(&t, &id).await, vec!["Support admin"]);
}

#[tokio::test]
async fn membership_of_a_mapped_group_gives_the_role_and_leaving_takes_it_back() {
    let t = TestApp::spawn_with(&roles_on("support_admin")).await;
    let id = t.active_member("grp@example.com").await;
    let other = t.active_member("plain@example.com").await;
    // An unmapped group changes no role.
    let body = json!({"schemas": [GROUP_URN], "displayName": "Engineering", "members": [{"value": other}]});
    let (calls, (status, _)) = calls_during(&t, t.create_group(body)).await;
    assert_eq!(status, 201);
    assert_eq!(calls.get("members/set_admin_permissions_v2"), None);
    let body = json!({"schemas": [GROUP_URN], "displayName": "Dropbox Support Admins", "members": [{"value": id}]});
    let (calls, (status, group)) = calls_during(&t, t.create_group(body)).await;
    assert_eq!(status, 201, "{group}");
    assert_eq!(
        calls.get("members/set_admin_permissions_v2"),
        Some(&1),
        "{calls:?}"
    );
    assert_eq!(dropbox_roles(&t, &id).await, vec!["Support admin"]);
    let (_, user) = t.get_user(&id).await;
    assert_eq!(
        role_values(&user),
        vec!["support_admin"],
        "read back: {user}"
    );
    // A user write that does not touch roles keeps the group's role (no call).
    let title = json!([{"op": "replace", "path": "title", "value": "Support"}]);
    let (calls, (status, _)) = calls_during(&t, t.patch_user(&id, title)).await;
    assert_eq!(status, 200);
    assert_eq!(
        calls.get("members/set_admin_permissions_v2"),
        None,
        "{calls:?}"
    );
    let gid = group["id"].as_str().expect("id");
    let ops = json!([{"op": "remove", "path": format!("members[value eq \"{id}\"]")}]);
    let (calls, (status, _)) = calls_during(&t, t.patch_group(gid, ops)).await;
    assert!(matches!(status, 200 | 204), "{status}");
    assert_eq!(
        calls.get("members/set_admin_permissions_v2"),
        Some(&1),
        "{calls:?}"
    );
    assert!(dropbox_roles(&t, &id).await.is_empty());
    let (_, user) = t.get_user(&id).await;
    assert!(role_values(&user).is_empty(), "{user}");
    // Back in the group, then the group is deleted: the role goes with it.
    let ops = json!([{"op": "add", "path": "members", "value": [{"value": id}]}]);
    assert!(matches!(t.patch_group(gid, ops).await.0, 200 | 204));
    assert_eq!(dropbox_roles(&t, &id).await, vec!["Support admin"]);
    let (calls, (status, _)) = calls_during(&t, t.delete_group(gid)).await;
    assert_eq!(status, 204);
    assert_eq!(
        calls.get("members/set_admin_permissions_v2"),
        Some(&1),
        "{calls:?}"
    );
    assert!(dropbox_roles(&t, &id).await.is_empty());
}
