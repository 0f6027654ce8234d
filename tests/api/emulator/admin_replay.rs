//! A write whose reply is lost, sent again: the emulator answers "already done" and applied it once,
//! which is what lets the bridge treat a replayed role, secondary e-mail or quota change as success.

use dropbox_scim_bridge::emulator::Fault;
use serde_json::json;

use super::admin_rig::{Team, by_id, one_user};

/// Loses the reply of the next `route` call and checks the connection really dropped.
async fn lose_reply(team: &Team, route: &str, body: serde_json::Value) {
    team.emulator()
        .inject_fault(route, Fault::DropAfterWrite, 1);
    let sent = reqwest::Client::new()
        .post(format!("{}/2/team/{route}", team.emu.base_url))
        .bearer_auth(&team.token)
        .json(&body)
        .send()
        .await;
    let read = match sent {
        Ok(resp) => resp.text().await.map(|_| ()),
        Err(e) => Err(e),
    };
    assert!(read.is_err(), "{route}: the reply should have been lost");
}

#[tokio::test]
async fn a_replayed_secondary_email_add_is_already_pending_and_mailed_once() {
    let team = Team::start().await;
    let id = team.active_member();
    let body = json!({"new_secondary_emails": one_user(&id, &["p@elsewhere.org"])});
    lose_reply(&team, "members/secondary_emails/add", body.clone()).await;
    let again = team.ok("members/secondary_emails/add", body).await;
    assert_eq!(
        again["results"][0]["results"][0],
        json!({".tag": "already_pending", "already_pending": "p@elsewhere.org"})
    );
    assert_eq!(
        team.emulator()
            .verification_mails_sent(&id, "p@elsewhere.org"),
        1
    );
}

#[tokio::test]
async fn replayed_delete_quota_and_role_writes_land_once() {
    let team = Team::start().await;
    let id = team.active_member();
    team.ok(
        "members/secondary_emails/add",
        json!({"new_secondary_emails": one_user(&id, &["v@orange.com"])}),
    )
    .await;
    let delete = json!({"emails_to_delete": one_user(&id, &["v@orange.com"])});
    lose_reply(&team, "members/secondary_emails/delete", delete.clone()).await;
    let again = team.ok("members/secondary_emails/delete", delete).await;
    assert_eq!(again["results"][0]["results"][0][".tag"], "not_found");

    let quota = json!({"users_and_quotas": [{"user": by_id(&id), "quota_gb": 25}]});
    lose_reply(&team, "member_space_limits/set_custom_quota", quota.clone()).await;
    assert_eq!(team.emulator().custom_quota_gb(&id), Some(25));
    let again = team.ok("member_space_limits/set_custom_quota", quota).await;
    assert_eq!(again[0]["quota_gb"], 25);

    let role = json!({"user": by_id(&id), "new_roles": ["pid_dbtmr:3456"]});
    lose_reply(&team, "members/set_admin_permissions_v2", role.clone()).await;
    let again = team.ok("members/set_admin_permissions_v2", role).await;
    assert_eq!(again["roles"][0]["role_id"], "pid_dbtmr:3456");
    let stats = team.emulator().stats();
    assert_eq!(stats.get("members/set_admin_permissions_v2"), Some(&2));
}
