//! Golden tests of the roles, secondary e-mail and space-limit routes: each answer equals the spec's
//! example (team.stone, secondary_emails.stone) once the example's ids are replaced by the team's.

use serde_json::{Value, json};

use super::admin_rig::{Team, by_id, one_user};

/// The spec's `UserSelectorArg` example default, with the member's real id.
fn spec_user(id: &str) -> Value {
    by_id(id)
}

/// team.stone `TeamMemberRole` examples.
fn spec_role(which: &str) -> Value {
    let (id, name, description) = match which {
        "super" => (
            "pid_dbtmr:2345",
            "Team admin",
            "User can do most user provisioning, de-provisioning and management.",
        ),
        "billing" => (
            "pid_dbtmr:5678",
            "Billing admin",
            "Make payments and renew contracts.",
        ),
        "user_management" => (
            "pid_dbtmr:3456",
            "User management admin",
            "Add, remove, and manage member accounts.",
        ),
        _ => (
            "pid_dbtmr:4567",
            "Support admin",
            "Help members with limited tasks, including password reset.",
        ),
    };
    json!({"role_id": id, "name": name, "description": description})
}

#[tokio::test]
async fn available_roles_equal_the_spec_example() {
    let team = Team::start().await;
    let got = team
        .ok("members/get_available_team_member_roles", Value::Null)
        .await;
    // MembersGetAvailableTeamMemberRolesResult example default.
    let spec = json!({"roles": [spec_role("super"), spec_role("billing"),
        spec_role("user_management"), spec_role("support")]});
    assert_eq!(got, spec);
}

#[tokio::test]
async fn set_admin_permissions_v2_and_get_info_v2_equal_the_spec_examples() {
    let team = Team::start().await;
    let id = team.active_member();
    let got = team
        .ok(
            "members/set_admin_permissions_v2",
            json!({"user": by_id(&id), "new_roles": ["pid_dbtmr:3456"]}),
        )
        .await;
    // MembersSetPermissions2Result example default.
    assert_eq!(
        got,
        json!({"team_member_id": id, "roles": [spec_role("user_management")]})
    );
    let info = team
        .ok("members/get_info_v2", json!({"members": [by_id(&id)]}))
        .await;
    // TeamMemberInfoV2 example default: roles = [team_member_role_user_management].
    let item = &info["members_info"][0];
    assert_eq!(item[".tag"], "member_info");
    assert_eq!(item["roles"], json!([spec_role("user_management")]));
    // "Send empty list to make user member only"; the result's roles are then empty.
    let back = team
        .ok(
            "members/set_admin_permissions_v2",
            json!({"user": by_id(&id), "new_roles": []}),
        )
        .await;
    assert_eq!(back, json!({"team_member_id": id, "roles": []}));
}

#[tokio::test]
async fn secondary_emails_add_equals_the_spec_example() {
    let team = Team::start().await;
    let id = team.active_member();
    team.emulator().add_other_team_email("alice@example.com");
    let got = team
        .ok(
            "members/secondary_emails/add",
            json!({"new_secondary_emails": [
                {"user": by_id(&id), "secondary_emails": ["apple@orange.com", "alice@example.com"]},
                {"user": by_id("dbmid:efgh5678"), "secondary_emails": ["bob2@hotmail.com"]}]}),
        )
        .await;
    // AddSecondaryEmailsResult example default: results = [UserAddResult default, invalid].
    let spec = json!({"results": [
        {".tag": "success", "user": spec_user(&id), "results": [
            {".tag": "success", "email": "apple@orange.com", "is_verified": true},
            {".tag": "unavailable", "unavailable": "alice@example.com"}]},
        {".tag": "invalid_user", "invalid_user": spec_user("dbmid:efgh5678")}]});
    assert_eq!(got, spec);
}

#[tokio::test]
async fn profile_secondary_emails_equal_the_spec_example() {
    let team = Team::start().await;
    let id = team.active_member();
    team.ok(
        "members/secondary_emails/add",
        json!({"new_secondary_emails": one_user(&id, &["grape@strawberry.com", "apple@orange.com"])}),
    )
    .await;
    // TeamMemberProfile example default: secondary_emails = [third_sec_email, default].
    let spec = json!([{"email": "grape@strawberry.com", "is_verified": false},
        {"email": "apple@orange.com", "is_verified": true}]);
    assert_eq!(team.profile(&id)["secondary_emails"], spec);
    let info = team
        .ok("members/get_info_v2", json!({"members": [by_id(&id)]}))
        .await;
    assert_eq!(info["members_info"][0]["profile"]["secondary_emails"], spec);
    // The optional field is left out for a member without secondary e-mails.
    assert!(
        team.profile(&team.admin_id().await)
            .get("secondary_emails")
            .is_none()
    );
}

#[tokio::test]
async fn secondary_emails_delete_and_resend_equal_the_spec_examples() {
    let team = Team::start().await;
    let id = team.active_member();
    team.ok(
        "members/secondary_emails/add",
        json!({"new_secondary_emails": one_user(&id, &["alice@example.com"])}),
    )
    .await;
    let resent = team
        .ok(
            "members/secondary_emails/resend_verification_emails",
            json!({"emails_to_resend": one_user(&id, &["alice@example.com"])}),
        )
        .await;
    // ResendVerificationEmailResult example default.
    let spec = json!({"results": [{".tag": "success", "user": spec_user(&id), "results": [
        {".tag": "success", "success": "alice@example.com"}]}]});
    assert_eq!(resent, spec);
    let deleted = team
        .ok(
            "members/secondary_emails/delete",
            json!({"emails_to_delete": one_user(&id, &["alice@example.com", "alic@example.com"])}),
        )
        .await;
    // DeleteSecondaryEmailsResult example default: [success, not_found].
    let spec = json!({"results": [{".tag": "success", "user": spec_user(&id), "results": [
        {".tag": "success", "success": "alice@example.com"},
        {".tag": "not_found", "not_found": "alic@example.com"}]}]});
    assert_eq!(deleted, spec);
    assert!(team.profile(&id).get("secondary_emails").is_none());
}

#[tokio::test]
async fn custom_quota_set_get_remove_follow_the_spec_example() {
    let team = Team::start().await;
    let id = team.active_member();
    // UserCustomQuotaArg example default: quota_gb = 30.
    let set = team
        .ok(
            "member_space_limits/set_custom_quota",
            json!({"users_and_quotas": [{"user": by_id(&id), "quota_gb": 30}]}),
        )
        .await;
    let success = json!([{".tag": "success", "user": spec_user(&id), "quota_gb": 30}]);
    assert_eq!(set, success);
    let users = json!({"users": [by_id(&id), by_id("dbmid:efgh5678")]});
    let got = team
        .ok("member_space_limits/get_custom_quota", users.clone())
        .await;
    let invalid = json!({".tag": "invalid_user", "invalid_user": spec_user("dbmid:efgh5678")});
    assert_eq!(got, json!([success[0], invalid]));
    let removed = team
        .ok("member_space_limits/remove_custom_quota", users.clone())
        .await;
    assert_eq!(
        removed,
        json!([{".tag": "success", "success": spec_user(&id)}, invalid])
    );
    // "No quota returns if the user has no custom quota set."
    let got = team.ok("member_space_limits/get_custom_quota", users).await;
    assert_eq!(got[0], json!({".tag": "success", "user": spec_user(&id)}));
    assert_eq!(team.emulator().custom_quota_gb(&id), None);
}
