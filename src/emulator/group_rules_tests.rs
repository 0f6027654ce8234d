//! Unit tests of the group rules, one per rule, driving the route functions on a bare model.

use serde_json::json;

use super::rules_tests::{by_id, model, tag};
use super::{group_members, groups};

#[test]
fn group_names_are_unique_case_insensitively() {
    let mut m = model();
    assert!(groups::create(&mut m, &json!({"group_name": "Sales"})).is_ok());
    assert_eq!(
        tag(groups::create(&mut m, &json!({"group_name": "sales"}))),
        "group_name_already_used"
    );
    assert_eq!(
        tag(groups::create(&mut m, &json!({"group_name": " "}))),
        "group_name_invalid"
    );
}

#[test]
fn system_managed_group_rejects_writes_and_omits_members() {
    let mut m = model();
    let everyone = m.groups[0].id.clone();
    let sel = json!({".tag": "group_id", "group_id": everyone});
    assert_eq!(
        tag(groups::delete(&mut m, &sel)),
        "system_managed_group_disallowed"
    );
    let upd = json!({"group": sel, "new_group_name": "X"});
    assert_eq!(
        tag(groups::update(&mut m, &upd)),
        "system_managed_group_disallowed"
    );
    let info = groups::get_info(
        &mut m,
        &json!({".tag": "group_ids", "group_ids": [everyone]}),
    )
    .unwrap_or_default();
    assert!(info[0].get("members").is_none());
    assert_eq!(info[0]["group_management_type"][".tag"], "system_managed");
}

#[test]
fn empty_new_group_external_id_clears_it() {
    let mut m = model();
    let g = groups::create(
        &mut m,
        &json!({"group_name": "Ops", "group_external_id": "ext"}),
    )
    .unwrap_or_default();
    assert_eq!(g["group_management_type"][".tag"], "user_managed");
    let sel = json!({".tag": "group_id", "group_id": g["group_id"]});
    let out = groups::update(&mut m, &json!({"group": sel, "new_group_external_id": ""}))
        .unwrap_or_default();
    assert!(out.get("group_external_id").is_none());
}

#[test]
fn group_member_add_errors() {
    let mut m = model();
    let g = groups::create(&mut m, &json!({"group_name": "Dev"})).unwrap_or_default();
    let sel = json!({".tag": "group_id", "group_id": g["group_id"]});
    let admin = m.admin_id.clone();
    let user = by_id(&admin)["user"].clone();
    let body = json!({"group": sel, "members": [{"user": user, "access_type": "owner"}]});
    let out = group_members::members_add(&mut m, &body).unwrap_or_default();
    assert_eq!(out["async_job_id"], " ");
    assert_eq!(out["group_info"]["member_count"], 1);
    assert_eq!(
        tag(group_members::members_add(&mut m, &body)),
        "duplicate_user"
    );
    let ghost = json!({"group": sel, "members": [{"user": {".tag": "email", "email": "no@example.com"}, "access_type": "member"}]});
    assert_eq!(
        tag(group_members::members_add(&mut m, &ghost)),
        "users_not_found"
    );
    let profile = m
        .member(&admin)
        .map(|x| super::view::profile(&m, x))
        .map(|p| super::view::to_json(&p));
    assert!(profile.is_some_and(|p| {
        p["groups"]
            .as_array()
            .is_some_and(|a| a.contains(&g["group_id"]))
    }));
    let rm = json!({"group": sel, "users": [user]});
    assert!(group_members::members_remove(&mut m, &rm).is_ok());
    assert_eq!(
        tag(group_members::members_remove(&mut m, &rm)),
        "member_not_in_group"
    );
}

#[test]
fn deleted_group_is_gone_and_repeat_delete_reports_already_deleted() {
    let mut m = model();
    let g = groups::create(&mut m, &json!({"group_name": "Tmp"})).unwrap_or_default();
    let sel = json!({".tag": "group_id", "group_id": g["group_id"]});
    assert!(groups::delete(&mut m, &sel).is_ok());
    assert_eq!(tag(groups::delete(&mut m, &sel)), "group_already_deleted");
    assert_eq!(
        tag(groups::update(
            &mut m,
            &json!({"group": sel, "new_group_name": "Y"})
        )),
        "group_not_found"
    );
}
