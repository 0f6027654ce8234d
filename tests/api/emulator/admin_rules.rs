//! The refusals of the roles, secondary e-mail and space-limit routes, each with the spec's tag or a
//! Stone-validation 400, and proof that a refused call changed nothing.

use serde_json::{Value, json};

use super::admin_rig::{Team, by_id, one_user};

/// The per-address results of the first user of a secondary e-mail answer.
fn per_address(v: &Value) -> Vec<(String, Value)> {
    v["results"][0]["results"]
        .as_array()
        .expect("per-address results")
        .iter()
        .map(|r| {
            let tag = r[".tag"].as_str().unwrap_or_default().to_string();
            let detail = if tag == "success" {
                r["is_verified"].clone()
            } else {
                r[tag.as_str()].clone()
            };
            (tag, detail)
        })
        .collect()
}

#[tokio::test]
async fn the_last_team_admin_cannot_be_demoted() {
    let team = Team::start().await;
    let admin = team.admin_id().await;
    let demote = json!({"user": by_id(&admin), "new_roles": ["pid_dbtmr:4567"]});
    let tag = team
        .refused("members/set_admin_permissions_v2", demote.clone())
        .await;
    assert_eq!(tag, "last_admin");
    let info = team
        .ok("members/get_info_v2", json!({"members": [by_id(&admin)]}))
        .await;
    assert_eq!(
        info["members_info"][0]["roles"][0]["role_id"], "pid_dbtmr:2345",
        "the refused call left the role alone"
    );
    // With a second active team admin the first can step down.
    let other = team.active_member();
    team.ok(
        "members/set_admin_permissions_v2",
        json!({"user": by_id(&other), "new_roles": ["pid_dbtmr:2345"]}),
    )
    .await;
    let got = team.ok("members/set_admin_permissions_v2", demote).await;
    assert_eq!(got["roles"][0]["role_id"], "pid_dbtmr:4567");
}

#[tokio::test]
async fn unknown_roles_suspended_members_and_bad_role_ids_are_refused() {
    let team = Team::start().await;
    let id = team.active_member();
    let set = |role: &str| json!({"user": by_id(&id), "new_roles": [role]});
    assert_eq!(
        team.refused("members/set_admin_permissions_v2", set("pid_dbtmr:1234"))
            .await,
        "role_not_found"
    );
    let (status, text) = team
        .post("members/set_admin_permissions_v2", set("team_admin"))
        .await;
    assert_eq!(
        status, 400,
        "a role id outside the TeamMemberRoleId pattern"
    );
    assert!(text.as_str().unwrap_or_default().contains("new_roles"));
    team.ok("members/suspend", json!({"user": by_id(&id)}))
        .await;
    assert_eq!(
        team.refused("members/set_admin_permissions_v2", set("pid_dbtmr:3456"))
            .await,
        "cannot_set_permissions"
    );
}

#[tokio::test]
async fn a_secondary_email_is_unique_in_the_team() {
    let team = Team::start().await;
    let (a, b) = (team.active_member(), team.active_member());
    let add = |id: &str, emails: &[&str]| json!({"new_secondary_emails": one_user(id, emails)});
    let first = team
        .ok(
            "members/secondary_emails/add",
            add(&a, &["x@orange.com", "p@elsewhere.org"]),
        )
        .await;
    assert_eq!(
        per_address(&first),
        [
            ("success".into(), json!(true)),
            ("success".into(), json!(false))
        ]
    );
    let b_primary = team.profile(&b)["email"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let again = team
        .ok(
            "members/secondary_emails/add",
            add(&a, &["x@orange.com", "p@elsewhere.org", &b_primary]),
        )
        .await;
    assert_eq!(
        per_address(&again),
        [
            ("already_owned_by_user".into(), json!("x@orange.com")),
            ("already_pending".into(), json!("p@elsewhere.org")),
            ("unavailable".into(), json!(b_primary)),
        ]
    );
    let dup = team
        .ok(
            "members/secondary_emails/add",
            add(&b, &["X@orange.com", "p@elsewhere.org"]),
        )
        .await;
    assert_eq!(
        per_address(&dup),
        [
            ("unavailable".into(), json!("X@orange.com")),
            ("unavailable".into(), json!("p@elsewhere.org")),
        ]
    );
    assert!(team.profile(&b).get("secondary_emails").is_none());
    let own_primary = team.profile(&a)["email"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let own = team
        .ok("members/secondary_emails/add", add(&a, &[&own_primary]))
        .await;
    assert_eq!(per_address(&own)[0].0, "already_owned_by_user");
}

#[tokio::test]
async fn secondary_email_user_and_call_limits() {
    let team = Team::start().await;
    let id = team.active_member();
    let many: Vec<String> = (0..21).map(|i| format!("m{i}@orange.com")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let body = |emails: &[&str]| json!({"new_secondary_emails": one_user(&id, emails)});
    assert_eq!(
        team.refused("members/secondary_emails/add", body(&many))
            .await,
        "too_many_emails"
    );
    assert!(team.profile(&id).get("secondary_emails").is_none());
    let eleven = team
        .ok("members/secondary_emails/add", body(&many[..11]))
        .await;
    let tags: Vec<String> = per_address(&eleven).into_iter().map(|(t, _)| t).collect();
    assert_eq!(tags.iter().filter(|t| *t == "success").count(), 10);
    assert_eq!(tags[10], "reached_limit");
    // An invited member's e-mail is not verified yet: no secondary e-mails.
    let (_, invited) = team
        .post(
            "members/add_v2",
            json!({"new_members": [{"member_email": "new@elsewhere.org"}]}),
        )
        .await;
    let invited = invited["complete"][0]["profile"]["team_member_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let got = team
        .ok(
            "members/secondary_emails/add",
            json!({"new_secondary_emails": one_user(&invited, &["i@orange.com"])}),
        )
        .await;
    assert_eq!(
        got["results"][0],
        json!({".tag": "unverified", "unverified": by_id(&invited)})
    );
    team.emulator().set_secondary_emails_enabled(false);
    assert_eq!(
        team.refused("members/secondary_emails/add", body(&["z@orange.com"]))
            .await,
        "secondary_emails_disabled"
    );
    let (status, _) = team
        .post("members/secondary_emails/add", body(&["not-an-address"]))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn delete_keeps_the_primary_and_resend_only_reaches_pending_addresses() {
    let team = Team::start().await;
    let id = team.active_member();
    let primary = team.profile(&id)["email"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    team.ok(
        "members/secondary_emails/add",
        json!({"new_secondary_emails": one_user(&id, &["v@orange.com", "p@elsewhere.org"])}),
    )
    .await;
    assert_eq!(
        team.emulator()
            .verification_mails_sent(&id, "p@elsewhere.org"),
        1
    );
    assert_eq!(
        team.emulator().verification_mails_sent(&id, "v@orange.com"),
        0
    );
    let resend = team
        .ok(
            "members/secondary_emails/resend_verification_emails",
            json!({"emails_to_resend": one_user(&id, &["v@orange.com", "p@elsewhere.org"])}),
        )
        .await;
    let tags: Vec<String> = per_address(&resend).into_iter().map(|(t, _)| t).collect();
    assert_eq!(tags, ["not_pending", "success"]);
    assert_eq!(
        team.emulator()
            .verification_mails_sent(&id, "p@elsewhere.org"),
        2
    );
    team.emulator()
        .verify_secondary_email(&id, "p@elsewhere.org")
        .expect("verify");
    let verified = &team.profile(&id)["secondary_emails"][1];
    assert_eq!(verified["is_verified"], true);
    let deleted = team
        .ok(
            "members/secondary_emails/delete",
            json!({"emails_to_delete": one_user(&id, &[&primary])}),
        )
        .await;
    assert_eq!(per_address(&deleted)[0].0, "cannot_remove_primary");
    assert_eq!(team.profile(&id)["email"], json!(primary));
}

#[tokio::test]
async fn a_quota_below_the_minimum_is_a_400_and_changes_nothing() {
    let team = Team::start().await;
    let id = team.active_member();
    for bad in [json!(1), json!(0), json!(-5), json!(2.5), json!("30")] {
        let body = json!({"users_and_quotas": [{"user": by_id(&id), "quota_gb": bad}]});
        let (status, text) = team
            .post("member_space_limits/set_custom_quota", body)
            .await;
        assert_eq!(status, 400, "quota_gb {bad}");
        assert!(
            text.as_str().unwrap_or_default().contains("quota_gb"),
            "{text}"
        );
    }
    assert_eq!(team.emulator().custom_quota_gb(&id), None);
    let min = json!({"users_and_quotas": [{"user": by_id(&id), "quota_gb": 2}]});
    team.ok("member_space_limits/set_custom_quota", min).await;
    assert_eq!(team.emulator().custom_quota_gb(&id), Some(2));
}

#[tokio::test]
async fn quota_calls_cap_users_and_refuse_excluded_members() {
    let team = Team::start().await;
    let (a, b) = (team.active_member(), team.active_member());
    let users: Vec<Value> = (0..1001).map(|_| by_id(&a)).collect();
    assert_eq!(
        team.refused(
            "member_space_limits/get_custom_quota",
            json!({"users": users})
        )
        .await,
        "too_many_users"
    );
    team.emulator().exclude_from_space_limits(&b);
    let body = json!({"users_and_quotas": [
        {"user": by_id(&a), "quota_gb": 40}, {"user": by_id(&b), "quota_gb": 40}]});
    assert_eq!(
        team.refused("member_space_limits/set_custom_quota", body)
            .await,
        "some_users_are_excluded"
    );
    assert_eq!(team.emulator().custom_quota_gb(&a), None, "all or nothing");
}
