//! Unit tests of `admin_role`: the held role and the roles a user's `roles` values ask for.

use super::*;
use serde_json::json;

fn role(name: &str) -> TeamMemberRole {
    TeamMemberRole::new("pid_dbtmr:1".into(), name.into(), String::new())
}

#[test]
fn the_highest_role_is_held_and_none_is_member_only() {
    assert_eq!(held_role(&[]), AdminRole::MemberOnly);
    let both = [role("Support admin"), role("User management admin")];
    assert_eq!(held_role(&both), AdminRole::UserManagementAdmin);
}

#[test]
fn asked_roles_read_objects_and_strings_and_skip_other_values() {
    let cfg = RolesConfig {
        enabled: true,
        allowed: vec!["support_admin".into()],
        ..RolesConfig::default()
    };
    let mut stored = StoredAttributes::new();
    stored.insert(
        "roles".into(),
        json!([{"value": "support_admin"}, "Employee", {"value": "team_admin"}]),
    );
    assert_eq!(
        asked_roles(&cfg, &stored),
        vec![AdminRole::SupportAdmin, AdminRole::TeamAdmin]
    );
}
