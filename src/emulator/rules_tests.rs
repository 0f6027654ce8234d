//! Unit tests of the model rules, one per rule, driving the route functions on a bare model.

use serde_json::{Value, json};

use super::EmulatorConfig;
use super::jobs::JobFamily;
use super::state::Model;
use super::wire::ApiError;
use super::{group_members, groups, lifecycle, members, profile};

pub(super) fn model() -> Model {
    Model::new(EmulatorConfig {
        num_licensed_users: 5,
        ..EmulatorConfig::default()
    })
}

pub(super) fn add(m: &mut Model, email: &str) -> Value {
    let body = json!({"new_members": [{"member_email": email, "member_given_name": "A", "member_surname": "B"}]});
    members::add_v2(m, &body).unwrap_or_default()["complete"][0].clone()
}

pub(super) fn id_of(item: &Value) -> String {
    item["profile"]["team_member_id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub(super) fn by_id(id: &str) -> Value {
    json!({"user": {".tag": "team_member_id", "team_member_id": id}})
}

pub(super) fn activate(m: &mut Model, id: &str) {
    if let Some(mem) = m.member_mut(id) {
        mem.status = super::state::Status::Active;
    }
}

pub(super) fn tag(err: Result<Value, ApiError>) -> String {
    match err {
        Err(ApiError::Route(v)) => v[".tag"].as_str().unwrap_or_default().to_string(),
        other => format!("{other:?}"),
    }
}

#[test]
fn add_creates_invited_member_with_ids() {
    let mut m = model();
    let item = add(&mut m, "new@example.com");
    assert_eq!(item[".tag"], "success");
    let p = &item["profile"];
    assert_eq!(p["status"][".tag"], "invited");
    assert_eq!(p["email_verified"], false);
    assert!(p.get("invited_on").is_some() && p.get("joined_on").is_none());
    assert!(
        p["team_member_id"]
            .as_str()
            .unwrap_or_default()
            .starts_with("dbmid:")
    );
    assert_eq!(p["account_id"].as_str().unwrap_or_default().len(), 40);
    assert_eq!(p["membership_type"][".tag"], "full");
}

#[test]
fn email_uniqueness_is_case_insensitive() {
    let mut m = model();
    add(&mut m, "dup@example.com");
    assert_eq!(
        add(&mut m, "DUP@Example.com")[".tag"],
        "user_already_on_team"
    );
}

#[test]
fn duplicate_email_within_one_batch_fails_second_item() {
    let mut m = model();
    let body = json!({"new_members": [{"member_email": "x@example.com"}, {"member_email": "x@example.com"}]});
    let out = members::add_v2(&mut m, &body).unwrap_or_default();
    assert_eq!(out["complete"][0][".tag"], "success");
    assert_eq!(out["complete"][1][".tag"], "user_already_on_team");
}

#[test]
fn external_id_is_unique() {
    let mut m = model();
    let body = json!({"new_members": [{"member_email": "a@example.com", "member_external_id": "e1"},
                                      {"member_email": "b@example.com", "member_external_id": "e1"}]});
    let out = members::add_v2(&mut m, &body).unwrap_or_default();
    assert_eq!(out["complete"][1][".tag"], "duplicate_external_member_id");
}

#[test]
fn licence_limit_is_per_item_in_add() {
    let mut m = model();
    let list: Vec<Value> = (0..5)
        .map(|i| json!({"member_email": format!("u{i}@example.com")}))
        .collect();
    let out = members::add_v2(&mut m, &json!({"new_members": list})).unwrap_or_default();
    assert_eq!(out["complete"][3][".tag"], "success");
    assert_eq!(out["complete"][4][".tag"], "team_license_limit");
    assert_eq!(out["complete"][4]["team_license_limit"], "u4@example.com");
}

#[test]
fn suspend_only_active_members() {
    let mut m = model();
    let id = id_of(&add(&mut m, "s@example.com"));
    assert_eq!(
        tag(members::suspend(&mut m, &by_id(&id))),
        "suspend_inactive_user"
    );
    activate(&mut m, &id);
    assert!(members::suspend(&mut m, &by_id(&id)).is_ok());
    assert!(m.member(&id).is_some_and(|x| x.suspended_on.is_some()));
}

#[test]
fn suspending_last_admin_is_refused() {
    let mut m = model();
    let admin = m.admin_id.clone();
    assert_eq!(
        tag(members::suspend(&mut m, &by_id(&admin))),
        "suspend_last_admin"
    );
}

#[test]
fn unsuspend_only_suspended_members() {
    let mut m = model();
    let id = id_of(&add(&mut m, "u@example.com"));
    assert_eq!(
        tag(members::unsuspend(&mut m, &by_id(&id))),
        "unsuspend_non_suspended_member"
    );
}

#[test]
fn removing_last_admin_is_refused() {
    let mut m = model();
    let admin = m.admin_id.clone();
    assert_eq!(
        tag(lifecycle::remove(&mut m, &by_id(&admin))),
        "remove_last_admin"
    );
}

#[test]
fn keep_account_with_default_wipe_data_is_refused() {
    let mut m = model();
    let id = id_of(&add(&mut m, "k@example.com"));
    activate(&mut m, &id);
    let mut body = by_id(&id);
    body["keep_account"] = json!(true);
    assert_eq!(
        tag(lifecycle::remove(&mut m, &body)),
        "cannot_keep_account_and_delete_data"
    );
}

#[test]
fn invited_member_with_keep_account_is_refused() {
    let mut m = model();
    let id = id_of(&add(&mut m, "i@example.com"));
    let mut body = by_id(&id);
    body["keep_account"] = json!(true);
    body["wipe_data"] = json!(false);
    assert_eq!(
        tag(lifecycle::remove(&mut m, &body)),
        "cannot_keep_invited_user_account"
    );
}

#[test]
fn removed_invited_member_is_not_recoverable() {
    let mut m = model();
    let id = id_of(&add(&mut m, "r@example.com"));
    assert!(lifecycle::remove(&mut m, &by_id(&id)).is_ok());
    assert_eq!(
        tag(lifecycle::recover(&mut m, &by_id(&id))),
        "user_unrecoverable"
    );
}

#[test]
fn recover_within_seven_days_restores_group_membership() {
    let mut m = model();
    let id = id_of(&add(&mut m, "g@example.com"));
    activate(&mut m, &id);
    let g = groups::create(&mut m, &json!({"group_name": "Eng"})).unwrap_or_default();
    let sel = json!({".tag": "group_id", "group_id": g["group_id"]});
    let add_body =
        json!({"group": sel, "members": [{"user": by_id(&id)["user"], "access_type": "member"}]});
    assert!(group_members::members_add(&mut m, &add_body).is_ok());
    assert!(lifecycle::remove(&mut m, &by_id(&id)).is_ok());
    let listed = group_members::members_list(&mut m, &json!({"group": sel})).unwrap_or_default();
    assert_eq!(listed["members"].as_array().map(Vec::len), Some(0));
    assert!(lifecycle::recover(&mut m, &by_id(&id)).is_ok());
    let listed = group_members::members_list(&mut m, &json!({"group": sel})).unwrap_or_default();
    assert_eq!(listed["members"].as_array().map(Vec::len), Some(1));
}

#[test]
fn recover_after_seven_days_is_refused() {
    let mut m = model();
    let id = id_of(&add(&mut m, "old@example.com"));
    activate(&mut m, &id);
    assert!(lifecycle::remove(&mut m, &by_id(&id)).is_ok());
    m.clock_offset += chrono::Duration::days(8);
    assert_eq!(
        tag(lifecycle::recover(&mut m, &by_id(&id))),
        "user_unrecoverable"
    );
}

#[test]
fn recoverable_removed_member_still_reserves_email() {
    let mut m = model();
    let id = id_of(&add(&mut m, "keep@example.com"));
    activate(&mut m, &id);
    assert!(lifecycle::remove(&mut m, &by_id(&id)).is_ok());
    assert_eq!(
        add(&mut m, "keep@example.com")[".tag"],
        "user_already_on_team"
    );
}

#[test]
fn removed_members_only_listed_with_include_removed() {
    let mut m = model();
    let id = id_of(&add(&mut m, "gone@example.com"));
    assert!(lifecycle::remove(&mut m, &by_id(&id)).is_ok());
    let plain = members::list_v2(&mut m, &json!({})).unwrap_or_default();
    assert_eq!(plain["members"].as_array().map(Vec::len), Some(1));
    let all = members::list_v2(&mut m, &json!({"include_removed": true})).unwrap_or_default();
    assert_eq!(all["members"].as_array().map(Vec::len), Some(2));
}

#[test]
fn paging_has_no_duplicates_when_members_added_midway() {
    let mut m = model();
    add(&mut m, "p1@example.com");
    let first = members::list_v2(&mut m, &json!({"limit": 1})).unwrap_or_default();
    assert_eq!(first["has_more"], true);
    add(&mut m, "p2@example.com");
    let mut seen = vec![first["members"][0]["profile"]["email"].clone()];
    let mut cursor = first["cursor"].clone();
    loop {
        let page =
            members::list_continue_v2(&mut m, &json!({"cursor": cursor})).unwrap_or_default();
        seen.extend(
            page["members"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|x| x["profile"]["email"].clone()),
        );
        if page["has_more"] != true {
            break;
        }
        cursor = page["cursor"].clone();
    }
    let mut dedup = seen.clone();
    dedup.dedup();
    assert_eq!(seen.len(), 3);
    assert_eq!(dedup.len(), 3);
}

#[test]
fn set_profile_without_new_data_is_refused() {
    let mut m = model();
    let admin = m.admin_id.clone();
    assert_eq!(
        tag(profile::set_profile_v2(&mut m, &by_id(&admin))),
        "no_new_data_specified"
    );
}

#[test]
fn set_profile_email_reserved_for_other_user() {
    let mut m = model();
    add(&mut m, "taken@example.com");
    let admin = m.admin_id.clone();
    let mut body = by_id(&admin);
    body["new_email"] = json!("TAKEN@example.com");
    assert_eq!(
        tag(profile::set_profile_v2(&mut m, &body)),
        "email_reserved_for_other_user"
    );
}

#[test]
fn demoting_last_admin_is_refused() {
    let mut m = model();
    let admin = m.admin_id.clone();
    let mut body = by_id(&admin);
    body["new_roles"] = json!([]);
    assert_eq!(
        tag(profile::set_admin_permissions_v2(&mut m, &body)),
        "last_admin"
    );
}

#[test]
fn add_job_is_in_progress_then_complete_and_family_scoped() {
    let mut m = model();
    let out = members::add_v2(
        &mut m,
        &json!({"new_members": [{"member_email": "j@example.com"}], "force_async": true}),
    )
    .unwrap_or_default();
    let job = json!({"async_job_id": out["async_job_id"]});
    assert_eq!(
        members::poll(&mut m, &job, JobFamily::MembersAdd).unwrap_or_default()[".tag"],
        "in_progress"
    );
    assert_eq!(
        tag(members::poll(&mut m, &job, JobFamily::MembersRemove)),
        "invalid_async_job_id"
    );
    assert_eq!(
        members::poll(&mut m, &job, JobFamily::MembersAdd).unwrap_or_default()[".tag"],
        "complete"
    );
}

#[test]
fn authenticated_admin_not_active_after_demotion() {
    let mut m = model();
    let other = id_of(&add(&mut m, "adm2@example.com"));
    activate(&mut m, &other);
    let mut body = by_id(&other);
    body["new_roles"] = json!(["pid_dbtmr:2345"]);
    assert!(profile::set_admin_permissions_v2(&mut m, &body).is_ok());
    let admin = m.admin_id.clone();
    let mut demote = by_id(&admin);
    demote["new_roles"] = json!([]);
    assert!(profile::set_admin_permissions_v2(&mut m, &demote).is_ok());
    assert_eq!(
        tag(lifecycle::authenticated_admin(&mut m, &Value::Null)),
        "admin_not_active"
    );
}

#[test]
fn email_on_another_team_is_refused() {
    let mut m = model();
    m.other_team_emails.insert("elsewhere@example.com".into());
    assert_eq!(
        add(&mut m, "Elsewhere@example.com")[".tag"],
        "user_on_another_team"
    );
}

#[test]
fn get_info_shows_recoverable_removed_and_hides_unrecoverable() {
    let mut m = model();
    let id = id_of(&add(&mut m, "gi@example.com"));
    activate(&mut m, &id);
    assert!(lifecycle::remove(&mut m, &by_id(&id)).is_ok());
    let q = json!({"members": [{".tag": "team_member_id", "team_member_id": id}]});
    let out = members::get_info_v2(&mut m, &q).unwrap_or_default();
    assert_eq!(
        out["members_info"][0]["profile"]["status"][".tag"],
        "removed"
    );
    m.clock_offset += chrono::Duration::days(8);
    let out = members::get_info_v2(&mut m, &q).unwrap_or_default();
    assert_eq!(
        out["members_info"][0],
        json!({".tag": "id_not_found", "id_not_found": id})
    );
}

#[test]
fn cursor_of_another_list_kind_is_invalid_cursor() {
    let mut m = model();
    let groups_page = groups::list(&mut m, &json!({"limit": 1})).unwrap_or_default();
    let body = json!({"cursor": groups_page["cursor"]});
    assert_eq!(
        tag(members::list_continue_v2(&mut m, &body)),
        "invalid_cursor"
    );
    assert_eq!(
        tag(members::list_continue_v2(
            &mut m,
            &json!({"cursor": "garbage"})
        )),
        "invalid_cursor"
    );
}
