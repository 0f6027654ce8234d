//! The group bridge against the emulator: every group request shape IdPs send, and the error cases.

use crate::helpers::bridge_env::BridgeEnv;
use crate::helpers::bridge_groups::{ctx, scim_err, sorted};
use crate::helpers::scim_calls::{GROUP_URN, patch_body};
use dropbox_scim_bridge::scim::ScimType;
use serde_json::json;

#[tokio::test]
async fn okta_group_push_rename_and_membership() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(4);
    let body = json!({"schemas": [GROUP_URN], "displayName": "Sales", "members": []});
    let g = env
        .bridge
        .create_group(&ctx("POST"), body)
        .await
        .expect("create");
    let id = g.id.expect("id");
    assert_eq!(g.display_name, "Sales");
    let created = env.emu().calls("groups/create");
    assert_eq!(
        created[0]["group_management_type"][".tag"],
        "company_managed"
    );

    // Okta re-sends the unchanged name: no Dropbox write at all.
    let writes = env.writes();
    let same = patch_body(json!([{"op": "replace", "value": {"id": id, "displayName": "Sales"}}]));
    env.bridge
        .patch_group(&ctx("PATCH"), &id, same)
        .await
        .expect("no-op");
    assert_eq!(env.writes(), writes);

    let rename =
        patch_body(json!([{"op": "replace", "value": {"id": id, "displayName": "Sales EMEA"}}]));
    let g = env
        .bridge
        .patch_group(&ctx("PATCH"), &id, rename)
        .await
        .expect("rename");
    assert_eq!(g.display_name, "Sales EMEA");
    assert_eq!(env.count("groups/update"), 1);

    let add = patch_body(json!([{"op": "add", "path": "members", "value": [
        {"value": ids[0], "display": "seed0@example.com"}, {"value": ids[1], "display": "x"}]}]));
    let g = env
        .bridge
        .patch_group(&ctx("PATCH"), &id, add)
        .await
        .expect("add");
    assert_eq!(g.members.len(), 2);
    // `display` is not echoed (it is optional and read-only); members are identified by value.
    assert!(g.members.iter().all(|m| m.display.is_none()));
    let mut values: Vec<&str> = g.members.iter().map(|m| m.value.as_str()).collect();
    values.sort_unstable();
    let mut expected = vec![ids[0].as_str(), ids[1].as_str()];
    expected.sort_unstable();
    assert_eq!(values, expected);

    let remove =
        patch_body(json!([{"op": "remove", "path": format!("members[value eq \"{}\"]", ids[0])}]));
    env.bridge
        .patch_group(&ctx("PATCH"), &id, remove)
        .await
        .expect("remove");
    assert_eq!(env.member_ids(&id).await, vec![ids[1].clone()]);

    let full = patch_body(json!([{"op": "replace", "path": "members", "value": [
        {"value": ids[2]}, {"value": ids[3]}]}]));
    env.bridge
        .patch_group(&ctx("PATCH"), &id, full)
        .await
        .expect("replace");
    assert_eq!(
        env.member_ids(&id).await,
        sorted(vec![ids[2].clone(), ids[3].clone()])
    );
}

#[tokio::test]
async fn entra_capitalised_ops_value_list_removal_and_several_ops() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(5);
    let id = env.group("Engineering", &ids[..3]).await;
    let body = patch_body(json!([
        {"op": "Remove", "path": "members", "value": [{"value": ids[0]}, {"value": ids[1]}]},
        {"op": "Add", "path": "members", "value": [{"value": ids[3]}]},
        {"op": "Add", "path": "members", "value": {"value": ids[4]}},
        {"op": "Replace", "path": "externalId", "value": "ext-eng"},
    ]));
    let g = env
        .bridge
        .patch_group(&ctx("PATCH"), &id, body)
        .await
        .expect("patch");
    assert_eq!(g.external_id.as_deref(), Some("ext-eng"));
    assert_eq!(
        env.member_ids(&id).await,
        sorted(vec![ids[2].clone(), ids[3].clone(), ids[4].clone()])
    );
    // One batch each way, no listing of the group needed for pure adds and removes.
    assert_eq!(env.count("groups/members/add"), 2); // create + this patch
    assert_eq!(env.count("groups/members/remove"), 1);
}

#[tokio::test]
async fn adding_present_and_removing_absent_members_is_not_an_error() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(3);
    let id = env.group("Ops", &ids[..1]).await;
    let writes = env.writes();
    let body = patch_body(json!([
        {"op": "add", "path": "members", "value": [{"value": ids[0]}]},
        {"op": "remove", "path": format!("members[value eq \"{}\"]", ids[2])},
    ]));
    env.bridge
        .patch_group(&ctx("PATCH"), &id, body)
        .await
        .expect("idempotent");
    assert_eq!(env.writes(), writes, "nothing to change, nothing sent");
    assert_eq!(env.member_ids(&id).await, vec![ids[0].clone()]);
}

#[tokio::test]
async fn replace_naming_neither_name_nor_members_keeps_the_members() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(2);
    let id = env.group("Keep", &ids).await;
    let body = patch_body(json!([{"op": "replace", "value": {"externalId": "k1"}}]));
    env.bridge
        .patch_group(&ctx("PATCH"), &id, body)
        .await
        .expect("patch");
    assert_eq!(env.member_ids(&id).await, sorted(ids.clone()));
    let remove_all = patch_body(json!([{"op": "remove", "path": "members"}]));
    env.bridge
        .patch_group(&ctx("PATCH"), &id, remove_all)
        .await
        .expect("remove all");
    assert!(env.member_ids(&id).await.is_empty());
}

#[tokio::test]
async fn put_sends_only_the_difference() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(4);
    let id = env.group("Team", &ids[..3]).await;
    let (adds, removes) = (
        env.count("groups/members/add"),
        env.count("groups/members/remove"),
    );
    let members: Vec<_> = ids[1..].iter().map(|m| json!({"value": m})).collect();
    let body =
        json!({"schemas": [GROUP_URN], "id": id, "displayName": "Team 2", "members": members});
    let g = env
        .bridge
        .replace_group(&ctx("PUT"), &id, body)
        .await
        .expect("put");
    assert_eq!(g.display_name, "Team 2");
    assert_eq!(env.count("groups/update"), 1);
    assert_eq!(env.count("groups/members/add"), adds + 1);
    assert_eq!(env.count("groups/members/remove"), removes + 1);
    let added = env.emu().calls("groups/members/add");
    assert_eq!(
        added.last().map(|b| b["members"].as_array().map(Vec::len)),
        Some(Some(1))
    );
    let removed = env.emu().calls("groups/members/remove");
    assert_eq!(removed[0]["users"][0]["team_member_id"], json!(ids[0]));
    assert_eq!(env.member_ids(&id).await, sorted(ids[1..].to_vec()));
}

#[tokio::test]
async fn unknown_member_ids_are_refused_before_any_write() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(1);
    let body =
        json!({"displayName": "Bad", "members": [{"value": ids[0]}, {"value": "dbmid:nobody"}]});
    let (status, kind, detail) = scim_err(env.bridge.create_group(&ctx("POST"), body).await);
    assert_eq!((status, kind), (400, Some(ScimType::InvalidValue)));
    assert!(detail.contains("dbmid:nobody"), "{detail}");
    assert_eq!(
        env.count("groups/create") + env.count("groups/members/add"),
        0
    );

    let id = env.group("Good", &[]).await;
    let writes = env.writes();
    let body = patch_body(json!([
        {"op": "replace", "path": "displayName", "value": "Renamed"},
        {"op": "add", "path": "members", "value": [{"value": ids[0]}, {"value": "dbmid:ghost"}]}]));
    let (status, _, detail) = scim_err(env.bridge.patch_group(&ctx("PATCH"), &id, body).await);
    assert_eq!(status, 400);
    assert!(detail.contains("dbmid:ghost"), "{detail}");
    assert_eq!(env.writes(), writes, "no Dropbox write");
    assert_eq!(
        env.bridge
            .get_group(&id, false)
            .await
            .expect("get")
            .display_name,
        "Good"
    );
}

#[tokio::test]
async fn duplicate_names_are_409_uniqueness() {
    let env = BridgeEnv::new().await;
    env.group("Finance", &[]).await;
    let body = json!({"displayName": "FINANCE"});
    let (status, kind, _) = scim_err(env.bridge.create_group(&ctx("POST"), body).await);
    assert_eq!((status, kind), (409, Some(ScimType::Uniqueness)));
    let other = env.group("Other", &[]).await;
    let rename = patch_body(json!([{"op": "replace", "path": "displayName", "value": "Finance"}]));
    let (status, _, _) = scim_err(env.bridge.patch_group(&ctx("PATCH"), &other, rename).await);
    assert_eq!(status, 409);
}

#[tokio::test]
async fn system_groups_are_readable_but_not_writable() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(1);
    let q = dropbox_scim_bridge::scim::list::ListQuery::from_pairs(
        [("filter", "displayName eq \"everyone\"")],
        1000,
    )
    .expect("query");
    let page = env.bridge.list_groups(&q, true).await.expect("list");
    assert_eq!(page.total, 1);
    let id = page.items[0].id.clone().expect("id");
    let writes = env.writes();
    let add = patch_body(json!([{"op": "add", "path": "members", "value": [{"value": ids[0]}]}]));
    let (status, kind, _) = scim_err(env.bridge.patch_group(&ctx("PATCH"), &id, add).await);
    assert_eq!((status, kind), (400, Some(ScimType::Mutability)));
    let put = json!({"displayName": "All"});
    assert_eq!(
        scim_err(env.bridge.replace_group(&ctx("PUT"), &id, put).await).0,
        400
    );
    assert_eq!(
        scim_err(env.bridge.delete_group(&ctx("DELETE"), &id).await).0,
        400
    );
    assert_eq!(env.writes(), writes);
}

#[tokio::test]
async fn unknown_groups_are_404_and_deleted_groups_vanish() {
    let env = BridgeEnv::new().await;
    assert_eq!(scim_err(env.bridge.get_group("g:0000", true).await).0, 404);
    let body = patch_body(json!([{"op": "replace", "path": "displayName", "value": "x"}]));
    assert_eq!(
        scim_err(env.bridge.patch_group(&ctx("PATCH"), "g:0000", body).await).0,
        404
    );
    assert_eq!(
        scim_err(
            env.bridge
                .replace_group(&ctx("PUT"), "g:0000", json!({"displayName": "x"}))
                .await
        )
        .0,
        404
    );
    assert_eq!(
        scim_err(env.bridge.delete_group(&ctx("DELETE"), "g:0000").await).0,
        404
    );
    let id = env.group("Temp", &[]).await;
    env.bridge
        .delete_group(&ctx("DELETE"), &id)
        .await
        .expect("delete");
    assert_eq!(scim_err(env.bridge.get_group(&id, true).await).0, 404);
}

#[tokio::test]
async fn a_create_whose_members_cannot_be_added_leaves_no_group() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(2);
    // More 500s than the client's retries: the member add fails for good.
    env.emu().inject_fault(
        "groups/members/add",
        dropbox_scim_bridge::emulator::Fault::Internal500,
        10,
    );
    let body = json!({"displayName": "Doomed", "members": [{"value": ids[0]}, {"value": ids[1]}]});
    let err = env.bridge.create_group(&ctx("POST"), body).await;
    assert!(matches!(err, Err(ref e) if e.status() == 503), "{err:?}");
    assert_eq!(env.count("groups/delete"), 1);
    let q = dropbox_scim_bridge::scim::list::ListQuery::from_pairs(
        [("filter", "displayName eq \"Doomed\"")],
        1000,
    )
    .expect("query");
    assert_eq!(
        env.bridge.list_groups(&q, false).await.expect("list").total,
        0
    );
}

#[tokio::test]
async fn every_write_is_audited_with_its_dropbox_calls() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(1);
    let id = env.group("Audited", &[]).await;
    let add = patch_body(json!([{"op": "add", "path": "members", "value": [{"value": ids[0]}]}]));
    env.bridge
        .patch_group(&ctx("PATCH"), &id, add)
        .await
        .expect("patch");
    let bad =
        patch_body(json!([{"op": "add", "path": "members", "value": [{"value": "dbmid:x"}]}]));
    assert!(
        env.bridge
            .patch_group(&ctx("PATCH"), &id, bad)
            .await
            .is_err()
    );
    let q = dropbox_scim_bridge::store::AuditQuery {
        resource_id: Some(id.clone()),
        ..Default::default()
    };
    let entries = env.store.query_audit(&q).await.expect("audit");
    let statuses: Vec<i64> = entries.iter().map(|e| e.status).collect();
    assert!(
        statuses.contains(&201) && statuses.contains(&200) && statuses.contains(&400),
        "{statuses:?}"
    );
    let patched = entries
        .iter()
        .find(|e| e.status == 200)
        .expect("patch entry");
    let routes: Vec<&str> = patched
        .dropbox_calls
        .iter()
        .map(|c| c.route.as_str())
        .collect();
    assert!(routes.contains(&"groups/members/add"), "{routes:?}");
}

#[tokio::test]
async fn members_are_named_by_scim_id_when_it_differs_from_the_dropbox_id() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(1);
    // A user re-invited after deactivation keeps its first SCIM id.
    env.store
        .set_alias("dbmid:first-invite", &ids[0], chrono::Utc::now())
        .await
        .expect("alias");
    let id = env.group("Aliased", &[]).await;
    let add = patch_body(
        json!([{"op": "add", "path": "members", "value": [{"value": "dbmid:first-invite"}]}]),
    );
    let g = env
        .bridge
        .patch_group(&ctx("PATCH"), &id, add)
        .await
        .expect("add");
    assert_eq!(g.members[0].value, "dbmid:first-invite");
    let sent = env.emu().calls("groups/members/add");
    assert_eq!(
        sent[0]["members"][0]["user"]["team_member_id"],
        json!(ids[0])
    );
    let remove =
        patch_body(json!([{"op": "remove", "path": "members[value eq \"dbmid:first-invite\"]"}]));
    env.bridge
        .patch_group(&ctx("PATCH"), &id, remove)
        .await
        .expect("remove");
    assert!(env.member_ids(&id).await.is_empty());
}
