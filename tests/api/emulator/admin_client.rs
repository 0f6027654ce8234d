//! The typed client methods for roles, secondary e-mails and space limits, over loopback against the
//! emulator: SDK types in and out, refusals as typed errors, one emulator call per client call.

use std::time::Duration;

use dropbox_scim_bridge::dropbox::team::{
    AddSecondaryEmailResult, AddSecondaryEmailsArg, CustomQuotaResult, CustomQuotaUsersArg,
    DeleteSecondaryEmailResult, DeleteSecondaryEmailsArg, MembersSetPermissions2Arg,
    RemoveCustomQuotaResult, ResendSecondaryEmailResult, ResendVerificationEmailArg,
    SetCustomQuotaArg, UserAddResult, UserCustomQuotaArg, UserDeleteResult, UserResendResult,
    UserSecondaryEmailsArg, UserSelectorArg,
};
use dropbox_scim_bridge::dropbox::{ClientConfig, Credentials, DropboxClient, ErrorKind};
use secrecy::SecretString;

use super::admin_rig::Team;

fn client(team: &Team) -> DropboxClient {
    let mut cfg = ClientConfig::new(Credentials::AccessToken(SecretString::from(
        team.token.clone(),
    )));
    cfg.base_url = team.emu.base_url.clone();
    cfg.timeout = Duration::from_secs(10);
    DropboxClient::new(cfg).expect("client")
}

fn user(id: &str) -> UserSelectorArg {
    UserSelectorArg::TeamMemberId(id.to_string())
}

#[tokio::test]
async fn roles_are_listed_and_set_through_the_client() {
    let team = Team::start().await;
    let dbx = client(&team);
    let id = team.active_member();
    let roles = dbx
        .members_get_available_team_member_roles()
        .await
        .expect("roles")
        .roles;
    let support = roles
        .iter()
        .find(|r| r.name == "Support admin")
        .expect("support admin role");
    let arg =
        MembersSetPermissions2Arg::new(user(&id)).with_new_roles(vec![support.role_id.clone()]);
    let set = dbx
        .members_set_admin_permissions_v2(&arg)
        .await
        .expect("set role");
    assert_eq!(set.roles.expect("roles")[0].role_id, support.role_id);
    let admin = team.admin_id().await;
    let demote = MembersSetPermissions2Arg::new(user(&admin)).with_new_roles(Vec::new());
    let err = dbx
        .members_set_admin_permissions_v2(&demote)
        .await
        .expect_err("last admin");
    assert!(err.has_tag("last_admin"), "{err}");
    let stats = team.emulator().stats();
    assert_eq!(
        stats.get("members/get_available_team_member_roles"),
        Some(&1)
    );
    assert_eq!(stats.get("members/set_admin_permissions_v2"), Some(&2));
}

#[tokio::test]
async fn secondary_emails_round_trip_through_the_client() {
    let team = Team::start().await;
    let dbx = client(&team);
    let id = team.active_member();
    let emails = vec!["a@orange.com".to_string(), "b@elsewhere.org".to_string()];
    let arg =
        AddSecondaryEmailsArg::new(vec![UserSecondaryEmailsArg::new(user(&id), emails.clone())]);
    let added = dbx.members_secondary_emails_add(&arg).await.expect("add");
    let UserAddResult::Success(per_user) = &added.results[0] else {
        panic!("user result: {:?}", added.results[0]);
    };
    let verified: Vec<bool> = per_user
        .results
        .iter()
        .map(|r| matches!(r, AddSecondaryEmailResult::Success(s) if s.is_verified))
        .collect();
    assert_eq!(verified, [true, false]);
    let again = dbx
        .members_secondary_emails_add(&arg)
        .await
        .expect("add again");
    let UserAddResult::Success(per_user) = &again.results[0] else {
        panic!("user result: {:?}", again.results[0]);
    };
    assert!(matches!(
        per_user.results[0],
        AddSecondaryEmailResult::AlreadyOwnedByUser(_)
    ));
    assert!(matches!(
        per_user.results[1],
        AddSecondaryEmailResult::AlreadyPending(_)
    ));
    let resend = ResendVerificationEmailArg::new(vec![UserSecondaryEmailsArg::new(
        user(&id),
        vec!["b@elsewhere.org".to_string()],
    )]);
    let resent = dbx
        .members_secondary_emails_resend_verification_emails(&resend)
        .await
        .expect("resend");
    let UserResendResult::Success(r) = &resent.results[0] else {
        panic!("resend: {:?}", resent.results[0]);
    };
    assert!(matches!(
        r.results[0],
        ResendSecondaryEmailResult::Success(_)
    ));
    let delete =
        DeleteSecondaryEmailsArg::new(vec![UserSecondaryEmailsArg::new(user(&id), emails)]);
    let deleted = dbx
        .members_secondary_emails_delete(&delete)
        .await
        .expect("delete");
    let UserDeleteResult::Success(d) = &deleted.results[0] else {
        panic!("delete: {:?}", deleted.results[0]);
    };
    assert!(
        d.results
            .iter()
            .all(|r| matches!(r, DeleteSecondaryEmailResult::Success(_)))
    );
    assert!(team.profile(&id).get("secondary_emails").is_none());
}

#[tokio::test]
async fn custom_quotas_round_trip_through_the_client() {
    let team = Team::start().await;
    let dbx = client(&team);
    let id = team.active_member();
    let set = SetCustomQuotaArg::new(vec![UserCustomQuotaArg::new(user(&id), 50)]);
    let got = dbx
        .member_space_limits_set_custom_quota(&set)
        .await
        .expect("set");
    assert!(matches!(&got[0], CustomQuotaResult::Success(r) if r.quota_gb == Some(50)));
    let users = CustomQuotaUsersArg::new(vec![user(&id)]);
    let read = dbx
        .member_space_limits_get_custom_quota(&users)
        .await
        .expect("get");
    assert!(matches!(&read[0], CustomQuotaResult::Success(r) if r.quota_gb == Some(50)));
    let removed = dbx
        .member_space_limits_remove_custom_quota(&users)
        .await
        .expect("remove");
    assert!(matches!(removed[0], RemoveCustomQuotaResult::Success(_)));
    assert_eq!(team.emulator().custom_quota_gb(&id), None);
    let too_low = SetCustomQuotaArg::new(vec![UserCustomQuotaArg::new(user(&id), 1)]);
    let err = dbx
        .member_space_limits_set_custom_quota(&too_low)
        .await
        .expect_err("below the minimum");
    assert!(matches!(err.kind, ErrorKind::BadRequest(_)), "{err}");
    assert_eq!(
        team.emulator()
            .stats()
            .get("member_space_limits/set_custom_quota"),
        Some(&2),
        "a 400 is not retried"
    );
}
