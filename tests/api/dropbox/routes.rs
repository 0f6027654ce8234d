//! Every facade route over loopback against the emulator: success paths and the error tags the
//! bridge acts on.

use std::time::Duration;

use crate::helpers::bridge_env::fast_polls;
use dropbox_scim_bridge::dropbox::team::{
    GroupAccessType, GroupCreateArg, GroupMembersAddArg, GroupMembersRemoveArg, GroupSelector,
    GroupUpdateArgs, GroupsGetInfoItem, GroupsListArg, GroupsListContinueArg, GroupsMembersListArg,
    GroupsMembersListContinueArg, GroupsSelector, MemberAccess, MemberAddV2Arg, MemberAddV2Result,
    MembersAddV2Arg, MembersDeactivateArg, MembersGetInfoItemV2, MembersGetInfoV2Arg,
    MembersListArg, MembersListContinueArg, MembersRecoverArg, MembersRemoveArg,
    MembersSetPermissions2Arg, MembersSetProfileArg, MembersUnsuspendArg, UserSelectorArg,
};
use dropbox_scim_bridge::dropbox::{
    ClientConfig, Credentials, DropboxClient, ErrorKind, PollPolicy, RetryPolicy, union_tag,
};
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, Fault, RunningEmulator};
use secrecy::SecretString;

async fn setup(cfg: EmulatorConfig) -> (RunningEmulator, DropboxClient) {
    let credentials = Credentials::Refresh {
        app_key: cfg.app_key.clone(),
        app_secret: SecretString::from(cfg.app_secret.clone()),
        refresh_token: SecretString::from(cfg.refresh_token.clone()),
    };
    let running = Emulator::spawn(cfg).await.unwrap();
    let mut cc = ClientConfig::new(credentials);
    cc.base_url = running.base_url.clone();
    cc.retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_wait: Duration::from_secs(2),
    };
    cc.poll = PollPolicy {
        deadline: Duration::from_secs(10),
        ..fast_polls()
    };
    let client = DropboxClient::new(cc).unwrap();
    (running, client)
}

fn active_team() -> EmulatorConfig {
    EmulatorConfig {
        auto_accept_invites: true,
        ..EmulatorConfig::default()
    }
}

fn by_id(id: &str) -> UserSelectorArg {
    UserSelectorArg::TeamMemberId(id.to_owned())
}

fn new_member(email: &str) -> MemberAddV2Arg {
    MemberAddV2Arg::new(email.to_owned())
        .with_member_given_name("Ada".to_owned())
        .with_member_surname("Lovelace".to_owned())
}

async fn add(c: &DropboxClient, email: &str) -> String {
    let items = c
        .add_members_wait(&MembersAddV2Arg::new(vec![new_member(email)]))
        .await
        .unwrap();
    match items.into_iter().next() {
        Some(MemberAddV2Result::Success(info)) => info.profile.team_member_id,
        other => panic!("add failed: {other:?}"),
    }
}

#[tokio::test]
async fn member_lifecycle_and_idempotency_tags() {
    let (_emu, c) = setup(active_team()).await;
    let id = add(&c, "ada@example.com").await;

    let info = c
        .members_get_info_v2(&MembersGetInfoV2Arg::new(vec![
            by_id(&id),
            UserSelectorArg::Email("nobody@example.com".to_owned()),
        ]))
        .await
        .unwrap();
    assert!(matches!(
        info.members_info[0],
        MembersGetInfoItemV2::MemberInfo(_)
    ));
    assert!(matches!(
        info.members_info[1],
        MembersGetInfoItemV2::IdNotFound(_)
    ));

    let profile = MembersSetProfileArg::new(by_id(&id)).with_new_given_name("Augusta".to_owned());
    let updated = c.members_set_profile_v2(&profile).await.unwrap();
    assert_eq!(updated.member_info.profile.name.given_name, "Augusta");

    c.members_suspend(&MembersDeactivateArg::new(by_id(&id)))
        .await
        .unwrap();
    let again = c
        .members_suspend(&MembersDeactivateArg::new(by_id(&id)))
        .await
        .unwrap_err();
    assert!(again.has_tag("suspend_inactive_user"), "{again:?}");
    c.members_unsuspend(&MembersUnsuspendArg::new(by_id(&id)))
        .await
        .unwrap();
    let again = c
        .members_unsuspend(&MembersUnsuspendArg::new(by_id(&id)))
        .await
        .unwrap_err();
    assert!(again.has_tag("unsuspend_non_suspended_member"), "{again:?}");

    c.members_send_welcome_email(&by_id(&id)).await.unwrap();
    let perms = MembersSetPermissions2Arg::new(by_id(&id)).with_new_roles(Vec::new());
    let set = c.members_set_admin_permissions_v2(&perms).await.unwrap();
    assert_eq!(set.team_member_id, id);

    c.remove_member_wait(&MembersRemoveArg::new(by_id(&id)))
        .await
        .unwrap();
    c.members_recover(&MembersRecoverArg::new(by_id(&id)))
        .await
        .unwrap();

    let missing = c
        .members_suspend(&MembersDeactivateArg::new(by_id("dbmid:nope")))
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing:?}");
    assert!(missing.request_id.is_some());
}

#[tokio::test]
async fn add_reports_per_item_failures() {
    let cfg = EmulatorConfig {
        num_licensed_users: 3,
        ..active_team()
    };
    let (_emu, c) = setup(cfg).await;
    let batch = MembersAddV2Arg::new(vec![
        new_member("one@example.com").with_member_external_id("ext-1".to_owned()),
        new_member("one@example.com"),
        new_member("two@example.com").with_member_external_id("ext-1".to_owned()),
        new_member("three@example.com"),
        new_member("four@example.com"),
    ])
    .with_force_async(true);
    let items = c.add_members_wait(&batch).await.unwrap();
    let tags: Vec<String> = items.iter().map(union_tag).collect();
    assert_eq!(tags[0], "success");
    assert_eq!(tags[1], "user_already_on_team");
    assert_eq!(tags[2], "duplicate_external_member_id");
    assert!(tags.iter().any(|t| t == "team_license_limit"), "{tags:?}");
}

#[tokio::test]
async fn member_pages_and_invalid_cursor() {
    let (_emu, c) = setup(active_team()).await;
    add(&c, "a@example.com").await;
    add(&c, "b@example.com").await;
    let first = c
        .members_list_v2(&MembersListArg::default().with_limit(1))
        .await
        .unwrap();
    assert_eq!(first.members.len(), 1);
    assert!(first.has_more);
    let next = c
        .members_list_continue_v2(&MembersListContinueArg::new(first.cursor))
        .await
        .unwrap();
    assert_eq!(next.members.len(), 1);
    let bad = c
        .members_list_continue_v2(&MembersListContinueArg::new("garbage".to_owned()))
        .await
        .unwrap_err();
    assert!(bad.has_tag("invalid_cursor"), "{bad:?}");
    let bad = c
        .groups_list_continue(&GroupsListContinueArg::new("garbage".to_owned()))
        .await
        .unwrap_err();
    assert!(bad.has_tag("invalid_cursor"), "{bad:?}");
}

#[tokio::test]
async fn group_lifecycle_and_tags() {
    let (_emu, c) = setup(active_team()).await;
    let a = add(&c, "a@example.com").await;
    let b = add(&c, "b@example.com").await;
    let g = c
        .groups_create(&GroupCreateArg::new("Eng".to_owned()))
        .await
        .unwrap();
    let dup = c
        .groups_create(&GroupCreateArg::new("Eng".to_owned()))
        .await
        .unwrap_err();
    assert!(dup.has_tag("group_name_already_used"), "{dup:?}");
    let sel = GroupSelector::GroupId(g.group_id.clone());

    let renamed = GroupUpdateArgs::new(sel.clone()).with_new_group_name("Engineering".to_owned());
    assert_eq!(
        c.groups_update(&renamed).await.unwrap().group_name,
        "Engineering"
    );
    let listed = c.groups_list(&GroupsListArg::default()).await.unwrap();
    assert!(listed.groups.iter().any(|s| s.group_id == g.group_id));

    let access = |id: &str| MemberAccess::new(by_id(id), GroupAccessType::Member);
    let add_both = GroupMembersAddArg::new(sel.clone(), vec![access(&a), access(&b)]);
    c.groups_members_add(&add_both).await.unwrap();
    let again = c.groups_members_add(&add_both).await.unwrap_err();
    assert!(again.has_tag("duplicate_user"), "{again:?}");

    let page = c
        .groups_members_list(&GroupsMembersListArg::new(sel.clone()).with_limit(1))
        .await
        .unwrap();
    assert_eq!(page.members.len(), 1);
    let rest = c
        .groups_members_list_continue(&GroupsMembersListContinueArg::new(page.cursor))
        .await
        .unwrap();
    assert_eq!(rest.members.len(), 1);

    let remove_a = GroupMembersRemoveArg::new(sel.clone(), vec![by_id(&a)]);
    c.groups_members_remove(&remove_a).await.unwrap();
    let again = c.groups_members_remove(&remove_a).await.unwrap_err();
    assert!(again.has_tag("member_not_in_group"), "{again:?}");

    c.groups_delete_wait(&sel).await.unwrap();
    let info = c
        .groups_get_info(&GroupsSelector::GroupIds(vec![g.group_id.clone()]))
        .await
        .unwrap();
    assert!(matches!(info[0], GroupsGetInfoItem::IdNotFound(_)));
    let gone = c.groups_update(&renamed).await.unwrap_err();
    assert!(gone.is_not_found(), "{gone:?}");
}

#[tokio::test]
async fn team_info_admin_and_token_expiry() {
    let (emu, c) = setup(active_team()).await;
    let team = c.team_get_info().await.unwrap();
    assert_eq!(team.num_licensed_users, 100);
    let admin = c.token_get_authenticated_admin().await.unwrap();
    assert_eq!(admin.admin_profile.email, "admin@example.com");
    emu.emulator.expire_all_tokens();
    c.team_get_info().await.unwrap();
}

#[tokio::test]
async fn injected_faults_are_retried_only_where_safe() {
    let (emu, c) = setup(active_team()).await;
    let rate = Fault::RateLimitText { retry_after: 0 };
    emu.emulator.inject_fault("groups/list", rate, 1);
    emu.emulator.inject_fault(
        "groups/list",
        Fault::Unavailable503 { retry_after: None },
        1,
    );
    c.groups_list(&GroupsListArg::default()).await.unwrap();
    emu.emulator
        .inject_fault("groups/list", Fault::DropConnection, 1);
    c.groups_list(&GroupsListArg::default()).await.unwrap();

    emu.emulator
        .inject_fault("members/add_v2", Fault::Internal500, 1);
    let arg = MembersAddV2Arg::new(vec![new_member("x@example.com")]);
    let err = c.members_add_v2(&arg).await.unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Server(_)), "{err:?}");
    // The failed add was not re-sent, so the next one is the first to create the member.
    let items = c.add_members_wait(&arg).await.unwrap();
    assert_eq!(union_tag(&items[0]), "success");
}

#[tokio::test]
async fn auth_and_rate_limit_errors_are_classified() {
    let running = Emulator::spawn(active_team()).await.unwrap();
    let token = running.emulator.issue_token(&["members.read"]);
    let mut cc = ClientConfig::new(Credentials::AccessToken(SecretString::from(token.clone())));
    cc.base_url = running.base_url.clone();
    let c = DropboxClient::new(cc).unwrap();

    let err = c.groups_list(&GroupsListArg::default()).await.unwrap_err();
    assert!(
        matches!(&err.kind, ErrorKind::Auth(t) if t == "missing_scope"),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains(&token));

    let long = Fault::RateLimitJson {
        retry_after: 120,
        reason_write_ops: false,
        body_retry_after: true,
    };
    running.emulator.inject_fault("members/list_v2", long, 1);
    let err = c
        .members_list_v2(&MembersListArg::default())
        .await
        .unwrap_err();
    assert!(err.is_rate_limited(), "{err:?}");
    assert_eq!(err.retry_after, Some(Duration::from_secs(120)));

    // A fixed token cannot be refreshed: expiry surfaces as an auth error. (A new client: the 429
    // above pauses every call of `c` for 120 s.)
    let mut cc = ClientConfig::new(Credentials::AccessToken(SecretString::from(token)));
    cc.base_url = running.base_url.clone();
    let c = DropboxClient::new(cc).unwrap();
    running.emulator.expire_all_tokens();
    let err = c
        .members_list_v2(&MembersListArg::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err.kind, ErrorKind::Auth(t) if t == "expired_access_token"),
        "{err:?}"
    );
}
